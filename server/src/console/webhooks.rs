//! The webhooks page (`/webhooks`, issue 22): subscriptions with their state in words (a paused
//! one says why and can be resumed), each one's recent deliveries with the receiver's last
//! answer, and a form to subscribe. Subscribing goes through the same check as the API
//! (`api::webhooks::subscribe`); a refusal is shown on the page beside the form.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use fieldwork_office::webhooks::EVENTS;
use fieldwork_store::{Delivery, SessionRecord, Subscription};

use super::i18n::Words;
use super::login::CsrfForm;
use super::{SignedIn, ms_local, office_zone, page, signed_in_form, words};
use crate::Error;
use crate::state::AppState;

/// Deliveries shown per subscription: the latest.
const RECENT: u32 = 20;

struct DeliveryRow {
    event: &'static str,
    about: String,
    delivered: bool,
    attempts: u32,
    when: String,
    answer: String,
}

struct SubscriptionRow {
    id: String,
    url: String,
    events: Vec<&'static str>,
    paused: bool,
    failures: u32,
    last_answer: String,
    deliveries: Vec<DeliveryRow>,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    w: &'static Words,
    user: String,
    csrf: String,
    live: u8,
    subscriptions: Vec<SubscriptionRow>,
    events: Vec<(&'static str, &'static str)>,
    /// A refused subscription: why, and what was typed (the secret is not put back).
    error: Option<String>,
    url: String,
}

fn answer(w: &Words, status: Option<u16>, error: Option<&str>) -> String {
    match (status, error) {
        (Some(s), _) => s.to_string(),
        (None, Some(e)) => format!("{}: {e}", w.webhooks("no_answer")),
        (None, None) => String::new(),
    }
}

async fn webhooks_page(
    state: &AppState,
    headers: &HeaderMap,
    session: SessionRecord,
    error: Option<String>,
    url: String,
) -> Response {
    let w = words(headers);
    let zone = office_zone();
    let loaded = state
        .blocking(|s| {
            let subs = s.subscriptions()?;
            let mut rows: Vec<(Subscription, Vec<Delivery>)> = Vec::with_capacity(subs.len());
            for sub in subs {
                let deliveries = s.deliveries(&sub.id, RECENT)?;
                rows.push((sub, deliveries));
            }
            Ok(rows)
        })
        .await;
    let rows = match loaded {
        Ok(rows) => rows,
        Err(e) => return e.into_response(),
    };
    let subscriptions = rows
        .into_iter()
        .map(|(s, deliveries)| SubscriptionRow {
            last_answer: match s.last_attempt_at {
                Some(at) => format!(
                    "{} · {}",
                    answer(w, s.last_status, s.last_error.as_deref()),
                    ms_local(Some(at), zone, "")
                ),
                None => String::new(),
            },
            events: s.events.iter().map(|e| w.event_name(e)).collect(),
            paused: s.paused_at.is_some(),
            failures: s.failures,
            deliveries: deliveries
                .into_iter()
                .map(|d| DeliveryRow {
                    event: w.event_name(&d.event),
                    delivered: d.delivered_at.is_some(),
                    attempts: d.attempts,
                    when: ms_local(Some(d.delivered_at.unwrap_or(d.next_at)), zone, ""),
                    answer: answer(w, d.last_status, d.last_error.as_deref()),
                    about: d.order,
                })
                .collect(),
            id: s.id,
            url: s.url,
        })
        .collect();
    page(WebhooksPage {
        w,
        user: session.user,
        csrf: session.csrf,
        live: 1,
        subscriptions,
        events: EVENTS.iter().map(|e| (*e, w.event_name(e))).collect(),
        error,
        url,
    })
}

/// `GET /webhooks`
pub(super) async fn webhooks(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    headers: HeaderMap,
) -> Response {
    webhooks_page(&state, &headers, session, None, String::new()).await
}

/// `POST /webhooks`: the form's fields (`events` once per box ticked).
pub(super) async fn subscribe(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let session = match signed_in_form(&state, &headers, &field("csrf")).await {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let new = serde_json::json!({
        "url": field("url"),
        "secret": field("secret"),
        "events": fields.iter().filter(|(k, _)| k == "events").map(|(_, v)| v).collect::<Vec<_>>(),
    });
    let outcome = match serde_json::from_value(new) {
        Ok(new) => crate::api::webhooks::subscribe(&state, new).await,
        Err(e) => Err(Error::BadRequest("invalid", e.to_string())),
    };
    match outcome {
        Ok(_) => Redirect::to("/webhooks").into_response(),
        Err(e @ (Error::BadRequest(..) | Error::Conflict(_))) => {
            webhooks_page(&state, &headers, session, Some(e.to_string()), field("url")).await
        }
        Err(e) => e.into_response(),
    }
}

/// A subscription's button: the form's CSRF token checked, the change made, back to the page.
async fn act(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
    change: impl FnOnce(&dyn fieldwork_store::Storage) -> crate::Result<bool> + Send + 'static,
) -> Response {
    if let Err(r) = signed_in_form(state, headers, csrf).await {
        return *r;
    }
    match state.blocking(change).await {
        Ok(true) => Redirect::to("/webhooks").into_response(),
        Ok(false) => Error::NotFound("no such webhook".into()).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /webhooks/{id}/resume`
pub(super) async fn resume(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let now = chrono::Utc::now().timestamp_millis();
    act(&state, &headers, &form.csrf, move |s| {
        Ok(s.resume_subscription(&id, now)?)
    })
    .await
}

/// `POST /webhooks/{id}/delete`
pub(super) async fn unsubscribe(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    act(&state, &headers, &form.csrf, move |s| {
        Ok(s.delete_subscription(&id)?)
    })
    .await
}
