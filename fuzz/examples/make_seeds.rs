//! Writes the fuzz targets' generated seeds and the base job document they share:
//!
//!   cargo +nightly run --manifest-path fuzz/Cargo.toml --example make_seeds
//!
//! Run it again after a change to the job document's schema (the targets load
//! `fuzz/base-job.automerge`, so their inputs refer to the same document from run to run).
//! Hand-written seeds (contracts, strokes) sit beside the generated ones in `fuzz/corpus/`.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use automerge::ActorId;
use fieldwork_fuzz::{DEVICE_ID, DEVICE_SECRET, T0, TECH, build_base, signed, strokes};
use fieldwork_media::fixtures::{self, ExifTags};
use fieldwork_model::report::{self, Language, Outcome};
use fieldwork_model::wire::{
    DocPush, DocReply, DocState, PROTOCOL_VERSION, SyncRequest, SyncResponse, heads_to_hex,
};
use fieldwork_model::{JobDocument, NewPart, NewTimeEntry, Status, TimeKind};

fn write(path: &str, bytes: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    println!("{} ({} bytes)", path.display(), bytes.len());
}

fn json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap()
}

fn main() {
    // A new base document (fresh entry ids): every seed below builds on this one.
    let base = build_base();
    let base_bytes = base.save();
    write("base-job.automerge", &base_bytes);
    let base_heads = &base.heads();
    let load_base = |actor: u8| JobDocument::load(&base_bytes, ActorId::from([actor; 16])).unwrap();
    let at = |minutes: i64| T0 + minutes * 60_000;

    // Sync requests: idle, a day's work, a signed report, the whole document (resend).
    let mut device = load_base(2);
    device
        .record_status(Status::InProgress, TECH, at(150))
        .unwrap();
    device
        .add_note(TECH, at(151), "pressure back to normal")
        .unwrap();
    device
        .add_part(
            &NewPart {
                sku: "SW-HP".into(),
                description: "Pressure switch".into(),
                qty: 2,
                unit_cost: Some(300),
                unit_price: Some(450),
                ..NewPart::default()
            },
            TECH,
            at(152),
        )
        .unwrap();
    device
        .add_time(
            NewTimeEntry {
                kind: TimeKind::Travel,
                start: at(30),
                end: at(85),
            },
            TECH,
        )
        .unwrap();
    let push = |doc: &JobDocument, changes: Vec<u8>| SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: 42,
        push: vec![DocPush {
            job: "J-1001".into(),
            heads: heads_to_hex(&doc.heads()),
            changes,
        }],
        stock: None,
    };
    let idle = SyncRequest {
        v: PROTOCOL_VERSION,
        cursor: 0,
        push: vec![],
        stock: None,
    };
    write("corpus/sync_request/idle.json", &json(&idle));
    let work = push(&device, device.save_after(base_heads));
    write("corpus/sync_request/push-work.json", &json(&work));
    write(
        "corpus/sync_request/push-work.cbor",
        &fieldwork_model::wire::to_cbor(&work).unwrap(),
    );
    write(
        "corpus/sync_request/push-whole-document.json",
        &json(&push(&device, device.save())),
    );
    let mut signed_doc = load_base(2);
    let (sealed, _) = signed_doc
        .seal_report(
            Language::En,
            DEVICE_ID,
            signed(),
            &DEVICE_SECRET,
            TECH,
            at(150),
        )
        .unwrap();
    write(
        "corpus/sync_request/push-signed-report.json",
        &json(&push(&signed_doc, signed_doc.save_after(base_heads))),
    );
    let response = SyncResponse {
        v: PROTOCOL_VERSION,
        cursor: 43,
        docs: vec![
            DocReply {
                job: "J-1001".into(),
                state: DocState::Ok,
                heads: heads_to_hex(&device.heads()),
                changes: vec![],
                error: None,
            },
            DocReply {
                job: "J-1002".into(),
                state: DocState::Refused,
                heads: vec![],
                changes: vec![],
                error: Some("change refused: a device may not change problem".into()),
            },
        ],
        more: true,
        ..SyncResponse::default()
    };
    write("corpus/sync_request/response.json", &json(&response));
    write(
        "corpus/sync_request/response.cbor",
        &fieldwork_model::wire::to_cbor(&response).unwrap(),
    );

    // Reports: the canonical bytes of a signed and a refused report, and a sealed entry.
    let opened = report::open_sealed(&sealed).unwrap();
    write(
        "corpus/report_canonical/signed-canonical.json",
        &report::canonical(&opened).unwrap(),
    );
    write("corpus/report_canonical/sealed-entry.json", &json(&sealed));
    let mut refused_doc = load_base(3);
    let (refused, _) = refused_doc
        .seal_report(
            Language::ZhCn,
            DEVICE_ID,
            Outcome::Refused {
                reason: "对工时有异议".into(),
                name: Some("周先生".into()),
            },
            &DEVICE_SECRET,
            TECH,
            at(160),
        )
        .unwrap();
    write(
        "corpus/report_canonical/refused-canonical.json",
        refused.canonical.as_bytes(),
    );

    // Strokes: the shell's file format.
    write("corpus/strokes/two-strokes.json", &json(&strokes()));

    // Photos: small JPEG and PNG, upright or with an EXIF orientation and capture time, and a
    // PNG whose header declares far more pixels than it holds.
    write("corpus/image_decode/plain.jpg", &fixtures::jpeg(16, 12));
    write(
        "corpus/image_decode/exif-orientation-6.jpg",
        &fixtures::jpeg_with_exif(16, 8, 6, Some("2026:11:24 10:15:00")),
    );
    write(
        "corpus/image_decode/exif-offset.jpg",
        &fixtures::jpeg_with_tags(
            8,
            8,
            &ExifTags {
                orientation: Some(3),
                date_time_original: Some("2026:11:24 10:15:00"),
                offset_time_original: Some("+08:00"),
                date_time: Some("2026:11:24 10:16:00"),
            },
        ),
    );
    write("corpus/image_decode/plain.png", &fixtures::png(9, 7));
    write(
        "corpus/image_decode/exif-orientation-8.png",
        &fixtures::png_with_tags(
            12,
            8,
            &ExifTags {
                orientation: Some(8),
                date_time: Some("2026:11:24 10:16:00"),
                ..ExifTags::default()
            },
        ),
    );
    write(
        "corpus/image_decode/bomb.png",
        &fixtures::png_bomb(100_000, 100_000),
    );
}
