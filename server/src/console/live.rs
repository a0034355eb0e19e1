//! Live updates for the console: every committed change to a job (a device's sync, a dispatcher's
//! edit, an uploaded photo) and every device sync is published here; each open console page
//! holds a server-sent-events stream of them and refreshes what it shows.
//!
//! With several instances on one PostgreSQL database, a console page is connected to one of
//! them while the change may go through another: each instance then relays what it publishes
//! to the others through the database (`fieldwork_store_postgres::live`), which hands theirs back with [`Live::deliver`].

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::{broadcast, mpsc};

/// Event streams one console session may hold open: one per tab, and a dispatcher keeps a few.
pub const STREAMS_PER_SESSION: usize = 8;
/// Event streams this instance serves at once; each costs a task and a 16-event buffer.
pub const STREAMS_TOTAL: usize = 2000;

pub use fieldwork_store::Change;

/// The publish side; cheap to clone. A page that falls behind by more than the buffer misses
/// events and is told to reload everything (`lagged`).
#[derive(Clone)]
pub struct Live {
    sender: broadcast::Sender<Change>,
    /// Where this instance's changes go for the other instances, if there are any.
    relay: Option<mpsc::UnboundedSender<Change>>,
    /// The open event streams, by session.
    streams: Arc<Streams>,
    /// Sessions that just ended (logout), by the hash of their token: their streams close.
    ended: broadcast::Sender<String>,
}

impl Default for Live {
    fn default() -> Live {
        Live {
            sender: broadcast::channel(256).0,
            relay: None,
            streams: Arc::default(),
            ended: broadcast::channel(64).0,
        }
    }
}

impl Live {
    /// A `Live` shared with the other instances on the PostgreSQL database at `url`: what this
    /// one publishes goes to them through the database, and what they publish comes back here.
    pub fn through_postgres(url: &str) -> crate::Result<Live> {
        let (outgoing, changes) = mpsc::unbounded_channel::<Change>();
        let live = Live::relayed(outgoing);
        let local = live.clone();
        fieldwork_store_postgres::live::start(url, changes, move |change| local.deliver(change))?;
        Ok(live)
    }

    /// A `Live` that also hands every change it publishes to `relay` (for the other instances).
    pub fn relayed(relay: mpsc::UnboundedSender<Change>) -> Live {
        Live {
            relay: Some(relay),
            ..Live::default()
        }
    }

    /// Jobs changed (no-op when nothing listens or nothing changed).
    pub fn jobs_changed(&self, jobs: Vec<String>) {
        if !jobs.is_empty() {
            self.publish(Change {
                jobs,
                synced_technician: None,
            });
        }
    }

    /// A technician's phone synced, with the jobs its push changed.
    pub fn device_synced(&self, technician: &str, jobs: Vec<String>) {
        self.publish(Change {
            jobs,
            synced_technician: Some(technician.to_string()),
        });
    }

    fn publish(&self, change: Change) {
        if let Some(relay) = &self.relay {
            let _ = relay.send(change.clone());
        }
        self.deliver(change);
    }

    /// A change another instance published: to this instance's pages only.
    pub fn deliver(&self, change: Change) {
        let _ = self.sender.send(change);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }

    /// A slot for one more event stream of the session whose token hashes to `session`, or
    /// `None` when it (or this instance) already holds as many as allowed.
    pub fn open_stream(&self, session: &str) -> Option<StreamSlot> {
        let mut open = self.streams.open.lock();
        let total: usize = open.values().sum();
        let mine = open.entry(session.to_string()).or_insert(0);
        if *mine >= STREAMS_PER_SESSION || total >= STREAMS_TOTAL {
            return None;
        }
        *mine += 1;
        Some(StreamSlot {
            streams: self.streams.clone(),
            session: session.to_string(),
        })
    }

    /// The session whose token hashes to `session` ended: its open streams close.
    pub fn session_ended(&self, session: &str) {
        let _ = self.ended.send(session.to_string());
    }

    /// Hears [`Live::session_ended`].
    pub fn ended(&self) -> broadcast::Receiver<String> {
        self.ended.subscribe()
    }
}

/// The open event streams of every session.
#[derive(Default)]
struct Streams {
    open: Mutex<HashMap<String, usize>>,
}

/// One open event stream; dropping it gives the slot back.
pub struct StreamSlot {
    streams: Arc<Streams>,
    session: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock();
        if let Some(n) = open.get_mut(&self.session) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.session);
            }
        }
    }
}
