//! Service KPIs for dispatch (DOMAIN "Quality figures"): SLA attainment, first-time fix, mean
//! time to repair, loaners, callbacks, satisfaction and complaint handling over a set of jobs.
//!
//! Definitions (docs/sla-and-charges.md):
//! - *within SLA* rates count repair jobs whose milestone is decided (`met` or `breached`);
//! - *first-time fix*: completed repair jobs with at most one `on_site` event;
//! - *mean time to repair*: completion minus report time, over completed repair jobs;
//! - *callback rate*: completed jobs with a recorded follow-up (回访率: the plans promise every
//!   in-warranty customer a call back); *satisfaction rate*: recorded follow-ups that are
//!   `satisfied`;
//! - *repeat-repair rate*: repair jobs on a known asset reported within
//!   [`REPEAT_WINDOW_DAYS`] of an earlier job on that asset being completed (from the asset
//!   history the job carries), of the repair jobs on a known asset;
//! - *complaints answered in time*: answered by their due time, of those answered or overdue
//!   (the server passes the complaints against the jobs in the range).

use serde::{Deserialize, Serialize};

use fieldwork_model::Result;
use fieldwork_model::job::{JobData, JobKind, LoanAction, Status};
use fieldwork_model::sla::{self, MilestoneState};
use fieldwork_model::status;

/// A repair within this many days of the asset's last completed job counts as a repeat: the
/// first fix did not hold (the industry's usual window for repeat visits).
pub const REPEAT_WINDOW_DAYS: i64 = 30;

/// A rate: `count` of `of`, with the percentage to one decimal (`null` when `of` is 0).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    pub count: u64,
    pub of: u64,
    pub percent: Option<f64>,
}

impl Rate {
    pub(crate) fn add(&mut self, hit: bool) {
        self.of += 1;
        if hit {
            self.count += 1;
        }
    }

    pub(crate) fn finish(mut self) -> Rate {
        self.percent = (self.of > 0).then(|| {
            let tenths = (self.count * 2000 + self.of) / (2 * self.of);
            tenths as f64 / 10.0
        });
        self
    }
}

/// A job with what the office recorded about it outside the document.
pub struct JobFacts<'a> {
    pub job: &'a JobData,
    /// The follow-up's satisfaction, if one was recorded.
    pub followup: Option<&'a str>,
}

/// A complaint's deadline and answer time (epoch ms).
pub struct ComplaintFacts {
    pub due_at: i64,
    pub answered_at: Option<i64>,
}

/// The body of `GET /api/v1/kpis`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpis {
    pub jobs: u64,
    pub completed: u64,
    pub response_within_sla: Rate,
    pub arrival_within_sla: Rate,
    pub resolution_within_sla: Rate,
    pub first_time_fix_rate: Rate,
    pub mean_time_to_repair_minutes: Option<f64>,
    pub loaners_issued: u64,
    pub callback_rate: Rate,
    /// See the module doc; added after the others, so older readers may lack it.
    #[serde(default)]
    pub repeat_repair_rate: Rate,
    pub satisfaction_rate: Rate,
    pub complaints_answered_in_time: Rate,
}

/// Computes the KPIs as of `now` (epoch ms).
pub fn compute(jobs: &[JobFacts<'_>], complaints: &[ComplaintFacts], now: i64) -> Result<Kpis> {
    let mut k = Kpis::default();
    let mut repair_ms: i64 = 0;
    let mut repairs: i64 = 0;
    for f in jobs {
        let d = f.job;
        k.jobs += 1;
        k.loaners_issued += d
            .loaners
            .values()
            .filter(|l| l.action == LoanAction::Issue)
            .count() as u64;
        let derived = status::derive(&d.events);
        let completed_at = status::first_at(&d.events, Status::Completed);
        if d.kind == JobKind::Repair && !d.asset.serial.is_empty() {
            let window = REPEAT_WINDOW_DAYS * 86_400_000;
            let repeat = d.asset_history.iter().any(|h| {
                h.completed_at
                    .is_some_and(|done| done <= d.reported_at && d.reported_at - done <= window)
            });
            k.repeat_repair_rate.add(repeat);
        }
        if let Some(clocks) = sla::clocks(d, now)? {
            for (rate, (state, _)) in [
                (&mut k.response_within_sla, clocks.response),
                (&mut k.arrival_within_sla, clocks.arrival),
                (&mut k.resolution_within_sla, clocks.resolution),
            ] {
                match state {
                    MilestoneState::Met => rate.add(true),
                    MilestoneState::Breached => rate.add(false),
                    _ => {}
                }
            }
        }
        if derived.status != Status::Completed {
            continue;
        }
        k.completed += 1;
        // A call that did not reach the customer is no callback yet.
        let reached = f.followup.filter(|s| crate::complaints::reached(s));
        k.callback_rate.add(reached.is_some());
        if let Some(s) = reached {
            k.satisfaction_rate.add(s == "satisfied");
        }
        if d.kind == JobKind::Repair
            && let Some(done) = completed_at
        {
            let visits = d
                .events
                .values()
                .filter(|e| e.status == Status::OnSite)
                .count();
            k.first_time_fix_rate.add(visits <= 1);
            repair_ms += (done - d.reported_at).max(0);
            repairs += 1;
        }
    }
    for c in complaints {
        match c.answered_at {
            Some(t) => k.complaints_answered_in_time.add(t <= c.due_at),
            None if now > c.due_at => k.complaints_answered_in_time.add(false),
            None => {}
        }
    }
    k.mean_time_to_repair_minutes = (repairs > 0).then(|| {
        let tenths = (2 * repair_ms + 6_000 * repairs) / (12_000 * repairs);
        tenths as f64 / 10.0
    });
    for r in [
        &mut k.response_within_sla,
        &mut k.arrival_within_sla,
        &mut k.resolution_within_sla,
        &mut k.first_time_fix_rate,
        &mut k.callback_rate,
        &mut k.repeat_repair_rate,
        &mut k.satisfaction_rate,
        &mut k.complaints_answered_in_time,
    ] {
        *r = std::mem::take(r).finish();
    }
    Ok(k)
}
/// The KPIs of `jobs` (those reported in the period) judged as of `now`, keeping only jobs
/// whose site is in `region` (`city`, `province`, `remote`) when given. `followups` and
/// `complaints` may hold every job's: only those of the jobs kept count.
pub fn report(
    jobs: Vec<JobData>,
    followups: Vec<crate::FollowupRow>,
    complaints: Vec<crate::Complaint>,
    now: i64,
    region: Option<&str>,
) -> Result<Kpis> {
    let jobs: Vec<JobData> = jobs
        .into_iter()
        .filter(|job| region.is_none_or(|r| job.site.region.as_str() == r))
        .collect();
    let followups: std::collections::HashMap<String, String> = followups
        .into_iter()
        .filter_map(|r| r.record.map(|f| (r.job, f.satisfaction)))
        .collect();
    let facts: Vec<_> = jobs
        .iter()
        .map(|job| JobFacts {
            job,
            followup: followups.get(&job.id).map(String::as_str),
        })
        .collect();
    let kept: std::collections::HashSet<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    let complaints: Vec<_> = complaints
        .into_iter()
        .filter(|c| kept.contains(c.job.as_str()))
        .map(|c| ComplaintFacts {
            due_at: c.due_at,
            answered_at: c.answered_at,
        })
        .collect();
    compute(&facts, &complaints, now)
}
