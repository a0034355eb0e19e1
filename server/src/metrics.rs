//! Metrics (issue 22): `GET /metrics` in the Prometheus text format, for an operations team's
//! dashboards and alerts. Counted where things happen through the `metrics` facade (one
//! recorder per process: several servers in one test process add up), and the states that are
//! read rather than counted (outbox depths, database connections, SLA milestones breached
//! now) measured at each scrape.
//!
//! The names, all prefixed `fieldwork_`:
//! - `http_requests_total{route,method,status}`, `http_request_duration_seconds{route,method}`
//!   (histogram): every request, by the route it matched (`unmatched` when none did);
//! - `sync_rounds_total`, `sync_bytes_total{direction="in"|"out"}`,
//!   `sync_documents_merged_total`: phones' sync rounds (bytes as decoded, before compression);
//! - `refusals_total{code,reason}`: answers 4xx by error code, and the model rule (`reason`)
//!   for a refused input;
//! - `outbox_depth{outbox="mail"|"webhooks"}`: emails and webhook deliveries not yet through;
//! - `webhook_attempts_total{outcome="delivered"|"failed"}`;
//! - `db_connections{state="in_use"|"idle"}`: the storage's connections;
//! - `sla_breached{milestone}`: open jobs' SLA milestones past their deadline now.
//!
//! Not public: on the main listener it takes a dispatcher token; `serve --metrics-listen ADDR`
//! serves it without one on an address of its own (a private network, for the scraper).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::Result;
use crate::api::extract::Dispatcher;
use crate::state::AppState;

/// The process's recorder, installed on first use.
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        // Request latencies from a millisecond to two minutes (the request deadline).
        let buckets = [
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            120.0,
        ];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets)
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        // Another recorder already installed (never, in this program) would keep the counts.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Installs the recorder (the server calls it at start, so the first scrape has every metric
/// registered).
pub fn init() {
    handle();
    metrics::describe_counter!(
        "fieldwork_http_requests_total",
        "Requests answered, by the route they matched, method and status."
    );
    metrics::describe_histogram!(
        "fieldwork_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer a request, by route and method."
    );
    metrics::describe_counter!(
        "fieldwork_sync_rounds_total",
        "Phones' sync rounds answered."
    );
    metrics::describe_counter!(
        "fieldwork_sync_bytes_total",
        "Sync bytes in and out, as decoded (before compression)."
    );
    metrics::describe_counter!(
        "fieldwork_sync_documents_merged_total",
        "Job documents a phone's push changed at the office."
    );
    metrics::describe_counter!(
        "fieldwork_refusals_total",
        "Answers 4xx, by error code and (for a refused input) the model's rule."
    );
    metrics::describe_counter!(
        "fieldwork_webhook_attempts_total",
        "Attempts at webhook deliveries, delivered (2xx) or failed."
    );
    for direction in ["in", "out"] {
        metrics::counter!("fieldwork_sync_bytes_total", "direction" => direction).absolute(0);
    }
    metrics::counter!("fieldwork_sync_rounds_total").absolute(0);
    metrics::counter!("fieldwork_sync_documents_merged_total").absolute(0);
}

/// Counts every request and its time by the route it matched.
pub async fn requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().as_str().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("fieldwork_http_requests_total",
        "route" => route.clone(), "method" => method.clone(), "status" => status)
    .increment(1);
    metrics::histogram!("fieldwork_http_request_duration_seconds",
        "route" => route, "method" => method)
    .record(started.elapsed().as_secs_f64());
    response
}

/// A 4xx answer, by its code and (for a refused input) the model's rule.
pub fn refusal(code: &'static str, reason: Option<&fieldwork_model::Reason>) {
    let reason = reason
        .and_then(|r| serde_json::to_value(r).ok())
        .and_then(|v| v["code"].as_str().map(str::to_string))
        .unwrap_or_default();
    metrics::counter!("fieldwork_refusals_total", "code" => code, "reason" => reason).increment(1);
}

/// One sync round: bytes in and out (decoded), documents merged.
pub fn sync_round(bytes_in: usize, bytes_out: usize, merged: usize) {
    metrics::counter!("fieldwork_sync_rounds_total").increment(1);
    metrics::counter!("fieldwork_sync_bytes_total", "direction" => "in").increment(bytes_in as u64);
    metrics::counter!("fieldwork_sync_bytes_total", "direction" => "out")
        .increment(bytes_out as u64);
    metrics::counter!("fieldwork_sync_documents_merged_total").increment(merged as u64);
}

/// One attempt at a webhook delivery.
pub fn webhook_attempt(delivered: bool) {
    let outcome = if delivered { "delivered" } else { "failed" };
    metrics::counter!("fieldwork_webhook_attempts_total", "outcome" => outcome).increment(1);
}

/// Reads the states scraped rather than counted, and renders everything.
async fn render(state: &AppState) -> Result<String> {
    let now = chrono::Utc::now().timestamp_millis();
    let (mail, webhooks, (in_use, size), breached) = state
        .blocking(move |s| {
            let breached = crate::office::escalation_rows(s, now, None)?
                .into_iter()
                .filter(|r| r.state == fieldwork_model::sla::MilestoneState::Breached)
                .fold([0u64; 3], |mut n, r| {
                    let i = ["response", "arrival", "resolution"]
                        .iter()
                        .position(|m| *m == r.milestone)
                        .unwrap_or(2);
                    n[i] += 1;
                    n
                });
            Ok((
                s.unsent_mail()?,
                s.undelivered()?,
                s.connections(),
                breached,
            ))
        })
        .await?;
    // This server's own states, written beside the process's counters (a gauge in the
    // process-wide recorder would be shared by every server in the process).
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, rows: &[(&str, u64)]| {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for (labels, value) in rows {
            out.push_str(&format!("{name}{{{labels}}} {value}\n"));
        }
        out.push('\n');
    };
    gauge(
        "fieldwork_outbox_depth",
        "Emails and webhook deliveries not yet through.",
        &[("outbox=\"mail\"", mail), ("outbox=\"webhooks\"", webhooks)],
    );
    gauge(
        "fieldwork_db_connections",
        "The storage's connections, in use and idle.",
        &[
            ("state=\"in_use\"", in_use),
            ("state=\"idle\"", size.saturating_sub(in_use)),
        ],
    );
    gauge(
        "fieldwork_sla_breached",
        "Open jobs' SLA milestones past their deadline now.",
        &[
            ("milestone=\"response\"", breached[0]),
            ("milestone=\"arrival\"", breached[1]),
            ("milestone=\"resolution\"", breached[2]),
        ],
    );
    let handle = handle();
    handle.run_upkeep();
    Ok(handle.render() + &out)
}

fn text(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// `GET /metrics` on the main listener: dispatchers only.
pub async fn metrics_for_dispatch(
    State(state): State<AppState>,
    _: Dispatcher,
) -> Result<Response> {
    Ok(text(render(&state).await?))
}

/// `GET /metrics` on `--metrics-listen`: no token (that address is for the scraper alone).
pub async fn metrics_open(State(state): State<AppState>) -> Result<Response> {
    Ok(text(render(&state).await?))
}
