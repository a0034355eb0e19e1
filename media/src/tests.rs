//! Behaviour of [`process`] on real files built by [`fixtures`].

use std::time::{Duration, Instant};

use image::{GenericImageView, ImageFormat};
use sha2::{Digest, Sha256};

use crate::fixtures::{self, Corner, ExifTags};
use crate::{MAX_INPUT_BYTES, PhotoError, process};

const SHANGHAI: &str = "Asia/Shanghai";
const UPRIGHT: Option<(Corner, Corner)> = Some((Corner::TopLeft, Corner::TopRight));

fn epoch_ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

fn taken_at(tags: ExifTags) -> Option<i64> {
    process(&fixtures::jpeg_with_tags(64, 48, &tags), SHANGHAI)
        .unwrap()
        .taken_at
}

#[test]
fn orientation_6_photo_comes_back_upright_with_swapped_dimensions() {
    let input = fixtures::jpeg_with_exif(640, 480, 6, None);
    // As stored, the scene lies on its side: the top-left red block is bottom-left.
    assert_eq!(
        fixtures::marker_corners(&input),
        Some((Corner::BottomLeft, Corner::TopLeft))
    );

    let photo = process(&input, SHANGHAI).unwrap();

    assert_eq!((photo.width, photo.height), (480, 640));
    assert_eq!(fixtures::marker_corners(&photo.jpeg), UPRIGHT);
}

#[test]
fn every_exif_orientation_comes_back_upright() {
    for orientation in 1..=8 {
        let photo = process(
            &fixtures::jpeg_with_exif(96, 64, orientation, None),
            SHANGHAI,
        )
        .unwrap();
        let expected = if orientation >= 5 { (64, 96) } else { (96, 64) };
        assert_eq!(
            (photo.width, photo.height),
            expected,
            "orientation {orientation}"
        );
        assert_eq!(
            fixtures::marker_corners(&photo.jpeg),
            UPRIGHT,
            "orientation {orientation}"
        );
    }
}

#[test]
fn photo_4000x3000_is_scaled_to_2560x1920() {
    let photo = process(&fixtures::jpeg(4000, 3000), SHANGHAI).unwrap();

    assert_eq!((photo.width, photo.height), (2560, 1920));
    let stored = image::load_from_memory(&photo.jpeg).unwrap();
    assert_eq!(stored.dimensions(), (2560, 1920));
    assert_eq!(fixtures::marker_corners(&photo.jpeg), UPRIGHT);
}

#[test]
fn portrait_photo_is_scaled_on_its_long_edge_after_turning_upright() {
    let photo = process(&fixtures::jpeg_with_exif(3200, 2400, 6, None), SHANGHAI).unwrap();

    assert_eq!((photo.width, photo.height), (1920, 2560));
    assert_eq!(fixtures::marker_corners(&photo.jpeg), UPRIGHT);
}

#[test]
fn small_image_is_not_upscaled() {
    let photo = process(&fixtures::jpeg(800, 600), SHANGHAI).unwrap();

    assert_eq!((photo.width, photo.height), (800, 600));
}

#[test]
fn png_input_becomes_jpeg() {
    let photo = process(&fixtures::png(300, 200), SHANGHAI).unwrap();

    assert_eq!(image::guess_format(&photo.jpeg).unwrap(), ImageFormat::Jpeg);
    let stored = image::load_from_memory(&photo.jpeg).unwrap();
    assert_eq!(stored.color(), image::ColorType::Rgb8);
    assert_eq!((photo.width, photo.height), (300, 200));
    assert_eq!(fixtures::marker_corners(&photo.jpeg), UPRIGHT);
}

#[test]
fn png_exif_gives_orientation_and_capture_time() {
    let tags = ExifTags {
        orientation: Some(6),
        date_time_original: Some("2026:11:24 10:15:00"),
        ..ExifTags::default()
    };
    let photo = process(&fixtures::png_with_tags(120, 80, &tags), SHANGHAI).unwrap();

    assert_eq!((photo.width, photo.height), (80, 120));
    assert_eq!(fixtures::marker_corners(&photo.jpeg), UPRIGHT);
    assert_eq!(photo.taken_at, Some(epoch_ms("2026-11-24T02:15:00Z")));
}

#[test]
fn transparent_png_is_put_on_white() {
    let clear = image::RgbaImage::from_pixel(40, 30, image::Rgba([0, 0, 0, 0]));
    let mut input = Vec::new();
    clear
        .write_to(&mut std::io::Cursor::new(&mut input), ImageFormat::Png)
        .unwrap();

    let photo = process(&input, SHANGHAI).unwrap();

    let stored = image::load_from_memory(&photo.jpeg).unwrap().into_rgb8();
    assert!(stored.pixels().all(|p| p.0.iter().all(|&c| c >= 250)));
}

#[test]
fn grayscale_png_becomes_rgb_jpeg() {
    let gray = image::GrayImage::from_fn(60, 40, |x, _| image::Luma([(x * 4) as u8]));
    let mut input = Vec::new();
    gray.write_to(&mut std::io::Cursor::new(&mut input), ImageFormat::Png)
        .unwrap();

    let photo = process(&input, SHANGHAI).unwrap();

    let stored = image::load_from_memory(&photo.jpeg).unwrap();
    assert_eq!(stored.color(), image::ColorType::Rgb8);
    assert_eq!(stored.dimensions(), (60, 40));
}

#[test]
fn text_file_named_jpg_is_not_an_image() {
    let notes = b"Replaced the condenser fan; customer signed.\n";

    let err = process(notes, SHANGHAI).unwrap_err();

    assert!(matches!(err, PhotoError::NotAnImage(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the file is not a JPEG or PNG image (it looks like text)"
    );
}

#[test]
fn empty_file_is_not_an_image() {
    assert!(matches!(
        process(b"", SHANGHAI),
        Err(PhotoError::NotAnImage(_))
    ));
}

#[test]
fn input_of_26_mib_is_too_large_before_decoding() {
    // A real JPEG start, so only the size can be the reason.
    let mut input = fixtures::jpeg(64, 64);
    input.resize(26 * 1024 * 1024, 0);

    let err = process(&input, SHANGHAI).unwrap_err();

    assert!(
        matches!(err, PhotoError::TooLarge { size, max } if size == input.len() && max == MAX_INPUT_BYTES),
        "{err:?}"
    );
}

#[test]
fn png_bomb_is_refused_quickly_as_too_many_pixels() {
    let bomb = fixtures::png_bomb(50_000, 50_000);
    assert!(bomb.len() < 16 * 1024, "the bomb is {} bytes", bomb.len());

    let started = Instant::now();
    let err = process(&bomb, SHANGHAI).unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        matches!(
            err,
            PhotoError::TooManyPixels {
                width: 50_000,
                height: 50_000
            }
        ),
        "{err:?}"
    );
}

#[test]
fn image_under_the_side_limit_but_over_80_megapixels_is_refused() {
    let err = process(&fixtures::png_bomb(10_000, 9_000), SHANGHAI).unwrap_err();

    assert!(matches!(err, PhotoError::TooManyPixels { .. }), "{err:?}");
}

#[test]
fn truncated_jpeg_is_corrupt() {
    let jpeg = fixtures::jpeg(200, 200);

    let err = process(&jpeg[..40], SHANGHAI).unwrap_err();

    assert!(matches!(err, PhotoError::Corrupt(_)), "{err:?}");
}

#[test]
fn date_time_original_is_read_in_the_site_time_zone() {
    let input = fixtures::jpeg_with_exif(64, 48, 1, Some("2026:11:24 10:15:00"));

    let photo = process(&input, SHANGHAI).unwrap();

    assert_eq!(photo.taken_at, Some(epoch_ms("2026-11-24T02:15:00Z")));
}

#[test]
fn offset_time_original_wins_over_the_site_time_zone() {
    let taken = taken_at(ExifTags {
        date_time_original: Some("2026:11:24 10:15:00"),
        offset_time_original: Some("+09:00"),
        ..ExifTags::default()
    });

    assert_eq!(taken, Some(epoch_ms("2026-11-24T01:15:00Z")));
}

#[test]
fn date_time_is_used_when_date_time_original_is_missing() {
    let taken = taken_at(ExifTags {
        date_time: Some("2026:11:24 18:00:00"),
        ..ExifTags::default()
    });

    assert_eq!(taken, Some(epoch_ms("2026-11-24T10:00:00Z")));
}

#[test]
fn missing_or_unreadable_capture_time_is_none_not_an_error() {
    assert_eq!(taken_at(ExifTags::default()), None);
    for bad in [
        "0000:00:00 00:00:00",
        "2026:13:40 10:15:00",
        "yesterday",
        "",
    ] {
        let tags = ExifTags {
            date_time_original: Some(bad),
            ..ExifTags::default()
        };
        assert_eq!(taken_at(tags), None, "{bad:?}");
    }
    let no_exif = process(&fixtures::jpeg(64, 48), SHANGHAI).unwrap();
    assert_eq!(no_exif.taken_at, None);
    let input = fixtures::jpeg_with_exif(64, 48, 1, Some("2026:11:24 10:15:00"));
    let unknown_zone = process(&input, "Mars/Olympus_Mons").unwrap();
    assert_eq!(unknown_zone.taken_at, None);
}

#[test]
fn wall_times_around_daylight_saving_changes() {
    let in_new_york = |wall: &str| {
        let input = fixtures::jpeg_with_exif(64, 48, 1, Some(wall));
        process(&input, "America/New_York").unwrap().taken_at
    };
    // 01:30 happens twice on 2026-11-01: the first one, still on daylight time.
    assert_eq!(
        in_new_york("2026:11:01 01:30:00"),
        Some(epoch_ms("2026-11-01T05:30:00Z"))
    );
    // 02:30 never happens on 2026-03-08.
    assert_eq!(in_new_york("2026:03:08 02:30:00"), None);
}

#[test]
fn output_keeps_the_capture_time_and_no_other_metadata() {
    let input = fixtures::jpeg_with_exif(320, 240, 6, Some("2026:11:24 10:15:00"));
    assert!(fixtures::has_exif(&input));

    let photo = process(&input, SHANGHAI).unwrap();

    // JFIF (APP0) and one EXIF block (APP1); no XMP, ICC (APP2) or comment.
    assert_eq!(fixtures::metadata_markers(&photo.jpeg), vec![0xE0, 0xE1]);
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(&photo.jpeg))
        .unwrap();
    let tags: Vec<exif::Tag> = exif.fields().map(|f| f.tag).collect();
    assert_eq!(
        tags,
        vec![exif::Tag::DateTimeOriginal, exif::Tag::OffsetTimeOriginal],
        "no orientation, no position, no camera model"
    );
    // Read back in any site's zone, it is the same instant.
    let again = process(&photo.jpeg, "America/New_York").unwrap();
    assert_eq!(again.taken_at, photo.taken_at);
}

#[test]
fn output_of_a_photo_without_a_capture_time_has_no_exif() {
    let photo = process(&fixtures::jpeg(320, 240), SHANGHAI).unwrap();
    assert!(!fixtures::has_exif(&photo.jpeg));
    assert_eq!(fixtures::metadata_markers(&photo.jpeg), vec![0xE0]);
}

#[test]
fn same_input_gives_the_same_bytes_and_sha256() {
    let input = fixtures::jpeg_with_exif(1200, 900, 6, Some("2026:11:24 10:15:00"));

    let first = process(&input, SHANGHAI).unwrap();
    let second = process(&input, SHANGHAI).unwrap();

    assert_eq!(first, second);
    assert_eq!(first.sha256, hex::encode(Sha256::digest(&first.jpeg)));
    assert_eq!(first.sha256.len(), 64);
    assert!(
        first
            .sha256
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
}

#[test]
fn thumbnail_keeps_the_picture_upright_within_its_edge_and_without_metadata() {
    let input = fixtures::jpeg_with_exif(1600, 1200, 6, Some("2026:11:24 09:30:00"));
    let photo = process(&input, SHANGHAI).unwrap();
    let thumb = crate::thumbnail(&photo.jpeg).unwrap();
    let image = image::load_from_memory_with_format(&thumb, ImageFormat::Jpeg).unwrap();
    assert_eq!(image.dimensions(), (240, crate::THUMBNAIL_EDGE));
    assert_eq!(fixtures::marker_corners(&thumb), UPRIGHT);
    assert!(!fixtures::has_exif(&thumb), "a thumbnail carries no tags");
    assert!(thumb.len() < photo.jpeg.len());

    let small = process(&fixtures::jpeg(64, 48), SHANGHAI).unwrap();
    let same_size = crate::thumbnail(&small.jpeg).unwrap();
    let image = image::load_from_memory_with_format(&same_size, ImageFormat::Jpeg).unwrap();
    assert_eq!(image.dimensions(), (64, 48), "never scaled up");

    assert!(matches!(
        crate::thumbnail(b"not a picture"),
        Err(PhotoError::NotAnImage(_))
    ));
}
