//! Importing jobs from a CSV file (`/jobs/import`, issue 22): the dispatcher pastes or picks a
//! file, sees each row checked (a preview stores nothing), and imports the whole file or
//! nothing, through the same checks and the same transaction as `POST /api/v1/jobs/batch`.
//!
//! Columns, by header name (any order; blank cells are left out): `id` (required: a second
//! import of the same file creates nothing twice), `customer`, `phone`, `email`, `address`,
//! `region` (`city`, `province`, `remote`), `time_zone`, `asset_serial`, `asset_model`,
//! `problem`, `priority`, `technician`, `reported_at`, `scheduled_start`, `scheduled_end`
//! (RFC 3339), `contract`, `channel`.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::i18n::Words;
use super::{SignedIn, page, signed_in_form, words};
use crate::Error;
use crate::api::jobs::{Store, create_all};
use crate::state::AppState;

/// The columns a file may have.
pub const COLUMNS: [&str; 17] = [
    "id",
    "customer",
    "phone",
    "email",
    "address",
    "region",
    "time_zone",
    "asset_serial",
    "asset_model",
    "problem",
    "priority",
    "technician",
    "reported_at",
    "scheduled_start",
    "scheduled_end",
    "contract",
    "channel",
];

/// A row as the preview shows it.
struct RowView {
    /// Its line in the file (the header is line 1).
    line: usize,
    id: String,
    customer: String,
    technician: String,
    /// `ok`, `exists` or `error`.
    outcome: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "jobs_import.html")]
struct ImportPage {
    w: &'static Words,
    user: String,
    csrf: String,
    live: u8,
    csv: String,
    rows: Vec<RowView>,
    /// What happened: the file's problem, or how many jobs were imported.
    notice: Option<(bool, String)>,
    columns: String,
}

/// The file as the batch's rows (each a `POST /api/v1/jobs` body), or what is wrong with it.
fn rows_of(csv: &str, now: &str) -> Result<Vec<Value>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    if let Some(unknown) = header.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(format!(
            "unknown column {unknown:?}; the columns are {}",
            COLUMNS.join(", ")
        ));
    }
    if !header.iter().any(|h| h == "id") {
        return Err("the file needs an id column".into());
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let cell = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .filter(|v| !v.is_empty())
                .map(|v| json!(v))
        };
        let object = |fields: &[(&str, &str)]| {
            let map: Map<String, Value> = fields
                .iter()
                .filter_map(|(key, column)| cell(column).map(|v| (key.to_string(), v)))
                .collect();
            Value::Object(map)
        };
        let mut job = object(&[
            ("id", "id"),
            ("problem", "problem"),
            ("priority", "priority"),
            ("technician", "technician"),
            ("reported_at", "reported_at"),
            ("scheduled_start", "scheduled_start"),
            ("scheduled_end", "scheduled_end"),
            ("contract", "contract"),
            ("channel", "channel"),
        ]);
        job["customer"] = object(&[("name", "customer"), ("phone", "phone"), ("email", "email")]);
        job["site"] = object(&[
            ("address", "address"),
            ("region", "region"),
            ("time_zone", "time_zone"),
        ]);
        job["asset"] = object(&[("serial", "asset_serial"), ("model", "asset_model")]);
        if job.get("reported_at").is_none() {
            job["reported_at"] = json!(now);
        }
        rows.push(job);
    }
    if rows.is_empty() {
        return Err("the file has a header and no rows".into());
    }
    Ok(rows)
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// `GET /jobs/import`
pub(super) async fn import_page(SignedIn(session): SignedIn, headers: HeaderMap) -> Response {
    page(ImportPage {
        w: words(&headers),
        user: session.user,
        csrf: session.csrf,
        live: 0,
        csv: String::new(),
        rows: Vec::new(),
        notice: None,
        columns: COLUMNS.join(","),
    })
}

#[derive(serde::Deserialize)]
pub(super) struct ImportForm {
    csrf: String,
    csv: String,
    /// `preview` or `import`.
    action: String,
}

/// `POST /jobs/import`: a preview (nothing stored) or the import (all rows or none).
pub(super) async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<ImportForm>,
) -> Response {
    let session = match signed_in_form(&state, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let w = words(&headers);
    let store = if form.action == "import" {
        Store::Yes
    } else {
        Store::CheckOnly
    };
    let now = fieldwork_model::time::to_rfc3339(chrono::Utc::now().timestamp_millis());
    let mut rows = Vec::new();
    let notice = match rows_of(&form.csv, &now) {
        Err(problem) => Some((false, problem)),
        Ok(jobs) => {
            let shown: Vec<Value> = jobs.clone();
            let outcome = state
                .blocking(move |s| Ok(create_all(s, jobs, store)))
                .await;
            let outcome = match outcome {
                Ok(o) => o,
                Err(e) => return e.into_response(),
            };
            let (errors, existing) = match &outcome {
                Err(Error::Rows(errors)) => (errors.clone(), Vec::new()),
                Ok(answer) => (Vec::new(), answer.existing.clone()),
                Err(_) => (Vec::new(), Vec::new()),
            };
            for (i, job) in shown.iter().enumerate() {
                let id = text(&job["id"]);
                let error = errors.iter().find(|e| e.index == i);
                let (outcome, message) = match error {
                    Some(e) => ("error", e.message.clone()),
                    None if existing.contains(&id) => ("exists", w.import("exists").into()),
                    None => ("ok", String::new()),
                };
                rows.push(RowView {
                    line: i + 2,
                    id,
                    customer: text(&job["customer"]["name"]),
                    technician: text(&job["technician"]),
                    outcome,
                    message,
                });
            }
            match outcome {
                Ok(answer) if store == Store::Yes => Some((
                    true,
                    format!("{} {}", answer.created.len(), w.import("imported")),
                )),
                Ok(_) => None,
                Err(Error::Rows(errors)) => Some((
                    false,
                    format!("{} {}", errors.len(), w.import("rows_refused")),
                )),
                Err(e) => Some((false, e.to_string())),
            }
        }
    };
    if store == Store::Yes
        && let Some((true, _)) = &notice
    {
        state
            .live
            .jobs_changed(rows.iter().map(|r| r.id.clone()).collect());
    }
    page(ImportPage {
        w,
        user: session.user,
        csrf: session.csrf,
        live: 0,
        csv: form.csv,
        rows,
        notice,
        columns: COLUMNS.join(","),
    })
}
