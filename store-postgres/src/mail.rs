//! [`MailOutbox`] on PostgreSQL: the durable queue of signed reports emailed to customers.

use tokio_postgres::Row;

use fieldwork_store::*;

use crate::PgStorage;
use crate::error::Pg;
use crate::sql::*;

fn mail_row(r: &Row) -> Pg<MailRow> {
    Ok(MailRow {
        id: col(r, 0)?,
        job: col(r, 1)?,
        version: uint(col(r, 2)?)?,
        recipient: col(r, 3)?,
        attempts: uint(col(r, 4)?)?,
        next_at: col(r, 5)?,
        sent_at: col(r, 6)?,
        last_error: col(r, 7)?,
    })
}

impl MailOutbox for PgStorage {
    #[tracing::instrument(level = "debug", skip_all, fields(job = %job, version))]
    fn enqueue_mail(&self, job: &str, version: u32, recipient: &str, now: i64) -> Result<bool> {
        let version = int4(version)?;
        self.write(async |tx| {
            Ok(exec(
                &tx.sql,
                "INSERT INTO mail_outbox (job, version, recipient, created_at, next_at)
                 VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING",
                &[&job, &version, &recipient, &now],
            )
            .await?
                == 1)
        })
    }

    fn due_mail(&self, now: i64, limit: u32) -> Result<Vec<MailRow>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT id, job, version, recipient, attempts, next_at, sent_at, last_error
                 FROM mail_outbox WHERE sent_at IS NULL AND next_at <= $1
                 ORDER BY next_at, id LIMIT $2",
                &[&now, &i64::from(limit)],
            )
            .await?;
            rows.iter().map(mail_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(mail = id))]
    fn record_mail_attempt(
        &self,
        id: i64,
        outcome: std::result::Result<i64, (String, i64)>,
    ) -> Result<()> {
        self.write(async |tx| {
            match &outcome {
                Ok(sent_at) => {
                    exec(
                        &tx.sql,
                        "UPDATE mail_outbox SET attempts = attempts + 1, sent_at = $2,
                            last_error = NULL
                         WHERE id = $1",
                        &[&id, sent_at],
                    )
                    .await?
                }
                Err((error, next_at)) => {
                    exec(
                        &tx.sql,
                        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,
                            next_at = $3
                         WHERE id = $1",
                        &[&id, error, next_at],
                    )
                    .await?
                }
            };
            Ok(())
        })
    }

    fn job_mail(&self, job: &str) -> Result<Vec<MailRow>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT id, job, version, recipient, attempts, next_at, sent_at, last_error
                 FROM mail_outbox WHERE job = $1 ORDER BY version, id",
                &[&job],
            )
            .await?;
            rows.iter().map(mail_row).collect()
        })
    }

    fn unsent_mail(&self) -> Result<u64> {
        self.read(async |c| {
            let row = query_one(
                c,
                "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL",
                &[],
            )
            .await?;
            let n: i64 = col(&row, 0)?;
            Ok(n.unsigned_abs())
        })
    }
}
