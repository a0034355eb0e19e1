//! Errors of the domain layer: invalid input, illegal status moves, unreadable documents.

/// A domain error. Messages carry ids and field names, never customer data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule of the model (bad id, a malformed document field...).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// Input a technician can type that breaks a rule, as a code with its parameters: the
    /// apps translate it (no English on a Chinese screen); the message is the same words the
    /// office answers with.
    #[error("invalid input: {0}")]
    Refused(Reason),
    /// A status change the job's current state does not allow.
    #[error("job {job} is {from}; it cannot become {to}")]
    IllegalTransition {
        job: String,
        from: &'static str,
        to: &'static str,
    },
    /// A part line that does not exist on the job.
    #[error("job {job} has no part line {line}")]
    NoSuchLine { job: String, line: String },
    /// Someone other than a part line's author tried to remove it.
    #[error("part line {line} was added by someone else; only its author can remove it")]
    NotLineAuthor { line: String },
    /// The Automerge document could not be loaded or changed.
    #[error("document error: {0}")]
    Document(#[from] automerge::AutomergeError),
    /// The document's content does not match the job schema.
    #[error("document does not match the job schema: {0}")]
    Schema(String),
}

/// Why a technician's input was refused: a stable code and its parameters. Fields are named
/// as the job JSON names them (`note text`, `qty`, `fault code`...).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// A required text is blank.
    #[error("{field} must not be empty")]
    Empty { field: String },
    /// A text is longer than `max` bytes.
    #[error("{field} is longer than {max} bytes")]
    TooLong { field: String, max: u64 },
    /// A short label (sku, serial, model, fault code) is blank or longer than `max` bytes.
    #[error("{field} must be 1-{max} characters")]
    Label { field: String, max: u64 },
    /// A number outside `min..=max`.
    #[error("{field} must be {min} to {max}, got {got}")]
    OutOfRange {
        field: String,
        min: i64,
        max: i64,
        got: i64,
    },
    /// A time outside the years every timestamp must fall in.
    #[error("{field} is outside the years {first} to {last}")]
    TimeOutOfRange {
        field: String,
        first: i32,
        last: i32,
    },
    /// A time entry that ends before it starts.
    #[error("time entry ends before it starts")]
    EndsBeforeStart,
    /// A time entry longer than `max_hours`.
    #[error("a time entry is at most {max_hours} hours long")]
    SpanTooLong { max_hours: i64 },
    /// A part line's stock that is neither `van` nor `warehouse`.
    #[error("stock must be van or warehouse")]
    UnknownStock,
    /// Issuing a loaner without naming its model.
    #[error("an issued loaner names its model")]
    LoanerModelMissing,
    /// Issuing a loaner unit that is already out on the job.
    #[error("loaner {serial} is already out on this job")]
    LoanerAlreadyOut { serial: String },
    /// Returning a loaner unit that is not out on the job.
    #[error("no loaner {serial} is out on this job")]
    LoanerNotOut { serial: String },
    /// A checklist result that is not `pass`, `fail` or a measured number.
    #[error("a check result is pass, fail or a measured number")]
    NotACheckResult,
    /// A checklist item the job's checklist does not have.
    #[error("this job has no checklist item {item:?}")]
    NoSuchCheckItem { item: String },
    /// A status only dispatch sets (`new`, `assigned`, `cancelled`).
    #[error("a technician cannot set status {status}")]
    NotATechnicianStatus { status: String },
    /// Someone other than a photo's author tried to remove it.
    #[error("photo {id} was taken by someone else; only its author can remove it")]
    NotPhotoAuthor { id: String },
    /// The technician works from no van (the office has not put them in one, or the phone has
    /// not synced since): there is no van stock to show or move.
    #[error(
        "no van: the office has not put this technician in a van yet (or the phone has not synced since)"
    )]
    NoVan,
    /// The job was cancelled: there is no completion report to sign.
    #[error("the job is cancelled; a cancelled job has no completion report to sign")]
    JobCancelled,
    /// A time zone that is not an IANA name.
    #[error("{field}: unknown IANA time zone {zone:?}")]
    UnknownTimeZone { field: String, zone: String },
    /// An email address that cannot be one.
    #[error("{field}: {value:?} is not an email address")]
    NotAnEmail { field: String, value: String },
}

impl Reason {
    /// The field the reason names, for a form to show it beside.
    pub fn field(&self) -> Option<&str> {
        match self {
            Reason::Empty { field }
            | Reason::TooLong { field, .. }
            | Reason::Label { field, .. }
            | Reason::OutOfRange { field, .. }
            | Reason::TimeOutOfRange { field, .. }
            | Reason::UnknownTimeZone { field, .. }
            | Reason::NotAnEmail { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl From<Reason> for Error {
    fn from(r: Reason) -> Self {
        Error::Refused(r)
    }
}

/// Result alias for the model.
pub type Result<T, E = Error> = std::result::Result<T, E>;
