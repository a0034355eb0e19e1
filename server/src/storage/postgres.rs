//! The PostgreSQL storage: the same [`Storage`] as `storage::sqlite`, for offices that run
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

use std::collections::HashMap;
use std::future::Future;

use automerge::{ActorId, ChangeHash};
use deadpool_postgres::{Client, GenericClient, Manager, Pool, PoolError, Transaction};
use fieldwork_model::maintenance::MaintenancePlan;
use fieldwork_model::{Contract, JobDocument};
use parking_lot::RwLock;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{NoTls, Row};

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
use std::time::Duration;

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        if database_unreachable(&e) {
            return unavailable(&describe(&e));
        }
        Error::Storage {
            disk_full: e.code() == Some(&SqlState::DISK_FULL),
            message: describe(&e),
        }
    }
}

impl From<PoolError> for Error {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::Backend(e) => e.into(),
            // Every connection busy past the wait, or none could be opened in time.
            PoolError::Timeout(_) => Error::Unavailable(
                crate::error::DATABASE_UNAVAILABLE,
                format!("the office is busy or cannot reach its database; try again shortly ({e})"),
            ),
            PoolError::Closed => unavailable(&e.to_string()),
            other => Error::Storage {
                message: format!("database pool: {other}"),
                disk_full: false,
            },
        }
    }
}

/// Whether an error says the database cannot be reached now (stopped, restarting, failing
/// over, the network between) rather than that the statement failed: answered 503 with
/// `Retry-After`. The pool drops closed connections and opens new ones when the database is
/// back, so the instance itself needs no restart. (Not a read-only standby: that is a
/// misconfigured URL, and retrying on the same connection would not help.)
fn database_unreachable(e: &tokio_postgres::Error) -> bool {
    if let Some(db) = e.as_db_error() {
        return [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::CONNECTION_FAILURE,
            SqlState::CONNECTION_EXCEPTION,
        ]
        .contains(db.code());
    }
    // tokio-postgres names its error kinds only in its messages: connecting, the socket, a
    // closed connection, a timeout. Not authentication or a response it cannot parse.
    let message = e.to_string();
    e.is_closed()
        || [
            "error connecting to server",
            "error communicating with the server",
            "timeout waiting for server",
        ]
        .iter()
        .any(|kind| message.starts_with(kind))
}

/// 503 `database_unavailable` with `Retry-After`: phones keep their work and come back. If the
/// connection was lost during a commit the write may have landed: a sync sent again merges to
/// the same result; a dispatch create sent again answers 409 (the job exists).
fn unavailable(why: &str) -> Error {
    Error::Unavailable(
        crate::error::DATABASE_UNAVAILABLE,
        format!("the database cannot be reached; try again shortly ({why})"),
    )
}

/// A tokio-postgres error as one line. Its `Display` alone says only "db error"; the server's
/// message is in its source. The server's DETAIL line is left out: it can quote row values.
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} (SQLSTATE {})", db.message(), db.code().code());
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// The schema's migrations, in order: `server/migrations/postgres/NNNN_*.sql`. A database
/// records how many it has run in `schema_version`; a migration, once released, is never edited.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_schema.sql"),
    include_str!("../../migrations/postgres/0002_rate_buckets.sql"),
];

/// The advisory lock the migrations run under ("fieldwrk" in ASCII), so instances starting
/// together migrate one after the other.
const MIGRATION_LOCK: i64 = 0x6669_656c_6477_726b;

/// Most connections one instance opens.
const POOL_SIZE: usize = 16;

/// How long opening a connection may take before the request is answered 503.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a request waits for one of the pool's connections before it is answered 503 (well
/// inside the request deadline; under the load benchmark a wait is milliseconds).
const POOL_WAIT: Duration = Duration::from_secs(30);

/// A count for an `INTEGER` column (PostgreSQL has no unsigned types).
fn int4(v: u32) -> Result<i32> {
    i32::try_from(v).map_err(|_| Error::Internal(format!("{v} does not fit an INTEGER column")))
}

/// A count read from an `INTEGER` column.
/// One more wrong password for account `$1`, locking it until `$3` from the `$2`-th in a row.
const COUNT_WRONG_PASSWORD: &str = "UPDATE users SET failed_logins = failed_logins + 1,
    locked_until = CASE WHEN failed_logins + 1 >= $2::bigint THEN $3::bigint ELSE locked_until END
    WHERE name = $1";

/// A console account from a row of `name, password_hash, failed_logins, locked_until`.
fn user_record(row: &Row) -> Result<UserRecord> {
    Ok(UserRecord {
        name: col(row, 0)?,
        password_hash: col(row, 1)?,
        failed_logins: uint(col(row, 2)?)?,
        locked_until: col(row, 3)?,
    })
}

fn uint(v: i32) -> Result<u32> {
    u32::try_from(v).map_err(|_| Error::Internal(format!("stored count {v} is negative")))
}

/// One column of a row, with a type mismatch as an error rather than a panic.
fn col<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Result<T> {
    Ok(row.try_get(i)?)
}

/// A statement's parameters, `$1` first.
type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Runs a statement (prepared once per connection) and returns how many rows it changed.
async fn exec(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<u64> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.execute(&statement, params).await?)
}

/// Runs a query (prepared once per connection) and returns its rows.
async fn query(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query(&statement, params).await?)
}

/// Runs a query that returns at most one row.
async fn query_opt(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_opt(&statement, params).await?)
}

/// Runs a query that returns exactly one row.
async fn query_one(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<Row> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_one(&statement, params).await?)
}

fn mail_row(r: &Row) -> Result<MailRow> {
    Ok(MailRow {
        id: col(r, 0)?,
        job: col(r, 1)?,
        version: uint(col(r, 2)?)?,
        recipient: col(r, 3)?,
        attempts: uint(col(r, 4)?)?,
        next_at: col(r, 5)?,
        sent_at: col(r, 6)?,
        last_error: col(r, 7)?,
    })
}

/// The runtime the connections live on, and the way into it from synchronous code.
struct Bridge {
    handle: tokio::runtime::Handle,
    /// Taken by `drop`, to shut it down without waiting.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Bridge {
    fn new() -> Result<Bridge> {
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
struct Tx<'c> {
    sql: Transaction<'c>,
    /// `(technician, job)`: feed rows to (re)number at commit.
    feed: Vec<(String, String)>,
}

impl<'c> Tx<'c> {
    async fn begin(client: &'c mut Client) -> Result<Tx<'c>> {
        Ok(Tx {
            sql: client.transaction().await?,
            feed: Vec::new(),
        })
    }

    /// Numbers the collected feed rows and commits. (Consoles on other instances hear of the
    /// change through `pg_live`, outside this transaction: a NOTIFY inside it would make every
    /// commit in the database wait for the others.)
    async fn commit(self) -> Result<()> {
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
        // The message names the problem, never the URL: it may hold a password.
        let config = url.parse::<tokio_postgres::Config>().map_err(|e| {
            Error::BadRequest(
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
            .map_err(|e| Error::Internal(format!("database pool: {e}")))?;
        let (actor, epoch) = bridge.block(async {
            let mut client = pool.get().await?;
            migrate(&mut client).await?;
            open_meta(&mut client).await
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
    fn read<T>(&self, f: impl AsyncFnOnce(&Client) -> Result<T>) -> Result<T> {
        self.block(async {
            let client = self.pool.get().await?;
            f(&client).await
        })
    }

    /// Runs `f` in a transaction and commits it (with the feed rows `f`
    /// collected); an error rolls everything back.
    fn write<T>(&self, f: impl AsyncFnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        self.block(async {
            let mut client = self.pool.get().await?;
            let mut tx = Tx::begin(&mut client).await?;
            let out = f(&mut tx).await?;
            tx.commit().await?;
            Ok(out)
        })
    }
}

/// Runs the migrations this database has not run yet, in one transaction, under an advisory
/// lock: a second instance starting at the same time waits, then finds nothing left to do.
async fn migrate(client: &mut Client) -> Result<()> {
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
        .map_err(|_| Error::Internal(format!("database schema version {found} is negative")))?;
    if found > known {
        return Err(Error::Internal(format!(
            "database schema {found} is newer than this server ({known})"
        )));
    }
    if found < known {
        for step in &MIGRATIONS[found..] {
            tx.batch_execute(step).await?;
        }
        let version =
            i32::try_from(known).map_err(|_| Error::Internal(format!("{known} migrations")))?;
        exec(&tx, "UPDATE schema_version SET version = $1", &[&version]).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Reads the actor id and epoch, creating them on a new database. Several instances may start
/// at once: each offers its own values and the first one inserted wins (`DO NOTHING`).
async fn open_meta(client: &mut Client) -> Result<(ActorId, String)> {
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
        .ok_or_else(|| Error::Internal("stored actor id is missing or not hex".into()))?;
    let epoch = epoch.ok_or_else(|| Error::Internal("stored epoch is missing".into()))?;
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

/// Whether [`store_job`] creates the job's row or rewrites it.
enum JobRow<'a> {
    /// A new job: `Conflict` if the id exists.
    New,
    /// A job loaded (and locked) in this transaction, with the technician it had then.
    Existing { previous: Option<&'a str> },
}

/// Writes a job's row with its projection columns and loans, the grant of its technician, and
/// queues its feed rows for the commit.
async fn store_job(tx: &mut Tx<'_>, doc: &JobDocument, row: JobRow<'_>) -> Result<()> {
    let data = doc.data()?;
    let derived = fieldwork_model::status::derive(&data.events);
    let service = ServiceColumns::of(&data);
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
) -> Result<Option<JobDocument>> {
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
) -> Result<Option<JobDocument>> {
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
) -> Result<()> {
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
        Ok::<_, Error>(())
    };
    // Sent together: one round trip.
    tokio::try_join!(held, receipts)?;
    Ok(())
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
}

impl Accounts for PgStorage {
    fn add_technician(&self, t: &Technician) -> Result<()> {
        self.write(async |tx| {
            let added = exec(
                &tx.sql,
                "INSERT INTO technicians (id, name, region) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&t.id, &t.name, &t.region],
            )
            .await?;
            if added == 0 {
                return Err(Error::Conflict(format!("technician {} exists", t.id)));
            }
            Ok(())
        })
    }

    fn technician_exists(&self, id: &str) -> Result<bool> {
        self.read(async |c| {
            Ok(
                query_opt(c, "SELECT 1 FROM technicians WHERE id = $1", &[&id])
                    .await?
                    .is_some(),
            )
        })
    }

    fn technicians(&self) -> Result<Vec<Technician>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT id, name, region FROM technicians ORDER BY name, id",
                &[],
            )
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Technician {
                        id: col(r, 0)?,
                        name: col(r, 1)?,
                        region: col(r, 2)?,
                    })
                })
                .collect()
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
        self.write(async |tx| {
            exec(
                &tx.sql,
                "INSERT INTO tokens (hash, kind, device_id, technician) VALUES ($1, $2, $3, $4)",
                &[&token_hash, &kind, &device, &tech],
            )
            .await?;
            Ok(())
        })
    }

    fn principal(&self, token_hash: &str) -> Result<Option<Principal>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT t.kind, t.device_id, t.technician, d.revoked
                 FROM tokens t LEFT JOIN devices d ON d.id = t.device_id WHERE t.hash = $1",
                &[&token_hash],
            )
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let kind: String = col(&row, 0)?;
            let device: Option<String> = col(&row, 1)?;
            let technician: Option<String> = col(&row, 2)?;
            let revoked: Option<bool> = col(&row, 3)?;
            Ok(match (kind.as_str(), device, technician, revoked) {
                ("dispatcher", _, _, _) => Some(Principal::Dispatcher),
                (_, Some(device_id), _, Some(true)) => Some(Principal::RevokedDevice { device_id }),
                (_, Some(device_id), Some(technician), _) => Some(Principal::Device {
                    device_id,
                    technician,
                }),
                _ => None,
            })
        })
    }

    fn add_enroll_code(&self, code_hash: &str, technician: &str, expires_at: i64) -> Result<()> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "INSERT INTO enroll_codes (hash, technician, expires_at) VALUES ($1, $2, $3)",
                &[&code_hash, &technician, &expires_at],
            )
            .await?;
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
        let epoch = self.epoch.read().clone();
        self.write(async |tx| {
            // The UPDATE locks the code's row: a second redeem of the same code waits, then
            // finds it used.
            let row = query_opt(
                &tx.sql,
                "UPDATE enroll_codes SET used_at = $2
                 WHERE hash = $1 AND used_at IS NULL AND expires_at > $2
                 RETURNING technician",
                &[&code_hash, &now],
            )
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let technician: String = col(&row, 0)?;
            exec(
                &tx.sql,
                "INSERT INTO devices (id, name, technician, created_at, public_key, healed_epoch)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &device_id,
                    &device_name,
                    &technician,
                    &now,
                    &public_key,
                    &epoch,
                ],
            )
            .await?;
            exec(
                &tx.sql,
                "INSERT INTO tokens (hash, kind, device_id, technician)
                 VALUES ($1, 'device', $2, $3)",
                &[&token_hash, &device_id, &technician],
            )
            .await?;
            Ok(Some(technician))
        })
    }

    fn device_key(&self, device: &str) -> Result<Option<String>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT public_key FROM devices WHERE id = $1",
                &[&device],
            )
            .await?;
            Ok(row
                .map(|r| col::<Option<String>>(&r, 0))
                .transpose()?
                .flatten())
        })
    }

    fn devices(&self) -> Result<Vec<DeviceRecord>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT id, technician, name, public_key, created_at, last_sync_at, revoked
                 FROM devices ORDER BY created_at, id",
                &[],
            )
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(DeviceRecord {
                        device_id: col(r, 0)?,
                        technician: col(r, 1)?,
                        name: col(r, 2)?,
                        public_key: col(r, 3)?,
                        enrolled_at: col(r, 4)?,
                        last_sync_at: col(r, 5)?,
                        revoked: col(r, 6)?,
                    })
                })
                .collect()
        })
    }

    fn touch_device(&self, device: &str, now: i64) -> Result<()> {
        // At most one write a minute per device: otherwise the statement changes no row and the
        // transaction commits without writing (an idle sync stays cheap). The cast: without it
        // PostgreSQL types `$2` from `- 60000` as a 4-byte integer.
        self.write(async |tx| {
            exec(
                &tx.sql,
                "UPDATE devices SET last_sync_at = $2
                 WHERE id = $1 AND (last_sync_at IS NULL OR last_sync_at < $2::bigint - 60000)",
                &[&device, &now],
            )
            .await?;
            Ok(())
        })
    }

    fn revoke_device(&self, device: &str) -> Result<bool> {
        self.write(async |tx| {
            Ok(exec(
                &tx.sql,
                "UPDATE devices SET revoked = TRUE WHERE id = $1",
                &[&device],
            )
            .await?
                == 1)
        })
    }

    fn add_user(&self, name: &str, password_hash: &str, now: i64) -> Result<()> {
        self.write(async |tx| {
            let added = exec(
                &tx.sql,
                "INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO NOTHING",
                &[&name, &password_hash, &now],
            )
            .await?;
            if added == 0 {
                return Err(Error::Conflict(format!("there is already a user {name}")));
            }
            Ok(())
        })
    }

    fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        self.write(async |tx| {
            Ok(exec(
                &tx.sql,
                "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL
                 WHERE name = $1",
                &[&name, &password_hash],
            )
            .await?
                == 1)
        })
    }

    fn user(&self, name: &str) -> Result<Option<UserRecord>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT name, password_hash, failed_logins, locked_until FROM users
                 WHERE name = $1",
                &[&name],
            )
            .await?;
            row.as_ref().map(user_record).transpose()
        })
    }

    fn claim_login(
        &self,
        name: &str,
        now: i64,
        lock_after: u32,
        lock_ms: i64,
    ) -> Result<LoginClaim> {
        self.write(async |tx| {
            // The row stays locked until commit: a concurrent claim waits and then sees this one.
            let row = query_opt(
                &tx.sql,
                "SELECT name, password_hash, failed_logins, locked_until FROM users
                 WHERE name = $1 FOR UPDATE",
                &[&name],
            )
            .await?;
            let Some(row) = row else {
                return Ok(LoginClaim::Unknown);
            };
            let user = user_record(&row)?;
            if let Some(until) = user.locked_until.filter(|u| *u > now) {
                return Ok(LoginClaim::Locked { until });
            }
            exec(
                &tx.sql,
                COUNT_WRONG_PASSWORD,
                &[&name, &i64::from(lock_after), &(now + lock_ms)],
            )
            .await?;
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
        self.write(async |tx| {
            if ok {
                exec(
                    &tx.sql,
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = $1",
                    &[&name],
                )
                .await?;
            } else {
                exec(
                    &tx.sql,
                    COUNT_WRONG_PASSWORD,
                    &[&name, &i64::from(lock_after), &(now + lock_ms)],
                )
                .await?;
            }
            Ok(())
        })
    }

    fn add_session(&self, token_hash: &str, session: &SessionRecord, now: i64) -> Result<()> {
        self.write(async |tx| {
            // Expired sessions go when new ones come: the table stays the size of the live ones.
            exec(
                &tx.sql,
                "DELETE FROM sessions WHERE expires_at <= $1",
                &[&now],
            )
            .await?;
            // `user` is a reserved word in PostgreSQL: the column is quoted.
            exec(
                &tx.sql,
                "INSERT INTO sessions (hash, \"user\", csrf, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &token_hash,
                    &session.user,
                    &session.csrf,
                    &now,
                    &session.expires_at,
                ],
            )
            .await?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRecord>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT \"user\", csrf, expires_at FROM sessions
                 WHERE hash = $1 AND expires_at > $2",
                &[&token_hash, &now],
            )
            .await?;
            row.map(|r| {
                Ok(SessionRecord {
                    user: col(&r, 0)?,
                    csrf: col(&r, 1)?,
                    expires_at: col(&r, 2)?,
                })
            })
            .transpose()
        })
    }

    fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "DELETE FROM sessions WHERE hash = $1",
                &[&token_hash],
            )
            .await?;
            Ok(())
        })
    }
}

impl Jobs for PgStorage {
    fn create_job(&self, doc: &JobDocument) -> Result<()> {
        self.write(async |tx| store_job(tx, doc, JobRow::New).await)
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

    fn update_job(&self, id: &str, edit: JobEdit<'_>) -> Result<Option<JobDocument>> {
        let actor = self.actor.clone();
        self.write(async |tx| update_in(tx, id, actor, edit).await)
    }

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
                 ORDER BY reported_at, id LIMIT $3",
                &[
                    &filter.technician,
                    &filter.status,
                    &i64::from(filter.limit),
                    &filter.open_only,
                    &filter.report,
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
                .collect::<Result<Vec<Vec<u8>>>>()?;
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

impl SyncState for PgStorage {
    fn feed_since(&self, technician: &str, cursor: u64, limit: u32) -> Result<Vec<(u64, String)>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT seq, job FROM feed WHERE technician = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                &[&technician, &cursor_value(cursor), &i64::from(limit)],
            )
            .await?;
            rows.iter()
                .map(|r| Ok((col::<i64>(r, 0)? as u64, col(r, 1)?)))
                .collect()
        })
    }

    fn reset_device(&self, device: &str) -> Result<()> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "DELETE FROM device_docs WHERE device = (SELECT num FROM devices WHERE id = $1)",
                &[&device],
            )
            .await?;
            Ok(())
        })
    }

    fn promote_pending(&self, device: &str, cursor: u64) -> Result<()> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "UPDATE device_docs SET confirmed_heads = sent_heads, sent_heads = NULL,
                        sent_cursor = NULL
                 WHERE device = (SELECT num FROM devices WHERE id = $1)
                   AND sent_cursor IS NOT NULL AND sent_cursor <= $2",
                &[&device, &cursor_value(cursor)],
            )
            .await?;
            Ok(())
        })
    }

    fn confirmed_heads(&self, device: &str, job: &str) -> Result<Option<Vec<ChangeHash>>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT confirmed_heads FROM device_docs
                 WHERE device = (SELECT num FROM devices WHERE id = $1) AND job = $2",
                &[&device, &job],
            )
            .await?;
            let blob: Option<Vec<u8>> = row.map(|r| col(&r, 0)).transpose()?.flatten();
            Ok(blob.map(|b| blob_heads(&b)))
        })
    }

    fn confirmed_heads_of(
        &self,
        device: &str,
        jobs: &[String],
    ) -> Result<Vec<Option<Vec<ChangeHash>>>> {
        let rows = self.read(async |c| {
            query(
                c,
                "SELECT job, confirmed_heads FROM device_docs
                 WHERE device = (SELECT num FROM devices WHERE id = $1) AND job = ANY($2)",
                &[&device, &jobs],
            )
            .await
        })?;
        let mut held: HashMap<String, Vec<u8>> = HashMap::with_capacity(rows.len());
        for r in &rows {
            if let Some(blob) = col::<Option<Vec<u8>>>(r, 1)? {
                held.insert(col(r, 0)?, blob);
            }
        }
        Ok(jobs
            .iter()
            .map(|job| held.get(job).map(|b| blob_heads(b)))
            .collect())
    }

    fn set_pending(&self, device: &str, sent: &[(&str, &[ChangeHash])], cursor: u64) -> Result<()> {
        if sent.is_empty() {
            return Ok(());
        }
        // In job order, so two responses to the same device lock their rows in the same order.
        let mut sent = sent.to_vec();
        sent.sort_by(|a, b| a.0.cmp(b.0));
        let cursor = cursor_value(cursor);
        self.write(async |tx| {
            for (job, heads) in &sent {
                exec(
                    &tx.sql,
                    "INSERT INTO device_docs (device, job, sent_heads, sent_cursor)
                     VALUES ((SELECT num FROM devices WHERE id = $1), $2, $3, $4)
                     ON CONFLICT (device, job) DO UPDATE SET sent_heads = excluded.sent_heads,
                        sent_cursor = excluded.sent_cursor",
                    &[&device, job, &heads_blob(heads), &cursor],
                )
                .await?;
            }
            Ok(())
        })
    }

    fn epoch(&self) -> Result<String> {
        Ok(self.epoch.read().clone())
    }

    fn owes_healing(&self, device: &str) -> Result<bool> {
        let epoch = self.epoch.read().clone();
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT healed_epoch FROM devices WHERE id = $1",
                &[&device],
            )
            .await?;
            let healed: Option<String> = row.map(|r| col(&r, 0)).transpose()?.flatten();
            Ok(healed.is_some_and(|e| e != epoch))
        })
    }

    fn healed(&self, device: &str) -> Result<()> {
        let epoch = self.epoch.read().clone();
        self.write(async |tx| {
            exec(
                &tx.sql,
                "UPDATE devices SET healed_epoch = $2 WHERE id = $1",
                &[&device, &epoch],
            )
            .await?;
            Ok(())
        })
    }
}

impl Registers for PgStorage {
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
        self.write(async |tx| {
            exec(
                &tx.sql,
                "INSERT INTO followups (job, satisfaction, score, comment, recorded_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (job) DO UPDATE SET satisfaction = excluded.satisfaction,
                    score = excluded.score, comment = excluded.comment,
                    recorded_at = excluded.recorded_at",
                &[
                    &job,
                    &f.satisfaction,
                    &i32::from(f.score),
                    &f.comment,
                    &f.recorded_at,
                ],
            )
            .await?;
            Ok(())
        })
    }

    fn followups(&self, open_only: bool) -> Result<Vec<FollowupRow>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT j.id, j.technician, j.completed_at, j.followup_due_at,
                        f.satisfaction, f.score, f.comment, f.recorded_at
                 FROM jobs j LEFT JOIN followups f ON f.job = j.id
                 WHERE j.followup_due_at IS NOT NULL AND (NOT $1::boolean OR f.job IS NULL)
                 ORDER BY j.followup_due_at, j.id",
                &[&open_only],
            )
            .await?;
            rows.iter()
                .map(|r| {
                    let satisfaction: Option<String> = col(r, 4)?;
                    let record = match satisfaction {
                        Some(satisfaction) => {
                            let score: i32 = col(r, 5)?;
                            Some(Followup {
                                satisfaction,
                                score: u8::try_from(score).map_err(|_| {
                                    Error::Internal(format!("stored follow-up score {score}"))
                                })?,
                                comment: col(r, 6)?,
                                recorded_at: col(r, 7)?,
                            })
                        }
                        None => None,
                    };
                    Ok(FollowupRow {
                        job: col(r, 0)?,
                        technician: col(r, 1)?,
                        completed_at: col(r, 2)?,
                        due_at: col(r, 3)?,
                        record,
                    })
                })
                .collect()
        })
    }

    fn add_complaint(&self, c: &Complaint) -> Result<()> {
        let body = to_body(c)?;
        self.write(async |tx| {
            exec(
                &tx.sql,
                "INSERT INTO complaints (id, job, body, received_at) VALUES ($1, $2, $3, $4)",
                &[&c.id, &c.job, &body, &c.received_at],
            )
            .await?;
            Ok(())
        })
    }

    fn update_complaint(
        &self,
        id: &str,
        edit: &mut dyn FnMut(&mut Complaint) -> Result<()>,
    ) -> Result<Option<Complaint>> {
        self.write(async |tx| {
            // Locked until the commit: two instances editing one complaint take turns.
            let row = query_opt(
                &tx.sql,
                "SELECT body FROM complaints WHERE id = $1 FOR UPDATE",
                &[&id],
            )
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let mut c: Complaint = from_body(col(&row, 0)?)?;
            edit(&mut c)?;
            exec(
                &tx.sql,
                "UPDATE complaints SET body = $2 WHERE id = $1",
                &[&id, &to_body(&c)?],
            )
            .await?;
            Ok(Some(c))
        })
    }

    fn complaints(&self, job: Option<&str>) -> Result<Vec<Complaint>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT body FROM complaints WHERE $1::text IS NULL OR job = $1
                 ORDER BY received_at, id",
                &[&job],
            )
            .await?;
            rows.iter().map(|r| from_body(col(r, 0)?)).collect()
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
        self.read(async |c| {
            let rows = query(c, "SELECT id, body FROM maintenance_plans ORDER BY id", &[]).await?;
            rows.iter()
                .map(|r| Ok((col(r, 0)?, from_body(col(r, 1)?)?)))
                .collect()
        })
    }

    fn loans(&self, technician: Option<&str>, open_only: bool) -> Result<Vec<LoanRow>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT l.job, j.technician, l.serial, l.model, l.issued_by, l.issued_at,
                        l.returned_at
                 FROM loans l JOIN jobs j ON j.id = l.job
                 WHERE ($1::text IS NULL OR j.technician = $1)
                   AND (NOT $2::boolean OR l.returned_at IS NULL)
                 ORDER BY l.issued_at, l.job, l.serial",
                &[&technician, &open_only],
            )
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(LoanRow {
                        job: col(r, 0)?,
                        technician: col(r, 1)?,
                        serial: col(r, 2)?,
                        model: col(r, 3)?,
                        issued_by: col(r, 4)?,
                        issued_at: col(r, 5)?,
                        returned_at: col(r, 6)?,
                    })
                })
                .collect()
        })
    }
}

impl MailOutbox for PgStorage {
    fn enqueue_mail(&self, job: &str, version: u32, recipient: &str, now: i64) -> Result<bool> {
        let version = int4(version)?;
        self.write(async |tx| {
            Ok(exec(
                &tx.sql,
                "INSERT INTO mail_outbox (job, version, recipient, created_at, next_at)
                 VALUES ($1, $2, $3, $4, $4) ON CONFLICT DO NOTHING",
                &[&job, &version, &recipient, &now],
            )
            .await?
                == 1)
        })
    }

    fn due_mail(&self, now: i64, limit: u32) -> Result<Vec<MailRow>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT id, job, version, recipient, attempts, next_at, sent_at, last_error
                 FROM mail_outbox WHERE sent_at IS NULL AND next_at <= $1
                 ORDER BY next_at, id LIMIT $2",
                &[&now, &i64::from(limit)],
            )
            .await?;
            rows.iter().map(mail_row).collect()
        })
    }

    fn record_mail_attempt(
        &self,
        id: i64,
        outcome: std::result::Result<i64, (String, i64)>,
    ) -> Result<()> {
        self.write(async |tx| {
            match &outcome {
                Ok(sent_at) => {
                    exec(
                        &tx.sql,
                        "UPDATE mail_outbox SET attempts = attempts + 1, sent_at = $2,
                            last_error = NULL
                         WHERE id = $1",
                        &[&id, sent_at],
                    )
                    .await?
                }
                Err((error, next_at)) => {
                    exec(
                        &tx.sql,
                        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,
                            next_at = $3
                         WHERE id = $1",
                        &[&id, error, next_at],
                    )
                    .await?
                }
            };
            Ok(())
        })
    }

    fn job_mail(&self, job: &str) -> Result<Vec<MailRow>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT id, job, version, recipient, attempts, next_at, sent_at, last_error
                 FROM mail_outbox WHERE job = $1 ORDER BY version, id",
                &[&job],
            )
            .await?;
            rows.iter().map(mail_row).collect()
        })
    }
}

/// Inserts a JSON record keyed by `id` into a `(key, body)` table; `Conflict` if it exists.
fn insert_body<T: serde::Serialize>(
    s: &PgStorage,
    table: &str,
    key: &str,
    id: &str,
    value: &T,
    what: &str,
) -> Result<()> {
    let body = to_body(value)?;
    s.write(async |tx| {
        let added = exec(
            &tx.sql,
            &format!("INSERT INTO {table} ({key}, body) VALUES ($1, $2) ON CONFLICT DO NOTHING"),
            &[&id, &body],
        )
        .await?;
        if added == 0 {
            return Err(Error::Conflict(format!("{what} {id} exists")));
        }
        Ok(())
    })
}

/// Reads a JSON record keyed by `id` from a `(key, body)` table.
fn read_body<T: serde::de::DeserializeOwned>(
    s: &PgStorage,
    table: &str,
    key: &str,
    id: &str,
) -> Result<Option<T>> {
    s.read(async |c| {
        let row = query_opt(
            c,
            &format!("SELECT body FROM {table} WHERE {key} = $1"),
            &[&id],
        )
        .await?;
        row.map(|r| from_body(col(&r, 0)?)).transpose()
    })
}

/// Buckets idle this long are full again whatever their kind (the slowest refills in a day):
/// their rows are deleted now and then.
const IDLE_BUCKET_MS: i64 = 2 * 24 * 3_600_000;

/// One take in every this many also deletes idle buckets.
const PRUNE_EVERY: u64 = 4096;

static TAKES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The rate limits' buckets in the database, so every instance counts the same client against
/// the same allowance. One statement per take: refill by the time since the last take (on the
/// database's clock, the one clock every instance shares), then take if there is enough, or if
/// the bucket is full (one oversized request passes and leaves debt, as in memory).
impl crate::limits::SharedBuckets for PgStorage {
    fn take(
        &self,
        kind: &str,
        key: &str,
        amount: f64,
        rate: f64,
        capacity: f64,
    ) -> Result<std::result::Result<(), std::time::Duration>> {
        let prune = TAKES
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY);
        let row = self.read(async |c| {
            if prune {
                exec(
                    c,
                    "DELETE FROM rate_buckets
                     WHERE at < (extract(epoch FROM clock_timestamp()) * 1000)::bigint - $1",
                    &[&IDLE_BUCKET_MS],
                )
                .await?;
            }
            query_one(
                c,
                "WITH now AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms)
                 INSERT INTO rate_buckets AS b (kind, key, tokens, at, granted)
                 SELECT $1::text, $2::text, $5::float8 - $3::float8, ms, TRUE FROM now
                 ON CONFLICT (kind, key) DO UPDATE SET
                    granted = rate_level(b.tokens, b.at, excluded.at, $4, $5) >= least($3, $5),
                    tokens = rate_level(b.tokens, b.at, excluded.at, $4, $5)
                        - CASE WHEN rate_level(b.tokens, b.at, excluded.at, $4, $5)
                                    >= least($3, $5)
                               THEN $3 ELSE 0 END,
                    at = greatest(b.at, excluded.at)
                 RETURNING granted, tokens",
                &[&kind, &key, &amount, &rate, &capacity],
            )
            .await
        })?;
        let granted: bool = col(&row, 0)?;
        let tokens: f64 = col(&row, 1)?;
        if granted {
            return Ok(Ok(()));
        }
        let missing = (amount.min(capacity) - tokens).max(0.0);
        Ok(Err(std::time::Duration::from_secs_f64(
            missing / rate.max(1e-9),
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::collections::BTreeMap;
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::storage::conformance::{
        Fresh, conformance_tests, create, enroll, feed, note, technician,
    };

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
        assert!(matches!(e, Error::BadRequest("database", _)), "{e:?}");
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
        assert!(
            matches!(e, Error::Unavailable(crate::error::DATABASE_UNAVAILABLE, _)),
            "{e:?}"
        );

        let Some(db) = TestDb::create() else { return };
        let storage = PgStorage::connect(&db.url).unwrap();
        let e = storage
            .read(async |c| Ok(query(c, "SELECT no_such_column FROM jobs", &[]).await?))
            .unwrap_err();
        assert!(matches!(e, Error::Storage { .. }), "{e:?}");
        // Authentication is not an outage: retrying will not help.
        let Some(wrong_user) = db.url.split_once("fieldwork@").map(|(_, rest)| rest) else {
            panic!("test URL {} has no user", db.url)
        };
        let e = PgStorage::connect(&format!("postgres://nobody@{wrong_user}"))
            .err()
            .expect("an unknown role is refused");
        assert!(matches!(e, Error::Storage { .. }), "{e:?}");
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
}
