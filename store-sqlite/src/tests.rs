#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use automerge::ChangeHash;
use fieldwork_model::JobDocument;
use fieldwork_model::Status;
use fieldwork_store::conformance::{AT, Fresh, enroll, new_job, technician};
use fieldwork_store::conformance_tests;
use fieldwork_store::*;
use rusqlite::params;

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
    let mut doc = JobDocument::create("J-1", &new, "dispatch", AT, storage.actor.clone()).unwrap();
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
