//! Installed assets (`/api/v1/assets`, R-01): the register of equipment with its dates and
//! contract, and every job on it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fieldwork_model::JobView;
use fieldwork_model::calendar::{parse_date, parse_tz};
use fieldwork_model::time::to_rfc3339;
use fieldwork_store::{AssetRecord, Storage};
use serde_json::{Value, json};

use super::extract::{Body, Dispatcher, PathId};
use super::time::now;
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
pub async fn asset_history(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(serial): PathId,
) -> Result<Json<Value>> {
    let body = state
        .blocking(move |s| {
            let asset = s.asset(&serial)?;
            let history = s.asset_history(&serial, None)?;
            if asset.is_none() && history.is_empty() {
                return Err(Error::NotFound(format!("no asset {serial}")));
            }
            let now = now();
            let mut jobs = Vec::new();
            for data in history {
                let entry = fieldwork_office::terms::history_entry(&data);
                let view = JobView::from_data(&data, now)?;
                jobs.push(json!({
                    "job": entry.job,
                    "kind": view.kind,
                    "status": entry.status,
                    "technician": view.technician,
                    "reported_at": to_rfc3339(entry.reported_at),
                    "completed_at": entry.completed_at.map(to_rfc3339),
                    "problem": view.problem,
                    "cause": entry.cause,
                    "fault_code": entry.fault_code,
                    "action": entry.action,
                    "parts": view.parts.iter().filter(|p| !p.removed).map(|p| json!({
                        "sku": p.sku, "description": p.description, "qty": p.qty,
                        "serial_in": p.serial_in, "serial_out": p.serial_out,
                    })).collect::<Vec<_>>(),
                    "warranty": view.warranty,
                    "charges_total": view.charges.as_ref().map(|c| c.total),
                    "checklist": view.checklist,
                }));
            }
            Ok(json!({"serial": serial, "asset": asset, "jobs": jobs}))
        })
        .await?;
    Ok(Json(body))
}
