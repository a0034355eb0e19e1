//! Attachment files: resumable uploads from devices (`/api/v1/uploads/{sha256}`) and the bytes
//! for dispatch (`/api/v1/attachments/{sha256}`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;

use super::extract::{Device, Dispatcher, PathId};
use crate::blobs::{UploadState, check_id};
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /api/v1/uploads/{sha256}` (device) — how much of an upload the office holds.
#[utoipa::path(
    get,
    path = "/api/v1/uploads/{sha256}",
    tag = "device",
    params(("sha256" = String, Path, pattern = r"^[0-9a-f]{64}$", description = "The photo's SHA-256, hex")), security(("device" = [])),
    responses((status = 200, description = "How much of the upload the office holds", body = UploadState))
)]
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn upload_state(
    State(state): State<AppState>,
    _: Device,
    PathId(id): PathId,
) -> Result<Json<UploadState>> {
    Ok(Json(state.blobs(move |b| b.state(&id)).await?))
}

fn number_header(headers: &HeaderMap, name: &str) -> Result<u64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            Error::BadRequest(
                "invalid",
                format!("the {name} header (a byte count) is required"),
            )
        })
}

/// `PATCH /api/v1/uploads/{sha256}` (device) — appends the body at `Upload-Offset` of a file of
/// `Upload-Length` bytes; answers where the upload now stands.
#[utoipa::path(
    patch,
    path = "/api/v1/uploads/{sha256}",
    tag = "device",
    params(("sha256" = String, Path, pattern = r"^[0-9a-f]{64}$", description = "The photo's SHA-256, hex"), ("Upload-Offset" = u64, Header, description = "Where this chunk begins"), ("Upload-Length" = u64, Header, description = "The whole photo's size")), request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The next bytes of the photo"), security(("device" = [])),
    responses((status = 200, description = "Where the upload now stands", body = UploadState), (status = 409, description = "The offset is not where the upload stands", body = ErrorBody), (status = 415, description = "A content encoding the server does not read", body = ErrorBody), (status = 422, description = "The bytes do not hash to the name", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(id = %id, device = %device))]
pub async fn upload_chunk(
    State(state): State<AppState>,
    Device {
        device_id: device, ..
    }: Device,
    headers: HeaderMap,
    PathId(id): PathId,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<UploadState>> {
    check_id(&id)?;
    let offset = number_header(&headers, "upload-offset")?;
    let total = number_header(&headers, "upload-length")?;
    let chunk = super::body_bytes(body, crate::blobs::MAX_CHUNK)?;
    state.limits.uploaded(&device, chunk.len()).await?;
    let landed = state
        .blobs(move |b| b.append(&id, offset, total, &chunk))
        .await?;
    if landed.complete {
        tracing::info!(%device, bytes = landed.offset, "attachment stored");
    }
    Ok(Json(landed))
}

/// `GET /api/v1/attachments/{sha256}` — the bytes of a photo.
#[utoipa::path(
    get,
    path = "/api/v1/attachments/{sha256}",
    tag = "jobs",
    params(("sha256" = String, Path, pattern = r"^[0-9a-f]{64}$", description = "The photo's SHA-256, hex")),
    responses((status = 200, description = "The photo's bytes", content_type = "image/jpeg", body = Vec<u8>), (status = 404, description = "The office does not hold it", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn get_attachment(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(id): PathId,
) -> Result<Response> {
    check_id(&id)?;
    let bytes = state
        .blobs(move |b| b.get(&id))
        .await?
        .ok_or_else(|| Error::NotFound("the office does not hold this attachment (yet)".into()))?;
    // A device can upload any bytes under a hash: only what is really a JPEG or PNG is served
    // as an image; anything else is a download the browser never renders (and `nosniff`, set
    // on every answer, stops it guessing).
    let image = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    };
    Ok(match image {
        Some(mime) => ([(header::CONTENT_TYPE, mime)], bytes).into_response(),
        None => (
            [
                (header::CONTENT_TYPE, "application/octet-stream"),
                (header::CONTENT_DISPOSITION, "attachment"),
            ],
            bytes,
        )
            .into_response(),
    })
}
