//! Signed reports (`/api/v1/jobs/{id}/reports`): each job's sealed versions with their
//! canonical bytes and PDF.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use fieldwork_model::report::{self, ReportSummary};

use super::extract::{Dispatcher, JobId};
use super::jobs::load;
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};
use fieldwork_store::Storage;

/// `GET /api/v1/jobs/{id}/reports` — every sealed version, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}/reports",
    tag = "reports",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`")),
    responses((status = 200, description = "Every sealed version, oldest first", body = Vec<ReportSummary>), (status = 404, description = "No such job", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(job = %id))]
pub async fn list_reports(
    State(state): State<AppState>,
    _: Dispatcher,
    JobId(id): JobId,
) -> Result<Json<Vec<ReportSummary>>> {
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
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}/reports/{version}",
    tag = "reports",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`"), ("version" = u32, Path, minimum = 1, description = "The report version, from 1")),
    responses((status = 200, description = "The canonical bytes exactly as sealed (JSON, RFC 8785), with the signatures", content_type = "application/json", body = Object), (status = 404, description = "No such job or version", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn get_report(
    State(state): State<AppState>,
    _: Dispatcher,
    params: std::result::Result<Path<(String, String)>, PathRejection>,
) -> Result<Response> {
    let (id, version) = report_path(params)?;
    let bytes = state
        .blocking(move |s| sealed_bytes(s, &id, version))
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// `GET /api/v1/jobs/{id}/reports/{version}/pdf` — the PDF, byte-identical to the phone's.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}/reports/{version}/pdf",
    tag = "reports",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`"), ("version" = u32, Path, minimum = 1, description = "The report version, from 1")),
    responses((status = 200, description = "The PDF, byte-identical to the phone's", content_type = "application/pdf", body = Vec<u8>), (status = 404, description = "No such job or version", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn get_report_pdf(
    State(state): State<AppState>,
    _: Dispatcher,
    params: std::result::Result<Path<(String, String)>, PathRejection>,
) -> Result<Response> {
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
