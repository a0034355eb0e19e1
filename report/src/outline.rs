//! What a report says, as words in its language, before any of it is laid out: the title, the
//! overview fields, each section's table or paragraph, the photos' captions and the outcome.
//! The PDF draws exactly this ([`crate::compose`]), and the phone's signing screen shows it
//! ([`Outline::of`] through the core), so what the customer reads before signing is what the
//! PDF prints, word for word.

use fieldwork_model::report::{Report, ReportPhoto};

use crate::labels::{self, Labels};
use crate::layout::{Align, Column, Row};

/// The words of a report (see the module doc).
#[derive(Clone, Debug)]
pub struct Outline {
    /// "Service completion report".
    pub title: String,
    /// "Job J-1".
    pub job: String,
    /// "Version 1 · Preview, not signed".
    pub status: String,
    /// The running header of pages 2 and on.
    pub running: String,
    /// Three columns of overview fields: customer and technician; site and completion; asset.
    pub overview: [Vec<Field>; 3],
    /// Problem, diagnosis, work done, parts, time, charges and checklist, each when present.
    pub sections: Vec<Section>,
    /// The photos' heading and, per photo, its caption and capture time.
    pub photos_title: String,
    pub photos: Vec<PhotoWords>,
    pub outcome: OutcomeWords,
}

/// A label and its value (the value may hold line breaks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub value: String,
}

/// A titled section.
#[derive(Clone, Debug)]
pub struct Section {
    pub title: String,
    pub body: Body,
}

/// A section's content.
#[derive(Clone, Debug)]
pub enum Body {
    Paragraph(String),
    /// A table; `note` is a line under it (the charges' "provisional").
    Table {
        columns: Vec<Column>,
        rows: Vec<Row>,
        note: Option<String>,
    },
}

/// The words under a photo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoWords {
    pub id: String,
    /// The caption (if any) and the capture time, one per line.
    pub words: String,
}

/// How the report ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutcomeWords {
    /// The signature's heading, the fields beside it, and the attestation sentence.
    Signed {
        title: String,
        name: Field,
        role: Field,
        signed_at: Field,
        attestation: String,
    },
    /// The refusal's heading and its fields.
    Refused { title: String, fields: Vec<Field> },
    /// Not signed yet: the heading, the "this is a preview" line, and the sentence the customer
    /// attests by signing.
    Preview {
        title: String,
        notice: String,
        attestation: String,
    },
}

fn field(label: &str, value: String) -> Field {
    Field {
        label: label.to_string(),
        value,
    }
}

impl Outline {
    /// The words of `report` in its language.
    pub fn of(report: &Report) -> Outline {
        let l = labels::labels(report.language);
        let w = Words {
            report,
            l,
            tz: labels::zone(&report.content.site.time_zone),
        };
        let mut sections = Vec::new();
        sections.extend(w.problem());
        sections.extend(w.diagnoses());
        sections.extend(w.work_done());
        sections.extend(w.parts());
        sections.extend(w.time());
        sections.extend(w.charges());
        sections.extend(w.checklist());
        Outline {
            title: l.title.to_string(),
            job: format!("{} {}", l.job, report.job),
            status: format!("{} {} · {}", l.version, report.version, w.outcome_label()),
            running: format!(
                "{} · {} {} · {} {}",
                l.title, l.job, report.job, l.version, report.version
            ),
            overview: w.overview(),
            sections,
            photos_title: l.photos.to_string(),
            photos: report
                .content
                .photos
                .iter()
                .map(|p| PhotoWords {
                    id: p.id.clone(),
                    words: photo_words(l, w.tz, p),
                })
                .collect(),
            outcome: w.outcome(),
        }
    }
}

/// The charges as the PDF prints them, in `language`: each line named (a part by its SKU and
/// description, found by `part(line id)`), its rule, quantity, unit price and amount, the total,
/// and "provisional" while the job is open. The console shows the same table.
pub fn charges(
    language: fieldwork_model::report::Language,
    ch: &fieldwork_model::warranty::Charges,
    part: impl Fn(&str) -> Option<(String, String)>,
) -> Section {
    let l = labels::labels(language);
    let columns = vec![
        Column::new(l.item, 0.37, Align::Left),
        Column::new(l.rule, 0.13, Align::Left),
        Column::new(l.qty, 0.15, Align::Right),
        Column::new(l.unit_price, 0.18, Align::Right),
        Column::new(l.amount, 0.17, Align::Right),
    ];
    let mut rows: Vec<Row> = ch
        .lines
        .iter()
        .map(|line| {
            let (item, qty, unit) = match line.kind.as_str() {
                "labour" => (
                    l.labour.to_string(),
                    labels::duration(l, line.qty),
                    format!(
                        "{} {}",
                        labels::money(&ch.currency, line.unit_amount),
                        l.per_hour
                    ),
                ),
                "travel" => (
                    l.travel.to_string(),
                    line.qty.to_string(),
                    labels::money(&ch.currency, line.unit_amount),
                ),
                _ => {
                    let found = part(&line.reference);
                    let sku = line
                        .sku
                        .clone()
                        .or_else(|| found.as_ref().map(|(sku, _)| sku.clone()))
                        .unwrap_or_else(|| line.reference.clone());
                    let item = match found {
                        Some((_, description)) if !description.is_empty() => {
                            format!("{sku} {description}")
                        }
                        _ => sku,
                    };
                    (
                        item,
                        line.qty.to_string(),
                        labels::money(&ch.currency, line.unit_amount),
                    )
                }
            };
            let mut rule = labels::charge_rule(l, &line.rule).to_string();
            if line.price_missing {
                rule.push_str(&format!(" ({})", l.price_missing));
            }
            Row::new(vec![
                item,
                rule,
                qty,
                unit,
                labels::money(&ch.currency, line.amount),
            ])
        })
        .collect();
    rows.push(Row {
        cells: vec![
            l.total.to_string(),
            String::new(),
            String::new(),
            String::new(),
            labels::money(&ch.currency, ch.total),
        ],
        strong: true,
    });
    Section {
        title: l.charges.to_string(),
        body: Body::Table {
            columns,
            rows,
            note: ch.provisional.then(|| l.provisional.to_string()),
        },
    }
}

/// The words under a photo: its caption (if any), then when it was taken, at the site.
pub(crate) fn photo_words(l: &Labels, tz: chrono_tz::Tz, photo: &ReportPhoto) -> String {
    let mut words = String::new();
    if let Some(c) = photo.caption.as_deref().filter(|c| !c.trim().is_empty()) {
        words.push_str(c);
        words.push('\n');
    }
    words.push_str(&format!(
        "{} {}",
        l.taken,
        labels::local_time_zoned(tz, &photo.taken_at)
    ));
    words
}

struct Words<'r> {
    report: &'r Report,
    l: &'static Labels,
    tz: chrono_tz::Tz,
}

impl Words<'_> {
    fn outcome_label(&self) -> &'static str {
        match self.report.outcome() {
            "signed" => self.l.signed,
            "refused" => self.l.refused,
            _ => self.l.preview,
        }
    }

    fn zoned(&self, t: &str) -> String {
        labels::local_time_zoned(self.tz, t)
    }

    fn local(&self, t: &str) -> String {
        labels::local_time(self.tz, t)
    }

    fn time_header(&self, label: &str) -> String {
        format!("{label} ({})", self.tz.name())
    }

    fn table(&self, title: &str, columns: Vec<Column>, rows: Vec<Row>) -> Section {
        Section {
            title: title.to_string(),
            body: Body::Table {
                columns,
                rows,
                note: None,
            },
        }
    }

    fn overview(&self) -> [Vec<Field>; 3] {
        let c = &self.report.content;
        let l = self.l;
        let mut customer = c.customer.name.clone();
        if !c.customer.phone.trim().is_empty() {
            customer.push('\n');
            customer.push_str(&c.customer.phone);
        }
        let site = format!(
            "{}\n{} · {}",
            c.site.address,
            labels::region(l, c.site.region),
            self.tz.name()
        );
        let mut asset = c.asset.model.clone();
        if !c.asset.serial.is_empty() {
            asset.push_str(&format!("\n{} {}", l.serial, c.asset.serial));
        }
        if let Some(d) = &c.asset.installation_date {
            asset.push_str(&format!("\n{} {d}", l.installed));
        }
        if let Some(d) = &c.asset.acceptance_date {
            asset.push_str(&format!("\n{} {d}", l.accepted));
        }
        let technician = c.technician.clone().unwrap_or_else(|| l.none.to_string());
        let completed = c
            .completed_at
            .as_deref()
            .map_or_else(|| l.not_completed.to_string(), |t| self.zoned(t));
        [
            vec![field(l.customer, customer), field(l.technician, technician)],
            vec![field(l.site, site), field(l.completed, completed)],
            vec![field(l.asset, asset)],
        ]
    }

    fn problem(&self) -> Option<Section> {
        let problem = self.report.content.problem.trim();
        (!problem.is_empty()).then(|| Section {
            title: self.l.problem.to_string(),
            body: Body::Paragraph(problem.to_string()),
        })
    }

    fn diagnoses(&self) -> Option<Section> {
        let d = &self.report.content.diagnoses;
        if d.is_empty() {
            return None;
        }
        let l = self.l;
        let columns = vec![
            Column::new(l.cause, 0.19, Align::Left),
            Column::new(l.fault_code, 0.14, Align::Left),
            Column::new(l.action, 0.35, Align::Left),
            Column::new(l.by, 0.13, Align::Left),
            Column::new(&self.time_header(l.time), 0.19, Align::Left),
        ];
        let rows = d
            .iter()
            .map(|x| {
                Row::new(vec![
                    labels::cause(self.report.language, x.cause).to_string(),
                    x.fault_code.clone(),
                    x.action.clone().unwrap_or_else(|| l.none.to_string()),
                    x.by.clone(),
                    self.local(&x.at),
                ])
            })
            .collect();
        Some(self.table(l.diagnosis, columns, rows))
    }

    fn work_done(&self) -> Option<Section> {
        let notes = &self.report.content.work_done;
        if notes.is_empty() {
            return None;
        }
        let l = self.l;
        let columns = vec![
            Column::new(&self.time_header(l.time), 0.19, Align::Left),
            Column::new(l.by, 0.13, Align::Left),
            Column::new(l.note, 0.68, Align::Left),
        ];
        let rows = notes
            .iter()
            .map(|n| Row::new(vec![self.local(&n.at), n.author.clone(), n.text.clone()]))
            .collect();
        Some(self.table(l.work_done, columns, rows))
    }

    fn parts(&self) -> Option<Section> {
        let parts = &self.report.content.parts;
        if parts.is_empty() {
            return None;
        }
        let l = self.l;
        let columns = vec![
            Column::new("#", 0.05, Align::Right),
            Column::new(l.sku, 0.17, Align::Left),
            Column::new(l.description, 0.34, Align::Left),
            Column::new(l.qty, 0.08, Align::Right),
            Column::new(l.serial_in, 0.18, Align::Left),
            Column::new(l.serial_out, 0.18, Align::Left),
        ];
        let dash = || l.none.to_string();
        let rows = parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let from_van = p.stock.as_deref() == Some("van");
                let source = match p.stock.as_deref() {
                    Some("van") => Some(l.from_van),
                    Some("warehouse") => Some(l.from_warehouse),
                    _ => None,
                };
                Row::new(vec![
                    (i + 1).to_string(),
                    p.sku.clone(),
                    match source {
                        Some(s) => format!("{}\n{s}", p.description),
                        None => p.description.clone(),
                    },
                    p.qty.to_string(),
                    p.serial_in.clone().unwrap_or_else(dash),
                    // A part replaced from the van's stock: the old one goes back (ADR 0015).
                    match (&p.serial_out, from_van) {
                        (Some(s), true) => format!("{s} ({})", l.going_back),
                        (Some(s), false) => s.clone(),
                        (None, _) => dash(),
                    },
                ])
            })
            .collect();
        Some(self.table(l.parts, columns, rows))
    }

    fn time(&self) -> Option<Section> {
        let t = &self.report.content.time;
        if t.entries.is_empty() && t.travel_minutes == 0 && t.labour_minutes == 0 {
            return None;
        }
        let l = self.l;
        let columns = vec![
            Column::new(l.kind, 0.12, Align::Left),
            Column::new(&self.time_header(l.start), 0.23, Align::Left),
            Column::new(&self.time_header(l.end), 0.23, Align::Left),
            Column::new(l.minutes, 0.12, Align::Right),
            Column::new(l.by, 0.30, Align::Left),
        ];
        let mut rows: Vec<Row> = t
            .entries
            .iter()
            .map(|e| {
                Row::new(vec![
                    labels::time_kind(l, e.kind).to_string(),
                    self.local(&e.start),
                    self.local(&e.end),
                    e.minutes.to_string(),
                    e.by.clone(),
                ])
            })
            .collect();
        rows.push(Row {
            cells: vec![
                l.total.to_string(),
                format!("{} {}", l.travel, labels::duration(l, t.travel_minutes)),
                format!("{} {}", l.labour, labels::duration(l, t.labour_minutes)),
                (t.travel_minutes.saturating_add(t.labour_minutes)).to_string(),
                String::new(),
            ],
            strong: true,
        });
        Some(self.table(l.time_section, columns, rows))
    }

    fn charges(&self) -> Option<Section> {
        let ch = self.report.content.charges.as_ref()?;
        let parts = &self.report.content.parts;
        Some(charges(self.report.language, ch, |line| {
            parts
                .iter()
                .find(|p| p.line == line)
                .map(|p| (p.sku.clone(), p.description.clone()))
        }))
    }

    fn checklist(&self) -> Option<Section> {
        let items = &self.report.content.checklist;
        if items.is_empty() {
            return None;
        }
        let l = self.l;
        let columns = vec![
            Column::new(l.item, 0.45, Align::Left),
            Column::new(l.result, 0.20, Align::Left),
            Column::new(l.note, 0.35, Align::Left),
        ];
        let rows = items
            .iter()
            .map(|c| {
                Row::new(vec![
                    c.label.clone(),
                    labels::check_result(l, c.result.as_deref(), c.unit.as_deref()),
                    c.note.clone().unwrap_or_default(),
                ])
            })
            .collect();
        Some(self.table(l.checklist, columns, rows))
    }

    fn outcome(&self) -> OutcomeWords {
        let l = self.l;
        let r = self.report;
        if let Some(sig) = &r.signature {
            OutcomeWords::Signed {
                title: l.signature.to_string(),
                name: field(l.signer, sig.name.clone()),
                role: field(
                    l.role,
                    sig.role.clone().unwrap_or_else(|| l.none.to_string()),
                ),
                signed_at: field(l.signed_at, self.zoned(&sig.signed_at)),
                attestation: l.confirmation.to_string(),
            }
        } else if let Some(refusal) = &r.refusal {
            OutcomeWords::Refused {
                title: l.refusal.to_string(),
                fields: vec![
                    field(l.reason, refusal.reason.clone()),
                    field(
                        l.refused_by,
                        refusal.name.clone().unwrap_or_else(|| l.none.to_string()),
                    ),
                    field(l.refused_at, self.zoned(&refusal.refused_at)),
                ],
            }
        } else {
            OutcomeWords::Preview {
                title: l.signature.to_string(),
                notice: l.not_signed.to_string(),
                attestation: l.confirmation.to_string(),
            }
        }
    }
}
