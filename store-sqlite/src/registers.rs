//! [`Registers`] on SQLite: contracts, assets, plans as JSON records; follow-ups,
//! complaints and loans.

use rusqlite::{OptionalExtension, params};

use fieldwork_store::rows::{from_body, to_body};
use fieldwork_store::*;

use fieldwork_model::Contract;
use fieldwork_office::maintenance::MaintenancePlan;

use crate::SqliteStorage;
use crate::error::Failure;

impl Registers for SqliteStorage {
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
        self.write(|tx| {
            tx.execute(
                "INSERT INTO followups (job, satisfaction, score, comment, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (job) DO UPDATE SET satisfaction = excluded.satisfaction,
                    score = excluded.score, comment = excluded.comment,
                    recorded_at = excluded.recorded_at",
                params![job, f.satisfaction, f.score, f.comment, f.recorded_at],
            )?;
            Ok(())
        })
    }

    fn followups(&self, open_only: bool) -> Result<Vec<FollowupRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT j.id, j.technician, j.completed_at, j.followup_due_at,
                        f.satisfaction, f.score, f.comment, f.recorded_at
                 FROM jobs j LEFT JOIN followups f ON f.job = j.id
                 WHERE j.followup_due_at IS NOT NULL
                   AND (?1 = 0 OR f.job IS NULL OR f.satisfaction = 'not_reached')
                 ORDER BY j.followup_due_at, j.id",
            )?;
            let rows = stmt.query_map([open_only], |r| {
                let satisfaction: Option<String> = r.get(4)?;
                let record = match satisfaction {
                    Some(satisfaction) => Some(Followup {
                        satisfaction,
                        score: r.get(5)?,
                        comment: r.get(6)?,
                        recorded_at: r.get(7)?,
                    }),
                    None => None,
                };
                Ok(FollowupRow {
                    job: r.get(0)?,
                    technician: r.get(1)?,
                    completed_at: r.get(2)?,
                    due_at: r.get(3)?,
                    record,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(job = %c.job))]
    fn add_complaint(&self, c: &Complaint) -> Result<()> {
        let body = to_body(c)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO complaints (id, job, body, received_at) VALUES (?1, ?2, ?3, ?4)",
                params![c.id, c.job, body, c.received_at],
            )?;
            let opened = fieldwork_office::webhooks::complaint_opened(&c.id, &c.job, c.received_at);
            crate::webhooks::record_facts_in(tx, &[opened], fieldwork_store::rows::now())?;
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(complaint = %id))]
    fn update_complaint(
        &self,
        id: &str,
        edit: &mut dyn FnMut(&mut Complaint) -> Result<()>,
    ) -> Result<Option<Complaint>> {
        self.write(|tx| {
            let body: Option<String> = tx
                .query_row("SELECT body FROM complaints WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            let Some(body) = body else {
                return Ok(None);
            };
            let mut c: Complaint = from_body(&body)?;
            edit(&mut c)?;
            tx.execute(
                "UPDATE complaints SET body = ?2 WHERE id = ?1",
                params![id, to_body(&c)?],
            )?;
            Ok(Some(c))
        })
    }

    fn complaints(&self, job: Option<&str>) -> Result<Vec<Complaint>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT body FROM complaints WHERE ?1 IS NULL OR job = ?1 ORDER BY received_at, id",
            )?;
            let rows = stmt.query_map([job], |r| r.get::<_, String>(0))?;
            rows.map(|b| Ok(from_body(&b?)?)).collect()
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
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT id, body FROM maintenance_plans ORDER BY id")?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            rows.map(|row| {
                let (id, body) = row?;
                Ok((id, from_body(&body)?))
            })
            .collect()
        })
    }

    fn loans(&self, technician: Option<&str>, open_only: bool) -> Result<Vec<LoanRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT l.job, j.technician, l.serial, l.model, l.issued_by, l.issued_at, l.returned_at
                 FROM loans l JOIN jobs j ON j.id = l.job
                 WHERE (?1 IS NULL OR j.technician = ?1) AND (?2 = 0 OR l.returned_at IS NULL)
                 ORDER BY l.issued_at, l.job, l.serial",
            )?;
            let rows = stmt.query_map(params![technician, open_only], |r| {
                Ok(LoanRow {
                    job: r.get(0)?,
                    technician: r.get(1)?,
                    serial: r.get(2)?,
                    model: r.get(3)?,
                    issued_by: r.get(4)?,
                    issued_at: r.get(5)?,
                    returned_at: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

/// Inserts a JSON record keyed by `id` into a `(key, body)` table; `Conflict` if it exists.
pub(crate) fn insert_body<T: serde::Serialize>(
    s: &SqliteStorage,
    table: &str,
    key: &str,
    id: &str,
    value: &T,
    what: &str,
) -> Result<()> {
    let body = to_body(value)?;
    s.write(|tx| {
        let n = tx.execute(
            &format!("INSERT OR IGNORE INTO {table} ({key}, body) VALUES (?1, ?2)"),
            params![id, body],
        )?;
        if n == 0 {
            return Err(Failure::from(Error::Conflict(format!(
                "{what} {id} exists"
            ))));
        }
        Ok(())
    })
}

/// Reads a JSON record keyed by `id` from a `(key, body)` table.
pub(crate) fn read_body<T: serde::de::DeserializeOwned>(
    s: &SqliteStorage,
    table: &str,
    key: &str,
    id: &str,
) -> Result<Option<T>> {
    s.read(|c| {
        let body: Option<String> = c
            .query_row(
                &format!("SELECT body FROM {table} WHERE {key} = ?1"),
                [id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(body.map(|b| from_body(&b)).transpose()?)
    })
}
