//! The spare-parts API: catalogue, places, movements dispatch records, levels folded from the
//! ledger, and bad input refused with nothing changed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::Office;
use reqwest::Method;
use serde_json::{Value, json};

async fn post(office: &Office, path: &str, body: Value) -> (u16, Value) {
    office
        .call(Method::POST, path, Some(body), Some(&office.token))
        .await
}

async fn get(office: &Office, path: &str) -> (u16, Value) {
    office
        .call(Method::GET, path, None, Some(&office.token))
        .await
}

/// Two warehouses in two regions, a van in the east with t1, and two parts (one serialised).
async fn stocked_office() -> Office {
    let office = Office::start().await;
    office.technician("t1").await;
    for (id, region) in [("W-EAST", "east"), ("W-WEST", "west")] {
        let (s, b) = post(
            &office,
            "/api/v1/locations",
            json!({"id": id, "kind": "warehouse", "region": region}),
        )
        .await;
        assert_eq!(s, 201, "{b}");
    }
    let (s, b) = post(
        &office,
        "/api/v1/locations",
        json!({"id": "V-T1", "kind": "van", "technicians": ["t1"], "region": "east"}),
    )
    .await;
    assert_eq!(s, 201, "{b}");
    for (sku, serialised) in [("FAN-12", false), ("PUMP-3", true)] {
        let (s, b) = post(
            &office,
            "/api/v1/parts",
            json!({"sku": sku, "name": {"zh-CN": "风扇", "en": "Fan"}, "unit": "pcs", "unit_price": 4500, "serialised": serialised}),
        )
        .await;
        assert_eq!(s, 201, "{b}");
    }
    office
}

fn level(answer: &Value, sku: &str) -> (i64, i64) {
    answer["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["sku"] == sku)
        .map_or((0, 0), |l| {
            (
                l["qty"].as_i64().unwrap(),
                l["in_transit"].as_i64().unwrap(),
            )
        })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transfer_leaves_the_warehouse_and_is_in_transit_to_the_van() {
    let office = stocked_office().await;
    let (s, receipt) = post(
        &office,
        "/api/v1/stock/movements",
        json!({"kind": "receipt", "to": "W-EAST", "lines": [{"sku": "FAN-12", "qty": 10}, {"sku": "PUMP-3", "qty": 2, "serials": ["P-1", "P-2"]}]}),
    )
    .await;
    assert_eq!(s, 201, "{receipt}");
    assert!(
        receipt["id"].is_string() && receipt["seq"].is_u64(),
        "{receipt}"
    );
    let (s, transfer) = post(
        &office,
        "/api/v1/stock/movements",
        json!({"kind": "transfer", "from": "W-EAST", "to": "V-T1", "lines": [{"sku": "FAN-12", "qty": 4}, {"sku": "PUMP-3", "qty": 1, "serials": ["P-2"]}]}),
    )
    .await;
    assert_eq!(s, 201, "{transfer}");
    assert_eq!(transfer["by"], "dispatch");

    let (_, warehouse) = get(&office, "/api/v1/stock/levels?location=W-EAST").await;
    assert_eq!(warehouse["location"], "W-EAST");
    assert_eq!(level(&warehouse, "FAN-12"), (6, 0));
    assert_eq!(level(&warehouse, "PUMP-3"), (1, 0));
    let (_, van) = get(&office, "/api/v1/stock/levels?location=V-T1").await;
    assert_eq!(
        level(&van, "FAN-12"),
        (0, 4),
        "in transit until the van counts it in"
    );

    let (_, ledger) = get(&office, "/api/v1/stock/movements?location=V-T1").await;
    assert_eq!(ledger.as_array().unwrap().len(), 1);
    let after = transfer["seq"].as_u64().unwrap();
    let (_, later) = get(&office, &format!("/api/v1/stock/movements?after={after}")).await;
    assert_eq!(later, json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_stock_input_is_refused_with_its_reason_and_changes_nothing() {
    let office = stocked_office().await;
    let cases = [
        (
            json!({"kind": "receipt", "to": "W-EAST", "lines": [{"sku": "FAN-12", "qty": -3}]}),
            "qty",
        ),
        (
            json!({"kind": "receipt", "to": "W-EAST", "lines": [{"sku": "BOLT-9", "qty": 1}]}),
            "no part BOLT-9",
        ),
        (
            json!({"kind": "receipt", "to": "W-NORTH", "lines": [{"sku": "FAN-12", "qty": 1}]}),
            "no stock location W-NORTH",
        ),
        (
            json!({"kind": "transfer", "from": "W-WEST", "to": "V-T1", "lines": [{"sku": "FAN-12", "qty": 1}]}),
            "region",
        ),
        (
            json!({"kind": "transfer", "from": "W-EAST", "to": "V-T1", "lines": [{"sku": "PUMP-3", "qty": 1}]}),
            "serialised",
        ),
        (
            json!({"kind": "consumption", "from": "V-T1", "lines": [{"sku": "FAN-12", "qty": 1}]}),
            "phone",
        ),
        (
            json!({"kind": "receipt", "to": "W-EAST", "lines": []}),
            "lines",
        ),
        (
            json!({"kind": "receipt", "to": "W-EAST", "lines": [{"sku": "FAN-12", "qty": 1}], "price": 3}),
            "price",
        ),
    ];
    for (body, words) in cases {
        let (s, answer) = post(&office, "/api/v1/stock/movements", body.clone()).await;
        assert_eq!(s, 400, "{body} -> {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{body} -> {message}");
    }
    let (_, ledger) = get(&office, "/api/v1/stock/movements").await;
    assert_eq!(ledger, json!([]), "nothing recorded");

    // Places and parts: a van without a crew, an unknown technician, a part twice, no location.
    let (s, _) = post(
        &office,
        "/api/v1/locations",
        json!({"id": "V-2", "kind": "van", "region": "east"}),
    )
    .await;
    assert_eq!(s, 400);
    let (s, b) = post(
        &office,
        "/api/v1/locations",
        json!({"id": "V-2", "kind": "van", "technicians": ["ghost"], "region": "east"}),
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].clone()),
        (400, json!("unknown_technician"))
    );
    let (s, _) = post(
        &office,
        "/api/v1/parts",
        json!({"sku": "FAN-12", "name": {"zh-CN": "风扇", "en": "Fan"}, "unit": "pcs", "unit_price": 1, "serialised": false}),
    )
    .await;
    assert_eq!(s, 409);
    let (_, locations) = get(&office, "/api/v1/locations").await;
    assert_eq!(locations.as_array().unwrap().len(), 3);
    assert_eq!(
        get(&office, "/api/v1/stock/levels?location=V-9").await.0,
        404
    );
    assert_eq!(get(&office, "/api/v1/stock/levels").await.0, 400);
    // And the office keeps serving.
    assert_eq!(
        get(&office, "/api/v1/parts")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
