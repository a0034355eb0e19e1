//! Errors reach the apps as a code plus parameters they translate (issue 19): every refusal a
//! technician can provoke from a form comes out of `FieldworkApp` as `InvalidInput` (or
//! `BadImage`) with the reason and its parameters the core found, nothing written; the English
//! `detail` (for the log) is the office's message for the same input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_ffi::{
    ApiError, FaultCause, ImageReason, InputReason, JobStatus, NewPartRecord, TimeKind,
};
use fieldwork_tests::{AppPhone, now_ms};
use reqwest::Method;
use serde_json::json;

fn reason(result: Result<impl std::fmt::Debug, ApiError>) -> (InputReason, String) {
    match result {
        Err(ApiError::InvalidInput { reason, detail }) => (reason, detail),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

fn part(sku: &str, qty: u32) -> NewPartRecord {
    NewPartRecord {
        sku: sku.into(),
        description: "Fan relay".into(),
        qty,
        serial_in: None,
        serial_out: None,
        stock: None,
        unit_cost: None,
        unit_price: None,
    }
}

#[tokio::test]
async fn every_refusal_a_form_can_provoke_arrives_as_its_code_and_parameters() {
    let (office, app) = AppPhone::with_job("J-R", "t1").await;
    let j = || "J-R".to_string();
    let now = now_ms();
    let field = |f: &str| f.to_string();

    let cases: Vec<(InputReason, (InputReason, String))> = vec![
        (
            InputReason::Empty {
                field: field("note text"),
            },
            reason(app.add_note(j(), "   ".into(), None)),
        ),
        (
            InputReason::OutOfRange {
                field: field("qty"),
                min: 1,
                max: 10_000,
                got: 0,
            },
            reason(app.add_part(j(), part("RELAY-7", 0), None)),
        ),
        (
            InputReason::Label {
                field: field("sku"),
                max: 128,
            },
            reason(app.add_part(j(), part(" ", 1), None)),
        ),
        (
            InputReason::EndsBeforeStart,
            reason(app.add_time(j(), TimeKind::Labour, now, now - 60_000)),
        ),
        (
            InputReason::SpanTooLong { max_hours: 168 },
            reason(app.add_time(j(), TimeKind::Travel, now - 8 * 86_400_000, now)),
        ),
        (
            InputReason::TimeOutOfRange {
                field: field("start"),
                first: *fieldwork_model::time::TIME_YEARS.start(),
                last: *fieldwork_model::time::TIME_YEARS.end(),
            },
            reason(app.add_time(j(), TimeKind::Travel, 0, 60_000)),
        ),
        (
            InputReason::Label {
                field: field("fault code"),
                max: 64,
            },
            reason(app.record_diagnosis(j(), FaultCause::Misuse, "".into(), None, None)),
        ),
        (
            InputReason::NotACheckResult,
            reason(app.record_check(j(), "door".into(), "maybe".into(), None, None)),
        ),
        (
            InputReason::LoanerNotOut {
                serial: "LN-1".into(),
            },
            reason(app.return_loaner(j(), "LN-1".into(), None)),
        ),
        (
            InputReason::NotATechnicianStatus,
            reason(app.set_status(j(), JobStatus::Assigned, None)),
        ),
        (
            InputReason::AlreadyEnrolled {
                server: office.url(),
            },
            reason(
                app.enroll(office.url(), office.enroll_code("t1"), "again".into())
                    .await,
            ),
        ),
    ];
    app.issue_loaner(j(), "LN-1".into(), "Fan unit".into(), None)
        .unwrap();
    let already_out = reason(app.issue_loaner(j(), "LN-1".into(), "Fan unit".into(), None));
    // A closed job takes no more steps.
    for step in [
        JobStatus::Accepted,
        JobStatus::EnRoute,
        JobStatus::OnSite,
        JobStatus::InProgress,
        JobStatus::Completed,
    ] {
        app.set_status(j(), step, None).unwrap();
    }
    let moved = app.job_detail(j()).unwrap().status;
    assert_eq!(moved, JobStatus::Completed);
    let not_allowed = reason(app.set_status(j(), JobStatus::EnRoute, None));

    for (expected, (got, detail)) in &cases {
        assert_eq!(got, expected, "{detail}");
        // The model's rules say so in the office's words; enrolment is the core's own.
        if !matches!(got, InputReason::AlreadyEnrolled { .. }) {
            assert!(detail.starts_with("invalid input: "), "{detail}");
        }
    }
    assert_eq!(
        already_out.0,
        InputReason::LoanerAlreadyOut {
            serial: "LN-1".into()
        }
    );
    assert_eq!(
        not_allowed.0,
        InputReason::StatusNotAllowed {
            from: moved,
            to: JobStatus::EnRoute
        },
        "{}",
        not_allowed.1
    );

    // Nothing refused was written: one note-free job with the one loaner and its steps.
    let detail = app.job_detail(j()).unwrap();
    assert!(detail.notes.is_empty() && detail.parts.is_empty() && detail.time.is_empty());
    assert!(detail.diagnosis.is_none() && detail.checklist.is_empty());
    assert_eq!(detail.loaners.len(), 1);

    // The office words the same rule the same way (its message is the phone's detail).
    let (status, body) = office
        .call(
            Method::POST,
            "/api/v1/jobs/J-R/notes",
            Some(json!({"text": "   "})),
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        format!(
            "invalid input: {}",
            body["error"]["message"].as_str().unwrap()
        ),
        cases[0].1.1
    );

    // A photo is refused by kind, with the limit as a number.
    match app.add_photo(j(), b"GIF89a not a photo".to_vec(), None) {
        Err(ApiError::BadImage { reason, .. }) => assert_eq!(reason, ImageReason::NotAnImage),
        other => panic!("{other:?}"),
    }
    match app.add_photo(j(), vec![0xFF; 26 * 1024 * 1024], None) {
        Err(ApiError::BadImage { reason, .. }) => {
            assert_eq!(reason, ImageReason::TooLarge { max_mib: 25 })
        }
        other => panic!("{other:?}"),
    }
}
