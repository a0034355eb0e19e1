//! What the core offers the phone shells (issue 8): secrets in a secret store, never in the
//! SQLite store (the platform's on a phone, a file for the CLI; older stores have them moved
//! over); observers told when jobs change; connectivity pushed in by the shell; the core's log
//! events in the shell's sink, with ids only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;

use fieldwork_core::model::report::Language;
use fieldwork_core::secrets::{SecretError, SecretStore};
use fieldwork_core::{ChangeCause, Device, Error, JobsChanged};
use fieldwork_tests::{Office, Phone, now_ms, sync_until_quiet};

const STROKES: &str =
    r#"{"canvas":{"width":100,"height":50},"strokes":[[[1,1,0,5],[90,40,20,5]]]}"#;

/// What a shell's Keystore/Keychain adapter looks like to the core: get, set, delete.
#[derive(Default)]
struct Keychain(parking_lot::Mutex<HashMap<String, String>>);

impl SecretStore for Keychain {
    fn get(&self, key: &str) -> Result<Option<String>, SecretError> {
        Ok(self.0.lock().get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), SecretError> {
        self.0.lock().insert(key.into(), value.into());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), SecretError> {
        self.0.lock().remove(key);
        Ok(())
    }
}

fn file_contains(path: &std::path::Path, needle: &str) -> bool {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_platform_secret_store_no_secret_touches_the_device_files() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let dir = tempfile::tempdir().unwrap();
    let keychain = Arc::new(Keychain::default());
    let device = Device::open_with_secrets(dir.path(), keychain.clone()).unwrap();
    device
        .enroll(&office.url(), &office.enroll_code("t1"), "phone")
        .await
        .unwrap();
    device.sync().await.unwrap();
    device
        .sign_report("J-1", "Li Na", None, STROKES, Language::En, now_ms())
        .unwrap();
    assert_eq!(device.sync().await.unwrap().uploaded, 1);
    assert_eq!(office.job("J-1").await["report"]["status"], "signed");

    let token = keychain.get("token").unwrap().unwrap();
    let key = keychain.get("signing_key").unwrap().unwrap();
    drop(device);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        assert!(!file_contains(&path, &token), "token in {}", path.display());
        assert!(!file_contains(&path, &key), "key in {}", path.display());
    }
    assert!(!dir.path().join("secrets.json").exists());

    // Reopened with the same keychain, it syncs as before.
    let device = Device::open_with_secrets(dir.path(), keychain).unwrap();
    device.sync().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_from_before_the_secret_store_has_its_secrets_moved_and_keeps_working() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    // A store from before the secret store is also from before encryption: plain.
    let dir = tempfile::tempdir().unwrap();
    let secrets = std::sync::Arc::new(fieldwork_core::secrets::FileSecretStore::in_dir(dir.path()));
    let device = Device::open_with(dir.path(), secrets, fieldwork_core::AtRest::Plain).unwrap();
    device
        .enroll(&office.url(), &office.enroll_code("t1"), "test phone")
        .await
        .unwrap();
    let mut phone = Phone { dir, device };
    sync_until_quiet(&[&phone]).await;
    let (token, key) = (phone.secret("token"), phone.secret("signing_key"));

    // Make it look like an older store: secrets in the meta table, no secrets file.
    {
        let conn = rusqlite::Connection::open(phone.device.store_path()).unwrap();
        for (k, v) in [("token", &token), ("signing_key", &key)] {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                [k, v.as_str()],
            )
            .unwrap();
        }
    }
    std::fs::remove_file(phone.path().join("secrets.json")).unwrap();

    // Today's version opens it: encrypted in place, secrets moved.
    phone.reopen();
    assert_eq!(phone.secret("token"), token);
    assert_eq!(phone.secret("signing_key"), key);
    let conn = fieldwork_tests::open_store(phone.path());
    let left: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM meta WHERE key IN ('token', 'signing_key')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "moved, not copied");
    phone
        .device
        .sign_report("J-1", "Li Na", None, STROKES, Language::En, now_ms())
        .unwrap();
    sync_until_quiet(&[&phone]).await;
    assert_eq!(
        office.job("J-1").await["report"]["status"],
        "signed",
        "the office still knows the moved key"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn observers_hear_local_edits_and_syncs_until_the_subscription_is_dropped() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    office.create_job("J-2", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    let heard: Arc<parking_lot::Mutex<Vec<JobsChanged>>> = Arc::default();
    let log = heard.clone();
    let subscription = phone
        .device
        .observe_jobs(move |c| log.lock().push(c.clone()));

    phone.device.sync().await.unwrap();
    let first = heard.lock().drain(..).collect::<Vec<_>>();
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].cause, ChangeCause::Sync);
    let mut ids = first[0].job_ids.clone();
    ids.sort();
    assert_eq!(ids, vec!["J-1", "J-2"]);

    phone.device.add_note("J-1", "on my way", now_ms()).unwrap();
    assert_eq!(
        heard.lock().drain(..).collect::<Vec<_>>(),
        vec![JobsChanged {
            job_ids: vec!["J-1".into()],
            cause: ChangeCause::LocalEdit
        }]
    );
    // The push is news (the job is no longer pending); a failed edit and a sync that moves
    // nothing tell nobody.
    phone.device.sync().await.unwrap();
    assert_eq!(
        heard.lock().drain(..).collect::<Vec<_>>(),
        vec![JobsChanged {
            job_ids: vec!["J-1".into()],
            cause: ChangeCause::Sync
        }]
    );
    assert!(phone.device.add_note("J-1", "  ", now_ms()).is_err());
    phone.device.sync().await.unwrap();
    assert_eq!(heard.lock().drain(..).count(), 0);

    office.note("J-2", "customer asks for a call first").await;
    phone.device.sync().await.unwrap();
    let changes = heard.lock().drain(..).collect::<Vec<_>>();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].job_ids, vec!["J-2"]);

    drop(subscription);
    phone.device.add_note("J-2", "called", now_ms()).unwrap();
    assert!(
        heard.lock().is_empty(),
        "dropped subscriptions hear nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_phone_fails_sync_at_once_and_syncs_when_back_online() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    phone.device.set_network_state(false);
    assert!(!phone.device.network_online());
    // The server is up: an Offline error means the phone did not even try.
    assert!(matches!(phone.device.sync().await, Err(Error::Offline(_))));
    assert!(
        phone.device.jobs().unwrap().is_empty(),
        "nothing was fetched"
    );
    phone.device.set_network_state(true);
    assert_eq!(phone.device.sync().await.unwrap().downloaded, 1);
}
