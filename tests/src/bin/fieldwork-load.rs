//! `fieldwork-load`: a thousand phones against one office on loopback (issue 10, "Hardening":
//! the load generator). Results and how to read them: `docs/benchmarks.md`.
//!
//! ```text
//! fieldwork-load [DEVICES] [--concurrency N] [--seed S] [--dispatch-per-sec R]
//!                [--photo-share F] [--encoding cbor|json] [--json FILE] [--no-limits]
//!                [--database CLUSTER_URL] [--instances N]
//! ```
//!
//! The office runs on its embedded SQLite database by default. With `--database`, the URL names
//! a PostgreSQL cluster: the run creates a new, empty database there
//! (`fieldwork_store_postgres::admin::create_database`) and every server it starts uses it, while
//! attachments stay in the run's temp data directory. With `--instances N` (PostgreSQL only)
//! the measured phases run against N servers on that database and data directory, and every
//! request of the generator goes to one of them picked at random (a load balancer without
//! affinity). The run's database stays on the cluster afterwards (its name is printed).
//! `scripts/load-instances.sh` compares SQLite with one, two and three instances.
//!
//! 1. **Setup** (not measured). The release `fieldwork-server` (next to this binary) starts as a
//!    child process on a free loopback port over a temp data directory, with its request rate
//!    limit off: setup pushes every technician and job through one dispatcher token, and every
//!    enrollment through one address, far faster than 50 requests a second. DEVICES
//!    technicians (default 1,000), each with 5 to 20 jobs drawn from a fixed seed, created
//!    through the REST API, 32 requests in flight; one enrolled device per technician.
//! 2. The server is stopped (SIGTERM) and started again on the same data **with its default
//!    limits** (unless `--no-limits`): every simulated phone has its own token, so the
//!    per-credential limits and byte budgets apply to the measured phases as they would in an
//!    office. With `--instances N`, N servers start on the same data and database.
//! 3. **down**: every phone's first sync, CONCURRENCY phones in flight (default 32). A doc-sync
//!    down is a document the office sent (state `ok` with changes).
//! 4. **up**: every phone adds a note and a part line to each of its jobs; about a tenth also
//!    attach a photo (a camera-like JPEG prepared by `fieldwork_media` as the core does),
//!    uploaded with the resumable upload protocol before the push; each phone pushes all its
//!    jobs in one sync request. Meanwhile dispatch adds notes to random jobs (20 a second) with
//!    its own token. A doc-sync up is a pushed document the office accepted (`ok`).
//! 5. **steady**: every phone syncs once more (a quarter of them with one new note), while
//!    dispatch keeps adding notes; dispatch's notes of the up phase come down here.
//! 6. Settle (not measured): dispatch stops, phones sync until nothing moves. Checks: 50 random
//!    jobs at the office hold their phone's notes, part and photo, with the same heads as the
//!    phone; every photo landed; every dispatch note reached its phone. Every non-2xx answer is
//!    printed, and the run fails on any 5xx, transport error or failed check.
//!
//! The phones are protocol-level, as in `server/tests/api/common.rs`: Automerge job documents in
//! memory, raw `POST /api/v1/sync` with the core's encoding (CBOR, `--encoding json` for JSON,
//! zstd both ways from 1 KiB), no SQLite store. To keep the generator's CPU away from the server's on a small machine, what a
//! phone does offline (its edits, the request body it will send) is prepared before a phase's
//! clock starts, and the documents it receives are applied after the clock stops; inside the
//! clock the generator only sends bodies and decodes answers (zstd, CBOR or JSON). Latencies are
//! per HTTP request, from sending it to the last byte of its answer. The generator's and the
//! server's CPU time over each phase are printed (`/proc/PID/stat`), and the server's peak RSS
//! (`VmHWM`). All phones share one connection pool (CONCURRENCY keep-alive connections per
//! instance). With several instances the server CPU is their sum and the peak RSS is given per
//! instance; on PostgreSQL the CPU of the cluster's processes (the postmaster and its children)
//! is a column of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use automerge::{ActorId, ChangeHash};
use fieldwork_model::report::Attachment;
use fieldwork_model::wire::{
    self, DocPush, DocReply, DocState, PROTOCOL_VERSION, SyncRequest, SyncResponse, heads_from_hex,
    heads_to_hex,
};
use fieldwork_model::{JobDocument, NewPart};
use fieldwork_server::Place;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use serde_json::{Value, json};

/// Request bodies of at least this many bytes go zstd-compressed, as the core sends them.
const COMPRESS_ABOVE: usize = 1024;
/// Upload chunk, as the core's (`core/src/sync/upload.rs`).
const CHUNK: usize = 256 * 1024;
/// Requests in flight while seeding.
const SETUP_CONCURRENCY: usize = 32;
/// Jobs and dispatch notes checked at the end.
const SAMPLE: usize = 50;

// ---------------------------------------------------------------------------------------------
// Command line

struct Args {
    devices: usize,
    concurrency: usize,
    seed: u64,
    dispatch_per_sec: f64,
    photo_share: f64,
    json: Option<PathBuf>,
    limits: bool,
    cbor: bool,
    /// A PostgreSQL cluster to create the run's database on; SQLite when `None`.
    database: Option<String>,
    /// Server instances in the measured phases (more than one needs `database`).
    instances: usize,
}

fn args() -> Args {
    let mut a = Args {
        devices: 1000,
        concurrency: 32,
        seed: 10,
        dispatch_per_sec: 20.0,
        photo_share: 0.1,
        json: None,
        limits: true,
        cbor: true,
        database: None,
        instances: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().unwrap_or_else(|| panic!("{name} needs a value"));
        match arg.as_str() {
            "--concurrency" => a.concurrency = value("--concurrency").parse().unwrap(),
            "--seed" => a.seed = value("--seed").parse().unwrap(),
            "--dispatch-per-sec" => {
                a.dispatch_per_sec = value("--dispatch-per-sec").parse().unwrap()
            }
            "--photo-share" => a.photo_share = value("--photo-share").parse().unwrap(),
            "--json" => a.json = Some(PathBuf::from(value("--json"))),
            "--no-limits" => a.limits = false,
            "--database" => a.database = Some(value("--database")),
            "--instances" => a.instances = value("--instances").parse().unwrap(),
            "--encoding" => {
                a.cbor = match value("--encoding").as_str() {
                    "cbor" => true,
                    "json" => false,
                    other => panic!("--encoding is cbor or json, not {other}"),
                }
            }
            "-h" | "--help" => {
                println!(
                    "fieldwork-load [DEVICES] [--concurrency N] [--seed S] [--dispatch-per-sec R] \
                     [--photo-share F] [--encoding cbor|json] [--json FILE] [--no-limits] \
                     [--database CLUSTER_URL] [--instances N]"
                );
                std::process::exit(0);
            }
            n => a.devices = n.parse().unwrap_or_else(|_| panic!("unknown argument {n}")),
        }
    }
    assert!(a.devices > 0 && a.concurrency > 0 && a.dispatch_per_sec > 0.0);
    assert!(a.instances > 0, "--instances is at least 1");
    assert!(
        a.instances == 1 || a.database.is_some(),
        "--instances {} needs --database: instances share the office through PostgreSQL",
        a.instances
    );
    a
}

// ---------------------------------------------------------------------------------------------
// The server process

struct Server {
    child: Option<Child>,
    pid: u32,
    url: String,
    log: PathBuf,
}

fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().join("fieldwork-server")
}

fn free_port() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

impl Server {
    /// Starts `fieldwork-server serve` over `place` (its data directory, and its PostgreSQL
    /// database if any), its log (stderr) in `log`.
    async fn start(http: &reqwest::Client, place: &Place, log: PathBuf, limits: bool) -> Server {
        let addr = free_port();
        let mut cmd = Command::new(server_binary());
        cmd.args(["serve", "--data"])
            .arg(&place.data_dir)
            .args(["--listen", &addr.to_string()]);
        if let Some(url) = &place.database {
            cmd.args(["--database", url]);
        }
        if !limits {
            cmd.args(["--requests-per-second", "0"]);
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("build the server first: cargo build --release -p fieldwork-server");
        let server = Server {
            pid: child.id(),
            child: Some(child),
            url: format!("http://{addr}"),
            log,
        };
        for _ in 0..400 {
            if let Ok(r) = http
                .get(format!("{}/api/v1/health", server.url))
                .send()
                .await
                && r.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "the server did not come up; its log:\n{}",
            server.log_tail(40)
        );
    }

    /// `(VmHWM, VmRSS)` in KiB.
    fn rss(&self) -> (u64, u64) {
        let pid = self.pid.to_string();
        (status_kib(&pid, "VmHWM:"), status_kib(&pid, "VmRSS:"))
    }

    /// Seconds this server's threads were ready to run but waited for a core (schedstat).
    fn runnable(&self) -> f64 {
        let mut waiting_ns = 0u64;
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.pid)) {
            for t in tasks.flatten() {
                let line = std::fs::read_to_string(t.path().join("schedstat")).unwrap_or_default();
                waiting_ns += line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
        waiting_ns as f64 / 1e9
    }

    fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops the server as a service manager would (SIGTERM), killing it after 20 s.
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        for _ in 0..200 {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The measured office: its server instances and the database processes whose CPU is counted.
struct Office {
    instances: Vec<Server>,
    postgres: PgProcesses,
}

/// Which processes on this machine are the office's PostgreSQL.
enum PgProcesses {
    /// None: the office is on SQLite.
    None,
    /// The cluster whose postmaster has this pid: the postmaster and its children.
    Cluster(u32),
    /// The cluster's postmaster was not found (psql missing, or the database on another host):
    /// every process named `postgres`, whoever started it.
    AnyNamed,
}

impl PgProcesses {
    /// The processes behind the database `url`: the postmaster is the parent of the cluster's
    /// checkpointer, which `pg_stat_activity` lists.
    fn find(url: &str) -> PgProcesses {
        let out = Command::new("psql")
            .args(["--no-psqlrc", "--tuples-only", "--no-align"])
            .arg(format!("--dbname={url}"))
            .args([
                "--command",
                "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'",
            ])
            .output();
        let checkpointer = out.ok().filter(|o| o.status.success()).and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<u32>()
                .ok()
        });
        let postmaster = checkpointer
            .and_then(|pid| proc_stat(&pid.to_string()))
            .map(|stat| stat.ppid)
            .filter(|ppid| proc_stat(&ppid.to_string()).is_some_and(|s| s.comm == "postgres"));
        postmaster.map_or(PgProcesses::AnyNamed, PgProcesses::Cluster)
    }

    /// How the PostgreSQL column was measured, for the report.
    fn describe(&self) -> &'static str {
        match self {
            PgProcesses::None => "none (SQLite)",
            PgProcesses::Cluster(_) => "the cluster's postmaster and its children",
            PgProcesses::AnyNamed => {
                "every process named postgres (the cluster's postmaster was not found here)"
            }
        }
    }

    /// CPU seconds of these processes so far. A backend that exits takes its time to the
    /// postmaster's children's time (cutime, cstime), so that counts too.
    fn cpu(&self) -> f64 {
        if matches!(self, PgProcesses::None) {
            return 0.0;
        }
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return 0.0;
        };
        let mut total = 0.0;
        for entry in dir.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let Some(stat) = proc_stat(&pid.to_string()) else {
                continue;
            };
            if stat.comm != "postgres" {
                continue;
            }
            total += match self {
                PgProcesses::Cluster(pm) if pid == *pm => stat.own + stat.children,
                PgProcesses::Cluster(pm) if stat.ppid == *pm => stat.own,
                PgProcesses::Cluster(_) | PgProcesses::None => 0.0,
                PgProcesses::AnyNamed => stat.own,
            };
        }
        total
    }
}

impl Office {
    /// CPU seconds so far: the instances' (summed), the database's, this process's, the whole
    /// machine's.
    fn cpu(&self) -> Cpu {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let ticks: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse().unwrap_or(0))
            .collect();
        let tick = |i: usize| ticks.get(i).copied().unwrap_or(0) as f64 / 100.0;
        // user nice system idle iowait irq softirq steal
        let busy = tick(0) + tick(1) + tick(2) + tick(5) + tick(6) + tick(7);
        Cpu {
            server: self
                .instances
                .iter()
                .map(|s| cpu_seconds(&s.pid.to_string()))
                .sum(),
            postgres: self.postgres.cpu(),
            generator: cpu_seconds("self"),
            machine: busy,
            iowait: tick(4),
            server_runnable: self.instances.iter().map(Server::runnable).sum(),
        }
    }

    /// Each instance's `(VmHWM, VmRSS)` in KiB, in instance order.
    fn rss(&self) -> Vec<(u64, u64)> {
        self.instances.iter().map(Server::rss).collect()
    }

    /// Each instance's peak RSS (VmHWM) in KiB.
    fn hwm(&self) -> Vec<u64> {
        self.rss().into_iter().map(|(hwm, _)| hwm).collect()
    }

    /// The last lines of every instance's log.
    fn log_tails(&self, lines: usize) -> String {
        self.instances
            .iter()
            .enumerate()
            .map(|(i, s)| format!("instance {i} ({}):\n{}", s.url, s.log_tail(lines)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// CPU time in seconds (differences of two samples are what a phase used).
#[derive(Clone, Copy, Default)]
struct Cpu {
    /// The server instances (utime + stime, summed).
    server: f64,
    /// The office's PostgreSQL processes (0 on SQLite).
    postgres: f64,
    /// This load generator.
    generator: f64,
    /// Every process on the machine, all cores (busy time in /proc/stat).
    machine: f64,
    /// Cores idle while some task waited for disk I/O.
    iowait: f64,
    /// Time the server's threads were ready to run but waited for a core (schedstat, summed
    /// over instances; threads that exit during the phase are not counted).
    server_runnable: f64,
}

impl std::ops::Sub for Cpu {
    type Output = Cpu;
    fn sub(self, o: Cpu) -> Cpu {
        Cpu {
            server: self.server - o.server,
            postgres: self.postgres - o.postgres,
            generator: self.generator - o.generator,
            machine: self.machine - o.machine,
            iowait: self.iowait - o.iowait,
            server_runnable: (self.server_runnable - o.server_runnable).max(0.0),
        }
    }
}

impl Cpu {
    /// CPU of everything else on the machine (other sessions' builds and tests).
    fn others(&self) -> f64 {
        (self.machine - self.server - self.postgres - self.generator).max(0.0)
    }
}

/// What `/proc/PID/stat` says of a process.
struct ProcStat {
    /// Its name (`comm`; PostgreSQL's processes keep `postgres` whatever their title).
    comm: String,
    ppid: u32,
    /// utime + stime in seconds.
    own: f64,
    /// cutime + cstime in seconds: its children that exited and were waited for.
    children: f64,
}

/// Reads `/proc/PID/stat` (`self` or a pid); `None` when the process is gone.
fn proc_stat(pid: &str) -> Option<ProcStat> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, after) = stat.rsplit_once(')')?;
    let comm = head
        .split_once('(')
        .map(|(_, c)| c)
        .unwrap_or("")
        .to_string();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // `after` starts at field 3 (state): ppid is field 4, utime..cstime fields 14 to 17.
    // USER_HZ is 100 on Linux.
    Some(ProcStat {
        comm,
        ppid: field(1) as u32,
        own: (field(11) + field(12)) as f64 / 100.0,
        children: (field(13) + field(14)) as f64 / 100.0,
    })
}

/// utime + stime of a process (`self` or a pid) in seconds; 0 when it is gone.
fn cpu_seconds(pid: &str) -> f64 {
    proc_stat(pid).map_or(0.0, |s| s.own)
}

fn status_kib(pid: &str, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// HTTP

#[derive(Clone)]
struct Net {
    http: reqwest::Client,
    /// The base URLs of the office's instances (`http://ADDR`).
    urls: Arc<Vec<String>>,
}

/// One answered request.
struct Answer {
    /// 0 for a transport error (the body then holds its message).
    status: u16,
    /// The body, decompressed.
    body: Vec<u8>,
    /// Body bytes as they came off the wire (compressed or not).
    received: u64,
    /// The body is CBOR (else JSON).
    cbor: bool,
    took: Duration,
}

impl Net {
    /// Requests going to these instances.
    fn new(http: &reqwest::Client, urls: Vec<String>) -> Net {
        assert!(!urls.is_empty());
        Net {
            http: http.clone(),
            urls: Arc::new(urls),
        }
    }

    /// The base URL for one request: an instance picked at random, as a load balancer without
    /// affinity would.
    fn url(&self) -> &str {
        &self.urls[rand::rng().random_range(0..self.urls.len())]
    }

    async fn exchange(&self, req: reqwest::RequestBuilder) -> Answer {
        let t = Instant::now();
        let result = async {
            let resp = req.header(ACCEPT_ENCODING, "zstd").send().await?;
            let status = resp.status().as_u16();
            let zstd = resp
                .headers()
                .get(CONTENT_ENCODING)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"zstd"));
            let cbor = resp
                .headers()
                .get(CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(wire::CBOR.as_bytes()));
            let raw = resp.bytes().await?;
            Ok::<_, reqwest::Error>((status, zstd, cbor, raw))
        }
        .await;
        let took = t.elapsed();
        match result {
            Ok((status, zstd, cbor, raw)) => Answer {
                status,
                body: if zstd {
                    zstd::stream::decode_all(&raw[..])
                        .unwrap_or_else(|e| format!("undecodable zstd answer: {e}").into_bytes())
                } else {
                    raw.to_vec()
                },
                received: raw.len() as u64,
                cbor,
                took,
            },
            Err(e) => Answer {
                status: 0,
                body: format!("transport error: {e}").into_bytes(),
                received: 0,
                cbor: false,
                took,
            },
        }
    }

    /// A dispatcher request with a JSON body (or none); panics unless 2xx. For setup and checks.
    async fn dispatcher(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.url()))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(&b).unwrap());
        }
        let a = self.exchange(req).await;
        assert!(
            (200..300).contains(&a.status),
            "{path} -> {}: {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        );
        serde_json::from_slice(&a.body).unwrap_or(Value::Null)
    }
}

/// Sync bodies in CBOR (as the core sends them) rather than JSON (`--encoding json`).
static CBOR: AtomicBool = AtomicBool::new(true);

/// A sync request body as the core sends it: CBOR (or JSON), zstd from [`COMPRESS_ABOVE`]
/// bytes.
struct Body {
    bytes: Vec<u8>,
    zstd: bool,
    cbor: bool,
}

fn encode(req: &SyncRequest) -> Body {
    let cbor = CBOR.load(Ordering::Relaxed);
    let plain = if cbor {
        wire::to_cbor(req).unwrap()
    } else {
        serde_json::to_vec(req).unwrap()
    };
    if plain.len() >= COMPRESS_ABOVE {
        Body {
            bytes: zstd::bulk::compress(&plain, 3).unwrap(),
            zstd: true,
            cbor,
        }
    } else {
        Body {
            bytes: plain,
            zstd: false,
            cbor,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Counters

/// A request that did not answer 2xx.
#[derive(Clone)]
struct Failure {
    phase: String,
    what: String,
    status: u16,
    body: String,
}

#[derive(Default)]
struct Stats {
    sync_latency: Vec<Duration>,
    upload_latency: Vec<Duration>,
    sync_requests: u64,
    upload_requests: u64,
    /// Documents the office sent (`ok` with changes).
    docs_down: u64,
    /// Pushed documents the office accepted (`ok`).
    docs_up: u64,
    /// Documents pushed.
    pushed: u64,
    /// Replies other than `ok`: refused, resend, revoked.
    other_states: BTreeMap<String, u64>,
    photos: u64,
    /// HTTP body bytes as sent / received (compressed where they were).
    sent: u64,
    received: u64,
    statuses: BTreeMap<u16, u64>,
    failures: Vec<Failure>,
}

impl Stats {
    fn merge(&mut self, o: Stats) {
        self.sync_latency.extend(o.sync_latency);
        self.upload_latency.extend(o.upload_latency);
        self.sync_requests += o.sync_requests;
        self.upload_requests += o.upload_requests;
        self.docs_down += o.docs_down;
        self.docs_up += o.docs_up;
        self.pushed += o.pushed;
        for (k, v) in o.other_states {
            *self.other_states.entry(k).or_default() += v;
        }
        self.photos += o.photos;
        self.sent += o.sent;
        self.received += o.received;
        for (k, v) in o.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        self.failures.extend(o.failures);
    }

    /// Counts an answer; records it as a failure unless 2xx.
    fn answer(&mut self, phase: &str, what: &str, a: &Answer) -> bool {
        *self.statuses.entry(a.status).or_default() += 1;
        self.received += a.received;
        if (200..300).contains(&a.status) {
            return true;
        }
        self.failures.push(Failure {
            phase: phase.to_string(),
            what: what.to_string(),
            status: a.status,
            body: String::from_utf8_lossy(&a.body).chars().take(300).collect(),
        });
        false
    }
}

fn pct(v: &[Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    let mut v = v.to_vec();
    v.sort();
    v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

/// Several sizes in KiB as MiB, `a / b / c MiB`.
fn mibs(kib: &[u64]) -> String {
    let each: Vec<String> = kib
        .iter()
        .map(|k| format!("{:.0}", *k as f64 / 1024.0))
        .collect();
    format!("{} MiB", each.join(" / "))
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

// ---------------------------------------------------------------------------------------------
// Phones

/// One job as a phone holds it.
struct PhoneDoc {
    doc: JobDocument,
    /// Heads the office is known to hold.
    synced: Vec<ChangeHash>,
}

/// A photo ready to upload: the stored JPEG and its id.
struct Photo {
    jpeg: Vec<u8>,
    sha256: String,
}

/// A protocol-level phone: token, cursor, documents in memory.
struct Phone {
    idx: usize,
    tech: String,
    token: String,
    cursor: u64,
    jobs: Vec<String>,
    docs: HashMap<String, PhoneDoc>,
    /// Replies received during a phase, applied after its clock stops.
    inbox: Vec<DocReply>,
    /// The first request of the next sync, prepared offline, and the jobs it pushes.
    outbox: Option<(Body, Vec<String>)>,
    /// A photo to upload before the next sync.
    photo: Option<Photo>,
}

impl Phone {
    /// Applies the replies received, as a device does (docs/sync-protocol.md).
    fn apply_inbox(&mut self) -> Result<(), String> {
        for reply in std::mem::take(&mut self.inbox) {
            match reply.state {
                DocState::Ok => {
                    let heads = heads_from_hex(&reply.heads).ok_or("bad heads")?;
                    // A whole document without heads (CBOR answers leave them out): for a job
                    // new here they are the document's; for a job held here they are unknown,
                    // so it is pushed whole next time. As the core does.
                    let whole = heads.is_empty() && !reply.changes.is_empty();
                    match self.docs.get_mut(&reply.job) {
                        Some(d) => {
                            d.doc.apply(&reply.changes).map_err(|e| e.to_string())?;
                            d.synced = heads;
                        }
                        None => {
                            let doc = JobDocument::load(&reply.changes, ActorId::random())
                                .map_err(|e| format!("{}: {e}", reply.job))?;
                            let synced = if whole { doc.heads() } else { heads };
                            self.docs
                                .insert(reply.job.clone(), PhoneDoc { doc, synced });
                        }
                    }
                }
                DocState::Resend => {
                    if let Some(d) = self.docs.get_mut(&reply.job) {
                        d.synced.clear();
                    }
                }
                DocState::Refused => {
                    if let Some(d) = self.docs.get_mut(&reply.job)
                        && !reply.changes.is_empty()
                    {
                        d.doc.apply(&reply.changes).map_err(|e| e.to_string())?;
                        d.synced = heads_from_hex(&reply.heads).ok_or("bad heads")?;
                    }
                }
                DocState::Revoked => {}
            }
        }
        Ok(())
    }

    /// Prepares the next sync: pushes every job whose heads the office lacks.
    fn prepare_push(&mut self) {
        let mut push = Vec::new();
        let mut jobs = Vec::new();
        for job in &self.jobs {
            let d = &self.docs[job];
            let mut heads = d.doc.heads();
            heads.sort();
            let mut synced = d.synced.clone();
            synced.sort();
            if heads != synced {
                push.push(DocPush {
                    job: job.clone(),
                    heads: heads_to_hex(&heads),
                    changes: if d.synced.is_empty() {
                        d.doc.save()
                    } else {
                        d.doc.save_after(&d.synced)
                    },
                });
                jobs.push(job.clone());
            }
        }
        let body = encode(&SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: self.cursor,
            push,
            stock: None,
        });
        self.outbox = Some((body, jobs));
    }

    /// Uploads the pending photo: ask the office's offset, PATCH the rest in chunks.
    async fn upload(&mut self, net: &Net, phase: &str, stats: &mut Stats) {
        let Some(photo) = self.photo.take() else {
            return;
        };
        // Each request to an instance of its own: the partial file is in the shared data
        // directory, so any instance resumes it.
        let url = || format!("{}/api/v1/uploads/{}", net.url(), photo.sha256);
        let total = photo.jpeg.len();
        let mut budget = 2 * (total / CHUNK + 2);
        let mut ask = true;
        let mut offset = 0usize;
        loop {
            if budget == 0 {
                stats.failures.push(Failure {
                    phase: phase.into(),
                    what: "upload does not progress".into(),
                    status: 0,
                    body: String::new(),
                });
                return;
            }
            budget -= 1;
            let a = if ask {
                net.exchange(net.http.get(url()).bearer_auth(&self.token))
                    .await
            } else {
                let end = (offset + CHUNK).min(total);
                stats.sent += (end - offset) as u64;
                net.exchange(
                    net.http
                        .patch(url())
                        .bearer_auth(&self.token)
                        .header(CONTENT_TYPE, "application/offset+octet-stream")
                        .header("upload-offset", offset.to_string())
                        .header("upload-length", total.to_string())
                        .body(photo.jpeg[offset..end].to_vec()),
                )
                .await
            };
            stats.upload_requests += 1;
            stats.upload_latency.push(a.took);
            if a.status == 409 && !ask {
                *stats.statuses.entry(409).or_default() += 1;
                ask = true;
                continue;
            }
            let what = if ask {
                "GET /api/v1/uploads/{sha256}"
            } else {
                "PATCH /api/v1/uploads/{sha256}"
            };
            if !stats.answer(phase, what, &a) {
                return;
            }
            #[derive(serde::Deserialize)]
            struct UploadState {
                offset: u64,
                complete: bool,
            }
            let Ok(state) = serde_json::from_slice::<UploadState>(&a.body) else {
                stats.failures.push(Failure {
                    phase: phase.into(),
                    what: format!("{what}: undecodable answer"),
                    status: a.status,
                    body: String::from_utf8_lossy(&a.body).chars().take(300).collect(),
                });
                return;
            };
            if state.complete {
                stats.photos += 1;
                return;
            }
            offset = state.offset as usize;
            ask = false;
        }
    }

    /// One sync: the photo if any, the prepared push (or an empty round), then more rounds while
    /// the office says `more`. Replies go to the inbox.
    async fn sync(&mut self, net: &Net, phase: &str, stats: &mut Stats) {
        self.upload(net, phase, stats).await;
        let (mut body, pushed) = self.outbox.take().unwrap_or_else(|| {
            (
                encode(&SyncRequest {
                    v: PROTOCOL_VERSION,
                    cursor: self.cursor,
                    push: Vec::new(),
                    stock: None,
                }),
                Vec::new(),
            )
        });
        stats.pushed += pushed.len() as u64;
        let pushed: HashSet<String> = pushed.into_iter().collect();
        let mut first = true;
        loop {
            stats.sent += body.bytes.len() as u64;
            let mut req = net
                .http
                .post(format!("{}/api/v1/sync", net.url()))
                .bearer_auth(&self.token)
                .header(
                    CONTENT_TYPE,
                    if body.cbor {
                        wire::CBOR
                    } else {
                        "application/json"
                    },
                );
            if body.zstd {
                req = req.header(CONTENT_ENCODING, "zstd");
            }
            let a = net.exchange(req.body(body.bytes)).await;
            stats.sync_requests += 1;
            stats.sync_latency.push(a.took);
            if !stats.answer(phase, "POST /api/v1/sync", &a) {
                return;
            }
            let decoded = if a.cbor {
                wire::from_cbor::<SyncResponse>(&a.body)
            } else {
                serde_json::from_slice(&a.body).map_err(|e| e.to_string())
            };
            let resp = match decoded {
                Ok(r) => r,
                Err(e) => {
                    stats.failures.push(Failure {
                        phase: phase.into(),
                        what: format!("POST /api/v1/sync: undecodable answer: {e}"),
                        status: a.status,
                        body: String::from_utf8_lossy(&a.body).chars().take(300).collect(),
                    });
                    return;
                }
            };
            for d in &resp.docs {
                match d.state {
                    DocState::Ok => {
                        if first && pushed.contains(&d.job) {
                            stats.docs_up += 1;
                        }
                        if !d.changes.is_empty() {
                            stats.docs_down += 1;
                        }
                    }
                    other => {
                        *stats
                            .other_states
                            .entry(format!("{other:?}").to_lowercase())
                            .or_default() += 1;
                    }
                }
            }
            self.cursor = resp.cursor;
            self.inbox.extend(resp.docs);
            if !resp.more {
                return;
            }
            first = false;
            body = encode(&SyncRequest {
                v: PROTOCOL_VERSION,
                cursor: self.cursor,
                push: Vec::new(),
                stock: None,
            });
        }
    }
}

/// Every phone syncs once, `concurrency` of them in flight. Returns the phones (in order), the
/// counters and the wall time.
async fn run_phase(
    phase: &str,
    net: &Net,
    phones: Vec<Phone>,
    concurrency: usize,
) -> (Vec<Phone>, Stats, Duration) {
    let queue = Arc::new(Mutex::new(VecDeque::from(phones)));
    let t = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (queue, net, phase) = (queue.clone(), net.clone(), phase.to_string());
        set.spawn(async move {
            let mut stats = Stats::default();
            let mut done = Vec::new();
            loop {
                let next = queue.lock().unwrap().pop_front();
                let Some(mut phone) = next else { break };
                phone.sync(&net, &phase, &mut stats).await;
                done.push(phone);
            }
            (done, stats)
        });
    }
    let mut phones = Vec::new();
    let mut stats = Stats::default();
    while let Some(r) = set.join_next().await {
        let (done, s) = r.unwrap();
        phones.extend(done);
        stats.merge(s);
    }
    let wall = t.elapsed();
    phones.sort_by_key(|p| p.idx);
    (phones, stats, wall)
}

/// Applies every phone's inbox (after a phase's clock).
fn apply_all(phones: &mut [Phone]) {
    for p in phones {
        if let Err(e) = p.apply_inbox() {
            panic!("phone {} cannot apply what the office sent: {e}", p.tech);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dispatch

#[derive(Default)]
struct DispatchLog {
    /// (job, note text) of every note the office accepted.
    notes: Vec<(String, String)>,
    latency: Vec<Duration>,
    stats: Stats,
    wall: Duration,
}

/// Dispatch adds a note to a random job `rate` times a second until `stop`.
async fn dispatch(
    net: Net,
    token: String,
    jobs: Arc<Vec<String>>,
    rate: f64,
    seed: u64,
    phase: String,
    stop: Arc<AtomicBool>,
) -> DispatchLog {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let mut set = tokio::task::JoinSet::new();
    let t = Instant::now();
    let mut k = 0;
    loop {
        tick.tick().await;
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let job = jobs[rng.random_range(0..jobs.len())].clone();
        let text = format!("dispatch {phase} {k}: the customer called, bring a spare filter");
        k += 1;
        let (net, token) = (net.clone(), token.clone());
        set.spawn(async move {
            let body = serde_json::to_vec(&json!({ "text": text })).unwrap();
            let a = net
                .exchange(
                    net.http
                        .post(format!("{}/api/v1/jobs/{job}/notes", net.url()))
                        .bearer_auth(&token)
                        .header(CONTENT_TYPE, "application/json")
                        .body(body),
                )
                .await;
            (job, text, a)
        });
    }
    let mut log = DispatchLog::default();
    while let Some(r) = set.join_next().await {
        let (job, text, a) = r.unwrap();
        log.latency.push(a.took);
        if log
            .stats
            .answer(&phase, "POST /api/v1/jobs/{id}/notes (dispatch)", &a)
        {
            log.notes.push((job, text));
        }
    }
    log.wall = t.elapsed();
    log
}

// ---------------------------------------------------------------------------------------------
// Setup

/// Runs `f` over `items` with at most `limit` in flight; results in input order.
async fn bounded<T, F, Fut>(items: Vec<T>, limit: usize, f: F) -> Vec<Fut::Output>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let sem = Arc::new(tokio::sync::Semaphore::new(limit));
    let mut set = tokio::task::JoinSet::new();
    for (i, item) in items.into_iter().enumerate() {
        let permit = sem.clone().acquire_owned().await.unwrap();
        let fut = f(item);
        set.spawn(async move {
            let out = fut.await;
            drop(permit);
            (i, out)
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.unwrap());
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, o)| o).collect()
}

/// Technicians, their jobs and one enrolled phone each, through the REST API.
async fn setup(net: &Net, place: &Place, token: &str, args: &Args) -> Vec<Phone> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let plan: Vec<(String, Vec<String>)> = (0..args.devices)
        .map(|d| {
            let n = rng.random_range(5..=20);
            (
                format!("lt{d:04}"),
                (0..n).map(|j| format!("L{d:04}-{j:02}")).collect(),
            )
        })
        .collect();
    let t = Instant::now();
    bounded(
        plan.iter().map(|(t, _)| t.clone()).collect(),
        SETUP_CONCURRENCY,
        |tech| {
            let (net, token) = (net.clone(), token.to_string());
            async move {
                net.dispatcher(
                    reqwest::Method::POST,
                    "/api/v1/technicians",
                    &token,
                    Some(
                        json!({"id": tech, "name": format!("Technician {tech}"), "region": "east"}),
                    ),
                )
                .await;
            }
        },
    )
    .await;
    let today = fieldwork_tests::now_ms() / 86_400_000 * 86_400_000;
    let jobs: Vec<(String, String, usize)> = plan
        .iter()
        .flat_map(|(tech, jobs)| {
            jobs.iter()
                .enumerate()
                .map(|(j, id)| (tech.clone(), id.clone(), j))
        })
        .collect();
    let total_jobs = jobs.len();
    bounded(jobs, SETUP_CONCURRENCY, |(tech, id, j)| {
        let (net, token) = (net.clone(), token.to_string());
        async move {
            let mut body = fieldwork_tests::job_body(&id, Some(&tech));
            // Spread over the coming week, one visit after another from 08:00 (UTC).
            let start = today + (j as i64 % 7) * 86_400_000 + (8 + j as i64 / 7) * 3_600_000;
            body["scheduled_start"] = json!(fieldwork_model::time::to_rfc3339(start));
            body["scheduled_end"] = json!(fieldwork_model::time::to_rfc3339(start + 3_600_000));
            net.dispatcher(reqwest::Method::POST, "/api/v1/jobs", &token, Some(body))
                .await;
        }
    })
    .await;
    eprintln!(
        "setup: {} technicians and {} jobs in {:.1} s",
        plan.len(),
        total_jobs,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let (place, techs) = (
        place.clone(),
        plan.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
    );
    let codes = tokio::task::spawn_blocking(move || {
        // One connection to the office's database for all the codes.
        let storage = place.open().unwrap();
        techs
            .iter()
            .map(|t| fieldwork_server::auth::issue_enroll_code(&*storage, t).unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let tokens = bounded(
        codes.into_iter().enumerate().collect(),
        SETUP_CONCURRENCY,
        |(d, code)| {
            let net = net.clone();
            async move {
                let a = net
                    .exchange(
                        net.http
                            .post(format!("{}/api/v1/devices/enroll", net.url()))
                            .header(CONTENT_TYPE, "application/json")
                            .body(
                                serde_json::to_vec(
                                    &json!({"code": code, "device_name": format!("load phone {d}"), "public_key": fieldwork_tests::PUBLIC_KEY}),
                                )
                                .unwrap(),
                            ),
                    )
                    .await;
                assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
                let v: Value = serde_json::from_slice(&a.body).unwrap();
                v["token"].as_str().unwrap().to_string()
            }
        },
    )
    .await;
    eprintln!(
        "setup: {} devices enrolled in {:.1} s",
        tokens.len(),
        t.elapsed().as_secs_f64()
    );
    plan.into_iter()
        .zip(tokens)
        .enumerate()
        .map(|(idx, ((tech, jobs), token))| Phone {
            idx,
            tech,
            token,
            cursor: 0,
            jobs,
            docs: HashMap::new(),
            inbox: Vec::new(),
            outbox: None,
            photo: None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reporting

struct PhaseReport {
    name: &'static str,
    what: String,
    wall: Duration,
    stats: Stats,
    cpu: Cpu,
    /// Each instance's peak RSS (VmHWM, KiB) at the end of the phase.
    server_hwm: Vec<u64>,
    dispatch: Option<DispatchLog>,
}

impl PhaseReport {
    fn rate(&self, n: u64) -> f64 {
        n as f64 / self.wall.as_secs_f64()
    }

    fn json(&self, devices: usize, args: &Args) -> Value {
        let s = &self.stats;
        let d = self.dispatch.as_ref();
        json!({
            "phase": self.name,
            "devices": devices,
            "concurrency": args.concurrency,
            "server_limits": if args.limits { "default" } else { "off" },
            "database": database_kind(args),
            "instances": args.instances,
            "encoding": if CBOR.load(Ordering::Relaxed) { "cbor" } else { "json" },
            "wall_s": self.wall.as_secs_f64(),
            "sync_requests": s.sync_requests,
            "upload_requests": s.upload_requests,
            "photos": s.photos,
            "docs_down": s.docs_down,
            "docs_up": s.docs_up,
            "pushed": s.pushed,
            "docs_down_per_s": self.rate(s.docs_down),
            "docs_up_per_s": self.rate(s.docs_up),
            "sync_requests_per_s": self.rate(s.sync_requests),
            "sync_p50_ms": pct(&s.sync_latency, 0.5).as_secs_f64() * 1e3,
            "sync_p99_ms": pct(&s.sync_latency, 0.99).as_secs_f64() * 1e3,
            "upload_p50_ms": pct(&s.upload_latency, 0.5).as_secs_f64() * 1e3,
            "upload_p99_ms": pct(&s.upload_latency, 0.99).as_secs_f64() * 1e3,
            "body_bytes_sent": s.sent,
            "body_bytes_received": s.received,
            "other_states": s.other_states,
            "failures": s.failures.len(),
            "server_cpu_s": self.cpu.server,
            "postgres_cpu_s": self.cpu.postgres,
            "generator_cpu_s": self.cpu.generator,
            "others_cpu_s": self.cpu.others(),
            "iowait_s": self.cpu.iowait,
            "server_runnable_s": self.cpu.server_runnable,
            "server_vmhwm_kib": self.server_hwm.iter().max(),
            "server_vmhwm_kib_per_instance": self.server_hwm,
            "dispatch_notes": d.map(|d| d.notes.len()),
            "dispatch_p50_ms": d.map(|d| pct(&d.latency, 0.5).as_secs_f64() * 1e3),
            "dispatch_p99_ms": d.map(|d| pct(&d.latency, 0.99).as_secs_f64() * 1e3),
        })
    }
}

/// `sqlite` or `postgres`, for the JSON lines.
fn database_kind(args: &Args) -> &'static str {
    if args.database.is_some() {
        "postgres"
    } else {
        "sqlite"
    }
}

/// The office under test in words: its database and instances.
fn office_description(args: &Args, database: Option<&str>) -> String {
    let instances = if args.instances == 1 {
        "1 instance".to_string()
    } else {
        format!(
            "{} instances, each request to one picked at random",
            args.instances
        )
    };
    match database {
        // The last path segment is the new database's name (the URL may hold a password).
        Some(url) => format!(
            "PostgreSQL, new database {} on the --database cluster; {instances}; attachments in one shared data directory",
            url.rsplit('/').next().unwrap_or(url)
        ),
        None => format!("SQLite in the data directory; {instances}"),
    }
}

/// Runs one measured phase (dispatch adding notes alongside when `dispatch_rate` is given).
#[allow(clippy::too_many_arguments)]
async fn measure(
    name: &'static str,
    what: String,
    net: &Net,
    office: &Office,
    phones: Vec<Phone>,
    args: &Args,
    dispatch_with: Option<(&str, &Arc<Vec<String>>, u64)>,
) -> (Vec<Phone>, PhaseReport) {
    let cpu = office.cpu();
    let stop = Arc::new(AtomicBool::new(false));
    let dispatcher = dispatch_with.map(|(token, jobs, seed)| {
        tokio::spawn(dispatch(
            net.clone(),
            token.to_string(),
            jobs.clone(),
            args.dispatch_per_sec,
            seed,
            name.to_string(),
            stop.clone(),
        ))
    });
    let (phones, stats, wall) = run_phase(name, net, phones, args.concurrency).await;
    stop.store(true, Ordering::Relaxed);
    let dispatch = match dispatcher {
        Some(h) => Some(h.await.unwrap()),
        None => None,
    };
    let report = PhaseReport {
        name,
        what,
        wall,
        stats,
        cpu: office.cpu() - cpu,
        server_hwm: office.hwm(),
        dispatch,
    };
    eprintln!(
        "{name}: {} sync requests in {:.2} s; {} docs down, {} up",
        report.stats.sync_requests,
        wall.as_secs_f64(),
        report.stats.docs_down,
        report.stats.docs_up
    );
    (phones, report)
}

// ---------------------------------------------------------------------------------------------
// The run

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args = args();
    CBOR.store(args.cbor, Ordering::Relaxed);
    // The servers and temp directories are dropped (killed, deleted) before the process exits,
    // also on Ctrl-C or SIGTERM.
    let code = tokio::select! {
        code = run(args) => code,
        _ = stop_signal() => {
            eprintln!("interrupted: servers stopped, temp data deleted");
            130
        }
    };
    std::process::exit(code);
}

async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The whole run; the exit code (1 on a 5xx, a transport error or a failed check).
async fn run(args: Args) -> i32 {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();

    // The office's database: SQLite in the data directory, or a new one on the cluster.
    let database = match &args.database {
        Some(cluster) => {
            let cluster = cluster.clone();
            let url = tokio::task::spawn_blocking(move || {
                fieldwork_store_postgres::admin::create_database(&cluster)
            })
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("cannot create the run's database on the cluster: {e}"));
            Some(url)
        }
        None => None,
    };
    let place = Place {
        data_dir: data.path().to_path_buf(),
        database: database.clone(),
    };
    let office_line = office_description(&args, database.as_deref());
    eprintln!("office: {office_line}");

    // Setup, through one office instance with the request rate limit off.
    let mut seeding = Server::start(&http, &place, logs.path().join("setup.log"), false).await;
    let token = {
        let place = place.clone();
        tokio::task::spawn_blocking(move || fieldwork_server::issue_dispatcher_token(place))
            .await
            .unwrap()
            .unwrap()
    };
    let net = Net::new(&http, vec![seeding.url.clone()]);
    let setup_started = Instant::now();
    let mut phones = setup(&net, &place, &token, &args).await;
    let setup_secs = setup_started.elapsed().as_secs_f64();
    let (setup_hwm, _) = seeding.rss();
    seeding.stop();
    let total_jobs: usize = phones.iter().map(|p| p.jobs.len()).sum();
    let all_jobs: Arc<Vec<String>> = Arc::new(phones.iter().flat_map(|p| p.jobs.clone()).collect());
    let owner: HashMap<String, usize> = phones
        .iter()
        .flat_map(|p| p.jobs.iter().map(move |j| (j.clone(), p.idx)))
        .collect();

    // The measured office: default limits, one or more instances on the same data.
    let mut instances = Vec::new();
    for i in 0..args.instances {
        let log = if args.instances == 1 {
            "server.log".to_string()
        } else {
            format!("server-{i}.log")
        };
        instances.push(Server::start(&http, &place, logs.path().join(log), args.limits).await);
    }
    let postgres = match &database {
        Some(url) => {
            let url = url.clone();
            tokio::task::spawn_blocking(move || PgProcesses::find(&url))
                .await
                .unwrap()
        }
        None => PgProcesses::None,
    };
    let office = Office {
        instances,
        postgres,
    };
    let net = Net::new(
        &http,
        office.instances.iter().map(|s| s.url.clone()).collect(),
    );
    let rss_start: Vec<u64> = office.rss().into_iter().map(|(_, rss)| rss).collect();
    let mut reports = Vec::new();

    // Phase down: every phone's first sync.
    let (mut phones_after, report) = measure(
        "down",
        format!(
            "first sync of every phone: {} phones, {} jobs",
            phones.len(),
            total_jobs
        ),
        &net,
        &office,
        phones,
        &args,
        None,
    )
    .await;
    reports.push(report);
    apply_all(&mut phones_after);
    phones = phones_after;

    // Phase up: notes, parts and photos, pushed while dispatch writes.
    let now = fieldwork_tests::now_ms();
    let mut rng = StdRng::seed_from_u64(args.seed ^ 0x5eed);
    let photo_phones: Vec<usize> = (0..phones.len())
        .filter(|_| rng.random_bool(args.photo_share))
        .collect();
    let prep = Instant::now();
    let photos: Vec<(usize, fieldwork_media::Photo)> = {
        let ids = photo_phones.clone();
        tokio::task::spawn_blocking(move || {
            ids.into_iter()
                .map(|d| {
                    let raw = fieldwork_tests::camera_photo(800, 600, d as u32 + 1, 8);
                    (d, fieldwork_media::process(&raw, "Asia/Shanghai").unwrap())
                })
                .collect()
        })
        .await
        .unwrap()
    };
    let mut photo_of: HashMap<String, String> = HashMap::new();
    for (d, photo) in photos {
        let p = &mut phones[d];
        let job = p.jobs[0].clone();
        let entry = Attachment {
            mime: "image/jpeg".into(),
            bytes: photo.jpeg.len() as i64,
            width: photo.width,
            height: photo.height,
            caption: Some("nameplate after the repair".into()),
            taken_at: photo.taken_at.unwrap_or(now),
            by: p.tech.clone(),
            at: now,
            removed: None,
        };
        let doc = &mut p.docs.get_mut(&job).expect("job not downloaded").doc;
        doc.add_attachment(&photo.sha256, &entry).unwrap();
        photo_of.insert(job, photo.sha256.clone());
        p.photo = Some(Photo {
            jpeg: photo.jpeg,
            sha256: photo.sha256,
        });
    }
    for p in &mut phones {
        for (j, job) in p.jobs.clone().iter().enumerate() {
            let tech = p.tech.clone();
            let doc = &mut p.docs.get_mut(job).expect("job not downloaded").doc;
            doc.add_note(&tech, now + j as i64, &up_note(job)).unwrap();
            doc.add_part(&part(job), &tech, now + j as i64).unwrap();
        }
        p.prepare_push();
    }
    eprintln!(
        "up: edits and {} photos prepared in {:.1} s (before the clock)",
        photo_phones.len(),
        prep.elapsed().as_secs_f64()
    );
    let (mut phones_after, report) = measure(
        "up",
        format!(
            "every phone pushes a note and a part on each job, {} of them a photo first; dispatch {}/s",
            photo_phones.len(),
            args.dispatch_per_sec
        ),
        &net,
        &office,
        phones,
        &args,
        Some((&token, &all_jobs, args.seed ^ 0xd1)),
    )
    .await;
    reports.push(report);
    apply_all(&mut phones_after);
    phones = phones_after;

    // Phase steady: one more sync each, a quarter with a new note; dispatch keeps writing.
    let mut steady_notes: Vec<(String, String)> = Vec::new();
    let now = fieldwork_tests::now_ms();
    for p in &mut phones {
        if rng.random_bool(0.25) {
            let job = p.jobs[rng.random_range(0..p.jobs.len())].clone();
            let text = format!("steady {job}: customer asked for a follow-up visit");
            let tech = p.tech.clone();
            p.docs
                .get_mut(&job)
                .unwrap()
                .doc
                .add_note(&tech, now, &text)
                .unwrap();
            steady_notes.push((job, text));
        }
        p.prepare_push();
    }
    let (mut phones_after, report) = measure(
        "steady",
        format!(
            "every phone syncs again, {} with one new note; dispatch {}/s",
            steady_notes.len(),
            args.dispatch_per_sec
        ),
        &net,
        &office,
        phones,
        &args,
        Some((&token, &all_jobs, args.seed ^ 0xd2)),
    )
    .await;
    reports.push(report);
    apply_all(&mut phones_after);
    phones = phones_after;

    // Settle (not measured): sync until nothing moves.
    let mut settle = Stats::default();
    for _ in 0..5 {
        for p in &mut phones {
            p.prepare_push();
        }
        let (mut after, stats, _) = run_phase("settle", &net, phones, args.concurrency).await;
        apply_all(&mut after);
        phones = after;
        let moved = stats.docs_down + stats.docs_up;
        settle.merge(stats);
        if moved == 0 {
            break;
        }
    }
    let peaks = office.hwm();
    let peak = peaks.iter().copied().max().unwrap_or(0);
    let rss_end: Vec<u64> = office.rss().into_iter().map(|(_, rss)| rss).collect();

    // Checks.
    let dispatch_notes: Vec<(String, String)> = reports
        .iter()
        .filter_map(|r| r.dispatch.as_ref())
        .flat_map(|d| d.notes.clone())
        .collect();
    let checks = check(
        &net,
        &token,
        &phones,
        &owner,
        &all_jobs,
        &photo_of,
        &steady_notes,
        &dispatch_notes,
        args.seed,
    )
    .await;

    // Report.
    let mut failures: Vec<Failure> = Vec::new();
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    for s in reports
        .iter()
        .flat_map(|r| [Some(&r.stats), r.dispatch.as_ref().map(|d| &d.stats)])
        .flatten()
    {
        failures.extend(s.failures.iter().cloned());
        for (k, v) in &s.statuses {
            *statuses.entry(*k).or_default() += v;
        }
    }
    let settle_failures = settle.failures.len();
    failures.extend(settle.failures);
    let (down, up) = (&reports[0], &reports[1]);
    let limits = if args.limits {
        "the server's default limits (50 requests/s per credential, burst 600; push and upload byte budgets)"
    } else {
        "the server's request rate limit OFF (--no-limits)"
    };
    println!("\nOffice: {office_line}.");
    println!(
        "\n{} phones ({} jobs, 5 to 20 each, seed {}), {} phones in flight, {} sync bodies, {limits}; \
         setup {:.0} s through an office with the rate limit off\n",
        phones.len(),
        grouped(total_jobs as u64),
        args.seed,
        args.concurrency,
        if args.cbor { "CBOR" } else { "JSON" },
        setup_secs,
    );
    println!("| what | target | measured |\n| --- | --- | --- |");
    println!(
        "| doc-syncs down: {} | >= 2,000/s | {}/s ({} docs in {:.2} s) |",
        down.what,
        grouped(down.rate(down.stats.docs_down) as u64),
        grouped(down.stats.docs_down),
        down.wall.as_secs_f64()
    );
    println!(
        "| doc-syncs up: {} | >= 1,000/s | {}/s ({} docs in {:.2} s) |",
        up.what,
        grouped(up.rate(up.stats.docs_up) as u64),
        grouped(up.stats.docs_up),
        up.wall.as_secs_f64()
    );
    if office.instances.len() == 1 {
        println!(
            "| server peak RSS (VmHWM) over the measured phases | < 256 MiB | {} (at start {}, at the end {}; the seeding process peaked at {}) |",
            mib(peak),
            mib(rss_start[0]),
            mib(rss_end[0]),
            mib(setup_hwm)
        );
    } else {
        println!(
            "| server peak RSS (VmHWM) over the measured phases, per instance | < 256 MiB | {} the highest; each: {} (at start {}, at the end {}; the seeding process peaked at {}) |",
            mib(peak),
            mibs(&peaks),
            mibs(&rss_start),
            mibs(&rss_end),
            mib(setup_hwm)
        );
    }
    println!(
        "\n| phase | what | wall | sync requests | docs down / up | per second down / up | sync p50 / p99 | uploads (requests, photos, p50 / p99) | bodies sent / received | CPU server / generator / other processes | CPU PostgreSQL | iowait | server threads runnable, not running | dispatch notes (p50 / p99) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for r in &reports {
        let s = &r.stats;
        let w = r.wall.as_secs_f64();
        println!(
            "| {} | {} | {:.2} s | {} | {} / {} | {} / {} | {} / {} | {} | {} / {} | {:.0}% / {:.0}% / {:.0}% | {} | {:.0}% | {:.1} s | {} |",
            r.name,
            r.what,
            w,
            grouped(s.sync_requests),
            grouped(s.docs_down),
            grouped(s.docs_up),
            grouped(r.rate(s.docs_down) as u64),
            grouped(r.rate(s.docs_up) as u64),
            ms(pct(&s.sync_latency, 0.5)),
            ms(pct(&s.sync_latency, 0.99)),
            if s.upload_requests == 0 {
                "-".to_string()
            } else {
                format!(
                    "{}, {}, {} / {}",
                    s.upload_requests,
                    s.photos,
                    ms(pct(&s.upload_latency, 0.5)),
                    ms(pct(&s.upload_latency, 0.99))
                )
            },
            mb(s.sent),
            mb(s.received),
            100.0 * r.cpu.server / w,
            100.0 * r.cpu.generator / w,
            100.0 * r.cpu.others() / w,
            if matches!(office.postgres, PgProcesses::None) {
                "-".to_string()
            } else {
                format!("{:.0}%", 100.0 * r.cpu.postgres / w)
            },
            100.0 * r.cpu.iowait / w,
            r.cpu.server_runnable,
            r.dispatch
                .as_ref()
                .map(|d| format!(
                    "{} ({} / {})",
                    d.notes.len(),
                    ms(pct(&d.latency, 0.5)),
                    ms(pct(&d.latency, 0.99))
                ))
                .unwrap_or_else(|| "-".into()),
        );
    }
    let other: BTreeMap<String, u64> = reports.iter().fold(BTreeMap::new(), |mut m, r| {
        for (k, v) in &r.stats.other_states {
            *m.entry(k.clone()).or_default() += v;
        }
        m
    });
    println!(
        "\nCPU and iowait are per cent of one core over the phase's wall time (2 cores = 200%); server is the sum over its instances; PostgreSQL is {}; other processes are everything on the machine but the server, PostgreSQL and this generator; runnable is the time the server's threads waited for a core, summed over threads. HTTP statuses of the measured phases: {}. Replies other than ok: {}.",
        office.postgres.describe(),
        statuses
            .iter()
            .map(|(k, v)| format!("{k} x{}", grouped(*v)))
            .collect::<Vec<_>>()
            .join(", "),
        if other.is_empty() {
            "none".to_string()
        } else {
            format!("{other:?}")
        }
    );
    println!(
        "Checks: {} sampled jobs at the office against their phones (notes, part line, heads), all {} photos uploaded and on their jobs, all {} dispatch notes on their phones: {}.",
        checks.jobs,
        checks.photos,
        checks.dispatch,
        if checks.problems.is_empty() {
            "all present".to_string()
        } else {
            format!("{} problems", checks.problems.len())
        }
    );
    for p in &checks.problems {
        println!("- check failed: {p}");
    }
    if !failures.is_empty() {
        println!(
            "\n{} requests failed ({} while settling):",
            failures.len(),
            settle_failures
        );
        for f in failures.iter().take(30) {
            println!("- {} {} -> {}: {}", f.phase, f.what, f.status, f.body);
        }
    }
    let server_errors = failures
        .iter()
        .filter(|f| f.status >= 500 || f.status == 0)
        .count();
    if let Some(path) = &args.json {
        let mut out = String::new();
        for r in &reports {
            out.push_str(&r.json(phones.len(), &args).to_string());
            out.push('\n');
        }
        out.push_str(
            &json!({
                "phase": "summary",
                "devices": phones.len(),
                "jobs": total_jobs,
                "concurrency": args.concurrency,
                "server_limits": if args.limits { "default" } else { "off" },
                "database": database_kind(&args),
                "instances": args.instances,
                "postgres_processes": office.postgres.describe(),
                "server_peak_rss_kib": peak,
                "server_rss_start_kib": rss_start.iter().max(),
                "server_rss_end_kib": rss_end.iter().max(),
                "server_peak_rss_kib_per_instance": peaks,
                "server_rss_start_kib_per_instance": rss_start,
                "server_rss_end_kib_per_instance": rss_end,
                "setup_peak_rss_kib": setup_hwm,
                "failures": failures.len(),
                "server_errors": server_errors,
                "statuses": statuses.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>(),
                "check_problems": checks.problems.len(),
                "loadavg": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
            })
            .to_string(),
        );
        out.push('\n');
        std::fs::write(path, out).unwrap();
    }
    if server_errors > 0 {
        println!(
            "\nThe server's log, last lines:\n```\n{}\n```",
            office.log_tails(30)
        );
    }
    i32::from(server_errors > 0 || !checks.problems.is_empty())
}

/// What the checks at the end looked at and found wrong.
struct Checks {
    jobs: usize,
    photos: usize,
    dispatch: usize,
    problems: Vec<String>,
}

/// Sampled jobs at the office hold what their phone pushed, with the same heads; every photo
/// landed; sampled dispatch notes reached their phone.
#[allow(clippy::too_many_arguments)]
async fn check(
    net: &Net,
    token: &str,
    phones: &[Phone],
    owner: &HashMap<String, usize>,
    all_jobs: &[String],
    photo_of: &HashMap<String, String>,
    steady_notes: &[(String, String)],
    dispatch_notes: &[(String, String)],
    seed: u64,
) -> Checks {
    let mut problems = Vec::new();
    let mut rng = StdRng::seed_from_u64(seed ^ 0xc4ec);
    let mut sampled = HashSet::new();
    while sampled.len() < SAMPLE.min(all_jobs.len()) {
        sampled.insert(all_jobs[rng.random_range(0..all_jobs.len())].clone());
    }
    let mut sampled: Vec<String> = sampled.into_iter().collect();
    sampled.sort();
    for job in &sampled {
        let phone = &phones[owner[job]];
        let v = net
            .dispatcher(
                reqwest::Method::GET,
                &format!("/api/v1/jobs/{job}"),
                token,
                None,
            )
            .await;
        let notes: Vec<&str> = v["notes"]
            .as_array()
            .map(|a| a.iter().filter_map(|n| n["text"].as_str()).collect())
            .unwrap_or_default();
        if !notes.contains(&up_note(job).as_str()) {
            problems.push(format!("{job}: the office lacks the phone's note"));
        }
        for (j, text) in steady_notes.iter().chain(dispatch_notes) {
            if j == job && !notes.contains(&text.as_str()) {
                problems.push(format!("{job}: the office lacks the note {text:?}"));
            }
        }
        let has_part = v["parts"].as_array().is_some_and(|a| {
            a.iter()
                .any(|p| p["sku"] == part(job).sku && p["added_by"] == phone.tech.as_str())
        });
        if !has_part {
            problems.push(format!("{job}: the office lacks the phone's part line"));
        }
        let office = office_heads(net, token, job).await;
        let mut mine = heads_to_hex(&phone.docs[job].doc.heads());
        mine.sort();
        if office != mine {
            problems.push(format!(
                "{job}: heads differ: office {office:?}, phone {mine:?}"
            ));
        }
    }
    let mut photos: Vec<(&String, &String)> = photo_of.iter().collect();
    photos.sort();
    for (job, sha) in &photos {
        let v = net
            .dispatcher(
                reqwest::Method::GET,
                &format!("/api/v1/jobs/{job}"),
                token,
                None,
            )
            .await;
        let uploaded = v["attachments"].as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x["id"] == sha.as_str() && x["uploaded"] == true)
        });
        if !uploaded {
            problems.push(format!(
                "{job}: photo {sha} not uploaded: {}",
                v["attachments"]
            ));
        }
    }
    // Every dispatch note the office accepted must be on its phone (in memory: cheap).
    let mut by_job: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (job, text) in dispatch_notes {
        by_job.entry(job).or_default().push(text);
    }
    for (job, texts) in &by_job {
        let phone = &phones[owner[*job]];
        let data = phone.docs[*job].doc.data().unwrap();
        for text in texts {
            if data.notes.values().any(|n| &n.text == text) {
                continue;
            }
            let v = net
                .dispatcher(
                    reqwest::Method::GET,
                    &format!("/api/v1/jobs/{job}"),
                    token,
                    None,
                )
                .await;
            let at_office = v["notes"]
                .as_array()
                .is_some_and(|a| a.iter().any(|n| n["text"] == *text));
            let office = office_heads(net, token, job).await;
            let mut mine = heads_to_hex(&phone.docs[*job].doc.heads());
            mine.sort();
            problems.push(format!(
                "{job}: phone {} lacks dispatch's note {text:?} after settling (the office {} it; \
                 heads office {office:?}, phone {mine:?})",
                phone.tech,
                if at_office { "holds" } else { "does not hold" },
            ));
        }
    }
    let dispatch = dispatch_notes.len();
    Checks {
        jobs: sampled.len(),
        photos: photos.len(),
        dispatch,
        problems,
    }
}

/// The note a phone adds to each job in the up phase.
/// A job's heads at the office (hex, sorted), to compare with a phone's.
async fn office_heads(net: &Net, token: &str, job: &str) -> Vec<String> {
    let heads = net
        .dispatcher(
            reqwest::Method::GET,
            &format!("/api/v1/jobs/{job}/heads"),
            token,
            None,
        )
        .await;
    let mut office: Vec<String> =
        serde_json::from_value(heads["heads"].clone()).unwrap_or_default();
    office.sort();
    office
}

fn up_note(job: &str) -> String {
    format!("{job}: replaced the condenser filter, pressure back to normal")
}

/// The part line a phone adds to each job in the up phase.
fn part(job: &str) -> NewPart {
    NewPart {
        sku: "FLT-200".into(),
        description: format!("filter cartridge for {job}"),
        qty: 1,
        serial_in: None,
        serial_out: None,
        stock: Some("van".into()),
        ..Default::default()
    }
}
