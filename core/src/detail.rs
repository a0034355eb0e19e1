//! Everything the job screen shows, computed here once so that both apps render the same answer
//! (ADR 0006: rules never fork): the job JSON, its SLA milestones judged at one instant with the
//! same rule as the job list and the office, the next statuses, which part lines this
//! technician may remove, and the photos' thumbnails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use fieldwork_model::job::Status;
use fieldwork_model::sla::{self, Glance, MilestoneState};
use fieldwork_model::view::JobView;
use tracing::instrument;

use crate::Result;
use crate::device::Device;

/// One SLA milestone as the job screen shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MilestoneDetail {
    /// `response`, `arrival` or `resolution`.
    pub name: &'static str,
    /// Its deadline (epoch ms): on hold, the resolution deadline moves on with the clock.
    pub due: i64,
    pub state: MilestoneState,
    /// When it was met (epoch ms), if it was.
    pub met_at: Option<i64>,
    /// Wall-clock minutes to the deadline while it is still open (pending, at risk or
    /// breached: negative once breached); `None` once met or not needed.
    pub minutes_left: Option<i64>,
}

/// The job screen's content (see the module doc).
#[derive(Clone, Debug)]
pub struct JobDetail {
    /// The job JSON the office also renders, as of `now`.
    pub view: JobView,
    /// The instant the SLA was judged at (epoch ms).
    pub now: i64,
    /// The job list's rule at `now` (`None` without an SLA): the screen's headline.
    pub glance: Option<Glance>,
    /// Response, arrival and resolution, in that order (empty without an SLA).
    pub milestones: Vec<MilestoneDetail>,
    /// When a loaner is owed if the job is not fixed (epoch ms), with an SLA.
    pub loaner_due: Option<i64>,
    /// The statuses the technician may move the job to next.
    pub offered: Vec<Status>,
    /// This device's technician: the author of the notes and lines it may edit.
    pub me: String,
    /// The names of the technicians the office assigned the job to (id -> name).
    pub people: BTreeMap<String, String>,
    /// Photos whose bytes this device holds (taken here).
    pub on_device: BTreeSet<String>,
    /// Local changes the office has not acknowledged yet.
    pub pending_sync: bool,
    /// Why the office refused this job's last changes, if it did (the office's words).
    pub sync_error: Option<String>,
    /// Thumbnail files of those photos, on a store kept plain (an encrypted store keeps no
    /// picture in the clear: ask [`Device::photo_thumbnail`] for the bytes instead).
    pub thumbnails: BTreeMap<String, PathBuf>,
}

impl Device {
    /// Everything the job screen shows for one of the technician's jobs, as of `now` (epoch ms).
    #[instrument(skip(self), level = "debug")]
    pub fn job_detail(&self, id: &str, now: i64) -> Result<JobDetail> {
        // One read of the document for both the view and the clocks.
        let (view, data, (pending_sync, sync_error)) = {
            let mut inner = self.inner.lock();
            inner.visible(id)?;
            let data = inner.doc(id)?.data()?;
            let view = inner.mark_uploaded(JobView::from_data(&data, now)?)?;
            let sync: (bool, Option<String>) = inner.conn.query_row(
                "SELECT dirty, wedged FROM docs WHERE job_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            (view, data, sync)
        };
        let me = self.enrollment().map(|e| e.technician).unwrap_or_default();
        let clocks = sla::clocks(&data, now)?;
        // The list's rule over the same clocks (`sla::glance`, without evaluating them twice).
        let glance = clocks.as_ref().map(|c| {
            sla::glance_of(&[
                ("response", c.response.0, c.respond_by),
                ("arrival", c.arrival.0, c.arrive_by),
                ("resolution", c.resolution.0, c.resolve_by),
            ])
        });
        let milestones = clocks
            .as_ref()
            .map(|c| {
                [
                    ("response", c.respond_by, c.response),
                    ("arrival", c.arrive_by, c.arrival),
                    ("resolution", c.resolve_by, c.resolution),
                ]
                .into_iter()
                .map(|(name, due, (state, met_at))| MilestoneDetail {
                    name,
                    due,
                    state,
                    met_at,
                    minutes_left: open(state).then(|| minutes_between(now, due)),
                })
                .collect()
            })
            .unwrap_or_default();
        let mut on_device = BTreeSet::new();
        let mut thumbnails = BTreeMap::new();
        for photo in &view.attachments {
            if self.attachments_dir().join(&photo.id).exists() {
                on_device.insert(photo.id.clone());
            }
            if let Some(path) = self.thumbnail_path(&photo.id) {
                thumbnails.insert(photo.id.clone(), path);
            }
        }
        Ok(JobDetail {
            offered: fieldwork_model::status::offered(view.status),
            view,
            now,
            glance,
            milestones,
            loaner_due: clocks.as_ref().map(|c| c.loaner_due_by),
            me,
            people: data.people,
            on_device,
            pending_sync,
            sync_error,
            thumbnails,
        })
    }
}

/// Whether a milestone still has a deadline ahead of it or just behind it.
fn open(state: MilestoneState) -> bool {
    matches!(
        state,
        MilestoneState::Pending | MilestoneState::AtRisk | MilestoneState::Breached
    )
}

/// Whole minutes from `now` to `due`, rounded down, as the job list counts them
/// ([`Glance::minutes_left`]): 30 s overdue is -1.
fn minutes_between(now: i64, due: i64) -> i64 {
    (due - now).div_euclid(60_000)
}
