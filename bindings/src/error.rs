//! The small error type the apps handle, converted from the core's rich error in one place,
//! which also decides how loudly to log.

use fieldwork_core::Error;
use fieldwork_core::model::Error as ModelError;

/// What went wrong, grouped by what the app should do about it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// The input was refused (bad value, a status the job cannot take); show the message.
    #[error("{message}")]
    InvalidInput { message: String },
    /// No such job (or line) on this device.
    #[error("{message}")]
    NotFound { message: String },
    /// The device must be enrolled first.
    #[error("{message}")]
    NotEnrolled { message: String },
    /// No network or server down: work goes on offline, sync later.
    #[error("{message}")]
    Offline { message: String },
    /// The server no longer accepts this device (or the code): enroll again.
    #[error("{message}")]
    Unauthorized { message: String },
    /// The server failed or refused the request.
    #[error("{message}")]
    Server { message: String },
    /// The local store failed (disk full, moved aside): tell the user, keep the file.
    #[error("{message}")]
    Storage { message: String },
    /// A bug: report it.
    #[error("{message}")]
    Internal { message: String },
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        let api = match &e {
            Error::Model(ModelError::NoSuchLine { .. }) | Error::NoSuchJob(_) => {
                ApiError::NotFound { message }
            }
            Error::Model(_) | Error::AlreadyEnrolled(_) => ApiError::InvalidInput { message },
            Error::NotEnrolled => ApiError::NotEnrolled { message },
            Error::Offline(_) => ApiError::Offline { message },
            Error::Unauthorized { .. } => ApiError::Unauthorized { message },
            Error::Server { .. } => ApiError::Server { message },
            Error::Protocol(_) => ApiError::Internal { message },
            Error::StoreMovedAside { .. }
            | Error::StoreTooNew { .. }
            | Error::Sqlite(_)
            | Error::Io(_) => ApiError::Storage { message },
        };
        match api {
            ApiError::InvalidInput { .. } | ApiError::NotFound { .. } => {
                tracing::debug!(error = %api, "refused")
            }
            ApiError::Offline { .. } | ApiError::NotEnrolled { .. } => {
                tracing::info!(error = %api, "not now")
            }
            _ => tracing::error!(error = %api, "failed"),
        }
        api
    }
}
