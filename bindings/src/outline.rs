//! A report's words as typed records ([`ReportOutlineRecord`]): what the PDF prints, section by
//! section, in the report's language. The signing screen shows the preview's outline, so the
//! customer reads what they sign; the shells lay it out and translate nothing.

use fieldwork_report::outline::{Body, Field, OutcomeWords};
use fieldwork_report::{Align, Outline};

/// A report, as its PDF words it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ReportOutlineRecord {
    /// "Service completion report" / "服务完工报告".
    pub title: String,
    /// "Job J-1".
    pub job: String,
    /// "Version 1 · Preview, not signed".
    pub status: String,
    /// Customer, technician, site, completion, asset (the PDF's three columns, in order).
    pub overview: Vec<OutlineFieldRecord>,
    /// Problem, diagnosis, work done, parts, time, charges, checklist: each when present.
    pub sections: Vec<OutlineSectionRecord>,
    pub photos_title: String,
    pub photos: Vec<OutlinePhotoRecord>,
    pub outcome: OutlineOutcomeRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OutlineFieldRecord {
    pub label: String,
    /// May hold line breaks.
    pub value: String,
}

/// A section: a paragraph, or a table with an optional line under it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct OutlineSectionRecord {
    pub title: String,
    pub paragraph: Option<String>,
    pub columns: Vec<OutlineColumnRecord>,
    pub rows: Vec<OutlineRowRecord>,
    /// The line under the table (the charges' "provisional").
    pub note: Option<String>,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct OutlineColumnRecord {
    pub title: String,
    /// Its share of the table's width (the shares add up to 1).
    pub share: f32,
    /// Numbers are aligned to the end of the cell.
    pub align_end: bool,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct OutlineRowRecord {
    pub cells: Vec<String>,
    /// A total: drawn bold.
    pub total: bool,
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct OutlinePhotoRecord {
    /// The attachment id (`photo_thumbnail` shows it).
    pub id: String,
    /// Its caption and when it was taken, one per line.
    pub words: String,
}

/// How the report ends.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum OutlineOutcomeRecord {
    /// Not signed yet: `attestation` is the sentence the customer confirms by signing.
    Preview {
        title: String,
        notice: String,
        attestation: String,
    },
    Signed {
        title: String,
        fields: Vec<OutlineFieldRecord>,
        attestation: String,
    },
    Refused {
        title: String,
        fields: Vec<OutlineFieldRecord>,
    },
}

fn field(f: &Field) -> OutlineFieldRecord {
    OutlineFieldRecord {
        label: f.label.clone(),
        value: f.value.clone(),
    }
}

impl From<Outline> for ReportOutlineRecord {
    fn from(o: Outline) -> Self {
        ReportOutlineRecord {
            overview: o.overview.iter().flatten().map(field).collect(),
            sections: o
                .sections
                .into_iter()
                .map(|s| match s.body {
                    Body::Paragraph(words) => OutlineSectionRecord {
                        title: s.title,
                        paragraph: Some(words),
                        columns: Vec::new(),
                        rows: Vec::new(),
                        note: None,
                    },
                    Body::Table {
                        columns,
                        rows,
                        note,
                    } => OutlineSectionRecord {
                        title: s.title,
                        paragraph: None,
                        columns: columns
                            .into_iter()
                            .map(|c| OutlineColumnRecord {
                                title: c.title,
                                share: c.share,
                                align_end: c.align == Align::Right,
                            })
                            .collect(),
                        rows: rows
                            .into_iter()
                            .map(|r| OutlineRowRecord {
                                cells: r.cells,
                                total: r.strong,
                            })
                            .collect(),
                        note,
                    },
                })
                .collect(),
            photos: o
                .photos
                .into_iter()
                .map(|p| OutlinePhotoRecord {
                    id: p.id,
                    words: p.words,
                })
                .collect(),
            outcome: match o.outcome {
                OutcomeWords::Preview {
                    title,
                    notice,
                    attestation,
                } => OutlineOutcomeRecord::Preview {
                    title,
                    notice,
                    attestation,
                },
                OutcomeWords::Signed {
                    title,
                    name,
                    role,
                    signed_at,
                    attestation,
                } => OutlineOutcomeRecord::Signed {
                    title,
                    fields: [name, role, signed_at].iter().map(field).collect(),
                    attestation,
                },
                OutcomeWords::Refused { title, fields } => OutlineOutcomeRecord::Refused {
                    title,
                    fields: fields.iter().map(field).collect(),
                },
            },
            title: o.title,
            job: o.job,
            status: o.status,
            photos_title: o.photos_title,
        }
    }
}
