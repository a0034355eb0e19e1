//! The one font a report is drawn with: Noto Sans CJK SC (Simplified Chinese), which also covers
//! Latin, so an English report whose customer name is Chinese renders with the same font.
//!
//! A font collection (`.ttc`) holds several faces; [`Font::load`] picks the Simplified Chinese
//! one by its family name, not by a hard-coded index. [`Font::find_cjk`] looks in the usual
//! places on Debian and Android. The bytes of the file matter: a PDF embeds a subset of the
//! font, so the phone and the office produce the same PDF only from the same font file
//! ([`Font::fingerprint`] tells two apart).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustybuzz::ttf_parser;

use crate::RenderError;

/// Environment variable naming a font file to use before the usual places.
pub const FONT_ENV: &str = "FIELDWORK_FONT";

/// What [`Font::find_cjk`] asks for when it finds nothing.
pub const CJK_FONT_NAME: &str = "Noto Sans CJK SC (Debian package fonts-noto-cjk)";

/// Where [`Font::find_cjk`] looks, in order, after `$FIELDWORK_FONT`.
pub const CJK_FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/system/fonts/NotoSansCJK-Regular.ttc",
];

/// Characters a font must have to count as a CJK font for [`Font::find_cjk`].
const CJK_SAMPLE: &str = "完工报告客户签字";

/// A loaded font file and the face of it that reports are drawn with.
///
/// Cloning is cheap: the bytes are shared.
#[derive(Clone)]
pub struct Font {
    bytes: Arc<Vec<u8>>,
    index: u32,
    name: String,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font")
            .field("name", &self.name)
            .field("index", &self.index)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Font {
    /// Loads a font file (.ttf/.otf/.ttc); for a collection, picks the Simplified Chinese face
    /// (the one whose family name contains "CJK SC"), falling back to face 0 for a plain font.
    pub fn load(path: &Path) -> Result<Font, RenderError> {
        let bytes = std::fs::read(path).map_err(|e| {
            RenderError::MissingFont(format!("cannot read font file {}: {e}", path.display()))
        })?;
        Font::from_bytes(bytes).map_err(|e| match e {
            RenderError::MissingFont(m) => {
                RenderError::MissingFont(format!("{}: {m}", path.display()))
            }
            other => other,
        })
    }

    /// Loads a font from its bytes (for a shell that bundles the font as an asset), picking the
    /// face as [`Font::load`] does.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Font, RenderError> {
        let count = ttf_parser::fonts_in_collection(&bytes).unwrap_or(1);
        let mut chosen = None;
        for index in 0..count {
            let Ok(face) = ttf_parser::Face::parse(&bytes, index) else {
                continue;
            };
            let family = family_name(&face);
            if family.as_deref().is_some_and(|f| f.contains("CJK SC")) {
                chosen = Some((index, family));
                break;
            }
        }
        let (index, name) = match chosen {
            Some((index, family)) => (index, family),
            None => {
                let face = ttf_parser::Face::parse(&bytes, 0).map_err(|e| {
                    RenderError::MissingFont(format!("not a usable font file ({e})"))
                })?;
                (0, family_name(&face))
            }
        };
        let bytes = Arc::new(bytes);
        // krilla must accept it too, or the error would only show when rendering.
        if krilla::text::Font::new(Arc::clone(&bytes).into(), index).is_none() {
            return Err(RenderError::MissingFont(format!(
                "face {index} cannot be embedded in a PDF"
            )));
        }
        Ok(Font {
            bytes,
            index,
            name: name.unwrap_or_else(|| format!("face {index}")),
        })
    }

    /// The font reports are drawn with: the file at `path` if given (refused, naming
    /// [`CJK_FONT_NAME`], if it cannot draw Chinese), else [`Font::find_cjk`]. The phone, the
    /// office and its start-up check all pick their font here.
    pub fn for_reports(path: Option<&Path>) -> Result<Font, RenderError> {
        match path {
            Some(p) => {
                let font = Font::load(p)?;
                font.require_chinese()?;
                Ok(font)
            }
            None => Font::find_cjk(),
        }
    }

    /// Finds the CJK font in the usual places: `$FIELDWORK_FONT` if set, then
    /// [`CJK_FONT_PATHS`] (Debian's fonts-noto-cjk, other distributions, Android). A file that
    /// exists but lacks Chinese glyphs is passed over. Without one: `MissingFont` naming
    /// [`CJK_FONT_NAME`] and the paths searched.
    pub fn find_cjk() -> Result<Font, RenderError> {
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(p) = std::env::var_os(FONT_ENV).filter(|p| !p.is_empty()) {
            candidates.push(PathBuf::from(p));
        }
        candidates.extend(CJK_FONT_PATHS.iter().map(PathBuf::from));
        Font::find_cjk_in(&candidates).map_err(|e| match e {
            RenderError::MissingFont(m) => {
                RenderError::MissingFont(format!("{m} (or set ${FONT_ENV} to the font file)"))
            }
            other => other,
        })
    }

    /// [`Font::find_cjk`] over these files, in order.
    pub fn find_cjk_in(candidates: &[PathBuf]) -> Result<Font, RenderError> {
        let mut notes = Vec::new();
        for path in candidates {
            if !path.is_file() {
                continue;
            }
            match Font::load(path) {
                Ok(font) if font.missing_chars(CJK_SAMPLE).is_empty() => return Ok(font),
                Ok(font) => notes.push(format!(
                    "{} ({}) has no Chinese glyphs",
                    path.display(),
                    font.name
                )),
                Err(e) => notes.push(e.to_string()),
            }
        }
        let searched: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        let mut msg = format!(
            "{CJK_FONT_NAME} not found; searched {}",
            searched.join(", ")
        );
        if !notes.is_empty() {
            msg.push_str("; ");
            msg.push_str(&notes.join("; "));
        }
        Err(RenderError::MissingFont(msg))
    }

    /// The face's family name, e.g. `Noto Sans CJK SC`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The face index within the file (0 for a plain font).
    pub fn index(&self) -> u32 {
        self.index
    }

    /// SHA-256 of the font file and the face index (`<hex>#<index>`): two renderers make the
    /// same PDF only with the same fingerprint.
    pub fn fingerprint(&self) -> String {
        format!(
            "{}#{}",
            fieldwork_model::report::sha256_hex(&self.bytes),
            self.index
        )
    }

    /// The file's bytes.
    pub(crate) fn bytes(&self) -> &Arc<Vec<u8>> {
        &self.bytes
    }

    /// `MissingFont` naming [`CJK_FONT_NAME`] if this font cannot draw Chinese: every report
    /// is drawn with the Simplified Chinese face (an English report's customer may be 张伟).
    pub fn require_chinese(&self) -> Result<(), RenderError> {
        let lacking = self.missing_chars(CJK_SAMPLE);
        if lacking.is_empty() {
            return Ok(());
        }
        Err(RenderError::MissingFont(format!(
            "{CJK_FONT_NAME} is needed: the font given ({}) has no glyphs for Chinese (such as {})",
            self.name,
            lacking.iter().take(3).collect::<String>()
        )))
    }

    /// The characters of `text` the face has no glyph for, in order of first appearance, each
    /// once. Whitespace, control and default-ignorable characters need none.
    pub fn missing_chars(&self, text: &str) -> Vec<char> {
        let Ok(face) = ttf_parser::Face::parse(&self.bytes, self.index) else {
            return text.chars().filter(|c| needs_glyph(*c)).collect();
        };
        let mut out: Vec<char> = Vec::new();
        for c in text.chars() {
            if needs_glyph(c) && face.glyph_index(c).is_none() && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

/// Whether a character is drawn with a glyph of its own (not whitespace, a control character
/// or a default-ignorable one such as a zero-width joiner or a variation selector).
pub(crate) fn needs_glyph(c: char) -> bool {
    if c.is_whitespace() || c.is_control() {
        return false;
    }
    !matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x061C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// The English family name of a face (typographic family first), else any family name.
fn family_name(face: &ttf_parser::Face<'_>) -> Option<String> {
    use ttf_parser::name_id::{FAMILY, TYPOGRAPHIC_FAMILY};
    let names: Vec<_> = face.names().into_iter().collect();
    for id in [TYPOGRAPHIC_FAMILY, FAMILY] {
        let english = names
            .iter()
            .filter(|n| n.name_id == id && n.is_unicode() && n.language_id == 0x0409)
            .find_map(|n| n.to_string());
        if english.is_some() {
            return english;
        }
    }
    [TYPOGRAPHIC_FAMILY, FAMILY].into_iter().find_map(|id| {
        names
            .iter()
            .filter(|n| n.name_id == id && n.is_unicode())
            .find_map(|n| n.to_string())
    })
}
