//! Test harness shared by the end-to-end tests and the benchmarks: the real office server on
//! 127.0.0.1 in a temporary data directory, driven through its REST API like dispatch would,
//! and device cores with real SQLite stores in their own temporary directories.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod balancer;
pub mod proxy;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use fieldwork_core::Device;
use fieldwork_server::RunningServer;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The office: a running server plus a dispatcher's HTTP client. Its database is SQLite in
/// `dir`, or a new PostgreSQL database when `FIELDWORK_TEST_POSTGRES` names a cluster (the test
/// command's PostgreSQL pass).
pub struct Office {
    pub dir: TempDir,
    /// Where its data is: hand this to `fieldwork_server` functions, not `dir`.
    pub place: fieldwork_server::Place,
    pub server: Option<RunningServer>,
    pub addr: SocketAddr,
    pub token: String,
    config: fieldwork_server::Config,
    http: reqwest::Client,
}

impl Office {
    /// Starts a fresh server on a free loopback port.
    pub async fn start() -> Office {
        Office::start_with(fieldwork_server::Config::default()).await
    }

    /// Starts a fresh server with settings (an SMTP server, TLS).
    pub async fn start_with(mut config: fieldwork_server::Config) -> Office {
        if config.database.is_none() {
            config.database = fieldwork_store_postgres::admin::test_database().unwrap();
        }
        Office::start_exactly(config).await
    }

    /// A fresh server on the embedded SQLite database whatever the test pass, for tests that
    /// reach into the database file.
    pub async fn start_on_sqlite() -> Office {
        Office::start_exactly(fieldwork_server::Config::default()).await
    }

    async fn start_exactly(config: fieldwork_server::Config) -> Office {
        let dir = tempfile::tempdir().unwrap();
        let place = fieldwork_server::Place {
            data_dir: dir.path().to_path_buf(),
            database: config.database.clone(),
        };
        let server =
            fieldwork_server::spawn_with(dir.path(), "127.0.0.1:0".parse().unwrap(), &config)
                .await
                .unwrap();
        let addr = server.addr;
        let token = fieldwork_server::issue_dispatcher_token(place.clone()).unwrap();
        Office {
            dir,
            place,
            server: Some(server),
            addr,
            token,
            config,
            http: http_client(),
        }
    }

    /// The base URL devices enroll with.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server (the phones are now offline).
    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
    }

    /// Starts the server again with other settings (the same data, database and port).
    pub async fn restart_with(&mut self, config: fieldwork_server::Config) {
        self.config = fieldwork_server::Config {
            database: self.config.database.clone(),
            ..config
        };
        self.restart().await;
    }

    /// Starts the server again on the same data directory and port.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.server = Some(
            fieldwork_server::spawn_with(self.dir.path(), self.addr, &self.config)
                .await
                .unwrap(),
        );
    }

    /// Any request with the dispatcher token (or another token); returns status and JSON body.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.url()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&b).unwrap());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    /// A GET with the dispatcher token; the status and the raw body (a PDF, a photo).
    pub async fn raw_get(&self, path: &str) -> (u16, Vec<u8>) {
        let resp = self
            .http
            .get(format!("{}{path}", self.url()))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
    }

    async fn ok(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method, path, body, Some(&self.token)).await;
        assert!((200..300).contains(&status), "{path} -> {status}: {v}");
        v
    }

    /// POST with the dispatcher token; panics unless 2xx.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.ok(reqwest::Method::POST, path, Some(body)).await
    }

    /// GET with the dispatcher token; panics unless 2xx.
    pub async fn get(&self, path: &str) -> Value {
        self.ok(reqwest::Method::GET, path, None).await
    }

    /// The server's job JSON with SLA states as of `at` (epoch ms).
    pub async fn job_at(&self, id: &str, at: i64) -> Value {
        let at = fieldwork_model::time::to_rfc3339(at);
        self.get(&format!("/api/v1/jobs/{id}?at={at}")).await
    }

    /// Registers a technician.
    pub async fn technician(&self, id: &str) {
        self.ok(
            reqwest::Method::POST,
            "/api/v1/technicians",
            Some(json!({"id": id, "name": format!("Technician {id}"), "region": "east"})),
        )
        .await;
    }

    /// Creates a job (assigned to `technician` if given) and returns its JSON.
    pub async fn create_job(&self, id: &str, technician: Option<&str>) -> Value {
        self.ok(
            reqwest::Method::POST,
            "/api/v1/jobs",
            Some(job_body(id, technician)),
        )
        .await
    }

    /// The server's job JSON.
    pub async fn job(&self, id: &str) -> Value {
        self.ok(reqwest::Method::GET, &format!("/api/v1/jobs/{id}"), None)
            .await
    }

    /// PATCH a job.
    pub async fn patch(&self, id: &str, body: Value) -> Value {
        self.ok(
            reqwest::Method::PATCH,
            &format!("/api/v1/jobs/{id}"),
            Some(body),
        )
        .await
    }

    /// Dispatch adds a note.
    pub async fn note(&self, id: &str, text: &str) -> Value {
        self.ok(
            reqwest::Method::POST,
            &format!("/api/v1/jobs/{id}/notes"),
            Some(json!({ "text": text })),
        )
        .await
    }

    /// Dispatch cancels a job.
    pub async fn cancel(&self, id: &str, reason: &str) -> Value {
        self.ok(
            reqwest::Method::POST,
            &format!("/api/v1/jobs/{id}/cancel"),
            Some(json!({ "reason": reason })),
        )
        .await
    }

    /// A one-time enrollment code for a technician.
    pub fn enroll_code(&self, technician: &str) -> String {
        fieldwork_server::issue_enroll_code(self.place.clone(), technician).unwrap()
    }
}

/// A valid Ed25519 public key (RFC 8032, test 1) for devices enrolled over raw HTTP.
pub const PUBLIC_KEY: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

/// A realistic job body for `POST /api/v1/jobs`.
pub fn job_body(id: &str, technician: Option<&str>) -> Value {
    json!({
        "id": id,
        "technician": technician,
        "customer": {"name": "Harbour Clinic", "phone": "+86 21 5555 0101"},
        "site": {"address": "88 Quay Road, Pudong", "region": "city", "time_zone": "Asia/Shanghai"},
        "asset": {"serial": "CH-2291-A", "model": "Chiller 300RT"},
        "problem": "Compressor trips on high discharge pressure",
        "priority": "high",
        "reported_at": "2026-11-24T09:00:00+08:00",
    })
}

/// A phone as the apps hold it: the FFI's [`fieldwork_ffi::FieldworkApp`] on its own store
/// (encrypted at rest, as on a phone), enrolled for a technician; the store lives as long as
/// `dir`. Dereferences to the app.
pub struct AppPhone {
    pub dir: TempDir,
    pub app: std::sync::Arc<fieldwork_ffi::FieldworkApp>,
}

impl AppPhone {
    /// A new phone enrolled for `technician` (not synced yet).
    pub async fn enroll(office: &Office, technician: &str) -> AppPhone {
        let dir = tempfile::tempdir().unwrap();
        let app = fieldwork_ffi::FieldworkApp::open(dir.path().display().to_string()).unwrap();
        app.enroll(office.url(), office.enroll_code(technician), "phone".into())
            .await
            .unwrap();
        AppPhone { dir, app }
    }
}

impl AppPhone {
    /// An office with one job assigned to `technician`, and that technician's phone, synced.
    pub async fn with_job(job: &str, technician: &str) -> (Office, AppPhone) {
        let office = Office::start().await;
        office.technician(technician).await;
        office.create_job(job, Some(technician)).await;
        let phone = AppPhone::enroll(&office, technician).await;
        phone.sync().await.unwrap();
        (office, phone)
    }
}

impl std::ops::Deref for AppPhone {
    type Target = fieldwork_ffi::FieldworkApp;
    fn deref(&self) -> &Self::Target {
        &self.app
    }
}

/// A technician's phone: a device core on its own store.
pub struct Phone {
    pub dir: TempDir,
    pub device: Device,
}

impl Phone {
    /// A new phone enrolled for `technician`.
    pub async fn enroll(office: &Office, technician: &str) -> Phone {
        let dir = tempfile::tempdir().unwrap();
        let device = Device::open(dir.path()).unwrap();
        device
            .enroll(&office.url(), &office.enroll_code(technician), "test phone")
            .await
            .unwrap();
        Phone { dir, device }
    }

    /// Reopens the store, as after an app restart.
    pub fn reopen(&mut self) {
        self.device = Device::open(self.dir.path()).unwrap();
    }

    /// The device's job JSON, SLA states as of now.
    pub fn job(&self, id: &str) -> Value {
        self.job_at(id, now_ms())
    }

    /// The device's job JSON with SLA states as of `at` (epoch ms).
    pub fn job_at(&self, id: &str, at: i64) -> Value {
        serde_json::to_value(self.device.job(id, at).unwrap()).unwrap()
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A secret the device keeps in its secrets file (`token`, `signing_key`), read as someone
    /// holding the phone could.
    pub fn secret(&self, key: &str) -> String {
        use fieldwork_core::secrets::{FileSecretStore, SecretStore};
        FileSecretStore::in_dir(self.dir.path())
            .get(key)
            .unwrap()
            .unwrap_or_else(|| panic!("no secret {key}"))
    }
}

/// A connection to the device store in `dir`, opened with the key the device keeps in its
/// secrets file (the store is SQLCipher): for tests that look at the rows themselves.
pub fn open_store(dir: &Path) -> rusqlite::Connection {
    use fieldwork_core::secrets::{FileSecretStore, STORE_KEY, SecretStore};
    let key = FileSecretStore::in_dir(dir)
        .get(STORE_KEY)
        .unwrap()
        .expect("the device has a store key");
    let conn = rusqlite::Connection::open(dir.join(fieldwork_core::STORE_FILE)).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{key}'\";"))
        .unwrap();
    conn
}

/// Copies the folder `from` (a phone's data directory, say) to `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Syncs every phone repeatedly until a full pass moves nothing, so all sides hold the same
/// changes. Panics if that takes more than 10 passes.
pub async fn sync_until_quiet(phones: &[&Phone]) {
    for _ in 0..10 {
        let mut moved = 0;
        for p in phones {
            let r = p.device.sync().await.unwrap();
            moved += r.uploaded + r.downloaded;
        }
        if moved == 0 {
            return;
        }
    }
    panic!("sync did not settle in 10 passes");
}

/// Now, in epoch milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A photo-like JPEG that does not compress away: a smooth scene with sensor noise of +-`noise`
/// levels, written at quality 90 the way a phone camera does. `noise` 8 gives sizes like real
/// photos; 128 makes a file that spans many upload chunks.
pub fn camera_photo(width: u32, height: u32, seed: u32, noise: u32) -> Vec<u8> {
    let mut state = seed | 1;
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % (2 * noise + 1)) as i32 - noise as i32;
        let base = |v: u32, span: u32| (v * 200 / span) as i32 + 20;
        let c = |v: i32| (v + noise).clamp(0, 255) as u8;
        image::Rgb([
            c(base(x, width)),
            c(base(y, height)),
            c(base((x + y) / 2, (width + height) / 2)),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

/// The texts of a job's notes, from its JSON (office or phone: the same shape).
pub fn note_texts(job: &Value) -> std::collections::BTreeSet<String> {
    job["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap().to_string())
        .collect()
}

/// An HTTP client for the tests' dispatcher and raw requests. The workspace builds reqwest with
/// rustls and no default crypto provider (ADR 0005), so the process installs ring first, as the
/// device core does.
pub fn http_client() -> reqwest::Client {
    http_client_builder().build().unwrap()
}

/// A client builder for tests that need other settings (no redirects, no pooled connections),
/// with the process's TLS provider installed first (reqwest is built without one).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// A small tmpfs mounted in a temp dir, for running out of disk space on purpose; unmounted
/// when dropped. Mounting needs root (the project's machines and CI run the tests as root).
pub struct SmallDisk {
    dir: TempDir,
}

impl SmallDisk {
    /// Mounts a tmpfs of `kib` KiB.
    pub fn mount(kib: u64) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir.path())
            .output()
            .expect("the disk-full tests need the mount command");
        assert!(
            out.status.success(),
            "the disk-full tests mount a small tmpfs and need root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the disk to the last byte with a filler file.
    pub fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.filler()).unwrap();
        let block = vec![0u8; 4096];
        loop {
            match f.write(&block) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        // The last partial block, byte by byte.
        while f.write(&[0u8]).is_ok_and(|n| n == 1) {}
        let _ = f.sync_all();
    }

    /// Gives the space back.
    pub fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }

    fn filler(&self) -> PathBuf {
        self.dir.path().join("filler")
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}
