//! Property test of sync over the real stack: the office server on loopback, 2 to 5 device
//! cores (two technicians) and a faulty network in between — a loopback proxy that loses
//! responses, delivers requests twice and replays stale requests. After random concurrent edits
//! and partial syncs, the network heals and everyone syncs until quiet: every job must render
//! the same JSON on the server and on every device that holds it, with the same heads on all
//! devices, and nothing anyone wrote may be missing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use fieldwork_core::model::{NewPart, NewTimeEntry, Status, TimeKind};
use fieldwork_tests::{Office, Phone, now_ms, sync_until_quiet};
use parking_lot_free::{Fault, Faults};
use proptest::prelude::*;
use serde_json::json;

/// The proxy's fault plan, shared with the test (std Mutex: no await while held).
pub(crate) mod parking_lot_free {
    use std::sync::Mutex;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Fault {
        Deliver,
        LoseResponse,
        Duplicate,
        ReplayStale,
        DropRequest,
    }

    #[derive(Default)]
    pub struct Faults {
        pub next: Mutex<Option<Fault>>,
        pub history: Mutex<Vec<(String, axum::http::HeaderMap, Vec<u8>)>>,
    }
}

struct Proxy {
    target: String,
    faults: Arc<Faults>,
    http: reqwest::Client,
}

impl Proxy {
    async fn forward(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: Vec<u8>,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        let mut req = self
            .http
            .request(method.clone(), format!("{}{}", self.target, uri))
            .body(body);
        // The credentials and how the body is encoded (phones send CBOR, compressed when large).
        for name in ["authorization", "content-type", "content-encoding"] {
            if let Some(v) = headers.get(name) {
                req = req.header(name, v.as_bytes());
            }
        }
        let resp = req.send().await.unwrap();
        let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
        let content_type = resp
            .headers()
            .get("content-type")
            .map(|v| v.as_bytes().to_vec())
            .unwrap_or_default();
        let body = resp.bytes().await.unwrap().to_vec();
        let mut answer = (status, body).into_response();
        if let Ok(v) = axum::http::HeaderValue::from_bytes(&content_type) {
            answer.headers_mut().insert("content-type", v);
        }
        answer
    }
}

/// What the phone sees when the network ate the request or its answer.
fn lost() -> axum::response::Response {
    use axum::response::IntoResponse;
    (StatusCode::BAD_GATEWAY, Vec::<u8>::new()).into_response()
}

pub(crate) async fn start_proxy(target: String, faults: Arc<Faults>) -> String {
    let proxy = Arc::new(Proxy {
        target,
        faults,
        http: fieldwork_tests::http_client(),
    });
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let proxy = proxy.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let fault = proxy
                    .faults
                    .next
                    .lock()
                    .unwrap()
                    .take()
                    .unwrap_or(Fault::Deliver);
                let body = body.to_vec();
                if uri.path() == "/api/v1/sync" {
                    let stale = {
                        let mut h = proxy.faults.history.lock().unwrap();
                        let old = h
                            .iter()
                            .find(|(a, _, _)| Some(a) == auth.as_ref())
                            .map(|(_, headers, b)| (headers.clone(), b.clone()));
                        h.push((
                            auth.clone().unwrap_or_default(),
                            headers.clone(),
                            body.clone(),
                        ));
                        old
                    };
                    match fault {
                        Fault::DropRequest => {
                            return lost();
                        }
                        Fault::ReplayStale => {
                            if let Some((old_headers, old)) = stale {
                                proxy.forward(&method, &uri, &old_headers, old).await;
                            }
                        }
                        Fault::Duplicate => {
                            proxy.forward(&method, &uri, &headers, body.clone()).await;
                        }
                        Fault::Deliver | Fault::LoseResponse => {}
                    }
                    let answer = proxy.forward(&method, &uri, &headers, body).await;
                    if fault == Fault::LoseResponse {
                        return lost();
                    }
                    return answer;
                }
                proxy.forward(&method, &uri, &headers, body).await
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[derive(Clone, Debug)]
enum Step {
    /// A device edits one of the jobs (ignored if the job is not on the device).
    DeviceEdit { device: usize, job: usize, kind: u8 },
    /// Dispatch edits a job.
    DispatchEdit { job: usize, kind: u8 },
    /// A device syncs through the network, which applies `fault` to this round.
    Sync { device: usize, fault: Fault },
}

fn step(devices: usize) -> impl Strategy<Value = Step> {
    let fault = prop_oneof![
        3 => Just(Fault::Deliver),
        1 => Just(Fault::LoseResponse),
        1 => Just(Fault::Duplicate),
        1 => Just(Fault::ReplayStale),
        1 => Just(Fault::DropRequest),
    ];
    prop_oneof![
        4 => (0..devices, 0..3usize, any::<u8>()).prop_map(|(device, job, kind)| Step::DeviceEdit { device, job, kind }),
        1 => (0..3usize, any::<u8>()).prop_map(|(job, kind)| Step::DispatchEdit { job, kind }),
        3 => (0..devices, fault).prop_map(|(device, fault)| Step::Sync { device, fault }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Step>)> {
    (2usize..=5).prop_flat_map(|n| (Just(n), proptest::collection::vec(step(n), 5..40)))
}

const JOBS: [&str; 3] = ["J-A", "J-B", "J-C"];

fn technician_of(device: usize) -> &'static str {
    if device.is_multiple_of(2) { "t1" } else { "t2" }
}

async fn run(n: usize, steps: Vec<Step>) {
    let office = Office::start().await;
    office.technician("t1").await;
    office.technician("t2").await;
    for (i, job) in JOBS.iter().enumerate() {
        office.create_job(job, Some(technician_of(i))).await;
    }
    let faults = Arc::new(Faults::default());
    let proxy_url = start_proxy(office.url(), faults.clone()).await;
    let mut phones = Vec::new();
    for d in 0..n {
        let dir = tempfile::tempdir().unwrap();
        let device = fieldwork_core::Device::open(dir.path()).unwrap();
        let code = office.enroll_code(technician_of(d));
        device
            .enroll(&proxy_url, &code, "prop phone")
            .await
            .unwrap();
        phones.push(Phone { dir, device });
    }
    let mut written: BTreeSet<String> = BTreeSet::new();
    let t0 = now_ms();

    for (i, s) in steps.into_iter().enumerate() {
        let at = t0 + i as i64 * 1000;
        match s {
            Step::DeviceEdit { device, job, kind } => {
                let d = &phones[device].device;
                let job = JOBS[job];
                let r = match kind % 4 {
                    0 => d
                        .add_part(
                            job,
                            &NewPart {
                                sku: format!("P{i}"),
                                qty: 1,
                                ..Default::default()
                            },
                            at,
                        )
                        .map(Some),
                    1 => d.add_note(job, &format!("note {i}"), at).map(Some),
                    2 => d
                        .set_status(
                            job,
                            [Status::Accepted, Status::OnSite, Status::InProgress][i % 3],
                            at,
                        )
                        .map(|_| None),
                    _ => d
                        .add_time(
                            job,
                            NewTimeEntry {
                                kind: TimeKind::Travel,
                                start: at,
                                end: at + 60_000,
                            },
                        )
                        .map(Some),
                };
                if let Ok(Some(id)) = r {
                    written.insert(id);
                }
            }
            Step::DispatchEdit { job, kind } => {
                let job = JOBS[job];
                match kind % 3 {
                    0 => {
                        office.note(job, &format!("dispatch note {i}")).await;
                    }
                    1 => {
                        office
                            .patch(job, json!({"scheduled_start": "2026-12-01T08:00:00Z", "scheduled_end": "2026-12-01T10:00:00Z"}))
                            .await;
                    }
                    _ => {
                        let to = if kind % 2 == 0 { "t1" } else { "t2" };
                        office.patch(job, json!({"technician": to})).await;
                    }
                }
            }
            Step::Sync { device, fault } => {
                *faults.next.lock().unwrap() = Some(fault);
                let _ = phones[device].device.sync().await;
                *faults.next.lock().unwrap() = None;
            }
        }
    }

    // Heal: everyone syncs through a clean network until nothing moves.
    let refs: Vec<&Phone> = phones.iter().collect();
    sync_until_quiet(&refs).await;
    for job in JOBS {
        let server = office.job(job).await;
        let mut heads = None;
        for p in &phones {
            if let Ok(v) = p.device.job(job, 0) {
                assert_eq!(
                    serde_json::to_value(v).unwrap(),
                    server,
                    "{job} differs on a device"
                );
                let h = p.device.heads(job).unwrap();
                assert_eq!(
                    heads.get_or_insert_with(|| h.clone()),
                    &h,
                    "{job} heads differ"
                );
            }
        }
        for coll in ["parts", "notes", "time"] {
            for entry in server[coll].as_array().unwrap() {
                written.remove(entry["id"].as_str().unwrap());
            }
        }
        assert_eq!(p_pending(&phones), 0);
    }
    assert!(
        written.is_empty(),
        "entries written on devices but missing at the office: {written:?}"
    );
}

fn p_pending(phones: &[Phone]) -> u64 {
    phones
        .iter()
        .map(|p| p.device.pending_sync_count().unwrap())
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 32, .. ProptestConfig::default() })]

    #[test]
    fn devices_and_server_converge_through_a_lossy_duplicating_network((n, steps) in scenario()) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(run(n, steps));
    }
}
