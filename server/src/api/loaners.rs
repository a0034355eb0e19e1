//! Loaner units on jobs (`/api/v1/loaners`): which are out, with whom, since when.

use axum::extract::State;
use fieldwork_model::time::to_rfc3339;

use super::extract::{Dispatcher, Params};
use super::paging::{OpenParams, Paged};
use crate::Result;
use crate::state::AppState;

/// `GET /api/v1/loaners?technician=&open=true` — loaner units out (or ever) on jobs.
#[utoipa::path(
    get,
    path = "/api/v1/loaners",
    tag = "registers",
    params(OpenParams),
    responses((status = 200, description = "Loaner units out (or ever) on jobs", body = Vec<LoanAnswer>, headers(("X-Next-Offset" = u32, description = "Where the next page begins, when more rows remain"))))
)]
#[tracing::instrument(skip_all)]
pub async fn list_loaners(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<OpenParams>,
) -> Result<Paged<LoanAnswer>> {
    let (limit, offset) = (p.limit, p.offset);
    let rows = state
        .blocking(move |s| Ok(s.loans(p.technician.as_deref(), p.open.unwrap_or(false))?))
        .await?;
    Ok(Paged::cut(
        rows.iter()
            .map(|l| LoanAnswer {
                job: l.job.clone(),
                technician: l.technician.clone(),
                serial: l.serial.clone(),
                model: l.model.clone(),
                issued_by: l.issued_by.clone(),
                issued_at: to_rfc3339(l.issued_at),
                returned_at: l.returned_at.map(to_rfc3339),
            })
            .collect(),
        limit,
        offset,
    ))
}

/// A loaner unit on a job: out while `returned_at` is null.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LoanAnswer {
    pub job: String,
    pub technician: Option<String>,
    pub serial: String,
    pub model: Option<String>,
    pub issued_by: String,
    pub issued_at: String,
    pub returned_at: Option<String>,
}
