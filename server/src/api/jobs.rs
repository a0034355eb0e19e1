//! Jobs (`/api/v1/jobs`): create, read, list, reschedule, reassign, reprioritise, notes,
//! parts, cancel.
//! Every edit runs inside [`Jobs::update_job`]'s transaction.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fieldwork_model::time::parse_rfc3339;
use fieldwork_model::{DISPATCH_ACTOR, JobDocument, JobView, NewJob, Priority, Status};
use fieldwork_store::{JobFilter, Storage};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::extract::{Body, Dispatcher, JobId, Params};
use super::time::{at_or_now, now};
use crate::error::{ErrorBody, RowError};
use crate::state::AppState;
use crate::{Error, Result};

pub(super) fn load(s: &dyn Storage, id: &str) -> Result<JobDocument> {
    Ok(s.document(id)?)
}

/// `POST /api/v1/jobs`
#[utoipa::path(
    post,
    path = "/api/v1/jobs",
    tag = "jobs",
    request_body(content = NewJob, example = json!({"id": "J-1001", "customer": {"name": "Acme Foods", "phone": "+86 21 5555 0100"}, "site": {"address": "88 Harbour Rd, Shanghai", "region": "city", "time_zone": "Asia/Shanghai"}, "asset": {"serial": "CH-2231", "model": "Chiller 40T"}, "problem": "Compressor trips on start", "priority": "high", "reported_at": "2026-12-06T15:20:00+08:00", "technician": "anna", "scheduled_start": "2026-12-07T09:00:00+08:00", "scheduled_end": "2026-12-07T11:00:00+08:00"})),
    responses((status = 201, description = "Created; the job as dispatch sees it", body = JobView), (status = 409, description = "A job with this id exists", body = ErrorBody))
)]
#[tracing::instrument(skip_all)]
pub async fn create_job(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(mut new): Body<NewJob>,
) -> Result<(StatusCode, Json<JobView>)> {
    let doc = state
        .blocking(move |s| {
            let doc = prepare(s, &mut new)?;
            s.create_job(&doc)?;
            Ok(doc)
        })
        .await?;
    let id = doc.data()?.id;
    tracing::info!(job = %id, "job created");
    state.live.jobs_changed(vec![id]);
    Ok((StatusCode::CREATED, Json(state.render(&doc, now())?)))
}

/// A new job's document as the office makes it (its id, or a fresh one; the terms from its
/// asset, contract and history; the assignee's name), checked and not yet stored.
fn prepare(s: &dyn Storage, new: &mut NewJob) -> Result<JobDocument> {
    if let Some(t) = &new.technician
        && !s.technician_exists(t)?
    {
        return Err(Error::BadRequest(
            "unknown_technician",
            format!("no technician {t}"),
        ));
    }
    let id = match &new.id {
        Some(id) => id.clone(),
        None => loop {
            let id = format!("J-{:08X}", rand::random::<u32>());
            if !s.job_exists(&id)? {
                break id;
            }
        },
    };
    let terms = crate::office::job_terms(s, new)?;
    let mut doc =
        JobDocument::create_with_terms(&id, new, &terms, DISPATCH_ACTOR, now(), s.actor()?)?;
    crate::office::name_assignee(s, &mut doc)?;
    Ok(doc)
}

/// Most jobs one batch may create.
pub const BATCH_MAX: usize = 1_000;

/// `POST /api/v1/jobs/batch`: up to [`BATCH_MAX`] jobs, each the body of `POST /api/v1/jobs`
/// with its `id` (the caller's: a retried batch finds them and creates nothing twice).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// Read one by one: a row that does not decode is that row's error, not the batch's.
    #[schema(value_type = Vec<NewJob>)]
    pub jobs: Vec<Value>,
}

/// What a batch did: the jobs it created, and the ones that existed already (a retry).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BatchAnswer {
    pub created: Vec<String>,
    pub existing: Vec<String>,
}

/// Whether a checked batch is stored, or only checked (the console's import preview).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Store {
    Yes,
    CheckOnly,
}

/// Checks a batch and creates it in one transaction: the jobs created (or, checking only,
/// that would be) and those that existed, or every row that cannot be taken ([`Error::Rows`])
/// with nothing stored.
pub(crate) fn create_all(s: &dyn Storage, jobs: Vec<Value>, store: Store) -> Result<BatchAnswer> {
    if jobs.len() > BATCH_MAX {
        return Err(Error::BadRequest(
            "too_many",
            format!(
                "a batch creates at most {BATCH_MAX} jobs; this one has {}",
                jobs.len()
            ),
        ));
    }
    let mut rows = Vec::new();
    let mut docs = Vec::with_capacity(jobs.len());
    let mut created = Vec::with_capacity(jobs.len());
    let mut existing = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, row) in jobs.into_iter().enumerate() {
        let mut new: NewJob = match serde_json::from_value(row) {
            Ok(new) => new,
            Err(e) => {
                rows.push(RowError::of(
                    index,
                    &Error::BadRequest("bad_json", e.to_string()),
                ));
                continue;
            }
        };
        let Some(id) = new.id.clone() else {
            rows.push(RowError::of(
                index,
                &Error::BadRequest(
                    "id_required",
                    "a batch's jobs carry their ids (a retry then creates nothing twice)".into(),
                ),
            ));
            continue;
        };
        if !seen.insert(id.clone()) {
            rows.push(RowError::of(
                index,
                &Error::BadRequest("duplicate_id", format!("job {id} is in the batch twice")),
            ));
            continue;
        }
        if s.job_exists(&id)? {
            existing.push(id);
            continue;
        }
        match prepare(s, &mut new) {
            Ok(doc) => {
                docs.push(doc);
                created.push(id);
            }
            Err(e) => rows.push(RowError::of(index, &e)),
        }
    }
    if !rows.is_empty() {
        return Err(Error::Rows(rows));
    }
    if store == Store::Yes {
        s.create_jobs(&docs)?;
    }
    Ok(BatchAnswer { created, existing })
}

/// `POST /api/v1/jobs/batch`: all or nothing.
#[utoipa::path(
    post,
    path = "/api/v1/jobs/batch",
    tag = "jobs",
    request_body = Batch,
    responses(
        (status = 201, description = "Every new job created, in one transaction", body = BatchAnswer),
        (status = 200, description = "Every job existed already: a retried batch", body = BatchAnswer),
        (status = 409, description = "A job was created by someone else meanwhile; retry", body = ErrorBody),
        (status = 422, description = "Rows that cannot be taken (`error.rows`); nothing stored", body = ErrorBody)
    )
)]
#[tracing::instrument(skip_all)]
pub async fn create_batch(
    State(state): State<AppState>,
    _: Dispatcher,
    body: std::result::Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<BatchAnswer>)> {
    let batch: Batch = super::json_body(body, super::BATCH_BODY_LIMIT)?;
    let answer = state
        .blocking(move |s| create_all(s, batch.jobs, Store::Yes))
        .await?;
    tracing::info!(
        created = answer.created.len(),
        existing = answer.existing.len(),
        "job batch"
    );
    state.live.jobs_changed(answer.created.clone());
    let status = if answer.created.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(answer)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AtParams {
    /// RFC 3339: render SLA states as of this instant instead of now.
    #[param(format = DateTime)]
    at: Option<String>,
}

/// `GET /api/v1/jobs/{id}?at=` (`at` optional, RFC 3339)
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}",
    tag = "jobs",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`"), AtParams),
    responses((status = 200, description = "The job", body = JobView), (status = 404, description = "No such job", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(job = %id))]
pub async fn get_job(
    State(state): State<AppState>,
    _: Dispatcher,
    JobId(id): JobId,
    Params(p): Params<AtParams>,
) -> Result<Json<JobView>> {
    let at = at_or_now(p.at.as_deref())?;
    let doc = state.blocking(move |s| load(s, &id)).await?;
    Ok(Json(state.render(&doc, at)?))
}

/// `GET /api/v1/jobs/{id}/heads` — the document heads (sorted hex), to compare replicas.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{id}/heads",
    tag = "jobs",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`")),
    responses((status = 200, description = "The job document's heads", body = Heads), (status = 404, description = "No such job", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(job = %id))]
pub async fn job_heads(
    State(state): State<AppState>,
    _: Dispatcher,
    JobId(id): JobId,
) -> Result<Json<Heads>> {
    let doc = state.blocking(move |s| load(s, &id)).await?;
    let mut heads = doc.heads();
    heads.sort();
    Ok(Json(Heads {
        heads: fieldwork_model::wire::heads_to_hex(&heads),
    }))
}

/// A job document's heads, sorted, as hex.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Heads {
    pub heads: Vec<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    technician: Option<String>,
    status: Option<String>,
    /// Report state: `none`, `signed`, `refused` or `changed_since_signed`.
    report: Option<String>,
    /// Rows in one page (default 500, at most 5,000).
    limit: Option<u32>,
    /// Where the page begins (`X-Next-Offset` of the page before).
    offset: Option<u32>,
}

/// `GET /api/v1/jobs?technician=&status=&report=&limit=&offset=`: oldest reported first.
#[utoipa::path(
    get,
    path = "/api/v1/jobs",
    tag = "jobs",
    params(ListParams),
    responses((status = 200, description = "Jobs, by reported time", body = Vec<JobView>,
        headers(("X-Next-Offset" = u32, description = "Where the next page begins, when more rows remain"))))
)]
#[tracing::instrument(skip_all)]
pub async fn list_jobs(
    State(state): State<AppState>,
    _: Dispatcher,
    Params(p): Params<ListParams>,
) -> Result<super::Paged<JobView>> {
    if let Some(s) = &p.status {
        s.parse::<Status>()?;
    }
    const REPORT_STATES: [&str; 4] = ["none", "signed", "refused", "changed_since_signed"];
    if let Some(r) = p.report.as_deref().filter(|r| !r.is_empty())
        && !REPORT_STATES.contains(&r)
    {
        return Err(Error::BadRequest(
            "invalid",
            format!(
                "report must be one of {}, got {r:?}",
                REPORT_STATES.join(", ")
            ),
        ));
    }
    let limit = p
        .limit
        .unwrap_or(super::PAGE_DEFAULT)
        .clamp(1, super::PAGE_MAX);
    let offset = p.offset.unwrap_or(0);
    let filter = JobFilter {
        technician: p.technician.filter(|t| !t.is_empty()),
        status: p.status.filter(|s| !s.is_empty()),
        open_only: false,
        report: p.report.filter(|r| !r.is_empty()),
        // One row more than the page: it says whether another page follows.
        limit: limit + 1,
        offset,
    };
    let render_state = state.clone();
    let views = state
        .blocking(move |s| {
            let now = now();
            s.map_documents(&filter, |doc| render_state.render(&doc, now))
        })
        .await?;
    Ok(super::Paged::fetched(views, limit, offset))
}

/// Runs a dispatch edit on a job inside the storage transaction and renders the result.
/// The edit must not call the storage (it holds the transaction).
async fn edit_job(
    state: &AppState,
    id: String,
    mut edit: impl FnMut(&mut JobDocument) -> Result<()> + Send + 'static,
) -> Result<Json<JobView>> {
    let changed = id.clone();
    let doc = state
        .blocking(move |s| {
            s.update_job(&id, &mut |doc| Ok(edit(doc)?))?
                .ok_or_else(|| Error::NotFound(format!("no job {id}")))
        })
        .await?;
    state.live.jobs_changed(vec![changed]);
    Ok(Json(state.render(&doc, now())?))
}

fn opt_time(field: &str, v: &Value) -> Result<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(parse_rfc3339(field, s)?)),
        _ => Err(Error::BadRequest(
            "invalid",
            format!("{field} must be an RFC 3339 string or null"),
        )),
    }
}

fn string_field(field: &str, v: &Value) -> Result<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| Error::BadRequest("invalid", format!("{field} must be a string")))
}

/// The body of `PATCH /api/v1/jobs/{id}`, as described to integrators: every field optional,
/// `null` clears a schedule or takes the job back into the unassigned tray. The handler reads
/// the body as a map (to tell a field sent as `null` from one not sent); a test keeps this
/// type's fields and [`PATCH_FIELDS`] the same.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct JobPatch {
    /// RFC 3339, or `null` to clear.
    #[schema(nullable)]
    #[schema(format = DateTime)]
    scheduled_start: Option<String>,
    /// RFC 3339, or `null` to clear.
    #[schema(nullable)]
    #[schema(format = DateTime)]
    scheduled_end: Option<String>,
    /// A registered technician's id, or `null` to unassign.
    #[schema(nullable)]
    #[schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    technician: Option<String>,
    priority: Option<Priority>,
    #[schema(min_length = 1)]
    problem: Option<String>,
    customer: Option<fieldwork_model::Customer>,
    site: Option<fieldwork_model::Site>,
}

/// What `PATCH /api/v1/jobs/{id}` may change.
pub const PATCH_FIELDS: [&str; 7] = [
    "scheduled_start",
    "scheduled_end",
    "technician",
    "priority",
    "problem",
    "customer",
    "site",
];

/// `PATCH /api/v1/jobs/{id}` with any of scheduled_start, scheduled_end, technician, priority,
/// problem, customer, site. `"technician": null` takes the job back into the unassigned tray.
#[utoipa::path(
    patch,
    path = "/api/v1/jobs/{id}",
    tag = "jobs",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`")), request_body(content = JobPatch, example = json!({"scheduled_start": "2026-12-08T14:00:00+08:00", "scheduled_end": "2026-12-08T16:00:00+08:00", "technician": "T-002"})),
    responses((status = 200, description = "The job after the change", body = JobView), (status = 404, description = "No such job", body = ErrorBody), (status = 409, description = "The job has ended (completed or cancelled)", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(job = %id))]
pub async fn patch_job(
    State(state): State<AppState>,
    _: Dispatcher,
    JobId(id): JobId,
    Body(patch): Body<Map<String, Value>>,
) -> Result<Json<JobView>> {
    const FIELDS: [&str; 7] = PATCH_FIELDS;
    if let Some(k) = patch.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(Error::BadRequest(
            "invalid",
            format!("unknown field {k}; PATCH takes {}", FIELDS.join(", ")),
        ));
    }
    // Validate everything before touching the document.
    let start = patch
        .get("scheduled_start")
        .map(|v| opt_time("scheduled_start", v))
        .transpose()?;
    let end = patch
        .get("scheduled_end")
        .map(|v| opt_time("scheduled_end", v))
        .transpose()?;
    // Some(None): unassign.
    let technician: Option<Option<String>> = patch
        .get("technician")
        .map(|v| match v {
            Value::Null => Ok(None),
            v => string_field("technician", v).map(Some),
        })
        .transpose()?;
    let priority = patch
        .get("priority")
        .map(|v| string_field("priority", v).and_then(|p| Ok(p.parse::<Priority>()?)))
        .transpose()?;
    let problem = patch
        .get("problem")
        .map(|v| string_field("problem", v))
        .transpose()?;
    // The whole contact or the whole site, as a job's creation takes them (the model checks
    // their fields as it does then).
    let customer: Option<fieldwork_model::Customer> = patch
        .get("customer")
        .cloned()
        .map(|v| {
            serde_json::from_value(v)
                .map_err(|e| Error::BadRequest("invalid", format!("customer: {e}")))
        })
        .transpose()?;
    let site: Option<fieldwork_model::Site> = patch
        .get("site")
        .cloned()
        .map(|v| {
            serde_json::from_value(v)
                .map_err(|e| Error::BadRequest("invalid", format!("site: {e}")))
        })
        .transpose()?;
    // The assignee's registered name goes into the job with the assignment.
    let mut assignee_name = None;
    if let Some(Some(t)) = technician.clone() {
        let name = state
            .blocking(move |s| crate::office::technician_name(s, &t))
            .await?;
        match name {
            Some(name) => assignee_name = Some(name),
            None => {
                let t = technician.flatten().unwrap_or_default();
                return Err(Error::BadRequest(
                    "unknown_technician",
                    format!("no technician {t}"),
                ));
            }
        }
    }
    edit_job(&state, id, move |doc| {
        // One read of the job: each field below is its own register, so comparing with the
        // job as it was before this PATCH is comparing with it as each setter leaves it.
        let before = doc.data()?;
        let new_start = start.unwrap_or(before.scheduled_start);
        let new_end = end.unwrap_or(before.scheduled_end);
        if (new_start, new_end) != (before.scheduled_start, before.scheduled_end) {
            doc.set_schedule(new_start, new_end)?;
        }
        if let Some(p) = priority
            && before.priority != p
        {
            doc.set_priority(p)?;
        }
        if let Some(p) = &problem
            && &before.problem != p
        {
            doc.set_problem(p)?;
        }
        if let Some(c) = &customer
            && &before.customer != c
        {
            doc.set_customer(c)?;
        }
        if let Some(s) = &site
            && &before.site != s
        {
            doc.set_site(s)?;
        }
        if let Some(t) = &technician
            && fieldwork_model::status::derive(&before.events).technician != *t
        {
            match t {
                Some(t) => doc.assign(t, DISPATCH_ACTOR, now())?,
                None => doc.unassign(DISPATCH_ACTOR, now())?,
            };
        }
        if let (Some(Some(t)), Some(name)) = (&technician, &assignee_name) {
            doc.set_person(t, name)?;
        }
        Ok(())
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    #[schema(min_length = 1, max_length = 16384)]
    text: String,
}

/// `POST /api/v1/jobs/{id}/notes`
#[utoipa::path(
    post,
    path = "/api/v1/jobs/{id}/notes",
    tag = "jobs",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`")), request_body = NoteBody,
    responses((status = 201, description = "The job with the note", body = JobView), (status = 404, description = "No such job", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(job = %id))]
pub async fn add_note(
    State(state): State<AppState>,
    _: Dispatcher,
    JobId(id): JobId,
    Body(note): Body<NoteBody>,
) -> Result<(StatusCode, Json<JobView>)> {
    let view = edit_job(&state, id, move |doc| {
        doc.add_note(DISPATCH_ACTOR, now(), &note.text)?;
        Ok(())
    })
    .await?;
    Ok((StatusCode::CREATED, view))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    #[schema(min_length = 1)]
    reason: String,
}

/// `POST /api/v1/jobs/{id}/cancel`
#[utoipa::path(
    post,
    path = "/api/v1/jobs/{id}/cancel",
    tag = "jobs",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`")), request_body = CancelBody,
    responses((status = 200, description = "The cancelled job", body = JobView), (status = 404, description = "No such job", body = ErrorBody), (status = 409, description = "The job has ended", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(job = %id))]
pub async fn cancel_job(
    State(state): State<AppState>,
    _: Dispatcher,
    JobId(id): JobId,
    Body(c): Body<CancelBody>,
) -> Result<Json<JobView>> {
    edit_job(&state, id, move |doc| {
        doc.cancel(&c.reason, DISPATCH_ACTOR, now())?;
        Ok(())
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartBody {
    sku: String,
    qty: u32,
    #[serde(default)]
    description: String,
    #[serde(default)]
    serial_in: Option<String>,
    #[serde(default)]
    serial_out: Option<String>,
    #[serde(default)]
    stock: Option<String>,
    #[serde(default)]
    unit_cost: Option<i64>,
    #[serde(default)]
    unit_price: Option<i64>,
}

/// `POST /api/v1/jobs/{id}/parts` — dispatch records a part for the job (e.g. shipped from the
/// warehouse), with its unit cost and list price in minor units.
#[utoipa::path(
    post,
    path = "/api/v1/jobs/{id}/parts",
    tag = "jobs",
    params(("id" = String, Path, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description = "The job's id, e.g. `J-0001`")), request_body = PartBody,
    responses((status = 201, description = "The job with the part line", body = JobView), (status = 404, description = "No such job", body = ErrorBody), (status = 409, description = "The job has ended", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(job = %id))]
pub async fn add_part(
    State(state): State<AppState>,
    _: Dispatcher,
    JobId(id): JobId,
    Body(b): Body<PartBody>,
) -> Result<(StatusCode, Json<JobView>)> {
    let part = fieldwork_model::NewPart {
        sku: b.sku,
        description: b.description,
        qty: b.qty,
        serial_in: b.serial_in,
        serial_out: b.serial_out,
        stock: b.stock,
        unit_cost: b.unit_cost,
        unit_price: b.unit_price,
    };
    let view = edit_job(&state, id, move |doc| {
        doc.add_part(&part, DISPATCH_ACTOR, now())?;
        Ok(())
    })
    .await?;
    Ok((StatusCode::CREATED, view))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The described PATCH body names exactly the fields the handler takes.
    #[test]
    fn the_described_patch_is_the_one_the_handler_reads() {
        let schema = serde_json::to_value(<JobPatch as utoipa::PartialSchema>::schema()).unwrap();
        let mut described: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        described.sort();
        let mut taken = PATCH_FIELDS.to_vec();
        taken.sort();
        assert_eq!(described, taken);
    }
}
