//! The embedded SQLite storage: one file `server.db` in the data directory, WAL,
//! `synchronous = FULL`, numbered migrations. Documents are read per request and never cached,
//! so memory stays flat however many jobs there are.

use std::path::Path;
use std::time::Duration;

use automerge::ActorId;
use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use fieldwork_store::rows::new_epoch;
use fieldwork_store::{Error, Result, Storage};

mod accounts;
mod error;
mod jobs;
mod mail;
mod registers;
mod stock;
mod sync_state;
#[cfg(test)]
mod tests;
mod webhooks;

use error::{Failure, Sql};
use jobs::backfill_service_projection;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "server.db";

/// The schema's migrations, in order: `store-sqlite/migrations/NNNN_*.sql`. A database records
/// how many it has run in `user_version`; a migration, once released, is never edited.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_first_schema.sql"),
    include_str!("../migrations/0002_service_contracts.sql"),
    include_str!("../migrations/0003_reports_and_photos.sql"),
    include_str!("../migrations/0004_console_users.sql"),
    include_str!("../migrations/0005_mail_outbox.sql"),
    include_str!("../migrations/0006_restore_epoch.sql"),
    include_str!("../migrations/0007_binary_device_heads.sql"),
    include_str!("../migrations/0008_smaller_keys.sql"),
    include_str!("../migrations/0009_stock.sql"),
    include_str!("../migrations/0010_webhooks.sql"),
];

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
        Ok(Self::open_sql(data_dir)?)
    }

    fn open_sql(data_dir: &Path) -> Sql<SqliteStorage> {
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
        webhooks::backfill_facts(&mut conn, &actor)?;
        let readers = (0..reader_count())
            .map(|_| {
                let reader = Connection::open(data_dir.join(DB_FILE))?;
                reader.busy_timeout(Duration::from_secs(10))?;
                Ok(Mutex::new(reader))
            })
            .collect::<Sql<Vec<_>>>()?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
            readers,
            actor,
            epoch,
        })
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE`: the writer's turn is taken before
    /// anything is read, so no write is lost to a busy upgrade) and commits what it returns Ok.
    fn write<T>(&self, f: impl FnOnce(&Transaction) -> Sql<T>) -> Result<T> {
        let mut conn = self.conn.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Failure::from)?;
        let out = f(&tx)?;
        tx.commit().map_err(Failure::from)?;
        Ok(out)
    }

    /// Runs `f` on a free reader connection (waiting for one if all are busy).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Sql<T>) -> Result<T> {
        if let Some(reader) = self.readers.iter().find_map(|r| r.try_lock()) {
            return Ok(f(&reader)?);
        }
        let pick =
            READ_TURN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % self.readers.len();
        Ok(f(&self.readers[pick].lock())?)
    }
}

/// Which reader a read waits for when all are busy: in turn.
static READ_TURN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn migrate(conn: &mut Connection) -> Sql<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if found > known {
        return Err(Failure::from(Error::Corrupt(format!(
            "database schema {found} is newer than this server ({known})"
        ))));
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

fn meta_value(conn: &Connection, key: &str) -> Sql<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Gives the database a new random epoch and returns it.
fn renew_epoch(conn: &Connection) -> Sql<String> {
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
        Ok(Self::restore_sql(data_dir, backup)?)
    }

    fn restore_sql(data_dir: &Path, backup: &Path) -> Sql<String> {
        {
            let probe =
                Connection::open_with_flags(backup, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            let actor: Option<String> = probe
                .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|_| {
                    Error::Invalid(
                        "not_a_backup",
                        format!("{} is not a Fieldwork office database", backup.display()),
                    )
                })?;
            if actor.is_none() {
                return Err(Failure::from(Error::Invalid(
                    "not_a_backup",
                    format!("{} is not a Fieldwork office database", backup.display()),
                )));
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
        Ok(Self::backup_sql(data_dir, to)?)
    }

    fn backup_sql(data_dir: &Path, to: &Path) -> Sql<()> {
        if to.exists() {
            return Err(Failure::from(Error::Conflict(format!(
                "{} already exists",
                to.display()
            ))));
        }
        let conn = Connection::open_with_flags(
            data_dir.join(DB_FILE),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        let target = to
            .to_str()
            .ok_or_else(|| Error::Invalid("bad_path", "the backup path is not UTF-8".into()))?;
        conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }
}

fn load_or_create_actor(conn: &mut Connection) -> Sql<ActorId> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let hex: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let actor = match hex {
        Some(h) => hex::decode(&h)
            .map(ActorId::from)
            .map_err(|_| Error::Corrupt("stored actor id is not hex".into()))?,
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

impl Storage for SqliteStorage {
    fn schema_version(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
    }

    fn actor(&self) -> Result<ActorId> {
        Ok(self.actor.clone())
    }

    fn connections(&self) -> (u64, u64) {
        // The writer and the readers: busy is whoever holds one's lock right now.
        let busy = |held: bool| u64::from(held);
        let readers = self
            .readers
            .iter()
            .map(|r| busy(r.try_lock().is_none()))
            .sum::<u64>();
        let writer = busy(self.conn.try_lock().is_none());
        (readers + writer, self.readers.len() as u64 + 1)
    }
}
