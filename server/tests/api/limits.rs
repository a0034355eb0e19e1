//! Abuse limits and old apps (`server/src/limits.rs`): a client over its request rate gets 429
//! with `Retry-After` while others are served; a device over its push or upload budget is
//! refused the same way; a client that trickles a body is cut off with 408; an app that speaks
//! an old sync version is told to update (426), a newer one that the office is old (400); lists
//! come in bounded pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::time::Duration;

use crate::common::Office;
use fieldwork_server::Config;
use fieldwork_server::limits::LimitConfig;
use reqwest::Method;
use serde_json::{Value, json};

fn config(limits: LimitConfig) -> Config {
    Config {
        limits,
        ..Config::default()
    }
}

async fn get(office: &Office, token: &str) -> reqwest::Response {
    office
        .http
        .get(format!("{}/api/v1/jobs", office.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_over_its_rate_gets_429_with_retry_after_and_others_are_still_served() {
    let office = Office::start_with(&config(LimitConfig {
        requests_per_second: 1.0,
        request_burst: 3.0,
        ..LimitConfig::default()
    }))
    .await;
    for _ in 0..3 {
        assert_eq!(get(&office, &office.token).await.status(), 200);
    }
    let refused = get(&office, &office.token).await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "Retry-After {wait}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");

    // Another credential has its own budget.
    let other = fieldwork_server::issue_dispatcher_token(office.place.clone()).unwrap();
    assert_eq!(get(&office, &other).await.status(), 200);
    // And the first is served again once it waited as told.
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(get(&office, &office.token).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_old_app_is_told_to_update_and_a_newer_one_that_the_office_is_old() {
    let office = Office::start().await;
    office.technician("t1").await;
    let phone = office.enroll("t1").await;
    let send = |body: Value| {
        office
            .http
            .post(format!("{}/api/v1/sync", office.url))
            .bearer_auth(&phone.token)
            .json(&body)
            .send()
    };
    // Version 0's body does not even decode as today's request: still "update the app".
    let old = send(json!({"v": 0, "since": "2020-01-01", "docs": {}}))
        .await
        .unwrap();
    assert_eq!(old.status(), 426);
    let body: Value = old.json().await.unwrap();
    assert_eq!(body["error"]["code"], "upgrade_required", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("update the app")
    );

    let newer = send(json!({"v": 99, "cursor": 0, "push": []}))
        .await
        .unwrap();
    assert_eq!(newer.status(), 400);
    let body: Value = newer.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unsupported_version", "{body}");

    // Today's version is served.
    let ok = send(json!({"v": 1, "cursor": 0, "push": []}))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_over_its_push_or_upload_budget_gets_429_and_other_devices_sync_on() {
    let office = Office::start_with(&config(LimitConfig {
        pushed_bytes_per_hour: 4096,
        uploaded_bytes_per_day: 4096,
        ..LimitConfig::default()
    }))
    .await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut greedy = office.enroll("t1").await;
    greedy.pull(&office).await;
    let mut modest = office.enroll("t1").await;
    modest.pull(&office).await;

    // Pushes over the hourly budget: the note is kept on the phone, the answer says when.
    let big = "words ".repeat(300);
    greedy
        .doc("J-1")
        .add_note("t1", 1_795_000_000_000, &big)
        .unwrap();
    let req = fieldwork_model::wire::SyncRequest {
        v: 1,
        cursor: 0,
        push: vec![greedy.push_of("J-1")],
        stock: None,
    };
    let (status, _) = greedy.send(&office, &req).await;
    assert_eq!(status, 200, "the first push is within the budget");
    let (status, _) = greedy.send(&office, &req).await;
    assert_eq!(status, 429);
    // The other phone of the same technician is not held back.
    modest
        .doc("J-1")
        .add_note("t1", 1_795_000_000_000, "gasket replaced")
        .unwrap();
    modest.round(&office, &["J-1"]).await;
    let notes = office.job("J-1").await["notes"].as_array().unwrap().len();
    assert_eq!(notes, 2);

    // Uploads: 4 KiB a day, the second 4 KiB chunk is refused.
    let bytes = vec![7u8; 8192];
    let id = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    let chunk = |offset: usize| {
        office
            .http
            .patch(format!("{}/api/v1/uploads/{id}", office.url))
            .bearer_auth(&greedy.token)
            .header("upload-offset", offset.to_string())
            .header("upload-length", bytes.len().to_string())
            .body(bytes[offset..offset + 4096].to_vec())
            .send()
    };
    assert_eq!(chunk(0).await.unwrap().status(), 200);
    let refused = chunk(4096).await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // Nothing past the budget was stored: the office holds the first half only.
    let (status, state) = office
        .raw(
            Method::GET,
            &format!("/api/v1/uploads/{id}"),
            None,
            Some(&greedy.token),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(state["offset"], 4096);
}

/// Sends a request head declaring a 1000-byte body, then `feed` writes (some of) it; returns the
/// status line's code and the JSON body of the answer.
fn slow_post(url: &str, token: &str, feed: impl FnOnce(&mut std::net::TcpStream)) -> (u16, Value) {
    let host = url.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST /api/v1/jobs HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"id\":"
    );
    stream.write_all(head.as_bytes()).unwrap();
    feed(&mut stream);
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("}}") {
        let n = stream.read(&mut chunk).expect("no answer from the server");
        assert!(n > 0, "connection closed without an answer");
        answer.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    let start = body.find('{').unwrap_or(0);
    (
        status,
        serde_json::from_str(&body[start..]).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_stalls_or_trickles_its_body_is_cut_off_with_408_and_others_are_served() {
    let office = Office::start_with(&config(LimitConfig {
        request_timeout: Duration::from_secs(3),
        body_idle: Duration::from_millis(700),
        ..LimitConfig::default()
    }))
    .await;
    let (url, token) = (office.url.clone(), office.token.clone());
    // Stalls after a few bytes: the idle timeout ends it.
    let stalled = tokio::task::spawn_blocking(move || slow_post(&url, &token, |_| {}));
    // Trickles a byte every 300 ms, never idle long enough: the request deadline ends it.
    let (url, token) = (office.url.clone(), office.token.clone());
    let trickled = tokio::task::spawn_blocking(move || {
        slow_post(&url, &token, |s| {
            for _ in 0..12 {
                if s.write_all(b" ").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        })
    });
    // Meanwhile the office answers everyone else.
    assert_eq!(get(&office, &office.token).await.status(), 200);
    for (name, task) in [("stalled", stalled), ("trickled", trickled)] {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 408, "{name}: {body}");
        assert_eq!(body["error"]["code"], "timeout", "{name}: {body}");
    }
    // Nothing was created by the cut-off requests.
    let jobs = office.ok(Method::GET, "/api/v1/jobs", None).await;
    assert_eq!(jobs.as_array().map(Vec::len), Some(0), "{jobs}");
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_come_in_bounded_pages_with_the_next_offset() {
    let office = Office::start().await;
    office.technician("t1").await;
    for _ in 0..3 {
        office.enroll("t1").await;
    }
    let page = |query: &'static str| {
        office
            .http
            .get(format!("{}/api/v1/devices{query}", office.url))
            .bearer_auth(&office.token)
            .send()
    };
    let first = page("?limit=2").await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["x-next-offset"], "2");
    let rows: Value = first.json().await.unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    let last = page("?limit=2&offset=2").await.unwrap();
    assert!(!last.headers().contains_key("x-next-offset"));
    let rows: Value = last.json().await.unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    // Without parameters: the first page of the default size, which holds all three.
    let all: Value = page("").await.unwrap().json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 3);
    // A limit past the maximum is cut to it, and a parameter the route does not know is a 400.
    assert_eq!(page("?limit=999999").await.unwrap().status(), 200);
    let bad = page("?limit=2&colour=red").await.unwrap();
    assert_eq!(bad.status(), 400);
    for path in [
        "/api/v1/followups?limit=1",
        "/api/v1/complaints?limit=1&offset=5",
        "/api/v1/loaners?limit=1",
        "/api/v1/escalations?limit=1",
        "/api/v1/maintenance-plans?limit=1",
    ] {
        let (status, body) = office
            .call(Method::GET, path, None, Some(&office.token))
            .await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(body.is_array(), "{path}: {body}");
    }
}
