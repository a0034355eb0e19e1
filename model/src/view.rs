//! The job JSON: the one rendering of a job that the server's REST API and the device's
//! `fieldwork show --json` both produce, so identical documents give byte-identical JSON.

use serde::{Deserialize, Serialize};

use crate::job::{Asset, Customer, JobData, Priority, Site, Status, TimeKind};
use crate::status;
use crate::time::to_rfc3339;

/// A job as JSON. Times are RFC 3339 (UTC); lists are in a deterministic order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    pub id: String,
    pub status: Status,
    pub technician: Option<String>,
    pub customer: Customer,
    pub site: Site,
    pub asset: Asset,
    pub problem: String,
    pub channel: Option<String>,
    pub priority: Priority,
    pub reported_at: String,
    pub scheduled_start: Option<String>,
    pub scheduled_end: Option<String>,
    /// Reason of the first cancellation, when the job was cancelled.
    pub cancel_reason: Option<String>,
    /// Concurrent-edit outcomes dispatch should look at (see `docs/merge-semantics.md`).
    pub flags: Vec<String>,
    pub notes: Vec<NoteView>,
    pub parts: Vec<PartView>,
    pub time: Vec<TimeView>,
    pub events: Vec<EventView>,
}

/// A note, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub id: String,
    pub author: String,
    pub at: String,
    pub text: String,
}

/// A part line, in the order added; removed lines stay with `removed: true`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartView {
    pub id: String,
    pub sku: String,
    pub description: String,
    pub qty: u32,
    pub serial_in: Option<String>,
    pub serial_out: Option<String>,
    pub stock: Option<String>,
    pub added_by: String,
    pub added_at: String,
    pub removed: bool,
    pub removed_by: Option<String>,
    pub removed_at: Option<String>,
}

/// A time entry, by start time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeView {
    pub id: String,
    pub kind: TimeKind,
    pub start: String,
    pub end: String,
    pub by: String,
}

/// A status event, in status-fold order (device time, then id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: String,
    pub status: Status,
    pub at: String,
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technician: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// False for progress recorded by someone who is no longer the job's technician.
    pub counted: bool,
}

impl JobView {
    /// Renders job data; pure and deterministic.
    pub fn from_data(d: &JobData) -> JobView {
        let derived = status::derive(&d.events);
        let tech = derived.technician.as_deref();

        let events: Vec<EventView> = status::ordered(&d.events)
            .into_iter()
            .map(|(id, e)| EventView {
                id: id.clone(),
                status: e.status,
                at: to_rfc3339(e.at),
                by: e.by.clone(),
                technician: e.technician.clone(),
                reason: e.reason.clone(),
                counted: status::counts(e, tech),
            })
            .collect();
        let cancel_reason = status::ordered(&d.events)
            .into_iter()
            .find(|(_, e)| e.status == Status::Cancelled)
            .and_then(|(_, e)| e.reason.clone());

        let mut notes: Vec<_> = d.notes.iter().collect();
        notes.sort_by(|a, b| (a.1.at, a.0).cmp(&(b.1.at, b.0)));
        let mut parts: Vec<_> = d.parts.iter().collect();
        parts.sort_by(|a, b| (a.1.added_at, a.0).cmp(&(b.1.added_at, b.0)));
        let mut time: Vec<_> = d.time.iter().collect();
        time.sort_by(|a, b| (a.1.start, a.0).cmp(&(b.1.start, b.0)));

        JobView {
            id: d.id.clone(),
            status: derived.status,
            technician: derived.technician.clone(),
            customer: d.customer.clone(),
            site: d.site.clone(),
            asset: d.asset.clone(),
            problem: d.problem.clone(),
            channel: d.channel.clone(),
            priority: d.priority,
            reported_at: to_rfc3339(d.reported_at),
            scheduled_start: d.scheduled_start.map(to_rfc3339),
            scheduled_end: d.scheduled_end.map(to_rfc3339),
            cancel_reason,
            flags: derived.flags.iter().map(|f| f.to_string()).collect(),
            notes: notes
                .into_iter()
                .map(|(id, n)| NoteView {
                    id: id.clone(),
                    author: n.author.clone(),
                    at: to_rfc3339(n.at),
                    text: n.text.clone(),
                })
                .collect(),
            parts: parts
                .into_iter()
                .map(|(id, p)| PartView {
                    id: id.clone(),
                    sku: p.sku.clone(),
                    description: p.description.clone(),
                    qty: p.qty,
                    serial_in: p.serial_in.clone(),
                    serial_out: p.serial_out.clone(),
                    stock: p.stock.clone(),
                    added_by: p.added_by.clone(),
                    added_at: to_rfc3339(p.added_at),
                    removed: p.removed.is_some(),
                    removed_by: p.removed.as_ref().map(|r| r.by.clone()),
                    removed_at: p.removed.as_ref().map(|r| to_rfc3339(r.at)),
                })
                .collect(),
            time: time
                .into_iter()
                .map(|(id, t)| TimeView {
                    id: id.clone(),
                    kind: t.kind,
                    start: to_rfc3339(t.start),
                    end: to_rfc3339(t.end),
                    by: t.by.clone(),
                })
                .collect(),
            events,
        }
    }
}
