//! Attachment files: resumable uploads from devices (`/api/v1/uploads/{sha256}`) and the bytes
//! for dispatch (`/api/v1/attachments/{sha256}`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;

use super::extract::{Device, Dispatcher, PathId};
use crate::blobs::{UploadState, check_id};
use crate::state::AppState;
use crate::{Error, Result};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `GET /api/v1/uploads/{sha256}` (device) — how much of an upload the office holds.
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
