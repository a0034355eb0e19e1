//! The uniffi facade: the one native library the Android and iOS shells load, and the API the
//! `fieldwork` CLI drives. Everything here is a thin translation of `fieldwork-core`.
//!
//! Conventions: one root object ([`FieldworkApp`]); immutable records; times as `i64` epoch
//! milliseconds; network calls `async` (tokio), local reads and writes synchronous and short.

mod detail;
mod error;
mod outline;
mod platform;
mod records;
mod stock;

use std::path::PathBuf;
use std::sync::Arc;

use fieldwork_core::Device;
use fieldwork_core::model::{NewPart, NewTimeEntry};

pub use detail::{
    AssetRecord, AuthorRole, ChargeKind, ChargeLineRecord, ChargesRecord, CheckRecord,
    CustomerRecord, DiagnosisRecord, JobDetailRecord, JobKindRecord, LoanerRecord, MilestoneKind,
    MilestoneRecord, NoteRecord, PartLineRecord, PhotoRecord, PriorityRecord, RegionRecord,
    ReportState, ReportStateRecord, SiteRecord, SlaRecord, TimeEntryRecord,
};
pub use error::{ApiError, ImageReason, InputReason};

/// Where syncing stands (see `FieldworkApp::sync_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SyncStateRecord {
    /// When a sync last finished with everything sent and received; `None` before the first.
    pub last_success_ms: Option<i64>,
    /// Jobs with changes the office has not acknowledged.
    pub pending_jobs: u64,
    /// Photos waiting for upload.
    pub pending_photos: u64,
    /// Whether the shell last reported a network.
    pub online: bool,
}
pub use outline::{
    OutlineColumnRecord, OutlineFieldRecord, OutlineOutcomeRecord, OutlinePhotoRecord,
    OutlineRowRecord, OutlineSectionRecord, ReportOutlineRecord,
};
pub use platform::{
    CallbackError, ChangeCause, JobsChange, JobsObserver, LogLevel, LogRecord, LogSink,
    SecretStore, SecretStoreError, Subscription, set_log_sink,
};
pub use records::{
    AttachmentRecord, EnrollmentRecord, FaultCause, JobStatus, JobSummaryRecord, NewPartRecord,
    OpenLoanRecord, ProposedTimeRecord, ReportLanguage, ReportVersionRecord, SealRecord, SlaState,
    SyncReportRecord, TimeKind,
};
pub use stock::{
    CountedRecord, PartRecord, ReturnReasonRecord, StockFlag, StockLevelRecord, StockLineRecord,
    StockRefusalRecord, TransferRecord, VanStockRecord,
};

uniffi::setup_scaffolding!();

/// The app's handle on the technician's offline store. Open one per data directory and keep it
/// for the life of the process; every method is safe to call from any thread.
#[derive(uniffi::Object)]
pub struct FieldworkApp {
    device: Device,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[uniffi::export(async_runtime = "tokio")]
impl FieldworkApp {
    /// Opens (creating if needed) the store in `data_dir`. A store that cannot be opened is moved
    /// aside, never deleted, and reported as `ApiError::Storage`.
    #[uniffi::constructor]
    pub fn open(data_dir: String) -> Result<Arc<Self>, ApiError> {
        let device = Device::open(&PathBuf::from(data_dir))?;
        Ok(Arc::new(FieldworkApp { device }))
    }

    /// Opens (or creates) the store in `data_dir` with the device's token and signing key in
    /// the platform's secret store (Android Keystore, iOS Keychain). A store that kept them in
    /// its own tables (older versions) has them moved into `secrets`.
    #[uniffi::constructor]
    pub fn open_with_secrets(
        data_dir: String,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Arc<Self>, ApiError> {
        let secrets = Arc::new(platform::ForeignSecrets(secrets));
        let device = Device::open_with_secrets(&PathBuf::from(data_dir), secrets)?;
        Ok(Arc::new(FieldworkApp { device }))
    }

    /// Tells the core whether the phone has a network. While offline, `sync` fails at once with
    /// `ApiError::Offline`; when the network comes back, sync.
    pub fn set_network_state(&self, online: bool) {
        self.device.set_network_state(online);
    }

    /// Calls `observer` whenever jobs change (a local edit or a sync), so screens refresh
    /// without polling, until the returned subscription is cancelled or destroyed.
    pub fn observe_jobs(&self, observer: Arc<dyn JobsObserver>) -> Arc<Subscription> {
        let inner = self.device.observe_jobs(move |change| {
            // An observer that throws misses this change; the edit or sync stands.
            if let Err(e) = observer.jobs_changed(change.into()) {
                tracing::warn!(error = %e, "a jobs observer failed");
            }
        });
        Arc::new(Subscription::new(inner))
    }

    /// The server and technician this device is enrolled with, if any.
    pub fn enrollment(&self) -> Option<EnrollmentRecord> {
        self.device.enrollment().map(Into::into)
    }

    /// Enrolls the device with the office server using a one-time code from dispatch.
    pub async fn enroll(
        &self,
        server_url: String,
        code: String,
        device_name: String,
    ) -> Result<EnrollmentRecord, ApiError> {
        Ok(self
            .device
            .enroll(&server_url, &code, &device_name)
            .await?
            .into())
    }

    /// Enrolls with an office that uses its own certificate authority: `server_ca_pem` (the
    /// CA's certificate, PEM) is trusted beside the public roots from now on. A server whose
    /// certificate is not trusted fails with `ApiError::Tls`, not `Offline`.
    pub async fn enroll_with_server_ca(
        &self,
        server_url: String,
        code: String,
        device_name: String,
        server_ca_pem: String,
    ) -> Result<EnrollmentRecord, ApiError> {
        Ok(self
            .device
            .enroll_with_ca(&server_url, &code, &device_name, Some(&server_ca_pem))
            .await?
            .into())
    }

    /// Sends local changes and fetches the server's, until both sides agree.
    /// `ApiError::Offline` means: keep working, try again when the network is back;
    /// `ApiError::RateLimited`: the same, but not before its `retry_after_secs`;
    /// `ApiError::UpgradeRequired`: stop syncing and ask the user to update the app.
    pub async fn sync(&self) -> Result<SyncReportRecord, ApiError> {
        Ok(self.device.sync().await?.into())
    }

    /// The technician's jobs, by scheduled start (unscheduled last).
    pub fn jobs(&self) -> Result<Vec<JobSummaryRecord>, ApiError> {
        Ok(self.device.jobs()?.into_iter().map(Into::into).collect())
    }

    /// [`FieldworkApp::jobs`] with SLA states as of `at_ms` (tests, and a list rendered for a
    /// chosen instant).
    pub fn jobs_at(&self, at_ms: i64) -> Result<Vec<JobSummaryRecord>, ApiError> {
        Ok(self
            .device
            .jobs_at(at_ms)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Travel (en route to the next step) and labour (in progress to a hold or completion) the
    /// job's status timeline shows and the technician has not recorded yet, oldest first.
    pub fn proposed_times(&self, job_id: String) -> Result<Vec<ProposedTimeRecord>, ApiError> {
        Ok(self
            .device
            .proposed_times(&job_id)?
            .into_iter()
            .map(|t| ProposedTimeRecord {
                kind: t.kind.into(),
                start_ms: t.start,
                end_ms: t.end,
            })
            .collect())
    }

    /// The statuses the technician may move a job to next, in the order to show them (never
    /// the current one; none once it is completed or cancelled). Both apps show exactly these.
    pub fn offered_statuses(&self, job_id: String) -> Result<Vec<JobStatus>, ApiError> {
        Ok(self
            .device
            .offered_statuses(&job_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The technician's jobs scheduled to start in `[from_ms, to_ms)`.
    pub fn jobs_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<JobSummaryRecord>, ApiError> {
        Ok(self
            .device
            .jobs_between(from_ms, to_ms)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Everything the job screen shows, SLA judged as of now: the same rules as the job list
    /// and the office. The screens render this record; they parse nothing.
    pub fn job_detail(&self, job_id: String) -> Result<JobDetailRecord, ApiError> {
        self.job_detail_at(job_id, now_ms())
    }

    /// [`FieldworkApp::job_detail`] as of `at_ms` (tests, and a screen rendered for a chosen
    /// instant).
    pub fn job_detail_at(&self, job_id: String, at_ms: i64) -> Result<JobDetailRecord, ApiError> {
        self.device.job_detail(&job_id, at_ms)?.try_into()
    }

    /// A small JPEG (long edge 320 px) of a photo this phone holds, for the job screen's photo
    /// strip; `None` when the phone does not hold the photo.
    pub fn photo_thumbnail(&self, attachment_id: String) -> Result<Option<Vec<u8>>, ApiError> {
        Ok(self.device.photo_thumbnail(&attachment_id)?)
    }

    /// One job as the job JSON the office server also renders, SLA states as of now.
    pub fn job_json(&self, job_id: String) -> Result<String, ApiError> {
        self.job_json_at(job_id, now_ms())
    }

    /// One job as the job JSON, with SLA milestone states as of `at_ms`.
    pub fn job_json_at(&self, job_id: String, at_ms: i64) -> Result<String, ApiError> {
        let view = self.device.job(&job_id, at_ms)?;
        serde_json::to_string(&view).map_err(|e| ApiError::Internal {
            detail: format!("cannot render job {job_id}: {e}"),
        })
    }

    /// Records the fault cause and code found on site, and optionally what was done. The
    /// latest diagnosis decides warranty cover and charges.
    pub fn record_diagnosis(
        &self,
        job_id: String,
        cause: FaultCause,
        fault_code: String,
        action: Option<String>,
        at_ms: Option<i64>,
    ) -> Result<(), ApiError> {
        Ok(self.device.record_diagnosis(
            &job_id,
            cause.into(),
            &fault_code,
            action.as_deref(),
            at_ms.unwrap_or_else(now_ms),
        )?)
    }

    /// Lends a loaner unit to the customer.
    pub fn issue_loaner(
        &self,
        job_id: String,
        serial: String,
        model: String,
        at_ms: Option<i64>,
    ) -> Result<(), ApiError> {
        Ok(self
            .device
            .issue_loaner(&job_id, &serial, &model, at_ms.unwrap_or_else(now_ms))?)
    }

    /// Takes a loaner unit back from the customer.
    pub fn return_loaner(
        &self,
        job_id: String,
        serial: String,
        at_ms: Option<i64>,
    ) -> Result<(), ApiError> {
        Ok(self
            .device
            .return_loaner(&job_id, &serial, at_ms.unwrap_or_else(now_ms))?)
    }

    /// Loaner units still out with customers on this technician's jobs.
    pub fn open_loans(&self) -> Result<Vec<OpenLoanRecord>, ApiError> {
        Ok(self
            .device
            .open_loans()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Records a checklist result: `pass`, `fail` or a measured number, with an optional note.
    pub fn record_check(
        &self,
        job_id: String,
        item: String,
        result: String,
        note: Option<String>,
        at_ms: Option<i64>,
    ) -> Result<(), ApiError> {
        Ok(self.device.record_check(
            &job_id,
            &item,
            &result,
            note.as_deref(),
            at_ms.unwrap_or_else(now_ms),
        )?)
    }

    /// Records a status change. `at_ms` is when it happened on the device (now if absent).
    pub fn set_status(
        &self,
        job_id: String,
        status: JobStatus,
        at_ms: Option<i64>,
    ) -> Result<(), ApiError> {
        Ok(self
            .device
            .set_status(&job_id, status.into(), at_ms.unwrap_or_else(now_ms))?)
    }

    /// Adds a note; returns its id.
    pub fn add_note(
        &self,
        job_id: String,
        text: String,
        at_ms: Option<i64>,
    ) -> Result<String, ApiError> {
        Ok(self
            .device
            .add_note(&job_id, &text, at_ms.unwrap_or_else(now_ms))?)
    }

    /// Adds a part line; returns the line id.
    pub fn add_part(
        &self,
        job_id: String,
        part: NewPartRecord,
        at_ms: Option<i64>,
    ) -> Result<String, ApiError> {
        let part = NewPart {
            sku: part.sku,
            description: part.description,
            qty: part.qty,
            serial_in: part.serial_in,
            serial_out: part.serial_out,
            stock: part.stock,
            unit_cost: part.unit_cost,
            unit_price: part.unit_price,
        };
        Ok(self
            .device
            .add_part(&job_id, &part, at_ms.unwrap_or_else(now_ms))?)
    }

    /// Marks a part line removed; only the technician who added it may.
    pub fn remove_part(
        &self,
        job_id: String,
        line_id: String,
        at_ms: Option<i64>,
    ) -> Result<(), ApiError> {
        Ok(self
            .device
            .remove_part(&job_id, &line_id, at_ms.unwrap_or_else(now_ms))?)
    }

    /// Removes a photo taken by mistake (only its author may): it leaves the job screen and the
    /// next report; a report signed before still shows it.
    pub fn remove_photo(
        &self,
        job_id: String,
        attachment_id: String,
        at_ms: Option<i64>,
    ) -> Result<(), ApiError> {
        Ok(self
            .device
            .remove_photo(&job_id, &attachment_id, at_ms.unwrap_or_else(now_ms))?)
    }

    /// Records travel or labour time; returns the entry id.
    pub fn add_time(
        &self,
        job_id: String,
        kind: TimeKind,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<String, ApiError> {
        Ok(self.device.add_time(
            &job_id,
            NewTimeEntry {
                kind: kind.into(),
                start: start_ms,
                end: end_ms,
            },
        )?)
    }

    /// Where syncing stands: last successful sync, what waits to be sent, online or not. Both
    /// apps' status bars show this.
    pub fn sync_state(&self) -> Result<SyncStateRecord, ApiError> {
        let s = self.device.sync_state()?;
        Ok(SyncStateRecord {
            last_success_ms: s.last_success,
            pending_jobs: s.pending_jobs,
            pending_photos: s.pending_photos,
            online: s.online,
        })
    }

    /// How many jobs have changes waiting for the server.
    pub fn pending_sync_count(&self) -> Result<u64, ApiError> {
        Ok(self.device.pending_sync_count()?)
    }

    /// Adds a photo taken on site (JPEG or PNG bytes, up to 25 MiB). It is stored upright,
    /// scaled to at most 2560 px, as JPEG stripped of all metadata but the capture time, and
    /// uploaded at the next sync. `ApiError::BadImage` says why a file was refused.
    pub fn add_photo(
        &self,
        job_id: String,
        data: Vec<u8>,
        caption: Option<String>,
    ) -> Result<AttachmentRecord, ApiError> {
        Ok(self
            .device
            .add_photo(&job_id, &data, caption.as_deref(), now_ms())?
            .into())
    }

    /// The stored bytes of a photo (JPEG), if this device holds them.
    pub fn attachment_bytes(&self, attachment_id: String) -> Result<Option<Vec<u8>>, ApiError> {
        Ok(self.device.attachment_bytes(&attachment_id)?)
    }

    /// What the customer is about to sign: the report's canonical JSON without a signature,
    /// built by the same code that seals it. Show this, then call `sign_report`.
    pub fn report_preview(
        &self,
        job_id: String,
        language: ReportLanguage,
    ) -> Result<String, ApiError> {
        let bytes = self
            .device
            .report_preview(&job_id, language.into(), now_ms())?;
        String::from_utf8(bytes).map_err(|e| ApiError::Internal {
            detail: format!("report preview is not UTF-8: {e}"),
        })
    }

    /// What the customer is about to sign, as the PDF will word it, in `language`: built from
    /// the current job every call (show it each time the signing step opens), then call
    /// `sign_report` with the same language.
    pub fn signing_preview(
        &self,
        job_id: String,
        language: ReportLanguage,
    ) -> Result<ReportOutlineRecord, ApiError> {
        Ok(self
            .device
            .report_outline(&job_id, language.into(), now_ms())?
            .into())
    }

    /// A sealed version's words (the latest if `version` is null), as its PDF prints them.
    pub fn report_outline(
        &self,
        job_id: String,
        version: Option<u32>,
    ) -> Result<ReportOutlineRecord, ApiError> {
        Ok(self.device.sealed_outline(&job_id, version)?.into())
    }

    /// Seals the customer's signature on a new report version, offline. `strokes_json` is
    /// `{"canvas":{"width":W,"height":H},"strokes":[[[x,y,t_ms,pressure],...],...]}` with
    /// integers; `ApiError::BadSignature` asks for a new signature, `ApiError::CannotSign` means
    /// the job was cancelled. Records `completed` if the job is not completed yet.
    pub fn sign_report(
        &self,
        job_id: String,
        signer_name: String,
        signer_role: Option<String>,
        strokes_json: String,
        language: ReportLanguage,
    ) -> Result<SealRecord, ApiError> {
        Ok(self
            .device
            .sign_report(
                &job_id,
                &signer_name,
                signer_role.as_deref(),
                &strokes_json,
                language.into(),
                now_ms(),
            )?
            .into())
    }

    /// Seals the customer's refusal to sign (the reason, and their name if given).
    pub fn refuse_report(
        &self,
        job_id: String,
        reason: String,
        name: Option<String>,
        language: ReportLanguage,
    ) -> Result<SealRecord, ApiError> {
        Ok(self
            .device
            .refuse_report(&job_id, &reason, name.as_deref(), language.into(), now_ms())?
            .into())
    }

    /// Every sealed version of a job's report, oldest first.
    pub fn report_versions(&self, job_id: String) -> Result<Vec<ReportVersionRecord>, ApiError> {
        Ok(self
            .device
            .reports(&job_id)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The canonical JSON of a sealed version (the latest if `version` is null), exactly as
    /// hashed and signed.
    pub fn report_json(&self, job_id: String, version: Option<u32>) -> Result<String, ApiError> {
        let bytes = self.device.report_bytes(&job_id, version)?;
        String::from_utf8(bytes).map_err(|e| ApiError::Internal {
            detail: format!("sealed report is not UTF-8: {e}"),
        })
    }

    /// Renders a sealed version (the latest if `version` is null) to PDF, offline, byte for
    /// byte what the office renders. `font_path` is a CJK font (Noto Sans CJK SC); without it
    /// the usual system font folders are searched.
    pub fn render_report_pdf(
        &self,
        job_id: String,
        version: Option<u32>,
        font_path: Option<String>,
    ) -> Result<Vec<u8>, ApiError> {
        let font = font_path.map(PathBuf::from);
        Ok(self.device.report_pdf(&job_id, version, font.as_deref())?)
    }

    /// This device's Ed25519 public key (hex), once enrolled.
    pub fn public_key(&self) -> Result<Option<String>, ApiError> {
        Ok(self.device.public_key()?)
    }

    /// The document heads of a job (hex, sorted): equal heads mean identical documents.
    pub fn job_heads(&self, job_id: String) -> Result<Vec<String>, ApiError> {
        Ok(self.device.heads(&job_id)?)
    }
}

/// Formats epoch milliseconds as RFC 3339 UTC, the way the job JSON does.
#[uniffi::export]
pub fn format_time(ms: i64) -> String {
    fieldwork_core::model::time::to_rfc3339(ms)
}

/// Epoch milliseconds as the clock at a site in `zone` (IANA name) reads them:
/// `2026-11-24 17:30`.
#[uniffi::export]
pub fn format_site_time(ms: i64, zone: String) -> String {
    fieldwork_core::model::time::to_site_clock(ms, &zone)
}
