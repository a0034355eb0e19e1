//! The office on a hostile network (issue 17), each finding of the attack scripts kept as its
//! attack: bodies refused before the credential is checked, idle and trickling connections
//! closed while honest clients are served, rate limits that made-up credentials cannot escape,
//! logins that cost a bounded amount and say nothing about who exists, capped event streams
//! that close at logout, cross-site console changes refused, every error in the JSON shape,
//! ids that can be opened, attachments served as what they are, and a log that cannot take a
//! request down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::common::{Office, http, reply};
use crate::console::{Browser, field};
use fieldwork_model::wire::DocState;
use fieldwork_server::Config;
use fieldwork_server::limits::LimitConfig;

fn host(office: &Office) -> SocketAddr {
    office.url.trim_start_matches("http://").parse().unwrap()
}

/// Sends `head` (and nothing more) on a new connection and reads the status of the answer, or
/// `None` if none came within `wait`.
fn status_after_head(addr: SocketAddr, head: &str, wait: Duration) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = [0u8; 64];
    let n = stream.read(&mut answer).ok()?;
    String::from_utf8_lossy(&answer[..n])
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_without_a_valid_credential_is_refused_before_any_of_it_is_read() {
    let office = Office::start().await;
    let addr = host(&office);
    // Each declares a large compressed body and sends none of it: the answer must come from
    // the headers alone (before, the server read and decompressed the body first).
    for (path, method, auth) in [
        ("/api/v1/sync", "POST", ""),
        (
            "/api/v1/sync",
            "POST",
            "authorization: Bearer fw_made_up\r\n",
        ),
        ("/api/v1/jobs/J-1/notes", "POST", ""),
        (
            "/api/v1/uploads/0000000000000000000000000000000000000000000000000000000000000000",
            "PATCH",
            "",
        ),
    ] {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {addr}\r\n{auth}content-type: application/json\r\n\
             content-encoding: zstd\r\ncontent-length: 4000000\r\n\r\n"
        );
        let status = tokio::task::spawn_blocking(move || {
            status_after_head(addr, &head, Duration::from_secs(5))
        })
        .await
        .unwrap();
        assert_eq!(status, Some(401), "{method} {path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_compressed_body_is_decoded_within_its_route_limit_and_a_bomb_is_refused() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let post = |body: Vec<u8>| {
        office
            .http
            .post(format!("{}/api/v1/jobs/J-1/notes", office.url))
            .bearer_auth(&office.token)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_ENCODING, "zstd")
            .body(body)
            .send()
    };
    let note = serde_json::to_vec(&json!({"text": "gate code 4711"})).unwrap();
    let ok = post(zstd::bulk::compress(&note, 3).unwrap()).await.unwrap();
    assert_eq!(ok.status(), 201, "{}", ok.text().await.unwrap());
    // 64 MiB of spaces compress to a few KiB: over the 64 KiB limit once decoded.
    let bomb = zstd::bulk::compress(&vec![b' '; 64 << 20], 19).unwrap();
    assert!(bomb.len() < 64 * 1024);
    let refused = post(bomb).await.unwrap();
    assert_eq!(refused.status(), 413);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_and_trickling_connections_are_closed_and_honest_clients_are_served_meanwhile() {
    let office = Office::start_with(&Config {
        limits: LimitConfig {
            header_read_timeout: Duration::from_secs(3),
            ..LimitConfig::default()
        },
        ..Config::default()
    })
    .await;
    let addr = host(&office);
    // 2,000 connections from other loopback addresses (so the per-address cap, which would
    // refuse most of them, is not what saves the honest client on 127.0.0.1): half send
    // nothing, half start a request's headers and trickle the rest.
    let mut attackers = Vec::new();
    for i in 0..2000u32 {
        let source: SocketAddr = ([127, 0, 1 + (i / 200) as u8, 1], 0).into();
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(source).unwrap();
        let stream = socket.connect(addr).await.unwrap().into_std().unwrap();
        stream.set_nonblocking(false).unwrap();
        attackers.push(stream);
    }
    for (i, s) in attackers.iter_mut().enumerate() {
        if i % 2 == 1 {
            s.write_all(b"GET /board HTTP/1.1\r\nx-slow: ").unwrap();
        }
    }
    // An honest request and a console page are served beside them (how fast is measured in
    // `bash scripts/bench.sh hostile`, not asserted here).
    let (status, _) = office
        .call(Method::GET, "/api/v1/jobs", None, Some(&office.token))
        .await;
    assert_eq!(status, 200);
    let login = http()
        .get(format!("{}/login", office.url))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);

    // Within the header timeout (and a little grace) every attacker's connection is closed.
    let closed = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + Duration::from_secs(8);
        let mut closed = 0;
        for (i, mut s) in attackers.into_iter().enumerate() {
            let left = deadline
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(10));
            s.set_read_timeout(Some(left)).unwrap();
            if i % 2 == 1 {
                let _ = s.write_all(b"a");
            }
            let mut buf = [0u8; 256];
            // EOF or a reset: the server let go. A timeout: it still holds the connection.
            match s.read(&mut buf) {
                Ok(_) => closed += 1,
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => closed += 1,
            }
        }
        closed
    })
    .await
    .unwrap();
    assert_eq!(closed, 2000);
}

#[tokio::test(flavor = "multi_thread")]
async fn made_up_and_padded_credentials_spend_the_address_bucket() {
    let office = Office::start_with(&Config {
        limits: LimitConfig {
            requests_per_second: 0.5,
            request_burst: 5.0,
            ..LimitConfig::default()
        },
        ..Config::default()
    })
    .await;
    let mut limited = 0;
    for i in 0..10 {
        let token = format!("fw_{:064x}", i + 1);
        let (status, body) = office
            .call(Method::GET, "/api/v1/jobs", None, Some(&token))
            .await;
        match status {
            401 => assert_eq!(body["error"]["code"], "invalid_token"),
            429 => limited += 1,
            other => panic!("{other} {body}"),
        }
    }
    assert!(
        limited >= 4,
        "a fresh made-up token bought a fresh bucket: {limited} limited"
    );

    // The real token spelled another way is not the real token: refused, from the address's
    // bucket (trailing spaces are no part of a header value: HTTP strips them, and the token's
    // own bucket is the same either way).
    for padded in [
        format!("Bearer  {}", office.token),
        format!("bearer {}", office.token),
        format!("Bearer {}", office.token.to_uppercase()),
    ] {
        let refused = office
            .http
            .get(format!("{}/api/v1/jobs", office.url))
            .header(header::AUTHORIZATION, padded)
            .send()
            .await
            .unwrap();
        assert!([401, 429].contains(&refused.status().as_u16()));
    }
    // And the real token has its own bucket, untouched by all that.
    let (status, _) = office
        .call(Method::GET, "/api/v1/jobs", None, Some(&office.token))
        .await;
    assert_eq!(status, 200);
}

async fn console(office: &Office) -> Browser {
    fieldwork_server::add_user(office.place.clone(), "mei", "correct horse battery").unwrap();
    let mut browser = Browser::new(office);
    let (status, _, _) = browser.log_in("mei", "correct horse battery").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    browser
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_wrong_passwords_check_only_as_many_as_the_lockout_allows() {
    let office = Office::start().await;
    fieldwork_server::add_user(office.place.clone(), "mei", "correct horse battery").unwrap();
    let tries: Vec<_> = (0..24)
        .map(|_| {
            let mut browser = Browser::new(&office);
            tokio::spawn(async move { browser.log_in("mei", "wrong password!").await.0 })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        5,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [401, 429, 503].contains(s)),
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_account_and_an_unknown_name_answer_the_same() {
    let office = Office::start().await;
    fieldwork_server::add_user(office.place.clone(), "mei", "correct horse battery").unwrap();
    let mut seen = Vec::new();
    for name in ["mei", "nobody"] {
        let mut browser = Browser::new(&office);
        let mut answers = Vec::new();
        for _ in 0..7 {
            let (status, page, _) = browser.log_in(name, "wrong password!").await;
            answers.push((status.as_u16(), page.replace(name, "NAME")));
        }
        seen.push(answers);
    }
    assert_eq!(
        seen[0].iter().map(|a| a.0).collect::<Vec<_>>(),
        seen[1].iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert_eq!(seen[0].last().unwrap().0, 429);
}

#[tokio::test(flavor = "multi_thread")]
async fn event_streams_are_capped_per_session_and_close_at_logout() {
    let office = Office::start().await;
    let mut browser = console(&office).await;
    let open = |browser: &Browser| {
        browser
            .http
            .get(format!("{}/events", browser.base))
            .header(header::COOKIE, browser.cookie_header())
            .send()
    };
    let mut streams = Vec::new();
    for _ in 0..8 {
        let s = open(&browser).await.unwrap();
        assert_eq!(s.status(), 200);
        streams.push(s);
    }
    let ninth = open(&browser).await.unwrap();
    assert_eq!(ninth.status(), 429);
    let body: Value = ninth.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");

    let (_, page) = browser.get("/board").await;
    let csrf = field(&page, "csrf");
    let (status, _, _) = browser.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A change after the logout reaches no stream; each one ends.
    office.technician("t1").await;
    office.create_job("J-after", Some("t1")).await;
    for mut s in streams {
        let rest = tokio::time::timeout(Duration::from_secs(5), async {
            let mut text = String::new();
            while let Some(chunk) = s.chunk().await.unwrap() {
                text.push_str(&String::from_utf8_lossy(&chunk));
            }
            text
        })
        .await
        .expect("the stream stayed open after logout");
        assert!(!rest.contains("J-after"), "{rest}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_console_change_from_another_site_is_refused() {
    let office = Office::start().await;
    let browser = console(&office).await;
    let (_, page) = {
        let mut b = Browser {
            http: browser.http.clone(),
            base: browser.base.clone(),
            cookies: browser.cookies.clone(),
        };
        b.get("/board").await
    };
    let csrf = field(&page, "csrf");
    office.technician("t1").await;
    let note = |headers: &[(&str, &str)]| {
        let mut req = browser
            .http
            .post(format!("{}/api/v1/technicians", browser.base))
            .header(header::COOKIE, browser.cookie_header())
            .header("X-CSRF-Token", &csrf)
            .json(&json!({"id": format!("t-{}", headers.len()), "name": "Bo", "region": "north"}));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    for cross in [
        vec![("origin", "http://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "null")],
    ] {
        let refused = note(&cross).await.unwrap();
        assert_eq!(refused.status(), 403, "{cross:?}");
    }
    let origin = office.url.clone();
    let same = note(&[
        ("origin", &origin),
        ("sec-fetch-site", "same-origin"),
        ("x", "1"),
    ])
    .await
    .unwrap();
    assert_eq!(same.status(), 201, "{}", same.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_error_is_the_json_shape_and_a_dot_id_is_refused() {
    let office = Office::start().await;
    // A malformed console form (no fields at all).
    let resp = http()
        .post(format!("{}/login", office.url))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("garbage")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error());
    let body: Value = resp.json().await.expect("a JSON error");
    assert!(body["error"]["code"].is_string(), "{body}");

    for id in ["..", ".", ".hidden"] {
        let (status, body) = office
            .call(
                Method::POST,
                "/api/v1/jobs",
                Some(crate::common::job_body(id, None)),
                Some(&office.token),
            )
            .await;
        assert_eq!(status, 400, "{id}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_uploaded_file_that_is_no_image_is_served_as_a_download() {
    let office = Office::start().await;
    office.technician("t1").await;
    let phone = office.enroll("t1").await;
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let id = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&html));
    let up = office
        .http
        .patch(format!("{}/api/v1/uploads/{id}", office.url))
        .bearer_auth(&phone.token)
        .header("upload-offset", "0")
        .header("upload-length", html.len().to_string())
        .body(html)
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), 200, "{}", up.text().await.unwrap());
    let got = office
        .http
        .get(format!("{}/api/v1/attachments/{id}", office.url))
        .bearer_auth(&office.token)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(
        got.headers()[header::CONTENT_TYPE],
        "application/octet-stream"
    );
    assert_eq!(got.headers()[header::CONTENT_DISPOSITION], "attachment");
    assert_eq!(got.headers()["x-content-type-options"], "nosniff");
}

/// The resident memory of a process, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib * 1024
}

const MIB: u64 = 1024 * 1024;

/// The real binary on a free port, its stderr discarded.
fn served() -> (tempfile::TempDir, crate::server_command::Served, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_fieldwork-server"));
    cmd.stderr(std::process::Stdio::null());
    let (served, url, _) = crate::server_command::serve_with(cmd, dir.path(), false);
    (dir, served, url)
}

#[test]
fn a_hundred_unauthenticated_compressed_bodies_add_little_memory() {
    let (_dir, served, url) = served();
    let addr: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let pid = served.0.id();
    // What the attack sent: the start of a zstd frame that asks for a large window, as the
    // body of a sync, a note and an upload, with no credential.
    let mut encoder = zstd::stream::Encoder::new(Vec::new(), 19).unwrap();
    encoder.window_log(27).unwrap();
    let noise: Vec<u8> = (0..1 << 20).map(|_| rand::random::<u8>()).collect();
    encoder.write_all(&noise).unwrap();
    let frame = encoder.finish().unwrap();
    let start = &frame[..512];
    std::thread::sleep(Duration::from_millis(300));
    let before = rss(pid);
    let mut open = Vec::new();
    for i in 0..100 {
        let path = ["/api/v1/sync", "/api/v1/jobs/J-1/notes"][i % 2];
        let mut s = TcpStream::connect(addr).unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
             content-encoding: zstd\r\ncontent-length: 16000000\r\n\r\n"
        );
        s.write_all(head.as_bytes()).unwrap();
        let _ = s.write_all(start);
        open.push(s);
    }
    std::thread::sleep(Duration::from_secs(1));
    let after = rss(pid);
    assert!(
        after.saturating_sub(before) <= 64 * MIB,
        "100 unauthenticated connections took the server from {} to {} MiB",
        before / MIB,
        after / MIB
    );
    drop(open);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crowd_of_logins_costs_a_bounded_amount_of_memory() {
    let (_dir, served, url) = served();
    let pid = served.0.id();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss(pid);
    // 96 logins with unknown names at once, each from its own address (so the per-address
    // login limit is not what bounds them: the hashing slots are).
    let tries: Vec<_> = (0..96u8)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .local_address(std::net::IpAddr::from([127, 0, 2, i + 1]))
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .unwrap();
                let page = client.get(format!("{url}/login")).send().await.unwrap();
                let cookie = page.headers()[header::SET_COOKIE]
                    .to_str()
                    .unwrap()
                    .split(';')
                    .next()
                    .unwrap()
                    .to_string();
                let csrf = field(&page.text().await.unwrap(), "csrf");
                client
                    .post(format!("{url}/login"))
                    .header(header::COOKIE, cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(crate::console::form_body(&[
                        ("name", &format!("nobody{i}")),
                        ("password", "guess"),
                        ("csrf", &csrf),
                    ]))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut peak = before;
    let mut statuses = Vec::new();
    for t in tries {
        peak = peak.max(rss(pid));
        statuses.push(t.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| [401, 503].contains(s)),
        "{statuses:?}"
    );
    // A few 19 MiB buffers, reused: not one per login.
    assert!(
        peak.saturating_sub(before) <= 128 * MIB,
        "96 logins took the server from {} to {} MiB",
        before / MIB,
        peak / MIB
    );
}

#[test]
fn a_log_that_cannot_be_written_never_takes_a_request_down() {
    for broken in ["full disk", "closed pipe"] {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_fieldwork-server"));
        cmd.env("RUST_LOG", "fieldwork_server=debug");
        match broken {
            "full disk" => {
                cmd.stderr(
                    std::fs::OpenOptions::new()
                        .write(true)
                        .open("/dev/full")
                        .unwrap(),
                );
            }
            _ => {
                cmd.stderr(std::process::Stdio::piped());
            }
        }
        let (mut served, url, _) = crate::server_command::serve_with(cmd, dir.path(), false);
        drop(served.0.stderr.take());
        let addr: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
        for i in 0..20 {
            let path = ["/api/v1/health", "/api/v1/jobs", "/nowhere"][i % 3];
            let head = format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
            let status = status_after_head(addr, &head, Duration::from_secs(5));
            assert!(
                status.is_some(),
                "{broken}: request {i} ({path}) got no answer"
            );
        }
        assert!(
            served.0.try_wait().unwrap().is_none(),
            "{broken}: the server exited"
        );
    }
}

/// A modified phone writes `bytes` of random text to a job and deletes it in the same change.
fn write_and_delete(phone: &mut crate::common::Device, job: &str, bytes: usize) {
    use automerge::transaction::Transactable;
    let junk = rand::distr::SampleString::sample_string(
        &rand::distr::Alphanumeric,
        &mut rand::rng(),
        bytes,
    );
    let doc = phone.doc(job).automerge_mut();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "junk", junk).unwrap();
    tx.delete(automerge::ROOT, "junk").unwrap();
    tx.commit();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_that_writes_and_deletes_eight_mib_is_refused_and_stores_nothing() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut phone = office.enroll("t1").await;
    phone.pull(&office).await;
    let before = office.heads("J-1").await;
    write_and_delete(&mut phone, "J-1", 8 << 20);
    let resp = phone.round(&office, &["J-1"]).await;
    let answer = reply(&resp, "J-1");
    assert_eq!(answer.state, DocState::Refused, "{:?}", answer.error);
    assert!(
        answer.error.as_deref().unwrap().contains("writes"),
        "{:?}",
        answer.error
    );
    assert_eq!(office.heads("J-1").await, before);
}

#[tokio::test(flavor = "multi_thread")]
async fn pushes_under_the_change_limit_cannot_grow_a_job_past_its_history_limit() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut phone = office.enroll("t1").await;
    phone.pull(&office).await;
    let mut refused = None;
    for push in 0..12 {
        write_and_delete(&mut phone, "J-1", 3_900_000);
        let resp = phone.round(&office, &["J-1"]).await;
        let answer = reply(&resp, "J-1");
        if answer.state == DocState::Refused {
            refused = Some((push, answer.error.clone().unwrap()));
            break;
        }
    }
    let (push, why) = refused.expect("every push was accepted");
    assert!(why.contains("history"), "push {push}: {why}");
    let stored = office
        .place
        .open()
        .unwrap()
        .load_job("J-1")
        .unwrap()
        .unwrap();
    assert!(
        stored.doc.len() <= fieldwork_model::rules::MAX_HISTORY_BYTES,
        "{}",
        stored.doc.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn healing_after_a_restore_lasts_one_full_round_and_only_from_cursor_zero() {
    let mut office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut phone = office.enroll("t1").await;
    phone.pull(&office).await;
    let backup = office.dir.path().join("backup.db");
    fieldwork_server::backup(office.place.clone(), &backup).unwrap();
    office.stop().await;
    fieldwork_server::restore(office.place.clone(), &backup).unwrap();
    office.restart().await;
    let now = chrono::Utc::now().timestamp_millis();

    // A phone that never starts over from cursor 0 gets no relaxed checks: a note written as
    // dispatch is refused.
    assert!(phone.cursor > 0);
    phone
        .doc("J-1")
        .add_note("dispatch", now, "renamed by a phone")
        .unwrap();
    let resp = phone.round(&office, &["J-1"]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Refused);

    // Its one full round from cursor 0, every job whole, gives back what the restore lost.
    phone.cursor = 0;
    phone.docs.get_mut("J-1").unwrap().synced.clear();
    let resp = phone.round(&office, &["J-1"]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Ok, "{resp:?}");

    // And that was the round: from cursor 0 again, the same trick is refused.
    phone
        .doc("J-1")
        .add_note("dispatch", now + 1, "again as dispatch")
        .unwrap();
    phone.cursor = 0;
    let resp = phone.round(&office, &["J-1"]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Refused);
    let texts = office.job("J-1").await["notes"].to_string();
    assert!(!texts.contains("again as dispatch"), "{texts}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_former_assignee_keeps_its_offline_work_but_writes_nothing_after_hearing_of_the_move() {
    let office = Office::start().await;
    office.technician("anna").await;
    office.technician("bo").await;
    office.create_job("J-1", Some("anna")).await;
    let mut anna = office.enroll("anna").await;
    anna.pull(&office).await;
    let now = chrono::Utc::now().timestamp_millis();
    // Offline, before the move reaches her: her real work.
    anna.doc("J-1")
        .add_note("anna", now, "before the move")
        .unwrap();
    office.patch("J-1", json!({"technician": "bo"})).await;
    let resp = anna.round(&office, &["J-1"]).await;
    assert_eq!(reply(&resp, "J-1").state, DocState::Revoked);
    assert!(
        !reply(&resp, "J-1").changes.is_empty(),
        "the move came along"
    );

    // Told of the move, a modified phone still writes: refused.
    anna.doc("J-1")
        .add_note("anna", now + 1, "after the move")
        .unwrap();
    anna.doc("J-1")
        .record_status(fieldwork_model::Status::Completed, "anna", now + 2)
        .unwrap();
    let resp = anna.round(&office, &["J-1"]).await;
    let answer = reply(&resp, "J-1");
    assert_eq!(answer.state, DocState::Refused, "{answer:?}");
    let job = office.job("J-1").await;
    let notes = job["notes"].to_string();
    assert!(notes.contains("before the move"), "{job}");
    assert!(!notes.contains("after the move"), "{job}");
    assert_ne!(job["status"], "completed");
    assert_eq!(job["technician"], "bo");
}
