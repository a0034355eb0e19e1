//! Exports (`/api/v1/export/{jobs,visits,kpis}?from=&to=&format=csv|xlsx`): a period's jobs,
//! visit records and KPIs for a finance system or a spreadsheet (`crate::export` writes them).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{Dispatcher, Params};
use super::kpis::bound;
use super::time::now;
use crate::export::Table;
use crate::state::AppState;
use crate::{Error, Result};

/// The period (`from`, `to`: `YYYY-MM-DD`, `to` inclusive, or RFC 3339) and the format.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// Jobs reported from this day (or instant).
    #[param(format = Date)]
    from: String,
    /// Through this day (or up to this instant).
    #[param(format = Date)]
    to: String,
    /// `csv` (the default) or `xlsx`.
    #[serde(default)]
    format: Option<String>,
}

/// How the table goes out.
#[derive(Clone, Copy)]
enum Format {
    Csv,
    Xlsx,
}

fn period(p: &ExportParams) -> Result<(i64, i64, Format)> {
    let (from, to) = (bound("from", &p.from, false)?, bound("to", &p.to, true)?);
    if to <= from {
        return Err(Error::BadRequest("invalid", "to must be after from".into()));
    }
    let format = match p.format.as_deref() {
        None | Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        Some(f) => {
            return Err(Error::BadRequest(
                "invalid",
                format!("format must be csv or xlsx, got {f:?}"),
            ));
        }
    };
    Ok((from, to, format))
}

fn file(table: &Table, format: Format, stem: &str, p: &ExportParams) -> Result<Response> {
    let (bytes, mime, ext) = match format {
        Format::Csv => (table.csv()?, "text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (
            table.xlsx()?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    // The period as given, kept to the characters a file name can carry.
    let safe = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect()
    };
    let name = format!("{stem}-{}-{}.{ext}", safe(&p.from), safe(&p.to));
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The views of the jobs reported in `[from, to)`, by reported time.
async fn views(state: &AppState, from: i64, to: i64) -> Result<Vec<fieldwork_model::JobView>> {
    let at = now();
    let render = state.clone();
    state
        .blocking(move |s| {
            let mut data = s.reported_between(from, to)?;
            data.sort_by(|a, b| (a.reported_at, &a.id).cmp(&(b.reported_at, &b.id)));
            data.iter().map(|d| render.render_data(d, at)).collect()
        })
        .await
}

/// A table of the period's jobs, as the file asked for.
async fn of_views(
    state: &AppState,
    p: &ExportParams,
    table: fn(&[fieldwork_model::JobView]) -> Table,
    stem: &str,
) -> Result<Response> {
    let (from, to, format) = period(p)?;
    let views = views(state, from, to).await?;
    file(&table(&views), format, stem, p)
}

/// `GET /api/v1/export/jobs`
#[utoipa::path(
    get,
    path = "/api/v1/export/jobs",
    tag = "service",
    params(ExportParams),
    responses((status = 200, description = "Jobs reported in the period, one per row", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[tracing::instrument(skip_all)]
pub async fn export_jobs(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<ExportParams>,
) -> Result<Response> {
    of_views(&state, &p, crate::export::jobs, "jobs").await
}

/// `GET /api/v1/export/visits`
#[utoipa::path(
    get,
    path = "/api/v1/export/visits",
    tag = "service",
    params(ExportParams),
    responses((status = 200, description = "The visit record of each job reported in the period", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[tracing::instrument(skip_all)]
pub async fn export_visits(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<ExportParams>,
) -> Result<Response> {
    of_views(&state, &p, crate::export::visits, "visits").await
}

/// `GET /api/v1/export/kpis`
#[utoipa::path(
    get,
    path = "/api/v1/export/kpis",
    tag = "service",
    params(ExportParams),
    responses((status = 200, description = "The period's KPIs, one per row", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
#[tracing::instrument(skip_all)]
pub async fn export_kpis(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<ExportParams>,
) -> Result<Response> {
    let (from, to, format) = period(&p)?;
    let at = now();
    let (kpis, parts) = state
        .blocking(move |s| {
            Ok((
                crate::office::kpi_report(s, from, to, at, None)?,
                fieldwork_office::stock::parts_accuracy(&super::stock::all_movements(s)?, from, to),
            ))
        })
        .await?;
    file(&crate::export::kpis(&kpis, &parts), format, "kpis", &p)
}
