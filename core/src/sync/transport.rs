//! HTTP transport for the sync client: JSON over reqwest (and raw chunks for uploads), counting
//! body bytes both ways and turning HTTP failures into the engine's errors.

use std::time::Duration;

use serde::{Serialize, de::DeserializeOwned};

use crate::{Error, Result};

/// One answered request, with its body sizes.
pub struct Exchange<T> {
    pub body: T,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

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
        let bytes_sent = bytes.len() as u64;
        let mut req = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(bytes);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(url, req, bytes_sent).await
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
        let resp = req.send().await.map_err(offline)?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(offline)?;
        let bytes_received = body.len() as u64;
        if !status.is_success() {
            let (code, message) = match serde_json::from_slice::<ErrorBody>(&body) {
                Ok(e) => (e.error.code, e.error.message),
                Err(_) => (
                    "http_error".to_string(),
                    String::from_utf8_lossy(&body).chars().take(200).collect(),
                ),
            };
            return Err(if status.as_u16() == 401 {
                Error::Unauthorized { code, message }
            } else {
                Error::Server {
                    status: status.as_u16(),
                    code,
                    message,
                }
            });
        }
        let body = serde_json::from_slice(&body)
            .map_err(|e| Error::Protocol(format!("cannot decode answer from {url}: {e}")))?;
        Ok(Exchange {
            body,
            bytes_sent,
            bytes_received,
        })
    }
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
