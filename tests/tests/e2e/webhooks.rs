//! Webhooks from what phones record: a technician's offline day (statuses, a signed report on
//! one job, a refused one on another) reaches the office in one sync, and an ERP listening on
//! loopback hears each status and each report once, signed, in the order of each job.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use fieldwork_core::model::Status;
use fieldwork_core::model::report::Language;
use fieldwork_tests::{Office, Phone, job_body, now_ms};
use parking_lot::Mutex;
use serde_json::{Value, json};

pub(crate) const SECRET: &str = "erp-listener-secret-1";
const STROKES: &str = r#"{"canvas":{"width":600,"height":200},"strokes":[
  [[40,150,0,300],[80,60,16,420],[120,150,33,500],[160,70,50,520],[200,140,66,480]]]}"#;

/// Every body the ERP was sent whose signature verified.
async fn erp() -> (String, Arc<Mutex<Vec<Value>>>) {
    erp_on(0).await
}

/// [`erp`] on a given port (0: any).
pub(crate) async fn erp_on(port: u16) -> (String, Arc<Mutex<Vec<Value>>>) {
    let heard: Arc<Mutex<Vec<Value>>> = Arc::default();
    let kept = heard.clone();
    let app = axum::Router::new().route(
        "/events",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let kept = kept.clone();
            async move {
                let signature = headers["x-fieldwork-signature"].to_str().unwrap();
                let now = chrono::Utc::now().timestamp();
                assert!(fieldwork_office::webhooks::verify(
                    SECRET, signature, &body, now
                ));
                kept.lock().push(serde_json::from_slice(&body).unwrap());
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, heard)
}

fn of_job(heard: &[Value], job: &str) -> Vec<String> {
    heard
        .iter()
        .filter(|e| e["data"]["job"] == job)
        .map(|e| match e["data"]["status"].as_str() {
            Some(status) => format!("{}:{status}", e["event"].as_str().unwrap()),
            None => e["event"].as_str().unwrap().to_string(),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_day_reaches_a_subscribed_erp_once_in_order_per_job() {
    let office = Office::start_with(fieldwork_server::Config {
        webhooks: fieldwork_server::webhooks::WebhookConfig {
            allow_private: true,
            tick_ms: 50,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    office.technician("t1").await;
    let (url, heard) = erp().await;
    office
        .post(
            "/api/v1/webhooks",
            json!({"url": url, "secret": SECRET,
                   "events": ["job.status_changed", "report.signed", "report.refused"]}),
        )
        .await;
    office
        .post("/api/v1/jobs", job_body("J-1", Some("t1")))
        .await;
    office
        .post("/api/v1/jobs", job_body("J-2", Some("t1")))
        .await;
    let phone = Phone::enroll(&office, "t1").await;
    phone.device.sync().await.unwrap();

    // Offline: nothing reaches the office until the sync below.
    let t = now_ms();
    for (i, status) in [Status::EnRoute, Status::OnSite, Status::InProgress]
        .into_iter()
        .enumerate()
    {
        phone
            .device
            .set_status("J-1", status, t + i as i64 * 1_000)
            .unwrap();
    }
    phone
        .device
        .sign_report("J-1", "Chen Wei", None, STROKES, Language::En, t + 5_000)
        .unwrap();
    phone
        .device
        .set_status("J-2", Status::OnSite, t + 6_000)
        .unwrap();
    phone
        .device
        .refuse_report(
            "J-2",
            "the unit still rattles",
            None,
            Language::En,
            t + 7_000,
        )
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        heard.lock().is_empty(),
        "nothing happened at the office yet"
    );
    phone.device.sync().await.unwrap();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !heard.lock().iter().any(|e| e["event"] == "report.refused")
        || !heard.lock().iter().any(|e| e["event"] == "report.signed")
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:#?}",
            heard.lock()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A second sync and some time: nothing arrives twice.
    phone.device.sync().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let heard = heard.lock().clone();
    assert_eq!(
        of_job(&heard, "J-1"),
        [
            "job.status_changed:en_route",
            "job.status_changed:on_site",
            "job.status_changed:in_progress",
            "job.status_changed:completed",
            "report.signed"
        ]
    );
    assert_eq!(
        of_job(&heard, "J-2"),
        [
            "job.status_changed:on_site",
            "job.status_changed:completed",
            "report.refused"
        ]
    );
    let signed = heard
        .iter()
        .find(|e| e["event"] == "report.signed")
        .unwrap();
    assert_eq!(signed["data"]["version"], 1);
    assert!(signed["id"].as_str().unwrap().starts_with("evt_"));
}
