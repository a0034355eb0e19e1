//! The job screen as typed records ([`JobDetailRecord`]): what `fieldwork_core::JobDetail`
//! computed, with times as epoch milliseconds and every choice as an enum the shells translate.
//! The shells render these fields; they parse nothing and decide nothing.

use fieldwork_core::JobDetail;
use fieldwork_core::model::job::{Cause, JobKind, Priority, RegionClass};
use fieldwork_core::model::time::parse_rfc3339;

use crate::error::ApiError;
use crate::records::{FaultCause, JobStatus, SlaState, TimeKind};

/// Everything the job screen shows, as of one instant (`at_ms`).
#[derive(Debug, Clone, uniffi::Record)]
pub struct JobDetailRecord {
    pub id: String,
    pub status: JobStatus,
    pub kind: JobKindRecord,
    pub priority: PriorityRecord,
    pub customer: CustomerRecord,
    pub site: SiteRecord,
    pub asset: AssetRecord,
    pub problem: String,
    pub reported_at_ms: i64,
    pub scheduled_start_ms: Option<i64>,
    pub scheduled_end_ms: Option<i64>,
    /// Why dispatch cancelled the job, once it is cancelled.
    pub cancel_reason: Option<String>,
    /// The statuses the technician may move the job to next, in the order to show them.
    pub offered_statuses: Vec<JobStatus>,
    /// The SLA: `None` for a job without a contract (or an inspection).
    pub sla: Option<SlaRecord>,
    pub notes: Vec<NoteRecord>,
    /// Part lines still fitted (a removed line is no longer shown), in the order added.
    pub parts: Vec<PartLineRecord>,
    pub time: Vec<TimeEntryRecord>,
    /// The latest diagnosis, if any was recorded.
    pub diagnosis: Option<DiagnosisRecord>,
    /// The asset's history suggests replacing it rather than repairing it again.
    pub replacement_recommended: bool,
    pub loaners: Vec<LoanerRecord>,
    pub checklist: Vec<CheckRecord>,
    /// What the customer will be charged, as the report and its PDF show it.
    pub charges: Option<ChargesRecord>,
    pub photos: Vec<PhotoRecord>,
    pub report: ReportStateRecord,
    /// The instant the SLA was judged at.
    pub at_ms: i64,
    /// Local changes the office has not acknowledged yet.
    #[uniffi(default = false)]
    pub pending_sync: bool,
    /// Why the office refused this job's last changes, if it did: its own words, in English
    /// (show a sentence of your own; these for support).
    #[uniffi(default = None)]
    pub sync_error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum JobKindRecord {
    /// A reported fault, measured against the SLA.
    Repair,
    /// A planned inspection: the checklist, no SLA clocks.
    Inspection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PriorityRecord {
    Emergency,
    High,
    Normal,
    Low,
}

/// The customer who reported the job: the phone number is one tap from the screen.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CustomerRecord {
    pub name: String,
    /// Empty when dispatch did not record one.
    pub phone: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct SiteRecord {
    pub address: String,
    pub region: RegionRecord,
    /// IANA time zone: show the site's times as its clock reads them.
    pub time_zone: String,
}

/// The region class that picks the arrival promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RegionRecord {
    City,
    Province,
    Remote,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct AssetRecord {
    pub serial: String,
    pub model: String,
}

/// The SLA as of `JobDetailRecord.at_ms`.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SlaRecord {
    /// The job list's headline for this job: the most urgent milestone not yet met.
    pub state: SlaState,
    pub minutes_left: Option<i64>,
    /// Response, arrival and resolution, in that order.
    pub milestones: Vec<MilestoneRecord>,
    /// On hold: the resolution clock is paused and its deadline moves on.
    pub paused: bool,
    /// When a loaner is owed if the job is not fixed by then.
    pub loaner_due_ms: i64,
    /// That time has passed and no loaner is out: one is owed to the customer now.
    pub loaner_required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MilestoneKind {
    Response,
    Arrival,
    Resolution,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct MilestoneRecord {
    pub kind: MilestoneKind,
    pub due_ms: i64,
    pub state: SlaState,
    pub met_at_ms: Option<i64>,
    /// Minutes to the deadline while still open (negative once breached); `None` once met.
    pub minutes_left: Option<i64>,
}

/// Who wrote a note, as the screen names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AuthorRole {
    /// The office.
    Dispatch,
    /// This phone's technician.
    Me,
    /// Another technician (a former assignee, a crew mate): `author` is their id.
    Colleague,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct NoteRecord {
    pub id: String,
    /// The author's id (`dispatch`, or a technician's).
    pub author: String,
    pub author_role: AuthorRole,
    pub at_ms: i64,
    pub text: String,
    /// A technician author's name as the office registered it, when the office assigned them
    /// the job (older jobs, and dispatch, have none: say the role, or the id).
    #[uniffi(default = None)]
    pub author_name: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PartLineRecord {
    pub id: String,
    pub sku: String,
    pub description: String,
    pub qty: u32,
    pub serial_in: Option<String>,
    pub serial_out: Option<String>,
    /// `van` or `warehouse`.
    pub stock: Option<String>,
    pub added_by: String,
    pub added_at_ms: i64,
    /// Only the technician who added a line may remove it.
    pub removable: bool,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct TimeEntryRecord {
    pub id: String,
    pub kind: TimeKind,
    pub start_ms: i64,
    pub end_ms: i64,
    pub by: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct DiagnosisRecord {
    pub cause: FaultCause,
    pub fault_code: String,
    pub action: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct LoanerRecord {
    pub serial: String,
    pub model: Option<String>,
    pub issued_at_ms: i64,
    /// `None` while the unit is still with the customer.
    pub returned_at_ms: Option<i64>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct CheckRecord {
    pub item: String,
    pub label: String,
    /// The unit of a measured item (`V`, `°C`).
    pub unit: Option<String>,
    /// `pass`, `fail`, a measured value, or `None` while not checked.
    pub result: Option<String>,
    pub note: Option<String>,
}

/// The charges, line for line as the completion report's PDF prints them.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ChargesRecord {
    /// ISO 4217 code (`CNY`).
    pub currency: String,
    /// The job is not completed yet: the amounts may change.
    pub provisional: bool,
    pub lines: Vec<ChargeLineRecord>,
    /// In the currency's minor unit (fen, cents).
    pub total_minor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ChargeKind {
    Part,
    Labour,
    Travel,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct ChargeLineRecord {
    pub kind: ChargeKind,
    /// The part's SKU and description for a part line; empty for labour and travel.
    pub sku: String,
    pub description: String,
    /// Part quantity, labour minutes, or 1 for travel.
    pub qty: i64,
    pub unit_minor: i64,
    pub amount_minor: i64,
    /// `free`, `cost`, `list` or `charged`: the contract's rule that priced the line.
    pub rule: String,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct PhotoRecord {
    pub id: String,
    pub caption: Option<String>,
    pub taken_at_ms: i64,
    pub width: u32,
    pub height: u32,
    /// The office holds the photo.
    pub uploaded: bool,
    /// This phone holds the photo (it was taken here): `photo_thumbnail` can show it.
    pub on_device: bool,
    /// Only the technician who took a photo may remove it (`remove_photo`).
    #[uniffi(default = false)]
    pub removable: bool,
    /// A thumbnail file (long edge 320 px) on a store kept plain; `None` on an encrypted store
    /// (no picture is kept in the clear there): call `photo_thumbnail` for its bytes.
    pub thumbnail_path: Option<String>,
}

/// The latest sealed completion report.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ReportStateRecord {
    pub state: ReportState,
    pub version: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReportState {
    /// Not signed yet.
    None,
    Signed,
    Refused,
    /// Signed, then the job changed: a new signature is needed.
    ChangedSinceSigned,
}

/// The job JSON's own times, back to epoch ms (they were written from epoch ms: a failure is
/// a bug, reported as `Internal`).
fn ms(field: &str, rfc3339: &str) -> Result<i64, ApiError> {
    parse_rfc3339(field, rfc3339).map_err(|e| ApiError::Internal {
        detail: format!("job detail: {e}"),
    })
}

fn ms_opt(field: &str, rfc3339: Option<&String>) -> Result<Option<i64>, ApiError> {
    rfc3339.map(|s| ms(field, s)).transpose()
}

impl TryFrom<JobDetail> for JobDetailRecord {
    type Error = ApiError;

    fn try_from(d: JobDetail) -> Result<Self, ApiError> {
        let v = d.view;
        let me = d.me.as_str();
        let descriptions: std::collections::BTreeMap<&str, (&str, &str)> = v
            .parts
            .iter()
            .map(|p| (p.id.as_str(), (p.sku.as_str(), p.description.as_str())))
            .collect();
        let charges = v.charges.as_ref().map(|c| ChargesRecord {
            currency: c.currency.clone(),
            provisional: c.provisional,
            total_minor: c.total,
            lines: c
                .lines
                .iter()
                .map(|l| {
                    let (sku, description) = descriptions
                        .get(l.reference.as_str())
                        .copied()
                        .unwrap_or(("", ""));
                    ChargeLineRecord {
                        kind: match l.kind.as_str() {
                            "part" => ChargeKind::Part,
                            "labour" => ChargeKind::Labour,
                            _ => ChargeKind::Travel,
                        },
                        sku: sku.to_string(),
                        description: description.to_string(),
                        qty: l.qty,
                        unit_minor: l.unit_amount,
                        amount_minor: l.amount,
                        rule: l.rule.clone(),
                    }
                })
                .collect(),
        });
        let sla = match (&v.sla, d.glance, d.loaner_due) {
            (Some(view), Some(glance), Some(loaner_due_ms)) => Some(SlaRecord {
                state: glance.state.into(),
                minutes_left: glance.minutes_left(d.now),
                milestones: d
                    .milestones
                    .iter()
                    .map(|m| MilestoneRecord {
                        kind: match m.name {
                            "response" => MilestoneKind::Response,
                            "arrival" => MilestoneKind::Arrival,
                            _ => MilestoneKind::Resolution,
                        },
                        due_ms: m.due,
                        state: m.state.into(),
                        met_at_ms: m.met_at,
                        minutes_left: m.minutes_left,
                    })
                    .collect(),
                paused: view.paused,
                loaner_due_ms,
                loaner_required: view.loaner_required,
            }),
            _ => None,
        };
        Ok(JobDetailRecord {
            status: v.status.into(),
            kind: match v.kind {
                JobKind::Repair => JobKindRecord::Repair,
                JobKind::Inspection => JobKindRecord::Inspection,
            },
            priority: match v.priority {
                Priority::Emergency => PriorityRecord::Emergency,
                Priority::High => PriorityRecord::High,
                Priority::Normal => PriorityRecord::Normal,
                Priority::Low => PriorityRecord::Low,
            },
            customer: CustomerRecord {
                name: v.customer.name.clone(),
                phone: v.customer.phone.clone(),
            },
            site: SiteRecord {
                address: v.site.address.clone(),
                region: match v.site.region {
                    RegionClass::City => RegionRecord::City,
                    RegionClass::Province => RegionRecord::Province,
                    RegionClass::Remote => RegionRecord::Remote,
                },
                time_zone: v.site.time_zone.clone(),
            },
            asset: AssetRecord {
                serial: v.asset.serial.clone(),
                model: v.asset.model.clone(),
            },
            problem: v.problem.clone(),
            reported_at_ms: ms("reported_at", &v.reported_at)?,
            scheduled_start_ms: ms_opt("scheduled_start", v.scheduled_start.as_ref())?,
            scheduled_end_ms: ms_opt("scheduled_end", v.scheduled_end.as_ref())?,
            cancel_reason: v.cancel_reason.clone(),
            offered_statuses: d.offered.into_iter().map(Into::into).collect(),
            sla,
            notes: v
                .notes
                .iter()
                .map(|n| {
                    Ok(NoteRecord {
                        id: n.id.clone(),
                        author_role: if n.author == fieldwork_core::model::DISPATCH_ACTOR {
                            AuthorRole::Dispatch
                        } else if n.author == me {
                            AuthorRole::Me
                        } else {
                            AuthorRole::Colleague
                        },
                        author_name: d.people.get(&n.author).cloned(),
                        author: n.author.clone(),
                        at_ms: ms("note.at", &n.at)?,
                        text: n.text.clone(),
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            parts: v
                .parts
                .iter()
                .filter(|p| !p.removed)
                .map(|p| {
                    Ok(PartLineRecord {
                        id: p.id.clone(),
                        sku: p.sku.clone(),
                        description: p.description.clone(),
                        qty: p.qty,
                        serial_in: p.serial_in.clone(),
                        serial_out: p.serial_out.clone(),
                        stock: p.stock.clone(),
                        removable: p.added_by == me,
                        added_by: p.added_by.clone(),
                        added_at_ms: ms("part.added_at", &p.added_at)?,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            time: v
                .time
                .iter()
                .map(|t| {
                    Ok(TimeEntryRecord {
                        id: t.id.clone(),
                        kind: t.kind.into(),
                        start_ms: ms("time.start", &t.start)?,
                        end_ms: ms("time.end", &t.end)?,
                        by: t.by.clone(),
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            diagnosis: match (v.cause, &v.fault_code) {
                (Some(cause), Some(code)) => Some(DiagnosisRecord {
                    cause: cause.into(),
                    fault_code: code.clone(),
                    action: v.action.clone(),
                }),
                _ => None,
            },
            replacement_recommended: v.replacement_recommended,
            loaners: v
                .loaners
                .iter()
                .map(|l| {
                    Ok(LoanerRecord {
                        serial: l.serial.clone(),
                        model: l.model.clone(),
                        issued_at_ms: ms("loaner.issued_at", &l.issued_at)?,
                        returned_at_ms: ms_opt("loaner.returned_at", l.returned_at.as_ref())?,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            checklist: v
                .checklist
                .iter()
                .map(|c| CheckRecord {
                    item: c.item.clone(),
                    label: c.label.clone(),
                    unit: c.unit.clone(),
                    result: c.result.clone(),
                    note: c.note.clone(),
                })
                .collect(),
            charges,
            photos: v
                .attachments
                .iter()
                .map(|a| {
                    Ok(PhotoRecord {
                        id: a.id.clone(),
                        caption: a.caption.clone(),
                        taken_at_ms: ms("photo.taken_at", &a.taken_at)?,
                        width: a.width,
                        height: a.height,
                        uploaded: a.uploaded,
                        on_device: d.on_device.contains(&a.id),
                        removable: a.by == me,
                        thumbnail_path: d
                            .thumbnails
                            .get(&a.id)
                            .map(|p| p.to_string_lossy().into_owned()),
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            report: ReportStateRecord {
                state: match v.report.status.as_str() {
                    "signed" => ReportState::Signed,
                    "refused" => ReportState::Refused,
                    "changed_since_signed" => ReportState::ChangedSinceSigned,
                    _ => ReportState::None,
                },
                version: v.report.version,
            },
            at_ms: d.now,
            pending_sync: d.pending_sync,
            sync_error: d.sync_error,
            id: v.id,
        })
    }
}

impl From<Cause> for FaultCause {
    fn from(c: Cause) -> Self {
        match c {
            Cause::QualityDefect => FaultCause::QualityDefect,
            Cause::HumanDamage => FaultCause::HumanDamage,
            Cause::Misuse => FaultCause::Misuse,
            Cause::ImproperStorage => FaultCause::ImproperStorage,
            Cause::ImproperTransport => FaultCause::ImproperTransport,
            Cause::ForceMajeure => FaultCause::ForceMajeure,
            Cause::PowerSupply => FaultCause::PowerSupply,
            Cause::UnauthorisedModification => FaultCause::UnauthorisedModification,
            Cause::NoWarrantyCard => FaultCause::NoWarrantyCard,
            Cause::SerialMismatch => FaultCause::SerialMismatch,
        }
    }
}
