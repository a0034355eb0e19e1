//! The board (`/board`): the chosen day's jobs in one lane per status, with each job's next SLA
//! deadline in the office's zone and when each technician's phone last synced.

use super::SignedIn;
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fieldwork_model::sla::MilestoneState;
use fieldwork_store::Technician;

use super::i18n::Words;
use super::{local_time, ms_local, office_today, office_zone, page, query_date, words};
use crate::state::AppState;

#[derive(serde::Deserialize, Default)]
pub(super) struct BoardQuery {
    day: Option<String>,
    status: Option<String>,
    region: Option<String>,
    technician: Option<String>,
    /// `risk`: only jobs whose next milestone is at risk or breached, breached first.
    risk: Option<String>,
}

struct Deadline {
    milestone: &'static str,
    at: String,
    /// The deadline (epoch ms), to sort by.
    sort_key: i64,
    /// `breached`, `at_risk` or `pending` (a CSS class).
    risk: &'static str,
}

struct BoardJob {
    id: String,
    customer: String,
    site: String,
    status: &'static str,
    priority: &'static str,
    deadline: Option<Deadline>,
}

struct Lane {
    id: String,
    title: String,
    region: String,
    is_technician: bool,
    last_sync: String,
    jobs: Vec<BoardJob>,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    w: &'static Words,
    user: String,
    csrf: String,
    live: u8,
    day: String,
    statuses: &'static [&'static str],
    regions: Vec<String>,
    technicians: Vec<Technician>,
    filter_status: String,
    filter_region: String,
    filter_technician: String,
    at_risk_only: bool,
    lanes: Vec<Lane>,
}

const STATUSES: &[&str] = &[
    "new",
    "assigned",
    "accepted",
    "en_route",
    "on_site",
    "in_progress",
    "on_hold",
    "completed",
    "cancelled",
];

/// The most urgent SLA milestone still open (pending, at risk or breached: the earliest
/// deadline among them) of a job's JSON: its name, state and deadline (RFC 3339 UTC).
pub(super) fn next_open_milestone(
    view: &fieldwork_model::JobView,
) -> Option<(&'static str, &MilestoneState, &String)> {
    let sla = view.sla.as_ref()?;
    [
        ("response", &sla.response.state, &sla.respond_by),
        ("arrival", &sla.arrival.state, &sla.arrive_by),
        ("resolution", &sla.resolution.state, &sla.resolve_by),
    ]
    .into_iter()
    .filter(|(_, state, _)| {
        matches!(
            state,
            MilestoneState::Pending | MilestoneState::AtRisk | MilestoneState::Breached
        )
    })
    .min_by(|a, b| a.2.cmp(b.2))
}

/// The most urgent open SLA milestone of a job and how it stands.
fn next_deadline(view: &fieldwork_model::JobView, zone: chrono_tz::Tz) -> Option<Deadline> {
    next_open_milestone(view).map(|(milestone, state, due)| Deadline {
        sort_key: fieldwork_model::time::parse_rfc3339("due", due).unwrap_or(i64::MAX),
        milestone,
        at: local_time(due, zone),
        risk: match state {
            MilestoneState::Breached => "breached",
            MilestoneState::AtRisk => "at_risk",
            _ => "pending",
        },
    })
}

/// Breached before at risk, then the nearest deadline first.
fn triage(jobs: &mut [BoardJob]) {
    let key = |j: &BoardJob| {
        let d = j.deadline.as_ref();
        let rank = match d.map(|d| d.risk) {
            Some("breached") => 0,
            Some("at_risk") => 1,
            _ => 2,
        };
        (rank, d.map_or(i64::MAX, |d| d.sort_key))
    };
    jobs.sort_by_key(key);
}

/// Whether a job belongs on the board of `day`: open, or scheduled, reported or closed that day.
fn on_day(view: &fieldwork_model::JobView, day: chrono::NaiveDate, zone: chrono_tz::Tz) -> bool {
    let date = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .ok()
            .map(|t| t.with_timezone(&zone).date_naive())
    };
    let closed = matches!(view.status.as_str(), "completed" | "cancelled");
    !closed
        || [
            Some(&view.reported_at),
            view.scheduled_start.as_ref(),
            view.events.last().map(|e| &e.at),
        ]
        .into_iter()
        .flatten()
        .any(|t| date(t) == Some(day))
}

pub(super) async fn board(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    headers: HeaderMap,
    Query(q): Query<BoardQuery>,
) -> Response {
    let w = words(&headers);
    let zone = office_zone();
    let day = query_date(q.day.as_deref()).unwrap_or_else(office_today);
    let render_state = state.clone();
    let loaded = state
        .blocking(move |s| {
            let views = super::all_views(s, &render_state)?;
            Ok((views, s.technicians()?, s.devices()?))
        })
        .await;
    let (views, technicians, devices) = match loaded {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let filter_status = q.status.unwrap_or_default();
    let filter_region = q.region.unwrap_or_default();
    let filter_technician = q.technician.unwrap_or_default();
    let at_risk_only = q.risk.as_deref() == Some("risk");
    let mut last_sync: BTreeMap<&str, i64> = BTreeMap::new();
    for d in &devices {
        if let Some(at) = d.last_sync_at {
            let e = last_sync.entry(d.technician.as_str()).or_insert(at);
            *e = (*e).max(at);
        }
    }
    let mut lanes: Vec<Lane> = Vec::new();
    let mut unassigned = Lane {
        id: String::new(),
        title: w.unassigned.into(),
        region: String::new(),
        is_technician: false,
        last_sync: String::new(),
        jobs: Vec::new(),
    };
    for t in &technicians {
        lanes.push(Lane {
            id: t.id.clone(),
            title: format!("{} ({})", t.name, t.id),
            region: t.region.clone(),
            is_technician: true,
            last_sync: ms_local(last_sync.get(t.id.as_str()).copied(), zone, w.never),
            jobs: Vec::new(),
        });
    }
    // The region filter is the technicians' (an unassigned job has none).
    let region_of = |t: Option<&str>| {
        technicians
            .iter()
            .find(|x| Some(x.id.as_str()) == t)
            .map(|x| x.region.as_str())
    };
    for v in views.iter().filter(|v| on_day(v, day, zone)) {
        if (!filter_status.is_empty() && v.status.as_str() != filter_status)
            || (!filter_region.is_empty()
                && region_of(v.technician.as_deref()) != Some(filter_region.as_str()))
            || (!filter_technician.is_empty()
                && v.technician.as_deref() != Some(filter_technician.as_str()))
        {
            continue;
        }
        let deadline = next_deadline(v, zone);
        if at_risk_only && deadline.as_ref().is_none_or(|d| d.risk == "pending") {
            continue;
        }
        let job = BoardJob {
            id: v.id.clone(),
            customer: v.customer.name.clone(),
            site: v.site.address.clone(),
            status: STATUSES
                .iter()
                .find(|s| **s == v.status.as_str())
                .copied()
                .unwrap_or("new"),
            priority: v.priority.as_str(),
            deadline,
        };
        match v
            .technician
            .as_deref()
            .and_then(|t| lanes.iter_mut().find(|l| l.id == t))
        {
            Some(lane) => lane.jobs.push(job),
            None => unassigned.jobs.push(job),
        }
    }
    if !filter_technician.is_empty() {
        lanes.retain(|l| l.id == filter_technician);
    }
    if at_risk_only {
        for lane in &mut lanes {
            triage(&mut lane.jobs);
        }
        triage(&mut unassigned.jobs);
    }
    if !filter_region.is_empty() {
        lanes.retain(|l| l.region == filter_region);
    }
    lanes.insert(0, unassigned);
    let mut regions: Vec<String> = technicians
        .iter()
        .map(|t| t.region.clone())
        .filter(|r| !r.is_empty())
        .collect();
    regions.sort();
    regions.dedup();
    page(BoardPage {
        w,
        user: session.user,
        csrf: session.csrf,
        live: 1,
        day: day.to_string(),
        statuses: STATUSES,
        regions,
        technicians,
        filter_status,
        filter_region,
        filter_technician,
        at_risk_only,
        lanes,
    })
}
