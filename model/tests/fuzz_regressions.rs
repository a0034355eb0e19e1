//! Inputs the fuzz targets (`fuzz/`, `scripts/fuzz.sh`) found to break the model, kept as
//! tests. Each names its target; the input also sits in that target's seed corpus.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use fieldwork_model::job::{
    Asset, Customer, JobData, PartLine, Priority, RegionClass, Site, TimeEntry, TimeKind,
};
use fieldwork_model::report::{
    self, Language, MAX_EXACT_INTEGER, REPORT_FORMAT, Refusal, Report, ReportContent, ReportTime,
};
use fieldwork_model::warranty::{self, Charges};
use fieldwork_model::{Contract, JobView};

fn report_charging(total: i64) -> Report {
    Report {
        format: REPORT_FORMAT,
        version: 1,
        job: "J-1".into(),
        language: Language::En,
        content: ReportContent {
            customer: Customer {
                name: "Harbour Clinic".into(),
                phone: String::new(),
                email: None,
            },
            site: Site {
                address: "88 Quay Road".into(),
                region: RegionClass::City,
                time_zone: "Asia/Shanghai".into(),
            },
            asset: Asset::default(),
            problem: "Chiller trips".into(),
            diagnoses: vec![],
            work_done: vec![],
            parts: vec![],
            time: ReportTime {
                travel_minutes: 0,
                labour_minutes: 0,
                entries: vec![],
            },
            charges: Some(Charges {
                currency: "CNY".into(),
                provisional: false,
                lines: vec![],
                total,
            }),
            checklist: vec![],
            photos: vec![],
            technician: Some("anna".into()),
            completed_at: None,
        },
        heads: vec![],
        device_id: "phone-1".into(),
        signature: None,
        refusal: Some(Refusal {
            reason: "disputes the labour hours".into(),
            name: None,
            refused_at: "2026-11-24T01:00:00Z".into(),
        }),
    }
}

/// `report_canonical` (corpus: `total-beyond-2-53.json`): RFC 8785 writes numbers as doubles,
/// so a total of 2^53 + 1 was sealed as 2^53, and the office's content rebuilt from the job
/// never matched what the device signed.
#[test]
fn numbers_the_canonical_form_cannot_carry_exactly_are_refused() {
    let max = MAX_EXACT_INTEGER as i64;
    for ok in [max, -max, 0] {
        let bytes = report::canonical(&report_charging(ok)).unwrap();
        let again: Report = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(again, report_charging(ok));
    }
    for bad in [max + 2, -max - 2, i64::MAX, i64::MIN] {
        let err = report::canonical(&report_charging(bad))
            .unwrap_err()
            .to_string();
        assert!(err.contains("9007199254740991"), "{err}");
        assert!(report::seal(&report_charging(bad), &[7; 32], "anna", 0).is_err());
    }
}

/// A 24x7 contract charging everything at `labour_per_hour` and list prices.
fn contract(labour_per_hour: i64) -> Contract {
    let rule = serde_json::json!({"parts": "list", "labour": "charged", "travel": "charged"});
    serde_json::from_value(serde_json::json!({
        "id": "HUGE-RATES", "name": "Huge rates", "currency": "CNY",
        "sla": {
            "response_minutes": 10,
            "arrival_minutes": {"city": 120, "province": 240, "remote": 2880},
            "resolution_minutes": 240, "loaner_after_minutes": 2880,
            "calendar": {"kind": "24x7"}
        },
        "warranty": {"months": 12, "start": "installation"},
        "billing": {"in_warranty": rule, "after": rule},
        "rates": {"labour_per_hour": labour_per_hour, "travel_flat": 0}
    }))
    .unwrap()
}

fn job(contract: Contract) -> JobData {
    JobData {
        schema: 1,
        id: "J-1".into(),
        customer: Customer {
            name: "Harbour Clinic".into(),
            phone: String::new(),
            email: None,
        },
        site: Site {
            address: "88 Quay Road".into(),
            region: RegionClass::City,
            time_zone: "Asia/Shanghai".into(),
        },
        asset: Asset::default(),
        problem: "Chiller trips".into(),
        channel: None,
        priority: Priority::Normal,
        reported_at: T0,
        scheduled_start: None,
        scheduled_end: None,
        events: BTreeMap::new(),
        notes: BTreeMap::new(),
        time: BTreeMap::new(),
        parts: BTreeMap::new(),
        kind: Default::default(),
        contract: Some(contract),
        asset_history: vec![],
        checklist: vec![],
        diagnoses: BTreeMap::new(),
        loaners: BTreeMap::new(),
        checks: BTreeMap::new(),
        attachments: BTreeMap::new(),
        reports: BTreeMap::new(),
        people: BTreeMap::new(),
    }
}

/// 2026-11-24T01:00:00Z.
const T0: i64 = 1_795_482_000_000;

/// `contract_json` (corpus: `labour-amount-overflow.bin`): a valid contract charging
/// i64::MAX an hour and two hours of labour overflowed rounding the labour amount (a panic
/// with overflow checks, a wrong amount without); now the charges say they overflow.
#[test]
fn a_labour_amount_too_large_for_i64_is_an_error_not_a_panic() {
    let mut d = job(contract(i64::MAX));
    d.time.insert(
        "t1".into(),
        TimeEntry {
            kind: TimeKind::Labour,
            start: T0,
            end: T0 + 2 * 3_600_000,
            by: "anna".into(),
        },
    );
    let err = warranty::charges(&d).unwrap_err().to_string();
    assert!(err.contains("labour amount overflows"), "{err}");
    assert!(JobView::from_data(&d, T0).is_err());

    // Below the overflow the amount is still rounded half up.
    let mut d = job(contract(i64::MAX / 120));
    d.time = job_time(2 * 60);
    let charges = warranty::charges(&d).unwrap().unwrap();
    assert_eq!(charges.total, (i64::MAX / 120) * 2);
}

fn job_time(minutes: i64) -> BTreeMap<String, TimeEntry> {
    BTreeMap::from([(
        "t1".to_string(),
        TimeEntry {
            kind: TimeKind::Labour,
            start: T0,
            end: T0 + minutes * 60_000,
            by: "anna".into(),
        },
    )])
}

/// Beside the one above (the same function): part lines whose amounts each fit in i64 but
/// whose sum does not overflowed adding up the total.
#[test]
fn a_charges_total_too_large_for_i64_is_an_error_not_a_panic() {
    let mut d = job(contract(0));
    for line in ["p1", "p2"] {
        d.parts.insert(
            line.into(),
            PartLine {
                sku: "FAN-40".into(),
                description: String::new(),
                qty: 1,
                serial_in: None,
                serial_out: None,
                stock: None,
                added_by: "anna".into(),
                added_at: T0,
                removed: None,
                unit_cost: None,
                unit_price: Some(i64::MAX / 2 + 1),
            },
        );
    }
    let err = warranty::charges(&d).unwrap_err().to_string();
    assert!(err.contains("total overflows"), "{err}");
}
