//! The PostgreSQL storage: the same [`Storage`] as `fieldwork-store-sqlite`, for offices that run
//! several server instances on one database (docs/adr/0009-postgres-and-the-feed.md).
//!
//! **The bridge.** The trait is synchronous: handlers call it on blocking threads, and CLI
//! commands and tests call it from inside tokio runtimes of their own. tokio-postgres is async,
//! so [`PgStorage`] owns a small runtime (two worker threads named `fieldwork-pg`) that drives
//! the connections' sockets, and each method enters that runtime and waits for its future on the
//! calling thread with `futures_executor::block_on`. `Runtime::block_on` is never used: it
//! panics when the caller is already inside a runtime. For the same reason the runtime is shut
//! down in the background when the storage is dropped.
//!
//! **The pool.** deadpool-postgres, at most 16 connections; each connection prepares a statement
//! once and keeps it (`prepare_cached`). Reads run on a pooled connection without an explicit
//! transaction. Every method that writes is one transaction, committed at its end; an error
//! drops the transaction, which rolls it back.
//!
//! **The feed clock.** A device reads its technician's feed after a cursor and moves the cursor
//! to the last number it got, so it must never see number N while a smaller number is still
//! uncommitted: that smaller number would commit later, below the cursor, and the device would
//! never fetch the change. SQLite has one writer, so its numbers commit in order. Here,
//! transactions run in parallel across instances, so a transaction does not write feed rows as
//! it goes: it collects the `(technician, job)` pairs, and just before it commits takes each
//! technician's next numbers from `feed_clock` with an upsert. The upsert locks the clock row
//! until the commit, so the next transaction for that technician waits, and numbers after it.
//! Locks are taken in one order (job rows first, by id, then clock rows, by technician), so two
//! transactions never wait on each other.

use std::future::Future;
use std::time::Duration;

use automerge::ActorId;
use deadpool_postgres::{Client, Manager, Pool, Transaction};
use parking_lot::RwLock;
use tokio_postgres::NoTls;

use fieldwork_store::rows::new_epoch;
use fieldwork_store::{Error, Result, Storage};

mod accounts;
pub mod admin;
mod buckets;
mod error;
mod jobs;
pub mod live;
mod mail;
mod registers;
mod sql;
mod stock;
mod sync_state;
#[cfg(test)]
mod tests;
mod webhooks;

use error::{Failure, Pg, describe};
use sql::*;

/// The schema's migrations, in order: `store-postgres/migrations/NNNN_*.sql`. A database
/// records how many it has run in `schema_version`; a migration, once released, is never edited.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_schema.sql"),
    include_str!("../migrations/0002_rate_buckets.sql"),
    include_str!("../migrations/0003_stock.sql"),
    include_str!("../migrations/0004_webhooks.sql"),
];

/// The advisory lock the migrations run under ("fieldwrk" in ASCII), so instances starting
/// together migrate one after the other.
pub(crate) const MIGRATION_LOCK: i64 = 0x6669_656c_6477_726b;

/// Most connections one instance opens.
const POOL_SIZE: usize = 16;

/// How long opening a connection may take before the request is answered 503.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a request waits for one of the pool's connections before it is answered 503 (well
/// inside the request deadline; under the load benchmark a wait is milliseconds).
const POOL_WAIT: Duration = Duration::from_secs(30);

/// The runtime the connections live on, and the way into it from synchronous code.
struct Bridge {
    handle: tokio::runtime::Handle,
    /// Taken by `drop`, to shut it down without waiting.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Bridge {
    fn new() -> Pg<Bridge> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fieldwork-pg")
            .enable_all()
            .build()?;
        Ok(Bridge {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
        })
    }

    /// Waits for `f` on the calling thread, inside this runtime's context (so the pool can open
    /// sockets and spawn connection tasks), whatever runtime the caller may be in.
    fn block<F: Future>(&self, f: F) -> F::Output {
        let _guard = self.handle.enter();
        futures_executor::block_on(f)
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        // Dropping a runtime from inside an async context panics; this does not wait.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A write transaction, and the feed rows it owes when it commits.
pub(crate) struct Tx<'c> {
    pub(crate) sql: Transaction<'c>,
    /// `(technician, job)`: feed rows to (re)number at commit.
    pub(crate) feed: Vec<(String, String)>,
}

impl<'c> Tx<'c> {
    async fn begin(client: &'c mut Client) -> Pg<Tx<'c>> {
        Ok(Tx {
            sql: client.transaction().await?,
            feed: Vec::new(),
        })
    }

    /// Numbers the collected feed rows and commits. (Consoles on other instances hear of the
    /// change through `live.rs`, outside this transaction: a NOTIFY inside it would make every
    /// commit in the database wait for the others.)
    async fn commit(self) -> Pg<()> {
        let Tx { sql, mut feed } = self;
        // By technician: the clock rows are locked in the same order by every transaction.
        feed.sort();
        feed.dedup();
        for (technician, job) in &feed {
            // Locks the technician's clock row until the commit: the next transaction for this
            // technician waits here, so its numbers commit after ours.
            let clock = query_one(
                &sql,
                "INSERT INTO feed_clock (technician, seq) VALUES ($1, 1)
                 ON CONFLICT (technician) DO UPDATE SET seq = feed_clock.seq + 1
                 RETURNING seq",
                &[technician],
            )
            .await?;
            let seq: i64 = col(&clock, 0)?;
            exec(
                &sql,
                "INSERT INTO feed (technician, seq, job) VALUES ($1, $2, $3)
                 ON CONFLICT (job, technician) DO UPDATE SET seq = excluded.seq",
                &[technician, &seq, job],
            )
            .await?;
        }
        sql.commit().await?;
        Ok(())
    }
}

/// PostgreSQL-backed [`Storage`].
pub struct PgStorage {
    pool: Pool,
    actor: ActorId,
    /// Read at connect and renewed by [`PgStorage::renew_epoch`] after a restore from backup.
    epoch: RwLock<String>,
    /// Last, so it is dropped after the pool's connections.
    bridge: Bridge,
}

impl PgStorage {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`),
    /// brings its schema up to date, and reads (or, on a new database, creates) the office's
    /// actor id and epoch.
    pub fn connect(url: &str) -> Result<PgStorage> {
        Ok(Self::connect_pg(url)?)
    }

    fn connect_pg(url: &str) -> Pg<PgStorage> {
        // The message names the problem, never the URL: it may hold a password.
        let config = url.parse::<tokio_postgres::Config>().map_err(|e| {
            Error::Invalid(
                "database",
                format!(
                    "the database URL is not a PostgreSQL connection URL \
                     (postgres://user:password@host:port/database): {}",
                    describe(&e)
                ),
            )
        })?;
        let mut config = config;
        // A database host that drops packets must not hold requests until TCP gives up: a
        // connection attempt times out, and an open connection to a host that vanished is
        // found dead by keepalives within about 25 s (then the pool opens a new one).
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10))
            .keepalives_interval(Duration::from_secs(5))
            .keepalives_retries(3)
            .tcp_user_timeout(Duration::from_secs(25));
        let bridge = Bridge::new()?;
        let pool = Pool::builder(Manager::new(config, NoTls))
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .create_timeout(Some(CONNECT_TIMEOUT))
            .wait_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|e| Error::Corrupt(format!("database pool: {e}")))?;
        let (actor, epoch) = bridge.block(async {
            let mut client = pool.get().await?;
            migrate(&mut client).await?;
            let (actor, epoch) = open_meta(&mut client).await?;
            webhooks::backfill_facts(&mut client, &actor).await?;
            Ok::<_, Failure>((actor, epoch))
        })?;
        Ok(PgStorage {
            pool,
            actor,
            epoch: RwLock::new(epoch),
            bridge,
        })
    }

    /// Gives the database a new random epoch and returns it: the restore path calls it once a
    /// backup has been restored into the database. Other running instances keep the epoch they
    /// read when they connected, so every instance must be restarted after a restore.
    pub fn renew_epoch(&self) -> Result<String> {
        let epoch = new_epoch();
        self.write(async |tx| {
            exec(
                &tx.sql,
                "INSERT INTO meta (key, value) VALUES ('epoch', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&epoch],
            )
            .await?;
            Ok(())
        })?;
        *self.epoch.write() = epoch.clone();
        Ok(epoch)
    }

    fn block<F: Future>(&self, f: F) -> F::Output {
        self.bridge.block(f)
    }

    /// Runs `f` on a pooled connection, without a transaction.
    fn read<T>(&self, f: impl AsyncFnOnce(&Client) -> Pg<T>) -> Result<T> {
        Ok(self.block(async {
            let client = self.pool.get().await?;
            f(&client).await
        })?)
    }

    /// Runs `f` in a transaction and commits it (with the feed rows `f`
    /// collected); an error rolls everything back.
    fn write<T>(&self, f: impl AsyncFnOnce(&mut Tx<'_>) -> Pg<T>) -> Result<T> {
        Ok(self.block(async {
            let mut client = self.pool.get().await?;
            let mut tx = Tx::begin(&mut client).await?;
            let out = f(&mut tx).await?;
            tx.commit().await?;
            Ok::<T, Failure>(out)
        })?)
    }
}

/// Runs the migrations this database has not run yet, in one transaction, under an advisory
/// lock: a second instance starting at the same time waits, then finds nothing left to do.
async fn migrate(client: &mut Client) -> Pg<()> {
    let tx = client.transaction().await?;
    exec(&tx, "SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
         INSERT INTO schema_version (version)
             SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);",
    )
    .await?;
    let row = query_one(&tx, "SELECT version FROM schema_version", &[]).await?;
    let found: i32 = col(&row, 0)?;
    let known = MIGRATIONS.len();
    let found = usize::try_from(found)
        .map_err(|_| Error::Corrupt(format!("database schema version {found} is negative")))?;
    if found > known {
        return Err(Failure::from(Error::Corrupt(format!(
            "database schema {found} is newer than this server ({known})"
        ))));
    }
    if found < known {
        for step in &MIGRATIONS[found..] {
            tx.batch_execute(step).await?;
        }
        let version =
            i32::try_from(known).map_err(|_| Error::Corrupt(format!("{known} migrations")))?;
        exec(&tx, "UPDATE schema_version SET version = $1", &[&version]).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Reads the actor id and epoch, creating them on a new database. Several instances may start
/// at once: each offers its own values and the first one inserted wins (`DO NOTHING`).
async fn open_meta(client: &mut Client) -> Pg<(ActorId, String)> {
    let tx = client.transaction().await?;
    exec(
        &tx,
        "INSERT INTO meta (key, value) VALUES ('actor', $1), ('epoch', $2)
         ON CONFLICT (key) DO NOTHING",
        &[&ActorId::random().to_hex_string(), &new_epoch()],
    )
    .await?;
    let mut actor = None;
    let mut epoch = None;
    for row in query(
        &tx,
        "SELECT key, value FROM meta WHERE key IN ('actor', 'epoch')",
        &[],
    )
    .await?
    {
        let value: String = col(&row, 1)?;
        match col::<&str>(&row, 0)? {
            "actor" => actor = Some(value),
            _ => epoch = Some(value),
        }
    }
    let actor = actor
        .and_then(|h| hex::decode(h).ok())
        .map(ActorId::from)
        .ok_or_else(|| Error::Corrupt("stored actor id is missing or not hex".into()))?;
    let epoch = epoch.ok_or_else(|| Error::Corrupt("stored epoch is missing".into()))?;
    // Every device gets the epoch when it enrolls; this only mends rows written some other way.
    exec(
        &tx,
        "UPDATE devices SET healed_epoch = $1 WHERE healed_epoch IS NULL",
        &[&epoch],
    )
    .await?;
    // Unlike SQLite there is no backfill of the service columns: those columns came with
    // SQLite's migration 2, and a PostgreSQL database has had them from its first job.
    tx.commit().await?;
    Ok((actor, epoch))
}

impl Storage for PgStorage {
    fn schema_version(&self) -> Result<i64> {
        self.read(async |c| {
            let row = query_one(c, "SELECT version FROM schema_version", &[]).await?;
            Ok(i64::from(col::<i32>(&row, 0)?))
        })
    }

    fn actor(&self) -> Result<ActorId> {
        Ok(self.actor.clone())
    }

    fn connections(&self) -> (u64, u64) {
        let status = self.pool.status();
        let open = status.size as u64;
        (
            open.saturating_sub(status.available as u64),
            status.max_size as u64,
        )
    }
}
