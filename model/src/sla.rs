//! SLA clocks: deadlines and milestone states of a job, from its contract, its
//! report time and the device times of its status events.
//!
//! Rules (docs/sla-and-charges.md has the worked examples):
//! - every clock starts at `reported_at` and counts minutes of the contract calendar in the
//!   site's time zone; a deadline is the instant the counted minutes reach the budget;
//! - response is met by the first `accepted` event, arrival by the first `on_site`, resolution
//!   by the first `completed`; met exactly at the deadline is `met`;
//! - time on hold (an `on_hold` event until the next event that is not `on_hold`; dispatch's
//!   `new`/`assigned` events do not end a hold) does not count towards resolution; an open hold
//!   pauses the resolution clock until `now`;
//! - an unmet milestone is `breached` after its deadline, `at_risk` once 80 % of its budget has
//!   elapsed, else `pending`; once the job is completed or cancelled an unmet milestone that
//!   was not breached by then is `not_needed` (e.g. a fault fixed over the phone needs no visit).

use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;
use crate::job::{JobData, JobKind, Status};
use crate::status;
use crate::time::to_rfc3339;
use crate::{Error, Result};

/// The state of one milestone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    Pending,
    AtRisk,
    Met,
    Breached,
    NotNeeded,
}

impl MilestoneState {
    /// The state as the job JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneState::Pending => "pending",
            MilestoneState::AtRisk => "at_risk",
            MilestoneState::Met => "met",
            MilestoneState::Breached => "breached",
            MilestoneState::NotNeeded => "not_needed",
        }
    }
}

/// One milestone of the job JSON's `sla`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Milestone {
    pub state: MilestoneState,
    pub met_at: Option<String>,
}

/// The job JSON's `sla` object. Times are RFC 3339 UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaView {
    pub respond_by: String,
    pub arrive_by: String,
    pub resolve_by: String,
    pub loaner_due_by: String,
    pub response: Milestone,
    pub arrival: Milestone,
    pub resolution: Milestone,
    /// The job is on hold now: the resolution clock is paused and `resolve_by` moves on.
    pub paused: bool,
    /// Counted calendar minutes spent on hold so far (not counted towards resolution).
    pub hold_minutes: i64,
    /// Not fixed by `loaner_due_by` and no loaner is out: one is owed to the customer.
    pub loaner_required: bool,
}

/// Deadlines and states in epoch milliseconds, before rendering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlaClocks {
    pub respond_by: i64,
    pub arrive_by: i64,
    pub resolve_by: i64,
    pub loaner_due_by: i64,
    pub response: (MilestoneState, Option<i64>),
    pub arrival: (MilestoneState, Option<i64>),
    pub resolution: (MilestoneState, Option<i64>),
    pub paused: bool,
    pub hold_ms: i64,
    pub loaner_required: bool,
    /// When each milestone (response, arrival, resolution) turns at risk if still unmet: 80 %
    /// of its budget, in the contract's working time.
    pub risk_from: [i64; 3],
}

const MINUTE: i64 = 60_000;

/// Evaluates a job's SLA at `now` (epoch ms). `None` when the job has no contract or is an
/// inspection; an error only if the stored contract or zone is invalid.
pub fn clocks(d: &JobData, now: i64) -> Result<Option<SlaClocks>> {
    let Some(contract) = &d.contract else {
        return Ok(None);
    };
    if d.kind == JobKind::Inspection {
        return Ok(None);
    }
    let cal = WorkCalendar::new(&contract.sla.calendar, &d.site.time_zone)?;
    let sla = &contract.sla;
    let start = d.reported_at;
    let events = status::ordered(&d.events);
    let first = |s: Status| status::first_at(&d.events, s);
    let terminal = events
        .iter()
        .find(|(_, e)| e.status.is_terminal())
        .map(|(_, e)| e.at);
    // Clocks stop when the job ends: an unmet milestone is judged at that instant.
    let judged_at = terminal.map_or(now, |t| t.min(now));

    let completed = first(Status::Completed);
    let (holds, paused) = hold_intervals(&events, completed, now);
    let hold_ms: i64 = holds
        .iter()
        .map(|&(a, b)| cal.elapsed(a.max(start), b, &[]))
        .sum();

    let budget = |minutes: u32| i64::from(minutes) * MINUTE;
    let milestone = |minutes: u32, met: Option<i64>, paused: &[(i64, i64)]| -> Result<_> {
        let due = cal.deadline(start, budget(minutes), paused)?;
        let risk_from = cal.deadline(start, budget(minutes) * 4 / 5, paused)?;
        let state = match met {
            Some(t) if t <= due => MilestoneState::Met,
            Some(_) => MilestoneState::Breached,
            None if judged_at > due => MilestoneState::Breached,
            None if terminal.is_some() => MilestoneState::NotNeeded,
            None if judged_at >= risk_from => MilestoneState::AtRisk,
            None => MilestoneState::Pending,
        };
        Ok((due, risk_from, (state, met)))
    };

    let (respond_by, respond_risk, response) =
        milestone(sla.response_minutes, first(Status::Accepted), &[])?;
    let (arrive_by, arrive_risk, arrival) = milestone(
        contract.arrival_minutes(d.site.region),
        first(Status::OnSite),
        &[],
    )?;
    let (resolve_by, resolve_risk, resolution) =
        milestone(sla.resolution_minutes, completed, &holds)?;
    let loaner_due_by = cal.deadline(start, budget(sla.loaner_after_minutes), &[])?;
    let loan_out = crate::loaners::fold(&d.loaners).iter().any(|l| l.open());
    let loaner_required = terminal.is_none() && now >= loaner_due_by && !loan_out;
    Ok(Some(SlaClocks {
        respond_by,
        arrive_by,
        resolve_by,
        loaner_due_by,
        response,
        arrival,
        resolution,
        paused,
        hold_ms,
        loaner_required,
        risk_from: [respond_risk, arrive_risk, resolve_risk],
    }))
}

/// The most urgent SLA milestone still open at `now`: its name and deadline, for job lists.
/// `None` when every milestone is met or not needed, or the job has no SLA.
pub fn next_deadline(d: &JobData, now: i64) -> Result<Option<(&'static str, i64)>> {
    let Some(c) = clocks(d, now)? else {
        return Ok(None);
    };
    let open = |s: MilestoneState| {
        matches!(
            s,
            MilestoneState::Pending | MilestoneState::AtRisk | MilestoneState::Breached
        )
    };
    Ok([
        ("response", c.response.0, c.respond_by),
        ("arrival", c.arrival.0, c.arrive_by),
        ("resolution", c.resolution.0, c.resolve_by),
    ]
    .into_iter()
    .filter(|(_, state, _)| open(*state))
    .min_by_key(|(_, _, due)| *due)
    .map(|(name, _, due)| (name, due)))
}

/// A job's SLA at a glance, for the phone's job list: the state of its most urgent milestone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Glance {
    /// The most urgent milestone not yet met (the earliest deadline among pending, at risk and
    /// breached); `met` when every milestone is met (or not needed, with at least one met);
    /// `not_needed` when none applies.
    pub state: MilestoneState,
    /// That milestone and its deadline (epoch ms); `None` once nothing is open.
    pub open: Option<(&'static str, i64)>,
}

impl Glance {
    /// Wall-clock minutes from `now` to the open milestone's deadline, negative once it is
    /// breached (rounded down: 30 s overdue is "overdue 1 min", 90 s left is "1 min left").
    pub fn minutes_left(&self, now: i64) -> Option<i64> {
        self.open.map(|(_, due)| (due - now).div_euclid(MINUTE))
    }
}

/// [`Glance`] of a job at `now`, from the same clocks as the job JSON's `sla`: `None` when the
/// job has no SLA (no contract, or an inspection).
pub fn glance(d: &JobData, now: i64) -> Result<Option<Glance>> {
    let Some(c) = clocks(d, now)? else {
        return Ok(None);
    };
    let milestones = [
        ("response", c.response.0, c.respond_by),
        ("arrival", c.arrival.0, c.arrive_by),
        ("resolution", c.resolution.0, c.resolve_by),
    ];
    Ok(Some(glance_of(&milestones)))
}

/// The rule of [`glance`] over `(milestone, state, deadline)`: shared with the office's job JSON
/// (whose `sla` holds the same three) so both read it the same way.
pub fn glance_of(milestones: &[(&'static str, MilestoneState, i64)]) -> Glance {
    use MilestoneState::{AtRisk, Breached, Met, NotNeeded, Pending};
    let open = milestones
        .iter()
        .filter(|(_, state, _)| matches!(state, Pending | AtRisk | Breached))
        .min_by_key(|(_, _, due)| *due);
    match open {
        Some((name, state, due)) => Glance {
            state: *state,
            open: Some((name, *due)),
        },
        None if milestones.iter().all(|(_, s, _)| *s == NotNeeded) => Glance {
            state: NotNeeded,
            open: None,
        },
        None => Glance {
            state: Met,
            open: None,
        },
    }
}

/// What a job list needs to tell a job's [`Glance`] at any later instant without its document:
/// the milestones not met, each with when it turns at risk and when it is breached. Valid until
/// the job's next change, except while the job is on hold (`paused`: the resolution deadline
/// moves with the clock, so the document must be read).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outlook {
    pub paused: bool,
    /// `(milestone, at risk from, breached after, deadline)`; a milestone already breached for
    /// good (met late, or the job ended) has `breached after` = `i64::MIN`.
    pub unmet: Vec<(String, i64, i64, i64)>,
    /// The state when nothing is unmet: `met`, or `not_needed`.
    pub settled: MilestoneState,
}

impl Outlook {
    /// A job's outlook as of `now`; `None` without an SLA.
    pub fn of(d: &JobData, now: i64) -> Result<Option<Outlook>> {
        let Some(c) = clocks(d, now)? else {
            return Ok(None);
        };
        let milestones = [
            ("response", c.response, c.respond_by, c.risk_from[0]),
            ("arrival", c.arrival, c.arrive_by, c.risk_from[1]),
            ("resolution", c.resolution, c.resolve_by, c.risk_from[2]),
        ];
        let ended = d.events.values().any(|e| e.status.is_terminal());
        let mut unmet = Vec::new();
        for (name, (state, met), due, risk_from) in milestones {
            match state {
                MilestoneState::Met | MilestoneState::NotNeeded => {}
                // Met late, or judged when the job ended: breached whatever the clock says.
                MilestoneState::Breached if ended || met.is_some() => {
                    unmet.push((name.to_string(), i64::MIN, i64::MIN, due))
                }
                _ => unmet.push((name.to_string(), risk_from, due, due)),
            }
        }
        let all_not_needed = milestones
            .iter()
            .all(|(_, (s, _), _, _)| *s == MilestoneState::NotNeeded);
        Ok(Some(Outlook {
            paused: c.paused,
            unmet,
            settled: if all_not_needed {
                MilestoneState::NotNeeded
            } else {
                MilestoneState::Met
            },
        }))
    }

    /// The [`Glance`] at `now`, by the rule of [`clocks`]: breached after the deadline, at risk
    /// from 80 % of the budget, else pending.
    pub fn glance(&self, now: i64) -> Glance {
        if self.unmet.is_empty() {
            return Glance {
                state: self.settled,
                open: None,
            };
        }
        let judged: Vec<_> = self
            .unmet
            .iter()
            .map(|(name, risk_from, breached_after, due)| {
                let state = if now > *breached_after {
                    MilestoneState::Breached
                } else if now >= *risk_from {
                    MilestoneState::AtRisk
                } else {
                    MilestoneState::Pending
                };
                (milestone_name(name), state, *due)
            })
            .collect();
        glance_of(&judged)
    }
}

fn milestone_name(name: &str) -> &'static str {
    match name {
        "response" => "response",
        "arrival" => "arrival",
        _ => "resolution",
    }
}

/// Hold intervals in time order; an open hold runs until `now` (or the completion).
fn hold_intervals(
    events: &[(&String, &crate::job::StatusEvent)],
    completed: Option<i64>,
    now: i64,
) -> (Vec<(i64, i64)>, bool) {
    let mut holds = Vec::new();
    let mut since: Option<i64> = None;
    // Dispatch's `new` and `assigned` events do not end a hold: only the job moving on does.
    let moves = events
        .iter()
        .filter(|(_, e)| !matches!(e.status, Status::New | Status::Assigned));
    for (_, e) in moves {
        match (e.status == Status::OnHold, since) {
            (true, None) => since = Some(e.at),
            (false, Some(s)) => {
                holds.push((s, e.at));
                since = None;
            }
            _ => {}
        }
    }
    let paused = since.is_some() && completed.is_none();
    if let Some(s) = since {
        holds.push((s, completed.unwrap_or(now).max(s)));
    }
    (holds, paused)
}

/// Renders the `sla` object of the job JSON.
pub fn view(d: &JobData, now: i64) -> Result<Option<SlaView>> {
    let Some(c) = clocks(d, now)? else {
        return Ok(None);
    };
    let m = |(state, met): (MilestoneState, Option<i64>)| Milestone {
        state,
        met_at: met.map(to_rfc3339),
    };
    Ok(Some(SlaView {
        respond_by: to_rfc3339(c.respond_by),
        arrive_by: to_rfc3339(c.arrive_by),
        resolve_by: to_rfc3339(c.resolve_by),
        loaner_due_by: to_rfc3339(c.loaner_due_by),
        response: m(c.response),
        arrival: m(c.arrival),
        resolution: m(c.resolution),
        paused: c.paused,
        hold_minutes: c.hold_ms / MINUTE,
        loaner_required: c.loaner_required,
    }))
}

/// Deadline of a complaint's written answer: the close of the second working day after
/// the day it was received, in the contract calendar (Monday to Friday when there is none).
pub fn complaint_due(
    calendar: Option<&crate::contract::Calendar>,
    time_zone: &str,
    received: i64,
) -> Result<i64> {
    let weekdays = crate::contract::Calendar::WorkingHours {
        hours: Box::new(crate::contract::WeekHours {
            mon: Some(["00:00".into(), "24:00".into()]),
            tue: Some(["00:00".into(), "24:00".into()]),
            wed: Some(["00:00".into(), "24:00".into()]),
            thu: Some(["00:00".into(), "24:00".into()]),
            fri: Some(["00:00".into(), "24:00".into()]),
            sat: None,
            sun: None,
        }),
        holidays: Vec::new(),
        holiday_hours: None,
    };
    let cal = WorkCalendar::new(calendar.unwrap_or(&weekdays), time_zone)?;
    let mut day = crate::calendar::local_date(cal.tz(), received);
    let mut found = 0;
    for _ in 0..3700 {
        day = day
            .succ_opt()
            .ok_or_else(|| Error::Invalid("date overflow".into()))?;
        if let Some(close) = cal.closing(day) {
            found += 1;
            if found == 2 {
                return Ok(close);
            }
        }
    }
    Err(Error::Invalid(
        "the calendar has no working days within ten years".into(),
    ))
}
