//! `bench.sh integration` (issue 22): what a company's systems meet. Importing 1,000 jobs in one
//! batch request against 1,000 single requests (same run, fresh offices); how long after a
//! change its webhook reaches a receiver on loopback (the sender is woken by the change);
//! exporting a period of 1,000 jobs as CSV and XLSX; one `/metrics` scrape over that office.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fieldwork_tests::{Office, job_body};
use parking_lot::Mutex;
use serde_json::{Value, json};

use super::{Row, bench_office, median, ms, pct, scale};

fn batch_of(prefix: &str, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| job_body(&format!("{prefix}{i:05}"), Some("t1")))
        .collect()
}

async fn get_ms(office: &Office, path: &str, runs: usize) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let (status, body) = office.raw_get(path).await;
        assert_eq!(status, 200, "{path}");
        size = body.len();
        times.push(started.elapsed());
    }
    (median(&mut times), size)
}

pub async fn integration(rows: &mut Vec<Row>) {
    let n = scale(1_000);
    // One batch request, three times on fresh offices, against one run of single requests.
    let mut batches = Vec::new();
    let mut office = None;
    for run in 0..3 {
        let o = bench_office().await;
        o.technician("t1").await;
        let jobs = batch_of(&format!("B{run}-"), n);
        let started = Instant::now();
        let (status, answer) = o
            .call(
                reqwest::Method::POST,
                "/api/v1/jobs/batch",
                Some(json!({ "jobs": jobs })),
                Some(&o.token),
            )
            .await;
        batches.push(started.elapsed());
        assert_eq!(status, 201, "{answer}");
        office = Some(o);
    }
    let singles = {
        let o = bench_office().await;
        o.technician("t1").await;
        let started = Instant::now();
        for job in batch_of("S-", n) {
            o.post("/api/v1/jobs", job).await;
        }
        started.elapsed()
    };
    rows.push(Row {
        what: format!(
            "{n} jobs into the office: one `POST /api/v1/jobs/batch` (median of 3, fresh offices) / {n} single `POST /api/v1/jobs`, same run"
        ),
        target: "one request within the limits".into(),
        result: format!(
            "{} / {} (the single requests with the rate limit off; at the default 50/s they would take 20 s and more)",
            ms(median(&mut batches)),
            ms(singles)
        ),
    });

    let office = office.unwrap();
    let period = "from=2026-11-01&to=2026-11-30";
    let (csv, csv_size) = get_ms(&office, &format!("/api/v1/export/jobs?{period}"), 5).await;
    let (xlsx, xlsx_size) = get_ms(
        &office,
        &format!("/api/v1/export/jobs?{period}&format=xlsx"),
        5,
    )
    .await;
    let (visits, _) = get_ms(
        &office,
        &format!("/api/v1/export/visits?{period}&format=xlsx"),
        5,
    )
    .await;
    rows.push(Row {
        what: format!(
            "export of a period's {n} jobs: CSV / XLSX / visit records as XLSX (median of 5)"
        ),
        target: "report".into(),
        result: format!(
            "{} ({} KB) / {} ({} KB) / {}",
            ms(csv),
            csv_size / 1024,
            ms(xlsx),
            xlsx_size / 1024,
            ms(visits)
        ),
    });
    let (scrape, size) = get_ms(&office, "/metrics", 20).await;
    rows.push(Row {
        what: format!("one `/metrics` scrape over an office of {n} jobs (median of 20)"),
        target: "report".into(),
        result: format!("{} ({} KB)", ms(scrape), size / 1024),
    });

    // A change's webhook: from the API's answer to the receiver's arrival.
    let office = Office::start_with(fieldwork_server::Config {
        webhooks: fieldwork_server::webhooks::WebhookConfig {
            allow_private: true,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    office.technician("t1").await;
    let arrived: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let kept = arrived.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let kept = kept.clone();
            async move {
                let event: Value = serde_json::from_slice(&body).unwrap();
                let job = event["data"]["job"].as_str().unwrap().to_string();
                kept.lock().entry(job).or_insert_with(Instant::now);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    office
        .post(
            "/api/v1/webhooks",
            json!({"url": url, "events": ["job.created"], "secret": "bench-secret-0123456789"}),
        )
        .await;
    let events = scale(40);
    let mut latencies = Vec::with_capacity(events);
    for i in 0..events {
        let job = format!("W-{i}");
        office.post("/api/v1/jobs", job_body(&job, None)).await;
        let answered = Instant::now();
        // Spread over the tick: each change lands at a different point of it.
        let deadline = answered + Duration::from_secs(10);
        loop {
            if let Some(at) = arrived.lock().get(&job) {
                latencies.push(at.saturating_duration_since(answered));
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no webhook for {job} within 10 s"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // A pseudo-random pause (0 to 1 s), so the changes fall anywhere in the outbox's tick.
        let pause = (i as u64 * 7_919 + 104_729) % 1_000;
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
    rows.push(Row {
        what: format!(
            "a change's webhook at a receiver on loopback, from the API's answer (the sender woken by the change; {events} changes at random points of its 1 s tick)"
        ),
        target: "report".into(),
        result: format!(
            "p50 {}, p99 {}",
            ms(pct(&mut latencies.clone(), 0.5)),
            ms(pct(&mut latencies, 0.99))
        ),
    });
}
