//! The Fieldwork domain, free of I/O: the job document and how it merges, the status machine,
//! the job JSON both the phone and the office render, and the sync wire types.
//!
//! The same code runs on the device and on the server, so both compute the same answer from the
//! same document. Nothing here touches a disk, a clock or a network: callers pass times in.

pub mod calendar;
pub mod contract;
pub mod convert;
pub mod document;
pub mod error;
pub mod job;
pub mod loaners;
pub mod par;
pub mod report;
pub mod rules;
pub mod sla;
pub mod status;
pub mod stock;
pub mod time;
pub mod timesheet;
pub mod validate;
pub mod view;
pub mod warranty;
pub mod wire;

pub use contract::Contract;
pub use document::JobDocument;
pub use error::{Error, Reason, Result};
pub use job::{
    Asset, Cause, ChecklistItem, Customer, HistoryEntry, JobData, JobKind, JobTerms, NewJob,
    NewPart, NewTimeEntry, Note, PartLine, Priority, RegionClass, Site, Status, StatusEvent,
    TimeEntry, TimeKind,
};
pub use view::JobView;

/// The actor name dispatch edits are recorded under (events, notes written at the office).
pub const DISPATCH_ACTOR: &str = "dispatch";

/// Checks that an id (job, technician, part line) is safe to use as a key and in a URL:
/// 1 to 64 characters of ASCII letters, digits, `-`, `_` and `.`, the first a letter or digit.
pub fn validate_id(kind: &'static str, id: &str) -> Result<()> {
    // It starts with a letter or digit: `.` and `..` are path segments every client rewrites,
    // so a job by that name could be created and never opened.
    let ok = id.len() <= 64
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "{kind} id must be 1-64 characters of letters, digits, '-', '_' or '.', starting with a letter or digit"
        )))
    }
}

/// A fresh random id for a list entry (part line, note, event, time entry).
pub fn new_entry_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
