//! The time a technician is offered to record, read from the job's status timeline (issue 19):
//! from `en_route` to the next step is travel, from `in_progress` to the next step (a hold, the
//! completion) is labour. The technician confirms or edits each proposal; confirmed, it is an
//! ordinary time entry (`JobDocument::add_time`), so warranty and charges count it as usual.

use crate::job::{JobData, NewTimeEntry, Status, TimeKind};
use crate::rules::MAX_DURATION_MS;
use crate::status;

/// The spans of travel and labour the current technician's status events show, oldest first,
/// leaving out any that overlaps time the technician already recorded of the same kind (a
/// confirmed proposal is not offered again) and any a time entry could not hold (longer than
/// the longest entry allowed: the phone was left en route overnight; the technician enters
/// those by hand).
pub fn proposed(data: &JobData) -> Vec<NewTimeEntry> {
    let technician = status::derive(&data.events).technician;
    let Some(technician) = technician else {
        return Vec::new();
    };
    // Only the current technician's own steps: a previous technician's visit is theirs.
    let steps: Vec<(Status, i64)> = status::ordered(&data.events)
        .into_iter()
        .filter(|(_, e)| e.by == technician && e.status.is_technician_status())
        .map(|(_, e)| (e.status, e.at))
        .collect();
    let mut spans = Vec::new();
    for pair in steps.windows(2) {
        let ((from, start), (to, end)) = (pair[0], pair[1]);
        let kind = match from {
            Status::EnRoute => TimeKind::Travel,
            Status::InProgress => TimeKind::Labour,
            _ => continue,
        };
        // Tapping the same step twice continues it: the span runs to the step after.
        if to == from || end <= start || end - start > MAX_DURATION_MS {
            continue;
        }
        spans.push(NewTimeEntry { kind, start, end });
    }
    spans.retain(|s| {
        !data
            .time
            .values()
            .any(|t| t.by == technician && t.kind == s.kind && t.start < s.end && s.start < t.end)
    });
    spans
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::job::{StatusEvent, TimeEntry};

    const MIN: i64 = 60_000;
    /// 2026-11-18 08:00 UTC: every step is minutes after it.
    const T0: i64 = 1_795_507_200_000;

    fn job(steps: &[(Status, i64, &str)]) -> JobData {
        let new: crate::NewJob = serde_json::from_value(serde_json::json!({
            "customer": {"name": "C"},
            "site": {"address": "A", "region": "city", "time_zone": "UTC"},
            "problem": "p", "reported_at": "2026-11-18T08:00:00Z",
        }))
        .unwrap();
        let doc =
            crate::JobDocument::create("J-1", &new, "dispatch", T0, automerge::ActorId::random())
                .unwrap();
        let mut data = doc.data().unwrap();
        let mut add = |status, at, by: &str, technician: Option<&str>| {
            let id = format!("e{:04}", data.events.len());
            data.events.insert(
                id,
                StatusEvent {
                    status,
                    at,
                    by: by.into(),
                    technician: technician.map(Into::into),
                    reason: None,
                },
            );
        };
        add(Status::Assigned, T0, "dispatch", Some("t1"));
        for (status, at, by) in steps {
            add(*status, T0 + *at, by, None);
        }
        data
    }

    fn entry(kind: TimeKind, start: i64, end: i64) -> NewTimeEntry {
        NewTimeEntry {
            kind,
            start: T0 + start,
            end: T0 + end,
        }
    }

    #[test]
    fn travel_runs_from_en_route_and_labour_from_in_progress_holds_split_it() {
        use Status::*;
        let data = job(&[
            (Accepted, MIN, "t1"),
            (EnRoute, 10 * MIN, "t1"),
            (OnSite, 40 * MIN, "t1"),
            (InProgress, 45 * MIN, "t1"),
            (OnHold, 105 * MIN, "t1"),
            (InProgress, 200 * MIN, "t1"),
            (Completed, 230 * MIN, "t1"),
        ]);
        assert_eq!(
            proposed(&data),
            [
                entry(TimeKind::Travel, 10 * MIN, 40 * MIN),
                entry(TimeKind::Labour, 45 * MIN, 105 * MIN),
                entry(TimeKind::Labour, 200 * MIN, 230 * MIN),
            ]
        );
    }

    #[test]
    fn recorded_time_and_other_technicians_steps_are_not_proposed() {
        use Status::*;
        let mut data = job(&[
            (EnRoute, 10 * MIN, "t1"),
            (OnSite, 40 * MIN, "t1"),
            (InProgress, 45 * MIN, "t2"),
            (InProgress, 50 * MIN, "t1"),
            (Completed, 80 * MIN, "t1"),
        ]);
        data.time.insert(
            "t".into(),
            TimeEntry {
                kind: TimeKind::Travel,
                start: T0 + 12 * MIN,
                end: T0 + 38 * MIN,
                by: "t1".into(),
            },
        );
        assert_eq!(
            proposed(&data),
            [entry(TimeKind::Labour, 50 * MIN, 80 * MIN)]
        );
    }

    #[test]
    fn a_span_no_time_entry_could_hold_is_left_to_the_technician() {
        use Status::*;
        let data = job(&[(EnRoute, 0, "t1"), (OnSite, MAX_DURATION_MS + MIN, "t1")]);
        assert!(proposed(&data).is_empty());
    }
}
