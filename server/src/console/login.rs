//! Signing in and out: the login page and form (double-submit CSRF cookie, lockout and hashing
//! limits in `accounts.rs`), logout, and the language switch.

use askama::Template;
use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::accounts;
use super::i18n::Words;
use super::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, page, set_cookie, signed_in_form, words};
use crate::Error;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    w: &'static Words,
    csrf: String,
    error: Option<&'static str>,
    live: u8,
}

pub(super) async fn login_page(headers: HeaderMap) -> Response {
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
pub(super) struct LoginForm {
    name: String,
    password: String,
    csrf: String,
}

/// `POST /login`. Counted per client address first, then against the account ([`accounts::login`]).
pub(super) async fn login_submit(
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
            let mut response = Redirect::to("/timeline").into_response();
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
pub(super) struct CsrfForm {
    pub(super) csrf: String,
}

pub(super) async fn logout(
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
pub(super) async fn set_language(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let lang = if lang == "zh-CN" { "zh-CN" } else { "en" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/timeline".into());
    let mut response = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "lang={lang}; Path=/; SameSite=Lax; Max-Age=31536000"
    )) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}
