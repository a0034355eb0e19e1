//! The server side of the sync protocol (`docs/sync-protocol.md`), driven directly with
//! `fieldwork_model` documents over HTTP against the real server: snapshots for a new device,
//! idle rounds, pushes checked for scope and fields, reassignment, resend, lost responses, feed
//! paging, and 400s for garbage that leave the server serving.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{self, Office, reply};
use fieldwork_model::Status;
use fieldwork_model::wire::{DocPush, DocState, SyncRequest, heads_to_hex};
use reqwest::Method;
use serde_json::json;

const AT: i64 = 1_795_000_000_000;

#[tokio::test(flavor = "multi_thread")]
async fn a_new_device_gets_snapshots_of_its_technicians_jobs_only() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.technician("t2").await;
    office.create_job("J-1", Some("t1")).await;
    office.create_job("J-2", Some("t1")).await;
    office.create_job("J-3", Some("t2")).await;
    office.create_job("J-4", None).await;
    let mut phone = office.enroll("t1").await;
    let resp = phone.round(&office, &[]).await;
    let mut jobs: Vec<&str> = resp.docs.iter().map(|d| d.job.as_str()).collect();
    jobs.sort();
    assert_eq!(jobs, ["J-1", "J-2"]);
    assert!(resp.cursor > 0);
    assert!(!resp.more);
    for job in ["J-1", "J-2"] {
        assert_eq!(reply(&resp, job).state, DocState::Ok);
        assert_eq!(phone.heads(job), office.heads(job).await);
        let view = serde_json::to_value(phone.doc(job).view(0).unwrap()).unwrap();
        assert_eq!(view, office.job(job).await);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_round_answers_only_the_cursor() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut phone = office.enroll("t1").await;
    phone.pull(&office).await;
    let cursor = phone.cursor;
    let resp = office
        .http
        .post(format!("{}/api/v1/sync", office.url))
        .bearer_auth(&phone.token)
        .body(format!(r#"{{"v":1,"cursor":{cursor}}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    // The cursor and the office database's epoch (a restore from backup changes it).
    let text = resp.text().await.unwrap();
    let epoch: serde_json::Value = serde_json::from_str(&text).unwrap();
    let epoch = epoch["epoch"].as_str().unwrap();
    assert_eq!(epoch.len(), 16);
    assert_eq!(
        text,
        format!(r#"{{"v":1,"cursor":{cursor},"epoch":"{epoch}"}}"#)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn technician_changes_are_merged_and_dispatch_changes_flow_back() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut phone = office.enroll("t1").await;
    phone.pull(&office).await;

    phone
        .doc("J-1")
        .record_status(Status::Accepted, "t1", AT)
        .unwrap();
    phone
        .doc("J-1")
        .add_note("t1", AT + 1, "on my way")
        .unwrap();
    let resp = phone.round(&office, &["J-1"]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Ok);
    assert_eq!(resp.docs.len(), 1, "the pushed job is answered once");
    let job = office.job("J-1").await;
    assert_eq!(job["status"], "accepted");
    assert_eq!(job["notes"][0]["text"], "on my way");
    assert_eq!(phone.heads("J-1"), office.heads("J-1").await);

    // Pushing the same changes again (a retry) is harmless.
    let push = DocPush {
        job: "J-1".into(),
        heads: heads_to_hex(&phone.doc("J-1").heads()),
        changes: phone.doc("J-1").save(),
    };
    let (status, again) = phone
        .send(
            &office,
            &SyncRequest {
                v: 1,
                cursor: phone.cursor,
                push: vec![push],
                stock: None,
            },
        )
        .await;
    assert_eq!(status, 200);
    let again = again.unwrap();
    assert_eq!(reply(&again, "J-1").state, DocState::Ok);
    assert!(reply(&again, "J-1").changes.is_empty());
    phone.apply(&again);
    assert_eq!(
        office.job("J-1").await["notes"].as_array().unwrap().len(),
        1
    );

    office
        .ok(
            Method::POST,
            "/api/v1/jobs/J-1/notes",
            Some(json!({"text": "gate code 4411"})),
        )
        .await;
    office
        .patch("J-1", json!({"scheduled_start": "2026-11-25T09:00:00Z"}))
        .await;
    let resp = phone.round(&office, &[]).await;
    let r = reply(&resp, "J-1");
    assert_eq!(r.state, DocState::Ok);
    let snapshot_len = phone.doc("J-1").save().len();
    assert!(
        r.changes.len() < snapshot_len,
        "only the new changes are sent ({} >= {snapshot_len})",
        r.changes.len()
    );
    let view = serde_json::to_value(phone.doc("J-1").view(0).unwrap()).unwrap();
    assert_eq!(view, office.job("J-1").await);
    phone.pull(&office).await;
    assert_eq!(phone.heads("J-1"), office.heads("J-1").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_pushing_to_another_technicians_job_is_refused() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.technician("t2").await;
    office.create_job("J-2", Some("t2")).await;
    let mut other = office.enroll("t2").await;
    other.pull(&office).await;
    let before = office.heads("J-2").await;

    // t1's device somehow holds t2's job and writes to it.
    let mut thief = office.enroll("t1").await;
    let mut doc =
        fieldwork_model::JobDocument::load(&other.doc("J-2").save(), automerge::ActorId::random())
            .unwrap();
    doc.add_note("t1", AT, "mine now").unwrap();
    let push = DocPush {
        job: "J-2".into(),
        heads: heads_to_hex(&doc.heads()),
        changes: doc.save(),
    };
    let (status, resp) = thief
        .send(
            &office,
            &SyncRequest {
                v: 1,
                cursor: 0,
                push: vec![push],
                stock: None,
            },
        )
        .await;
    assert_eq!(status, 200);
    let resp = resp.unwrap();
    let r = reply(&resp, "J-2");
    assert_eq!(r.state, DocState::Refused);
    assert!(
        r.error.as_deref().unwrap().starts_with("forbidden"),
        "{r:?}"
    );
    assert!(r.changes.is_empty());
    assert_eq!(office.heads("J-2").await, before);
    assert!(
        office.job("J-2").await["notes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    thief.apply(&resp);
    assert!(!thief.docs.contains_key("J-2"));

    let unknown = DocPush {
        job: "J-404".into(),
        heads: vec![],
        changes: vec![],
    };
    let (_, resp) = thief
        .send(
            &office,
            &SyncRequest {
                v: 1,
                cursor: thief.cursor,
                push: vec![unknown],
                stock: None,
            },
        )
        .await;
    let resp = resp.unwrap();
    assert_eq!(reply(&resp, "J-404").state, DocState::Refused);
    assert!(
        reply(&resp, "J-404")
            .error
            .as_deref()
            .unwrap()
            .starts_with("not_found")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_changing_a_dispatch_field_is_refused_and_nothing_is_stored() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut phone = office.enroll("t1").await;
    phone.pull(&office).await;
    // Dispatch adds a note meanwhile.
    office
        .ok(
            Method::POST,
            "/api/v1/jobs/J-1/notes",
            Some(json!({"text": "gate code 4711"})),
        )
        .await;
    let before = office.heads("J-1").await;

    phone
        .doc("J-1")
        .set_priority(fieldwork_model::Priority::Low)
        .unwrap();
    let resp = phone.round(&office, &["J-1"]).await;
    let r = reply(&resp, "J-1");
    assert_eq!(r.state, DocState::Refused);
    assert!(r.error.as_deref().unwrap().contains("priority"), "{r:?}");
    assert_eq!(office.heads("J-1").await, before);
    assert_eq!(office.job("J-1").await["priority"], "high");
    // The refusal still hands the device dispatch's note: the round's cursor moved past the
    // job's feed entry, so this is the device's only chance to get it.
    let notes = phone.doc("J-1").view(0).unwrap().notes;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].text, "gate code 4711");

    // A note written under another technician's name is refused too.
    let mut honest = office.enroll("t1").await;
    honest.pull(&office).await;
    honest.doc("J-1").add_note("t9", AT, "forged").unwrap();
    let resp = honest.round(&office, &["J-1"]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Refused);
    assert_eq!(office.heads("J-1").await, before);

    // A device time far outside the window (a wrong clock, a hostile client) is refused, not
    // stored: it would reach every later SLA, charge and KPI computation of the job.
    let mut skewed = office.enroll("t1").await;
    skewed.pull(&office).await;
    raw_entry(
        skewed.doc("J-1"),
        "notes",
        json!({"author": "t1", "at": 8_210_266_876_800_000_i64, "text": "from year 262143"}),
    );
    let resp = skewed.round(&office, &["J-1"]).await;
    let r = reply(&resp, "J-1");
    assert_eq!(r.state, DocState::Refused);
    assert!(
        r.error.as_deref().unwrap().contains("2000 to 2100"),
        "{r:?}"
    );
    assert_eq!(office.heads("J-1").await, before);
    // The office keeps serving the job, and the device is not stuck: its next rounds answer.
    assert_eq!(office.job("J-1").await["priority"], "high");
    let again = skewed.round(&office, &[]).await;
    assert!(
        again.docs.iter().all(|d| d.state != DocState::Resend),
        "{again:?}"
    );
}

/// Writes `value` as a new entry of `collection` straight into the Automerge document, as a
/// client that speaks the protocol without the model's writers could.
fn raw_entry(doc: &mut fieldwork_model::JobDocument, collection: &str, value: serde_json::Value) {
    use automerge::{ObjType, ROOT, ReadDoc, transaction::Transactable};
    let am = doc.automerge_mut();
    let obj = match am.get(ROOT, collection).unwrap() {
        Some((automerge::Value::Object(ObjType::Map), obj)) => Some(obj),
        _ => None,
    };
    let mut tx = am.transaction();
    let obj = obj.unwrap_or_else(|| tx.put_object(ROOT, collection, ObjType::Map).unwrap());
    let v = fieldwork_model::convert::json_to_hydrate(&value);
    tx.batch_create_object(&obj, format!("raw-{collection}"), &v, false)
        .unwrap();
    tx.commit();
}

#[tokio::test(flavor = "multi_thread")]
async fn content_the_writers_refuse_is_refused_from_any_client_and_nothing_is_stored() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let part = |qty: serde_json::Value, cost: i64| {
        json!({"sku": "P-1", "description": "", "qty": qty, "serial_in": null,
               "serial_out": null, "stock": null, "added_by": "t1", "added_at": AT,
               "removed": null, "unit_cost": cost, "unit_price": null})
    };
    let cases = [
        (
            "notes",
            json!({"author": "t1", "at": AT, "text": "x".repeat(20_000)}),
            "longer than 16384 bytes",
        ),
        ("parts", part(json!(2), -500), "unit_cost"),
        ("parts", part(json!(0), 100), "qty"),
        ("parts", part(json!("lots"), 100), "invalid type"),
        (
            "time",
            json!({"kind": "labour", "start": AT, "end": AT - 60_000, "by": "t1"}),
            "ends before it starts",
        ),
        (
            "notes",
            json!({"author": "t1", "at": AT, "text": "hi", "blob": "y".repeat(1000)}),
            "notes.raw-notes.blob is not a field",
        ),
        (
            "bloat",
            json!({"anything": "the schema does not know"}),
            "bloat is not a field",
        ),
    ];
    for (collection, value, expected) in cases {
        let before = office.heads("J-1").await;
        let mut phone = office.enroll("t1").await;
        phone.pull(&office).await;
        raw_entry(phone.doc("J-1"), collection, value);
        let resp = phone.round(&office, &["J-1"]).await;
        let r = reply(&resp, "J-1");
        assert_eq!(r.state, DocState::Refused, "{collection}: {r:?}");
        let error = r.error.as_deref().unwrap();
        assert!(error.contains(expected), "{collection}: {error}");
        assert_eq!(office.heads("J-1").await, before, "{collection} was stored");
        // Not stuck: dispatch's note still reaches the device on its next rounds.
        office
            .ok(
                Method::POST,
                "/api/v1/jobs/J-1/notes",
                Some(json!({"text": format!("after {collection}")})),
            )
            .await;
        phone.round(&office, &[]).await;
        // Read raw: the phone's own copy holds the bad entry (a wrong type does not even parse).
        let doc = fieldwork_model::convert::doc_to_json(phone.doc("J-1").automerge());
        let notes = doc["notes"].as_object().unwrap();
        assert!(
            notes
                .values()
                .any(|n| n["text"] == format!("after {collection}").as_str()),
            "{collection}: {notes:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reassignment_revokes_the_job_from_the_previous_technicians_device_and_keeps_its_work() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.technician("t2").await;
    office.create_job("J-1", Some("t1")).await;
    let mut first = office.enroll("t1").await;
    first.pull(&office).await;
    let mut second = office.enroll("t2").await;
    second.pull(&office).await;
    assert!(second.docs.is_empty());

    // t1 works offline while dispatch reassigns the job.
    first
        .doc("J-1")
        .record_status(Status::Accepted, "t1", AT)
        .unwrap();
    first
        .doc("J-1")
        .add_note("t1", AT + 1, "part ordered")
        .unwrap();
    office.patch("J-1", json!({"technician": "t2"})).await;

    let resp = first.round(&office, &["J-1"]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Revoked);
    assert!(first.docs["J-1"].revoked);
    let job = office.job("J-1").await;
    assert_eq!(job["technician"], "t2");
    assert_eq!(
        job["notes"][0]["text"], "part ordered",
        "offline work is kept"
    );

    let resp = second.round(&office, &[]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Ok);
    assert_eq!(second.heads("J-1"), office.heads("J-1").await);

    // The previous technician's device only learns of the revocation again, never the content.
    office.patch("J-1", json!({"priority": "low"})).await;
    let resp = first.round(&office, &[]).await;
    assert!(
        resp.docs.iter().all(|d| d.state != DocState::Ok),
        "{resp:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unassigning_revokes_the_job_from_the_phone_keeps_its_work_and_refuses_later_writes() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut phone = office.enroll("t1").await;
    phone.pull(&office).await;

    // t1 accepts offline while dispatch drags the job back to the tray.
    phone
        .doc("J-1")
        .record_status(Status::Accepted, "t1", AT)
        .unwrap();
    let job = office.patch("J-1", json!({"technician": null})).await;
    assert_eq!(
        (job["technician"].clone(), job["status"].clone()),
        (json!(null), json!("new"))
    );

    let resp = phone.round(&office, &["J-1"]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Revoked);
    let job = office.job("J-1").await;
    assert_eq!(job["status"], "new", "t1's acceptance no longer drives it");
    assert!(
        job["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["status"] == "accepted" && e["by"] == "t1"),
        "offline work is kept: {job}"
    );

    // Written after the phone heard: refused, and the office's copy is unchanged.
    phone.docs.get_mut("J-1").unwrap().revoked = false;
    phone.doc("J-1").add_note("t1", AT + 5, "late").unwrap();
    let resp = phone.round(&office, &["J-1"]).await;
    assert_ne!(reply(&resp, "J-1").state, DocState::Ok, "{resp:?}");
    assert!(
        office.job("J-1").await["notes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_missing_their_dependencies_get_resend_and_the_whole_document_then_merges() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut phone = office.enroll("t1").await;
    phone.pull(&office).await;
    let before = office.heads("J-1").await;

    phone.doc("J-1").add_note("t1", AT, "first").unwrap();
    let middle = phone.doc("J-1").heads();
    phone.doc("J-1").add_note("t1", AT + 1, "second").unwrap();
    // Only the second change: the server lacks the first.
    let push = DocPush {
        job: "J-1".into(),
        heads: heads_to_hex(&phone.doc("J-1").heads()),
        changes: phone.doc("J-1").save_after(&middle),
    };
    let (_, resp) = phone
        .send(
            &office,
            &SyncRequest {
                v: 1,
                cursor: phone.cursor,
                push: vec![push],
                stock: None,
            },
        )
        .await;
    let resp = resp.unwrap();
    assert_eq!(reply(&resp, "J-1").state, DocState::Resend);
    assert_eq!(office.heads("J-1").await, before);
    phone.apply(&resp);
    assert!(phone.docs["J-1"].synced.is_empty());

    let resp = phone.round(&office, &["J-1"]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Ok);
    assert_eq!(
        office.job("J-1").await["notes"].as_array().unwrap().len(),
        2
    );
    assert_eq!(phone.heads("J-1"), office.heads("J-1").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_response_is_sent_again_and_cursor_zero_starts_over_with_snapshots() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut phone = office.enroll("t1").await;
    phone.pull(&office).await;
    let cursor = phone.cursor;

    office
        .ok(
            Method::POST,
            "/api/v1/jobs/J-1/notes",
            Some(json!({"text": "call ahead"})),
        )
        .await;
    let request = SyncRequest {
        v: 1,
        cursor,
        push: vec![],
        stock: None,
    };
    let (_, lost) = phone.send(&office, &request).await;
    let lost = lost.unwrap();
    assert_eq!(reply(&lost, "J-1").state, DocState::Ok);
    // The device never saw that response and asks again with the old cursor.
    let (_, retried) = phone.send(&office, &request).await;
    let retried = retried.unwrap();
    assert_eq!(retried.cursor, lost.cursor);
    assert_eq!(reply(&retried, "J-1").changes, reply(&lost, "J-1").changes);
    phone.apply(&retried);
    assert_eq!(phone.heads("J-1"), office.heads("J-1").await);
    phone.pull(&office).await;

    // A device that lost its store starts over from cursor 0 and gets a full snapshot.
    let mut restored = common::Device {
        technician: "t1".into(),
        token: phone.token.clone(),
        cursor: 0,
        docs: Default::default(),
    };
    let resp = restored.round(&office, &[]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Ok);
    let snapshot = fieldwork_model::JobDocument::load(
        &reply(&resp, "J-1").changes,
        automerge::ActorId::random(),
    )
    .unwrap();
    assert!(snapshot.missing_deps().is_empty());
    assert_eq!(restored.heads("J-1"), office.heads("J-1").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_feed_is_paged_with_more() {
    let office = Office::start().await;
    office.technician("t1").await;
    let place = office.place.clone();
    // Create the jobs straight through the storage: 501 HTTP calls would only be slower.
    tokio::task::spawn_blocking(move || {
        let storage = place.open().unwrap();
        let new: fieldwork_model::NewJob =
            serde_json::from_value(common::job_body("x", Some("t1"))).unwrap();
        for i in 0..501 {
            let doc = fieldwork_model::JobDocument::create(
                &format!("J-{i:04}"),
                &new,
                fieldwork_model::DISPATCH_ACTOR,
                AT,
                storage.actor().unwrap(),
            )
            .unwrap();
            storage.create_job(&doc).unwrap();
        }
    })
    .await
    .unwrap();
    let mut phone = office.enroll("t1").await;
    let first = phone.round(&office, &[]).await;
    assert_eq!(first.docs.len(), 500);
    assert!(first.more);
    let second = phone.round(&office, &[]).await;
    assert_eq!(second.docs.len(), 1);
    assert!(!second.more);
    assert_eq!(phone.docs.len(), 501);
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_to_the_sync_endpoint_is_400_json_and_the_server_keeps_serving() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let phone = office.enroll("t1").await;
    let t = Some(phone.token.as_str());
    let bad_bodies: [&[u8]; 8] = [
        b"not json at all",
        b"",
        br#"{"v":2,"cursor":0}"#,
        br#"{"v":1,"cursor":-1}"#,
        br#"{"v":1,"cursor":0,"extra":true}"#,
        br#"{"v":1,"cursor":0,"push":[{"job":"J-1","heads":[],"changes":"***"}]}"#,
        br#"{"v":1,"cursor":0,"push":[{"job":"J-1","heads":["zz"],"changes":""}]}"#,
        br#"{"v":1,"cursor":0,"push":[{"job":"../x","heads":[],"changes":""}]}"#,
    ];
    for body in bad_bodies {
        let (status, v) = office
            .raw(Method::POST, "/api/v1/sync", Some(body.to_vec()), t)
            .await;
        assert_eq!(status, 400, "{} -> {v}", String::from_utf8_lossy(body));
        assert!(v["error"]["code"].is_string(), "{v}");
    }
    // Bytes that are not Automerge changes are refused for that job, nothing stored.
    let before = office.heads("J-1").await;
    let junk = serde_json::to_vec(&json!({
        "v": 1, "cursor": 0,
        "push": [{"job": "J-1", "heads": [], "changes": "AAECAwQFBgc="}]
    }))
    .unwrap();
    let (status, v) = office
        .raw(Method::POST, "/api/v1/sync", Some(junk), t)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["docs"][0]["state"], "refused");
    assert_eq!(office.heads("J-1").await, before);

    let (status, v) = office
        .oversized_post("/api/v1/sync", &phone.token, 17 * 1024 * 1024)
        .await;
    assert_eq!(status, 413, "{v}");
    assert_eq!(v["error"]["code"], "too_large");

    let (status, v) = office
        .raw(
            Method::POST,
            "/api/v1/sync",
            Some(br#"{"v":1,"cursor":0}"#.to_vec()),
            t,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["docs"][0]["job"], "J-1");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_round_merges_its_good_jobs_and_rolls_back_only_the_refused_one() {
    let office = Office::start().await;
    office.technician("t1").await;
    for job in ["J-1", "J-2", "J-3"] {
        office.create_job(job, Some("t1")).await;
    }
    let mut phone = office.enroll("t1").await;
    phone.pull(&office).await;
    let refused_before = office.heads("J-2").await;
    phone.doc("J-1").add_note("t1", AT, "first").unwrap();
    phone.doc("J-2").add_note("t9", AT, "forged").unwrap();
    phone.doc("J-3").add_note("t1", AT, "third").unwrap();
    let resp = phone.round(&office, &["J-1", "J-2", "J-3"]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Ok);
    assert_eq!(reply(&resp, "J-2").state, DocState::Refused);
    assert_eq!(reply(&resp, "J-3").state, DocState::Ok);
    assert_eq!(office.job("J-1").await["notes"][0]["text"], "first");
    assert_eq!(office.job("J-3").await["notes"][0]["text"], "third");
    assert_eq!(office.heads("J-2").await, refused_before);
    assert_eq!(
        office.job("J-2").await["notes"].as_array().unwrap().len(),
        0
    );
}
