//! Loaner units on jobs (`/api/v1/loaners`): which are out, with whom, since when.

use axum::extract::State;
use fieldwork_model::time::to_rfc3339;
use serde_json::{Value, json};

use super::extract::{Dispatcher, Params};
use super::paging::{OpenParams, Paged};
use crate::Result;
use crate::state::AppState;

/// `GET /api/v1/loaners?technician=&open=true` — loaner units out (or ever) on jobs.
pub async fn list_loaners(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<OpenParams>,
) -> Result<Paged<Value>> {
    let (limit, offset) = (p.limit, p.offset);
    let rows = state
        .blocking(move |s| Ok(s.loans(p.technician.as_deref(), p.open.unwrap_or(false))?))
        .await?;
    Ok(Paged::cut(
        rows.iter()
            .map(|l| {
                json!({
                    "job": l.job,
                    "technician": l.technician,
                    "serial": l.serial,
                    "model": l.model,
                    "issued_by": l.issued_by,
                    "issued_at": to_rfc3339(l.issued_at),
                    "returned_at": l.returned_at.map(to_rfc3339),
                })
            })
            .collect(),
        limit,
        offset,
    ))
}
