//! The sync client: enrollment and sync rounds against the office server
//! (protocol in `docs/sync-protocol.md`).
//!
//! A round builds one request from the outbox (dirty jobs) and the cursor, sends it, and applies
//! the whole response — documents, sync state and the new cursor — in one SQLite transaction.
//! A failed round changes nothing locally, so retrying is always safe.

pub(crate) mod transport;

use std::sync::Arc;

use transport::Transport;
mod upload;

use fieldwork_model::status::Derived;
use fieldwork_model::wire::{
    DocPush, DocReply, DocState, PROTOCOL_VERSION, SyncRequest, SyncResponse, heads_from_hex,
    heads_to_hex,
};
use fieldwork_model::{JobData, JobDocument};
use serde::{Deserialize, Serialize};

use crate::device::{Device, Enrollment, read_enrollment, sorted};
use crate::observe::{ChangeCause, JobsChanged};
use crate::store::{self, DocRow};
use crate::{Error, Result};

/// Meta key: when a sync last finished with everything sent and received (epoch ms).
pub(crate) const LAST_SYNC_OK: &str = "last_sync_ok_at";

/// Where syncing stands, the same on both phones' status bars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncState {
    /// When a sync last finished (epoch ms); `None` before the first.
    pub last_success: Option<i64>,
    /// Jobs with changes the office has not acknowledged.
    pub pending_jobs: u64,
    /// Photos waiting for upload (not refused for good).
    pub pending_photos: u64,
    /// Whether the shell last reported a network.
    pub online: bool,
}

impl Device {
    /// Where syncing stands now (see [`SyncState`]).
    pub fn sync_state(&self) -> Result<SyncState> {
        let inner = self.inner.lock();
        let last_success = store::meta_get(&inner.conn, LAST_SYNC_OK)?.and_then(|v| v.parse().ok());
        let count = |sql: &str| -> Result<u64> {
            let n: i64 = inner.conn.query_row(sql, [], |r| r.get(0))?;
            Ok(n as u64)
        };
        Ok(SyncState {
            last_success,
            pending_jobs: count("SELECT COUNT(*) FROM docs WHERE dirty = 1")?,
            pending_photos: count(
                "SELECT COUNT(*) FROM attachments WHERE uploaded = 0 AND upload_error IS NULL",
            )?,
            online: self.network_online(),
        })
    }
}

/// Upper bound on rounds in one `sync` call (pagination and resends), against a server loop.
const MAX_ROUNDS: u32 = 1000;

/// What one `sync` call did, summed over its rounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Jobs whose local changes the server accepted.
    pub uploaded: u64,
    /// Jobs that received changes from the server.
    pub downloaded: u64,
    /// HTTP requests made.
    pub requests: u64,
    /// Request body bytes (uploaded photo bytes included), before compression.
    pub bytes_sent: u64,
    /// Response body bytes, after decompression.
    pub bytes_received: u64,
    /// Bytes of the HTTP requests as sent: lines, headers, compressed bodies.
    pub wire_bytes_sent: u64,
    /// Bytes of the HTTP responses as received.
    pub wire_bytes_received: u64,
    /// Jobs whose changes the server refused (see the job's sync error).
    pub refused: u64,
    /// Attachments (photos) the office now holds in full.
    pub attachments_uploaded: u64,
    /// Photo bytes sent in upload chunks (part of `bytes_sent`): after a cut, only what the
    /// office did not hold yet.
    pub attachment_bytes_sent: u64,
}

impl SyncReport {
    /// Counts one answered request and its bytes.
    pub(crate) fn count<T>(&mut self, x: &transport::Exchange<T>) {
        self.requests += 1;
        self.bytes_sent += x.bytes_sent;
        self.bytes_received += x.bytes_received;
        self.wire_bytes_sent += x.wire_sent;
        self.wire_bytes_received += x.wire_received;
    }
}

#[derive(Serialize)]
struct EnrollRequest<'a> {
    code: &'a str,
    device_name: &'a str,
    /// The device's Ed25519 public key (hex): the office verifies sealed reports with it.
    public_key: &'a str,
}

#[derive(Deserialize)]
struct EnrollResponse {
    device_id: String,
    token: String,
    technician: String,
}

impl Device {
    /// Enrolls this device with the server using a one-time code from dispatch.
    pub async fn enroll(
        &self,
        server_url: &str,
        code: &str,
        device_name: &str,
    ) -> Result<Enrollment> {
        self.enroll_with_ca(server_url, code, device_name, None)
            .await
    }

    /// [`Device::enroll`] with an office that uses its own certificate authority: `server_ca`
    /// (PEM) is trusted beside the public roots, for this and every later request.
    pub async fn enroll_with_ca(
        &self,
        server_url: &str,
        code: &str,
        device_name: &str,
        server_ca: Option<&str>,
    ) -> Result<Enrollment> {
        if let Some(e) = self.enrollment() {
            return Err(Error::AlreadyEnrolled(e.server_url));
        }
        let base = server_url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(fieldwork_model::Error::Invalid(
                "server URL must start with http:// or https://".into(),
            )
            .into());
        }
        let transport = match server_ca {
            Some(pem) => Arc::new(Transport::new(Some(pem))?),
            None => self.transport(),
        };
        let public_key = self.ensure_signing_key()?;
        let answer = transport
            .post::<_, EnrollResponse>(
                &format!("{base}/api/v1/devices/enroll"),
                None,
                &EnrollRequest {
                    code,
                    device_name,
                    public_key: &public_key,
                },
            )
            .await?
            .body;
        // The token first: enrolled (meta) without a token would be a device that cannot sync.
        self.secrets.set(crate::secrets::TOKEN, &answer.token)?;
        let mut inner = self.inner.lock();
        store::write(&mut inner.conn, |tx| {
            store::meta_set(tx, "server_url", &base)?;
            store::meta_set(tx, "device_id", &answer.device_id)?;
            store::meta_set(tx, "technician", &answer.technician)?;
            store::meta_set(tx, "cursor", "0")?;
            if let Some(pem) = server_ca {
                store::meta_set(tx, crate::device::SERVER_CA, pem)?;
            }
            Ok(())
        })?;
        if server_ca.is_some() {
            self.set_transport(transport);
        }
        inner.enrollment = read_enrollment(&inner.conn)?;
        inner.token = Some(answer.token);
        inner.enrollment.clone().ok_or(Error::NotEnrolled)
    }

    /// The device's public key, creating (and durably storing) the key pair on first use.
    /// The private half never leaves the store.
    fn ensure_signing_key(&self) -> Result<String> {
        if let Some(k) = self.public_key()? {
            return Ok(k);
        }
        let seed: [u8; 32] = rand::random();
        self.secrets
            .set(crate::secrets::SIGNING_KEY, &hex::encode(seed))?;
        Ok(fieldwork_model::report::public_key_hex(&seed))
    }

    /// Runs sync rounds until the server has nothing more and the outbox is flushed.
    #[tracing::instrument(name = "sync", skip_all)]
    pub async fn sync(&self) -> Result<SyncReport> {
        if !self.network_online() {
            return Err(Error::Offline("the phone reports no network".into()));
        }
        let _one_at_a_time = self.sync_lock.lock().await;
        let (base, token) = {
            let inner = self.inner.lock();
            let e = inner.enrollment.as_ref().ok_or(Error::NotEnrolled)?;
            let token = inner.token.clone().ok_or(Error::NotEnrolled)?;
            (e.server_url.clone(), token)
        };
        let url = format!("{base}/api/v1/sync");
        let mut report = SyncReport::default();
        // Attachments land before the changes that reference them.
        self.upload_attachments(&base, &token, &mut report).await?;
        for _ in 0..MAX_ROUNDS {
            let request = self.build_request()?;
            let exchange = self
                .transport()
                .post_cbor::<_, SyncResponse>(&url, &token, &request)
                .await?;
            report.count(&exchange);
            let again = self.apply_response(&request, exchange.body, &mut report)?;
            if !again {
                // Both apps show "last sent" from this one value, kept across restarts.
                let now = chrono::Utc::now().timestamp_millis();
                store::meta_set(&self.inner.lock().conn, LAST_SYNC_OK, &now.to_string())?;
                tracing::info!(
                    requests = report.requests,
                    uploaded = report.uploaded,
                    downloaded = report.downloaded,
                    refused = report.refused,
                    bytes_sent = report.bytes_sent,
                    bytes_received = report.bytes_received,
                    wire_bytes_sent = report.wire_bytes_sent,
                    wire_bytes_received = report.wire_bytes_received,
                    "sync finished"
                );
                return Ok(report);
            }
        }
        Err(Error::Protocol(format!(
            "sync did not settle after {MAX_ROUNDS} rounds"
        )))
    }

    /// The next request: the cursor and the changes of every dirty, unwedged job.
    fn build_request(&self) -> Result<SyncRequest> {
        let mut inner = self.inner.lock();
        let cursor = store::meta_get(&inner.conn, "cursor")?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut push = Vec::new();
        for job in store::dirty_jobs(&inner.conn)? {
            let row = inner.doc_row(&job)?.unwrap_or_default();
            let doc = inner.doc(&job)?;
            let changes = if row.synced_heads.is_empty() {
                doc.save()
            } else {
                doc.save_after(&row.synced_heads)
            };
            push.push(DocPush {
                job,
                heads: heads_to_hex(&sorted(doc.heads())),
                changes,
            });
        }
        Ok(SyncRequest {
            v: PROTOCOL_VERSION,
            cursor,
            push,
            stock: Some(Device::stock_push(&inner.conn)?),
        })
    }

    /// Applies a response in one transaction. Returns whether another round is needed.
    #[tracing::instrument(
        name = "sync_round",
        skip_all,
        fields(pushed = request.push.len(), received = response.docs.len())
    )]
    fn apply_response(
        &self,
        request: &SyncRequest,
        response: SyncResponse,
        report: &mut SyncReport,
    ) -> Result<bool> {
        if response.v != PROTOCOL_VERSION {
            return Err(Error::Protocol(format!(
                "server speaks sync version {}, this device {PROTOCOL_VERSION}",
                response.v
            )));
        }
        let mut inner = self.inner.lock();
        let mut again = response.more;
        let mut reset_cursor = false;
        // Each job's document as held here (none for a job new to this device), taken from the
        // cache, which is behind the lock.
        let mut taken = Vec::with_capacity(response.docs.len());
        for reply in &response.docs {
            let doc = match inner.take_doc(&reply.job) {
                Ok(doc) => Some(doc),
                Err(Error::NoSuchJob(_)) => None,
                Err(e) => return Err(e),
            };
            let was_pushed = request.push.iter().any(|p| p.job == reply.job);
            taken.push((reply, was_pushed, inner.doc_row(&reply.job)?, doc));
        }
        // Load and merge in memory, and read the projection of each job that changed, a slice
        // of jobs per core (a first sync brings a thousand); nothing is cached until the
        // transaction commits.
        let actor = inner.actor.clone();
        let merged = fieldwork_model::par::map(taken, |(reply, was_pushed, row, doc)| {
            merge_reply(reply, was_pushed, row, doc, &actor)
        });
        let mut loaded = Vec::with_capacity(merged.len());
        for m in merged {
            let m = m?;
            if let Some(d) = &m.doc
                && !d.missing_deps().is_empty()
            {
                reset_cursor = true;
                again = true;
            }
            loaded.push(m);
        }

        let result = store::write(&mut inner.conn, |tx| {
            for Loaded {
                reply,
                was_pushed,
                row,
                before,
                doc,
                projection,
            } in &loaded
            {
                let mut row: DocRow = row.clone().unwrap_or_default();
                let Some(doc) = doc else { continue };
                let changed = projection.is_some();
                if let Some((data, derived)) = projection {
                    let chunk = match before {
                        Some(h) => doc.save_after(h),
                        // A new job: the snapshot as received (compacting it later deflates
                        // it again, if the office sent it plain).
                        None => reply.changes.clone(),
                    };
                    store::append_chunk(tx, &reply.job, &chunk, || doc.save())?;
                    store::write_projection(tx, data, derived)?;
                }
                match reply.state {
                    DocState::Ok => {
                        let server_heads = heads_from_hex(&reply.heads).ok_or_else(|| {
                            Error::Protocol(format!("bad heads for job {}", reply.job))
                        })?;
                        row.synced_heads = match (server_heads.is_empty(), before) {
                            // A whole document without heads: for a job new here they are
                            // the document's; for a job held here they are unknown, so it is
                            // pushed whole next time (as after `resend`).
                            (true, None) if !reply.changes.is_empty() => sorted(doc.heads()),
                            (true, Some(_)) if !reply.changes.is_empty() => Vec::new(),
                            _ => sorted(server_heads),
                        };
                        // A job reassigned back to this technician comes back into view.
                        row.revoked = false;
                        row.dirty = sorted(doc.heads()) != row.synced_heads;
                        row.wedged = None;
                        if *was_pushed {
                            report.uploaded += 1;
                        }
                        if changed {
                            report.downloaded += 1;
                        }
                    }
                    DocState::Revoked => {
                        row.revoked = true;
                        row.dirty = false;
                        if *was_pushed {
                            report.uploaded += 1;
                        }
                    }
                    DocState::Refused => {
                        // Keep the local changes (still dirty, not pushed again until the next
                        // edit); what the office sent is now held.
                        if let Some(server_heads) = heads_from_hex(&reply.heads)
                            && !server_heads.is_empty()
                        {
                            row.synced_heads = sorted(server_heads);
                        }
                        row.dirty = sorted(doc.heads()) != row.synced_heads;
                        if changed {
                            report.downloaded += 1;
                        }
                        row.wedged = Some(
                            reply
                                .error
                                .clone()
                                .unwrap_or_else(|| "refused by server".into()),
                        );
                        report.refused += 1;
                    }
                    DocState::Resend => {
                        row.synced_heads.clear();
                        again = true;
                    }
                }
                tx.execute(
                    "INSERT INTO docs (job_id) VALUES (?1) ON CONFLICT (job_id) DO NOTHING",
                    [&reply.job],
                )?;
                store::set_doc_row(tx, &reply.job, &row)?;
            }
            if let (Some(pushed), Some(reply)) = (&request.stock, &response.stock) {
                Device::apply_stock(tx, pushed, reply)?;
            }
            let restored = office_restored(tx, &response.epoch)?;
            let cursor = if reset_cursor || restored {
                0
            } else {
                response.cursor
            };
            store::meta_set(tx, "cursor", &cursor.to_string())?;
            Ok(restored)
        });
        let result = result.map(|restored| {
            if restored {
                tracing::warn!("the office was restored from a backup: pushing every job again");
                again = true;
            }
        });
        let mut touched = Vec::new();
        for Loaded {
            reply,
            was_pushed,
            doc,
            projection,
            ..
        } in loaded
        {
            // A projection was read exactly for the jobs this round changed.
            let changed = projection.is_some();
            // A push the office accepted changes the job's pending flag: that is news too.
            if changed || was_pushed || matches!(reply.state, DocState::Revoked | DocState::Refused)
            {
                touched.push(reply.job.clone());
            }
            match (&result, doc) {
                (Ok(()), Some(doc)) => inner.put_doc(&reply.job, doc),
                _ => inner.evict(&reply.job),
            }
        }
        result?;
        drop(inner);
        self.observers.notify(JobsChanged {
            job_ids: touched,
            cause: ChangeCause::Sync,
        });
        Ok(again)
    }
}

/// One job of a response, merged in memory and ready to be written.
struct Loaded<'a> {
    reply: &'a DocReply,
    was_pushed: bool,
    row: Option<DocRow>,
    /// The heads held here before the merge (none for a job new to this device).
    before: Option<Vec<automerge::ChangeHash>>,
    doc: Option<JobDocument>,
    /// The job's content and derived state, when the merge changed it.
    projection: Option<(JobData, Derived)>,
}

/// Applies what the office sent for one job to the document held here (or loads it, for a job
/// new here) and reads its projection if it changed. Runs on any thread.
fn merge_reply<'a>(
    reply: &'a DocReply,
    was_pushed: bool,
    row: Option<DocRow>,
    mut doc: Option<JobDocument>,
    actor: &automerge::ActorId,
) -> Result<Loaded<'a>> {
    let before = doc.as_ref().map(|d| d.heads());
    // A refused push still brings the office's side of the job (docs/sync-protocol.md); a
    // revoked job brings its history up to the move, applied only to a job this phone holds.
    let carries_changes = matches!(reply.state, DocState::Ok | DocState::Refused);
    if carries_changes && !reply.changes.is_empty() {
        match doc.as_mut() {
            Some(d) => d.apply(&reply.changes)?,
            None => doc = Some(JobDocument::load(&reply.changes, actor.clone())?),
        }
    } else if reply.state == DocState::Revoked
        && !reply.changes.is_empty()
        && let Some(d) = doc.as_mut()
    {
        d.apply(&reply.changes)?;
    }
    let projection = match &doc {
        Some(d) if before.as_ref() != Some(&d.heads()) => {
            let data = d.data()?;
            let derived = fieldwork_model::status::derive(&data.events);
            Some((data, derived))
        }
        _ => None,
    };
    Ok(Loaded {
        reply,
        was_pushed,
        row,
        before,
        doc,
        projection,
    })
}

/// Records the office's epoch. When it differs from the one seen before, the office was restored
/// from a backup and may lack anything this device sent since: every job it holds is marked to
/// be pushed whole (dirty, no synced heads, not wedged) and the feed is read from the start.
/// Returns whether that happened.
fn office_restored(tx: &rusqlite::Transaction, epoch: &str) -> Result<bool> {
    if epoch.is_empty() {
        return Ok(false);
    }
    let seen = store::meta_get(tx, "office_epoch")?;
    store::meta_set(tx, "office_epoch", epoch)?;
    if seen.is_none_or(|s| s == epoch) {
        return Ok(false);
    }
    tx.execute(
        "UPDATE docs SET dirty = 1, synced_heads = '', wedged = NULL WHERE revoked = 0",
        [],
    )?;
    Ok(true)
}
