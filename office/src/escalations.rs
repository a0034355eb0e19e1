//! Escalations: an open job's SLA milestone that is at risk or breached escalates to
//! dispatch, most urgent deadline first. The clocks themselves are `fieldwork_model::sla`'s,
//! the same the phone shows.

use fieldwork_model::Result;
use fieldwork_model::job::JobData;
use fieldwork_model::sla::MilestoneState;

/// An SLA milestone at risk or breached on an open job.
#[derive(Clone, Debug, PartialEq)]
pub struct Escalation {
    /// The milestone's deadline (epoch ms).
    pub due: i64,
    pub job: String,
    pub technician: Option<String>,
    /// `response`, `arrival` or `resolution`.
    pub milestone: &'static str,
    pub state: MilestoneState,
}

/// A job's milestones that escalate as of `now`: at risk or breached. None for a job without
/// SLA clocks (no contract, or an inspection).
pub fn of_job(data: &JobData, now: i64) -> Result<Vec<Escalation>> {
    let Some(c) = fieldwork_model::sla::clocks(data, now)? else {
        return Ok(Vec::new());
    };
    let technician = fieldwork_model::status::derive(&data.events).technician;
    Ok([
        ("response", c.response, c.respond_by),
        ("arrival", c.arrival, c.arrive_by),
        ("resolution", c.resolution, c.resolve_by),
    ]
    .into_iter()
    // Pending and met clocks need nobody; at risk (80 % of the budget spent) and breached do.
    .filter(|(_, (state, _), _)| matches!(state, MilestoneState::AtRisk | MilestoneState::Breached))
    .map(|(milestone, (state, _), due)| Escalation {
        due,
        job: data.id.clone(),
        technician: technician.clone(),
        milestone,
        state,
    })
    .collect())
}

/// Most urgent first: by deadline, then job id (a stable order for equal deadlines).
pub fn sort(rows: &mut [Escalation]) {
    rows.sort_by(|a, b| (a.due, &a.job).cmp(&(b.due, &b.job)));
}
