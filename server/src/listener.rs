//! The listener: accepts TCP (and TLS) connections and serves each with hyper, within the bounds
//! a port on the open internet needs. axum's own `serve` sets none of these.
//!
//! - **Connections are capped**: overall ([`LimitConfig::connections_total`]) and per client
//!   address ([`LimitConfig::connections_per_address`]). A connection over a cap is closed as it
//!   is accepted, so the backlog keeps moving and one address cannot take every descriptor.
//! - **Nothing waits for a silent client**: a connection with no request in flight must send a
//!   request's headers within [`LimitConfig::header_read_timeout`], whether it is new, kept alive
//!   after a response, or an HTTP/2 connection with no open stream (the watchdog below); a TLS
//!   handshake has the same time. Bodies that stop arriving and requests that take too long are
//!   ended by the router's own layers (`api::router`).
//! - **HTTP/2 is bounded**: concurrent streams, header list size, flow-control windows and the
//!   per-stream send buffer, so one connection's streams cost a known amount of memory.
//!
//! Each request gets the client's address as axum's `ConnectInfo<SocketAddr>`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use http_body_util::BodyExt;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

use crate::limits::LimitConfig;

/// HTTP/2 streams one connection may have open at once: a console page and its event stream
/// need a handful; 32 leaves room without letting one connection hold a hundred requests.
const H2_STREAMS: u32 = 32;
/// Largest header block accepted, either protocol: our clients send a few hundred bytes.
const MAX_HEADER_BYTES: u32 = 32 * 1024;
/// HTTP/2 flow-control windows: what a client may send ahead of our reading it, per stream and
/// per connection. 256 KiB a stream keeps a 100 kbit/s link busy and bounds buffered bodies.
const H2_STREAM_WINDOW: u32 = 256 * 1024;
const H2_CONNECTION_WINDOW: u32 = 1024 * 1024;
/// Response bytes buffered per HTTP/2 stream before we wait for the client to read them.
const H2_SEND_BUFFER: usize = 256 * 1024;
/// How long a connection being closed for idleness (or at shutdown) may finish what it has.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// How long running requests may take to finish when the server stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `stop` resolves; then stops accepting, lets running
/// requests finish (at most [`SHUTDOWN_GRACE`]) and returns.
pub async fn serve(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: axum::Router,
    limits: &LimitConfig,
    stop: impl std::future::Future<Output = ()>,
) {
    let (stopping, stopped) = watch::channel(false);
    let total = limits.connections_total.max(1);
    let open = Arc::new(Semaphore::new(total));
    let per_address = Arc::new(PerAddress::new(limits.connections_per_address.max(1)));
    let builder = Arc::new(builder(limits));
    let header_read = limits.header_read_timeout;
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors (or a connection reset before we took it): wait a
                    // moment instead of spinning; the timeouts free descriptors.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = open.clone().try_acquire_owned() else {
            tracing::warn!(
                total,
                "connection refused: the server is at its connection cap"
            );
            continue;
        };
        let Some(address_slot) = per_address.take(peer.ip()) else {
            tracing::warn!("connection refused: its address is at its connection cap");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (app, builder, tls, stopped) =
            (app.clone(), builder.clone(), tls.clone(), stopped.clone());
        tokio::spawn(async move {
            let _slots = (slot, address_slot);
            match tls {
                None => connection(stream, peer, app, &builder, header_read, stopped).await,
                Some(acceptor) => {
                    let handshake = tokio::time::timeout(header_read, acceptor.accept(stream));
                    if let Ok(Ok(stream)) = handshake.await {
                        connection(stream, peer, app, &builder, header_read, stopped).await;
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    // Every connection holds a permit until it is done: all of them back means all closed.
    let all = u32::try_from(total).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE + CLOSE_GRACE, open.acquire_many(all)).await;
}

/// hyper's connection builder, both protocols, with the limits above.
fn builder(limits: &LimitConfig) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(MAX_HEADER_BYTES as usize * 2);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(H2_STREAMS)
        .max_header_list_size(MAX_HEADER_BYTES)
        .initial_stream_window_size(H2_STREAM_WINDOW)
        .initial_connection_window_size(H2_CONNECTION_WINDOW)
        .max_send_buf_size(H2_SEND_BUFFER)
        // A peer that stopped answering pings is gone: free its connection.
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(Duration::from_secs(10));
    builder
}

/// Serves one connection until it ends, it is idle too long, or the server stops.
async fn connection<I>(
    io: I,
    peer: SocketAddr,
    app: axum::Router,
    builder: &auto::Builder<TokioExecutor>,
    idle_limit: Duration,
    mut stopped: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            let busy = Busy::start(&activity);
            request.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move {
                let response = app.oneshot(request.map(axum::body::Body::new)).await?;
                // The request counts as in flight until its response body is done or dropped
                // (an event stream stays in flight for as long as it is open).
                Ok::<_, Infallible>(response.map(|body| {
                    axum::body::Body::new(body.map_frame(move |frame| {
                        let _ = &busy;
                        frame
                    }))
                }))
            }
        })
    };
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    loop {
        let idle_for = activity.idle_for();
        let wake = match idle_for {
            Some(idle) if idle >= idle_limit => break,
            Some(idle) => idle_limit - idle,
            None => idle_limit,
        };
        tokio::select! {
            _ = conn.as_mut() => return,
            () = tokio::time::sleep(wake) => {}
            _ = stopped.changed() => {
                conn.as_mut().graceful_shutdown();
                let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn.as_mut()).await;
                return;
            }
        }
    }
    // Idle (or never sent a whole request): ask it to close, and drop it if it does not.
    conn.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(CLOSE_GRACE, conn.as_mut()).await;
}

/// Requests in flight on one connection and since when it has had none.
struct Activity {
    in_flight: AtomicUsize,
    idle_since: Mutex<Instant>,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            in_flight: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
        }
    }

    /// How long the connection has had no request in flight; `None` while one is.
    fn idle_for(&self) -> Option<Duration> {
        let since = self.idle_since.lock();
        (self.in_flight.load(Ordering::SeqCst) == 0).then(|| since.elapsed())
    }
}

/// One request in flight; dropping it (response done) may make the connection idle.
struct Busy(Arc<Activity>);

impl Busy {
    fn start(activity: &Arc<Activity>) -> Busy {
        let _since = activity.idle_since.lock();
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy(activity.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut since = self.0.idle_since.lock();
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            *since = Instant::now();
        }
    }
}

/// Open connections per client address.
struct PerAddress {
    cap: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl PerAddress {
    fn new(cap: usize) -> PerAddress {
        PerAddress {
            cap,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// A slot for one more connection from `ip`, or `None` at the cap.
    fn take(self: &Arc<Self>, ip: IpAddr) -> Option<AddressSlot> {
        let mut open = self.open.lock();
        let n = open.entry(ip).or_insert(0);
        if *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            owner: self.clone(),
            ip,
        })
    }
}

struct AddressSlot {
    owner: Arc<PerAddress>,
    ip: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.owner.open.lock();
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// The TLS acceptor for a PEM certificate chain and private key; HTTP/2 and HTTP/1.1 offered.
pub fn tls_acceptor(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<tokio_rustls::TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read the certificate: {e}"))?;
    if chain.is_empty() {
        return Err("the certificate file holds no certificate".into());
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("cannot read the key: {e}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_cap_and_its_slots_back() {
        let per = Arc::new(PerAddress::new(2));
        let ip: IpAddr = [10, 0, 0, 1].into();
        let a = per.take(ip).unwrap();
        let _b = per.take(ip).unwrap();
        assert!(per.take(ip).is_none());
        assert!(per.take([10, 0, 0, 2].into()).is_some());
        drop(a);
        assert!(per.take(ip).is_some());
    }

    #[test]
    fn a_connection_is_idle_only_with_nothing_in_flight() {
        let activity = Arc::new(Activity::new());
        assert!(activity.idle_for().is_some());
        let busy = Busy::start(&activity);
        let busy2 = Busy::start(&activity);
        assert_eq!(activity.idle_for(), None);
        drop(busy);
        assert_eq!(activity.idle_for(), None);
        drop(busy2);
        assert!(activity.idle_for().unwrap() < Duration::from_secs(1));
    }
}
