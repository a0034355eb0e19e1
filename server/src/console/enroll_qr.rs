//! The enrollment code as a QR code: the phone scans the office's address and the code instead
//! of typing them. The payload is a URL, `fieldwork://enroll?office=<address>&code=<code>`
//! (both percent-encoded), which the apps parse; the console shows it as a PNG.

use std::io::Cursor;

use image::{GrayImage, ImageFormat, Luma};
use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module: about 300 px for a code of this length, sharp on a laptop screen and
/// read at arm's length by a phone camera.
const MODULE_PX: u32 = 8;
/// White modules around the code: the standard's quiet zone, without which scanners fail.
const QUIET_ZONE: u32 = 4;

/// The payload a phone scans.
pub(crate) fn payload(office: &str, code: &str) -> String {
    format!(
        "fieldwork://enroll?office={}&code={}",
        percent_encode(office),
        percent_encode(code)
    )
}

/// Every byte but the URL-unreserved ones as `%XX`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The payload as a black-on-white PNG QR code (error correction M: a smudged screen still
/// scans). `None` only if the payload is too long for a QR code, which ours never is.
pub(crate) fn png(payload: &str) -> Option<Vec<u8>> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).ok()?;
    let width = u32::try_from(code.width()).ok()?;
    let side = (width + 2 * QUIET_ZONE) * MODULE_PX;
    let colors = code.to_colors();
    let image = GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / MODULE_PX, y / MODULE_PX);
        let inside = (QUIET_ZONE..QUIET_ZONE + width).contains(&mx)
            && (QUIET_ZONE..QUIET_ZONE + width).contains(&my);
        let dark = inside
            && colors[((my - QUIET_ZONE) * width + (mx - QUIET_ZONE)) as usize] == Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    });
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn the_png_reads_back_as_the_payload() {
        let payload = payload("https://office.example:8443/", "K7F2-9QX3");
        assert_eq!(
            payload,
            "fieldwork://enroll?office=https%3A%2F%2Foffice.example%3A8443%2F&code=K7F2-9QX3"
        );
        let png = png(&payload).unwrap();
        let image = image::load_from_memory(&png).unwrap().to_luma8();
        let (w, h) = image.dimensions();
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
                image.get_pixel(x as u32, y as u32).0[0]
            });
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, payload);
    }
}
