//! Live updates for the console: every committed change to a job (a device's sync, a dispatcher's
//! edit, an uploaded photo) and every device sync is published here; each open console page
//! holds a server-sent-events stream of them and refreshes what it shows.

use tokio::sync::broadcast;

/// What changed, as the console's script receives it (`event: change`, JSON data).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
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
}

impl Default for Live {
    fn default() -> Live {
        Live {
            sender: broadcast::channel(256).0,
        }
    }
}

impl Live {
    /// Jobs changed (no-op when nothing listens or nothing changed).
    pub fn jobs_changed(&self, jobs: Vec<String>) {
        if !jobs.is_empty() {
            let _ = self.sender.send(Change {
                jobs,
                synced_technician: None,
            });
        }
    }

    /// A technician's phone synced, with the jobs its push changed.
    pub fn device_synced(&self, technician: &str, jobs: Vec<String>) {
        let _ = self.sender.send(Change {
            jobs,
            synced_technician: Some(technician.to_string()),
        });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }
}
