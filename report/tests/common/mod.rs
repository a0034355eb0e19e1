//! Fixtures for the renderer's tests: a realistic report built directly, the fonts on this
//! machine, poppler's command-line tools, and JPEG photos made on the fly.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use fieldwork_model::report::{
    Canvas, Language, REPORT_FORMAT, Refusal, Report, ReportCheck, ReportContent, ReportDiagnosis,
    ReportNote, ReportPart, ReportPhoto, ReportTime, ReportTimeEntry, Signature, Strokes,
};
use fieldwork_model::warranty::{ChargeLine, Charges};
use fieldwork_model::{Asset, Cause, Customer, RegionClass, Site, TimeKind};
use fieldwork_report::Font;

pub const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
pub const LATIN_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
pub const CUSTOMER: &str = "上海门诊部 张伟";
pub const SIGNER: &str = "李娜";

/// The CJK font; a clear failure, not a skip, when it is not installed.
pub fn cjk_font() -> Font {
    assert!(
        Path::new(CJK_FONT).is_file(),
        "{CJK_FONT} is missing: install the Debian package fonts-noto-cjk"
    );
    Font::load(Path::new(CJK_FONT)).expect("load the CJK font")
}

/// A font without Chinese glyphs.
pub fn latin_font() -> Font {
    assert!(
        Path::new(LATIN_FONT).is_file(),
        "{LATIN_FONT} is missing: install the Debian package fonts-dejavu-core"
    );
    Font::load(Path::new(LATIN_FONT)).expect("load DejaVu Sans")
}

/// A signature: a looping name and an underline, with pressure.
pub fn strokes() -> Strokes {
    let mut name = Vec::new();
    for i in 0..120u32 {
        let t = f64::from(i) / 119.0;
        let x = 30.0 + t * 480.0;
        let y = 110.0 + 45.0 * (t * 18.0).sin() * (1.0 - t * 0.5) - 30.0 * (t * 3.0).sin();
        let p = 350 + ((t * 7.0).sin().abs() * 500.0) as u32;
        name.push([x as u32, y.clamp(0.0, 200.0) as u32, i * 8, p]);
    }
    let underline: Vec<[u32; 4]> = (0..30u32)
        .map(|i| [60 + i * 15, 175 + (i % 3), 1200 + i * 10, 600])
        .collect();
    let dot = vec![[520, 60, 1600, 800]];
    Strokes {
        canvas: Canvas {
            width: 600,
            height: 200,
        },
        strokes: vec![name, underline, dot],
    }
}

/// A signed zh-CN report with `notes` notes and `parts` part lines, charges and a checklist.
pub fn report(language: Language, notes: usize, parts: usize) -> Report {
    let notes_texts = [
        "到达现场，客户反映压缩机无法启动，空调不制冷。",
        "检查发现启动电容鼓包，容量 12 µF（标称 35 µF），更换电容后试机正常。",
        "Measured suction pressure 4.8 bar after 20 minutes; the unit cools to 18 °C.",
        "清洁冷凝器翅片并向客户说明定期保养要求。",
    ];
    let work_done = (0..notes)
        .map(|i| ReportNote {
            author: if i % 2 == 0 { "tech-li" } else { "tech-wang" }.into(),
            at: format!("2026-11-24T{:02}:{:02}:00Z", 2 + (i / 60) % 20, i % 60),
            text: format!("{} ({})", notes_texts[i % notes_texts.len()], i + 1),
        })
        .collect();
    let part_list: Vec<ReportPart> = (0..parts)
        .map(|i| ReportPart {
            line: format!("line-{i:03}"),
            sku: format!("CAP-35UF-{i:03}"),
            description: if i % 2 == 0 {
                "压缩机启动电容 35 µF 450 V".into()
            } else {
                "Condenser fan motor bearing kit".into()
            },
            qty: 1 + (i as u32 % 3),
            serial_in: Some(format!("SN-IN-2026-{i:05}")),
            serial_out: (i % 2 == 0).then(|| format!("SN-OUT-2019-{i:05}")),
            stock: (i % 3 == 0).then(|| "van".to_string()),
        })
        .collect();
    let mut lines: Vec<ChargeLine> = part_list
        .iter()
        .take(3)
        .map(|p| ChargeLine {
            kind: "part".into(),
            reference: p.line.clone(),
            qty: i64::from(p.qty),
            unit_amount: 123_450,
            amount: 123_450 * i64::from(p.qty),
            rule: "list".into(),
            sku: Some(p.sku.clone()),
            price_missing: false,
        })
        .collect();
    lines.push(ChargeLine {
        kind: "labour".into(),
        reference: "labour".into(),
        qty: 135,
        unit_amount: 20_000,
        amount: 45_000,
        rule: "charged".into(),
        sku: None,
        price_missing: false,
    });
    lines.push(ChargeLine {
        kind: "travel".into(),
        reference: "travel".into(),
        qty: 1,
        unit_amount: 8_000,
        amount: 8_000,
        rule: "charged".into(),
        sku: None,
        price_missing: false,
    });
    let total = lines.iter().map(|l| l.amount).sum();
    Report {
        format: REPORT_FORMAT,
        version: 1,
        job: "JOB-2026-0042".into(),
        language,
        content: ReportContent {
            customer: Customer {
                name: CUSTOMER.into(),
                phone: "+86 21 5555 0100".into(),
                email: None,
            },
            site: Site {
                address: "上海市徐汇区漕溪北路 88 号 3 楼".into(),
                region: RegionClass::City,
                time_zone: "Asia/Shanghai".into(),
            },
            asset: Asset {
                serial: "AC-7781-2291".into(),
                model: "格力 KFR-72LW 柜式空调".into(),
                installation_date: Some("2024-03-01".into()),
                acceptance_date: Some("2024-03-15".into()),
            },
            problem: "空调不制冷，压缩机无法启动，室内机显示 E1 故障代码。".into(),
            diagnoses: vec![ReportDiagnosis {
                cause: Cause::QualityDefect,
                fault_code: "E1".into(),
                action: Some("更换压缩机启动电容".into()),
                by: "tech-li".into(),
                at: "2026-11-24T02:40:00Z".into(),
            }],
            work_done,
            parts: part_list,
            time: ReportTime {
                travel_minutes: 45,
                labour_minutes: 135,
                entries: vec![
                    ReportTimeEntry {
                        kind: TimeKind::Travel,
                        start: "2026-11-24T01:15:00Z".into(),
                        end: "2026-11-24T02:00:00Z".into(),
                        minutes: 45,
                        by: "tech-li".into(),
                    },
                    ReportTimeEntry {
                        kind: TimeKind::Labour,
                        start: "2026-11-24T02:00:00Z".into(),
                        end: "2026-11-24T04:15:00Z".into(),
                        minutes: 135,
                        by: "tech-li".into(),
                    },
                ],
            },
            charges: Some(Charges {
                currency: "CNY".into(),
                provisional: false,
                lines,
                total,
            }),
            checklist: vec![
                ReportCheck {
                    item: "pressure".into(),
                    label: "吸气压力".into(),
                    unit: Some("bar".into()),
                    result: Some("4.8".into()),
                    note: None,
                },
                ReportCheck {
                    item: "leak".into(),
                    label: "冷媒泄漏检查".into(),
                    unit: None,
                    result: Some("pass".into()),
                    note: Some("接头处无油迹".into()),
                },
                ReportCheck {
                    item: "drain".into(),
                    label: "Drain line clear".into(),
                    unit: None,
                    result: None,
                    note: None,
                },
            ],
            photos: vec![],
            technician: Some("tech-li".into()),
            completed_at: Some("2026-11-24T04:15:00Z".into()),
        },
        heads: vec!["ab".repeat(32)],
        device_id: "dev-7f3a9c2e".into(),
        signature: Some(Signature {
            name: SIGNER.into(),
            role: Some("设备科科长".into()),
            signed_at: "2026-11-24T04:20:00Z".into(),
            strokes: strokes(),
        }),
        refusal: None,
    }
}

/// The report refused instead of signed.
pub fn refused(mut r: Report) -> Report {
    r.signature = None;
    r.refusal = Some(Refusal {
        reason: "客户认为收费过高，需请示院方后再签字。".into(),
        name: Some("王强".into()),
        refused_at: "2026-11-24T04:25:00Z".into(),
    });
    r
}

/// Stored photos by id.
pub type Store = std::collections::BTreeMap<String, Vec<u8>>;

/// Adds `n` photos, landscape and portrait in turn, each with the SHA-256 of its JPEG bytes as
/// its id (as the app stores them); returns the report and the photo store.
pub fn with_photos(mut r: Report, n: usize) -> (Report, Store) {
    let mut store = Store::new();
    r.content.photos = (0..n)
        .map(|i| {
            let (w, h) = if i % 2 == 0 { (800, 600) } else { (600, 800) };
            let bytes = jpeg(w, h, i as u32);
            let id = fieldwork_model::report::sha256_hex(&bytes);
            store.insert(id.clone(), bytes);
            ReportPhoto {
                id,
                caption: (i % 3 != 2).then(|| format!("更换前的启动电容（鼓包） {}", i + 1)),
                taken_at: "2026-11-24T02:35:00Z".into(),
                width: w,
                height: h,
            }
        })
        .collect();
    (r, store)
}

/// A JPEG of a smooth gradient with a few shapes: landscape or portrait.
pub fn jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let r = (x * 255 / width) as u8;
        let g = (y * 255 / height) as u8;
        let b = ((x + y + seed * 40) % 256) as u8;
        let cx = x as i64 - i64::from(width / 2);
        let cy = y as i64 - i64::from(height / 2);
        if cx * cx + cy * cy < i64::from(width.min(height) / 4).pow(2) {
            image::Rgb([240, 240, 235])
        } else {
            image::Rgb([r, g, b])
        }
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&img)
        .expect("encode a JPEG");
    out
}

/// No photos at all.
pub fn no_photos(_: &str) -> Option<Vec<u8>> {
    None
}

/// Writes the PDF to a fresh temporary file (kept in `dir`).
pub fn write_pdf(dir: &tempfile::TempDir, name: &str, pdf: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, pdf).expect("write the PDF");
    if let Some(out) = std::env::var_os("FIELDWORK_REPORT_SAMPLES") {
        let _ = std::fs::create_dir_all(&out);
        let _ = std::fs::write(Path::new(&out).join(name), pdf);
    }
    path
}

/// Runs a poppler tool and returns its standard output; fails clearly when it is missing.
pub fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {tool} ({e}): install the Debian package poppler-utils")
        });
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The page count `pdfinfo` reports.
pub fn pages(pdf: &Path) -> usize {
    poppler("pdfinfo", &[], pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo prints Pages:")
}
