#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::*;
use crate::sql::*;
use fieldwork_store::conformance::{Fresh, create, enroll, feed, note, technician};
use fieldwork_store::conformance_tests;
use fieldwork_store::*;

/// A new storage on a database of its own, dropped when the test ends; `None` (the test is
/// skipped) when `FIELDWORK_TEST_POSTGRES` is not set.
fn fresh() -> Option<Fresh> {
    let db = TestDb::create()?;
    let storage = PgStorage::connect(&db.url).unwrap();
    Some(Fresh::new(storage, db))
}

conformance_tests!(fresh);

/// A database of its own on the cluster `FIELDWORK_TEST_POSTGRES` names, dropped when the
/// test ends.
struct TestDb {
    cluster: String,
    name: String,
    url: String,
}

impl TestDb {
    /// `None` (and the test is skipped) when `FIELDWORK_TEST_POSTGRES` is not set.
    fn create() -> Option<TestDb> {
        let Ok(cluster) = std::env::var("FIELDWORK_TEST_POSTGRES") else {
            eprintln!("skipped: FIELDWORK_TEST_POSTGRES not set");
            return None;
        };
        let name = format!("fw_{:016x}", rand::random::<u64>());
        admin(&cluster, &format!("CREATE DATABASE {name}")).unwrap();
        // A `dbname` parameter overrides the database in the URL's path.
        let separator = if cluster.contains('?') { '&' } else { '?' };
        let url = format!("{cluster}{separator}dbname={name}");
        Some(TestDb { cluster, name, url })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Best effort: at worst a failed test leaves its database behind.
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = admin(&self.cluster, &sql);
    }
}

/// Every column, constraint, index and function of the database, one line each, sorted.
fn schema(url: &str) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
        let connection = tokio::spawn(connection);
        let rows = client
            .query(
                "SELECT concat_ws(' ', 'column', table_name, column_name, data_type,
                                      is_nullable, column_default)
                     FROM information_schema.columns WHERE table_schema = 'public'
                     UNION ALL
                     SELECT concat_ws(' ', 'constraint', conrelid::regclass::text, conname,
                                      pg_get_constraintdef(oid))
                     FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                     UNION ALL
                     SELECT concat_ws(' ', 'index', indexdef) FROM pg_indexes
                     WHERE schemaname = 'public'
                     UNION ALL
                     SELECT concat_ws(' ', 'function', p.oid::regprocedure::text,
                                      pg_get_functiondef(p.oid))
                     FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
                     ORDER BY 1",
                &[],
            )
            .await
            .unwrap();
        drop(client);
        let _ = connection.await;
        rows.iter().map(|r| r.get::<_, String>(0)).collect()
    })
}

#[test]
fn a_database_upgraded_from_each_older_schema_equals_a_new_one() {
    let Some(fresh) = TestDb::create() else {
        return;
    };
    let storage = PgStorage::connect(&fresh.url).unwrap();
    assert_eq!(storage.schema_version().unwrap(), MIGRATIONS.len() as i64);
    drop(storage);
    let want = schema(&fresh.url);
    assert!(want.iter().any(|l| l.contains("feed_clock")));
    for version in 1..MIGRATIONS.len() {
        let old = TestDb::create().unwrap();
        let setup = format!(
            "{}\nCREATE TABLE schema_version (version INTEGER NOT NULL);
                 INSERT INTO schema_version VALUES ({version});",
            MIGRATIONS[..version].join("\n")
        );
        admin(&old.url, &setup).unwrap();
        let storage = PgStorage::connect(&old.url).unwrap();
        assert_eq!(storage.schema_version().unwrap(), MIGRATIONS.len() as i64);
        drop(storage);
        assert_eq!(schema(&old.url), want, "upgraded from version {version}");
    }
}

/// Runs `sql` on the database at `url` (outside any transaction, as CREATE DATABASE needs).
fn admin(url: &str, sql: &str) -> std::result::Result<(), tokio_postgres::Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
        let connection = tokio::spawn(connection);
        let out = client.batch_execute(sql).await;
        drop(client);
        let _ = connection.await;
        out
    })
}

#[test]
fn a_bad_url_is_refused_without_printing_it() {
    let Err(e) = PgStorage::connect("postgres://fieldwork:s3cret@db:port/fieldwork") else {
        panic!("a URL with a bad port was accepted");
    };
    assert!(matches!(e, Error::Invalid("database", _)), "{e:?}");
    assert!(!e.to_string().contains("s3cret"), "{e}");
}

#[test]
fn a_database_nobody_answers_at_is_unavailable_and_a_bad_statement_is_not() {
    // A loopback port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = PgStorage::connect(&format!("postgres://fieldwork@127.0.0.1:{port}/fieldwork"))
        .err()
        .expect("nothing listens there");
    assert!(matches!(e, Error::Unavailable(_)), "{e:?}");

    let Some(db) = TestDb::create() else { return };
    let storage = PgStorage::connect(&db.url).unwrap();
    let e = storage
        .read(async |c| Ok(query(c, "SELECT no_such_column FROM jobs", &[]).await?))
        .unwrap_err();
    assert!(matches!(e, Error::Backend(_)), "{e:?}");
    // Authentication is not an outage: retrying will not help.
    let Some(wrong_user) = db.url.split_once("fieldwork@").map(|(_, rest)| rest) else {
        panic!("test URL {} has no user", db.url)
    };
    let e = PgStorage::connect(&format!("postgres://nobody@{wrong_user}"))
        .err()
        .expect("an unknown role is refused");
    assert!(matches!(e, Error::Backend(_)), "{e:?}");
}

#[test]
fn a_restore_asks_each_earlier_device_once_for_what_the_office_lost() {
    let Some(db) = TestDb::create() else { return };
    let storage = PgStorage::connect(&db.url).unwrap();
    storage.add_technician(&technician("t1")).unwrap();
    enroll(&storage, "D-old", "t1");
    assert!(!storage.owes_healing("D-old").unwrap());
    let before = storage.epoch().unwrap();

    // What the restore does once the dump is back in the database.
    let epoch = storage.renew_epoch().unwrap();
    assert_ne!(epoch, before);
    assert_eq!(storage.epoch().unwrap(), epoch);
    drop(storage);
    let storage = PgStorage::connect(&db.url).unwrap();
    assert_eq!(storage.epoch().unwrap(), epoch);
    assert!(storage.owes_healing("D-old").unwrap());
    // A device enrolled after the restore holds nothing the office lost.
    enroll(&storage, "D-new", "t1");
    assert!(!storage.owes_healing("D-new").unwrap());
    assert!(!storage.owes_healing("D-unknown").unwrap());
    storage.healed("D-old").unwrap();
    assert!(!storage.owes_healing("D-old").unwrap());
    // Restarting is not restoring: the epoch stays.
    drop(storage);
    assert_eq!(PgStorage::connect(&db.url).unwrap().epoch().unwrap(), epoch);
}

/// Reads a technician's feed the way a phone does (after its cursor, moving the cursor to
/// the last number it got) until `done`, then once more. Returns the last number it saw for
/// each job.
fn phone(s: &PgStorage, technician: &str, done: &AtomicBool) -> BTreeMap<String, u64> {
    let mut cursor = 0;
    let mut seen = BTreeMap::new();
    loop {
        let last_round = done.load(Ordering::SeqCst);
        loop {
            let page = s.feed_since(technician, cursor, 20).unwrap();
            let Some(&(last, _)) = page.last() else {
                break;
            };
            for (seq, job) in page {
                assert!(seq > cursor);
                seen.insert(job, seq);
            }
            cursor = last;
        }
        if last_round {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn two_instances_writing_at_once_number_each_feed_in_commit_order() {
    let Some(db) = TestDb::create() else { return };
    let a = PgStorage::connect(&db.url).unwrap();
    let b = PgStorage::connect(&db.url).unwrap();
    const WRITERS: usize = 8;
    const JOBS: usize = 4;
    for t in ["t1", "t2"] {
        a.add_technician(&technician(t)).unwrap();
        // One job per technician every writer edits too, so writers wait on its row.
        create(&a, &format!("S-{t}"), t);
    }
    let done = AtomicBool::new(false);
    let seen = std::thread::scope(|scope| {
        let phones = ["t1", "t2"].map(|t| {
            let (b, done) = (&b, &done);
            scope.spawn(move || phone(b, t, done))
        });
        let mut writers = Vec::new();
        for (n, s) in [&a, &b].into_iter().enumerate() {
            for w in 0..WRITERS {
                writers.push(scope.spawn(move || {
                    for k in 0..JOBS {
                        let t = if k % 2 == 0 { "t1" } else { "t2" };
                        let id = format!("J-{n}-{w}-{k}");
                        create(s, &id, t);
                        s.update_job(&id, &mut note).unwrap().unwrap();
                        s.update_job(&format!("S-{t}"), &mut note).unwrap().unwrap();
                    }
                }));
            }
        }
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, Ordering::SeqCst);
        phones.map(|p| p.join().unwrap())
    });
    for (t, seen) in ["t1", "t2"].into_iter().zip(seen) {
        let feed = feed(&a, t);
        let mut expected: Vec<String> = (0..2)
            .flat_map(|n| (0..WRITERS).map(move |w| (n, w)))
            .flat_map(|(n, w)| {
                (0..JOBS)
                    .filter(|k| (k % 2 == 0) == (t == "t1"))
                    .map(move |k| format!("J-{n}-{w}-{k}"))
            })
            .collect();
        expected.push(format!("S-{t}"));
        expected.sort();
        assert_eq!(feed.keys().cloned().collect::<Vec<_>>(), expected);
        // The phone read while the writers committed; had a number committed below its
        // cursor, it would hold an older number for that job.
        assert_eq!(seen, feed, "{t}'s phone missed a change");
    }
}

#[test]
fn instances_starting_together_all_migrate_the_new_database() {
    let Some(db) = TestDb::create() else { return };
    let barrier = Barrier::new(4);
    let storages: Vec<PgStorage> = std::thread::scope(|scope| {
        let starting: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    PgStorage::connect(&db.url)
                })
            })
            .collect();
        starting
            .into_iter()
            .map(|s| s.join().unwrap().unwrap())
            .collect()
    });
    let actor = storages[0].actor().unwrap();
    let epoch = storages[0].epoch().unwrap();
    for s in &storages {
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(s.actor().unwrap(), actor);
        assert_eq!(s.epoch().unwrap(), epoch);
    }
}

#[test]
fn works_when_called_from_inside_another_runtime() {
    let Some(db) = TestDb::create() else { return };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let storage = PgStorage::connect(&db.url).unwrap();
        storage.add_technician(&technician("t1")).unwrap();
        assert!(storage.technician_exists("t1").unwrap());
        // Dropped here, inside the async context.
        drop(storage);
    });
}
