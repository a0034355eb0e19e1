//! When the photo was taken, from its raw EXIF (the TIFF structure `ImageDecoder::exif_metadata`
//! returns for both JPEG and PNG).
//!
//! EXIF stores the camera's wall-clock time, `"YYYY:MM:DD HH:MM:SS"`, without a zone. Newer
//! cameras add the UTC offset in `OffsetTimeOriginal`; without it the time is read in the site's
//! time zone, since the photo was taken on site. Anything missing or unreadable gives `None`:
//! the capture time is a nicety, never a reason to refuse a photo.

use chrono::{FixedOffset, NaiveDate, TimeZone};
use chrono_tz::Tz;
use exif::{DateTime, Exif, In, Reader, Tag, Value};

/// The capture time in milliseconds since the Unix epoch: `DateTimeOriginal` (with
/// `OffsetTimeOriginal`), else `DateTime` (with `OffsetTime`).
pub(crate) fn taken_at(raw_exif: Vec<u8>, site_time_zone: &str) -> Option<i64> {
    let exif = read(raw_exif)?;
    [
        (
            Tag::DateTimeOriginal,
            Tag::OffsetTimeOriginal,
            Tag::SubSecTimeOriginal,
        ),
        (Tag::DateTime, Tag::OffsetTime, Tag::SubSecTime),
    ]
    .into_iter()
    .find_map(|(time, offset, subsec)| {
        let mut date_time = DateTime::from_ascii(ascii(&exif, time)?).ok()?;
        // A bad offset or fraction leaves the field `None` (the parsers set it only on
        // success); the wall time alone is still worth having.
        if let Some(offset) = ascii(&exif, offset) {
            let _ = date_time.parse_offset(offset);
        }
        if let Some(subsec) = ascii(&exif, subsec) {
            let _ = date_time.parse_subsec(subsec);
        }
        epoch_millis(&date_time, site_time_zone)
    })
}

/// Parses the TIFF structure, keeping what was readable when some other entry is broken
/// (maker notes often are).
fn read(raw_exif: Vec<u8>) -> Option<Exif> {
    match Reader::new().continue_on_error(true).read_raw(raw_exif) {
        Ok(exif) => Some(exif),
        Err(err) => err.distill_partial_result(|_ignored| {}).ok(),
    }
}

/// The first string of an ASCII field in the main image (the Exif sub-IFD included).
fn ascii(exif: &Exif, tag: Tag) -> Option<&[u8]> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(strings) => strings.first().map(Vec::as_slice),
        _ => None,
    }
}

fn epoch_millis(date_time: &DateTime, site_time_zone: &str) -> Option<i64> {
    let wall = NaiveDate::from_ymd_opt(
        i32::from(date_time.year),
        u32::from(date_time.month),
        u32::from(date_time.day),
    )?
    .and_hms_nano_opt(
        u32::from(date_time.hour),
        u32::from(date_time.minute),
        u32::from(date_time.second),
        date_time.nanosecond.unwrap_or(0),
    )?;
    let instant = match date_time.offset {
        Some(minutes) => FixedOffset::east_opt(i32::from(minutes) * 60)?
            .from_local_datetime(&wall)
            .single()?
            .timestamp_millis(),
        // In the hour a clock is set back, the wall time happened twice: take the first. In
        // the hour it is set forward, it never happened: the camera's clock was wrong.
        None => site_time_zone
            .parse::<Tz>()
            .ok()?
            .from_local_datetime(&wall)
            .earliest()?
            .timestamp_millis(),
    };
    Some(instant)
}
