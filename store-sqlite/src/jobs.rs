//! [`Jobs`] on SQLite: the update transaction (load, edit, store the document with its
//! projection, grants and feed rows), a push's merge, and the dispatch queries.

use automerge::{ActorId, ChangeHash};
use fieldwork_model::JobDocument;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use fieldwork_store::rows::{ServiceColumns, audience, blob_heads, heads_blob, now};
use fieldwork_store::*;

use crate::SqliteStorage;
use crate::error::{Failure, Sql};
use crate::sync_state::set_confirmed_in;

/// Writes the projection of a job and, for its technician(s), grants and feed rows.
pub(crate) fn store_job(tx: &Transaction, doc: &JobDocument, previous: Option<&str>) -> Sql<()> {
    store_read_job(tx, doc, &doc.data()?, previous)
}

/// [`store_job`] with the document's content already read.
fn store_read_job(
    tx: &Transaction,
    doc: &JobDocument,
    data: &fieldwork_model::JobData,
    previous: Option<&str>,
) -> Sql<()> {
    let derived = fieldwork_model::status::derive(&data.events);
    tx.execute(
        "INSERT INTO jobs (id, doc, technician, status, priority, reported_at, scheduled_start, updated_at, heads)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, heads = excluded.heads,
            technician = excluded.technician,
            status = excluded.status, priority = excluded.priority,
            reported_at = excluded.reported_at, scheduled_start = excluded.scheduled_start,
            updated_at = excluded.updated_at",
        params![
            data.id,
            doc.save(),
            derived.technician,
            derived.status.as_str(),
            data.priority.as_str(),
            data.reported_at,
            data.scheduled_start,
            now(),
            heads_blob(&doc.heads()),
        ],
    )?;
    // Its sealed reports, opened once for the report state and the events.
    let sealed = fieldwork_model::report::sealed(data);
    project_service(tx, data, &sealed)?;
    // The events this change caused, in its own transaction (a fact recorded before is not
    // recorded again).
    let facts = fieldwork_office::webhooks::job_facts(data, &sealed)?;
    crate::webhooks::record_facts_in(tx, &facts, now())?;
    if let Some(t) = derived.technician.as_deref() {
        tx.execute(
            "INSERT OR IGNORE INTO grants (job, technician) VALUES (?1, ?2)",
            params![data.id, t],
        )?;
    }
    for t in audience(derived.technician.as_deref(), previous) {
        tx.execute(
            "DELETE FROM feed WHERE job = ?1 AND technician = ?2",
            params![data.id, t],
        )?;
        tx.execute(
            "INSERT INTO feed (job, technician) VALUES (?1, ?2)",
            params![data.id, t],
        )?;
    }
    Ok(())
}

/// Writes the service columns of a job's row (asset, completion, follow-up due, report state)
/// and its loans.
fn project_service(
    tx: &Transaction,
    data: &fieldwork_model::JobData,
    sealed: &[(
        &fieldwork_model::report::SealedReport,
        fieldwork_model::report::Report,
    )],
) -> Sql<()> {
    let c = ServiceColumns::of(data, sealed);
    tx.execute(
        "UPDATE jobs SET asset_serial = ?2, completed_at = ?3, followup_due_at = ?4,
            report_status = ?5
         WHERE id = ?1",
        params![
            data.id,
            c.asset_serial,
            c.completed_at,
            c.followup_due_at,
            c.report_status
        ],
    )?;
    tx.execute("DELETE FROM loans WHERE job = ?1", [&data.id])?;
    for loan in fieldwork_model::loaners::fold(&data.loaners) {
        tx.execute(
            "INSERT INTO loans (job, serial, model, issued_by, issued_at, returned_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                data.id,
                loan.serial,
                loan.model,
                loan.issued_by,
                loan.issued_at,
                loan.returned.as_ref().map(|r| r.1)
            ],
        )?;
    }
    Ok(())
}

/// Fills the service columns of jobs stored before migration 2, once, in one transaction.
pub(crate) fn backfill_service_projection(conn: &mut Connection, actor: &ActorId) -> Sql<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let done: Option<String> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'service_projection'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if done.is_none() {
        let docs: Vec<Vec<u8>> = {
            let mut stmt = tx.prepare("SELECT doc FROM jobs")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for bytes in docs {
            let data = JobDocument::load(&bytes, actor.clone())?.data()?;
            project_service(&tx, &data, &fieldwork_model::report::sealed(&data))?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('service_projection', '1')",
            [],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Loads a job, runs the edit, and stores the document if its heads changed; `None` if no job.
fn update_in(
    tx: &Transaction,
    id: &str,
    actor: ActorId,
    edit: JobEdit<'_>,
) -> Sql<Option<JobDocument>> {
    let row: Option<(Vec<u8>, Option<String>)> = tx
        .query_row(
            "SELECT doc, technician FROM jobs WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((bytes, previous)) = row else {
        return Ok(None);
    };
    let mut doc = JobDocument::load(&bytes, actor)?;
    let before = doc.heads();
    edit(&mut doc)?;
    if doc.heads() != before {
        store_job(tx, &doc, previous.as_deref())?;
    }
    Ok(Some(doc))
}

/// One job of a push inside the caller's transaction: merge, record what the device holds and
/// when its events arrived.
fn merge_push_in(
    tx: &Transaction,
    actor: &ActorId,
    id: &str,
    device: &str,
    device_heads: &[ChangeHash],
    edit: JobEdit<'_>,
    arrivals: &Arrivals,
) -> Sql<Option<JobDocument>> {
    let doc = update_in(tx, id, actor.clone(), edit)?;
    if doc.is_some() {
        set_confirmed_in(tx, device, id, device_heads)?;
        let mut stmt = tx.prepare_cached(
            "INSERT INTO event_receipts (job, event, received_at) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        )?;
        for event in arrivals.events.borrow().iter() {
            stmt.execute(params![id, event, arrivals.at])?;
        }
    }
    Ok(doc)
}

impl Jobs for SqliteStorage {
    #[tracing::instrument(level = "debug", skip_all)]
    fn create_job(&self, doc: &JobDocument) -> Result<()> {
        self.create_jobs(std::slice::from_ref(doc))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(jobs = docs.len()))]
    fn create_jobs(&self, docs: &[JobDocument]) -> Result<()> {
        // Each document read once, for its id and its row.
        let contents = docs
            .iter()
            .map(|d| Ok(d.data()?))
            .collect::<Result<Vec<_>>>()?;
        self.write(|tx| {
            for (data, doc) in contents.iter().zip(docs) {
                let exists = tx
                    .prepare_cached("SELECT 1 FROM jobs WHERE id = ?1")?
                    .query_row([&data.id], |_| Ok(()))
                    .optional()?
                    .is_some();
                if exists {
                    return Err(Failure::from(Error::Conflict(format!(
                        "job {} exists",
                        data.id
                    ))));
                }
                store_read_job(tx, doc, data, None)?;
            }
            Ok(())
        })
    }

    fn job_exists(&self, id: &str) -> Result<bool> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT 1 FROM jobs WHERE id = ?1", [id], |_| Ok(()))
                    .optional()?
                    .is_some(),
            )
        })
    }

    fn load_job(&self, id: &str) -> Result<Option<StoredJob>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT doc, heads, technician FROM jobs WHERE id = ?1",
                [id],
                |r| {
                    Ok(StoredJob {
                        doc: r.get(0)?,
                        heads: blob_heads(&r.get::<_, Vec<u8>>(1)?),
                        technician: r.get(2)?,
                    })
                },
            )
            .optional()?)
        })
    }

    fn job_heads(&self, id: &str) -> Result<Option<Vec<ChangeHash>>> {
        self.read(|c| {
            let heads: Option<Vec<u8>> = c
                .prepare_cached("SELECT heads FROM jobs WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .optional()?;
            Ok(heads.map(|h| blob_heads(&h)))
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(job = %id))]
    fn update_job(&self, id: &str, edit: JobEdit<'_>) -> Result<Option<JobDocument>> {
        let actor = self.actor()?;
        self.write(|tx| update_in(tx, id, actor, edit))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(job = %id, device = %device))]
    fn merge_push(
        &self,
        id: &str,
        device: &str,
        device_heads: &[ChangeHash],
        edit: JobEdit<'_>,
        arrivals: &Arrivals,
    ) -> Result<Option<JobDocument>> {
        let actor = self.actor()?;
        self.write(|tx| merge_push_in(tx, &actor, id, device, device_heads, edit, arrivals))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device, jobs = pushes.len()))]
    fn merge_pushes(
        &self,
        device: &str,
        pushes: &mut [PushMerge<'_>],
    ) -> Result<Vec<Result<Option<JobDocument>>>> {
        let actor = self.actor()?;
        self.write(|tx| {
            let mut outcomes = Vec::with_capacity(pushes.len());
            for p in pushes.iter_mut() {
                tx.execute_batch("SAVEPOINT push")?;
                let outcome = merge_push_in(
                    tx,
                    &actor,
                    p.job,
                    device,
                    p.device_heads,
                    &mut *p.edit,
                    p.arrivals,
                );
                if outcome.is_err() {
                    tx.execute_batch("ROLLBACK TO push")?;
                }
                tx.execute_batch("RELEASE push")?;
                outcomes.push(outcome.map_err(Error::from));
            }
            Ok(outcomes)
        })
    }

    fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Vec<u8>>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc FROM jobs
                 WHERE (?1 IS NULL OR technician = ?1) AND (?2 IS NULL OR status = ?2)
                   AND (?4 = 0 OR status NOT IN ('completed', 'cancelled'))
                   AND (?5 IS NULL OR report_status = ?5)
                 ORDER BY reported_at, id LIMIT ?3 OFFSET ?6",
            )?;
            let rows = stmt.query_map(
                params![
                    filter.technician,
                    filter.status,
                    filter.limit,
                    filter.open_only,
                    filter.report,
                    filter.offset
                ],
                |r| r.get(0),
            )?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn receipts(&self, job: &str) -> Result<std::collections::HashMap<String, i64>> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT event, received_at FROM event_receipts WHERE job = ?1")?;
            let rows = stmt.query_map([job], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn all_job_ids(&self) -> Result<Vec<String>> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT id FROM jobs ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn has_grant(&self, job: &str, technician: &str) -> Result<bool> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT 1 FROM grants WHERE job = ?1 AND technician = ?2",
                params![job, technician],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
        })
    }

    fn asset_jobs(&self, serial: &str, newest: Option<u32>) -> Result<Vec<Vec<u8>>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc FROM jobs WHERE asset_serial = ?1
                 ORDER BY reported_at DESC, id DESC LIMIT ?2",
            )?;
            let limit = newest.map_or(-1, i64::from);
            let rows = stmt.query_map(params![serial, limit], |r| r.get(0))?;
            let mut docs: Vec<Vec<u8>> = rows.collect::<Result<_, _>>()?;
            docs.reverse();
            Ok(docs)
        })
    }

    fn jobs_reported_between(&self, from: i64, to: i64) -> Result<Vec<Vec<u8>>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc FROM jobs WHERE reported_at >= ?1 AND reported_at < ?2
                 ORDER BY reported_at, id",
            )?;
            let rows = stmt.query_map([from, to], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}
