//! The `fieldwork-server` binary: `serve --demo` seeds once and prints working credentials,
//! `token` and `enroll-code` work while the server runs, and bad input exits non-zero with a
//! message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use sha2::Digest;

const BIN: &str = env!("CARGO_BIN_EXE_fieldwork-server");

/// A `serve` child process, killed when dropped.
pub(crate) struct Served(pub(crate) Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` on a free port; returns the process, the URL and the lines printed before it.
fn serve(data: &Path, demo: bool) -> (Served, String, Vec<String>) {
    let mut cmd = Command::new(BIN);
    cmd.stderr(Stdio::null());
    serve_with(cmd, data, demo)
}

/// [`serve`] with the command's stderr and environment set by the caller.
pub(crate) fn serve_with(
    mut cmd: Command,
    data: &Path,
    demo: bool,
) -> (Served, String, Vec<String>) {
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(Stdio::piped());
    if demo {
        cmd.arg("--demo");
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let served = Served(child);
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("listening on ") {
            return (served, url.to_string(), lines);
        }
        lines.push(line);
    }
    panic!("the server exited before listening: {lines:?}");
}

/// The password of the `console login: dispatch / PASSWORD (...)` line.
fn console_password(lines: &[String]) -> String {
    let line = lines
        .iter()
        .find(|l| l.starts_with("console login: dispatch / "))
        .unwrap_or_else(|| panic!("no console login in {lines:?}"));
    line["console login: dispatch / ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Whether `dispatch` logs in with `password` (the same check the login page makes).
fn logs_in(data: &Path, password: &str) -> bool {
    logs_in_as(data, "dispatch", password)
}

/// Whether `name` logs in with `password` on the office in `data`.
fn logs_in_as(data: &Path, name: &str, password: &str) -> bool {
    let storage: std::sync::Arc<dyn fieldwork_store::Storage> =
        std::sync::Arc::new(fieldwork_store_sqlite::SqliteStorage::open(data).unwrap());
    let (name, password) = (name.to_string(), password.to_string());
    // On a thread of its own: some callers are async tests, whose thread cannot block on
    // another runtime.
    std::thread::spawn(move || {
        let logins = fieldwork_server::console::accounts::Logins::new(1);
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(fieldwork_server::console::accounts::login(
                &storage, &logins, &name, &password,
            ))
            .unwrap()
            .is_ok()
    })
    .join()
    .unwrap()
}

#[test]
fn user_add_takes_the_password_from_stdin_or_prints_one_and_refuses_bad_input() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let add = |name: &str, stdin: Option<&str>| {
        let mut child = Command::new(BIN)
            .args(["user", "add", "--name", name, "--data"])
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).unwrap();
        }
        drop(pipe);
        child.wait_with_output().unwrap()
    };
    let out = add("mei", Some("correct horse battery\n"));
    assert!(out.status.success(), "{out:?}");
    assert!(logs_in_as(dir.path(), "mei", "correct horse battery"));
    let storage = fieldwork_store_sqlite::SqliteStorage::open(dir.path()).unwrap();
    // Nothing on stdin: a password is generated and printed.
    let out = add("li", None);
    assert!(out.status.success(), "{out:?}");
    let printed = String::from_utf8(out.stdout).unwrap();
    let password = printed.rsplit("password: ").next().unwrap().trim();
    assert!(logs_in_as(dir.path(), "li", password), "{printed}");
    // A short password and a taken name fail with a message, and change nothing.
    let out = add("wu", Some("short\n"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
    assert!(
        fieldwork_store::Accounts::user(&storage, "wu")
            .unwrap()
            .is_none()
    );
    let out = add("mei", Some("another long password\n"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already a user mei"));
}

fn value_after<'a>(lines: &'a [String], prefix: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| l.rsplit(": ").next())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_demo_seeds_jobs_in_every_status_once_and_prints_working_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let (served, url, lines) = serve(dir.path(), true);
    let token = value_after(&lines, "dispatcher token")[0].to_string();
    let codes = value_after(&lines, "enrollment code for technician");
    assert_eq!(codes.len(), 3, "{lines:?}");
    let first_login = console_password(&lines);
    assert!(logs_in(dir.path(), &first_login), "{lines:?}");

    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let jobs: serde_json::Value = http
        .get(format!("{url}/api/v1/jobs"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jobs = jobs.as_array().unwrap();
    // Twelve repairs, every one under the demo contract, and one planned inspection.
    assert_eq!(jobs.len(), 13);
    assert!(
        jobs.iter().all(|j| j["contract"] == "GOLD-2026"),
        "{jobs:?}"
    );
    let inspections: Vec<_> = jobs.iter().filter(|j| j["kind"] == "inspection").collect();
    assert_eq!(inspections.len(), 1);
    assert_eq!(inspections[0]["checklist"].as_array().unwrap().len(), 3);
    let statuses: BTreeSet<&str> = jobs.iter().map(|j| j["status"].as_str().unwrap()).collect();
    for s in [
        "new",
        "assigned",
        "accepted",
        "en_route",
        "on_site",
        "in_progress",
        "on_hold",
        "completed",
        "cancelled",
    ] {
        assert!(statuses.contains(s), "no demo job is {s}: {statuses:?}");
    }
    // A dispatcher sees a signed report and a refusal at once.
    let reports: BTreeSet<&str> = jobs
        .iter()
        .map(|j| j["report"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        reports,
        BTreeSet::from(["none", "signed", "refused"]),
        "demo report states"
    );
    let signed = jobs
        .iter()
        .find(|j| j["report"]["status"] == "signed")
        .unwrap();
    let versions: serde_json::Value = http
        .get(format!(
            "{url}/api/v1/jobs/{}/reports",
            signed["id"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(versions[0]["current"], true, "{versions}");
    // The demo seals verify like any phone's.
    let verify = || {
        let out = Command::new(BIN)
            .args(["verify", "--data"])
            .arg(dir.path())
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, said) = verify();
    assert!(ok, "{said}");
    assert!(
        said.contains("2 reports") && said.contains("all as sealed"),
        "{said}"
    );
    // A stored photo whose bytes no longer hash to its id: one line naming it, a failing exit.
    let id = hex::encode(sha2::Sha256::digest(b"a photo"));
    let file = dir.path().join("attachments").join(&id);
    std::fs::write(&file, b"a phot0").unwrap();
    let (ok, said) = verify();
    assert!(!ok, "{said}");
    assert!(
        said.lines()
            .any(|l| l.starts_with(&format!("attachment {id}")))
            && said.contains(": 1 problem\n"),
        "{said}"
    );
    std::fs::remove_file(&file).unwrap();
    let regions: BTreeSet<&str> = jobs
        .iter()
        .map(|j| j["site"]["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions.len(), 3);

    let enrolled = http
        .post(format!("{url}/api/v1/devices/enroll"))
        .json(&serde_json::json!({"code": codes[0], "device_name": "demo phone", "public_key": crate::common::PUBLIC_KEY}))
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status().as_u16(), 201);

    // Credentials issued by the other commands while the server runs work at once.
    let out = Command::new(BIN)
        .args(["token", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let second = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let status = http
        .get(format!("{url}/api/v1/jobs/J-1001"))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 200);
    let out = Command::new(BIN)
        .args(["enroll-code", "--technician", "bo", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let code = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let enrolled = http
        .post(format!("{url}/api/v1/devices/enroll"))
        .json(&serde_json::json!({"code": code, "device_name": "second phone", "public_key": crate::common::PUBLIC_KEY}))
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status().as_u16(), 201);
    drop(served);

    // A second `--demo` start finds the jobs and does not seed again; the console login it
    // prints works (a fresh password: the first one was printed once, on another run).
    let (_served, url, lines) = serve(dir.path(), true);
    assert!(
        lines.iter().any(|l| l.contains("already present")),
        "{lines:?}"
    );
    assert!(logs_in(dir.path(), &console_password(&lines)));
    assert!(!logs_in(dir.path(), &first_login));
    let token = value_after(&lines, "dispatcher token")[0].to_string();
    let jobs: serde_json::Value = http
        .get(format!("{url}/api/v1/jobs"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        jobs.as_array().unwrap().len(),
        13,
        "seeding twice adds nothing"
    );
}

#[test]
fn an_enrollment_code_for_an_unknown_technician_fails_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["enroll-code", "--technician", "ghost", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("no technician ghost"), "{stderr}");
}

#[test]
fn serve_on_a_busy_address_fails_with_a_message() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--listen"])
        .arg(busy.local_addr().unwrap().to_string())
        .arg("--data")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!String::from_utf8(out.stderr).unwrap().is_empty());
}

#[test]
fn the_readme_shows_the_demo_contract_and_it_is_valid() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let start = readme
        .find("```json\n")
        .expect("a JSON block in the README")
        + 8;
    let end = start + readme[start..].find("```").expect("end of the JSON block");
    let shown: fieldwork_model::Contract = serde_json::from_str(&readme[start..end]).unwrap();
    let demo: fieldwork_model::Contract =
        serde_json::from_str(fieldwork_server::demo::DEMO_CONTRACT).unwrap();
    assert_eq!(shown, demo);
    demo.validate().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_logs_name_requests_and_sync_rounds_but_never_credentials_or_customer_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log_path = dir.path().join("server.log");
    let mut cmd = Command::new(BIN);
    // Everything every crate logs, down to debug.
    cmd.env("RUST_LOG", "debug")
        .stderr(std::fs::File::create(&log_path).unwrap());
    let (served, url, lines) = serve_with(cmd, &data, true);
    let token = value_after(&lines, "dispatcher token")[0].to_string();
    let codes: Vec<String> = value_after(&lines, "enrollment code for technician")
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut secrets = vec![token.clone(), console_password(&lines)];
    secrets.extend(codes.iter().cloned());

    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let jobs: serde_json::Value = http
        .get(format!("{url}/api/v1/jobs"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // What the demo jobs say about their customers.
    for job in jobs.as_array().unwrap() {
        for field in [
            &job["customer"]["name"],
            &job["customer"]["phone"],
            &job["site"]["address"],
        ] {
            if let Some(text) = field.as_str().filter(|t| !t.is_empty()) {
                secrets.push(text.to_string());
            }
        }
    }
    let note = "Gate code 4711, ask for Mrs Li at reception";
    secrets.push(note.into());
    let added = http
        .post(format!("{url}/api/v1/jobs/J-1001/notes"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"text": note}))
        .send()
        .await
        .unwrap();
    assert!(added.status().is_success());
    let forged = "fw_0000000000000000000000000000000000000000000000000000000000000000";
    secrets.push(forged.into());
    let refused = http
        .get(format!("{url}/api/v1/jobs"))
        .bearer_auth(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);

    let enrolled: serde_json::Value = http
        .post(format!("{url}/api/v1/devices/enroll"))
        .json(&serde_json::json!({"code": codes[0], "device_name": "Mei's phone", "public_key": crate::common::PUBLIC_KEY}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let device_token = enrolled["token"].as_str().unwrap().to_string();
    let device_id = enrolled["device_id"].as_str().unwrap().to_string();
    secrets.push(device_token.clone());
    let synced = http
        .post(format!("{url}/api/v1/sync"))
        .bearer_auth(&device_token)
        .json(&serde_json::json!({"v": 1, "cursor": 0, "push": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(synced.status().as_u16(), 200);
    drop(served);

    let log = std::fs::read_to_string(&log_path).unwrap();
    // Every request and sync round is there, by id.
    assert!(
        log.lines()
            .any(|l| l.contains("sync round") && l.contains(&device_id)),
        "no sync round for {device_id} in:\n{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("request") && l.contains("path=\"/api/v1/jobs/J-1001/notes\"")),
        "no request line in:\n{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("request") && l.contains("status=401")),
        "{log}"
    );
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "the log holds {secret:?}:\n{log}"
        );
    }
}
