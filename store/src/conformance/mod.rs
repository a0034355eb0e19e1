//! The storage conformance suite: what every [`Storage`] backend must do, written once and run
//! against each of them.
//!
//! Each `pub fn` below taking a `&dyn Storage` is one test body. It gets an empty storage
//! of its own and uses only the trait, so it holds on SQLite and PostgreSQL alike; the only
//! backend differences it may see are the ones the trait allows:
//! - **Feed numbers.** SQLite numbers the feed with one global sequence, PostgreSQL with one
//!   sequence per technician (docs/adr/0009-postgres-and-the-feed.md). A test here asserts only
//!   that a technician's numbers rise and that a change gets a number above everything that
//!   technician's feed held before ([`latest`]), never exact numbers or an order across
//!   technicians.
//! - **Text order.** The PostgreSQL test cluster uses the C collation, so text sorts by bytes, as
//!   on SQLite.
//!
//! Every backend runs every function: the backend crate's tests (with this crate's
//! `conformance` feature) invoke [`conformance_tests!`](crate::conformance_tests) with an
//! expression that opens a fresh storage, and the macro writes one `#[test]` per function
//! (`tests::conformance::<name>` in `fieldwork-store-sqlite` and `fieldwork-store-postgres`).
//!
//! To add a test: write a `pub fn name(s: &dyn Storage)` here (backend-agnostic, as
//! above) and add `name` to the list in [`conformance_tests!`](crate::conformance_tests). Tests of one backend's own
//! machinery (migrations, backup and restore, concurrency, connection handling) stay in that
//! backend's test module.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use automerge::ChangeHash;
use fieldwork_model::{Customer, JobDocument, NewJob, RegionClass, Site};

use crate::{Arrivals, AssetRecord, Principal, PushMerge, Storage, Technician};
use crate::{Error, Result};

mod registers;
mod stock;
mod webhooks;
pub use registers::every_other_query_reads_back_what_it_wrote;
pub use stock::stock_movements_are_recorded_once_in_sequence_and_found_by_either_end;
pub use webhooks::{
    a_webhook_that_keeps_failing_is_paused_until_resumed,
    webhook_events_are_recorded_once_and_delivered_in_order_per_job,
};

/// Writes one `#[test]` per conformance function, in a module `conformance`, each on a fresh
/// storage: `conformance_tests!(|| fresh())`, where the closure returns `Option<Fresh>` (`None`
/// skips the test, as a backend whose server is not configured does).
#[macro_export]
macro_rules! conformance_tests {
    ($open:expr) => {
        $crate::conformance_tests!(
            @each $open;
            each_device_keeps_its_own_sync_state,
            an_existing_id_is_a_conflict,
            jobs_feed_and_grants_follow_the_technician,
            every_other_query_reads_back_what_it_wrote,
            stock_movements_are_recorded_once_in_sequence_and_found_by_either_end,
            a_cursor_past_every_number_is_after_all_of_them,
            several_jobs_read_at_once_match_one_at_a_time,
            webhook_events_are_recorded_once_and_delivered_in_order_per_job,
            a_webhook_that_keeps_failing_is_paused_until_resumed,
        );
    };
    (@each $open:expr; $($name:ident),* $(,)?) => {
        mod conformance {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[test]
                fn $name() {
                    let open = $open;
                    let fresh: Option<$crate::conformance::Fresh> = open();
                    // Bound until the end of the test: the storage, then whatever it needs
                    // (its directory, its database), drop only after the test body.
                    let Some(fresh) = fresh else { return };
                    $crate::conformance::$name(&*fresh.storage);
                }
            )*
        }
    };
}

/// A storage opened for one test, with what must outlive it: a temporary directory, a database
/// dropped at the end. The storage drops first (fields drop in order), then the guard.
pub struct Fresh {
    pub storage: Box<dyn Storage>,
    _guard: Box<dyn std::any::Any>,
}

impl Fresh {
    pub fn new(storage: impl Storage, guard: impl std::any::Any) -> Fresh {
        Fresh {
            storage: Box::new(storage),
            _guard: Box::new(guard),
        }
    }
}

/// 2026-11-18, inside the window every stored time must fall in.
pub const AT: i64 = 1_795_500_000_000;

pub fn technician(id: &str) -> Technician {
    Technician {
        id: id.into(),
        name: format!("Technician {id}"),
        region: String::new(),
    }
}

pub fn new_job(technician: &str) -> NewJob {
    NewJob {
        id: None,
        technician: Some(technician.into()),
        customer: Customer {
            name: "Clinic".into(),
            phone: String::new(),
            email: None,
        },
        site: Site {
            address: "1 Quay".into(),
            region: RegionClass::City,
            time_zone: "Asia/Shanghai".into(),
        },
        asset: Default::default(),
        problem: "p".into(),
        channel: None,
        priority: fieldwork_model::Priority::Normal,
        reported_at: "2026-11-23T09:00:00+08:00".into(),
        scheduled_start: None,
        scheduled_end: None,
        contract: None,
        kind: None,
        checklist: Vec::new(),
    }
}

/// Creates and stores a job assigned to `technician`.
pub fn create(s: &dyn Storage, id: &str, technician: &str) -> JobDocument {
    let doc =
        JobDocument::create(id, &new_job(technician), "dispatch", AT, s.actor().unwrap()).unwrap();
    s.create_job(&doc).unwrap();
    doc
}

/// The simplest edit: a dispatcher's note.
pub fn note(doc: &mut JobDocument) -> Result<()> {
    doc.add_note("dispatch", AT, "called ahead")?;
    Ok(())
}

/// Enrolls `device` for `technician`, with the token hash `tok-<device>`.
pub fn enroll(s: &dyn Storage, device: &str, technician: &str) {
    let code = format!("code-{device}");
    s.add_enroll_code(&code, technician, AT * 2).unwrap();
    let enrolled = s
        .redeem_enroll_code(&code, AT, device, "phone", &format!("tok-{device}"), None)
        .unwrap();
    assert_eq!(enrolled.as_deref(), Some(technician));
}

/// A technician's whole feed as `job -> number`, checking the numbers rise.
pub fn feed(s: &dyn Storage, technician: &str) -> BTreeMap<String, u64> {
    let rows = s.feed_since(technician, 0, 100_000).unwrap();
    assert!(rows.windows(2).all(|w| w[0].0 < w[1].0), "{rows:?}");
    let jobs: BTreeMap<String, u64> = rows.iter().map(|(seq, job)| (job.clone(), *seq)).collect();
    assert_eq!(jobs.len(), rows.len(), "a job twice in the feed: {rows:?}");
    jobs
}

/// The highest number in a technician's feed (0 for an empty one): a later change must get a
/// number above it.
pub fn latest(feed: &BTreeMap<String, u64>) -> u64 {
    feed.values().copied().max().unwrap_or(0)
}

/// The jobs of a feed, in id order.
fn feed_jobs(feed: &BTreeMap<String, u64>) -> Vec<&str> {
    feed.keys().map(String::as_str).collect()
}

pub fn each_device_keeps_its_own_sync_state(s: &dyn Storage) {
    s.add_technician(&technician("t1")).unwrap();
    enroll(s, "D-1", "t1");
    enroll(s, "D-2", "t1");
    let hash = ChangeHash([7u8; 32]);
    let other = ChangeHash([9u8; 32]);

    s.set_pending(
        "D-1",
        &[("J-1", &[hash][..]), ("J-2", &[other, hash][..])],
        5,
    )
    .unwrap();
    assert_eq!(s.confirmed_heads("D-1", "J-1").unwrap(), None);
    // Sent heads count once the device acknowledges the response that carried them.
    s.promote_pending("D-1", 4).unwrap();
    assert_eq!(s.confirmed_heads("D-1", "J-1").unwrap(), None);
    s.promote_pending("D-1", 5).unwrap();
    assert_eq!(s.confirmed_heads("D-1", "J-1").unwrap(), Some(vec![hash]));
    assert_eq!(
        s.confirmed_heads("D-1", "J-2").unwrap(),
        Some(vec![hash, other])
    );
    s.set_pending("D-2", &[("J-1", &[other][..])], 3).unwrap();
    s.promote_pending("D-2", 3).unwrap();
    assert_eq!(s.confirmed_heads("D-2", "J-1").unwrap(), Some(vec![other]));

    // A push records what the device holds and when its events reached the office.
    let doc = create(s, "J-9", "t1");
    let arrivals = Arrivals {
        events: RefCell::new(vec!["E-1".into()]),
        at: AT + 5,
    };
    let merged = s
        .merge_push("J-9", "D-2", &doc.heads(), &mut note, &arrivals)
        .unwrap()
        .unwrap();
    assert_eq!(s.confirmed_heads("D-2", "J-9").unwrap(), Some(doc.heads()));
    assert_eq!(
        s.receipts("J-9").unwrap(),
        HashMap::from([("E-1".to_string(), AT + 5)])
    );
    assert_eq!(s.load_job("J-9").unwrap().unwrap().heads, merged.heads());

    // Resetting one device leaves the other's state alone.
    s.reset_device("D-1").unwrap();
    assert_eq!(s.confirmed_heads("D-1", "J-1").unwrap(), None);
    assert_eq!(s.confirmed_heads("D-1", "J-2").unwrap(), None);
    assert!(s.confirmed_heads("D-2", "J-1").unwrap().is_some());

    assert!(s.revoke_device("D-2").unwrap());
    assert!(!s.revoke_device("D-unknown").unwrap());
    let devices = s.devices().unwrap();
    assert_eq!(devices.len(), 2);
    assert!(!devices[0].revoked);
    assert!(devices[1].revoked);
    assert!(matches!(
        s.principal("tok-D-2").unwrap(),
        Some(Principal::RevokedDevice { .. })
    ));
    assert_eq!(
        s.principal("tok-D-1").unwrap(),
        Some(Principal::Device {
            device_id: "D-1".into(),
            technician: "t1".into()
        })
    );
}

pub fn an_existing_id_is_a_conflict(s: &dyn Storage) {
    s.add_technician(&technician("t1")).unwrap();
    assert!(matches!(
        s.add_technician(&technician("t1")),
        Err(Error::Conflict(_))
    ));
    let first = create(s, "J-1", "t1");
    let mut again =
        JobDocument::create("J-1", &new_job("t1"), "dispatch", AT, s.actor().unwrap()).unwrap();
    note(&mut again).unwrap();
    assert!(matches!(s.create_job(&again), Err(Error::Conflict(_))));
    assert_eq!(s.load_job("J-1").unwrap().unwrap().heads, first.heads());
    assert_eq!(feed_jobs(&feed(s, "t1")), ["J-1"]);
    s.add_user("anna", "hash", AT).unwrap();
    assert!(matches!(
        s.add_user("anna", "other", AT),
        Err(Error::Conflict(_))
    ));
    let asset = AssetRecord {
        serial: "SN-1".into(),
        model: "Chiller".into(),
        customer: "Clinic".into(),
        installation_date: None,
        acceptance_date: None,
        contract: None,
        site: None,
    };
    s.add_asset(&asset).unwrap();
    assert!(matches!(s.add_asset(&asset), Err(Error::Conflict(_))));
    assert_eq!(s.asset("SN-1").unwrap(), Some(asset));
}

pub fn jobs_feed_and_grants_follow_the_technician(s: &dyn Storage) {
    for t in ["t1", "t2"] {
        s.add_technician(&technician(t)).unwrap();
    }
    let doc = create(s, "J-1", "t1");
    assert!(s.job_exists("J-1").unwrap());
    assert!(!s.job_exists("J-2").unwrap());
    let created = feed(s, "t1");
    assert_eq!(feed_jobs(&created), ["J-1"]);
    assert!(created["J-1"] > 0);
    assert!(feed(s, "t2").is_empty());
    // An edit that changes nothing writes nothing.
    s.update_job("J-1", &mut |_| Ok(())).unwrap().unwrap();
    assert_eq!(feed(s, "t1"), created);
    assert!(s.update_job("J-2", &mut note).unwrap().is_none());
    // Reassigned: the new technician gets it, the old one hears it is gone.
    s.update_job("J-1", &mut |d| {
        d.assign("t2", "dispatch", AT + 1)?;
        Ok(())
    })
    .unwrap()
    .unwrap();
    let t1 = feed(s, "t1");
    assert_eq!(feed_jobs(&t1), ["J-1"]);
    assert!(t1["J-1"] > latest(&created));
    assert_eq!(feed_jobs(&feed(s, "t2")), ["J-1"]);
    assert!(s.has_grant("J-1", "t1").unwrap());
    assert!(s.has_grant("J-1", "t2").unwrap());
    assert!(!s.has_grant("J-1", "t3").unwrap());
    let stored = s.load_job("J-1").unwrap().unwrap();
    assert_eq!(stored.technician.as_deref(), Some("t2"));
    assert_ne!(stored.heads, doc.heads());
    assert_eq!(s.job_heads("J-1").unwrap(), Some(stored.heads.clone()));
    assert_eq!(s.job_heads("J-404").unwrap(), None);
    // A phone that read up to the job's old number gets its new one, and then nothing.
    assert_eq!(
        s.feed_since("t1", created["J-1"], 10).unwrap(),
        [(t1["J-1"], "J-1".to_string())]
    );
    assert_eq!(s.feed_since("t1", t1["J-1"], 10).unwrap(), Vec::new());

    // A round of pushes: a failing edit is rolled back alone.
    enroll(s, "D-1", "t2");
    create(s, "J-2", "t2");
    let before = feed(s, "t2");
    assert_eq!(feed_jobs(&before), ["J-1", "J-2"]);
    let arrivals = Arrivals::default();
    let mut fail = |d: &mut JobDocument| -> Result<()> {
        note(d)?;
        Err(Error::Conflict("refused".into()))
    };
    let mut ok = note;
    let mut pushes = [
        PushMerge {
            job: "J-2",
            device_heads: &[],
            edit: &mut ok,
            arrivals: &arrivals,
        },
        PushMerge {
            job: "J-1",
            device_heads: &[],
            edit: &mut fail,
            arrivals: &arrivals,
        },
        PushMerge {
            job: "J-404",
            device_heads: &[],
            edit: &mut note,
            arrivals: &arrivals,
        },
    ];
    let outcomes = s.merge_pushes("D-1", &mut pushes).unwrap();
    assert!(matches!(outcomes[0], Ok(Some(_))));
    assert!(matches!(outcomes[1], Err(Error::Conflict(_))));
    assert!(matches!(outcomes[2], Ok(None)));
    let after = feed(s, "t2");
    assert!(after["J-2"] > latest(&before));
    assert_eq!(after["J-1"], before["J-1"]);

    // A push whose statements fail after the job was stored (no such device): that job, or
    // the whole round, fails, and nothing of it stays, feed rows included.
    let heads = s.load_job("J-2").unwrap().unwrap().heads;
    let mut pushes = [PushMerge {
        job: "J-2",
        device_heads: &[],
        edit: &mut note,
        arrivals: &arrivals,
    }];
    match s.merge_pushes("D-unknown", &mut pushes) {
        Ok(outcomes) => assert!(matches!(
            outcomes[0],
            Err(Error::DiskFull(_) | Error::Backend(_))
        )),
        Err(e) => assert!(matches!(e, Error::DiskFull(_) | Error::Backend(_)), "{e}"),
    }
    assert_eq!(s.load_job("J-2").unwrap().unwrap().heads, heads);
    assert_eq!(feed(s, "t2"), after);

    let mut ids = s.all_job_ids().unwrap();
    ids.sort();
    assert_eq!(ids, ["J-1", "J-2"]);
}

/// A device's cursor comes from its request, any `u64`: one beyond every number the storage can
/// hand out is still after all of them (the feed holds nothing after it, and it acknowledges
/// every response sent before it), never wrapped to a small or negative number.
/// The batch reads the feed answer uses agree with the one-job reads, in the order asked, with
/// `None` for unknown jobs and jobs the device holds nothing of.
pub fn several_jobs_read_at_once_match_one_at_a_time(s: &dyn Storage) {
    s.add_technician(&technician("t1")).unwrap();
    enroll(s, "D-1", "t1");
    let one = create(s, "J-1", "t1");
    create(s, "J-2", "t1");
    let heads = one.heads();
    s.set_pending("D-1", &[("J-1", &heads)], 5).unwrap();
    s.promote_pending("D-1", 5).unwrap();
    let ids: Vec<String> = ["J-2", "J-404", "J-1"].map(String::from).to_vec();
    let many = s.load_jobs(&ids).unwrap();
    assert_eq!(many.len(), 3);
    for (id, got) in ids.iter().zip(&many) {
        let single = s.load_job(id).unwrap();
        assert_eq!(
            got.as_ref().map(|j| &j.doc),
            single.as_ref().map(|j| &j.doc),
            "{id}"
        );
        assert_eq!(
            got.as_ref().map(|j| &j.heads),
            single.as_ref().map(|j| &j.heads)
        );
        assert_eq!(
            got.as_ref().map(|j| &j.technician),
            single.as_ref().map(|j| &j.technician)
        );
    }
    assert!(many[1].is_none());
    let confirmed = s.confirmed_heads_of("D-1", &ids).unwrap();
    assert_eq!(confirmed, vec![None, None, Some(heads.clone())]);
    for (id, got) in ids.iter().zip(&confirmed) {
        assert_eq!(*got, s.confirmed_heads("D-1", id).unwrap(), "{id}");
    }
    assert_eq!(s.load_jobs(&[]).unwrap().len(), 0);
}

pub fn a_cursor_past_every_number_is_after_all_of_them(s: &dyn Storage) {
    s.add_technician(&technician("t1")).unwrap();
    enroll(s, "D-1", "t1");
    create(s, "J-1", "t1");
    let beyond = [u64::MAX, 1 << 63];
    for cursor in beyond {
        assert_eq!(
            s.feed_since("t1", cursor, 10).unwrap(),
            Vec::new(),
            "{cursor}"
        );
    }
    let hash = ChangeHash([7u8; 32]);
    let other = ChangeHash([9u8; 32]);

    // Sent at a small cursor: acknowledged by a huge one.
    s.set_pending("D-1", &[("J-1", &[hash][..])], 5).unwrap();
    s.promote_pending("D-1", u64::MAX).unwrap();
    assert_eq!(s.confirmed_heads("D-1", "J-1").unwrap(), Some(vec![hash]));

    // Sent at a huge cursor: not acknowledged by a small one.
    for cursor in beyond {
        s.set_pending("D-1", &[("J-1", &[other][..])], cursor)
            .unwrap();
        s.promote_pending("D-1", 5).unwrap();
        assert_eq!(
            s.confirmed_heads("D-1", "J-1").unwrap(),
            Some(vec![hash]),
            "{cursor}"
        );
    }
}
