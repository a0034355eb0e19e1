//! The dispatch console: server-rendered pages (askama templates in `server/templates`, one small
//! script and one stylesheet in `server/static`), served by `fieldwork-server` on the API's
//! listener. Dispatchers log in with a name and password (argon2id); the session is an HttpOnly,
//! SameSite=Strict cookie (Secure over TLS) and every state change carries the session's CSRF
//! token (a form field, or the `X-CSRF-Token` header on API calls the pages make). Pages update
//! live from a server-sent-events stream (`/events`). Why this stack: ADR 0007.

pub mod accounts;
mod board;
mod devices;
mod enroll_qr;
mod events;
mod i18n;
mod import;
pub mod live;
mod login;
mod search;
mod service;
mod stock;
mod timeline;
mod visit;
mod webhooks;

use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

pub use live::Live;

use crate::Error;
use crate::state::AppState;
use fieldwork_store::SessionRecord;
use i18n::Words;

/// The session cookie.
pub const SESSION_COOKIE: &str = "fw_session";
/// The login form's CSRF cookie (double submit: there is no session yet).
const LOGIN_CSRF_COOKIE: &str = "fw_login_csrf";

/// The console's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        // The day plan is the dispatch board; `/board` is the same jobs as a table.
        .route("/", get(|| async { Redirect::to("/timeline") }))
        .route("/login", get(login::login_page).post(login::login_submit))
        .route("/logout", post(login::logout))
        .route("/lang/{lang}", get(login::set_language))
        .route("/board", get(board::board))
        .route("/service", get(service::service_page))
        .route("/search", get(search::search))
        .route("/timeline", get(timeline::timeline))
        .route("/timeline/jobs", get(timeline::timeline_jobs))
        .route("/jobs/new", get(visit::new_job_page))
        .route(
            "/jobs/import",
            get(import::import_page).post(import::import),
        )
        .route("/jobs/{id}", get(visit::job_page))
        .route("/stock", get(stock::stock_page))
        .route("/devices", get(devices::devices))
        .route(
            "/webhooks",
            get(webhooks::webhooks).post(webhooks::subscribe),
        )
        .route("/webhooks/{id}/resume", post(webhooks::resume))
        .route("/webhooks/{id}/delete", post(webhooks::unsubscribe))
        .route("/devices/codes", post(devices::issue_code))
        .route("/devices/{id}/revoke", post(devices::revoke_device))
        .route("/events", get(events::events))
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

/// The signed-in dispatcher of a page request, as an extractor: a page handler that takes it
/// cannot forget the check (no live session: the request is answered with the redirect to the
/// login page before the handler runs).
pub(super) struct SignedIn(pub SessionRecord);

impl axum::extract::FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> std::result::Result<Self, Response> {
        signed_in(state, &parts.headers)
            .await
            .map(SignedIn)
            .map_err(|r| *r)
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

// --- the board -----------------------------------------------------------------------------

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
/// The office's time zone: every time the console shows or reads is on its clock, labelled.
pub(crate) const OFFICE_ZONE: &str = "Asia/Shanghai";

/// Most jobs a console page reads (board, search): far beyond a day's dispatch.
const PAGE_JOBS: u32 = 5000;

/// Every job as the office renders it now (up to [`PAGE_JOBS`]), inside a storage call.
fn all_views(
    s: &dyn fieldwork_store::Storage,
    state: &AppState,
) -> crate::Result<Vec<fieldwork_model::JobView>> {
    let now = chrono::Utc::now().timestamp_millis();
    let all = fieldwork_store::JobFilter {
        limit: PAGE_JOBS,
        ..fieldwork_store::JobFilter::default()
    };
    s.map_documents(&all, |doc| state.render(&doc, now))
}

fn office_zone() -> chrono_tz::Tz {
    chrono_tz::Asia::Shanghai
}

// --- devices -------------------------------------------------------------------------------

// --- live ----------------------------------------------------------------------------------
