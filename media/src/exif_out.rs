//! The one piece of metadata a stored photo keeps: its capture time, as a minimal EXIF block
//! (little-endian TIFF with `DateTimeOriginal` and `OffsetTimeOriginal` in UTC). No position, no
//! phone model, no orientation (the pixels are already upright).

use chrono::{DateTime, Utc};

const TYPE_ASCII: u16 = 2;
const TYPE_LONG: u16 = 4;
const TAG_EXIF_IFD: u16 = 0x8769;
const TAG_DATE_TIME_ORIGINAL: u16 = 0x9003;
const TAG_OFFSET_TIME_ORIGINAL: u16 = 0x9011;

/// The EXIF block (TIFF bytes, without the `Exif\0\0` prefix) for a capture time in epoch ms;
/// `None` for a time chrono cannot represent.
pub(crate) fn capture_time(taken_at: i64) -> Option<Vec<u8>> {
    let when = DateTime::<Utc>::from_timestamp_millis(taken_at)?;
    let date_time = format!("{}\0", when.format("%Y:%m:%d %H:%M:%S"));
    let offset = "+00:00\0";
    // Layout: header (8) | IFD0 with one entry (18) | Exif IFD with two entries (30) | values.
    let exif_ifd = 8 + 18;
    let values = exif_ifd + 30;
    let mut out = Vec::with_capacity(values + date_time.len() + offset.len() + 1);
    out.extend_from_slice(b"II");
    out.extend_from_slice(&42u16.to_le_bytes());
    out.extend_from_slice(&8u32.to_le_bytes());
    // IFD0: a pointer to the Exif IFD.
    out.extend_from_slice(&1u16.to_le_bytes());
    entry(&mut out, TAG_EXIF_IFD, TYPE_LONG, 1, exif_ifd as u32);
    out.extend_from_slice(&0u32.to_le_bytes());
    // Exif IFD, entries in tag order.
    out.extend_from_slice(&2u16.to_le_bytes());
    entry(
        &mut out,
        TAG_DATE_TIME_ORIGINAL,
        TYPE_ASCII,
        date_time.len() as u32,
        values as u32,
    );
    entry(
        &mut out,
        TAG_OFFSET_TIME_ORIGINAL,
        TYPE_ASCII,
        offset.len() as u32,
        (values + date_time.len()) as u32,
    );
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(date_time.as_bytes());
    out.extend_from_slice(offset.as_bytes());
    Some(out)
}

fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&value.to_le_bytes());
}
