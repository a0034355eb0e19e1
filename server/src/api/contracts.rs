//! Contracts (`/api/v1/contracts`): the service terms jobs fall under (SLA clocks, warranty,
//! charges), registered by dispatch and copied into each job so the phone computes them offline.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fieldwork_model::Contract;

use super::extract::{Body, Dispatcher, PathId};
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};

/// `POST /api/v1/contracts`
#[utoipa::path(
    post,
    path = "/api/v1/contracts",
    tag = "registers",
    request_body = Contract,
    responses((status = 201, description = "Registered", body = Contract), (status = 409, description = "A contract with this id exists", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn create_contract(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(c): Body<Contract>,
) -> Result<(StatusCode, Json<Contract>)> {
    c.validate()?;
    let stored = c.clone();
    state
        .blocking(move |s| Ok(s.add_contract(&stored)?))
        .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// `GET /api/v1/contracts/{id}`
#[utoipa::path(
    get,
    path = "/api/v1/contracts/{id}",
    tag = "registers",
    params(("id" = String, Path, description = "The contract's id")),
    responses((status = 200, description = "The contract", body = Contract), (status = 404, description = "No such contract", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn get_contract(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(id): PathId,
) -> Result<Json<Contract>> {
    let c = state
        .blocking(move |s| {
            s.contract(&id)?
                .ok_or_else(|| Error::NotFound(format!("no contract {id}")))
        })
        .await?;
    Ok(Json(c))
}
