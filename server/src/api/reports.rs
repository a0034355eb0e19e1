//! Devices, attachments and signed reports: the device list, resumable uploads (devices), the
//! attachment bytes, and each job's sealed report versions with their bytes and PDF (dispatch).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use fieldwork_model::report::{self, ReportSummary};
use serde_json::{Value, json};

use super::AppState;
use super::dispatch::{load, path_id};
use crate::blobs::{UploadState, check_id};
use fieldwork_store::Storage;
use crate::{Error, Result};

/// `GET /api/v1/devices` — every enrolled device with its public key.
pub async fn list_devices(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: std::result::Result<
        axum::extract::Query<super::PageParams>,
        axum::extract::rejection::QueryRejection,
    >,
) -> Result<super::Paged<Value>> {
    state.dispatcher(&headers).await?;
    let page = params
        .map_err(|e| Error::BadRequest("bad_query", e.body_text()))?
        .0;
    let devices = state.blocking(|s| Ok(s.devices()?)).await?;
    let time = fieldwork_model::time::to_rfc3339;
    Ok(super::Paged::cut(
        devices
            .into_iter()
            .map(|d| {
                json!({
                    "device_id": d.device_id,
                    "technician": d.technician,
                    "name": d.name,
                    "public_key": d.public_key,
                    "enrolled_at": time(d.enrolled_at),
                    "last_sync_at": d.last_sync_at.map(time),
                    "revoked": d.revoked,
                })
            })
            .collect(),
        page.limit,
        page.offset,
    ))
}

/// `GET /api/v1/uploads/{sha256}` (device) — how much of an upload the office holds.
pub async fn upload_state(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<UploadState>> {
    state.device(&headers).await?;
    let id = path_id(id)?;
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
pub async fn upload_chunk(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: std::result::Result<Path<String>, PathRejection>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Result<Json<UploadState>> {
    let (device, _) = state.device(&headers).await?;
    let id = path_id(id)?;
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
pub async fn get_attachment(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: std::result::Result<Path<String>, PathRejection>,
) -> Result<Response> {
    state.dispatcher(&headers).await?;
    let id = path_id(id)?;
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

/// `GET /api/v1/jobs/{id}/reports` — every sealed version, oldest first.
pub async fn list_reports(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<ReportSummary>>> {
    state.dispatcher(&headers).await?;
    let id = path_id(id)?;
    let summaries = state
        .blocking(move |s| Ok(report::summaries(&load(s, &id)?.data()?)?))
        .await?;
    Ok(Json(summaries))
}

/// The `{id}` and `{version}` of a report route.
fn report_path(
    params: std::result::Result<Path<(String, String)>, PathRejection>,
) -> Result<(String, u32)> {
    let Path((id, v)) = params.map_err(|e| Error::BadRequest("bad_path", e.body_text()))?;
    let version = v.parse::<u32>().ok().filter(|v| *v >= 1).ok_or_else(|| {
        Error::BadRequest(
            "invalid",
            format!("report version must be 1, 2, ...; got {v:?}"),
        )
    })?;
    Ok((id, version))
}

/// The PDF of one sealed version of a job's report: what the API serves and the customer is
/// emailed, the same bytes the phone renders.
pub fn report_pdf(s: &dyn Storage, state: &AppState, id: &str, version: u32) -> Result<Vec<u8>> {
    let canonical = sealed_bytes(s, id, version)?;
    let font = state.font.get()?;
    let photo = |pid: &str| state.blobs.get(pid).ok().flatten();
    fieldwork_report::render(canonical.as_bytes(), &font, &photo).map_err(|e| match e {
        fieldwork_report::RenderError::MissingPhoto(p) => Error::Conflict(format!(
            "photo {p} has not reached the office yet; the PDF needs every photo"
        )),
        fieldwork_report::RenderError::MissingFont(m) => Error::Unavailable("font_missing", m),
        other => Error::Internal(other.to_string()),
    })
}

/// The canonical bytes of one sealed version of a job's report.
fn sealed_bytes(s: &dyn Storage, id: &str, version: u32) -> Result<String> {
    let data = load(s, id)?.data()?;
    report::sealed(&data)
        .into_iter()
        .find(|(_, r)| r.version == version)
        .map(|(e, _)| e.canonical.clone())
        .ok_or_else(|| Error::NotFound(format!("job {id} has no report version {version}")))
}

/// `GET /api/v1/jobs/{id}/reports/{version}` — the canonical bytes exactly as sealed.
pub async fn get_report(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: std::result::Result<Path<(String, String)>, PathRejection>,
) -> Result<Response> {
    state.dispatcher(&headers).await?;
    let (id, version) = report_path(params)?;
    let bytes = state
        .blocking(move |s| sealed_bytes(s, &id, version))
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// `GET /api/v1/jobs/{id}/reports/{version}/pdf` — the PDF, byte-identical to the phone's.
pub async fn get_report_pdf(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: std::result::Result<Path<(String, String)>, PathRejection>,
) -> Result<Response> {
    state.dispatcher(&headers).await?;
    let (id, version) = report_path(params)?;
    let name = format!("{id}-report-{version}.pdf");
    let render_state = state.clone();
    let pdf = state
        .blocking(move |s| report_pdf(s, &render_state, &id, version))
        .await?;
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{name}\""))
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response())
}
