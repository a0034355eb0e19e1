//! End-to-end tests of the PDF: rendered from canonical bytes, read back with poppler.

#![allow(clippy::unwrap_used, clippy::expect_used)]

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
    let canon = bytes(&report(Language::ZhCn, 2, 2));
    let sha = sha256_hex(&canon);
    let started = Instant::now();
    let pdf = render(&canon, &font, &no_photos).unwrap();
    eprintln!(
        "one-page zh report: {} bytes in {:?}",
        pdf.len(),
        started.elapsed()
    );
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
        "CAP-35UF-001",
        sha.as_str(),
        "完工报告",
        "dev-7f3a9c2e",
        "CNY 1,234.50",
        "CNY 4,233.50",
        "2026-11-24 12:15 (Asia/Shanghai)",
        "第 1/1 页",
        "取自工程车",
        "返还仓库",
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
    assert_eq!(
        &cols[n - 5..n - 2],
        ["yes", "yes", "yes"],
        "emb/sub/uni: {line}"
    );

    let info = poppler("pdfinfo", &[], &path);
    assert!(
        !info.contains("CreationDate"),
        "a creation date makes PDFs differ:\n{info}"
    );
    assert!(info.contains("A4"), "{info}");
}

#[test]
fn an_english_report_uses_the_same_font_and_keeps_a_chinese_customer_name() {
    let font = cjk_font();
    let canon = bytes(&report(Language::En, 3, 2));
    let pdf = render(&canon, &font, &no_photos).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "en-one-page.pdf", &pdf);
    let text = poppler("pdftotext", &[], &path);
    for want in [
        "Completion report",
        CUSTOMER,
        SIGNER,
        "CNY 1,234.50",
        "CNY 4,233.50",
        "Customer signature",
        // (One page before parts said where they came from; the English fixture now fills two.)
        "page 1/",
        "Measured suction pressure",
        // Part 0 came from the van and replaced an old one, which goes back (issue 21).
        "From the van",
        "going back",
    ] {
        assert!(text.contains(want), "pdftotext lacks {want:?}:\n{text}");
    }
    assert_ne!(
        pdf,
        render(&bytes(&report(Language::ZhCn, 3, 2)), &font, &no_photos).unwrap()
    );
}

#[test]
fn a_long_report_breaks_across_pages_with_the_seal_on_every_page() {
    let font = cjk_font();
    let canon = bytes(&report(Language::ZhCn, 60, 60));
    let sha = sha256_hex(&canon);
    let started = Instant::now();
    let pdf = render(&canon, &font, &no_photos).unwrap();
    eprintln!(
        "60 notes + 60 parts: {} bytes in {:?}",
        pdf.len(),
        started.elapsed()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "zh-long.pdf", &pdf);
    let n = pages(&path);
    assert!(n > 1, "60 notes and 60 parts fit on one page?");
    for page in 1..=n {
        let p = page.to_string();
        let text = poppler("pdftotext", &["-f", &p, "-l", &p], &path);
        assert!(text.contains(&sha), "page {page} lacks the seal:\n{text}");
        assert!(
            text.contains(&format!("第 {page}/{n} 页")),
            "page {page}:\n{text}"
        );
    }
    let all = poppler("pdftotext", &[], &path);
    for i in [0, 30, 59] {
        assert!(
            all.contains(&format!("CAP-35UF-{i:03}")),
            "part {i} missing"
        );
        assert!(
            all.contains(&format!("({})", i + 1)),
            "note {} missing",
            i + 1
        );
    }
}

#[test]
fn a_font_without_chinese_glyphs_is_refused_naming_the_font_reports_need() {
    let font = latin_font();
    for language in [Language::ZhCn, Language::En] {
        let canon = bytes(&report(language, 2, 2));
        match render(&canon, &font, &no_photos) {
            Err(RenderError::MissingFont(m)) => {
                assert!(m.contains("Noto Sans CJK SC"), "{m}");
                assert!(m.contains("DejaVu"), "names the font given: {m}");
            }
            other => panic!("expected MissingFont, got {other:?}"),
        }
    }
}

#[test]
fn without_a_cjk_font_the_error_names_the_font_wanted_and_what_was_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("NotoSansCJK-Regular.ttc");
    let latin = std::path::PathBuf::from(LATIN_FONT);
    match Font::find_cjk_in(&[absent.clone(), latin]) {
        Err(RenderError::MissingFont(m)) => {
            assert!(m.contains("Noto Sans CJK SC"), "{m}");
            assert!(m.contains("fonts-noto-cjk"), "says how to get it: {m}");
            assert!(m.contains(&absent.display().to_string()), "{m}");
            assert!(m.contains("has no Chinese glyphs"), "{m}");
        }
        other => panic!("expected MissingFont, got {other:?}"),
    }
    // Given explicitly (--font), a font without Chinese is refused when it is picked.
    match Font::for_reports(Some(std::path::Path::new(LATIN_FONT))) {
        Err(RenderError::MissingFont(m)) => assert!(m.contains("Noto Sans CJK SC"), "{m}"),
        other => panic!("expected MissingFont, got {other:?}"),
    }
    let given = Font::for_reports(Some(std::path::Path::new(CJK_FONT))).unwrap();
    assert_eq!(given.name(), "Noto Sans CJK SC");
    let found =
        Font::find_cjk_in(&[std::path::PathBuf::from(LATIN_FONT), CJK_FONT.into()]).unwrap();
    assert_eq!(
        found.name(),
        "Noto Sans CJK SC",
        "the Latin font is passed over"
    );
}

#[test]
fn a_character_the_cjk_font_lacks_is_printed_as_its_code_point_not_a_box() {
    let font = cjk_font();
    let mut r = report(Language::En, 1, 1);
    r.content.work_done[0].text.push_str(" All good 👍");
    let pdf = render(&bytes(&r), &font, &no_photos).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emoji.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = poppler("pdftotext", &[], &path);
    assert!(text.contains("All good [U+1F44D]"), "{text}");
}

#[test]
fn photos_are_embedded_as_jpeg_and_a_missing_or_wrong_one_is_an_error() {
    let font = cjk_font();
    let (r, store) = with_photos(report(Language::ZhCn, 2, 2), 2);
    let canon = bytes(&r);
    let pdf = render(&canon, &font, &|id: &str| store.get(id).cloned()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "zh-photos.pdf", &pdf);
    let list = poppler("pdfimages", &["-list"], &path);
    let images: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(images.len(), 2, "{list}");
    for line in images {
        assert!(line.contains("jpeg"), "not passed through: {line}");
    }
    assert!(
        list.contains(" 800   600 ") && list.contains(" 600   800 "),
        "{list}"
    );

    let second = r.content.photos[1].id.clone();
    let err = render(&canon, &font, &|id: &str| {
        (id != second).then(|| store.get(id).cloned()).flatten()
    })
    .unwrap_err();
    assert_eq!(err, RenderError::MissingPhoto(second.clone()));

    // Another photo's bytes, or bytes that are not a JPEG, are refused.
    let first = r.content.photos[0].id.clone();
    let err = render(&canon, &font, &|_: &str| store.get(&second).cloned()).unwrap_err();
    assert!(
        matches!(err, RenderError::BadReport(ref m) if m.contains(&first) && m.contains("SHA-256")),
        "{err}"
    );
    let junk = b"not a jpeg".to_vec();
    let mut r2 = r.clone();
    r2.content.photos.truncate(1);
    r2.content.photos[0].id = fieldwork_model::report::sha256_hex(&junk);
    let err = render(&bytes(&r2), &font, &|_: &str| Some(junk.clone())).unwrap_err();
    assert!(
        matches!(err, RenderError::BadReport(ref m) if m.contains("not a JPEG")),
        "{err}"
    );
}

#[test]
fn twenty_photos_flow_over_pages() {
    let font = cjk_font();
    let (r, store) = with_photos(report(Language::ZhCn, 4, 3), 20);
    let canon = bytes(&r);
    let photo_bytes: usize = store.values().map(Vec::len).sum();
    let lookup = |id: &str| store.get(id).cloned();
    let started = Instant::now();
    let pdf = render(&canon, &font, &lookup).unwrap();
    eprintln!("20 photos of {photo_bytes} JPEG bytes in all");
    eprintln!("20 photos: {} bytes in {:?}", pdf.len(), started.elapsed());
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "zh-20-photos.pdf", &pdf);
    assert!(pages(&path) >= 4);
    let list = poppler("pdfimages", &["-list"], &path);
    assert_eq!(list.lines().skip(2).count(), 20, "{list}");
    assert!(pdf == render(&canon, &font, &lookup).unwrap());
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
    let started = Instant::now();
    let font = cjk_font();
    eprintln!("Font::load: {:?}", started.elapsed());
    assert_eq!(font.name(), "Noto Sans CJK SC");
    assert_eq!(
        font.index(),
        2,
        "Debian's NotoSansCJK-Regular.ttc has SC at index 2"
    );
    let found = Font::find_cjk().unwrap();
    assert_eq!(found.name(), "Noto Sans CJK SC");
    assert_eq!(found.fingerprint(), font.fingerprint());
    let latin = latin_font();
    assert_eq!(latin.index(), 0);
    assert_eq!(latin.missing_chars("Zhang 张伟"), vec!['张', '伟']);
    let err = Font::load(std::path::Path::new("/nonexistent/font.ttc")).unwrap_err();
    assert!(matches!(err, RenderError::MissingFont(_)));
}

/// Every word's box on every page, from `pdftotext -bbox`: (page, yMin, yMax, word).
fn word_boxes(path: &std::path::Path) -> Vec<(usize, f32, f32, String)> {
    let html = poppler("pdftotext", &["-bbox"], path);
    let mut page = 0;
    let mut out = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
        }
        let Some(rest) = line.strip_prefix("<word ") else {
            continue;
        };
        let attr = |name: &str| -> f32 {
            let start = rest.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            let end = start + rest[start..].find('"').unwrap();
            rest[start..end].parse().unwrap()
        };
        let word = rest[rest.find('>').unwrap() + 1..rest.rfind("</word>").unwrap()].to_string();
        out.push((page, attr("yMin"), attr("yMax"), word));
    }
    out
}

#[test]
fn huge_values_break_across_pages_and_never_run_into_the_seal() {
    let font = cjk_font();
    let mut r = refused(report(Language::ZhCn, 3, 2));
    r.content.site.address = "上海市徐汇区漕溪北路 88 号，".repeat(150) + "END-OF-ADDRESS";
    r.content.work_done[1].text = "很长的工作记录，包括每一个步骤。".repeat(500) + "END-OF-NOTE";
    r.content.parts[0].description = "Very long description ".repeat(300) + "END-OF-PART";
    if let Some(refusal) = r.refusal.as_mut() {
        refusal.reason = "客户认为收费过高。".repeat(500) + "END-OF-REASON";
    }
    let canon = bytes(&r);
    let sha = sha256_hex(&canon);
    let pdf = render(&canon, &font, &no_photos).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "zh-huge.pdf", &pdf);
    let n = pages(&path);
    assert!(n >= 6, "only {n} pages");
    let text = poppler("pdftotext", &[], &path);
    for end in [
        "END-OF-ADDRESS",
        "END-OF-NOTE",
        "END-OF-PART",
        "END-OF-REASON",
    ] {
        assert!(text.contains(end), "{end} was cut off");
    }
    // Content ends 50 pt above the bottom of the A4 page; the seal starts 10 pt lower.
    let content_bottom = 841.89 - 50.0;
    let boxes = word_boxes(&path);
    for page in 1..=n {
        let words: Vec<_> = boxes.iter().filter(|b| b.0 == page).collect();
        assert!(
            words.iter().any(|b| b.3 == sha),
            "page {page} lacks the seal"
        );
        for (_, y_min, y_max, word) in words {
            assert!(
                *y_max <= content_bottom + 1.0 || *y_min >= content_bottom + 10.0,
                "page {page}: {word:?} at {y_min}..{y_max} runs into the footer"
            );
        }
    }
}

#[test]
fn a_preview_says_it_is_not_signed() {
    let font = cjk_font();
    let mut r = report(Language::En, 1, 1);
    r.signature = None;
    let pdf = render(&bytes(&r), &font, &no_photos).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write_pdf(&dir, "en-preview.pdf", &pdf);
    let text = poppler("pdftotext", &[], &path);
    assert!(text.contains("Not signed: this is a preview."), "{text}");
    assert!(text.contains("Preview, not signed"), "{text}");
}

/// Not a test of its own: renders the fixture into `$FIELDWORK_REPORT_CHILD_OUT` when
/// [`another_process_renders_the_same_bytes`] runs this binary for it; does nothing otherwise.
#[test]
fn child_render_for_the_cross_process_test() {
    let Some(out) = std::env::var_os("FIELDWORK_REPORT_CHILD_OUT") else {
        return;
    };
    let (r, store) = with_photos(report(Language::ZhCn, 3, 3), 3);
    let pdf = render(&bytes(&r), &cjk_font(), &|id: &str| store.get(id).cloned()).unwrap();
    std::fs::write(out, pdf).unwrap();
}

#[test]
fn another_process_renders_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("child.pdf");
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_render_for_the_cross_process_test",
            "--test-threads",
            "1",
            "--quiet",
        ])
        .env("FIELDWORK_REPORT_CHILD_OUT", &out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let theirs = std::fs::read(&out).expect("the child process wrote its PDF");
    let (r, store) = with_photos(report(Language::ZhCn, 3, 3), 3);
    let ours = render(&bytes(&r), &cjk_font(), &|id: &str| store.get(id).cloned()).unwrap();
    assert!(theirs == ours, "another process rendered different bytes");
}
