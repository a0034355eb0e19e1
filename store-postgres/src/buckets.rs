//! The rate limits' buckets in the database, shared by every instance.

use fieldwork_store::*;

use crate::PgStorage;
use crate::sql::*;

/// Buckets idle this long are full again whatever their kind (the slowest refills in a day):
/// their rows are deleted now and then.
const IDLE_BUCKET_MS: i64 = 2 * 24 * 3_600_000;

/// One take in every this many also deletes idle buckets.
const PRUNE_EVERY: u64 = 4096;

static TAKES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The rate limits' buckets in the database, so every instance counts the same client against
/// the same allowance. One statement per take: refill by the time since the last take (on the
/// database's clock, the one clock every instance shares), then take if there is enough, or if
/// the bucket is full (one oversized request passes and leaves debt, as in memory).
impl SharedBuckets for PgStorage {
    fn take(
        &self,
        kind: &str,
        key: &str,
        amount: f64,
        rate: f64,
        capacity: f64,
    ) -> Result<std::result::Result<(), std::time::Duration>> {
        let prune = TAKES
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY);
        let row = self.read(async |c| {
            if prune {
                exec(
                    c,
                    "DELETE FROM rate_buckets
                     WHERE at < (extract(epoch FROM clock_timestamp()) * 1000)::bigint - $1",
                    &[&IDLE_BUCKET_MS],
                )
                .await?;
            }
            query_one(
                c,
                "WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)
                 INSERT INTO rate_buckets AS b (kind, key, tokens, at, granted)
                 SELECT $1::text, $2::text, $5::float8 - $3::float8, ms, TRUE FROM now
                 ON CONFLICT (kind, key) DO UPDATE SET
                    granted = rate_level(b.tokens, b.at, excluded.at, $4, $5) >= least($3, $5),
                    tokens = rate_level(b.tokens, b.at, excluded.at, $4, $5)
                        - CASE WHEN rate_level(b.tokens, b.at, excluded.at, $4, $5)
                                    >= least($3, $5)
                               THEN $3 ELSE 0 END,
                    at = greatest(b.at, excluded.at)
                 RETURNING granted, tokens",
                &[&kind, &key, &amount, &rate, &capacity],
            )
            .await
        })?;
        let granted: bool = col(&row, 0)?;
        let tokens: f64 = col(&row, 1)?;
        if granted {
            return Ok(Ok(()));
        }
        let missing = (amount.min(capacity) - tokens).max(0.0);
        Ok(Err(std::time::Duration::from_secs_f64(
            missing / rate.max(1e-9),
        )))
    }
}
