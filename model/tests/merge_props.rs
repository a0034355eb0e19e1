//! Property test of the merge rules: random concurrent edits on a server replica and 2 to 5
//! device replicas, exchanged as change deltas over a network that drops, duplicates and
//! reorders messages. Once everything is finally delivered, every replica must hold the same
//! heads and render byte-identical job JSON, and no entry anyone wrote may be missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use automerge::ActorId;
use fieldwork_model::{
    Cause, Customer, JobDocument, JobTerms, NewJob, NewPart, NewTimeEntry, Priority, RegionClass,
    Site, Status, TimeKind,
};
use proptest::prelude::*;

const T0: i64 = 1_764_000_000_000;

fn new_job() -> NewJob {
    NewJob {
        id: None,
        technician: Some("t0".into()),
        customer: Customer {
            name: "Harbour Clinic".into(),
            phone: "+86 21 5555 0101".into(),
            email: None,
        },
        site: Site {
            address: "88 Quay Road".into(),
            region: RegionClass::City,
            time_zone: "Asia/Shanghai".into(),
        },
        asset: Default::default(),
        problem: "Chiller trips on high pressure".into(),
        channel: Some("phone".into()),
        priority: Priority::High,
        reported_at: "2026-11-24T09:00:00+08:00".into(),
        scheduled_start: None,
        scheduled_end: None,
        contract: None,
        kind: None,
        checklist: vec![],
    }
}

#[derive(Clone, Debug)]
enum Op {
    /// Replica index, kind of edit, a time offset.
    Edit(usize, u8, i64),
    /// Send the changes `from` has that `to` was last known to lack.
    Send { from: usize, to: usize },
    /// Deliver the queued message at this position (modulo queue length), possibly twice.
    Deliver { pick: usize, duplicate: bool },
    /// Lose the queued message at this position.
    Drop { pick: usize },
}

fn op(replicas: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..replicas, 0u8..8, 0i64..100_000).prop_map(|(r, k, t)| Op::Edit(r, k, t)),
        3 => (0..replicas, 0..replicas).prop_map(|(from, to)| Op::Send { from, to }),
        3 => (any::<usize>(), any::<bool>()).prop_map(|(pick, duplicate)| Op::Deliver { pick, duplicate }),
        1 => any::<usize>().prop_map(|pick| Op::Drop { pick }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (3usize..=6).prop_flat_map(|n| (Just(n), proptest::collection::vec(op(n), 1..60)))
}

/// Replica 0 is the office (dispatch edits), the others are technicians' devices.
fn edit(doc: &mut JobDocument, replica: usize, kind: u8, dt: i64, written: &mut BTreeSet<String>) {
    let at = T0 + dt;
    if replica == 0 {
        let r = match kind % 4 {
            0 => doc
                .add_note("dispatch", at, "customer called again")
                .map(Some),
            1 => doc
                .set_schedule(Some(at), Some(at + 3_600_000))
                .map(|_| None),
            2 => doc
                .assign(&format!("t{}", dt % 3), "dispatch", at)
                .map(Some),
            _ => doc.cancel("customer withdrew", "dispatch", at).map(Some),
        };
        if let Ok(Some(id)) = r {
            written.insert(id);
        }
        return;
    }
    let me = format!("t{}", replica % 3);
    let r = match kind % 8 {
        0 => doc
            .record_status(
                [
                    Status::Accepted,
                    Status::OnSite,
                    Status::InProgress,
                    Status::Completed,
                ][(dt % 4) as usize],
                &me,
                at,
            )
            .map(Some),
        1 => doc.add_note(&me, at, "replaced the fan relay").map(Some),
        2 => doc
            .add_part(
                &NewPart {
                    sku: format!("SKU-{}", dt % 7),
                    qty: 1 + (dt % 3) as u32,
                    ..Default::default()
                },
                &me,
                at,
            )
            .map(Some),
        3 => {
            let own = doc
                .data()
                .unwrap()
                .parts
                .iter()
                .find(|(_, p)| p.added_by == me && p.removed.is_none())
                .map(|(id, _)| id.clone());
            match own {
                Some(line) => doc.remove_part(&line, &me, at).map(|_| None),
                None => Ok(None),
            }
        }
        5 => doc
            .record_diagnosis(
                [Cause::QualityDefect, Cause::Misuse][(dt % 2) as usize],
                &format!("E-{}", dt % 3),
                None,
                &me,
                at,
            )
            .map(Some),
        6 => {
            let serial = format!("LN-{}", dt % 2);
            doc.issue_loaner(&serial, "Fan", &me, at)
                .or_else(|_| doc.return_loaner(&serial, &me, at))
                .map(Some)
        }
        7 => doc
            .record_check(
                "door",
                ["pass", "fail", "7.5"][(dt % 3) as usize],
                None,
                &me,
                at,
            )
            .map(Some),
        _ => doc
            .add_time(
                NewTimeEntry {
                    kind: if dt % 2 == 0 {
                        TimeKind::Travel
                    } else {
                        TimeKind::Labour
                    },
                    start: at,
                    end: at + 1_800_000,
                },
                &me,
            )
            .map(Some),
    };
    if let Ok(Some(id)) = r {
        written.insert(id);
    }
}

fn all_entry_ids(doc: &JobDocument) -> BTreeSet<String> {
    let d = doc.data().unwrap();
    d.events
        .keys()
        .chain(d.notes.keys())
        .chain(d.parts.keys())
        .chain(d.time.keys())
        .chain(d.diagnoses.keys())
        .chain(d.loaners.keys())
        .chain(d.checks.keys())
        .cloned()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn replicas_converge_to_identical_json_and_keep_every_entry((n, ops) in scenario()) {
        // Under a contract, so the compared JSON includes SLA clocks, warranty and charges.
        let contract = serde_json::from_str(include_str!("../../server/src/demo/contract.json")).unwrap();
        let terms = JobTerms { contract: Some(contract), ..Default::default() };
        let origin = JobDocument::create_with_terms("J-1", &new_job(), &terms, "dispatch", T0, ActorId::random()).unwrap();
        let snapshot = origin.save();
        let mut replicas: Vec<JobDocument> = (0..n)
            .map(|_| JobDocument::load(&snapshot, ActorId::random()).unwrap())
            .collect();
        // What each replica last sent to each other one (a naive sync state).
        let mut sent: Vec<Vec<Vec<automerge::ChangeHash>>> = vec![vec![origin.heads(); n]; n];
        let mut queue: Vec<(usize, Vec<u8>)> = Vec::new();
        let mut written = all_entry_ids(&origin);

        for op in ops {
            match op {
                Op::Edit(r, kind, dt) => edit(&mut replicas[r], r, kind, dt, &mut written),
                Op::Send { from, to } if from != to => {
                    let bytes = replicas[from].save_after(&sent[from][to]);
                    sent[from][to] = replicas[from].heads();
                    queue.push((to, bytes));
                }
                Op::Send { .. } => {}
                Op::Deliver { pick, duplicate } if !queue.is_empty() => {
                    let (to, bytes) = queue.remove(pick % queue.len());
                    replicas[to].apply(&bytes).unwrap();
                    if duplicate {
                        replicas[to].apply(&bytes).unwrap();
                    }
                }
                Op::Drop { pick } if !queue.is_empty() => {
                    queue.remove(pick % queue.len());
                }
                Op::Deliver { .. } | Op::Drop { .. } => {}
            }
        }

        // Heal the network: everyone sends everything to everyone.
        let full: Vec<Vec<u8>> = replicas.iter().map(|r| r.save()).collect();
        for r in replicas.iter_mut() {
            for bytes in &full {
                r.apply(bytes).unwrap();
            }
        }
        let heads0 = {
            let mut h = replicas[0].heads();
            h.sort();
            h
        };
        let json0 = serde_json::to_string(&replicas[0].view(0).unwrap()).unwrap();
        for r in &replicas[1..] {
            let mut h = r.heads();
            h.sort();
            prop_assert_eq!(&h, &heads0);
            prop_assert_eq!(serde_json::to_string(&r.view(0).unwrap()).unwrap(), json0.clone());
        }
        let kept = all_entry_ids(&replicas[0]);
        prop_assert!(written.is_subset(&kept), "lost entries: {:?}", written.difference(&kept).collect::<Vec<_>>());
        prop_assert!(replicas[0].missing_deps().is_empty());
    }
}
