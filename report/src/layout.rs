//! A small layout engine: shaped text lines, line breaking, a top-to-bottom flow of pages, and
//! tables whose rows break across pages.
//!
//! Text is shaped once with rustybuzz (the shaper krilla itself uses), so the widths that decide
//! where lines break are exactly the advances that are drawn. Break opportunities come from the
//! Unicode line breaking algorithm (UAX #14, the `unicode-linebreak` crate), which allows a
//! break between any two CJK characters and after spaces and hyphens in Latin text; a word
//! longer than the line (a serial number, a hash) is cut between characters. Everything is
//! plain `f32` arithmetic with no transcendental functions, so the phone and the office lay out
//! the same pages.
//!
//! The output is a list of pages of drawing operations ([`Op`]); `pdf.rs` turns them into PDF.

use std::collections::BTreeSet;

use krilla::image::Image;
use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::{Direction, UnicodeBuffer};
use unicode_linebreak::{BreakOpportunity, linebreaks};

use crate::RenderError;
use crate::fonts::{Font, needs_glyph};

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Body text.
pub const INK: Rgb = Rgb(0x1b, 0x1f, 0x24);
/// Labels, captions and the footer.
pub const MUTED: Rgb = Rgb(0x5f, 0x6b, 0x78);
/// Headings and the header rule.
pub const ACCENT: Rgb = Rgb(0x1f, 0x4e, 0x79);
/// Table rules and box borders.
pub const RULE: Rgb = Rgb(0xd5, 0xdc, 0xe4);
/// Table header background.
pub const SHADE: Rgb = Rgb(0xee, 0xf2, 0xf6);
/// Signature ink.
pub const PEN: Rgb = Rgb(0x10, 0x2a, 0x5c);
/// A refusal's mark.
pub const ALERT: Rgb = Rgb(0xa8, 0x32, 0x28);

/// One shaped line of text: glyph advances in em, ranges into `text`.
#[derive(Clone, Debug, Default)]
pub struct Line {
    pub text: String,
    pub glyphs: Vec<KrillaGlyph>,
    /// Width in em (multiply by the font size for points).
    pub width: f32,
}

impl Line {
    /// Width in points at `size`.
    pub fn width_at(&self, size: f32) -> f32 {
        self.width * size
    }
}

/// A drawing operation, in points from the page's top-left corner.
#[derive(Clone, Debug)]
pub enum Op {
    /// A line of text with its baseline at `y`; `bold` adds a thin outline of the same colour.
    Text {
        x: f32,
        y: f32,
        size: f32,
        color: Rgb,
        bold: bool,
        line: Line,
    },
    /// A filled rectangle.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    /// A straight rule.
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
    /// A rectangle's outline.
    Frame {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        width: f32,
        color: Rgb,
    },
    /// A raster image scaled into the box.
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        image: Image,
    },
    /// A smooth pen stroke through the points, with round caps and joins.
    Pen {
        points: Vec<(f32, f32)>,
        width: f32,
        color: Rgb,
    },
}

/// Shapes text with the report's font and records every character it has no glyph for.
pub struct Shaper<'a> {
    face: rustybuzz::Face<'a>,
    upem: f32,
    /// Ascender and descender in em (descender negative).
    ascender: f32,
    descender: f32,
    missing: BTreeSet<char>,
}

impl<'a> Shaper<'a> {
    /// A shaper for the font's chosen face.
    pub fn new(font: &'a Font) -> Result<Shaper<'a>, RenderError> {
        let face = rustybuzz::Face::from_slice(font.bytes(), font.index()).ok_or_else(|| {
            RenderError::MissingFont(format!("{} cannot be read for shaping", font.name()))
        })?;
        let upem = face.units_per_em().max(1) as f32;
        let ascender = f32::from(face.ascender()) / upem;
        let descender = f32::from(face.descender()) / upem;
        Ok(Shaper {
            face,
            upem,
            ascender,
            descender,
            missing: BTreeSet::new(),
        })
    }

    /// The characters met so far that the font has no glyph for (drawn as their code point).
    #[cfg(test)]
    pub fn missing(&self) -> &BTreeSet<char> {
        &self.missing
    }

    /// The text as it is drawn: line breaks normalised, control characters as spaces, and each
    /// character the font has no glyph for spelled as its code point (`[U+1F44D]`), which the
    /// font can draw and a reader can look up, instead of a blank box.
    fn drawable(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in clean(text).chars() {
            if needs_glyph(c) && self.face.glyph_index(c).is_none() {
                self.missing.insert(c);
                out.push_str(&format!("[U+{:04X}]", u32::from(c)));
            } else {
                out.push(c);
            }
        }
        out
    }

    /// Where the baseline sits below the top of a line box of height `line_height`.
    pub fn baseline(&self, size: f32, line_height: f32) -> f32 {
        let content = (self.ascender - self.descender) * size;
        (line_height - content) / 2.0 + self.ascender * size
    }

    /// Shapes one paragraph (no line breaks in it) left to right.
    fn shape(&mut self, text: &str) -> Vec<KrillaGlyph> {
        if text.is_empty() {
            return Vec::new();
        }
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_direction(Direction::LeftToRight);
        let output = rustybuzz::shape(&self.face, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            let end = infos[i + 1..]
                .iter()
                .map(|n| n.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(text.len())
                .max(start);
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / self.upem,
                pos.x_offset as f32 / self.upem,
                pos.y_offset as f32 / self.upem,
                pos.y_advance as f32 / self.upem,
                start..end,
                None,
            ));
        }
        glyphs
    }

    /// One line, never broken (line breaks in `text` become spaces).
    pub fn line(&mut self, text: &str) -> Line {
        let text: String = self
            .drawable(text)
            .chars()
            .map(|c| if c == '\n' { ' ' } else { c })
            .collect();
        let glyphs = self.shape(&text);
        let width = glyphs.iter().map(|g| g.x_advance).sum();
        Line {
            text,
            glyphs,
            width,
        }
    }

    /// Breaks `text` into lines no wider than `max_width` points at `size`. Line breaks in the
    /// text are kept; an empty text gives one empty line.
    pub fn wrap(&mut self, text: &str, size: f32, max_width: f32) -> Vec<Line> {
        let max_em = if size > 0.0 { max_width / size } else { 0.0 };
        let cleaned = self.drawable(text);
        let mut lines = Vec::new();
        for para in cleaned.split('\n') {
            self.wrap_paragraph(para, max_em, &mut lines);
        }
        lines
    }

    fn wrap_paragraph(&mut self, para: &str, max_em: f32, out: &mut Vec<Line>) {
        let glyphs = self.shape(para);
        // prefix[i]: advance of glyphs[..i].
        let mut prefix = Vec::with_capacity(glyphs.len() + 1);
        let mut acc = 0.0_f32;
        prefix.push(acc);
        for g in &glyphs {
            acc += g.x_advance;
            prefix.push(acc);
        }
        // The first glyph whose cluster starts at or after a byte offset.
        let glyph_at = |offset: usize| glyphs.partition_point(|g| g.text_range.start < offset);
        let width = |a: usize, b: usize| prefix[glyph_at(b)] - prefix[glyph_at(a)];
        let visible_end = |a: usize, b: usize| a + para[a..b].trim_end().len();

        let breaks: Vec<usize> = linebreaks(para)
            .filter(|&(i, op)| i > 0 && (op == BreakOpportunity::Allowed || i == para.len()))
            .map(|(i, _)| i)
            .collect();
        let mut start = 0;
        let mut last_fit: Option<usize> = None;
        let mut i = 0;
        while i < breaks.len() {
            let b = breaks[i];
            if width(start, visible_end(start, b)) <= max_em {
                last_fit = Some(b);
                i += 1;
                continue;
            }
            if let Some(fit) = last_fit {
                // Break at the last opportunity that fitted; look at `b` again from there.
                out.push(make_line(para, &glyphs, start, fit));
                start = fit;
                last_fit = None;
                continue;
            }
            // Not even one word fits: cut it between clusters.
            let cut = self.cut(&glyphs, &prefix, start, b, max_em);
            out.push(make_line(para, &glyphs, start, cut));
            start = cut;
        }
        if start < para.len() || para.is_empty() {
            out.push(make_line(para, &glyphs, start, para.len()));
        }
    }

    /// The furthest cluster boundary after `start` (and before `end`) at which the text from
    /// `start` still fits; at least one cluster.
    fn cut(
        &self,
        glyphs: &[KrillaGlyph],
        prefix: &[f32],
        start: usize,
        end: usize,
        max_em: f32,
    ) -> usize {
        let first = glyphs.partition_point(|g| g.text_range.start < start);
        let base = prefix[first];
        let mut best = None;
        for (k, g) in glyphs.iter().enumerate().skip(first) {
            let boundary = g.text_range.start;
            if boundary >= end {
                break;
            }
            if boundary > start {
                if prefix[k] - base <= max_em {
                    best = Some(boundary);
                } else {
                    break;
                }
            }
        }
        match best {
            Some(b) => b,
            None => glyphs[first..]
                .iter()
                .map(|g| g.text_range.end)
                .find(|&e| e > start)
                .unwrap_or(end)
                .min(end),
        }
    }
}

/// Control characters become spaces, CR LF and the Unicode separators become LF.
fn clean(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    text.chars()
        .map(|c| match c {
            '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}' => '\n',
            '\n' => '\n',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// The line for bytes `a..b` of a paragraph, without trailing whitespace.
fn make_line(para: &str, glyphs: &[KrillaGlyph], a: usize, b: usize) -> Line {
    let b = a + para[a..b].trim_end().len();
    let mut width = 0.0;
    let mut out = Vec::new();
    for g in glyphs
        .iter()
        .filter(|g| g.text_range.start >= a && g.text_range.start < b)
    {
        width += g.x_advance;
        let mut g = g.clone();
        let end = g.text_range.end.min(b);
        g.text_range = (g.text_range.start - a)..(end - a);
        out.push(g);
    }
    Line {
        text: para[a..b].to_string(),
        glyphs: out,
        width,
    }
}

/// Horizontal alignment in a table cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table column: its title, share of the table's width, alignment.
#[derive(Clone, Debug)]
pub struct Column {
    pub title: String,
    pub share: f32,
    pub align: Align,
}

impl Column {
    /// A column.
    pub fn new(title: &str, share: f32, align: Align) -> Column {
        Column {
            title: title.to_string(),
            share,
            align,
        }
    }
}

/// A table row; a `strong` row (a total) is drawn bold under a darker rule.
#[derive(Clone, Debug)]
pub struct Row {
    pub cells: Vec<String>,
    pub strong: bool,
}

impl Row {
    /// A plain row.
    pub fn new(cells: Vec<String>) -> Row {
        Row {
            cells,
            strong: false,
        }
    }
}

/// Page size and margins, in points.
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    pub width: f32,
    pub height: f32,
    pub left: f32,
    pub right: f32,
    pub top: f32,
    /// Where content stops (the footer is below).
    pub bottom: f32,
}

impl Geometry {
    /// A4 portrait with the report's margins.
    pub fn a4() -> Geometry {
        Geometry {
            width: 595.28,
            height: 841.89,
            left: 48.0,
            right: 595.28 - 48.0,
            top: 38.0,
            bottom: 841.89 - 50.0,
        }
    }

    /// Width of the content column.
    pub fn content_width(&self) -> f32 {
        self.right - self.left
    }
}

/// Type sizes and spacing.
pub mod style {
    /// Body text size.
    pub const BODY: f32 = 9.2;
    /// Table text size.
    pub const TABLE: f32 = 8.2;
    /// Table header and small labels.
    pub const SMALL: f32 = 7.2;
    /// Section headings.
    pub const HEADING: f32 = 10.8;
    /// The report title.
    pub const TITLE: f32 = 19.0;
    /// The footer.
    pub const FOOTER: f32 = 6.8;
    /// Line height as a multiple of the size.
    pub const LEADING: f32 = 1.4;
    /// Line height in table cells.
    pub const TABLE_LEADING: f32 = 1.3;
    /// Cell padding, horizontal and vertical.
    pub const PAD_X: f32 = 4.0;
    pub const PAD_Y: f32 = 2.1;
}

/// Pages being filled top to bottom.
pub struct Flow {
    pub geometry: Geometry,
    pub pages: Vec<Vec<Op>>,
    /// The next free position from the top of the current page.
    pub y: f32,
    /// Drawn at the top of every page after the first (the running header), and where the
    /// content starts below it.
    pub running: Vec<Op>,
    pub running_top: f32,
}

impl Flow {
    /// One empty page.
    pub fn new(geometry: Geometry) -> Flow {
        Flow {
            geometry,
            pages: vec![Vec::new()],
            y: geometry.top,
            running: Vec::new(),
            running_top: geometry.top,
        }
    }

    /// Starts a new page (with the running header).
    pub fn new_page(&mut self) {
        self.pages.push(self.running.clone());
        self.y = self.running_top;
    }

    /// Room left on this page.
    pub fn room(&self) -> f32 {
        self.geometry.bottom - self.y
    }

    /// Room on an empty page.
    pub fn page_room(&self) -> f32 {
        self.geometry.bottom - self.running_top
    }

    /// Whether the page has content below its top.
    fn at_top(&self) -> bool {
        self.y <= self.running_top + 0.01 && self.pages.len() > 1
    }

    /// Moves to a new page unless `h` fits here (or nothing would be gained).
    pub fn ensure(&mut self, h: f32) {
        if h > self.room() && !self.at_top() {
            self.new_page();
        }
    }

    /// Adds an operation to the current page.
    pub fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Adds vertical space (dropped at the top of a page).
    pub fn space(&mut self, h: f32) {
        if !self.at_top() {
            self.y += h;
        }
    }

    /// Draws wrapped text in the column `x..x + w`, breaking pages between lines.
    #[allow(clippy::too_many_arguments)]
    pub fn paragraph(
        &mut self,
        shaper: &mut Shaper<'_>,
        text: &str,
        x: f32,
        w: f32,
        size: f32,
        color: Rgb,
        bold: bool,
    ) {
        let lh = size * style::LEADING;
        let base = shaper.baseline(size, lh);
        for line in shaper.wrap(text, size, w) {
            self.ensure(lh);
            self.push(Op::Text {
                x,
                y: self.y + base,
                size,
                color,
                bold,
                line,
            });
            self.y += lh;
        }
    }

    /// Draws a table across the content width at `x..x + w`; rows that do not fit move to the
    /// next page under a repeated header, and a row taller than a page is split between lines.
    pub fn table(
        &mut self,
        shaper: &mut Shaper<'_>,
        columns: &[Column],
        rows: &[Row],
        x: f32,
        w: f32,
    ) {
        let total: f32 = columns
            .iter()
            .map(|c| c.share)
            .sum::<f32>()
            .max(f32::EPSILON);
        let mut xs = Vec::with_capacity(columns.len());
        let mut widths = Vec::with_capacity(columns.len());
        let mut cx = x;
        for c in columns {
            let cw = w * c.share / total;
            xs.push(cx);
            widths.push(cw);
            cx += cw;
        }
        let inner = |i: usize| (widths[i] - 2.0 * style::PAD_X).max(1.0);

        // The header, shaped once and drawn on every page the table reaches.
        let hsize = style::SMALL;
        let hlh = hsize * style::TABLE_LEADING;
        let hbase = shaper.baseline(hsize, hlh);
        let header_cells: Vec<Vec<Line>> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| shaper.wrap(&c.title, hsize, inner(i)))
            .collect();
        let header_lines = header_cells.iter().map(Vec::len).max().unwrap_or(1);
        let header_h = header_lines as f32 * hlh + 2.0 * style::PAD_Y;
        let draw_header = |flow: &mut Flow| {
            let top = flow.y;
            flow.push(Op::Rect {
                x,
                y: top,
                w,
                h: header_h,
                color: SHADE,
            });
            for (i, lines) in header_cells.iter().enumerate() {
                for (k, line) in lines.iter().enumerate() {
                    let lx = align_x(columns[i].align, xs[i], widths[i], line.width_at(hsize));
                    flow.push(Op::Text {
                        x: lx,
                        y: top + style::PAD_Y + k as f32 * hlh + hbase,
                        size: hsize,
                        color: MUTED,
                        bold: false,
                        line: line.clone(),
                    });
                }
            }
            flow.y += header_h;
        };

        let size = style::TABLE;
        let lh = size * style::TABLE_LEADING;
        let base = shaper.baseline(size, lh);
        let first_row_h = rows.first().map_or(0.0, |r| {
            let n = r
                .cells
                .iter()
                .enumerate()
                .take(columns.len())
                .map(|(i, t)| shaper.wrap(t, size, inner(i)).len())
                .max()
                .unwrap_or(1);
            n as f32 * lh + 2.0 * style::PAD_Y
        });
        self.ensure(header_h + first_row_h.min(self.page_room() / 2.0));
        draw_header(self);

        for row in rows {
            let cells: Vec<Vec<Line>> = row
                .cells
                .iter()
                .enumerate()
                .take(columns.len())
                .map(|(i, t)| shaper.wrap(t, size, inner(i)))
                .collect();
            let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let row_h = n as f32 * lh + 2.0 * style::PAD_Y;
            if row_h > self.room() && row_h <= self.page_room() - header_h {
                self.new_page();
                draw_header(self);
            }
            let mut k = 0;
            while k < n {
                let mut fit = ((self.room() - 2.0 * style::PAD_Y) / lh).floor().max(0.0) as usize;
                if fit == 0 {
                    if self.y > self.running_top + header_h + 0.01 {
                        self.new_page();
                        draw_header(self);
                        continue;
                    }
                    // A page too small for one line: draw it anyway rather than loop.
                    fit = 1;
                }
                let upto = (k + fit).min(n);
                let top = self.y;
                if row.strong {
                    self.push(Op::Rule {
                        x1: x,
                        y1: top,
                        x2: x + w,
                        y2: top,
                        width: 0.8,
                        color: MUTED,
                    });
                }
                for (i, lines) in cells.iter().enumerate() {
                    for (slot, line) in lines.iter().enumerate().take(upto).skip(k) {
                        let lx = align_x(columns[i].align, xs[i], widths[i], line.width_at(size));
                        self.push(Op::Text {
                            x: lx,
                            y: top + style::PAD_Y + (slot - k) as f32 * lh + base,
                            size,
                            color: INK,
                            bold: row.strong,
                            line: line.clone(),
                        });
                    }
                }
                let h = (upto - k) as f32 * lh + 2.0 * style::PAD_Y;
                self.y += h;
                self.push(Op::Rule {
                    x1: x,
                    y1: self.y,
                    x2: x + w,
                    y2: self.y,
                    width: 0.5,
                    color: RULE,
                });
                k = upto;
                if k < n {
                    self.new_page();
                    draw_header(self);
                }
            }
        }
    }
}

/// Where a line of `line_w` starts in a cell at `x` of width `w`.
fn align_x(align: Align, x: f32, w: f32, line_w: f32) -> f32 {
    match align {
        Align::Left => x + style::PAD_X,
        Align::Right => x + w - style::PAD_X - line_w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CJK: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

    fn font() -> Font {
        assert!(
            Path::new(CJK).is_file(),
            "these tests need {CJK} (Debian package fonts-noto-cjk)"
        );
        Font::load(Path::new(CJK)).unwrap()
    }

    #[test]
    fn chinese_breaks_between_characters_and_latin_between_words() {
        let font = font();
        let mut s = Shaper::new(&font).unwrap();
        let zh = "更换压缩机启动电容并测试运行正常，客户确认设备恢复工作。";
        let lines = s.wrap(zh, 10.0, 100.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(l.width_at(10.0) <= 100.0 + 0.01, "{} too wide", l.text);
        }
        let joined: String = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(joined, zh);

        let en = "Replaced the start capacitor of the compressor and tested the unit";
        let lines = s.wrap(en, 10.0, 120.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(!l.text.ends_with(' ') && !l.text.starts_with(' '));
            assert!(l.width_at(10.0) <= 120.0 + 0.01);
        }
        let words: Vec<&str> = lines.iter().flat_map(|l| l.text.split(' ')).collect();
        assert_eq!(words.join(" "), en);
        assert!(s.missing().is_empty());
    }

    #[test]
    fn a_word_longer_than_the_line_is_cut_and_newlines_are_kept() {
        let font = font();
        let mut s = Shaper::new(&font).unwrap();
        let hex = "0123456789abcdef".repeat(8);
        let lines = s.wrap(&hex, 10.0, 80.0);
        assert!(lines.len() > 2);
        assert_eq!(
            lines.iter().map(|l| l.text.as_str()).collect::<String>(),
            hex
        );
        let lines = s.wrap("one\n\ntwo\r\nthree", 10.0, 300.0);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["one", "", "two", "three"]);
        assert_eq!(s.wrap("", 10.0, 300.0).len(), 1);
    }

    #[test]
    fn missing_glyphs_are_recorded() {
        let font = font();
        let mut s = Shaper::new(&font).unwrap();
        let line = s.line("ok \u{1F600}\u{200D} done");
        assert_eq!(s.missing().iter().collect::<String>(), "\u{1F600}");
        assert_eq!(line.text, "ok [U+1F600]\u{200D} done");
        let wrapped = s.wrap("fine \u{1F44D}", 10.0, 300.0);
        assert_eq!(wrapped[0].text, "fine [U+1F44D]");
    }
}
