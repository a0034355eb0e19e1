//! Webhook subscriptions (`/api/v1/webhooks`): dispatch registers where to POST which events;
//! the sender (`crate::webhooks`) delivers them from the durable outbox. A subscription that
//! keeps failing is paused and shows why; `resume` sends what it missed, in order.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use fieldwork_office::webhooks::EVENTS;
use fieldwork_store::{Delivery, Subscription};
use serde::{Deserialize, Serialize};

use super::extract::{Body, Dispatcher, Params, PathId};
use crate::error::ErrorBody;
use crate::state::AppState;
use crate::{Error, Result};
use fieldwork_model::time::to_rfc3339;

/// `POST /api/v1/webhooks`: where to send which events, and the secret that signs them.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://` (or `http://`) URL of a public address.
    #[schema(example = "https://erp.example.com/fieldwork/events")]
    url: String,
    /// Event names: `job.created`, `job.assigned`, `job.status_changed`, `report.signed`,
    /// `report.refused`, `complaint.opened`, `sla.breached`, `stock.below_minimum`.
    #[schema(example = json!(["job.created", "report.signed"]))]
    events: Vec<String>,
    /// 16 to 256 characters; the receiver verifies `X-Fieldwork-Signature` with it. Never
    /// answered back.
    #[schema(example = "whsec_2f9c1d0e8b7a6c5d")]
    secret: String,
}

/// A subscription as dispatch sees it (without its secret).
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebhookAnswer {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: String,
    /// `active`, or `paused` after its deliveries kept failing.
    pub status: &'static str,
    pub paused_at: Option<String>,
    /// Failed attempts in a row.
    pub failures: u32,
    pub last_attempt_at: Option<String>,
    /// The receiver's last answer (none when it did not answer).
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

impl From<Subscription> for WebhookAnswer {
    fn from(s: Subscription) -> Self {
        WebhookAnswer {
            status: if s.paused_at.is_some() {
                "paused"
            } else {
                "active"
            },
            id: s.id,
            url: s.url,
            events: s.events,
            created_at: to_rfc3339(s.created_at),
            paused_at: s.paused_at.map(to_rfc3339),
            failures: s.failures,
            last_attempt_at: s.last_attempt_at.map(to_rfc3339),
            last_status: s.last_status,
            last_error: s.last_error,
        }
    }
}

/// One event owed to a subscription, with its last answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryAnswer {
    /// `X-Fieldwork-Delivery`.
    pub id: String,
    /// The event's `id` in the body (`evt_<n>`).
    pub event_id: String,
    pub event: String,
    /// The job (or `stock:<location>`) the event is about.
    pub about: String,
    pub created_at: String,
    pub attempts: u32,
    /// `delivered`, or `pending` (with when it is tried next).
    pub status: &'static str,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

impl From<Delivery> for DeliveryAnswer {
    fn from(d: Delivery) -> Self {
        DeliveryAnswer {
            status: if d.delivered_at.is_some() {
                "delivered"
            } else {
                "pending"
            },
            next_attempt_at: d.delivered_at.is_none().then(|| to_rfc3339(d.next_at)),
            id: d.id,
            event_id: format!("evt_{}", d.seq),
            event: d.event,
            about: d.order,
            created_at: to_rfc3339(d.created_at),
            attempts: d.attempts,
            delivered_at: d.delivered_at.map(to_rfc3339),
            last_status: d.last_status,
            last_error: d.last_error,
        }
    }
}

/// The events asked for: known names, each once, at least one.
fn checked_events(asked: Vec<String>) -> Result<Vec<String>> {
    let mut events = Vec::new();
    for e in asked {
        if !EVENTS.contains(&e.as_str()) {
            return Err(Error::BadRequest(
                "invalid",
                format!("unknown event {e:?}; events are {}", EVENTS.join(", ")),
            ));
        }
        if !events.contains(&e) {
            events.push(e);
        }
    }
    if events.is_empty() {
        return Err(Error::BadRequest(
            "invalid",
            "events must name at least one event".into(),
        ));
    }
    Ok(events)
}

/// A secret long enough not to be guessed, short enough to be a secret and not a document.
fn checked_secret(secret: String) -> Result<String> {
    if !(16..=256).contains(&secret.chars().count()) {
        return Err(Error::BadRequest(
            "invalid",
            "secret must be 16 to 256 characters".into(),
        ));
    }
    Ok(secret)
}

/// Checks a new subscription and makes it (the URL's check resolves its host).
pub(crate) async fn subscribe(state: &AppState, new: NewWebhook) -> Result<Subscription> {
    let events = checked_events(new.events)?;
    let secret = checked_secret(new.secret)?;
    crate::webhooks::check_url(&new.url, state.webhooks.allow_private).await?;
    let subscription = Subscription {
        id: format!("wh_{:016x}", rand::random::<u64>()),
        url: new.url,
        events,
        secret,
        created_at: chrono::Utc::now().timestamp_millis(),
        paused_at: None,
        failures: 0,
        last_attempt_at: None,
        last_status: None,
        last_error: None,
    };
    let stored = subscription.clone();
    let now = subscription.created_at;
    state
        .blocking(move |s| {
            crate::webhooks::record_standing(s, now)?;
            Ok(s.add_subscription(&stored)?)
        })
        .await?;
    tracing::info!(webhook = %subscription.id, "webhook subscribed");
    Ok(subscription)
}

/// `POST /api/v1/webhooks`
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    request_body = NewWebhook,
    responses((status = 201, description = "Subscribed: owed every event recorded from now on", body = WebhookAnswer))
)]
#[tracing::instrument(skip_all)]
pub async fn create_webhook(
    State(state): State<AppState>,
    _: Dispatcher,
    Body(new): Body<NewWebhook>,
) -> Result<(StatusCode, Json<WebhookAnswer>)> {
    let subscription = subscribe(&state, new).await?;
    Ok((StatusCode::CREATED, Json(subscription.into())))
}

/// `GET /api/v1/webhooks`
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    tag = "webhooks",
    responses((status = 200, description = "Every subscription, oldest first", body = Vec<WebhookAnswer>))
)]
pub async fn list_webhooks(
    State(state): State<AppState>,
    _: Dispatcher,
) -> Result<Json<Vec<WebhookAnswer>>> {
    let subs = state.blocking(|s| Ok(s.subscriptions()?)).await?;
    Ok(Json(subs.into_iter().map(Into::into).collect()))
}

pub(crate) fn find(s: &dyn fieldwork_store::Storage, id: &str) -> Result<Subscription> {
    s.subscriptions()?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or_else(|| Error::NotFound(format!("no webhook {id}")))
}

/// `GET /api/v1/webhooks/{id}`
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 200, description = "The subscription", body = WebhookAnswer), (status = 404, description = "No such webhook", body = ErrorBody))
)]
pub async fn get_webhook(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(id): PathId,
) -> Result<Json<WebhookAnswer>> {
    let sub = state.blocking(move |s| find(s, &id)).await?;
    Ok(Json(sub.into()))
}

/// `PATCH /api/v1/webhooks/{id}`: any of a new URL, events or secret.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPatch {
    url: Option<String>,
    events: Option<Vec<String>>,
    /// A rotated secret signs every attempt from now on (those of deliveries already owed
    /// too): the receiver accepts both while it switches.
    #[schema(min_length = 16, max_length = 256)]
    secret: Option<String>,
}

/// `PATCH /api/v1/webhooks/{id}`: change where a subscription goes, what it hears, or rotate
/// its secret; what it is already owed keeps its order.
#[utoipa::path(
    patch,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    request_body = WebhookPatch,
    responses((status = 200, description = "The subscription as changed", body = WebhookAnswer), (status = 404, description = "No such webhook", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(webhook = %id))]
pub async fn update_webhook(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(id): PathId,
    Body(patch): Body<WebhookPatch>,
) -> Result<Json<WebhookAnswer>> {
    let events = patch.events.map(checked_events).transpose()?;
    let secret = patch.secret.map(checked_secret).transpose()?;
    if let Some(url) = &patch.url {
        crate::webhooks::check_url(url, state.webhooks.allow_private).await?;
    }
    let sub = state
        .blocking(move |s| {
            let mut sub = find(s, &id)?;
            if let Some(url) = patch.url {
                sub.url = url;
            }
            if let Some(events) = events {
                sub.events = events;
            }
            if let Some(secret) = secret {
                sub.secret = secret;
            }
            if !s.update_subscription(&sub)? {
                return Err(Error::NotFound(format!("no webhook {id}")));
            }
            Ok(sub)
        })
        .await?;
    tracing::info!(webhook = %sub.id, "webhook changed");
    Ok(Json(sub.into()))
}

/// `DELETE /api/v1/webhooks/{id}`: unsubscribes; what it was still owed is dropped.
#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 204, description = "Unsubscribed"), (status = 404, description = "No such webhook", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(webhook = %id))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(id): PathId,
) -> Result<StatusCode> {
    let gone = {
        let id = id.clone();
        state
            .blocking(move |s| Ok(s.delete_subscription(&id)?))
            .await?
    };
    if !gone {
        return Err(Error::NotFound(format!("no webhook {id}")));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/webhooks/{id}/resume`: a paused subscription sends again, from the oldest
/// event it was not delivered.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks/{id}/resume",
    tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id")),
    responses((status = 200, description = "Active again", body = WebhookAnswer), (status = 404, description = "No such webhook", body = ErrorBody))
)]
#[tracing::instrument(skip_all, fields(webhook = %id))]
pub async fn resume_webhook(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(id): PathId,
) -> Result<Json<WebhookAnswer>> {
    let sub = state
        .blocking(move |s| {
            if !s.resume_subscription(&id, chrono::Utc::now().timestamp_millis())? {
                return Err(Error::NotFound(format!("no webhook {id}")));
            }
            find(s, &id)
        })
        .await?;
    Ok(Json(sub.into()))
}

/// `?limit=` of a subscription's deliveries.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryParams {
    /// At most this many, newest first (default 100, at most 1000).
    limit: Option<u32>,
}

/// `GET /api/v1/webhooks/{id}/deliveries?limit=`: newest first, each with its last answer.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks/{id}/deliveries",
    tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id"), DeliveryParams),
    responses((status = 200, description = "Deliveries, newest first", body = Vec<DeliveryAnswer>), (status = 404, description = "No such webhook", body = ErrorBody))
)]
pub async fn list_deliveries(
    State(state): State<AppState>,
    _: Dispatcher,
    PathId(id): PathId,
    Params(p): Params<DeliveryParams>,
) -> Result<Json<Vec<DeliveryAnswer>>> {
    let limit = p.limit.unwrap_or(100).clamp(1, 1000);
    let rows = state
        .blocking(move |s| {
            find(s, &id)?;
            Ok(s.deliveries(&id, limit)?)
        })
        .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}
