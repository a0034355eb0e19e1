//! The service figures (`/api/v1/kpis`) and the SLA milestones that escalate
//! (`/api/v1/escalations`), both computed by `fieldwork_office` from the jobs' documents.

use axum::Json;
use axum::extract::State;
use chrono::Duration;
use fieldwork_model::calendar::parse_date;
use fieldwork_model::time::{parse_rfc3339, to_rfc3339};
use serde::Deserialize;

use super::extract::{Dispatcher, Params};
use super::paging::Paged;
use super::time::at_or_now;
use crate::state::AppState;
use crate::{Error, Result};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct KpiParams {
    #[param(format = Date)]
    from: String,
    #[param(format = Date)]
    to: String,
    /// RFC 3339: judge open milestones as of this instant instead of now.
    #[serde(default)]
    #[param(format = DateTime)]
    at: Option<String>,
}

/// Parses a KPI bound: a `YYYY-MM-DD` date (UTC midnight; `to` is inclusive) or RFC 3339.
pub(super) fn bound(field: &str, s: &str, end: bool) -> Result<i64> {
    if let Ok(d) = parse_date(field, s) {
        let day = if end { d + Duration::days(1) } else { d };
        return Ok(day
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_millis());
    }
    Ok(parse_rfc3339(field, s)?)
}

/// `GET /api/v1/kpis?from=&to=[&at=]` — over jobs reported in the range (and complaints
/// against them).
#[utoipa::path(
    get,
    path = "/api/v1/kpis",
    tag = "service",
    params(KpiParams),
    responses((status = 200, description = "The KPIs over the range, with their targets", body = KpiAnswer))
)]
#[tracing::instrument(skip_all)]
pub async fn kpis(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<KpiParams>,
) -> Result<Json<KpiAnswer>> {
    let (from, to) = (bound("from", &p.from, false)?, bound("to", &p.to, true)?);
    if to <= from {
        return Err(Error::BadRequest(
            "invalid",
            "to must not be before from".into(),
        ));
    }
    let now = at_or_now(p.at.as_deref())?;
    let (kpis, parts_accuracy) = state
        .blocking(move |s| {
            Ok((
                crate::office::kpi_report(s, from, to, now, None)?,
                fieldwork_office::stock::parts_accuracy(&super::stock::all_movements(s)?, from, to),
            ))
        })
        .await?;
    Ok(Json(KpiAnswer {
        kpis,
        parts_accuracy,
        from: to_rfc3339(from),
        to: to_rfc3339(to),
    }))
}

/// The KPIs with the period they cover (`to` exclusive).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct KpiAnswer {
    #[serde(flatten)]
    pub kpis: fieldwork_office::kpi::Kpis,
    /// Transfers received exactly as issued (issued in the period), against the plans' 98 %.
    pub parts_accuracy: fieldwork_office::stock::PartsAccuracy,
    pub from: String,
    pub to: String,
}

/// An SLA milestone that escalates.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct EscalationAnswer {
    pub job: String,
    pub technician: Option<String>,
    /// `response`, `arrival` or `resolution`.
    pub milestone: &'static str,
    pub state: fieldwork_model::sla::MilestoneState,
    pub due_by: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EscalationParams {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    offset: Option<u32>,
    #[serde(default)]
    technician: Option<String>,
    /// RFC 3339: judge the clocks as of this instant instead of now.
    #[serde(default)]
    #[param(format = DateTime)]
    at: Option<String>,
}

/// `GET /api/v1/escalations?technician=&at=` — open jobs with an SLA milestone `at_risk` or
/// `breached` (R-15: such a clock escalates), most urgent deadline first.
#[utoipa::path(
    get,
    path = "/api/v1/escalations",
    tag = "service",
    params(EscalationParams),
    responses((status = 200, description = "Open SLA clocks at or past their warning, most urgent first", body = Vec<EscalationAnswer>, headers(("X-Next-Offset" = u32, description = "Where the next page begins, when more rows remain"))))
)]
#[tracing::instrument(skip_all)]
pub async fn escalations(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<EscalationParams>,
) -> Result<Paged<EscalationAnswer>> {
    let now = at_or_now(p.at.as_deref())?;
    let (limit, offset) = (p.limit, p.offset);
    let rows = state
        .blocking(move |s| crate::office::escalation_rows(s, now, p.technician))
        .await?;
    Ok(Paged::cut(
        rows.into_iter()
            .map(|r| EscalationAnswer {
                job: r.job,
                technician: r.technician,
                milestone: r.milestone,
                state: r.state,
                due_by: to_rfc3339(r.due),
            })
            .collect(),
        limit,
        offset,
    ))
}
