//! The job page: the visit record as the phone synced it (timeline, notes, parts, time,
//! diagnosis, loaners, checklist, charges, photos, every report version with its verification and
//! the signature drawn) and dispatch's actions on the job; and the new-job form. The actions are
//! forms the console's script sends to the JSON API (`data-api`), so the pages and scripts share
//! one set of routes, rules and errors.

use super::SignedIn;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use fieldwork_model::report::{self, Report};
use fieldwork_model::{JobDocument, JobView};

use super::i18n::Words;
use super::{local_time, office_zone, page, words};
use crate::Result;
use crate::state::AppState;
use fieldwork_store::{MailRow, Technician};

/// One sealed version of the report, checked.
pub struct ReportRow {
    pub version: u32,
    pub status: String,
    pub signer: String,
    pub sealed_at: String,
    /// The Ed25519 seal verifies with the device's key and the content is what the job held.
    pub valid: bool,
    pub problem: String,
    /// The job still says what this version says.
    pub current: bool,
    /// The signature as SVG: the viewBox and one polyline per stroke.
    pub view_box: String,
    pub strokes: Vec<String>,
}

/// One email of a report to the customer, as the page says it.
pub struct MailLine {
    pub version: u32,
    pub recipient: String,
    pub sent: bool,
    pub when: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage {
    /// When each status event a device pushed reached the office.
    receipts: std::collections::HashMap<String, i64>,
    /// `--smtp` was given.
    mail_on: bool,
    mail: Vec<MailLine>,
    w: &'static Words,
    user: String,
    csrf: String,
    live: u8,
    v: JobView,
    technicians: Vec<Technician>,
    reports: Vec<ReportRow>,
    zone: chrono_tz::Tz,
    /// The charges as the report's PDF prints them, in the page's language.
    charges: Option<ChargesTable>,
}

/// A table of the report outline (`fieldwork_report::outline`), ready for the template.
struct ChargesTable {
    title: String,
    columns: Vec<fieldwork_report::Column>,
    rows: Vec<fieldwork_report::Row>,
    note: Option<String>,
}

impl ChargesTable {
    /// The job's charges, each part line by its SKU and description, in the page's language.
    fn of(v: &JobView, w: &Words) -> Option<ChargesTable> {
        let language = w.language();
        let charges = v.charges.as_ref()?;
        let section = fieldwork_report::outline::charges(language, charges, |line| {
            v.parts
                .iter()
                .find(|p| p.id == line)
                .map(|p| (p.sku.clone(), p.description.clone()))
        });
        match section.body {
            fieldwork_report::outline::Body::Table {
                columns,
                rows,
                note,
            } => Some(ChargesTable {
                title: section.title,
                columns,
                rows,
                note,
            }),
            fieldwork_report::outline::Body::Paragraph(_) => None,
        }
    }

    fn end(&self, column: &fieldwork_report::Column) -> bool {
        column.align == fieldwork_report::Align::Right
    }
}

impl JobPage {
    /// Response, arrival and resolution with their deadlines, in that order.
    fn milestones<'a>(
        &self,
        sla: &'a fieldwork_model::sla::SlaView,
    ) -> [(&'static str, &'a str, &'a fieldwork_model::sla::Milestone); 3] {
        [
            ("response", sla.respond_by.as_str(), &sla.response),
            ("arrival", sla.arrive_by.as_str(), &sla.arrival),
            ("resolution", sla.resolve_by.as_str(), &sla.resolution),
        ]
    }

    fn t(&self, rfc3339: &str) -> String {
        local_time(rfc3339, self.zone)
    }

    /// When a status event reached the office, if a device pushed it.
    fn received(&self, event: &str) -> String {
        self.receipts
            .get(event)
            .map(|at| super::ms_local(Some(*at), self.zone, ""))
            .unwrap_or_default()
    }
}

fn report_row(
    doc: &JobDocument,
    entry: &fieldwork_model::report::SealedReport,
    r: &Report,
    current: bool,
    key: &str,
    zone: chrono_tz::Tz,
) -> ReportRow {
    let checked = doc.verify_report(entry, &entry.device_id, key);
    let (view_box, strokes) = match &r.signature {
        Some(s) => (
            format!("0 0 {} {}", s.strokes.canvas.width, s.strokes.canvas.height),
            s.strokes
                .strokes
                .iter()
                .map(|points| {
                    points
                        .iter()
                        .map(|[x, y, _, _]| format!("{x},{y}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect(),
        ),
        None => (String::new(), Vec::new()),
    };
    ReportRow {
        version: r.version,
        status: if r.signature.is_some() {
            "signed".into()
        } else {
            "refused".into()
        },
        signer: match (&r.signature, &r.refusal) {
            (Some(s), _) => match &s.role {
                Some(role) => format!("{} ({role})", s.name),
                None => s.name.clone(),
            },
            (None, Some(refusal)) => refusal.reason.clone(),
            _ => String::new(),
        },
        sealed_at: r
            .sealed_at()
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.with_timezone(&zone).format("%m-%d %H:%M").to_string())
            .unwrap_or_default(),
        valid: checked.is_ok(),
        problem: checked.err().map(|e| e.to_string()).unwrap_or_default(),
        current,
        view_box,
        strokes,
    }
}

/// What the job page reads in one go: the job, the technicians, the checked reports, the emails.
type Loaded = (
    JobView,
    Vec<Technician>,
    Vec<ReportRow>,
    Vec<MailRow>,
    std::collections::HashMap<String, i64>,
);

pub async fn job_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let zone = office_zone();
    let render_state = state.clone();
    let loaded = state
        .blocking(move |s| -> Result<Loaded> {
            let doc = s.document(&id)?;
            let data = doc.data()?;
            let view = render_state.render_data(&data, chrono::Utc::now().timestamp_millis())?;
            let summaries = report::summaries(&data)?;
            let mut reports = Vec::new();
            for (entry, r) in report::sealed(&data) {
                let key = s.device_key(&entry.device_id)?.unwrap_or_default();
                let current = summaries
                    .iter()
                    .any(|x| x.version == r.version && x.current);
                reports.push(report_row(&doc, entry, &r, current, &key, zone));
            }
            reports.sort_by_key(|r| std::cmp::Reverse(r.version));
            Ok((
                view,
                s.technicians()?,
                reports,
                s.job_mail(&id)?,
                s.receipts(&id)?,
            ))
        })
        .await;
    let (v, technicians, reports, mail, receipts) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let mail = mail
        .into_iter()
        .map(|m| MailLine {
            version: m.version,
            recipient: m.recipient,
            sent: m.sent_at.is_some(),
            when: super::ms_local(m.sent_at.or(Some(m.next_at)), zone, ""),
            error: m.last_error.unwrap_or_default(),
        })
        .collect();
    let w = words(&headers);
    page(JobPage {
        charges: ChargesTable::of(&v, w),
        receipts,
        mail_on: state.mail.is_some(),
        mail,
        w,
        user: session.user,
        csrf: session.csrf,
        live: 1,
        v,
        technicians,
        reports,
        zone,
    })
}

#[derive(Template)]
#[template(path = "job_new.html")]
struct NewJobPage {
    w: &'static Words,
    user: String,
    csrf: String,
    live: u8,
    technicians: Vec<Technician>,
    priorities: &'static [&'static str],
}

pub async fn new_job_page(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    headers: HeaderMap,
) -> Response {
    match state.blocking(|s| Ok(s.technicians()?)).await {
        Ok(technicians) => page(NewJobPage {
            w: words(&headers),
            user: session.user,
            csrf: session.csrf,
            live: 0,
            technicians,
            // The model's four, most urgent first (the API accepts exactly these).
            priorities: &["emergency", "high", "normal", "low"],
        }),
        Err(e) => e.into_response(),
    }
}
