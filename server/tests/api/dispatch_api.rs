//! The dispatch REST contract on the real server over a real SQLite data directory: status codes,
//! job JSON, feed rows written by edits, JSON errors for every kind of bad request, and that the
//! server keeps serving afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Office, job_body};
use reqwest::Method;
use serde_json::{Value, json};

fn assert_error(status: u16, body: &Value, expected: u16, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn technicians_and_jobs_are_created_and_read_back() {
    let office = Office::start().await;
    office.technician("t1").await;
    let created = office.create_job("J-1", Some("t1")).await;
    assert_eq!(created["id"], "J-1");
    assert_eq!(created["status"], "assigned");
    assert_eq!(created["technician"], "t1");
    assert_eq!(created["reported_at"], "2026-11-24T01:00:00Z");
    assert_eq!(created["customer"]["name"], "Harbour Clinic");
    assert_eq!(created["site"]["region"], "city");
    assert_eq!(created["asset"]["serial"], "CH-2291-A");
    let events = created["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["status"] == "assigned" && e["by"] == "dispatch"),
        "{created}"
    );
    for list in ["notes", "parts", "time", "events"] {
        assert!(created[list].is_array(), "{list}: {created}");
    }
    assert_eq!(office.job("J-1").await, created);

    let mut anonymous = job_body("x", None);
    anonymous.as_object_mut().unwrap().remove("id");
    let generated = office
        .ok(Method::POST, "/api/v1/jobs", Some(anonymous))
        .await;
    let id = generated["id"].as_str().unwrap();
    assert!(id.starts_with("J-") && id.len() == 10, "{id}");
    assert_eq!(generated["status"], "new");
    assert_eq!(generated["technician"], Value::Null);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_job_list_filters_by_technician_and_status_in_report_order() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.technician("t2").await;
    let mut early = job_body("J-B", Some("t1"));
    early["reported_at"] = json!("2026-11-20T08:00:00Z");
    office.ok(Method::POST, "/api/v1/jobs", Some(early)).await;
    office.create_job("J-A", Some("t1")).await;
    office.create_job("J-C", Some("t2")).await;
    office.create_job("J-D", None).await;

    let ids = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_str().unwrap().to_string())
            .collect()
    };
    let all = office.ok(Method::GET, "/api/v1/jobs", None).await;
    assert_eq!(ids(all), ["J-B", "J-A", "J-C", "J-D"]);
    let t1 = office
        .ok(Method::GET, "/api/v1/jobs?technician=t1", None)
        .await;
    assert_eq!(ids(t1), ["J-B", "J-A"]);
    let new = office
        .ok(Method::GET, "/api/v1/jobs?status=new", None)
        .await;
    assert_eq!(ids(new), ["J-D"]);
    let both = office
        .ok(
            Method::GET,
            "/api/v1/jobs?technician=t2&status=assigned",
            None,
        )
        .await;
    assert_eq!(ids(both), ["J-C"]);
    let limited = office.ok(Method::GET, "/api/v1/jobs?limit=1", None).await;
    assert_eq!(ids(limited), ["J-B"]);
    let (status, body) = office
        .call(
            Method::GET,
            "/api/v1/jobs?status=bogus",
            None,
            Some(&office.token),
        )
        .await;
    assert_error(status, &body, 400, "invalid");
}

#[tokio::test(flavor = "multi_thread")]
async fn reschedule_and_reassignment_write_feed_rows_for_new_and_previous_technician() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.technician("t2").await;
    office.create_job("J-1", Some("t1")).await;
    let after_create = office.feed_rows(&["t1", "t2"]);
    assert_eq!(after_create.len(), 1);
    assert_eq!(
        (after_create[0].1.as_str(), after_create[0].2.as_str()),
        ("J-1", "t1")
    );

    let rescheduled = office
        .patch(
            "J-1",
            json!({"scheduled_start": "2026-11-25T09:00:00+08:00", "scheduled_end": "2026-11-25T11:00:00+08:00", "priority": "emergency", "problem": "Chiller trips twice a day"}),
        )
        .await;
    assert_eq!(rescheduled["scheduled_start"], "2026-11-25T01:00:00Z");
    assert_eq!(rescheduled["scheduled_end"], "2026-11-25T03:00:00Z");
    assert_eq!(rescheduled["priority"], "emergency");
    assert_eq!(rescheduled["problem"], "Chiller trips twice a day");
    let after_patch = office.feed_rows(&["t1", "t2"]);
    assert_eq!(after_patch.len(), 1, "one row per (job, technician)");
    assert!(after_patch[0].0 > after_create[0].0, "a new seq on change");

    let cleared = office.patch("J-1", json!({"scheduled_end": null})).await;
    assert_eq!(cleared["scheduled_end"], Value::Null);
    assert_eq!(cleared["scheduled_start"], "2026-11-25T01:00:00Z");

    let reassigned = office.patch("J-1", json!({"technician": "t2"})).await;
    assert_eq!(reassigned["technician"], "t2");
    assert_eq!(reassigned["status"], "assigned");
    let rows = office.feed_rows(&["t1", "t2"]);
    let technicians: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(technicians.contains(&"t1") && technicians.contains(&"t2"));
    // The previous technician's row moved on (each technician's numbers only grow).
    let t1 = rows.iter().find(|r| r.2 == "t1").unwrap();
    assert!(t1.0 > after_patch[0].0);

    // A PATCH that changes nothing writes nothing.
    office.patch("J-1", json!({"technician": "t2"})).await;
    assert_eq!(office.feed_rows(&["t1", "t2"]), rows);

    // Back to the tray: nobody's, new again, and t2's phone is told (its row moves on).
    let unassigned = office.patch("J-1", json!({"technician": null})).await;
    assert_eq!(unassigned["technician"], Value::Null);
    assert_eq!(unassigned["status"], "new");
    let after_unassign = office.feed_rows(&["t1", "t2"]);
    let t2_row = |rows: &[(i64, String, String)]| rows.iter().find(|r| r.2 == "t2").unwrap().0;
    assert!(t2_row(&after_unassign) > t2_row(&rows));
    office.patch("J-1", json!({"technician": null})).await;
    assert_eq!(
        office.feed_rows(&["t1", "t2"]),
        after_unassign,
        "already unassigned"
    );
    // Given back: t2's again, and t2's phone hears of it.
    let again = office.patch("J-1", json!({"technician": "t2"})).await;
    assert_eq!(
        (again["technician"].clone(), again["status"].clone()),
        (json!("t2"), json!("assigned"))
    );
    assert!(t2_row(&office.feed_rows(&["t1", "t2"])) > t2_row(&after_unassign));

    let (status, body) = office
        .call(
            Method::PATCH,
            "/api/v1/jobs/J-1",
            Some(json!({"technician": "nobody"})),
            Some(&office.token),
        )
        .await;
    assert_error(status, &body, 400, "unknown_technician");
    let (status, body) = office
        .call(
            Method::PATCH,
            "/api/v1/jobs/J-1",
            // The asset is the register's, not a PATCH field (customer and site are).
            Some(json!({"asset": {"serial": "x"}})),
            Some(&office.token),
        )
        .await;
    assert_error(status, &body, 400, "invalid");
    let (status, body) = office
        .call(
            Method::PATCH,
            "/api/v1/jobs/J-1",
            Some(json!({"scheduled_start": "tomorrow"})),
            Some(&office.token),
        )
        .await;
    assert_error(status, &body, 400, "invalid");
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_are_added_and_a_cancelled_job_cannot_be_cancelled_again() {
    let office = Office::start().await;
    office.create_job("J-1", None).await;
    let (status, noted) = office
        .call(
            Method::POST,
            "/api/v1/jobs/J-1/notes",
            Some(json!({"text": "customer prefers mornings"})),
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 201, "{noted}");
    assert_eq!(noted["notes"][0]["author"], "dispatch");
    assert_eq!(noted["notes"][0]["text"], "customer prefers mornings");
    assert!(noted["notes"][0]["at"].is_string());

    let (status, cancelled) = office
        .call(
            Method::POST,
            "/api/v1/jobs/J-1/cancel",
            Some(json!({"reason": "duplicate report"})),
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/jobs/J-1/cancel",
            Some(json!({"reason": "again"})),
            Some(&office.token),
        )
        .await;
    assert_error(status, &body, 409, "conflict");
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicates_conflict_and_unknown_things_are_404_json() {
    let office = Office::start().await;
    let t = Some(office.token.as_str());
    office.technician("t1").await;
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/technicians",
            Some(json!({"id": "t1", "name": "Again", "region": "east"})),
            t,
        )
        .await;
    assert_error(status, &body, 409, "conflict");
    office.create_job("J-1", None).await;
    let (status, body) = office
        .call(Method::POST, "/api/v1/jobs", Some(job_body("J-1", None)), t)
        .await;
    assert_error(status, &body, 409, "conflict");
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/jobs",
            Some(job_body("J-2", Some("ghost"))),
            t,
        )
        .await;
    assert_error(status, &body, 400, "unknown_technician");

    let (status, body) = office
        .call(Method::GET, "/api/v1/jobs/J-404", None, t)
        .await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/jobs/J-404/notes",
            Some(json!({"text": "x"})),
            t,
        )
        .await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = office
        .call(
            Method::PATCH,
            "/api/v1/jobs/J-404",
            Some(json!({"priority": "low"})),
            t,
        )
        .await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = office.call(Method::GET, "/api/v2/whatever", None, t).await;
    assert_error(status, &body, 404, "not_found");
    // `/` is the dispatch console now; anything else unknown is a JSON 404.
    let (status, body) = office.call(Method::GET, "/no/such/page", None, None).await;
    assert_error(status, &body, 404, "not_found");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_or_bad_tokens_are_401_and_device_tokens_are_403_on_dispatch_routes() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let (status, body) = office
        .call(Method::GET, "/api/v1/jobs/J-1", None, None)
        .await;
    assert_error(status, &body, 401, "missing_token");
    let (status, body) = office
        .call(
            Method::GET,
            "/api/v1/jobs/J-1",
            None,
            Some("fw_not_a_token"),
        )
        .await;
    assert_error(status, &body, 401, "invalid_token");
    let (status, body) = office
        .raw(Method::POST, "/api/v1/sync", Some(b"{}".to_vec()), None)
        .await;
    assert_error(status, &body, 401, "missing_token");

    let device = office.enroll("t1").await;
    let d = Some(device.token.as_str());
    for (method, path, body) in [
        (Method::GET, "/api/v1/jobs/J-1", None),
        (Method::GET, "/api/v1/jobs", None),
        (Method::POST, "/api/v1/jobs", Some(job_body("J-9", None))),
        (
            Method::PATCH,
            "/api/v1/jobs/J-1",
            Some(json!({"priority": "low"})),
        ),
        (
            Method::POST,
            "/api/v1/jobs/J-1/notes",
            Some(json!({"text": "x"})),
        ),
        (
            Method::POST,
            "/api/v1/jobs/J-1/cancel",
            Some(json!({"reason": "x"})),
        ),
        (
            Method::POST,
            "/api/v1/technicians",
            Some(json!({"id": "t9", "name": "x", "region": "x"})),
        ),
    ] {
        let (status, body) = office.call(method, path, body, d).await;
        assert_error(status, &body, 403, "forbidden");
    }
    let (status, body) = office
        .raw(
            Method::POST,
            "/api/v1/sync",
            Some(br#"{"v":1,"cursor":0}"#.to_vec()),
            Some(&office.token),
        )
        .await;
    assert_error(status, &body, 403, "forbidden");
    assert_eq!(office.job("J-1").await["priority"], "high");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_bodies_are_400_json_oversized_bodies_413_json_and_the_server_keeps_serving() {
    let office = Office::start().await;
    let t = Some(office.token.as_str());
    let (status, body) = office
        .raw(Method::POST, "/api/v1/jobs", Some(b"{not json".to_vec()), t)
        .await;
    assert_error(status, &body, 400, "bad_json");
    let (status, body) = office
        .call(Method::POST, "/api/v1/jobs", Some(json!({"id": 5})), t)
        .await;
    assert_error(status, &body, 400, "bad_json");
    let mut extra = job_body("J-1", None);
    extra["colour"] = json!("red");
    let (status, body) = office
        .call(Method::POST, "/api/v1/jobs", Some(extra), t)
        .await;
    assert_error(status, &body, 400, "bad_json");
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/jobs",
            Some(job_body("bad id!", None)),
            t,
        )
        .await;
    assert_error(status, &body, 400, "invalid");

    let mut huge = job_body("J-2", None);
    huge["problem"] = json!("x".repeat(100 * 1024));
    let (status, body) = office
        .call(Method::POST, "/api/v1/jobs", Some(huge), t)
        .await;
    assert_error(status, &body, 413, "too_large");

    let (status, body) = office
        .call(Method::GET, "/api/v1/jobs/%FF%FE", None, t)
        .await;
    assert_error(status, &body, 400, "bad_path");
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/technicians",
            Some(json!({"id": "t1", "name": "x", "shoe_size": 44})),
            t,
        )
        .await;
    assert_error(status, &body, 400, "bad_json");
    let (status, body) = office
        .call(Method::GET, "/api/v1/jobs?limit=many", None, t)
        .await;
    assert_error(status, &body, 400, "bad_query");

    let (status, body) = office.call(Method::DELETE, "/api/v1/jobs", None, t).await;
    assert_eq!(status, 405, "{body}");
    assert!(body["error"]["code"].is_string(), "{body}");

    let health = office.ok(Method::GET, "/api/v1/health", None).await;
    assert_eq!(health, json!({"ok": true}));
    office.create_job("J-3", None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enrollment_code_works_once() {
    let office = Office::start().await;
    office.technician("t1").await;
    let code = fieldwork_server::issue_enroll_code(office.place.clone(), "t1").unwrap();
    // Without its public key, or with one that is not a key, the code is refused and kept.
    for (key, says) in [
        (None, "public_key is required"),
        (Some("00".repeat(31)), "public_key must be"),
    ] {
        let mut body = json!({"code": code, "device_name": "Pixel 8"});
        if let Some(k) = key {
            body["public_key"] = json!(k);
        }
        let (status, body) = office
            .call(Method::POST, "/api/v1/devices/enroll", Some(body), None)
            .await;
        assert_error(status, &body, 400, "invalid");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(says),
            "{body}"
        );
    }
    let enroll =
        json!({"code": code, "device_name": "Pixel 8", "public_key": crate::common::PUBLIC_KEY});
    let (status, first) = office
        .call(
            Method::POST,
            "/api/v1/devices/enroll",
            Some(enroll.clone()),
            None,
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert!(first["device_id"].is_string());
    assert!(first["token"].is_string());
    assert_eq!(first["technician"], "t1");
    let (status, body) = office
        .call(Method::POST, "/api/v1/devices/enroll", Some(enroll), None)
        .await;
    assert_error(status, &body, 401, "invalid_enrollment_code");
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/devices/enroll",
            Some(json!({"code": "AAAAA-BBBBB", "device_name": "x", "public_key": crate::common::PUBLIC_KEY})),
            None,
        )
        .await;
    assert_error(status, &body, 401, "invalid_enrollment_code");
    assert!(fieldwork_server::issue_enroll_code(office.place.clone(), "ghost").is_err());

    // The device token syncs.
    let (status, body) = office
        .raw(
            Method::POST,
            "/api/v1/sync",
            Some(br#"{"v":1,"cursor":0}"#.to_vec()),
            first["token"].as_str(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_server_on_the_same_directory_and_address_keeps_its_data_and_tokens() {
    let mut office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let addr = office.server.as_ref().unwrap().addr;
    office.stop().await;
    let config = fieldwork_server::Config {
        database: office.place.database.clone(),
        ..Default::default()
    };
    let server = fieldwork_server::spawn_with(office.dir.path(), addr, &config)
        .await
        .unwrap();
    assert_eq!(server.url(), office.url);
    office.server = Some(server);
    assert_eq!(office.job("J-1").await["technician"], "t1");
    // Credentials issued while the server runs work at once.
    let token = fieldwork_server::issue_dispatcher_token(office.place.clone()).unwrap();
    let (status, _) = office
        .call(Method::GET, "/api/v1/jobs/J-1", None, Some(&token))
        .await;
    assert_eq!(status, 200);
    office.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_edits_of_one_job_are_all_kept() {
    let office = Office::start().await;
    office.create_job("J-1", None).await;
    let office = std::sync::Arc::new(office);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let office = office.clone();
        tasks.push(tokio::spawn(async move {
            let (status, body) = office
                .call(
                    Method::POST,
                    "/api/v1/jobs/J-1/notes",
                    Some(json!({"text": format!("note {i}")})),
                    Some(&office.token),
                )
                .await;
            assert_eq!(status, 201, "{body}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        office.job("J-1").await["notes"].as_array().unwrap().len(),
        16
    );
}
