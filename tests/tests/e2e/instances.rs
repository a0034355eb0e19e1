//! Several office instances on one PostgreSQL database (ADR 0009): phones and dispatch reach
//! them through a balancer that picks an instance for every request, while all of them commit
//! at once. Runs in the test command's PostgreSQL pass (`FIELDWORK_TEST_POSTGRES`); without a
//! cluster it says so and passes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use fieldwork_core::Device;
use fieldwork_tests::balancer::Balancer;
use fieldwork_tests::{job_body, note_texts, now_ms};
use serde_json::{Value, json};

const TECHNICIANS: [&str; 3] = ["t1", "t2", "t3"];
const JOBS_EACH: usize = 6;
const PHONES_EACH: usize = 2;
const ROUNDS: usize = 8;

/// A dispatcher's client that opens a new connection for every request, so the balancer's
/// choice is made per request.
fn dispatch_client() -> reqwest::Client {
    fieldwork_tests::http_client_builder()
        .pool_max_idle_per_host(0)
        .no_proxy()
        .build()
        .unwrap()
}

async fn dispatch(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut req = http
        .request(method, format!("{url}{path}"))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {v}");
    v
}

/// Several server instances on one new PostgreSQL database, sharing one data directory (for
/// attachments); `None` when the test pass has no cluster.
struct Instances {
    database: String,
    data: tempfile::TempDir,
    servers: Vec<fieldwork_server::RunningServer>,
}

impl Instances {
    async fn start(n: usize, config: fieldwork_server::Config) -> Option<Instances> {
        let Some(database) = fieldwork_store_postgres::admin::test_database().unwrap() else {
            eprintln!("skipped: FIELDWORK_TEST_POSTGRES not set (the test command sets it)");
            return None;
        };
        let data = tempfile::tempdir().unwrap();
        let config = fieldwork_server::Config {
            database: Some(database.clone()),
            ..config
        };
        let mut servers = Vec::new();
        for _ in 0..n {
            let listen = "127.0.0.1:0".parse().unwrap();
            servers.push(
                fieldwork_server::spawn_with(data.path(), listen, &config)
                    .await
                    .unwrap(),
            );
        }
        Some(Instances {
            database,
            data,
            servers,
        })
    }

    /// Where their data is, for the command-line functions.
    fn place(&self) -> fieldwork_server::Place {
        fieldwork_server::Place::postgres(self.data.path(), &self.database)
    }
}

fn job_id(t: &str, i: usize) -> String {
    format!("J-{t}-{i}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_on_one_database_lose_nothing_and_every_phone_converges() {
    let Some(office) = Instances::start(3, Default::default()).await else {
        return;
    };
    let servers = &office.servers;
    let balancer = Balancer::start(servers.iter().map(|s| s.url()).collect()).await;
    let url = balancer.url();
    let place = office.place();
    let token = fieldwork_server::issue_dispatcher_token(place.clone()).unwrap();
    let http = dispatch_client();
    use reqwest::Method;

    for t in TECHNICIANS {
        dispatch(
            &http,
            &url,
            &token,
            Method::POST,
            "/api/v1/technicians",
            Some(json!({"id": t, "name": t})),
        )
        .await;
        for i in 0..JOBS_EACH {
            let body = job_body(&job_id(t, i), Some(t));
            dispatch(
                &http,
                &url,
                &token,
                Method::POST,
                "/api/v1/jobs",
                Some(body),
            )
            .await;
        }
    }

    // Phones enroll through the balancer with codes issued by the command line tool.
    let mut phones = Vec::new();
    let mut phone_dirs = Vec::new();
    for t in TECHNICIANS {
        for p in 0..PHONES_EACH {
            let dir = tempfile::tempdir().unwrap();
            let device = Device::open(dir.path()).unwrap();
            let code = fieldwork_server::issue_enroll_code(place.clone(), t).unwrap();
            device
                .enroll(&url, &code, &format!("{t}-phone-{p}"))
                .await
                .unwrap();
            device.sync().await.unwrap();
            phones.push((t, Arc::new(device)));
            phone_dirs.push(dir);
        }
    }

    // Everyone writes at once: each phone a note per round on one of its jobs, then a sync;
    // dispatch notes on every job meanwhile. Every write is remembered, by job.
    let mut writers = Vec::new();
    for (n, (t, phone)) in phones.iter().enumerate() {
        let (t, phone) = (t.to_string(), phone.clone());
        writers.push(tokio::spawn(async move {
            let mut written = Vec::new();
            for round in 0..ROUNDS {
                let job = job_id(&t, (n + round) % JOBS_EACH);
                let text = format!("phone {n} round {round}");
                phone.add_note(&job, &text, now_ms()).unwrap();
                written.push((job, text));
                // A round may meet a busy office; the next one carries the same changes.
                if let Err(e) = phone.sync().await {
                    eprintln!("phone {n} round {round}: {e}");
                }
            }
            written
        }));
    }
    let dispatcher = {
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        tokio::spawn(async move {
            let mut written = Vec::new();
            for round in 0..ROUNDS {
                for t in TECHNICIANS {
                    let job = job_id(t, round % JOBS_EACH);
                    let text = format!("dispatch round {round} for {t}");
                    dispatch(
                        &http,
                        &url,
                        &token,
                        Method::POST,
                        &format!("/api/v1/jobs/{job}/notes"),
                        Some(json!({ "text": text })),
                    )
                    .await;
                    written.push((job, text));
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            written
        })
    };
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for w in writers {
        for (job, text) in w.await.unwrap() {
            expected.entry(job).or_default().insert(text);
        }
    }
    for (job, text) in dispatcher.await.unwrap() {
        expected.entry(job).or_default().insert(text);
    }

    // Quiet: every phone syncs until a round brings and sends nothing.
    for (_, phone) in &phones {
        for _ in 0..10 {
            let r = phone.sync().await.unwrap();
            if r.uploaded == 0 && r.downloaded == 0 {
                break;
            }
        }
    }

    // Every instance shows every note; every phone holds every note of its technician's jobs.
    for server in servers {
        for (job, texts) in &expected {
            let v = dispatch(
                &http,
                &server.url(),
                &token,
                Method::GET,
                &format!("/api/v1/jobs/{job}"),
                None,
            )
            .await;
            let held = note_texts(&v);
            assert!(
                held.is_superset(texts),
                "{job} at {}: {held:?}",
                server.url()
            );
        }
    }
    for (t, phone) in &phones {
        for i in 0..JOBS_EACH {
            let job = job_id(t, i);
            let view = serde_json::to_value(phone.job(&job, 0).unwrap()).unwrap();
            let office = dispatch(
                &http,
                &url,
                &token,
                Method::GET,
                &format!("/api/v1/jobs/{job}"),
                None,
            )
            .await;
            assert_eq!(
                note_texts(&view),
                note_texts(&office),
                "{job} on a phone of {t}"
            );
        }
    }
    // The balancer did spread the requests.
    assert!(
        balancer.counts().iter().all(|&c| c > 20),
        "{:?}",
        balancer.counts()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_published_on_one_instance_reaches_the_consoles_of_another() {
    let Some(database) = fieldwork_store_postgres::admin::test_database().unwrap() else {
        eprintln!("skipped: FIELDWORK_TEST_POSTGRES not set (the test command sets it)");
        return;
    };
    let one = fieldwork_server::console::Live::through_postgres(&database).unwrap();
    let other = fieldwork_server::console::Live::through_postgres(&database).unwrap();
    let mut heard_by_other = other.subscribe();
    let mut heard_by_one = one.subscribe();
    // The relays LISTEN as they connect: publish until the other instance hears it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let change = loop {
        one.jobs_changed(vec!["J-live".into()]);
        match tokio::time::timeout(Duration::from_millis(200), heard_by_other.recv()).await {
            Ok(change) => break change.unwrap(),
            Err(_) => assert!(tokio::time::Instant::now() < deadline, "never heard"),
        }
    };
    assert_eq!(change.jobs, ["J-live"]);
    // The publishing instance hears its own change once, not again through the database.
    assert_eq!(heard_by_one.recv().await.unwrap().jobs, ["J-live"]);
    other.device_synced("t1", vec!["J-2".into()]);
    let synced = loop {
        let c = tokio::time::timeout(Duration::from_secs(10), heard_by_one.recv())
            .await
            .unwrap()
            .unwrap();
        if c.synced_technician.is_some() {
            break c;
        }
        assert_eq!(
            c.jobs,
            ["J-live"],
            "only the retries of the first change come before"
        );
    };
    assert_eq!(synced.synced_technician.as_deref(), Some("t1"));
    assert_eq!(synced.jobs, ["J-2"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_has_one_allowance_whichever_instance_its_requests_reach() {
    let config = fieldwork_server::Config {
        limits: fieldwork_server::limits::LimitConfig {
            requests_per_second: 0.01,
            request_burst: 6.0,
            ..Default::default()
        },
        ..Default::default()
    };
    let Some(office) = Instances::start(2, config).await else {
        return;
    };
    let servers = &office.servers;
    let token = fieldwork_server::issue_dispatcher_token(office.place()).unwrap();
    let http = dispatch_client();
    let mut statuses = Vec::new();
    for i in 0..8 {
        let resp = http
            .get(format!("{}/api/v1/jobs", servers[i % 2].url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let retry_after = resp.headers().get("retry-after").cloned();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            assert!(retry_after.is_some());
        }
    }
    // Six in all, spread over both instances, then refused by either: not six per instance.
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
}

/// The value of cookie `name` among a response's Set-Cookie headers.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dispatcher_signed_in_on_one_instance_is_signed_in_on_every_other() {
    let Some(office) = Instances::start(3, Default::default()).await else {
        return;
    };
    let servers = &office.servers;
    fieldwork_server::add_user(office.place(), "mei", "correct horse battery").unwrap();
    let http = fieldwork_tests::http_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();

    // The login form from the first instance, submitted to the second.
    let form = http
        .get(format!("{}/login", servers[0].url()))
        .send()
        .await
        .unwrap();
    let csrf = set_cookie(&form, "fw_login_csrf").expect("a login CSRF cookie");
    let login = http
        .post(format!("{}/login", servers[1].url()))
        .header(reqwest::header::COOKIE, format!("fw_login_csrf={csrf}"))
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(format!(
            "name=mei&password={}&csrf={}",
            form_encode("correct horse battery"),
            form_encode(&csrf)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303, "{:?}", login.headers());
    let session = set_cookie(&login, "fw_session").expect("a session cookie");

    // Every instance knows the session; without it, each sends you to the login page.
    for server in servers {
        let board = http
            .get(format!("{}/board", server.url()))
            .header(reqwest::header::COOKIE, format!("fw_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(board.status(), 200, "{}", server.url());
        let anonymous = http
            .get(format!("{}/board", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 303);
    }
}
