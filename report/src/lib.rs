//! Renders a sealed completion report to PDF: the same bytes on the phone and at the office.
//!
//! The input is the report's canonical JSON, exactly the bytes that were hashed and signed
//! ([`fieldwork_model::report::canonical`]); nothing else about the job is read, so the PDF of
//! a sealed version never changes. The output is A4 in the report's language (zh-CN or en):
//! header, job, customer, site, asset, problem, diagnosis, work done, parts, travel and labour,
//! charges with the total, checklist, photos, and the signature drawn from its strokes (or the
//! refusal), with the seal (`sha256` of the canonical bytes, device id, page N/M) on every page.
//!
//! Deterministic: no clock, no random ids, no hash-map order and no platform-dependent maths
//! reach the output, so two renderers with the same inputs, the same font file and the same
//! build produce byte-identical PDFs. Text is real text in one embedded, subsetted font
//! ([`Font`], Noto Sans CJK SC). A font without Chinese glyphs is refused with
//! [`RenderError::MissingFont`] naming the face reports need; a character even that face cannot
//! draw (an emoji in a note) is printed as its code point, `[U+1F44D]`, never as a blank box,
//! so one keyboard symbol cannot cost the customer their copy.
//!
//! ```no_run
//! # fn demo(canonical: &[u8]) -> Result<(), fieldwork_report::RenderError> {
//! let font = fieldwork_report::Font::find_cjk()?;
//! let pdf = fieldwork_report::render(canonical, &font, &|_id: &str| None)?;
//! # let _ = pdf; Ok(()) }
//! ```

mod compose;
pub mod fonts;
pub mod labels;
mod layout;
pub mod outline;
mod pdf;

use fieldwork_model::report::{REPORT_FORMAT, Report, canonical as canonical_bytes, sha256_hex};
use krilla::image::Image;

pub use fonts::Font;
pub use layout::{Align, Column, Row};
pub use outline::Outline;

/// Why a report could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// No usable font: the message names the font wanted and where it was looked for.
    #[error("missing font: {0}")]
    MissingFont(String),
    /// The photo with this id was not supplied.
    #[error("photo {0} is missing")]
    MissingPhoto(String),
    /// The bytes are not a report this renderer can draw.
    #[error("not a renderable report: {0}")]
    BadReport(String),
    /// Writing the PDF failed.
    #[error("cannot write the PDF: {0}")]
    Pdf(String),
}

/// Renders the sealed canonical bytes. `photo(id)` returns the stored JPEG bytes of a photo.
///
/// The bytes must be a report in canonical form (as sealed); the seal printed on every page is
/// their SHA-256. A photo's bytes must hash to its id (photos are content-addressed). Fails with
/// `MissingPhoto` when a photo is not supplied, `MissingFont` when the font has no Chinese
/// glyphs (it is not the Simplified Chinese face reports are drawn with), `BadReport` when the bytes are not a canonical report of a known
/// format, or a photo's bytes are not its own or not a JPEG.
pub fn render(
    canonical: &[u8],
    font: &Font,
    photo: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, RenderError> {
    let report: Report = serde_json::from_slice(canonical)
        .map_err(|e| RenderError::BadReport(format!("not a report: {e}")))?;
    if report.format != REPORT_FORMAT {
        return Err(RenderError::BadReport(format!(
            "report format {} is not {REPORT_FORMAT}",
            report.format
        )));
    }
    let again = canonical_bytes(&report).map_err(|e| RenderError::BadReport(e.to_string()))?;
    if again != canonical {
        return Err(RenderError::BadReport(
            "the bytes are not in canonical form (render the sealed bytes)".into(),
        ));
    }
    let sha256 = sha256_hex(canonical);
    font.require_chinese()?;

    let mut photos = Vec::with_capacity(report.content.photos.len());
    for meta in &report.content.photos {
        let bytes = photo(&meta.id).ok_or_else(|| RenderError::MissingPhoto(meta.id.clone()))?;
        // Photos are content-addressed: the PDF shows exactly the photo that was sealed.
        if sha256_hex(&bytes) != meta.id {
            return Err(RenderError::BadReport(format!(
                "photo {}: the bytes supplied have another SHA-256",
                meta.id
            )));
        }
        let image = Image::from_jpeg(bytes.into(), false)
            .map_err(|e| RenderError::BadReport(format!("photo {} is not a JPEG: {e}", meta.id)))?;
        photos.push(compose::Photo { meta, image });
    }

    let mut shaper = layout::Shaper::new(font)?;
    let pages = compose::compose(&report, &sha256, &mut shaper, &photos);
    let l = labels::labels(report.language);
    let info = pdf::Info {
        title: format!("{} {} v{}", l.title, report.job, report.version),
        language: report.language.as_str().to_string(),
        document_id: sha256,
    };
    pdf::write(&pages, font, layout::Geometry::a4(), info)
}
