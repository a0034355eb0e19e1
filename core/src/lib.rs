//! The device engine behind the phone apps and the `fieldwork` CLI.
//!
//! A [`Device`] owns one SQLite store: the technician's job documents (Automerge change chunks
//! and snapshots), the query projections (job list, parts) and the outbox marks, all written in
//! one transaction per edit, so an edit that returned is on disk. [`Device::sync`] merges with the
//! office server over HTTP (see `docs/sync-protocol.md`). No uniffi here: `bindings/` wraps this.

mod attachments;
mod detail;
mod device;
mod error;
mod observe;
mod reports;
pub mod secrets;
pub mod stock;
mod store;
mod sync;

pub use attachments::PhotoInfo;
pub use detail::{JobDetail, MilestoneDetail};
pub use device::{AtRest, Device, Enrollment, JobSummary, OpenLoan, STORE_FILE};
pub use error::{Error, Result};
pub use fieldwork_media::PhotoError;
pub use fieldwork_model as model;
pub use observe::{ChangeCause, JobsChanged, Subscription};
pub use reports::Sealed;
pub use sync::{SyncReport, SyncState};
