//! The office's PostgreSQL goes away and comes back (a restart; a failover that keeps the
//! address) while an instance serves: requests meanwhile are answered 503 `database_unavailable` with
//! `Retry-After`, the phone keeps its work, and once the database is back the same instance
//! serves again, with no restart, and nothing either side wrote is missing.
//!
//! Runs in the test command's PostgreSQL pass, on a private cluster of its own (the pass's
//! shared cluster keeps serving the other tests); without `FIELDWORK_TEST_POSTGRES` it says so
//! and passes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use fieldwork_core::Error;
use fieldwork_tests::{Office, Phone, note_texts, now_ms, sync_until_quiet};

/// `scripts/postgres.sh` with its arguments; its stdout.
fn postgres_sh(args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres.sh");
    let out = Command::new("bash")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "postgres.sh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A private cluster, stopped when the test ends.
struct Cluster {
    dir: PathBuf,
    _keep: tempfile::TempDir,
}

/// A free loopback port below the kernel's ephemeral range (32768 and up), so no outgoing
/// connection of another test can take it while the cluster is down between stop and restart.
fn quiet_port() -> u16 {
    loop {
        let port = rand::random_range(20_000..32_000);
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

impl Cluster {
    fn start() -> (Cluster, String) {
        let keep = tempfile::tempdir().unwrap();
        let dir = keep.path().join("pg");
        let port = quiet_port().to_string();
        let url = postgres_sh(&["start", dir.to_str().unwrap(), &port]);
        (Cluster { dir, _keep: keep }, url)
    }

    /// Runs `postgres.sh ACTION DIR [PORT]` off the runtime's threads (the office in this
    /// process keeps serving on them meanwhile).
    async fn run(&self, action: &'static str) {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || {
            let port = std::fs::read_to_string(dir.join("port")).unwrap();
            let dir = dir.to_str().unwrap();
            match action {
                "start" => postgres_sh(&["start", dir, port.trim()]),
                _ => postgres_sh(&[action, dir]),
            }
        })
        .await
        .unwrap();
    }

    async fn stop(&self) {
        self.run("stop").await;
    }

    /// Starts it again on the port it had, as a failover keeps the address clients use.
    async fn restart(&self) {
        self.run("start").await;
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let dir = self.dir.to_str().unwrap().to_string();
        let _ = std::panic::catch_unwind(|| postgres_sh(&["stop", &dir]));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_going_away_is_a_503_and_the_same_instance_serves_when_it_returns() {
    if std::env::var_os("FIELDWORK_TEST_POSTGRES").is_none() {
        eprintln!("skipped: FIELDWORK_TEST_POSTGRES not set (the test command sets it)");
        return;
    }
    let (cluster, url) = Cluster::start();
    let office = Office::start_with(fieldwork_server::Config {
        database: Some(url),
        ..Default::default()
    })
    .await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;
    office.note("J-1", "dispatch, before the outage").await;

    cluster.stop().await;
    // The phone works on and tries to sync: told to come back, its work kept.
    phone
        .device
        .add_note("J-1", "technician, during the outage", now_ms())
        .unwrap();
    match phone.device.sync().await {
        Err(Error::RateLimited {
            retry_after_secs,
            message,
        }) => {
            assert_eq!(retry_after_secs, 5);
            assert!(message.contains("database"), "{message}");
        }
        other => panic!("expected the office to ask for a wait, got {other:?}"),
    }
    assert_eq!(phone.device.pending_sync_count().unwrap(), 1);
    // Dispatch gets the same JSON answer, and the instance keeps answering.
    let resp = fieldwork_tests::http_client()
        .get(format!("{}/api/v1/jobs/J-1", office.url()))
        .bearer_auth(&office.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 503);
    assert_eq!(resp.headers()["retry-after"], "5");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "database_unavailable", "{body}");
    assert!(!body.to_string().contains("postgres://"), "no URL: {body}");
    let health = |office: &Office| {
        let url = format!("{}/api/v1/health", office.url());
        async move {
            let resp = fieldwork_tests::http_client()
                .get(url)
                .send()
                .await
                .unwrap();
            resp.status().as_u16()
        }
    };
    assert_eq!(health(&office).await, 503, "a balancer drains it");

    cluster.restart().await;
    // The pool drops its dead connections and opens new ones: no restart of the instance.
    let mut synced = None;
    for _ in 0..20 {
        match phone.device.sync().await {
            Ok(r) => {
                synced = Some(r);
                break;
            }
            Err(Error::RateLimited { .. }) => tokio::time::sleep(Duration::from_millis(250)).await,
            Err(e) => panic!("after the database returned: {e}"),
        }
    }
    let synced = synced.expect("the instance serves again within 5 s of the database");
    assert_eq!(health(&office).await, 200);
    assert_eq!((synced.uploaded, synced.refused), (1, 0));
    let expected = [
        "dispatch, before the outage",
        "technician, during the outage",
    ];
    let at_office = note_texts(&office.job("J-1").await);
    let on_phone = note_texts(&phone.job("J-1"));
    for text in expected {
        assert!(at_office.contains(text), "office lacks {text:?}");
        assert!(on_phone.contains(text), "phone lacks {text:?}");
    }
}
