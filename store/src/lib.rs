//! The office's storage behind traits, so the sync, dispatch and console code never sees SQL:
//! `fieldwork-store-sqlite` (the embedded default) and `fieldwork-store-postgres` (one database
//! shared by several instances) do the same things, checked by one conformance suite
//! ([`conformance`], behind the `conformance` feature, run by each backend's tests).
//!
//! [`Storage`] is the sum of what the office stores, a trait per concern: [`Accounts`] (who may
//! call), [`Jobs`] (the update transaction, push merges, queries), [`SyncState`] (the feed and
//! what each device holds), [`Registers`] (contracts, assets, follow-ups, complaints, plans,
//! loans) and [`MailOutbox`]; [`SharedBuckets`] is what a backend shared by several instances
//! adds for their rate limits.
//!
//! Job updates go through [`Jobs::update_job`]: the implementation loads the document, runs
//! the closure, and (if the document changed) saves it with its projection, grants and feed
//! rows in one transaction, so concurrent requests on the same job never lose an update.
//!
//! This crate knows neither HTTP nor a database: it depends on the model and the office's
//! register types only.

#[cfg(feature = "conformance")]
pub mod conformance;
mod documents;
pub use documents::load_doc_bytes;
mod error;
pub mod rows;

pub use error::{Error, Result};
pub use fieldwork_office::{AssetRecord, Complaint, Followup, FollowupRow, LoanRow, Technician};

use automerge::ChangeHash;
use fieldwork_model::JobDocument;
pub use fieldwork_model::stock::{Location, Movement, Part};

/// Who is calling, resolved from a bearer token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// Office staff: the dispatch API.
    Dispatcher,
    /// A technician's enrolled device: the sync endpoint.
    Device {
        device_id: String,
        technician: String,
    },
    /// A device dispatch revoked (a lost phone): refused everywhere, with its own error.
    RevokedDevice { device_id: String },
}

/// What [`Accounts::claim_login`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginClaim {
    /// No account has this name.
    Unknown,
    /// The account refuses logins until then (ms); nothing was counted.
    Locked { until: i64 },
    /// The attempt is counted as a wrong password until the password proves right: check it
    /// against this record.
    Check(UserRecord),
}

/// A dispatcher account of the console (the password only as an argon2id hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    pub name: String,
    pub password_hash: String,
    /// Wrong passwords in a row since the last successful login.
    pub failed_logins: u32,
    /// Logins are refused until then (ms), after too many wrong passwords.
    pub locked_until: Option<i64>,
}

/// One email of a signed report to the customer, in the durable outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailRow {
    pub id: i64,
    pub job: String,
    pub version: u32,
    pub recipient: String,
    pub attempts: u32,
    pub next_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

/// The status events a push added (the edit fills them in) and when the push reached the office:
/// the visit record's "reached the office" (first arrival wins).
#[derive(Debug, Default)]
pub struct Arrivals {
    pub events: std::cell::RefCell<Vec<String>>,
    pub at: i64,
}

/// A console session: its user and the CSRF token its pages send back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub user: String,
    pub csrf: String,
    pub expires_at: i64,
}

/// An enrolled device, as `GET /api/v1/devices` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRecord {
    pub device_id: String,
    pub technician: String,
    pub name: String,
    pub public_key: Option<String>,
    pub enrolled_at: i64,
    pub last_sync_at: Option<i64>,
    pub revoked: bool,
}

/// A stored job: the compacted document and the columns sync needs without loading it.
#[derive(Clone, Debug)]
pub struct StoredJob {
    pub doc: Vec<u8>,
    pub heads: Vec<ChangeHash>,
    pub technician: Option<String>,
}

/// Filters of the dispatch job list.
#[derive(Clone, Debug, Default)]
pub struct JobFilter {
    pub technician: Option<String>,
    pub status: Option<String>,
    /// Only jobs not completed or cancelled.
    pub open_only: bool,
    /// Only jobs whose report state is this (`none`, `signed`, `refused`,
    /// `changed_since_signed`).
    pub report: Option<String>,
    pub limit: u32,
    /// Rows skipped first, in the list's order (`reported_at`, then id): a page's start.
    pub offset: u32,
}

/// A closure that edits a job document inside the storage transaction. It must not call the
/// storage itself (the transaction holds it).
pub type JobEdit<'a> = &'a mut dyn FnMut(&mut JobDocument) -> Result<()>;

/// One pushed job of a sync round, for [`Jobs::merge_pushes`].
pub struct PushMerge<'a> {
    pub job: &'a str,
    /// The heads the device holds of the job once the merge is done.
    pub device_heads: &'a [ChangeHash],
    pub edit: JobEdit<'a>,
    pub arrivals: &'a Arrivals,
}

/// Everything the office stores, as one object the server holds (`Arc<dyn Storage>`): the parts
/// below, plus the identity of the database. Each part is a trait of its own so a reader (or a
/// third backend) meets one concern at a time; handlers call them all through `dyn Storage`.
pub trait Storage:
    Accounts + Jobs + SyncState + Registers + MailOutbox + Stock + Webhooks + Send + Sync + 'static
{
    /// How many of the backend's numbered migrations the database has run.
    fn schema_version(&self) -> Result<i64>;
    /// The server's Automerge actor id (stable across restarts).
    fn actor(&self) -> Result<automerge::ActorId>;
    /// The backend's connections: (in use now, how many it may hold), for metrics.
    fn connections(&self) -> (u64, u64);
}

/// Who may call: technicians, bearer tokens, enrollment codes and the devices they enrolled
/// (with their public keys), console accounts and sessions.
pub trait Accounts {
    /// Adds a technician; `Conflict` if the id exists.
    fn add_technician(&self, t: &Technician) -> Result<()>;
    /// Whether a technician exists.
    fn technician_exists(&self, id: &str) -> Result<bool>;
    /// Every technician, by name.
    fn technicians(&self) -> Result<Vec<Technician>>;
    /// Stores a token hash for a principal.
    fn add_token(&self, token_hash: &str, principal: &Principal) -> Result<()>;
    /// The principal a token hash belongs to.
    fn principal(&self, token_hash: &str) -> Result<Option<Principal>>;
    /// Stores a one-time enrollment code (hashed) for a technician.
    fn add_enroll_code(&self, code_hash: &str, technician: &str, expires_at: i64) -> Result<()>;
    /// Atomically uses a code: marks it used, records the device and its token hash. Returns the
    /// technician, or `None` if the code is unknown, used or expired.
    fn redeem_enroll_code(
        &self,
        code_hash: &str,
        now: i64,
        device_id: &str,
        device_name: &str,
        token_hash: &str,
        public_key: Option<&str>,
    ) -> Result<Option<String>>;
    /// A device's Ed25519 public key (hex), if it sent one at enrollment.
    fn device_key(&self, device: &str) -> Result<Option<String>>;
    /// Every enrolled device, oldest first.
    fn devices(&self) -> Result<Vec<DeviceRecord>>;
    /// Records that a device synced at `now` (epoch ms).
    fn touch_device(&self, device: &str, now: i64) -> Result<()>;
    /// Revokes a device: its token is refused from now on. False if there is no such device.
    fn revoke_device(&self, device: &str) -> Result<bool>;
    /// Adds a console account; `Conflict` if the name is taken.
    fn add_user(&self, name: &str, password_hash: &str, now: i64) -> Result<()>;
    /// Replaces an account's password hash and clears its lockout; false if there is no such user.
    fn set_password(&self, name: &str, password_hash: &str) -> Result<bool>;
    /// A console account by name.
    fn user(&self, name: &str) -> Result<Option<UserRecord>>;
    /// Claims a login attempt before its password is checked, in one atomic step: unless the
    /// account is locked at `now`, the attempt counts as a wrong password (locking the account
    /// until `now + lock_ms` from `lock_after` in a row) and the account is returned; a right
    /// password then clears the count with [`Accounts::record_login`]. So concurrent attempts
    /// cannot all pass the lockout: the one after the `lock_after`-th finds the account locked.
    fn claim_login(
        &self,
        name: &str,
        now: i64,
        lock_after: u32,
        lock_ms: i64,
    ) -> Result<LoginClaim>;
    /// Records a login attempt: success clears the failure count; a failure increments it and,
    /// from `lock_after` failures in a row, locks the account until `now + lock_ms`.
    fn record_login(
        &self,
        name: &str,
        ok: bool,
        now: i64,
        lock_after: u32,
        lock_ms: i64,
    ) -> Result<()>;
    /// Stores a session (its token only as a hash).
    fn add_session(&self, token_hash: &str, session: &SessionRecord, now: i64) -> Result<()>;
    /// A session that has not expired at `now`.
    fn session(&self, token_hash: &str, now: i64) -> Result<Option<SessionRecord>>;
    /// Ends a session (logout).
    fn delete_session(&self, token_hash: &str) -> Result<()>;
}

/// Jobs: the update transaction every edit goes through (load, edit, commit with projection,
/// grants and feed rows), the merge of a device's push, and the queries of the dispatch API.
/// Queries that need a job's content hand back saved documents; handlers load them through
/// `impl dyn Storage`'s helpers (`map_documents`, `map_contents`, `asset_history`...), never
/// themselves.
pub trait Jobs {
    /// When each pushed status event of a job reached the office, by event id.
    fn receipts(&self, job: &str) -> Result<std::collections::HashMap<String, i64>>;
    /// Every job id (for `verify`).
    fn all_job_ids(&self) -> Result<Vec<String>>;
    /// Stores a new job; `Conflict` if the id exists.
    fn create_job(&self, doc: &JobDocument) -> Result<()>;
    /// Stores new jobs in one transaction: all of them, or (`Conflict` if an id exists) none.
    fn create_jobs(&self, docs: &[JobDocument]) -> Result<()>;
    /// Whether a job exists.
    fn job_exists(&self, id: &str) -> Result<bool>;
    /// A job's saved document with its heads and current technician.
    fn load_job(&self, id: &str) -> Result<Option<StoredJob>>;
    /// [`Jobs::load_job`] for several jobs, in the order asked (one round trip where the
    /// backend has them: a feed page of 500 jobs).
    fn load_jobs(&self, ids: &[String]) -> Result<Vec<Option<StoredJob>>> {
        ids.iter().map(|id| self.load_job(id)).collect()
    }
    /// A job's heads alone (without reading its document); `None` if there is no such job.
    fn job_heads(&self, id: &str) -> Result<Option<Vec<ChangeHash>>>;
    /// Loads, edits and (if changed) stores a job in one transaction. `None` if no such job.
    fn update_job(&self, id: &str, edit: JobEdit<'_>) -> Result<Option<JobDocument>>;
    /// [`Jobs::update_job`] for a device's push: in the same transaction, when the edit
    /// succeeds, records `device_heads` as the heads `device` certainly holds of the job, and
    /// the status events the edit put in `arrivals` as having reached the office.
    fn merge_push(
        &self,
        id: &str,
        device: &str,
        device_heads: &[ChangeHash],
        edit: JobEdit<'_>,
        arrivals: &Arrivals,
    ) -> Result<Option<JobDocument>>;
    /// Every job of one push, as [`Jobs::merge_push`] does for one, in one transaction (one
    /// fsync for the round): a job whose edit fails changes nothing and the others still
    /// commit (SQLite rolls each failed job back to its own savepoint; PostgreSQL runs each
    /// edit before writing anything of that job). A failing write (a full disk) may fail that
    /// job or the whole round; either way nothing of it stays. One outcome per push, in order:
    /// the edit's error, `None` for no such job, or the merged document.
    fn merge_pushes(
        &self,
        device: &str,
        pushes: &mut [PushMerge<'_>],
    ) -> Result<Vec<Result<Option<JobDocument>>>> {
        Ok(pushes
            .iter_mut()
            .map(|p| self.merge_push(p.job, device, p.device_heads, &mut *p.edit, p.arrivals))
            .collect())
    }
    /// Saved documents of the jobs matching a filter, by report time then id.
    fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Vec<u8>>>;
    /// Whether a technician was ever assigned a job.
    fn has_grant(&self, job: &str, technician: &str) -> Result<bool>;
    /// Saved documents of the jobs on an asset, by report time then id: all of them, or only
    /// the newest `newest`.
    fn asset_jobs(&self, serial: &str, newest: Option<u32>) -> Result<Vec<Vec<u8>>>;
    /// Saved documents of the jobs reported in `[from, to)` (epoch ms), by report time.
    fn jobs_reported_between(&self, from: i64, to: i64) -> Result<Vec<Vec<u8>>>;
}

/// What each device holds: the per-technician change feed, the heads a device confirmed or was
/// sent, and the epoch and healing after a restore (ADR 0008, ADR 0009).
pub trait SyncState {
    /// Feed entries `(seq, job)` for a technician after `cursor`, oldest first.
    fn feed_since(&self, technician: &str, cursor: u64, limit: u32) -> Result<Vec<(u64, String)>>;
    /// Forgets everything known about what a device holds (it starts over).
    fn reset_device(&self, device: &str) -> Result<()>;
    /// Promotes pending heads sent in responses the device has now acknowledged by `cursor`.
    fn promote_pending(&self, device: &str, cursor: u64) -> Result<()>;
    /// Heads the device certainly holds for a job.
    fn confirmed_heads(&self, device: &str, job: &str) -> Result<Option<Vec<ChangeHash>>>;
    /// [`SyncState::confirmed_heads`] for several jobs, in the order asked.
    fn confirmed_heads_of(
        &self,
        device: &str,
        jobs: &[String],
    ) -> Result<Vec<Option<Vec<ChangeHash>>>> {
        jobs.iter()
            .map(|job| self.confirmed_heads(device, job))
            .collect()
    }
    /// Records, in one transaction, the heads of every job sent in the response carrying
    /// `cursor` (`sent` is `(job, server heads)`).
    fn set_pending(&self, device: &str, sent: &[(&str, &[ChangeHash])], cursor: u64) -> Result<()>;
    /// The database's epoch (see [`fieldwork_model::wire::SyncResponse::epoch`]).
    fn epoch(&self) -> Result<String>;
    /// Whether `device` has not yet given back, since the database was restored from a backup,
    /// what it holds (its pushes are then checked as a restore: `validate::restored_change`).
    fn owes_healing(&self, device: &str) -> Result<bool>;
    /// Records that `device` gave back what it held for the current epoch.
    fn healed(&self, device: &str) -> Result<()>;
}

/// The service registers dispatch keeps beside jobs: contracts, assets, follow-up calls,
/// complaints, maintenance plans, loaner units.
pub trait Registers {
    /// Registers a contract; `Conflict` if the id exists.
    fn add_contract(&self, c: &fieldwork_model::Contract) -> Result<()>;
    /// A registered contract.
    fn contract(&self, id: &str) -> Result<Option<fieldwork_model::Contract>>;
    /// Registers an asset; `Conflict` if the serial exists.
    fn add_asset(&self, a: &AssetRecord) -> Result<()>;
    /// A registered asset.
    fn asset(&self, serial: &str) -> Result<Option<AssetRecord>>;
    /// Records (or replaces) a completed job's follow-up.
    fn record_followup(&self, job: &str, f: &Followup) -> Result<()>;
    /// Follow-ups of completed jobs, by due time; only those not yet recorded if `open_only`.
    fn followups(&self, open_only: bool) -> Result<Vec<FollowupRow>>;
    /// Adds a complaint.
    fn add_complaint(&self, c: &Complaint) -> Result<()>;
    /// Edits a complaint in one transaction; `None` if there is no such complaint.
    fn update_complaint(
        &self,
        id: &str,
        edit: &mut dyn FnMut(&mut Complaint) -> Result<()>,
    ) -> Result<Option<Complaint>>;
    /// Complaints, optionally of one job, by receipt time.
    fn complaints(&self, job: Option<&str>) -> Result<Vec<Complaint>>;
    /// Stores a maintenance plan; `Conflict` if the id exists.
    fn add_plan(
        &self,
        id: &str,
        plan: &fieldwork_office::maintenance::MaintenancePlan,
    ) -> Result<()>;
    /// Every maintenance plan, by id.
    fn plans(&self) -> Result<Vec<(String, fieldwork_office::maintenance::MaintenancePlan)>>;
    /// Loaner units, optionally of one technician's jobs, open ones only if `open_only`.
    fn loans(&self, technician: Option<&str>, open_only: bool) -> Result<Vec<LoanRow>>;
}

/// Spare parts (ADR 0015): the catalogue, the places stock is kept, and the stock ledger, whose
/// movements are immutable entries (`fieldwork_model::stock`); levels are folded from them,
/// never stored.
pub trait Stock {
    /// Adds a part to the catalogue; `Conflict` if the SKU exists.
    fn add_part(&self, p: &Part) -> Result<()>;
    /// The catalogue, by SKU.
    fn parts(&self) -> Result<Vec<Part>>;
    /// Registers a stock location; `Conflict` if the id exists.
    fn add_location(&self, l: &Location) -> Result<()>;
    /// Every stock location, by id.
    fn locations(&self) -> Result<Vec<Location>>;
    /// Records movements in one transaction, each once, stamped with `now` (when it reached
    /// the office) and the next sequence number. A movement already recorded with the same
    /// content is left as it was (a phone resending what it did not hear acknowledged); with
    /// other content it is `Conflict`, and none of them is recorded. Answers every movement as
    /// stored, in the order given.
    fn record_movements(&self, movements: &[Movement], now: i64) -> Result<Vec<StoredMovement>>;
    /// The movements that touch `location` (either end; every movement if `None`), in the
    /// order they reached the office, after sequence number `after`, at most `limit`.
    fn movements(
        &self,
        location: Option<&str>,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredMovement>>;
    /// One movement by its id (the transfer or return another answers), without reading a
    /// place's whole ledger.
    fn movement(&self, id: &str) -> Result<Option<StoredMovement>>;
    /// Sets (or replaces) the least and most of a part a place should hold.
    fn set_stock_limit(&self, limit: &fieldwork_office::stock::StockLimit) -> Result<()>;
    /// The limits of one place (or all), by place and part.
    fn stock_limits(
        &self,
        location: Option<&str>,
    ) -> Result<Vec<fieldwork_office::stock::StockLimit>>;
}

/// A movement as the office keeps it (the sync's ledger entry).
pub use fieldwork_model::stock::LedgerEntry as StoredMovement;

/// The durable outbox of signed reports emailed to customers.
pub trait MailOutbox {
    /// Queues an email of a report version to `recipient`, once: false if it was queued before.
    fn enqueue_mail(&self, job: &str, version: u32, recipient: &str, now: i64) -> Result<bool>;
    /// Unsent emails whose next attempt is due at `now`, oldest first.
    fn due_mail(&self, now: i64, limit: u32) -> Result<Vec<MailRow>>;
    /// Records an attempt: sent, or failed with the error and when to try again.
    fn record_mail_attempt(
        &self,
        id: i64,
        outcome: std::result::Result<i64, (String, i64)>,
    ) -> Result<()>;
    /// A job's emails, for its page.
    fn job_mail(&self, job: &str) -> Result<Vec<MailRow>>;
    /// Emails not yet sent (the outbox's depth, for metrics).
    fn unsent_mail(&self) -> Result<u64>;
}

/// A webhook subscription (issue 22): where to POST which events, signed with its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub url: String,
    /// Event names (`fieldwork_office::webhooks::EVENTS`).
    pub events: Vec<String>,
    pub secret: String,
    pub created_at: i64,
    /// Set when its deliveries kept failing ([`Webhooks::record_delivery`]); nothing goes out
    /// until dispatch resumes it.
    pub paused_at: Option<i64>,
    /// Failed attempts in a row (0 after any success).
    pub failures: u32,
    /// The last attempt: when, the receiver's status (none when it did not answer), the error.
    pub last_attempt_at: Option<i64>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

/// How far back a fan-out looks again for events it may not have seen (ms): a transaction that
/// took an event number may commit after one that took a later number (PostgreSQL), so a
/// subscription's cursor only passes events recorded longer ago than this (well over the
/// longest a request may take); the ones since are offered again, and a delivery is made once
/// per subscription and event whatever the number of offers.
pub const FAN_OUT_HORIZON_MS: i64 = 300_000;

/// One event owed to one subscription, in the durable outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// `X-Fieldwork-Delivery`: the same on every attempt.
    pub id: String,
    pub subscription: String,
    /// The event's place in the office's event log (its id on the wire: `evt_<seq>`).
    pub seq: i64,
    pub event: String,
    /// What the event is about (a job id, or `stock:<location>`): deliveries with the same
    /// order go out one at a time, oldest first.
    pub order: String,
    /// When the office recorded the event (epoch ms).
    pub created_at: i64,
    /// When it happened (epoch ms; a phone's clock for what a phone recorded).
    pub at: i64,
    /// The event's `data`, JSON.
    pub data: String,
    pub attempts: u32,
    pub next_at: i64,
    pub delivered_at: Option<i64>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

/// How an attempt at a delivery went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The receiver answered 2xx: never sent again.
    Delivered { at: i64, status: u16 },
    /// Anything else: try again at `retry_at`. The subscription is paused if this was its
    /// failure number `pause_after` in a row, or this delivery's (one event a receiver keeps
    /// refusing holds back its job's later events, while other jobs' successes reset the
    /// count: it is shown rather than retried in silence).
    Failed {
        at: i64,
        status: Option<u16>,
        error: String,
        retry_at: i64,
        pause_after: u32,
    },
}

/// Webhooks: subscriptions, the event log every change writes to (facts recorded in the same
/// transaction as the change: `fieldwork_office::webhooks`), and the outbox of deliveries.
pub trait Webhooks {
    /// Adds a subscription; it is owed the events recorded from now on. `Conflict` if the id
    /// exists.
    fn add_subscription(&self, s: &Subscription) -> Result<()>;
    /// Every subscription, oldest first.
    fn subscriptions(&self) -> Result<Vec<Subscription>>;
    /// Changes a subscription's URL, events and secret (a rotated secret signs every attempt
    /// from now on, those of deliveries already owed included); false if there is none.
    fn update_subscription(&self, s: &Subscription) -> Result<bool>;
    /// Removes a subscription and what it was still owed; false if there was none.
    fn delete_subscription(&self, id: &str) -> Result<bool>;
    /// Resumes a paused subscription: its failures start again from 0 and what it is owed is
    /// due at `now` (not at the retry time it was paused with); false if none.
    fn resume_subscription(&self, id: &str, now: i64) -> Result<bool>;
    /// Records events not caused by a stored change (a deadline passing, a stock level): each
    /// key once; returns how many were new.
    fn record_facts(&self, facts: &[fieldwork_office::webhooks::Fact], now: i64) -> Result<usize>;
    /// Keys of recorded events starting with `prefix`.
    fn fact_keys(&self, prefix: &str) -> Result<Vec<String>>;
    /// Owes each active subscription the events recorded since it last looked, of the kinds it
    /// asked for; returns how many deliveries were added.
    fn fan_out(&self, now: i64) -> Result<usize>;
    /// Takes up to `limit` deliveries due at `now`, each the oldest undelivered of its
    /// subscription and order, for `lease_ms` (another instance does not take them meanwhile;
    /// after the lease they are due again, so a crash mid-send delays, never loses).
    fn claim_deliveries(&self, now: i64, lease_ms: i64, limit: u32) -> Result<Vec<Delivery>>;
    /// Records an attempt at a delivery and its subscription's health.
    fn record_delivery(&self, id: &str, attempt: &Attempt) -> Result<()>;
    /// A subscription's deliveries, newest first.
    fn deliveries(&self, subscription: &str, limit: u32) -> Result<Vec<Delivery>>;
    /// Deliveries not yet delivered (the outbox's depth, for metrics).
    fn undelivered(&self) -> Result<u64>;
}

pub use fieldwork_model::wire::{decode_heads, encode_heads};

/// What changed, as the console's script receives it (`event: change`, JSON data) and as
/// instances sharing a database tell each other (`fieldwork_store_postgres::live`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// Jobs whose document changed.
    pub jobs: Vec<String>,
    /// A technician whose phone just synced (the board shows when each last synced).
    pub synced_technician: Option<String>,
}

/// Token buckets every server instance on one database shares (the PostgreSQL backend keeps
/// them in a table). Called on a blocking thread.
pub trait SharedBuckets: Send + Sync {
    /// Takes `amount` from `key`'s bucket of `kind` (refilled at `rate` per second up to
    /// `capacity`, full when first used), or says how long until it would be there.
    fn take(
        &self,
        kind: &str,
        key: &str,
        amount: f64,
        rate: f64,
        capacity: f64,
    ) -> Result<std::result::Result<(), std::time::Duration>>;
}
