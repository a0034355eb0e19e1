//! Durability: a child process adding parts is killed with SIGKILL at random moments; every
//! part it acknowledged must still be there and the store must open cleanly, round after round.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use fieldwork_core::Device;
use fieldwork_tests::{Office, Phone, sync_until_quiet};
use rand::Rng;

const ROUNDS: usize = 25;

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_parts_survive_sigkill_at_random_moments() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-D", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;
    let dir = phone.path().to_path_buf();
    drop(phone.device);

    let mut acknowledged = BTreeSet::new();
    let mut rng = rand::rng();
    for round in 0..ROUNDS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_part-writer"))
            .arg(&dir)
            .arg("J-D")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<_>>()
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(5..120)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        acknowledged.extend(lines);

        let device = Device::open(&dir).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let job = device.job("J-D", 0).unwrap();
        let stored: BTreeSet<String> = job.parts.iter().map(|p| p.id.clone()).collect();
        let lost: Vec<_> = acknowledged.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "round {round}: lost acknowledged parts {lost:?}"
        );
        let conn = fieldwork_tests::open_store(&dir);
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
    }
    assert!(
        acknowledged.len() > ROUNDS,
        "the writer barely wrote anything"
    );
}
