//! Laid-out pages to PDF bytes with krilla, which embeds the font as a subset (CID-keyed, with
//! a ToUnicode map so the text can be searched and copied) and passes JPEG photos through.
//!
//! Output depends only on the input: krilla derives the file id and XMP instance id from a
//! stable hash of the content and writes no date unless given one. The metadata set here is
//! the title, the language, a fixed creator and a document id derived from the report's hash,
//! and no creation date.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;

use crate::RenderError;
use crate::fonts::Font;
use crate::layout::{Geometry, Op, Rgb};

/// What the PDF says about itself.
pub struct Info {
    pub title: String,
    pub language: String,
    pub document_id: String,
}

/// Writes the pages.
pub fn write(
    pages: &[Vec<Op>],
    font: &Font,
    geometry: Geometry,
    info: Info,
) -> Result<Vec<u8>, RenderError> {
    let kfont = krilla::text::Font::new(font.bytes().clone().into(), font.index())
        .ok_or_else(|| RenderError::Pdf(format!("krilla cannot read the font {}", font.name())))?;
    let settings = krilla::SerializeSettings {
        // Nothing is tagged; an empty structure tree would only add bytes.
        enable_tagging: false,
        ..Default::default()
    };
    let mut document = Document::new_with(settings);
    document.set_metadata(
        Metadata::new()
            .title(info.title)
            .language(info.language)
            .creator("Fieldwork".to_string())
            .document_id(info.document_id),
    );
    let page_settings = PageSettings::from_wh(geometry.width, geometry.height)
        .ok_or_else(|| RenderError::Pdf("invalid page size".into()))?;
    for ops in pages {
        let mut page = document.start_page_with(page_settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, &kfont);
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))
}

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Rgb) -> Fill {
    Fill {
        paint: color(c).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn stroke(c: Rgb, width: f32) -> Stroke {
    Stroke {
        paint: color(c).into(),
        width,
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Default::default()
    }
}

fn draw(surface: &mut Surface<'_>, op: &Op, font: &krilla::text::Font) {
    match op {
        Op::Text {
            x,
            y,
            size,
            color: c,
            bold,
            line,
        } => {
            if line.glyphs.is_empty() {
                return;
            }
            surface.set_fill(Some(fill(*c)));
            // A hairline outline in the text colour thickens the single regular face for
            // titles and headings; the text stays real text.
            surface.set_stroke(bold.then(|| stroke(*c, size * 0.035)));
            surface.draw_glyphs(
                Point::from_xy(*x, *y),
                &line.glyphs,
                font.clone(),
                &line.text,
                *size,
                false,
            );
            surface.set_stroke(None);
        }
        Op::Rect {
            x,
            y,
            w,
            h,
            color: c,
        } => {
            let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut pb = PathBuilder::new();
            pb.push_rect(rect);
            if let Some(path) = pb.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(*c)));
                surface.draw_path(&path);
            }
        }
        Op::Frame {
            x,
            y,
            w,
            h,
            width,
            color: c,
        } => {
            let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut pb = PathBuilder::new();
            pb.push_rect(rect);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(stroke(*c, *width)));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Rule {
            x1,
            y1,
            x2,
            y2,
            width,
            color: c,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    line_cap: LineCap::Butt,
                    ..stroke(*c, *width)
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Image { x, y, w, h, image } => {
            let Some(size) = Size::from_wh(*w, *h) else {
                return;
            };
            surface.push_transform(&Transform::from_translate(*x, *y));
            surface.draw_image(image.clone(), size);
            surface.pop();
        }
        Op::Pen {
            points,
            width,
            color: c,
        } => {
            let Some(path) = pen_path(points) else {
                return;
            };
            surface.set_fill(None);
            surface.set_stroke(Some(stroke(*c, *width)));
            surface.draw_path(&path);
            surface.set_stroke(None);
        }
    }
}

/// A smooth path through the points: quadratic curves between the midpoints of successive
/// segments, each point a control point. A single point is a dot.
fn pen_path(points: &[(f32, f32)]) -> Option<krilla::geom::Path> {
    let (&(x0, y0), rest) = points.split_first()?;
    let mut pb = PathBuilder::new();
    pb.move_to(x0, y0);
    match rest {
        [] => pb.line_to(x0 + 0.01, y0),
        [(x, y)] => pb.line_to(*x, *y),
        _ => {
            for pair in rest.windows(2) {
                let (cx, cy) = pair[0];
                let (nx, ny) = pair[1];
                pb.quad_to(cx, cy, (cx + nx) / 2.0, (cy + ny) / 2.0);
            }
            if let Some(&(lx, ly)) = rest.last() {
                pb.line_to(lx, ly);
            }
        }
    }
    pb.finish()
}
