//! The device's SQLite store: opening (never deleting a file that fails to open), encryption at
//! rest, migrations, and the SQL the engine needs. One writer connection, one reader
//! connection, WAL mode.
//!
//! The store is a SQLCipher database (AES-256, a page HMAC) under a random 256-bit key kept in
//! the platform's secret store: a phone left in a taxi gives away no customer's name, address
//! or signature. A plain store written by an earlier version is encrypted in place on first
//! open ([`encrypt_in_place`]): the plain file stays whole until an encrypted copy has replaced
//! it with one rename, so a crash at any moment leaves one complete store.
//!
//! Writes happen in closures that own a transaction ([`write`]); an edit is acknowledged only
//! after its transaction committed with `synchronous = FULL`, so it survives a crash or power cut.

mod schema;

use std::path::{Path, PathBuf};

use automerge::ChangeHash;
use fieldwork_model::wire::{decode_heads, encode_heads};
use fieldwork_model::{JobData, status::Derived};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::{Error, Result};

/// Number of incremental chunks after which a document is compacted into one snapshot.
pub const COMPACT_AFTER: i64 = 64;

/// The key a store is encrypted with, and whether the secret store held it before this open.
pub struct StoreKey {
    pub bytes: [u8; 32],
    /// False when it was just created: then no store was ever encrypted with it.
    pub existed: bool,
}

impl StoreKey {
    /// SQLCipher's raw-key form (no passphrase derivation: the key is already random).
    fn pragma(&self) -> String {
        format!("\"x'{}'\"", hex::encode(self.bytes))
    }
}

/// Opens (creating if needed) the store at `path`, encrypted with `key` (`None`: a plain store,
/// as earlier versions wrote; for measurements and for tests that need one), and brings its
/// schema up to date. A plain store opened with a key is encrypted first.
///
/// If the file exists but is not a readable database, it is renamed to
/// `<name>.unreadable-<millis>` and [`Error::StoreMovedAside`] is returned: unsynced field work
/// may exist only in that file, so it is never deleted. A file that the key this device already
/// had cannot open is left exactly as it is ([`Error::StoreKey`]): it may be a good store whose
/// key is elsewhere.
pub fn open(path: &Path, key: Option<&StoreKey>) -> Result<(Connection, Connection)> {
    if let Some(key) = key
        && is_plain(path)?
    {
        encrypt_in_place(path, key)?;
    }
    match open_inner(path, key) {
        Ok(pair) => Ok(pair),
        Err(Error::Sqlite(e)) if path.exists() && is_unreadable(&e) => {
            if key.is_some_and(|k| k.existed) {
                return Err(Error::StoreKey {
                    path: path.to_path_buf(),
                });
            }
            let moved_to = aside_name(path);
            std::fs::rename(path, &moved_to)?;
            for suffix in ["-wal", "-shm"] {
                let side = side_file(path, suffix);
                if side.exists() {
                    std::fs::rename(&side, format!("{}{suffix}", moved_to.display()))?;
                }
            }
            Err(Error::StoreMovedAside {
                path: path.to_path_buf(),
                moved_to,
                reason: e.to_string(),
            })
        }
        Err(e) => Err(e),
    }
}

fn open_inner(path: &Path, key: Option<&StoreKey>) -> Result<(Connection, Connection)> {
    let connect = || -> Result<Connection> {
        let conn = Connection::open(path)?;
        if let Some(key) = key {
            // The key before anything else touches the file. SQLCipher's own log would print a
            // wrong key's failed page checks to stderr; the error we return says it plainly.
            conn.execute_batch(&format!(
                "PRAGMA cipher_log_level = NONE; PRAGMA key = {};",
                key.pragma()
            ))?;
        }
        Ok(conn)
    };
    let mut writer = connect()?;
    writer.pragma_update(None, "journal_mode", "WAL")?;
    writer.pragma_update(None, "synchronous", "FULL")?;
    writer.pragma_update(None, "foreign_keys", "ON")?;
    writer.busy_timeout(std::time::Duration::from_secs(5))?;
    migrate(&mut writer)?;
    let reader = connect()?;
    reader.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok((writer, reader))
}

/// `path` with `suffix` appended (`-wal`, `-shm`, `.encrypting`).
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Whether `path` is a plain SQLite database (its header says so; an encrypted one starts with
/// random salt).
fn is_plain(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut header = [0u8; 16];
    match std::fs::File::open(path) {
        Ok(mut f) => Ok(f.read_exact(&mut header).is_ok() && &header == b"SQLite format 3\0"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Replaces the plain store at `path` with an encrypted copy. Every step before the rename
/// leaves the plain store whole (a crash means starting over next time); the rename swaps in a
/// complete encrypted store whose key is already durable in the secret store.
pub fn encrypt_in_place(path: &Path, key: &StoreKey) -> Result<()> {
    let copy = side_file(path, ".encrypting");
    for stale in [copy.clone(), side_file(&copy, "-journal")] {
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    {
        let plain = Connection::open(path)?;
        // Everything in the main file, so the WAL left behind is empty and can go.
        let busy: i64 = plain.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy != 0 {
            return Err(Error::Protocol(
                "the store is in use by another connection; cannot encrypt it now".into(),
            ));
        }
        let version: i64 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let target = copy
            .to_str()
            .ok_or_else(|| Error::Protocol("the store's path is not UTF-8".into()))?
            .replace('\'', "''");
        plain.execute_batch(&format!(
            "ATTACH DATABASE '{target}' AS encrypted KEY {};
             SELECT sqlcipher_export('encrypted');
             PRAGMA encrypted.user_version = {version};
             DETACH DATABASE encrypted;",
            key.pragma()
        ))?;
    }
    std::fs::File::open(&copy)?.sync_all()?;
    // The plain store's WAL and index are empty now and must never be read against the new file.
    for suffix in ["-wal", "-shm"] {
        match std::fs::remove_file(side_file(path, suffix)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::rename(&copy, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    tracing::info!("the device store was encrypted in place");
    Ok(())
}

fn is_unreadable(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

fn aside_name(path: &Path) -> PathBuf {
    let millis = chrono::Utc::now().timestamp_millis();
    PathBuf::from(format!("{}.unreadable-{millis}", path.display()))
}

/// Applies the missing migration steps, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let known = schema::MIGRATIONS.len() as i64;
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(Error::StoreTooNew { found, known });
    }
    for (i, step) in schema::MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// Runs `f` in an immediate write transaction and commits it.
pub fn write<T>(conn: &mut Connection, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// Reads a meta value.
pub fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Writes a meta value.
pub fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// The stored bytes of a job document (snapshot and chunks concatenated), if the job exists.
pub fn load_doc_bytes(conn: &Connection, job: &str) -> Result<Option<Vec<u8>>> {
    let mut stmt =
        conn.prepare_cached("SELECT bytes FROM chunks WHERE job_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([job])?;
    let mut out: Option<Vec<u8>> = None;
    while let Some(row) = rows.next()? {
        let bytes: Vec<u8> = row.get(0)?;
        out.get_or_insert_with(Vec::new).extend_from_slice(&bytes);
    }
    Ok(out)
}

/// Appends a change chunk to a job's document; when the job has [`COMPACT_AFTER`] chunks,
/// replaces them all with `snapshot()` instead.
pub fn append_chunk(
    tx: &Transaction,
    job: &str,
    chunk: &[u8],
    snapshot: impl FnOnce() -> Vec<u8>,
) -> Result<()> {
    tx.prepare_cached("INSERT INTO docs (job_id) VALUES (?1) ON CONFLICT (job_id) DO NOTHING")?
        .execute([job])?;
    let count: i64 = tx
        .prepare_cached("SELECT chunk_count FROM docs WHERE job_id = ?1")?
        .query_row([job], |r| r.get(0))?;
    if count + 1 >= COMPACT_AFTER || count == 0 {
        let bytes = if count == 0 {
            chunk.to_vec()
        } else {
            snapshot()
        };
        tx.prepare_cached("DELETE FROM chunks WHERE job_id = ?1")?
            .execute([job])?;
        tx.prepare_cached("INSERT INTO chunks (job_id, seq, bytes) VALUES (?1, 0, ?2)")?
            .execute(params![job, bytes])?;
        tx.prepare_cached("UPDATE docs SET chunk_count = 1 WHERE job_id = ?1")?
            .execute([job])?;
    } else {
        tx.prepare_cached(
            "INSERT INTO chunks (job_id, seq, bytes)
             VALUES (?1, (SELECT COALESCE(MAX(seq), -1) + 1 FROM chunks WHERE job_id = ?1), ?2)",
        )?
        .execute(params![job, chunk])?;
        tx.prepare_cached("UPDATE docs SET chunk_count = chunk_count + 1 WHERE job_id = ?1")?
            .execute([job])?;
    }
    Ok(())
}

/// Rewrites the projections of jobs stored before a projection column existed (their new
/// columns are NULL), from their documents, in one transaction. A no-op on an up-to-date store.
pub fn backfill_projections(conn: &mut Connection) -> Result<()> {
    let stale: Vec<String> = conn
        .prepare("SELECT job_id FROM jobs WHERE site_time_zone IS NULL OR sla_kind IS NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if stale.is_empty() {
        return Ok(());
    }
    write(conn, |tx| {
        for job in &stale {
            let Some(bytes) = load_doc_bytes(tx, job)? else {
                continue;
            };
            let doc = fieldwork_model::JobDocument::load(&bytes, automerge::ActorId::random())?;
            let data = doc.data()?;
            let derived = fieldwork_model::status::derive(&data.events);
            write_projection(tx, &data, &derived)?;
        }
        Ok(())
    })
}

/// Adds one part line to the parts projection (a local edit that added only that line).
pub fn project_part(
    tx: &Transaction,
    job: &str,
    line: &str,
    sku: &str,
    qty: u32,
    removed: bool,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO parts (job_id, line_id, sku, qty, removed) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (job_id, line_id) DO UPDATE SET removed = excluded.removed",
    )?
    .execute(params![job, line, sku, qty, removed])?;
    Ok(())
}

/// Marks one part line removed in the parts projection.
pub fn project_part_removed(tx: &Transaction, job: &str, line: &str) -> Result<()> {
    tx.prepare_cached("UPDATE parts SET removed = 1 WHERE job_id = ?1 AND line_id = ?2")?
        .execute(params![job, line])?;
    Ok(())
}

/// Rewrites the job-list, parts and loans projections of one job from its document.
pub fn write_projection(tx: &Transaction, data: &JobData, derived: &Derived) -> Result<()> {
    // A job whose stored contract cannot be evaluated still lists, without a deadline.
    let now = chrono::Utc::now().timestamp_millis();
    let outlook = fieldwork_model::sla::Outlook::of(data, now).ok().flatten();
    let next = outlook.as_ref().and_then(|o| o.glance(now).open);
    // The list tells the state at any later instant from the outlook, without the document,
    // except while the job is on hold (its resolution deadline moves with the clock).
    let (sla_kind, sla_outlook) = match &outlook {
        None => ("none", None),
        Some(o) if o.paused => ("paused", None),
        Some(o) => ("outlook", serde_json::to_string(o).ok()),
    };
    tx.prepare_cached(
        "INSERT INTO jobs (job_id, technician, status, priority, customer_name, site_address,
                           reported_at, scheduled_start, scheduled_end, sla_milestone, sla_due,
                           site_time_zone, sla_kind, sla_outlook)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (job_id) DO UPDATE SET
            technician = excluded.technician, status = excluded.status,
            priority = excluded.priority, customer_name = excluded.customer_name,
            site_address = excluded.site_address, reported_at = excluded.reported_at,
            scheduled_start = excluded.scheduled_start, scheduled_end = excluded.scheduled_end,
            sla_milestone = excluded.sla_milestone, sla_due = excluded.sla_due,
            site_time_zone = excluded.site_time_zone, sla_kind = excluded.sla_kind,
            sla_outlook = excluded.sla_outlook",
    )?
    .execute(params![
        data.id,
        derived.technician,
        derived.status.as_str(),
        data.priority.as_str(),
        data.customer.name,
        data.site.address,
        data.reported_at,
        data.scheduled_start,
        data.scheduled_end,
        next.map(|(m, _)| m),
        next.map(|(_, due)| due),
        data.site.time_zone,
        sla_kind,
        sla_outlook,
    ])?;
    tx.prepare_cached("DELETE FROM parts WHERE job_id = ?1")?
        .execute([&data.id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO parts (job_id, line_id, sku, qty, removed) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (line_id, p) in &data.parts {
        stmt.execute(params![data.id, line_id, p.sku, p.qty, p.removed.is_some()])?;
    }
    tx.prepare_cached("DELETE FROM loans WHERE job_id = ?1")?
        .execute([&data.id])?;
    if !data.loaners.is_empty() {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO loans (job_id, serial, model, issued_at, returned_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for loan in fieldwork_model::loaners::fold(&data.loaners) {
            stmt.execute(params![
                data.id,
                loan.serial,
                loan.model,
                loan.issued_at,
                loan.returned.as_ref().map(|r| r.1)
            ])?;
        }
    }
    Ok(())
}

/// Sync bookkeeping of one job.
#[derive(Debug, Clone, Default)]
pub struct DocRow {
    pub synced_heads: Vec<ChangeHash>,
    pub dirty: bool,
    pub revoked: bool,
    pub wedged: Option<String>,
}

/// Reads a job's sync bookkeeping.
pub fn doc_row(conn: &Connection, job: &str) -> Result<Option<DocRow>> {
    Ok(conn
        .query_row(
            "SELECT synced_heads, dirty, revoked, wedged FROM docs WHERE job_id = ?1",
            [job],
            |r| {
                Ok(DocRow {
                    synced_heads: decode_heads(&r.get::<_, String>(0)?),
                    dirty: r.get(1)?,
                    revoked: r.get(2)?,
                    wedged: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Writes a job's sync bookkeeping (the row must exist).
pub fn set_doc_row(tx: &Transaction, job: &str, row: &DocRow) -> Result<()> {
    tx.execute(
        "UPDATE docs SET synced_heads = ?2, dirty = ?3, revoked = ?4, wedged = ?5
         WHERE job_id = ?1",
        params![
            job,
            encode_heads(&row.synced_heads),
            row.dirty,
            row.revoked,
            row.wedged
        ],
    )?;
    Ok(())
}

/// Jobs with unacknowledged local changes that are not wedged.
pub fn dirty_jobs(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT job_id FROM docs WHERE dirty = 1 AND wedged IS NULL ORDER BY job_id",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn schema_dump(conn: &Connection) -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn a_store_upgraded_from_any_version_equals_a_fresh_one() {
        let dir = tempfile::tempdir().unwrap();
        let (fresh, _) = open(&dir.path().join("fresh.db"), None).unwrap();
        let expected = schema_dump(&fresh);
        for start in 0..schema::MIGRATIONS.len() {
            let path = dir.path().join(format!("from-{start}.db"));
            let mut conn = Connection::open(&path).unwrap();
            for (i, step) in schema::MIGRATIONS.iter().enumerate().take(start) {
                conn.execute_batch(step).unwrap();
                conn.pragma_update(None, "user_version", i as i64 + 1)
                    .unwrap();
            }
            migrate(&mut conn).unwrap();
            assert_eq!(schema_dump(&conn), expected, "upgrade from version {start}");
            let v: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(v, schema::MIGRATIONS.len() as i64);
        }
    }

    #[test]
    fn an_unreadable_store_is_moved_aside_never_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fieldwork.db");
        let garbage = b"this is not a database, but it may hold the only copy".repeat(200);
        std::fs::write(&path, &garbage).unwrap();
        let err = open(&path, None).err().unwrap();
        let Error::StoreMovedAside { moved_to, .. } = err else {
            panic!("expected StoreMovedAside, got {err}");
        };
        assert_eq!(std::fs::read(&moved_to).unwrap(), garbage);
        assert!(
            open(&path, None).is_ok(),
            "a fresh store opens after the move"
        );
    }

    #[test]
    fn a_store_from_a_newer_version_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fieldwork.db");
        {
            let (w, _) = open(&path, None).unwrap();
            w.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(matches!(
            open(&path, None),
            Err(Error::StoreTooNew { found: 99, .. })
        ));
        assert!(path.exists());
    }

    #[test]
    fn heads_encoding_round_trips_in_canonical_order() {
        let a: ChangeHash = "aa".repeat(32).parse().unwrap();
        let b: ChangeHash = "0b".repeat(32).parse().unwrap();
        let s = encode_heads(&[a, b]);
        assert!(s.starts_with("0b"));
        assert_eq!(decode_heads(&s), vec![b, a]);
    }
}
