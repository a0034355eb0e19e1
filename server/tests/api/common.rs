//! Shared harness of the server's integration tests: the real server on 127.0.0.1:0 over a real
//! SQLite data directory in a temp dir, a dispatcher's HTTP client, and a minimal device that
//! speaks the sync protocol directly with `fieldwork_model` (no device core involved).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use automerge::{ActorId, ChangeHash};
use fieldwork_model::JobDocument;
use fieldwork_model::wire::{
    DocPush, DocReply, DocState, PROTOCOL_VERSION, SyncRequest, SyncResponse, heads_from_hex,
    heads_to_hex,
};
use fieldwork_server::RunningServer;
use reqwest::Method;
use serde_json::{Value, json};
use tempfile::TempDir;

/// A valid Ed25519 public key (RFC 8032, test 1) for devices enrolled over raw HTTP.
pub const PUBLIC_KEY: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

/// A running server with its data directory and a dispatcher token.
pub struct Office {
    pub dir: TempDir,
    /// Where its data is: hand this to `fieldwork_server` functions, not `dir`.
    pub place: fieldwork_server::Place,
    pub server: Option<RunningServer>,
    pub url: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Office {
    /// A fresh server on a free loopback port.
    pub async fn start() -> Office {
        Office::start_with(&fieldwork_server::Config::default()).await
    }

    /// A fresh server with settings (limits, mail...).
    /// Its database is SQLite in `dir`, or a new PostgreSQL database when
    /// `FIELDWORK_TEST_POSTGRES` names a cluster (the test command's PostgreSQL pass).
    pub async fn start_with(config: &fieldwork_server::Config) -> Office {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config.clone();
        if config.database.is_none() {
            config.database = fieldwork_store_postgres::admin::test_database().unwrap();
        }
        let place = fieldwork_server::Place {
            data_dir: dir.path().to_path_buf(),
            database: config.database.clone(),
        };
        let server =
            fieldwork_server::spawn_with(dir.path(), "127.0.0.1:0".parse().unwrap(), &config)
                .await
                .unwrap();
        let url = server.url();
        let token = fieldwork_server::issue_dispatcher_token(place.clone()).unwrap();
        Office {
            dir,
            place,
            server: Some(server),
            url,
            token,
            http: http(),
        }
    }

    /// Any request; returns the status and the body as JSON (`Null` if it is not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let body = body.map(|b| serde_json::to_vec(&b).unwrap());
        self.raw(method, path, body, token).await
    }

    /// A request with a raw body.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A POST that declares a `declared`-byte body but sends only its first KiB, as a client
    /// streaming a huge upload would: the server must answer from the declared length alone.
    /// (A client that pushes the whole body may see the connection reset after the answer.)
    pub async fn oversized_post(&self, path: &str, token: &str, declared: usize) -> (u16, Value) {
        use std::io::{Read, Write};
        let host = self.url.trim_start_matches("http://").to_string();
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {token}\r\n\
             content-type: application/json\r\ncontent-length: {declared}\r\n\r\n"
        );
        let answer = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(&host).unwrap();
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(30)))
                .unwrap();
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&[b' '; 1024]).unwrap();
            // Read one whole response (the connection may stay open).
            let mut answer = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = stream
                    .read(&mut chunk)
                    .expect("the server waited for the rest of the body");
                answer.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if answer.len() >= end + 4 + length {
                        break;
                    }
                }
                assert!(n > 0, "connection closed mid-response");
            }
            answer
        })
        .await
        .unwrap();
        let text = String::from_utf8_lossy(&answer);
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    /// A dispatcher request that must succeed (2xx).
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method, path, body, Some(&self.token)).await;
        assert!((200..300).contains(&status), "{path} -> {status}: {v}");
        v
    }

    /// Registers a technician.
    pub async fn technician(&self, id: &str) {
        self.ok(
            Method::POST,
            "/api/v1/technicians",
            Some(json!({"id": id, "name": format!("Technician {id}"), "region": "east"})),
        )
        .await;
    }

    /// Creates a job, optionally assigned.
    pub async fn create_job(&self, id: &str, technician: Option<&str>) -> Value {
        self.ok(Method::POST, "/api/v1/jobs", Some(job_body(id, technician)))
            .await
    }

    /// Reads a job's JSON.
    pub async fn job(&self, id: &str) -> Value {
        self.ok(Method::GET, &format!("/api/v1/jobs/{id}"), None)
            .await
    }

    /// PATCHes a job.
    pub async fn patch(&self, id: &str, body: Value) -> Value {
        self.ok(Method::PATCH, &format!("/api/v1/jobs/{id}"), Some(body))
            .await
    }

    /// The server's heads of a job, sorted hex.
    pub async fn heads(&self, id: &str) -> Vec<String> {
        let v = self
            .ok(Method::GET, &format!("/api/v1/jobs/{id}/heads"), None)
            .await;
        serde_json::from_value(v["heads"].clone()).unwrap()
    }

    /// Enrolls a device for a technician.
    pub async fn enroll(&self, technician: &str) -> Device {
        let code = fieldwork_server::issue_enroll_code(self.place.clone(), technician).unwrap();
        let (status, v) = self
            .call(
                Method::POST,
                "/api/v1/devices/enroll",
                Some(json!({"code": code, "device_name": "test phone", "public_key": PUBLIC_KEY})),
                None,
            )
            .await;
        assert_eq!(status, 201, "{v}");
        assert_eq!(v["technician"], technician);
        Device {
            technician: technician.to_string(),
            token: v["token"].as_str().unwrap().to_string(),
            cursor: 0,
            docs: HashMap::new(),
        }
    }

    /// Feed rows `(seq, job, technician)` of these technicians, each one's in feed order,
    /// read through the storage the server uses.
    pub fn feed_rows(&self, technicians: &[&str]) -> Vec<(i64, String, String)> {
        let storage = self.place.open().unwrap();
        technicians
            .iter()
            .flat_map(|t| {
                storage
                    .feed_since(t, 0, 100_000)
                    .unwrap()
                    .into_iter()
                    .map(|(seq, job)| (seq as i64, job, t.to_string()))
            })
            .collect()
    }

    /// Stops the server.
    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
    }

    /// Starts the server again on the same data (a new port: `url` changes).
    pub async fn restart(&mut self) {
        self.restart_with(&fieldwork_server::Config::default())
            .await;
    }

    /// [`Office::restart`] with settings.
    pub async fn restart_with(&mut self, config: &fieldwork_server::Config) {
        self.stop().await;
        let config = fieldwork_server::Config {
            database: self.place.database.clone(),
            ..config.clone()
        };
        let server =
            fieldwork_server::spawn_with(self.dir.path(), "127.0.0.1:0".parse().unwrap(), &config)
                .await
                .unwrap();
        self.url = server.url();
        self.server = Some(server);
    }
}

/// A `POST /api/v1/jobs` body.
pub fn job_body(id: &str, technician: Option<&str>) -> Value {
    let mut body = json!({
        "id": id,
        "customer": {"name": "Harbour Clinic", "phone": "+86 21 5555 0100"},
        "site": {"address": "88 Quay Road, Shanghai", "region": "city", "time_zone": "Asia/Shanghai"},
        "asset": {"serial": "CH-2291-A", "model": "Chiller 300RT"},
        "problem": "Chiller trips on high discharge pressure",
        "priority": "high",
        "reported_at": "2026-11-24T09:00:00+08:00"
    });
    if let Some(t) = technician {
        body["technician"] = json!(t);
    }
    body
}

/// One job as a test device holds it.
pub struct DeviceDoc {
    pub doc: JobDocument,
    /// Heads the server is known to hold.
    pub synced: Vec<ChangeHash>,
    pub revoked: bool,
}

/// A minimal device: a token, a cursor and documents in memory, syncing by hand.
pub struct Device {
    pub technician: String,
    pub token: String,
    pub cursor: u64,
    pub docs: HashMap<String, DeviceDoc>,
}

impl Device {
    /// Sends one raw sync request; returns status and parsed response (if 200).
    pub async fn send(&self, office: &Office, req: &SyncRequest) -> (u16, Option<SyncResponse>) {
        let resp = office
            .http
            .post(format!("{}/api/v1/sync", office.url))
            .bearer_auth(&self.token)
            .json(req)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).ok())
    }

    /// A push of everything the server may lack of one job.
    pub fn push_of(&self, job: &str) -> DocPush {
        let d = &self.docs[job];
        DocPush {
            job: job.to_string(),
            heads: heads_to_hex(&d.doc.heads()),
            changes: d.doc.save_after(&d.synced),
        }
    }

    /// Applies a response as the device would (see docs/sync-protocol.md) and stores its cursor.
    pub fn apply(&mut self, resp: &SyncResponse) {
        for reply in &resp.docs {
            self.apply_reply(reply);
        }
        self.cursor = resp.cursor;
    }

    fn apply_reply(&mut self, reply: &DocReply) {
        match reply.state {
            DocState::Ok => {
                let heads = heads_from_hex(&reply.heads).unwrap();
                let entry = self
                    .docs
                    .entry(reply.job.clone())
                    .or_insert_with(|| DeviceDoc {
                        doc: JobDocument::load(&reply.changes, ActorId::random()).unwrap(),
                        synced: Vec::new(),
                        revoked: false,
                    });
                entry.doc.apply(&reply.changes).unwrap();
                entry.synced = heads;
                entry.revoked = false;
            }
            // Revoked: the history up to the move comes along, applied as the core does.
            DocState::Revoked => {
                if let Some(d) = self.docs.get_mut(&reply.job) {
                    d.revoked = true;
                    d.doc.apply(&reply.changes).unwrap();
                }
            }
            DocState::Resend => {
                if let Some(d) = self.docs.get_mut(&reply.job) {
                    d.synced.clear();
                }
            }
            // The device keeps its refused changes but takes the office's side of the job.
            DocState::Refused => {
                if let Some(d) = self.docs.get_mut(&reply.job)
                    && !reply.changes.is_empty()
                {
                    d.doc.apply(&reply.changes).unwrap();
                    d.synced = heads_from_hex(&reply.heads).unwrap();
                }
            }
        }
    }

    /// One round pushing `jobs`; asserts 200, applies the response and returns it.
    pub async fn round(&mut self, office: &Office, jobs: &[&str]) -> SyncResponse {
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: self.cursor,
            push: jobs.iter().map(|j| self.push_of(j)).collect(),
            stock: None,
        };
        let (status, resp) = self.send(office, &req).await;
        assert_eq!(status, 200);
        let resp = resp.unwrap();
        self.apply(&resp);
        resp
    }

    /// Rounds without pushes until the server has nothing more to say.
    pub async fn pull(&mut self, office: &Office) {
        loop {
            let resp = self.round(office, &[]).await;
            if !resp.more && resp.docs.is_empty() {
                return;
            }
        }
    }

    /// The device's document of a job.
    pub fn doc(&mut self, job: &str) -> &mut JobDocument {
        &mut self.docs.get_mut(job).unwrap().doc
    }

    /// A job's heads on the device, sorted hex (to compare with [`Office::heads`]).
    pub fn heads(&self, job: &str) -> Vec<String> {
        let mut h = heads_to_hex(&self.docs[job].doc.heads());
        h.sort();
        h
    }
}

/// The reply for one job in a response.
pub fn reply<'a>(resp: &'a SyncResponse, job: &str) -> &'a DocReply {
    resp.docs
        .iter()
        .find(|d| d.job == job)
        .unwrap_or_else(|| panic!("no reply for {job} in {resp:?}"))
}

/// An HTTP client. reqwest is built with rustls and no default crypto provider (ADR 0005): the
/// process installs ring first.
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
