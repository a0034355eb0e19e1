//! Technicians (`POST /api/v1/technicians`): who jobs are assigned to and devices enroll for.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fieldwork_store::Technician;

use super::extract::{Body, Dispatcher};
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};

/// `POST /api/v1/technicians`
#[utoipa::path(
    post,
    path = "/api/v1/technicians",
    tag = "registers",
    request_body = Technician,
    responses((status = 201, description = "Registered", body = Technician), (status = 409, description = "A technician with this id exists", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn create_technician(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(t): Body<Technician>,
) -> Result<(StatusCode, Json<Technician>)> {
    fieldwork_model::validate_id("technician", &t.id)?;
    if t.name.trim().is_empty() {
        return Err(Error::BadRequest(
            "invalid",
            "name must not be empty".into(),
        ));
    }
    let stored = t.clone();
    state
        .blocking(move |s| Ok(s.add_technician(&stored)?))
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}
