//! The HTTP API under `/api/v1`: routing, body limits, and JSON extraction that turns every
//! malformed request into a JSON error instead of axum's plain-text rejections.

mod devices;
mod dispatch;
pub(crate) mod reports;
pub(crate) mod service;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::de::DeserializeOwned;

use crate::storage::{Principal, Storage};
use crate::{Error, Result};

/// Largest body accepted by dispatch routes.
pub const DISPATCH_BODY_LIMIT: usize = 64 * 1024;
/// Largest body accepted by the sync endpoint.
pub const SYNC_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    /// Attachment bytes (photos), outside the database.
    pub blobs: Arc<crate::blobs::Blobs>,
    /// The font report PDFs are drawn with, loaded on first use.
    pub font: Arc<FontSlot>,
    /// Changes published to the console's open pages.
    pub live: crate::console::Live,
    /// Whether the server is reached over HTTPS (the console's cookies are then Secure).
    pub tls: bool,
    /// The mailer of signed reports to customers; `None` without `--smtp`.
    pub mail: crate::mail::Mail,
    /// Request rates and byte budgets per client.
    pub limits: Arc<crate::limits::Limits>,
}

/// The CJK font for report PDFs: a configured path, else the usual system locations. Loaded on
/// the first PDF request and kept; a failure is not kept (the font may be installed later).
pub struct FontSlot {
    path: Option<std::path::PathBuf>,
    loaded: parking_lot::Mutex<Option<Arc<fieldwork_report::Font>>>,
}

impl FontSlot {
    /// A slot for `path` (or the system search when `None`).
    pub fn new(path: Option<std::path::PathBuf>) -> FontSlot {
        FontSlot {
            path,
            loaded: parking_lot::Mutex::new(None),
        }
    }

    /// The font, loading it if needed.
    pub fn get(&self) -> Result<Arc<fieldwork_report::Font>> {
        let mut slot = self.loaded.lock();
        if let Some(f) = slot.as_ref() {
            return Ok(f.clone());
        }
        let font = fieldwork_report::Font::for_reports(self.path.as_deref())
            .map_err(|e| Error::Unavailable("font_missing", e.to_string()))?;
        let font = Arc::new(font);
        *slot = Some(font.clone());
        Ok(font)
    }
}

impl AppState {
    /// Runs blocking storage work off the async threads.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Storage) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let storage = self.storage.clone();
        tokio::task::spawn_blocking(move || f(storage.as_ref()))
            .await
            .map_err(|e| Error::Internal(format!("worker failed: {e}")))?
    }

    /// Runs blocking attachment-file work off the async threads.
    pub async fn blobs<T: Send + 'static>(
        &self,
        f: impl FnOnce(&crate::blobs::Blobs) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let blobs = self.blobs.clone();
        tokio::task::spawn_blocking(move || f(&blobs))
            .await
            .map_err(|e| Error::Internal(format!("worker failed: {e}")))?
    }

    /// Authenticates the caller as dispatch.
    pub async fn dispatcher(&self, headers: &HeaderMap) -> Result<()> {
        match self.principal(headers).await? {
            Principal::Dispatcher => Ok(()),
            Principal::Device { .. } | Principal::RevokedDevice { .. } => Err(Error::Forbidden(
                "device tokens may only use the sync endpoint".into(),
            )),
        }
    }

    /// Authenticates the caller as an enrolled device: `(device_id, technician)`.
    pub async fn device(&self, headers: &HeaderMap) -> Result<(String, String)> {
        match self.principal(headers).await? {
            Principal::Device {
                device_id,
                technician,
            } => Ok((device_id, technician)),
            Principal::Dispatcher | Principal::RevokedDevice { .. } => Err(Error::Forbidden(
                "this route is for enrolled devices".into(),
            )),
        }
    }

    /// Renders a job's JSON as of `at`, with each attachment's `uploaded` flag.
    pub fn render(
        &self,
        doc: &fieldwork_model::JobDocument,
        at: i64,
    ) -> Result<fieldwork_model::JobView> {
        self.render_data(&doc.data()?, at)
    }

    /// [`AppState::render`] from a document's data already read.
    pub fn render_data(
        &self,
        data: &fieldwork_model::JobData,
        at: i64,
    ) -> Result<fieldwork_model::JobView> {
        let mut view = fieldwork_model::JobView::from_data(data, at)?;
        view.mark_uploaded(|id| self.blobs.has(id));
        Ok(view)
    }

    /// Authenticates the caller as any principal.
    pub async fn principal(&self, headers: &HeaderMap) -> Result<Principal> {
        let headers = headers.clone();
        self.blocking(move |s| crate::auth::authenticate(s, &headers))
            .await
    }
}

/// A request body, mapping a body over `limit` to 413, one that stopped arriving to 408, and
/// anything else that broke it to 400.
pub fn body_bytes(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes> {
    body.map_err(|rej| {
        if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::TooLarge(limit)
        } else if is_timeout(&rej) {
            Error::Timeout("the request body stopped arriving".into())
        } else {
            Error::BadRequest("bad_body", rej.body_text())
        }
    })
}

/// Whether a body failed because [`tower_http::timeout::RequestBodyTimeoutLayer`] gave up on it.
fn is_timeout(rej: &BytesRejection) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(rej);
    while let Some(e) = source {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Counts the request against its client's rate (see [`crate::limits`]).
async fn rate_limit(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let key = crate::limits::credential_key(request.headers(), peer);
    match state.limits.request(&key).await {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// Bodies smaller than this go as they are: compressing them saves nothing worth a header.
pub const COMPRESS_ABOVE: u64 = 1024;

/// Response compression, zstd or gzip as the client accepts (`docs/sync-protocol.md`): a new
/// phone's first sync and the console's board shrink several times; small rounds, photos
/// (already compressed) and the live event stream are left alone. Request bodies may come
/// compressed too (`RequestDecompressionLayer`); the body limits count decompressed bytes, so a
/// small compressed bomb is refused like a large body.
fn compression()
-> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    tower_http::compression::CompressionLayer::new()
        .zstd(true)
        .gzip(true)
        .quality(tower_http::compression::CompressionLevel::Fastest)
        .compress_when(
            SizeAbove::new(COMPRESS_ABOVE)
                .and(NotForContentType::GRPC)
                .and(NotForContentType::IMAGES)
                .and(NotForContentType::SSE)
                .and(NotForContentType::const_new("application/pdf")),
        )
}

/// Refuses a request body in an encoding the server cannot read with a JSON 415 naming the
/// ones it can (the decompression layer would answer with an empty body).
async fn known_encoding(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let encoding = request
        .headers()
        .get(axum::http::header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("identity" | "zstd" | "gzip") => next.run(request).await,
        Some(other) => {
            let mut response = Error::UnsupportedEncoding(format!(
                "request bodies may be zstd or gzip, not {other:?}"
            ))
            .into_response();
            response.headers_mut().insert(
                axum::http::header::ACCEPT_ENCODING,
                axum::http::HeaderValue::from_static("zstd, gzip"),
            );
            response
        }
    }
}

/// One line per request: method, path (ids only: no query string, which may one day carry
/// search text), status and time. Headers are never logged (they carry the credentials).
async fn log_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// Ends a request that takes longer than `limit` (body included) with a 408 JSON error.
async fn deadline(
    axum::extract::State(limit): axum::extract::State<std::time::Duration>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Error::Timeout(format!(
            "the request took longer than {} s",
            limit.as_secs()
        ))
        .into_response(),
    }
}

/// Rows a list route answers by default, and at most (`?limit=`).
pub const PAGE_DEFAULT: u32 = 500;
pub const PAGE_MAX: u32 = 5000;

/// One page of a list route: `?limit=` rows (default [`PAGE_DEFAULT`], at most [`PAGE_MAX`])
/// from `?offset=`; when more remain the answer carries `X-Next-Offset` (the array itself is
/// unchanged, so existing clients read the first page as before).
pub struct Paged<T> {
    rows: Vec<T>,
    next: Option<usize>,
}

impl<T> Paged<T> {
    pub fn cut(mut rows: Vec<T>, limit: Option<u32>, offset: Option<u32>) -> Paged<T> {
        let limit = limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX) as usize;
        let offset = (offset.unwrap_or(0) as usize).min(rows.len());
        rows.drain(..offset);
        let next = (rows.len() > limit).then_some(offset + limit);
        rows.truncate(limit);
        Paged { rows, next }
    }
}

impl<T: serde::Serialize> IntoResponse for Paged<T> {
    fn into_response(self) -> axum::response::Response {
        let mut response = axum::Json(self.rows).into_response();
        if let Some(next) = self.next {
            response.headers_mut().insert(
                axum::http::HeaderName::from_static("x-next-offset"),
                axum::http::HeaderValue::from(next),
            );
        }
        response
    }
}

/// `?limit=&offset=` of a list route without other parameters.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub offset: Option<u32>,
}

/// Decodes a JSON body, mapping size and syntax problems to 413 and 400 JSON errors.
pub fn json_body<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<T> {
    let bytes = body_bytes(body, limit)?;
    serde_json::from_slice(&bytes).map_err(|e| Error::BadRequest("bad_json", e.to_string()))
}

/// Refuses a body whose declared length is over the route's limit before reading any of it
/// (the extractors' own limit still catches chunked bodies that grow past it).
async fn declared_length_limit(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > limit as u64 => {
            // The body is left unread, so this connection cannot carry another request: say so,
            // or a pooling client reuses it and its next request dies with a dropped connection.
            let mut response = Error::TooLarge(limit).into_response();
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            response
        }
        _ => next.run(request).await,
    }
}

async fn not_found() -> Error {
    Error::NotFound("no such route".into())
}

async fn method_not_allowed() -> (StatusCode, axum::Json<serde_json::Value>) {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(
            serde_json::json!({"error": {"code": "method_not_allowed", "message": "method not allowed on this route"}}),
        ),
    )
}

/// `GET /api/v1/health` for load balancers: ok only when this instance can reach its database
/// (503 `database_unavailable` otherwise, so a balancer drains an instance cut off from it).
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<axum::Json<serde_json::Value>> {
    // Within a probe's patience: a database slower than this is as good as away.
    let asked = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        state.blocking(|s| s.schema_version()),
    );
    match asked.await {
        Ok(answer) => answer.map(|_| axum::Json(serde_json::json!({"ok": true}))),
        Err(_) => Err(Error::Unavailable(
            crate::error::DATABASE_UNAVAILABLE,
            "the database did not answer within 2 s".into(),
        )),
    }
}

/// The router with every route.
pub fn router(state: AppState) -> Router {
    let dispatch = Router::new()
        .route("/api/v1/technicians", post(dispatch::create_technician))
        .route(
            "/api/v1/jobs",
            post(dispatch::create_job).get(dispatch::list_jobs),
        )
        .route(
            "/api/v1/jobs/{id}",
            get(dispatch::get_job).patch(dispatch::patch_job),
        )
        .route("/api/v1/jobs/{id}/heads", get(dispatch::job_heads))
        .route("/api/v1/jobs/{id}/notes", post(dispatch::add_note))
        .route("/api/v1/jobs/{id}/cancel", post(dispatch::cancel_job))
        .route("/api/v1/jobs/{id}/parts", post(dispatch::add_part))
        .route("/api/v1/jobs/{id}/followup", post(service::record_followup))
        .route(
            "/api/v1/jobs/{id}/complaints",
            post(service::create_complaint),
        )
        .route("/api/v1/contracts", post(service::create_contract))
        .route("/api/v1/contracts/{id}", get(service::get_contract))
        .route("/api/v1/assets", post(service::create_asset))
        .route("/api/v1/assets/{serial}", get(service::get_asset))
        .route(
            "/api/v1/assets/{serial}/history",
            get(service::asset_history),
        )
        .route("/api/v1/followups", get(service::list_followups))
        .route("/api/v1/complaints", get(service::list_complaints))
        .route(
            "/api/v1/complaints/{id}/answer",
            post(service::answer_complaint),
        )
        .route(
            "/api/v1/complaints/{id}/escalate",
            post(service::escalate_complaint),
        )
        .route("/api/v1/kpis", get(service::kpis))
        .route("/api/v1/escalations", get(service::escalations))
        .route(
            "/api/v1/maintenance-plans",
            post(service::create_plan).get(service::list_plans),
        )
        .route("/api/v1/maintenance-plans/run", post(service::run_plans))
        .route("/api/v1/loaners", get(service::list_loaners))
        .route("/api/v1/devices/enroll", post(devices::enroll))
        .route("/api/v1/devices", get(reports::list_devices))
        .route("/api/v1/attachments/{sha256}", get(reports::get_attachment))
        .route("/api/v1/jobs/{id}/reports", get(reports::list_reports))
        .route(
            "/api/v1/jobs/{id}/reports/{version}",
            get(reports::get_report),
        )
        .route(
            "/api/v1/jobs/{id}/reports/{version}/pdf",
            get(reports::get_report_pdf),
        )
        .layer(DefaultBodyLimit::max(DISPATCH_BODY_LIMIT))
        .layer(from_fn_with_state(
            DISPATCH_BODY_LIMIT,
            declared_length_limit,
        ));
    let sync = Router::new()
        .route("/api/v1/sync", post(devices::sync))
        .layer(DefaultBodyLimit::max(SYNC_BODY_LIMIT))
        .layer(from_fn_with_state(SYNC_BODY_LIMIT, declared_length_limit));
    let uploads = Router::new()
        .route(
            "/api/v1/uploads/{sha256}",
            get(reports::upload_state).patch(reports::upload_chunk),
        )
        .layer(DefaultBodyLimit::max(crate::blobs::MAX_CHUNK))
        .layer(from_fn_with_state(
            crate::blobs::MAX_CHUNK,
            declared_length_limit,
        ));
    let api = Router::new()
        .route("/api/v1/health", get(health))
        .merge(dispatch)
        .merge(sync)
        .merge(uploads)
        .layer(from_fn_with_state(
            state.clone(),
            crate::console::api_session,
        ));
    let limits = state.limits.config.clone();
    Router::new()
        .merge(api)
        .merge(crate::console::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), rate_limit))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            limits.body_idle,
        ))
        .layer(from_fn_with_state(limits.request_timeout, deadline))
        .with_state(state)
        .layer(compression())
        .layer(tower_http::decompression::RequestDecompressionLayer::new())
        .layer(axum::middleware::from_fn(known_encoding))
        .layer(axum::middleware::from_fn(log_request))
}
