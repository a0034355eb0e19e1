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

use crate::common::{Office, http};
use crate::console::{Browser, field};
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
    // An honest sync-shaped request and a console page, each within a second.
    let started = Instant::now();
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
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

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
