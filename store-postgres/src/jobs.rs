//! [`Jobs`] on PostgreSQL: the update transaction (rows locked by id, the feed numbered at
//! commit), a push's merge, and the dispatch queries.

use std::collections::HashMap;

use automerge::{ActorId, ChangeHash};
use fieldwork_model::JobDocument;

use fieldwork_store::rows::{ServiceColumns, audience, blob_heads, heads_blob, now};
use fieldwork_store::*;

use crate::error::{Failure, Pg};
use crate::sql::*;
use crate::{PgStorage, Tx};

/// Whether [`store_job`] creates the job's row or rewrites it.
pub(crate) enum JobRow<'a> {
    /// A new job: `Conflict` if the id exists.
    New,
    /// A job loaded (and locked) in this transaction, with the technician it had then.
    Existing { previous: Option<&'a str> },
}

/// Writes a job's row with its projection columns and loans, the grant of its technician, and
/// queues its feed rows for the commit.
pub(crate) async fn store_job(tx: &mut Tx<'_>, doc: &JobDocument, row: JobRow<'_>) -> Pg<()> {
    let data = doc.data()?;
    let derived = fieldwork_model::status::derive(&data.events);
    // Its sealed reports, opened once for the report state and the events.
    let sealed = fieldwork_model::report::sealed(&data);
    let service = ServiceColumns::of(&data, &sealed);
    // One statement for the row and all its projection columns (SQLite writes them in three:
    // here every statement is a round trip to the server).
    let params: Params<'_> = &[
        &data.id,
        &doc.save(),
        &heads_blob(&doc.heads()),
        &derived.technician,
        &derived.status.as_str(),
        &data.priority.as_str(),
        &data.reported_at,
        &data.scheduled_start,
        &now(),
        &service.asset_serial,
        &service.completed_at,
        &service.followup_due_at,
        &service.report_status,
    ];
    let (new, previous) = match row {
        JobRow::New => (true, None),
        JobRow::Existing { previous } => (false, previous),
    };
    let sql = &tx.sql;
    let job_row = async {
        if new {
            // `DO NOTHING` rather than a check first: two instances may create the same id at
            // once, and the second must get `Conflict`, not overwrite the first.
            let added = exec(
                sql,
                "INSERT INTO jobs (id, doc, heads, technician, status, priority, reported_at,
                                   scheduled_start, updated_at, asset_serial, completed_at,
                                   followup_due_at, report_status)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                 ON CONFLICT (id) DO NOTHING",
                params,
            )
            .await?;
            if added == 0 {
                return Err(Error::Conflict(format!("job {} exists", data.id)));
            }
        } else {
            exec(
                sql,
                "UPDATE jobs SET doc = $2, heads = $3, technician = $4, status = $5,
                    priority = $6, reported_at = $7, scheduled_start = $8, updated_at = $9,
                    asset_serial = $10, completed_at = $11, followup_due_at = $12,
                    report_status = $13
                 WHERE id = $1",
                params,
            )
            .await?;
        }
        Ok(())
    };
    let sql = &tx.sql;
    let loans = async {
        exec(sql, "DELETE FROM loans WHERE job = $1", &[&data.id]).await?;
        for loan in fieldwork_model::loaners::fold(&data.loaners) {
            exec(
                sql,
                "INSERT INTO loans (job, serial, model, issued_by, issued_at, returned_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &data.id,
                    &loan.serial,
                    &loan.model,
                    &loan.issued_by,
                    &loan.issued_at,
                    &loan.returned.as_ref().map(|r| r.1),
                ],
            )
            .await?;
        }
        Ok::<_, Error>(())
    };
    let grant = async {
        if let Some(t) = derived.technician.as_deref() {
            exec(
                sql,
                "INSERT INTO grants (job, technician) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&data.id, &t],
            )
            .await?;
        }
        Ok::<_, Error>(())
    };
    // The row, its loans and its grant are independent: sent together they cost one round
    // trip, not one each (the connection runs statements in the order they were sent; a
    // conflict fails the transaction, which then writes nothing).
    tokio::try_join!(job_row, loans, grant)?;
    // The events this change caused, in its own transaction (a fact recorded before is not
    // recorded again).
    let facts = fieldwork_office::webhooks::job_facts(&data, &sealed)?;
    crate::webhooks::record_facts_in(tx, &facts, now()).await?;
    for t in audience(derived.technician.as_deref(), previous) {
        tx.feed.push((t.to_string(), data.id.clone()));
    }
    Ok(())
}

/// Loads a job under a row lock (another instance may be editing it), runs the edit, and stores
/// the document if its heads changed; `None` if there is no such job.
async fn update_in(
    tx: &mut Tx<'_>,
    id: &str,
    actor: ActorId,
    edit: JobEdit<'_>,
) -> Pg<Option<JobDocument>> {
    let row = query_opt(
        &tx.sql,
        "SELECT doc, technician FROM jobs WHERE id = $1 FOR UPDATE",
        &[&id],
    )
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let bytes: Vec<u8> = col(&row, 0)?;
    let previous: Option<String> = col(&row, 1)?;
    let mut doc = JobDocument::load(&bytes, actor)?;
    let before = doc.heads();
    edit(&mut doc)?;
    if doc.heads() != before {
        let row = JobRow::Existing {
            previous: previous.as_deref(),
        };
        store_job(tx, &doc, row).await?;
    }
    Ok(Some(doc))
}

/// One job of a push inside the caller's transaction: merge, record what the device holds and
/// when its events arrived.
async fn merge_push_in(
    tx: &mut Tx<'_>,
    actor: &ActorId,
    id: &str,
    device: &str,
    device_heads: &[ChangeHash],
    edit: JobEdit<'_>,
    arrivals: &Arrivals,
) -> Pg<Option<JobDocument>> {
    let doc = update_in(tx, id, actor.clone(), edit).await?;
    if doc.is_some() {
        record_push(tx, id, device, device_heads, arrivals).await?;
    }
    Ok(doc)
}

/// What a merged push leaves besides the job: the heads the device now certainly holds, and
/// when the status events it brought reached the office.
async fn record_push(
    tx: &mut Tx<'_>,
    id: &str,
    device: &str,
    device_heads: &[ChangeHash],
    arrivals: &Arrivals,
) -> Pg<()> {
    let sql = &tx.sql;
    let heads = heads_blob(device_heads);
    let held = async {
        exec(
            sql,
            "INSERT INTO device_docs (device, job, confirmed_heads)
             VALUES ((SELECT num FROM devices WHERE id = $1), $2, $3)
             ON CONFLICT (device, job) DO UPDATE SET confirmed_heads = excluded.confirmed_heads",
            &[&device, &id, &heads],
        )
        .await
    };
    let events = arrivals.events.borrow().clone();
    let receipts = async {
        for event in &events {
            exec(
                sql,
                "INSERT INTO event_receipts (job, event, received_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&id, event, &arrivals.at],
            )
            .await?;
        }
        Ok::<_, Failure>(())
    };
    // Sent together: one round trip.
    tokio::try_join!(held, receipts)?;
    Ok(())
}

impl Jobs for PgStorage {
    #[tracing::instrument(level = "debug", skip_all)]
    fn create_job(&self, doc: &JobDocument) -> Result<()> {
        self.write(async |tx| store_job(tx, doc, JobRow::New).await)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(jobs = docs.len()))]
    fn create_jobs(&self, docs: &[JobDocument]) -> Result<()> {
        self.write(async |tx| {
            for doc in docs {
                store_job(tx, doc, JobRow::New).await?;
            }
            Ok(())
        })
    }

    fn job_exists(&self, id: &str) -> Result<bool> {
        self.read(async |c| {
            Ok(query_opt(c, "SELECT 1 FROM jobs WHERE id = $1", &[&id])
                .await?
                .is_some())
        })
    }

    fn load_job(&self, id: &str) -> Result<Option<StoredJob>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT doc, heads, technician FROM jobs WHERE id = $1",
                &[&id],
            )
            .await?;
            row.map(|r| {
                Ok(StoredJob {
                    doc: col(&r, 0)?,
                    heads: blob_heads(col(&r, 1)?),
                    technician: col(&r, 2)?,
                })
            })
            .transpose()
        })
    }

    fn load_jobs(&self, ids: &[String]) -> Result<Vec<Option<StoredJob>>> {
        let rows = self.read(async |c| {
            query(
                c,
                "SELECT id, doc, heads, technician FROM jobs WHERE id = ANY($1)",
                &[&ids],
            )
            .await
        })?;
        let mut found: HashMap<String, StoredJob> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let job = StoredJob {
                doc: col(r, 1)?,
                heads: blob_heads(col(r, 2)?),
                technician: col(r, 3)?,
            };
            found.insert(col(r, 0)?, job);
        }
        Ok(ids.iter().map(|id| found.get(id).cloned()).collect())
    }

    fn job_heads(&self, id: &str) -> Result<Option<Vec<ChangeHash>>> {
        self.read(async |c| {
            let row = query_opt(c, "SELECT heads FROM jobs WHERE id = $1", &[&id]).await?;
            row.map(|r| Ok(blob_heads(col(&r, 0)?))).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(job = %id))]
    fn update_job(&self, id: &str, edit: JobEdit<'_>) -> Result<Option<JobDocument>> {
        let actor = self.actor.clone();
        self.write(async |tx| update_in(tx, id, actor, edit).await)
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
        let actor = self.actor.clone();
        self.write(async |tx| {
            merge_push_in(tx, &actor, id, device, device_heads, edit, arrivals).await
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(device = %device, jobs = pushes.len()))]
    fn merge_pushes(
        &self,
        device: &str,
        pushes: &mut [PushMerge<'_>],
    ) -> Result<Vec<Result<Option<JobDocument>>>> {
        let actor = self.actor.clone();
        self.write(async |tx| {
            if pushes.is_empty() {
                return Ok(Vec::new());
            }
            // Every pushed job's row locked and read in one query, in id order: two rounds that
            // push the same jobs in different orders then never hold one lock each and wait
            // forever, and no job costs a round trip of its own to read.
            let ids: Vec<&str> = pushes.iter().map(|p| p.job).collect();
            let rows = query(
                &tx.sql,
                "SELECT id, doc, technician FROM jobs WHERE id = ANY($1) ORDER BY id FOR UPDATE",
                &[&ids],
            )
            .await?;
            let mut held: HashMap<String, (Vec<u8>, Option<String>)> = HashMap::new();
            for r in &rows {
                held.insert(col(r, 0)?, (col(r, 1)?, col(r, 2)?));
            }
            // Each edit runs in memory before anything of its job is written, so one that
            // fails (a refused change) leaves nothing to roll back and the others go on. A
            // failing write fails the whole round (the phone sends it again).
            let mut outcomes = Vec::with_capacity(pushes.len());
            for p in pushes.iter_mut() {
                let Some((bytes, previous)) = held.remove(p.job) else {
                    outcomes.push(Ok(None));
                    continue;
                };
                let mut doc = match JobDocument::load(&bytes, actor.clone()) {
                    Ok(doc) => doc,
                    Err(e) => {
                        outcomes.push(Err(e.into()));
                        continue;
                    }
                };
                let before = doc.heads();
                if let Err(e) = (p.edit)(&mut doc) {
                    outcomes.push(Err(e));
                    continue;
                }
                if doc.heads() != before {
                    let row = JobRow::Existing {
                        previous: previous.as_deref(),
                    };
                    store_job(tx, &doc, row).await?;
                }
                record_push(tx, p.job, device, p.device_heads, p.arrivals).await?;
                outcomes.push(Ok(Some(doc)));
            }
            Ok(outcomes)
        })
    }

    fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Vec<u8>>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT doc FROM jobs
                 WHERE ($1::text IS NULL OR technician = $1) AND ($2::text IS NULL OR status = $2)
                   AND (NOT $4::boolean OR status NOT IN ('completed', 'cancelled'))
                   AND ($5::text IS NULL OR report_status = $5)
                 ORDER BY reported_at, id LIMIT $3 OFFSET $6",
                &[
                    &filter.technician,
                    &filter.status,
                    &i64::from(filter.limit),
                    &filter.open_only,
                    &filter.report,
                    &i64::from(filter.offset),
                ],
            )
            .await?;
            rows.iter().map(|r| col(r, 0)).collect()
        })
    }

    fn has_grant(&self, job: &str, technician: &str) -> Result<bool> {
        self.read(async |c| {
            Ok(query_opt(
                c,
                "SELECT 1 FROM grants WHERE job = $1 AND technician = $2",
                &[&job, &technician],
            )
            .await?
            .is_some())
        })
    }

    fn receipts(&self, job: &str) -> Result<HashMap<String, i64>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT event, received_at FROM event_receipts WHERE job = $1",
                &[&job],
            )
            .await?;
            rows.iter().map(|r| Ok((col(r, 0)?, col(r, 1)?))).collect()
        })
    }

    fn all_job_ids(&self) -> Result<Vec<String>> {
        self.read(async |c| {
            let rows = query(c, "SELECT id FROM jobs ORDER BY id", &[]).await?;
            rows.iter().map(|r| col(r, 0)).collect()
        })
    }

    fn asset_jobs(&self, serial: &str, newest: Option<u32>) -> Result<Vec<Vec<u8>>> {
        self.read(async |c| {
            // `LIMIT NULL` is no limit (SQLite's is -1).
            let rows = query(
                c,
                "SELECT doc FROM jobs WHERE asset_serial = $1
                 ORDER BY reported_at DESC, id DESC LIMIT $2",
                &[&serial, &newest.map(i64::from)],
            )
            .await?;
            let mut docs = rows
                .iter()
                .map(|r| col(r, 0))
                .collect::<Pg<Vec<Vec<u8>>>>()?;
            docs.reverse();
            Ok(docs)
        })
    }

    fn jobs_reported_between(&self, from: i64, to: i64) -> Result<Vec<Vec<u8>>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT doc FROM jobs WHERE reported_at >= $1 AND reported_at < $2
                 ORDER BY reported_at, id",
                &[&from, &to],
            )
            .await?;
            rows.iter().map(|r| col(r, 0)).collect()
        })
    }
}
