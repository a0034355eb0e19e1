//! What the shells plug into the core: the platform's secret store, a sink for the core's log
//! events, and observers that hear when jobs change. These are foreign traits: Kotlin and Swift
//! implement them (Android Keystore / iOS Keychain, Logcat / os_log, a view model's refresh).

use std::sync::Arc;

use parking_lot::RwLock;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// A failure the shell's secret store reports.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SecretStoreError {
    /// The platform refused or failed (locked keystore, missing entitlement...).
    #[error("{detail}")]
    Failed { detail: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SecretStoreError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SecretStoreError::Failed { detail: e.reason }
    }
}

/// The platform's secret store (Android Keystore, iOS Keychain): where the device's bearer token
/// and its report-signing key live. `set` must be durable when it returns.
#[uniffi::export(with_foreign)]
pub trait SecretStore: Send + Sync {
    /// The secret stored under `key`, or null.
    fn get(&self, key: String) -> Result<Option<String>, SecretStoreError>;
    /// Stores or replaces a secret.
    fn set(&self, key: String, value: String) -> Result<(), SecretStoreError>;
    /// Removes a secret (no error if it is missing).
    fn delete(&self, key: String) -> Result<(), SecretStoreError>;
}

/// The shell's secret store seen from the core.
pub(crate) struct ForeignSecrets(pub Arc<dyn SecretStore>);

impl fieldwork_core::secrets::SecretStore for ForeignSecrets {
    fn get(&self, key: &str) -> Result<Option<String>, fieldwork_core::secrets::SecretError> {
        self.0.get(key.to_string()).map_err(secret_error)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), fieldwork_core::secrets::SecretError> {
        self.0
            .set(key.to_string(), value.to_string())
            .map_err(secret_error)
    }
    fn delete(&self, key: &str) -> Result<(), fieldwork_core::secrets::SecretError> {
        self.0.delete(key.to_string()).map_err(secret_error)
    }
}

fn secret_error(e: SecretStoreError) -> fieldwork_core::secrets::SecretError {
    fieldwork_core::secrets::SecretError(e.to_string())
}

/// What a shell's callback (log sink, observer) may throw. The core logs nothing about it and
/// carries on: a failing callback must never take a sync or an edit down with it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum CallbackError {
    #[error("{detail}")]
    Failed { detail: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CallbackError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CallbackError::Failed { detail: e.reason }
    }
}

/// How loud a log event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl From<&tracing::Level> for LogLevel {
    fn from(l: &tracing::Level) -> Self {
        match *l {
            tracing::Level::ERROR => LogLevel::Error,
            tracing::Level::WARN => LogLevel::Warn,
            tracing::Level::INFO => LogLevel::Info,
            tracing::Level::DEBUG => LogLevel::Debug,
            tracing::Level::TRACE => LogLevel::Trace,
        }
    }
}

/// One log event of the core. Messages carry ids, never customer names or note text.
#[derive(Debug, Clone, uniffi::Record)]
pub struct LogRecord {
    pub level: LogLevel,
    /// The Rust module, e.g. `fieldwork_core::sync`.
    pub target: String,
    /// The event's message and fields (`key=value`).
    pub message: String,
    /// The spans it happened in, outermost first, e.g. `sync > sync_round`.
    pub spans: String,
}

/// Receives the core's log events (Logcat, os_log, a file).
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    /// Called for each event at or above the level given to `set_log_sink`.
    fn log(&self, record: LogRecord) -> Result<(), CallbackError>;
}

static SINK: RwLock<Option<(Arc<dyn LogSink>, LogLevel)>> = RwLock::new(None);

/// Sends the core's log events at `level` and above to `sink` (replacing any earlier sink).
/// The first call installs the process's log subscriber; if the host already installed its
/// own, events keep going there and `sink` receives nothing.
#[uniffi::export]
pub fn set_log_sink(sink: Arc<dyn LogSink>, level: LogLevel) {
    *SINK.write() = Some((sink, level));
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(SinkLayer);
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            tracing::warn!("a log subscriber was already installed; the log sink stays silent");
        }
    });
}

/// The `tracing` layer that forwards events to the sink.
struct SinkLayer;

impl<S> tracing_subscriber::Layer<S> for SinkLayer
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let Some((sink, max)) = SINK.read().clone() else {
            return;
        };
        let level = LogLevel::from(event.metadata().level());
        if level > max {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let spans = ctx
            .event_scope(event)
            .map(|scope| {
                scope
                    .from_root()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(" > ")
            })
            .unwrap_or_default();
        // A sink that throws loses this record, nothing more.
        let _ = sink.log(LogRecord {
            level,
            target: event.metadata().target().to_string(),
            message: fields.line(),
            spans,
        });
    }
}

/// An event's fields: the message, then `key=value` pairs.
#[derive(Default)]
struct Fields {
    message: String,
    pairs: Vec<String>,
}

impl Fields {
    fn line(self) -> String {
        std::iter::once(self.message)
            .filter(|m| !m.is_empty())
            .chain(self.pairs)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        } else {
            self.pairs.push(format!("{}={value:?}", field.name()));
        }
    }
}

/// Why jobs changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ChangeCause {
    /// An edit made on this device.
    LocalEdit,
    /// A sync brought changes, revoked a job or refused a push.
    Sync,
}

/// Jobs that changed, and why.
#[derive(Debug, Clone, uniffi::Record)]
pub struct JobsChange {
    pub job_ids: Vec<String>,
    pub cause: ChangeCause,
}

/// Hears when jobs change (a view model refreshing its screen). Called on the thread that made
/// the change, after it is durable: hop to the UI thread before touching views.
#[uniffi::export(with_foreign)]
pub trait JobsObserver: Send + Sync {
    fn jobs_changed(&self, change: JobsChange) -> Result<(), CallbackError>;
}

/// An observer's subscription: calls stop when it is cancelled or dropped (destroyed).
#[derive(uniffi::Object)]
pub struct Subscription {
    inner: fieldwork_core::Subscription,
}

impl Subscription {
    pub(crate) fn new(inner: fieldwork_core::Subscription) -> Subscription {
        Subscription { inner }
    }
}

#[uniffi::export]
impl Subscription {
    /// Stops the calls now (dropping the subscription does the same).
    pub fn cancel(&self) {
        self.inner.cancel();
    }
}

impl From<&fieldwork_core::JobsChanged> for JobsChange {
    fn from(c: &fieldwork_core::JobsChanged) -> Self {
        JobsChange {
            job_ids: c.job_ids.clone(),
            cause: match c.cause {
                fieldwork_core::ChangeCause::LocalEdit => ChangeCause::LocalEdit,
                fieldwork_core::ChangeCause::Sync => ChangeCause::Sync,
            },
        }
    }
}
