//! The HTTP API under `/api/v1`: the routes, one file per resource, each handler taking its
//! preconditions as extractors (`extract.rs`); what every request goes through is in
//! `layers.rs`.

mod assets;
mod attachments;
mod complaints;
mod contracts;
mod devices;
pub mod extract;
mod followups;
mod jobs;
mod kpis;
mod layers;
mod loaners;
mod paging;
mod plans;
pub(crate) mod reports;
pub(crate) mod stock;
pub(crate) use stock::all_movements as stock_movements;
mod technicians;
mod time;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

pub use extract::{body_bytes, json_body};
use layers::{answers, bodies, deadline, identify, require_device, require_dispatcher};
pub use paging::{PAGE_DEFAULT, PAGE_MAX, PageParams, Paged};

use crate::state::AppState;
use crate::{Error, Result};

/// Largest body accepted by dispatch routes.
pub const DISPATCH_BODY_LIMIT: usize = 64 * 1024;
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
#[derive(serde::Serialize)]
pub struct Health {
    pub ok: bool,
}

/// The router with every route.
pub fn router(state: AppState) -> Router {
    let dispatch = Router::new()
        .route("/api/v1/technicians", post(technicians::create_technician))
        .route("/api/v1/jobs", post(jobs::create_job).get(jobs::list_jobs))
        .route(
            "/api/v1/jobs/{id}",
            get(jobs::get_job).patch(jobs::patch_job),
        )
        .route("/api/v1/jobs/{id}/heads", get(jobs::job_heads))
        .route("/api/v1/jobs/{id}/notes", post(jobs::add_note))
        .route("/api/v1/jobs/{id}/cancel", post(jobs::cancel_job))
        .route("/api/v1/jobs/{id}/parts", post(jobs::add_part))
        .route(
            "/api/v1/jobs/{id}/followup",
            post(followups::record_followup),
        )
        .route(
            "/api/v1/jobs/{id}/complaints",
            post(complaints::create_complaint),
        )
        .route(
            "/api/v1/parts",
            post(stock::create_part).get(stock::list_parts),
        )
        .route(
            "/api/v1/locations",
            post(stock::create_location).get(stock::list_locations),
        )
        .route(
            "/api/v1/stock/movements",
            post(stock::create_movement).get(stock::list_movements),
        )
        .route("/api/v1/stock/levels", get(stock::stock_levels))
        .route("/api/v1/stock/limits", post(stock::set_limit))
        .route("/api/v1/stock/replenishment", get(stock::replenishment_of))
        .route("/api/v1/stock/returns", get(stock::returns))
        .route("/api/v1/stock/discrepancies", get(stock::discrepancies_of))
        .route("/api/v1/contracts", post(contracts::create_contract))
        .route("/api/v1/contracts/{id}", get(contracts::get_contract))
        .route("/api/v1/assets", post(assets::create_asset))
        .route("/api/v1/assets/{serial}", get(assets::get_asset))
        .route(
            "/api/v1/assets/{serial}/history",
            get(assets::asset_history),
        )
        .route("/api/v1/followups", get(followups::list_followups))
        .route("/api/v1/complaints", get(complaints::list_complaints))
        .route(
            "/api/v1/complaints/{id}/answer",
            post(complaints::answer_complaint),
        )
        .route(
            "/api/v1/complaints/{id}/escalate",
            post(complaints::escalate_complaint),
        )
        .route("/api/v1/kpis", get(kpis::kpis))
        .route("/api/v1/escalations", get(kpis::escalations))
        .route(
            "/api/v1/maintenance-plans",
            post(plans::create_plan).get(plans::list_plans),
        )
        .route("/api/v1/maintenance-plans/run", post(plans::run_plans))
        .route("/api/v1/loaners", get(loaners::list_loaners))
        .route("/api/v1/devices", get(devices::list_devices))
        .route(
            "/api/v1/attachments/{sha256}",
            get(attachments::get_attachment),
        )
        .route("/api/v1/jobs/{id}/reports", get(reports::list_reports))
        .route(
            "/api/v1/jobs/{id}/reports/{version}",
            get(reports::get_report),
        )
        .route(
            "/api/v1/jobs/{id}/reports/{version}/pdf",
            get(reports::get_report_pdf),
        );
    let dispatch =
        bodies(dispatch, DISPATCH_BODY_LIMIT).layer(axum::middleware::from_fn(require_dispatcher));
    // The enrollment code in the body is the credential: small bodies, nothing else to check.
    let enroll = bodies(
        Router::new().route("/api/v1/devices/enroll", post(devices::enroll)),
        DISPATCH_BODY_LIMIT,
    );
    let sync = bodies(
        Router::new().route("/api/v1/sync", post(devices::sync)),
        SYNC_BODY_LIMIT,
    )
    .layer(axum::middleware::from_fn(require_device));
    let uploads = bodies(
        Router::new().route(
            "/api/v1/uploads/{sha256}",
            get(attachments::upload_state).patch(attachments::upload_chunk),
        ),
        crate::blobs::MAX_CHUNK,
    )
    .layer(axum::middleware::from_fn(require_device));
    let limits = state.limits.config.clone();
    let routes = Router::new()
        .route("/api/v1/health", get(health))
        .merge(dispatch)
        .merge(enroll)
        .merge(sync)
        .merge(uploads)
        .merge(crate::console::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), identify))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            limits.body_idle,
        ))
        .layer(from_fn_with_state(limits.request_timeout, deadline))
        .with_state(state);
    answers(routes)
}
