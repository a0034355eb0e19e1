//! Real image files built in code, for tests here and in other crates: JPEG and PNG pictures
//! with EXIF orientation and dates, a PNG decompression bomb, and readers that tell where a
//! picture's markers ended up and which metadata a JPEG carries.
//!
//! Every picture shows the same scene as displayed: a green gradient with a red block in the
//! top-left corner and a blue block in the top-right one. The two blocks together tell all eight
//! EXIF orientations apart, so `marker_corners` returning `(TopLeft, TopRight)` means upright.
//! Pictures should be at least 8x8 pixels for the blocks to be told apart.
//!
//! These are test builders: they panic on the impossible (encoding into a `Vec` fails only for
//! dimensions no test asks for), hence the `expect`s.
#![allow(clippy::expect_used)]

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ImageEncoder, Rgb, RgbImage};

/// A corner of a picture as stored (for a processed photo: as displayed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// EXIF tags to write into a fixture, all optional. Strings are written as given, so tests can
/// also pass malformed values.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExifTags<'a> {
    /// `Orientation` (1 to 8; 6 means "rotate 90 degrees clockwise to display").
    pub orientation: Option<u16>,
    /// `DateTimeOriginal`, `"YYYY:MM:DD HH:MM:SS"`.
    pub date_time_original: Option<&'a str>,
    /// `OffsetTimeOriginal`, `"+08:00"`.
    pub offset_time_original: Option<&'a str>,
    /// `DateTime` (the file's modification time, read when `DateTimeOriginal` is missing).
    pub date_time: Option<&'a str>,
}

const RED: Rgb<u8> = Rgb([220, 24, 24]);
const BLUE: Rgb<u8> = Rgb([24, 24, 220]);

/// A `width` x `height` JPEG of the upright scene, without metadata.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode_jpeg(&stored_pixels(width, height, 1))
}

/// A JPEG whose pixels are stored `width` x `height` as a camera held at `orientation` writes
/// them, with an EXIF segment right after SOI holding that orientation and, if given,
/// `DateTimeOriginal`. A reader that applies the orientation sees the upright scene (with the
/// width and height swapped for orientations 5 to 8).
pub fn jpeg_with_exif(
    width: u32,
    height: u32,
    orientation: u16,
    date_time_original: Option<&str>,
) -> Vec<u8> {
    let tags = ExifTags {
        orientation: Some(orientation),
        date_time_original,
        ..ExifTags::default()
    };
    jpeg_with_tags(width, height, &tags)
}

/// Like [`jpeg_with_exif`], with any of the [`ExifTags`].
pub fn jpeg_with_tags(width: u32, height: u32, tags: &ExifTags) -> Vec<u8> {
    let jpeg = encode_jpeg(&stored_pixels(width, height, tags.orientation.unwrap_or(1)));
    let tiff = tiff(tags);
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&segment_length(6 + tiff.len()).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    // SOI, then the Exif segment, then the encoder's own segments (JFIF first).
    [&jpeg[..2], &app1, &jpeg[2..]].concat()
}

/// A `width` x `height` RGB PNG of the upright scene, without metadata.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let pixels = stored_pixels(width, height, 1);
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(
            pixels.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode fixture PNG");
    out
}

/// A PNG like [`jpeg_with_tags`]: pixels stored for the orientation, and an `eXIf` chunk (right
/// after `IHDR`) holding the raw EXIF.
pub fn png_with_tags(width: u32, height: u32, tags: &ExifTags) -> Vec<u8> {
    let pixels = stored_pixels(width, height, tags.orientation.unwrap_or(1));
    let mut plain = Vec::new();
    PngEncoder::new(&mut plain)
        .write_image(
            pixels.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("encode fixture PNG");
    // Signature (8 bytes) and IHDR (4 length + 4 type + 13 data + 4 CRC).
    let (head, rest) = plain.split_at(8 + 25);
    [head, &png_chunk(b"eXIf", &tiff(tags)), rest].concat()
}

/// A decompression bomb: a valid PNG of a few kilobytes whose header declares a `width` x
/// `height` RGB image. Its one `IDAT` chunk holds 1 MiB of zero rows squeezed into about 7 KB;
/// a decoder that believed the header would allocate `width * height * 3` bytes.
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // 8 bits per sample, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    [
        &b"\x89PNG\r\n\x1a\n"[..],
        &png_chunk(b"IHDR", &ihdr),
        &png_chunk(b"IDAT", &zlib_zeros(1024 * 1024)),
        &png_chunk(b"IEND", &[]),
    ]
    .concat()
}

/// Decodes `image` (JPEG or PNG, pixels as stored, EXIF orientation not applied) and returns
/// the corners holding the red and the blue block, or `None` if either is not in exactly one
/// corner. An upright scene gives `Some((TopLeft, TopRight))`.
pub fn marker_corners(image: &[u8]) -> Option<(Corner, Corner)> {
    let pixels = image::load_from_memory(image).ok()?.into_rgb8();
    let (width, height) = pixels.dimensions();
    // The blocks are a quarter of the short side; sample well inside them.
    let patch = (width.min(height) / 10).max(1);
    let corners = [
        (Corner::TopLeft, 0, 0),
        (Corner::TopRight, width - patch, 0),
        (Corner::BottomLeft, 0, height - patch),
        (Corner::BottomRight, width - patch, height - patch),
    ];
    let mean = |x0: u32, y0: u32| {
        let mut sum = [0u64; 3];
        for y in y0..y0 + patch {
            for x in x0..x0 + patch {
                for (total, channel) in sum.iter_mut().zip(pixels.get_pixel(x, y).0) {
                    *total += u64::from(channel);
                }
            }
        }
        sum.map(|total| total / u64::from(patch * patch))
    };
    let find = |wanted: fn([u64; 3]) -> bool| {
        let mut found = corners.iter().filter(|(_, x, y)| wanted(mean(*x, *y)));
        match (found.next(), found.next()) {
            (Some((corner, _, _)), None) => Some(*corner),
            _ => None,
        }
    };
    let red = find(|[r, g, b]| r > 150 && g < 100 && b < 100)?;
    let blue = find(|[r, g, b]| b > 150 && r < 100 && g < 100)?;
    Some((red, blue))
}

/// Whether `jpeg` has an EXIF (`APP1` "Exif") segment.
pub fn has_exif(jpeg: &[u8]) -> bool {
    segments(jpeg)
        .iter()
        .any(|(marker, payload)| *marker == 0xE1 && payload.starts_with(b"Exif\0\0"))
}

/// The markers of `jpeg`'s metadata segments (`APPn` and `COM`) in file order: `[0xE0]` for a
/// file with only a JFIF header.
pub fn metadata_markers(jpeg: &[u8]) -> Vec<u8> {
    segments(jpeg)
        .into_iter()
        .map(|(marker, _)| marker)
        .filter(|marker| (0xE0..=0xEF).contains(marker) || *marker == 0xFE)
        .collect()
}

/// The segments between SOI and the start of scan, as (marker, payload).
fn segments(jpeg: &[u8]) -> Vec<(u8, &[u8])> {
    let mut found = Vec::new();
    let mut at = 2;
    while let [0xFF, marker, high, low, ..] = jpeg[at.min(jpeg.len())..] {
        if marker == 0xDA {
            break;
        }
        let end = at + 2 + usize::from(u16::from_be_bytes([high, low]));
        let Some(payload) = jpeg.get(at + 4..end) else {
            break;
        };
        found.push((marker, payload));
        at = end;
    }
    found
}

/// The upright scene as displayed, `width` x `height`.
fn scene(width: u32, height: u32) -> RgbImage {
    let block = (width.min(height) / 4).max(1);
    RgbImage::from_fn(width, height, |x, y| {
        if y < block && x < block {
            RED
        } else if y < block && x >= width - block {
            BLUE
        } else {
            // A diagonal gradient, so no two rows or columns are alike.
            let shade = 60 + 140 * (x + y) / (width + height);
            let shade = u8::try_from(shade).unwrap_or(u8::MAX);
            Rgb([shade / 2, shade, shade / 3])
        }
    })
}

/// The pixels a camera held at EXIF `orientation` stores, `width` x `height`, for the scene it
/// sees. Written from the EXIF definitions rather than with `image`'s own transforms, so a test
/// checks `image` against the standard rather than against itself.
fn stored_pixels(width: u32, height: u32, orientation: u16) -> RgbImage {
    let swapped = (5..=8).contains(&orientation);
    let (shown_width, shown_height) = if swapped {
        (height, width)
    } else {
        (width, height)
    };
    let shown = scene(shown_width, shown_height);
    let (w, h) = (width - 1, height - 1);
    RgbImage::from_fn(width, height, |x, y| {
        // Where stored pixel (x, y) appears on screen.
        let (sx, sy) = match orientation {
            2 => (w - x, y),     // mirrored left to right
            3 => (w - x, h - y), // upside down
            4 => (x, h - y),     // mirrored top to bottom
            5 => (y, x),         // stored row 0 is the left edge, column 0 the top
            6 => (h - y, x),     // row 0 is the right edge, column 0 the top
            7 => (h - y, w - x), // row 0 is the right edge, column 0 the bottom
            8 => (y, w - x),     // row 0 is the left edge, column 0 the bottom
            _ => (x, y),
        };
        *shown.get_pixel(sx, sy)
    })
}

fn encode_jpeg(pixels: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 92)
        .encode_image(pixels)
        .expect("encode fixture JPEG");
    out
}

fn segment_length(payload: usize) -> u16 {
    u16::try_from(payload + 2).expect("EXIF segment under 64 KiB")
}

/// A little-endian TIFF structure: IFD0 with `Orientation`, `DateTime` and a pointer to the
/// Exif IFD, which holds `DateTimeOriginal` and `OffsetTimeOriginal`. Values over four bytes
/// go in a data area after the IFDs.
fn tiff(tags: &ExifTags) -> Vec<u8> {
    const SHORT: u16 = 3;
    const ASCII: u16 = 2;
    const LONG: u16 = 4;
    let ascii = |tag: u16, text: Option<&str>| {
        text.map(|text| (tag, ASCII, [text.as_bytes(), b"\0"].concat()))
    };
    let exif_ifd: Vec<(u16, u16, Vec<u8>)> = [
        ascii(0x9003, tags.date_time_original),
        ascii(0x9011, tags.offset_time_original),
    ]
    .into_iter()
    .flatten()
    .collect();
    let ifd_size = |entries: usize| 2 + 12 * entries + 4;
    let mut ifd0: Vec<(u16, u16, Vec<u8>)> = [
        tags.orientation
            .map(|o| (0x0112, SHORT, o.to_le_bytes().to_vec())),
        ascii(0x0132, tags.date_time),
    ]
    .into_iter()
    .flatten()
    .collect();
    let has_exif_ifd = !exif_ifd.is_empty();
    let ifd0_len = ifd_size(ifd0.len() + usize::from(has_exif_ifd));
    let exif_at = 8 + ifd0_len;
    if has_exif_ifd {
        let at = u32::try_from(exif_at).expect("small TIFF");
        ifd0.push((0x8769, LONG, at.to_le_bytes().to_vec()));
    }
    let exif_len = if has_exif_ifd {
        ifd_size(exif_ifd.len())
    } else {
        0
    };

    let mut out = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    let mut data = Vec::new();
    let data_at = exif_at + exif_len;
    // IFD0 always (it may be empty), the Exif IFD when it has entries.
    for ifd in [Some(&ifd0), has_exif_ifd.then_some(&exif_ifd)]
        .into_iter()
        .flatten()
    {
        let count = u16::try_from(ifd.len()).expect("few entries");
        out.extend_from_slice(&count.to_le_bytes());
        for (tag, kind, value) in ifd {
            let width = match *kind {
                SHORT => 2,
                LONG => 4,
                _ => 1,
            };
            let count = u32::try_from(value.len() / width).expect("small value");
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            if value.len() <= 4 {
                let mut inline = value.clone();
                inline.resize(4, 0);
                out.extend_from_slice(&inline);
            } else {
                let at = u32::try_from(data_at + data.len()).expect("small TIFF");
                out.extend_from_slice(&at.to_le_bytes());
                data.extend_from_slice(value);
                if data.len() % 2 == 1 {
                    data.push(0); // values start on a word boundary
                }
            }
        }
        out.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    }
    out.extend_from_slice(&data);
    out
}

/// A PNG chunk: length, type, data, CRC-32 of type and data.
fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let length = u32::try_from(data.len()).expect("chunk under 4 GiB");
    let crc = crc32(&[&kind[..], data].concat());
    [&length.to_be_bytes()[..], kind, data, &crc.to_be_bytes()].concat()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zlib stream of `len` zero bytes (`len` >= 1) in one fixed-Huffman deflate block: a literal
/// zero, then copies of 258 bytes from 1 byte back (13 bits each), then literal zeros.
fn zlib_zeros(len: usize) -> Vec<u8> {
    let mut bits = BitWriter::default();
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0b0011_0000, 8); // literal 0
    let copies = (len - 1) / 258;
    for _ in 0..copies {
        bits.code(0b1100_0101, 8); // length code 285: 258 bytes
        bits.code(0, 5); // distance code 0: 1 byte back
    }
    for _ in 0..(len - 1) % 258 {
        bits.code(0b0011_0000, 8);
    }
    bits.code(0, 7); // end of block
    // Adler-32 of zeros: a stays 1, b adds 1 per byte.
    let adler = (((len % 65_521) as u32) << 16) | 1;
    [&[0x78, 0x01][..], &bits.finish(), &adler.to_be_bytes()].concat()
}

/// Deflate's bit order: values least significant bit first, Huffman codes most significant
/// bit first.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    used: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, count: u32) {
        for i in 0..count {
            if self.used.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let last = self.bytes.len() - 1;
            self.bytes[last] |= (((value >> i) & 1) as u8) << (self.used % 8);
            self.used += 1;
        }
    }

    fn code(&mut self, code: u32, count: u32) {
        self.put(code.reverse_bits() >> (32 - count), count);
    }

    fn finish(self) -> Vec<u8> {
        self.bytes
    }
}
