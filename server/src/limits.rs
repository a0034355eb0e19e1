//! Abuse limits: one client, honest but broken or hostile, must not hurt the others.
//!
//! - Requests per verified principal (a device, a dispatcher token, a console session; anything
//!   that did not verify counts against the client's address): a token bucket; over it,
//!   `429 rate_limited` with `Retry-After`. A made-up credential buys no bucket of its own.
//! - Console logins per client address: a small bucket of its own, beside the account lockout.
//! - Connections (`crate::listener`): per client address and overall, and how long a connection
//!   may take to send a request's headers.
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
    /// Longest a connection with no request in flight (new, kept alive, or HTTP/2 with no open
    /// stream) may take to send a request's headers before it is closed.
    pub header_read_timeout: Duration,
    /// Connections one client address may hold open at once.
    pub connections_per_address: usize,
    /// Connections the server holds open at once.
    pub connections_total: usize,
    /// Console login attempts per client address: sustained per minute, and at once.
    pub logins_per_minute: f64,
    pub login_burst: f64,
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
            // Our clients send a request's headers in one packet; ten seconds covers a retransmit
            // or two on a bad cellular link.
            header_read_timeout: Duration::from_secs(10),
            // Phones behind one carrier NAT share an address, but each holds one connection for
            // a few seconds per sync: 256 at once is far above an honest crowd.
            connections_per_address: 256,
            // Below the descriptors a default service gets (often 16k-64k), with room for the
            // database, files and logs.
            connections_total: 10_000,
            // A dispatcher who mistypes a few times is never stopped; a script guessing is.
            logins_per_minute: 10.0,
            login_burst: 20.0,
        }
    }
}

pub use fieldwork_store::SharedBuckets;

/// The kinds of bucket.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Requests,
    Pushed,
    Uploaded,
    Logins,
}

impl Kind {
    /// The name a shared bucket is stored under.
    fn name(self) -> &'static str {
        match self {
            Kind::Requests => "requests",
            Kind::Pushed => "pushed",
            Kind::Uploaded => "uploaded",
            Kind::Logins => "logins",
        }
    }
}

/// The live buckets of one server.
pub struct Limits {
    pub config: LimitConfig,
    requests: Buckets,
    pushed: Buckets,
    uploaded: Buckets,
    logins: Buckets,
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
            logins: Buckets::new(config.logins_per_minute / 60.0, config.login_burst),
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

    /// Counts one console login attempt from `address`.
    pub async fn login(self: &Arc<Self>, address: Option<std::net::IpAddr>) -> Result<()> {
        if self.config.logins_per_minute <= 0.0 {
            return Ok(());
        }
        let key = address.map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
        self.take(Kind::Logins, &key, 1.0)
            .await?
            .map_err(|wait| limited(wait, "too many login attempts from this address"))
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
            Kind::Logins => &self.logins,
        };
        let Some(shared) = &self.shared else {
            return Ok(local.take(key, amount));
        };
        let (shared, key) = (shared.clone(), key.to_string());
        let (rate, capacity) = (local.rate, local.capacity);
        let taken = tokio::task::spawn_blocking(move || {
            shared.take(kind.name(), &key, amount, rate, capacity)
        })
        .await
        .map_err(|e| Error::Internal(format!("rate limit check: {e}")))?;
        Ok(taken?)
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
}
