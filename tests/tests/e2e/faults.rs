//! Faults at the office and on the way: the server killed with SIGKILL at random moments while
//! 50 phones sync and dispatch edits (nothing any side was told was stored is lost, and every
//! phone converges with the office), and phones whose clocks are hours off. Lost responses
//! after the office committed are covered by `sync_props` (a lossy, duplicating network) and by
//! `server/tests/api/sync_protocol.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fieldwork_core::Device;
use fieldwork_tests::{Office, Phone, job_body, now_ms};
use rand::Rng;
use serde_json::{Value, json};

/// The office in a child process that a test can SIGKILL, over a data directory that outlives it.
struct OfficeProcess {
    child: Child,
}

impl OfficeProcess {
    fn start(data: &std::path::Path, port: u16) -> OfficeProcess {
        OfficeProcess::start_with(data, port, &[])
    }

    fn start_with(data: &std::path::Path, port: u16, extra: &[&str]) -> OfficeProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_office-process"))
            .arg(data)
            .arg(port.to_string())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        assert!(
            line.starts_with("listening on"),
            "office did not start: {line:?}"
        );
        OfficeProcess { child }
    }

    /// SIGKILL: no shutdown, no flush, whatever was in flight.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for OfficeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Dispatch {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Dispatch {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Option<Value> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.ok()?;
        if !resp.status().is_success() {
            return None;
        }
        resp.json().await.ok()
    }
}

/// Every note text in the office's copy of a job.
async fn office_notes(dispatch: &Dispatch, job: &str) -> BTreeSet<String> {
    let resp = dispatch
        .http
        .get(format!("{}/api/v1/jobs/{job}", dispatch.url))
        .bearer_auth(&dispatch.token)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let job: Value = resp.json().await.unwrap();
    assert!(status.is_success(), "{status}: {job}");
    fieldwork_tests::note_texts(&job)
}

/// Every note text of each job at the office, one request per job.
async fn notes_by_job(
    dispatch: &Dispatch,
    jobs: &[String],
) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let mut out = std::collections::BTreeMap::new();
    for job in jobs {
        out.insert(job.clone(), office_notes(dispatch, job).await);
    }
    out
}

const TECHNICIANS: usize = 25;
const PHONES_EACH: usize = 2;
const ROUNDS: usize = 4;

#[tokio::test(flavor = "multi_thread")]
async fn the_office_killed_at_random_moments_loses_nothing_it_acknowledged() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let mut office = Some(OfficeProcess::start(data.path(), port));
    let dispatch = Arc::new(Dispatch {
        http: fieldwork_tests::http_client(),
        url: url.clone(),
        token: fieldwork_server::issue_dispatcher_token(data.path()).unwrap(),
    });
    let mut jobs = Vec::new();
    let mut phones = Vec::new();
    for t in 0..TECHNICIANS {
        let tech = format!("t{t}");
        dispatch
            .send(
                reqwest::Method::POST,
                "/api/v1/technicians",
                Some(json!({"id": tech, "name": tech})),
            )
            .await
            .unwrap();
        let job = format!("K-{t}");
        dispatch
            .send(
                reqwest::Method::POST,
                "/api/v1/jobs",
                Some(job_body(&job, Some(&tech))),
            )
            .await
            .unwrap();
        for _ in 0..PHONES_EACH {
            let dir = tempfile::tempdir().unwrap();
            let device = Device::open(dir.path()).unwrap();
            let code = fieldwork_server::issue_enroll_code(data.path(), &tech).unwrap();
            device.enroll(&url, &code, "phone").await.unwrap();
            device.sync().await.unwrap();
            phones.push((Arc::new(Phone { dir, device }), job.clone()));
        }
        jobs.push(job);
    }

    // What each side was told the office stored, and everything the phones wrote.
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    let mut written: Vec<(String, String)> = Vec::new();
    let mut rng = rand::rng();
    for round in 0..ROUNDS {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, (phone, job)) in phones.iter().enumerate() {
            let (phone, job) = (phone.clone(), job.clone());
            let text = format!("phone {i} round {round}");
            written.push((job.clone(), text.clone()));
            tasks.spawn(async move {
                phone.device.add_note(&job, &text, now_ms()).unwrap();
                // Told the office has it only if the whole round came back.
                let told = phone
                    .device
                    .sync()
                    .await
                    .is_ok_and(|r| r.refused == 0 && r.uploaded >= 1);
                told.then_some((job, text))
            });
        }
        for k in 0..10 {
            let dispatch = dispatch.clone();
            let job = jobs[(round * 10 + k) % jobs.len()].clone();
            let text = format!("dispatch {k} round {round}");
            tasks.spawn(async move {
                dispatch
                    .send(
                        reqwest::Method::POST,
                        &format!("/api/v1/jobs/{job}/notes"),
                        Some(json!({"text": text})),
                    )
                    .await
                    .map(|_| (job, text))
            });
        }
        // Somewhere in the middle of all that: SIGKILL.
        tokio::time::sleep(Duration::from_millis(rng.random_range(100..700))).await;
        office.take().unwrap().kill();
        while let Some(told) = tasks.join_next().await {
            acknowledged.extend(told.unwrap());
        }
        office = Some(OfficeProcess::start(data.path(), port));
        // Before anyone syncs again: everything acknowledged is at the restarted office.
        let held = notes_by_job(&dispatch, &jobs).await;
        for (job, text) in &acknowledged {
            assert!(
                held[job].contains(text),
                "round {round}: the office lost {text:?} on {job} after telling its sender it was stored"
            );
        }
    }
    // Some writes land before each kill and some are cut off: how many varies with the
    // machine's load, so only a floor that any working office clears.
    assert!(
        acknowledged.len() >= 10,
        "too few writes were acknowledged to mean anything: {}",
        acknowledged.len()
    );

    // With the office up, every phone converges: everything anyone wrote is everywhere. (Sync
    // until a whole pass moves nothing: a phone whose last push was cut off by the kill sends
    // it in some pass, and the other phone of its technician needs the pass after.)
    let all: Vec<&Phone> = phones.iter().map(|(p, _)| p.as_ref()).collect();
    fieldwork_tests::sync_until_quiet(&all).await;
    let held = notes_by_job(&dispatch, &jobs).await;
    for (job, text) in written.iter().chain(&acknowledged) {
        assert!(
            held[job].contains(text),
            "{text:?} never reached the office's {job}"
        );
    }
    for (phone, job) in &phones {
        let here: BTreeSet<String> = phone.job(job)["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["text"].as_str().unwrap().to_string())
            .collect();
        // Should it ever differ, say what the phone thinks of the job (pending, refused why).
        let state: Vec<_> = phone
            .device
            .jobs()
            .unwrap()
            .into_iter()
            .map(|j| (j.id, j.pending_sync, j.sync_error))
            .collect();
        assert_eq!(
            here, held[job],
            "{job} differs; the phone's view: {state:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn phones_with_clocks_hours_off_are_accepted_and_their_times_kept() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let ahead = Phone::enroll(&office, "t1").await;
    let behind = Phone::enroll(&office, "t1").await;
    for p in [&ahead, &behind] {
        p.device.sync().await.unwrap();
    }
    let hour = 3_600_000;
    let now = now_ms();
    ahead
        .device
        .add_note("J-1", "clock five hours fast", now + 5 * hour)
        .unwrap();
    behind
        .device
        .add_note("J-1", "clock seven hours slow", now - 7 * hour)
        .unwrap();
    for p in [&ahead, &behind] {
        let r = p.device.sync().await.unwrap();
        assert_eq!((r.uploaded, r.refused), (1, 0), "{r:?}");
    }
    let notes = office.job("J-1").await["notes"].clone();
    let at = |text: &str| {
        notes
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["text"] == text)
            .map(|n| {
                fieldwork_core::model::time::parse_rfc3339("at", n["at"].as_str().unwrap()).unwrap()
            })
            .unwrap()
    };
    // The office shows what each phone's clock said; it does not rewrite history.
    assert_eq!(at("clock five hours fast"), now + 5 * hour);
    assert_eq!(at("clock seven hours slow"), now - 7 * hour);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_office_restored_from_yesterdays_backup_gets_back_what_the_phones_hold() {
    let mut office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    office.create_job("J-2", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    phone.device.sync().await.unwrap();
    phone
        .device
        .add_note("J-1", "before the backup", now_ms())
        .unwrap();
    phone.device.sync().await.unwrap();
    let backup = office.dir.path().join("yesterday.db");
    fieldwork_server::backup(office.place.clone(), &backup).unwrap();

    // After the backup: the phone's work and dispatch's, all synced and acknowledged.
    phone
        .device
        .add_note("J-1", "after the backup", now_ms())
        .unwrap();
    phone
        .device
        .add_part(
            "J-2",
            &fieldwork_core::model::NewPart {
                sku: "PUMP-7".into(),
                qty: 1,
                ..Default::default()
            },
            now_ms(),
        )
        .unwrap();
    office.note("J-2", "dispatch: gate code 4711").await;
    phone.device.sync().await.unwrap();
    assert!(phone.device.jobs().unwrap().iter().all(|j| !j.pending_sync));

    // The office's disk is lost; yesterday's backup is restored.
    office.stop().await;
    fieldwork_server::restore(office.place.clone(), &backup).unwrap();
    office.restart().await;
    let texts = fieldwork_tests::note_texts;
    assert!(!texts(&office.job("J-1").await).contains("after the backup"));
    // Dispatch keeps working on the restored office before the phone is back.
    office.note("J-1", "dispatch: after the restore").await;

    // One sync: the phone sees the new epoch and pushes everything whole.
    phone.device.sync().await.unwrap();
    phone.device.sync().await.unwrap();
    let j1 = office.job("J-1").await;
    for text in [
        "before the backup",
        "after the backup",
        "dispatch: after the restore",
    ] {
        assert!(texts(&j1).contains(text), "office lacks {text:?}: {j1}");
        assert!(
            texts(&phone.job("J-1")).contains(text),
            "phone lacks {text:?}"
        );
    }
    let j2 = office.job("J-2").await;
    // The part and dispatch's note written after the backup came back from the phone.
    assert_eq!(j2["parts"][0]["sku"], "PUMP-7", "{j2}");
    assert!(texts(&j2).contains("dispatch: gate code 4711"), "{j2}");
    assert_eq!(phone.job("J-2")["notes"], j2["notes"]);
    assert!(phone.device.jobs().unwrap().iter().all(|j| !j.pending_sync));
}

/// The office's disk fills up: writes fail with a clear 507 and change nothing, reads still
/// answer, phones keep their work, and everything works again once space returns, without a
/// restart and with an intact database.
#[tokio::test(flavor = "multi_thread")]
async fn the_office_disk_full_is_a_clear_error_and_service_returns_with_the_space() {
    let disk = fieldwork_tests::SmallDisk::mount(8 * 1024);
    let data = disk.path().join("office");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let office = OfficeProcess::start(&data, port);
    let dispatch = Dispatch {
        http: fieldwork_tests::http_client(),
        url: url.clone(),
        token: fieldwork_server::issue_dispatcher_token(&data).unwrap(),
    };
    dispatch
        .send(
            reqwest::Method::POST,
            "/api/v1/technicians",
            Some(json!({"id": "t1", "name": "Mei"})),
        )
        .await
        .unwrap();
    dispatch
        .send(
            reqwest::Method::POST,
            "/api/v1/jobs",
            Some(job_body("J-1", Some("t1"))),
        )
        .await
        .unwrap();
    let phone_dir = tempfile::tempdir().unwrap();
    let phone = Device::open(phone_dir.path()).unwrap();
    let code = fieldwork_server::issue_enroll_code(&data, "t1").unwrap();
    phone.enroll(&url, &code, "phone").await.unwrap();
    phone.sync().await.unwrap();

    disk.fill();
    // The database may still have room inside its files (free pages, a log it reuses), so the
    // first few notes can land; each one acknowledged must be kept, and a note soon fails.
    let mut acknowledged = Vec::new();
    let refused = loop {
        let text = format!("written while the disk was full, {}", acknowledged.len());
        let resp = dispatch
            .http
            .post(format!("{url}/api/v1/jobs/J-1/notes"))
            .bearer_auth(&dispatch.token)
            .json(&json!({ "text": text }))
            .send()
            .await
            .unwrap();
        match resp.status().as_u16() {
            201 if acknowledged.len() < 200 => acknowledged.push(text),
            507 => break (text, resp.json::<Value>().await.unwrap()),
            other => panic!(
                "a note on a full disk: {other} after {}",
                acknowledged.len()
            ),
        }
    };
    assert_eq!(refused.1["error"]["code"], "disk_full", "{}", refused.1);
    // Reads still answer.
    assert_eq!(
        office_notes(&dispatch, "J-1").await,
        acknowledged.iter().cloned().collect::<BTreeSet<_>>()
    );
    // A phone's push fails cleanly and its note stays on the phone, pending.
    phone
        .add_note("J-1", "fitted the new seal", now_ms())
        .unwrap();
    let err = phone.sync().await.unwrap_err();
    assert!(err.to_string().contains("507"), "{err}");
    assert!(phone.jobs().unwrap().iter().all(|j| j.pending_sync));

    disk.free();
    dispatch
        .send(
            reqwest::Method::POST,
            "/api/v1/jobs/J-1/notes",
            Some(json!({"text": "space is back"})),
        )
        .await
        .expect("service returns with the space");
    phone.sync().await.unwrap();
    phone.sync().await.unwrap();
    let notes = office_notes(&dispatch, "J-1").await;
    assert!(
        notes.contains("fitted the new seal") && notes.contains("space is back"),
        "{notes:?}"
    );
    assert!(!notes.contains(&refused.0));
    assert!(acknowledged.iter().all(|a| notes.contains(a)), "{notes:?}");
    office.kill();
    let db = rusqlite::Connection::open(data.join("server.db")).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// The phone's storage fills up: an edit fails and writes nothing, a sync fails and loses
/// nothing, and both work once space returns; the store opens cleanly after.
#[tokio::test(flavor = "multi_thread")]
async fn the_phone_disk_full_fails_edits_and_syncs_cleanly_and_loses_nothing() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let disk = fieldwork_tests::SmallDisk::mount(4 * 1024);
    let store = disk.path().join("phone");
    let phone = Device::open(&store).unwrap();
    phone
        .enroll(&office.url(), &office.enroll_code("t1"), "phone")
        .await
        .unwrap();
    phone.sync().await.unwrap();
    phone
        .add_note("J-1", "before the disk filled", now_ms())
        .unwrap();

    // Dispatch writes a long note while the phone's disk is full: the sync that brings it fails.
    office
        .note("J-1", &"a long note from the office ".repeat(500))
        .await;
    disk.fill();
    let view = |d: &Device| serde_json::to_value(d.job("J-1", 0).unwrap()).unwrap();
    let before = view(&phone);
    let err = phone
        .add_note("J-1", &"while full ".repeat(1000), now_ms())
        .unwrap_err();
    assert!(err.to_string().contains("full"), "{err}");
    assert_eq!(view(&phone), before, "a failed edit wrote something");
    assert!(phone.sync().await.is_err());
    assert_eq!(view(&phone), before);

    disk.free();
    phone
        .add_note("J-1", "after the space returned", now_ms())
        .unwrap();
    phone.sync().await.unwrap();
    phone.sync().await.unwrap();
    let office_job = office.job("J-1").await;
    let texts: Vec<&str> = office_job["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"before the disk filled"), "{texts:?}");
    assert!(texts.contains(&"after the space returned"), "{texts:?}");
    drop(phone);
    let reopened = Device::open(&store).unwrap();
    let notes = view(&reopened)["notes"].as_array().unwrap().len();
    assert_eq!(notes, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_stored_before_the_office_was_killed_goes_out_after_it_restarts() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let flag = ["--allow-private-webhooks"];
    let office = OfficeProcess::start_with(data.path(), port, &flag);
    let dispatch = Dispatch {
        http: fieldwork_tests::http_client(),
        url: format!("http://127.0.0.1:{port}"),
        token: fieldwork_server::issue_dispatcher_token(data.path()).unwrap(),
    };
    // The ERP's port, nobody listening yet.
    let erp_port = free_port();
    let hook = dispatch
        .send(
            reqwest::Method::POST,
            "/api/v1/webhooks",
            Some(json!({"url": format!("http://127.0.0.1:{erp_port}/events"),
                        "events": ["job.created"], "secret": crate::webhooks::SECRET})),
        )
        .await
        .expect("subscribed");
    for i in 0..3 {
        dispatch
            .send(
                reqwest::Method::POST,
                "/api/v1/jobs",
                Some(job_body(&format!("K-{i}"), None)),
            )
            .await
            .expect("job created");
    }
    // Each first attempt found nobody (the next is 5 s away), then SIGKILL.
    let path = format!(
        "/api/v1/webhooks/{}/deliveries",
        hook["id"].as_str().unwrap()
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let listed = dispatch
            .send(reqwest::Method::GET, &path, None)
            .await
            .unwrap();
        let listed = listed.as_array().unwrap();
        if listed.len() == 3 && listed.iter().all(|d| d["attempts"].as_u64() >= Some(1)) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{listed:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    office.kill();

    let (url, heard) = crate::webhooks::erp_on(erp_port).await;
    assert!(url.ends_with("/events"));
    let _office = OfficeProcess::start_with(data.path(), port, &flag);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while heard.lock().len() < 3 {
        assert!(std::time::Instant::now() < deadline, "{:#?}", heard.lock());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut jobs: Vec<String> = heard
        .lock()
        .iter()
        .map(|e| e["data"]["job"].as_str().unwrap().to_string())
        .collect();
    jobs.sort();
    assert_eq!(jobs, ["K-0", "K-1", "K-2"], "each once");
}
