//! Spare parts (`/api/v1/parts`, `/api/v1/locations`, `/api/v1/stock/...`; ADR 0015): the
//! catalogue, the places stock is kept, the movements dispatch records (receipts, transfers to
//! vans, adjustments, returns received) and the levels folded from the ledger. The phones'
//! movements (consumption, receipt of a transfer, returns, counts) arrive through the sync.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fieldwork_model::DISPATCH_ACTOR;
use fieldwork_model::stock::{
    Level, Location, LocationKind, Movement, MovementKind, Part, ReturnReason, StockLine, levels,
};
use fieldwork_office::stock::{
    OutstandingReturn, Proposal, StockLimit, ValuedDiscrepancy, outstanding_returns, replenishment,
    valued_discrepancies,
};
use fieldwork_store::{Storage, StoredMovement};
use serde::{Deserialize, Serialize};

use super::extract::{Body, Dispatcher, Params};
use super::time::now;
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};

/// Most movements one `GET /api/v1/stock/movements` answers.
const PAGE: u32 = 1000;

/// `POST /api/v1/parts`
#[utoipa::path(
    post,
    path = "/api/v1/parts",
    tag = "stock",
    request_body(content = Part, example = json!({"sku": "FLT-20", "name": {"zh-CN": "过滤器", "en": "Filter"}, "unit": "pcs", "unit_price": 4500, "serialised": false})),
    responses((status = 201, description = "Added to the catalogue", body = Part), (status = 409, description = "A part with this SKU exists", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn create_part(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(p): Body<Part>,
) -> Result<(StatusCode, Json<Part>)> {
    p.check()?;
    let stored = p.clone();
    state.blocking(move |s| Ok(s.add_part(&stored)?)).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// `GET /api/v1/parts`
#[utoipa::path(
    get,
    path = "/api/v1/parts",
    tag = "stock",
    responses((status = 200, description = "The catalogue", body = Vec<Part>))
)]
#[tracing::instrument(skip_all)]
pub async fn list_parts(State(state): State<AppState>, _: Dispatcher) -> Result<Json<Vec<Part>>> {
    Ok(Json(state.blocking(|s| Ok(s.parts()?)).await?))
}

/// `POST /api/v1/locations`: a warehouse, or a van with its crew (registered technicians).
#[utoipa::path(
    post,
    path = "/api/v1/locations",
    tag = "stock",
    request_body(content = Location, example = json!({"id": "VAN-T-001", "kind": "van", "technicians": ["T-001"], "region": "east"})),
    responses((status = 201, description = "Added", body = Location), (status = 409, description = "A location with this id exists", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn create_location(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(l): Body<Location>,
) -> Result<(StatusCode, Json<Location>)> {
    l.check()?;
    let stored = l.clone();
    state
        .blocking(move |s| {
            for t in &stored.technicians {
                if !s.technician_exists(t)? {
                    return Err(Error::BadRequest(
                        "unknown_technician",
                        format!("no technician {t}"),
                    ));
                }
            }
            Ok(s.add_location(&stored)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(l)))
}

/// `GET /api/v1/locations`
#[utoipa::path(
    get,
    path = "/api/v1/locations",
    tag = "stock",
    responses((status = 200, description = "Warehouses and vans", body = Vec<Location>))
)]
#[tracing::instrument(skip_all)]
pub async fn list_locations(
    State(state): State<AppState>,
    _: Dispatcher,
) -> Result<Json<Vec<Location>>> {
    Ok(Json(state.blocking(|s| Ok(s.locations()?)).await?))
}

/// A movement as dispatch posts it: who and when are the office's.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMovement {
    /// Optional: a script may name its movements to make a retry safe.
    id: Option<String>,
    kind: MovementKind,
    from: Option<String>,
    to: Option<String>,
    lines: Vec<StockLine>,
    /// The return a `return_received` answers.
    answers: Option<String>,
    reason: Option<ReturnReason>,
}

/// `POST /api/v1/stock/movements`: a receipt into a warehouse, a transfer from a warehouse to a
/// van of its region (in transit until the van counts it in), an adjustment, or a return
/// received. Answers the movement as recorded (`id`, `seq`, `reached_office_at`...).
#[utoipa::path(
    post,
    path = "/api/v1/stock/movements",
    tag = "stock",
    request_body(content = NewMovement, example = json!({"kind": "transfer", "from": "WH-EAST", "to": "VAN-T-001", "lines": [{"sku": "FLT-20", "qty": 4, "serials": []}]})),
    responses((status = 201, description = "Recorded in the ledger", body = StoredMovement), (status = 404, description = "No such part or location", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn create_movement(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(new): Body<NewMovement>,
) -> Result<(StatusCode, Json<StoredMovement>)> {
    let at = now();
    let m = Movement {
        id: new.id.unwrap_or_else(fieldwork_model::new_entry_id),
        kind: new.kind,
        from: new.from,
        to: new.to,
        lines: new.lines,
        job: None,
        part_line: None,
        answers: new.answers,
        reason: new.reason,
        by: DISPATCH_ACTOR.into(),
        at,
    };
    let stored = state
        .blocking(move |s| {
            let (parts, places) = catalogue(s)?;
            fieldwork_office::stock::check_office_movement(&m, &parts, &places)?;
            if let Some(r) = &m.answers {
                let answered = s.movement(r)?.is_some_and(|x| {
                    x.movement.kind == MovementKind::Return && x.movement.to == m.to
                });
                if !answered {
                    return Err(Error::BadRequest(
                        "invalid",
                        format!("no return {r} on its way to {}", m.to.unwrap_or_default()),
                    ));
                }
            }
            let mut stored = s.record_movements(&[m], at)?;
            stored
                .pop()
                .ok_or_else(|| Error::Internal("no movement recorded".into()))
        })
        .await?;
    tracing::info!(movement = %stored.movement.id, seq = stored.seq, "stock movement recorded");
    Ok((StatusCode::CREATED, Json(stored)))
}

/// The catalogue and the places, by key.
pub(crate) fn catalogue(
    s: &dyn Storage,
) -> Result<(BTreeMap<String, Part>, BTreeMap<String, Location>)> {
    let parts = s.parts()?.into_iter().map(|p| (p.sku.clone(), p)).collect();
    let places = s
        .locations()?
        .into_iter()
        .map(|l| (l.id.clone(), l))
        .collect();
    Ok((parts, places))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LocationParams {
    location: Option<String>,
    after: Option<u64>,
    limit: Option<u32>,
}

/// A place's levels, as the phone's `fieldwork stock --json` prints them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LevelsAnswer {
    pub location: String,
    pub kind: LocationKind,
    pub levels: Vec<Level>,
    /// The place's minimum and maximum per part, where dispatch set them.
    pub limits: Vec<StockLimit>,
}

/// `GET /api/v1/stock/levels?location=ID`: every part the place's ledger names, on hand and in
/// transit, with its flags (below zero, a serial used twice) and the jobs behind them.
#[utoipa::path(
    get,
    path = "/api/v1/stock/levels",
    tag = "stock",
    params(LocationParams),
    responses((status = 200, description = "Levels derived from the ledger", body = LevelsAnswer), (status = 404, description = "No such location", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn stock_levels(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<LocationParams>,
) -> Result<Json<LevelsAnswer>> {
    let location = required_location(p.location)?;
    let answer = state.blocking(move |s| levels_at(s, location)).await?;
    Ok(Json(answer))
}

/// A place's levels as the API and the console show them: folded from its ledger, every part
/// it has limits for (at zero if it never moved), `low` where at or under its minimum.
pub(crate) fn levels_at(s: &dyn Storage, location: String) -> Result<LevelsAnswer> {
    let place = s
        .locations()?
        .into_iter()
        .find(|l| l.id == location)
        .ok_or_else(|| Error::NotFound(format!("no stock location {location}")))?;
    let ledger = s.movements(Some(&location), 0, u32::MAX)?;
    let limits = s.stock_limits(Some(&location))?;
    let mut levels = levels(&location, ledger.iter().map(|m| &m.movement));
    // A part with limits but no movement yet is at zero, and shows.
    for l in &limits {
        if !levels.iter().any(|x| x.sku == l.sku) {
            levels.push(Level {
                sku: l.sku.clone(),
                ..Level::default()
            });
        }
    }
    levels.sort_by(|a, b| a.sku.cmp(&b.sku));
    // Low: at or under its minimum, counting what is on its way (replenishment's rule).
    for level in &mut levels {
        if limits
            .iter()
            .any(|l| l.sku == level.sku && level.qty + level.in_transit <= l.min)
        {
            level.flags.push("low".into());
        }
    }
    Ok(LevelsAnswer {
        levels,
        limits,
        kind: place.kind,
        location,
    })
}

/// `GET /api/v1/stock/movements?location=&after=&limit=`: the ledger (of one place, or all) in
/// the order it reached the office, after the sequence number `after`.
#[utoipa::path(
    get,
    path = "/api/v1/stock/movements",
    tag = "stock",
    params(LocationParams),
    responses((status = 200, description = "The ledger, in the order the office recorded it", body = Vec<StoredMovement>))
)]
#[tracing::instrument(skip_all)]
pub async fn list_movements(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<LocationParams>,
) -> Result<Json<Vec<StoredMovement>>> {
    let limit = p.limit.unwrap_or(PAGE).clamp(1, PAGE);
    let location = p.location.filter(|l| !l.is_empty());
    let after = p.after.unwrap_or(0);
    Ok(Json(
        state
            .blocking(move |s| Ok(s.movements(location.as_deref(), after, limit)?))
            .await?,
    ))
}

/// `POST /api/v1/stock/limits` `{"location","sku","min","max"}`: sets (or replaces) what a
/// place should hold of a part.
#[utoipa::path(
    post,
    path = "/api/v1/stock/limits",
    tag = "stock",
    request_body = StockLimit,
    responses((status = 200, description = "The limit as set", body = StockLimit), (status = 404, description = "No such part or location", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn set_limit(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(limit): Body<StockLimit>,
) -> Result<Json<StockLimit>> {
    limit.check()?;
    let stored = limit.clone();
    state
        .blocking(move |s| {
            let (parts, places) = catalogue(s)?;
            if !places.contains_key(&stored.location) {
                return Err(Error::BadRequest(
                    "invalid",
                    format!("no stock location {}", stored.location),
                ));
            }
            if !parts.contains_key(&stored.sku) {
                return Err(Error::BadRequest(
                    "invalid",
                    format!("no part {} in the catalogue", stored.sku),
                ));
            }
            Ok(s.set_stock_limit(&stored)?)
        })
        .await?;
    Ok(Json(limit))
}

/// A van's replenishment proposal.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReplenishmentAnswer {
    pub location: String,
    /// The warehouse of the van's region a transfer would come from (the first by id).
    pub from: Option<String>,
    pub proposals: Vec<Proposal>,
}

/// `GET /api/v1/stock/replenishment?location=VAN`: what to send the van, from its limits and
/// its last month's use (`fieldwork_office::stock::replenishment`).
#[utoipa::path(
    get,
    path = "/api/v1/stock/replenishment",
    tag = "stock",
    params(LocationParams),
    responses((status = 200, description = "What to send the van", body = ReplenishmentAnswer), (status = 404, description = "No such location", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn replenishment_of(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<LocationParams>,
) -> Result<Json<ReplenishmentAnswer>> {
    let location = required_location(p.location)?;
    let answer = state
        .blocking(move |s| replenishment_at(s, location))
        .await?;
    Ok(Json(answer))
}

/// A van's replenishment proposal (the API's and the console's).
pub(crate) fn replenishment_at(s: &dyn Storage, location: String) -> Result<ReplenishmentAnswer> {
    let (_, places) = catalogue(s)?;
    let van = places
        .get(&location)
        .filter(|l| l.kind == LocationKind::Van)
        .ok_or_else(|| Error::NotFound(format!("no van {location}")))?;
    let from = places
        .values()
        .find(|l| l.kind == LocationKind::Warehouse && l.region == van.region)
        .map(|l| l.id.clone());
    let ledger: Vec<Movement> = s
        .movements(Some(&location), 0, u32::MAX)?
        .into_iter()
        .map(|m| m.movement)
        .collect();
    let proposals = replenishment(
        &location,
        &levels(&location, &ledger),
        &s.stock_limits(Some(&location))?,
        &ledger,
        now(),
    );
    Ok(ReplenishmentAnswer {
        location,
        from,
        proposals,
    })
}

/// `GET /api/v1/stock/returns`: parts sent back and not yet received, oldest first, each saying
/// whether it is overdue (`fieldwork_office::stock::RETURN_DAYS`).
#[utoipa::path(
    get,
    path = "/api/v1/stock/returns",
    tag = "stock",
    responses((status = 200, description = "Parts sent back and not yet received, oldest first", body = Vec<OutstandingReturn>))
)]
#[tracing::instrument(skip_all)]
pub async fn returns(
    State(state): State<AppState>,
    _: Dispatcher,
) -> Result<Json<Vec<OutstandingReturn>>> {
    let out = state
        .blocking(|s| Ok(outstanding_returns(&all_movements(s)?, now())))
        .await?;
    Ok(Json(out))
}

/// `GET /api/v1/stock/discrepancies[?location=]`: counts and deliveries that disagreed with the
/// books, newest first, each with its value.
#[utoipa::path(
    get,
    path = "/api/v1/stock/discrepancies",
    tag = "stock",
    params(LocationParams),
    responses((status = 200, description = "Counts and deliveries that disagreed, with their value", body = Vec<ValuedDiscrepancy>), (status = 404, description = "No such location", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn discrepancies_of(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<LocationParams>,
) -> Result<Json<Vec<ValuedDiscrepancy>>> {
    let location = p.location.filter(|l| !l.is_empty());
    let out = state
        .blocking(move |s| {
            let (parts, _) = catalogue(s)?;
            let entries: Vec<Movement> = s
                .movements(location.as_deref(), 0, u32::MAX)?
                .into_iter()
                .map(|m| m.movement)
                .collect();
            Ok(valued_discrepancies(&entries, &parts))
        })
        .await?;
    Ok(Json(out))
}

/// Every movement of the ledger.
pub(crate) fn all_movements(s: &dyn Storage) -> Result<Vec<Movement>> {
    Ok(s.movements(None, 0, u32::MAX)?
        .into_iter()
        .map(|m| m.movement)
        .collect())
}

fn required_location(location: Option<String>) -> Result<String> {
    location.filter(|l| !l.is_empty()).ok_or_else(|| {
        Error::BadRequest(
            "bad_query",
            "location is required (a stock location's id)".into(),
        )
    })
}
