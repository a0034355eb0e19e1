//! The day on a time axis (`/timeline?day=`): one row per
//! technician over the office's day, each scheduled job a block from its start to its end (or
//! its expected duration), its next SLA deadline marked on the axis with the risk in words, and
//! a tray of unassigned jobs. Dispatch drags a block (or a job with no time yet) to a row and
//! a time to assign and reschedule it, or onto the tray to unassign it (`console.js`, the
//! `PATCH` the API takes); every drag has a form below the board for the keyboard, and the
//! last drag can be undone. The console's default page.
//!
//! The hooks the tests and the coming drag rely on: each block `data-job`, each row
//! `data-technician` (the tray `""`), and the axis `data-axis-start` / `data-axis-end` (RFC 3339
//! in the office zone); a time maps to the axis' width linearly.

use super::SignedIn;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::TimeZone;
use fieldwork_model::JobView;
use fieldwork_model::time::parse_rfc3339;

use super::i18n::Words;
use super::{office_today, office_zone, page, query_date, words};
use crate::state::AppState;

/// A job without an end is drawn this long: a typical repair visit.
const EXPECTED_MINUTES: i64 = 120;
/// The narrowest block, in percent of the day: a short job stays clickable and readable.
const MIN_WIDTH_PCT: f64 = 2.0;
/// The shaded working hours (office time): the demo contract's calendar. Per-technician
/// calendars would move this into the technician register.
const WORK_HOURS: (u32, u32) = (8, 18);

#[derive(serde::Deserialize, Default)]
pub(super) struct DayQuery {
    day: Option<String>,
    /// `week`: the seven days from the Monday of `day` (planning); else the day.
    span: Option<String>,
    /// `/timeline/jobs`: the changed jobs, comma-separated.
    jobs: Option<String>,
}

/// The time the page spans: a day, or the week (Monday to Monday in the office's zone) of it.
struct Axis {
    day: chrono::NaiveDate,
    week: bool,
    days: Vec<chrono::NaiveDate>,
    /// Its start and end, epoch ms; linear in time between them.
    bounds: (i64, i64),
}

impl Axis {
    fn of(q: &DayQuery, zone: chrono_tz::Tz) -> Axis {
        let day = query_date(q.day.as_deref()).unwrap_or_else(office_today);
        let midnight = |d: chrono::NaiveDate| {
            zone.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                .earliest()
                .map(|t| t.timestamp_millis())
                .unwrap_or(0)
        };
        let week = q.span.as_deref() == Some("week");
        let first = if week {
            day - chrono::Days::new(u64::from(
                chrono::Datelike::weekday(&day).num_days_from_monday(),
            ))
        } else {
            day
        };
        let days: Vec<chrono::NaiveDate> =
            first.iter_days().take(if week { 7 } else { 1 }).collect();
        let last = days.last().copied().unwrap_or(first);
        let bounds = (midnight(first), midnight(last.succ_opt().unwrap_or(last)));
        Axis {
            day,
            week,
            days,
            bounds,
        }
    }
}

/// Most jobs one `/timeline/jobs` request redraws: a change event names a handful; more than
/// this and the page re-fetches itself whole.
const CHANGED_JOBS: usize = 50;

/// `GET /timeline/jobs?day=&span=&jobs=J-1,J-2`: the named jobs as the day plan on that day
/// draws them (`timeline_jobs.html`), for a live change to redraw a few blocks instead of the
/// whole board (a thousand jobs are several hundred kilobytes).
pub(super) async fn timeline_jobs(
    State(state): State<AppState>,
    _: SignedIn,
    headers: HeaderMap,
    Query(q): Query<DayQuery>,
) -> Response {
    let ids: Vec<String> = q
        .jobs
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect();
    if ids.is_empty() || ids.len() > CHANGED_JOBS {
        return crate::Error::BadRequest(
            "invalid",
            format!("jobs: name 1 to {CHANGED_JOBS} jobs, comma-separated"),
        )
        .into_response();
    }
    let w = words(&headers);
    let zone = office_zone();
    let axis = Axis::of(&q, zone);
    let render_state = state.clone();
    let now = chrono::Utc::now().timestamp_millis();
    let views = state
        .blocking(move |s| {
            s.job_contents_of(&ids)?
                .iter()
                .map(|data| render_state.render_data(data, now))
                .collect::<crate::Result<Vec<_>>>()
        })
        .await;
    match views {
        Ok(views) => page(TimelineJobs {
            w,
            placed: views
                .iter()
                .map(|v| place(v, axis.bounds, zone, w))
                .collect(),
        }),
        Err(e) => e.into_response(),
    }
}

/// Where something sits on the axis, in percent of its width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Span {
    pub left: f64,
    pub width: f64,
}

/// The span of `[start, end)` (epoch ms) on an axis over `[axis_start, axis_end)`, clipped to
/// it; `None` when it lies wholly outside.
pub(crate) fn span(start: i64, end: i64, axis_start: i64, axis_end: i64) -> Option<Span> {
    let length = (axis_end - axis_start) as f64;
    if end <= axis_start || start >= axis_end || length <= 0.0 {
        return None;
    }
    let from = start.max(axis_start);
    let to = end.min(axis_end);
    let left = (from - axis_start) as f64 * 100.0 / length;
    let width = ((to - from) as f64 * 100.0 / length).max(MIN_WIDTH_PCT);
    Some(Span {
        left,
        width: width.min(100.0 - left),
    })
}

struct Block {
    id: String,
    customer: String,
    status: &'static str,
    priority: &'static str,
    span: Span,
    /// `10:00–12:00`, office time.
    times: String,
    /// Its times (epoch ms): a drag keeps its length.
    start_ms: i64,
    end_ms: i64,
}

struct Deadline {
    job: String,
    at: f64,
    /// `breached`, `at_risk` or `pending`.
    risk: &'static str,
    words: String,
}

struct Row {
    technician: String,
    title: String,
    blocks: Vec<Block>,
    deadlines: Vec<Deadline>,
    /// Open jobs of this row with no time yet.
    unscheduled: Vec<Unscheduled>,
}

/// An open job with no time yet, listed by its row's name; dragged onto the axis it lasts
/// `length_ms`.
struct Unscheduled {
    id: String,
    customer: String,
    length_ms: i64,
}

/// One job as the day plan draws it: in its technician's row (`""`: the tray), its block if
/// it falls on the axis, its next open deadline, or a chip if it has no time yet.
struct Placed {
    job: String,
    technician: String,
    block: Option<Block>,
    deadline: Option<Deadline>,
    unscheduled: Option<Unscheduled>,
}

/// The jobs that changed, for an open day plan to swap in (`/timeline/jobs`).
#[derive(Template)]
#[template(path = "timeline_jobs.html")]
struct TimelineJobs {
    w: &'static Words,
    placed: Vec<Placed>,
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    w: &'static Words,
    user: String,
    csrf: String,
    live: u8,
    day: String,
    axis_start: String,
    axis_end: String,
    /// The axis' labels (`08:00`, or `Mon 12-07` on a week) and where they sit.
    labels: Vec<(String, f64)>,
    /// The shaded working hours, one span per day.
    work: Vec<Span>,
    week: bool,
    now: Option<f64>,
    rows: Vec<Row>,
    technicians: Vec<fieldwork_store::Technician>,
}

/// Where one job goes on the day plan: its block, its open deadline, or its no-time chip.
fn place(v: &JobView, axis: (i64, i64), zone: chrono_tz::Tz, w: &Words) -> Placed {
    let clock = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.with_timezone(&zone).format("%H:%M").to_string())
            .unwrap_or_default()
    };
    let block = v
        .scheduled_start
        .as_deref()
        .and_then(|s| parse_rfc3339("scheduled_start", s).ok())
        .and_then(|start| {
            let end = v
                .scheduled_end
                .as_deref()
                .and_then(|e| parse_rfc3339("scheduled_end", e).ok())
                .filter(|e| *e > start)
                .unwrap_or(start + EXPECTED_MINUTES * 60_000);
            span(start, end, axis.0, axis.1).map(|span| Block {
                start_ms: start,
                end_ms: end,
                id: v.id.clone(),
                customer: v.customer.name.clone(),
                status: v.status.as_str(),
                priority: v.priority.as_str(),
                span,
                times: format!("{}–{}", clock(start), clock(end)),
            })
        });
    let deadline = super::board::next_open_milestone(v).and_then(|(name, state, due)| {
        let due_ms = parse_rfc3339("due", due).ok()?;
        let at = span(due_ms, due_ms + 1, axis.0, axis.1)?.left;
        Some(Deadline {
            job: v.id.clone(),
            at,
            risk: state.as_str(),
            words: format!(
                "{} {} {} · {}",
                v.id,
                w.milestone(name),
                clock(due_ms),
                w.milestone_state(state.as_str())
            ),
        })
    });
    // An ended job keeps its block (what happened) but has no deadline to meet.
    let open = !matches!(v.status.as_str(), "completed" | "cancelled");
    let unscheduled = (open && v.scheduled_start.is_none()).then(|| Unscheduled {
        id: v.id.clone(),
        customer: v.customer.name.clone(),
        length_ms: EXPECTED_MINUTES * 60_000,
    });
    Placed {
        job: v.id.clone(),
        technician: v.technician.clone().unwrap_or_default(),
        block,
        deadline: deadline.filter(|_| open),
        unscheduled,
    }
}

pub(super) async fn timeline(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    headers: HeaderMap,
    Query(q): Query<DayQuery>,
) -> Response {
    let w = words(&headers);
    let zone = office_zone();
    let axis = Axis::of(&q, zone);
    let (day, week, days) = (axis.day, axis.week, axis.days.clone());
    let render_state = state.clone();
    let loaded = state
        .blocking(move |s| Ok((super::all_views(s, &render_state)?, s.technicians()?)))
        .await;
    let (views, technicians) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let mut rows: Vec<Row> = std::iter::once(Row {
        technician: String::new(),
        title: w.unassigned.to_string(),
        blocks: Vec::new(),
        deadlines: Vec::new(),
        unscheduled: Vec::new(),
    })
    .chain(technicians.iter().map(|t| Row {
        technician: t.id.clone(),
        title: format!("{} ({})", t.name, t.id),
        blocks: Vec::new(),
        deadlines: Vec::new(),
        unscheduled: Vec::new(),
    }))
    .collect();
    for v in &views {
        let placed = place(v, axis.bounds, zone, w);
        let Some(row) = rows.iter_mut().find(|r| r.technician == placed.technician) else {
            continue;
        };
        row.blocks.extend(placed.block);
        row.deadlines.extend(placed.deadline);
        row.unscheduled.extend(placed.unscheduled);
    }
    let now = chrono::Utc::now().timestamp_millis();
    let at = |d: chrono::NaiveDate, hour: u32| {
        zone.from_local_datetime(&d.and_hms_opt(hour.min(23), 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or(axis.bounds.0)
    };
    let mark = |ms: i64| span(ms, ms + 1, axis.bounds.0, axis.bounds.1).map(|s| s.left);
    let labels: Vec<(String, f64)> = if week {
        days.iter()
            .filter_map(|d| Some((d.format("%a %m-%d").to_string(), mark(at(*d, 0))?)))
            .collect()
    } else {
        (0..24)
            .step_by(2)
            .filter_map(|h| Some((format!("{h:02}:00"), mark(at(day, h))?)))
            .collect()
    };
    let work = days
        .iter()
        .filter_map(|d| {
            span(
                at(*d, WORK_HOURS.0),
                at(*d, WORK_HOURS.1),
                axis.bounds.0,
                axis.bounds.1,
            )
        })
        .collect();
    let rfc = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.with_timezone(&zone).to_rfc3339())
            .unwrap_or_default()
    };
    page(TimelinePage {
        w,
        user: session.user,
        csrf: session.csrf,
        live: 1,
        day: day.to_string(),
        axis_start: rfc(axis.bounds.0),
        axis_end: rfc(axis.bounds.1),
        labels,
        work,
        week,
        now: mark(now),
        rows,
        technicians,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn times_map_to_the_axis_linearly_and_are_clipped_to_it() {
        let day = (0, 24 * H);
        assert_eq!(
            span(6 * H, 12 * H, day.0, day.1),
            Some(Span {
                left: 25.0,
                width: 25.0
            })
        );
        // A job that began yesterday starts at the left edge.
        assert_eq!(
            span(-2 * H, 3 * H, day.0, day.1),
            Some(Span {
                left: 0.0,
                width: 12.5
            })
        );
        // A five-minute job keeps its minimum width, and never runs past the right edge.
        assert_eq!(
            span(12 * H, 12 * H + 300_000, day.0, day.1).unwrap().width,
            MIN_WIDTH_PCT
        );
        assert_eq!(
            span(24 * H - 60_000, 25 * H, day.0, day.1).unwrap().width,
            100.0 - span(24 * H - 60_000, 25 * H, day.0, day.1).unwrap().left
        );
        assert_eq!(span(25 * H, 26 * H, day.0, day.1), None);
        assert_eq!(span(-3 * H, 0, day.0, day.1), None);
    }
}
