//! Counted-time arithmetic: deadlines and elapsed time agree for any start, budget, pauses and
//! calendar (property test), and complaint deadlines count working days.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_model::calendar::WorkCalendar;
use fieldwork_model::contract::Calendar;
use fieldwork_model::sla::complaint_due;
use fieldwork_model::time::{parse_rfc3339, to_rfc3339};
use proptest::prelude::*;

const MINUTE: i64 = 60_000;

fn calendars() -> Vec<(Calendar, &'static str)> {
    let day = serde_json::json!(["08:30", "17:30"]);
    let working: Calendar = serde_json::from_value(serde_json::json!({
        "kind": "working_hours",
        "hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day,
                  "sat": ["09:00", "12:00"]},
        "holidays": ["2026-10-01", "2026-10-02", "2026-12-25"],
        "holiday_hours": ["10:00", "11:00"]
    }))
    .unwrap();
    let late: Calendar = serde_json::from_value(serde_json::json!({
        "kind": "working_hours",
        "hours": {"mon": ["00:00", "24:00"], "wed": ["22:00", "24:00"], "sun": ["01:30", "03:30"]}
    }))
    .unwrap();
    vec![
        (Calendar::Always, "Asia/Shanghai"),
        (working.clone(), "Asia/Shanghai"),
        (working, "Europe/Berlin"),
        (late, "America/New_York"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_deadline_is_the_first_instant_the_budget_is_counted(
        which in 0usize..4,
        start_min in 0i64..(400 * 24 * 60),
        budget_min in 0i64..6000,
        pauses in proptest::collection::vec((0i64..(30 * 24 * 60), 1i64..(3 * 24 * 60)), 0..3),
    ) {
        let (cal, zone) = &calendars()[which];
        let cal = WorkCalendar::new(cal, zone).unwrap();
        let start = parse_rfc3339("t", "2026-01-01T00:00:00Z").unwrap() + start_min * MINUTE;
        let paused: Vec<(i64, i64)> = pauses
            .iter()
            .map(|(from, len)| (start + from * MINUTE, start + (from + len) * MINUTE))
            .collect();
        let budget = budget_min * MINUTE;
        let due = cal.deadline(start, budget, &paused).unwrap();
        prop_assert!(due >= start);
        prop_assert_eq!(cal.elapsed(start, due, &paused), budget);
        if budget > 0 {
            prop_assert!(cal.elapsed(start, due - 1, &paused) < budget, "{}", to_rfc3339(due));
        }
        let later = cal.deadline(start, budget + MINUTE, &paused).unwrap();
        prop_assert!(later > due);
    }
}

fn at(s: &str) -> i64 {
    parse_rfc3339("t", s).unwrap()
}

#[test]
fn a_complaint_is_due_at_the_close_of_the_second_working_day_after_it_arrives() {
    // No contract: Monday to Friday, whole days.
    let due = complaint_due(None, "Asia/Shanghai", at("2026-11-20T15:00:00+08:00")).unwrap();
    assert_eq!(to_rfc3339(due), "2026-11-24T16:00:00Z"); // Tuesday midnight, site time
    let day = serde_json::json!(["08:30", "17:30"]);
    let gold: Calendar = serde_json::from_value(serde_json::json!({
        "kind": "working_hours",
        "hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
        "holidays": ["2026-10-01", "2026-10-02", "2026-10-05"]
    }))
    .unwrap();
    // Received on the eve of the holidays: Tuesday 6th and Wednesday 7th are the two days.
    let due = complaint_due(
        Some(&gold),
        "Asia/Shanghai",
        at("2026-09-30T10:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(to_rfc3339(due), "2026-10-07T09:30:00Z");
    // Round the clock: two calendar days.
    let due = complaint_due(
        Some(&Calendar::Always),
        "Asia/Shanghai",
        at("2026-11-21T23:00:00+08:00"),
    )
    .unwrap();
    assert_eq!(to_rfc3339(due), "2026-11-23T16:00:00Z");
}

#[test]
fn unknown_zones_and_bad_hours_are_refused() {
    assert!(WorkCalendar::new(&Calendar::Always, "Mars/Olympus").is_err());
    let bad: Calendar = serde_json::from_value(serde_json::json!({
        "kind": "working_hours", "hours": {"mon": ["08:30", "25:00"]}
    }))
    .unwrap();
    let err = WorkCalendar::new(&bad, "UTC").unwrap_err().to_string();
    assert!(err.contains("calendar.hours.mon"), "{err}");
}
