//! `POST /api/v1/jobs/batch`: a thousand jobs in one request within the server's limits, all or
//! nothing, each row's error said, and a retried batch creating nothing twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Office, job_body};

async fn batch(office: &Office, jobs: Vec<Value>) -> (u16, Value) {
    office
        .call(
            Method::POST,
            "/api/v1/jobs/batch",
            Some(json!({ "jobs": jobs })),
            Some(&office.token),
        )
        .await
}

async fn job_count(office: &Office) -> usize {
    let (_, jobs) = office
        .call(
            Method::GET,
            "/api/v1/jobs?limit=5000",
            None,
            Some(&office.token),
        )
        .await;
    jobs.as_array().unwrap().len()
}

#[tokio::test]
async fn a_thousand_jobs_in_one_request_and_a_retry_creates_nothing_twice() {
    // The default limits: 50 requests a second would have refused most of a thousand single
    // POSTs; one batch is one request.
    let office = Office::start().await;
    office.technician("t1").await;
    let jobs: Vec<Value> = (0..1000)
        .map(|i| job_body(&format!("ERP-{i:04}"), (i % 2 == 0).then_some("t1")))
        .collect();
    let size = serde_json::to_vec(&json!({ "jobs": jobs })).unwrap().len();
    assert!(
        size > 64 * 1024,
        "more than the one-job body limit: {size} B"
    );
    let (status, answer) = batch(&office, jobs.clone()).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["created"].as_array().unwrap().len(), 1000);
    assert_eq!(answer["created"][7], "ERP-0007");
    assert_eq!(job_count(&office).await, 1000);
    let one = office.job("ERP-0002").await;
    assert_eq!(one["technician"], "t1");

    // All of them, page by page, in the order they were reported (then by id).
    let mut seen = Vec::new();
    let mut offset = Some("0".to_string());
    while let Some(at) = offset {
        let response = office
            .http
            .get(format!("{}/api/v1/jobs?limit=400&offset={at}", office.url))
            .bearer_auth(&office.token)
            .send()
            .await
            .unwrap();
        offset = response
            .headers()
            .get("x-next-offset")
            .map(|v| v.to_str().unwrap().to_string());
        let page: Vec<Value> = response.json().await.unwrap();
        seen.extend(page.iter().map(|j| j["id"].as_str().unwrap().to_string()));
    }
    let expected: Vec<String> = (0..1000).map(|i| format!("ERP-{i:04}")).collect();
    assert_eq!(seen, expected);

    // The same batch again (the caller did not hear the answer): nothing new.
    let (status, answer) = batch(&office, jobs).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["created"], json!([]));
    assert_eq!(answer["existing"].as_array().unwrap().len(), 1000);
    assert_eq!(job_count(&office).await, 1000);
}

#[tokio::test]
async fn each_bad_row_is_said_and_nothing_of_the_batch_is_stored() {
    let office = Office::start().await;
    office.technician("t1").await;
    let mut no_id = job_body("X", None);
    no_id.as_object_mut().unwrap().remove("id");
    let mut bad_priority = job_body("J-5", None);
    bad_priority["priority"] = json!("urgent");
    let mut empty_problem = job_body("J-6", None);
    empty_problem["problem"] = json!("");
    let jobs = vec![
        job_body("J-0", Some("t1")),
        no_id,
        job_body("J-0", None),
        job_body("J-3", Some("nobody")),
        job_body("J-4", None),
        bad_priority,
        empty_problem,
    ];
    let (status, answer) = batch(&office, jobs).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_rows");
    let rows: Vec<(u64, &str)> = answer["error"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [
            (1, "id_required"),
            (2, "duplicate_id"),
            (3, "unknown_technician"),
            (5, "bad_json"),
            (6, "invalid")
        ]
    );
    assert!(
        answer["error"]["rows"][2]["message"]
            .as_str()
            .unwrap()
            .contains("nobody")
    );
    assert_eq!(job_count(&office).await, 0, "nothing stored");

    // Too many rows, or too large a body: refused whole.
    let many: Vec<Value> = (0..1001)
        .map(|i| job_body(&format!("J-{i}"), None))
        .collect();
    let (status, answer) = batch(&office, many).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("too_many"))
    );
    let (status, _) = office
        .oversized_post("/api/v1/jobs/batch", &office.token, 5 * 1024 * 1024)
        .await;
    assert_eq!(status, 413);
    assert_eq!(job_count(&office).await, 0);
}
