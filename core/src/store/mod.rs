//! The device's SQLite store: opening (never deleting a file that fails to open), migrations,
//! and the SQL the engine needs. One writer connection, one reader connection, WAL mode.
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

/// Opens (creating if needed) the store at `path` and brings its schema up to date.
///
/// If the file exists but is not a readable database, it is renamed to
/// `<name>.unreadable-<millis>` and [`Error::StoreMovedAside`] is returned: unsynced field work
/// may exist only in that file, so it is never deleted.
pub fn open(path: &Path) -> Result<(Connection, Connection)> {
    match open_inner(path) {
        Ok(pair) => Ok(pair),
        Err(Error::Sqlite(e)) if path.exists() && is_unreadable(&e) => {
            let moved_to = aside_name(path);
            std::fs::rename(path, &moved_to)?;
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{suffix}", path.display()));
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

fn open_inner(path: &Path) -> Result<(Connection, Connection)> {
    let mut writer = Connection::open(path)?;
    writer.pragma_update(None, "journal_mode", "WAL")?;
    writer.pragma_update(None, "synchronous", "FULL")?;
    writer.pragma_update(None, "foreign_keys", "ON")?;
    writer.busy_timeout(std::time::Duration::from_secs(5))?;
    migrate(&mut writer)?;
    let reader = Connection::open(path)?;
    reader.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok((writer, reader))
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
        .prepare("SELECT job_id FROM jobs WHERE site_time_zone IS NULL")?
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
    let next = fieldwork_model::sla::next_deadline(data, chrono::Utc::now().timestamp_millis())
        .ok()
        .flatten();
    tx.prepare_cached(
        "INSERT INTO jobs (job_id, technician, status, priority, customer_name, site_address,
                           reported_at, scheduled_start, scheduled_end, sla_milestone, sla_due,
                           site_time_zone)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (job_id) DO UPDATE SET
            technician = excluded.technician, status = excluded.status,
            priority = excluded.priority, customer_name = excluded.customer_name,
            site_address = excluded.site_address, reported_at = excluded.reported_at,
            scheduled_start = excluded.scheduled_start, scheduled_end = excluded.scheduled_end,
            sla_milestone = excluded.sla_milestone, sla_due = excluded.sla_due,
            site_time_zone = excluded.site_time_zone",
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
        let (fresh, _) = open(&dir.path().join("fresh.db")).unwrap();
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
        let err = open(&path).err().unwrap();
        let Error::StoreMovedAside { moved_to, .. } = err else {
            panic!("expected StoreMovedAside, got {err}");
        };
        assert_eq!(std::fs::read(&moved_to).unwrap(), garbage);
        assert!(open(&path).is_ok(), "a fresh store opens after the move");
    }

    #[test]
    fn a_store_from_a_newer_version_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fieldwork.db");
        {
            let (w, _) = open(&path).unwrap();
            w.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(matches!(
            open(&path),
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
