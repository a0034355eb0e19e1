//! The van's stock end to end (issue 21): a phone on the real office uses parts offline, counts
//! a delivery in and the van, sends parts back; the office sees the levels, the flags with their
//! jobs, one discrepancy per disagreeing count, the returns it expects, the replenishment
//! proposal and the parts-accuracy KPI, each as computed by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_core::model::NewPart;
use fieldwork_core::model::stock::ReturnReason;
use fieldwork_core::stock::Counted;
use fieldwork_tests::{Office, Phone, now_ms};
use serde_json::{Value, json};

async fn office_with_a_van() -> (Office, Phone) {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    office.create_job("J-2", Some("t1")).await;
    office
        .post(
            "/api/v1/locations",
            json!({"id": "W-EAST", "kind": "warehouse", "region": "east"}),
        )
        .await;
    office
        .post(
            "/api/v1/locations",
            json!({"id": "V-1", "kind": "van", "technicians": ["t1"], "region": "east"}),
        )
        .await;
    for (sku, price, serialised) in [("FAN", 4500, false), ("PUMP", 90000, true)] {
        office
            .post(
                "/api/v1/parts",
                json!({"sku": sku, "name": {"zh-CN": "零件", "en": sku}, "unit": "pcs", "unit_price": price, "serialised": serialised}),
            )
            .await;
    }
    office
        .post(
            "/api/v1/stock/movements",
            json!({"kind": "receipt", "to": "W-EAST", "lines": [{"sku": "FAN", "qty": 20}, {"sku": "PUMP", "qty": 2, "serials": ["P-1", "P-2"]}]}),
        )
        .await;
    let phone = Phone::enroll(&office, "t1").await;
    phone.device.sync().await.unwrap();
    (office, phone)
}

fn counted(sku: &str, qty: i64) -> Vec<Counted> {
    vec![Counted {
        sku: sku.into(),
        qty,
        serials: vec![],
    }]
}

fn level<'a>(levels: &'a Value, sku: &str) -> &'a Value {
    levels["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == sku)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_van_used_offline_comes_out_right_at_the_office() {
    let (office, phone) = office_with_a_van().await;
    let d = &phone.device;
    let t0 = now_ms();
    // Two transfers: one arrives one fan short, the other exactly (a pump by its serial).
    let short = office
        .post(
            "/api/v1/stock/movements",
            json!({"kind": "transfer", "from": "W-EAST", "to": "V-1", "lines": [{"sku": "FAN", "qty": 5}]}),
        )
        .await;
    let exact = office
        .post(
            "/api/v1/stock/movements",
            json!({"kind": "transfer", "from": "W-EAST", "to": "V-1", "lines": [{"sku": "PUMP", "qty": 1, "serials": ["P-2"]}]}),
        )
        .await;
    d.sync().await.unwrap();
    assert_eq!(d.van_stock().unwrap().in_transit.len(), 2);

    // Offline from here: count both in, use parts, count the van, send a part back.
    d.receive_transfer(short["id"].as_str().unwrap(), &counted("FAN", 4), t0)
        .unwrap();
    d.receive_transfer(exact["id"].as_str().unwrap(), &counted("PUMP", 1), t0)
        .unwrap();
    let fan = |qty| NewPart {
        sku: "FAN".into(),
        description: "Fan".into(),
        qty,
        ..Default::default()
    };
    d.add_part("J-1", &fan(2), t0 + 1).unwrap();
    let taken_back = d.add_part("J-1", &fan(1), t0 + 2).unwrap();
    d.remove_part("J-1", &taken_back, t0 + 3).unwrap();
    // The pump fitted on J-1 replaced an old one, which goes back (expected at the warehouse).
    let pump = NewPart {
        sku: "PUMP".into(),
        description: "Pump".into(),
        qty: 1,
        serial_in: Some("P-2".into()),
        serial_out: Some("OLD-7".into()),
        ..Default::default()
    };
    d.add_part("J-1", &pump, t0 + 4).unwrap();
    // The same pump serial used again on J-2 (a typo, or a part used twice): flagged.
    let same_serial = NewPart {
        serial_out: None,
        ..pump.clone()
    };
    d.add_part("J-2", &same_serial, t0 + 5).unwrap();
    // A serialised part without its serial is refused, and the job is unchanged.
    let no_serial = NewPart {
        serial_in: None,
        serial_out: None,
        ..pump.clone()
    };
    assert!(d.add_part("J-2", &no_serial, t0 + 6).is_err());
    assert_eq!(d.job("J-2", t0).unwrap().parts.len(), 1);
    // The van shows 4 - 2 = 2 fans; the technician finds 1: one discrepancy of one fan.
    assert_eq!(
        d.van_stock()
            .unwrap()
            .levels
            .iter()
            .find(|l| l.sku == "FAN")
            .unwrap()
            .qty,
        2
    );
    d.count_stock(&counted("FAN", 1), t0 + 7).unwrap();
    d.return_part("FAN", 1, &[], None, ReturnReason::Unused, None, t0 + 8)
        .unwrap();
    // Two counted in, three fan lines (one taken back), two pumps and the old one's return, the
    // count and the fan sent back.
    assert_eq!(d.van_stock().unwrap().pending, 10);

    d.sync().await.unwrap();
    let stock = d.van_stock().unwrap();
    assert_eq!((stock.pending, stock.refused.len()), (0, 0));
    let van = office.get("/api/v1/stock/levels?location=V-1").await;
    // Fans: 4 in, 2 used (the third taken back), count -1, 1 returned unused = 0.
    assert_eq!(
        (
            level(&van, "FAN")["qty"].clone(),
            level(&van, "FAN")["in_transit"].clone()
        ),
        (json!(0), json!(0))
    );
    // Pumps: 1 in, used twice (same serial): -1, below zero and used twice, with both jobs.
    let pumps = level(&van, "PUMP");
    assert_eq!(pumps["qty"], -1);
    assert_eq!(pumps["flags"], json!(["below_zero", "serial_used_twice"]));
    assert_eq!(pumps["jobs"], json!(["J-1", "J-2"]));
    // The phone folds the same levels.
    let on_phone: Vec<(String, i64)> = stock
        .levels
        .iter()
        .map(|l| (l.sku.clone(), l.qty))
        .collect();
    assert_eq!(on_phone, [("FAN".to_string(), 0), ("PUMP".to_string(), -1)]);

    // Discrepancies: the short delivery and the count, each once, with their value.
    let found = office.get("/api/v1/stock/discrepancies?location=V-1").await;
    let mut d_list: Vec<(i64, i64, i64)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["expected"].as_i64().unwrap(),
                d["found"].as_i64().unwrap(),
                d["value"].as_i64().unwrap(),
            )
        })
        .collect();
    d_list.sort();
    assert_eq!(d_list, [(2, 1, -4500), (5, 4, -4500)]);

    // Returns expected: the removed pump (by its serial and job) and the unused fan.
    let returns = office.get("/api/v1/stock/returns").await;
    let mut back: Vec<(String, String)> = returns
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["sku"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    back.sort();
    assert_eq!(
        back,
        [
            ("FAN".into(), "unused".into()),
            ("PUMP".into(), "removed".into())
        ]
    );
    let removed = returns
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["sku"] == "PUMP")
        .unwrap();
    assert_eq!(
        (
            removed["serials"].clone(),
            removed["job"].clone(),
            removed["overdue"].clone()
        ),
        (json!(["OLD-7"]), json!("J-1"), json!(false))
    );
    // The warehouse receives the fan: no longer expected, and stock there again.
    let fan_back = returns
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["sku"] == "FAN")
        .unwrap();
    office
        .post(
            "/api/v1/stock/movements",
            json!({"kind": "return_received", "to": "W-EAST", "answers": fan_back["movement"], "lines": [{"sku": "FAN", "qty": 1}]}),
        )
        .await;
    assert_eq!(
        office
            .get("/api/v1/stock/returns")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let warehouse = office.get("/api/v1/stock/levels?location=W-EAST").await;
    assert_eq!(level(&warehouse, "FAN")["qty"], 20 - 5 + 1);

    // Parts accuracy: of the two transfers, one arrived exactly: 50 %, target 98 %.
    let kpis = office
        .get("/api/v1/kpis?from=2020-01-01&to=2100-01-01")
        .await;
    let accuracy = &kpis["parts_accuracy"];
    assert_eq!(
        (
            accuracy["transfers"]["count"].clone(),
            accuracy["transfers"]["of"].clone()
        ),
        (json!(1), json!(2))
    );
    assert_eq!(accuracy["transfers"]["percent"], 50.0);
    assert_eq!(accuracy["target_percent"], 98.0);
    assert_eq!(accuracy["by_warehouse"]["W-EAST"]["of"], 2);

    // Replenishment: fans at 0 with a minimum of 2 and a maximum of 6 -> send 6; pumps have
    // no limits and are not proposed. Fans show low on the levels.
    office
        .post(
            "/api/v1/stock/limits",
            json!({"location": "V-1", "sku": "FAN", "min": 2, "max": 6}),
        )
        .await;
    let proposal = office.get("/api/v1/stock/replenishment?location=V-1").await;
    assert_eq!(proposal["from"], "W-EAST");
    let p: Vec<(String, i64)> = proposal["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["sku"].as_str().unwrap().to_string(),
                p["propose"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(p, [("FAN".to_string(), 6)]);
    let van = office.get("/api/v1/stock/levels?location=V-1").await;
    assert!(
        level(&van, "FAN")["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("low"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_movement_the_office_refuses_is_kept_marked_and_counts_for_nothing() {
    let (office, phone) = office_with_a_van().await;
    office
        .post(
            "/api/v1/locations",
            json!({"id": "W-WEST", "kind": "warehouse", "region": "west"}),
        )
        .await;
    let d = &phone.device;
    let t0 = now_ms();
    d.count_stock(&counted("FAN", 3), t0).unwrap();
    // A part the catalogue lacks is refused on the phone already, and nothing is written.
    assert!(d.count_stock(&counted("BOLT", 3), t0).is_err());
    // Sent back to another region's warehouse: the office refuses it.
    let wrong = d
        .return_part(
            "FAN",
            1,
            &[],
            None,
            ReturnReason::Unused,
            Some("W-WEST"),
            t0 + 1,
        )
        .unwrap();
    assert_eq!(
        d.van_stock().unwrap().levels[0].qty,
        2,
        "counted while pending"
    );
    d.sync().await.unwrap();
    let stock = d.van_stock().unwrap();
    assert_eq!(stock.pending, 0);
    assert_eq!(stock.refused.len(), 1);
    assert_eq!(stock.refused[0].0, wrong);
    assert!(
        stock.refused[0].1.contains("region east"),
        "{:?}",
        stock.refused
    );
    // It counts for nothing, here or at the office.
    assert_eq!(stock.levels[0].qty, 3);
    let van = office.get("/api/v1/stock/levels?location=V-1").await;
    assert_eq!(level(&van, "FAN")["qty"], 3);
    // And a second sync does not send it again.
    let again = d.sync().await.unwrap();
    assert_eq!(again.requests, 1);
    assert_eq!(
        office
            .get("/api/v1/stock/movements")
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_phone_without_a_van_is_told_so_by_a_code_the_apps_read() {
    let (office, phone) = fieldwork_tests::AppPhone::with_job("J-1", "t1").await;
    let refused = phone.app.van_stock().unwrap_err();
    assert!(
        matches!(
            refused,
            fieldwork_ffi::ApiError::InvalidInput {
                reason: fieldwork_ffi::InputReason::NoVan,
                ..
            }
        ),
        "{refused:?}"
    );
    // Once the office puts the technician in a van, the next sync brings it.
    office
        .post(
            "/api/v1/locations",
            json!({"id": "V-9", "kind": "van", "technicians": ["t1"], "region": "east"}),
        )
        .await;
    phone.app.sync().await.unwrap();
    assert_eq!(phone.app.van_stock().unwrap().location, "V-9");
}
