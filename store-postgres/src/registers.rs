//! [`Registers`] on PostgreSQL: contracts, assets, plans as JSON records; follow-ups,
//! complaints and loans.

use fieldwork_model::Contract;
use fieldwork_office::maintenance::MaintenancePlan;

use fieldwork_store::rows::{from_body, to_body};
use fieldwork_store::*;

use crate::PgStorage;
use crate::error::Failure;
use crate::sql::*;

impl Registers for PgStorage {
    #[tracing::instrument(level = "debug", skip_all, fields(contract = %c.id))]
    fn add_contract(&self, c: &Contract) -> Result<()> {
        insert_body(self, "contracts", "id", &c.id, c, "contract")
    }

    fn contract(&self, id: &str) -> Result<Option<Contract>> {
        read_body(self, "contracts", "id", id)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(asset = %a.serial))]
    fn add_asset(&self, a: &AssetRecord) -> Result<()> {
        insert_body(self, "assets", "serial", &a.serial, a, "asset")
    }

    fn asset(&self, serial: &str) -> Result<Option<AssetRecord>> {
        read_body(self, "assets", "serial", serial)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(job = %job))]
    fn record_followup(&self, job: &str, f: &Followup) -> Result<()> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "INSERT INTO followups (job, satisfaction, score, comment, recorded_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (job) DO UPDATE SET satisfaction = excluded.satisfaction,
                    score = excluded.score, comment = excluded.comment,
                    recorded_at = excluded.recorded_at",
                &[
                    &job,
                    &f.satisfaction,
                    &i32::from(f.score),
                    &f.comment,
                    &f.recorded_at,
                ],
            )
            .await?;
            Ok(())
        })
    }

    fn followups(&self, open_only: bool) -> Result<Vec<FollowupRow>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT j.id, j.technician, j.completed_at, j.followup_due_at,
                        f.satisfaction, f.score, f.comment, f.recorded_at
                 FROM jobs j LEFT JOIN followups f ON f.job = j.id
                 WHERE j.followup_due_at IS NOT NULL
                   AND (NOT $1::boolean OR f.job IS NULL OR f.satisfaction = 'not_reached')
                 ORDER BY j.followup_due_at, j.id",
                &[&open_only],
            )
            .await?;
            rows.iter()
                .map(|r| {
                    let satisfaction: Option<String> = col(r, 4)?;
                    let record = match satisfaction {
                        Some(satisfaction) => {
                            let score: i32 = col(r, 5)?;
                            Some(Followup {
                                satisfaction,
                                score: u8::try_from(score).map_err(|_| {
                                    Error::Corrupt(format!("stored follow-up score {score}"))
                                })?,
                                comment: col(r, 6)?,
                                recorded_at: col(r, 7)?,
                            })
                        }
                        None => None,
                    };
                    Ok(FollowupRow {
                        job: col(r, 0)?,
                        technician: col(r, 1)?,
                        completed_at: col(r, 2)?,
                        due_at: col(r, 3)?,
                        record,
                    })
                })
                .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(job = %c.job))]
    fn add_complaint(&self, c: &Complaint) -> Result<()> {
        let body = to_body(c)?;
        self.write(async |tx| {
            exec(
                &tx.sql,
                "INSERT INTO complaints (id, job, body, received_at) VALUES ($1, $2, $3, $4)",
                &[&c.id, &c.job, &body, &c.received_at],
            )
            .await?;
            let opened = [fieldwork_office::webhooks::complaint_opened(
                &c.id,
                &c.job,
                c.received_at,
            )];
            crate::webhooks::lock_jobs_of(tx, &opened).await?;
            crate::webhooks::record_facts_in(tx, &opened, fieldwork_store::rows::now()).await?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(complaint = %id))]
    fn update_complaint(
        &self,
        id: &str,
        edit: &mut dyn FnMut(&mut Complaint) -> Result<()>,
    ) -> Result<Option<Complaint>> {
        self.write(async |tx| {
            // Locked until the commit: two instances editing one complaint take turns.
            let row = query_opt(
                &tx.sql,
                "SELECT body FROM complaints WHERE id = $1 FOR UPDATE",
                &[&id],
            )
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let mut c: Complaint = from_body(col(&row, 0)?)?;
            edit(&mut c)?;
            exec(
                &tx.sql,
                "UPDATE complaints SET body = $2 WHERE id = $1",
                &[&id, &to_body(&c)?],
            )
            .await?;
            Ok(Some(c))
        })
    }

    fn complaints(&self, job: Option<&str>) -> Result<Vec<Complaint>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT body FROM complaints WHERE $1::text IS NULL OR job = $1
                 ORDER BY received_at, id",
                &[&job],
            )
            .await?;
            rows.iter().map(|r| Ok(from_body(col(r, 0)?)?)).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(plan = %id))]
    fn add_plan(&self, id: &str, plan: &MaintenancePlan) -> Result<()> {
        insert_body(
            self,
            "maintenance_plans",
            "id",
            id,
            plan,
            "maintenance plan",
        )
    }

    fn plans(&self) -> Result<Vec<(String, MaintenancePlan)>> {
        self.read(async |c| {
            let rows = query(c, "SELECT id, body FROM maintenance_plans ORDER BY id", &[]).await?;
            rows.iter()
                .map(|r| Ok((col(r, 0)?, from_body(col(r, 1)?)?)))
                .collect()
        })
    }

    fn loans(&self, technician: Option<&str>, open_only: bool) -> Result<Vec<LoanRow>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT l.job, j.technician, l.serial, l.model, l.issued_by, l.issued_at,
                        l.returned_at
                 FROM loans l JOIN jobs j ON j.id = l.job
                 WHERE ($1::text IS NULL OR j.technician = $1)
                   AND (NOT $2::boolean OR l.returned_at IS NULL)
                 ORDER BY l.issued_at, l.job, l.serial",
                &[&technician, &open_only],
            )
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(LoanRow {
                        job: col(r, 0)?,
                        technician: col(r, 1)?,
                        serial: col(r, 2)?,
                        model: col(r, 3)?,
                        issued_by: col(r, 4)?,
                        issued_at: col(r, 5)?,
                        returned_at: col(r, 6)?,
                    })
                })
                .collect()
        })
    }
}

/// Inserts a JSON record keyed by `id` into a `(key, body)` table; `Conflict` if it exists.
pub(crate) fn insert_body<T: serde::Serialize>(
    s: &PgStorage,
    table: &str,
    key: &str,
    id: &str,
    value: &T,
    what: &str,
) -> Result<()> {
    let body = to_body(value)?;
    s.write(async |tx| {
        let added = exec(
            &tx.sql,
            &format!("INSERT INTO {table} ({key}, body) VALUES ($1, $2) ON CONFLICT DO NOTHING"),
            &[&id, &body],
        )
        .await?;
        if added == 0 {
            return Err(Failure(Error::Conflict(format!("{what} {id} exists"))));
        }
        Ok(())
    })
}

/// Reads a JSON record keyed by `id` from a `(key, body)` table.
pub(crate) fn read_body<T: serde::de::DeserializeOwned>(
    s: &PgStorage,
    table: &str,
    key: &str,
    id: &str,
) -> Result<Option<T>> {
    s.read(async |c| {
        let row = query_opt(
            c,
            &format!("SELECT body FROM {table} WHERE {key} = $1"),
            &[&id],
        )
        .await?;
        Ok(row.map(|r| from_body(col(&r, 0)?)).transpose()?)
    })
}
