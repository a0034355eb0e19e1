//! Service contracts as dispatch registers them (`POST /api/v1/contracts`), and everything
//! computed from a valid one over times and dates the office accepts.
//!
//! The input is the contract's JSON, optionally followed by a NUL byte and the bytes that pick
//! the case (site zone and region, report time, status events, holds, labour, parts,
//! diagnosis, loaners, asset dates and history, `now`, a maintenance plan, a complaint). A
//! contract that parses and validates must: survive the JSON round trip it makes inside the job
//! document; give SLA clocks whose deadlines spend exactly their budget of counted time
//! (`WorkCalendar::deadline` and `elapsed` agree); give the warranty situation, charges and the
//! job JSON (`JobView::from_data`), the complaint due time, and maintenance due dates, none of
//! them panicking.
#![no_main]

use std::collections::BTreeMap;

use arbitrary::{Arbitrary, Unstructured};
use chrono::NaiveDate;
use fieldwork_fuzz::{OTHER_TECH, TECH, in_window};
use fieldwork_model::calendar::WorkCalendar;
use fieldwork_model::job::{
    Diagnosis, HistoryEntry, JobKind, LoanAction, LoanerEvent, PartLine, Removal, StatusEvent,
    TimeEntry,
};
use fieldwork_office::maintenance::{ChecklistEntry, MaintenancePlan, Season};
use fieldwork_model::{
    Asset, Cause, Contract, Customer, JobData, JobView, Priority, RegionClass, Site, Status,
    TimeKind, sla, warranty,
};
use libfuzzer_sys::fuzz_target;

const ZONES: &[&str] = &[
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "UTC",
];

/// A date in the years the office accepts (1900 to 2100), as days after 1900-01-01.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Date(u16);

impl Date {
    fn naive(self) -> NaiveDate {
        let first = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        first + chrono::Duration::days(i64::from(self.0) % 73_414)
    }
    fn text(self) -> String {
        self.naive().format("%Y-%m-%d").to_string()
    }
}

#[derive(Arbitrary, Debug)]
struct Case {
    zone: u8,
    region: u8,
    inspection: bool,
    reported: u32,
    now: u32,
    events: Vec<(u8, u32, bool)>,
    labour: Vec<(bool, u32, u32)>,
    parts: Vec<(u32, Option<i64>, Option<i64>, bool)>,
    cause: Option<(u8, u32)>,
    loaners: Vec<(bool, u8, u32)>,
    installed: Option<Date>,
    accepted: Option<Date>,
    history: Vec<(u32, bool, Option<u8>, bool)>,
    budget_minutes: u32,
    plan: Plan,
    complaint: u32,
}

#[derive(Arbitrary, Debug)]
struct Plan {
    every_months: Option<u8>,
    frequency: u8,
    first_due: Date,
    until: Option<Date>,
    season: Option<(Date, Date)>,
    through: Date,
    limit: u16,
}

const STATUSES: &[Status] = &[
    Status::Accepted,
    Status::EnRoute,
    Status::OnSite,
    Status::InProgress,
    Status::OnHold,
    Status::Completed,
    Status::Assigned,
    Status::Cancelled,
];

fn pick<T: Copy>(list: &[T], i: u8) -> T {
    list[usize::from(i) % list.len()]
}

fn job(contract: &Contract, case: &Case) -> JobData {
    let zone = pick(ZONES, case.zone);
    let reported_at = in_window(case.reported);
    let id = |i: usize| format!("{i:04}");
    let mut events = BTreeMap::new();
    events.insert(
        id(0),
        StatusEvent {
            status: Status::Assigned,
            at: reported_at,
            by: "dispatch".into(),
            technician: Some(TECH.into()),
            reason: None,
        },
    );
    for (i, &(s, at, other)) in case.events.iter().enumerate() {
        let status = pick(STATUSES, s);
        events.insert(
            id(i + 1),
            StatusEvent {
                status,
                at: in_window(at),
                by: if other { OTHER_TECH } else { TECH }.into(),
                technician: (status == Status::Assigned).then(|| TECH.into()),
                reason: None,
            },
        );
    }
    let time = case
        .labour
        .iter()
        .enumerate()
        .map(|(i, &(travel, start, end))| {
            let kind = if travel {
                TimeKind::Travel
            } else {
                TimeKind::Labour
            };
            let (start, end) = (in_window(start), in_window(end));
            let by = TECH.into();
            (
                id(i),
                TimeEntry {
                    kind,
                    start,
                    end,
                    by,
                },
            )
        })
        .collect();
    let parts = case
        .parts
        .iter()
        .enumerate()
        .map(|(i, &(qty, unit_cost, unit_price, removed))| {
            let line = PartLine {
                sku: "FAN-40".into(),
                description: String::new(),
                qty,
                serial_in: None,
                serial_out: None,
                stock: None,
                added_by: TECH.into(),
                added_at: reported_at,
                removed: removed.then(|| Removal {
                    by: TECH.into(),
                    at: reported_at,
                }),
                unit_cost,
                unit_price,
            };
            (id(i), line)
        })
        .collect();
    let diagnoses = case
        .cause
        .iter()
        .map(|&(cause, at)| {
            let d = Diagnosis {
                cause: pick(Cause::ALL, cause),
                fault_code: "E-HP".into(),
                action: None,
                by: TECH.into(),
                at: in_window(at),
            };
            (id(0), d)
        })
        .collect();
    let loaners = case
        .loaners
        .iter()
        .enumerate()
        .map(|(i, &(issue, serial, at))| {
            let e = LoanerEvent {
                action: if issue {
                    LoanAction::Issue
                } else {
                    LoanAction::Return
                },
                serial: format!("LN-{}", serial % 3),
                model: None,
                by: TECH.into(),
                at: in_window(at),
            };
            (id(i), e)
        })
        .collect();
    let asset_history = case
        .history
        .iter()
        .enumerate()
        .map(|(i, &(at, completed, cause, same_fault))| HistoryEntry {
            job: format!("J-{i}"),
            reported_at: in_window(at),
            status: if completed {
                Status::Completed
            } else {
                Status::Cancelled
            },
            completed_at: completed.then(|| in_window(at)),
            cause: cause.map(|c| pick(Cause::ALL, c)),
            fault_code: Some(if same_fault { "E-HP" } else { "E-LP" }.into()),
            action: None,
            parts: vec![],
        })
        .collect();
    JobData {
        schema: 1,
        id: "J-1".into(),
        customer: Customer {
            name: "Harbour Clinic".into(),
            phone: String::new(),
            email: None,
        },
        site: Site {
            address: "88 Quay Road".into(),
            region: pick(RegionClass::ALL, case.region),
            time_zone: zone.into(),
        },
        asset: Asset {
            serial: "CH-1".into(),
            model: "Chiller".into(),
            installation_date: case.installed.map(Date::text),
            acceptance_date: case.accepted.map(Date::text),
        },
        problem: "Chiller trips".into(),
        channel: None,
        priority: Priority::Normal,
        reported_at,
        scheduled_start: None,
        scheduled_end: None,
        events,
        notes: BTreeMap::new(),
        time,
        parts,
        kind: if case.inspection {
            JobKind::Inspection
        } else {
            JobKind::Repair
        },
        contract: Some(contract.clone()),
        asset_history,
        checklist: vec![],
        diagnoses,
        loaners,
        checks: BTreeMap::new(),
        attachments: BTreeMap::new(),
        reports: BTreeMap::new(),
        people: BTreeMap::new(),
    }
}

fn plan(p: &Plan) -> MaintenancePlan {
    let month_day = |d: Date| d.naive().format("%m-%d").to_string();
    MaintenancePlan {
        id: None,
        asset: "CH-1".into(),
        every_months: p.every_months.map(u32::from),
        frequency: p.every_months.is_none().then(|| {
            pick(
                &["monthly", "quarterly", "half_yearly", "yearly"],
                p.frequency,
            )
            .to_string()
        }),
        first_due: p.first_due.text(),
        until: p.until.map(Date::text),
        season: p.season.map(|(from, to)| Season {
            from: month_day(from),
            to: month_day(to),
        }),
        checklist: vec![ChecklistEntry::Label("Filters".into())],
        name: None,
        technician: None,
        site: None,
    }
}

fuzz_target!(|data: &[u8]| {
    let (json, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(contract) = serde_json::from_slice::<Contract>(json) else {
        return;
    };
    if contract.validate().is_err() {
        return;
    }
    // The job document carries the contract as JSON text.
    let text = serde_json::to_string(&contract).unwrap();
    let again: Contract = serde_json::from_str(&text).expect("a valid contract re-parses");
    assert_eq!(again, contract);
    again.validate().expect("and is still valid");

    let Ok(case) = Case::arbitrary_take_rest(Unstructured::new(rest)) else {
        return;
    };
    let d = job(&contract, &case);
    let now = in_window(case.now);
    let zone = d.site.time_zone.as_str();

    let cal = WorkCalendar::new(&contract.sla.calendar, zone).expect("a valid calendar binds");
    let budget = i64::from(case.budget_minutes % (366 * 24 * 60)) * 60_000;
    let holds: Vec<(i64, i64)> = case
        .labour
        .iter()
        .map(|&(_, a, b)| (in_window(a), in_window(b)))
        .collect();
    for paused in [&[][..], &holds[..]] {
        if let Ok(due) = cal.deadline(d.reported_at, budget, paused) {
            assert!(due >= d.reported_at);
            assert_eq!(
                cal.elapsed(d.reported_at, due, paused),
                budget,
                "a deadline spends exactly its budget"
            );
        }
    }
    let _ = cal.closing(case.installed.unwrap_or(Date(46_000)).naive());

    let _ = sla::view(&d, now);
    let _ = sla::next_deadline(&d, now);
    let _ = warranty::warranty_view(&d);
    let _ = warranty::charges(&d);
    let _ = warranty::replacement_recommended(&d);
    let _ = JobView::from_data(&d, now);
    let _ = sla::complaint_due(
        Some(&contract.sla.calendar),
        zone,
        in_window(case.complaint),
    );

    if let Ok(schedule) = plan(&case.plan).schedule() {
        let limit = usize::from(case.plan.limit % 1001);
        let dates = schedule.due_dates(case.plan.through.naive(), limit);
        assert!(dates.len() <= limit);
        assert!(dates.windows(2).all(|w| w[0] < w[1]), "due dates ascend");
    }
});
