//! The embedded SQLite storage: one file `server.db` in the data directory, WAL,
//! `synchronous = FULL`, numbered migrations. Documents are read per request and never cached,
//! so memory stays flat however many jobs there are.

use std::path::Path;
use std::time::Duration;

use automerge::{ActorId, ChangeHash};
use fieldwork_model::JobDocument;
use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use fieldwork_model::Contract;
use fieldwork_model::maintenance::MaintenancePlan;

use super::rows::{
    ServiceColumns, audience, blob_heads, cursor_value, from_body, heads_blob, new_epoch, now,
    to_body,
};
use super::{
    Accounts, Arrivals, AssetRecord, Complaint, DeviceRecord, Followup, FollowupRow, JobEdit,
    JobFilter, Jobs, LoanRow, LoginClaim, MailOutbox, MailRow, Principal, PushMerge, Registers,
    SessionRecord, Storage, StoredJob, SyncState, Technician, UserRecord,
};
use crate::{Error, Result};

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage {
            disk_full: e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull),
            message: e.to_string(),
        }
    }
}

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "server.db";

/// The schema's migrations, in order: `server/migrations/sqlite/NNNN_*.sql`. A database records
/// how many it has run in `user_version`; a migration, once released, is never edited.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_first_schema.sql"),
    include_str!("../../migrations/sqlite/0002_service_contracts.sql"),
    include_str!("../../migrations/sqlite/0003_reports_and_photos.sql"),
    include_str!("../../migrations/sqlite/0004_console_users.sql"),
    include_str!("../../migrations/sqlite/0005_mail_outbox.sql"),
    include_str!("../../migrations/sqlite/0006_restore_epoch.sql"),
    include_str!("../../migrations/sqlite/0007_binary_device_heads.sql"),
    include_str!("../../migrations/sqlite/0008_smaller_keys.sql"),
];

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

/// SQLite-backed [`Storage`].
pub struct SqliteStorage {
    /// The one writer: every write transaction, in turn.
    conn: Mutex<Connection>,
    /// Readers of their own (WAL lets them read committed data while a write runs), so a page
    /// or a feed read never waits for another device's merge.
    readers: Vec<Mutex<Connection>>,
    actor: ActorId,
    /// Set when the database is created and renewed by [`SqliteStorage::renew_epoch`] after a
    /// restore from backup.
    epoch: String,
}

/// Reader connections: as many as the machine has cores to run them on, capped.
fn reader_count() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

impl SqliteStorage {
    /// Opens (creating if needed) the database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<SqliteStorage> {
        std::fs::create_dir_all(data_dir)?;
        let mut conn = Connection::open(data_dir.join(DB_FILE))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // 8 KiB pages for a new database (a job row is about 1 KiB: 4 KiB pages left a
        // quarter of every page empty); an existing database keeps its page size.
        conn.pragma_update(None, "page_size", 8192)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Checkpoint every 128 pages (1 MiB) of log and cut the log file back to 1 MiB after:
        // the WAL would otherwise stay at its largest size (4 MiB and more) for good.
        conn.pragma_update(None, "wal_autocheckpoint", 128)?;
        conn.pragma_update(None, "journal_size_limit", 1024 * 1024)?;
        migrate(&mut conn)?;
        let actor = load_or_create_actor(&mut conn)?;
        let epoch = match meta_value(&conn, "epoch")? {
            Some(e) => e,
            None => renew_epoch(&conn)?,
        };
        // Devices from before migration 6 (or enrolled since) owe the office nothing.
        conn.execute(
            "UPDATE devices SET healed_epoch = ?1 WHERE healed_epoch IS NULL",
            [&epoch],
        )?;
        backfill_service_projection(&mut conn, &actor)?;
        let readers = (0..reader_count())
            .map(|_| {
                let reader = Connection::open(data_dir.join(DB_FILE))?;
                reader.busy_timeout(Duration::from_secs(10))?;
                Ok(Mutex::new(reader))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
            readers,
            actor,
            epoch,
        })
    }

    fn write<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a free reader connection (waiting for one if all are busy).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if let Some(reader) = self.readers.iter().find_map(|r| r.try_lock()) {
            return f(&reader);
        }
        let pick =
            READ_TURN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % self.readers.len();
        f(&self.readers[pick].lock())
    }
}

/// Which reader a read waits for when all are busy: in turn.
static READ_TURN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

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
    if found == 0 {
        // A new database: give back the pages the later migrations' table rebuilds freed.
        conn.execute_batch("VACUUM")?;
    }
    Ok(())
}

fn meta_value(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Gives the database a new random epoch and returns it.
fn renew_epoch(conn: &Connection) -> Result<String> {
    let epoch = new_epoch();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('epoch', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [&epoch],
    )?;
    Ok(epoch)
}

impl SqliteStorage {
    /// Makes the database at `path` (a copy of `data_dir`'s `server.db` from a backup) the
    /// data directory's database, with a new epoch, and returns the epoch. The server must be
    /// stopped. The copy is checked (it must be a Fieldwork office database), written next to
    /// the live file, synced and renamed over it, so a failure leaves the old database.
    pub fn restore(data_dir: &Path, backup: &Path) -> Result<String> {
        {
            let probe =
                Connection::open_with_flags(backup, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let actor: Option<String> = probe
                .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|_| {
                    Error::BadRequest(
                        "not_a_backup",
                        format!("{} is not a Fieldwork office database", backup.display()),
                    )
                })?;
            if actor.is_none() {
                return Err(Error::BadRequest(
                    "not_a_backup",
                    format!("{} is not a Fieldwork office database", backup.display()),
                ));
            }
        }
        std::fs::create_dir_all(data_dir)?;
        let live = data_dir.join(DB_FILE);
        let incoming = data_dir.join(format!("{DB_FILE}.restoring"));
        std::fs::copy(backup, &incoming)?;
        std::fs::File::open(&incoming)?.sync_all()?;
        for suffix in ["-wal", "-shm"] {
            let side = data_dir.join(format!("{DB_FILE}{suffix}"));
            if side.exists() {
                std::fs::remove_file(side)?;
            }
        }
        std::fs::rename(&incoming, &live)?;
        std::fs::File::open(data_dir)?.sync_all()?;
        let storage = SqliteStorage::open(data_dir)?;
        let conn = storage.conn.lock();
        renew_epoch(&conn)
    }

    /// Writes a consistent copy of the database to `to` (SQLite's `VACUUM INTO`), while the
    /// server runs. `to` must not exist.
    pub fn backup(data_dir: &Path, to: &Path) -> Result<()> {
        if to.exists() {
            return Err(Error::Conflict(format!("{} already exists", to.display())));
        }
        let conn = Connection::open_with_flags(
            data_dir.join(DB_FILE),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        let target = to
            .to_str()
            .ok_or_else(|| Error::BadRequest("bad_path", "the backup path is not UTF-8".into()))?;
        conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }
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
            heads_blob(&doc.heads()),
        ],
    )?;
    project_service(tx, &data)?;
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
fn project_service(tx: &Transaction, data: &fieldwork_model::JobData) -> Result<()> {
    let c = ServiceColumns::of(data);
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
fn backfill_service_projection(conn: &mut Connection, actor: &ActorId) -> Result<()> {
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
            project_service(&tx, &JobDocument::load(&bytes, actor.clone())?.data()?)?;
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
) -> Result<Option<JobDocument>> {
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

/// One more wrong password for account `?1`, locking it until `?3` from the `?2`-th in a row.
const COUNT_WRONG_PASSWORD: &str = "UPDATE users SET failed_logins = failed_logins + 1,
    locked_until = CASE WHEN failed_logins + 1 >= ?2 THEN ?3 ELSE locked_until END
    WHERE name = ?1";

/// A console account by name, on a connection or inside a transaction.
fn user_in(c: &Connection, name: &str) -> Result<Option<UserRecord>> {
    Ok(c.query_row(
        "SELECT name, password_hash, failed_logins, locked_until FROM users WHERE name = ?1",
        [name],
        |r| {
            Ok(UserRecord {
                name: r.get(0)?,
                password_hash: r.get(1)?,
                failed_logins: r.get(2)?,
                locked_until: r.get(3)?,
            })
        },
    )
    .optional()?)
}

fn set_confirmed_in(tx: &Transaction, device: &str, job: &str, heads: &[ChangeHash]) -> Result<()> {
    tx.execute(
        "INSERT INTO device_docs (device, job, confirmed_heads) VALUES ((SELECT num FROM devices WHERE id = ?1), ?2, ?3)
         ON CONFLICT (device, job) DO UPDATE SET confirmed_heads = excluded.confirmed_heads",
        params![device, job, heads_blob(heads)],
    )?;
    Ok(())
}

impl Storage for SqliteStorage {
    fn schema_version(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
    }

    fn actor(&self) -> Result<ActorId> {
        Ok(self.actor.clone())
    }
}

impl Accounts for SqliteStorage {
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

    fn technicians(&self) -> Result<Vec<Technician>> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT id, name, region FROM technicians ORDER BY name, id")?;
            let rows = stmt.query_map([], |r| {
                Ok(Technician {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    region: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn add_token(&self, token_hash: &str, principal: &Principal) -> Result<()> {
        let (kind, device, tech) = match principal {
            Principal::Dispatcher => ("dispatcher", None, None),
            Principal::RevokedDevice { .. } => {
                return Err(Error::Internal("a revoked device gets no token".into()));
            }
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
            // kind, device, technician, whether the device was revoked
            type TokenRow = (String, Option<String>, Option<String>, Option<bool>);
            let row: Option<TokenRow> = c
                .query_row(
                    "SELECT t.kind, t.device_id, t.technician, d.revoked
                     FROM tokens t LEFT JOIN devices d ON d.id = t.device_id WHERE t.hash = ?1",
                    [token_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            Ok(match row {
                Some((kind, _, _, _)) if kind == "dispatcher" => Some(Principal::Dispatcher),
                Some((_, Some(device_id), _, Some(true))) => {
                    Some(Principal::RevokedDevice { device_id })
                }
                Some((_, Some(device_id), Some(technician), _)) => Some(Principal::Device {
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
        public_key: Option<&str>,
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
                "INSERT INTO devices (id, name, technician, created_at, public_key, healed_epoch)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![device_id, device_name, technician, now, public_key, self.epoch],
            )?;
            tx.execute(
                "INSERT INTO tokens (hash, kind, device_id, technician) VALUES (?1, 'device', ?2, ?3)",
                params![token_hash, device_id, technician],
            )?;
            Ok(Some(technician))
        })
    }

    fn device_key(&self, device: &str) -> Result<Option<String>> {
        self.read(|c| {
            let key: Option<Option<String>> = c
                .query_row(
                    "SELECT public_key FROM devices WHERE id = ?1",
                    [device],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(key.flatten())
        })
    }

    fn devices(&self) -> Result<Vec<DeviceRecord>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, technician, name, public_key, created_at, last_sync_at, revoked
                 FROM devices ORDER BY created_at, id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(DeviceRecord {
                    device_id: r.get(0)?,
                    technician: r.get(1)?,
                    name: r.get(2)?,
                    public_key: r.get(3)?,
                    enrolled_at: r.get(4)?,
                    last_sync_at: r.get(5)?,
                    revoked: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn revoke_device(&self, device: &str) -> Result<bool> {
        self.write(|tx| {
            Ok(tx.execute("UPDATE devices SET revoked = 1 WHERE id = ?1", [device])? == 1)
        })
    }

    fn add_user(&self, name: &str, password_hash: &str, now: i64) -> Result<()> {
        self.write(|tx| {
            let added = tx.execute(
                "INSERT INTO users (name, password_hash, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO NOTHING",
                params![name, password_hash, now],
            )?;
            if added == 0 {
                return Err(Error::Conflict(format!("there is already a user {name}")));
            }
            Ok(())
        })
    }

    fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE users SET password_hash = ?2, failed_logins = 0, locked_until = NULL
                 WHERE name = ?1",
                params![name, password_hash],
            )? == 1)
        })
    }

    fn user(&self, name: &str) -> Result<Option<UserRecord>> {
        self.read(|c| user_in(c, name))
    }

    fn claim_login(
        &self,
        name: &str,
        now: i64,
        lock_after: u32,
        lock_ms: i64,
    ) -> Result<LoginClaim> {
        // One write transaction: SQLite has one writer, so no other claim interleaves.
        self.write(|tx| {
            let Some(user) = user_in(tx, name)? else {
                return Ok(LoginClaim::Unknown);
            };
            if let Some(until) = user.locked_until.filter(|u| *u > now) {
                return Ok(LoginClaim::Locked { until });
            }
            tx.execute(
                COUNT_WRONG_PASSWORD,
                params![name, lock_after, now + lock_ms],
            )?;
            Ok(LoginClaim::Check(user))
        })
    }

    fn record_login(
        &self,
        name: &str,
        ok: bool,
        now: i64,
        lock_after: u32,
        lock_ms: i64,
    ) -> Result<()> {
        self.write(|tx| {
            if ok {
                tx.execute(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?1",
                    [name],
                )?;
            } else {
                tx.execute(
                    COUNT_WRONG_PASSWORD,
                    params![name, lock_after, now + lock_ms],
                )?;
            }
            Ok(())
        })
    }

    fn add_session(&self, token_hash: &str, session: &SessionRecord, now: i64) -> Result<()> {
        self.write(|tx| {
            // Expired sessions go when new ones come: the table stays the size of the live ones.
            tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
            tx.execute(
                "INSERT INTO sessions (hash, user, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash, session.user, session.csrf, now, session.expires_at],
            )?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRecord>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT user, csrf, expires_at FROM sessions WHERE hash = ?1 AND expires_at > ?2",
                params![token_hash, now],
                |r| {
                    Ok(SessionRecord {
                        user: r.get(0)?,
                        csrf: r.get(1)?,
                        expires_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
        })
    }

    fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE hash = ?1", [token_hash])?;
            Ok(())
        })
    }

    fn touch_device(&self, device: &str, now: i64) -> Result<()> {
        // At most one write a minute per device: otherwise the statement changes no row, and a
        // transaction that changed nothing commits without writing (an idle sync stays cheap).
        self.write(|tx| {
            tx.execute(
                "UPDATE devices SET last_sync_at = ?2
                 WHERE id = ?1 AND (last_sync_at IS NULL OR last_sync_at < ?2 - 60000)",
                params![device, now],
            )?;
            Ok(())
        })
    }
}

impl Jobs for SqliteStorage {
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
        arrivals: &Arrivals,
    ) -> Result<Option<JobDocument>> {
        let actor = self.actor()?;
        self.write(|tx| merge_push_in(tx, &actor, id, device, device_heads, edit, arrivals))
    }

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
                outcomes.push(outcome);
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
                 ORDER BY reported_at, id LIMIT ?3",
            )?;
            let rows = stmt.query_map(
                params![
                    filter.technician,
                    filter.status,
                    filter.limit,
                    filter.open_only,
                    filter.report
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

    fn reset_device(&self, device: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM device_docs WHERE device = (SELECT num FROM devices WHERE id = ?1)",
                [device],
            )?;
            Ok(())
        })
    }

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

impl Registers for SqliteStorage {
    fn add_contract(&self, c: &Contract) -> Result<()> {
        insert_body(self, "contracts", "id", &c.id, c, "contract")
    }

    fn contract(&self, id: &str) -> Result<Option<Contract>> {
        read_body(self, "contracts", "id", id)
    }

    fn add_asset(&self, a: &AssetRecord) -> Result<()> {
        insert_body(self, "assets", "serial", &a.serial, a, "asset")
    }

    fn asset(&self, serial: &str) -> Result<Option<AssetRecord>> {
        read_body(self, "assets", "serial", serial)
    }

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
                 WHERE j.followup_due_at IS NOT NULL AND (?1 = 0 OR f.job IS NULL)
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

    fn add_complaint(&self, c: &Complaint) -> Result<()> {
        let body = to_body(c)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO complaints (id, job, body, received_at) VALUES (?1, ?2, ?3, ?4)",
                params![c.id, c.job, body, c.received_at],
            )?;
            Ok(())
        })
    }

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
            rows.map(|b| from_body(&b?)).collect()
        })
    }

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

impl MailOutbox for SqliteStorage {
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
}

/// Inserts a JSON record keyed by `id` into a `(key, body)` table; `Conflict` if it exists.
fn insert_body<T: serde::Serialize>(
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
            return Err(Error::Conflict(format!("{what} {id} exists")));
        }
        Ok(())
    })
}

/// Reads a JSON record keyed by `id` from a `(key, body)` table.
fn read_body<T: serde::de::DeserializeOwned>(
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
        body.map(|b| from_body(&b)).transpose()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::storage::conformance::{AT, Fresh, conformance_tests, enroll, new_job, technician};
    use crate::storage::encode_heads;
    use fieldwork_model::Status;

    /// A new storage in a temporary directory of its own, removed when the test ends.
    fn fresh() -> Option<Fresh> {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path()).unwrap();
        Some(Fresh::new(storage, dir))
    }

    conformance_tests!(fresh);

    /// Tables, indexes and their SQL, as SQLite stores them.
    fn schema(dir: &Path) -> Vec<(String, String, Option<String>)> {
        let conn = Connection::open(dir.join(DB_FILE)).unwrap();
        let mut stmt = conn
            .prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_database_upgraded_from_each_older_schema_equals_a_new_one() {
        let fresh = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(fresh.path()).unwrap();
        assert_eq!(storage.schema_version().unwrap(), MIGRATIONS.len() as i64);
        drop(storage);
        let want = schema(fresh.path());
        assert!(want.iter().any(|(_, name, _)| name == "device_docs"));
        for version in 1..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            {
                let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
                for step in &MIGRATIONS[..version] {
                    conn.execute_batch(step).unwrap();
                }
                conn.pragma_update(None, "user_version", version as i64)
                    .unwrap();
            }
            let storage = SqliteStorage::open(dir.path()).unwrap();
            assert_eq!(storage.schema_version().unwrap(), MIGRATIONS.len() as i64);
            drop(storage);
            assert_eq!(schema(dir.path()), want, "upgraded from version {version}");
        }
    }

    #[test]
    fn a_database_from_before_migrations_7_and_8_reads_back_the_same_heads_devices_and_jobs() {
        let dir = tempfile::tempdir().unwrap();
        let hash = ChangeHash([7u8; 32]);
        let other = ChangeHash([9u8; 32]);
        let doc =
            JobDocument::create("J-9", &new_job("t1"), "dispatch", AT, ActorId::random()).unwrap();
        {
            // As the server before migration 7 left it: heads as hex text, devices by id.
            let mut conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            for (i, step) in MIGRATIONS[..6].iter().enumerate() {
                conn.execute_batch(step).unwrap();
                conn.pragma_update(None, "user_version", i as i64 + 1)
                    .unwrap();
            }
            let tx = conn.transaction().unwrap();
            tx.execute(
                "INSERT INTO devices (id, name, technician, created_at, public_key, revoked)
                 VALUES ('D-1', 'phone', 't1', 1, 'ab', 0), ('D-2', 'tablet', 't1', 2, NULL, 1)",
                [],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO device_docs (device, job, confirmed_heads, sent_heads, sent_cursor)
                 VALUES ('D-1', 'J-1', ?1, NULL, NULL), ('D-1', 'J-2', ?2, ?1, 5),
                        ('D-2', 'J-1', ?2, NULL, NULL)",
                params![encode_heads(&[hash]), encode_heads(&[other, hash])],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO jobs (id, doc, heads, technician, status, priority, reported_at,
                                   updated_at)
                 VALUES ('J-9', ?1, ?2, 't1', 'new', 'normal', ?3, ?3)",
                params![doc.save(), encode_heads(&doc.heads()), AT],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO tokens (hash, kind, device_id, technician)
                 VALUES ('h1', 'device', 'D-2', 't1')",
                [],
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let storage = SqliteStorage::open(dir.path()).unwrap();
        assert_eq!(
            storage.confirmed_heads("D-1", "J-1").unwrap(),
            Some(vec![hash])
        );
        let mut two = storage.confirmed_heads("D-1", "J-2").unwrap().unwrap();
        two.sort();
        assert_eq!(two, vec![hash, other]);
        let mut theirs = storage.confirmed_heads("D-2", "J-1").unwrap().unwrap();
        theirs.sort();
        assert_eq!(theirs, vec![hash, other]);
        storage.promote_pending("D-1", 5).unwrap();
        assert_eq!(
            storage.confirmed_heads("D-1", "J-2").unwrap(),
            Some(vec![hash])
        );
        assert_eq!(storage.confirmed_heads("D-1", "J-3").unwrap(), None);
        // Resetting one device leaves the other's state alone.
        storage.reset_device("D-1").unwrap();
        assert_eq!(storage.confirmed_heads("D-1", "J-1").unwrap(), None);
        assert!(storage.confirmed_heads("D-2", "J-1").unwrap().is_some());
        let job = storage.load_job("J-9").unwrap().unwrap();
        assert_eq!(job.heads, doc.heads());
        assert_eq!(storage.job_heads("J-9").unwrap(), Some(doc.heads()));
        assert_eq!(storage.job_heads("J-10").unwrap(), None);
        let devices = storage.devices().unwrap();
        assert_eq!(devices.len(), 2);
        assert_eq!(devices[0].public_key.as_deref(), Some("ab"));
        assert!(devices[1].revoked);
        assert!(matches!(
            storage.principal("h1").unwrap(),
            Some(Principal::RevokedDevice { .. })
        ));
    }

    #[test]
    fn a_restore_asks_each_earlier_device_once_for_what_the_office_lost() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path()).unwrap();
        storage.add_technician(&technician("t1")).unwrap();
        enroll(&storage, "D-old", "t1");
        assert!(!storage.owes_healing("D-old").unwrap());
        let backup = dir.path().join("backup.db");
        SqliteStorage::backup(dir.path(), &backup).unwrap();
        let before = storage.epoch().unwrap();
        drop(storage);

        let epoch = SqliteStorage::restore(dir.path(), &backup).unwrap();
        assert_ne!(epoch, before);
        let storage = SqliteStorage::open(dir.path()).unwrap();
        assert_eq!(storage.epoch().unwrap(), epoch);
        assert!(storage.owes_healing("D-old").unwrap());
        // A device enrolled after the restore holds nothing the office lost.
        enroll(&storage, "D-new", "t1");
        assert!(!storage.owes_healing("D-new").unwrap());
        storage.healed("D-old").unwrap();
        assert!(!storage.owes_healing("D-old").unwrap());
        // Restarting is not restoring: the epoch stays.
        drop(storage);
        assert_eq!(
            SqliteStorage::open(dir.path()).unwrap().epoch().unwrap(),
            epoch
        );
        // Garbage is not a backup, and the database is left as it was.
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"not a database").unwrap();
        assert!(SqliteStorage::restore(dir.path(), &junk).is_err());
        assert_eq!(
            SqliteStorage::open(dir.path()).unwrap().epoch().unwrap(),
            epoch
        );
    }

    #[test]
    fn jobs_stored_before_the_service_columns_are_projected_once_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path()).unwrap();
        let new = new_job("t1");
        let mut doc =
            JobDocument::create("J-1", &new, "dispatch", AT, storage.actor.clone()).unwrap();
        doc.record_status(Status::Completed, "t1", AT + 1_000)
            .unwrap();
        storage.create_job(&doc).unwrap();
        assert_eq!(storage.followups(true).unwrap().len(), 1);
        // As a database from before migration 2 would be: columns empty, no backfill mark.
        {
            let conn = storage.conn.lock();
            conn.execute_batch(
                "UPDATE jobs SET completed_at = NULL, followup_due_at = NULL;
                 DELETE FROM meta WHERE key = 'service_projection';",
            )
            .unwrap();
        }
        assert!(storage.followups(true).unwrap().is_empty());
        drop(storage);
        let storage = SqliteStorage::open(dir.path()).unwrap();
        let rows = storage.followups(true).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].due_at, AT + 1_000 + 48 * 3_600_000);
    }
}
