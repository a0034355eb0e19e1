//! The small error type the apps handle, converted from the core's rich error in one place,
//! which also decides how loudly to log.

use fieldwork_core::Error;
use fieldwork_core::model::Error as ModelError;

/// What went wrong, grouped by what the app should do about it. `detail` is the message to
/// log or show (named so because Kotlin exceptions already have `message`).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// The input was refused (bad value, a status the job cannot take); show the message.
    #[error("{detail}")]
    InvalidInput { detail: String },
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
    BadImage { detail: String },
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

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let detail = e.to_string();
        let api = match &e {
            Error::Model(ModelError::NoSuchLine { .. })
            | Error::NoSuchJob(_)
            | Error::NoSuchReport(_) => ApiError::NotFound { detail },
            Error::BadSignature(_) => ApiError::BadSignature { detail },
            Error::Photo(_) => ApiError::BadImage { detail },
            Error::CannotSign(_) => ApiError::CannotSign { detail },
            Error::Render(_) => ApiError::Render { detail },
            Error::Model(_) | Error::AlreadyEnrolled(_) => ApiError::InvalidInput { detail },
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
