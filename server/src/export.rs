//! Exports (issue 22): a table of a period's jobs, visit records or KPIs, written as CSV (for
//! programs: UTF-8, RFC 4180 quoting, a header row) or XLSX (for people: one sheet, a bold
//! frozen header, numbers as numbers). The rows come from the same views the API answers
//! (`JobView`, the KPI report), so an export says what the API says.

use fieldwork_model::JobView;
use fieldwork_office::kpi::{Kpis, Rate};
use fieldwork_office::stock::PartsAccuracy;

use crate::{Error, Result};

/// One cell: text, a number, or nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n as f64)
    }
}

impl From<Option<f64>> for Cell {
    fn from(n: Option<f64>) -> Cell {
        n.map_or(Cell::Empty, Cell::Number)
    }
}

/// A sheet: its name, its header, its rows (each as long as the header).
pub struct Table {
    pub name: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// RFC 4180 CSV with a header row, UTF-8.
    pub fn csv(&self) -> Result<Vec<u8>> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let failed = |e: csv::Error| Error::Internal(format!("csv: {e}"));
        out.write_record(&self.header).map_err(failed)?;
        for row in &self.rows {
            out.write_record(row.iter().map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Number(n) => n.to_string(),
                Cell::Empty => String::new(),
            }))
            .map_err(failed)?;
        }
        out.into_inner()
            .map_err(|e| Error::Internal(format!("csv: {e}")))
    }

    /// An XLSX workbook of one sheet: the header bold and frozen, columns fitted.
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let failed = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("xlsx: {e}"));
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name(self.name).map_err(failed)?;
        for (col, title) in self.header.iter().enumerate() {
            sheet
                .write_string_with_format(0, col as u16, *title, &bold)
                .map_err(failed)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = (r + 1) as u32;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(s) => sheet.write_string(r, col, s).map(|_| ()),
                    Cell::Number(n) => sheet.write_number(r, col, *n).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(failed)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(failed)?;
        sheet.autofit();
        book.save_to_buffer().map_err(failed)
    }
}

/// Jobs reported in the period: who, where, what, when, and how it stands.
pub fn jobs(views: &[JobView]) -> Table {
    let rows = views
        .iter()
        .map(|v| {
            vec![
                v.id.clone().into(),
                v.status.as_str().into(),
                v.priority.as_str().into(),
                v.kind.as_str().into(),
                v.technician.clone().into(),
                v.customer.name.clone().into(),
                v.customer.phone.clone().into(),
                v.site.address.clone().into(),
                v.site.region.as_str().into(),
                v.asset.serial.clone().into(),
                v.asset.model.clone().into(),
                v.problem.clone().into(),
                v.reported_at.clone().into(),
                v.scheduled_start.clone().into(),
                v.scheduled_end.clone().into(),
                v.contract.clone().into(),
                v.report.status.clone().into(),
                v.cancel_reason.clone().into(),
            ]
        })
        .collect();
    Table {
        name: "Jobs",
        header: vec![
            "id",
            "status",
            "priority",
            "kind",
            "technician",
            "customer",
            "phone",
            "address",
            "region",
            "asset_serial",
            "asset_model",
            "problem",
            "reported_at",
            "scheduled_start",
            "scheduled_end",
            "contract",
            "report",
            "cancel_reason",
        ],
        rows,
    }
}

fn minutes(v: &JobView, kind: fieldwork_model::TimeKind) -> i64 {
    v.time
        .iter()
        .filter(|t| t.kind == kind)
        .filter_map(|t| {
            let start = fieldwork_model::time::parse_rfc3339("start", &t.start).ok()?;
            let end = fieldwork_model::time::parse_rfc3339("end", &t.end).ok()?;
            Some((end - start) / 60_000)
        })
        .sum()
}

/// The first time a job reached `status` (its events are oldest first).
fn first(v: &JobView, status: &str) -> Option<String> {
    v.events
        .iter()
        .find(|e| e.status.as_str() == status)
        .map(|e| e.at.clone())
}

/// The visit record of each job in the period: the technician's times, the parts used, what
/// is charged and the state of its report.
pub fn visits(views: &[JobView]) -> Table {
    let rows = views
        .iter()
        .map(|v| {
            let parts = v
                .parts
                .iter()
                .filter(|p| !p.removed)
                .map(|p| format!("{} x{}", p.sku, p.qty))
                .collect::<Vec<_>>()
                .join("; ");
            vec![
                v.id.clone().into(),
                v.technician.clone().into(),
                v.customer.name.clone().into(),
                v.status.as_str().into(),
                first(v, "en_route").into(),
                first(v, "on_site").into(),
                first(v, "completed").into(),
                minutes(v, fieldwork_model::TimeKind::Travel).into(),
                minutes(v, fieldwork_model::TimeKind::Labour).into(),
                parts.into(),
                v.charges.as_ref().map(|c| c.total as f64 / 100.0).into(),
                v.charges.as_ref().map(|c| c.currency.clone()).into(),
                v.report.status.clone().into(),
                v.report.version.map(|n| n.to_string()).into(),
            ]
        })
        .collect();
    Table {
        name: "Visits",
        header: vec![
            "job",
            "technician",
            "customer",
            "status",
            "en_route_at",
            "on_site_at",
            "completed_at",
            "travel_minutes",
            "labour_minutes",
            "parts",
            "charges_total",
            "currency",
            "report",
            "report_version",
        ],
        rows,
    }
}

/// The KPIs of the period, one per row, with the count behind each rate.
pub fn kpis(k: &Kpis, parts: &PartsAccuracy) -> Table {
    let rate = |name: &str, r: &Rate| -> Vec<Cell> {
        vec![
            name.into(),
            r.percent.into(),
            (r.count as i64).into(),
            (r.of as i64).into(),
        ]
    };
    // A figure without a count behind it.
    let figure = |name: &str, value: Option<f64>| -> Vec<Cell> {
        vec![name.into(), value.into(), Cell::Empty, Cell::Empty]
    };
    let rows = vec![
        figure("jobs", Some(k.jobs as f64)),
        figure("completed", Some(k.completed as f64)),
        rate("response_within_sla_percent", &k.response_within_sla),
        rate("arrival_within_sla_percent", &k.arrival_within_sla),
        rate("resolution_within_sla_percent", &k.resolution_within_sla),
        rate("first_time_fix_rate_percent", &k.first_time_fix_rate),
        figure("mean_time_to_repair_minutes", k.mean_time_to_repair_minutes),
        figure("loaners_issued", Some(k.loaners_issued as f64)),
        rate("callback_rate_percent", &k.callback_rate),
        rate("repeat_repair_rate_percent", &k.repeat_repair_rate),
        rate("satisfaction_rate_percent", &k.satisfaction_rate),
        rate(
            "complaints_answered_in_time_percent",
            &k.complaints_answered_in_time,
        ),
        rate("parts_accuracy_percent", &parts.transfers),
    ];
    Table {
        name: "KPIs",
        header: vec!["kpi", "value", "count", "of"],
        rows,
    }
}
