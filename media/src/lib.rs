//! Photos a technician takes on site, made fit to attach to a job: [`process`] turns the camera's
//! JPEG or PNG into an upright JPEG at most [`MAX_EDGE`] pixels on its long edge, stripped of all
//! metadata but the capture time (no GPS position, no phone model, no colour profile), named by
//! the SHA-256 of its bytes.
//!
//! Untrusted input is refused before it costs memory: files over [`MAX_INPUT_BYTES`], anything
//! that is not JPEG or PNG by its magic bytes, and images whose header declares more than
//! [`MAX_SIDE`] pixels a side or [`MAX_PIXELS`] in all (a decompression bomb is a tiny file that
//! declares a huge image). The capture time is read from EXIF and written back as the stored
//! file's only EXIF tags (`DateTimeOriginal` in UTC with `OffsetTimeOriginal` +00:00).
//! The same input always gives the same bytes, so the same photo gets the same id everywhere.

mod capture;
mod exif_out;
#[doc(hidden)]
pub mod fixtures;
#[cfg(test)]
mod tests;

use std::io::Cursor;

use image::imageops::FilterType;
use image::{
    DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader, Limits,
    RgbImage, codecs::jpeg::JpegEncoder, metadata::Orientation,
};
use sha2::{Digest, Sha256};

/// Largest input accepted.
pub const MAX_INPUT_BYTES: usize = 25 * 1024 * 1024;
/// Longest edge of the stored image.
pub const MAX_EDGE: u32 = 2560;
/// Longest side of an input image.
pub const MAX_SIDE: u32 = 12_000;
/// Most pixels in an input image (80 megapixels; phone cameras stay below 50 for JPEG).
pub const MAX_PIXELS: u64 = 80_000_000;
/// Most bytes the decoder may allocate, the decoded image included.
const MAX_DECODER_ALLOC: u64 = 400 * 1024 * 1024;
/// JPEG quality of the stored image: no visible loss on a phone screen or a printed report.
const JPEG_QUALITY: u8 = 85;

/// A processed photo, ready to store as an attachment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Photo {
    /// The stored bytes: upright, scaled, re-encoded JPEG; its only metadata is the capture time.
    pub jpeg: Vec<u8>,
    /// Lowercase hex SHA-256 of `jpeg`: the attachment id.
    pub sha256: String,
    /// Width of `jpeg` in pixels, as displayed.
    pub width: u32,
    /// Height of `jpeg` in pixels, as displayed.
    pub height: u32,
    /// Capture time (EXIF `DateTimeOriginal`, else `DateTime`) in milliseconds since the Unix
    /// epoch; `None` when the photo does not say or says something unreadable.
    pub taken_at: Option<i64>,
}

/// Why a photo was refused. The messages are meant for the technician who picked the file.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// The file is over [`MAX_INPUT_BYTES`]; nothing was decoded.
    #[error("the file is {size} bytes; photos up to {max} bytes (25 MiB) are accepted")]
    TooLarge { size: usize, max: usize },
    /// The file is neither JPEG nor PNG (judged by its first bytes, not its name).
    #[error("the file is not a JPEG or PNG image ({0})")]
    NotAnImage(String),
    /// The header declares an image too big to decode safely; nothing was allocated for it.
    #[error(
        "the image is {width}x{height} pixels; at most {MAX_SIDE} pixels a side and 80 megapixels are accepted"
    )]
    TooManyPixels { width: u32, height: u32 },
    /// The file starts like an image but cannot be decoded (truncated or damaged).
    #[error("the image is damaged and cannot be read: {0}")]
    Corrupt(String),
    /// The processed image could not be written as JPEG.
    #[error("the photo could not be saved as JPEG: {0}")]
    Encode(String),
}

/// Processes a photo taken at a site in `site_time_zone` (an IANA name such as
/// `"Asia/Shanghai"`, used for the capture time when the photo carries no UTC offset).
///
/// Decodes `input` (JPEG or PNG), turns it upright by its EXIF orientation, scales it down so the
/// long edge is at most [`MAX_EDGE`] (never up), flattens any transparency onto white and encodes
/// it as baseline JPEG whose only metadata is the capture time (when the photo had one), in UTC.
pub fn process(input: &[u8], site_time_zone: &str) -> Result<Photo, PhotoError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(PhotoError::TooLarge {
            size: input.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let format = sniff(input)?;

    // Building the decoder parses only the header (the JPEG one also copies the input, at most
    // 25 MiB). The dimension limits are left to our own check below, which can name the
    // declared size; the allocation cap holds from the start.
    let mut reader = ImageReader::with_format(Cursor::new(input), format);
    reader.limits(decoder_limits(None));
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    let too_many = PhotoError::TooManyPixels { width, height };
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_many);
    }
    let mut limits = decoder_limits(Some(MAX_SIDE));
    // `ImageReader::into_decoder` does not count the output buffer against `max_alloc` (only
    // `ImageReader::decode` does), so reserve it here before `from_decoder` allocates it.
    if limits.reserve(decoder.total_bytes()).is_err() {
        return Err(too_many);
    }
    decoder.set_limits(limits).map_err(|_| too_many)?;

    // Metadata problems never cost the technician the photo: no date, or as stored.
    let taken_at = match decoder.exif_metadata() {
        Ok(Some(exif)) => capture::taken_at(exif, site_time_zone),
        _ => None,
    };
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);

    let image = DynamicImage::from_decoder(decoder).map_err(|err| match err {
        ImageError::Limits(_) => PhotoError::TooManyPixels { width, height },
        err => corrupt(err),
    })?;
    // Scale first, then rotate: the long edge is the same either way, and rotating the
    // smaller image copies less.
    let mut image = scale_down(image);
    image.apply_orientation(orientation);
    let rgb = to_rgb8(image);

    let mut jpeg = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY);
    if let Some(exif) = taken_at.and_then(exif_out::capture_time) {
        encoder
            .set_exif_metadata(exif)
            .map_err(|err| PhotoError::Encode(err.to_string()))?;
    }
    encoder
        .encode_image(&rgb)
        .map_err(|err| PhotoError::Encode(err.to_string()))?;
    Ok(Photo {
        sha256: hex::encode(Sha256::digest(&jpeg)),
        width: rgb.width(),
        height: rgb.height(),
        taken_at,
        jpeg,
    })
}

/// The format by magic bytes: the file name and the phone's MIME type are not trusted.
fn sniff(input: &[u8]) -> Result<ImageFormat, PhotoError> {
    if input.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(ImageFormat::Jpeg);
    }
    if input.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(ImageFormat::Png);
    }
    let looks_like = if input.is_empty() {
        "it is empty"
    } else if input.get(4..8) == Some(&b"ftyp"[..]) {
        "it looks like a HEIC photo or a video; set the camera to save JPEG"
    } else if input.starts_with(b"%PDF") {
        "it looks like a PDF document"
    } else if looks_like_text(&input[..input.len().min(512)]) {
        "it looks like text"
    } else {
        "it is of an unknown kind"
    };
    Err(PhotoError::NotAnImage(looks_like.to_owned()))
}

/// UTF-8 without NUL bytes; `prefix` may end inside a character.
fn looks_like_text(prefix: &[u8]) -> bool {
    let utf8 = match std::str::from_utf8(prefix) {
        Ok(_) => true,
        Err(err) => err.error_len().is_none(),
    };
    utf8 && !prefix.contains(&0)
}

/// The decoder limits: at most `max_side` pixels a side (no side limit with `None`) and
/// [`MAX_DECODER_ALLOC`] bytes allocated.
fn decoder_limits(max_side: Option<u32>) -> Limits {
    // `Limits` is non-exhaustive: start from the defaults and set every field we rely on.
    let mut limits = Limits::default();
    limits.max_image_width = max_side;
    limits.max_image_height = max_side;
    limits.max_alloc = Some(MAX_DECODER_ALLOC);
    limits
}

fn corrupt(err: ImageError) -> PhotoError {
    PhotoError::Corrupt(err.to_string())
}

/// Scales `image` so its long edge is at most [`MAX_EDGE`], keeping the aspect ratio.
///
/// Triangle (bilinear, with the kernel widened by the scale factor so every source pixel
/// counts) is free of the ringing halos Lanczos3 draws around sharp edges such as text on a
/// nameplate, and it needs a third of Lanczos3's taps per pixel, which matters on a phone.
/// The shrink factors here are small (a 12 MP camera photo is scaled by about 0.64), where the
/// two filters look the same.
fn scale_down(image: DynamicImage) -> DynamicImage {
    scale_to(image, MAX_EDGE)
}

/// `image` with its long edge at most `edge` pixels (never scaled up).
fn scale_to(image: DynamicImage, edge: u32) -> DynamicImage {
    let (width, height) = (image.width(), image.height());
    let long = width.max(height);
    if long <= edge {
        return image;
    }
    let scaled = |side: u32| {
        let side = (u64::from(side) * u64::from(edge) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(side).map_or(edge, |side| side.max(1))
    };
    image.resize_exact(scaled(width), scaled(height), FilterType::Triangle)
}

/// Longest edge of a thumbnail: sharp in a photo strip on a 3x phone screen (about 100 pt).
pub const THUMBNAIL_EDGE: u32 = 320;
/// JPEG quality of a thumbnail: small pictures hide compression; keep them a few KiB.
const THUMBNAIL_QUALITY: u8 = 75;

/// A thumbnail of a photo [`process`] stored (so already upright, JPEG, within the limits):
/// its long edge at most [`THUMBNAIL_EDGE`], no metadata at all.
pub fn thumbnail(stored_jpeg: &[u8]) -> Result<Vec<u8>, PhotoError> {
    if stored_jpeg.len() > MAX_INPUT_BYTES {
        return Err(PhotoError::TooLarge {
            size: stored_jpeg.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let mut reader = ImageReader::with_format(Cursor::new(stored_jpeg), sniff(stored_jpeg)?);
    reader.limits(decoder_limits(Some(MAX_SIDE)));
    let image = reader.decode().map_err(corrupt)?;
    let rgb = to_rgb8(scale_to(image, THUMBNAIL_EDGE));
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, THUMBNAIL_QUALITY)
        .encode_image(&rgb)
        .map_err(|err| PhotoError::Encode(err.to_string()))?;
    Ok(jpeg)
}

/// Converts to 8-bit RGB, the one layout baseline JPEG viewers all read. Transparent pixels
/// (screenshots saved as PNG) are put on white, as a viewer shows them, rather than on the
/// arbitrary colour a fully transparent pixel happens to hold.
fn to_rgb8(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let on_white =
            |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a)) + 127) / 255) as u8;
        image::Rgb([on_white(r), on_white(g), on_white(b)])
    })
}
