//! The completion report's canonical form (`report::canonical`, RFC 8785) and the office's
//! opening of a sealed entry. Any bytes that parse as a `Report` canonicalize, re-parse to the
//! same report and canonicalize to the same bytes; a report sealed with the device key opens
//! and verifies when it is a proper report; any bytes that parse as a `SealedReport` are
//! opened and checked against a key without panicking.
#![no_main]

use fieldwork_fuzz::{DEVICE_SECRET, T0};
use fieldwork_model::report::{
    self, REPORT_FORMAT, Report, SealedReport, open_sealed, verify_signature,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let public_key = report::public_key_hex(&DEVICE_SECRET);
    if let Ok(entry) = serde_json::from_slice::<SealedReport>(data) {
        if let Ok(opened) = open_sealed(&entry) {
            let c = report::canonical(&opened).expect("an opened report canonicalizes");
            assert_eq!(c, entry.canonical.as_bytes());
        }
        let _ = verify_signature(&entry, &public_key);
        let _ = verify_signature(&entry, &entry.device_id);
    }

    let Ok(r) = serde_json::from_slice::<Report>(data) else {
        return;
    };
    let Ok(c1) = report::canonical(&r) else {
        return;
    };
    let r2: Report = serde_json::from_slice(&c1).expect("canonical bytes parse as a report");
    assert_eq!(r2, r, "the canonical form loses nothing");
    let c2 = report::canonical(&r2).expect("canonicalizes again");
    assert_eq!(c2, c1, "the canonical form is stable");

    let Ok(sealed) = report::seal(&r, &DEVICE_SECRET, "anna", T0) else {
        assert_eq!(r.signature.is_some(), r.refusal.is_some());
        return;
    };
    assert_eq!(sealed.canonical.as_bytes(), c1.as_slice());
    verify_signature(&sealed, &public_key).expect("a fresh seal verifies");
    let proper = r.version != 0
        && r.format == REPORT_FORMAT
        && r.signature
            .as_ref()
            .is_none_or(|s| s.strokes.validate().is_ok());
    match open_sealed(&sealed) {
        Ok(opened) => {
            assert!(proper);
            assert_eq!(opened, r);
        }
        Err(e) => assert!(!proper, "a proper sealed report does not open: {e}"),
    }
});
