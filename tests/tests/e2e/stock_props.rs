//! Property test of the van's stock over the real stack (issue 21): two phones on one van use
//! parts on their jobs, take lines back, count transfers in and count the van, offline, while
//! the office receives stock and issues transfers to the van; the phones sync in any order
//! through the lossy, duplicating network of `sync_props`. Once everyone has synced through a
//! clean network: the office and both phones show the same levels, each the ledger's plain sum,
//! and every movement anyone wrote is in the office's ledger exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use fieldwork_core::model::NewPart;
use fieldwork_core::stock::Counted;
use fieldwork_tests::{Office, Phone, now_ms};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::sync_props::parking_lot_free::{Fault, Faults};
use crate::sync_props::start_proxy;

#[derive(Clone, Debug)]
enum Step {
    /// A phone uses `qty` fans on its job.
    Use { phone: usize, qty: u32 },
    /// A phone removes the last line it added (the fans go back into the van).
    TakeBack { phone: usize },
    /// The office sends `qty` fans from the warehouse to the van.
    Transfer { qty: i64 },
    /// A phone counts in the first transfer it sees on its way, one short if `short`.
    Receive { phone: usize, short: bool },
    /// A phone counts the van's fans and finds `found`.
    Count { phone: usize, found: i64 },
    /// A phone syncs through the network, which applies `fault` to this round.
    Sync { phone: usize, fault: Fault },
}

fn step() -> impl Strategy<Value = Step> {
    let fault = prop_oneof![
        3 => Just(Fault::Deliver),
        1 => Just(Fault::LoseResponse),
        1 => Just(Fault::Duplicate),
        1 => Just(Fault::ReplayStale),
        1 => Just(Fault::DropRequest),
    ];
    prop_oneof![
        3 => (0..2usize, 1..4u32).prop_map(|(phone, qty)| Step::Use { phone, qty }),
        1 => (0..2usize).prop_map(|phone| Step::TakeBack { phone }),
        2 => (1..6i64).prop_map(|qty| Step::Transfer { qty }),
        2 => (0..2usize, any::<bool>()).prop_map(|(phone, short)| Step::Receive { phone, short }),
        1 => (0..2usize, 0..8i64).prop_map(|(phone, found)| Step::Count { phone, found }),
        4 => (0..2usize, fault).prop_map(|(phone, fault)| Step::Sync { phone, fault }),
    ]
}

const TECHS: [&str; 2] = ["t1", "t2"];
const JOBS: [&str; 2] = ["J-1", "J-2"];

async fn stocked_office() -> Office {
    let office = Office::start().await;
    for t in TECHS {
        office.technician(t).await;
    }
    for (job, t) in JOBS.iter().zip(TECHS) {
        office.create_job(job, Some(t)).await;
    }
    office
        .post(
            "/api/v1/locations",
            json!({"id": "W-EAST", "kind": "warehouse", "region": "east"}),
        )
        .await;
    office
        .post(
            "/api/v1/locations",
            json!({"id": "V-1", "kind": "van", "technicians": TECHS, "region": "east"}),
        )
        .await;
    office
        .post(
            "/api/v1/parts",
            json!({"sku": "FAN", "name": {"zh-CN": "风扇", "en": "Fan"}, "unit": "pcs", "unit_price": 4500, "serialised": false}),
        )
        .await;
    office
        .post(
            "/api/v1/stock/movements",
            json!({"kind": "receipt", "to": "W-EAST", "lines": [{"sku": "FAN", "qty": 100}]}),
        )
        .await;
    office
}

/// The office's ledger, every entry.
async fn ledger(office: &Office) -> Vec<Value> {
    office
        .get("/api/v1/stock/movements?limit=1000")
        .await
        .as_array()
        .unwrap()
        .clone()
}

/// The ledger's plain sum of fans at a place, on hand and in transit, written apart from the
/// fold: what each kind of entry adds or takes away, the first answer to a transfer counting.
fn plain_sum(place: &str, ledger: &[Value]) -> (i64, i64) {
    let mut first: BTreeMap<&str, (i64, &str)> = BTreeMap::new();
    for e in ledger.iter().filter(|e| e["kind"] == "received") {
        let key = (e["at"].as_i64().unwrap(), e["id"].as_str().unwrap());
        let slot = first.entry(e["answers"].as_str().unwrap()).or_insert(key);
        *slot = (*slot).min(key);
    }
    let (mut qty, mut in_transit) = (0, 0);
    for e in ledger {
        let n: i64 = e["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["qty"].as_i64().unwrap())
            .sum();
        let at = |end: &str| e[end] == place;
        match e["kind"].as_str().unwrap() {
            "receipt" | "unconsumed" if at("to") => qty += n,
            "received" if at("to") => {
                let key = (e["at"].as_i64().unwrap(), e["id"].as_str().unwrap());
                if first[e["answers"].as_str().unwrap()] == key {
                    qty += n;
                }
            }
            "transfer" if at("from") => qty -= n,
            "transfer" if at("to") && !first.contains_key(e["id"].as_str().unwrap()) => {
                in_transit += n
            }
            "consumption" if at("from") => qty -= n,
            "count" if at("to") => {
                let l = &e["lines"][0];
                qty += l["qty"].as_i64().unwrap() - l["expected"].as_i64().unwrap();
            }
            _ => {}
        }
    }
    (qty, in_transit)
}

async fn run(steps: Vec<Step>) {
    let office = stocked_office().await;
    let faults = Arc::new(Faults::default());
    let proxy_url = start_proxy(office.url(), faults.clone()).await;
    let mut phones = Vec::new();
    for t in TECHS {
        let dir = tempfile::tempdir().unwrap();
        let device = fieldwork_core::Device::open(dir.path()).unwrap();
        device
            .enroll(&proxy_url, &office.enroll_code(t), "stock phone")
            .await
            .unwrap();
        device.sync().await.unwrap();
        phones.push(Phone { dir, device });
    }
    // Every movement anyone wrote (the phones' ids; the office's from its answers).
    let mut written: BTreeSet<String> = BTreeSet::new();
    let mut lines: [Vec<String>; 2] = Default::default();
    let t0 = now_ms();
    for (i, s) in steps.into_iter().enumerate() {
        let at = t0 + i as i64 * 1000;
        let held = |phone: usize| phones[phone].device.van_stock().unwrap();
        match s {
            Step::Use { phone, qty } => {
                let part = NewPart {
                    sku: "FAN".into(),
                    description: "Fan".into(),
                    qty,
                    ..Default::default()
                };
                let line = phones[phone]
                    .device
                    .add_part(JOBS[phone], &part, at)
                    .unwrap();
                lines[phone].push(line);
            }
            Step::TakeBack { phone } => {
                if let Some(line) = lines[phone].pop() {
                    phones[phone]
                        .device
                        .remove_part(JOBS[phone], &line, at)
                        .unwrap();
                }
            }
            Step::Transfer { qty } => {
                let m = office
                    .post(
                        "/api/v1/stock/movements",
                        json!({"kind": "transfer", "from": "W-EAST", "to": "V-1", "lines": [{"sku": "FAN", "qty": qty}]}),
                    )
                    .await;
                written.insert(m["id"].as_str().unwrap().to_string());
            }
            Step::Receive { phone, short } => {
                if let Some(t) = held(phone).in_transit.first() {
                    let sent = t.lines[0].qty;
                    let found = if short { sent - 1 } else { sent };
                    let counted = [Counted {
                        sku: "FAN".into(),
                        qty: found,
                        serials: vec![],
                    }];
                    if let Ok(id) = phones[phone].device.receive_transfer(&t.id, &counted, at) {
                        written.insert(id);
                    }
                }
            }
            Step::Count { phone, found } => {
                let counted = [Counted {
                    sku: "FAN".into(),
                    qty: found,
                    serials: vec![],
                }];
                written.insert(phones[phone].device.count_stock(&counted, at).unwrap());
            }
            Step::Sync { phone, fault } => {
                *faults.next.lock().unwrap() = Some(fault);
                let _ = phones[phone].device.sync().await;
                *faults.next.lock().unwrap() = None;
            }
        }
    }
    // Heal: each phone syncs through a clean network until both have heard everything.
    for _ in 0..3 {
        for p in &phones {
            p.device.sync().await.unwrap();
        }
    }

    let ledger = ledger(&office).await;
    let ids: Vec<&str> = ledger.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "an entry recorded twice");
    // The phones' consumptions and take-backs are theirs to name; every id written is there.
    for id in &written {
        assert!(unique.contains(id.as_str()), "movement {id} lost");
    }
    let consumptions = ledger.iter().filter(|e| e["kind"] == "consumption").count();
    let used: usize = lines.iter().map(Vec::len).sum();
    let taken_back = ledger.iter().filter(|e| e["kind"] == "unconsumed").count();
    assert_eq!(
        consumptions - taken_back,
        used,
        "consumptions and take-backs match the lines"
    );

    for place in ["V-1", "W-EAST"] {
        let office_levels = office
            .get(&format!("/api/v1/stock/levels?location={place}"))
            .await;
        let fan = office_levels["levels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["sku"] == "FAN")
            .map_or((0, 0), |l| {
                (
                    l["qty"].as_i64().unwrap(),
                    l["in_transit"].as_i64().unwrap(),
                )
            });
        assert_eq!(
            fan,
            plain_sum(place, &ledger),
            "{place}: office levels vs the ledger's sum"
        );
        if place == "V-1" {
            for p in &phones {
                let stock = p.device.van_stock().unwrap();
                assert_eq!(stock.pending, 0);
                let on_phone = stock
                    .levels
                    .iter()
                    .find(|l| l.sku == "FAN")
                    .map_or((0, 0), |l| (l.qty, l.in_transit));
                assert_eq!(on_phone, fan, "the phone's van differs from the office's");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 32, .. ProptestConfig::default() })]

    #[test]
    fn both_phones_and_the_office_show_the_ledgers_sum_after_any_interleaving(
        steps in proptest::collection::vec(step(), 5..40)
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(run(steps));
    }
}
