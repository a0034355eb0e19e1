//! What every handler shares ([`AppState`]) and where an office keeps its data ([`Place`]):
//! the one place the storage backend is chosen ([`Database`]). Nothing else in the server
//! knows which backend it runs on.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fieldwork_store::Storage;
use fieldwork_store_postgres::PgStorage;
use fieldwork_store_sqlite::SqliteStorage;

use crate::{Config, Error, Result};

/// Where an office keeps its data: the data directory (attachments, and the SQLite database
/// unless a PostgreSQL URL is given) and, for several instances sharing one database, the URL.
/// A path alone converts into a place on SQLite.
#[derive(Clone, Debug)]
pub struct Place {
    pub data_dir: PathBuf,
    /// `postgres://...`; the SQLite file in `data_dir` when `None`.
    pub database: Option<String>,
}

/// The backend an office runs on, chosen once from its [`Place`].
pub enum Database<'a> {
    /// The embedded file `server.db` in the data directory: one instance.
    Sqlite(&'a Path),
    /// One PostgreSQL database shared by several instances.
    Postgres(&'a str),
}

impl Place {
    /// The office on PostgreSQL at `url`, with attachments in `data_dir`.
    pub fn postgres(data_dir: &Path, url: &str) -> Place {
        Place {
            data_dir: data_dir.to_path_buf(),
            database: Some(url.to_string()),
        }
    }

    /// Which backend this place runs on.
    pub fn database(&self) -> Database<'_> {
        match &self.database {
            Some(url) => Database::Postgres(url),
            None => Database::Sqlite(&self.data_dir),
        }
    }

    /// Opens the storage, creating or upgrading its schema.
    pub fn open(&self) -> Result<Arc<dyn Storage>> {
        Ok(match self.database() {
            Database::Postgres(url) => Arc::new(PgStorage::connect(url)?),
            Database::Sqlite(dir) => Arc::new(SqliteStorage::open(dir)?),
        })
    }

    /// Writes a consistent copy of the database to `to` while the server runs: SQLite's online
    /// backup, or `pg_dump` (custom format) for PostgreSQL.
    pub fn backup(&self, to: &Path) -> Result<()> {
        match self.database() {
            Database::Postgres(url) => fieldwork_store_postgres::admin::dump(url, to)?,
            Database::Sqlite(dir) => SqliteStorage::backup(dir, to)?,
        }
        Ok(())
    }

    /// Restores the database from a backup (the servers must be stopped) and gives it a new
    /// epoch; returns the epoch.
    pub fn restore(&self, backup: &Path) -> Result<String> {
        Ok(match self.database() {
            Database::Postgres(url) => fieldwork_store_postgres::admin::restore(url, backup)?,
            Database::Sqlite(dir) => SqliteStorage::restore(dir, backup)?,
        })
    }
}

impl<P: AsRef<Path>> From<P> for Place {
    fn from(dir: P) -> Place {
        Place {
            data_dir: dir.as_ref().to_path_buf(),
            database: None,
        }
    }
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    /// Attachment bytes (photos), outside the database.
    pub blobs: Arc<crate::blobs::Blobs>,
    /// The font report PDFs are drawn with, loaded on first use.
    pub font: Arc<FontSlot>,
    /// Changes published to the console's open pages.
    pub live: crate::console::Live,
    /// Whether the server is reached over HTTPS (the console's cookies are then Secure).
    pub tls: bool,
    /// The mailer of signed reports to customers; `None` without `--smtp`.
    pub mail: crate::mail::Mail,
    /// Request rates and byte budgets per client.
    pub limits: Arc<crate::limits::Limits>,
    /// What console logins may cost (hashing slots, unknown names' failures).
    pub logins: Arc<crate::console::accounts::Logins>,
    /// Where webhooks may go and how often they are retried.
    pub webhooks: crate::webhooks::WebhookConfig,
}

/// The CJK font for report PDFs: a configured path, else the usual system locations. Loaded on
/// the first PDF request and kept; a failure is not kept (the font may be installed later).
pub struct FontSlot {
    path: Option<std::path::PathBuf>,
    loaded: parking_lot::Mutex<Option<Arc<fieldwork_report::Font>>>,
}

impl FontSlot {
    /// A slot for `path` (or the system search when `None`).
    pub fn new(path: Option<std::path::PathBuf>) -> FontSlot {
        FontSlot {
            path,
            loaded: parking_lot::Mutex::new(None),
        }
    }

    /// The font, loading it if needed.
    pub fn get(&self) -> Result<Arc<fieldwork_report::Font>> {
        let mut slot = self.loaded.lock();
        if let Some(f) = slot.as_ref() {
            return Ok(f.clone());
        }
        let font = fieldwork_report::Font::for_reports(self.path.as_deref())
            .map_err(|e| Error::Unavailable("font_missing", e.to_string()))?;
        let font = Arc::new(font);
        *slot = Some(font.clone());
        Ok(font)
    }
}

impl AppState {
    /// Runs blocking storage work off the async threads.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Storage) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let storage = self.storage.clone();
        tokio::task::spawn_blocking(move || f(storage.as_ref()))
            .await
            .map_err(|e| Error::Internal(format!("worker failed: {e}")))?
    }

    /// Runs blocking attachment-file work off the async threads.
    pub async fn blobs<T: Send + 'static>(
        &self,
        f: impl FnOnce(&crate::blobs::Blobs) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let blobs = self.blobs.clone();
        tokio::task::spawn_blocking(move || f(&blobs))
            .await
            .map_err(|e| Error::Internal(format!("worker failed: {e}")))?
    }

    /// Renders a job's JSON as of `at`, with each attachment's `uploaded` flag.
    pub fn render(
        &self,
        doc: &fieldwork_model::JobDocument,
        at: i64,
    ) -> Result<fieldwork_model::JobView> {
        self.render_data(&doc.data()?, at)
    }

    /// [`AppState::render`] from a document's data already read.
    pub fn render_data(
        &self,
        data: &fieldwork_model::JobData,
        at: i64,
    ) -> Result<fieldwork_model::JobView> {
        let mut view = fieldwork_model::JobView::from_data(data, at)?;
        view.mark_uploaded(|id| self.blobs.has(id));
        Ok(view)
    }
}

impl AppState {
    /// The state of a server over the office in `data_dir` (or the configured PostgreSQL
    /// database): storage, attachments, live updates, limits and the mailer's queue. On
    /// PostgreSQL the instances also share the rate limits' buckets and hear each other's
    /// changes, through the database.
    pub fn open(
        data_dir: &Path,
        config: &Config,
    ) -> Result<(AppState, tokio::sync::mpsc::UnboundedReceiver<Vec<String>>)> {
        let place = Place {
            data_dir: data_dir.to_path_buf(),
            database: config.database.clone(),
        };
        let (storage, limits, live): (Arc<dyn Storage>, _, _) = match place.database() {
            Database::Postgres(url) => {
                let pg = Arc::new(PgStorage::connect(url)?);
                let limits = crate::limits::Limits::shared(config.limits.clone(), pg.clone());
                (pg, limits, crate::console::Live::through_postgres(url)?)
            }
            Database::Sqlite(dir) => (
                Arc::new(SqliteStorage::open(dir)?),
                crate::limits::Limits::new(config.limits.clone()),
                crate::console::Live::default(),
            ),
        };
        let (queue, synced) = crate::mail::channel();
        let state = AppState {
            storage,
            blobs: Arc::new(crate::blobs::Blobs::open(data_dir)?),
            font: Arc::new(FontSlot::new(config.font.clone())),
            live,
            tls: config.tls.is_some(),
            mail: config.smtp.as_ref().map(|_| queue),
            limits: Arc::new(limits),
            logins: Arc::new(crate::console::accounts::Logins::for_this_machine()),
            webhooks: config.webhooks.clone(),
        };
        Ok((state, synced))
    }
}
