//! The job JSON: the one rendering of a job that the server's REST API and the device's
//! `fieldwork show --json` both produce, so identical documents give byte-identical JSON.

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::job::{
    Asset, Cause, Customer, HistoryPart, JobData, JobKind, Priority, Site, Status, TimeKind,
};
use crate::loaners::{self, LoanView};
use crate::sla::{self, SlaView};
use crate::status;
use crate::time::to_rfc3339;
use crate::warranty::{self, Charges, WarrantyView};

/// A job as JSON. Times are RFC 3339 (UTC); lists are in a deterministic order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    pub kind: JobKind,
    /// The contract id the job is measured against.
    pub contract: Option<String>,
    /// SLA deadlines and milestone states as of the rendering time.
    pub sla: Option<SlaView>,
    pub warranty: Option<WarrantyView>,
    pub charges: Option<Charges>,
    pub cause: Option<Cause>,
    pub fault_code: Option<String>,
    pub action: Option<String>,
    pub replacement_recommended: bool,
    pub loaners: Vec<LoanView>,
    pub checklist: Vec<CheckView>,
    pub asset_history: Vec<HistoryView>,
    /// The state of the latest sealed completion report.
    pub report: crate::report::ReportStatus,
    /// Photos and other attachments, by capture time.
    pub attachments: Vec<AttachmentView>,
}

/// An attachment entry. `uploaded` says whether the office holds the bytes: the renderer
/// fills it in ([`JobView::mark_uploaded`]); the document alone cannot know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentView {
    pub id: String,
    pub mime: String,
    pub bytes: i64,
    pub width: u32,
    pub height: u32,
    pub caption: Option<String>,
    pub taken_at: String,
    pub by: String,
    pub uploaded: bool,
}

/// A checklist item with its latest result (template order; results for unknown items last).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckView {
    pub item: String,
    pub label: String,
    pub unit: Option<String>,
    /// `pass`, `fail`, a measured value, or `null` while not checked.
    pub result: Option<String>,
    pub note: Option<String>,
    pub by: Option<String>,
    pub at: Option<String>,
}

/// An earlier job of the same asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryView {
    pub job: String,
    pub reported_at: String,
    pub status: Status,
    pub completed_at: Option<String>,
    pub cause: Option<Cause>,
    pub fault_code: Option<String>,
    pub action: Option<String>,
    pub parts: Vec<HistoryPart>,
    /// Whether it was reported within this job's warranty span (`null` without a contract).
    pub in_warranty: Option<bool>,
}

/// A note, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteView {
    pub id: String,
    pub author: String,
    pub at: String,
    pub text: String,
}

/// A part line, in the order added; removed lines stay with `removed: true`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    pub unit_cost: Option<i64>,
    pub unit_price: Option<i64>,
}

/// A time entry, by start time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeView {
    pub id: String,
    pub kind: TimeKind,
    pub start: String,
    pub end: String,
    pub by: String,
}

/// A status event, in status-fold order (device time, then id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Renders job data as of `now` (epoch ms: SLA states depend on it); pure and
    /// deterministic. Fails only on a document whose contract or time zone is invalid.
    pub fn from_data(d: &JobData, now: i64) -> Result<JobView> {
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

        let diagnosis = warranty::diagnosis(d);
        Ok(JobView {
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
                    unit_cost: p.unit_cost,
                    unit_price: p.unit_price,
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
            kind: d.kind,
            contract: d.contract.as_ref().map(|c| c.id.clone()),
            sla: sla::view(d, now)?,
            warranty: warranty::warranty_view(d)?,
            charges: warranty::charges(d)?,
            cause: diagnosis.map(|x| x.cause),
            fault_code: diagnosis.map(|x| x.fault_code.clone()),
            action: diagnosis.and_then(|x| x.action.clone()),
            replacement_recommended: warranty::replacement_recommended(d)?,
            loaners: loaners::fold(&d.loaners).iter().map(|l| l.view()).collect(),
            checklist: checklist(d),
            asset_history: d
                .asset_history
                .iter()
                .map(|h| {
                    Ok(HistoryView {
                        job: h.job.clone(),
                        reported_at: to_rfc3339(h.reported_at),
                        status: h.status,
                        completed_at: h.completed_at.map(to_rfc3339),
                        cause: h.cause,
                        fault_code: h.fault_code.clone(),
                        action: h.action.clone(),
                        parts: h.parts.clone(),
                        in_warranty: warranty::history_in_warranty(d, h.reported_at)?,
                    })
                })
                .collect::<Result<_>>()?,
            report: crate::report::status_of(d)?,
            attachments: attachments(d),
        })
    }

    /// Sets each attachment's `uploaded` flag from what the office holds.
    pub fn mark_uploaded(&mut self, held: impl Fn(&str) -> bool) {
        for a in &mut self.attachments {
            a.uploaded = held(&a.id);
        }
    }
}

fn attachments(d: &JobData) -> Vec<AttachmentView> {
    let mut list: Vec<_> = d
        .attachments
        .iter()
        .filter(|(_, a)| a.removed.is_none())
        .collect();
    list.sort_by(|a, b| (a.1.taken_at, a.0).cmp(&(b.1.taken_at, b.0)));
    list.into_iter()
        .map(|(id, a)| AttachmentView {
            id: id.clone(),
            mime: a.mime.clone(),
            bytes: a.bytes,
            width: a.width,
            height: a.height,
            caption: a.caption.clone(),
            taken_at: to_rfc3339(a.taken_at),
            by: a.by.clone(),
            uploaded: false,
        })
        .collect()
}

/// The checklist with each item's latest result (by device time, then id).
pub(crate) fn checklist(d: &JobData) -> Vec<CheckView> {
    let mut results: Vec<_> = d.checks.iter().collect();
    results.sort_by(|a, b| (a.1.at, a.0).cmp(&(b.1.at, b.0)));
    let latest = |item: &str| results.iter().rev().find(|(_, r)| r.item == item);
    let mut out: Vec<CheckView> = d
        .checklist
        .iter()
        .map(|i| {
            let r = latest(&i.id);
            CheckView {
                item: i.id.clone(),
                label: i.label.clone(),
                unit: i.unit.clone(),
                result: r.map(|(_, r)| r.result.clone()),
                note: r.and_then(|(_, r)| r.note.clone()),
                by: r.map(|(_, r)| r.by.clone()),
                at: r.map(|(_, r)| to_rfc3339(r.at)),
            }
        })
        .collect();
    let extra: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|(_, r)| r.item.as_str())
        .filter(|item| !d.checklist.iter().any(|i| i.id == *item))
        .collect();
    for item in extra {
        if let Some((_, r)) = latest(item) {
            out.push(CheckView {
                item: item.to_string(),
                label: item.to_string(),
                unit: None,
                result: Some(r.result.clone()),
                note: r.note.clone(),
                by: Some(r.by.clone()),
                at: Some(to_rfc3339(r.at)),
            });
        }
    }
    out
}
