//! The server side of the sync protocol (`docs/sync-protocol.md`), over the [`Storage`] trait.
//!
//! One request: promote what the device acknowledged, merge each pushed job (checking who may
//! change what), then answer with what the device lacks of every pushed job and of every job in
//! its technician's change feed since its cursor.

use std::collections::HashSet;

use automerge::ChangeHash;
use fieldwork_model::wire::{
    DocPush, DocReply, DocState, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, SyncRequest, SyncResponse,
    heads_from_hex, heads_to_hex, sorted_heads,
};
use fieldwork_model::{JobDocument, rules, validate};

use crate::{Error, Result};
use fieldwork_store::{Arrivals, PushMerge, Storage, StoredJob};

/// Feed entries answered per round; the device runs more rounds while `more` is set.
pub const FEED_PAGE: u32 = 500;

/// Document bytes one answer carries at most (beyond a single job that is larger): half of what
/// the phone accepts in one answer (64 MiB, `core/src/sync/transport.rs`), so the answer's
/// encoding and the pushed jobs' replies always fit.
pub const ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// Why a pushed job was not merged (the transaction is rolled back).
enum Skip {
    Refused(String),
    Resend,
}

/// Handles one sync request from `device` of `technician`.
pub fn handle(
    storage: &dyn Storage,
    device: &str,
    technician: &str,
    req: SyncRequest,
    snapshots: Snapshots,
) -> Result<SyncResponse> {
    if req.v < MIN_PROTOCOL_VERSION {
        return Err(Error::UpgradeRequired(format!(
            "sync version {} is no longer supported: update the app",
            req.v
        )));
    }
    if req.v > PROTOCOL_VERSION {
        return Err(Error::BadRequest(
            "unsupported_version",
            format!(
                "this office server speaks sync versions up to {PROTOCOL_VERSION}, the app {}: \
                 the office server needs updating",
                req.v
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut pushes = Vec::with_capacity(req.push.len());
    for p in &req.push {
        fieldwork_model::validate_id("job", &p.job)
            .map_err(|e| Error::BadRequest("invalid", e.to_string()))?;
        if !seen.insert(p.job.as_str()) {
            return Err(Error::BadRequest(
                "invalid",
                format!("job {} pushed twice", p.job),
            ));
        }
        let heads = heads_from_hex(&p.heads).ok_or_else(|| {
            Error::BadRequest(
                "invalid",
                format!("job {}: heads must be 64-digit hex", p.job),
            )
        })?;
        pushes.push((p, heads));
    }

    storage.touch_device(device, chrono::Utc::now().timestamp_millis())?;
    // Sealed reports in pushed changes are verified with this key.
    let device_key = storage.device_key(device)?.unwrap_or_default();

    if req.cursor == 0 {
        storage.reset_device(device)?;
    } else {
        storage.promote_pending(device, req.cursor)?;
    }

    // The relaxed checks of healing are for the one round in which a device, told of the
    // restore, pushes every job whole from cursor 0; that round ends them, whatever it pushed.
    let healing = req.cursor == 0 && storage.owes_healing(device)?;
    let pusher = Pusher {
        device,
        technician,
        key: &device_key,
        healing,
        snapshots,
    };
    let mut docs = merge_pushes(storage, &pusher, &pushes)?;
    let stock = req
        .stock
        .map(|push| crate::sync_stock::round(storage, technician, push))
        .transpose()?;

    let mut feed = storage.feed_since(technician, req.cursor, FEED_PAGE + 1)?;
    let mut more = feed.len() > FEED_PAGE as usize;
    feed.truncate(FEED_PAGE as usize);
    // Jobs of this page the round has not answered yet: each is read (and, for a device new to
    // it, readied as a snapshot) on its own, a slice per core; they keep the feed's order.
    // Their rows come in one read (one round trip on PostgreSQL).
    let answered_already = |job: &str| docs.iter().any(|(d, _)| d.job == job);
    let mut fresh: Vec<String> = feed
        .iter()
        .map(|(_, job)| job.clone())
        .filter(|job| !answered_already(job))
        .collect();
    let mut stored = storage.load_jobs(&fresh)?;
    // The answer stays within what a phone accepts: the page ends early (`more`) once the
    // documents it carries would pass ANSWER_BYTES (at least one job always goes).
    let mut bytes: usize = docs.iter().map(|(d, _)| d.changes.len()).sum();
    let (mut kept_feed, mut kept_fresh) = (feed.len(), 0);
    for (i, (_, job)) in feed.iter().enumerate() {
        if answered_already(job) {
            continue;
        }
        let size = stored
            .get(kept_fresh)
            .and_then(|s| s.as_ref())
            .map_or(0, |s| s.doc.len());
        if i > 0 && bytes + size > ANSWER_BYTES {
            (kept_feed, more) = (i, true);
            break;
        }
        bytes += size;
        kept_fresh += 1;
    }
    feed.truncate(kept_feed);
    fresh.truncate(kept_fresh);
    stored.truncate(kept_fresh);
    let cursor = feed
        .last()
        .map(|(seq, _)| *seq)
        .unwrap_or(req.cursor)
        .max(req.cursor);
    let answered: Vec<String> = feed
        .into_iter()
        .map(|(_, job)| job)
        .filter(|job| answered_already(job))
        .collect();
    let confirmed = storage.confirmed_heads_of(device, &fresh)?;
    let actor = storage.actor()?;
    let work: Vec<_> = fresh.into_iter().zip(stored).zip(confirmed).collect();
    let replies = fieldwork_model::par::map(work, |((job, stored), confirmed)| {
        feed_reply_from(technician, &job, stored, confirmed, snapshots, &actor)
    });
    for reply in replies {
        docs.push(reply?);
    }
    for job in answered {
        let Some(answered) = docs.iter().position(|(d, _)| d.job == job) else {
            continue;
        };
        // A pushed job in this page of the feed may have changed again after its merge was
        // answered (dispatch edited it in between): the cursor moves past this entry, so the
        // answer must hold the job as it is now, or the device would miss that edit until the
        // job changed once more. Answers that carry the office's side are refreshed.
        let (reply, sent) = &docs[answered];
        let refreshable = matches!(reply.state, DocState::Ok | DocState::Refused);
        let changed = match (refreshable, sent) {
            (true, Some(sent)) => storage
                .job_heads(&job)?
                .is_some_and(|now| sorted_heads(now) != sorted_heads(sent.clone())),
            _ => false,
        };
        if changed {
            let (fresh, heads) = feed_reply(storage, device, technician, &job, snapshots)?;
            if fresh.state == DocState::Ok {
                let (reply, sent) = &mut docs[answered];
                reply.heads = fresh.heads;
                reply.changes = fresh.changes;
                *sent = heads;
            }
        }
    }

    if pusher.healing {
        storage.healed(device)?;
        tracing::warn!(
            device,
            pushed = req.push.len(),
            "device gave back what the restored office lacked; its healing round is over"
        );
    }

    if cursor > req.cursor {
        // One transaction (one fsync) for the whole response, not one per job.
        let sent: Vec<(&str, &[ChangeHash])> = docs
            .iter()
            .filter_map(|(reply, heads)| match (reply.state, heads) {
                (DocState::Ok | DocState::Refused, Some(h)) => {
                    Some((reply.job.as_str(), h.as_slice()))
                }
                _ => None,
            })
            .collect();
        storage.set_pending(device, &sent, cursor)?;
    }
    Ok(SyncResponse {
        v: PROTOCOL_VERSION,
        cursor,
        docs: docs.into_iter().map(|(d, _)| d).collect(),
        more: more || stock.as_ref().is_some_and(|s| s.more),
        epoch: storage.epoch()?,
        stock,
    })
}

fn refused(job: &str, message: String) -> (DocReply, Option<Vec<ChangeHash>>) {
    (
        DocReply {
            job: job.to_string(),
            state: DocState::Refused,
            heads: Vec::new(),
            changes: Vec::new(),
            error: Some(message),
        },
        None,
    )
}

/// Who is pushing: the device, its technician, and its public key (hex, empty if none).
struct Pusher<'a> {
    device: &'a str,
    technician: &'a str,
    key: &'a str,
    /// The office was restored from a backup since this device last synced: its pushes may
    /// give back what the office lost, whoever wrote it (`validate::restored_change`).
    healing: bool,
    snapshots: Snapshots,
}

/// How whole documents go to a device that lacks a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Snapshots {
    /// As stored: Automerge's compressed save (each document deflated on its own).
    Stored,
    /// Without Automerge's own compression, for a binary body that is compressed whole: the
    /// compressor then finds what jobs repeat (field names, customers, sites), which per-job
    /// deflate cannot. Costs one load per snapshot.
    Plain,
}

/// Every report the push adds must verify: signed by the pushing device's key, for its own
/// device id, hash matching, and sealing exactly what the document held at the sealed heads.
fn check_new_reports(
    before: &fieldwork_model::JobData,
    after: &fieldwork_model::JobData,
    doc: &JobDocument,
    pusher: &Pusher<'_>,
) -> std::result::Result<(), String> {
    for (id, entry) in after
        .reports
        .iter()
        .filter(|(id, _)| !before.reports.contains_key(*id))
    {
        doc.verify_report(entry, pusher.device, pusher.key)
            .map_err(|e| format!("report {id}: {e}"))?;
    }
    Ok(())
}

/// Merges every pushed job in one storage transaction and answers each. Jobs the device may
/// not push to are answered before the transaction; each merge is checked inside it
/// ([`check_push`]) and rolled back alone when refused.
fn merge_pushes(
    storage: &dyn Storage,
    pusher: &Pusher<'_>,
    pushes: &[(&DocPush, Vec<ChangeHash>)],
) -> Result<Vec<(DocReply, Option<Vec<ChangeHash>>)>> {
    let technician = pusher.technician;
    // Per push: its answer if already decided, else its place among the merges.
    let mut answers: Vec<Option<(DocReply, Option<Vec<ChangeHash>>)>> = Vec::new();
    let mut merging = Vec::new();
    for (p, heads) in pushes {
        let job = p.job.as_str();
        if !storage.job_exists(job)? {
            answers.push(Some(refused(job, format!("not_found: no job {job}"))));
        } else if !storage.has_grant(job, technician)? {
            answers.push(Some(refused(
                job,
                format!("forbidden: job {job} was never assigned to {technician}"),
            )));
        } else {
            answers.push(None);
            merging.push((*p, heads.as_slice()));
        }
    }
    let at = chrono::Utc::now().timestamp_millis();
    let arrivals: Vec<Arrivals> = merging
        .iter()
        .map(|_| Arrivals {
            at,
            ..Arrivals::default()
        })
        .collect();
    let skips: Vec<std::cell::RefCell<Option<Skip>>> =
        merging.iter().map(|_| Default::default()).collect();
    let mut edits: Vec<_> = merging
        .iter()
        .zip(&arrivals)
        .zip(&skips)
        .map(|(((p, heads), arrivals), skip)| {
            let heads: &[ChangeHash] = heads;
            move |doc: &mut JobDocument| {
                check_push(doc, &p.changes, heads, pusher, arrivals).map_err(|s| {
                    *skip.borrow_mut() = Some(s);
                    fieldwork_store::Error::Declined
                })
            }
        })
        .collect();
    let mut batch: Vec<PushMerge<'_>> = merging
        .iter()
        .zip(edits.iter_mut())
        .zip(&arrivals)
        .map(|(((p, heads), edit), arrivals)| PushMerge {
            job: &p.job,
            device_heads: heads,
            edit,
            arrivals,
        })
        .collect();
    // The merges, the device's confirmed heads and when its events arrived commit together.
    let outcomes = storage.merge_pushes(pusher.device, &mut batch)?;
    drop(batch);
    let mut outcomes = outcomes.into_iter().zip(skips).zip(&merging);
    let mut docs = Vec::with_capacity(answers.len());
    for answer in answers {
        match answer {
            Some(decided) => docs.push(decided),
            None => {
                let Some(((outcome, skip), (p, heads))) = outcomes.next() else {
                    return Err(Error::Internal("a pushed job has no outcome".into()));
                };
                docs.push(answer_push(
                    storage,
                    pusher,
                    &p.job,
                    heads,
                    outcome,
                    skip.into_inner(),
                )?);
            }
        }
    }
    Ok(docs)
}

/// Inside the merge transaction: applies a device's changes to the stored job and checks
/// them (complete, allowed, within the content rules, reports verified). On success, notes
/// which status events arrived.
fn check_push(
    doc: &mut JobDocument,
    changes: &[u8],
    device_heads: &[ChangeHash],
    pusher: &Pusher<'_>,
    arrivals: &Arrivals,
) -> std::result::Result<(), Skip> {
    let refused = |m: String| Skip::Refused(m);
    let (before, before_extra) = doc
        .data_checked()
        .map_err(|e| refused(format!("the stored job does not read: {e}")))?;
    let before_heads = doc.heads();
    doc.apply_strict(changes)
        .map_err(|e| refused(format!("changes do not decode: {e}")))?;
    if !(doc.missing_deps().is_empty() && doc.has_all(device_heads)) {
        return Err(Skip::Resend);
    }
    // What the push wrote, not only what the job shows after it: a change can write a large
    // value and delete it at once.
    let growth = doc.growth_since(&before_heads);
    if growth.bytes > rules::MAX_PUSH_BYTES || growth.ops > rules::MAX_PUSH_OPS {
        return Err(refused(format!(
            "change refused: the push writes {} bytes in {} operations to this job, over the \
             {} bytes or {} operations one push may write",
            growth.bytes,
            growth.ops,
            rules::MAX_PUSH_BYTES,
            rules::MAX_PUSH_OPS
        )));
    }
    if growth.history_bytes > rules::MAX_HISTORY_BYTES {
        return Err(refused(format!(
            "change refused: the job's history would reach {} bytes, over the {} a job may hold",
            growth.history_bytes,
            rules::MAX_HISTORY_BYTES
        )));
    }
    // A phone that already heard the job went to someone else writes no more to it (its work
    // from before it heard is its technician's real work, and passes). Not while healing: the
    // push then carries back whatever the restore lost, other phones' changes included. Only a
    // job that was ever assigned to someone else can have moved away: most never were, and
    // they skip the walk through history.
    let ever_elsewhere = before.events.values().any(|e| {
        e.status == fieldwork_model::Status::Assigned
            && e.technician.as_deref() != Some(pusher.technician)
    });
    if !pusher.healing
        && ever_elsewhere
        && let Some(change) = doc
            .written_after_reassignment(&before_heads, pusher.technician)
            .map_err(|e| refused(format!("changes do not read: {e}")))?
    {
        return Err(refused(format!(
            "change refused: change {change} was made after this device learned that the job \
             is no longer {}'s",
            pusher.technician
        )));
    }
    let (after, after_extra) = doc
        .data_checked()
        .map_err(|e| refused(format!("change refused: {e}")))?;
    let allowed = if pusher.healing {
        validate::restored_change(&before, &after)
    } else {
        validate::device_change(&before, &after, pusher.technician)
    };
    allowed
        .and_then(|()| validate::no_new_keys(&before_extra, &after_extra))
        .map_err(|refusal| refused(refusal.to_string()))?;
    check_new_reports(&before, &after, doc, pusher)
        .map_err(|refusal| refused(format!("change refused: {refusal}")))?;
    *arrivals.events.borrow_mut() = after
        .events
        .keys()
        .filter(|id| !before.events.contains_key(*id))
        .cloned()
        .collect();
    Ok(())
}

/// The answer to one merged (or refused) push.
fn answer_push(
    storage: &dyn Storage,
    pusher: &Pusher<'_>,
    job: &str,
    device_heads: &[ChangeHash],
    outcome: fieldwork_store::Result<Option<JobDocument>>,
    skip: Option<Skip>,
) -> Result<(DocReply, Option<Vec<ChangeHash>>)> {
    let (device, technician) = (pusher.device, pusher.technician);
    let doc = match (outcome, skip) {
        (_, Some(Skip::Refused(message))) => {
            // The device keeps its refused changes (the job shows the error) but still gets
            // the office's side of the job, so one bad change never hides dispatch's updates
            // (the cursor moves past this job's feed entry in the same round).
            let (mut reply, _) = refused(job, message);
            let Some(stored) = storage.load_job(job)? else {
                return Ok((reply, None));
            };
            if stored.technician.as_deref() != Some(technician) {
                return Ok((reply, None));
            }
            let heads = stored.heads.clone();
            reply.changes = changes_since(
                stored,
                storage.confirmed_heads(device, job)?,
                pusher.snapshots,
                &storage.actor()?,
            )?
            .bytes;
            reply.heads = heads_to_hex(&heads);
            return Ok((reply, Some(heads)));
        }
        (_, Some(Skip::Resend)) => {
            return Ok((
                DocReply {
                    job: job.to_string(),
                    state: DocState::Resend,
                    heads: Vec::new(),
                    changes: Vec::new(),
                    error: None,
                },
                None,
            ));
        }
        (Err(e), None) => return Err(e.into()),
        (Ok(None), None) => return Ok(refused(job, format!("not_found: no job {job}"))),
        (Ok(Some(doc)), None) => doc,
    };
    let derived = doc.derived()?;
    if derived.technician.as_deref() != Some(technician) {
        return Ok((revoked_from(&doc, technician, job, device_heads)?, None));
    }
    let heads = doc.heads();
    Ok((
        DocReply {
            job: job.to_string(),
            state: DocState::Ok,
            heads: heads_to_hex(&heads),
            changes: doc.save_after(device_heads),
            error: None,
        },
        Some(heads),
    ))
}

fn revoked(job: &str) -> DocReply {
    DocReply {
        job: job.to_string(),
        state: DocState::Revoked,
        heads: Vec::new(),
        changes: Vec::new(),
        error: None,
    }
}

/// The answer for a job that moved away from `technician`: revoked, carrying what the device
/// (holding `have`) lacks of the history up to the move, and nothing after it. The device's
/// later writes then depend on the move, which is how the office tells them from its offline
/// work ([`JobDocument::written_after_reassignment`]).
fn revoked_from(
    doc: &JobDocument,
    technician: &str,
    job: &str,
    have: &[ChangeHash],
) -> Result<DocReply> {
    let mut reply = revoked(job);
    if have.is_empty() {
        // It never held the job: nothing to tell beyond the state.
        return Ok(reply);
    }
    if let Some(moved) = doc.moved_away_from(technician)? {
        reply.changes = doc.save_until(&[moved], have)?;
    }
    Ok(reply)
}

fn feed_reply(
    storage: &dyn Storage,
    device: &str,
    technician: &str,
    job: &str,
    snapshots: Snapshots,
) -> Result<(DocReply, Option<Vec<ChangeHash>>)> {
    let stored = storage.load_job(job)?;
    let confirmed = storage.confirmed_heads(device, job)?;
    feed_reply_from(
        technician,
        job,
        stored,
        confirmed,
        snapshots,
        &storage.actor()?,
    )
}

/// The answer for one job of the feed, from its stored row and the heads the device is known to
/// hold: revoked if it is no longer the technician's, else what the device lacks. No storage
/// access, so it can run on any thread.
fn feed_reply_from(
    technician: &str,
    job: &str,
    stored: Option<StoredJob>,
    confirmed: Option<Vec<ChangeHash>>,
    snapshots: Snapshots,
    actor: &automerge::ActorId,
) -> Result<(DocReply, Option<Vec<ChangeHash>>)> {
    let Some(stored) = stored else {
        return Ok((revoked(job), None));
    };
    if stored.technician.as_deref() != Some(technician) {
        let have = confirmed.unwrap_or_default();
        if have.is_empty() {
            return Ok((revoked(job), None));
        }
        let doc = JobDocument::load(&stored.doc, actor.clone())?;
        return Ok((revoked_from(&doc, technician, job, &have)?, None));
    }
    let heads = stored.heads.clone();
    let changes = changes_since(stored, confirmed, snapshots, actor)?;
    // A plain snapshot's heads are the document's own: a device new to the job reads them
    // there, and 64 bytes of hex per job are a third of a compressed first sync.
    let shown = if snapshots == Snapshots::Plain && changes.snapshot {
        Vec::new()
    } else {
        heads_to_hex(&heads)
    };
    Ok((
        DocReply {
            job: job.to_string(),
            state: DocState::Ok,
            heads: shown,
            changes: changes.bytes,
            error: None,
        },
        Some(heads),
    ))
}

/// The server's changes to a job that the device is not known to hold: a delta after the heads
/// it confirmed (`confirmed`), else the stored compacted snapshot (a device new to the job gets
/// the snapshot, not the history, and in the stored form without the server even loading the
/// document).
fn changes_since(
    stored: StoredJob,
    confirmed: Option<Vec<ChangeHash>>,
    snapshots: Snapshots,
    actor: &automerge::ActorId,
) -> Result<Changes> {
    let snapshot = |bytes: Vec<u8>| -> Result<Changes> {
        let bytes = match snapshots {
            Snapshots::Stored => bytes,
            Snapshots::Plain => JobDocument::load(&bytes, actor.clone())?
                .automerge()
                .save_nocompress(),
        };
        Ok(Changes {
            bytes,
            snapshot: true,
        })
    };
    match confirmed {
        Some(known) if !known.is_empty() => {
            let doc = JobDocument::load(&stored.doc, actor.clone())?;
            if doc.has_all(&known) {
                Ok(Changes {
                    bytes: doc.save_after(&known),
                    snapshot: false,
                })
            } else {
                snapshot(stored.doc)
            }
        }
        _ => snapshot(stored.doc),
    }
}

/// What [`changes_since`] sends: a delta, or the whole document.
struct Changes {
    bytes: Vec<u8>,
    snapshot: bool,
}
