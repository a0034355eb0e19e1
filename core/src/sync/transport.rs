//! HTTP transport for the sync client: JSON over reqwest (and raw chunks for uploads), counting
//! bytes both ways and turning HTTP failures into the engine's errors.
//!
//! Bodies are compressed with zstd both ways (`docs/sync-protocol.md`): the client accepts
//! zstd answers and compresses request bodies of [`COMPRESS_ABOVE`] bytes or more; small
//! rounds go as they are. Two counts: body bytes (the JSON) and wire bytes (the HTTP/1.1
//! messages as sent: request or status line, headers, the possibly compressed body; TLS
//! framing not included).

use std::time::Duration;

use serde::{Serialize, de::DeserializeOwned};

use crate::{Error, Result};

/// One answered request, with its sizes.
pub struct Exchange<T> {
    pub body: T,
    /// Request body bytes before compression.
    pub bytes_sent: u64,
    /// Response body bytes after decompression.
    pub bytes_received: u64,
    /// The request as it went on the wire: line, headers, body as sent.
    pub wire_sent: u64,
    /// The response as it came off the wire: status line, headers, body as received.
    pub wire_received: u64,
}

/// Request bodies of at least this many bytes are sent zstd-compressed (the office's own
/// threshold for answers is the same).
pub const COMPRESS_ABOVE: usize = 1024;
/// zstd level for request bodies: level 3 is zstd's default, fast at several hundred MB/s.
const ZSTD_LEVEL: i32 = 3;
/// The most a compressed answer may decompress to (the office's largest sync body is 16 MiB).
const MAX_ANSWER_BYTES: u64 = 64 * 1024 * 1024;

/// A reusable HTTP client (connection pool).
pub struct Transport {
    client: reqwest::Client,
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(serde::Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

impl Transport {
    /// Builds the client: short connect timeout (a phone without signal should know quickly),
    /// generous overall timeout (a first sync can carry many jobs). HTTPS trusts Mozilla's root
    /// certificates plus `extra_roots` (PEM: an office's own CA, given at enrollment), the same
    /// on every platform (ADR 0005).
    pub fn new(extra_roots: Option<&str>) -> Result<Transport> {
        // reqwest is built without a default provider: ring, installed once for the process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| reqwest::Certificate::from_der(der.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Protocol(format!("cannot load the root certificates: {e}")))?;
        if let Some(pem) = extra_roots {
            roots.extend(parse_roots(pem)?);
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            // The office closes a connection with nothing in flight after 10 s (ADR 0011): a
            // pooled one older than that would fail the next request on a slow link.
            .pool_idle_timeout(Duration::from_secs(8))
            .tls_certs_only(roots)
            .build()
            .map_err(|e| Error::Protocol(format!("cannot build HTTP client: {e}")))?;
        Ok(Transport { client })
    }

    /// POSTs `body` as JSON to `url` and decodes the JSON answer.
    pub async fn post<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        url: &str,
        token: Option<&str>,
        body: &Req,
    ) -> Result<Exchange<Resp>> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Protocol(format!("cannot encode request: {e}")))?;
        let mut req = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send_body(url, req, bytes).await
    }

    /// Sends `req` with `bytes` as its body, zstd-compressed from [`COMPRESS_ABOVE`] bytes.
    async fn send_body<Resp: DeserializeOwned>(
        &self,
        url: &str,
        req: reqwest::RequestBuilder,
        bytes: Vec<u8>,
    ) -> Result<Exchange<Resp>> {
        let bytes_sent = bytes.len() as u64;
        let req = if bytes.len() >= COMPRESS_ABOVE {
            let packed = zstd::bulk::compress(&bytes, ZSTD_LEVEL)
                .map_err(|e| Error::Protocol(format!("cannot compress request: {e}")))?;
            req.header(reqwest::header::CONTENT_ENCODING, "zstd")
                .body(packed)
        } else {
            req.body(bytes)
        };
        self.send(url, req, bytes_sent).await
    }

    /// POSTs `body` as CBOR (change bytes as they are, not base64) and decodes the answer,
    /// CBOR or (for errors) JSON. The sync endpoint speaks both (`docs/sync-protocol.md`).
    pub async fn post_cbor<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        url: &str,
        token: &str,
        body: &Req,
    ) -> Result<Exchange<Resp>> {
        let bytes = fieldwork_model::wire::to_cbor(body)
            .map_err(|e| Error::Protocol(format!("cannot encode request: {e}")))?;
        let req = self
            .client
            .post(url)
            .bearer_auth(token)
            // A CBOR request gets a CBOR answer; no `Accept` needed.
            .header(reqwest::header::CONTENT_TYPE, fieldwork_model::wire::CBOR);
        self.send_body(url, req, bytes).await
    }

    /// GETs `url` and decodes the JSON answer.
    pub async fn get<Resp: DeserializeOwned>(
        &self,
        url: &str,
        token: &str,
    ) -> Result<Exchange<Resp>> {
        let req = self.client.get(url).bearer_auth(token);
        self.send(url, req, 0).await
    }

    /// PATCHes one chunk of an upload (`Upload-Offset` and `Upload-Length` headers, the chunk
    /// as the body) and decodes the JSON answer.
    pub async fn patch_chunk<Resp: DeserializeOwned>(
        &self,
        url: &str,
        token: &str,
        offset: u64,
        total: u64,
        chunk: Vec<u8>,
    ) -> Result<Exchange<Resp>> {
        let bytes_sent = chunk.len() as u64;
        let req = self
            .client
            .patch(url)
            .bearer_auth(token)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/offset+octet-stream",
            )
            .header("upload-offset", offset.to_string())
            .header("upload-length", total.to_string())
            .body(chunk);
        self.send(url, req, bytes_sent).await
    }

    async fn send<Resp: DeserializeOwned>(
        &self,
        url: &str,
        req: reqwest::RequestBuilder,
        bytes_sent: u64,
    ) -> Result<Exchange<Resp>> {
        let request = req
            .header(reqwest::header::ACCEPT_ENCODING, "zstd")
            .build()
            .map_err(|e| Error::Protocol(format!("cannot build request to {url}: {e}")))?;
        let wire_sent = request_wire_bytes(&request);
        let resp = self.client.execute(request).await.map_err(offline)?;
        let status = resp.status();
        let head_bytes = response_head_bytes(&resp);
        let zstd_answer = resp
            .headers()
            .get(reqwest::header::CONTENT_ENCODING)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"zstd"));
        let cbor_answer = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .is_some_and(|v| {
                v.as_bytes()
                    .starts_with(fieldwork_model::wire::CBOR.as_bytes())
            });
        // Read before the body consumes the response.
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let raw = resp.bytes().await.map_err(offline)?;
        let wire_received = head_bytes + raw.len() as u64;
        let body = if zstd_answer {
            unzstd(&raw).map_err(|e| Error::Protocol(format!("answer from {url}: {e}")))?
        } else {
            raw.to_vec()
        };
        let bytes_received = body.len() as u64;
        if !status.is_success() {
            let (code, message) = match serde_json::from_slice::<ErrorBody>(&body) {
                Ok(e) => (e.error.code, e.error.message),
                Err(_) => (
                    "http_error".to_string(),
                    String::from_utf8_lossy(&body).chars().take(200).collect(),
                ),
            };
            // 429, or a 503 with Retry-After (the office is up but cannot serve for a moment,
            // its database restarting): a wait, not a failure.
            let wait = status.as_u16() == 429 || (status.as_u16() == 503 && retry_after.is_some());
            return Err(match status.as_u16() {
                401 => Error::Unauthorized { code, message },
                426 => Error::UpgradeRequired(message),
                _ if wait => Error::RateLimited {
                    retry_after_secs: retry_after_secs(
                        retry_after.as_deref(),
                        chrono::Utc::now().timestamp(),
                    ),
                    message,
                },
                status => Error::Server {
                    status,
                    code,
                    message,
                },
            });
        }
        let body = if cbor_answer {
            fieldwork_model::wire::from_cbor(&body)
                .map_err(|e| Error::Protocol(format!("cannot decode answer from {url}: {e}")))?
        } else {
            serde_json::from_slice(&body)
                .map_err(|e| Error::Protocol(format!("cannot decode answer from {url}: {e}")))?
        };
        Ok(Exchange {
            body,
            bytes_sent,
            bytes_received,
            wire_sent,
            wire_received,
        })
    }
}

/// Decompresses a zstd answer, refusing one that grows past [`MAX_ANSWER_BYTES`].
fn unzstd(raw: &[u8]) -> std::result::Result<Vec<u8>, String> {
    use std::io::Read;
    let decoder = zstd::stream::Decoder::new(raw).map_err(|e| format!("not zstd: {e}"))?;
    let mut out = Vec::new();
    decoder
        .take(MAX_ANSWER_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("damaged zstd body: {e}"))?;
    if out.len() as u64 > MAX_ANSWER_BYTES {
        return Err(format!("body decompresses past {MAX_ANSWER_BYTES} bytes"));
    }
    Ok(out)
}

/// The HTTP/1.1 bytes of a request: request line, `host`, its headers, `content-length`, the
/// blank line and the body (hyper writes `host` and `content-length` itself).
fn request_wire_bytes(request: &reqwest::Request) -> u64 {
    let url = request.url();
    let target = url.path().len() + url.query().map_or(0, |q| q.len() + 1);
    let host =
        url.host_str().map_or(0, str::len) + url.port().map_or(0, |p| p.to_string().len() + 1);
    let body = request
        .body()
        .and_then(|b| b.as_bytes())
        .map_or(0, <[u8]>::len);
    let line = request.method().as_str().len() + 1 + target + " HTTP/1.1\r\n".len();
    let mut total = line + "host: \r\n".len() + host + headers_bytes(request.headers());
    if body > 0 {
        total += "content-length: \r\n".len() + body.to_string().len();
    }
    (total + 2 + body) as u64
}

/// The HTTP/1.1 bytes of a response before its body: status line, headers, blank line.
fn response_head_bytes(response: &reqwest::Response) -> u64 {
    let status = response.status();
    let reason = status.canonical_reason().unwrap_or("");
    let line = "HTTP/1.1 200 \r\n".len() + reason.len();
    (line + headers_bytes(response.headers()) + 2) as u64
}

fn headers_bytes(headers: &reqwest::header::HeaderMap) -> usize {
    headers
        .iter()
        .map(|(name, value)| name.as_str().len() + 2 + value.len() + 2)
        .sum()
}

/// How long to wait when a 429 has no usable `Retry-After`.
pub(crate) const DEFAULT_RETRY_AFTER_SECS: u64 = 30;
/// The longest wait a `Retry-After` can impose (the office's longest budget is a day): a
/// broken header must not stop a phone's sync for good.
pub(crate) const MAX_RETRY_AFTER_SECS: u64 = 24 * 3600;

/// Seconds to wait from a `Retry-After` value (RFC 9110: delay-seconds or an HTTP-date, the
/// latter against `now_secs`, Unix time), between 1 s and [`MAX_RETRY_AFTER_SECS`];
/// [`DEFAULT_RETRY_AFTER_SECS`] when absent or unreadable.
pub(crate) fn retry_after_secs(header: Option<&str>, now_secs: i64) -> u64 {
    let Some(value) = header.map(str::trim) else {
        return DEFAULT_RETRY_AFTER_SECS;
    };
    let secs = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: only too large to parse can fail, which is "as long as allowed".
        value.parse::<u64>().unwrap_or(u64::MAX)
    } else if let Ok(date) = chrono::DateTime::parse_from_rfc2822(value) {
        u64::try_from(date.timestamp().saturating_sub(now_secs)).unwrap_or(0)
    } else {
        return DEFAULT_RETRY_AFTER_SECS;
    };
    secs.clamp(1, MAX_RETRY_AFTER_SECS)
}

/// The trust anchors in a PEM bundle; an empty or unreadable bundle is an error, not "trust
/// nothing extra".
pub(crate) fn parse_roots(pem: &str) -> Result<Vec<reqwest::Certificate>> {
    let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| {
        Error::Model(fieldwork_model::Error::Invalid(format!(
            "the server certificate authority is not PEM: {e}"
        )))
    })?;
    if certs.is_empty() {
        return Err(Error::Model(fieldwork_model::Error::Invalid(
            "the server certificate authority file holds no certificate".into(),
        )));
    }
    Ok(certs)
}

/// A transport failure: a TLS problem (the server's certificate is not trusted, or the
/// handshake failed) is not "offline", retrying will not help; anything else is.
fn offline(e: reqwest::Error) -> Error {
    match find_tls_error(&e) {
        Some(tls) => Error::Tls(tls.to_string()),
        None => Error::Offline(e.to_string()),
    }
}

/// The rustls error somewhere in an error's chain. I/O errors wrap theirs without exposing it
/// as `source()` (hyper nests two of them), so look inside those too.
fn find_tls_error<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let inner = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .and_then(|wrapped| find_tls_error(wrapped));
    inner.or_else(|| err.source().and_then(find_tls_error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn retry_after_is_seconds_or_a_date_bounded_with_a_default() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-24T08:49:37Z")
            .unwrap()
            .timestamp();
        assert_eq!(retry_after_secs(Some("17"), now), 17);
        assert_eq!(retry_after_secs(Some(" 120 "), now), 120);
        assert_eq!(retry_after_secs(Some("0"), now), 1, "never a hot loop");
        assert_eq!(
            retry_after_secs(Some("99999999999999999999999"), now),
            MAX_RETRY_AFTER_SECS
        );
        assert_eq!(retry_after_secs(Some("604800"), now), MAX_RETRY_AFTER_SECS);
        assert_eq!(
            retry_after_secs(Some("Tue, 24 Nov 2026 08:51:07 GMT"), now),
            90
        );
        assert_eq!(
            retry_after_secs(Some("Tue, 24 Nov 2026 08:00:00 GMT"), now),
            1,
            "a date in the past"
        );
        for missing_or_bad in [None, Some(""), Some("soon"), Some("-5"), Some("1.5")] {
            assert_eq!(
                retry_after_secs(missing_or_bad, now),
                DEFAULT_RETRY_AFTER_SECS,
                "{missing_or_bad:?}"
            );
        }
    }

    /// An HTTP server answering every request with `status`, `headers` and `body`; the error
    /// a GET to it returns.
    async fn get_error(status: &str, headers: &str, body: &str) -> Error {
        let response = format!(
            "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = conn.write_all(response.as_bytes()).await;
                let _ = conn.shutdown().await;
            }
        });
        let transport = Transport::new(None).unwrap();
        match transport
            .get::<serde_json::Value>(&format!("http://{addr}/api/v1/sync"), "t")
            .await
        {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        }
    }

    #[tokio::test]
    async fn a_429_is_rate_limited_with_the_retry_after_header() {
        let err = get_error(
            "429 Too Many Requests",
            "Retry-After: 17\r\ncontent-type: application/json\r\n",
            r#"{"error":{"code":"rate_limited","message":"too many requests"}}"#,
        )
        .await;
        match err {
            Error::RateLimited {
                retry_after_secs,
                message,
            } => {
                assert_eq!(retry_after_secs, 17);
                assert_eq!(message, "too many requests");
            }
            other => panic!("expected RateLimited, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_503_with_retry_after_is_a_wait_and_without_it_a_server_error() {
        let err = get_error(
            "503 Service Unavailable",
            "Retry-After: 5\r\ncontent-type: application/json\r\n",
            r#"{"error":{"code":"database_unavailable","message":"the database cannot be reached"}}"#,
        )
        .await;
        assert!(
            matches!(
                err,
                Error::RateLimited {
                    retry_after_secs: 5,
                    ..
                }
            ),
            "{err:?}"
        );
        let err = get_error(
            "503 Service Unavailable",
            "content-type: application/json\r\n",
            r#"{"error":{"code":"font_missing","message":"Noto Sans CJK SC not found"}}"#,
        )
        .await;
        assert!(
            matches!(&err, Error::Server { status: 503, code, .. } if code == "font_missing"),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn a_429_without_retry_after_waits_the_default() {
        let err = get_error("429 Too Many Requests", "", "slow down").await;
        match err {
            Error::RateLimited {
                retry_after_secs,
                message,
            } => {
                assert_eq!(retry_after_secs, DEFAULT_RETRY_AFTER_SECS);
                assert_eq!(message, "slow down");
            }
            other => panic!("expected RateLimited, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_426_is_upgrade_required_and_says_the_work_is_kept() {
        let err = get_error(
            "426 Upgrade Required",
            "content-type: application/json\r\n",
            r#"{"error":{"code":"upgrade_required","message":"update the app now"}}"#,
        )
        .await;
        match &err {
            Error::UpgradeRequired(message) => assert_eq!(message, "update the app now"),
            other => panic!("expected UpgradeRequired, got {other:?}"),
        }
        assert!(
            err.to_string()
                .contains("update it; your work is kept on the phone")
        );
    }

    #[tokio::test]
    async fn other_statuses_are_still_server_errors() {
        let err = get_error(
            "408 Request Timeout",
            "content-type: application/json\r\n",
            r#"{"error":{"code":"timeout","message":"the request took too long"}}"#,
        )
        .await;
        assert!(
            matches!(err, Error::Server { status: 408, ref code, .. } if code == "timeout"),
            "{err:?}"
        );
    }
}
