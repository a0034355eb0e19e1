//! A photo from the camera (`fieldwork_media::process`): any bytes are refused or processed
//! without panicking and without allocating past the decoder's cap (libFuzzer's
//! `-malloc_limit_mb` and `-rss_limit_mb` in `scripts/fuzz.sh` catch decompression bombs).
//! A processed photo is upright JPEG within `MAX_EDGE`, named by its SHA-256, and processing
//! it again keeps its size and capture time.
#![no_main]

use fieldwork_media::{MAX_EDGE, process};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(photo) = process(data, "Asia/Shanghai") else {
        return;
    };
    assert!(photo.width >= 1 && photo.height >= 1);
    assert!(photo.width <= MAX_EDGE && photo.height <= MAX_EDGE);
    assert!(fieldwork_model::report::is_sha256_id(&photo.sha256));
    assert_eq!(
        fieldwork_model::report::sha256_hex(&photo.jpeg),
        photo.sha256
    );
    let again = process(&photo.jpeg, "Europe/Berlin").expect("a processed photo processes");
    assert_eq!((again.width, again.height), (photo.width, photo.height));
    assert_eq!(
        again.taken_at, photo.taken_at,
        "the capture time is kept in UTC"
    );
});
