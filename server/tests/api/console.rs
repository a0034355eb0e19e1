//! The dispatch console over HTTP, on the real server: login with CSRF and lockout, sessions
//! standing for dispatcher tokens on the API (with the CSRF header for changes), the board, live
//! change events, enrollment codes and revoking a lost phone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use fieldwork_model::wire::{PROTOCOL_VERSION, SyncRequest};
use reqwest::{Method, StatusCode, header};
use serde_json::Value;

use crate::common::{Office, http, job_body};

/// A browser's view of the console: its cookies, no redirects followed.
pub(crate) struct Browser {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) cookies: Vec<(String, String)>,
}

impl Browser {
    pub(crate) fn new(office: &Office) -> Browser {
        let _ = http(); // installs the crypto provider
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: office.url.clone(),
            cookies: Vec::new(),
        }
    }

    pub(crate) fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) fn keep_cookies(&mut self, resp: &reqwest::Response) -> Vec<String> {
        let mut raw = Vec::new();
        for v in resp.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap().to_string();
            let (k, rest) = v.split_once('=').unwrap();
            let value = rest.split(';').next().unwrap().to_string();
            self.cookies.retain(|(name, _)| name != k);
            if !value.is_empty() {
                self.cookies.push((k.to_string(), value));
            }
            raw.push(v);
        }
        raw
    }

    pub(crate) async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&resp);
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_string());
        let body = resp.text().await.unwrap();
        (status, location.unwrap_or(body))
    }

    /// A form post; returns status, `Location` or body, and the raw Set-Cookie values.
    pub(crate) async fn post_form(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Vec<String>) {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body(form))
            .send()
            .await
            .unwrap();
        let cookies = self.keep_cookies(&resp);
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_string());
        let body = resp.text().await.unwrap();
        (status, location.unwrap_or(body), cookies)
    }

    /// An API call the console's script would make: the session cookie and, if given, the CSRF header.
    pub(crate) async fn api(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        csrf: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(header::COOKIE, self.cookie_header());
        if let Some(token) = csrf {
            req = req.header("X-CSRF-Token", token);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub(crate) async fn log_in(
        &mut self,
        name: &str,
        password: &str,
    ) -> (StatusCode, String, Vec<String>) {
        let (_, page) = self.get("/login").await;
        let csrf = field(&page, "csrf");
        self.post_form(
            "/login",
            &[("name", name), ("password", password), ("csrf", &csrf)],
        )
        .await
    }
}

/// An `application/x-www-form-urlencoded` body, as a browser sends a form.
pub(crate) fn form_body(form: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    form.iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of a hidden input in a page.
pub(crate) fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in {page}"))
        + marker.len();
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

/// A dispatcher's browser, logged in (the account is created first).
async fn dispatcher(office: &Office) -> Browser {
    fieldwork_server::add_user(office.place.clone(), "mei", "correct horse battery").unwrap();
    let mut browser = Browser::new(office);
    browser.log_in("mei", "correct horse battery").await;
    browser
}

/// `POST` with the dispatcher token: the status and the answer.
async fn post(office: &Office, path: &str, body: Value) -> (u16, Value) {
    office
        .call(Method::POST, path, Some(body), Some(&office.token))
        .await
}

/// Creates a job through the API (it must be accepted).
async fn create(office: &Office, body: Value) {
    let (status, v) = post(office, "/api/v1/jobs", body).await;
    assert_eq!(status, 201, "{v}");
}

/// Where a day-plan block sits: its `left` and `width`, in percent of the axis.
fn block_at(page: &str, job: &str) -> (f64, f64) {
    let block = page
        .split(&format!("data-job=\"{job}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no block {job}"));
    let style = block
        .split("style=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let pct = |key: &str| -> f64 {
        style
            .split(&format!("{key}: "))
            .nth(1)
            .unwrap()
            .split('%')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (pct("left"), pct("width"))
}

/// The jobs a page lists, by their rows' `data-job`, in order.
fn listed(page: &str) -> Vec<String> {
    page.split("<tr data-job=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_dispatcher_logs_in_and_the_session_works_the_api_only_with_its_csrf_token() {
    let office = Office::start().await;
    fieldwork_server::add_user(office.place.clone(), "mei", "correct horse battery").unwrap();
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut browser = Browser::new(&office);

    // Not signed in: every page (and the live stream) sends you to the login page; the API
    // says 401. (Pages take the session as an extractor, `console::SignedIn`.)
    for page in [
        "/timeline",
        "/timeline/jobs?jobs=J-1",
        "/board",
        "/service",
        "/stock",
        "/search?q=J-1",
        "/jobs/new",
        "/jobs/import",
        "/jobs/J-1",
        "/devices",
        "/webhooks",
        "/events",
    ] {
        assert_eq!(
            browser.get(page).await,
            (StatusCode::SEE_OTHER, "/login".to_string()),
            "{page}"
        );
    }
    assert_eq!(
        browser.api(Method::GET, "/api/v1/jobs", None, None).await.0,
        StatusCode::UNAUTHORIZED
    );

    // The login form's CSRF token is required; a wrong password is refused.
    let (status, _, _) = browser
        .post_form(
            "/login",
            &[
                ("name", "mei"),
                ("password", "correct horse battery"),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page, _) = browser.log_in("mei", "not the password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("Wrong name or password."), "{page}");

    let (status, location, cookies) = browser.log_in("mei", "correct horse battery").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/timeline")
    );
    let session = cookies
        .iter()
        .find(|c| c.starts_with("fw_session="))
        .expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(session.contains(attribute), "{session}");
    }
    assert!(!session.contains("Secure"), "plain HTTP: {session}");

    let (status, board) = browser.get("/board").await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains("data-job=\"J-1\""), "{board}");
    for page in ["/jobs/J-1", "/jobs/new", "/service", "/devices"] {
        let (status, html) = browser.get(page).await;
        assert_eq!(status, StatusCode::OK, "{page}: {html}");
    }
    // The other language is one click away and sticks.
    assert_eq!(browser.get("/lang/zh-CN").await.0, StatusCode::SEE_OTHER);
    assert!(browser.get("/board").await.1.contains("工单列表"));
    browser.get("/lang/en").await;
    let csrf = field(&board, "csrf");

    // The session reads the API; a change without the page's CSRF token is refused.
    let (status, jobs) = browser.api(Method::GET, "/api/v1/jobs", None, None).await;
    assert_eq!(
        (status, jobs.as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    let (status, body) = browser
        .api(
            Method::POST,
            "/api/v1/jobs",
            Some(job_body("J-2", Some("t1"))),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        office
            .call(Method::GET, "/api/v1/jobs/J-2", None, Some(&office.token))
            .await
            .0,
        404,
        "nothing stored"
    );
    let (status, _) = browser
        .api(
            Method::POST,
            "/api/v1/jobs",
            Some(job_body("J-2", Some("t1"))),
            Some("wrong"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = browser
        .api(
            Method::POST,
            "/api/v1/jobs",
            Some(job_body("J-2", Some("t1"))),
            Some(&csrf),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The header the console's middleware sets cannot be sent from outside.
    let forged = http()
        .get(format!("{}/api/v1/jobs", office.url))
        .header("x-fieldwork-console-user", "mei")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    // Bearer tokens keep working for scripts.
    assert_eq!(
        office
            .call(Method::GET, "/api/v1/jobs/J-2", None, Some(&office.token))
            .await
            .0,
        200
    );

    // Logging out needs the token too, and ends the session.
    assert_eq!(
        browser.post_form("/logout", &[("csrf", "forged")]).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, location, _) = browser.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/login")
    );
    assert_eq!(browser.get("/board").await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_for_a_while() {
    let office = Office::start().await;
    fieldwork_server::add_user(office.place.clone(), "mei", "correct horse battery").unwrap();
    let mut browser = Browser::new(&office);
    for _ in 0..fieldwork_server::console::accounts::LOCK_AFTER {
        assert_eq!(
            browser.log_in("mei", "guess").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let resp = {
        let (_, page) = browser.get("/login").await;
        let csrf = field(&page, "csrf");
        browser
            .http
            .post(format!("{}/login", office.url))
            .header(header::COOKIE, browser.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body(&[
                ("name", "mei"),
                ("password", "correct horse battery"),
                ("csrf", csrf.as_str()),
            ]))
            .send()
            .await
            .unwrap()
    };
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = resp.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 300, "{retry}");
}

#[tokio::test]
async fn the_event_stream_tells_an_open_page_when_a_job_changes_and_a_revoked_phone_is_refused() {
    let office = Office::start().await;
    fieldwork_server::add_user(office.place.clone(), "mei", "correct horse battery").unwrap();
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let mut device = office.enroll("t1").await;
    device.pull(&office).await;
    let mut browser = Browser::new(&office);
    browser.log_in("mei", "correct horse battery").await;

    let mut stream = browser
        .http
        .get(format!("{}/events", office.url))
        .header(header::COOKIE, browser.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()[header::CONTENT_TYPE], "text/event-stream");

    // A phone pushes a note: the page hears which job changed and that t1's phone synced.
    device
        .doc("J-1")
        .add_note("t1", 1_764_000_000_000, "relay replaced")
        .unwrap();
    device.round(&office, &["J-1"]).await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !(seen.contains("event: change") && seen.contains("\"J-1\"") && seen.contains("\"t1\"")) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("no change event within 10 s")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }

    // Enrollment codes come from the devices page; revoking the phone stops its next sync.
    let (_, page) = browser.get("/devices").await;
    let csrf = field(&page, "csrf");
    let (status, page, _) = browser
        .post_form("/devices/codes", &[("csrf", &csrf), ("technician", "t1")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"enroll-code\""), "{page}");
    let (_, devices) = browser
        .api(Method::GET, "/api/v1/devices", None, None)
        .await;
    let id = devices[0]["device_id"].as_str().unwrap().to_string();
    assert_eq!(
        browser
            .post_form(&format!("/devices/{id}/revoke"), &[("csrf", "forged")])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, location, _) = browser
        .post_form(&format!("/devices/{id}/revoke"), &[("csrf", &csrf)])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/devices")
    );
    let (status, _) = device
        .send(
            &office,
            &SyncRequest {
                v: PROTOCOL_VERSION,
                cursor: device.cursor,
                push: vec![],
                stock: None,
            },
        )
        .await;
    assert_eq!(status, 401);
    let resp = http()
        .post(format!("{}/api/v1/sync", office.url))
        .bearer_auth(&device.token)
        .json(&SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: 0,
            push: vec![],
            stock: None,
        })
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "device_revoked", "{body}");
    let (_, devices) = browser
        .api(Method::GET, "/api/v1/devices", None, None)
        .await;
    assert_eq!(devices[0]["revoked"], true);
}

/// A query parameter of a `fieldwork://enroll?...` payload, percent-decoded.
fn query_param(payload: &str, name: &str) -> String {
    let query = payload.split_once('?').unwrap().1;
    let raw = query
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {payload}"));
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&raw[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn the_enrollment_code_comes_with_a_qr_code_a_phone_enrolls_from() {
    use base64::Engine as _;
    let office = Office::start().await;
    office.technician("t1").await;
    let mut browser = dispatcher(&office).await;
    let (_, page) = browser.get("/devices").await;
    let csrf = field(&page, "csrf");
    let (status, page, _) = browser
        .post_form("/devices/codes", &[("csrf", &csrf), ("technician", "t1")])
        .await;
    assert_eq!(status, StatusCode::OK);

    // The picture, read back as a phone's camera would, says what the page says it does.
    let img = &page[page.find("id=\"enroll-qr\"").expect("a QR code")..];
    let attr = |name: &str| {
        let marker = format!(" {name}=\"");
        let start = img
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in {img}"))
            + marker.len();
        img[start..start + img[start..].find('"').unwrap()].to_string()
    };
    let png = attr("src");
    let png = base64::engine::general_purpose::STANDARD
        .decode(png.strip_prefix("data:image/png;base64,").unwrap())
        .unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    let (w, h) = image.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            image.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, scanned) = grids[0].decode().unwrap();
    assert_eq!(scanned, attr("data-payload").replace("&#38;", "&"));
    assert!(scanned.starts_with("fieldwork://enroll?"), "{scanned}");

    // It names this office and the code shown beside it, and the code enrolls a phone there.
    assert_eq!(query_param(&scanned, "office"), office.url);
    let code = query_param(&scanned, "code");
    let shown = page
        .split("id=\"enroll-code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert_eq!(code, shown);
    let (status, v) = office
        .call(
            Method::POST,
            "/api/v1/devices/enroll",
            Some(serde_json::json!({"code": code, "device_name": "scanned", "public_key": crate::common::PUBLIC_KEY})),
            None,
        )
        .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["technician"], "t1");
}

#[tokio::test]
async fn every_priority_is_shown_in_words_and_emergency_in_red_and_can_be_created() {
    let office = Office::start().await;
    let mut body = job_body("J-E", None);
    body["priority"] = serde_json::json!("emergency");
    create(&office, body).await;
    let mut browser = dispatcher(&office).await;

    let (_, board) = browser.get("/board").await;
    assert!(
        board.contains("class=\"prio-emergency\">Emergency<"),
        "{board}"
    );
    let (_, page) = browser.get("/jobs/J-E").await;
    assert!(
        page.contains("Emergency") && !page.contains("Unknown"),
        "{page}"
    );
    // The form offers exactly the model's four, and each is accepted by the API.
    let (_, form) = browser.get("/jobs/new").await;
    let offered: Vec<&str> = form
        .split("<option value=\"")
        .skip(1)
        .map(|o| o.split('"').next().unwrap())
        .filter(|v| ["emergency", "high", "normal", "low", "urgent"].contains(v))
        .collect();
    assert_eq!(offered, ["emergency", "high", "normal", "low"]);
    for (i, p) in offered.iter().enumerate() {
        let mut body = job_body(&format!("J-P{i}"), None);
        body["priority"] = serde_json::json!(p);
        let (status, v) = post(&office, "/api/v1/jobs", body).await;
        assert_eq!(status, 201, "{p}: {v}");
    }

    // In Chinese too, and the callback rate under its own name beside the repeat repairs.
    browser.cookies.push(("lang".into(), "zh-CN".into()));
    let (_, board) = browser.get("/board").await;
    assert!(board.contains("class=\"prio-emergency\">紧急<"), "{board}");
    let (_, service) = browser.get("/service").await;
    assert!(
        service.contains("回访率") && service.contains("重复维修率"),
        "{service}"
    );
}

#[tokio::test]
async fn the_job_page_shows_the_charges_as_the_report_prints_them() {
    let office = Office::start().await;
    office.technician("t1").await;
    let contract: Value = serde_json::from_str(fieldwork_server::demo::DEMO_CONTRACT).unwrap();
    let (status, v) = post(&office, "/api/v1/contracts", contract).await;
    assert_eq!(status, 201, "{v}");
    let mut body = job_body("J-C", Some("t1"));
    body["contract"] = serde_json::json!("GOLD-2026");
    create(&office, body).await;
    let mut device = office.enroll("t1").await;
    device.pull(&office).await;
    let line = device
        .doc("J-C")
        .add_part(
            &fieldwork_model::NewPart {
                sku: "FAN-200".into(),
                description: "Condenser fan motor".into(),
                qty: 2,
                serial_in: None,
                serial_out: None,
                stock: None,
                unit_cost: Some(9_000),
                unit_price: Some(12_000),
            },
            "t1",
            1_764_000_000_000,
        )
        .unwrap();
    device.round(&office, &["J-C"]).await;

    let mut browser = dispatcher(&office).await;
    let (_, page) = browser.get("/jobs/J-C").await;
    let table = page
        .split("<table class=\"charges\">")
        .nth(1)
        .expect("a charges table")
        .split("</table>")
        .next()
        .unwrap();
    assert!(table.contains("FAN-200 Condenser fan motor"), "{table}");
    assert!(!table.contains(&line), "the part, not its line id: {table}");
    assert!(table.contains("class=\"total\""), "{table}");
    // The visit record: the customer's phone one click away, and every milestone in words.
    assert!(page.contains("href=\"tel:+86 21 5555 0100\""), "{page}");
    for m in ["response", "arrival", "resolution"] {
        let row = page
            .split(&format!("data-milestone=\"{m}\""))
            .nth(1)
            .unwrap_or_else(|| panic!("no {m} row"))
            .split("</tr>")
            .next()
            .unwrap();
        assert!(
            ["Pending", "At risk", "Breached", "Met"]
                .iter()
                .any(|w| row.contains(w)),
            "{m}: {row}"
        );
    }
    browser.cookies.push(("lang".into(), "zh-CN".into()));
    let (_, page) = browser.get("/jobs/J-C").await;
    assert!(
        page.contains("FAN-200 Condenser fan motor") && page.contains("合计"),
        "{page}"
    );
}

#[tokio::test]
async fn a_refused_value_comes_with_its_reason_and_field_for_a_form_to_translate() {
    let office = Office::start().await;
    let mut body = job_body("J-BAD", None);
    body["site"]["time_zone"] = serde_json::json!("Mars/Olympus");
    let (status, v) = post(&office, "/api/v1/jobs", body).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["error"]["code"], "invalid");
    assert_eq!(v["error"]["field"], "site.time_zone");
    assert_eq!(
        v["error"]["reason"],
        serde_json::json!({"code": "unknown_time_zone", "field": "site.time_zone", "zone": "Mars/Olympus"})
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown IANA time zone")
    );
    let mut body = job_body("J-BAD", None);
    body["customer"]["name"] = serde_json::json!("  ");
    let (status, v) = post(&office, "/api/v1/jobs", body).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(
        v["error"]["reason"],
        serde_json::json!({"code": "empty", "field": "customer.name"})
    );
    // Nothing was stored.
    let (status, _) = office
        .call(Method::GET, "/api/v1/jobs/J-BAD", None, Some(&office.token))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn search_finds_a_job_by_a_chinese_name_a_phone_however_typed_or_a_serial() {
    let office = Office::start().await;
    let mut body = job_body("J-ZH", None);
    body["customer"] = serde_json::json!({"name": "港湾诊所", "phone": "021-5550-1888"});
    body["asset"]["serial"] = serde_json::json!("CH-7788-B");
    create(&office, body).await;
    create(&office, job_body("J-OTHER", None)).await;
    let mut browser = dispatcher(&office).await;
    let found = listed;
    for q in ["港湾", "5550 1888", "(021) 5550-1888", "ch-7788", "j-zh"] {
        let path = format!(
            "/search?q={}",
            form_body(&[("", q)]).trim_start_matches('=')
        );
        let (status, page) = browser.get(&path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(found(&page), ["J-ZH"], "{q}");
    }
    let (_, page) = browser.get("/search?q=Harbour").await;
    assert_eq!(found(&page), ["J-OTHER"]);
    let (_, page) = browser.get("/search?q=nowhere").await;
    assert!(found(&page).is_empty() && page.contains("No job matches."));
    // Every page carries the box.
    let (_, board) = browser.get("/board").await;
    assert!(board.contains("action=\"/search\""));
}

#[tokio::test]
async fn the_board_narrows_to_jobs_at_risk_or_overdue_with_the_risk_in_words() {
    let office = Office::start().await;
    let contract: Value = serde_json::from_str(fieldwork_server::demo::DEMO_CONTRACT).unwrap();
    post(&office, "/api/v1/contracts", contract).await;
    let now = chrono::Utc::now();
    for (id, reported) in [
        ("J-LATE", "2026-11-24T09:00:00+08:00".to_string()),
        ("J-FRESH", now.to_rfc3339()),
        ("J-NOSLA", now.to_rfc3339()),
    ] {
        let mut body = job_body(id, None);
        body["reported_at"] = serde_json::json!(reported);
        if id != "J-NOSLA" {
            body["contract"] = serde_json::json!("GOLD-2026");
        }
        let (status, v) = post(&office, "/api/v1/jobs", body).await;
        assert_eq!(status, 201, "{v}");
    }
    let mut browser = dispatcher(&office).await;
    let jobs = listed;
    let (_, all) = browser.get("/board").await;
    assert_eq!(jobs(&all).len(), 3, "{all}");
    assert!(all.contains("· Breached</span>"), "risk in words: {all}");
    let (_, risky) = browser.get("/board?risk=risk").await;
    assert_eq!(jobs(&risky), ["J-LATE"]);
}

#[tokio::test]
async fn the_day_plan_puts_each_job_on_its_technician_s_row_at_its_time() {
    let office = Office::start().await;
    office.technician("t1").await;
    let mut on_axis = job_body("J-AM", Some("t1"));
    on_axis["scheduled_start"] = serde_json::json!("2026-12-07T10:00:00+08:00");
    on_axis["scheduled_end"] = serde_json::json!("2026-12-07T12:00:00+08:00");
    create(&office, on_axis).await;
    let mut tray = job_body("J-TRAY", None);
    tray["scheduled_start"] = serde_json::json!("2026-12-07T14:00:00+08:00");
    create(&office, tray).await;
    create(&office, job_body("J-NOTIME", Some("t1"))).await;
    let mut browser = dispatcher(&office).await;
    let (status, page) = browser.get("/timeline?day=2026-12-07").await;
    assert_eq!(status, StatusCode::OK);

    assert!(
        page.contains("data-axis-start=\"2026-12-07T00:00:00+08:00\" data-axis-end=\"2026-12-08T00:00:00+08:00\""),
        "{page}"
    );
    let row = |technician: &str| {
        page.split(&format!(
            "<div class=\"tl-row\" data-technician=\"{technician}\">"
        ))
        .nth(1)
        .unwrap_or_else(|| panic!("no row {technician:?}"))
        .split("<div class=\"tl-row\"")
        .next()
        .unwrap()
        .to_string()
    };
    // 10:00 to 12:00 of a 24-hour axis: from 41.67 % for 8.33 %.
    let anna = row("t1");
    let (left, width) = block_at(&anna, "J-AM");
    assert!(
        (left - 41.667).abs() < 0.01 && (width - 8.333).abs() < 0.01,
        "{left} {width}"
    );
    assert!(anna.contains("10:00–12:00"));
    // A job with no time yet is listed beside the row; the unassigned one is in the tray.
    assert!(
        anna.contains("class=\"tl-unscheduled\" data-job=\"J-NOTIME\""),
        "{anna}"
    );
    assert!(row("").contains("data-job=\"J-TRAY\""));

    // The week of a Wednesday: Monday to Monday, the same linear axis (10:00 on Monday is
    // 10 h of 168 h in; two hours get the narrowest block).
    let (_, week) = browser.get("/timeline?day=2026-12-09&span=week").await;
    assert!(
        week.contains("data-axis-start=\"2026-12-07T00:00:00+08:00\" data-axis-end=\"2026-12-14T00:00:00+08:00\""),
        "{week}"
    );
    let (left, width) = block_at(&week, "J-AM");
    assert!(
        (left - 5.952).abs() < 0.01 && (width - 2.0).abs() < 0.01,
        "{left} {width}"
    );
    assert_eq!(week.matches("class=\"tl-hour tl-day\"").count(), 7);
}
