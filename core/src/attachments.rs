//! Photos on the device: processed (upright, scaled, stripped, JPEG), stored as files named by
//! their SHA-256 in `attachments/` beside the store, and referenced from the job document.
//!
//! The file is written and fsynced before the document edit that references it commits, so a
//! job never points at bytes the phone does not hold. The `attachments` table records which
//! files the office has confirmed (sync uploads the rest before pushing the job).
//!
//! At rest each file is sealed with ChaCha20-Poly1305 ([`FileKey`]) under a random 256-bit key
//! from the secret store, its id as associated data (a file renamed to another id does not
//! open). Files an earlier version wrote in the clear are sealed when the device opens
//! ([`seal_plain_files`]), each by a temporary file and a rename.

use std::io::Write;
use std::path::{Path, PathBuf};

use fieldwork_model::report::Attachment;
use rusqlite::{OptionalExtension, params};

use crate::device::Device;
use crate::{Error, Result};

/// Folder of attachment files inside the data directory.
pub const ATTACHMENTS_DIR: &str = "attachments";
/// Folder of photo thumbnails inside the data directory, on a store kept plain only: an
/// encrypted store keeps no picture in the clear, so its thumbnails are made in memory.
pub const THUMBNAILS_DIR: &str = "thumbnails";

/// A photo as added to a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoInfo {
    /// SHA-256 (hex) of the stored bytes: the attachment id.
    pub id: String,
    pub mime: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub caption: Option<String>,
    pub taken_at: i64,
}

/// An attachment the office has not confirmed yet.
#[derive(Clone, Debug)]
pub(crate) struct PendingUpload {
    pub id: String,
}

/// What a sealed file starts with; then the 12-byte nonce, the ciphertext and its tag.
const SEALED: &[u8; 4] = b"FWE1";

/// The key photo files are sealed with (`None` on a device kept plain, `AtRest::Plain`).
pub(crate) struct FileKey(ring::aead::LessSafeKey);

impl FileKey {
    pub(crate) fn new(bytes: &[u8; 32]) -> Result<FileKey> {
        let key = ring::aead::UnboundKey::new(&ring::aead::CHACHA20_POLY1305, bytes)
            .map_err(|_| Error::Protocol("cannot use the files key".into()))?;
        Ok(FileKey(ring::aead::LessSafeKey::new(key)))
    }

    /// `plain` sealed for the file named `id`.
    fn seal(&self, id: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let nonce_bytes: [u8; 12] = rand::random();
        let mut out = Vec::with_capacity(plain.len() + 32);
        out.extend_from_slice(SEALED);
        out.extend_from_slice(&nonce_bytes);
        let mut body = plain.to_vec();
        self.0
            .seal_in_place_append_tag(
                ring::aead::Nonce::assume_unique_for_key(nonce_bytes),
                ring::aead::Aad::from(id.as_bytes()),
                &mut body,
            )
            .map_err(|_| Error::Protocol("cannot seal a file".into()))?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// The plain bytes of the file named `id` as stored (sealed, or plain from an earlier
    /// version that was not sealed yet).
    fn open(&self, id: &str, stored: Vec<u8>) -> Result<Vec<u8>> {
        if !stored.starts_with(SEALED) {
            return Ok(stored);
        }
        let nonce = <[u8; 12]>::try_from(&stored[4..16.min(stored.len())])
            .map_err(|_| Error::Protocol(format!("the file of attachment {id} is cut short")))?;
        let mut body = stored[16..].to_vec();
        let plain = self
            .0
            .open_in_place(
                ring::aead::Nonce::assume_unique_for_key(nonce),
                ring::aead::Aad::from(id.as_bytes()),
                &mut body,
            )
            .map_err(|_| {
                Error::Protocol(format!(
                    "the file of attachment {id} does not open with this device's key"
                ))
            })?;
        let n = plain.len();
        body.truncate(n);
        Ok(body)
    }
}

/// Seals every photo file in `dir` that an earlier version wrote in the clear: a sealed copy
/// is written and fsynced beside it, then renamed over it, so a crash leaves either file whole.
pub(crate) fn seal_plain_files(dir: &Path, key: &FileKey) -> Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut sealed = 0;
    for entry in entries {
        let entry = entry?;
        let id = entry.file_name().to_string_lossy().into_owned();
        if !fieldwork_model::report::is_sha256_id(&id) {
            continue;
        }
        let stored = std::fs::read(entry.path())?;
        if stored.starts_with(SEALED) {
            continue;
        }
        replace_durably(dir, &id, &key.seal(&id, &stored)?)?;
        sealed += 1;
    }
    if sealed > 0 {
        tracing::info!(sealed, "photo files sealed at rest");
    }
    Ok(sealed)
}

/// Writes `bytes` to `dir/name` atomically and durably: a temporary file, fsync, rename,
/// fsync of the folder. An existing file of that name is left alone (content-addressed).
pub(crate) fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    if path.exists() {
        return Ok(path);
    }
    replace_durably(dir, name, bytes)
}

/// Writes `bytes` as `dir/name`, replacing any file of that name in one rename.
fn replace_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(path)
}

impl Device {
    /// Folder holding this device's attachment files.
    pub fn attachments_dir(&self) -> PathBuf {
        self.data_dir().join(ATTACHMENTS_DIR)
    }

    /// Adds a photo taken on site to a job: refuses what is not a JPEG or PNG, over 25 MiB or
    /// a decompression bomb; stores it upright, scaled to at most 2560 px, as JPEG whose only
    /// metadata is the capture time; the entry's `taken_at` is that time (else `at`). Adding the
    /// same photo twice is harmless.
    pub fn add_photo(
        &self,
        job: &str,
        input: &[u8],
        caption: Option<&str>,
        at: i64,
    ) -> Result<PhotoInfo> {
        // One read of the job: the site's zone for the capture time, and the photos it has.
        let (time_zone, mut attached) = {
            let mut inner = self.inner.lock();
            inner.visible(job)?;
            let data = inner.doc(job)?.data()?;
            (data.site.time_zone, data.attachments)
        };
        let photo = fieldwork_media::process(input, &time_zone)?;
        if let Some(existing) = attached.remove(&photo.sha256) {
            return Ok(PhotoInfo {
                id: photo.sha256,
                mime: existing.mime,
                bytes: photo.jpeg.len() as u64,
                width: existing.width,
                height: existing.height,
                caption: existing.caption,
                taken_at: existing.taken_at,
            });
        }
        let caption = caption.map(str::trim).filter(|c| !c.is_empty());
        let entry = Attachment {
            mime: "image/jpeg".into(),
            bytes: photo.jpeg.len() as i64,
            width: photo.width,
            height: photo.height,
            caption: caption.map(str::to_string),
            taken_at: photo.taken_at.unwrap_or(at),
            by: self
                .enrollment()
                .map(|e| e.technician)
                .ok_or(Error::NotEnrolled)?,
            at,
            removed: None,
        };
        // Validate the entry before writing any file, so bad input stores nothing.
        fieldwork_model::JobDocument::check_attachment(&photo.sha256, &entry)?;
        let stored = match &self.files_key {
            Some(key) => key.seal(&photo.sha256, &photo.jpeg)?,
            None => photo.jpeg.clone(),
        };
        write_durably(&self.attachments_dir(), &photo.sha256, &stored)?;
        let id = photo.sha256.clone();
        let stored = self.edit_with(
            job,
            crate::device::Projections::Keep,
            |doc, me| {
                let entry = Attachment {
                    by: me.to_string(),
                    ..entry.clone()
                };
                doc.add_attachment(&id, &entry)
            },
            |tx, ()| {
                tx.execute(
                    "INSERT INTO attachments (id, job_id, bytes) VALUES (?1, ?2, ?3)
                     ON CONFLICT (id) DO NOTHING",
                    params![id, job, photo.jpeg.len() as i64],
                )?;
                Ok(())
            },
        );
        stored?;
        Ok(PhotoInfo {
            id: photo.sha256,
            mime: entry.mime,
            bytes: photo.jpeg.len() as u64,
            width: photo.width,
            height: photo.height,
            caption: entry.caption,
            taken_at: entry.taken_at,
        })
    }

    /// The stored bytes of an attachment, if this device holds them.
    pub fn attachment_bytes(&self, id: &str) -> Result<Option<Vec<u8>>> {
        if !fieldwork_model::report::is_sha256_id(id) {
            return Ok(None);
        }
        let stored = match std::fs::read(self.attachments_dir().join(id)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(Some(match &self.files_key {
            Some(key) => key.open(id, stored)?,
            None => stored,
        }))
    }

    /// A small JPEG of a photo this device holds (long edge [`fieldwork_media::THUMBNAIL_EDGE`]),
    /// for the job screen's photo strip; `None` when the device does not hold the photo.
    pub fn photo_thumbnail(&self, id: &str) -> Result<Option<Vec<u8>>> {
        if let Some(path) = self.thumbnail_path(id) {
            return Ok(Some(std::fs::read(path)?));
        }
        match self.attachment_bytes(id)? {
            Some(photo) => Ok(Some(fieldwork_media::thumbnail(&photo)?)),
            None => Ok(None),
        }
    }

    /// The thumbnail file of a photo this device holds, made on first use, on a store kept
    /// plain; `None` on an encrypted store, for a photo not held, or if it cannot be made (the
    /// screen then asks [`Device::photo_thumbnail`], which says why).
    pub(crate) fn thumbnail_path(&self, id: &str) -> Option<PathBuf> {
        if self.files_key.is_some() || !fieldwork_model::report::is_sha256_id(id) {
            return None;
        }
        let dir = self.data_dir().join(THUMBNAILS_DIR);
        let path = dir.join(format!("{id}.jpg"));
        if path.exists() {
            return Some(path);
        }
        let made = self
            .attachment_bytes(id)
            .and_then(|photo| match photo {
                Some(photo) => Ok(Some(fieldwork_media::thumbnail(&photo)?)),
                None => Ok(None),
            })
            // A thumbnail is a cache: no fsync, a lost one is made again.
            .and_then(|thumb| match thumb {
                Some(thumb) => {
                    std::fs::create_dir_all(&dir)?;
                    let tmp = dir.join(format!(".{id}.tmp"));
                    std::fs::write(&tmp, thumb)?;
                    std::fs::rename(&tmp, &path)?;
                    Ok(Some(path))
                }
                None => Ok(None),
            });
        match made {
            Ok(path) => path,
            Err(e) => {
                tracing::warn!(photo = id, error = %e, "no thumbnail");
                None
            }
        }
    }

    /// Whether the office has confirmed it holds an attachment.
    pub fn attachment_uploaded(&self, id: &str) -> Result<bool> {
        let inner = self.inner.lock();
        let up: Option<bool> = inner
            .conn
            .query_row(
                "SELECT uploaded FROM attachments WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(up.unwrap_or(false))
    }

    /// Attachments waiting for upload, oldest first.
    pub(crate) fn pending_uploads(&self) -> Result<Vec<PendingUpload>> {
        let inner = self.inner.lock();
        let mut stmt = inner.conn.prepare_cached(
            "SELECT id FROM attachments WHERE uploaded = 0 AND upload_error IS NULL ORDER BY rowid",
        )?;
        let ids: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids.into_iter().map(|id| PendingUpload { id }).collect())
    }

    /// Records the office's answer for an upload: held, or refused for good (`error`).
    pub(crate) fn mark_upload(&self, id: &str, error: Option<&str>) -> Result<()> {
        let inner = self.inner.lock();
        inner.conn.execute(
            "UPDATE attachments SET uploaded = ?2, upload_error = ?3 WHERE id = ?1",
            params![id, error.is_none(), error],
        )?;
        Ok(())
    }
}
