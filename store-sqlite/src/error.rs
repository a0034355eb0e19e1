//! SQLite's errors as the store's. Inside this crate every statement's `?` produces a
//! [`Failure`] (rusqlite's error and the store's both convert into it); at the trait's edge it
//! becomes a [`fieldwork_store::Error`], so rusqlite never leaks past this crate.

use fieldwork_store::Error;

/// A failure inside the SQLite backend, on its way to becoming a store error.
#[derive(Debug)]
pub struct Failure(pub Error);

/// Result of the backend's own functions and transaction closures.
pub type Sql<T> = std::result::Result<T, Failure>;

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        let message = e.to_string();
        // A full disk is its own answer (507): the write rolled back and may be retried later.
        Failure(
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) {
                Error::DiskFull(message)
            } else {
                Error::Backend(message)
            },
        )
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure(e)
    }
}

impl From<fieldwork_model::Error> for Failure {
    fn from(e: fieldwork_model::Error) -> Self {
        Failure(e.into())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure(e.into())
    }
}

impl From<Failure> for Error {
    fn from(f: Failure) -> Self {
        f.0
    }
}
