//! The `fieldwork` command against the real server: every command's happy path, its JSON
//! contracts, and bad input that must exit non-zero with a message and write nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use fieldwork_tests::Office;
use serde_json::Value;

fn fieldwork(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fieldwork"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = fieldwork(data, args);
    assert!(
        out.status.success(),
        "fieldwork {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn fails(data: &Path, args: &[&str], message: &str) {
    let out = fieldwork(data, args);
    assert!(!out.status.success(), "fieldwork {args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(message), "fieldwork {args:?}: {err}");
}

fn show(data: &Path, job: &str) -> Value {
    serde_json::from_str(&ok(data, &["show", job, "--json"])).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visit_recorded_with_the_cli_reaches_the_office() {
    let mut office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = office.enroll_code("t1");
    ok(d, &["enroll", "--server", &office.url(), "--code", &code]);

    let line: Value = serde_json::from_str(&ok(d, &["sync"])).unwrap();
    for key in [
        "uploaded",
        "downloaded",
        "requests",
        "bytes_sent",
        "bytes_received",
    ] {
        assert!(line[key].is_u64(), "{key} missing from {line}");
    }
    assert_eq!(line["downloaded"], 1);
    let jobs: Value = serde_json::from_str(&ok(d, &["jobs", "--json"])).unwrap();
    assert_eq!(jobs[0]["id"], "J-1");

    office.stop().await;
    ok(
        d,
        &[
            "status",
            "J-1",
            "on_site",
            "--at",
            "2026-11-24T10:05:00+08:00",
        ],
    );
    ok(d, &["note", "J-1", "replaced the condenser fan"]);
    let line_id = ok(
        d,
        &[
            "part",
            "J-1",
            "--sku",
            "FAN-40",
            "--qty",
            "2",
            "--description",
            "condenser fan",
            "--serial-in",
            "F-NEW-1",
            "--serial-out",
            "F-OLD-9",
        ],
    );
    let extra = ok(d, &["part", "J-1", "--sku", "SCREW-M4", "--qty", "4"]);
    ok(d, &["unpart", "J-1", &extra]);
    ok(
        d,
        &[
            "time",
            "J-1",
            "--kind",
            "labour",
            "--start",
            "2026-11-24T10:05:00+08:00",
            "--end",
            "2026-11-24T11:20:00+08:00",
        ],
    );
    fails(d, &["sync"], "unreachable");

    office.restart().await;
    ok(d, &["sync"]);
    let server = office.job("J-1").await;
    assert_eq!(show(d, "J-1"), server);
    assert_eq!(server["status"], "on_site");
    let on_site = server["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == "on_site")
        .unwrap();
    assert_eq!(on_site["at"], "2026-11-24T02:05:00Z");
    let fan = server["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == line_id.as_str())
        .unwrap();
    assert_eq!(
        (
            fan["qty"].as_u64(),
            fan["serial_in"].as_str(),
            fan["serial_out"].as_str()
        ),
        (Some(2), Some("F-NEW-1"), Some("F-OLD-9"))
    );
    let screw = server["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == extra.as_str())
        .unwrap();
    assert_eq!(screw["removed"], true);
    assert_eq!(server["time"][0]["kind"], "labour");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_non_zero_and_writes_nothing() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fails(d, &["status", "J-1", "on_site"], "not enrolled");
    fails(
        d,
        &["enroll", "--server", &office.url(), "--code", "WRONG-CODE"],
        "refused",
    );
    let code = office.enroll_code("t1");
    ok(d, &["enroll", "--server", &office.url(), "--code", &code]);
    ok(d, &["sync"]);
    let before = show(d, "J-1");

    fails(d, &["status", "NOPE", "on_site"], "no job NOPE");
    fails(
        d,
        &["status", "J-1", "on_site", "--at", "half past ten"],
        "RFC 3339",
    );
    fails(d, &["status", "J-1", "flying"], "invalid value");
    fails(d, &["part", "J-1", "--sku", "X", "--qty", "0"], "qty");
    fails(d, &["part", "J-1", "--sku", "X", "--qty", "-1"], "");
    fails(
        d,
        &[
            "part", "J-1", "--sku", "X", "--qty", "1", "--stock", "pocket",
        ],
        "stock",
    );
    fails(d, &["note", "J-1", "   "], "must not be empty");
    fails(d, &["unpart", "J-1", "no-such-line"], "no part line");
    fails(
        d,
        &[
            "time",
            "J-1",
            "--kind",
            "labour",
            "--start",
            "2026-11-24T11:00:00Z",
            "--end",
            "2026-11-24T10:00:00Z",
        ],
        "ends before",
    );
    fails(
        d,
        &[
            "time",
            "J-1",
            "--kind",
            "nap",
            "--start",
            "2026-11-24T11:00:00Z",
            "--end",
            "2026-11-24T12:00:00Z",
        ],
        "invalid value",
    );
    fails(d, &["show", "J-404", "--json"], "no job");
    assert_eq!(show(d, "J-1"), before);
    let pending: Value = serde_json::from_str(&ok(d, &["jobs", "--json"])).unwrap();
    assert_eq!(pending[0]["pending_sync"], false);

    ok(d, &["status", "J-1", "completed"]);
    fails(d, &["status", "J-1", "on_site"], "completed");
}

/// A warranty visit recorded offline with the CLI: the device prices it, to the cent, exactly
/// as the office does once it syncs; bad contract-related input changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn an_offline_visit_is_priced_on_the_device_exactly_as_at_the_office() {
    let mut office = Office::start().await;
    office.technician("t1").await;
    let contract: Value = serde_json::from_str(fieldwork_server::demo::DEMO_CONTRACT).unwrap();
    office.post("/api/v1/contracts", contract).await;
    // Accepted three years ago: after the 24-month warranty and the 12-month tier.
    office
        .post(
            "/api/v1/assets",
            serde_json::json!({"serial": "OV-1", "model": "Oven XL", "customer": "Bakery",
                "installation_date": "2023-10-01", "acceptance_date": "2023-10-10",
                "contract": "GOLD-2026"}),
        )
        .await;
    let mut body = fieldwork_tests::job_body("J-W", Some("t1"));
    body["asset"] = serde_json::json!({"serial": "OV-1"});
    office.post("/api/v1/jobs", body).await;
    let mut body = fieldwork_tests::job_body("J-I", Some("t1"));
    body["checklist"] = serde_json::json!([{"id": "door", "label": "Door seal intact"}]);
    office.post("/api/v1/jobs", body).await;

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = office.enroll_code("t1");
    ok(d, &["enroll", "--server", &office.url(), "--code", &code]);
    ok(d, &["sync"]);
    office.stop().await;

    let at = "2026-11-24T12:00:00+08:00";
    let before = show(d, "J-W");
    assert_eq!(before["warranty"]["situation"], "after");
    assert_eq!(before["charges"]["provisional"], true);
    fails(
        d,
        &["cause", "J-W", "gremlins", "--fault-code", "E1"],
        "invalid value",
    );
    fails(
        d,
        &["cause", "J-W", "misuse", "--fault-code", " "],
        "fault code",
    );
    fails(
        d,
        &["part", "J-W", "--sku", "X", "--qty", "1", "--unit-cost=-5"],
        "unit_cost must be 0 to",
    );
    fails(d, &["loaner", "J-W", "issue", "--serial", "L1"], "--model");
    fails(
        d,
        &["loaner", "J-W", "return", "--serial", "L1"],
        "no loaner L1",
    );
    fails(d, &["check", "J-I", "window", "pass"], "no checklist item");
    fails(d, &["check", "J-I", "door", "maybe"], "pass, fail");
    assert_eq!(show(d, "J-W"), before, "refused input must change nothing");

    ok(
        d,
        &[
            "status",
            "J-W",
            "on_site",
            "--at",
            "2026-11-24T10:00:00+08:00",
        ],
    );
    ok(
        d,
        &[
            "part",
            "J-W",
            "--sku",
            "HTR-2500",
            "--qty",
            "2",
            "--unit-cost",
            "42000",
            "--unit-price",
            "68000",
        ],
    );
    ok(
        d,
        &[
            "time",
            "J-W",
            "--kind",
            "labour",
            "--start",
            "2026-11-24T10:00:00+08:00",
            "--end",
            "2026-11-24T10:45:00+08:00",
        ],
    );
    ok(
        d,
        &[
            "time",
            "J-W",
            "--kind",
            "travel",
            "--start",
            "2026-11-24T09:00:00+08:00",
            "--end",
            "2026-11-24T10:00:00+08:00",
        ],
    );
    ok(
        d,
        &[
            "cause",
            "J-W",
            "quality_defect",
            "--fault-code",
            "E-HTR-01",
            "--action",
            "Replaced elements",
        ],
    );
    ok(
        d,
        &[
            "loaner", "J-W", "issue", "--serial", "L1", "--model", "Oven S",
        ],
    );
    let loans = ok(d, &["loans", "--json"]);
    assert!(loans.contains("\"L1\""), "{loans}");
    ok(d, &["loaner", "J-W", "return", "--serial", "L1"]);
    assert_eq!(ok(d, &["loans"]), "");
    ok(
        d,
        &[
            "check",
            "J-I",
            "door",
            "fail",
            "--note",
            "torn at the hinge",
        ],
    );

    let offline: Value =
        serde_json::from_str(&ok(d, &["show", "J-W", "--json", "--at", at])).unwrap();
    // After warranty: parts at list price, 45 min labour at 180.00/h, travel flat.
    assert_eq!(offline["charges"]["provisional"], false);
    assert_eq!(offline["charges"]["lines"][0]["amount"], 136_000);
    assert_eq!(offline["charges"]["lines"][1]["amount"], 13_500);
    assert_eq!(offline["charges"]["lines"][2]["amount"], 25_000);
    assert_eq!(offline["charges"]["total"], 174_500);
    assert_eq!(offline["fault_code"], "E-HTR-01");

    office.restart().await;
    ok(d, &["sync"]);
    let at_ms = fieldwork_model::time::parse_rfc3339("at", at).unwrap();
    assert_eq!(office.job_at("J-W", at_ms).await, offline);
    let inspection = office.job_at("J-I", at_ms).await;
    assert_eq!(inspection["checklist"][0]["result"], "fail");
    assert_eq!(inspection["checklist"][0]["note"], "torn at the hinge");
}

#[tokio::test(flavor = "multi_thread")]
async fn photos_signatures_and_refusals_from_the_cli_are_sealed_offline_and_verified_at_the_office()
{
    let mut office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    office.create_job("J-2", Some("t1")).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = office.enroll_code("t1");
    ok(d, &["enroll", "--server", &office.url(), "--code", &code]);
    ok(d, &["sync"]);
    office.stop().await;

    let photo = d.join("site.jpg");
    std::fs::write(
        &photo,
        fieldwork_media::fixtures::jpeg_with_exif(64, 48, 6, Some("2026:11:24 10:15:00")),
    )
    .unwrap();
    let id = ok(
        d,
        &[
            "photo",
            "J-1",
            photo.to_str().unwrap(),
            "--caption",
            "铭牌 nameplate",
        ],
    );
    assert_eq!(id.len(), 64);
    let strokes = d.join("strokes.json");
    std::fs::write(
        &strokes,
        r#"{"canvas":{"width":300,"height":100},"strokes":[[[10,80,0,500],[60,20,16,600],[110,80,33,400]]]}"#,
    )
    .unwrap();

    // The preview is the report the customer signs, without the signature.
    let preview: Value =
        serde_json::from_str(&ok(d, &["report", "J-1", "--preview", "--lang", "en"])).unwrap();
    assert_eq!(preview["signature"], Value::Null);
    assert_eq!(preview["content"]["photos"][0]["id"], id.as_str());

    let signed: Value = serde_json::from_str(&ok(
        d,
        &[
            "sign",
            "J-1",
            "--name",
            "Li Na",
            "--role",
            "facilities",
            "--strokes",
            strokes.to_str().unwrap(),
            "--lang",
            "en",
        ],
    ))
    .unwrap();
    assert_eq!(signed["status"], "signed");
    assert_eq!(signed["version"], 1);
    assert_eq!(signed["job"], "J-1");
    let raw = fieldwork(d, &["report", "J-1", "--json"]);
    assert!(raw.status.success());
    assert_eq!(
        fieldwork_model::report::sha256_hex(&raw.stdout),
        signed["sha256"].as_str().unwrap(),
        "--json prints exactly the sealed bytes"
    );
    let canonical = ok(d, &["report", "J-1", "--json"]);
    let sealed: Value = serde_json::from_str(&canonical).unwrap();
    assert_eq!(sealed["content"], {
        let mut c = preview["content"].clone();
        c["completed_at"] = sealed["content"]["completed_at"].clone();
        c
    });
    assert_eq!(
        fieldwork_model::report::sha256_hex(canonical.as_bytes()),
        signed["sha256"].as_str().unwrap()
    );
    let refused: Value = serde_json::from_str(&ok(
        d,
        &["refuse", "J-2", "--reason", "不同意工时", "--name", "王工"],
    ))
    .unwrap();
    assert_eq!(refused["status"], "refused");
    assert_eq!(show(d, "J-2")["report"]["status"], "refused");

    // Bad input: exit non-zero, say what is wrong, write nothing.
    let heads = ok(d, &["show", "J-1", "--json"]);
    let dot = d.join("dot.json");
    std::fs::write(
        &dot,
        r#"{"canvas":{"width":300,"height":100},"strokes":[[[5,5,0,1]]]}"#,
    )
    .unwrap();
    fails(
        d,
        &[
            "sign",
            "J-1",
            "--name",
            "X",
            "--strokes",
            dot.to_str().unwrap(),
        ],
        "single dot",
    );
    let text = d.join("notes.jpg");
    std::fs::write(&text, "not a photo").unwrap();
    fails(
        d,
        &["photo", "J-1", text.to_str().unwrap()],
        "not a JPEG or PNG",
    );
    fails(
        d,
        &["report", "J-1", "--version", "7", "--json"],
        "no report version 7",
    );
    fails(d, &["report", "J-1"], "exactly one of");
    assert_eq!(ok(d, &["show", "J-1", "--json"]), heads);

    office.restart().await;
    let line: Value = serde_json::from_str(&ok(d, &["sync"])).unwrap();
    assert_eq!(line["attachments_uploaded"], 1);
    let listed = office.get("/api/v1/jobs/J-1/reports").await;
    assert_eq!(listed[0]["sha256"], signed["sha256"]);
    assert_eq!(listed[0]["current"], true);
    assert_eq!(office.job("J-2").await["report"]["status"], "refused");
    let devices = office.get("/api/v1/devices").await;
    assert_eq!(devices[0]["technician"], "t1");
    assert_eq!(devices[0]["public_key"].as_str().unwrap().len(), 64);
    assert!(devices[0]["last_sync_at"].is_string());
    assert_eq!(devices[0]["revoked"], false);

    let pdf = d.join("J-1.pdf");
    ok(d, &["report", "J-1", "--pdf", pdf.to_str().unwrap()]);
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_job_list_reads_the_site_clock_and_a_closed_pipe_ends_quietly() {
    let office = Office::start().await;
    office.technician("t1").await;
    let mut body = fieldwork_tests::job_body("J-1", Some("t1"));
    body["scheduled_start"] = "2026-11-25T01:30:00Z".into();
    office.post("/api/v1/jobs", body).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let code = office.enroll_code("t1");
    ok(d, &["enroll", "--server", &office.url(), "--code", &code]);
    ok(d, &["sync"]);

    // The site is in Shanghai (UTC+8): 01:30Z reads 09:30 there, and the zone is named.
    let list = ok(d, &["jobs"]);
    assert!(list.contains("2026-11-25 09:30"), "{list}");
    assert!(list.contains("(Asia/Shanghai)"), "{list}");
    assert!(!list.contains("01:30"), "{list}");
    // `--json` keeps RFC 3339 UTC for scripts.
    let jobs: Value = serde_json::from_str(&ok(d, &["jobs", "--json"])).unwrap();
    assert_eq!(jobs[0]["scheduled_start"], "2026-11-25T01:30:00Z");

    // `fieldwork show J --json | head -c 10`: the reader goes away after a few bytes.
    let mut child = Command::new(env!("CARGO_BIN_EXE_fieldwork"))
        .arg("--data")
        .arg(d)
        .args(["show", "J-1", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(
        stderr.is_empty(),
        "a closed pipe is not worth a word: {stderr}"
    );
}
