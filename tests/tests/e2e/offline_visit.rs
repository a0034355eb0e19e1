//! End to end on loopback: the real office server and device cores with real SQLite stores.
//! Offline visits, edits on both sides, reconnects, reassignment and cancel-versus-complete.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_core::Error;
use fieldwork_core::model::{NewPart, NewTimeEntry, Status, TimeKind};
use fieldwork_tests::{Office, Phone, now_ms, sync_until_quiet};
use serde_json::{Value, json};

fn part(sku: &str) -> NewPart {
    NewPart {
        sku: sku.into(),
        description: "spare".into(),
        qty: 1,
        serial_in: Some(format!("{sku}-NEW")),
        serial_out: Some(format!("{sku}-OLD")),
        stock: Some("van".into()),
        ..Default::default()
    }
}

fn skus(job: &Value) -> Vec<String> {
    let mut v: Vec<String> = job["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn texts(job: &Value) -> Vec<String> {
    job["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_visit_with_edits_on_both_sides_converges_with_nothing_lost() {
    let mut office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    let tablet = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone, &tablet]).await;
    assert_eq!(phone.device.jobs().unwrap().len(), 1);

    // No signal at the site.
    office.stop().await;
    let t = now_ms();
    phone.device.set_status("J-1", Status::EnRoute, t).unwrap();
    phone
        .device
        .set_status("J-1", Status::OnSite, t + 1_000)
        .unwrap();
    phone
        .device
        .add_part("J-1", &part("FAN-40"), t + 2_000)
        .unwrap();
    phone
        .device
        .add_note("J-1", "fan seized, replaced", t + 3_000)
        .unwrap();
    phone
        .device
        .add_time(
            "J-1",
            NewTimeEntry {
                kind: TimeKind::Labour,
                start: t + 1_000,
                end: t + 4_000,
            },
        )
        .unwrap();
    tablet
        .device
        .add_part("J-1", &part("RELAY-7"), t + 2_500)
        .unwrap();
    assert!(matches!(phone.device.sync().await, Err(Error::Offline(_))));
    assert_eq!(phone.device.pending_sync_count().unwrap(), 1);

    // Meanwhile the office edits the same job.
    office.restart().await;
    office
        .note("J-1", "customer asks for a call before arrival")
        .await;
    office
        .patch(
            "J-1",
            json!({"scheduled_start": "2026-11-25T09:00:00+08:00", "scheduled_end": "2026-11-25T12:00:00+08:00"}),
        )
        .await;

    sync_until_quiet(&[&phone, &tablet]).await;
    let server = office.job("J-1").await;
    assert_eq!(phone.job("J-1"), server);
    assert_eq!(tablet.job("J-1"), server);
    assert_eq!(server["status"], "on_site");
    assert_eq!(skus(&server), vec!["FAN-40", "RELAY-7"]);
    let mut notes = texts(&server);
    notes.sort();
    assert_eq!(
        notes,
        vec![
            "customer asks for a call before arrival",
            "fan seized, replaced"
        ]
    );
    assert_eq!(server["time"].as_array().unwrap().len(), 1);
    assert_eq!(server["scheduled_start"], "2026-11-25T01:00:00Z");
    assert_eq!(phone.device.pending_sync_count().unwrap(), 0);
    assert_eq!(
        phone.device.heads("J-1").unwrap(),
        tablet.device.heads("J-1").unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reassignment_while_offline_keeps_the_first_technicians_work_visible() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.technician("t2").await;
    office.create_job("J-2", Some("t1")).await;
    let first = Phone::enroll(&office, "t1").await;
    let second = Phone::enroll(&office, "t2").await;
    sync_until_quiet(&[&first, &second]).await;
    assert!(second.device.jobs().unwrap().is_empty());

    // t1 works offline while dispatch gives the job to t2.
    let t = now_ms();
    first.device.set_status("J-2", Status::OnSite, t).unwrap();
    first
        .device
        .add_part("J-2", &part("PUMP-1"), t + 1)
        .unwrap();
    first
        .device
        .add_note("J-2", "pump replaced, needs a test run", t + 2)
        .unwrap();
    office.patch("J-2", json!({"technician": "t2"})).await;

    second.device.sync().await.unwrap();
    assert_eq!(second.device.jobs().unwrap().len(), 1);
    let report = first.device.sync().await.unwrap();
    assert_eq!(report.uploaded, 1);
    // The first phone no longer shows the job...
    assert!(first.device.jobs().unwrap().is_empty());
    assert!(matches!(
        first.device.job("J-2", 0),
        Err(Error::NoSuchJob(_))
    ));
    // ...but its work reached the office and the new technician.
    sync_until_quiet(&[&first, &second]).await;
    let server = office.job("J-2").await;
    assert_eq!(server["technician"], "t2");
    assert_eq!(server["status"], "assigned");
    assert_eq!(skus(&server), vec!["PUMP-1"]);
    assert_eq!(texts(&server), vec!["pump replaced, needs a test run"]);
    let on_site = server["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == "on_site")
        .unwrap();
    assert_eq!(on_site["by"], "t1");
    assert_eq!(on_site["counted"], false);
    assert!(
        server["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("work_by_previous_technician"))
    );
    assert_eq!(second.job("J-2"), server);
}

#[tokio::test(flavor = "multi_thread")]
async fn dispatch_cancel_while_technician_completes_offline_keeps_the_completion() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-3", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;

    let t = now_ms();
    phone.device.set_status("J-3", Status::OnSite, t).unwrap();
    phone
        .device
        .set_status("J-3", Status::Completed, t + 60_000)
        .unwrap();
    office.cancel("J-3", "customer fixed it themselves").await;

    sync_until_quiet(&[&phone]).await;
    let server = office.job("J-3").await;
    assert_eq!(server["status"], "completed");
    assert_eq!(server["cancel_reason"], "customer fixed it themselves");
    assert!(
        server["flags"]
            .as_array()
            .unwrap()
            .contains(&json!("cancelled_and_completed"))
    );
    let statuses: Vec<&str> = server["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"cancelled") && statuses.contains(&"completed"));
    assert_eq!(phone.job("J-3"), server);
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_reconnect_is_one_small_request() {
    let office = Office::start().await;
    office.technician("t1").await;
    for i in 0..20 {
        office.create_job(&format!("J-{i}"), Some("t1")).await;
    }
    let phone = Phone::enroll(&office, "t1").await;
    let first = phone.device.sync().await.unwrap();
    assert_eq!(first.downloaded, 20);
    let idle = phone.device.sync().await.unwrap();
    assert_eq!(idle.requests, 1);
    assert_eq!((idle.uploaded, idle.downloaded), (0, 0));
    assert!(
        idle.bytes_sent <= 256 && idle.bytes_received <= 256,
        "{idle:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_changed_job_goes_up_in_one_round_trip() {
    let office = Office::start().await;
    office.technician("t1").await;
    for i in 0..50 {
        office.create_job(&format!("J-{i}"), Some("t1")).await;
    }
    let phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;
    phone
        .device
        .add_part("J-7", &part("FILTER-3"), now_ms())
        .unwrap();
    let r = phone.device.sync().await.unwrap();
    let errors: Vec<_> = phone
        .device
        .jobs()
        .unwrap()
        .into_iter()
        .filter_map(|j| j.sync_error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!((r.requests, r.uploaded), (1, 1));
    assert!(r.bytes_sent + r.bytes_received <= 1024, "{r:?}");
    assert_eq!(skus(&office.job("J-7").await), vec!["FILTER-3"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn unsynced_work_survives_an_app_restart() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-9", Some("t1")).await;
    let mut phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;
    let line = phone
        .device
        .add_part("J-9", &part("VALVE-2"), now_ms())
        .unwrap();
    phone.reopen();
    assert_eq!(phone.device.pending_sync_count().unwrap(), 1);
    assert_eq!(phone.job("J-9")["parts"][0]["id"], line.as_str());
    sync_until_quiet(&[&phone]).await;
    assert_eq!(skus(&office.job("J-9").await), vec!["VALVE-2"]);
}

/// Local edits update only the projection rows they touch (a part line, nothing for a note);
/// the projections must still say what a full rewrite from the document would.
#[tokio::test(flavor = "multi_thread")]
async fn projections_kept_by_small_edits_match_the_document() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-P", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    phone.device.sync().await.unwrap();
    let at = now_ms();
    let a = phone.device.add_part("J-P", &part("FILTER-1"), at).unwrap();
    phone.device.add_part("J-P", &part("SEAL-2"), at).unwrap();
    phone.device.add_note("J-P", "replaced both", at).unwrap();
    phone.device.remove_part("J-P", &a, at).unwrap();
    phone.device.set_status("J-P", Status::OnSite, at).unwrap();
    phone.device.add_part("J-P", &part("VALVE-3"), at).unwrap();

    let db = fieldwork_tests::open_store(phone.path());
    let mut rows: Vec<(String, String, i64, bool)> = db
        .prepare("SELECT line_id, sku, qty, removed FROM parts WHERE job_id = 'J-P'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    let job = phone.job("J-P");
    let mut expected: Vec<(String, String, i64, bool)> = job["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["sku"].as_str().unwrap().to_string(),
                p["qty"].as_i64().unwrap(),
                p["removed"].as_bool().unwrap(),
            )
        })
        .collect();
    expected.sort();
    assert_eq!(rows, expected);
    let status: String = db
        .query_row("SELECT status FROM jobs WHERE job_id = 'J-P'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(status, "on_site");
}
