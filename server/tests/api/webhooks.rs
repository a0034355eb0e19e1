//! Webhooks end to end: a receiver on loopback verifies every signature, refuses the first
//! deliveries and still gets each event once, in order per job; an event stored before the
//! server stopped goes out after it starts again; a subscription that keeps failing is
//! paused until resumed; addresses on the office's side of the network are refused; with
//! several instances on one PostgreSQL database each event arrives once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use parking_lot::Mutex;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::Office;

const SECRET: &str = "whsec-test-0123456789";

/// What the receiver was sent: (delivery id, signature verified, body), in arrival order,
/// with the status it answered.
#[derive(Clone, Debug)]
struct Received {
    delivery: String,
    verified: bool,
    body: Value,
    answered: u16,
    /// The signature header and the raw body, to verify against another secret.
    signature: String,
    raw: Vec<u8>,
}

/// A webhook receiver on 127.0.0.1: answers 500 to the first `refuse` requests, then 200.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start(refuse: usize) -> Receiver {
        Receiver::on(0, refuse).await
    }

    async fn on(port: u16, refuse: usize) -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen = got.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let seen = seen.clone();
                async move {
                    let signature = headers
                        .get("x-fieldwork-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    let now = chrono::Utc::now().timestamp();
                    let verified =
                        fieldwork_office::webhooks::verify(SECRET, signature, &body, now);
                    let mut seen = seen.lock();
                    let answered = if seen.len() < refuse { 500 } else { 200 };
                    seen.push(Received {
                        delivery: headers["x-fieldwork-delivery"].to_str().unwrap().into(),
                        verified,
                        body: serde_json::from_slice(&body).unwrap(),
                        answered,
                        signature: signature.to_string(),
                        raw: body.to_vec(),
                    });
                    StatusCode::from_u16(answered).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            got,
            task,
        }
    }

    /// Events answered 2xx, in arrival order.
    fn delivered(&self) -> Vec<Received> {
        self.got
            .lock()
            .iter()
            .filter(|r| r.answered == 200)
            .cloned()
            .collect()
    }

    async fn until(&self, what: &str, done: impl Fn(&[Received]) -> bool) {
        for _ in 0..300 {
            if done(&self.got.lock()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{what}: the receiver got {:#?}", self.got.lock());
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Quick retries, loopback allowed.
fn config() -> fieldwork_server::Config {
    fieldwork_server::Config {
        webhooks: fieldwork_server::webhooks::WebhookConfig {
            allow_private: true,
            first_retry_ms: 100,
            tick_ms: 50,
            pause_after: 4,
            watch_ms: 100,
        },
        ..Default::default()
    }
}

async fn subscribe(office: &Office, url: &str, events: &[&str]) -> Value {
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some(json!({"url": url, "events": events, "secret": SECRET})),
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(body.get("secret").is_none(), "the secret is never answered");
    body
}

fn events_of(got: &[Received], job: &str) -> Vec<String> {
    got.iter()
        .filter(|r| r.body["data"]["job"] == job)
        .map(|r| r.body["event"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn deliveries_are_signed_retried_and_each_arrives_once_in_order() {
    let office = Office::start_with(&config()).await;
    office.technician("t1").await;
    let receiver = Receiver::start(2).await;
    let hook = subscribe(
        &office,
        &receiver.url,
        &[
            "job.created",
            "job.assigned",
            "job.status_changed",
            "complaint.opened",
        ],
    )
    .await;
    office.create_job("J-1", Some("t1")).await;
    office.patch("J-1", json!({"technician": null})).await;
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/jobs/J-1/complaints",
            Some(json!({"text": "nobody came"})),
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    office.create_job("J-2", None).await;

    receiver
        .until("every event delivered", |got| {
            got.iter().filter(|r| r.answered == 200).count() >= 5
        })
        .await;
    // Let any stray duplicate arrive before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = receiver.got.lock().clone();
    assert!(
        got.iter().all(|r| r.verified),
        "a signature did not verify: {got:#?}"
    );
    assert_eq!(got.iter().filter(|r| r.answered == 500).count(), 2);
    let delivered = receiver.delivered();
    assert_eq!(
        events_of(&delivered, "J-1"),
        [
            "job.created",
            "job.assigned",
            "job.assigned",
            "complaint.opened"
        ]
    );
    assert_eq!(events_of(&delivered, "J-2"), ["job.created"]);
    assert_eq!(delivered[0].body["data"]["job"], "J-1");
    for r in &delivered {
        for time in ["created_at", "occurred_at"] {
            let t = r.body[time].as_str().unwrap();
            assert!(
                chrono::DateTime::parse_from_rfc3339(t).is_ok(),
                "{time}: {t}"
            );
        }
    }
    // Each event once: no event id twice among the acknowledged, and the refused ones were
    // the same deliveries sent again.
    let mut ids: Vec<&str> = delivered
        .iter()
        .map(|r| r.body["id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), delivered.len());
    for refused in got.iter().filter(|r| r.answered == 500) {
        assert!(delivered.iter().any(|r| r.delivery == refused.delivery));
    }
    // The unassignment says so.
    let unassigned = delivered
        .iter()
        .filter(|r| r.body["event"] == "job.assigned")
        .nth(1)
        .unwrap();
    assert_eq!(unassigned.body["data"]["technician"], Value::Null);

    let id = hook["id"].as_str().unwrap();
    let (_, listed) = office
        .call(
            Method::GET,
            &format!("/api/v1/webhooks/{id}/deliveries"),
            None,
            Some(&office.token),
        )
        .await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 5);
    assert!(
        listed
            .iter()
            .all(|d| d["status"] == "delivered" && d["last_status"] == 200)
    );
    assert!(listed.iter().any(|d| d["attempts"].as_u64().unwrap() > 1));
    let (_, hook) = office
        .call(
            Method::GET,
            &format!("/api/v1/webhooks/{id}"),
            None,
            Some(&office.token),
        )
        .await;
    assert_eq!(
        (hook["status"].as_str(), hook["failures"].as_u64()),
        (Some("active"), Some(0))
    );
}

#[tokio::test]
async fn an_event_stored_before_the_server_stopped_goes_out_after_it_starts_again() {
    // The first retry 2 s after a failure: none is due while the server stops.
    let slow = {
        let mut c = config();
        c.webhooks.first_retry_ms = 2_000;
        c
    };
    let mut office = Office::start_with(&slow).await;
    // The receiver's port, with nothing listening yet: every attempt fails.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let hook = subscribe(
        &office,
        &format!("http://127.0.0.1:{port}/hook"),
        &["job.created"],
    )
    .await;
    office.create_job("J-1", None).await;
    // Its first attempt found nobody listening.
    let path = format!(
        "/api/v1/webhooks/{}/deliveries",
        hook["id"].as_str().unwrap()
    );
    for _ in 0..200 {
        let (_, listed) = office
            .call(Method::GET, &path, None, Some(&office.token))
            .await;
        if listed[0]["attempts"].as_u64() >= Some(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The server stops with the event stored and not delivered.
    office.stop().await;
    let receiver = Receiver::on(port, 0).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        receiver.got.lock().is_empty(),
        "a stopped server sent something"
    );
    office.restart_with(&slow).await;
    receiver
        .until("the stored event, after the restart", |got| !got.is_empty())
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let delivered = receiver.delivered();
    assert_eq!(events_of(&delivered, "J-1"), ["job.created"]);
}

#[tokio::test]
async fn a_subscription_that_keeps_failing_is_paused_then_resumed_in_order() {
    let office = Office::start_with(&config()).await;
    // Refuses its first four (the pause threshold of `config`), then accepts.
    let receiver = Receiver::start(4).await;
    let hook = subscribe(&office, &receiver.url, &["job.created"]).await;
    let id = hook["id"].as_str().unwrap().to_string();
    // One job: its one delivery fails four times in a row (its next retry 8.1 s away).
    office.create_job("J-1", None).await;
    let path = format!("/api/v1/webhooks/{id}");
    let mut paused = Value::Null;
    for _ in 0..200 {
        let (_, h) = office
            .call(Method::GET, &path, None, Some(&office.token))
            .await;
        if h["status"] == "paused" {
            paused = h;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(paused["status"], "paused", "never paused");
    assert_eq!(paused["failures"], 4);
    assert_eq!(paused["last_status"], 500);
    // Paused: a new event waits too.
    office.create_job("J-2", None).await;
    let before = receiver.got.lock().len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.got.lock().len(),
        before,
        "a paused subscription still sends"
    );

    let (status, resumed) = office
        .call(
            Method::POST,
            &format!("{path}/resume"),
            None,
            Some(&office.token),
        )
        .await;
    assert_eq!((status, resumed["status"].as_str()), (200, Some("active")));
    // At once, not at the retry time the pause left (8.1 s after the fourth failure here).
    let resumed_at = std::time::Instant::now();
    receiver
        .until("both events after resuming", |got| {
            got.iter().filter(|r| r.answered == 200).count() >= 2
        })
        .await;
    assert!(
        resumed_at.elapsed() < Duration::from_secs(5),
        "{:?}",
        resumed_at.elapsed()
    );
    let jobs: Vec<Value> = receiver
        .delivered()
        .iter()
        .map(|r| r.body["data"]["job"].clone())
        .collect();
    assert!(jobs.contains(&json!("J-1")) && jobs.contains(&json!("J-2")));

    let (status, _) = office
        .call(Method::DELETE, &path, None, Some(&office.token))
        .await;
    assert_eq!(status, 204);
    let (status, _) = office
        .call(Method::GET, &path, None, Some(&office.token))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn webhooks_to_the_offices_own_network_and_bad_subscriptions_are_refused() {
    // The default: private addresses are not allowed.
    let office = Office::start().await;
    for (url, code) in [
        ("http://127.0.0.1:9/hook", "private_address"),
        ("http://localhost:9/hook", "private_address"),
        ("http://10.1.2.3/hook", "private_address"),
        ("http://169.254.169.254/latest/meta-data", "private_address"),
        ("http://[::1]:9/hook", "private_address"),
        ("http://[::ffff:127.0.0.1]:9/hook", "private_address"),
        ("ftp://example.com/hook", "bad_url"),
        ("http://user:pw@example.com/hook", "bad_url"),
        ("not a url", "bad_url"),
    ] {
        let (status, body) = office
            .call(
                Method::POST,
                "/api/v1/webhooks",
                Some(json!({"url": url, "events": ["job.created"], "secret": SECRET})),
                Some(&office.token),
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some(code)),
            "{url}: {body}"
        );
    }
    for body in [
        json!({"url": "http://127.0.0.1/x", "events": ["job.deleted"], "secret": SECRET}),
        json!({"url": "http://127.0.0.1/x", "events": [], "secret": SECRET}),
        json!({"url": "http://127.0.0.1/x", "events": ["job.created"], "secret": "short"}),
        json!({"url": "http://127.0.0.1/x", "events": ["job.created"]}),
    ] {
        let (status, answer) = office
            .call(
                Method::POST,
                "/api/v1/webhooks",
                Some(body.clone()),
                Some(&office.token),
            )
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
    }
    let (status, listed) = office
        .call(Method::GET, "/api/v1/webhooks", None, Some(&office.token))
        .await;
    assert_eq!(
        (status, listed),
        (200, json!([])),
        "nothing stored from a refusal"
    );
    // Dispatch only.
    let (status, _) = office
        .call(Method::GET, "/api/v1/webhooks", None, None)
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn several_instances_on_one_database_deliver_each_event_once() {
    let Some(url) = fieldwork_store_postgres::admin::test_database().unwrap() else {
        return; // PostgreSQL pass only (FIELDWORK_TEST_POSTGRES)
    };
    let shared = fieldwork_server::Config {
        database: Some(url),
        ..config()
    };
    let first = Office::start_with(&shared).await;
    let second = Office::start_with(&shared).await;
    let receiver = Receiver::start(0).await;
    subscribe(&first, &receiver.url, &["job.created"]).await;
    for i in 0..20 {
        let office = if i % 2 == 0 { &first } else { &second };
        office.create_job(&format!("J-{i}"), None).await;
    }
    receiver.until("twenty events", |got| got.len() >= 20).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let got = receiver.got.lock().clone();
    let mut ids: Vec<&str> = got.iter().map(|r| r.body["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        (got.len(), ids.len()),
        (20, 20),
        "an event sent twice: {got:#?}"
    );
}

#[tokio::test]
async fn the_console_subscribes_shows_a_paused_subscription_with_its_last_answer_and_resumes_it() {
    use crate::console::{Browser, field};
    let office = Office::start_with(&config()).await;
    fieldwork_server::add_user(office.place.clone(), "mei", "correct horse battery").unwrap();
    let mut browser = Browser::new(&office);
    browser.log_in("mei", "correct horse battery").await;
    let (status, page) = browser.get("/webhooks").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = field(&page, "csrf");

    // A refusal is said on the page, and nothing is stored.
    let (status, page, _) = browser
        .post_form(
            "/webhooks",
            &[
                ("csrf", &csrf),
                ("url", "http://127.0.0.1:9/hook"),
                ("events", "job.created"),
                ("secret", "short"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"webhook-error\""), "{page}");
    assert!(
        page.contains("secret must be 16 to 256 characters"),
        "{page}"
    );

    let receiver = Receiver::start(4).await;
    let (status, _, _) = browser
        .post_form(
            "/webhooks",
            &[
                ("csrf", &csrf),
                ("url", &receiver.url),
                ("events", "job.created"),
                ("events", "report.signed"),
                ("secret", SECRET),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, listed) = office
        .call(Method::GET, "/api/v1/webhooks", None, Some(&office.token))
        .await;
    assert_eq!(listed[0]["events"], json!(["job.created", "report.signed"]));
    let id = listed[0]["id"].as_str().unwrap().to_string();

    office.create_job("J-1", None).await;
    let mut page = String::new();
    for _ in 0..200 {
        page = browser.get("/webhooks").await.1;
        if page.contains("Paused (kept failing)") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(page.contains("Paused (kept failing)"), "{page}");
    assert!(page.contains("class=\"last-answer\">500"), "{page}");
    assert!(page.contains("Job created"), "{page}");
    let (status, _, _) = browser
        .post_form(&format!("/webhooks/{id}/resume"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    receiver
        .until("delivered after resuming", |got| {
            got.iter().any(|r| r.answered == 200)
        })
        .await;
    let (status, _, _) = browser
        .post_form(&format!("/webhooks/{id}/delete"), &[("csrf", "forged")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = browser
        .post_form(&format!("/webhooks/{id}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        browser
            .get("/webhooks")
            .await
            .1
            .contains("No subscriptions yet.")
    );
}

async fn post_ok(office: &Office, path: &str, body: Value) {
    let (status, answer) = office
        .call(Method::POST, path, Some(body), Some(&office.token))
        .await;
    assert!(status == 200 || status == 201, "{path}: {answer}");
}

#[tokio::test]
async fn a_passed_deadline_and_stock_falling_below_its_minimum_are_events_once_each() {
    let office = Office::start_with(&config()).await;
    office.technician("t1").await;
    let receiver = Receiver::start(0).await;
    let contract: Value = serde_json::from_str(fieldwork_server::demo::DEMO_CONTRACT).unwrap();
    post_ok(&office, "/api/v1/contracts", contract).await;
    // Breached before anyone subscribed: the past, not news to a new subscription.
    let mut before = crate::common::job_body("J-BEFORE", Some("t1"));
    before["contract"] = json!("GOLD-2026");
    before["reported_at"] = json!("2026-01-05T09:00:00+08:00");
    post_ok(&office, "/api/v1/jobs", before).await;
    subscribe(
        &office,
        &receiver.url,
        &["sla.breached", "stock.below_minimum"],
    )
    .await;

    // A job under contract reported long ago and never answered: its response is breached.
    let mut job = crate::common::job_body("J-LATE", Some("t1"));
    job["contract"] = json!("GOLD-2026");
    job["reported_at"] = json!("2026-01-05T09:00:00+08:00");
    post_ok(&office, "/api/v1/jobs", job).await;

    // A warehouse under its minimum from the start; stocked over it; then under it again.
    post_ok(
        &office,
        "/api/v1/parts",
        json!({"sku": "FAN-12", "name": {"zh-CN": "风扇", "en": "Fan"},
        "unit": "pcs", "unit_price": 4500, "serialised": false}),
    )
    .await;
    post_ok(
        &office,
        "/api/v1/locations",
        json!({"id": "W-EAST", "kind": "warehouse", "region": "east"}),
    )
    .await;
    post_ok(
        &office,
        "/api/v1/locations",
        json!({"id": "V-T1", "kind": "van", "technicians": ["t1"], "region": "east"}),
    )
    .await;
    post_ok(
        &office,
        "/api/v1/stock/limits",
        json!({"location": "W-EAST", "sku": "FAN-12", "min": 5, "max": 20}),
    )
    .await;
    receiver
        .until("the breach and the first fall", |got| got.len() >= 2)
        .await;
    post_ok(
        &office,
        "/api/v1/stock/movements",
        json!({"kind": "receipt", "to": "W-EAST",
        "lines": [{"sku": "FAN-12", "qty": 10}]}),
    )
    .await;
    // Let the watcher see the level back over its minimum before it falls again.
    tokio::time::sleep(Duration::from_millis(400)).await;
    post_ok(
        &office,
        "/api/v1/stock/movements",
        json!({"kind": "transfer", "from": "W-EAST",
        "to": "V-T1", "lines": [{"sku": "FAN-12", "qty": 8}]}),
    )
    .await;
    receiver
        .until("the second fall", |got| {
            got.iter()
                .filter(|r| r.body["event"] == "stock.below_minimum")
                .count()
                >= 2
        })
        .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let got = receiver.delivered();
    let breaches: Vec<&Received> = got
        .iter()
        .filter(|r| r.body["event"] == "sla.breached")
        .collect();
    assert!(!breaches.is_empty());
    assert!(breaches.iter().all(|r| r.body["data"]["job"] == "J-LATE"));
    let due = breaches[0].body["data"]["due"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(due).is_ok(), "{due}");
    let mut milestones: Vec<&str> = breaches
        .iter()
        .map(|r| r.body["data"]["milestone"].as_str().unwrap())
        .collect();
    let count = milestones.len();
    milestones.dedup();
    assert_eq!(
        milestones.len(),
        count,
        "a milestone breached twice: {got:#?}"
    );
    let falls: Vec<(i64, i64)> = got
        .iter()
        .filter(|r| r.body["event"] == "stock.below_minimum")
        .map(|r| {
            (
                r.body["data"]["qty"].as_i64().unwrap(),
                r.body["data"]["min"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(falls, [(0, 5), (2, 5)]);
}

#[tokio::test]
async fn a_rotated_secret_signs_what_follows_and_a_bad_change_changes_nothing() {
    let office = Office::start_with(&config()).await;
    office.technician("t1").await;
    let receiver = Receiver::start(0).await;
    let hook = subscribe(&office, &receiver.url, &["job.created"]).await;
    let path = format!("/api/v1/webhooks/{}", hook["id"].as_str().unwrap());
    office.create_job("J-1", None).await;
    receiver
        .until("the first event", |got| got.len() == 1)
        .await;

    const ROTATED: &str = "rotated-secret-9876543210";
    let (status, changed) = office
        .call(
            Method::PATCH,
            &path,
            Some(json!({"secret": ROTATED, "events": ["job.created", "job.assigned"]})),
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["events"], json!(["job.created", "job.assigned"]));
    assert!(changed.get("secret").is_none());
    office.create_job("J-2", Some("t1")).await;
    receiver
        .until("J-2 created and assigned", |got| got.len() == 3)
        .await;
    let now = chrono::Utc::now().timestamp();
    for r in &receiver.got.lock()[1..] {
        assert!(fieldwork_office::webhooks::verify(
            ROTATED,
            &r.signature,
            &r.raw,
            now
        ));
        assert!(!r.verified, "still signed with the old secret");
    }

    // Refused changes change nothing.
    for bad in [
        json!({"secret": "short"}),
        json!({"events": ["job.deleted"]}),
        json!({"events": []}),
        json!({"url": "ftp://example.com/x"}),
        json!({"colour": "red"}),
    ] {
        let (status, answer) = office
            .call(Method::PATCH, &path, Some(bad.clone()), Some(&office.token))
            .await;
        assert_eq!(status, 400, "{bad}: {answer}");
    }
    let (_, now_hook) = office
        .call(Method::GET, &path, None, Some(&office.token))
        .await;
    assert_eq!(now_hook["events"], json!(["job.created", "job.assigned"]));
    assert_eq!(now_hook["url"], receiver.url);
    let (status, _) = office
        .call(
            Method::PATCH,
            "/api/v1/webhooks/wh_nobody",
            Some(json!({"secret": ROTATED})),
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 404);
}
