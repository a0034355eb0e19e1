//! The store's error: what a backend can report, in terms the server maps to HTTP without
//! knowing which backend answered. No backend's own error type (rusqlite's, tokio-postgres's)
//! leaks past its crate.

/// Every failure a store can report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such record.
    #[error("{0}")]
    NotFound(String),
    /// The record exists already (an id taken), or a precondition on stored state failed.
    #[error("{0}")]
    Conflict(String),
    /// The caller's input cannot be used (a URL or path that does not parse, a file that is not
    /// a backup): the code names the field.
    #[error("{1}")]
    Invalid(&'static str, String),
    /// The database cannot be reached now (stopped, restarting, failing over, every connection
    /// busy): retrying later helps.
    #[error("{0}")]
    Unavailable(String),
    /// The disk is full: nothing was written (the transaction rolled back).
    #[error("storage error: {0}")]
    DiskFull(String),
    /// Any other failure of the database.
    #[error("storage error: {0}")]
    Backend(String),
    /// Stored data that does not decode.
    #[error("internal error: {0}")]
    Corrupt(String),
    /// File system failure (backups, the SQLite file).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A job document that does not load or save, or a model rule an edit broke.
    #[error(transparent)]
    Model(#[from] fieldwork_model::Error),
    /// A job edit chose not to apply (a pushed change the office refuses): the store rolls its
    /// transaction or savepoint back, and the caller, which knows why, answers.
    #[error("the edit declined to apply")]
    Declined,
    /// The error an edit closure returned, carried through the transaction untouched so the
    /// caller gets back its own error (the server's `Forbidden`, `BadRequest`...).
    #[error(transparent)]
    Edit(Box<dyn std::error::Error + Send + Sync>),
}

/// Result alias of the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;
