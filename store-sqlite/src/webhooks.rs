//! [`Webhooks`] on SQLite: the event log (facts written by the change that caused them), the
//! subscriptions and the outbox of deliveries.

use automerge::ActorId;
use fieldwork_model::JobDocument;
use fieldwork_office::webhooks::Fact;
use rusqlite::{Connection, Transaction, TransactionBehavior, params};

use fieldwork_store::*;

use crate::SqliteStorage;
use crate::error::Sql;

/// Records facts, each key once (a change stored again records nothing new); returns how many
/// were new. Runs inside the caller's transaction.
pub(crate) fn record_facts_in(tx: &Transaction, facts: &[Fact], now: i64) -> Sql<usize> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO webhook_events (key, event, order_key, at, data, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (key) DO NOTHING",
    )?;
    let mut new = 0;
    for f in facts {
        new += stmt.execute(params![
            f.key,
            f.event,
            f.order,
            f.at,
            f.data.to_string(),
            now
        ])?;
    }
    Ok(new)
}

/// Records the events of every job and complaint stored before migration 10 as the past (no
/// subscription existed then, so none is owed them), once, in one transaction: a job's next
/// change then adds only what that change caused.
pub(crate) fn backfill_facts(conn: &mut Connection, actor: &ActorId) -> Sql<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if crate::meta_value(&tx, "webhook_facts")?.is_none() {
        let now = rows::now();
        let docs: Vec<Vec<u8>> = {
            let mut stmt = tx.prepare("SELECT doc FROM jobs")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for bytes in docs {
            let data = JobDocument::load(&bytes, actor.clone())?.data()?;
            record_facts_in(
                &tx,
                &fieldwork_office::webhooks::job_facts(
                    &data,
                    &fieldwork_model::report::sealed(&data),
                )?,
                now,
            )?;
        }
        let complaints: Vec<(String, String, i64)> = {
            let mut stmt = tx.prepare("SELECT id, job, received_at FROM complaints")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (id, job, at) in complaints {
            let fact = fieldwork_office::webhooks::complaint_opened(&id, &job, at);
            record_facts_in(&tx, &[fact], now)?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('webhook_facts', '1')",
            [],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn subscription_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Subscription> {
    let events: String = r.get(2)?;
    Ok(Subscription {
        id: r.get(0)?,
        url: r.get(1)?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        secret: r.get(3)?,
        created_at: r.get(4)?,
        paused_at: r.get(5)?,
        failures: r.get(6)?,
        last_attempt_at: r.get(7)?,
        last_status: r.get(8)?,
        last_error: r.get(9)?,
    })
}

const SUBSCRIPTION: &str = "SELECT id, url, events, secret, created_at, paused_at, failures,
    last_attempt_at, last_status, last_error FROM webhook_subscriptions";

fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        subscription: r.get(1)?,
        seq: r.get(2)?,
        event: r.get(3)?,
        order: r.get(4)?,
        created_at: r.get(5)?,
        data: r.get(6)?,
        attempts: r.get(7)?,
        next_at: r.get(8)?,
        delivered_at: r.get(9)?,
        last_status: r.get(10)?,
        last_error: r.get(11)?,
        at: r.get(12)?,
    })
}

const DELIVERY: &str = "SELECT d.id, d.subscription, d.seq, e.event, d.order_key, e.created_at,
    e.data, d.attempts, d.next_at, d.delivered_at, d.last_status, d.last_error, e.at
    FROM webhook_deliveries d JOIN webhook_events e ON e.seq = d.seq";

impl Webhooks for SqliteStorage {
    #[tracing::instrument(level = "debug", skip_all, fields(subscription = %s.id))]
    fn add_subscription(&self, s: &Subscription) -> Result<()> {
        let events = serde_json::to_string(&s.events).map_err(|e| Error::Corrupt(e.to_string()))?;
        self.write(|tx| {
            let cursor: i64 = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM webhook_events",
                [],
                |r| r.get(0),
            )?;
            let added = tx.execute(
                "INSERT INTO webhook_subscriptions (id, url, events, secret, created_at, cursor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                params![s.id, s.url, events, s.secret, s.created_at, cursor],
            )?;
            if added == 0 {
                return Err(Error::Conflict(format!("webhook {} exists", s.id)).into());
            }
            Ok(())
        })
    }

    fn subscriptions(&self) -> Result<Vec<Subscription>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!("{SUBSCRIPTION} ORDER BY created_at, id"))?;
            let rows = stmt.query_map([], subscription_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(subscription = %s.id))]
    fn update_subscription(&self, s: &Subscription) -> Result<bool> {
        let events = serde_json::to_string(&s.events).map_err(|e| Error::Corrupt(e.to_string()))?;
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE webhook_subscriptions SET url = ?2, events = ?3, secret = ?4 WHERE id = ?1",
                params![s.id, s.url, events, s.secret],
            )? == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(subscription = %id))]
    fn delete_subscription(&self, id: &str) -> Result<bool> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM webhook_deliveries WHERE subscription = ?1",
                [id],
            )?;
            Ok(tx.execute("DELETE FROM webhook_subscriptions WHERE id = ?1", [id])? == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(subscription = %id))]
    fn resume_subscription(&self, id: &str, now: i64) -> Result<bool> {
        self.write(|tx| {
            tx.execute(
                "UPDATE webhook_deliveries SET next_at = ?2
                 WHERE subscription = ?1 AND delivered_at IS NULL AND next_at > ?2",
                params![id, now],
            )?;
            Ok(tx.execute(
                "UPDATE webhook_subscriptions SET paused_at = NULL, failures = 0 WHERE id = ?1",
                [id],
            )? == 1)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(facts = facts.len()))]
    fn record_facts(&self, facts: &[Fact], now: i64) -> Result<usize> {
        self.write(|tx| record_facts_in(tx, facts, now))
    }

    fn fact_keys(&self, prefix: &str) -> Result<Vec<String>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT key FROM webhook_events WHERE substr(key, 1, length(?1)) = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map([prefix], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn fan_out(&self, now: i64) -> Result<usize> {
        self.write(|tx| {
            let subs: Vec<(String, String, i64)> = {
                let mut stmt =
                    tx.prepare_cached("SELECT id, events, cursor FROM webhook_subscriptions")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                rows.collect::<Result<_, _>>()?
            };
            let settled: i64 = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM webhook_events WHERE created_at <= ?1",
                [now - FAN_OUT_HORIZON_MS],
                |r| r.get(0),
            )?;
            let mut added = 0;
            for (id, events, cursor) in subs {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO webhook_deliveries (id, subscription, seq, order_key, next_at)
                     SELECT ?1 || '-' || seq, ?1, seq, order_key, ?2 FROM webhook_events
                     WHERE seq > ?3 AND event IN (SELECT value FROM json_each(?4))
                     ON CONFLICT DO NOTHING",
                )?;
                added += stmt.execute(params![id, now, cursor, events])?;
                tx.execute(
                    "UPDATE webhook_subscriptions SET cursor = ?2 WHERE id = ?1 AND cursor < ?2",
                    params![id, settled],
                )?;
            }
            Ok(added)
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    fn claim_deliveries(&self, now: i64, lease_ms: i64, limit: u32) -> Result<Vec<Delivery>> {
        self.write(|tx| {
            let ids: Vec<String> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT d.id FROM webhook_deliveries d
                     JOIN webhook_subscriptions s ON s.id = d.subscription
                     WHERE d.delivered_at IS NULL AND s.paused_at IS NULL AND d.next_at <= ?1
                       AND (d.lease_until IS NULL OR d.lease_until <= ?1)
                       AND d.seq = (SELECT MIN(o.seq) FROM webhook_deliveries o
                                    WHERE o.subscription = d.subscription
                                      AND o.order_key = d.order_key AND o.delivered_at IS NULL)
                     ORDER BY d.next_at, d.seq LIMIT ?2",
                )?;
                let rows = stmt.query_map(params![now, limit], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            let mut claimed = Vec::with_capacity(ids.len());
            for id in ids {
                tx.execute(
                    "UPDATE webhook_deliveries SET lease_until = ?2 WHERE id = ?1",
                    params![id, now + lease_ms],
                )?;
                claimed.push(tx.query_row(
                    &format!("{DELIVERY} WHERE d.id = ?1"),
                    [&id],
                    delivery_row,
                )?);
            }
            Ok(claimed)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(delivery = %id))]
    fn record_delivery(&self, id: &str, attempt: &Attempt) -> Result<()> {
        self.write(|tx| {
            let (at, status, error) = match attempt {
                Attempt::Delivered { at, status } => {
                    tx.execute(
                        "UPDATE webhook_deliveries SET attempts = attempts + 1, delivered_at = ?2,
                            last_status = ?3, last_error = NULL, lease_until = NULL WHERE id = ?1",
                        params![id, at, status],
                    )?;
                    (*at, Some(*status), None)
                }
                Attempt::Failed {
                    at,
                    status,
                    error,
                    retry_at,
                    ..
                } => {
                    tx.execute(
                        "UPDATE webhook_deliveries SET attempts = attempts + 1, next_at = ?2,
                            last_status = ?3, last_error = ?4, lease_until = NULL WHERE id = ?1",
                        params![id, retry_at, status, error],
                    )?;
                    (*at, *status, Some(error.as_str()))
                }
            };
            let pause_after = match attempt {
                Attempt::Failed { pause_after, .. } => *pause_after,
                Attempt::Delivered { .. } => u32::MAX,
            };
            tx.execute(
                "UPDATE webhook_subscriptions SET last_attempt_at = ?2, last_status = ?3,
                    last_error = ?4,
                    failures = CASE WHEN ?4 IS NULL THEN 0 ELSE failures + 1 END,
                    paused_at = CASE WHEN ?4 IS NOT NULL AND (failures + 1 >= ?5
                                       OR (SELECT attempts FROM webhook_deliveries
                                           WHERE id = ?1) >= ?5) THEN ?2
                                     ELSE paused_at END
                 WHERE id = (SELECT subscription FROM webhook_deliveries WHERE id = ?1)",
                params![id, at, status, error, pause_after],
            )?;
            Ok(())
        })
    }

    fn deliveries(&self, subscription: &str, limit: u32) -> Result<Vec<Delivery>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "{DELIVERY} WHERE d.subscription = ?1 ORDER BY d.seq DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![subscription, limit], delivery_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn undelivered(&self) -> Result<u64> {
        self.read(|c| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM webhook_deliveries WHERE delivered_at IS NULL",
                [],
                |r| r.get(0),
            )?;
            Ok(n.unsigned_abs())
        })
    }
}
