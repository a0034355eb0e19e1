//! [`Webhooks`] on PostgreSQL: the event log (facts written by the change that caused them),
//! the subscriptions and the outbox of deliveries, which several instances share: a delivery
//! is claimed (`FOR UPDATE SKIP LOCKED`, then a lease) by one instance at a time.

use fieldwork_office::webhooks::Fact;
use fieldwork_store::*;
use tokio_postgres::Row;

use crate::error::{Failure, Pg};
use crate::sql::{col, exec, query, query_one, uint};
use crate::{PgStorage, Tx};

/// Records facts, each key once; returns how many were new. Inside the caller's transaction,
/// in one statement (one round trip for all of a job's events: this runs on every job write).
pub(crate) async fn record_facts_in(tx: &Tx<'_>, facts: &[Fact], now: i64) -> Pg<usize> {
    if facts.is_empty() {
        return Ok(0);
    }
    let keys: Vec<&str> = facts.iter().map(|f| f.key.as_str()).collect();
    let events: Vec<&str> = facts.iter().map(|f| f.event).collect();
    let orders: Vec<&str> = facts.iter().map(|f| f.order.as_str()).collect();
    let ats: Vec<i64> = facts.iter().map(|f| f.at).collect();
    let data: Vec<String> = facts.iter().map(|f| f.data.to_string()).collect();
    // `ORDER BY n`: numbers are taken in the facts' order (oldest first).
    let new = exec(
        &tx.sql,
        "INSERT INTO webhook_events (key, event, order_key, at, data, created_at)
         SELECT k, e, o, a, d, $6
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
              WITH ORDINALITY AS f(k, e, o, a, d, n)
         ORDER BY n
         ON CONFLICT (key) DO NOTHING",
        &[&keys, &events, &orders, &ats, &data, &now],
    )
    .await?;
    Ok(new as usize)
}

/// Locks the rows of the jobs these facts are about, in id order, before they take their
/// numbers: a write to the same job still to commit (it holds the row) commits first, so its
/// events are numbered, and delivered, before these. Not needed inside a job's own write,
/// which holds its row already.
pub(crate) async fn lock_jobs_of(tx: &Tx<'_>, facts: &[Fact]) -> Pg<()> {
    let mut jobs: Vec<&str> = facts
        .iter()
        .filter(|f| !f.order.starts_with("stock:"))
        .map(|f| f.order.as_str())
        .collect();
    if jobs.is_empty() {
        return Ok(());
    }
    jobs.sort_unstable();
    jobs.dedup();
    query(
        &tx.sql,
        "SELECT id FROM jobs WHERE id = ANY($1) ORDER BY id FOR UPDATE",
        &[&jobs],
    )
    .await?;
    Ok(())
}

fn status(v: Option<i32>) -> Option<u16> {
    v.and_then(|s| u16::try_from(s).ok())
}

fn subscription_row(r: &Row) -> Pg<Subscription> {
    let events: String = col(r, 2)?;
    Ok(Subscription {
        id: col(r, 0)?,
        url: col(r, 1)?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        secret: col(r, 3)?,
        created_at: col(r, 4)?,
        paused_at: col(r, 5)?,
        failures: uint(col(r, 6)?)?,
        last_attempt_at: col(r, 7)?,
        last_status: status(col(r, 8)?),
        last_error: col(r, 9)?,
    })
}

const SUBSCRIPTION: &str = "SELECT id, url, events, secret, created_at, paused_at, failures,
    last_attempt_at, last_status, last_error FROM webhook_subscriptions";

fn delivery_row(r: &Row) -> Pg<Delivery> {
    Ok(Delivery {
        id: col(r, 0)?,
        subscription: col(r, 1)?,
        seq: col(r, 2)?,
        event: col(r, 3)?,
        order: col(r, 4)?,
        created_at: col(r, 5)?,
        data: col(r, 6)?,
        attempts: uint(col(r, 7)?)?,
        next_at: col(r, 8)?,
        delivered_at: col(r, 9)?,
        last_status: status(col(r, 10)?),
        last_error: col(r, 11)?,
        at: col(r, 12)?,
    })
}

const DELIVERY: &str = "SELECT d.id, d.subscription, d.seq, e.event, d.order_key, e.created_at,
    e.data, d.attempts, d.next_at, d.delivered_at, d.last_status, d.last_error, e.at
    FROM webhook_deliveries d JOIN webhook_events e ON e.seq = d.seq";

impl Webhooks for PgStorage {
    #[tracing::instrument(level = "debug", skip_all, fields(subscription = %s.id))]
    fn add_subscription(&self, s: &Subscription) -> Result<()> {
        let events = serde_json::to_string(&s.events).map_err(|e| Error::Corrupt(e.to_string()))?;
        self.write(async |tx| {
            let added = exec(
                &tx.sql,
                "INSERT INTO webhook_subscriptions (id, url, events, secret, created_at, cursor)
                 SELECT $1, $2, $3, $4, $5, COALESCE(MAX(seq), 0) FROM webhook_events
                 ON CONFLICT (id) DO NOTHING",
                &[&s.id, &s.url, &events, &s.secret, &s.created_at],
            )
            .await?;
            if added == 0 {
                return Err(Failure(Error::Conflict(format!("webhook {} exists", s.id))));
            }
            Ok(())
        })
    }

    fn subscriptions(&self) -> Result<Vec<Subscription>> {
        self.read(async |c| {
            let rows = query(c, &format!("{SUBSCRIPTION} ORDER BY created_at, id"), &[]).await?;
            rows.iter().map(subscription_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(subscription = %s.id))]
    fn update_subscription(&self, s: &Subscription) -> Result<bool> {
        let events = serde_json::to_string(&s.events).map_err(|e| Error::Corrupt(e.to_string()))?;
        self.write(async |tx| {
            Ok(exec(
                &tx.sql,
                "UPDATE webhook_subscriptions SET url = $2, events = $3, secret = $4 WHERE id = $1",
                &[&s.id, &s.url, &events, &s.secret],
            )
            .await?
                == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(subscription = %id))]
    fn delete_subscription(&self, id: &str) -> Result<bool> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "DELETE FROM webhook_deliveries WHERE subscription = $1",
                &[&id],
            )
            .await?;
            Ok(exec(
                &tx.sql,
                "DELETE FROM webhook_subscriptions WHERE id = $1",
                &[&id],
            )
            .await?
                == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(subscription = %id))]
    fn resume_subscription(&self, id: &str, now: i64) -> Result<bool> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "UPDATE webhook_deliveries SET next_at = $2
                 WHERE subscription = $1 AND delivered_at IS NULL AND next_at > $2",
                &[&id, &now],
            )
            .await?;
            Ok(exec(
                &tx.sql,
                "UPDATE webhook_subscriptions SET paused_at = NULL, failures = 0 WHERE id = $1",
                &[&id],
            )
            .await?
                == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(facts = facts.len()))]
    fn record_facts(&self, facts: &[Fact], now: i64) -> Result<usize> {
        self.write(async |tx| {
            lock_jobs_of(tx, facts).await?;
            record_facts_in(tx, facts, now).await
        })
    }

    fn fact_keys(&self, prefix: &str) -> Result<Vec<String>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT key FROM webhook_events WHERE starts_with(key, $1) ORDER BY seq",
                &[&prefix],
            )
            .await?;
            rows.iter().map(|r| col(r, 0)).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn fan_out(&self, now: i64) -> Result<usize> {
        self.write(async |tx| {
            let settled: i64 = col(
                &query_one(
                    &tx.sql,
                    "SELECT COALESCE(MAX(seq), 0) FROM webhook_events WHERE created_at <= $1",
                    &[&(now - FAN_OUT_HORIZON_MS)],
                )
                .await?,
                0,
            )?;
            let subs = query(
                &tx.sql,
                "SELECT id, events, cursor FROM webhook_subscriptions",
                &[],
            )
            .await?;
            let mut added = 0;
            for sub in &subs {
                let (id, events, cursor): (String, String, i64) =
                    (col(sub, 0)?, col(sub, 1)?, col(sub, 2)?);
                added += exec(
                    &tx.sql,
                    "INSERT INTO webhook_deliveries (id, subscription, seq, order_key, next_at)
                     SELECT $1 || '-' || seq, $1, seq, order_key, $2 FROM webhook_events
                     WHERE seq > $3 AND event IN (SELECT json_array_elements_text(($4::text)::json))
                     ON CONFLICT DO NOTHING",
                    &[&id, &now, &cursor, &events],
                )
                .await?;
                exec(
                    &tx.sql,
                    "UPDATE webhook_subscriptions SET cursor = $2 WHERE id = $1 AND cursor < $2",
                    &[&id, &settled],
                )
                .await?;
            }
            Ok(added as usize)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn claim_deliveries(&self, now: i64, lease_ms: i64, limit: u32) -> Result<Vec<Delivery>> {
        self.write(async |tx| {
            // Rows another instance is claiming right now are skipped, not waited for.
            let ids = query(
                &tx.sql,
                "SELECT d.id FROM webhook_deliveries d
                 JOIN webhook_subscriptions s ON s.id = d.subscription
                 WHERE d.delivered_at IS NULL AND s.paused_at IS NULL AND d.next_at <= $1
                   AND (d.lease_until IS NULL OR d.lease_until <= $1)
                   AND d.seq = (SELECT MIN(o.seq) FROM webhook_deliveries o
                                WHERE o.subscription = d.subscription
                                  AND o.order_key = d.order_key AND o.delivered_at IS NULL)
                 ORDER BY d.next_at, d.seq LIMIT $2
                 FOR UPDATE OF d SKIP LOCKED",
                &[&now, &i64::from(limit)],
            )
            .await?;
            let mut claimed = Vec::with_capacity(ids.len());
            for row in &ids {
                let id: String = col(row, 0)?;
                exec(
                    &tx.sql,
                    "UPDATE webhook_deliveries SET lease_until = $2 WHERE id = $1",
                    &[&id, &(now + lease_ms)],
                )
                .await?;
                let row =
                    query_one(&tx.sql, &format!("{DELIVERY} WHERE d.id = $1"), &[&id]).await?;
                claimed.push(delivery_row(&row)?);
            }
            Ok(claimed)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(delivery = %id))]
    fn record_delivery(&self, id: &str, attempt: &Attempt) -> Result<()> {
        self.write(async |tx| {
            let (at, status, error, pause_after) = match attempt {
                Attempt::Delivered { at, status } => {
                    let status = i32::from(*status);
                    exec(
                        &tx.sql,
                        "UPDATE webhook_deliveries SET attempts = attempts + 1, delivered_at = $2,
                            last_status = $3, last_error = NULL, lease_until = NULL WHERE id = $1",
                        &[&id, at, &status],
                    )
                    .await?;
                    (*at, Some(status), None, i32::MAX)
                }
                Attempt::Failed {
                    at,
                    status,
                    error,
                    retry_at,
                    pause_after,
                } => {
                    let status = status.map(i32::from);
                    exec(
                        &tx.sql,
                        "UPDATE webhook_deliveries SET attempts = attempts + 1, next_at = $2,
                            last_status = $3, last_error = $4, lease_until = NULL WHERE id = $1",
                        &[&id, retry_at, &status, error],
                    )
                    .await?;
                    let pause_after = i32::try_from(*pause_after).unwrap_or(i32::MAX);
                    (*at, status, Some(error.clone()), pause_after)
                }
            };
            exec(
                &tx.sql,
                "UPDATE webhook_subscriptions SET last_attempt_at = $2, last_status = $3,
                    last_error = $4::text,
                    failures = CASE WHEN $4::text IS NULL THEN 0 ELSE failures + 1 END,
                    paused_at = CASE WHEN $4::text IS NOT NULL AND (failures + 1 >= $5
                                       OR (SELECT attempts FROM webhook_deliveries
                                           WHERE id = $1) >= $5) THEN $2
                                     ELSE paused_at END
                 WHERE id = (SELECT subscription FROM webhook_deliveries WHERE id = $1)",
                &[&id, &at, &status, &error, &pause_after],
            )
            .await?;
            Ok(())
        })
    }

    fn deliveries(&self, subscription: &str, limit: u32) -> Result<Vec<Delivery>> {
        self.read(async |c| {
            let rows = query(
                c,
                &format!("{DELIVERY} WHERE d.subscription = $1 ORDER BY d.seq DESC LIMIT $2"),
                &[&subscription, &i64::from(limit)],
            )
            .await?;
            rows.iter().map(delivery_row).collect()
        })
    }

    fn undelivered(&self) -> Result<u64> {
        self.read(async |c| {
            let n: i64 = col(
                &query_one(
                    c,
                    "SELECT COUNT(*) FROM webhook_deliveries WHERE delivered_at IS NULL",
                    &[],
                )
                .await?,
                0,
            )?;
            Ok(n.unsigned_abs())
        })
    }
}

/// Records the events of every job and complaint stored before migration 4 as the past (no
/// subscription existed then), once: instances starting together take the migration lock.
pub(crate) async fn backfill_facts(
    client: &mut deadpool_postgres::Client,
    actor: &automerge::ActorId,
) -> Pg<()> {
    let tx = client.transaction().await?;
    exec(
        &tx,
        "SELECT pg_advisory_xact_lock($1)",
        &[&crate::MIGRATION_LOCK],
    )
    .await?;
    let done = query(&tx, "SELECT 1 FROM meta WHERE key = 'webhook_facts'", &[]).await?;
    if done.is_empty() {
        let now = rows::now();
        let mut tx = Tx {
            sql: tx,
            feed: Vec::new(),
        };
        for row in query(&tx.sql, "SELECT doc FROM jobs", &[]).await? {
            let bytes: Vec<u8> = col(&row, 0)?;
            let data = fieldwork_model::JobDocument::load(&bytes, actor.clone())?.data()?;
            record_facts_in(
                &tx,
                &fieldwork_office::webhooks::job_facts(
                    &data,
                    &fieldwork_model::report::sealed(&data),
                )?,
                now,
            )
            .await?;
        }
        for row in query(&tx.sql, "SELECT id, job, received_at FROM complaints", &[]).await? {
            let (id, job, at): (String, String, i64) =
                (col(&row, 0)?, col(&row, 1)?, col(&row, 2)?);
            let fact = fieldwork_office::webhooks::complaint_opened(&id, &job, at);
            record_facts_in(&tx, &[fact], now).await?;
        }
        exec(
            &tx.sql,
            "INSERT INTO meta (key, value) VALUES ('webhook_facts', '1')",
            &[],
        )
        .await?;
        tx.feed.clear();
        tx.sql.commit().await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
}
