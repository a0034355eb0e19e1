//! Compressed bodies (`docs/sync-protocol.md`): responses over 1 KiB go zstd or gzip as the
//! client accepts, smaller ones as they are; request bodies may come compressed; a small
//! compressed bomb is refused by the decompressed size, and an unknown encoding gets a JSON 415.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::Office;
use serde_json::{Value, json};

async fn jobs_listed(office: &Office, accept: Option<&str>) -> (Option<String>, Vec<u8>) {
    let mut req = office
        .http
        .get(format!("{}/api/v1/jobs", office.url))
        .bearer_auth(&office.token);
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let encoding = resp
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_string());
    (encoding, resp.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread")]
async fn large_answers_are_compressed_as_accepted_and_small_ones_are_not() {
    let office = Office::start().await;
    office.technician("t1").await;
    // No jobs yet: the answer is a few bytes and goes plain even when zstd is welcome.
    let (encoding, small) = jobs_listed(&office, Some("zstd")).await;
    assert_eq!(encoding, None, "{}", String::from_utf8_lossy(&small));

    for i in 0..20 {
        office.create_job(&format!("J-{i}"), Some("t1")).await;
    }
    let (encoding, plain) = jobs_listed(&office, None).await;
    assert_eq!(encoding, None);
    let (encoding, packed) = jobs_listed(&office, Some("zstd")).await;
    assert_eq!(encoding.as_deref(), Some("zstd"));
    assert!(
        packed.len() * 4 < plain.len(),
        "{} vs {}",
        packed.len(),
        plain.len()
    );
    let unpacked = zstd::decode_all(packed.as_slice()).unwrap();
    let a: Value = serde_json::from_slice(&unpacked).unwrap();
    let b: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(a, b);
    let (encoding, _) = jobs_listed(&office, Some("gzip")).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
}

async fn post_encoded(office: &Office, encoding: &str, body: Vec<u8>) -> (u16, Value) {
    let resp = office
        .http
        .post(format!("{}/api/v1/jobs", office.url))
        .bearer_auth(&office.token)
        .header("content-type", "application/json")
        .header("content-encoding", encoding)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn compressed_requests_are_read_bombs_are_refused_and_unknown_encodings_are_415() {
    let office = Office::start().await;
    office.technician("t1").await;
    let job = serde_json::to_vec(&crate::common::job_body("Z-1", Some("t1"))).unwrap();
    let (status, body) = post_encoded(
        &office,
        "zstd",
        zstd::encode_all(job.as_slice(), 3).unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(office.job("Z-1").await["id"], "Z-1");

    // 64 MiB of spaces compress to a few KiB: refused by what they decompress to.
    let bomb = zstd::encode_all(std::io::Read::take(std::io::repeat(b' '), 64 << 20), 19).unwrap();
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    let (status, body) = post_encoded(&office, "zstd", bomb).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "too_large");

    let (status, body) = post_encoded(&office, "br", job.clone()).await;
    assert_eq!(status, 415, "{body}");
    assert_eq!(body["error"]["code"], "unsupported_encoding");
    // Still serving, and nothing was created by the refused requests.
    let jobs = office.ok(reqwest::Method::GET, "/api/v1/jobs", None).await;
    assert_eq!(jobs.as_array().unwrap().len(), 1, "{}", json!(jobs));
}
