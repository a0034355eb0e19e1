//! Attachment bytes at the office: files named by their SHA-256 under `attachments/` in the
//! data directory, outside the database and outside the CRDT.
//!
//! Uploads are resumable: a partial file grows chunk by chunk in `attachments/partial/`, each
//! chunk fsynced before it is acknowledged; when the last byte lands the SHA-256 is checked and
//! the file moves into place (or is deleted on a mismatch). Whole files never change after.
//! A partial file nobody added to for [`PARTIAL_LIFETIME`] is deleted when the next upload
//! starts: an abandoned upload does not hold the office's disk for ever.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// Largest attachment accepted, in bytes (stored photos are far smaller).
pub const MAX_ATTACHMENT: u64 = 32 * 1024 * 1024;
/// Largest chunk accepted in one upload request.
pub const MAX_CHUNK: usize = 4 * 1024 * 1024;

/// How long a partial upload is kept without a new chunk: a phone offline for a week still
/// resumes where it stopped; after that it uploads the photo again from the start.
pub const PARTIAL_LIFETIME: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// How often starting an upload sweeps for abandoned partial files.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Where an upload stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct UploadState {
    /// Bytes the office holds.
    pub offset: u64,
    /// Whether the whole file landed and matched its hash.
    pub complete: bool,
}

/// The attachment folder.
pub struct Blobs {
    dir: PathBuf,
    /// One upload step at a time: appends and the final move never interleave. Holds when
    /// partial files were last swept for abandoned ones.
    lock: parking_lot::Mutex<Option<std::time::Instant>>,
}

/// Checks that `id` is a lowercase SHA-256 hex digest (also what keeps paths safe).
pub fn check_id(id: &str) -> Result<()> {
    if fieldwork_model::report::is_sha256_id(id) {
        Ok(())
    } else {
        Err(Error::BadRequest(
            "invalid",
            "an attachment id is the lowercase hex SHA-256 of its bytes".into(),
        ))
    }
}

impl Blobs {
    /// Opens (creating) the folder `data_dir/attachments`.
    pub fn open(data_dir: &Path) -> Result<Blobs> {
        let dir = data_dir.join("attachments");
        std::fs::create_dir_all(dir.join("partial"))?;
        Ok(Blobs {
            dir,
            lock: parking_lot::Mutex::new(None),
        })
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }

    fn partial(&self, id: &str) -> PathBuf {
        self.dir.join("partial").join(id)
    }

    /// Whether the whole attachment is held.
    pub fn has(&self, id: &str) -> bool {
        check_id(id).is_ok() && self.path(id).is_file()
    }

    /// The bytes of a held attachment.
    pub fn get(&self, id: &str) -> Result<Option<Vec<u8>>> {
        check_id(id)?;
        match std::fs::read(self.path(id)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every held attachment id.
    pub fn ids(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file() && check_id(&name).is_ok() {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Where an upload of `id` stands.
    pub fn state(&self, id: &str) -> Result<UploadState> {
        check_id(id)?;
        if self.has(id) {
            let len = std::fs::metadata(self.path(id))?.len();
            return Ok(UploadState {
                offset: len,
                complete: true,
            });
        }
        let offset = match std::fs::metadata(self.partial(id)) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(e.into()),
        };
        Ok(UploadState {
            offset,
            complete: false,
        })
    }

    /// Appends a chunk at `offset` of an upload of `total` bytes. A chunk at the wrong offset
    /// is a 409 (the client asks again); a whole file whose hash is not `id` is a 422 and is
    /// deleted.
    pub fn append(&self, id: &str, offset: u64, total: u64, chunk: &[u8]) -> Result<UploadState> {
        check_id(id)?;
        if total == 0 || total > MAX_ATTACHMENT {
            return Err(Error::BadRequest(
                "invalid",
                format!("Upload-Length must be 1..={MAX_ATTACHMENT} bytes"),
            ));
        }
        let end = offset
            .checked_add(chunk.len() as u64)
            .filter(|e| *e <= total)
            .ok_or_else(|| {
                Error::BadRequest("invalid", "the chunk runs past Upload-Length".into())
            })?;
        let mut swept = self.lock.lock();
        if offset == 0 && swept.is_none_or(|at| at.elapsed() >= SWEEP_EVERY) {
            self.expire_partials(PARTIAL_LIFETIME)?;
            *swept = Some(std::time::Instant::now());
        }
        let held = self.state(id)?;
        if held.complete {
            return Ok(held);
        }
        if held.offset != offset {
            return Err(Error::Conflict(format!(
                "upload offset is {}, not {offset}",
                held.offset
            )));
        }
        if chunk.is_empty() && end < total {
            return Ok(held);
        }
        let partial = self.partial(id);
        {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&partial)?;
            f.write_all(chunk)?;
            f.sync_all()?;
        }
        if end < total {
            return Ok(UploadState {
                offset: end,
                complete: false,
            });
        }
        let digest = hex::encode(Sha256::digest(std::fs::read(&partial)?));
        if digest != id {
            std::fs::remove_file(&partial)?;
            return Err(Error::Unprocessable(
                "hash_mismatch",
                format!("the uploaded bytes hash to {digest}, not {id}; upload again"),
            ));
        }
        std::fs::rename(&partial, self.path(id))?;
        std::fs::File::open(&self.dir)?.sync_all()?;
        Ok(UploadState {
            offset: total,
            complete: true,
        })
    }

    /// Deletes the partial uploads nothing was appended to for `age`; returns how many. The
    /// caller holds the upload lock.
    fn expire_partials(&self, age: std::time::Duration) -> Result<usize> {
        let mut gone = 0;
        for entry in std::fs::read_dir(self.dir.join("partial"))? {
            let entry = entry?;
            let idle = entry.metadata()?.modified()?.elapsed().unwrap_or_default();
            if idle >= age {
                std::fs::remove_file(entry.path())?;
                gone += 1;
            }
        }
        if gone > 0 {
            tracing::info!(gone, "abandoned partial uploads deleted");
        }
        Ok(gone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_abandoned_partial_upload_is_deleted_when_the_next_upload_starts() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path()).unwrap();
        let (old, fresh) = ("a".repeat(64), "b".repeat(64));
        blobs.append(&old, 0, 10, b"12345").unwrap();
        blobs.append(&fresh, 0, 10, b"12345").unwrap();
        let long_ago = std::time::SystemTime::now() - PARTIAL_LIFETIME;
        std::fs::File::options()
            .write(true)
            .open(blobs.partial(&old))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        // The sweep runs at most hourly: forget the last one, as an hour later would.
        *blobs.lock.lock() = None;
        blobs.append(&"c".repeat(64), 0, 10, b"1").unwrap();
        assert_eq!(blobs.state(&old).unwrap().offset, 0);
        assert_eq!(blobs.state(&fresh).unwrap().offset, 5);
    }
}
