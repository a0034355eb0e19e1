//! `bench.sh stock` (issue 21): a van with 500 parts and a year of movements (about 20,000
//! entries, written at the office as a year of transfers, receipts on the van, consumptions on
//! jobs, take-backs and counts would be). Measured on the phone after its first sync: the stock
//! screen's query (`van_stock`, the fold of the whole ledger), a part used from the van made
//! durable against a part outside the catalogue in the same run, and the sync of one
//! consumption (requests, bytes) against the sync of one note, the one-change job sync.

use std::time::{Duration, Instant};

use fieldwork_core::model::NewPart;
use fieldwork_core::model::stock::{
    Location, LocationKind, Movement, MovementKind, Part, PartName, StockLine,
};
use fieldwork_tests::Phone;

use super::{DAY, DAY0, Row, bench_office, median, ms, pct, scale, seed};

const SKUS: usize = 500;

fn line(sku: usize, qty: i64) -> StockLine {
    StockLine {
        sku: format!("P-{sku:03}"),
        qty,
        serials: vec![],
        expected: None,
    }
}

fn entry(n: usize, kind: MovementKind, at: i64, lines: Vec<StockLine>) -> Movement {
    Movement {
        id: format!("m{n:06}"),
        kind,
        from: None,
        to: None,
        lines,
        job: None,
        part_line: None,
        answers: None,
        reason: None,
        by: "t1".into(),
        at,
    }
}

/// A year of one van's ledger: every day a transfer of 10 parts and its receipt, and about 50
/// consumptions, a take-back every few days, a count of 20 parts every week.
fn year(entries: usize) -> Vec<Movement> {
    let mut out = Vec::with_capacity(entries);
    let mut n = 0;
    let mut day = 0i64;
    while out.len() < entries {
        let at = DAY0 - 365 * DAY + day * DAY;
        let lines: Vec<StockLine> = (0..10)
            .map(|k| line((day as usize * 10 + k) % SKUS, 5))
            .collect();
        let transfer = Movement {
            from: Some("WH-1".into()),
            to: Some("VAN-1".into()),
            by: "dispatch".into(),
            ..entry(n, MovementKind::Transfer, at, lines.clone())
        };
        let received = Movement {
            to: Some("VAN-1".into()),
            answers: Some(transfer.id.clone()),
            ..entry(n + 1, MovementKind::Received, at + 3_600_000, lines)
        };
        out.push(transfer);
        out.push(received);
        n += 2;
        for c in 0..50 {
            let sku = (day as usize * 7 + c * 13) % SKUS;
            out.push(Movement {
                from: Some("VAN-1".into()),
                job: Some(format!("J-{}", c % 20)),
                part_line: Some(format!("l{n}")),
                ..entry(
                    n,
                    MovementKind::Consumption,
                    at + 7_200_000 + c as i64,
                    vec![line(sku, 1)],
                )
            });
            n += 1;
        }
        if day % 3 == 0 {
            out.push(Movement {
                to: Some("VAN-1".into()),
                job: Some("J-0".into()),
                part_line: Some(format!("l{}", n - 1)),
                ..entry(
                    n,
                    MovementKind::Unconsumed,
                    at + 9_000_000,
                    vec![line(0, 1)],
                )
            });
            n += 1;
        }
        if day % 7 == 0 {
            let lines = (0..20)
                .map(|k| StockLine {
                    expected: Some(3),
                    ..line((day as usize + k * 25) % SKUS, 3)
                })
                .collect();
            out.push(Movement {
                to: Some("VAN-1".into()),
                ..entry(n, MovementKind::Count, at + 10_000_000, lines)
            });
            n += 1;
        }
        day += 1;
    }
    out.truncate(entries);
    out
}

pub async fn stock(rows: &mut Vec<Row>) {
    let entries = scale(20_000);
    let office = bench_office().await;
    office.technician("t1").await;
    seed(&office, "t1", "J-", 20).await;
    {
        let storage = office.place.open().unwrap();
        for i in 0..SKUS {
            storage
                .add_part(&Part {
                    sku: format!("P-{i:03}"),
                    name: PartName {
                        zh_cn: format!("配件 {i}"),
                        en: format!("Part {i}"),
                    },
                    unit: "pcs".into(),
                    unit_price: 1000 + i as i64,
                    serialised: false,
                    warranty_months: None,
                })
                .unwrap();
        }
        for l in [
            Location {
                id: "WH-1".into(),
                kind: LocationKind::Warehouse,
                technicians: vec![],
                region: "east".into(),
            },
            Location {
                id: "VAN-1".into(),
                kind: LocationKind::Van,
                technicians: vec!["t1".into()],
                region: "east".into(),
            },
        ] {
            storage.add_location(&l).unwrap();
        }
        for chunk in year(entries).chunks(1000) {
            storage.record_movements(chunk, DAY0).unwrap();
        }
    }
    let phone = Phone::enroll(&office, "t1").await;
    let t = Instant::now();
    let first = phone.device.sync().await.unwrap();
    let first_sync = t.elapsed();
    let held = phone.device.van_stock().unwrap();
    assert_eq!(held.levels.len(), SKUS);

    let mut screen = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let s = phone.device.van_stock().unwrap();
        screen.push(t.elapsed());
        assert_eq!(s.levels.len(), SKUS);
    }

    // A part used from the van (line + consumption, one commit) against a part outside the
    // catalogue (the line alone), alternating in one run.
    let part = |sku: String| NewPart {
        sku,
        description: "bench".into(),
        qty: 1,
        ..Default::default()
    };
    let (mut from_van, mut plain) = (Vec::new(), Vec::new());
    for i in 0..scale(400) {
        let job = format!("J-{}", i % 20);
        let t = Instant::now();
        if i % 2 == 0 {
            phone
                .device
                .add_part(&job, &part(format!("P-{:03}", i % SKUS)), DAY0 + i as i64)
                .unwrap();
            from_van.push(t.elapsed());
        } else {
            phone
                .device
                .add_part(&job, &part(format!("X-{i}")), DAY0 + i as i64)
                .unwrap();
            plain.push(t.elapsed());
        }
    }
    phone.device.sync().await.unwrap();

    // One consumption synced against one note synced, alternating.
    let (mut used, mut noted): (Vec<(u64, u64, u64, Duration)>, Vec<_>) = (Vec::new(), Vec::new());
    for i in 0..20 {
        let job = format!("J-{}", i % 20);
        if i % 2 == 0 {
            phone
                .device
                .add_part(&job, &part(format!("P-{:03}", i)), DAY0)
                .unwrap();
        } else {
            phone
                .device
                .add_note(&job, "checked the fan", DAY0)
                .unwrap();
        }
        let t = Instant::now();
        let r = phone.device.sync().await.unwrap();
        let sample = (
            r.requests,
            r.wire_bytes_sent,
            r.wire_bytes_received,
            t.elapsed(),
        );
        if i % 2 == 0 {
            used.push(sample);
        } else {
            noted.push(sample);
        }
    }
    let summary = |v: &[(u64, u64, u64, Duration)]| {
        let mut sent: Vec<u64> = v.iter().map(|s| s.1).collect();
        let mut got: Vec<u64> = v.iter().map(|s| s.2).collect();
        let mut time: Vec<Duration> = v.iter().map(|s| s.3).collect();
        sent.sort();
        got.sort();
        format!(
            "{} request(s); median {} B up, {} B down on the wire; median {}",
            v.iter().map(|s| s.0).max().unwrap_or_default(),
            sent[sent.len() / 2],
            got[got.len() / 2],
            ms(median(&mut time))
        )
    };
    rows.push(Row {
        what: format!(
            "the van's stock screen (`van_stock`: {SKUS} parts folded from {entries} ledger entries on the phone)"
        ),
        target: "report".into(),
        result: format!(
            "median {}, p90 {} over 21; the first sync bringing the ledger: {} requests, {} KB on the wire, {}",
            ms(median(&mut screen)),
            ms(pct(&mut screen, 0.9)),
            first.requests,
            first.wire_bytes_received / 1024,
            ms(first_sync)
        ),
    });
    rows.push(Row {
        what: "a part used from the van made durable (part line + consumption, one commit) / a part outside the catalogue (the line alone), same run".into(),
        target: "p99 <= 2 ms".into(),
        result: format!(
            "p50 {} / {}, p99 {} / {} over {} each",
            ms(pct(&mut from_van, 0.5)),
            ms(pct(&mut plain, 0.5)),
            ms(pct(&mut from_van, 0.99)),
            ms(pct(&mut plain, 0.99)),
            from_van.len()
        ),
    });
    rows.push(Row {
        what: "sync of one consumption (its job's change + the ledger entry) / of one note (the one-change job sync), same run".into(),
        target: "1 round trip".into(),
        result: format!("{} / {}", summary(&used), summary(&noted)),
    });
}
