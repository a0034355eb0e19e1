//! The HTTP API under `/api/v1`: the routes, one file per resource, each handler taking its
//! preconditions as extractors (`extract.rs`); what every request goes through is in
//! `layers.rs`.

mod assets;
mod attachments;
mod complaints;
mod contracts;
mod devices;
mod export;
pub mod extract;
mod followups;
pub(crate) mod jobs;
mod kpis;
mod layers;
mod loaners;
pub mod openapi;
mod paging;
mod plans;
pub(crate) mod reports;
pub(crate) mod stock;
pub(crate) use stock::all_movements as stock_movements;
mod technicians;
mod time;
pub(crate) mod webhooks;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use extract::{body_bytes, json_body};
use layers::{answers, bodies, deadline, identify, require_device, require_dispatcher};
pub use paging::{PAGE_DEFAULT, PAGE_MAX, PageParams, Paged};

use crate::state::AppState;
use crate::{Error, Result};

/// Largest body accepted by dispatch routes.
pub const DISPATCH_BODY_LIMIT: usize = 64 * 1024;
/// Largest body of `POST /api/v1/jobs/batch`: 1,000 jobs of about 1 KiB each, with room.
pub const BATCH_BODY_LIMIT: usize = 4 * 1024 * 1024;
/// Largest body accepted by the sync endpoint.
pub const SYNC_BODY_LIMIT: usize = 16 * 1024 * 1024;

async fn not_found() -> Error {
    Error::NotFound("no such route".into())
}

async fn method_not_allowed() -> (StatusCode, axum::Json<serde_json::Value>) {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(
            serde_json::json!({"error": {"code": "method_not_allowed", "message": "method not allowed on this route"}}),
        ),
    )
}

#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "meta",
    security(()),
    responses((status = 200, description = "This instance serves and its database answers", body = Health))
)]
/// `GET /api/v1/health` for load balancers: ok only when this instance can reach its database
/// (503 `database_unavailable` otherwise, so a balancer drains an instance cut off from it).
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<axum::Json<Health>> {
    // Within a probe's patience: a database slower than this is as good as away.
    let asked = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        state.blocking(|s| Ok(s.schema_version()?)),
    );
    match asked.await {
        Ok(answer) => answer.map(|_| axum::Json(Health { ok: true })),
        Err(_) => Err(Error::Unavailable(
            crate::error::DATABASE_UNAVAILABLE,
            "the database did not answer within 2 s".into(),
        )),
    }
}

/// `GET /api/v1/health`: the instance serves and its database answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    pub ok: bool,
}

/// Every `/api/v1` route and its description, registered from the same annotations: a group
/// per kind of caller, each with its body limit and its principal's check as layers.
pub fn described() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (dispatch, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(technicians::create_technician))
        .routes(routes!(jobs::create_job, jobs::list_jobs))
        .routes(routes!(jobs::get_job, jobs::patch_job))
        .routes(routes!(jobs::job_heads))
        .routes(routes!(jobs::add_note))
        .routes(routes!(jobs::cancel_job))
        .routes(routes!(jobs::add_part))
        .routes(routes!(followups::record_followup))
        .routes(routes!(complaints::create_complaint))
        .routes(routes!(stock::create_part, stock::list_parts))
        .routes(routes!(stock::create_location, stock::list_locations))
        .routes(routes!(stock::create_movement, stock::list_movements))
        .routes(routes!(stock::stock_levels))
        .routes(routes!(stock::set_limit))
        .routes(routes!(stock::replenishment_of))
        .routes(routes!(stock::returns))
        .routes(routes!(stock::discrepancies_of))
        .routes(routes!(contracts::create_contract))
        .routes(routes!(contracts::get_contract))
        .routes(routes!(assets::create_asset))
        .routes(routes!(assets::get_asset))
        .routes(routes!(assets::asset_history))
        .routes(routes!(followups::list_followups))
        .routes(routes!(complaints::list_complaints))
        .routes(routes!(complaints::answer_complaint))
        .routes(routes!(complaints::escalate_complaint))
        .routes(routes!(kpis::kpis))
        .routes(routes!(kpis::escalations))
        .routes(routes!(plans::create_plan, plans::list_plans))
        .routes(routes!(plans::run_plans))
        .routes(routes!(loaners::list_loaners))
        .routes(routes!(devices::list_devices))
        .routes(routes!(attachments::get_attachment))
        .routes(routes!(reports::list_reports))
        .routes(routes!(reports::get_report))
        .routes(routes!(reports::get_report_pdf))
        .routes(routes!(webhooks::create_webhook, webhooks::list_webhooks))
        .routes(routes!(
            webhooks::get_webhook,
            webhooks::update_webhook,
            webhooks::delete_webhook
        ))
        .routes(routes!(webhooks::resume_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(export::export_jobs))
        .routes(routes!(export::export_visits))
        .routes(routes!(export::export_kpis))
        .split_for_parts();
    let dispatch =
        bodies(dispatch, DISPATCH_BODY_LIMIT).layer(axum::middleware::from_fn(require_dispatcher));
    // A batch of jobs: dispatch's, with a body limit of its own.
    let (batch, part) = OpenApiRouter::new()
        .routes(routes!(jobs::create_batch))
        .split_for_parts();
    doc.merge(part);
    let batch =
        bodies(batch, BATCH_BODY_LIMIT).layer(axum::middleware::from_fn(require_dispatcher));
    // The enrollment code in the body is the credential: small bodies, nothing else to check.
    let (enroll, part) = OpenApiRouter::new()
        .routes(routes!(devices::enroll))
        .split_for_parts();
    doc.merge(part);
    let enroll = bodies(enroll, DISPATCH_BODY_LIMIT);
    let (sync, part) = OpenApiRouter::new()
        .routes(routes!(devices::sync))
        .split_for_parts();
    doc.merge(part);
    let sync = bodies(sync, SYNC_BODY_LIMIT).layer(axum::middleware::from_fn(require_device));
    let (uploads, part) = OpenApiRouter::new()
        .routes(routes!(
            attachments::upload_state,
            attachments::upload_chunk
        ))
        .split_for_parts();
    doc.merge(part);
    let uploads =
        bodies(uploads, crate::blobs::MAX_CHUNK).layer(axum::middleware::from_fn(require_device));
    let (public, part) = OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(openapi::openapi_json))
        .split_for_parts();
    doc.merge(part);
    openapi::add_common_answers(&mut doc);
    let routes = public
        .merge(dispatch)
        .merge(batch)
        .merge(enroll)
        .merge(sync)
        .merge(uploads);
    (routes, doc)
}

/// The router with every route: the API's, the console's, and what answers the rest.
pub fn router(state: AppState) -> Router {
    let (api, _) = described();
    let limits = state.limits.config.clone();
    let routes = api
        .route(
            "/metrics",
            axum::routing::get(crate::metrics::metrics_for_dispatch),
        )
        .merge(crate::console::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), identify))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            limits.body_idle,
        ))
        .layer(from_fn_with_state(limits.request_timeout, deadline))
        .layer(axum::middleware::from_fn(crate::metrics::requests))
        .with_state(state);
    answers(routes)
}
