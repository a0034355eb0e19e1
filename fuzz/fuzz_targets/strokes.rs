//! Signature strokes as the phone captures them (`report::Strokes::parse`, then `validate`):
//! any bytes parse or are refused without panicking, what parses is valid, re-parses from its
//! own JSON to the same strokes, and keeps within the limits the PDF's drawing relies on.
#![no_main]

use fieldwork_model::report::{MAX_CANVAS, MAX_POINTS, MAX_PRESSURE, MAX_STROKES, Strokes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(strokes) = Strokes::parse(text) else {
        return;
    };
    strokes.validate().expect("parsed strokes are valid");
    let json = serde_json::to_string(&strokes).unwrap();
    assert_eq!(Strokes::parse(&json).expect("re-parses"), strokes);

    let (w, h) = (strokes.canvas.width, strokes.canvas.height);
    assert!((1..=MAX_CANVAS).contains(&w) && (1..=MAX_CANVAS).contains(&h));
    assert!(strokes.strokes.len() <= MAX_STROKES);
    assert!(strokes.strokes.iter().map(Vec::len).sum::<usize>() <= MAX_POINTS);
    for stroke in &strokes.strokes {
        assert!(!stroke.is_empty());
        for &[x, y, _, p] in stroke {
            assert!(x <= w && y <= h && p <= MAX_PRESSURE);
        }
    }
});
