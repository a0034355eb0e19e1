//! End-to-end tests of the PDF: rendered from canonical bytes, read back with poppler.

mod common;

use std::time::Instant;

use common::*;
use fieldwork_model::report::{Language, canonical, sha256_hex};
use fieldwork_report::{Font, RenderError, render};

fn bytes(r: &fieldwork_model::report::Report) -> Vec<u8> {
    canonical(r).expect("canonical bytes")
}

#[test]
fn a_zh_report_is_deterministic_small_searchable_and_embeds_a_subset_font() {
    let font = cjk_font();
    let canon = bytes(&report(Language::ZhCn, 4, 3));
    let sha = sha256_hex(&canon);
    let started = Instant::now();
    let pdf = render(&canon, &font, &no_photos).unwrap();
    eprintln!("one-page zh report: {} bytes in {:?}", pdf.len(), started.elapsed());
    let again = render(&canon, &font, &no_photos).unwrap();
    assert!(pdf == again, "two renders of one sealed report differ");
    let reloaded = Font::load(std::path::Path::new(CJK_FONT)).unwrap();
    assert!(render(&canon, &reloaded, &no_photos).unwrap() == pdf);

    assert!(pdf.len() < 300 * 1024, "one page is {} bytes", pdf.len());
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "zh-one-page.pdf", &pdf);
    assert_eq!(pages(&path), 1);

    let text = poppler("pdftotext", &[], &path);
    for want in [
        CUSTOMER,
        SIGNER,
        "CAP-35UF-000",
        "CAP-35UF-002",
        sha.as_str(),
        "完工报告",
        "dev-7f3a9c2e",
        "CNY 1,234.50",
        "2026-11-24 12:15 (Asia/Shanghai)",
        "第 1/1 页",
    ] {
        assert!(text.contains(want), "pdftotext lacks {want:?}:\n{text}");
    }

    let fonts = poppler("pdffonts", &[], &path);
    let line = fonts
        .lines()
        .find(|l| l.contains("NotoSansCJKsc"))
        .unwrap_or_else(|| panic!("no Noto Sans CJK SC font:\n{fonts}"));
    let subset_name = line.split_whitespace().next().unwrap();
    assert!(
        subset_name.len() > 7 && subset_name.as_bytes()[6] == b'+',
        "not a subset: {line}"
    );
    let cols: Vec<&str> = line.split_whitespace().collect();
    // name type... emb sub uni object ID
    let n = cols.len();
    assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "emb/sub/uni: {line}");

    let info = poppler("pdfinfo", &[], &path);
    assert!(!info.contains("CreationDate"), "a creation date makes PDFs differ:\n{info}");
    assert!(info.contains("A4"), "{info}");
}

#[test]
fn an_english_report_uses_the_same_font_and_keeps_a_chinese_customer_name() {
    let font = cjk_font();
    let canon = bytes(&report(Language::En, 3, 3));
    let pdf = render(&canon, &font, &no_photos).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "en-one-page.pdf", &pdf);
    let text = poppler("pdftotext", &[], &path);
    for want in [
        "Completion report",
        CUSTOMER,
        SIGNER,
        "CNY 1,234.50",
        "Customer signature",
        "page 1/1",
        "Replaced".trim_start_matches('R'),
    ] {
        assert!(text.contains(want), "pdftotext lacks {want:?}:\n{text}");
    }
    assert_ne!(pdf, render(&bytes(&report(Language::ZhCn, 3, 3)), &font, &no_photos).unwrap());
}

#[test]
fn a_long_report_breaks_across_pages_with_the_seal_on_every_page() {
    let font = cjk_font();
    let canon = bytes(&report(Language::ZhCn, 60, 60));
    let sha = sha256_hex(&canon);
    let started = Instant::now();
    let pdf = render(&canon, &font, &no_photos).unwrap();
    eprintln!("60 notes + 60 parts: {} bytes in {:?}", pdf.len(), started.elapsed());
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "zh-long.pdf", &pdf);
    let n = pages(&path);
    assert!(n > 1, "60 notes and 60 parts fit on one page?");
    for page in 1..=n {
        let p = page.to_string();
        let text = poppler("pdftotext", &["-f", &p, "-l", &p], &path);
        assert!(text.contains(&sha), "page {page} lacks the seal:\n{text}");
        assert!(text.contains(&format!("第 {page}/{n} 页")), "page {page}:\n{text}");
    }
    let all = poppler("pdftotext", &[], &path);
    for i in [0, 30, 59] {
        assert!(all.contains(&format!("CAP-35UF-{i:03}")), "part {i} missing");
        assert!(all.contains(&format!("({})", i + 1)), "note {} missing", i + 1);
    }
}

#[test]
fn a_font_without_chinese_glyphs_is_refused_naming_the_characters() {
    let font = latin_font();
    let canon = bytes(&report(Language::ZhCn, 2, 2));
    match render(&canon, &font, &no_photos) {
        Err(RenderError::MissingGlyphs { font, chars }) => {
            assert!(font.contains("DejaVu"), "{font}");
            for c in ["张", "伟", "完", "报"] {
                assert!(chars.contains(c), "{chars}");
            }
        }
        other => panic!("expected MissingGlyphs, got {other:?}"),
    }
}

#[test]
fn a_character_the_cjk_font_lacks_is_refused_not_drawn_as_a_box() {
    let font = cjk_font();
    let mut r = report(Language::En, 1, 1);
    r.content.work_done[0].text.push_str(" All good 👍");
    let err = render(&bytes(&r), &font, &no_photos).unwrap_err();
    assert_eq!(
        err,
        RenderError::MissingGlyphs {
            font: "Noto Sans CJK SC".into(),
            chars: "👍".into()
        }
    );
    assert!(err.to_string().contains("U+1F44D"), "{err}");
}

#[test]
fn photos_are_embedded_as_jpeg_and_a_missing_one_is_an_error() {
    let font = cjk_font();
    let canon = bytes(&with_photos(report(Language::ZhCn, 2, 2), 2));
    let pdf = render(&canon, &font, &photo_store).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "zh-photos.pdf", &pdf);
    let list = poppler("pdfimages", &["-list"], &path);
    let images: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(images.len(), 2, "{list}");
    for line in images {
        assert!(line.contains("jpeg"), "not passed through: {line}");
    }
    assert!(list.contains(" 800   600 ") && list.contains(" 600   800 "), "{list}");

    let err = render(&canon, &font, &|id: &str| {
        (id != "photo-1").then(|| photo_store(id)).flatten()
    })
    .unwrap_err();
    assert_eq!(err, RenderError::MissingPhoto("photo-1".into()));

    let err = render(&canon, &font, &|_: &str| Some(b"not a jpeg".to_vec())).unwrap_err();
    assert!(matches!(err, RenderError::BadReport(ref m) if m.contains("photo-0")), "{err}");
}

#[test]
fn twenty_photos_flow_over_pages() {
    let font = cjk_font();
    let canon = bytes(&with_photos(report(Language::ZhCn, 4, 3), 20));
    let started = Instant::now();
    let pdf = render(&canon, &font, &photo_store).unwrap();
    eprintln!("20 photos: {} bytes in {:?}", pdf.len(), started.elapsed());
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "zh-20-photos.pdf", &pdf);
    assert!(pages(&path) >= 4);
    let list = poppler("pdfimages", &["-list"], &path);
    assert_eq!(list.lines().skip(2).count(), 20, "{list}");
    assert!(pdf == render(&canon, &font, &photo_store).unwrap());
}

#[test]
fn a_refusal_shows_the_reason_and_name_instead_of_a_signature() {
    let font = cjk_font();
    let canon = bytes(&refused(report(Language::ZhCn, 2, 2)));
    let pdf = render(&canon, &font, &no_photos).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "zh-refused.pdf", &pdf);
    let text = poppler("pdftotext", &[], &path);
    for want in ["客户拒绝签字", "客户认为收费过高", "王强", "拒绝签字"] {
        assert!(text.contains(want), "pdftotext lacks {want:?}:\n{text}");
    }
    assert!(!text.contains(SIGNER));
}

#[test]
fn only_canonical_report_bytes_are_rendered() {
    let font = cjk_font();
    let r = report(Language::ZhCn, 1, 1);
    let pretty = serde_json::to_vec_pretty(&r).unwrap();
    assert!(matches!(
        render(&pretty, &font, &no_photos),
        Err(RenderError::BadReport(m)) if m.contains("canonical")
    ));
    assert!(matches!(
        render(b"{}", &font, &no_photos),
        Err(RenderError::BadReport(_))
    ));
}

#[test]
fn the_simplified_chinese_face_is_picked_from_the_collection() {
    let font = cjk_font();
    assert_eq!(font.name(), "Noto Sans CJK SC");
    assert_eq!(font.index(), 2, "Debian's NotoSansCJK-Regular.ttc has SC at index 2");
    let found = Font::find_cjk().unwrap();
    assert_eq!(found.name(), "Noto Sans CJK SC");
    assert_eq!(found.fingerprint(), font.fingerprint());
    let latin = latin_font();
    assert_eq!(latin.index(), 0);
    assert_eq!(latin.missing_chars("Zhang 张伟"), vec!['张', '伟']);
    let err = Font::load(std::path::Path::new("/nonexistent/font.ttc")).unwrap_err();
    assert!(matches!(err, RenderError::MissingFont(_)));
}
