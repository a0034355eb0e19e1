//! Errors of the domain layer: invalid input, illegal status moves, unreadable documents.

/// A domain error. Messages carry ids and field names, never customer data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule of the model (bad id, empty text, end before start...).
    #[error("invalid input: {0}")]
    Invalid(String),
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

/// Result alias for the model.
pub type Result<T, E = Error> = std::result::Result<T, E>;
