//! The conformance test of everything else the office stores: accounts, sessions, devices,
//! registers, mail and the dispatch queries, each read back as written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_model::{Contract, JobDocument, Status};
use fieldwork_office::maintenance::MaintenancePlan;

use super::*;
use crate::Error;
use crate::{
    Complaint, Followup, JobFilter, LoginClaim, Principal, SessionRecord, Storage, Technician,
};

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
    // Pages follow the list's order: the second of two rows starts at the third job.
    let page = JobFilter {
        limit: 2,
        offset: 2,
        ..all.clone()
    };
    assert_eq!(
        s.map_contents(&page, |d| Ok::<_, Error>(d.id)).unwrap(),
        ["J-2"]
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
