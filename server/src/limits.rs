//! Abuse limits: one client, honest but broken or hostile, must not hurt the others.
//!
//! - Requests per credential (a bearer token, a console session, else the client's address):
//!   a token bucket; over it, `429 rate_limited` with `Retry-After`.
//! - Bytes a device pushes through sync, and attachment bytes it uploads, per device: byte
//!   buckets refilled per hour and per day. A lost or rooted phone cannot fill the office's disk
//!   faster than the upload budget, nor spend its CPU on endless pushes.
//! - Slow clients: a request's body must keep arriving (an idle gap over
//!   [`LimitConfig::body_idle`] ends it with 408) and the whole request must finish within
//!   [`LimitConfig::request_timeout`]; a trickling client holds a connection, never a worker.
//!
//! With one instance the buckets live in this process's memory: a restart forgives everyone,
//! which is the right side to err on for phones that did nothing wrong. Several instances on one
//! PostgreSQL database share theirs in a table ([`SharedBuckets`]), so a client cannot multiply
//! its allowance by the number of instances its requests are spread over.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The limits a server enforces. `Default` is for an office of a few thousand phones.
#[derive(Clone, Debug)]
pub struct LimitConfig {
    /// Sustained requests per second per credential; 0 turns request limits off.
    pub requests_per_second: f64,
    /// Requests a credential may make at once above the sustained rate.
    pub request_burst: f64,
    /// Sync body bytes one device may push per hour.
    pub pushed_bytes_per_hour: u64,
    /// Attachment bytes one device may upload per day.
    pub uploaded_bytes_per_day: u64,
    /// Longest a request may take, body included.
    pub request_timeout: Duration,
    /// Longest gap while a request's body is arriving.
    pub body_idle: Duration,
}

impl Default for LimitConfig {
    fn default() -> Self {
        LimitConfig {
            requests_per_second: 50.0,
            request_burst: 600.0,
            pushed_bytes_per_hour: 256 * 1024 * 1024,
            uploaded_bytes_per_day: 2 * 1024 * 1024 * 1024,
            request_timeout: Duration::from_secs(120),
            body_idle: Duration::from_secs(20),
        }
    }
}

/// Token buckets every server instance on one database shares (the PostgreSQL backend keeps
/// them in a table). Called on a blocking thread.
pub trait SharedBuckets: Send + Sync {
    /// Takes `amount` from `key`'s bucket of `kind` (refilled at `rate` per second up to
    /// `capacity`, full when first used), or says how long until it would be there.
    fn take(
        &self,
        kind: &str,
        key: &str,
        amount: f64,
        rate: f64,
        capacity: f64,
    ) -> Result<std::result::Result<(), Duration>>;
}

/// The three kinds of bucket.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Requests,
    Pushed,
    Uploaded,
}

impl Kind {
    /// The name a shared bucket is stored under.
    fn name(self) -> &'static str {
        match self {
            Kind::Requests => "requests",
            Kind::Pushed => "pushed",
            Kind::Uploaded => "uploaded",
        }
    }
}

/// The live buckets of one server.
pub struct Limits {
    pub config: LimitConfig,
    requests: Buckets,
    pushed: Buckets,
    uploaded: Buckets,
    /// Where the buckets are when several instances share a database (the local ones then only
    /// hold each kind's rate and capacity).
    shared: Option<Arc<dyn SharedBuckets>>,
}

impl Limits {
    /// Buckets in this process's memory (one instance).
    pub fn new(config: LimitConfig) -> Limits {
        const HOUR: f64 = 3600.0;
        let pushed = config.pushed_bytes_per_hour as f64;
        let uploaded = config.uploaded_bytes_per_day as f64;
        Limits {
            requests: Buckets::new(config.requests_per_second, config.request_burst),
            pushed: Buckets::new(pushed / HOUR, pushed),
            uploaded: Buckets::new(uploaded / (24.0 * HOUR), uploaded),
            config,
            shared: None,
        }
    }

    /// Buckets shared with the other instances on the same database.
    pub fn shared(config: LimitConfig, shared: Arc<dyn SharedBuckets>) -> Limits {
        Limits {
            shared: Some(shared),
            ..Limits::new(config)
        }
    }

    /// Counts one request of `who` (see [`credential_key`]).
    pub async fn request(self: &Arc<Self>, who: &str) -> Result<()> {
        if self.config.requests_per_second <= 0.0 {
            return Ok(());
        }
        self.take(Kind::Requests, who, 1.0)
            .await?
            .map_err(|wait| limited(wait, "too many requests from this client"))
    }

    /// Counts `bytes` of sync body pushed by `device`.
    pub async fn pushed(self: &Arc<Self>, device: &str, bytes: usize) -> Result<()> {
        self.take(Kind::Pushed, device, bytes as f64)
            .await?
            .map_err(|wait| {
                limited(
                    wait,
                    "this device pushed more than its hourly sync budget; its work is kept on the phone",
                )
            })
    }

    /// Counts `bytes` of attachment uploaded by `device`.
    pub async fn uploaded(self: &Arc<Self>, device: &str, bytes: usize) -> Result<()> {
        self.take(Kind::Uploaded, device, bytes as f64)
            .await?
            .map_err(|wait| {
                limited(
                    wait,
                    "this device uploaded more than its daily photo budget; photos stay on the phone",
                )
            })
    }

    /// Takes from the bucket of `kind`, in memory or, when shared, in the database (on a
    /// blocking thread: a request worker never waits on the database).
    async fn take(
        self: &Arc<Self>,
        kind: Kind,
        key: &str,
        amount: f64,
    ) -> Result<std::result::Result<(), Duration>> {
        let local = match kind {
            Kind::Requests => &self.requests,
            Kind::Pushed => &self.pushed,
            Kind::Uploaded => &self.uploaded,
        };
        let Some(shared) = &self.shared else {
            return Ok(local.take(key, amount));
        };
        let (shared, key) = (shared.clone(), key.to_string());
        let (rate, capacity) = (local.rate, local.capacity);
        tokio::task::spawn_blocking(move || shared.take(kind.name(), &key, amount, rate, capacity))
            .await
            .map_err(|e| Error::Internal(format!("rate limit check: {e}")))?
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(LimitConfig::default())
    }
}

fn limited(wait: Duration, message: &str) -> Error {
    Error::TooManyRequests {
        retry_after_secs: wait.as_secs().max(1),
        message: message.into(),
    }
}

/// The key a request is counted under: its bearer token or console session (hashed, so the
/// buckets hold no secret), else the client's address.
pub fn credential_key(headers: &axum::http::HeaderMap, peer: Option<std::net::IpAddr>) -> String {
    let secret = headers
        .get(axum::http::header::AUTHORIZATION)
        .or_else(|| headers.get(axum::http::header::COOKIE))
        .map(|v| v.as_bytes());
    match (secret, peer) {
        (Some(s), _) => hex::encode(&Sha256::digest(s)[..12]),
        (None, Some(ip)) => format!("ip:{ip}"),
        (None, None) => "anonymous".into(),
    }
}

/// Token buckets by key: `rate` tokens per second up to `capacity`.
struct Buckets {
    rate: f64,
    capacity: f64,
    map: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Keys kept before idle (full) buckets are dropped.
const PRUNE_AT: usize = 20_000;

impl Buckets {
    fn new(rate: f64, capacity: f64) -> Buckets {
        Buckets {
            rate,
            capacity,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Takes `amount` tokens, or says how long until they would be there.
    fn take(&self, key: &str, amount: f64) -> std::result::Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.map.lock();
        if map.len() >= PRUNE_AT {
            let (rate, capacity) = (self.rate, self.capacity);
            map.retain(|_, b| b.level(now, rate, capacity) < capacity);
        }
        let bucket = map.entry(key.to_string()).or_insert(Bucket {
            tokens: self.capacity,
            at: now,
        });
        let level = bucket.level(now, self.rate, self.capacity);
        bucket.at = now;
        // A single request larger than the whole bucket still passes when the bucket is full,
        // leaving it in debt: a limit on the rate, not on one body's size (routes cap those).
        if level >= amount || level >= self.capacity {
            bucket.tokens = level - amount;
            Ok(())
        } else {
            bucket.tokens = level;
            let missing = amount.min(self.capacity) - level;
            Err(Duration::from_secs_f64(missing / self.rate.max(1e-9)))
        }
    }
}

impl Bucket {
    fn level(&self, now: Instant, rate: f64, capacity: f64) -> f64 {
        let elapsed = now.duration_since(self.at).as_secs_f64();
        (self.tokens + elapsed * rate).min(capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_says_when_to_come_back() {
        let b = Buckets::new(2.0, 5.0);
        for _ in 0..5 {
            assert!(b.take("a", 1.0).is_ok());
        }
        let wait = b.take("a", 1.0).expect_err("over the burst");
        assert!(
            wait <= Duration::from_millis(500) && wait > Duration::ZERO,
            "{wait:?}"
        );
        // Another key has its own bucket.
        assert!(b.take("b", 1.0).is_ok());
    }

    #[test]
    fn one_oversized_amount_passes_on_a_full_bucket_and_leaves_debt() {
        let b = Buckets::new(1.0, 10.0);
        assert!(b.take("a", 25.0).is_ok());
        assert!(b.take("a", 1.0).is_err());
    }

    #[test]
    fn keys_never_hold_the_secret() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            axum::http::header::AUTHORIZATION,
            axum::http::HeaderValue::from_static("Bearer fw_secret"),
        );
        let key = credential_key(&h, None);
        assert!(!key.contains("secret"));
        assert_eq!(key, credential_key(&h, Some([127, 0, 0, 1].into())));
        assert_eq!(
            credential_key(&axum::http::HeaderMap::new(), Some([10, 0, 0, 1].into())),
            "ip:10.0.0.1"
        );
    }
}
