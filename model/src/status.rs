//! The status machine: a job's status and assignee are derived from its status events.
//!
//! Nobody writes "the status"; writers append events and every replica folds them the same way:
//! 1. any `completed` event makes the job `completed` (work done on site is a fact, even if
//!    dispatch cancelled meanwhile or the job had been reassigned);
//! 2. otherwise any `cancelled` event makes it `cancelled`;
//! 3. otherwise the latest (by device time, then event id) progress event written by the
//!    *current* technician gives the status;
//! 4. otherwise `assigned` if the job has a technician, else `new`.
//!
//! The technician is the one named by the latest `assigned` event (by time, then id); an
//! `assigned` event naming nobody is dispatch taking the job back (unassign), and the job is
//! `new` again. The office writes each assignment after the one before it in this order, even
//! within one millisecond ([`crate::JobDocument::assign`]). Progress
//! recorded by a previous technician stays in the history but does not drive the status, so a
//! reassigned job starts afresh for its new technician, and a phone with a slow clock cannot push
//! its own progress behind the assignment.

use std::collections::BTreeMap;

use crate::job::{Status, StatusEvent};

/// The result of folding the status events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derived {
    pub status: Status,
    pub technician: Option<String>,
    /// The event id that set the status, if any.
    pub deciding_event: Option<String>,
    /// Conflicts worth showing dispatch, e.g. `cancelled_after_completion`.
    pub flags: Vec<&'static str>,
}

/// Events in the order every replica shows them: device time, then event id.
pub fn ordered(events: &BTreeMap<String, StatusEvent>) -> Vec<(&String, &StatusEvent)> {
    let mut v: Vec<_> = events.iter().collect();
    v.sort_by(|a, b| (a.1.at, a.0).cmp(&(b.1.at, b.0)));
    v
}

/// Device time of the first event with `status` (in fold order), e.g. when the job was completed.
pub fn first_at(events: &BTreeMap<String, StatusEvent>, status: Status) -> Option<i64> {
    events
        .values()
        .filter(|e| e.status == status)
        .map(|e| e.at)
        .min()
}

/// Folds the events into status and technician (rules in the module docs).
pub fn derive(events: &BTreeMap<String, StatusEvent>) -> Derived {
    let order = ordered(events);
    let technician = order
        .iter()
        .rev()
        .find(|(_, e)| e.status == Status::Assigned)
        .and_then(|(_, e)| e.technician.clone());

    let first_of = |s: Status| order.iter().find(|(_, e)| e.status == s);
    let mut flags = Vec::new();
    let completed = first_of(Status::Completed);
    let cancelled = first_of(Status::Cancelled);

    if let Some((id, done)) = completed {
        if cancelled.is_some() {
            flags.push("cancelled_and_completed");
        }
        if technician.as_deref() != Some(done.by.as_str()) {
            flags.push("completed_by_previous_technician");
        }
        return Derived {
            status: Status::Completed,
            technician,
            deciding_event: Some((*id).clone()),
            flags,
        };
    }
    if let Some((id, _)) = cancelled {
        return Derived {
            status: Status::Cancelled,
            technician,
            deciding_event: Some((*id).clone()),
            flags,
        };
    }
    let progress = order.iter().rev().find(|(_, e)| {
        e.status.is_technician_status() && technician.as_deref() == Some(e.by.as_str())
    });
    if order
        .iter()
        .any(|(_, e)| e.status.is_technician_status() && technician.as_deref() != Some(&e.by))
    {
        flags.push("work_by_previous_technician");
    }
    match progress {
        Some((id, e)) => Derived {
            status: e.status,
            technician,
            deciding_event: Some((*id).clone()),
            flags,
        },
        None => Derived {
            status: if technician.is_some() {
                Status::Assigned
            } else {
                Status::New
            },
            technician,
            deciding_event: None,
            flags,
        },
    }
}

/// Whether a progress event counts towards the status: written by the current technician.
pub fn counts(event: &StatusEvent, technician: Option<&str>) -> bool {
    match event.status {
        Status::Completed | Status::Cancelled | Status::Assigned | Status::New => true,
        _ => technician == Some(event.by.as_str()),
    }
}

/// The statuses a technician may move a job to next, in the order the apps show them: the
/// visit's next step, and a hold once the job is taken on (waiting for parts or the customer);
/// from a hold, travel again or carry on working. Completing is offered only while work is in
/// progress (signing the report records it too). Never the current status, nothing once the
/// job is completed or cancelled; every status offered is one `JobDocument::record_status` and
/// the office's check of a device's changes (`validate`) accept. Both apps show exactly these
/// (ADR 0006): one or two large buttons, not the whole machine.
pub fn offered(current: Status) -> Vec<Status> {
    use Status::*;
    match current {
        New | Assigned => vec![Accepted],
        Accepted => vec![EnRoute, OnHold],
        EnRoute => vec![OnSite, OnHold],
        OnSite => vec![InProgress, OnHold],
        InProgress => vec![OnHold, Completed],
        OnHold => vec![EnRoute, InProgress],
        Completed | Cancelled => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offered_statuses_move_on_never_repeat_and_end_at_completion() {
        use Status::*;
        assert_eq!(offered(Assigned), [Accepted]);
        assert_eq!(offered(OnSite), [InProgress, OnHold]);
        assert_eq!(offered(InProgress), [OnHold, Completed]);
        assert_eq!(offered(OnHold), [EnRoute, InProgress]);
        assert!(offered(Completed).is_empty() && offered(Cancelled).is_empty());
        for current in [New, Assigned, Accepted, EnRoute, OnSite, InProgress, OnHold] {
            let next = offered(current);
            assert!(!next.contains(&current), "{current} offers itself");
            assert!(
                next.iter().all(|s| s.is_technician_status()),
                "{current}: {next:?}"
            );
        }
    }

    fn ev(status: Status, at: i64, by: &str, tech: Option<&str>) -> StatusEvent {
        StatusEvent {
            status,
            at,
            by: by.into(),
            technician: tech.map(Into::into),
            reason: None,
        }
    }

    fn events(list: &[(&str, StatusEvent)]) -> BTreeMap<String, StatusEvent> {
        list.iter()
            .map(|(id, e)| (id.to_string(), e.clone()))
            .collect()
    }

    #[test]
    fn unassigned_job_is_new_and_assignment_makes_it_assigned() {
        assert_eq!(derive(&BTreeMap::new()).status, Status::New);
        let e = events(&[("a", ev(Status::Assigned, 10, "dispatch", Some("t1")))]);
        let d = derive(&e);
        assert_eq!(d.status, Status::Assigned);
        assert_eq!(d.technician.as_deref(), Some("t1"));
    }

    #[test]
    fn latest_progress_by_current_technician_wins_even_with_a_slow_clock() {
        let e = events(&[
            ("a", ev(Status::Assigned, 100, "dispatch", Some("t1"))),
            // The phone's clock runs behind the office's: accepted "before" assignment.
            ("b", ev(Status::Accepted, 90, "t1", None)),
        ]);
        assert_eq!(derive(&e).status, Status::Accepted);
    }

    #[test]
    fn completion_beats_cancellation_in_either_order() {
        for (done_at, cancel_at) in [(10, 20), (20, 10)] {
            let e = events(&[
                ("a", ev(Status::Assigned, 1, "dispatch", Some("t1"))),
                ("b", ev(Status::Completed, done_at, "t1", None)),
                ("c", ev(Status::Cancelled, cancel_at, "dispatch", None)),
            ]);
            let d = derive(&e);
            assert_eq!(d.status, Status::Completed);
            assert!(d.flags.contains(&"cancelled_and_completed"));
        }
    }

    #[test]
    fn reassignment_resets_progress_but_keeps_previous_work_visible() {
        let e = events(&[
            ("a", ev(Status::Assigned, 1, "dispatch", Some("t1"))),
            ("b", ev(Status::OnSite, 5, "t1", None)),
            ("c", ev(Status::Assigned, 6, "dispatch", Some("t2"))),
            ("d", ev(Status::InProgress, 7, "t1", None)),
        ]);
        let d = derive(&e);
        assert_eq!(d.status, Status::Assigned);
        assert_eq!(d.technician.as_deref(), Some("t2"));
        assert!(d.flags.contains(&"work_by_previous_technician"));
    }

    #[test]
    fn an_assignment_to_nobody_makes_the_job_new_again() {
        let e = events(&[
            ("a", ev(Status::Assigned, 1, "dispatch", Some("t1"))),
            ("b", ev(Status::Accepted, 2, "t1", None)),
            ("c", ev(Status::Assigned, 3, "dispatch", None)),
        ]);
        let d = derive(&e);
        assert_eq!((d.status, d.technician), (Status::New, None));
        assert!(d.flags.contains(&"work_by_previous_technician"));
        // Assigned again afterwards: the new technician's.
        let mut again = e.clone();
        again.insert("d".into(), ev(Status::Assigned, 4, "dispatch", Some("t2")));
        assert_eq!(derive(&again).technician.as_deref(), Some("t2"));
    }

    #[test]
    fn ties_on_time_are_broken_by_event_id() {
        let e = events(&[
            ("a", ev(Status::Assigned, 1, "dispatch", Some("t1"))),
            ("x", ev(Status::OnHold, 5, "t1", None)),
            ("y", ev(Status::InProgress, 5, "t1", None)),
        ]);
        assert_eq!(derive(&e).status, Status::InProgress);
    }
}
