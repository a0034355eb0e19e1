//! Live updates for the console: every committed change to a job (a device's sync, a dispatcher's
//! edit, an uploaded photo) and every device sync is published here; each open console page
//! holds a server-sent-events stream of them and refreshes what it shows.
//!
//! With several instances on one PostgreSQL database, a console page is connected to one of
//! them while the change may go through another: each instance then relays what it publishes
//! to the others through the database (`pg_live`), which hands theirs back with [`Live::deliver`].

use tokio::sync::{broadcast, mpsc};

/// What changed, as the console's script receives it (`event: change`, JSON data).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// Jobs whose document changed.
    pub jobs: Vec<String>,
    /// A technician whose phone just synced (the board shows when each last synced).
    pub synced_technician: Option<String>,
}

/// The publish side; cheap to clone. A page that falls behind by more than the buffer misses
/// events and is told to reload everything (`lagged`).
#[derive(Clone)]
pub struct Live {
    sender: broadcast::Sender<Change>,
    /// Where this instance's changes go for the other instances, if there are any.
    relay: Option<mpsc::UnboundedSender<Change>>,
}

impl Default for Live {
    fn default() -> Live {
        Live {
            sender: broadcast::channel(256).0,
            relay: None,
        }
    }
}

impl Live {
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
}
