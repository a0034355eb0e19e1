//! The device engine's error type. Messages carry ids, never customer names or note text.

use std::path::PathBuf;

/// Everything that can go wrong on the device.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input broke a rule of the job model (bad status move, empty note, unknown line...).
    #[error(transparent)]
    Model(#[from] fieldwork_model::Error),
    /// No job with this id on this device (or it was reassigned to someone else).
    #[error("no job {0} on this device")]
    NoSuchJob(String),
    /// The device has not been enrolled with a server yet.
    #[error("this device is not enrolled; run enroll with a code from dispatch first")]
    NotEnrolled,
    /// The store is already enrolled (enrolling twice would mix two identities).
    #[error("this device is already enrolled with {0}")]
    AlreadyEnrolled(String),
    /// The server could not be reached (offline, refused, timed out). Retry later.
    #[error("server unreachable: {0}")]
    Offline(String),
    /// The TLS connection failed: the server's certificate is not trusted (or not for this
    /// name), or the handshake failed. Not a network outage: retrying will not help.
    #[error("TLS error talking to the server: {0}")]
    Tls(String),
    /// The server refused our credentials (token revoked, bad enrollment code).
    #[error("server refused the credentials ({code}): {message}")]
    Unauthorized { code: String, message: String },
    /// The office no longer speaks this app's sync protocol (426 `upgrade_required`): the app
    /// must be updated. Retrying cannot help; nothing was lost, the work stays on the phone.
    #[error(
        "this app is too old for the office server: update it; your work is kept on the phone: {0}"
    )]
    UpgradeRequired(String),
    /// The office asked this device to wait: 429 `rate_limited` (too many requests, or its
    /// hourly push or daily photo budget is spent), or a 503 with `Retry-After` (the office's
    /// database restarting or failing over). Not a failure: the work is safe on the
    /// phone; sync again no sooner than `retry_after_secs` (the `Retry-After` header).
    #[error(
        "the office server asked this device to wait {retry_after_secs} s before syncing again; your work is kept on the phone: {message}"
    )]
    RateLimited {
        retry_after_secs: u64,
        message: String,
    },
    /// The server answered with an error status.
    #[error("server error {status} ({code}): {message}")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    /// The server answered something we cannot read.
    #[error("unexpected answer from server: {0}")]
    Protocol(String),
    /// The database file could not be opened; it was moved aside, never deleted.
    #[error("the store at {path} could not be opened ({reason}); it was moved to {moved_to}")]
    StoreMovedAside {
        path: PathBuf,
        moved_to: PathBuf,
        reason: String,
    },
    /// The store cannot be read with this device's key (from the secret store): it was left as
    /// it is, nothing deleted or moved.
    #[error(
        "the store at {path} cannot be read with this device's key (was the phone's secret store \
         reset, or the file copied from another phone?); it was left untouched"
    )]
    StoreKey { path: PathBuf },
    /// The store was written by a newer version of Fieldwork.
    #[error("the store has schema version {found}; this build knows up to {known}")]
    StoreTooNew { found: i64, known: i64 },
    /// A photo was refused (not a JPEG or PNG, too large, a decompression bomb, corrupt).
    #[error("photo refused: {0}")]
    Photo(#[from] fieldwork_media::PhotoError),
    /// The signature strokes break a rule (empty, a dot, off the canvas, too many points).
    #[error("signature refused: {0}")]
    BadSignature(String),
    /// The job cannot be signed (cancelled).
    #[error("{0}")]
    CannotSign(String),
    /// No such sealed report version.
    #[error("{0}")]
    NoSuchReport(String),
    /// The PDF could not be rendered (missing font or glyphs, missing photo).
    #[error("cannot render the report: {0}")]
    Render(String),
    /// The secret store (Keystore, Keychain, the secrets file) failed.
    #[error("{0}")]
    Secret(String),
    /// SQLite failed.
    #[error("storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// File system failure around the store.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// Result alias for the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;
