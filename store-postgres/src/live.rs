//! Live console updates across server instances on one PostgreSQL database, with the database's
//! LISTEN/NOTIFY: each instance sends what it publishes on the channel `fieldwork_live` and
//! listens there for what the others publish. A notification is delivered to the listeners when
//! the sending transaction commits (here: at once, as each NOTIFY runs on its own).
//!
//! One connection per instance does both. If it drops (the database restarted), the relay
//! reconnects after a pause; changes made elsewhere meanwhile show on the next page load.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;

use fieldwork_store::{Change, Error, Result};

/// The NOTIFY channel.
const CHANNEL: &str = "fieldwork_live";

/// PostgreSQL refuses payloads of 8,000 bytes and more: a bigger change goes in several parts.
const MAX_PAYLOAD: usize = 7_000;

/// One notification: the change and which instance sent it (an instance hears its own too).
#[derive(Serialize, Deserialize)]
struct Note {
    from: String,
    change: Change,
}

/// Starts relaying (on the current tokio runtime, until `changes` closes): every change this
/// instance sends on `changes` goes to the other instances, and every change one of them sent
/// is handed to `deliver`.
pub fn start(
    url: &str,
    mut changes: mpsc::UnboundedReceiver<Change>,
    deliver: impl Fn(Change) + Send + Sync + 'static,
) -> Result<()> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|_| Error::Invalid("database", "the database URL does not parse".into()))?;
    let instance = hex::encode(rand::random::<[u8; 8]>());
    tokio::spawn(async move {
        loop {
            if let Err(e) = relay(&config, &instance, &deliver, &mut changes).await {
                tracing::warn!(error = %e, "live relay through the database lost; reconnecting");
            }
            if changes.is_closed() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    Ok(())
}

/// One connection's life: LISTEN, then forward both ways until it fails.
async fn relay(
    config: &tokio_postgres::Config,
    instance: &str,
    deliver: &(impl Fn(Change) + Send + Sync),
    changes: &mut mpsc::UnboundedReceiver<Change>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(tokio_postgres::NoTls).await?;
    let (heard, mut notes) = mpsc::unbounded_channel::<String>();
    // The connection delivers notifications as messages beside query results.
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => {
                    if heard.send(n.payload().to_string()).is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "live relay connection failed");
                    return;
                }
                None => return,
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    let result = 'relay: loop {
        tokio::select! {
            change = changes.recv() => {
                let Some(change) = change else { break Ok(()) };
                for payload in payloads(instance, change) {
                    if let Err(e) = client
                        .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
                        .await
                    {
                        break 'relay Err(e);
                    }
                }
            }
            note = notes.recv() => {
                // The connection ended (its driver said why): reconnect.
                let Some(note) = note else { break Ok(()) };
                match serde_json::from_str::<Note>(&note) {
                    Ok(note) if note.from != instance => deliver(note.change),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "unreadable live notification"),
                }
            }
        }
    };
    driver.abort();
    result
}

/// The notifications carrying one change, split by jobs when it is too big for one.
fn payloads(instance: &str, change: Change) -> Vec<String> {
    let encode = |change: Change| {
        serde_json::to_string(&Note {
            from: instance.to_string(),
            change,
        })
        .unwrap_or_default()
    };
    let whole = encode(change.clone());
    if whole.len() <= MAX_PAYLOAD || change.jobs.len() < 2 {
        return vec![whole];
    }
    let half = change.jobs.len() / 2;
    let (first, second) = change.jobs.split_at(half);
    let mut out = payloads(
        instance,
        Change {
            jobs: first.to_vec(),
            synced_technician: change.synced_technician.clone(),
        },
    );
    out.extend(payloads(
        instance,
        Change {
            jobs: second.to_vec(),
            synced_technician: None,
        },
    ));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_big_change_is_split_into_notifications_that_fit_and_keep_every_job() {
        let jobs: Vec<String> = (0..2_000).map(|i| format!("J-2026-{i:06}")).collect();
        let parts = payloads(
            "abc",
            Change {
                jobs: jobs.clone(),
                synced_technician: Some("t1".into()),
            },
        );
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.len() <= MAX_PAYLOAD));
        let back: Vec<Note> = parts
            .iter()
            .map(|p| serde_json::from_str(p).unwrap())
            .collect();
        let all: Vec<String> = back.iter().flat_map(|n| n.change.jobs.clone()).collect();
        assert_eq!(all, jobs);
        let synced: Vec<_> = back
            .iter()
            .filter_map(|n| n.change.synced_technician.as_deref())
            .collect();
        assert_eq!(synced, ["t1"]);
    }
}
