//! What every request goes through before and after its handler: who is calling (`identify`,
//! then `require_dispatcher` / `require_device` on the route groups), rate limits, CSRF, body
//! limits and decompression, the deadline, and on the way out the JSON error shape,
//! compression, `nosniff`, a panic turned into a 500 and the request's log line.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;

use super::extract::{Device, Dispatcher};
use crate::auth::Caller;
use crate::state::AppState;
use crate::{Error, Result};

/// Whether `e`, or anything it was caused by, is a `T`: a body the
/// [`tower_http::timeout::RequestBodyTimeoutLayer`] gave up on, or one over its limit.
pub(super) fn caused_by<T: std::error::Error + 'static>(
    e: &(dyn std::error::Error + 'static),
) -> bool {
    let mut source = Some(e);
    while let Some(e) = source {
        if e.is::<T>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Resolves who sent the request (its verified credential, [`crate::auth::identify`]) before
/// anything else is done with it, counts the request in that principal's rate bucket (the
/// client address's when nothing verified), and puts the [`Caller`] in the request's extensions
/// for the routes' own checks ([`require_dispatcher`], [`require_device`]).
///
/// A console session calling the API stands for a dispatcher: a state change must carry the
/// session's CSRF token in `X-CSRF-Token`.
#[tracing::instrument(level = "debug", skip_all)]
pub(super) async fn identify(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Err(e) = crate::console::same_origin(&request) {
        return e.into_response();
    }
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    // Only what carries a credential goes to the blocking thread, not every header.
    let mut headers = HeaderMap::new();
    for name in [
        axum::http::header::AUTHORIZATION,
        axum::http::header::COOKIE,
    ] {
        for value in request.headers().get_all(&name) {
            headers.append(name.clone(), value.clone());
        }
    }
    let now = chrono::Utc::now().timestamp_millis();
    let caller = match state
        .blocking(move |s| crate::auth::identify(s, &headers, now))
        .await
    {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = state.limits.request(&caller.bucket(peer)).await {
        return e.into_response();
    }
    if let Caller::Console { session, .. } = &caller
        && request.uri().path().starts_with("/api/")
    {
        let safe = request.method().is_safe();
        let sent = request
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !safe && !crate::auth::same_secret(sent, &session.csrf) {
            return Error::Forbidden(
                "a console request that changes something needs the page's X-CSRF-Token".into(),
            )
            .into_response();
        }
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// The caller [`identify`] resolved (unverified if it somehow did not run).
fn caller_of(request: &axum::extract::Request) -> Caller {
    request
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or(Caller::Unverified { refused: None })
}

/// Dispatch routes: a dispatcher token or a console session, checked before the body is read.
pub(super) async fn require_dispatcher(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match Dispatcher::check(&caller_of(&request)) {
        Ok(_) => next.run(request).await,
        Err(refused) => refused.into_response(),
    }
}

/// Device routes (sync, uploads): an enrolled device's token, checked before the body is read.
pub(super) async fn require_device(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match Device::check(&caller_of(&request)) {
        Ok(_) => next.run(request).await,
        Err(refused) => refused.into_response(),
    }
}

/// The largest zstd window a request body may ask the decoder for, as a power of two: 8 MiB.
/// zstd's own levels up to 19 stay within it (a streaming encoder that does not know the size
/// picks its level's window, whatever the body's size); a frame asking for more (`--long`, or
/// a forged header) is refused rather than given the memory.
const ZSTD_WINDOW_LOG_MAX: u32 = 23;

/// Decompresses a request body (zstd or gzip) for a route whose bodies may be `limit` bytes:
/// the compressed bytes are read to at most `limit`, the decoder's window is at most
/// [`ZSTD_WINDOW_LOG_MAX`], and output beyond `limit` is refused with 413. Runs after the
/// route's credential check, so nobody unverified makes the server hold a decoder.
async fn decompress(
    axum::extract::State(limit): axum::extract::State<usize>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let encoding = request
        .headers()
        .get(axum::http::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    let Some(encoding) = encoding.filter(|e| e != "identity") else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let compressed =
        match http_body_util::BodyExt::collect(http_body_util::Limited::new(body, limit)).await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => return body_error(&*e, limit).into_response(),
        };
    let inflated =
        tokio::task::spawn_blocking(move || inflate(&encoding, &compressed, limit)).await;
    let plain = match inflated {
        Ok(Ok(plain)) => plain,
        Ok(Err(e)) => return e.into_response(),
        Err(e) => return Error::Internal(format!("worker failed: {e}")).into_response(),
    };
    parts.headers.remove(axum::http::header::CONTENT_ENCODING);
    parts.headers.insert(
        axum::http::header::CONTENT_LENGTH,
        axum::http::HeaderValue::from(plain.len()),
    );
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(plain),
    ))
    .await
}

/// `bytes` decoded from `encoding`, at most `limit` bytes of output.
fn inflate(encoding: &str, bytes: &[u8], limit: usize) -> Result<Vec<u8>> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| {
        Error::BadRequest(
            "bad_body",
            format!("the {encoding} request body does not decompress: {e}"),
        )
    };
    let most = limit as u64 + 1;
    let mut out = Vec::new();
    match encoding {
        "zstd" => {
            let mut decoder =
                zstd::stream::read::Decoder::with_buffer(bytes).map_err(unreadable)?;
            decoder
                .window_log_max(ZSTD_WINDOW_LOG_MAX)
                .map_err(unreadable)?;
            decoder
                .take(most)
                .read_to_end(&mut out)
                .map_err(unreadable)?;
        }
        "gzip" => {
            flate2::read::GzDecoder::new(bytes)
                .take(most)
                .read_to_end(&mut out)
                .map_err(unreadable)?;
        }
        other => {
            return Err(Error::UnsupportedEncoding(format!(
                "request bodies may be zstd or gzip, not {other:?}"
            )));
        }
    }
    if out.len() > limit {
        return Err(Error::TooLarge(limit));
    }
    Ok(out)
}

/// What a body that could not be read is answered with: 413 over the limit, 408 when it stopped
/// arriving, 400 otherwise.
fn body_error(e: &(dyn std::error::Error + 'static), limit: usize) -> Error {
    if caused_by::<http_body_util::LengthLimitError>(e) {
        Error::TooLarge(limit)
    } else if caused_by::<tower_http::timeout::TimeoutError>(e) {
        Error::Timeout("the request body stopped arriving".into())
    } else {
        Error::BadRequest(
            "bad_body",
            format!("the request body could not be read: {e}"),
        )
    }
}

/// Every error answer is the JSON shape `{"error":{"code","message"}}`: a rejection the
/// framework answers in plain text (a malformed form, query or path on any route, console pages
/// included) is rewritten here, its text kept as the message.
async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Rejection texts are a line or two; anything longer is cut, not buffered.
    let text =
        match http_body_util::BodyExt::collect(http_body_util::Limited::new(body, 4096)).await {
            Ok(collected) => String::from_utf8_lossy(&collected.to_bytes()).into_owned(),
            Err(_) => String::new(),
        };
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        _ if status.is_server_error() => "internal",
        _ => "refused",
    };
    let message = if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("refused").to_string()
    } else {
        text.trim().to_string()
    };
    let mut answer = (
        status,
        axum::Json(serde_json::json!({"error": {"code": code, "message": message}})),
    )
        .into_response();
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            answer.headers_mut().append(name.clone(), value.clone());
        }
    }
    answer
}

/// `X-Content-Type-Options: nosniff` on every answer: a browser takes each one as the type it
/// is declared, never guesses HTML out of an uploaded file or a JSON error.
async fn nosniff(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    response
}

/// A handler that panicked: logged, and answered like any internal error instead of a dropped
/// connection.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    tracing::error!(panic = %what, "a handler panicked");
    Error::Internal("the server failed while answering; nothing of this request was kept".into())
        .into_response()
}

/// Bodies smaller than this go as they are: compressing them saves nothing worth a header.
pub const COMPRESS_ABOVE: u64 = 1024;

/// Response compression, zstd or gzip as the client accepts (`docs/sync-protocol.md`): a new
/// phone's first sync and the console's board shrink several times; small rounds, photos
/// (already compressed) and the live event stream are left alone. Request bodies may come
/// compressed too ([`decompress`], after the credential is checked); the body limits count
/// decompressed bytes, so a small compressed bomb is refused like a large body.
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
pub(super) async fn deadline(
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

/// What every answer goes through, whatever the route: the JSON error shape, compression, the
/// request encodings we read, a panic turned into a 500, `nosniff`, and the request's log line.
pub(super) fn answers(routes: Router) -> Router {
    routes
        .layer(axum::middleware::from_fn(json_errors))
        .layer(compression())
        .layer(axum::middleware::from_fn(known_encoding))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn(nosniff))
        .layer(axum::middleware::from_fn(log_request))
}

/// A route group whose bodies may be `limit` bytes: a declared length over it is refused before
/// reading, a compressed body is decompressed within it, and the extractors stop at it.
pub(super) fn bodies(routes: Router<AppState>, limit: usize) -> Router<AppState> {
    routes
        .layer(DefaultBodyLimit::max(limit))
        .layer(from_fn_with_state(limit, decompress))
        .layer(from_fn_with_state(limit, declared_length_limit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_handler_that_panics_is_answered_500_json_and_the_next_request_is_served() {
        let app = answers(
            Router::new()
                .route(
                    "/boom",
                    get(|| async {
                        let missing: Option<&str> = std::hint::black_box(None);
                        missing.expect("boom")
                    }),
                )
                .route("/fine", get(|| async { "fine" })),
        );
        let request = |path: &str| {
            axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        let boom = app.clone().oneshot(request("/boom")).await.unwrap();
        assert_eq!(boom.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = http_body_util::BodyExt::collect(boom.into_body())
            .await
            .unwrap()
            .to_bytes();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["error"]["code"], "internal");
        let fine = app.oneshot(request("/fine")).await.unwrap();
        assert_eq!(fine.status(), StatusCode::OK);
    }
}
