//! The small error type the apps handle, converted from the core's rich error in one place,
//! which also decides how loudly to log.

use fieldwork_core::Error;
use fieldwork_core::PhotoError;
use fieldwork_core::model::{Error as ModelError, Reason, Status};

use crate::records::JobStatus;

/// What went wrong, grouped by what the app should do about it. `detail` is the message to
/// log or show (named so because Kotlin exceptions already have `message`).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// The input was refused (bad value, a status the job cannot take): say `reason` in the
    /// phone's language; `detail` is the same in English, for the log.
    #[error("{detail}")]
    InvalidInput { detail: String, reason: InputReason },
    /// No such job (or line) on this device.
    #[error("{detail}")]
    NotFound { detail: String },
    /// The device must be enrolled first.
    #[error("{detail}")]
    NotEnrolled { detail: String },
    /// No network or server down: work goes on offline, sync later.
    #[error("{detail}")]
    Offline { detail: String },
    /// The server's TLS certificate is not trusted or the handshake failed: not a network
    /// outage; tell the user (or the office's IT), do not just retry.
    #[error("{detail}")]
    Tls { detail: String },
    /// The server no longer accepts this device (or the code): enroll again.
    #[error("{detail}")]
    Unauthorized { detail: String },
    /// The office no longer speaks this app's sync protocol (HTTP 426): the app must be
    /// updated. Stop automatic syncing (retrying cannot help) and tell the user to update the
    /// app, until it is updated; nothing is lost, the work stays on the phone.
    #[error("{detail}")]
    UpgradeRequired { detail: String },
    /// The office asked this device to wait (HTTP 429: too many requests, or its hourly push or
    /// daily photo budget is spent). Not an alarm: treat it like `Offline` (the work is safe on
    /// the phone, say nothing or "waiting") and do not sync again, not even on the user's "try
    /// again" or a regained network, before `retry_after_secs` seconds (1 s to a day) have
    /// passed.
    #[error("{detail}")]
    RateLimited {
        detail: String,
        retry_after_secs: u64,
    },
    /// The server failed or refused the request.
    #[error("{detail}")]
    Server { detail: String },
    /// The signature strokes were refused (empty, a single dot, off the canvas, too long):
    /// ask the customer to sign again.
    #[error("{detail}")]
    BadSignature { detail: String },
    /// The photo was refused (not a JPEG or PNG, over 25 MiB, damaged or absurdly large).
    #[error("{detail}")]
    BadImage { detail: String, reason: ImageReason },
    /// This job cannot be signed (it was cancelled).
    #[error("{detail}")]
    CannotSign { detail: String },
    /// The report PDF could not be drawn (no CJK font, a photo missing); the message names it.
    #[error("{detail}")]
    Render { detail: String },
    /// The local store failed (disk full, moved aside): tell the user, keep the file.
    #[error("{detail}")]
    Storage { detail: String },
    /// A bug: report it.
    #[error("{detail}")]
    Internal { detail: String },
}

/// Why the technician's input was refused: a code with its parameters, which the shells put
/// in the phone's language. `field` names the value as the job JSON does (`note text`, `qty`,
/// `fault code`, `sku`, `serial_in`, `loaner serial`...); a shell that does not know a field
/// says "this value".
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum InputReason {
    /// A required text is blank.
    Empty { field: String },
    /// A text is longer than `max` bytes.
    TooLong { field: String, max: u64 },
    /// A short label (sku, serial, model, fault code) is blank or longer than `max`.
    Label { field: String, max: u64 },
    /// A number outside `min..=max` (`got` is what was given).
    OutOfRange {
        field: String,
        min: i64,
        max: i64,
        got: i64,
    },
    /// A time outside the years `first..=last` (a clock set wrong).
    TimeOutOfRange {
        field: String,
        first: i32,
        last: i32,
    },
    /// A time entry that ends before it starts.
    EndsBeforeStart,
    /// A time entry longer than `max_hours`.
    SpanTooLong { max_hours: i64 },
    /// A part's stock that is neither van nor warehouse.
    UnknownStock,
    /// Issuing a loaner without its model.
    LoanerModelMissing,
    /// That loaner unit is already out on this job.
    LoanerAlreadyOut { serial: String },
    /// That loaner unit is not out on this job.
    LoanerNotOut { serial: String },
    /// A checklist result that is not pass, fail or a measured number.
    NotACheckResult,
    /// A checklist item this job's checklist does not have.
    NoSuchCheckItem { item: String },
    /// The job cannot move from `from` to `to` (someone else moved it meanwhile, or the job
    /// is closed).
    StatusNotAllowed { from: JobStatus, to: JobStatus },
    /// A status only dispatch sets.
    NotATechnicianStatus,
    /// Only the technician who added a part line may remove it.
    NotLineAuthor,
    /// Only the technician who took a photo may remove it.
    NotPhotoAuthor,
    /// The technician works from no van yet: the stock screen says so (not an error to them).
    NoVan,
    /// The job was cancelled: there is nothing to sign.
    JobCancelled,
    /// This phone is already enrolled (with the office `server`).
    AlreadyEnrolled { server: String },
    /// Anything else the core refused (a bug or a damaged document, more than a typing
    /// error): a general message; the detail goes to the log.
    Other,
}

/// Why a photo was refused.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ImageReason {
    /// Over `max_mib` MiB.
    TooLarge { max_mib: u64 },
    /// Not a JPEG or PNG (judged by its bytes, not its name).
    NotAnImage,
    /// More pixels than the phone may decode safely.
    TooManyPixels { width: u32, height: u32 },
    /// Truncated or damaged.
    Damaged,
    /// Could not be stored as JPEG.
    CannotSave,
}

impl From<&Reason> for InputReason {
    fn from(r: &Reason) -> Self {
        match r.clone() {
            Reason::Empty { field } => InputReason::Empty { field },
            Reason::TooLong { field, max } => InputReason::TooLong { field, max },
            Reason::Label { field, max } => InputReason::Label { field, max },
            Reason::OutOfRange {
                field,
                min,
                max,
                got,
            } => InputReason::OutOfRange {
                field,
                min,
                max,
                got,
            },
            Reason::TimeOutOfRange { field, first, last } => {
                InputReason::TimeOutOfRange { field, first, last }
            }
            Reason::EndsBeforeStart => InputReason::EndsBeforeStart,
            Reason::SpanTooLong { max_hours } => InputReason::SpanTooLong { max_hours },
            Reason::UnknownStock => InputReason::UnknownStock,
            Reason::LoanerModelMissing => InputReason::LoanerModelMissing,
            Reason::LoanerAlreadyOut { serial } => InputReason::LoanerAlreadyOut { serial },
            Reason::LoanerNotOut { serial } => InputReason::LoanerNotOut { serial },
            Reason::NotACheckResult => InputReason::NotACheckResult,
            Reason::NoSuchCheckItem { item } => InputReason::NoSuchCheckItem { item },
            Reason::NotATechnicianStatus { .. } => InputReason::NotATechnicianStatus,
            Reason::JobCancelled => InputReason::JobCancelled,
            Reason::NotPhotoAuthor { .. } => InputReason::NotPhotoAuthor,
            Reason::NoVan => InputReason::NoVan,
            // Dispatch's fields: a phone does not create jobs.
            Reason::UnknownTimeZone { .. } | Reason::NotAnEmail { .. } => InputReason::Other,
        }
    }
}

impl From<&PhotoError> for ImageReason {
    fn from(e: &PhotoError) -> Self {
        match e {
            PhotoError::TooLarge { max, .. } => ImageReason::TooLarge {
                max_mib: (*max as u64) >> 20,
            },
            PhotoError::NotAnImage(_) => ImageReason::NotAnImage,
            PhotoError::TooManyPixels { width, height } => ImageReason::TooManyPixels {
                width: *width,
                height: *height,
            },
            PhotoError::Corrupt(_) => ImageReason::Damaged,
            PhotoError::Encode(_) => ImageReason::CannotSave,
        }
    }
}

/// The reason of a refused move between two statuses, named by the model's words.
fn status_not_allowed(from: &str, to: &str) -> InputReason {
    match (from.parse::<Status>(), to.parse::<Status>()) {
        (Ok(from), Ok(to)) => InputReason::StatusNotAllowed {
            from: from.into(),
            to: to.into(),
        },
        _ => InputReason::Other,
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let detail = e.to_string();
        let invalid = |reason| ApiError::InvalidInput {
            detail: detail.clone(),
            reason,
        };
        let api = match &e {
            Error::Model(ModelError::NoSuchLine { .. })
            | Error::NoSuchJob(_)
            | Error::NoSuchReport(_) => ApiError::NotFound { detail },
            Error::BadSignature(_) => ApiError::BadSignature { detail },
            Error::Photo(photo) => ApiError::BadImage {
                reason: photo.into(),
                detail,
            },
            Error::CannotSign(_) => ApiError::CannotSign { detail },
            Error::Render(_) => ApiError::Render { detail },
            Error::Model(ModelError::Refused(reason)) => invalid(reason.into()),
            Error::Model(ModelError::IllegalTransition { from, to, .. }) => {
                invalid(status_not_allowed(from, to))
            }
            Error::Model(ModelError::NotLineAuthor { .. }) => invalid(InputReason::NotLineAuthor),
            Error::AlreadyEnrolled(server) => invalid(InputReason::AlreadyEnrolled {
                server: server.clone(),
            }),
            Error::Model(_) => invalid(InputReason::Other),
            Error::NotEnrolled => ApiError::NotEnrolled { detail },
            Error::Offline(_) => ApiError::Offline { detail },
            Error::Tls(_) => ApiError::Tls { detail },
            Error::Unauthorized { .. } => ApiError::Unauthorized { detail },
            Error::UpgradeRequired(_) => ApiError::UpgradeRequired { detail },
            Error::RateLimited {
                retry_after_secs, ..
            } => ApiError::RateLimited {
                detail,
                retry_after_secs: *retry_after_secs,
            },
            Error::Server { .. } => ApiError::Server { detail },
            Error::Protocol(_) => ApiError::Internal { detail },
            Error::StoreMovedAside { .. }
            | Error::StoreKey { .. }
            | Error::StoreTooNew { .. }
            | Error::Sqlite(_)
            | Error::Secret(_)
            | Error::Io(_) => ApiError::Storage { detail },
        };
        match api {
            ApiError::InvalidInput { .. }
            | ApiError::NotFound { .. }
            | ApiError::BadSignature { .. }
            | ApiError::BadImage { .. }
            | ApiError::CannotSign { .. } => {
                tracing::debug!(error = %api, "refused")
            }
            ApiError::Offline { .. }
            | ApiError::NotEnrolled { .. }
            | ApiError::RateLimited { .. } => {
                tracing::info!(error = %api, "not now")
            }
            ApiError::UpgradeRequired { .. } => tracing::warn!(error = %api, "app too old"),
            _ => tracing::error!(error = %api, "failed"),
        }
        api
    }
}
