//! The dispatch REST contract on the real server: status codes, JSON errors for every kind of
//! bad request, and that the server keeps serving afterwards.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_tests::{Office, job_body};
use reqwest::Method;
use serde_json::{Value, json};

fn assert_error(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "{body}");
    assert!(body["error"]["code"].is_string(), "no JSON error: {body}");
    assert!(
        body["error"]["message"].is_string(),
        "no JSON error: {body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn jobs_are_created_read_listed_rescheduled_reassigned_noted_and_cancelled() {
    let office = Office::start().await;
    let t = Some(office.token.as_str());
    office.technician("t1").await;
    office.technician("t2").await;
    let created = office.create_job("J-1", Some("t1")).await;
    assert_eq!(created["status"], "assigned");
    assert_eq!(created["technician"], "t1");
    assert_eq!(created["reported_at"], "2026-11-24T01:00:00Z");
    let mut anonymous = job_body("x", None);
    anonymous.as_object_mut().unwrap().remove("id");
    let (status, generated) = office
        .call(Method::POST, "/api/v1/jobs", Some(anonymous), t)
        .await;
    assert_eq!(status, 201);
    assert!(generated["id"].as_str().unwrap().starts_with("J-"));
    assert_eq!(generated["status"], "new");

    let (_, list) = office
        .call(Method::GET, "/api/v1/jobs?technician=t1", None, t)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, list) = office
        .call(Method::GET, "/api/v1/jobs?status=new", None, t)
        .await;
    assert_eq!(list[0]["id"], generated["id"]);

    let patched = office
        .patch("J-1", json!({"scheduled_start": "2026-11-25T09:00:00+08:00", "priority": "emergency", "technician": "t2"}))
        .await;
    assert_eq!(patched["scheduled_start"], "2026-11-25T01:00:00Z");
    assert_eq!(patched["priority"], "emergency");
    assert_eq!(patched["technician"], "t2");
    let cleared = office.patch("J-1", json!({"scheduled_start": null})).await;
    assert_eq!(cleared["scheduled_start"], Value::Null);

    let noted = office.note("J-1", "customer prefers mornings").await;
    assert_eq!(noted["notes"][0]["author"], "dispatch");
    let cancelled = office.cancel("J-1", "duplicate report").await;
    assert_eq!(cancelled["status"], "cancelled");
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/jobs/J-1/cancel",
            Some(json!({"reason": "again"})),
            t,
        )
        .await;
    assert_error(status, &body, 409);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_json_errors_and_the_server_keeps_serving() {
    let office = Office::start().await;
    let t = Some(office.token.as_str());
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;

    let cases: Vec<(Method, &str, Option<Value>, u16)> = vec![
        (Method::GET, "/api/v1/jobs/NOPE", None, 404),
        (Method::GET, "/api/v1/nothing-here", None, 404),
        (
            Method::POST,
            "/api/v1/technicians",
            Some(json!({"id": "t1", "name": "again"})),
            409,
        ),
        (
            Method::POST,
            "/api/v1/technicians",
            Some(json!({"id": "bad id!", "name": "x"})),
            400,
        ),
        (
            Method::POST,
            "/api/v1/jobs",
            Some(job_body("J-1", Some("t1"))),
            409,
        ),
        (
            Method::POST,
            "/api/v1/jobs",
            Some(job_body("J-2", Some("ghost"))),
            400,
        ),
        (
            Method::POST,
            "/api/v1/jobs",
            Some(json!({"problem": "no customer"})),
            400,
        ),
        (
            Method::PATCH,
            "/api/v1/jobs/J-1",
            Some(json!({"colour": "red"})),
            400,
        ),
        (
            Method::PATCH,
            "/api/v1/jobs/J-1",
            Some(json!({"scheduled_start": "tomorrow"})),
            400,
        ),
        (
            Method::PATCH,
            "/api/v1/jobs/J-1",
            Some(json!({"priority": "whenever"})),
            400,
        ),
        (
            Method::PATCH,
            "/api/v1/jobs/J-1",
            Some(json!({"technician": "ghost"})),
            400,
        ),
        (
            Method::POST,
            "/api/v1/jobs/J-1/notes",
            Some(json!({"text": "  "})),
            400,
        ),
        (Method::GET, "/api/v1/jobs?status=sleeping", None, 400),
        (
            Method::POST,
            "/api/v1/sync",
            Some(json!({"v": 1, "cursor": 0})),
            403,
        ),
        (
            Method::POST,
            "/api/v1/devices/enroll",
            Some(
                json!({"code": "NOPE-NOPE", "device_name": "x", "public_key": fieldwork_tests::PUBLIC_KEY}),
            ),
            401,
        ),
    ];
    for (method, path, body, expected) in cases {
        let (status, err) = office.call(method.clone(), path, body.clone(), t).await;
        assert_eq!(status, expected, "{method} {path} {body:?}: {err}");
        assert!(err["error"]["code"].is_string(), "{method} {path}: {err}");
    }

    let http = fieldwork_tests::http_client();
    let resp = http
        .post(format!("{}/api/v1/jobs", office.url()))
        .bearer_auth(&office.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let big = format!("{{\"text\": \"{}\"}}", "x".repeat(200_000));
    let resp = http
        .post(format!("{}/api/v1/jobs/J-1/notes", office.url()))
        .bearer_auth(&office.token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");

    // Still serving, nothing changed.
    let job = office.job("J-1").await;
    assert!(job["notes"].as_array().unwrap().is_empty());
    assert_eq!(job["priority"], "high");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_enrollment_code_works_once() {
    let office = Office::start().await;
    office.technician("t1").await;
    let code = office.enroll_code("t1");
    let body =
        json!({"code": code, "device_name": "phone", "public_key": fieldwork_tests::PUBLIC_KEY});
    let (status, first) = office
        .call(
            Method::POST,
            "/api/v1/devices/enroll",
            Some(body.clone()),
            None,
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["technician"], "t1");
    assert!(first["token"].is_string() && first["device_id"].is_string());
    let (status, again) = office
        .call(Method::POST, "/api/v1/devices/enroll", Some(body), None)
        .await;
    assert_error(status, &again, 401);
    assert!(fieldwork_server::issue_enroll_code(office.place.clone(), "nobody").is_err());
}
