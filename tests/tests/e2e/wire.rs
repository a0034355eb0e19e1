//! Bytes on the wire (`docs/sync-protocol.md`): a new phone's first sync comes zstd-compressed
//! and several times smaller than its JSON; small rounds are not made bigger by compression (an
//! idle round and one changed job stay small, headers included); the sync report counts both.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_tests::{Office, Phone, now_ms};

#[tokio::test(flavor = "multi_thread")]
async fn first_syncs_are_compressed_and_small_rounds_stay_small() {
    let office = Office::start().await;
    office.technician("t1").await;
    for i in 0..150 {
        office.create_job(&format!("W-{i}"), Some("t1")).await;
    }
    let phone = Phone::enroll(&office, "t1").await;
    let first = phone.device.sync().await.unwrap();
    assert_eq!(first.downloaded, 150);
    assert!(
        first.wire_bytes_received * 2 < first.bytes_received,
        "{first:?}"
    );

    // An idle round: nothing to say either way.
    let idle = phone.device.sync().await.unwrap();
    assert_eq!((idle.uploaded, idle.downloaded), (0, 0));
    assert!(idle.wire_bytes_sent < 256, "{idle:?}");
    assert!(idle.wire_bytes_received < 256, "{idle:?}");

    // One changed job up: under 1 KiB on the wire each way.
    phone
        .device
        .add_note("W-7", "replaced the float switch", now_ms())
        .unwrap();
    let one = phone.device.sync().await.unwrap();
    assert_eq!(one.uploaded, 1);
    assert!(one.wire_bytes_sent < 1024, "{one:?}");
    assert!(one.wire_bytes_received < 1024, "{one:?}");
    // The note arrived whole.
    let notes = office.job("W-7").await["notes"].clone();
    assert_eq!(notes[0]["text"], "replaced the float switch");
}
