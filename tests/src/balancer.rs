//! A load balancer on loopback for several office instances: each HTTP request goes to an
//! instance picked at random (not each connection, as a TCP balancer would: phones keep their
//! connections open, and the point is to let consecutive requests of one phone reach different
//! instances). Bodies and headers pass through unchanged, compressed ones included.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};

/// A running balancer. Dropping it stops it.
pub struct Balancer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    upstreams: Vec<String>,
    /// Requests sent to each upstream.
    counts: Vec<AtomicU64>,
    http: reqwest::Client,
}

impl Balancer {
    /// Starts a balancer over `upstreams` (`http://...` base URLs) on a free loopback port.
    pub async fn start(upstreams: Vec<String>) -> Balancer {
        let shared = Arc::new(Shared {
            counts: upstreams.iter().map(|_| AtomicU64::new(0)).collect(),
            upstreams,
            http: crate::http_client_builder().no_proxy().build().unwrap(),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Balancer { addr, shared, task }
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests each upstream got, in the order given.
    pub fn counts(&self) -> Vec<u64> {
        self.shared
            .counts
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect()
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Headers that describe one hop's connection, not the request: never forwarded.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection" | "keep-alive" | "transfer-encoding" | "host" | "content-length" | "upgrade"
    )
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let pick = rand::random_range(0..shared.upstreams.len());
    shared.counts[pick].fetch_add(1, Ordering::Relaxed);
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return (StatusCode::BAD_GATEWAY, "request body unreadable").into_response();
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut outgoing = shared
        .http
        .request(parts.method, format!("{}{path}", shared.upstreams[pick]))
        .body(body);
    for (name, value) in &parts.headers {
        if !hop_by_hop(name) {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = match outgoing.send().await {
        Ok(a) => a,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = answer.status();
    let mut headers = HeaderMap::new();
    for (name, value) in answer.headers() {
        if !hop_by_hop(name) {
            headers.append(name, value.clone());
        }
    }
    let body: Bytes = answer.bytes().await.unwrap_or_default();
    (status, headers, body).into_response()
}
