//! [`SyncState`] on PostgreSQL: the per-technician feed, the heads each device confirmed or
//! was sent, the epoch and healing after a restore.

use std::collections::HashMap;

use automerge::ChangeHash;

use fieldwork_store::rows::{blob_heads, cursor_value, heads_blob};
use fieldwork_store::*;

use crate::PgStorage;
use crate::sql::*;

impl SyncState for PgStorage {
    fn feed_since(&self, technician: &str, cursor: u64, limit: u32) -> Result<Vec<(u64, String)>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT seq, job FROM feed WHERE technician = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                &[&technician, &cursor_value(cursor), &i64::from(limit)],
            )
            .await?;
            rows.iter()
                .map(|r| Ok((col::<i64>(r, 0)? as u64, col(r, 1)?)))
                .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device))]
    fn reset_device(&self, device: &str) -> Result<()> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "DELETE FROM device_docs WHERE device = (SELECT num FROM devices WHERE id = $1)",
                &[&device],
            )
            .await?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device, cursor))]
    fn promote_pending(&self, device: &str, cursor: u64) -> Result<()> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "UPDATE device_docs SET confirmed_heads = sent_heads, sent_heads = NULL,
                        sent_cursor = NULL
                 WHERE device = (SELECT num FROM devices WHERE id = $1)
                   AND sent_cursor IS NOT NULL AND sent_cursor <= $2",
                &[&device, &cursor_value(cursor)],
            )
            .await?;
            Ok(())
        })
    }

    fn confirmed_heads(&self, device: &str, job: &str) -> Result<Option<Vec<ChangeHash>>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT confirmed_heads FROM device_docs
                 WHERE device = (SELECT num FROM devices WHERE id = $1) AND job = $2",
                &[&device, &job],
            )
            .await?;
            let blob: Option<Vec<u8>> = row.map(|r| col(&r, 0)).transpose()?.flatten();
            Ok(blob.map(|b| blob_heads(&b)))
        })
    }

    fn confirmed_heads_of(
        &self,
        device: &str,
        jobs: &[String],
    ) -> Result<Vec<Option<Vec<ChangeHash>>>> {
        let rows = self.read(async |c| {
            query(
                c,
                "SELECT job, confirmed_heads FROM device_docs
                 WHERE device = (SELECT num FROM devices WHERE id = $1) AND job = ANY($2)",
                &[&device, &jobs],
            )
            .await
        })?;
        let mut held: HashMap<String, Vec<u8>> = HashMap::with_capacity(rows.len());
        for r in &rows {
            if let Some(blob) = col::<Option<Vec<u8>>>(r, 1)? {
                held.insert(col(r, 0)?, blob);
            }
        }
        Ok(jobs
            .iter()
            .map(|job| held.get(job).map(|b| blob_heads(b)))
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device, jobs = sent.len(), cursor))]
    fn set_pending(&self, device: &str, sent: &[(&str, &[ChangeHash])], cursor: u64) -> Result<()> {
        if sent.is_empty() {
            return Ok(());
        }
        // In job order, so two responses to the same device lock their rows in the same order.
        let mut sent = sent.to_vec();
        sent.sort_by(|a, b| a.0.cmp(b.0));
        let cursor = cursor_value(cursor);
        self.write(async |tx| {
            for (job, heads) in &sent {
                exec(
                    &tx.sql,
                    "INSERT INTO device_docs (device, job, sent_heads, sent_cursor)
                     VALUES ((SELECT num FROM devices WHERE id = $1), $2, $3, $4)
                     ON CONFLICT (device, job) DO UPDATE SET sent_heads = excluded.sent_heads,
                        sent_cursor = excluded.sent_cursor",
                    &[&device, job, &heads_blob(heads), &cursor],
                )
                .await?;
            }
            Ok(())
        })
    }

    fn epoch(&self) -> Result<String> {
        Ok(self.epoch.read().clone())
    }

    fn owes_healing(&self, device: &str) -> Result<bool> {
        let epoch = self.epoch.read().clone();
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT healed_epoch FROM devices WHERE id = $1",
                &[&device],
            )
            .await?;
            let healed: Option<String> = row.map(|r| col(&r, 0)).transpose()?.flatten();
            Ok(healed.is_some_and(|e| e != epoch))
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device))]
    fn healed(&self, device: &str) -> Result<()> {
        let epoch = self.epoch.read().clone();
        self.write(async |tx| {
            exec(
                &tx.sql,
                "UPDATE devices SET healed_epoch = $2 WHERE id = $1",
                &[&device, &epoch],
            )
            .await?;
            Ok(())
        })
    }
}
