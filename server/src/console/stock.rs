//! The stock page (`/stock?location=`, issue 21): a place's levels with their limits and flags
//! in words, a van's replenishment proposal sent as a transfer in one click, stock received into
//! a warehouse, the place's movements, its discrepancies with their value, and the parts coming
//! back. Everything it shows comes from the same functions as the API (`api::stock`).

use super::SignedIn;
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fieldwork_model::stock::{Location, LocationKind, Part, kind_name};
use fieldwork_office::stock::{OutstandingReturn, Proposal, ValuedDiscrepancy};

use super::i18n::Words;
use super::{ms_local, office_zone, page, words};
use crate::api::stock::{LevelsAnswer, levels_at, replenishment_at};
use crate::state::AppState;

/// Movements the page lists: the latest of the place's ledger.
const RECENT: usize = 50;
/// The currency parts are priced in (the office's; a catalogue per currency is not needed yet).
const CURRENCY: &str = "CNY";

#[derive(serde::Deserialize, Default)]
pub(super) struct StockQuery {
    location: Option<String>,
}

struct LevelRow {
    sku: String,
    name: String,
    unit: String,
    qty: i64,
    in_transit: i64,
    limits: String,
    flags: Vec<(&'static str, &'static str)>,
    jobs: Vec<String>,
}

struct MovementRow {
    kind: &'static str,
    lines: String,
    job: Option<String>,
    by: String,
    at: String,
    reached: String,
}

struct ProposalRow {
    sku: String,
    name: String,
    serialised: bool,
    p: Proposal,
}

struct ReturnRow {
    r: OutstandingReturn,
    reason: &'static str,
    sent: String,
    serials: String,
}

struct DiscrepancyRow {
    d: ValuedDiscrepancy,
    value: String,
    at: String,
}

#[derive(Template)]
#[template(path = "stock.html")]
struct StockPage {
    w: &'static Words,
    user: String,
    csrf: String,
    live: u8,
    locations: Vec<Location>,
    selected: Option<Location>,
    levels: Vec<LevelRow>,
    parts: Vec<Part>,
    proposals: Vec<ProposalRow>,
    /// The warehouse a replenishment transfer comes from.
    from: Option<String>,
    movements: Vec<MovementRow>,
    discrepancies: Vec<DiscrepancyRow>,
    returns: Vec<ReturnRow>,
}

/// What the page reads, in one storage call.
struct Loaded {
    locations: Vec<Location>,
    parts: Vec<Part>,
    levels: Option<LevelsAnswer>,
    replenishment: Option<crate::api::stock::ReplenishmentAnswer>,
    ledger: Vec<fieldwork_model::stock::LedgerEntry>,
    all: Vec<fieldwork_model::stock::Movement>,
}

pub(super) async fn stock_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    headers: HeaderMap,
    Query(q): Query<StockQuery>,
) -> Response {
    let w = words(&headers);
    let zone = office_zone();
    let wanted = q.location.filter(|l| !l.is_empty());
    let loaded = state
        .blocking(move |s| {
            let locations = s.locations()?;
            // The place asked for, else the first van, else the first place.
            let selected = wanted
                .and_then(|id| locations.iter().find(|l| l.id == id))
                .or_else(|| locations.iter().find(|l| l.kind == LocationKind::Van))
                .or(locations.first())
                .cloned();
            let (levels, replenishment, ledger) = match &selected {
                Some(place) => (
                    Some(levels_at(s, place.id.clone())?),
                    match place.kind {
                        LocationKind::Van => Some(replenishment_at(s, place.id.clone())?),
                        LocationKind::Warehouse => None,
                    },
                    s.movements(Some(&place.id), 0, u32::MAX)?,
                ),
                None => (None, None, Vec::new()),
            };
            Ok(Loaded {
                locations,
                parts: s.parts()?,
                levels,
                replenishment,
                ledger,
                all: crate::api::stock_movements(s)?,
            })
        })
        .await;
    let loaded = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let selected = loaded
        .levels
        .as_ref()
        .and_then(|l| loaded.locations.iter().find(|x| x.id == l.location))
        .cloned();
    let catalogue: BTreeMap<&str, &Part> =
        loaded.parts.iter().map(|p| (p.sku.as_str(), p)).collect();
    let name = |sku: &str| {
        catalogue
            .get(sku)
            .map(|p| {
                if w.lang == "zh-CN" {
                    p.name.zh_cn.clone()
                } else {
                    p.name.en.clone()
                }
            })
            .unwrap_or_default()
    };
    let levels = loaded
        .levels
        .as_ref()
        .map(|answer| {
            answer
                .levels
                .iter()
                .map(|l| LevelRow {
                    sku: l.sku.clone(),
                    name: name(&l.sku),
                    unit: catalogue
                        .get(l.sku.as_str())
                        .map(|p| p.unit.clone())
                        .unwrap_or_default(),
                    qty: l.qty,
                    in_transit: l.in_transit,
                    limits: answer
                        .limits
                        .iter()
                        .find(|x| x.sku == l.sku)
                        .map(|x| format!("{} / {}", x.min, x.max))
                        .unwrap_or_default(),
                    flags: l
                        .flags
                        .iter()
                        .map(|f| (flag_class(f), w.stock(&format!("flag_{f}"))))
                        .collect(),
                    jobs: l.jobs.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let movements = loaded
        .ledger
        .iter()
        .rev()
        .take(RECENT)
        .map(|e| MovementRow {
            kind: w.stock(&format!("kind_{}", kind_name(e.movement.kind))),
            lines: e
                .movement
                .lines
                .iter()
                .map(|l| {
                    let serials = if l.serials.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", l.serials.join(", "))
                    };
                    format!("{} × {}{serials}", l.sku, l.qty)
                })
                .collect::<Vec<_>>()
                .join("; "),
            job: e.movement.job.clone(),
            by: e.movement.by.clone(),
            at: ms_local(Some(e.movement.at), zone, ""),
            reached: ms_local(Some(e.reached_office_at), zone, ""),
        })
        .collect();
    let here = selected.as_ref().map(|l| l.id.clone()).unwrap_or_default();
    let discrepancies = fieldwork_office::stock::valued_discrepancies(
        &loaded
            .ledger
            .iter()
            .map(|e| e.movement.clone())
            .collect::<Vec<_>>(),
        &loaded
            .parts
            .iter()
            .map(|p| (p.sku.clone(), p.clone()))
            .collect(),
    )
    .into_iter()
    .filter(|d| d.discrepancy.location == here)
    .map(|d| DiscrepancyRow {
        value: fieldwork_report::labels::money(CURRENCY, d.value),
        at: ms_local(Some(d.discrepancy.at), zone, ""),
        d,
    })
    .collect();
    let now = chrono::Utc::now().timestamp_millis();
    let returns = fieldwork_office::stock::outstanding_returns(&loaded.all, now)
        .into_iter()
        .filter(|r| r.to == here || r.from == here)
        .map(|r| ReturnRow {
            reason: w.stock(&format!(
                "reason_{}",
                r.reason
                    .and_then(|x| serde_json::to_value(x).ok())
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            )),
            sent: ms_local(Some(r.sent_at), zone, ""),
            serials: r.serials.join(","),
            r,
        })
        .collect();
    let (proposals, from) = match loaded.replenishment {
        Some(answer) => (
            answer
                .proposals
                .into_iter()
                .map(|p| ProposalRow {
                    name: name(&p.sku),
                    serialised: catalogue.get(p.sku.as_str()).is_some_and(|x| x.serialised),
                    sku: p.sku.clone(),
                    p,
                })
                .collect(),
            answer.from,
        ),
        None => (Vec::new(), None),
    };
    page(StockPage {
        w,
        user: session.user,
        csrf: session.csrf,
        live: 1,
        locations: loaded.locations,
        selected,
        levels,
        parts: loaded.parts,
        proposals,
        from,
        movements,
        discrepancies,
        returns,
    })
}

/// The CSS class a flag is drawn with (its words say what it is).
fn flag_class(flag: &str) -> &'static str {
    match flag {
        "below_zero" | "serial_used_twice" => "risk-breached",
        _ => "risk-at_risk",
    }
}
