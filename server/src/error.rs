//! The server's error type and its one HTTP rendering: `{"error":{"code","message"}}` with a
//! fitting status. Messages carry ids and field names, never customer data.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Every failure the server can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Malformed or invalid input (400).
    #[error("{1}")]
    BadRequest(&'static str, String),
    /// Input that breaks one of the model's rules (400 `invalid`), answered with the rule's
    /// code and parameters (`reason`) and the field it names, for a form to say it in its
    /// language beside that field.
    #[error("{0}")]
    Refused(fieldwork_model::Reason),
    /// Missing or unknown credentials (401).
    #[error("{1}")]
    Unauthorized(&'static str, String),
    /// Valid credentials, wrong kind or scope (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such thing (404).
    #[error("{0}")]
    NotFound(String),
    /// Clashes with existing state (409).
    #[error("{0}")]
    Conflict(String),
    /// Rows of a batch that cannot be taken, each with why (422 `invalid_rows`); nothing of
    /// the batch was stored.
    #[error("{} of the batch's rows cannot be taken; nothing was stored", .0.len())]
    Rows(Vec<RowError>),
    /// Well-formed but unacceptable content, e.g. an upload whose hash does not match (422).
    #[error("{1}")]
    Unprocessable(&'static str, String),
    /// Body over the limit (413).
    #[error("request body is larger than {0} bytes")]
    TooLarge(usize),
    /// A server-side resource is missing, e.g. the report font (503).
    #[error("{1}")]
    Unavailable(&'static str, String),
    /// Over a rate or byte budget (429, with `Retry-After`): see `limits`.
    #[error("{message}")]
    TooManyRequests {
        retry_after_secs: u64,
        message: String,
    },
    /// The client speaks a protocol version this server no longer does (426): the app must be
    /// updated; retrying will not help.
    #[error("{0}")]
    UpgradeRequired(String),
    /// A request body in an encoding the server does not read (415).
    #[error("{0}")]
    UnsupportedEncoding(String),
    /// The request took longer than the server allows (408).
    #[error("{0}")]
    Timeout(String),
    /// Storage failure (500; 507 when the disk is full). Each backend converts its own errors
    /// into `fieldwork_store::Error`, and that into this: no backend's error type leaks.
    #[error("storage error: {message}")]
    Storage { message: String, disk_full: bool },
    /// File system failure (500).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The stored data does not decode (500).
    #[error("internal error: {0}")]
    Internal(String),
    /// A job edit chose not to apply (a pushed change the office refuses): the storage rolls
    /// its transaction or savepoint back, and the caller, which knows why, answers. Never sent
    /// to a client as such (500 if it ever were).
    #[error("the edit declined to apply")]
    Declined,
}

/// Every error answer's body: `{"error":{"code","message"}}`, and for a broken rule its
/// reason and field.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for a program (`code`, `reason`, `field`) and for a person (`message`).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable: `bad_json`, `invalid`, `unauthorized`, `forbidden`,
    /// `not_found`, `conflict`, `too_large`, `rate_limited`, `database_unavailable`, ...
    #[schema(example = "invalid")]
    pub code: String,
    /// English, with ids and field names, never customer data.
    #[schema(example = "priority must be one of emergency, high, normal, low")]
    pub message: String,
    /// The rule a refused input broke, with its parameters (400 `invalid` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<fieldwork_model::Reason>,
    /// The input field that rule names, for a form to show the message beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a batch (422 `invalid_rows`): each row that cannot be taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<RowError>>,
}

/// One row of a batch that cannot be taken.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// Its place in the batch, from 0.
    pub index: usize,
    /// The code a request with this row alone would have been answered (`invalid`,
    /// `unknown_technician`, `duplicate_id`, ...).
    pub code: String,
    pub message: String,
    /// The rule it broke, with its parameters, as for one job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<fieldwork_model::Reason>,
}

impl RowError {
    /// Row `index`, refused with `e`.
    pub fn of(index: usize, e: &Error) -> RowError {
        RowError {
            index,
            code: e.status_and_code().1.to_string(),
            message: e.to_string(),
            reason: match e {
                Error::Refused(r) => Some(r.clone()),
                _ => None,
            },
        }
    }
}

/// The code of a 503 while the database cannot be reached (PostgreSQL stopped, restarting or
/// failing over); answered with `Retry-After`.
pub const DATABASE_UNAVAILABLE: &str = "database_unavailable";

/// Seconds a client is asked to wait after [`DATABASE_UNAVAILABLE`].
pub const DATABASE_RETRY_AFTER_SECS: u64 = 5;

/// Result alias for the server.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<fieldwork_model::Error> for Error {
    fn from(e: fieldwork_model::Error) -> Self {
        use fieldwork_model::Error as M;
        match e {
            M::Invalid(m) => Error::BadRequest("invalid", m),
            M::Refused(r) => Error::Refused(r),
            e @ M::IllegalTransition { .. } => Error::Conflict(e.to_string()),
            e @ (M::NoSuchLine { .. } | M::NotLineAuthor { .. }) => {
                Error::BadRequest("invalid", e.to_string())
            }
            e @ (M::Document(_) | M::Schema(_)) => Error::Internal(e.to_string()),
        }
    }
}

impl From<fieldwork_store::Error> for Error {
    fn from(e: fieldwork_store::Error) -> Self {
        use fieldwork_store::Error as S;
        match e {
            S::NotFound(m) => Error::NotFound(m),
            S::Conflict(m) => Error::Conflict(m),
            S::Invalid(code, m) => Error::BadRequest(code, m),
            // Retrying helps: 503 with Retry-After, and phones keep their work quietly.
            S::Unavailable(m) => Error::Unavailable(DATABASE_UNAVAILABLE, m),
            S::DiskFull(message) => Error::Storage {
                message,
                disk_full: true,
            },
            S::Backend(message) => Error::Storage {
                message,
                disk_full: false,
            },
            S::Corrupt(m) => Error::Internal(m),
            S::Io(e) => Error::Io(e),
            S::Model(e) => e.into(),
            S::Declined => Error::Declined,
            // An edit's own error comes back as it was raised.
            S::Edit(e) => match e.downcast::<Error>() {
                Ok(e) => *e,
                Err(e) => Error::Internal(e.to_string()),
            },
        }
    }
}

/// An error raised inside a store transaction (a job edit, a complaint edit) travels through
/// the store untouched and comes back out by the conversion above.
impl From<Error> for fieldwork_store::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Declined => fieldwork_store::Error::Declined,
            e => fieldwork_store::Error::Edit(Box::new(e)),
        }
    }
}

impl Error {
    /// The office's disk is full: nothing was written (the database rolled the transaction back), and
    /// the request can be retried once space returns (507 `disk_full`).
    pub fn is_disk_full(&self) -> bool {
        match self {
            Error::Storage { disk_full, .. } => *disk_full,
            Error::Io(e) => e.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }

    pub(crate) fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Error::BadRequest(code, _) => (StatusCode::BAD_REQUEST, code),
            Error::Refused(_) => (StatusCode::BAD_REQUEST, "invalid"),
            Error::Unauthorized(code, _) => (StatusCode::UNAUTHORIZED, code),
            Error::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Error::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Error::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Error::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Error::UpgradeRequired(_) => (StatusCode::UPGRADE_REQUIRED, "upgrade_required"),
            Error::Timeout(_) => (StatusCode::REQUEST_TIMEOUT, "timeout"),
            Error::UnsupportedEncoding(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_encoding")
            }
            Error::Unprocessable(code, _) => (StatusCode::UNPROCESSABLE_ENTITY, code),
            Error::Rows(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_rows"),
            Error::Unavailable(code, _) => (StatusCode::SERVICE_UNAVAILABLE, code),
            _ if self.is_disk_full() => (StatusCode::INSUFFICIENT_STORAGE, "disk_full"),
            Error::Storage { .. } | Error::Io(_) | Error::Internal(_) | Error::Declined => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, "request refused");
            let reason = match &self {
                Error::Refused(r) => Some(r),
                _ => None,
            };
            crate::metrics::refusal(code, reason);
        }
        let (reason, field) = match &self {
            Error::Refused(reason) => (Some(reason.clone()), reason.field().map(str::to_string)),
            _ => (None, None),
        };
        let rows = match &self {
            Error::Rows(rows) => Some(rows.clone()),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message: self.to_string(),
                reason,
                field,
                rows,
            },
        };
        let mut response = (status, Json(body)).into_response();
        let retry_after = match self {
            Error::TooManyRequests {
                retry_after_secs, ..
            } => Some(retry_after_secs),
            Error::Unavailable(DATABASE_UNAVAILABLE, _) => Some(DATABASE_RETRY_AFTER_SECS),
            // Every hashing slot was busy: one will be free in about a second.
            Error::Unavailable(crate::console::accounts::LOGINS_BUSY, _) => Some(1),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(secs),
            );
        }
        response
    }
}
