//! The resumable upload protocol at the HTTP level: offsets, resumption, the hash check at the
//! end, and who may call what. Devices use it before every sync (`docs/sync-protocol.md`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::Office;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn chunk(
    office: &Office,
    token: &str,
    id: &str,
    offset: u64,
    total: u64,
    body: &[u8],
) -> (u16, Value) {
    let resp = office
        .http
        .patch(format!("{}/api/v1/uploads/{id}", office.url))
        .bearer_auth(token)
        .header("upload-offset", offset.to_string())
        .header("upload-length", total.to_string())
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_resumes_from_the_office_offset_and_lands_only_with_the_right_hash() {
    let office = Office::start().await;
    office.technician("t1").await;
    let device = office.enroll("t1").await;
    let t = device.token.as_str();
    let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let id = sha(&data);
    let total = data.len() as u64;
    let path = format!("/api/v1/uploads/{id}");

    assert_eq!(
        office.call(Method::GET, &path, None, Some(t)).await,
        (200, json!({"offset": 0, "complete": false}))
    );
    assert_eq!(
        chunk(&office, t, &id, 0, total, &data[..40_000]).await,
        (200, json!({"offset": 40_000, "complete": false}))
    );
    // A chunk sent again (its answer was lost) or from the wrong place: 409, nothing appended.
    let (status, body) = chunk(&office, t, &id, 0, total, &data[..40_000]).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        office.call(Method::GET, &path, None, Some(t)).await.1,
        json!({"offset": 40_000, "complete": false})
    );
    // Past the declared length: 400.
    let (status, _) = chunk(&office, t, &id, 40_000, total, &[0u8; 70_000]).await;
    assert_eq!(status, 400);
    // Dispatch cannot fetch a partial file.
    let (status, _) = office
        .call(
            Method::GET,
            &format!("/api/v1/attachments/{id}"),
            None,
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        chunk(&office, t, &id, 40_000, total, &data[40_000..]).await,
        (200, json!({"offset": total, "complete": true}))
    );
    let fetched = office
        .http
        .get(format!("{}/api/v1/attachments/{id}", office.url))
        .bearer_auth(&office.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&fetched[..], &data[..]);
    // Complete is complete: repeating the last chunk changes nothing.
    assert_eq!(
        chunk(&office, t, &id, 40_000, total, &data[40_000..]).await,
        (200, json!({"offset": total, "complete": true}))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bytes_that_do_not_hash_to_their_id_are_refused_and_dropped() {
    let office = Office::start().await;
    office.technician("t1").await;
    let device = office.enroll("t1").await;
    let t = device.token.as_str();
    let claimed = sha(b"the photo the device meant");
    let (status, body) = chunk(&office, t, &claimed, 0, 9, b"tampered!").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "hash_mismatch");
    let (_, state) = office
        .call(
            Method::GET,
            &format!("/api/v1/uploads/{claimed}"),
            None,
            Some(t),
        )
        .await;
    assert_eq!(
        state,
        json!({"offset": 0, "complete": false}),
        "partial dropped"
    );
    let (status, _) = office
        .call(
            Method::GET,
            &format!("/api/v1/attachments/{claimed}"),
            None,
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_for_devices_and_attachments_for_dispatch_with_json_errors() {
    let office = Office::start().await;
    office.technician("t1").await;
    let device = office.enroll("t1").await;
    let id = sha(b"x");
    let (status, body) = chunk(&office, &office.token, &id, 0, 1, b"x").await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = office
        .call(
            Method::GET,
            &format!("/api/v1/attachments/{id}"),
            None,
            Some(&device.token),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = chunk(&office, &device.token, "not-a-hash", 0, 1, b"x").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("SHA-256")
    );
    let resp = office
        .http
        .patch(format!("{}/api/v1/uploads/{id}", office.url))
        .bearer_auth(&device.token)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400, "Upload-Offset is required");
    let (status, body) = office
        .call(
            Method::GET,
            "/api/v1/jobs/J-1/reports/0",
            None,
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = office
        .call(
            Method::GET,
            "/api/v1/jobs/J-404/reports",
            None,
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = office
        .call(
            Method::GET,
            "/api/v1/jobs?report=maybe",
            None,
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let devices = office.ok(Method::GET, "/api/v1/devices", None).await;
    assert_eq!(devices.as_array().unwrap().len(), 1);
    assert_eq!(devices[0]["public_key"], crate::common::PUBLIC_KEY);
}
