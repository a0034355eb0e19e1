//! Installed assets (`/api/v1/assets`, R-01): the register of equipment with its dates and
//! contract, and every job on it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fieldwork_model::JobView;
use fieldwork_model::calendar::{parse_date, parse_tz};
use fieldwork_model::time::to_rfc3339;
use fieldwork_store::{AssetRecord, Storage};

use super::extract::{Body, Dispatcher, PathId};
use super::time::now;
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};

fn check_asset(s: &dyn Storage, a: &AssetRecord) -> Result<()> {
    if a.serial.trim().is_empty() || a.serial.len() > 128 || a.serial.contains('/') {
        return Err(Error::BadRequest(
            "invalid",
            "serial must be 1-128 characters without '/'".into(),
        ));
    }
    for (field, d) in [
        ("installation_date", &a.installation_date),
        ("acceptance_date", &a.acceptance_date),
    ] {
        if let Some(d) = d {
            parse_date(field, d)?;
        }
    }
    if let Some(site) = &a.site {
        parse_tz(&site.time_zone)?;
    }
    if let Some(c) = &a.contract
        && s.contract(c)?.is_none()
    {
        return Err(Error::BadRequest(
            "unknown_contract",
            format!("no contract {c}"),
        ));
    }
    Ok(())
}

/// `POST /api/v1/assets`
#[utoipa::path(
    post,
    path = "/api/v1/assets",
    tag = "registers",
    request_body = AssetRecord,
    responses((status = 201, description = "Registered", body = AssetRecord), (status = 409, description = "An asset with this serial exists", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn create_asset(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(a): Body<AssetRecord>,
) -> Result<(StatusCode, Json<AssetRecord>)> {
    let stored = a.clone();
    state
        .blocking(move |s| {
            check_asset(s, &stored)?;
            Ok(s.add_asset(&stored)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// `GET /api/v1/assets/{serial}`
#[utoipa::path(
    get,
    path = "/api/v1/assets/{serial}",
    tag = "registers",
    params(("serial" = String, Path, description = "The asset's serial number")),
    responses((status = 200, description = "The asset", body = AssetRecord), (status = 404, description = "No such asset", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(id = %serial))]
pub async fn get_asset(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(serial): PathId,
) -> Result<Json<AssetRecord>> {
    let a = state
        .blocking(move |s| {
            s.asset(&serial)?
                .ok_or_else(|| Error::NotFound(format!("no asset {serial}")))
        })
        .await?;
    Ok(Json(a))
}

/// `GET /api/v1/assets/{serial}/history` — every job on the asset, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/assets/{serial}/history",
    tag = "registers",
    params(("serial" = String, Path, description = "The asset's serial number")),
    responses((status = 200, description = "Every job on the asset, oldest first", body = AssetHistory), (status = 404, description = "No such asset", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(id = %serial))]
pub async fn asset_history(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(serial): PathId,
) -> Result<Json<AssetHistory>> {
    let body = state
        .blocking(move |s| {
            let asset = s.asset(&serial)?;
            let history = s.asset_history(&serial, None)?;
            if asset.is_none() && history.is_empty() {
                return Err(Error::NotFound(format!("no asset {serial}")));
            }
            let now = now();
            let jobs = history
                .iter()
                .map(|data| HistoryJob::of(data, now))
                .collect::<Result<_>>()?;
            Ok(AssetHistory {
                serial,
                asset,
                jobs,
            })
        })
        .await?;
    Ok(Json(body))
}

/// `GET /api/v1/assets/{serial}/history`: the register entry and every job on the asset.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AssetHistory {
    pub serial: String,
    pub asset: Option<AssetRecord>,
    pub jobs: Vec<HistoryJob>,
}

/// One job in an asset's history: what was wrong, what was done, with which parts.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HistoryJob {
    pub job: String,
    pub kind: fieldwork_model::JobKind,
    pub status: fieldwork_model::Status,
    pub technician: Option<String>,
    pub reported_at: String,
    pub completed_at: Option<String>,
    pub problem: String,
    pub cause: Option<fieldwork_model::job::Cause>,
    pub fault_code: Option<String>,
    pub action: Option<String>,
    pub parts: Vec<HistoryPartLine>,
    pub warranty: Option<fieldwork_model::warranty::WarrantyView>,
    pub charges_total: Option<i64>,
    pub checklist: Vec<fieldwork_model::view::CheckView>,
}

/// A part fitted on an earlier job (removed lines are left out).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HistoryPartLine {
    pub sku: String,
    pub description: String,
    pub qty: u32,
    pub serial_in: Option<String>,
    pub serial_out: Option<String>,
}

impl HistoryJob {
    fn of(data: &fieldwork_model::JobData, now: i64) -> Result<HistoryJob> {
        let entry = fieldwork_office::terms::history_entry(data);
        let view = JobView::from_data(data, now)?;
        Ok(HistoryJob {
            job: entry.job,
            kind: view.kind,
            status: entry.status,
            technician: view.technician,
            reported_at: to_rfc3339(entry.reported_at),
            completed_at: entry.completed_at.map(to_rfc3339),
            problem: view.problem,
            cause: entry.cause,
            fault_code: entry.fault_code,
            action: entry.action,
            parts: view
                .parts
                .into_iter()
                .filter(|p| !p.removed)
                .map(|p| HistoryPartLine {
                    sku: p.sku,
                    description: p.description,
                    qty: p.qty,
                    serial_in: p.serial_in,
                    serial_out: p.serial_out,
                })
                .collect(),
            warranty: view.warranty,
            charges_total: view.charges.as_ref().map(|c| c.total),
            checklist: view.checklist,
        })
    }
}
