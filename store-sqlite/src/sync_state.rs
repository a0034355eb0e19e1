//! [`SyncState`] on SQLite: the feed, the heads each device confirmed or was sent, the
//! epoch and healing after a restore.

use automerge::ChangeHash;
use rusqlite::{OptionalExtension, Transaction, params};

use fieldwork_store::rows::{blob_heads, cursor_value, heads_blob};
use fieldwork_store::*;

use crate::SqliteStorage;
use crate::error::Sql;

pub(crate) fn set_confirmed_in(
    tx: &Transaction,
    device: &str,
    job: &str,
    heads: &[ChangeHash],
) -> Sql<()> {
    tx.execute(
        "INSERT INTO device_docs (device, job, confirmed_heads) VALUES ((SELECT num FROM devices WHERE id = ?1), ?2, ?3)
         ON CONFLICT (device, job) DO UPDATE SET confirmed_heads = excluded.confirmed_heads",
        params![device, job, heads_blob(heads)],
    )?;
    Ok(())
}

impl SyncState for SqliteStorage {
    fn feed_since(&self, technician: &str, cursor: u64, limit: u32) -> Result<Vec<(u64, String)>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, job FROM feed WHERE technician = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![technician, cursor_value(cursor), limit], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device))]
    fn reset_device(&self, device: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM device_docs WHERE device = (SELECT num FROM devices WHERE id = ?1)",
                [device],
            )?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device, cursor))]
    fn promote_pending(&self, device: &str, cursor: u64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE device_docs SET confirmed_heads = sent_heads, sent_heads = NULL,
                        sent_cursor = NULL
                 WHERE device = (SELECT num FROM devices WHERE id = ?1) AND sent_cursor IS NOT NULL
                   AND sent_cursor <= ?2",
                params![device, cursor_value(cursor)],
            )?;
            Ok(())
        })
    }

    fn confirmed_heads(&self, device: &str, job: &str) -> Result<Option<Vec<ChangeHash>>> {
        self.read(|c| {
            let h: Option<Option<Vec<u8>>> = c
                .query_row(
                    "SELECT confirmed_heads FROM device_docs
                     WHERE device = (SELECT num FROM devices WHERE id = ?1) AND job = ?2",
                    params![device, job],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(h.flatten().map(|b| blob_heads(&b)))
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device, jobs = sent.len(), cursor))]
    fn set_pending(&self, device: &str, sent: &[(&str, &[ChangeHash])], cursor: u64) -> Result<()> {
        if sent.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO device_docs (device, job, sent_heads, sent_cursor)
                 VALUES ((SELECT num FROM devices WHERE id = ?1), ?2, ?3, ?4)
                 ON CONFLICT (device, job) DO UPDATE SET sent_heads = excluded.sent_heads,
                    sent_cursor = excluded.sent_cursor",
            )?;
            for (job, heads) in sent {
                stmt.execute(params![
                    device,
                    job,
                    heads_blob(heads),
                    cursor_value(cursor)
                ])?;
            }
            Ok(())
        })
    }

    fn epoch(&self) -> Result<String> {
        Ok(self.epoch.clone())
    }

    fn owes_healing(&self, device: &str) -> Result<bool> {
        self.read(|c| {
            let healed: Option<Option<String>> = c
                .query_row(
                    "SELECT healed_epoch FROM devices WHERE id = ?1",
                    [device],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(healed.flatten().is_some_and(|e| e != self.epoch))
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device))]
    fn healed(&self, device: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE devices SET healed_epoch = ?2 WHERE id = ?1",
                params![device, self.epoch],
            )?;
            Ok(())
        })
    }
}
