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
use fieldwork_model::{Contract, Customer, JobDocument, NewJob, RegionClass, Site, Status};
use fieldwork_office::maintenance::MaintenancePlan;

use crate::{
    Arrivals, AssetRecord, Complaint, Followup, JobFilter, LoginClaim, Principal, PushMerge,
    SessionRecord, Storage, Technician,
};
use crate::{Error, Result};

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
            a_cursor_past_every_number_is_after_all_of_them,
            several_jobs_read_at_once_match_one_at_a_time,
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

pub fn every_other_query_reads_back_what_it_wrote(s: &dyn Storage) {
    // The exact number of migrations is each backend's own (its upgrade test checks it).
    assert!(s.schema_version().unwrap() > 0);
    s.add_technician(&technician("t2")).unwrap();
    s.add_technician(&Technician {
        id: "t1".into(),
        name: "Anna".into(),
        region: "north".into(),
    })
    .unwrap();
    assert_eq!(
        s.technicians()
            .unwrap()
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>(),
        ["t1", "t2"]
    );
    assert!(!s.technician_exists("t3").unwrap());

    // Tokens and enrollment.
    s.add_token("h-dispatch", &Principal::Dispatcher).unwrap();
    assert_eq!(
        s.principal("h-dispatch").unwrap(),
        Some(Principal::Dispatcher)
    );
    assert_eq!(s.principal("h-none").unwrap(), None);
    assert!(
        s.add_token(
            "h-x",
            &Principal::RevokedDevice {
                device_id: "D".into()
            }
        )
        .is_err()
    );
    s.add_enroll_code("c-old", "t1", AT).unwrap();
    assert_eq!(
        s.redeem_enroll_code("c-old", AT, "D-x", "p", "h-x", None)
            .unwrap(),
        None
    );
    s.add_enroll_code("c-1", "t1", AT + 1).unwrap();
    assert_eq!(
        s.redeem_enroll_code("c-1", AT, "D-1", "p", "h-1", Some("ab"))
            .unwrap()
            .as_deref(),
        Some("t1")
    );
    assert_eq!(
        s.redeem_enroll_code("c-1", AT, "D-2", "p", "h-2", None)
            .unwrap(),
        None
    );
    assert_eq!(s.device_key("D-1").unwrap().as_deref(), Some("ab"));
    assert_eq!(s.device_key("D-2").unwrap(), None);
    s.touch_device("D-1", AT + 1_000).unwrap();
    s.touch_device("D-1", AT + 2_000).unwrap();
    assert_eq!(s.devices().unwrap()[0].last_sync_at, Some(AT + 1_000));
    s.touch_device("D-1", AT + 70_000).unwrap();
    assert_eq!(s.devices().unwrap()[0].last_sync_at, Some(AT + 70_000));

    // Accounts and sessions.
    s.add_user("anna", "h1", AT).unwrap();
    for _ in 0..3 {
        s.record_login("anna", false, AT, 3, 60_000).unwrap();
    }
    let user = s.user("anna").unwrap().unwrap();
    assert_eq!(
        (user.failed_logins, user.locked_until),
        (3, Some(AT + 60_000))
    );
    s.record_login("anna", true, AT, 3, 60_000).unwrap();
    let user = s.user("anna").unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until), (0, None));
    // A claimed attempt counts before its password is checked; the third locks the account and
    // the fourth finds it locked without being counted.
    assert_eq!(
        s.claim_login("bob", AT, 3, 60_000).unwrap(),
        LoginClaim::Unknown
    );
    for n in 1..=3 {
        let LoginClaim::Check(user) = s.claim_login("anna", AT, 3, 60_000).unwrap() else {
            panic!("attempt {n} should be checked");
        };
        assert_eq!(user.failed_logins, n - 1);
    }
    assert_eq!(
        s.claim_login("anna", AT + 1, 3, 60_000).unwrap(),
        LoginClaim::Locked { until: AT + 60_000 }
    );
    assert_eq!(s.user("anna").unwrap().unwrap().failed_logins, 3);
    s.record_login("anna", true, AT, 3, 60_000).unwrap();
    assert!(s.set_password("anna", "h2").unwrap());
    assert!(!s.set_password("bob", "h2").unwrap());
    assert_eq!(s.user("anna").unwrap().unwrap().password_hash, "h2");
    assert_eq!(s.user("bob").unwrap(), None);
    let session = SessionRecord {
        user: "anna".into(),
        csrf: "x".into(),
        expires_at: AT + 10,
    };
    s.add_session("sh", &session, AT).unwrap();
    assert_eq!(s.session("sh", AT).unwrap(), Some(session));
    assert_eq!(s.session("sh", AT + 10).unwrap(), None);
    s.delete_session("sh").unwrap();
    assert_eq!(s.session("sh", AT).unwrap(), None);

    // The mail outbox.
    assert!(s.enqueue_mail("J-1", 1, "a@example.com", AT).unwrap());
    assert!(!s.enqueue_mail("J-1", 1, "a@example.com", AT).unwrap());
    let due = s.due_mail(AT, 10).unwrap();
    assert_eq!(due.len(), 1);
    s.record_mail_attempt(due[0].id, Err(("down".into(), AT + 60)))
        .unwrap();
    assert!(s.due_mail(AT, 10).unwrap().is_empty());
    s.record_mail_attempt(due[0].id, Ok(AT + 61)).unwrap();
    let mail = s.job_mail("J-1").unwrap();
    assert_eq!(
        (mail[0].version, mail[0].attempts, mail[0].sent_at),
        (1, 2, Some(AT + 61))
    );
    assert_eq!(mail[0].last_error, None);

    // Contracts, assets, plans.
    let rule = serde_json::json!({"parts": "list", "labour": "charged", "travel": "charged"});
    let contract: Contract = serde_json::from_value(serde_json::json!({
        "id": "C-1", "name": "Care", "currency": "CNY",
        "sla": {
            "response_minutes": 10,
            "arrival_minutes": {"city": 120, "province": 240, "remote": 2880},
            "resolution_minutes": 240, "loaner_after_minutes": 2880,
            "calendar": {"kind": "24x7"}
        },
        "warranty": {"months": 12, "start": "installation"},
        "billing": {"in_warranty": rule, "after": rule},
        "rates": {"labour_per_hour": 100, "travel_flat": 0},
        "followup_hours": 24
    }))
    .unwrap();
    s.add_contract(&contract).unwrap();
    assert_eq!(s.contract("C-1").unwrap(), Some(contract.clone()));
    assert_eq!(s.contract("C-2").unwrap(), None);
    let plan: MaintenancePlan = serde_json::from_value(serde_json::json!({
        "asset": "SN-1", "every_months": 6, "first_due": "2027-01-01", "checklist": []
    }))
    .unwrap();
    s.add_plan("P-1", &plan).unwrap();
    assert!(matches!(s.add_plan("P-1", &plan), Err(Error::Conflict(_))));
    assert_eq!(s.plans().unwrap(), vec![("P-1".to_string(), plan)]);

    // Jobs on an asset, a contract's follow-up window, loaners.
    let actor = s.actor().unwrap();
    let mut jobs = Vec::new();
    for (i, t) in ["t1", "t2", "t1"].into_iter().enumerate() {
        let mut new = new_job(t);
        new.asset.serial = "SN-1".into();
        let terms = fieldwork_model::JobTerms {
            contract: (i == 0).then(|| contract.clone()),
            ..Default::default()
        };
        let mut doc = JobDocument::create_with_terms(
            &format!("J-{i}"),
            &new,
            &terms,
            "dispatch",
            AT,
            actor.clone(),
        )
        .unwrap();
        if i == 0 {
            doc.record_status(Status::Completed, "t1", AT + 1_000)
                .unwrap();
            doc.issue_loaner("L-1", "Heater", "t1", AT + 500).unwrap();
        }
        s.create_job(&doc).unwrap();
        jobs.push(doc);
    }
    let reported = jobs[0].data().unwrap().reported_at;
    assert_eq!(s.asset_jobs("SN-1", None).unwrap().len(), 3);
    assert_eq!(s.asset_jobs("SN-1", Some(2)).unwrap().len(), 2);
    assert_eq!(s.asset_jobs("SN-1", Some(1)).unwrap(), vec![jobs[2].save()]);
    assert_eq!(
        s.jobs_reported_between(reported, reported + 1)
            .unwrap()
            .len(),
        3
    );
    assert!(
        s.jobs_reported_between(reported + 1, reported + 2)
            .unwrap()
            .is_empty()
    );
    // What handlers get instead of bytes: documents and their content, in the query's order.
    let ids = |data: Vec<fieldwork_model::JobData>| -> Vec<String> {
        data.into_iter().map(|d| d.id).collect()
    };
    assert_eq!(
        ids(s.asset_history("SN-1", Some(2)).unwrap()),
        ["J-1", "J-2"],
        "the newest two, oldest first"
    );
    assert_eq!(
        ids(s.reported_between(reported, reported + 1).unwrap()).len(),
        3
    );
    let wanted = ["J-2".to_string(), "J-none".to_string(), "J-0".to_string()];
    assert_eq!(ids(s.job_contents_of(&wanted).unwrap()), ["J-2", "J-0"]);
    let all = JobFilter {
        limit: 100,
        ..Default::default()
    };
    assert_eq!(
        s.map_documents(&all, |d| Ok::<_, Error>(d.heads()))
            .unwrap(),
        jobs.iter().map(|d| d.heads()).collect::<Vec<_>>()
    );
    assert_eq!(
        s.map_contents(&all, |d| Ok::<_, Error>(d.id)).unwrap(),
        ["J-0", "J-1", "J-2"]
    );
    let list = |filter: JobFilter| s.list_jobs(&filter).unwrap().len();
    assert_eq!(list(all.clone()), 3);
    assert_eq!(
        list(JobFilter {
            limit: 2,
            ..all.clone()
        }),
        2
    );
    assert_eq!(
        list(JobFilter {
            technician: Some("t1".into()),
            ..all.clone()
        }),
        2
    );
    assert_eq!(
        list(JobFilter {
            open_only: true,
            ..all.clone()
        }),
        2
    );
    assert_eq!(
        list(JobFilter {
            status: Some("completed".into()),
            ..all.clone()
        }),
        1
    );
    assert_eq!(
        list(JobFilter {
            report: Some("none".into()),
            ..all.clone()
        }),
        3
    );
    let rows = s.followups(true).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].completed_at, rows[0].due_at),
        (AT + 1_000, AT + 1_000 + 24 * 3_600_000)
    );
    let followup = Followup {
        satisfaction: "satisfied".into(),
        score: 9,
        comment: String::new(),
        recorded_at: AT + 2_000,
    };
    s.record_followup("J-0", &followup).unwrap();
    assert!(s.followups(true).unwrap().is_empty());
    assert_eq!(s.followups(false).unwrap()[0].record, Some(followup));
    let loans = s.loans(None, true).unwrap();
    assert_eq!(loans.len(), 1);
    assert_eq!(
        (loans[0].serial.as_str(), loans[0].technician.as_deref()),
        ("L-1", Some("t1"))
    );
    assert!(s.loans(Some("t2"), false).unwrap().is_empty());

    // Complaints.
    let complaint = Complaint {
        id: "K-1".into(),
        job: "J-0".into(),
        text: "late".into(),
        received_at: AT,
        due_at: AT + 1,
        level: "engineer".into(),
        answer: None,
        answered_at: None,
    };
    s.add_complaint(&complaint).unwrap();
    let answered = s
        .update_complaint("K-1", &mut |c| {
            c.answer = Some("sorry".into());
            Ok(())
        })
        .unwrap()
        .unwrap();
    assert_eq!(s.complaints(Some("J-0")).unwrap(), vec![answered.clone()]);
    assert_eq!(s.complaints(None).unwrap(), vec![answered]);
    assert!(s.complaints(Some("J-1")).unwrap().is_empty());
    assert!(
        s.update_complaint("K-2", &mut |_| Ok(()))
            .unwrap()
            .is_none()
    );
}
