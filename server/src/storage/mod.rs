//! Storage behind a trait, so the sync and dispatch logic never sees SQL and PostgreSQL can be
//! added beside the embedded SQLite without touching them.
//!
//! Job updates go through [`Storage::update_job`]: the implementation loads the document, runs
//! the closure, and — if the document changed — saves it with its projection, grants and feed
//! rows in one transaction, so concurrent requests on the same job never lose an update.

pub mod sqlite;

use automerge::ChangeHash;
use fieldwork_model::JobDocument;

use crate::Result;

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
}

/// A technician record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Technician {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub region: String,
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
    pub limit: u32,
}

/// A closure that edits a job document inside the storage transaction. It must not call the
/// storage itself (the transaction holds it).
pub type JobEdit<'a> = &'a mut dyn FnMut(&mut JobDocument) -> Result<()>;

/// Everything the server stores.
pub trait Storage: Send + Sync + 'static {
    /// Adds a technician; `Conflict` if the id exists.
    fn add_technician(&self, t: &Technician) -> Result<()>;
    /// Whether a technician exists.
    fn technician_exists(&self, id: &str) -> Result<bool>;

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
    ) -> Result<Option<String>>;

    /// Stores a new job; `Conflict` if the id exists.
    fn create_job(&self, doc: &JobDocument) -> Result<()>;
    /// Whether a job exists.
    fn job_exists(&self, id: &str) -> Result<bool>;
    /// A job's saved document with its heads and current technician.
    fn load_job(&self, id: &str) -> Result<Option<StoredJob>>;
    /// Loads, edits and (if changed) stores a job in one transaction. `None` if no such job.
    fn update_job(&self, id: &str, edit: JobEdit<'_>) -> Result<Option<JobDocument>>;
    /// [`Storage::update_job`] for a device's push: in the same transaction, when the edit
    /// succeeds, records `device_heads` as the heads `device` certainly holds of the job.
    fn merge_push(
        &self,
        id: &str,
        device: &str,
        device_heads: &[ChangeHash],
        edit: JobEdit<'_>,
    ) -> Result<Option<JobDocument>>;
    /// Saved documents of the jobs matching a filter, by report time then id.
    fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Vec<u8>>>;
    /// Whether a technician was ever assigned a job.
    fn has_grant(&self, job: &str, technician: &str) -> Result<bool>;

    /// Feed entries `(seq, job)` for a technician after `cursor`, oldest first.
    fn feed_since(&self, technician: &str, cursor: u64, limit: u32) -> Result<Vec<(u64, String)>>;

    /// Forgets everything known about what a device holds (it starts over).
    fn reset_device(&self, device: &str) -> Result<()>;
    /// Promotes pending heads sent in responses the device has now acknowledged by `cursor`.
    fn promote_pending(&self, device: &str, cursor: u64) -> Result<()>;
    /// Heads the device certainly holds for a job.
    fn confirmed_heads(&self, device: &str, job: &str) -> Result<Option<Vec<ChangeHash>>>;
    /// Records, in one transaction, the heads of every job sent in the response carrying
    /// `cursor` (`sent` is `(job, server heads)`).
    fn set_pending(&self, device: &str, sent: &[(&str, &[ChangeHash])], cursor: u64) -> Result<()>;

    /// The server's Automerge actor id (stable across restarts).
    fn actor(&self) -> Result<automerge::ActorId>;
}

pub use fieldwork_model::wire::{decode_heads, encode_heads};
