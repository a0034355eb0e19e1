//! Scope and trust on the real server: a device sees and writes only its technician's jobs,
//! credentials are checked, and garbage sent to the sync endpoint is refused without harm.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_core::Error;
use fieldwork_core::model::wire::{DocPush, DocState, SyncRequest, SyncResponse};
use fieldwork_core::model::{JobDocument, NewJob};
use fieldwork_tests::{Office, Phone, job_body, now_ms, sync_until_quiet};
use reqwest::Method;
use serde_json::json;

fn device_token(phone: &Phone) -> String {
    phone.secret("token")
}

#[tokio::test(flavor = "multi_thread")]
async fn device_cannot_read_or_write_another_technicians_job() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.technician("t2").await;
    office.create_job("MINE", Some("t1")).await;
    office.create_job("THEIRS", Some("t2")).await;
    let phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;

    let ids: Vec<String> = phone
        .device
        .jobs()
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(ids, vec!["MINE"]);
    assert!(matches!(
        phone.device.job("THEIRS", 0),
        Err(Error::NoSuchJob(_))
    ));

    // A modified client pushes a change to someone else's job.
    let token = device_token(&phone);
    let new: NewJob = serde_json::from_value(job_body("THEIRS", Some("t1"))).unwrap();
    let forged =
        JobDocument::create("THEIRS", &new, "t1", now_ms(), automerge::ActorId::random()).unwrap();
    let req = SyncRequest {
        v: 1,
        cursor: 0,
        push: vec![DocPush {
            job: "THEIRS".into(),
            heads: fieldwork_core::model::wire::heads_to_hex(&forged.heads()),
            changes: forged.save(),
        }],
        stock: None,
    };
    let before = office.job("THEIRS").await;
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/sync",
            Some(serde_json::to_value(&req).unwrap()),
            Some(&token),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let resp: SyncResponse = serde_json::from_value(body).unwrap();
    let reply = resp.docs.iter().find(|d| d.job == "THEIRS").unwrap();
    assert_eq!(reply.state, DocState::Refused);
    assert!(reply.changes.is_empty());
    assert_eq!(office.job("THEIRS").await, before);
    // Dispatch routes are closed to device tokens.
    let (status, _) = office
        .call(Method::GET, "/api/v1/jobs/THEIRS", None, Some(&token))
        .await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_or_bad_token_gets_401() {
    let office = Office::start().await;
    for (path, method) in [
        ("/api/v1/sync", Method::POST),
        ("/api/v1/jobs", Method::GET),
    ] {
        let body = Some(json!({"v": 1, "cursor": 0}));
        let (status, err) = office.call(method.clone(), path, body.clone(), None).await;
        assert_eq!(status, 401, "{path}");
        assert!(err["error"]["code"].is_string());
        let (status, _) = office.call(method, path, body, Some("not-a-token")).await;
        assert_eq!(status, 401, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_to_the_sync_endpoint_gets_4xx_and_the_server_keeps_serving() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    let token = device_token(&phone);
    let http = fieldwork_tests::http_client();
    let bodies: Vec<Vec<u8>> = vec![
        b"not json at all".to_vec(),
        br#"{"v":99,"cursor":0}"#.to_vec(),
        br#"{"v":1,"cursor":-5}"#.to_vec(),
        br#"{"v":1,"cursor":0,"push":[{"job":"J-1","heads":["zz"],"changes":""}]}"#.to_vec(),
        br#"{"v":1,"cursor":0,"push":[{"job":"J-1","heads":[],"changes":"AAAA"}]}"#.to_vec(),
        (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
    ];
    for body in bodies {
        let resp = http
            .post(format!("{}/api/v1/sync", office.url()))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let v: serde_json::Value = resp.json().await.unwrap_or_default();
        let refused_in_body = status == 200
            && v["docs"].as_array().is_some_and(|d| {
                d.iter()
                    .all(|r| r["state"] == "refused" || r["state"] == "resend")
            });
        assert!(
            (400..500).contains(&status) || refused_in_body,
            "{} -> {status} {v}",
            String::from_utf8_lossy(&body[..body.len().min(60)])
        );
    }
    // Still serving, and the job is intact.
    sync_until_quiet(&[&phone]).await;
    assert_eq!(phone.job("J-1"), office.job("J-1").await);
}
