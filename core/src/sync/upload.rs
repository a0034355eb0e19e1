//! Resumable attachment uploads, run before each sync pushes the jobs that reference them.
//!
//! The office says how much of a file it holds (`GET /api/v1/uploads/{sha256}`); the device
//! sends the rest in chunks (`PATCH`, `Upload-Offset` / `Upload-Length`), each appended
//! durably before it is acknowledged. A connection cut half way loses at most the chunk in
//! flight: the next sync asks again and carries on from the office's offset. The office checks
//! the SHA-256 when the last byte lands and refuses a mismatch (the tus 1.0 shape).

use serde::Deserialize;

use crate::device::Device;
use crate::sync::SyncReport;
use crate::{Error, Result};

/// Bytes per upload request.
pub const CHUNK: usize = 256 * 1024;

/// The office's view of one upload.
#[derive(Deserialize)]
struct UploadState {
    offset: u64,
    complete: bool,
}

impl Device {
    /// Uploads every attachment the office has not confirmed. Offline errors stop the sync
    /// (nothing is lost: the next sync resumes), and so do the office's "wait" (429, the daily
    /// photo budget, or 503 with Retry-After: [`Error::RateLimited`]), "update the app" (426) and a request that timed
    /// out on the way (408); a refusal of the file itself (another 4xx) is recorded on the
    /// attachment, which then shows as not uploaded, and the others go on.
    pub(crate) async fn upload_attachments(
        &self,
        base: &str,
        token: &str,
        report: &mut SyncReport,
    ) -> Result<()> {
        for pending in self.pending_uploads()? {
            let Some(bytes) = self.attachment_bytes(&pending.id)? else {
                self.mark_upload(&pending.id, Some("the file is missing on the device"))?;
                continue;
            };
            let url = format!("{base}/api/v1/uploads/{}", pending.id);
            match self.upload_one(&url, token, &bytes, report).await {
                Ok(()) => {
                    self.mark_upload(&pending.id, None)?;
                    report.attachments_uploaded += 1;
                    tracing::info!(attachment = %pending.id, "attachment uploaded");
                }
                // 429 and 426 are their own variants, never a refusal of this file.
                Err(Error::Server {
                    status: 400..=407 | 409..=499,
                    message,
                    ..
                }) => {
                    tracing::warn!(attachment = %pending.id, %message, "upload refused");
                    self.mark_upload(&pending.id, Some(&message))?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    #[tracing::instrument(name = "upload", skip_all, fields(bytes = bytes.len()))]
    async fn upload_one(
        &self,
        url: &str,
        token: &str,
        bytes: &[u8],
        report: &mut SyncReport,
    ) -> Result<()> {
        let total = bytes.len() as u64;
        let mut state = self.upload_state(url, token, report).await?;
        // Each request moves the offset forward or re-reads it; this bounds a confused server.
        let mut budget = 2 * (bytes.len() / CHUNK + 2);
        while !state.complete {
            if budget == 0 || state.offset > total {
                return Err(Error::Protocol(format!(
                    "upload to {url} does not progress (office holds {} of {total} bytes)",
                    state.offset
                )));
            }
            budget -= 1;
            let start = state.offset as usize;
            let end = (start + CHUNK).min(bytes.len());
            let exchange = self
                .transport()
                .patch_chunk::<UploadState>(
                    url,
                    token,
                    state.offset,
                    total,
                    bytes[start..end].to_vec(),
                )
                .await;
            match exchange {
                Ok(x) => {
                    report.count(&x);
                    report.attachment_bytes_sent += (end - start) as u64;
                    state = x.body;
                }
                // Someone else moved the offset (an earlier request that did land): ask again.
                Err(Error::Server { status: 409, .. }) => {
                    report.requests += 1;
                    state = self.upload_state(url, token, report).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn upload_state(
        &self,
        url: &str,
        token: &str,
        report: &mut SyncReport,
    ) -> Result<UploadState> {
        let x = self.transport().get::<UploadState>(url, token).await?;
        report.count(&x);
        Ok(x.body)
    }
}
