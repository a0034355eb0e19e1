//! The Fieldwork office server: the dispatch REST API, device enrollment, the sync endpoint and
//! the console, over a [`fieldwork_store::Storage`]: embedded SQLite by default, or PostgreSQL
//! shared by several instances (ADR 0009). This crate is HTTP only: the office's rules are in
//! `fieldwork_office`, the storage traits in `fieldwork_store`, each backend in its own crate
//! (ADR 0013).
//!
//! [`spawn`] runs it in-process (tests, benchmarks); the `fieldwork-server` binary wraps it.
//! [`issue_dispatcher_token`], [`issue_enroll_code`] and [`seed_demo`] open the office's
//! [`Place`] directly and work while a server runs on it.

pub mod api;
pub mod auth;
pub mod blobs;
pub mod console;
pub mod demo;
mod error;
pub mod export;
pub mod limits;
pub mod listener;
pub mod mail;
pub mod metrics;
pub mod office;
pub mod state;
pub mod sync;
pub mod sync_stock;
pub mod verify;
pub mod webhooks;

use std::net::SocketAddr;
use std::path::Path;

pub use demo::{DemoSeed, seed_demo};
pub use error::{Error, Result};
pub use state::{AppState, Database, Place};

/// A server running in this process. Dropping it stops it.
pub struct RunningServer {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Where it serves `/metrics` without a token (`--metrics-listen`), if anywhere.
    pub metrics_addr: Option<SocketAddr>,
    /// Whether it serves HTTPS.
    pub tls: bool,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// `http://ADDR` or `https://ADDR`.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops accepting requests, lets running ones finish, and returns when it is down.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Settings beyond the data directory and the address.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// A PostgreSQL URL: the database several instances share, instead of the data directory's
    /// SQLite file (attachments stay in the data directory).
    pub database: Option<String>,
    /// The CJK font for report PDFs; the usual system locations when `None`.
    pub font: Option<std::path::PathBuf>,
    /// Serve HTTPS with this certificate chain and private key (PEM files).
    pub tls: Option<TlsFiles>,
    /// Email signed reports to customers through this SMTP server.
    pub smtp: Option<mail::SmtpConfig>,
    /// Rate limits, byte budgets and timeouts per client.
    pub limits: limits::LimitConfig,
    /// Where webhooks may go and how often they are retried.
    pub webhooks: webhooks::WebhookConfig,
    /// Serve `GET /metrics` without a token on this address too (`--metrics-listen`).
    pub metrics_listen: Option<SocketAddr>,
}

/// A PEM certificate chain and its private key.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// The router over the storage in `data_dir` (or the configured database).
pub fn router(data_dir: &Path, config: &Config) -> Result<axum::Router> {
    let (app, _, sending) = routers(data_dir, config)?;
    // The webhook sender lives as long as this router.
    Ok(app.layer(axum::Extension(sending)))
}

/// The main router, the one `--metrics-listen` serves (`/metrics` alone, no token), and the
/// token the webhook sender runs as long as (dropped, it stops within a tick).
fn routers(
    data_dir: &Path,
    config: &Config,
) -> Result<(axum::Router, axum::Router, std::sync::Arc<()>)> {
    metrics::init();
    let (state, synced) = AppState::open(data_dir, config)?;
    if let Some(smtp) = &config.smtp {
        mail::spawn(state.clone(), smtp, synced)?;
    }
    let sending = std::sync::Arc::new(());
    webhooks::spawn(state.clone(), std::sync::Arc::downgrade(&sending));
    let scrape = axum::Router::new()
        .route("/metrics", axum::routing::get(metrics::metrics_open))
        .with_state(state.clone());
    Ok((api::router(state), scrape, sending))
}

/// Starts the server on `listen` (port 0 picks a free port) over the data in `data_dir`.
pub async fn spawn(data_dir: &Path, listen: SocketAddr) -> Result<RunningServer> {
    spawn_with(data_dir, listen, &Config::default()).await
}

/// [`spawn`] with settings.
pub async fn spawn_with(
    data_dir: &Path,
    listen: SocketAddr,
    config: &Config,
) -> Result<RunningServer> {
    let (app, scrape, sending) = routers(data_dir, config)?;
    let tls = match &config.tls {
        Some(tls) => Some(listener::tls_acceptor(&tls.cert, &tls.key).map_err(|e| {
            Error::BadRequest(
                "tls",
                format!(
                    "cannot use {} and {} as the TLS certificate and key: {e}",
                    tls.cert.display(),
                    tls.key.display()
                ),
            )
        })?),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let scraper = match config.metrics_listen {
        Some(at) => Some(tokio::net::TcpListener::bind(at).await?),
        None => None,
    };
    let metrics_addr = scraper.as_ref().map(|l| l.local_addr()).transpose()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let limits = config.limits.clone();
    let served_tls = tls.is_some();
    let task = tokio::spawn(async move {
        // One stop for both listeners.
        let (stopping, watching) = tokio::sync::watch::channel(false);
        let stop_both = async move {
            let _ = stopped.await;
            let _ = stopping.send(true);
        };
        let until_stopped = |mut w: tokio::sync::watch::Receiver<bool>| async move {
            let _ = w.wait_for(|stop| *stop).await;
        };
        let main = listener::serve(listener, tls, app, &limits, until_stopped(watching.clone()));
        let metrics = async {
            if let Some(scraper) = scraper {
                listener::serve(scraper, None, scrape, &limits, until_stopped(watching)).await;
            }
        };
        tokio::join!(stop_both, main, metrics);
        // A stopped server sends no webhook (a connection a client keeps open may hold the
        // router a while longer: the sender does not wait for it).
        drop(sending);
    });
    Ok(RunningServer {
        addr,
        metrics_addr,
        tls: served_tls,
        stop: Some(stop),
        task: Some(task),
    })
}

/// Creates or upgrades the office database's schema; returns its version.
pub fn migrate(place: impl Into<Place>) -> Result<i64> {
    Ok(place.into().open()?.schema_version()?)
}

/// Creates a dispatcher token in the office's database.
pub fn issue_dispatcher_token(place: impl Into<Place>) -> Result<String> {
    auth::issue_dispatcher_token(&*place.into().open()?)
}

/// Adds a dispatcher account of the console to the office's database.
pub fn add_user(place: impl Into<Place>, name: &str, password: &str) -> Result<()> {
    console::accounts::add_user(&*place.into().open()?, name, password)
}

/// The demo's console account `dispatch` with a fresh password, created on the first demo run
/// and given a new password on every later one (so the printed login always works):
/// `(name, password)`.
pub fn demo_dispatcher(place: impl Into<Place>) -> Result<(String, String)> {
    let storage = place.into().open()?;
    let password = console::accounts::generate_password();
    if storage.user("dispatch")?.is_some() {
        console::accounts::set_password(&*storage, "dispatch", &password)?;
    } else {
        console::accounts::add_user(&*storage, "dispatch", &password)?;
    }
    Ok(("dispatch".into(), password))
}

/// Writes a consistent copy of the office's database to `to` (while the server runs): SQLite's
/// online backup, or `pg_dump` (custom format) for PostgreSQL.
pub fn backup(place: impl Into<Place>, to: &Path) -> Result<()> {
    place.into().backup(to)
}

/// Restores the office's database from a backup (the servers must be stopped) and gives it a
/// new epoch, so every phone pushes its jobs whole on its next sync and the office gets back
/// what the backup lacked. Returns the new epoch.
pub fn restore(place: impl Into<Place>, backup: &Path) -> Result<String> {
    place.into().restore(backup)
}

/// Creates a one-time enrollment code for an existing technician.
pub fn issue_enroll_code(place: impl Into<Place>, technician: &str) -> Result<String> {
    auth::issue_enroll_code(&*place.into().open()?, technician)
}
