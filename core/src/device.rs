//! `Device`: one technician's phone (or CLI data directory) — the store, the open documents
//! and every local read and edit. Sync lives in `sync/`.
//!
//! Each edit: load the job's document, apply one Automerge change, then in one SQLite
//! transaction append the change chunk, rebuild the projections and set the outbox mark.
//! The call returns only after that transaction committed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use automerge::ActorId;
use fieldwork_model::sla::MilestoneState;
use fieldwork_model::{Cause, JobDocument, JobView, NewPart, NewTimeEntry, Priority, Status};
use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension};

use crate::observe::{ChangeCause, JobsChanged, Observers};
use crate::secrets::{FileSecretStore, SecretStore};
use crate::store::{self, DocRow};
use crate::sync::transport::Transport;
use crate::{Error, Result};

/// File name of the store inside the data directory.
pub const STORE_FILE: &str = "fieldwork.db";
/// Meta key of the PEM trust anchors the device was enrolled with, beside the public roots.
pub(crate) const SERVER_CA: &str = "server_ca";
/// How many documents stay loaded in memory.
const CACHE_SIZE: usize = 64;

/// Who this device is, once enrolled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enrollment {
    pub server_url: String,
    pub device_id: String,
    pub technician: String,
}

/// A row of the job list, read from the projection (no document is loaded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSummary {
    pub id: String,
    pub status: Status,
    pub priority: Priority,
    pub customer_name: String,
    pub site_address: String,
    pub reported_at: i64,
    pub scheduled_start: Option<i64>,
    pub scheduled_end: Option<i64>,
    /// Local changes not yet acknowledged by the server.
    pub pending_sync: bool,
    /// The server refused this job's last changes; the reason.
    pub sync_error: Option<String>,
    /// The most urgent SLA milestone still open (`response`, `arrival`, `resolution`) and its
    /// deadline, live at the time of the list.
    pub sla_milestone: Option<String>,
    pub sla_due: Option<i64>,
    /// The state of that milestone, live (`met` when all are met); `None` without an SLA. The
    /// same rule as the office's job JSON (`fieldwork_model::sla::glance`).
    pub sla_state: Option<MilestoneState>,
    /// Wall-clock minutes to that milestone's deadline, negative once breached.
    pub sla_minutes_left: Option<i64>,
    /// The site's IANA time zone: the list shows times as the site's clock reads them.
    pub site_time_zone: String,
}

impl JobSummary {
    /// The list's SLA fields from the job's [`fieldwork_model::sla::Glance`] at `now`.
    fn set_glance(&mut self, glance: Option<fieldwork_model::sla::Glance>, now: i64) {
        self.sla_state = glance.map(|g| g.state);
        self.sla_minutes_left = glance.and_then(|g| g.minutes_left(now));
        self.sla_milestone = glance.and_then(|g| g.open).map(|(m, _)| m.to_string());
        self.sla_due = glance.and_then(|g| g.open).map(|(_, due)| due);
    }
}

/// A loaner unit out with a customer (from the loans projection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenLoan {
    pub job: String,
    pub serial: String,
    pub model: Option<String>,
    pub issued_at: i64,
}

/// The device engine. Cheap to share: every method takes `&self`.
pub struct Device {
    pub(crate) inner: Mutex<Inner>,
    reader: Mutex<Connection>,
    /// The HTTP client; replaced when enrollment brings the office's own CA.
    transport: parking_lot::RwLock<Arc<Transport>>,
    pub(crate) sync_lock: tokio::sync::Mutex<()>,
    /// The PDF font last loaded, with the path it came from (`None`: the system search).
    pub(crate) font: Mutex<Option<(Option<PathBuf>, fieldwork_report::Font)>>,
    /// The token and the signing key.
    pub(crate) secrets: Arc<dyn SecretStore>,
    /// Seals photo files at rest (`None` when the store is kept plain).
    pub(crate) files_key: Option<crate::attachments::FileKey>,
    /// Who to tell when jobs change.
    pub(crate) observers: Arc<Observers>,
    /// Connectivity as the shell last reported it.
    pub(crate) online: AtomicBool,
    path: PathBuf,
}

pub(crate) struct Inner {
    pub conn: Connection,
    pub actor: ActorId,
    pub enrollment: Option<Enrollment>,
    pub token: Option<String>,
    cache: HashMap<String, (u64, JobDocument)>,
    tick: u64,
}

/// How the device store is kept on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtRest {
    /// SQLCipher under a random 256-bit key from the secret store (what every phone uses; a
    /// plain store from an earlier version is encrypted on open).
    Encrypted,
    /// Plain SQLite, as earlier versions wrote it: for measuring what encryption costs and for
    /// tests that need an earlier version's store. Never on a phone.
    Plain,
}

impl Device {
    /// Opens (or creates) the store in `data_dir`, with its secrets in a file beside it
    /// ([`FileSecretStore`]).
    pub fn open(data_dir: &Path) -> Result<Device> {
        Device::open_with_secrets(data_dir, Arc::new(FileSecretStore::in_dir(data_dir)))
    }

    /// Opens (or creates) the store in `data_dir`, with the token and the signing key in
    /// `secrets` (the platform's secret store on a phone). A store that kept them in its
    /// `meta` table (before the secret store existed) has them moved over.
    pub fn open_with_secrets(data_dir: &Path, secrets: Arc<dyn SecretStore>) -> Result<Device> {
        Device::open_with(data_dir, secrets, AtRest::Encrypted)
    }

    /// [`Device::open_with_secrets`], choosing how the store is kept at rest.
    pub fn open_with(
        data_dir: &Path,
        secrets: Arc<dyn SecretStore>,
        at_rest: AtRest,
    ) -> Result<Device> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(STORE_FILE);
        let key = match at_rest {
            AtRest::Encrypted => {
                let (bytes, existed) =
                    crate::secrets::key(secrets.as_ref(), crate::secrets::STORE_KEY)?;
                Some(store::StoreKey { bytes, existed })
            }
            AtRest::Plain => None,
        };
        let (mut conn, reader) = store::open(&path, key.as_ref())?;
        let files_key = match at_rest {
            AtRest::Encrypted => {
                let (bytes, _) = crate::secrets::key(secrets.as_ref(), crate::secrets::FILES_KEY)?;
                let key = crate::attachments::FileKey::new(&bytes)?;
                crate::attachments::seal_plain_files(
                    &data_dir.join(crate::attachments::ATTACHMENTS_DIR),
                    &key,
                )?;
                Some(key)
            }
            AtRest::Plain => None,
        };
        store::backfill_projections(&mut conn)?;
        crate::secrets::move_from_meta(&mut conn, secrets.as_ref())?;
        let actor = match store::meta_get(&conn, "actor")? {
            Some(hex) => ActorId::from(
                hex::decode(&hex)
                    .map_err(|_| Error::Protocol("stored actor id is not hex".into()))?,
            ),
            None => {
                let actor = ActorId::random();
                store::meta_set(&conn, "actor", &actor.to_hex_string())?;
                actor
            }
        };
        let enrollment = read_enrollment(&conn)?;
        let token = secrets.get(crate::secrets::TOKEN)?;
        let server_ca = store::meta_get(&conn, SERVER_CA)?;
        Ok(Device {
            inner: Mutex::new(Inner {
                conn,
                actor,
                enrollment,
                token,
                cache: HashMap::new(),
                tick: 0,
            }),
            reader: Mutex::new(reader),
            transport: parking_lot::RwLock::new(Arc::new(Transport::new(server_ca.as_deref())?)),
            sync_lock: tokio::sync::Mutex::new(()),
            font: Mutex::new(None),
            secrets,
            files_key,
            observers: Arc::new(Observers::default()),
            online: AtomicBool::new(true),
            path,
        })
    }

    /// The HTTP client.
    pub(crate) fn transport(&self) -> Arc<Transport> {
        self.transport.read().clone()
    }

    /// Replaces the HTTP client (after enrollment with the office's own CA).
    pub(crate) fn set_transport(&self, t: Arc<Transport>) {
        *self.transport.write() = t;
    }

    /// Where the store file lives.
    pub fn store_path(&self) -> &Path {
        &self.path
    }

    /// The data directory (the store file's folder).
    pub fn data_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The enrollment, if the device has one.
    pub fn enrollment(&self) -> Option<Enrollment> {
        self.inner.lock().enrollment.clone()
    }

    /// The technician's jobs, by schedule (unscheduled last), then report time.
    pub fn jobs(&self) -> Result<Vec<JobSummary>> {
        self.jobs_at(chrono::Utc::now().timestamp_millis())
    }

    /// [`Device::jobs`] with SLA states as of `now` (epoch ms).
    pub fn jobs_at(&self, now: i64) -> Result<Vec<JobSummary>> {
        self.list(None, now)
    }

    /// The technician's jobs scheduled to start in `[from, to)` (epoch ms).
    pub fn jobs_between(&self, from: i64, to: i64) -> Result<Vec<JobSummary>> {
        self.list(Some((from, to)), chrono::Utc::now().timestamp_millis())
    }

    fn list(&self, range: Option<(i64, i64)>, now: i64) -> Result<Vec<JobSummary>> {
        let technician = match self.enrollment() {
            Some(e) => e.technician,
            None => return Ok(Vec::new()),
        };
        let reader = self.reader.lock();
        let (lo, hi) = range.unwrap_or((i64::MIN, i64::MAX));
        let range_clause = if range.is_some() {
            "AND j.scheduled_start >= ?2 AND j.scheduled_start < ?3"
        } else {
            "AND ?2 <= ?3"
        };
        let sql = format!(
            "SELECT j.job_id, j.status, j.priority, j.customer_name, j.site_address,
                    j.reported_at, j.scheduled_start, j.scheduled_end, d.dirty, d.wedged,
                    j.sla_milestone, j.sla_due, COALESCE(j.site_time_zone, 'UTC'),
                    COALESCE(j.sla_kind, 'none'), j.sla_outlook
             FROM jobs j JOIN docs d ON d.job_id = j.job_id
             WHERE d.revoked = 0 AND j.technician = ?1 {range_clause}
             ORDER BY j.scheduled_start IS NULL, j.scheduled_start, j.reported_at, j.job_id"
        );
        let mut stmt = reader.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params![technician, lo, hi], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                JobSummary {
                    id: String::new(),
                    status: Status::New,
                    priority: Priority::Normal,
                    customer_name: r.get(3)?,
                    site_address: r.get(4)?,
                    reported_at: r.get(5)?,
                    scheduled_start: r.get(6)?,
                    scheduled_end: r.get(7)?,
                    pending_sync: r.get(8)?,
                    sync_error: r.get(9)?,
                    sla_milestone: r.get(10)?,
                    sla_due: r.get(11)?,
                    site_time_zone: r.get(12)?,
                    sla_state: None,
                    sla_minutes_left: None,
                },
                r.get::<_, String>(13)?,
                r.get::<_, Option<String>>(14)?,
            ))
        })?;
        let mut out = Vec::new();
        let mut open = Vec::new();
        for row in rows {
            let (id, status, priority, mut summary, sla_kind, outlook) = row?;
            summary.id = id;
            summary.status = status.parse()?;
            summary.priority = priority.parse()?;
            let outlook = outlook
                .and_then(|o| serde_json::from_str::<fieldwork_model::sla::Outlook>(&o).ok());
            match (sla_kind.as_str(), outlook) {
                ("outlook", Some(outlook)) => summary.set_glance(Some(outlook.glance(now)), now),
                // On hold: the resolution deadline moves with the clock; read the document.
                ("paused", _) => open.push(out.len()),
                _ => {}
            }
            out.push(summary);
        }
        drop(stmt);
        drop(reader);
        // Jobs on hold: computed now from the document, as the job JSON's `sla` would be.
        if !open.is_empty() {
            let mut inner = self.inner.lock();
            for i in open {
                let summary = &mut out[i];
                let data = inner.doc(&summary.id)?.data()?;
                summary.set_glance(fieldwork_model::sla::glance(&data, now).ok().flatten(), now);
            }
        }
        Ok(out)
    }

    /// Travel and labour time the job's status timeline shows and the technician has not
    /// recorded (`fieldwork_model::timesheet::proposed`), to confirm or edit.
    pub fn proposed_times(&self, id: &str) -> Result<Vec<NewTimeEntry>> {
        let mut inner = self.inner.lock();
        inner.visible(id)?;
        let data = inner.doc(id)?.data()?;
        Ok(fieldwork_model::timesheet::proposed(&data))
    }

    /// The statuses the technician may move a job to next (`fieldwork_model::status::offered`),
    /// from its current status as the job list's projection holds it (rewritten by every edit
    /// and merge that adds a status event), without reading the document again.
    pub fn offered_statuses(&self, id: &str) -> Result<Vec<Status>> {
        let inner = self.inner.lock();
        inner.visible(id)?;
        let current: String =
            inner
                .conn
                .query_row("SELECT status FROM jobs WHERE job_id = ?1", [id], |r| {
                    r.get(0)
                })?;
        Ok(fieldwork_model::status::offered(current.parse()?))
    }

    /// The job JSON of one of the technician's jobs (the same JSON the server renders), with
    /// SLA states as of `now` (epoch ms).
    pub fn job(&self, id: &str, now: i64) -> Result<JobView> {
        let mut inner = self.inner.lock();
        inner.visible(id)?;
        let view = inner.doc(id)?.view(now)?;
        inner.mark_uploaded(view)
    }
}

impl Inner {
    /// Sets each attachment's `uploaded` flag of a job view from what the office confirmed.
    pub(crate) fn mark_uploaded(&self, mut view: JobView) -> Result<JobView> {
        let inner = self;
        if !view.attachments.is_empty() {
            let mut stmt = inner
                .conn
                .prepare_cached("SELECT 1 FROM attachments WHERE id = ?1 AND uploaded = 1")?;
            let mut held = std::collections::HashSet::new();
            for a in &view.attachments {
                if stmt.exists([&a.id])? {
                    held.insert(a.id.clone());
                }
            }
            view.mark_uploaded(|a| held.contains(a));
        }
        Ok(view)
    }
}

impl Device {
    /// Loaner units still out with customers on the technician's jobs, oldest first.
    pub fn open_loans(&self) -> Result<Vec<OpenLoan>> {
        let Some(me) = self.enrollment().map(|e| e.technician) else {
            return Ok(Vec::new());
        };
        let reader = self.reader.lock();
        let mut stmt = reader.prepare_cached(
            "SELECT l.job_id, l.serial, l.model, l.issued_at
             FROM loans l JOIN jobs j ON j.job_id = l.job_id JOIN docs d ON d.job_id = l.job_id
             WHERE l.returned_at IS NULL AND j.technician = ?1 AND d.revoked = 0
             ORDER BY l.issued_at, l.job_id, l.serial",
        )?;
        let rows = stmt.query_map([me], |r| {
            Ok(OpenLoan {
                job: r.get(0)?,
                serial: r.get(1)?,
                model: r.get(2)?,
                issued_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records the fault cause and code (and optionally what was done).
    pub fn record_diagnosis(
        &self,
        job: &str,
        cause: Cause,
        fault_code: &str,
        action: Option<&str>,
        at: i64,
    ) -> Result<()> {
        self.edit_unprojected(job, |doc, me| {
            doc.record_diagnosis(cause, fault_code, action, me, at)
                .map(drop)
        })
    }

    /// Lends a loaner unit to the customer.
    pub fn issue_loaner(&self, job: &str, serial: &str, model: &str, at: i64) -> Result<()> {
        self.edit(job, |doc, me| {
            doc.issue_loaner(serial, model, me, at).map(drop)
        })
    }

    /// Takes a loaner unit back.
    pub fn return_loaner(&self, job: &str, serial: &str, at: i64) -> Result<()> {
        self.edit(job, |doc, me| doc.return_loaner(serial, me, at).map(drop))
    }

    /// Records a checklist result (`pass`, `fail` or a measured value).
    pub fn record_check(
        &self,
        job: &str,
        item: &str,
        result: &str,
        note: Option<&str>,
        at: i64,
    ) -> Result<()> {
        self.edit_unprojected(job, |doc, me| {
            doc.record_check(item, result, note, me, at).map(drop)
        })
    }

    /// Records a status change at device time `at` (epoch ms).
    pub fn set_status(&self, job: &str, status: Status, at: i64) -> Result<()> {
        self.edit(job, |doc, me| doc.record_status(status, me, at).map(drop))
    }

    /// Adds a note; returns its id.
    pub fn add_note(&self, job: &str, text: &str, at: i64) -> Result<String> {
        self.edit_unprojected(job, |doc, me| doc.add_note(me, at, text))
    }

    /// Adds a part line; returns the line id. A part in the catalogue is used from the
    /// technician's van (a consumption in the van's ledger, in the same transaction), and a
    /// removed part's serial is registered to go back to the warehouse (ADR 0015).
    pub fn add_part(&self, job: &str, part: &NewPart, at: i64) -> Result<String> {
        let me = self.enrollment().map(|e| e.technician).unwrap_or_default();
        // A catalogue part with a van to take it from says so on the line (R-03: which stock).
        let from_van = part.stock.is_none()
            && !me.is_empty()
            && crate::stock::in_catalogue(&self.inner.lock().conn, &part.sku)?
            && self.van()?.is_some();
        let with_stock;
        let part = if from_van {
            with_stock = NewPart {
                stock: Some("van".into()),
                ..part.clone()
            };
            &with_stock
        } else {
            part
        };
        self.edit_with(
            job,
            Projections::Keep,
            |doc, me| doc.add_part(part, me, at),
            |tx, line| {
                store::project_part(tx, job, line, &part.sku, part.qty, false)?;
                let used = crate::stock::consumption(
                    tx,
                    &me,
                    job,
                    line,
                    &part.sku,
                    i64::from(part.qty),
                    part.serial_in.as_deref(),
                    at,
                )?;
                if let Some(used) = used {
                    crate::stock::insert_pending(tx, &used)?;
                }
                if let Some(serial) = &part.serial_out
                    && let Some(back) =
                        crate::stock::removed_part_return(tx, &me, job, &part.sku, serial, at)?
                    && crate::stock::check(tx, &back).is_ok()
                {
                    crate::stock::insert_pending(tx, &back)?;
                }
                Ok(())
            },
        )
    }

    /// Marks a part line removed (only the technician who added it may).
    pub fn remove_part(&self, job: &str, line_id: &str, at: i64) -> Result<()> {
        let me = self.enrollment().map(|e| e.technician).unwrap_or_default();
        self.edit_with(
            job,
            Projections::Keep,
            |doc, me| doc.remove_part(line_id, me, at),
            |tx, ()| {
                store::project_part_removed(tx, job, line_id)?;
                // A part used from the van goes back into it.
                if let Some(back) = crate::stock::unconsumption(tx, &me, job, line_id, at)? {
                    crate::stock::insert_pending(tx, &back)?;
                }
                Ok(())
            },
        )
    }

    /// Marks a photo removed (only the technician who took it may). Its bytes stay on the
    /// phone and go to the office: a report sealed before the removal still shows it.
    pub fn remove_photo(&self, job: &str, attachment_id: &str, at: i64) -> Result<()> {
        self.edit_unprojected(job, |doc, me| doc.remove_attachment(attachment_id, me, at))
    }

    /// Records travel or labour time; returns the entry id.
    pub fn add_time(&self, job: &str, entry: NewTimeEntry) -> Result<String> {
        self.edit_unprojected(job, |doc, me| doc.add_time(entry, me))
    }

    /// Number of jobs with changes waiting for the server.
    pub fn pending_sync_count(&self) -> Result<u64> {
        let reader = self.reader.lock();
        let n: i64 = reader.query_row("SELECT COUNT(*) FROM docs WHERE dirty = 1", [], |r| {
            r.get(0)
        })?;
        Ok(n as u64)
    }

    /// The heads of a job's document (hex), for diagnostics and convergence checks.
    pub fn heads(&self, job: &str) -> Result<Vec<String>> {
        let mut inner = self.inner.lock();
        let doc = inner.doc(job)?;
        Ok(fieldwork_model::wire::heads_to_hex(&sorted(doc.heads())))
    }

    /// Runs one local edit that can change what the job list shows (status, loans), rewrites
    /// the job's projections from the document, and makes it durable before returning.
    fn edit<T>(
        &self,
        job: &str,
        f: impl FnOnce(&mut JobDocument, &str) -> fieldwork_model::Result<T>,
    ) -> Result<T> {
        self.edit_with(job, Projections::Rewrite, f, |_, _| Ok(()))
    }

    /// Runs one local edit that changes nothing the projections hold (a note, time, a
    /// diagnosis, a check): no re-read of the whole document, the edit's p99 stays low.
    fn edit_unprojected<T>(
        &self,
        job: &str,
        f: impl FnOnce(&mut JobDocument, &str) -> fieldwork_model::Result<T>,
    ) -> Result<T> {
        self.edit_with(job, Projections::Keep, f, |_, _| Ok(()))
    }

    /// [`Device::edit`] with more SQL (`also`, given the edit's result) in the same transaction
    /// as the document; `projections` says whether the job's projections are rewritten from the
    /// document or left to `also`.
    #[tracing::instrument(name = "store_commit", skip_all, fields(job = %job))]
    pub(crate) fn edit_with<T>(
        &self,
        job: &str,
        projections: Projections,
        f: impl FnOnce(&mut JobDocument, &str) -> fieldwork_model::Result<T>,
        also: impl FnOnce(&rusqlite::Transaction, &T) -> Result<()>,
    ) -> Result<T> {
        let mut inner = self.inner.lock();
        let me = inner
            .enrollment
            .as_ref()
            .map(|e| e.technician.clone())
            .ok_or(Error::NotEnrolled)?;
        inner.visible(job)?;
        let mut doc = inner.take_doc(job)?;
        let before = doc.heads();
        let out = f(&mut doc, &me)?;
        if doc.heads() == before {
            // Nothing changed (e.g. the same photo added again): nothing to store or sync.
            inner.put_doc(job, doc);
            return Ok(out);
        }
        let chunk = doc.save_after(&before);
        let result = store::write(&mut inner.conn, |tx| {
            store::append_chunk(tx, job, &chunk, || doc.save())?;
            if projections == Projections::Rewrite {
                let data = doc.data()?;
                let derived = fieldwork_model::status::derive(&data.events);
                store::write_projection(tx, &data, &derived)?;
            }
            tx.execute(
                "UPDATE docs SET dirty = 1, wedged = NULL WHERE job_id = ?1",
                [job],
            )?;
            also(tx, &out)
        });
        // Only a committed document goes back into the cache; on failure the next read reloads
        // the last durable state from disk.
        result?;
        inner.put_doc(job, doc);
        drop(inner);
        tracing::debug!(job, "edit committed");
        self.observers.notify(JobsChanged {
            job_ids: vec![job.to_string()],
            cause: ChangeCause::LocalEdit,
        });
        Ok(out)
    }
}

/// Whether a local edit rewrites the job's projections from its document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Projections {
    /// Status, schedule, SLA, parts or loans may have changed: re-read the document.
    Rewrite,
    /// Nothing the projections hold changed, or the edit updates its own rows.
    Keep,
}

impl Inner {
    /// Fails with `NoSuchJob` unless the job is on this device and assigned to its technician.
    pub fn visible(&self, job: &str) -> Result<()> {
        let me = self.enrollment.as_ref().map(|e| e.technician.as_str());
        let row: Option<(Option<String>, bool)> = self
            .conn
            .query_row(
                "SELECT j.technician, d.revoked FROM jobs j JOIN docs d ON d.job_id = j.job_id
                 WHERE j.job_id = ?1",
                [job],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            Some((tech, false)) if tech.as_deref() == me => Ok(()),
            _ => Err(Error::NoSuchJob(job.to_string())),
        }
    }

    /// A loaded document (from the cache, else from the store).
    pub fn doc(&mut self, job: &str) -> Result<&JobDocument> {
        let doc = self.take_doc(job)?;
        self.put_doc(job, doc);
        self.cache
            .get(job)
            .map(|(_, d)| d)
            .ok_or_else(|| Error::NoSuchJob(job.to_string()))
    }

    /// Removes a document from the cache (loading it if needed) for modification.
    pub fn take_doc(&mut self, job: &str) -> Result<JobDocument> {
        if let Some((_, doc)) = self.cache.remove(job) {
            return Ok(doc);
        }
        self.load_doc(job)?
            .ok_or_else(|| Error::NoSuchJob(job.to_string()))
    }

    /// Loads a document from the store, if the device has it.
    pub fn load_doc(&self, job: &str) -> Result<Option<JobDocument>> {
        match store::load_doc_bytes(&self.conn, job)? {
            Some(bytes) => Ok(Some(JobDocument::load(&bytes, self.actor.clone())?)),
            None => Ok(None),
        }
    }

    /// Puts a document (back) into the cache, evicting the least recently used one if full.
    pub fn put_doc(&mut self, job: &str, doc: JobDocument) {
        self.tick += 1;
        if self.cache.len() >= CACHE_SIZE
            && !self.cache.contains_key(job)
            && let Some(oldest) = self
                .cache
                .iter()
                .min_by_key(|(_, (t, _))| *t)
                .map(|(k, _)| k.clone())
        {
            self.cache.remove(&oldest);
        }
        self.cache.insert(job.to_string(), (self.tick, doc));
    }

    /// Forgets a cached document (after a failed write).
    pub fn evict(&mut self, job: &str) {
        self.cache.remove(job);
    }

    /// The sync bookkeeping of a job.
    pub fn doc_row(&self, job: &str) -> Result<Option<DocRow>> {
        store::doc_row(&self.conn, job)
    }
}

pub(crate) fn read_enrollment(conn: &Connection) -> Result<Option<Enrollment>> {
    let get = |k| store::meta_get(conn, k);
    Ok(
        match (get("server_url")?, get("device_id")?, get("technician")?) {
            (Some(server_url), Some(device_id), Some(technician)) => Some(Enrollment {
                server_url,
                device_id,
                technician,
            }),
            _ => None,
        },
    )
}

pub(crate) use fieldwork_model::wire::sorted_heads as sorted;
