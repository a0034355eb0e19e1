//! PostgreSQL's errors as the store's, and the outage rules: which failures mean the
//! database cannot be reached now (answered 503 with `Retry-After`) and which are a failed
//! statement.

use deadpool_postgres::PoolError;
use fieldwork_store::Error;
use tokio_postgres::error::SqlState;

/// A failure inside the PostgreSQL backend, on its way to becoming a store error: every
/// statement's `?` produces one (tokio-postgres's, the pool's and the store's errors convert
/// into it), and the trait's methods hand back the [`Error`] inside, so no driver type leaks.
#[derive(Debug)]
pub struct Failure(pub Error);

/// Result of the backend's own functions and transaction closures.
pub type Pg<T> = std::result::Result<T, Failure>;

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

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Self {
        if database_unreachable(&e) {
            return Failure(unavailable(&describe(&e)));
        }
        // A full disk is its own answer (507): the write rolled back and may be retried later.
        Failure(if e.code() == Some(&SqlState::DISK_FULL) {
            Error::DiskFull(describe(&e))
        } else {
            Error::Backend(describe(&e))
        })
    }
}

impl From<PoolError> for Failure {
    fn from(e: PoolError) -> Self {
        Failure(match e {
            PoolError::Backend(e) => return e.into(),
            // Every connection busy past the wait, or none could be opened in time.
            PoolError::Timeout(_) => Error::Unavailable(format!(
                "the office is busy or cannot reach its database; try again shortly ({e})"
            )),
            PoolError::Closed => unavailable(&e.to_string()),
            other => Error::Backend(format!("database pool: {other}")),
        })
    }
}

/// Whether an error says the database cannot be reached now (stopped, restarting, failing
/// over, the network between) rather than that the statement failed: answered 503 with
/// `Retry-After`. The pool drops closed connections and opens new ones when the database is
/// back, so the instance itself needs no restart. (Not a read-only standby: that is a
/// misconfigured URL, and retrying on the same connection would not help.)
fn database_unreachable(e: &tokio_postgres::Error) -> bool {
    if let Some(db) = e.as_db_error() {
        return [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::CONNECTION_FAILURE,
            SqlState::CONNECTION_EXCEPTION,
        ]
        .contains(db.code());
    }
    // tokio-postgres names its error kinds only in its messages: connecting, the socket, a
    // closed connection, a timeout. Not authentication or a response it cannot parse.
    let message = e.to_string();
    e.is_closed()
        || [
            "error connecting to server",
            "error communicating with the server",
            "timeout waiting for server",
        ]
        .iter()
        .any(|kind| message.starts_with(kind))
}

/// 503 `database_unavailable` with `Retry-After`: phones keep their work and come back. If the
/// connection was lost during a commit the write may have landed: a sync sent again merges to
/// the same result; a dispatch create sent again answers 409 (the job exists).
pub(crate) fn unavailable(why: &str) -> Error {
    Error::Unavailable(format!(
        "the database cannot be reached; try again shortly ({why})"
    ))
}

/// A tokio-postgres error as one line. Its `Display` alone says only "db error"; the server's
/// message is in its source. The server's DETAIL line is left out: it can quote row values.
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} (SQLSTATE {})", db.message(), db.code().code());
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}
