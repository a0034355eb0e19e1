//! What every backend stores the same way, computed in one place: the encoding of heads and of
//! JSON records, and the columns of a job's row that are read from its document (the rules for
//! follow-up due times and report state must not drift between SQLite and PostgreSQL).

use automerge::ChangeHash;
use fieldwork_model::JobData;
use fieldwork_model::report::SealedReport;

use crate::{Error, Result};

/// Follow-up window for jobs without a contract.
const DEFAULT_FOLLOWUP_HOURS: u32 = 48;

/// Heads as stored (`jobs.heads`, `device_docs`): the 32-byte hashes, sorted, concatenated.
pub fn heads_blob(heads: &[ChangeHash]) -> Vec<u8> {
    let mut sorted: Vec<&ChangeHash> = heads.iter().collect();
    sorted.sort();
    sorted.iter().flat_map(|h| h.0).collect()
}

/// Inverse of [`heads_blob`]; a damaged value yields what it can (a later sync sends more).
pub fn blob_heads(blob: &[u8]) -> Vec<ChangeHash> {
    blob.chunks_exact(32)
        .filter_map(|c| ChangeHash::try_from(c).ok())
        .collect()
}

/// A device's cursor (any `u64` from its request) as the signed 64-bit number it is compared
/// with: one past every number either backend can hand out means "nothing newer", never a
/// wrapped, negative value.
pub fn cursor_value(cursor: u64) -> i64 {
    i64::try_from(cursor).unwrap_or(i64::MAX)
}

pub fn to_body<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Corrupt(e.to_string()))
}

pub fn from_body<T: serde::de::DeserializeOwned>(body: &str) -> Result<T> {
    serde_json::from_str(body).map_err(|e| Error::Corrupt(format!("stored record: {e}")))
}

/// A fresh random database epoch (see [`crate::SyncState::epoch`]).
pub fn new_epoch() -> String {
    // 64 random bits as 16 hex digits: two offices (or two restores) never share an epoch.
    hex::encode(rand::random::<[u8; 8]>())
}

/// Epoch milliseconds now, for `updated_at` and the like.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The service columns of a job's row: what the asset history, the follow-up list and the
/// report filter query.
pub struct ServiceColumns<'a> {
    pub asset_serial: Option<&'a str>,
    pub completed_at: Option<i64>,
    pub followup_due_at: Option<i64>,
    /// `none`, `signed`, `refused` or `changed_since_signed`.
    pub report_status: String,
}

impl<'a> ServiceColumns<'a> {
    /// The columns of `data`, whose `sealed` reports the caller opened
    /// (`fieldwork_model::report::sealed`: once per write, for these and the webhook events).
    pub fn of(
        data: &'a JobData,
        sealed: &[(&SealedReport, fieldwork_model::report::Report)],
    ) -> ServiceColumns<'a> {
        let completed_at =
            fieldwork_model::status::first_at(&data.events, fieldwork_model::Status::Completed);
        let followup_hours = data
            .contract
            .as_ref()
            .map_or(DEFAULT_FOLLOWUP_HOURS, |c| c.followup_hours);
        ServiceColumns {
            asset_serial: Some(data.asset.serial.as_str()).filter(|s| !s.is_empty()),
            completed_at,
            followup_due_at: completed_at.map(|t| t + i64::from(followup_hours) * 3_600_000),
            // A report whose content cannot be rebuilt shows as changed, never as signed.
            report_status: if data.reports.is_empty() {
                "none".to_string()
            } else {
                fieldwork_model::report::summaries_of(data, sealed).map_or_else(
                    |_| "changed_since_signed".to_string(),
                    |all| fieldwork_model::report::status_from(&all).status,
                )
            },
        }
    }
}

/// Who gets a feed entry when a job changes: its technician and, when it was reassigned, the
/// previous one (so their device learns it is gone).
pub fn audience<'a>(current: Option<&'a str>, previous: Option<&'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = current.into_iter().collect();
    if let Some(p) = previous
        && Some(p) != current
    {
        out.push(p);
    }
    out
}
