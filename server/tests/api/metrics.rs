//! `GET /metrics`: Prometheus text that parses, not public on the main address, open on
//! `--metrics-listen`, and moving when a phone syncs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::json;

use crate::common::Office;

/// Every sample line as `name{labels}` -> value, checking each line is a comment or a sample
/// and each sample's family was typed before it.
fn parse(text: &str) -> BTreeMap<String, f64> {
    let mut typed = Vec::new();
    let mut samples = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split(' ');
            let name = parts.next().unwrap().to_string();
            let kind = parts.next().unwrap();
            assert!(
                ["counter", "gauge", "histogram", "summary"].contains(&kind),
                "{line}"
            );
            typed.push(name);
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (key, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("not a sample: {line}"));
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {line}"));
        let name = key.split('{').next().unwrap();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|f| typed.iter().any(|t| t == f))
            .unwrap_or(name);
        assert!(typed.iter().any(|t| t == family), "untyped sample: {line}");
        if let Some(labels) = key.strip_prefix(name) {
            assert!(
                labels.is_empty() || (labels.starts_with('{') && labels.ends_with('}')),
                "{line}"
            );
        }
        samples.insert(key.to_string(), value);
    }
    samples
}

fn sum(samples: &BTreeMap<String, f64>, prefix: &str) -> f64 {
    samples
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(_, v)| v)
        .sum()
}

async fn scrape(office: &Office) -> BTreeMap<String, f64> {
    let response = office
        .http
        .get(format!("{}/metrics", office.url))
        .bearer_auth(&office.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    parse(&response.text().await.unwrap())
}

#[tokio::test]
async fn metrics_parse_are_not_public_and_move_when_a_phone_syncs() {
    let office = Office::start_with(&fieldwork_server::Config {
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        ..Default::default()
    })
    .await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;

    // Not public on the main address: no token, a device's token.
    let (status, _) = office.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(status, 401);
    let mut device = office.enroll("t1").await;
    let (status, _) = office
        .call(Method::GET, "/metrics", None, Some(&device.token))
        .await;
    assert_eq!(status, 403);
    // Open on its own address.
    let open = office.server.as_ref().unwrap().metrics_addr.unwrap();
    let text = reqwest::get(format!("http://{open}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let open = parse(&text);
    assert!(open.contains_key("fieldwork_outbox_depth{outbox=\"webhooks\"}"));

    let before = scrape(&office).await;
    for name in [
        "fieldwork_http_requests_total{",
        "fieldwork_http_request_duration_seconds_bucket{",
        "fieldwork_sync_rounds_total",
        "fieldwork_sync_bytes_total{direction=\"in\"}",
        "fieldwork_sync_documents_merged_total",
        "fieldwork_refusals_total{",
        "fieldwork_outbox_depth{outbox=\"mail\"}",
        "fieldwork_db_connections{state=\"in_use\"}",
        "fieldwork_sla_breached{milestone=\"response\"}",
    ] {
        assert!(
            before.keys().any(|k| k.starts_with(name)),
            "no {name} in {before:#?}"
        );
    }
    assert!(before["fieldwork_db_connections{state=\"idle\"}"] >= 1.0);

    // A phone syncs: a round, bytes both ways, and its change merged.
    device.pull(&office).await;
    device
        .doc("J-1")
        .add_note("t1", 1_795_000_000_000, "on my way")
        .unwrap();
    device.round(&office, &["J-1"]).await;
    // A refused input is counted with its code.
    let (status, _) = office
        .call(
            Method::PATCH,
            "/api/v1/jobs/J-1",
            Some(json!({"priority": "urgent"})),
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 400);
    let after = scrape(&office).await;
    let moved = |key: &str| after[key] - before.get(key).copied().unwrap_or(0.0);
    assert!(moved("fieldwork_sync_rounds_total") >= 2.0);
    assert!(moved("fieldwork_sync_bytes_total{direction=\"in\"}") > 0.0);
    assert!(moved("fieldwork_sync_bytes_total{direction=\"out\"}") > 0.0);
    assert!(moved("fieldwork_sync_documents_merged_total") >= 1.0);
    assert!(
        sum(&after, "fieldwork_refusals_total{code=\"invalid\"")
            > sum(&before, "fieldwork_refusals_total{code=\"invalid\"")
    );
    let syncs =
        "fieldwork_http_requests_total{route=\"/api/v1/sync\",method=\"POST\",status=\"200\"}";
    assert!(moved(syncs) >= 2.0, "{after:#?}");
}
