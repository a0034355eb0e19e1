//! Webhooks out (issue 22): the sender that takes due deliveries from the durable outbox and
//! POSTs them, signed, to their subscriptions; the watcher that records the events no stored
//! change causes (an SLA deadline passing, a stock level falling below its minimum); and the
//! address check against server-side request forgery.
//!
//! Each delivery is `{"id","event","created_at","data":{...,"job"}}` with
//! `X-Fieldwork-Delivery` (the same on every attempt: a receiver drops one it has seen) and
//! `X-Fieldwork-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. At least
//! once: a delivery is marked delivered only after a 2xx, so a crash between sending and
//! recording sends it again; one at a time per subscription and job, oldest first.

use std::net::SocketAddr;
use std::time::Duration;

use fieldwork_office::webhooks::{self, Fact};
use fieldwork_store::{Attempt, Delivery, Storage, Subscription};
use serde_json::json;

use crate::state::AppState;
use crate::{Error, Result};

/// How the office sends webhooks.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// Deliveries to loopback and private addresses are allowed (`--allow-private-webhooks`:
    /// a receiver on the office's own network, or a test's on loopback).
    pub allow_private: bool,
    /// The first retry's delay (ms); each next one triples, up to an hour.
    pub first_retry_ms: i64,
    /// How often the outbox is looked at when no change wakes the sender (ms): retries,
    /// deadlines, what another instance recorded.
    pub tick_ms: u64,
    /// Failed attempts in a row after which a subscription is paused.
    pub pause_after: u32,
    /// How often deadlines and stock levels are looked at for events (ms).
    pub watch_ms: i64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            allow_private: false,
            first_retry_ms: webhooks::FIRST_RETRY_MS,
            // A second: an event reaches its receiver within about that of the change.
            tick_ms: 1_000,
            pause_after: webhooks::PAUSE_AFTER_FAILURES,
            // A breach is news within a quarter of a minute; each look reads the open jobs.
            watch_ms: 15_000,
        }
    }
}

/// Longest a receiver may take to answer one delivery.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery is this instance's alone: well over [`SEND_TIMEOUT`].
const LEASE_MS: i64 = 60_000;
/// Deliveries sent at once (each to a different subscription or job).
const BATCH: u32 = 32;

/// Checks a subscription's URL: `http` or `https` with a host, and (unless private addresses
/// are allowed) every address the host resolves to public. Returns the URL and the addresses
/// to connect to (pinned: the name is not looked up again between the check and the
/// connection, so it cannot be pointed elsewhere in between).
pub async fn check_url(url: &str, allow_private: bool) -> Result<(reqwest::Url, Vec<SocketAddr>)> {
    let bad = |why: String| Error::BadRequest("bad_url", why);
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(format!("url {url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad("url must be http:// or https://".into()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(
            "url must not carry credentials; the secret signs each delivery".into(),
        ));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| bad("url has no host".into()))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed
        .port_or_known_default()
        .ok_or_else(|| bad("url has no port".into()))?;
    let addrs: Vec<SocketAddr> = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    .map_err(|_| bad(format!("{host} did not resolve within 5 s")))?
    .map_err(|e| bad(format!("{host} does not resolve: {e}")))?
    .collect();
    if addrs.is_empty() {
        return Err(bad(format!("{host} resolves to no address")));
    }
    if !allow_private && let Some(a) = addrs.iter().find(|a| !webhooks::is_public(a.ip())) {
        return Err(Error::BadRequest(
            "private_address",
            format!(
                "{host} resolves to {}, a loopback, private or reserved address: webhooks go \
                 only to public addresses unless the server runs with --allow-private-webhooks",
                a.ip()
            ),
        ));
    }
    Ok((parsed, addrs))
}

/// Starts the sender and the watcher on this instance (several instances share the outbox:
/// each delivery is claimed by one at a time).
pub fn spawn(state: AppState, serving: std::sync::Weak<()>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::spawn(async move {
        let mut watched_at = 0i64;
        // A change wakes the sender at once (a job's events were committed with it); the tick
        // is for retries, deadlines and what other instances recorded.
        let mut changes = Some(state.live.subscribe());
        while serving.strong_count() > 0 {
            let now = chrono::Utc::now().timestamp_millis();
            if now - watched_at >= state.webhooks.watch_ms {
                watched_at = now;
                if let Err(e) = state.blocking(move |s| watch(s, now)).await {
                    tracing::warn!(error = %e, "webhooks: cannot look at deadlines and stock");
                }
            }
            if let Err(e) = send_due(&state).await {
                tracing::warn!(error = %e, "webhooks: cannot read the outbox");
            }
            let tick = tokio::time::sleep(Duration::from_millis(state.webhooks.tick_ms));
            tokio::select! {
                () = tick => {}
                closed = next_change(&mut changes) => {
                    if closed {
                        // No more changes to hear of: the tick alone from here on.
                        changes = None;
                    }
                }
            }
        }
    });
}

/// Waits for the next change (a burst counts once); true when no more can come.
async fn next_change(
    changes: &mut Option<tokio::sync::broadcast::Receiver<fieldwork_store::Change>>,
) -> bool {
    let Some(c) = changes else {
        return std::future::pending().await;
    };
    match c.recv().await {
        Err(tokio::sync::broadcast::error::RecvError::Closed) => true,
        _ => {
            while c.try_recv().is_ok() {}
            false
        }
    }
}

/// Records the events time and stock cause: each breached SLA milestone of an open job once,
/// and each time a place's level of a part falls below its minimum (counting what is on its
/// way, as the levels' `low` flag does).
#[tracing::instrument(level = "debug", skip_all)]
fn watch(s: &dyn Storage, now: i64) -> Result<()> {
    if s.subscriptions()?.is_empty() {
        // Nobody listens; what is recorded now would be owed to nobody anyway (a new
        // subscription has what stands recorded first: `record_standing`).
        return Ok(());
    }
    record_standing(s, now)
}

/// Records the breaches and low levels that stand now, as facts (each once). Run before a new
/// subscription takes its place in the event log, so it is owed what happens from then on,
/// not every breach that stood before it existed.
pub fn record_standing(s: &dyn Storage, now: i64) -> Result<()> {
    let breached: Vec<Fact> = crate::office::escalation_rows(s, now, None)?
        .into_iter()
        .filter(|r| r.state == fieldwork_model::sla::MilestoneState::Breached)
        .map(|r| webhooks::sla_breached(&r.job, r.milestone, r.due))
        .collect();
    let mut facts = breached;
    // Each place's levels folded once, for all of its limits.
    let mut limits = s.stock_limits(None)?;
    limits.sort_by(|a, b| a.location.cmp(&b.location));
    for place in limits.chunk_by(|a, b| a.location == b.location) {
        let levels = crate::api::stock::levels_at(s, place[0].location.clone())?;
        for limit in place {
            let level = levels
                .levels
                .iter()
                .find(|l| l.sku == limit.sku)
                .map_or(0, |l| l.qty + l.in_transit);
            let recorded = s.fact_keys(&webhooks::stock_prefix(&limit.location, &limit.sku))?;
            facts.extend(webhooks::stock_episode(limit, level, &recorded, now));
        }
    }
    if !facts.is_empty() {
        let new = s.record_facts(&facts, now)?;
        if new > 0 {
            tracing::info!(new, "webhooks: deadline and stock events recorded");
        }
    }
    Ok(())
}

/// Owes the subscriptions what was recorded, then sends what is due, all at once (each is the
/// oldest of its subscription and job).
async fn send_due(state: &AppState) -> Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    let (subscriptions, due) = state
        .blocking(move |s| {
            let subscriptions = s.subscriptions()?;
            // Nobody subscribed: no write transaction every tick.
            if subscriptions.is_empty() {
                return Ok((subscriptions, Vec::new()));
            }
            s.fan_out(now)?;
            let due = s.claim_deliveries(now, LEASE_MS, BATCH)?;
            Ok((subscriptions, due))
        })
        .await?;
    let mut sends = tokio::task::JoinSet::new();
    for d in due {
        let Some(sub) = subscriptions
            .iter()
            .find(|s| s.id == d.subscription)
            .cloned()
        else {
            continue;
        };
        let state = state.clone();
        sends.spawn(async move {
            let attempt = deliver(&state, &sub, &d).await;
            let id = d.id.clone();
            if let Err(e) = state
                .blocking(move |s| Ok(s.record_delivery(&id, &attempt)?))
                .await
            {
                tracing::warn!(error = %e, delivery = %d.id, "webhooks: cannot record an attempt");
            }
        });
    }
    while sends.join_next().await.is_some() {}
    Ok(())
}

/// The body of a delivery: the same bytes on every attempt.
pub fn body(d: &Delivery) -> Vec<u8> {
    let data: serde_json::Value = serde_json::from_str(&d.data).unwrap_or(json!({}));
    let created_at = chrono::DateTime::from_timestamp_millis(d.created_at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let occurred_at = chrono::DateTime::from_timestamp_millis(d.at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    serde_json::to_vec(&json!({
        "id": format!("evt_{}", d.seq),
        "event": d.event,
        // When the office recorded it, and when it happened (a phone's clock for what a
        // phone recorded offline: it may be hours earlier).
        "created_at": created_at,
        "occurred_at": occurred_at,
        "data": data,
    }))
    .unwrap_or_default()
}

/// One attempt at a delivery.
#[tracing::instrument(skip_all, fields(delivery = %d.id, event = %d.event))]
async fn deliver(state: &AppState, sub: &Subscription, d: &Delivery) -> Attempt {
    let outcome = post(state, sub, d).await;
    let at = chrono::Utc::now().timestamp_millis();
    match outcome {
        Ok(status) if (200..300).contains(&status) => {
            tracing::info!(status, "webhook delivered");
            crate::metrics::webhook_attempt(true);
            Attempt::Delivered { at, status }
        }
        other => {
            let (status, error) = match other {
                Ok(status) => (Some(status), format!("answered {status}")),
                Err(e) => (None, e),
            };
            let retry_at =
                at + webhooks::retry_delay_ms(state.webhooks.first_retry_ms, d.attempts + 1);
            tracing::warn!(?status, %error, retry_at, "webhook not delivered, will retry");
            crate::metrics::webhook_attempt(false);
            Attempt::Failed {
                at,
                status,
                error,
                retry_at,
                pause_after: state.webhooks.pause_after,
            }
        }
    }
}

/// Mozilla's root certificates, parsed once: each attempt builds a client of its own (pinned
/// to the addresses it checked) but need not parse them again.
fn roots() -> std::result::Result<&'static [reqwest::Certificate], String> {
    static ROOTS: std::sync::OnceLock<std::result::Result<Vec<reqwest::Certificate>, String>> =
        std::sync::OnceLock::new();
    ROOTS
        .get_or_init(|| {
            webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .map(|der| reqwest::Certificate::from_der(der.as_ref()))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

async fn post(
    state: &AppState,
    sub: &Subscription,
    d: &Delivery,
) -> std::result::Result<u16, String> {
    // Checked again at each attempt: the name may resolve elsewhere since registration.
    let (url, addrs) = check_url(&sub.url, state.webhooks.allow_private)
        .await
        .map_err(|e| e.to_string())?;
    let host = url.host_str().unwrap_or_default().to_string();
    let client = reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        // Never follow a redirect: it could lead anywhere, the check above included.
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addrs)
        .tls_certs_only(roots()?.iter().cloned())
        .build()
        .map_err(|e| e.to_string())?;
    let body = body(d);
    let t = chrono::Utc::now().timestamp();
    let answer = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::USER_AGENT, "Fieldwork-Webhooks/1")
        .header("X-Fieldwork-Event", &d.event)
        .header("X-Fieldwork-Delivery", &d.id)
        .header(
            "X-Fieldwork-Signature",
            webhooks::signature(&sub.secret, t, &body),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    Ok(answer.status().as_u16())
}
