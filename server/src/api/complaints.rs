//! Complaints (R-08): received against a job, due for a written answer within 2 working days,
//! escalated level by level (`fieldwork_office::complaints`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fieldwork_model::time::to_rfc3339;
use fieldwork_store::Complaint;
use serde::Deserialize;

use super::extract::{Body, Dispatcher, JobId, Params, PathId};
use super::paging::{OpenParams, Paged};
use super::time::now;
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};

/// A complaint as the API answers it: its times in RFC 3339, and whether it was answered in
/// time or is overdue as of the request.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ComplaintAnswer {
    pub id: String,
    pub job: String,
    pub text: String,
    pub received_at: String,
    pub due_by: String,
    pub level: String,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    pub answered_in_time: Option<bool>,
    pub overdue: bool,
}

fn complaint_json(c: &Complaint, now: i64) -> ComplaintAnswer {
    ComplaintAnswer {
        id: c.id.clone(),
        job: c.job.clone(),
        text: c.text.clone(),
        received_at: to_rfc3339(c.received_at),
        due_by: to_rfc3339(c.due_at),
        level: c.level.clone(),
        answer: c.answer.clone(),
        answered_at: c.answered_at.map(to_rfc3339),
        answered_in_time: c.answered_at.map(|t| t <= c.due_at),
        overdue: c.answered_at.is_none() && now > c.due_at,
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextBody {
    #[schema(min_length = 1, max_length = 16384)]
    text: String,
}

fn check_text(text: &str) -> Result<()> {
    if text.trim().is_empty() || text.len() > fieldwork_model::document::MAX_TEXT {
        return Err(Error::BadRequest(
            "invalid",
            "text must be 1 to 16384 bytes".into(),
        ));
    }
    Ok(())
}

/// `POST /api/v1/jobs/{id}/complaints` — due for a written answer within 2 working days.
#[utoipa::path(
    post,
    path = "/api/v1/jobs/{id}/complaints",
    tag = "service",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`")), request_body = TextBody,
    responses((status = 201, description = "The complaint opened", body = ComplaintAnswer), (status = 404, description = "No such job", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn create_complaint(
    State(state): State<AppState>,
    _: Dispatcher,
    JobId(job): JobId,
    Body(b): Body<TextBody>,
) -> Result<(StatusCode, Json<ComplaintAnswer>)> {
    check_text(&b.text)?;
    let received_at = now();
    let c = state
        .blocking(move |s| {
            let data = s.document(&job)?.data()?;
            let calendar = data.contract.as_ref().map(|c| &c.sla.calendar);
            let due_at =
                fieldwork_model::sla::complaint_due(calendar, &data.site.time_zone, received_at)?;
            let c = Complaint {
                id: format!("C-{:08X}", rand::random::<u32>()),
                job,
                text: b.text,
                received_at,
                due_at,
                level: fieldwork_office::complaints::FIRST_LEVEL.into(),
                answer: None,
                answered_at: None,
            };
            s.add_complaint(&c)?;
            Ok(c)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(complaint_json(&c, received_at))))
}

/// `GET /api/v1/complaints?job=&open=`
#[utoipa::path(
    get,
    path = "/api/v1/complaints",
    tag = "service",
    params(OpenParams),
    responses((status = 200, description = "Complaints", body = Vec<ComplaintAnswer>, headers(("X-Next-Offset" = u32, description = "Where the next page begins, when more rows remain"))))
)]
#[tracing::instrument(skip_all)]
pub async fn list_complaints(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<OpenParams>,
) -> Result<Paged<ComplaintAnswer>> {
    let open_only = p.open.unwrap_or(false);
    let (limit, offset) = (p.limit, p.offset);
    let list = state
        .blocking(move |s| Ok(s.complaints(p.job.as_deref())?))
        .await?;
    let now = now();
    Ok(Paged::cut(
        list.iter()
            .filter(|c| !open_only || c.answered_at.is_none())
            .map(|c| complaint_json(c, now))
            .collect(),
        limit,
        offset,
    ))
}

async fn edit_complaint(
    state: &AppState,
    id: String,
    mut edit: impl FnMut(&mut Complaint) -> Result<()> + Send + 'static,
) -> Result<Json<ComplaintAnswer>> {
    let c = state
        .blocking(move |s| {
            s.update_complaint(&id, &mut |c| Ok(edit(c)?))?
                .ok_or_else(|| Error::NotFound(format!("no complaint {id}")))
        })
        .await?;
    Ok(Json(complaint_json(&c, now())))
}

/// `POST /api/v1/complaints/{id}/answer` `{"text"}` — the written answer.
#[utoipa::path(
    post,
    path = "/api/v1/complaints/{id}/answer",
    tag = "service",
    params(("id" = String, Path, description = "The complaint's id")), request_body = TextBody,
    responses((status = 200, description = "The answered complaint", body = ComplaintAnswer), (status = 404, description = "No such complaint", body = ErrorBody), (status = 409, description = "Already answered", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn answer_complaint(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(id): PathId,
    Body(b): Body<TextBody>,
) -> Result<Json<ComplaintAnswer>> {
    check_text(&b.text)?;
    let at = now();
    edit_complaint(&state, id, move |c| {
        if c.answered_at.is_some() {
            return Err(Error::Conflict(format!("complaint {} is answered", c.id)));
        }
        c.answer = Some(b.text.clone());
        c.answered_at = Some(at);
        Ok(())
    })
    .await
}

/// `POST /api/v1/complaints/{id}/escalate` — engineer, then senior engineer, then manager.
#[utoipa::path(
    post,
    path = "/api/v1/complaints/{id}/escalate",
    tag = "service",
    params(("id" = String, Path, description = "The complaint's id")),
    responses((status = 200, description = "The complaint one level up", body = ComplaintAnswer), (status = 404, description = "No such complaint", body = ErrorBody), (status = 409, description = "Answered, or at the top level", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn escalate_complaint(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(id): PathId,
) -> Result<Json<ComplaintAnswer>> {
    edit_complaint(&state, id, |c| {
        let next = fieldwork_office::complaints::next_level(&c.level).ok_or_else(|| {
            Error::Conflict(format!("complaint {} is already with a manager", c.id))
        })?;
        c.level = next.into();
        Ok(())
    })
    .await
}
