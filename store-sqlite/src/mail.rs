//! [`MailOutbox`] on SQLite: the durable queue of signed reports emailed to customers.

use rusqlite::params;

use fieldwork_store::*;

use crate::SqliteStorage;

fn mail_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MailRow> {
    Ok(MailRow {
        id: r.get(0)?,
        job: r.get(1)?,
        version: r.get(2)?,
        recipient: r.get(3)?,
        attempts: r.get(4)?,
        next_at: r.get(5)?,
        sent_at: r.get(6)?,
        last_error: r.get(7)?,
    })
}

impl MailOutbox for SqliteStorage {
    #[tracing::instrument(level = "debug", skip_all, fields(job = %job, version))]
    fn enqueue_mail(&self, job: &str, version: u32, recipient: &str, now: i64) -> Result<bool> {
        self.write(|tx| {
            Ok(tx.execute(
                "INSERT INTO mail_outbox (job, version, recipient, created_at, next_at)
                 VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO NOTHING",
                params![job, version, recipient, now],
            )? == 1)
        })
    }

    fn due_mail(&self, now: i64, limit: u32) -> Result<Vec<MailRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, job, version, recipient, attempts, next_at, sent_at, last_error
                 FROM mail_outbox WHERE sent_at IS NULL AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![now, limit], mail_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(mail = id))]
    fn record_mail_attempt(
        &self,
        id: i64,
        outcome: std::result::Result<i64, (String, i64)>,
    ) -> Result<()> {
        self.write(|tx| {
            match outcome {
                Ok(sent_at) => tx.execute(
                    "UPDATE mail_outbox SET attempts = attempts + 1, sent_at = ?2, last_error = NULL WHERE id = ?1",
                    params![id, sent_at],
                )?,
                Err((error, next_at)) => tx.execute(
                    "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?2, next_at = ?3 WHERE id = ?1",
                    params![id, error, next_at],
                )?,
            };
            Ok(())
        })
    }

    fn job_mail(&self, job: &str) -> Result<Vec<MailRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, job, version, recipient, attempts, next_at, sent_at, last_error
                 FROM mail_outbox WHERE job = ?1 ORDER BY version, id",
            )?;
            let rows = stmt.query_map([job], mail_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn unsent_mail(&self) -> Result<u64> {
        self.read(|c| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL",
                [],
                |r| r.get(0),
            )?;
            Ok(n.unsigned_abs())
        })
    }
}
