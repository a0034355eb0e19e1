//! Maintenance plans: recurring inspections of an asset, and the run that creates
//! the inspection jobs due.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Duration;
use fieldwork_model::calendar::{parse_date, parse_tz};
use fieldwork_office::maintenance::MaintenancePlan;
use serde::Deserialize;

use super::extract::{Body, Dispatcher, Params};
use super::paging::{PageParams, Paged};
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};

/// `POST /api/v1/maintenance-plans`
#[utoipa::path(
    post,
    path = "/api/v1/maintenance-plans",
    tag = "registers",
    request_body = MaintenancePlan,
    responses((status = 201, description = "Registered", body = PlanAnswer), (status = 404, description = "No such contract or asset", body = ErrorBody), (status = 409, description = "A plan with this id exists", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn create_plan(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(mut plan): Body<MaintenancePlan>,
) -> Result<(StatusCode, Json<PlanAnswer>)> {
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
    // The next twelve visits within about three years: enough to check a plan by eye.
    let due_dates = schedule
        .due_dates(horizon, 12)
        .iter()
        .map(|d| d.to_string())
        .collect();
    Ok((StatusCode::CREATED, Json(PlanAnswer { plan, due_dates })))
}

/// A stored plan with its next due dates (`YYYY-MM-DD`).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PlanAnswer {
    #[serde(flatten)]
    pub plan: MaintenancePlan,
    pub due_dates: Vec<String>,
}

/// The inspection jobs a run created.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub created: Vec<String>,
}

/// `GET /api/v1/maintenance-plans`
#[utoipa::path(
    get,
    path = "/api/v1/maintenance-plans",
    tag = "registers",
    params(PageParams),
    responses((status = 200, description = "Maintenance plans", body = Vec<MaintenancePlan>, headers(("X-Next-Offset" = u32, description = "Where the next page begins, when more rows remain"))))
)]
#[tracing::instrument(skip_all)]
pub async fn list_plans(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(page): Params<PageParams>,
) -> Result<Paged<MaintenancePlan>> {
    let plans = state.blocking(|s| Ok(s.plans()?)).await?;
    Ok(Paged::cut(
        plans.into_iter().map(|(_, p)| p).collect(),
        page.limit,
        page.offset,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunBody {
    #[schema(format = Date)]
    through: String,
}

/// `POST /api/v1/maintenance-plans/run` `{"through": "YYYY-MM-DD"}` — creates the inspection
/// jobs due up to that date that do not exist yet (see [`crate::office::generate_inspections`]).
#[utoipa::path(
    post,
    path = "/api/v1/maintenance-plans/run",
    tag = "registers",
    request_body = RunBody,
    responses((status = 200, description = "The inspection jobs created", body = Created))
)]
#[tracing::instrument(skip_all)]
pub async fn run_plans(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(b): Body<RunBody>,
) -> Result<Json<Created>> {
    let through = parse_date("through", &b.through)?;
    let created = state
        .blocking(move |s| crate::office::generate_inspections(s, through))
        .await?;
    state.live.jobs_changed(created.clone());
    Ok(Json(Created { created }))
}
