//! The sync protocol's wire types (`POST /api/v1/sync`, JSON, version 1).
//!
//! One request per round carries the device's cursor and the changes of its dirty jobs; the
//! response carries what the device lacks of every job in the pushed set or in the change feed
//! since the cursor, and the new cursor. Applying Automerge changes is idempotent, so a lost or
//! repeated round is harmless. The full description is in `docs/sync-protocol.md`.

use serde::{Deserialize, Serialize};

/// Version of the body format. The server tells an app below [`MIN_PROTOCOL_VERSION`] to update
/// (426 `upgrade_required`) and refuses a version above its own with 400.
pub const PROTOCOL_VERSION: u32 = 1;

/// The oldest sync version an office server still speaks; an older app is told to update
/// (`426 upgrade_required`).
pub const MIN_PROTOCOL_VERSION: u32 = 1;

/// The device's sync request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    pub v: u32,
    /// The cursor from the last response the device applied; 0 on a new device.
    pub cursor: u64,
    /// Jobs with local changes the server has not acknowledged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub push: Vec<DocPush>,
    /// The device's side of the stock ledger (ADR 0015); absent from a device that keeps none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockPush>,
}

/// The device's side of the stock ledger in one round.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StockPush {
    /// The office's ledger sequence number this device has applied up to.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cursor: u64,
    /// The catalogue version the device holds (0 for none). A number, not a hash's hex: an
    /// idle round pays for these bytes on every phone.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub catalogue: u32,
    /// Movements written here the office has not acknowledged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Vec<crate::stock::Movement>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

/// The office's side of the stock ledger in one round.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockReply {
    /// Store this after applying `movements`, and send it next time.
    pub cursor: u64,
    /// Movements of the device's vans after its cursor, its own once recorded among them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub movements: Vec<crate::stock::LedgerEntry>,
    /// More are waiting: run another round straight away.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
    /// Pushed movements the office refused, with why; the rest are recorded (and come back in
    /// `movements`, now or in a later round).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<StockRefusal>,
    /// The catalogue and the device's places, when the device's version is not current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<crate::stock::Catalogue>,
}

/// A pushed movement the office did not record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockRefusal {
    pub id: String,
    pub error: String,
}

/// Local changes of one job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DocPush {
    pub job: String,
    /// The device's heads (hex), which include the pushed changes.
    pub heads: Vec<String>,
    /// Changes the server may lack (`save_after` of the last heads the server acknowledged),
    /// or the whole document after the server asked for it.
    #[serde(with = "b64")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Byte))]
    pub changes: Vec<u8>,
}

/// The server's answer to one round.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncResponse {
    pub v: u32,
    /// Store this after applying `docs`, and send it next time.
    pub cursor: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub docs: Vec<DocReply>,
    /// More feed entries are waiting: run another round straight away.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
    /// The office database's epoch: a new one after a restore from backup. A device that saw
    /// another epoch before pushes every job whole and reads the feed from the start, so the
    /// office gets back whatever the backup lacked (`docs/sync-protocol.md`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub epoch: String,
    /// The stock ledger's side of the round, to a device that sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockReply>,
}

/// What happened to one job in this round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocState {
    /// Merged; `changes` holds what the device lacks (possibly nothing), `heads` the server's.
    Ok,
    /// The job is no longer assigned to this device's technician. Pushed changes (if any) were
    /// accepted. `changes` holds what the device lacks of the job's history up to the change
    /// that moved it (nothing after): the device applies them, so whatever it writes to the
    /// job afterwards shows that it knew, and the office refuses it. Nothing more is sent.
    Revoked,
    /// The pushed changes were refused (`error` says why); nothing was stored.
    Refused,
    /// The server is missing changes the pushed ones depend on: push the whole document.
    Resend,
}

/// One job's outcome in a response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocReply {
    pub job: String,
    pub state: DocState,
    /// The server's heads (hex) after this round.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heads: Vec<String>,
    /// Changes (or a compacted snapshot, for a job new to the device) to `load_incremental`.
    #[serde(default, with = "b64", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Byte))]
    pub changes: Vec<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Heads in a canonical order.
pub fn sorted_heads(mut heads: Vec<automerge::ChangeHash>) -> Vec<automerge::ChangeHash> {
    heads.sort();
    heads
}

/// Hex strings <-> change hashes.
pub fn heads_to_hex(heads: &[automerge::ChangeHash]) -> Vec<String> {
    heads.iter().map(|h| h.to_string()).collect()
}

/// Parses hex change hashes; `None` if any is malformed.
pub fn heads_from_hex(heads: &[String]) -> Option<Vec<automerge::ChangeHash>> {
    heads.iter().map(|h| h.parse().ok()).collect()
}

/// Heads as one sorted, space-separated hex string (how both sides store sync state).
pub fn encode_heads(heads: &[automerge::ChangeHash]) -> String {
    let mut v = heads_to_hex(heads);
    v.sort();
    v.join(" ")
}

/// Inverse of [`encode_heads`]; malformed entries are dropped (a later sync then sends more).
pub fn decode_heads(s: &str) -> Vec<automerge::ChangeHash> {
    s.split_whitespace()
        .filter_map(|h| h.parse().ok())
        .collect()
}

/// Serde helper for change bytes: standard base64 strings in JSON, plain byte strings in a
/// binary encoding (CBOR), where base64 would cost a third more and hide the repetition a
/// compressor finds between jobs.
pub mod b64 {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&STANDARD.encode(v))
        } else {
            s.serialize_bytes(v)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            STANDARD.decode(s).map_err(serde::de::Error::custom)
        } else {
            d.deserialize_byte_buf(Bytes)
        }
    }

    struct Bytes;

    impl<'de> serde::de::Visitor<'de> for Bytes {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a byte string")
        }

        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }
    }
}

/// The media type of the binary (CBOR) encoding of sync bodies. JSON stays the default; a
/// client that sends `Content-Type` or `Accept` with this type gets it
/// (`docs/sync-protocol.md`).
pub const CBOR: &str = "application/cbor";

/// Encodes a sync body as CBOR.
pub fn to_cbor<T: Serialize>(v: &T) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Decodes a sync body from CBOR.
pub fn from_cbor<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    ciborium::from_reader(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_round_is_tiny_both_ways() {
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: 123_456,
            push: vec![],
            stock: None,
        };
        let body = serde_json::to_vec(&req).unwrap();
        assert!(body.len() < 64, "{}", String::from_utf8_lossy(&body));
        let resp = SyncResponse {
            v: PROTOCOL_VERSION,
            cursor: 123_456,
            docs: vec![],
            more: false,
            epoch: "4f2a9c01d3e5b7a8".into(),
            stock: None,
        };
        assert_eq!(
            serde_json::to_string(&resp).unwrap(),
            r#"{"v":1,"cursor":123456,"epoch":"4f2a9c01d3e5b7a8"}"#
        );
    }

    #[test]
    fn cbor_carries_changes_as_bytes_and_round_trips() {
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: 7,
            push: vec![DocPush {
                job: "J-1".into(),
                heads: vec!["ab".repeat(32)],
                changes: vec![0, 1, 2, 255],
            }],
            stock: None,
        };
        let bytes = to_cbor(&req).unwrap();
        // The four change bytes appear as they are (a CBOR byte string), not as base64 text.
        assert!(
            bytes.windows(5).any(|w| w == [0x44, 0, 1, 2, 255]),
            "{bytes:?}"
        );
        assert_eq!(from_cbor::<SyncRequest>(&bytes).unwrap(), req);
        assert!(from_cbor::<SyncRequest>(&bytes[..bytes.len() - 1]).is_err());
        assert!(from_cbor::<SyncRequest>(b"not cbor at all").is_err());
    }

    #[test]
    fn unknown_fields_and_bad_base64_are_rejected() {
        assert!(serde_json::from_str::<SyncRequest>(r#"{"v":1,"cursor":0,"x":1}"#).is_err());
        let bad = r#"{"v":1,"cursor":0,"push":[{"job":"j","heads":[],"changes":"!!"}]}"#;
        assert!(serde_json::from_str::<SyncRequest>(bad).is_err());
    }
}
