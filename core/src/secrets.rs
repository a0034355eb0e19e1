//! Where the device keeps its secrets: the bearer token the office issued at enrollment and the
//! Ed25519 seed that seals reports. On the phones this is the platform's secret store (Android
//! Keystore, iOS Keychain), implemented by the shell behind [`SecretStore`]; the CLI and the
//! tests use [`FileSecretStore`], a small JSON file beside the store, readable by its owner only.
//!
//! Stores written before the secret store existed kept both secrets in the `meta` table;
//! [`move_from_meta`] moves them over when the device opens: copy first, then delete, so a crash
//! in between leaves a copy in both places, never in neither.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use rusqlite::Connection;

use crate::store;
use crate::{Error, Result};

/// Secret name of the device's bearer token.
pub const TOKEN: &str = "token";
/// Secret name of the device's Ed25519 seed (hex).
pub const SIGNING_KEY: &str = "signing_key";
/// Secret name of the key the store is encrypted with (SQLCipher, 256 bits, hex).
pub const STORE_KEY: &str = "store_key";
/// Secret name of the key photo files are encrypted with (256 bits, hex).
pub const FILES_KEY: &str = "files_key";

/// A 256-bit key kept in the secret store: the one under `name`, or a new random one stored
/// there first (durably, before anything is encrypted with it). Also says whether it was there
/// before: a store that our existing key cannot open is someone else's, not ours to touch.
pub(crate) fn key(secrets: &dyn SecretStore, name: &str) -> Result<([u8; 32], bool)> {
    if let Some(hex) = secrets.get(name)? {
        let bytes = hex::decode(hex.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| SecretError(format!("{name} is not 64 hex digits")))?;
        return Ok((bytes, true));
    }
    let bytes: [u8; 32] = rand::random();
    secrets.set(name, &hex::encode(bytes))?;
    Ok((bytes, false))
}

/// Why the secret store failed (the message names the key, never the secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("secret store: {0}")]
pub struct SecretError(pub String);

/// A place for small secrets, keyed by name. Implementations must make `set` durable before it
/// returns: the device relies on a secret it wrote surviving a crash.
pub trait SecretStore: Send + Sync {
    /// The secret stored under `key`, if any.
    fn get(&self, key: &str) -> Result<Option<String>, SecretError>;
    /// Stores (or replaces) a secret.
    fn set(&self, key: &str, value: &str) -> Result<(), SecretError>;
    /// Removes a secret; removing a missing one is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretError>;
}

/// File name of [`FileSecretStore`] inside the data directory.
pub const SECRETS_FILE: &str = "secrets.json";

/// Secrets in a JSON file, written atomically (temporary file, fsync, rename) with mode 0600.
/// For the CLI, tests and desktop use; phones use the platform's store.
pub struct FileSecretStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSecretStore {
    /// The store in `data_dir/secrets.json` (created on first `set`).
    pub fn in_dir(data_dir: &Path) -> FileSecretStore {
        FileSecretStore {
            path: data_dir.join(SECRETS_FILE),
            lock: Mutex::new(()),
        }
    }

    fn read(&self) -> Result<BTreeMap<String, String>, SecretError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                SecretError(format!(
                    "{} is not a secrets file: {e}",
                    self.path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(SecretError(format!(
                "cannot read {}: {e}",
                self.path.display()
            ))),
        }
    }

    fn write(&self, all: &BTreeMap<String, String>) -> Result<(), SecretError> {
        let fail =
            |e: std::io::Error| SecretError(format!("cannot write {}: {e}", self.path.display()));
        let bytes = serde_json::to_vec_pretty(all).map_err(|e| SecretError(e.to_string()))?;
        let tmp = self.path.with_extension("json.tmp");
        {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut f = options.open(&tmp).map_err(fail)?;
            f.write_all(&bytes).map_err(fail)?;
            f.sync_all().map_err(fail)?;
        }
        std::fs::rename(&tmp, &self.path).map_err(fail)?;
        if let Some(dir) = self.path.parent() {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(fail)?;
        }
        Ok(())
    }
}

impl SecretStore for FileSecretStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecretError> {
        let _guard = self.lock.lock();
        Ok(self.read()?.remove(key))
    }

    fn set(&self, key: &str, value: &str) -> Result<(), SecretError> {
        let _guard = self.lock.lock();
        let mut all = self.read()?;
        all.insert(key.to_string(), value.to_string());
        self.write(&all)
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        let _guard = self.lock.lock();
        let mut all = self.read()?;
        if all.remove(key).is_some() {
            self.write(&all)?;
        }
        Ok(())
    }
}

/// Moves the token and the signing key of a store written before the secret store existed out
/// of its `meta` table. Idempotent; a secret already in the store wins over the meta copy.
pub(crate) fn move_from_meta(conn: &mut Connection, secrets: &dyn SecretStore) -> Result<()> {
    for key in [TOKEN, SIGNING_KEY] {
        let Some(old) = store::meta_get(conn, key)? else {
            continue;
        };
        if secrets.get(key)?.is_none() {
            secrets.set(key, &old)?;
        }
        store::write(conn, |tx| {
            tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
            Ok(())
        })?;
        tracing::info!(key, "secret moved from the store to the secret store");
    }
    Ok(())
}

impl From<SecretError> for Error {
    fn from(e: SecretError) -> Self {
        Error::Secret(e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_store_keeps_secrets_across_instances_and_only_for_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let a = FileSecretStore::in_dir(dir.path());
        assert_eq!(a.get(TOKEN).unwrap(), None);
        a.set(TOKEN, "fw_secret").unwrap();
        a.set(SIGNING_KEY, "00ff").unwrap();
        a.delete("never-set").unwrap();
        let b = FileSecretStore::in_dir(dir.path());
        assert_eq!(b.get(TOKEN).unwrap().as_deref(), Some("fw_secret"));
        b.delete(TOKEN).unwrap();
        assert_eq!(a.get(TOKEN).unwrap(), None);
        assert_eq!(a.get(SIGNING_KEY).unwrap().as_deref(), Some("00ff"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRETS_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "secrets file mode {mode:o}");
        }
    }

    #[test]
    fn a_damaged_secrets_file_is_an_error_not_an_empty_store() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SECRETS_FILE), b"{not json").unwrap();
        let s = FileSecretStore::in_dir(dir.path());
        assert!(s.get(TOKEN).is_err());
        assert!(
            s.set(TOKEN, "x").is_err(),
            "never overwrite what we cannot read"
        );
    }
}
