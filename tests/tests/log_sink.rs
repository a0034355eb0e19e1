//! The core's log events reach the shell's `LogSink` through the FFI facade: levels, targets,
//! the spans of a sync, and ids only (never a customer's name or a note's text). Its own test
//! binary, because the sink installs the process's one log subscriber.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use fieldwork_ffi::{CallbackError, FieldworkApp, LogLevel, LogRecord, LogSink, set_log_sink};
use fieldwork_tests::Office;

#[derive(Default)]
struct Collect(parking_lot::Mutex<Vec<LogRecord>>);

impl LogSink for Collect {
    fn log(&self, record: LogRecord) -> Result<(), CallbackError> {
        self.0.lock().push(record);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_and_edits_are_logged_with_their_spans_and_without_customer_data() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await; // customer "Harbour Clinic"
    let sink = Arc::new(Collect::default());
    set_log_sink(sink.clone(), LogLevel::Debug);

    let dir = tempfile::tempdir().unwrap();
    let app = FieldworkApp::open(dir.path().display().to_string()).unwrap();
    app.enroll(office.url(), office.enroll_code("t1"), "phone".into())
        .await
        .unwrap();
    app.sync().await.unwrap();
    app.add_note(
        "J-1".into(),
        "Harbour Clinic's chiller is fixed".into(),
        None,
    )
    .unwrap();
    app.sync().await.unwrap();

    let records = sink.0.lock().clone();
    let finished: Vec<&LogRecord> = records
        .iter()
        .filter(|r| r.message.starts_with("sync finished"))
        .collect();
    assert_eq!(finished.len(), 2, "{records:#?}");
    assert_eq!(finished[0].level, LogLevel::Info);
    assert!(finished[0].target.starts_with("fieldwork_core"));
    assert_eq!(finished[0].spans, "sync");
    assert!(
        finished[1].message.contains("uploaded=1"),
        "{}",
        finished[1].message
    );
    assert!(
        records
            .iter()
            .any(|r| r.spans == "store_commit" && r.message.contains("J-1")),
        "{records:#?}"
    );
    for r in &records {
        assert!(
            !r.message.contains("Harbour"),
            "customer data logged: {r:?}"
        );
    }

    // Above the sink's level, nothing.
    let quiet = Arc::new(Collect::default());
    set_log_sink(quiet.clone(), LogLevel::Error);
    app.sync().await.unwrap();
    assert!(quiet.0.lock().is_empty());
}
