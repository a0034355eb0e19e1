//! The dispatch console: server-rendered pages (askama templates in `server/templates`, one small
//! script and one stylesheet in `server/static`), served by `fieldwork-server` on the API's
//! listener. Dispatchers log in with a name and password (argon2id); the session is an HttpOnly,
//! SameSite=Strict cookie (Secure over TLS) and every state change carries the session's CSRF
//! token (a form field, or the `X-CSRF-Token` header on API calls the pages make). Pages update
//! live from a server-sent-events stream (`/events`). Why this stack: ADR 0007.

pub mod accounts;
mod i18n;
pub mod live;
mod service;
mod visit;

use std::collections::BTreeMap;
use std::convert::Infallible;

use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use fieldwork_model::sla::MilestoneState;

pub use live::Live;

use crate::Error;
use crate::state::AppState;
use fieldwork_store::{JobFilter, SessionRecord, Technician};
use i18n::Words;

/// The session cookie.
pub const SESSION_COOKIE: &str = "fw_session";
/// The login form's CSRF cookie (double submit: there is no session yet).
const LOGIN_CSRF_COOKIE: &str = "fw_login_csrf";

/// The console's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/board") }))
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{lang}", get(set_language))
        .route("/board", get(board))
        .route("/service", get(service::service_page))
        .route("/jobs/new", get(visit::new_job_page))
        .route("/jobs/{id}", get(visit::job_page))
        .route("/devices", get(devices))
        .route("/devices/codes", post(issue_code))
        .route("/devices/{id}/revoke", post(revoke_device))
        .route("/events", get(events))
        .route(
            "/static/console.css",
            get(|| async { static_file("text/css", include_str!("../../static/console.css")) }),
        )
        .route(
            "/static/console.js",
            get(|| async {
                static_file("text/javascript", include_str!("../../static/console.js"))
            }),
        )
}

fn static_file(mime: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Defence in depth beside the CSRF tokens: a state change made with cookies (no
/// `Authorization` header) must come from the console's own pages. A browser says where a
/// request comes from in `Sec-Fetch-Site` and `Origin`; either one naming another site is
/// refused (403). Phones and scripts send neither and are not concerned.
pub fn same_origin(request: &Request) -> Result<(), Error> {
    let headers = request.headers();
    if request.method().is_safe() || headers.contains_key(header::AUTHORIZATION) {
        return Ok(());
    }
    let cross = || {
        Error::Forbidden(
            "a console change must come from the console's own pages (Origin / Sec-Fetch-Site)"
                .into(),
        )
    };
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return Err(cross());
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| request.uri().authority().map(|a| a.as_str()));
        let origin_host = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .map(|(_, rest)| rest);
        if origin_host.is_none() || origin_host != host {
            return Err(cross());
        }
    }
    Ok(())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Path=/, Secure when served over TLS.
fn set_cookie(name: &str, value: &str, max_age_s: i64, tls: bool) -> HeaderValue {
    let secure = if tls { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn words(headers: &HeaderMap) -> &'static Words {
    let lang = cookie(headers, "lang");
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    i18n::words(lang.as_deref(), accept)
}

/// A page handler's early answer (a redirect to the login page, a refusal), boxed: a response
/// is large.
type Early<T> = std::result::Result<T, Box<Response>>;

/// The signed-in dispatcher of a page request, or the redirect to the login page.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Early<SessionRecord> {
    let Some(token) = crate::auth::session_cookie(headers, SESSION_COOKIE) else {
        return Err(Box::new(Redirect::to("/login").into_response()));
    };
    match state.blocking(move |s| accounts::session(s, &token)).await {
        Ok(Some(session)) => Ok(session),
        Ok(None) => Err(Box::new(Redirect::to("/login").into_response())),
        Err(e) => Err(Box::new(e.into_response())),
    }
}

/// The signed-in dispatcher of a form post whose CSRF field is the session's token.
async fn signed_in_form(state: &AppState, headers: &HeaderMap, csrf: &str) -> Early<SessionRecord> {
    let session = signed_in(state, headers).await?;
    if !accounts::same_secret(csrf, &session.csrf) {
        let refused = Error::Forbidden(
            "the form's CSRF token does not match this session; reload the page".into(),
        );
        return Err(Box::new(refused.into_response()));
    }
    Ok(session)
}

fn page(template: impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Error::Internal(format!("cannot render a page: {e}")).into_response(),
    }
}

// --- login ---------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    w: &'static Words,
    csrf: String,
    error: Option<&'static str>,
    live: u8,
}

async fn login_page(headers: HeaderMap) -> Response {
    login_form(&headers, None, StatusCode::OK)
}

fn login_form(headers: &HeaderMap, error: Option<&'static str>, status: StatusCode) -> Response {
    let csrf = crate::auth::new_token();
    let mut response = page(LoginPage {
        w: words(headers),
        csrf: csrf.clone(),
        error,
        live: 0,
    });
    *response.status_mut() = status;
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, false),
    );
    response
}

#[derive(serde::Deserialize)]
struct LoginForm {
    name: String,
    password: String,
    csrf: String,
}

/// `POST /login`. Counted per client address first, then against the account ([`accounts::login`]).
async fn login_submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !accounts::same_secret(&form.csrf, &expected) {
        return Error::Forbidden(
            "the login form's CSRF token is missing or stale; reload the page".into(),
        )
        .into_response();
    }
    if let Err(e) = state.limits.login(Some(peer.ip())).await {
        return e.into_response();
    }
    let w = words(&headers);
    let outcome = accounts::login(&state.storage, &state.logins, &form.name, &form.password).await;
    match outcome {
        Ok(Ok(new)) => {
            let mut response = Redirect::to("/board").into_response();
            let max_age = accounts::SESSION_MS / 1000;
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &new.token, max_age, state.tls),
            );
            response
        }
        Ok(Err(accounts::LoginRefused::WrongNameOrPassword)) => {
            login_form(&headers, Some(w.wrong_login), StatusCode::UNAUTHORIZED)
        }
        Ok(Err(accounts::LoginRefused::Locked { retry_after_s })) => {
            let mut response = login_form(&headers, Some(w.locked), StatusCode::TOO_MANY_REQUESTS);
            if let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(r) = signed_in_form(&state, &headers, &form.csrf).await {
        return *r;
    }
    if let Some(token) = crate::auth::session_cookie(&headers, SESSION_COOKIE) {
        let hash = crate::auth::hash_secret(&token);
        if let Err(e) = state.blocking(move |s| accounts::logout(s, &token)).await {
            return e.into_response();
        }
        state.live.session_ended(&hash);
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.tls),
    );
    response
}

/// Only a preference: which language the pages use.
async fn set_language(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let lang = if lang == "zh-CN" { "zh-CN" } else { "en" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/board".into());
    let mut response = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "lang={lang}; Path=/; SameSite=Lax; Max-Age=31536000"
    )) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

// --- the board -----------------------------------------------------------------------------

#[derive(serde::Deserialize, Default)]
struct BoardQuery {
    day: Option<String>,
    status: Option<String>,
    region: Option<String>,
    technician: Option<String>,
}

struct Deadline {
    milestone: &'static str,
    at: String,
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

/// The most urgent open SLA milestone of a job and how it stands.
fn next_deadline(view: &fieldwork_model::JobView, zone: chrono_tz::Tz) -> Option<Deadline> {
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
    .map(|(milestone, state, due)| Deadline {
        milestone,
        at: local_time(due, zone),
        risk: match state {
            MilestoneState::Breached => "breached",
            MilestoneState::AtRisk => "at_risk",
            _ => "pending",
        },
    })
}

/// An RFC 3339 time as `MM-DD HH:MM` in `zone` (as given if it does not parse).
fn local_time(rfc3339: &str, zone: chrono_tz::Tz) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| ms_local(Some(t.timestamp_millis()), zone, rfc3339))
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// Epoch milliseconds as `MM-DD HH:MM` in `zone`; `never` when there is none.
fn ms_local(ms: Option<i64>, zone: chrono_tz::Tz, never: &str) -> String {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.with_timezone(&zone).format("%m-%d %H:%M").to_string())
        .unwrap_or_else(|| never.to_string())
}

/// Today in the office's zone.
fn office_today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&office_zone())
        .date_naive()
}

/// A page's `YYYY-MM-DD` query parameter, parsed as every date from outside is; a bad or
/// missing one is `None` (the page then shows its default).
fn query_date(value: Option<&str>) -> Option<chrono::NaiveDate> {
    value.and_then(|d| fieldwork_model::calendar::parse_date("day", d).ok())
}

/// The office's time zone: the demo's and the seeds' (a setting when offices span zones).
fn office_zone() -> chrono_tz::Tz {
    chrono_tz::Asia::Shanghai
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

async fn board(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<BoardQuery>,
) -> Response {
    let session = match signed_in(&state, &headers).await {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let w = words(&headers);
    let zone = office_zone();
    let day = query_date(q.day.as_deref()).unwrap_or_else(office_today);
    let render_state = state.clone();
    let loaded = state
        .blocking(move |s| {
            let now = chrono::Utc::now().timestamp_millis();
            let all = JobFilter {
                limit: 5000,
                ..JobFilter::default()
            };
            let views = s.map_documents(&all, |doc| render_state.render(&doc, now))?;
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
        let job = BoardJob {
            id: v.id.clone(),
            customer: v.customer.name.clone(),
            site: v.site.address.clone(),
            status: STATUSES
                .iter()
                .find(|s| **s == v.status.as_str())
                .copied()
                .unwrap_or("new"),
            priority: ["low", "normal", "high", "urgent"]
                .into_iter()
                .find(|p| *p == v.priority.as_str())
                .unwrap_or("normal"),
            deadline: next_deadline(v, zone),
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
        lanes,
    })
}

// --- devices -------------------------------------------------------------------------------

struct DeviceRow {
    device_id: String,
    name: String,
    technician: String,
    enrolled_at: String,
    last_sync_at: String,
    revoked: bool,
    /// Photos the technician's jobs reference that have not reached the office yet.
    pending_uploads: usize,
}

struct IssuedCode {
    technician: String,
    code: String,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    w: &'static Words,
    user: String,
    csrf: String,
    live: u8,
    technicians: Vec<Technician>,
    devices: Vec<DeviceRow>,
    code: Option<IssuedCode>,
}

async fn devices_page(
    state: &AppState,
    headers: &HeaderMap,
    session: SessionRecord,
    code: Option<IssuedCode>,
) -> Response {
    let w = words(headers);
    let zone = office_zone();
    let blobs = state.blobs.clone();
    let loaded = state
        .blocking(move |s| {
            // A job that references a photo the office lacks: its upload is still pending on the
            // phone of the technician who took it.
            let mut pending: BTreeMap<String, usize> = BTreeMap::new();
            let open = JobFilter {
                open_only: true,
                limit: 100_000,
                ..JobFilter::default()
            };
            let photos = s.map_contents(&open, |data| -> crate::Result<_> {
                Ok(data
                    .attachments
                    .into_iter()
                    .map(|(id, a)| (id, a.by))
                    .collect::<Vec<_>>())
            })?;
            for (id, by) in photos.into_iter().flatten() {
                if !blobs.has(&id) {
                    *pending.entry(by).or_default() += 1;
                }
            }
            Ok((s.technicians()?, s.devices()?, pending))
        })
        .await;
    let (technicians, devices, pending) = match loaded {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let devices = devices
        .into_iter()
        .map(|d| DeviceRow {
            enrolled_at: ms_local(Some(d.enrolled_at), zone, w.never),
            last_sync_at: ms_local(d.last_sync_at, zone, w.never),
            device_id: d.device_id,
            name: d.name,
            pending_uploads: pending.get(&d.technician).copied().unwrap_or(0),
            technician: d.technician,
            revoked: d.revoked,
        })
        .collect();
    page(DevicesPage {
        w,
        user: session.user,
        csrf: session.csrf,
        live: if code.is_some() { 0 } else { 1 },
        technicians,
        devices,
        code,
    })
}

async fn devices(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match signed_in(&state, &headers).await {
        Ok(session) => devices_page(&state, &headers, session, None).await,
        Err(r) => *r,
    }
}

#[derive(serde::Deserialize)]
struct CodeForm {
    csrf: String,
    technician: String,
}

async fn issue_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let session = match signed_in_form(&state, &headers, &form.csrf).await {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let technician = form.technician.clone();
    match state
        .blocking(move |s| crate::auth::issue_enroll_code(s, &technician))
        .await
    {
        Ok(code) => {
            devices_page(
                &state,
                &headers,
                session,
                Some(IssuedCode {
                    technician: form.technician,
                    code,
                }),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

async fn revoke_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(r) = signed_in_form(&state, &headers, &form.csrf).await {
        return *r;
    }
    match state.blocking(move |s| Ok(s.revoke_device(&id)?)).await {
        Ok(true) => Redirect::to("/devices").into_response(),
        Ok(false) => Error::NotFound("no such device".into()).into_response(),
        Err(e) => e.into_response(),
    }
}

// --- live ----------------------------------------------------------------------------------

/// The server-sent-events stream of changes for a signed-in page.
/// How often an open event stream checks that its session is still live, besides before every
/// event it sends: a session that expires or ends on another instance closes its streams within
/// this time.
const STREAM_SESSION_RECHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// `GET /events`: the live change stream of a signed-in page. At most
/// [`live::STREAMS_PER_SESSION`] per session; it closes when the session logs out, expires or
/// is revoked (checked before each event and every [`STREAM_SESSION_RECHECK`]).
async fn events(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(r) = signed_in(&state, &headers).await {
        return *r;
    }
    let Some(token) = crate::auth::session_cookie(&headers, SESSION_COOKIE) else {
        return Redirect::to("/login").into_response();
    };
    let session = crate::auth::hash_secret(&token);
    let Some(slot) = state.live.open_stream(&session) else {
        return Error::TooManyRequests {
            retry_after_secs: 5,
            message: format!(
                "this session already has {} live streams open: close a console tab",
                live::STREAMS_PER_SESSION
            ),
        }
        .into_response();
    };
    let mut changes = state.live.subscribe();
    let mut ended = state.live.ended();
    let stream = async_stream(move |tx| async move {
        let _slot = slot;
        let mut recheck = tokio::time::interval(STREAM_SESSION_RECHECK);
        recheck.tick().await;
        loop {
            let event = tokio::select! {
                change = changes.recv() => match change {
                    Ok(change) => Event::default()
                        .event("change")
                        .json_data(&change)
                        .unwrap_or_default(),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        Event::default().event("lagged").data("{}")
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                },
                gone = ended.recv() => match gone {
                    Ok(gone) if gone == session => break,
                    _ => continue,
                },
                _ = recheck.tick() => {
                    if !session_live(&state, &session).await {
                        break;
                    }
                    continue;
                }
                () = tx.closed() => break,
            };
            // Nothing reaches a page whose session ended since the last event.
            if !session_live(&state, &session).await {
                break;
            }
            if tx.send(Ok::<_, Infallible>(event)).await.is_err() {
                break;
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// Whether the session whose token hashes to `session` is still live (a database that cannot
/// answer counts as no: the page reconnects and is told).
async fn session_live(state: &AppState, session: &str) -> bool {
    let session = session.to_string();
    let now = chrono::Utc::now().timestamp_millis();
    matches!(
        state.blocking(move |s| Ok(s.session(&session, now)?)).await,
        Ok(Some(_))
    )
}

/// A stream fed by a task (a bounded channel): the task ends when the page goes away.
fn async_stream<F, Fut>(
    produce: F,
) -> tokio_stream_shim::ReceiverStream<std::result::Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<std::result::Result<Event, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(produce(tx));
    tokio_stream_shim::ReceiverStream(rx)
}

/// `tokio::sync::mpsc::Receiver` as a `futures_core::Stream` (what `Sse` takes).
mod tokio_stream_shim {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    pub struct ReceiverStream<T>(pub tokio::sync::mpsc::Receiver<T>);

    impl<T> futures_core::Stream for ReceiverStream<T> {
        type Item = T;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
            self.0.poll_recv(cx)
        }
    }
}
