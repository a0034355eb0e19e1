//! Records and enums that cross the FFI, with their conversions from the core's types.

use fieldwork_core::model::report::ReportSummary;
use fieldwork_core::model::{Cause, Status, TimeKind as CoreTimeKind};
use fieldwork_core::{Enrollment, JobSummary, OpenLoan, PhotoInfo, Sealed, SyncReport};

/// Who this device is.
#[derive(Debug, Clone, uniffi::Record)]
pub struct EnrollmentRecord {
    pub server_url: String,
    pub device_id: String,
    pub technician: String,
}

impl From<Enrollment> for EnrollmentRecord {
    fn from(e: Enrollment) -> Self {
        EnrollmentRecord {
            server_url: e.server_url,
            device_id: e.device_id,
            technician: e.technician,
        }
    }
}

/// A job's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum JobStatus {
    New,
    Assigned,
    Accepted,
    EnRoute,
    OnSite,
    InProgress,
    OnHold,
    Completed,
    Cancelled,
}

impl From<JobStatus> for Status {
    fn from(s: JobStatus) -> Self {
        match s {
            JobStatus::New => Status::New,
            JobStatus::Assigned => Status::Assigned,
            JobStatus::Accepted => Status::Accepted,
            JobStatus::EnRoute => Status::EnRoute,
            JobStatus::OnSite => Status::OnSite,
            JobStatus::InProgress => Status::InProgress,
            JobStatus::OnHold => Status::OnHold,
            JobStatus::Completed => Status::Completed,
            JobStatus::Cancelled => Status::Cancelled,
        }
    }
}

impl From<Status> for JobStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::New => JobStatus::New,
            Status::Assigned => JobStatus::Assigned,
            Status::Accepted => JobStatus::Accepted,
            Status::EnRoute => JobStatus::EnRoute,
            Status::OnSite => JobStatus::OnSite,
            Status::InProgress => JobStatus::InProgress,
            Status::OnHold => JobStatus::OnHold,
            Status::Completed => JobStatus::Completed,
            Status::Cancelled => JobStatus::Cancelled,
        }
    }
}

/// Travel or labour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TimeKind {
    Travel,
    Labour,
}

impl From<CoreTimeKind> for TimeKind {
    fn from(k: CoreTimeKind) -> Self {
        match k {
            CoreTimeKind::Travel => TimeKind::Travel,
            CoreTimeKind::Labour => TimeKind::Labour,
        }
    }
}

/// Travel or labour time the core read from the status timeline: the app shows it for the
/// technician to confirm (`add_time` with these values) or edit.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProposedTimeRecord {
    pub kind: TimeKind,
    pub start_ms: i64,
    pub end_ms: i64,
}

impl From<TimeKind> for CoreTimeKind {
    fn from(k: TimeKind) -> Self {
        match k {
            TimeKind::Travel => CoreTimeKind::Travel,
            TimeKind::Labour => CoreTimeKind::Labour,
        }
    }
}

/// A row of the job list.
#[derive(Debug, Clone, uniffi::Record)]
pub struct JobSummaryRecord {
    pub id: String,
    pub status: JobStatus,
    /// `emergency`, `high`, `normal` or `low`.
    pub priority: String,
    pub customer_name: String,
    pub site_address: String,
    pub reported_at_ms: i64,
    pub scheduled_start_ms: Option<i64>,
    pub scheduled_end_ms: Option<i64>,
    /// Local changes not yet acknowledged by the server.
    pub pending_sync: bool,
    /// Why the server refused this job's last changes, if it did.
    pub sync_error: Option<String>,
    /// The most urgent SLA milestone still open: `response`, `arrival` or `resolution`.
    pub sla_milestone: Option<String>,
    /// Its deadline (as of the job's last change; the job JSON has the live clocks).
    pub sla_due_ms: Option<i64>,
    /// The site's IANA time zone (e.g. `Asia/Shanghai`): show times as the site's clock reads.
    pub site_time_zone: String,
    /// The state of that milestone, live at the time of the call (`Met` when all are met);
    /// `None` for a job without an SLA. The same answer as the office's job JSON `sla`.
    #[uniffi(default = None)]
    pub sla_state: Option<SlaState>,
    /// Wall-clock minutes to that milestone's deadline, negative once breached.
    #[uniffi(default = None)]
    pub sla_minutes_left: Option<i64>,
}

/// The state of an SLA milestone: the shells show it in words ("overdue 20 min"), never by
/// colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SlaState {
    Pending,
    AtRisk,
    Breached,
    Met,
    NotNeeded,
}

impl From<fieldwork_model::sla::MilestoneState> for SlaState {
    fn from(s: fieldwork_model::sla::MilestoneState) -> Self {
        use fieldwork_model::sla::MilestoneState as M;
        match s {
            M::Pending => SlaState::Pending,
            M::AtRisk => SlaState::AtRisk,
            M::Breached => SlaState::Breached,
            M::Met => SlaState::Met,
            M::NotNeeded => SlaState::NotNeeded,
        }
    }
}

impl From<JobSummary> for JobSummaryRecord {
    fn from(j: JobSummary) -> Self {
        JobSummaryRecord {
            id: j.id,
            status: j.status.into(),
            priority: j.priority.as_str().to_string(),
            customer_name: j.customer_name,
            site_address: j.site_address,
            reported_at_ms: j.reported_at,
            scheduled_start_ms: j.scheduled_start,
            scheduled_end_ms: j.scheduled_end,
            pending_sync: j.pending_sync,
            sync_error: j.sync_error,
            sla_milestone: j.sla_milestone,
            sla_due_ms: j.sla_due,
            site_time_zone: j.site_time_zone,
            sla_state: j.sla_state.map(Into::into),
            sla_minutes_left: j.sla_minutes_left,
        }
    }
}

/// A part line as the technician enters it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewPartRecord {
    pub sku: String,
    pub description: String,
    pub qty: u32,
    /// Serial number of the part fitted.
    pub serial_in: Option<String>,
    /// Serial number of the part taken out.
    pub serial_out: Option<String>,
    /// `van` or `warehouse`.
    pub stock: Option<String>,
    /// Unit cost in the contract currency's minor unit (cents).
    #[uniffi(default = None)]
    pub unit_cost: Option<i64>,
    /// Unit list price in minor units.
    #[uniffi(default = None)]
    pub unit_price: Option<i64>,
}

/// The cause of a fault, as the technician finds it on site. Every cause but `QualityDefect`
/// is excluded from warranty cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FaultCause {
    QualityDefect,
    HumanDamage,
    Misuse,
    ImproperStorage,
    ImproperTransport,
    ForceMajeure,
    PowerSupply,
    UnauthorisedModification,
    NoWarrantyCard,
    SerialMismatch,
}

impl From<FaultCause> for Cause {
    fn from(c: FaultCause) -> Self {
        match c {
            FaultCause::QualityDefect => Cause::QualityDefect,
            FaultCause::HumanDamage => Cause::HumanDamage,
            FaultCause::Misuse => Cause::Misuse,
            FaultCause::ImproperStorage => Cause::ImproperStorage,
            FaultCause::ImproperTransport => Cause::ImproperTransport,
            FaultCause::ForceMajeure => Cause::ForceMajeure,
            FaultCause::PowerSupply => Cause::PowerSupply,
            FaultCause::UnauthorisedModification => Cause::UnauthorisedModification,
            FaultCause::NoWarrantyCard => Cause::NoWarrantyCard,
            FaultCause::SerialMismatch => Cause::SerialMismatch,
        }
    }
}

/// A loaner unit still out with a customer.
#[derive(Debug, Clone, uniffi::Record)]
pub struct OpenLoanRecord {
    pub job_id: String,
    pub serial: String,
    pub model: Option<String>,
    pub issued_at_ms: i64,
}

impl From<OpenLoan> for OpenLoanRecord {
    fn from(l: OpenLoan) -> Self {
        OpenLoanRecord {
            job_id: l.job,
            serial: l.serial,
            model: l.model,
            issued_at_ms: l.issued_at,
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, Copy, uniffi::Record)]
pub struct SyncReportRecord {
    pub uploaded: u64,
    pub downloaded: u64,
    pub requests: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub refused: u64,
    /// Photos the office now holds in full (uploads are counted in `bytes_sent`).
    #[uniffi(default = 0)]
    pub attachments_uploaded: u64,
    /// The requests as sent on the wire (headers and compressed bodies); `bytes_sent` counts
    /// the bodies before compression.
    #[uniffi(default = 0)]
    pub wire_bytes_sent: u64,
    /// The responses as received on the wire.
    #[uniffi(default = 0)]
    pub wire_bytes_received: u64,
    /// Photo bytes sent in upload chunks (part of `bytes_sent`).
    #[uniffi(default = 0)]
    pub attachment_bytes_sent: u64,
}

impl From<SyncReport> for SyncReportRecord {
    fn from(r: SyncReport) -> Self {
        SyncReportRecord {
            uploaded: r.uploaded,
            downloaded: r.downloaded,
            requests: r.requests,
            bytes_sent: r.bytes_sent,
            bytes_received: r.bytes_received,
            refused: r.refused,
            attachments_uploaded: r.attachments_uploaded,
            wire_bytes_sent: r.wire_bytes_sent,
            wire_bytes_received: r.wire_bytes_received,
            attachment_bytes_sent: r.attachment_bytes_sent,
        }
    }
}

/// The language of a completion report (and its PDF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReportLanguage {
    /// Simplified Chinese (`zh-CN`).
    ZhCn,
    /// English (`en`).
    En,
}

impl From<ReportLanguage> for fieldwork_core::model::report::Language {
    fn from(l: ReportLanguage) -> Self {
        match l {
            ReportLanguage::ZhCn => Self::ZhCn,
            ReportLanguage::En => Self::En,
        }
    }
}

/// A photo attached to a job.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AttachmentRecord {
    /// SHA-256 (hex) of the stored bytes.
    pub id: String,
    pub mime: String,
    /// Size of the stored file in bytes.
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub caption: Option<String>,
    pub taken_at_ms: i64,
}

impl From<PhotoInfo> for AttachmentRecord {
    fn from(p: PhotoInfo) -> Self {
        AttachmentRecord {
            id: p.id,
            mime: p.mime,
            bytes: p.bytes,
            width: p.width,
            height: p.height,
            caption: p.caption,
            taken_at_ms: p.taken_at,
        }
    }
}

/// A freshly sealed report version.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SealRecord {
    pub job_id: String,
    pub version: u32,
    /// SHA-256 (hex) of the sealed canonical bytes.
    pub sha256: String,
    /// `signed` or `refused`.
    pub status: String,
}

impl From<Sealed> for SealRecord {
    fn from(s: Sealed) -> Self {
        SealRecord {
            job_id: s.job,
            version: s.version,
            sha256: s.sha256,
            status: s.status,
        }
    }
}

/// One sealed version of a job's report.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ReportVersionRecord {
    pub version: u32,
    /// `signed` or `refused`.
    pub status: String,
    pub sha256: String,
    /// The Ed25519 signature over the canonical bytes, hex (verify with the device's key).
    pub signature: String,
    pub device_id: String,
    pub signed_at_ms: i64,
    pub signer_name: Option<String>,
    pub signer_role: Option<String>,
    pub refusal_reason: Option<String>,
    /// `zh-CN` or `en`.
    pub language: String,
    /// False once anything the report sealed changed in the job.
    pub current: bool,
}

impl From<ReportSummary> for ReportVersionRecord {
    fn from(r: ReportSummary) -> Self {
        ReportVersionRecord {
            version: r.version,
            status: r.status,
            sha256: r.sha256,
            signature: r.signature,
            device_id: r.device_id,
            signed_at_ms: fieldwork_core::model::time::parse_rfc3339("signed_at", &r.signed_at)
                .unwrap_or_default(),
            signer_name: r.signer.as_ref().map(|s| s.name.clone()),
            signer_role: r.signer.and_then(|s| s.role),
            refusal_reason: r.refusal.map(|x| x.reason),
            language: r.language.as_str().to_string(),
            current: r.current,
        }
    }
}
