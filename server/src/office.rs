//! The office's rules over its stored registers: each function looks up what a rule in
//! `fieldwork_office` needs, hands it over, and stores the outcome. Called on a blocking
//! thread (inside [`crate::state::AppState::blocking`]); the rules themselves do no I/O.

use fieldwork_model::{DISPATCH_ACTOR, JobDocument, JobTerms, NewJob};
use fieldwork_office::escalations::{self, Escalation};
use fieldwork_office::terms::{self, HISTORY_IN_JOB};
use fieldwork_store::{JobFilter, Storage};

use crate::{Error, Result};

/// Completes a job request with the office's terms: a registered asset's dates, model and
/// contract, the asset's history, and the job kind.
pub fn job_terms(s: &dyn Storage, new: &mut NewJob) -> Result<JobTerms> {
    let asset = match new.asset.serial.as_str() {
        "" => None,
        serial => s.asset(serial)?,
    };
    let contract =
        match terms::fill_from_asset(new, asset.as_ref()) {
            Some(id) => Some(s.contract(&id)?.ok_or_else(|| {
                Error::BadRequest("unknown_contract", format!("no contract {id}"))
            })?),
            None => None,
        };
    let earlier = match new.asset.serial.as_str() {
        "" => Vec::new(),
        serial => s.asset_history(serial, Some(HISTORY_IN_JOB))?,
    };
    Ok(terms::job_terms(new, contract, &earlier))
}

/// The KPIs of the jobs reported in `[from, to)`, judged as of `now`; only jobs whose site is in
/// `region` (`city`, `province`, `remote`) when given.
pub fn kpi_report(
    s: &dyn Storage,
    from: i64,
    to: i64,
    now: i64,
    region: Option<&str>,
) -> Result<fieldwork_office::kpi::Kpis> {
    Ok(fieldwork_office::kpi::report(
        s.reported_between(from, to)?,
        s.followups(false)?,
        s.complaints(None)?,
        now,
        region,
    )?)
}

/// Open jobs' milestones `at_risk` or `breached` as of `now` (one technician's when given),
/// most urgent deadline first.
pub fn escalation_rows(
    s: &dyn Storage,
    now: i64,
    technician: Option<String>,
) -> Result<Vec<Escalation>> {
    let filter = JobFilter {
        technician,
        open_only: true,
        // Every open job: escalations are few, but any open job may have one.
        limit: 100_000,
        ..JobFilter::default()
    };
    let per_job = s.map_contents(&filter, |data| -> Result<_> {
        Ok(escalations::of_job(&data, now)?)
    })?;
    let mut rows: Vec<Escalation> = per_job.into_iter().flatten().collect();
    escalations::sort(&mut rows);
    Ok(rows)
}

/// Creates every plan's inspection jobs due by `through` that do not exist yet (ids from
/// [`fieldwork_office::maintenance::inspection_id`], so running it again creates nothing
/// twice). Returns the new ids.
pub fn generate_inspections(s: &dyn Storage, through: chrono::NaiveDate) -> Result<Vec<String>> {
    let mut created = Vec::new();
    for (id, plan) in s.plans()? {
        let asset = s
            .asset(&plan.asset)?
            .ok_or_else(|| Error::Internal(format!("plan {id} lost its asset")))?;
        // A plan without a site of its own on an asset without one has nowhere to send anyone.
        let Some(site) = plan.site.clone().or(asset.site.clone()) else {
            continue;
        };
        for due in plan.schedule()?.due_dates(through, 1000) {
            let job_id = fieldwork_office::maintenance::inspection_id(&id, due);
            if s.job_exists(&job_id)? {
                continue;
            }
            let mut new = fieldwork_office::maintenance::inspection_job(
                &job_id,
                &plan,
                &asset,
                site.clone(),
                due,
            )?;
            let terms = job_terms(s, &mut new)?;
            let mut doc = JobDocument::create_with_terms(
                &job_id,
                &new,
                &terms,
                DISPATCH_ACTOR,
                chrono::Utc::now().timestamp_millis(),
                s.actor()?,
            )?;
            name_assignee(s, &mut doc)?;
            s.create_job(&doc)?;
            created.push(job_id);
        }
    }
    Ok(created)
}

/// The registered name of a technician, if they exist.
pub fn technician_name(s: &dyn Storage, id: &str) -> Result<Option<String>> {
    Ok(s.technicians()?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| t.name))
}

/// Records the assignee's name in a new job's document (`JobDocument::set_person`), so that the
/// phones can name the authors of its notes.
pub fn name_assignee(s: &dyn Storage, doc: &mut JobDocument) -> Result<()> {
    if let Some(t) = doc.derived()?.technician
        && let Some(name) = technician_name(s, &t)?
    {
        doc.set_person(&t, &name)?;
    }
    Ok(())
}
