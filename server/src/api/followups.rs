//! Follow-up calls (R-07): the callback's outcome on a completed job, and the list of calls due.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fieldwork_model::Status;
use fieldwork_model::time::to_rfc3339;
use fieldwork_store::Followup;
use serde::Deserialize;

use super::extract::{Body, Dispatcher, JobId, Params};
use super::paging::{OpenParams, Paged};
use super::time::now;
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowupBody {
    /// Whether the call reached the customer (default: it did). An unreached call is recorded
    /// with its comment and the follow-up stays due.
    #[serde(default = "reached_by_default")]
    reached: bool,
    /// Required when reached.
    #[serde(default)]
    satisfaction: Option<String>,
    #[serde(default)]
    score: Option<u8>,
    #[serde(default)]
    comment: String,
}

fn reached_by_default() -> bool {
    true
}

/// A recorded follow-up call.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FollowupAnswer {
    /// The call reached the customer (else it is an attempt: the follow-up is still due).
    pub reached: bool,
    pub satisfaction: String,
    pub score: u8,
    pub comment: String,
    pub recorded_at: String,
}

/// A completed job's follow-up call: when it is due, whether it is overdue, what was said.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FollowupRowAnswer {
    pub job: String,
    pub technician: Option<String>,
    pub completed_at: String,
    pub due_by: String,
    pub overdue: bool,
    pub followup: Option<FollowupAnswer>,
}

fn followup_json(f: &Followup) -> FollowupAnswer {
    FollowupAnswer {
        reached: fieldwork_office::complaints::reached(&f.satisfaction),
        satisfaction: f.satisfaction.clone(),
        score: f.score,
        comment: f.comment.clone(),
        recorded_at: to_rfc3339(f.recorded_at),
    }
}

/// `POST /api/v1/jobs/{id}/followup` — the callback's outcome for a completed job.
#[utoipa::path(
    post,
    path = "/api/v1/jobs/{id}/followup",
    tag = "service",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`")), request_body = FollowupBody,
    responses((status = 201, description = "The call recorded", body = FollowupAnswer), (status = 404, description = "No such job", body = ErrorBody), (status = 409, description = "The job is not completed, or its call is recorded", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(job = %id))]
pub async fn record_followup(
    State(state): State<AppState>,
    _: Dispatcher,
    JobId(id): JobId,
    Body(b): Body<FollowupBody>,
) -> Result<(StatusCode, Json<FollowupAnswer>)> {
    let (satisfaction, score) = if b.reached {
        let satisfaction = b.satisfaction.unwrap_or_default();
        if !fieldwork_office::complaints::SATISFACTION.contains(&satisfaction.as_str()) {
            return Err(Error::BadRequest(
                "invalid",
                format!(
                    "satisfaction must be satisfied, neutral or dissatisfied, got {satisfaction:?}"
                ),
            ));
        }
        let score = b.score.unwrap_or(0);
        if !fieldwork_office::complaints::SCORES.contains(&score) {
            return Err(Error::BadRequest("invalid", "score must be 1 to 5".into()));
        }
        (satisfaction, score)
    } else {
        // Nobody answered: no satisfaction or score to record, only the attempt.
        if b.satisfaction.is_some() || b.score.is_some() {
            return Err(Error::BadRequest(
                "invalid",
                "a call that did not reach the customer has no satisfaction or score".into(),
            ));
        }
        (fieldwork_office::complaints::NOT_REACHED.to_string(), 0)
    };
    if b.comment.len() > fieldwork_model::document::MAX_TEXT {
        return Err(Error::BadRequest("invalid", "comment is too long".into()));
    }
    let f = Followup {
        satisfaction,
        score,
        comment: b.comment,
        recorded_at: now(),
    };
    let stored = f.clone();
    state
        .blocking(move |s| {
            let doc = s.document(&id)?;
            if doc.derived()?.status != Status::Completed {
                return Err(Error::Conflict(format!(
                    "job {id} is not completed; follow-ups are for completed jobs"
                )));
            }
            // An unanswered attempt never replaces what the customer said.
            if !fieldwork_office::complaints::reached(&stored.satisfaction) {
                let said = s.followups(false)?.into_iter().any(|r| {
                    r.job == id
                        && r.record
                            .is_some_and(|f| fieldwork_office::complaints::reached(&f.satisfaction))
                });
                if said {
                    return Err(Error::Conflict(format!(
                        "job {id}'s customer was reached already"
                    )));
                }
            }
            Ok(s.record_followup(&id, &stored)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(followup_json(&f))))
}

/// `GET /api/v1/followups?open=true` — completed jobs' callbacks, by due time.
#[utoipa::path(
    get,
    path = "/api/v1/followups",
    tag = "service",
    params(OpenParams),
    responses((status = 200, description = "Follow-up calls, by due time", body = Vec<FollowupRowAnswer>, headers(("X-Next-Offset" = u32, description = "Where the next page begins, when more rows remain"))))
)]
#[tracing::instrument(skip_all)]
pub async fn list_followups(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<OpenParams>,
) -> Result<Paged<FollowupRowAnswer>> {
    let (limit, offset) = (p.limit, p.offset);
    let rows = state
        .blocking(move |s| Ok(s.followups(p.open.unwrap_or(false))?))
        .await?;
    let now = now();
    Ok(Paged::cut(
        rows.iter()
            .map(|r| FollowupRowAnswer {
                job: r.job.clone(),
                technician: r.technician.clone(),
                completed_at: to_rfc3339(r.completed_at),
                due_by: to_rfc3339(r.due_at),
                overdue: r
                    .record
                    .as_ref()
                    .is_none_or(|f| !fieldwork_office::complaints::reached(&f.satisfaction))
                    && now > r.due_at,
                followup: r.record.as_ref().map(followup_json),
            })
            .collect(),
        limit,
        offset,
    ))
}
