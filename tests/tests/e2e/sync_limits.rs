//! The office's limits as a phone meets them: over its hourly push budget, sync fails with
//! `RateLimited` carrying the office's Retry-After, and nothing on the phone is lost or marked
//! refused; the next allowed sync delivers it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_core::Error;
use fieldwork_server::limits::LimitConfig;
use fieldwork_tests::{Office, Phone, now_ms};

#[tokio::test]
async fn over_its_push_budget_a_phone_is_told_to_wait_and_keeps_its_work() {
    // One byte an hour: a full bucket lets one push through (into debt), the next must wait.
    let mut office = Office::start_with(fieldwork_server::Config {
        limits: LimitConfig {
            pushed_bytes_per_hour: 1,
            ..LimitConfig::default()
        },
        ..fieldwork_server::Config::default()
    })
    .await;
    office.technician("t1").await;
    office.create_job("J-LIM", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    phone.device.sync().await.unwrap();

    phone
        .device
        .add_note("J-LIM", "written while over the budget", now_ms())
        .unwrap();
    match phone.device.sync().await {
        Err(Error::RateLimited {
            retry_after_secs,
            message,
        }) => {
            // 1 B/h leaves an hours-long wait: the header was read, and bounded to a day.
            assert!(
                (3600..=24 * 3600).contains(&retry_after_secs),
                "{retry_after_secs}"
            );
            assert!(message.contains("hourly sync budget"), "{message}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(phone.device.pending_sync_count().unwrap(), 1);
    let jobs = phone.device.jobs().unwrap();
    assert!(jobs.iter().all(|j| j.sync_error.is_none()), "not a refusal");

    // The office raises the budget (on SQLite a restart alone would forgive: the buckets are in
    // its memory; on PostgreSQL they are in the database every instance shares): the note
    // arrives.
    office
        .restart_with(fieldwork_server::Config::default())
        .await;
    phone.device.sync().await.unwrap();
    assert_eq!(phone.device.pending_sync_count().unwrap(), 0);
    let job = office.job("J-LIM").await;
    assert!(
        job["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"] == "written while over the budget"),
        "{job}"
    );
}
