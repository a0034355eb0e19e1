//! Photos on the device: processed (upright, scaled, stripped, JPEG), stored as files named by
//! their SHA-256 in `attachments/` beside the store, and referenced from the job document.
//!
//! The file is written and fsynced before the document edit that references it commits, so a
//! job never points at bytes the phone does not hold. The `attachments` table records which
//! files the office has confirmed (sync uploads the rest before pushing the job).

use std::io::Write;
use std::path::{Path, PathBuf};

use fieldwork_model::report::Attachment;
use rusqlite::{OptionalExtension, params};

use crate::device::Device;
use crate::{Error, Result};

/// Folder of attachment files inside the data directory.
pub const ATTACHMENTS_DIR: &str = "attachments";

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
    pub path: PathBuf,
}

/// Writes `bytes` to `dir/name` atomically and durably: a temporary file, fsync, rename,
/// fsync of the folder. An existing file of that name is left alone (content-addressed).
pub(crate) fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    if path.exists() {
        return Ok(path);
    }
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
        };
        // Validate the entry before writing any file, so bad input stores nothing.
        fieldwork_model::JobDocument::check_attachment(&photo.sha256, &entry)?;
        write_durably(&self.attachments_dir(), &photo.sha256, &photo.jpeg)?;
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
        match std::fs::read(self.attachments_dir().join(id)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
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
        let dir = self.attachments_dir();
        Ok(ids
            .into_iter()
            .map(|id| PendingUpload {
                path: dir.join(&id),
                id,
            })
            .collect())
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

impl From<fieldwork_media::PhotoError> for Error {
    fn from(e: fieldwork_media::PhotoError) -> Self {
        Error::Photo(e.to_string())
    }
}
