//! Service-contract routes (issue 3): contracts, assets and their history, follow-ups,
//! complaints, maintenance plans, loaners and KPIs. SLA, warranty and charges themselves are
//! computed by `fieldwork_model` from the job document, exactly as on the phone.


use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Duration;
use fieldwork_model::calendar::{parse_date, parse_tz};
use fieldwork_office::maintenance::MaintenancePlan;
use fieldwork_model::time::{parse_rfc3339, to_rfc3339};
use fieldwork_model::{
    Contract, JobView, Status,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::dispatch::{at_or_now, now, path_id};
use super::{AppState, DISPATCH_BODY_LIMIT, PageParams, Paged, json_body};
use fieldwork_store::{AssetRecord, Complaint, Followup, Storage};
use crate::{Error, Result};


fn query<T>(q: std::result::Result<Query<T>, QueryRejection>) -> Result<T> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::BadRequest("bad_query", e.body_text()))
}

/// `POST /api/v1/contracts`
pub async fn create_contract(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Contract>)> {
    state.dispatcher(&headers).await?;
    let c: Contract = json_body(body, DISPATCH_BODY_LIMIT)?;
    c.validate()?;
    let stored = c.clone();
    state.blocking(move |s| Ok(s.add_contract(&stored)?)).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// `GET /api/v1/contracts/{id}`
pub async fn get_contract(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<Contract>> {
    state.dispatcher(&headers).await?;
    let id = path_id(id)?;
    let c = state
        .blocking(move |s| {
            s.contract(&id)?
                .ok_or_else(|| Error::NotFound(format!("no contract {id}")))
        })
        .await?;
    Ok(Json(c))
}

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
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<AssetRecord>)> {
    state.dispatcher(&headers).await?;
    let a: AssetRecord = json_body(body, DISPATCH_BODY_LIMIT)?;
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
    headers: HeaderMap,
    serial: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<AssetRecord>> {
    state.dispatcher(&headers).await?;
    let serial = path_id(serial)?;
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
    headers: HeaderMap,
    serial: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<Value>> {
    state.dispatcher(&headers).await?;
    let serial = path_id(serial)?;
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowupBody {
    satisfaction: String,
    score: u8,
    #[serde(default)]
    comment: String,
}

fn followup_json(f: &Followup) -> Value {
    json!({
        "satisfaction": f.satisfaction,
        "score": f.score,
        "comment": f.comment,
        "recorded_at": to_rfc3339(f.recorded_at),
    })
}

/// `POST /api/v1/jobs/{id}/followup` — the callback's outcome for a completed job.
pub async fn record_followup(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: std::result::Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>)> {
    state.dispatcher(&headers).await?;
    let id = path_id(id)?;
    let b: FollowupBody = json_body(body, DISPATCH_BODY_LIMIT)?;
    if !fieldwork_office::complaints::SATISFACTION.contains(&b.satisfaction.as_str()) {
        return Err(Error::BadRequest(
            "invalid",
            format!(
                "satisfaction must be satisfied, neutral or dissatisfied, got {:?}",
                b.satisfaction
            ),
        ));
    }
    if !fieldwork_office::complaints::SCORES.contains(&b.score) {
        return Err(Error::BadRequest("invalid", "score must be 1 to 5".into()));
    }
    if b.comment.len() > fieldwork_model::document::MAX_TEXT {
        return Err(Error::BadRequest("invalid", "comment is too long".into()));
    }
    let f = Followup {
        satisfaction: b.satisfaction,
        score: b.score,
        comment: b.comment,
        recorded_at: now(),
    };
    let stored = f.clone();
    state
        .blocking(move |s| {
            let doc = s.document(&id)?;
            if doc.derived()?.status != Status::Completed {
                return Err(Error::Conflict(format!(
                    "job {id} is not completed; follow-ups are for completed jobs"
                )));
            }
            Ok(s.record_followup(&id, &stored)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(followup_json(&f))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenParams {
    #[serde(default)]
    limit: Option<u32>,
    #[serde(default)]
    offset: Option<u32>,
    #[serde(default)]
    open: Option<bool>,
    #[serde(default)]
    technician: Option<String>,
    #[serde(default)]
    job: Option<String>,
}

/// `GET /api/v1/followups?open=true` — completed jobs' callbacks, by due time.
pub async fn list_followups(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: std::result::Result<Query<OpenParams>, QueryRejection>,
) -> Result<Paged<Value>> {
    state.dispatcher(&headers).await?;
    let p = query(params)?;
    let (limit, offset) = (p.limit, p.offset);
    let rows = state
        .blocking(move |s| Ok(s.followups(p.open.unwrap_or(false))?))
        .await?;
    let now = now();
    Ok(Paged::cut(
        rows.iter()
            .map(|r| {
                json!({
                    "job": r.job,
                    "technician": r.technician,
                    "completed_at": to_rfc3339(r.completed_at),
                    "due_by": to_rfc3339(r.due_at),
                    "overdue": r.record.is_none() && now > r.due_at,
                    "followup": r.record.as_ref().map(followup_json),
                })
            })
            .collect(),
        limit,
        offset,
    ))
}

fn complaint_json(c: &Complaint, now: i64) -> Value {
    json!({
        "id": c.id,
        "job": c.job,
        "text": c.text,
        "received_at": to_rfc3339(c.received_at),
        "due_by": to_rfc3339(c.due_at),
        "level": c.level,
        "answer": c.answer,
        "answered_at": c.answered_at.map(to_rfc3339),
        "answered_in_time": c.answered_at.map(|t| t <= c.due_at),
        "overdue": c.answered_at.is_none() && now > c.due_at,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextBody {
    text: String,
}

fn check_text(text: &str) -> Result<()> {
    if text.trim().is_empty() || text.len() > fieldwork_model::document::MAX_TEXT {
        return Err(Error::BadRequest(
            "invalid",
            "text must be 1 to 16384 bytes".into(),
        ));
    }
    Ok(())
}

/// `POST /api/v1/jobs/{id}/complaints` — due for a written answer within 2 working days.
pub async fn create_complaint(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: std::result::Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>)> {
    state.dispatcher(&headers).await?;
    let job = path_id(id)?;
    let b: TextBody = json_body(body, DISPATCH_BODY_LIMIT)?;
    check_text(&b.text)?;
    let received_at = now();
    let c = state
        .blocking(move |s| {
            let data = s.document(&job)?.data()?;
            let calendar = data.contract.as_ref().map(|c| &c.sla.calendar);
            let due_at =
                fieldwork_model::sla::complaint_due(calendar, &data.site.time_zone, received_at)?;
            let c = Complaint {
                id: format!("C-{:08X}", rand::random::<u32>()),
                job,
                text: b.text,
                received_at,
                due_at,
                level: fieldwork_office::complaints::FIRST_LEVEL.into(),
                answer: None,
                answered_at: None,
            };
            s.add_complaint(&c)?;
            Ok(c)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(complaint_json(&c, received_at))))
}

/// `GET /api/v1/complaints?job=&open=`
pub async fn list_complaints(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: std::result::Result<Query<OpenParams>, QueryRejection>,
) -> Result<Paged<Value>> {
    state.dispatcher(&headers).await?;
    let p = query(params)?;
    let open_only = p.open.unwrap_or(false);
    let (limit, offset) = (p.limit, p.offset);
    let list = state
        .blocking(move |s| Ok(s.complaints(p.job.as_deref())?))
        .await?;
    let now = now();
    Ok(Paged::cut(
        list.iter()
            .filter(|c| !open_only || c.answered_at.is_none())
            .map(|c| complaint_json(c, now))
            .collect(),
        limit,
        offset,
    ))
}

async fn edit_complaint(
    state: &AppState,
    id: String,
    mut edit: impl FnMut(&mut Complaint) -> Result<()> + Send + 'static,
) -> Result<Json<Value>> {
    let c = state
        .blocking(move |s| {
            s.update_complaint(&id, &mut |c| Ok(edit(c)?))?
                .ok_or_else(|| Error::NotFound(format!("no complaint {id}")))
        })
        .await?;
    Ok(Json(complaint_json(&c, now())))
}

/// `POST /api/v1/complaints/{id}/answer` `{"text"}` — the written answer.
pub async fn answer_complaint(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: std::result::Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>> {
    state.dispatcher(&headers).await?;
    let id = path_id(id)?;
    let b: TextBody = json_body(body, DISPATCH_BODY_LIMIT)?;
    check_text(&b.text)?;
    let at = now();
    edit_complaint(&state, id, move |c| {
        if c.answered_at.is_some() {
            return Err(Error::Conflict(format!("complaint {} is answered", c.id)));
        }
        c.answer = Some(b.text.clone());
        c.answered_at = Some(at);
        Ok(())
    })
    .await
}

/// `POST /api/v1/complaints/{id}/escalate` — engineer, then senior engineer, then manager.
pub async fn escalate_complaint(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: std::result::Result<Path<String>, PathRejection>,
) -> Result<Json<Value>> {
    state.dispatcher(&headers).await?;
    let id = path_id(id)?;
    edit_complaint(&state, id, |c| {
        let next = fieldwork_office::complaints::next_level(&c.level).ok_or_else(|| {
            Error::Conflict(format!("complaint {} is already with a manager", c.id))
        })?;
        c.level = next.into();
        Ok(())
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiParams {
    from: String,
    to: String,
    /// RFC 3339: judge open milestones as of this instant instead of now.
    #[serde(default)]
    at: Option<String>,
}

/// Parses a KPI bound: a `YYYY-MM-DD` date (UTC midnight; `to` is inclusive) or RFC 3339.
fn bound(field: &str, s: &str, end: bool) -> Result<i64> {
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
pub async fn kpis(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: std::result::Result<Query<KpiParams>, QueryRejection>,
) -> Result<Json<Value>> {
    state.dispatcher(&headers).await?;
    let p = query(params)?;
    let (from, to) = (bound("from", &p.from, false)?, bound("to", &p.to, true)?);
    if to <= from {
        return Err(Error::BadRequest(
            "invalid",
            "to must not be before from".into(),
        ));
    }
    let now = at_or_now(p.at.as_deref())?;
    let kpis = state
        .blocking(move |s| crate::office::kpi_report(s, from, to, now, None))
        .await?;
    let mut body = serde_json::to_value(kpis).map_err(|e| Error::Internal(e.to_string()))?;
    body["from"] = json!(to_rfc3339(from));
    body["to"] = json!(to_rfc3339(to));
    Ok(Json(body))
}

/// `POST /api/v1/maintenance-plans`
pub async fn create_plan(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>)> {
    state.dispatcher(&headers).await?;
    let mut plan: MaintenancePlan = json_body(body, DISPATCH_BODY_LIMIT)?;
    let schedule = plan.schedule()?;
    let id = plan
        .id
        .clone()
        .unwrap_or_else(|| format!("P-{:08X}", rand::random::<u32>()));
    if id.len() > 40 {
        return Err(Error::BadRequest(
            "invalid",
            "plan id must be at most 40 characters".into(),
        ));
    }
    plan.id = Some(id.clone());
    let stored = plan.clone();
    state
        .blocking(move |s| {
            let asset = s.asset(&stored.asset)?.ok_or_else(|| {
                Error::BadRequest("unknown_asset", format!("no asset {}", stored.asset))
            })?;
            if stored.site.is_none() && asset.site.is_none() {
                return Err(Error::BadRequest(
                    "invalid",
                    format!("asset {} has no site; give the plan a site", stored.asset),
                ));
            }
            if let Some(site) = &stored.site {
                parse_tz(&site.time_zone)?;
            }
            if let Some(t) = &stored.technician
                && !s.technician_exists(t)?
            {
                return Err(Error::BadRequest(
                    "unknown_technician",
                    format!("no technician {t}"),
                ));
            }
            Ok(s.add_plan(&id, &stored)?)
        })
        .await?;
    let horizon = schedule.first_due + Duration::days(3 * 366);
    let mut body = serde_json::to_value(&plan).map_err(|e| Error::Internal(e.to_string()))?;
    body["due_dates"] = json!(
        schedule
            .due_dates(horizon, 12)
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
    );
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /api/v1/maintenance-plans`
pub async fn list_plans(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: std::result::Result<Query<PageParams>, QueryRejection>,
) -> Result<Paged<MaintenancePlan>> {
    state.dispatcher(&headers).await?;
    let page = query(params)?;
    let plans = state.blocking(|s| Ok(s.plans()?)).await?;
    Ok(Paged::cut(
        plans.into_iter().map(|(_, p)| p).collect(),
        page.limit,
        page.offset,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunBody {
    through: String,
}

/// `POST /api/v1/maintenance-plans/run` `{"through": "YYYY-MM-DD"}` — creates the inspection
/// jobs due up to that date that do not exist yet (see [`crate::office::generate_inspections`]).
pub async fn run_plans(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>> {
    state.dispatcher(&headers).await?;
    let b: RunBody = json_body(body, DISPATCH_BODY_LIMIT)?;
    let through = parse_date("through", &b.through)?;
    let created = state
        .blocking(move |s| crate::office::generate_inspections(s, through))
        .await?;
    state.live.jobs_changed(created.clone());
    Ok(Json(json!({"created": created})))
}

/// `GET /api/v1/loaners?technician=&open=true` — loaner units out (or ever) on jobs.
pub async fn list_loaners(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: std::result::Result<Query<OpenParams>, QueryRejection>,
) -> Result<Paged<Value>> {
    state.dispatcher(&headers).await?;
    let p = query(params)?;
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

#[derive(Deserialize)]
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
    at: Option<String>,
}

/// `GET /api/v1/escalations?technician=&at=` — open jobs with an SLA milestone `at_risk` or
/// `breached` (R-15: such a clock escalates), most urgent deadline first.
pub async fn escalations(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: std::result::Result<Query<EscalationParams>, QueryRejection>,
) -> Result<Paged<Value>> {
    state.dispatcher(&headers).await?;
    let p = query(params)?;
    let now = at_or_now(p.at.as_deref())?;
    let (limit, offset) = (p.limit, p.offset);
    let rows = state
        .blocking(move |s| crate::office::escalation_rows(s, now, p.technician))
        .await?;
    Ok(Paged::cut(
        rows.into_iter()
            .map(|r| {
                json!({"job": r.job, "technician": r.technician, "milestone": r.milestone,
                       "state": r.state, "due_by": to_rfc3339(r.due)})
            })
            .collect(),
        limit,
        offset,
    ))
}
