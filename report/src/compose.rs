//! What goes where: the report's sections laid out on A4 pages.
//!
//! Page 1 opens with the title, the job, its version and outcome, and an overview (customer,
//! site, asset, technician, completion); later pages carry a one-line running header. Then, each only when it
//! has content: the reported problem, diagnosis, work done, parts, travel and labour, charges
//! with the total, checklist, photos two to a row, and the customer's signature (drawn from its
//! strokes, beside the signer's name, role and time) or refusal. Every page ends with the seal:
//! `sha256 <hex> · device <id> · page N/M`.

use fieldwork_model::report::{Language, Report, ReportPhoto};
use krilla::image::Image;

use crate::labels::{self, Labels};
use crate::layout::{
    ACCENT, ALERT, Flow, Geometry, INK, Line, MUTED, Op, PEN, RULE, Rgb, Shaper, style,
};
use crate::outline::{Body, Field, OutcomeWords, Outline, Section, photo_words};

/// Fields as the layout's label/value pairs.
fn pairs(fields: &[Field]) -> Vec<(&str, String)> {
    fields
        .iter()
        .map(|f| (f.label.as_str(), f.value.clone()))
        .collect()
}

/// A photo ready to place: what the report says of it and its image.
pub struct Photo<'r> {
    pub meta: &'r ReportPhoto,
    pub image: Image,
}

/// Lays out the whole report and stamps the seal on every page.
pub fn compose(
    report: &Report,
    sha256: &str,
    shaper: &mut Shaper<'_>,
    photos: &[Photo<'_>],
) -> Vec<Vec<Op>> {
    let l = labels::labels(report.language);
    let g = Geometry::a4();
    let mut flow = Flow::new(g);
    let c = Composer {
        report,
        l,
        tz: labels::zone(&report.content.site.time_zone),
        g,
    };
    let outline = Outline::of(report);
    c.running_header(&mut flow, shaper, &outline);
    c.header(&mut flow, shaper, &outline);
    c.overview(&mut flow, shaper, &outline);
    for section in &outline.sections {
        c.section(&mut flow, shaper, section);
    }
    c.photos(&mut flow, shaper, photos);
    c.outcome(&mut flow, shaper, &outline.outcome);
    c.footers(&mut flow, shaper, sha256);
    flow.pages
}

struct Composer<'r> {
    report: &'r Report,
    l: &'static Labels,
    tz: chrono_tz::Tz,
    g: Geometry,
}

/// A line of text at a baseline.
fn text(x: f32, y: f32, size: f32, color: Rgb, bold: bool, line: Line) -> Op {
    Op::Text {
        x,
        y,
        size,
        color,
        bold,
        line,
    }
}

impl Composer<'_> {
    fn zh(&self) -> bool {
        self.report.language == Language::ZhCn
    }

    /// The line at the top of pages 2 and on.
    fn running_header(&self, flow: &mut Flow, shaper: &mut Shaper<'_>, outline: &Outline) {
        let g = self.g;
        let size = style::SMALL;
        let lh = size * style::LEADING;
        let words = &outline.running;
        let mut ops = Vec::new();
        let mut y = g.top;
        for line in shaper.wrap(words, size, g.content_width()) {
            ops.push(text(
                g.left,
                y + shaper.baseline(size, lh),
                size,
                MUTED,
                false,
                line,
            ));
            y += lh;
        }
        y += 3.0;
        ops.push(Op::Rule {
            x1: g.left,
            y1: y,
            x2: g.right,
            y2: y,
            width: 0.5,
            color: RULE,
        });
        flow.running = ops;
        flow.running_top = y + 10.0;
    }

    /// Title, job id, outcome.
    fn header(&self, flow: &mut Flow, shaper: &mut Shaper<'_>, outline: &Outline) {
        let g = self.g;
        let top = flow.y;
        let size = style::TITLE;
        let lh = size * 1.25;
        let title = shaper.line(&outline.title);
        let title_w = title.width_at(size);
        flow.push(text(
            g.left,
            top + shaper.baseline(size, lh),
            size,
            ACCENT,
            true,
            title,
        ));

        // The job on the right, as far as the title leaves room.
        let right_w = (g.content_width() - title_w - 24.0).max(g.content_width() / 3.0);
        let jsize = style::HEADING;
        let jlh = jsize * style::LEADING;
        let mut y = top;
        for line in shaper.wrap(&outline.job, jsize, right_w) {
            let x = g.right - line.width_at(jsize);
            flow.push(text(
                x,
                y + shaper.baseline(jsize, jlh),
                jsize,
                INK,
                true,
                line,
            ));
            y += jlh;
        }
        let ssize = style::SMALL;
        let slh = ssize * style::LEADING;
        for line in shaper.wrap(&outline.status, ssize, right_w) {
            let x = g.right - line.width_at(ssize);
            let color = if self.report.refusal.is_some() {
                ALERT
            } else {
                MUTED
            };
            flow.push(text(
                x,
                y + shaper.baseline(ssize, slh),
                ssize,
                color,
                false,
                line,
            ));
            y += slh;
        }
        flow.y = (top + lh).max(y) + 4.0;
        flow.push(Op::Rule {
            x1: g.left,
            y1: flow.y,
            x2: g.right,
            y2: flow.y,
            width: 1.6,
            color: ACCENT,
        });
        flow.y += 10.0;
    }

    /// Customer, site, asset, technician and completion in three columns.
    fn overview(&self, flow: &mut Flow, shaper: &mut Shaper<'_>, outline: &Outline) {
        // Three columns, the short fields under the customer and the site.
        let columns: Vec<Vec<(&str, String)>> = outline.overview.iter().map(|c| pairs(c)).collect();
        let g = self.g;
        let gap = 14.0;
        let col_w = (g.content_width() - 2.0 * gap) / 3.0;
        let top = flow.y;
        let tallest = columns
            .iter()
            .map(|fields| self.fields_height(shaper, fields, col_w))
            .fold(0.0, f32::max);
        if top + tallest > g.bottom {
            // Values too long for one page: one column, breaking pages.
            for fields in &columns {
                self.fields_flow(flow, shaper, fields, g.left, g.content_width());
            }
            return;
        }
        let mut bottom = top;
        for (i, fields) in columns.iter().enumerate() {
            let x = g.left + i as f32 * (col_w + gap);
            bottom = bottom.max(self.fields(flow, shaper, fields, x, col_w, top));
        }
        flow.y = bottom + 2.0;
    }

    /// A section heading, kept on one page with `keep` points of what follows.
    fn heading(&self, flow: &mut Flow, shaper: &mut Shaper<'_>, title: &str, keep: f32) {
        let g = self.g;
        let size = style::HEADING;
        let lh = size * 1.3;
        flow.space(7.0);
        flow.ensure(lh + 4.0 + keep);
        let line = shaper.line(title);
        flow.push(text(
            g.left,
            flow.y + shaper.baseline(size, lh),
            size,
            ACCENT,
            true,
            line,
        ));
        flow.y += lh;
        flow.push(Op::Rule {
            x1: g.left,
            y1: flow.y,
            x2: g.right,
            y2: flow.y,
            width: 0.6,
            color: RULE,
        });
        flow.y += 4.0;
    }

    /// One section of the outline: its heading kept with the start of what follows, then its
    /// paragraph, or its table and the line under it.
    fn section(&self, flow: &mut Flow, shaper: &mut Shaper<'_>, section: &Section) {
        let g = self.g;
        match &section.body {
            Body::Paragraph(words) => {
                self.heading(flow, shaper, &section.title, 30.0);
                flow.paragraph(
                    shaper,
                    words,
                    g.left,
                    g.content_width(),
                    style::BODY,
                    INK,
                    false,
                );
            }
            Body::Table {
                columns,
                rows,
                note,
            } => {
                self.heading(flow, shaper, &section.title, 50.0);
                flow.table(shaper, columns, rows, g.left, g.content_width());
                if let Some(note) = note {
                    flow.space(4.0);
                    flow.paragraph(
                        shaper,
                        note,
                        g.left,
                        g.content_width(),
                        style::SMALL,
                        ALERT,
                        false,
                    );
                }
            }
        }
    }

    /// Photos two to a row, each scaled to fit its cell (never up past a height cap), with
    /// the caption and the time taken below.
    fn photos(&self, flow: &mut Flow, shaper: &mut Shaper<'_>, photos: &[Photo<'_>]) {
        if photos.is_empty() {
            return;
        }
        let g = self.g;
        let gap = 16.0;
        let cell_w = (g.content_width() - gap) / 2.0;
        let max_h = 190.0_f32.min(flow.page_room() - 60.0);
        let size = style::SMALL;
        let lh = size * style::LEADING;
        let mut first = true;
        for pair in photos.chunks(2) {
            let cells: Vec<(f32, f32, Vec<Line>)> = pair
                .iter()
                .map(|p| {
                    let (iw, ih) = p.image.size();
                    let (iw, ih) = (iw.max(1) as f32, ih.max(1) as f32);
                    let scale = (cell_w / iw).min(max_h / ih);
                    let words = photo_words(self.l, self.tz, p.meta);
                    (iw * scale, ih * scale, shaper.wrap(&words, size, cell_w))
                })
                .collect();
            let h = cells
                .iter()
                .map(|(_, ih, lines)| ih + 4.0 + lines.len() as f32 * lh)
                .fold(0.0, f32::max);
            if first {
                self.heading(flow, shaper, self.l.photos, h);
                first = false;
            } else {
                flow.space(10.0);
                flow.ensure(h);
            }
            let top = flow.y;
            for (i, ((w, ih, lines), p)) in cells.into_iter().zip(pair).enumerate() {
                let cx = g.left + i as f32 * (cell_w + gap);
                flow.push(Op::Image {
                    x: cx,
                    y: top,
                    w,
                    h: ih,
                    image: p.image.clone(),
                });
                let mut y = top + ih + 4.0;
                for line in lines {
                    flow.push(text(
                        cx,
                        y + shaper.baseline(size, lh),
                        size,
                        MUTED,
                        false,
                        line,
                    ));
                    y += lh;
                }
            }
            flow.y = top + h;
        }
    }

    /// The signature beside who signed and when, or the refusal and its reason.
    fn outcome(&self, flow: &mut Flow, shaper: &mut Shaper<'_>, outcome: &OutcomeWords) {
        let g = self.g;
        match (outcome, &self.report.signature) {
            (
                OutcomeWords::Signed {
                    title,
                    name,
                    role,
                    signed_at,
                    attestation,
                },
                Some(sig),
            ) => {
                let box_w = 210.0;
                let box_h: f32 = 68.0;
                let name = pairs(std::slice::from_ref(name));
                let role = pairs(std::slice::from_ref(role));
                let mut when = pairs(std::slice::from_ref(signed_at));
                when.push(("", attestation.clone()));
                // Beside the box: name and role side by side, then the time and the confirmation.
                let x = g.left + box_w + 20.0;
                let side_w = g.right - x;
                let half = (side_w - 10.0) / 2.0;
                let side_h = self
                    .fields_height(shaper, &name, half)
                    .max(self.fields_height(shaper, &role, half))
                    + self.fields_height(shaper, &when, side_w);
                let side_by_side = side_h <= flow.page_room() - 40.0;
                let keep = if side_by_side {
                    box_h.max(side_h)
                } else {
                    box_h
                };
                self.heading(flow, shaper, title, keep + 4.0);
                let top = flow.y + 2.0;
                flow.push(Op::Frame {
                    x: g.left,
                    y: top,
                    w: box_w,
                    h: box_h,
                    width: 0.6,
                    color: RULE,
                });
                for op in pen_strokes(&sig.strokes, g.left, top, box_w, box_h) {
                    flow.push(op);
                }
                if side_by_side {
                    let y = self
                        .fields(flow, shaper, &name, x, half, top)
                        .max(self.fields(flow, shaper, &role, x + half + 10.0, half, top));
                    let bottom = self.fields(flow, shaper, &when, x, side_w, y);
                    flow.y = bottom.max(top + box_h);
                } else {
                    flow.y = top + box_h + 6.0;
                    for fields in [&name[..], &role[..], &when[..]] {
                        self.fields_flow(flow, shaper, fields, g.left, g.content_width());
                    }
                }
            }
            (OutcomeWords::Refused { title, fields }, _) => {
                let fields = pairs(fields);
                let x = g.left + 10.0;
                let w = g.content_width() - 10.0;
                let h = self.fields_height(shaper, &fields, w);
                self.heading(flow, shaper, title, h.min(flow.page_room() / 2.0));
                let page = flow.pages.len();
                flow.y += 2.0;
                let top = flow.y;
                self.fields_flow(flow, shaper, &fields, x, w);
                // The red mark beside the refusal, when it stayed on one page.
                if flow.pages.len() == page {
                    flow.push(Op::Rect {
                        x: g.left,
                        y: top,
                        w: 2.5,
                        h: flow.y - top,
                        color: ALERT,
                    });
                }
            }
            // A preview (and, defensively, a "signed" outline without its strokes).
            (OutcomeWords::Preview { title, .. } | OutcomeWords::Signed { title, .. }, _) => {
                let notice = self.l.not_signed;
                self.heading(flow, shaper, title, 20.0);
                flow.paragraph(
                    shaper,
                    notice,
                    g.left,
                    g.content_width(),
                    style::BODY,
                    ALERT,
                    false,
                );
            }
        }
    }

    /// The height [`Composer::fields`] takes for these fields.
    fn fields_height(&self, shaper: &mut Shaper<'_>, fields: &[(&str, String)], w: f32) -> f32 {
        let llh = style::SMALL * style::LEADING;
        let vlh = style::BODY * style::LEADING;
        fields
            .iter()
            .map(|(label, value)| {
                let labels = if label.is_empty() {
                    0
                } else {
                    shaper.wrap(label, style::SMALL, w).len()
                };
                let size = if label.is_empty() {
                    style::SMALL
                } else {
                    style::BODY
                };
                let lh = if label.is_empty() { llh } else { vlh };
                labels as f32 * llh + shaper.wrap(value, size, w).len() as f32 * lh + 3.0
            })
            .sum()
    }

    /// Label-over-value fields stacked in a column at a fixed place (it must fit: see
    /// [`Composer::fields_height`]); returns the bottom. A field without a label is a note in
    /// small muted type.
    fn fields(
        &self,
        flow: &mut Flow,
        shaper: &mut Shaper<'_>,
        fields: &[(&str, String)],
        x: f32,
        w: f32,
        top: f32,
    ) -> f32 {
        let llh = style::SMALL * style::LEADING;
        let vlh = style::BODY * style::LEADING;
        let mut y = top;
        for (label, value) in fields {
            if label.is_empty() {
                for line in shaper.wrap(value, style::SMALL, w) {
                    let b = shaper.baseline(style::SMALL, llh);
                    flow.push(text(x, y + b, style::SMALL, MUTED, false, line));
                    y += llh;
                }
                y += 3.0;
                continue;
            }
            for line in shaper.wrap(label, style::SMALL, w) {
                let b = shaper.baseline(style::SMALL, llh);
                flow.push(text(x, y + b, style::SMALL, MUTED, false, line));
                y += llh;
            }
            for line in shaper.wrap(value, style::BODY, w) {
                let b = shaper.baseline(style::BODY, vlh);
                flow.push(text(x, y + b, style::BODY, INK, false, line));
                y += vlh;
            }
            y += 3.0;
        }
        y
    }

    /// The same fields in the flow, breaking pages between lines (for long values).
    fn fields_flow(
        &self,
        flow: &mut Flow,
        shaper: &mut Shaper<'_>,
        fields: &[(&str, String)],
        x: f32,
        w: f32,
    ) {
        for (label, value) in fields {
            if label.is_empty() {
                flow.paragraph(shaper, value, x, w, style::SMALL, MUTED, false);
            } else {
                flow.paragraph(shaper, label, x, w, style::SMALL, MUTED, false);
                flow.paragraph(shaper, value, x, w, style::BODY, INK, false);
            }
            flow.y += 3.0;
        }
    }

    /// The seal on every page, now that the page count is known.
    fn footers(&self, flow: &mut Flow, shaper: &mut Shaper<'_>, sha256: &str) {
        let g = self.g;
        let total = flow.pages.len();
        let size = style::FOOTER;
        let lh = size * style::LEADING;
        for (i, page) in flow.pages.iter_mut().enumerate() {
            let page_words = if self.zh() {
                format!("第 {}/{} {}", i + 1, total, self.l.page)
            } else {
                format!("{} {}/{}", self.l.page, i + 1, total)
            };
            let words = format!(
                "sha256 {sha256} · {} {} · {page_words}",
                self.l.device, self.report.device_id
            );
            let mut y = g.bottom + 10.0;
            page.push(Op::Rule {
                x1: g.left,
                y1: y,
                x2: g.right,
                y2: y,
                width: 0.5,
                color: RULE,
            });
            y += 4.0;
            for line in shaper.wrap(&words, size, g.content_width()) {
                page.push(text(
                    g.left,
                    y + shaper.baseline(size, lh),
                    size,
                    MUTED,
                    false,
                    line,
                ));
                y += lh;
            }
        }
    }
}

/// The signature's strokes scaled from the canvas into the box (aspect kept, centred), each
/// as a pen path whose width follows the stroke's mean pressure (constant without pressure).
fn pen_strokes(
    strokes: &fieldwork_model::report::Strokes,
    x: f32,
    y: f32,
    w: f32,
    h: f32,
) -> Vec<Op> {
    let pad = 8.0;
    let cw = strokes.canvas.width.max(1) as f32;
    let ch = strokes.canvas.height.max(1) as f32;
    let scale = ((w - 2.0 * pad) / cw).min((h - 2.0 * pad) / ch);
    let ox = x + (w - cw * scale) / 2.0;
    let oy = y + (h - ch * scale) / 2.0;
    strokes
        .strokes
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            let pressed: Vec<u32> = s.iter().map(|p| p[3]).filter(|&p| p > 0).collect();
            let width = if pressed.is_empty() {
                1.3
            } else {
                let mean = pressed.iter().map(|&p| u64::from(p)).sum::<u64>() as f32
                    / pressed.len() as f32;
                0.7 + 1.4 * mean.min(1000.0) / 1000.0
            };
            Op::Pen {
                points: s
                    .iter()
                    .map(|p| (ox + p[0] as f32 * scale, oy + p[1] as f32 * scale))
                    .collect(),
                width,
                color: PEN,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldwork_model::report::{Canvas, Strokes};

    #[test]
    fn strokes_are_scaled_into_the_box_keeping_their_shape() {
        let strokes = Strokes {
            canvas: Canvas {
                width: 1000,
                height: 100,
            },
            strokes: vec![
                vec![[0, 0, 0, 0], [1000, 100, 10, 0]],
                vec![[500, 50, 20, 1000], [600, 50, 30, 1000]],
            ],
        };
        let ops = pen_strokes(&strokes, 10.0, 20.0, 200.0, 80.0);
        assert_eq!(ops.len(), 2);
        let mut widths = Vec::new();
        for op in &ops {
            let Op::Pen { points, width, .. } = op else {
                panic!("not a pen stroke");
            };
            widths.push(*width);
            for &(x, y) in points {
                assert!((10.0..=210.0).contains(&x) && (20.0..=100.0).contains(&y));
            }
        }
        // Wide canvas: the width limits the scale (184 / 1000), centred vertically.
        let Op::Pen { points, .. } = &ops[0] else {
            panic!("not a pen stroke");
        };
        assert_eq!(points[0], (18.0, 20.0 + (80.0 - 18.4) / 2.0));
        // No pressure: a constant pen; full pressure: a broader one.
        assert_eq!(widths[0], 1.3);
        assert!(widths[1] > 2.0);
    }
}
