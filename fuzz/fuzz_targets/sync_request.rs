//! The sync endpoint's decoding of a device's request body (`POST /api/v1/sync`), as
//! `server/src/api/devices.rs` and `server/src/sync.rs` do it: JSON with base64 changes or
//! CBOR with raw ones, the job ids, the hex heads,
//! then the pushed changes applied strictly to a copy of a real job document and to an empty
//! one, the completeness check, the device-change check and the job JSON of what it accepts.
//! Also the device's decoding of a response and the stored heads strings. Nothing may panic;
//! what decodes re-encodes to the same value.
#![no_main]

use fieldwork_fuzz::{T0, TECH, base, load_base};
use fieldwork_model::wire::{self, SyncRequest, SyncResponse};
use fieldwork_model::{JobDocument, JobView, validate, validate_id};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let heads = wire::decode_heads(text);
        assert_eq!(
            wire::decode_heads(&wire::encode_heads(&heads)).len(),
            heads.len()
        );
    }
    if let Ok(resp) = serde_json::from_slice::<SyncResponse>(data) {
        let again: SyncResponse = serde_json::from_slice(&serde_json::to_vec(&resp).unwrap())
            .expect("a decoded response re-encodes");
        assert_eq!(again, resp);
    }
    if let Ok(resp) = wire::from_cbor::<SyncResponse>(data) {
        let again: SyncResponse = wire::from_cbor(&wire::to_cbor(&resp).unwrap())
            .expect("a decoded CBOR response re-encodes");
        assert_eq!(again, resp);
    }
    if let Ok(req) = serde_json::from_slice::<SyncRequest>(data) {
        let again: SyncRequest = serde_json::from_slice(&serde_json::to_vec(&req).unwrap())
            .expect("a decoded request re-encodes");
        assert_eq!(again, req);
        handle(&req);
    }
    if let Ok(req) = wire::from_cbor::<SyncRequest>(data) {
        let again: SyncRequest = wire::from_cbor(&wire::to_cbor(&req).unwrap())
            .expect("a decoded CBOR request re-encodes");
        assert_eq!(again, req);
        handle(&req);
    }
});

/// What the office does with a decoded request, short of storage.
fn handle(req: &SyncRequest) {
    for push in &req.push {
        if validate_id("job", &push.job).is_err() {
            continue;
        }
        let Some(heads) = wire::heads_from_hex(&push.heads) else {
            continue;
        };
        assert_eq!(
            wire::heads_to_hex(&heads),
            push.heads
                .iter()
                .map(|h| h.to_lowercase())
                .collect::<Vec<_>>()
        );

        // A device pushing the whole document of a job the office never saw.
        let mut empty = JobDocument::from_automerge(automerge::Automerge::new());
        if empty.apply_strict(&push.changes).is_ok() {
            let _ = empty.missing_deps();
            let _ = empty.has_all(&heads);
            if let Ok(d) = empty.data() {
                let _ = JobView::from_data(&d, T0);
            }
        }

        // The office's copy of a real job, as `merge_push` does it.
        let mut doc = load_base(9);
        if doc.apply_strict(&push.changes).is_err() {
            continue;
        }
        if !doc.missing_deps().is_empty() || !doc.has_all(&heads) {
            continue;
        }
        let Ok(after) = doc.data() else {
            continue;
        };
        if validate::device_change(&base().data, &after, TECH).is_ok() {
            let _ = JobView::from_data(&after, T0);
        }
    }
}
