//! What the fuzz targets share: a real job document built with `fieldwork_model`'s writers,
//! the technician and device that push to it, and times inside the window the office accepts.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::OnceLock;

use automerge::ActorId;
use fieldwork_model::contract::Contract;
use fieldwork_model::job::{ChecklistItem, HistoryEntry, JobKind, JobTerms};
use fieldwork_model::report::{Attachment, Canvas, Outcome, Strokes};
use fieldwork_model::{
    Asset, Cause, Customer, JobData, JobDocument, NewJob, NewPart, NewTimeEntry, Priority,
    RegionClass, Site, Status, TimeKind,
};

/// The technician the job is assigned to, whose device pushes.
pub const TECH: &str = "anna";
/// Another technician (assigned by some inputs; writes as them must be refused).
pub const OTHER_TECH: &str = "bob";
/// The pushing device and its Ed25519 seed.
pub const DEVICE_ID: &str = "phone-anna";
pub const DEVICE_SECRET: [u8; 32] = [7; 32];

/// 2026-11-24T09:00:00+08:00, when the base job was reported.
pub const T0: i64 = 1_795_482_000_000;
/// The office accepts device times in the years 2000 to 2100.
pub const WINDOW: (i64, i64) = (946_684_800_000, 4_133_980_799_999);

/// A time `minutes` after [`T0`], wrapped to stay inside the accepted window.
pub fn in_window(minutes: u32) -> i64 {
    // About 70 years of minutes: from T0 forwards, wrapping back to 2000.
    let span = (WINDOW.1 - WINDOW.0) / 60_000;
    let offset = (i64::from(minutes) + (T0 - WINDOW.0) / 60_000) % span;
    WINDOW.0 + offset * 60_000
}

/// The demo contract (Gold: working hours with holidays, a post-warranty tier).
pub fn demo_contract() -> Contract {
    serde_json::from_str(include_str!("../corpus/contract_json/demo-gold.json")).unwrap()
}

pub fn new_job() -> NewJob {
    NewJob {
        id: None,
        technician: Some(TECH.into()),
        customer: Customer {
            name: "Harbour Clinic".into(),
            phone: "+86 21 5555 0101".into(),
            email: Some("facilities@harbour.example".into()),
        },
        site: Site {
            address: "88 Quay Road".into(),
            region: RegionClass::City,
            time_zone: "Asia/Shanghai".into(),
        },
        asset: Asset {
            serial: "CH-2024-0042".into(),
            model: "Chiller 40".into(),
            installation_date: Some("2024-03-01".into()),
            acceptance_date: Some("2024-03-15".into()),
        },
        problem: "Chiller trips on high pressure".into(),
        channel: Some("phone".into()),
        priority: Priority::High,
        reported_at: "2026-11-24T09:00:00+08:00".into(),
        scheduled_start: Some("2026-11-24T13:00:00+08:00".into()),
        scheduled_end: Some("2026-11-24T15:00:00+08:00".into()),
        contract: None,
        kind: None,
        checklist: vec![],
    }
}

pub fn terms() -> JobTerms {
    JobTerms {
        kind: JobKind::Repair,
        contract: Some(demo_contract()),
        asset_history: vec![HistoryEntry {
            job: "J-OLD".into(),
            reported_at: T0 - 200 * 86_400_000,
            status: Status::Completed,
            completed_at: Some(T0 - 199 * 86_400_000),
            cause: Some(Cause::QualityDefect),
            fault_code: Some("E-HP".into()),
            action: Some("replaced the pressure switch".into()),
            parts: vec![],
        }],
        checklist: vec![
            ChecklistItem {
                id: "pressure".into(),
                label: "Head pressure".into(),
                unit: Some("bar".into()),
            },
            ChecklistItem {
                id: "leaks".into(),
                label: "No refrigerant leaks".into(),
                unit: None,
            },
        ],
    }
}

/// Two strokes on a 600x200 canvas.
pub fn strokes() -> Strokes {
    Strokes {
        canvas: Canvas {
            width: 600,
            height: 200,
        },
        strokes: vec![
            vec![[10, 150, 0, 400], [80, 40, 60, 600], [150, 160, 120, 700]],
            vec![[200, 100, 400, 500], [320, 90, 480, 500]],
        ],
    }
}

/// The base job: created by dispatch for [`TECH`] with the demo contract, asset history and a
/// checklist, then worked on by the technician's device (accepted, on site, a note, a part,
/// labour, a diagnosis, a loaner, a check and a photo entry) and synced. Every fuzz input is
/// applied to a copy of it.
pub fn build_base() -> JobDocument {
    let office = ActorId::from([1u8; 16]);
    let mut doc =
        JobDocument::create_with_terms("J-1001", &new_job(), &terms(), "dispatch", T0, office)
            .unwrap();
    let at = |minutes: i64| T0 + minutes * 60_000;
    doc.record_status(Status::Accepted, TECH, at(10)).unwrap();
    doc.record_status(Status::OnSite, TECH, at(90)).unwrap();
    doc.add_note(TECH, at(100), "condenser fan seized").unwrap();
    doc.add_part(
        &NewPart {
            sku: "FAN-40".into(),
            description: "Condenser fan".into(),
            qty: 1,
            serial_in: Some("F-NEW".into()),
            serial_out: Some("F-OLD".into()),
            stock: Some("van".into()),
            unit_cost: Some(1000),
            unit_price: Some(1500),
        },
        TECH,
        at(110),
    )
    .unwrap();
    doc.add_time(
        NewTimeEntry {
            kind: TimeKind::Labour,
            start: at(95),
            end: at(140),
        },
        TECH,
    )
    .unwrap();
    doc.record_diagnosis(
        Cause::QualityDefect,
        "E-HP",
        Some("replaced fan"),
        TECH,
        at(120),
    )
    .unwrap();
    doc.issue_loaner("LN-7", "Portable AC", TECH, at(125))
        .unwrap();
    doc.record_check("pressure", "12.5", None, TECH, at(130))
        .unwrap();
    doc.add_attachment(
        &"ab".repeat(32),
        &Attachment {
            mime: "image/jpeg".into(),
            bytes: 1234,
            width: 640,
            height: 480,
            caption: Some("nameplate".into()),
            taken_at: at(97),
            by: TECH.into(),
            at: at(98),
            removed: None,
        },
    )
    .unwrap();
    doc
}

/// The base job as saved bytes, its heads and its data: [`build_base`]'s document as
/// `examples/make_seeds.rs` saved it, so that inputs (and crashes) refer to the same document
/// from one run to the next ([`build_base`] draws fresh entry ids each time).
pub struct Base {
    pub bytes: Vec<u8>,
    pub heads: Vec<automerge::ChangeHash>,
    pub data: JobData,
}

pub fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let bytes = include_bytes!("../base-job.automerge").to_vec();
        let doc = JobDocument::load(&bytes, ActorId::from([1u8; 16]))
            .expect("fuzz/base-job.automerge loads");
        let data = doc.data().expect(
            "fuzz/base-job.automerge reads as a job; after a schema change, regenerate it: \
             cargo +nightly run --manifest-path fuzz/Cargo.toml --example make_seeds",
        );
        Base {
            bytes,
            heads: doc.heads(),
            data,
        }
    })
}

/// A copy of the base job under `actor`.
pub fn load_base(actor: u8) -> JobDocument {
    thread_local! {
        // Forking a loaded document is much cheaper than loading it again.
        static DOC: JobDocument = JobDocument::load(&base().bytes, ActorId::from([0u8; 16])).unwrap();
    }
    DOC.with(|doc| {
        JobDocument::from_automerge(
            doc.automerge()
                .fork()
                .with_actor(ActorId::from([actor; 16])),
        )
    })
}

/// A signed outcome with [`strokes`].
pub fn signed() -> Outcome {
    Outcome::Signed {
        name: "Li Na".into(),
        role: Some("Facilities".into()),
        strokes: strokes(),
    }
}
