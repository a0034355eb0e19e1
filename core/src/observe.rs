//! Telling the UI that jobs changed, so screens refresh without polling: after every committed
//! local edit and every sync round that changed jobs, each subscriber gets the job ids and why.
//! A subscription ends when its [`Subscription`] is dropped.
//!
//! Observers are called after the change is durable and after the device's locks are released,
//! so an observer may read from (or write to) the device from its callback.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use crate::device::Device;

/// Why jobs changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeCause {
    /// An edit made on this device.
    LocalEdit,
    /// A sync round brought changes (or a job was revoked, or a push refused).
    Sync,
}

/// What changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobsChanged {
    pub job_ids: Vec<String>,
    pub cause: ChangeCause,
}

type Callback = Arc<dyn Fn(&JobsChanged) + Send + Sync>;

/// The registered observers.
#[derive(Default)]
pub(crate) struct Observers {
    next: AtomicU64,
    list: Mutex<Vec<(u64, Callback)>>,
}

impl Observers {
    /// Calls every observer (outside the list's lock).
    pub(crate) fn notify(&self, change: JobsChanged) {
        if change.job_ids.is_empty() {
            return;
        }
        let callbacks: Vec<Callback> = self.list.lock().iter().map(|(_, c)| c.clone()).collect();
        for c in callbacks {
            c(&change);
        }
    }
}

/// A live subscription; dropping it (or calling [`Subscription::cancel`]) stops the calls.
pub struct Subscription {
    id: u64,
    observers: Weak<Observers>,
    cancelled: AtomicBool,
}

impl Subscription {
    /// Stops the calls now (also what dropping does).
    pub fn cancel(&self) {
        if self.cancelled.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(o) = self.observers.upgrade() {
            o.list.lock().retain(|(id, _)| *id != self.id);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl Device {
    /// Calls `f` whenever jobs change, until the returned subscription is dropped.
    pub fn observe_jobs(&self, f: impl Fn(&JobsChanged) + Send + Sync + 'static) -> Subscription {
        let id = self.observers.next.fetch_add(1, Ordering::SeqCst);
        self.observers.list.lock().push((id, Arc::new(f)));
        Subscription {
            id,
            observers: Arc::downgrade(&self.observers),
            cancelled: AtomicBool::new(false),
        }
    }

    /// What the shell says about connectivity. While offline, `sync` fails at once with
    /// `Offline` instead of waiting for a connection timeout; coming back online is the shell's
    /// cue to sync.
    pub fn set_network_state(&self, online: bool) {
        self.online.store(online, Ordering::SeqCst);
        tracing::info!(online, "network state");
    }

    /// The last connectivity the shell reported (online until told otherwise).
    pub fn network_online(&self) -> bool {
        self.online.load(Ordering::SeqCst)
    }
}
