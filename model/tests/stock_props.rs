//! Property test of the stock ledger's merge: two phones on one van consume, take back and
//! count offline while the office receives stock and issues transfers to the van. Every replica
//! gets the entries in its own order, some twice. Once all are delivered, every replica shows
//! the same levels, and each level is the ledger's plain sum (each entry counted once).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use fieldwork_model::stock::{Level, Movement, MovementKind, StockLine, levels};
use proptest::prelude::*;

const AT: i64 = 1_795_000_000_000;
const SKUS: [&str; 3] = ["FAN", "PUMP", "VALVE"];

/// One writer's action: (writer 0 = office, 1 and 2 = the phones), what, which part, how many.
#[derive(Clone, Debug)]
struct Act {
    writer: usize,
    what: u8,
    sku: usize,
    qty: i64,
}

fn act() -> impl Strategy<Value = Act> {
    (0..3usize, 0..4u8, 0..SKUS.len(), 1..5i64).prop_map(|(writer, what, sku, qty)| Act {
        writer,
        what,
        sku,
        qty,
    })
}

fn line(sku: &str, qty: i64) -> StockLine {
    StockLine {
        sku: sku.into(),
        qty,
        serials: vec![],
        expected: None,
    }
}

/// The entries the actions write, each writer seeing only its own entries (offline).
fn write(acts: &[Act]) -> Vec<Movement> {
    let mut out: Vec<Movement> = Vec::new();
    let mut open_transfers: Vec<Movement> = Vec::new();
    for (n, a) in acts.iter().enumerate() {
        let sku = SKUS[a.sku];
        let base = Movement {
            id: format!("m{n}"),
            kind: MovementKind::Receipt,
            from: None,
            to: None,
            lines: vec![line(sku, a.qty)],
            job: None,
            part_line: None,
            answers: None,
            reason: None,
            by: if a.writer == 0 {
                "dispatch".into()
            } else {
                format!("t{}", a.writer)
            },
            at: AT + n as i64,
        };
        let m = match (a.writer, a.what) {
            (0, 0) => Movement {
                to: Some("W1".into()),
                ..base
            },
            (0, _) => {
                let t = Movement {
                    kind: MovementKind::Transfer,
                    from: Some("W1".into()),
                    to: Some("V1".into()),
                    ..base
                };
                open_transfers.push(t.clone());
                t
            }
            (_, 0 | 1) => Movement {
                kind: MovementKind::Consumption,
                from: Some("V1".into()),
                job: Some(format!("J-{}", n % 4)),
                part_line: Some(format!("l{n}")),
                ..base
            },
            (_, 2) => match open_transfers.pop() {
                // The phone counts what arrived: one short of a larger transfer.
                Some(t) => Movement {
                    kind: MovementKind::Received,
                    to: Some("V1".into()),
                    answers: Some(t.id.clone()),
                    lines: vec![line(&t.lines[0].sku, (t.lines[0].qty - 1).max(1))],
                    ..base
                },
                None => Movement {
                    kind: MovementKind::Unconsumed,
                    to: Some("V1".into()),
                    job: Some("J-0".into()),
                    part_line: Some(format!("l{n}")),
                    ..base
                },
            },
            (_, _) => Movement {
                kind: MovementKind::Count,
                to: Some("V1".into()),
                lines: vec![StockLine {
                    expected: Some(a.qty + 1),
                    ..line(sku, a.qty)
                }],
                ..base
            },
        };
        m.check().unwrap();
        out.push(m);
    }
    out
}

/// The ledger's plain sum at a place, written independently of the fold: what each entry adds
/// or takes away there, transfers in transit until a `received` answers them.
fn plain_sum(place: &str, entries: &[Movement]) -> BTreeMap<String, (i64, i64)> {
    let answered: Vec<&str> = entries
        .iter()
        .filter_map(|e| e.answers.as_deref())
        .collect();
    let mut sums: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for e in entries {
        let l = &e.lines[0];
        let s = sums.entry(l.sku.clone()).or_default();
        let at = |p: &Option<String>| p.as_deref() == Some(place);
        use MovementKind::*;
        match e.kind {
            Receipt | Received | Unconsumed if at(&e.to) => s.0 += l.qty,
            Transfer if at(&e.from) => s.0 -= l.qty,
            Transfer if at(&e.to) && !answered.contains(&e.id.as_str()) => s.1 += l.qty,
            Consumption if at(&e.from) => s.0 -= l.qty,
            Count if at(&e.to) => s.0 += l.qty - l.expected.unwrap(),
            _ => {}
        }
    }
    sums
}

fn shown(levels: &[Level]) -> BTreeMap<String, (i64, i64)> {
    levels
        .iter()
        .map(|l| (l.sku.clone(), (l.qty, l.in_transit)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn every_replica_shows_the_ledgers_sum_whatever_the_order(
        acts in proptest::collection::vec(act(), 1..40),
        orders in proptest::collection::vec(proptest::collection::vec(any::<prop::sample::Index>(), 0..80), 3),
    ) {
        let entries = write(&acts);
        let mut seen = Vec::new();
        for order in &orders {
            // Each replica receives every entry, in its own order, some of them twice.
            let mut delivered: Vec<Movement> = order.iter().map(|i| entries[i.index(entries.len())].clone()).collect();
            delivered.extend(entries.iter().rev().cloned());
            for place in ["W1", "V1"] {
                let folded = shown(&levels(place, &delivered));
                let expected: BTreeMap<_, _> = plain_sum(place, &entries)
                    .into_iter()
                    .filter(|(sku, _)| folded.contains_key(sku))
                    .collect();
                prop_assert_eq!(&folded, &expected, "at {}", place);
                seen.push((place, folded));
            }
        }
        for pair in seen.chunks(2).collect::<Vec<_>>().windows(2) {
            prop_assert_eq!(pair[0], pair[1]);
        }
    }
}
