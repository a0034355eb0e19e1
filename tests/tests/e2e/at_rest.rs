//! A lost phone gives nothing away (issue 17): the device store is SQLCipher under a key from
//! the secret store and photo files are sealed; a plain store from an earlier version is
//! encrypted on first open, and a process killed at any moment of that leaves one whole store;
//! a wrong key is a clear error that touches nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fieldwork_core::secrets::{FileSecretStore, STORE_KEY, SecretStore};
use fieldwork_core::{AtRest, Device};
use fieldwork_tests::{Office, camera_photo, now_ms, sync_until_quiet};
use rand::Rng;
use serde_json::json;

/// Text only the customer's job holds: none of it may be readable in the phone's files.
const SECRETS: [&str; 3] = ["Wang Xiaoming", "17 Lotus Lane", "+86 139 0000 4711"];

async fn office_with_customer() -> Office {
    let office = Office::start().await;
    office.technician("t1").await;
    let mut body = fieldwork_tests::job_body("J-1", Some("t1"));
    body["customer"] = json!({"name": SECRETS[0], "phone": SECRETS[2]});
    body["site"]["address"] = json!(SECRETS[1]);
    office.post("/api/v1/jobs", body).await;
    for i in 0..40 {
        office.create_job(&format!("J-F{i}"), Some("t1")).await;
    }
    office
}

/// A phone's data directory after a visit: synced jobs, a note and a photo.
async fn visited_phone(office: &Office, dir: &Path, at_rest: AtRest) -> Device {
    let secrets = Arc::new(FileSecretStore::in_dir(dir));
    let device = Device::open_with(dir, secrets, at_rest).unwrap();
    device
        .enroll(&office.url(), &office.enroll_code("t1"), "test phone")
        .await
        .unwrap();
    device.sync().await.unwrap();
    device
        .add_note("J-1", "gate code 4711, ask for Wang Xiaoming", now_ms())
        .unwrap();
    device
        .add_photo("J-1", &camera_photo(640, 480, 7, 12), None, now_ms())
        .unwrap();
    device
}

/// Every file under `dir` whose bytes contain one of [`SECRETS`] or 32 bytes from inside
/// `photo` (long enough that random ciphertext never matches by chance).
fn readable_files(dir: &Path, photo: &[u8]) -> Vec<String> {
    let inside = &photo[photo.len() / 2..photo.len() / 2 + 32];
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for (what, needle) in SECRETS
                .iter()
                .map(|s| (*s, s.as_bytes()))
                .chain([("the photo", inside)])
            {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    found.push(format!("{} holds {what}", path.display()));
                }
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn a_phone_store_holds_no_customer_text_and_no_photo_in_clear() {
    let office = office_with_customer().await;
    let dir = tempfile::tempdir().unwrap();
    let device = visited_phone(&office, dir.path(), AtRest::Encrypted).await;
    // Readable through the device, as always.
    let job = device.job("J-1", now_ms()).unwrap();
    assert_eq!(job.customer.name, SECRETS[0]);
    let photo = job.attachments[0].id.clone();
    let jpeg = device.attachment_bytes(&photo).unwrap().unwrap();
    assert!(jpeg.starts_with(&[0xFF, 0xD8]));
    // With the process still running (WAL and all) and after it closed.
    assert_eq!(readable_files(dir.path(), &jpeg), Vec::<String>::new());
    drop(device);
    assert_eq!(readable_files(dir.path(), &jpeg), Vec::<String>::new());

    // The same visit on a plain store (what earlier versions wrote) is all readable: the check
    // above would have seen it.
    let plain = tempfile::tempdir().unwrap();
    drop(visited_phone(&office, plain.path(), AtRest::Plain).await);
    let found = readable_files(plain.path(), &jpeg);
    assert!(found.iter().any(|f| f.ends_with("the photo")), "{found:?}");
    assert!(found.iter().any(|f| f.ends_with(SECRETS[0])), "{found:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plain_store_is_encrypted_on_first_open_even_when_killed_at_random_moments() {
    let office = office_with_customer().await;
    let template = tempfile::tempdir().unwrap();
    let device = visited_phone(&office, template.path(), AtRest::Plain).await;
    let expected = serde_json::to_value(device.job("J-1", 0).unwrap()).unwrap();
    let jobs = device.jobs().unwrap().len();
    let photo = device.job("J-1", 0).unwrap().attachments[0].id.clone();
    let photo_bytes = device.attachment_bytes(&photo).unwrap().unwrap();
    drop(device);

    // How long a whole first open takes here, so the kills land inside one.
    let whole = {
        let dir = tempfile::tempdir().unwrap();
        fieldwork_tests::copy_dir(template.path(), dir.path());
        let started = std::time::Instant::now();
        let done = Command::new(env!("CARGO_BIN_EXE_store-opener"))
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(done.status.success(), "{done:?}");
        started.elapsed()
    };
    let mut rng = rand::rng();
    let mut killed = 0;
    for round in 0..12 {
        let dir = tempfile::tempdir().unwrap();
        fieldwork_tests::copy_dir(template.path(), dir.path());
        // Killed somewhere in its first open: before, during or after the export, the rename,
        // the photo sealing.
        let mut child = Command::new(env!("CARGO_BIN_EXE_store-opener"))
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let most = (whole.as_millis() as u64 * 4 / 5).max(1);
        std::thread::sleep(Duration::from_millis(rng.random_range(0..most)));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();

        let device = Device::open(dir.path()).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(device.jobs().unwrap().len(), jobs, "round {round}");
        assert_eq!(
            serde_json::to_value(device.job("J-1", 0).unwrap()).unwrap(),
            expected,
            "round {round}"
        );
        assert_eq!(
            device.attachment_bytes(&photo).unwrap().unwrap(),
            photo_bytes
        );
        drop(device);
        assert_eq!(
            readable_files(dir.path(), &photo_bytes),
            Vec::<String>::new(),
            "round {round}"
        );
        let check: String = fieldwork_tests::open_store(dir.path())
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
    }
    assert!(
        killed >= 3,
        "only {killed} of 12 opens were killed before they finished"
    );
    // The encrypted store still syncs with the office.
    let dir = tempfile::tempdir().unwrap();
    fieldwork_tests::copy_dir(template.path(), dir.path());
    let phone = fieldwork_tests::Phone {
        device: Device::open(dir.path()).unwrap(),
        dir,
    };
    sync_until_quiet(&[&phone]).await;
    assert!(
        fieldwork_tests::note_texts(&office.job("J-1").await)
            .contains("gate code 4711, ask for Wang Xiaoming")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_key_is_a_clear_error_that_changes_nothing() {
    let office = office_with_customer().await;
    let dir = tempfile::tempdir().unwrap();
    drop(visited_phone(&office, dir.path(), AtRest::Encrypted).await);
    let store = dir.path().join(fieldwork_core::STORE_FILE);
    let before = std::fs::read(&store).unwrap();
    let listing = |d: &Path| {
        let mut names: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let files = listing(dir.path());
    FileSecretStore::in_dir(dir.path())
        .set(STORE_KEY, &hex::encode([9u8; 32]))
        .unwrap();
    let err = Device::open(dir.path())
        .err()
        .expect("opened with the wrong key");
    assert!(
        matches!(err, fieldwork_core::Error::StoreKey { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("key"), "{err}");
    assert_eq!(std::fs::read(&store).unwrap(), before);
    assert_eq!(listing(dir.path()), files);
}
