//! The embedded SQLite storage: one file `server.db` in the data directory, WAL,
//! `synchronous = FULL`, numbered migrations. Documents are read per request and never cached,
//! so memory stays flat however many jobs there are.

use std::path::Path;
use std::time::Duration;

use automerge::{ActorId, ChangeHash};
use fieldwork_model::JobDocument;
use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::{
    JobEdit, JobFilter, Principal, Storage, StoredJob, Technician, decode_heads, encode_heads,
};
use crate::{Error, Result};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "server.db";

const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    CREATE TABLE technicians (id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL) STRICT;
    CREATE TABLE devices (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, technician TEXT NOT NULL, created_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE tokens (
        hash TEXT PRIMARY KEY, kind TEXT NOT NULL, device_id TEXT, technician TEXT
    ) STRICT;
    CREATE TABLE enroll_codes (
        hash TEXT PRIMARY KEY, technician TEXT NOT NULL, expires_at INTEGER NOT NULL,
        used_at INTEGER
    ) STRICT;
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        doc BLOB NOT NULL,
        heads TEXT NOT NULL,
        technician TEXT,
        status TEXT NOT NULL,
        priority TEXT NOT NULL,
        reported_at INTEGER NOT NULL,
        scheduled_start INTEGER,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX jobs_technician ON jobs (technician, reported_at);
    CREATE INDEX jobs_reported ON jobs (reported_at, id);
    -- Every technician ever assigned a job: they may still upload work done on it.
    CREATE TABLE grants (job TEXT NOT NULL, technician TEXT NOT NULL, PRIMARY KEY (job, technician)) STRICT;
    -- Change feed: at most one row per (job, technician), re-inserted with a new seq on change.
    CREATE TABLE feed (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL, technician TEXT NOT NULL
    );
    CREATE UNIQUE INDEX feed_job ON feed (job, technician);
    CREATE INDEX feed_technician ON feed (technician, seq);
    -- What each device holds of each job (the server's sync state).
    CREATE TABLE device_docs (
        device TEXT NOT NULL, job TEXT NOT NULL,
        confirmed_heads TEXT, sent_heads TEXT, sent_cursor INTEGER,
        PRIMARY KEY (device, job)
    ) STRICT;
    CREATE INDEX device_docs_pending ON device_docs (device, sent_cursor) WHERE sent_cursor IS NOT NULL;
    ",
];

/// SQLite-backed [`Storage`].
pub struct SqliteStorage {
    conn: Mutex<Connection>,
    actor: ActorId,
}

impl SqliteStorage {
    /// Opens (creating if needed) the database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<SqliteStorage> {
        std::fs::create_dir_all(data_dir)?;
        let mut conn = Connection::open(data_dir.join(DB_FILE))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrate(&mut conn)?;
        let actor = load_or_create_actor(&mut conn)?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
            actor,
        })
    }

    fn write<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&self.conn.lock())
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if found > known {
        return Err(Error::Internal(format!(
            "database schema {found} is newer than this server ({known})"
        )));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

fn load_or_create_actor(conn: &mut Connection) -> Result<ActorId> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let hex: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let actor = match hex {
        Some(h) => hex::decode(&h)
            .map(ActorId::from)
            .map_err(|_| Error::Internal("stored actor id is not hex".into()))?,
        None => {
            let actor = ActorId::random();
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('actor', ?1)",
                [actor.to_hex_string()],
            )?;
            actor
        }
    };
    tx.commit()?;
    Ok(actor)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Writes the projection of a job and, for its technician(s), grants and feed rows.
fn store_job(tx: &Transaction, doc: &JobDocument, previous: Option<&str>) -> Result<()> {
    let data = doc.data()?;
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
            encode_heads(&doc.heads()),
        ],
    )?;
    let mut audience: Vec<&str> = Vec::new();
    if let Some(t) = derived.technician.as_deref() {
        tx.execute(
            "INSERT OR IGNORE INTO grants (job, technician) VALUES (?1, ?2)",
            params![data.id, t],
        )?;
        audience.push(t);
    }
    if let Some(p) = previous
        && Some(p) != derived.technician.as_deref()
    {
        audience.push(p);
    }
    for t in audience {
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

/// Loads a job, runs the edit, and stores the document if its heads changed; `None` if no job.
fn update_in(
    tx: &Transaction,
    id: &str,
    actor: ActorId,
    edit: JobEdit<'_>,
) -> Result<Option<JobDocument>> {
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

fn set_confirmed_in(tx: &Transaction, device: &str, job: &str, heads: &[ChangeHash]) -> Result<()> {
    tx.execute(
        "INSERT INTO device_docs (device, job, confirmed_heads) VALUES (?1, ?2, ?3)
         ON CONFLICT (device, job) DO UPDATE SET confirmed_heads = excluded.confirmed_heads",
        params![device, job, encode_heads(heads)],
    )?;
    Ok(())
}

impl Storage for SqliteStorage {
    fn add_technician(&self, t: &Technician) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "INSERT OR IGNORE INTO technicians (id, name, region) VALUES (?1, ?2, ?3)",
                params![t.id, t.name, t.region],
            )?;
            if n == 0 {
                return Err(Error::Conflict(format!("technician {} exists", t.id)));
            }
            Ok(())
        })
    }

    fn technician_exists(&self, id: &str) -> Result<bool> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT 1 FROM technicians WHERE id = ?1", [id], |_| Ok(()))
                    .optional()?
                    .is_some(),
            )
        })
    }

    fn add_token(&self, token_hash: &str, principal: &Principal) -> Result<()> {
        let (kind, device, tech) = match principal {
            Principal::Dispatcher => ("dispatcher", None, None),
            Principal::Device {
                device_id,
                technician,
            } => (
                "device",
                Some(device_id.as_str()),
                Some(technician.as_str()),
            ),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT INTO tokens (hash, kind, device_id, technician) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, kind, device, tech],
            )?;
            Ok(())
        })
    }

    fn principal(&self, token_hash: &str) -> Result<Option<Principal>> {
        self.read(|c| {
            let row: Option<(String, Option<String>, Option<String>)> = c
                .query_row(
                    "SELECT kind, device_id, technician FROM tokens WHERE hash = ?1",
                    [token_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            Ok(match row {
                Some((kind, _, _)) if kind == "dispatcher" => Some(Principal::Dispatcher),
                Some((_, Some(device_id), Some(technician))) => Some(Principal::Device {
                    device_id,
                    technician,
                }),
                _ => None,
            })
        })
    }

    fn add_enroll_code(&self, code_hash: &str, technician: &str, expires_at: i64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO enroll_codes (hash, technician, expires_at) VALUES (?1, ?2, ?3)",
                params![code_hash, technician, expires_at],
            )?;
            Ok(())
        })
    }

    fn redeem_enroll_code(
        &self,
        code_hash: &str,
        now: i64,
        device_id: &str,
        device_name: &str,
        token_hash: &str,
    ) -> Result<Option<String>> {
        self.write(|tx| {
            let technician: Option<String> = tx
                .query_row(
                    "UPDATE enroll_codes SET used_at = ?2
                     WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2
                     RETURNING technician",
                    params![code_hash, now],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(technician) = technician else {
                return Ok(None);
            };
            tx.execute(
                "INSERT INTO devices (id, name, technician, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![device_id, device_name, technician, now],
            )?;
            tx.execute(
                "INSERT INTO tokens (hash, kind, device_id, technician) VALUES (?1, 'device', ?2, ?3)",
                params![token_hash, device_id, technician],
            )?;
            Ok(Some(technician))
        })
    }

    fn create_job(&self, doc: &JobDocument) -> Result<()> {
        let id = doc.data()?.id;
        self.write(|tx| {
            let exists = tx
                .query_row("SELECT 1 FROM jobs WHERE id = ?1", [&id], |_| Ok(()))
                .optional()?
                .is_some();
            if exists {
                return Err(Error::Conflict(format!("job {id} exists")));
            }
            store_job(tx, doc, None)
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
                        heads: decode_heads(&r.get::<_, String>(1)?),
                        technician: r.get(2)?,
                    })
                },
            )
            .optional()?)
        })
    }

    fn update_job(&self, id: &str, edit: JobEdit<'_>) -> Result<Option<JobDocument>> {
        let actor = self.actor()?;
        self.write(|tx| update_in(tx, id, actor, edit))
    }

    fn merge_push(
        &self,
        id: &str,
        device: &str,
        device_heads: &[ChangeHash],
        edit: JobEdit<'_>,
    ) -> Result<Option<JobDocument>> {
        let actor = self.actor()?;
        self.write(|tx| {
            let doc = update_in(tx, id, actor, edit)?;
            if doc.is_some() {
                set_confirmed_in(tx, device, id, device_heads)?;
            }
            Ok(doc)
        })
    }

    fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Vec<u8>>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT doc FROM jobs
                 WHERE (?1 IS NULL OR technician = ?1) AND (?2 IS NULL OR status = ?2)
                 ORDER BY reported_at, id LIMIT ?3",
            )?;
            let rows = stmt.query_map(
                params![filter.technician, filter.status, filter.limit],
                |r| r.get(0),
            )?;
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

    fn feed_since(&self, technician: &str, cursor: u64, limit: u32) -> Result<Vec<(u64, String)>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, job FROM feed WHERE technician = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![technician, cursor as i64, limit], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get(1)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn reset_device(&self, device: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM device_docs WHERE device = ?1", [device])?;
            Ok(())
        })
    }

    fn promote_pending(&self, device: &str, cursor: u64) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE device_docs SET confirmed_heads = sent_heads, sent_heads = NULL,
                        sent_cursor = NULL
                 WHERE device = ?1 AND sent_cursor IS NOT NULL AND sent_cursor <= ?2",
                params![device, cursor as i64],
            )?;
            Ok(())
        })
    }

    fn confirmed_heads(&self, device: &str, job: &str) -> Result<Option<Vec<ChangeHash>>> {
        self.read(|c| {
            let h: Option<Option<String>> = c
                .query_row(
                    "SELECT confirmed_heads FROM device_docs WHERE device = ?1 AND job = ?2",
                    params![device, job],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(h.flatten().map(|s| decode_heads(&s)))
        })
    }

    fn set_pending(&self, device: &str, sent: &[(&str, &[ChangeHash])], cursor: u64) -> Result<()> {
        if sent.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO device_docs (device, job, sent_heads, sent_cursor) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (device, job) DO UPDATE SET sent_heads = excluded.sent_heads,
                    sent_cursor = excluded.sent_cursor",
            )?;
            for (job, heads) in sent {
                stmt.execute(params![device, job, encode_heads(heads), cursor as i64])?;
            }
            Ok(())
        })
    }

    fn actor(&self) -> Result<ActorId> {
        Ok(self.actor.clone())
    }
}
