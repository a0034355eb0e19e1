//! Golden vectors for the sealed report: a fixed report's canonical bytes and Ed25519 signature
//! from a fixed key. The same files are checked from Python and Kotlin (bindings/tests,
//! android/jvm), so a change to the canonical form or the seal cannot slip through unnoticed.
//! Regenerate deliberately with `FIELDWORK_BLESS=1 cargo test -p fieldwork-model --test
//! report_golden` and say why in the commit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use fieldwork_model::Contract;
use fieldwork_model::job::{
    Asset, Cause, Customer, Diagnosis, JobData, Note, PartLine, RegionClass, Site, Status,
    StatusEvent, TimeEntry, TimeKind,
};
use fieldwork_model::report::{self, Language, SealInputs, Signature, Strokes};

const SEED: [u8; 32] = [7; 32];
const AT: i64 = 1_795_926_600_000; // 2026-11-29T04:30:00Z

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn job() -> JobData {
    let contract: Contract =
        serde_json::from_str(include_str!("../../server/src/demo/contract.json")).unwrap();
    let mut d = JobData {
        schema: 1,
        id: "J-GOLDEN".into(),
        customer: Customer {
            name: "上海门诊部 张伟 \"Zhang\" \\ 𠮷".into(),
            phone: "+86 21 5555 0101".into(),
            email: None,
        },
        site: Site {
            address: "浦东新区 88 Quay Road\n3F".into(),
            region: RegionClass::City,
            time_zone: "Asia/Shanghai".into(),
        },
        asset: Asset {
            serial: "CH-2291-A".into(),
            model: "Chiller 300RT".into(),
            installation_date: Some("2025-11-01".into()),
            acceptance_date: Some("2025-11-20".into()),
        },
        problem: "压缩机高压跳闸\tcompressor trips".into(),
        channel: None,
        priority: fieldwork_model::Priority::High,
        reported_at: AT - 86_400_000,
        scheduled_start: None,
        scheduled_end: None,
        events: Default::default(),
        notes: Default::default(),
        time: Default::default(),
        parts: Default::default(),
        kind: Default::default(),
        contract: Some(contract),
        asset_history: vec![],
        checklist: vec![],
        diagnoses: Default::default(),
        loaners: Default::default(),
        checks: Default::default(),
        attachments: Default::default(),
        reports: Default::default(),
        people: Default::default(),
    };
    let event = |status, at, technician: Option<&str>| StatusEvent {
        status,
        at,
        by: if technician.is_some() {
            "dispatch"
        } else {
            "t1"
        }
        .into(),
        technician: technician.map(str::to_string),
        reason: None,
    };
    d.events.insert(
        "e1".into(),
        event(Status::Assigned, AT - 80_000_000, Some("t1")),
    );
    d.events
        .insert("e2".into(), event(Status::OnSite, AT - 7_200_000, None));
    d.events
        .insert("e3".into(), event(Status::Completed, AT, None));
    d.notes.insert(
        "n1".into(),
        Note {
            author: "t1".into(),
            at: AT - 3_600_000,
            text: "更换冷凝风机 — replaced the condenser fan".into(),
        },
    );
    d.time.insert(
        "w1".into(),
        TimeEntry {
            kind: TimeKind::Labour,
            start: AT - 7_200_000,
            end: AT - 2_700_000,
            by: "t1".into(),
        },
    );
    d.parts.insert(
        "p1".into(),
        PartLine {
            sku: "FAN-40".into(),
            description: "冷凝风机".into(),
            qty: 1,
            serial_in: Some("F-NEW".into()),
            serial_out: Some("F-OLD".into()),
            stock: Some("van".into()),
            added_by: "t1".into(),
            added_at: AT - 3_000_000,
            removed: None,
            unit_cost: Some(42_000),
            unit_price: Some(68_000),
        },
    );
    d.diagnoses.insert(
        "d1".into(),
        Diagnosis {
            cause: Cause::HumanDamage,
            fault_code: "E-101".into(),
            action: Some("replaced fan".into()),
            by: "t1".into(),
            at: AT - 3_500_000,
        },
    );
    d
}

#[test]
fn the_golden_report_seals_to_the_same_bytes_and_signature() {
    let strokes = Strokes::parse(
        r#"{"canvas":{"width":300,"height":100},"strokes":[[[10,80,0,500],[60,20,16,600],[110,80,33,400]],[[150,50,200,300],[290,55,240,700]]]}"#,
    )
    .unwrap();
    let report = report::build(
        &job(),
        SealInputs {
            version: 1,
            language: Language::ZhCn,
            heads: vec!["ab".repeat(32)],
            device_id: "D-golden".into(),
            signature: Some(Signature {
                name: "李娜".into(),
                role: Some("设备科".into()),
                signed_at: fieldwork_model::time::to_rfc3339(AT),
                strokes,
            }),
            refusal: None,
        },
    )
    .unwrap();
    let sealed = report::seal(&report, &SEED, "t1", AT).unwrap();
    let vector = serde_json::json!({
        "seed": hex::encode(SEED),
        "public_key": report::public_key_hex(&SEED),
        "sha256": sealed.sha256,
        "signature": sealed.signature,
    });
    let dir = golden_dir();
    if std::env::var_os("FIELDWORK_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("report-v1.json"), &sealed.canonical).unwrap();
        std::fs::write(
            dir.join("report-v1.seal.json"),
            serde_json::to_string_pretty(&vector).unwrap() + "\n",
        )
        .unwrap();
    }
    let canonical = std::fs::read_to_string(dir.join("report-v1.json")).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report-v1.seal.json")).unwrap())
            .unwrap();
    assert_eq!(sealed.canonical, canonical, "canonical bytes changed");
    assert_eq!(vector, expected, "hash or signature changed");
    // And the sealed entry opens and verifies with the public key.
    report::open_sealed(&sealed).unwrap();
    report::verify_signature(&sealed, expected["public_key"].as_str().unwrap()).unwrap();
    let mut tampered = sealed.clone();
    tampered.canonical = tampered.canonical.replacen("FAN-40", "FAN-41", 1);
    tampered.sha256 = report::sha256_hex(tampered.canonical.as_bytes());
    assert!(report::verify_signature(&tampered, expected["public_key"].as_str().unwrap()).is_err());
}

#[test]
fn a_report_sealed_before_parts_said_their_stock_stays_current_and_a_real_change_does_not() {
    let d = job();
    // As a phone sealed it before part lines carried their source into the report.
    let mut older = d.clone();
    older.parts.get_mut("p1").unwrap().stock = None;
    let sealed = report::content(&older).unwrap();
    let now = report::content(&d).unwrap();
    assert_ne!(sealed, now);
    assert!(report::same_content(&sealed, &now));
    // Anything else that changed still shows.
    let mut changed = d.clone();
    changed.parts.get_mut("p1").unwrap().qty = 2;
    assert!(!report::same_content(
        &sealed,
        &report::content(&changed).unwrap()
    ));
    // And a report that said where its parts came from is held to it.
    let mut elsewhere = d.clone();
    elsewhere.parts.get_mut("p1").unwrap().stock = Some("warehouse".into());
    assert!(!report::same_content(
        &now,
        &report::content(&elsewhere).unwrap()
    ));
}
