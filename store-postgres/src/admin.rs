//! Looking after an office on PostgreSQL with the database's own tools. Backup and restore:
//! `pg_dump` in its custom format while the servers run, `pg_restore` into the database with
//! the servers stopped. After a restore the database gets a new epoch, exactly as `restore` does for
//! SQLite, so every phone pushes its jobs whole and the office gets back what the dump lacked
//! (ADR 0008). Attachments are files in the data directory: back them up with it.

use std::path::{Path, PathBuf};
use std::process::Command;

use fieldwork_store::{Error, Result};

use crate::PgStorage;

/// Writes a consistent dump of the database at `url` to `to` (which must not exist).
pub fn dump(url: &str, to: &Path) -> Result<()> {
    if to.exists() {
        return Err(Error::Conflict(format!("{} already exists", to.display())));
    }
    let out = Command::new(tool("pg_dump"))
        .arg("--format=custom")
        .arg("--no-owner")
        .arg(format!("--file={}", to.display()))
        .arg(format!("--dbname={url}"))
        .output()?;
    if !out.status.success() {
        let _ = std::fs::remove_file(to);
        return Err(tool_failed("pg_dump", &out.stderr));
    }
    Ok(())
}

/// Replaces the contents of the database at `url` with the dump `from` and renews its epoch.
/// Returns the new epoch.
pub fn restore(url: &str, from: &Path) -> Result<String> {
    // A dump of something else is refused before anything is dropped.
    let listing = Command::new(tool("pg_restore"))
        .arg("--list")
        .arg(from)
        .output()?;
    let table_list = String::from_utf8_lossy(&listing.stdout);
    if !listing.status.success() || !table_list.contains("TABLE public feed_clock") {
        return Err(Error::Invalid(
            "not_a_backup",
            format!(
                "{} is not a dump of a Fieldwork office database",
                from.display()
            ),
        ));
    }
    let out = Command::new(tool("pg_restore"))
        .arg("--clean")
        .arg("--if-exists")
        .arg("--no-owner")
        .arg("--single-transaction")
        .arg(format!("--dbname={url}"))
        .arg(from)
        .output()?;
    if !out.status.success() {
        return Err(tool_failed("pg_restore", &out.stderr));
    }
    PgStorage::connect(url)?.renew_epoch()
}

/// Creates a new, empty database on the cluster `url` points at (its role must be allowed to
/// create databases) and returns the new database's URL. For tests and benchmarks: each gets a
/// database of its own on one private cluster (`scripts/postgres.sh`).
pub fn create_database(url: &str) -> Result<String> {
    let name = format!("fw_{}", hex::encode(rand::random::<[u8; 6]>()));
    let out = Command::new(tool("psql"))
        .arg("--no-psqlrc")
        .arg("--quiet")
        .arg(format!("--dbname={url}"))
        .arg("--command")
        .arg(format!("CREATE DATABASE {name}"))
        .output()?;
    if !out.status.success() {
        return Err(tool_failed("psql", &out.stderr));
    }
    // Same server, same credentials, the new database's name as the path.
    let base = url.split('?').next().unwrap_or(url);
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    Ok(format!("{server}/{name}"))
}

/// The database the test suites run against instead of SQLite: a new one on the cluster named
/// by `FIELDWORK_TEST_POSTGRES` when that is set (`scripts/test.sh` sets it for its PostgreSQL
/// pass), else `None`.
pub fn test_database() -> Result<Option<String>> {
    match std::env::var("FIELDWORK_TEST_POSTGRES") {
        Ok(cluster) => create_database(&cluster).map(Some),
        Err(_) => Ok(None),
    }
}

/// The newest installed version of a PostgreSQL client tool (Debian keeps them per version in
/// `/usr/lib/postgresql/N/bin`; a dump needs a `pg_dump` at least as new as the server), else
/// the one on `PATH`.
fn tool(name: &str) -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let path = e.path().join("bin").join(name);
            path.is_file().then_some((version, path))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map_or_else(|| PathBuf::from(name), |(_, path)| path)
}

fn tool_failed(name: &str, stderr: &[u8]) -> Error {
    let message = String::from_utf8_lossy(stderr);
    // The tools print the connection target on failure; keep only their first lines.
    let first: Vec<&str> = message.lines().take(3).collect();
    Error::Corrupt(format!("{name} failed: {}", first.join(" / ")))
}
