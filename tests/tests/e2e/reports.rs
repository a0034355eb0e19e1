//! Signed completion reports and photos end to end, on loopback: sealed on the phone offline,
//! uploaded resumably through a connection that drops, verified and rendered at the office,
//! byte for byte what the phone holds; forgeries refused; tampering evident to `verify`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use fieldwork_core::model::report::{self, Language, Outcome, Strokes};
use fieldwork_core::model::wire::{heads_from_hex, heads_to_hex};
use fieldwork_core::model::{JobDocument, NewPart, Status};
use fieldwork_core::{Device, Error};
use fieldwork_media::fixtures::{self, Corner};
use fieldwork_tests::proxy::CutProxy;
use fieldwork_tests::{Office, Phone, job_body, now_ms, sync_until_quiet};
use serde_json::{Value, json};

const CUSTOMER: &str = "上海门诊部 张伟";
const SIGNER: &str = "李娜";

const STROKES: &str = r#"{"canvas":{"width":600,"height":200},"strokes":[
  [[40,150,0,300],[80,60,16,420],[120,150,33,500],[160,70,50,520],[200,140,66,480]],
  [[260,100,400,350],[320,90,420,400],[380,120,440,450],[440,80,460,500],[520,110,480,380]]]}"#;

fn part(sku: &str) -> NewPart {
    NewPart {
        sku: sku.into(),
        description: "spare".into(),
        qty: 1,
        serial_in: Some(format!("{sku}-NEW")),
        serial_out: Some(format!("{sku}-OLD")),
        stock: Some("van".into()),
        unit_cost: Some(12_000),
        unit_price: Some(18_000),
    }
}

async fn office_with_job(id: &str) -> Office {
    with_job(Office::start().await, id).await
}

async fn with_job(office: Office, id: &str) -> Office {
    office.technician("t1").await;
    let mut body = job_body(id, Some("t1"));
    body["customer"]["name"] = json!(CUSTOMER);
    office.post("/api/v1/jobs", body).await;
    office
}

async fn bytes(office: &Office, path: &str) -> (u16, Vec<u8>) {
    let resp = fieldwork_tests::http_client()
        .get(format!("{}{path}", office.url()))
        .bearer_auth(&office.token)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/setup.sh");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_signed_visit_uploads_through_a_cut_and_the_office_holds_what_was_signed() {
    let mut office = office_with_job("J-1").await;
    let proxy = CutProxy::start(office.addr).await;
    let dir = tempfile::tempdir().unwrap();
    let phone = Device::open(dir.path()).unwrap();
    phone
        .enroll(&proxy.url(), &office.enroll_code("t1"), "phone")
        .await
        .unwrap();
    phone.sync().await.unwrap();

    // At the site, no signal.
    office.stop().await;
    let t = now_ms();
    phone.set_status("J-1", Status::OnSite, t).unwrap();
    phone.add_part("J-1", &part("FAN-40"), t + 1_000).unwrap();
    phone.add_part("J-1", &part("PCB-9"), t + 2_000).unwrap();
    phone
        .add_note("J-1", "更换冷凝风机, replaced condenser fan", t + 3_000)
        .unwrap();
    let big = phone
        .add_photo(
            "J-1",
            &fieldwork_tests::camera_photo(3000, 2000, 11, 128),
            Some("condenser"),
            t + 4_000,
        )
        .unwrap();
    let sideways = fixtures::jpeg_with_exif(640, 480, 6, Some("2026:11:24 10:15:00"));
    let upright = phone
        .add_photo("J-1", &sideways, Some("nameplate"), t + 5_000)
        .unwrap();
    assert_eq!((upright.width, upright.height), (480, 640));
    let sealed = phone
        .sign_report(
            "J-1",
            SIGNER,
            Some("设备科"),
            STROKES,
            Language::ZhCn,
            t + 6_000,
        )
        .unwrap();
    assert_eq!((sealed.version, sealed.status.as_str()), (1, "signed"));
    assert!(matches!(phone.sync().await, Err(Error::Offline(_))));
    let job = serde_json::to_value(phone.job("J-1", t).unwrap()).unwrap();
    assert_eq!(job["status"], "completed", "signing completes the job");
    assert_eq!(job["report"]["status"], "signed");

    // Back in signal, but the connection drops in the middle of the big photo.
    office.restart().await;
    assert!(
        big.bytes > 3 * 256 * 1024,
        "photo spans chunks: {}",
        big.bytes
    );
    // Photos upload in the order they were taken, the big one first. The cut comes half way
    // through its second chunk: the office keeps whole chunks, so it holds exactly the first.
    let chunk = 256 * 1024;
    let before = proxy.sent();
    proxy.cut_after(Some(chunk + chunk / 2));
    assert!(matches!(phone.sync().await, Err(Error::Offline(_))));
    // Everything the cut attempt sent (requests and photo bytes) counts as photo bytes here.
    let cut_attempt = proxy.sent() - before;
    proxy.cut_after(None);
    let report = phone.sync().await.unwrap();
    assert_eq!(report.attachments_uploaded, 2);
    assert_eq!(report.uploaded, 1);
    let photos = big.bytes + upright.bytes;
    assert_eq!(
        report.attachment_bytes_sent,
        photos - chunk,
        "the resumed sync sends what the office lacks, from its offset"
    );
    assert!(
        cut_attempt + report.attachment_bytes_sent < photos + chunk,
        "resumed, not restarted: {cut_attempt} + {} bytes sent for {photos} bytes of photos",
        report.attachment_bytes_sent
    );
    assert!(
        report.bytes_sent > report.attachment_bytes_sent,
        "the sync's bytes include the uploads: {report:?}"
    );

    // The office verified the seal and holds the same bytes.
    let reports = office.get("/api/v1/jobs/J-1/reports").await;
    assert_eq!(reports.as_array().unwrap().len(), 1);
    let r1 = &reports[0];
    assert_eq!(r1["status"], "signed");
    assert_eq!(r1["current"], true);
    assert_eq!(r1["sha256"], sealed.sha256.as_str());
    assert_eq!(r1["signer"]["name"], SIGNER);
    assert_eq!(r1["device_id"], phone.enrollment().unwrap().device_id);
    let (status, canonical) = bytes(&office, "/api/v1/jobs/J-1/reports/1").await;
    assert_eq!(status, 200);
    assert_eq!(canonical, phone.report_bytes("J-1", Some(1)).unwrap());
    assert_eq!(report::sha256_hex(&canonical), sealed.sha256);
    let server_job = office.job("J-1").await;
    assert_eq!(server_job["report"]["status"], "signed");
    assert!(
        server_job["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["uploaded"] == true)
    );

    // The same PDF on both sides, with real text.
    let (status, office_pdf) = bytes(&office, "/api/v1/jobs/J-1/reports/1/pdf").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&office_pdf));
    let phone_pdf = phone.report_pdf("J-1", Some(1), None).unwrap();
    assert!(office_pdf == phone_pdf, "office and phone PDFs differ");
    let text = pdftotext(&office_pdf);
    for needle in [CUSTOMER, SIGNER, "FAN-40", "PCB-9", sealed.sha256.as_str()] {
        assert!(text.contains(needle), "PDF text lacks {needle:?}");
    }

    // The sideways photo comes back upright.
    let (status, photo) = bytes(&office, &format!("/api/v1/attachments/{}", upright.id)).await;
    assert_eq!(status, 200);
    assert_eq!(
        fixtures::marker_corners(&photo),
        Some((Corner::TopLeft, Corner::TopRight))
    );

    let v = fieldwork_server::verify::verify(office.place.clone()).unwrap();
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    assert_eq!((v.reports, v.attachments), (1, 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_referencing_a_photo_the_office_lacks_is_accepted_and_shows_it_not_uploaded() {
    let office = office_with_job("J-6").await;
    let phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;
    let photo = phone
        .device
        .add_photo("J-6", &fixtures::jpeg(320, 240), Some("gauge"), now_ms())
        .unwrap();
    // The phone's copy is gone (cleared storage, a failed card): its upload is refused on the
    // phone, and the change that references the photo still goes.
    let file = phone.path().join("attachments").join(&photo.id);
    let kept = phone.device.attachment_bytes(&photo.id).unwrap().unwrap();
    std::fs::remove_file(&file).unwrap();
    let r = phone.device.sync().await.unwrap();
    assert_eq!((r.uploaded, r.attachments_uploaded, r.refused), (1, 0, 0));
    let uploaded = |job: &Value| job["attachments"][0]["uploaded"].clone();
    let at_office = office.job("J-6").await;
    assert_eq!(at_office["attachments"][0]["id"], photo.id.as_str());
    assert_eq!(uploaded(&at_office), json!(false), "{at_office}");
    let (status, _) = bytes(&office, &format!("/api/v1/attachments/{}", photo.id)).await;
    assert_eq!(status, 404);

    // The bytes land later (here through the upload route, as any of the technician's devices
    // holding them would): the same job now shows the photo uploaded.
    let url = format!("{}/api/v1/uploads/{}", office.url(), photo.id);
    let resp = fieldwork_tests::http_client()
        .patch(&url)
        .bearer_auth(phone.secret("token"))
        .header("upload-offset", "0")
        .header("upload-length", kept.len().to_string())
        .body(kept.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(uploaded(&office.job("J-6").await), json!(true));
    assert_eq!(
        bytes(&office, &format!("/api/v1/attachments/{}", photo.id)).await,
        (200, kept)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_note_after_signing_marks_the_report_changed_and_a_new_signature_is_version_2() {
    let office = office_with_job("J-2").await;
    let phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;
    let t = now_ms();
    phone.device.add_part("J-2", &part("FAN-40"), t).unwrap();
    // The same photo twice is one attachment and one change.
    let photo = fixtures::jpeg(320, 240);
    let first = phone.device.add_photo("J-2", &photo, None, t).unwrap();
    let heads = phone.device.heads("J-2").unwrap();
    let again = phone.device.add_photo("J-2", &photo, None, t + 5).unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(phone.device.heads("J-2").unwrap(), heads);
    assert_eq!(phone.job("J-2")["attachments"].as_array().unwrap().len(), 1);
    phone
        .device
        .sign_report("J-2", SIGNER, None, STROKES, Language::En, t + 1_000)
        .unwrap();
    sync_until_quiet(&[&phone]).await;
    assert_eq!(office.job("J-2").await["report"]["status"], "signed");

    phone
        .device
        .add_note("J-2", "one more thing", t + 2_000)
        .unwrap();
    assert_eq!(phone.job("J-2")["report"]["status"], "changed_since_signed");
    sync_until_quiet(&[&phone]).await;
    assert_eq!(
        office.job("J-2").await["report"]["status"],
        "changed_since_signed"
    );
    let listed = office.get("/api/v1/jobs?report=changed_since_signed").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        office.get("/api/v1/jobs?report=signed").await,
        json!([]),
        "nothing changed shows as signed"
    );

    let again = phone
        .device
        .sign_report("J-2", SIGNER, None, STROKES, Language::En, t + 3_000)
        .unwrap();
    assert_eq!(again.version, 2);
    sync_until_quiet(&[&phone]).await;
    let reports = office.get("/api/v1/jobs/J-2/reports").await;
    let versions: Vec<(u64, bool)> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["version"].as_u64().unwrap(),
                r["current"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(versions, vec![(1, false), (2, true)]);
    assert_eq!(office.job("J-2").await["report"]["status"], "signed");
    assert_eq!(phone.job("J-2")["report"]["version"], 2);
}

/// The device's token, document and key, read from its files as a thief with the phone would.
struct Stolen {
    token: String,
    key: [u8; 32],
    device_id: String,
    doc: JobDocument,
}

fn steal(phone: &Phone, job: &str) -> Stolen {
    // Someone holding the phone and its secrets (the store's key among them).
    let conn = fieldwork_tests::open_store(phone.path());
    let meta = |k: &str| -> String {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [k], |r| r.get(0))
            .unwrap()
    };
    let mut bytes = Vec::new();
    let mut stmt = conn
        .prepare("SELECT bytes FROM chunks WHERE job_id = ?1 ORDER BY seq")
        .unwrap();
    for b in stmt.query_map([job], |r| r.get::<_, Vec<u8>>(0)).unwrap() {
        bytes.extend(b.unwrap());
    }
    Stolen {
        token: phone.secret("token"),
        key: hex::decode(phone.secret("signing_key"))
            .unwrap()
            .try_into()
            .unwrap(),
        device_id: meta("device_id"),
        doc: JobDocument::load(&bytes, automerge::ActorId::random()).unwrap(),
    }
}

/// Pushes a document's changes since `base` with a device token; returns the job's reply.
async fn push(
    office: &Office,
    token: &str,
    job: &str,
    doc: &JobDocument,
    base: &[String],
) -> Value {
    let base = heads_from_hex(base).unwrap();
    let mut heads = doc.heads();
    heads.sort();
    let changes = doc.save_after(&base);
    use base64::Engine;
    let body = json!({"v": 1, "cursor": 0, "push": [{
        "job": job,
        "heads": heads_to_hex(&heads),
        "changes": base64::engine::general_purpose::STANDARD.encode(changes),
    }]});
    let (status, reply) = office
        .call(
            reqwest::Method::POST,
            "/api/v1/sync",
            Some(body),
            Some(token),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    reply["docs"][0].clone()
}

fn signed_by(name: &str) -> Outcome {
    Outcome::Signed {
        name: name.into(),
        role: None,
        strokes: Strokes::parse(STROKES).unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_reports_are_refused_and_never_shown_as_signed() {
    let office = office_with_job("J-3").await;
    let phone = Phone::enroll(&office, "t1").await;
    let other = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone, &other]).await;
    let t = now_ms();
    let base = office.get("/api/v1/jobs/J-3/heads").await["heads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    let me = steal(&phone, "J-3");
    let them = steal(&other, "J-3");

    // 1. Signed with a key that is not the pushing device's.
    let mut forged = JobDocument::from_automerge(me.doc.automerge().fork());
    forged
        .seal_report(
            Language::ZhCn,
            &me.device_id,
            signed_by("A"),
            &[9u8; 32],
            "t1",
            t,
        )
        .unwrap();
    let reply = push(&office, &me.token, "J-3", &forged, &base).await;
    assert_eq!(reply["state"], "refused", "{reply}");
    assert!(reply["error"].as_str().unwrap().contains("signature"));

    // 2. Content that differs from the document: a part the job never had.
    let mut forged = JobDocument::from_automerge(me.doc.automerge().fork());
    forged.record_status(Status::Completed, "t1", t).unwrap();
    let mut data = forged.data().unwrap();
    let mut heads = forged.heads();
    heads.sort();
    data.parts.insert(
        "x".into(),
        fieldwork_core::model::PartLine {
            sku: "GOLD-1".into(),
            description: String::new(),
            qty: 9,
            serial_in: None,
            serial_out: None,
            stock: None,
            added_by: "t1".into(),
            added_at: t,
            removed: None,
            unit_cost: None,
            unit_price: None,
        },
    );
    let mut r = report::build(
        &data,
        report::SealInputs {
            version: 1,
            language: Language::En,
            heads: heads_to_hex(&heads),
            device_id: me.device_id.clone(),
            signature: None,
            refusal: None,
        },
    )
    .unwrap();
    let Outcome::Signed {
        name,
        role,
        strokes,
    } = signed_by("B")
    else {
        unreachable!()
    };
    r.signature = Some(report::Signature {
        name,
        role,
        signed_at: fieldwork_core::model::time::to_rfc3339(t),
        strokes,
    });
    let entry = report::seal(&r, &me.key, "t1", t).unwrap();
    forged.insert_report(&entry).unwrap();
    let reply = push(&office, &me.token, "J-3", &forged, &base).await;
    assert_eq!(reply["state"], "refused", "{reply}");
    assert!(reply["error"].as_str().unwrap().contains("content differs"));

    // 3. A hash that does not match the sealed bytes.
    let mut forged = JobDocument::from_automerge(me.doc.automerge().fork());
    let (mut entry, _) = {
        let mut scratch = JobDocument::from_automerge(me.doc.automerge().fork());
        scratch
            .seal_report(
                Language::En,
                &me.device_id,
                signed_by("C"),
                &me.key,
                "t1",
                t,
            )
            .unwrap()
    };
    forged.record_status(Status::Completed, "t1", t).unwrap();
    entry.sha256 = "0".repeat(64);
    forged.insert_report(&entry).unwrap();
    let reply = push(&office, &me.token, "J-3", &forged, &base).await;
    assert_eq!(reply["state"], "refused", "{reply}");
    assert!(reply["error"].as_str().unwrap().contains("sha256"));

    // 4. A report sealed by another device (its own key and id) pushed by this one.
    let mut forged = JobDocument::from_automerge(me.doc.automerge().fork());
    forged
        .seal_report(
            Language::En,
            &them.device_id,
            signed_by("D"),
            &them.key,
            "t1",
            t,
        )
        .unwrap();
    let reply = push(&office, &me.token, "J-3", &forged, &base).await;
    assert_eq!(reply["state"], "refused", "{reply}");
    assert!(reply["error"].as_str().unwrap().contains("pushed by"));

    assert_eq!(office.get("/api/v1/jobs/J-3/reports").await, json!([]));
    assert_eq!(office.job("J-3").await["report"]["status"], "none");
    assert_eq!(office.job("J-3").await["status"], "assigned");

    // The honest device's real signature still goes through.
    phone
        .device
        .sign_report("J-3", SIGNER, None, STROKES, Language::En, t)
        .unwrap();
    sync_until_quiet(&[&phone]).await;
    assert_eq!(office.job("J-3").await["report"]["status"], "signed");
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_passes_on_clean_data_and_fails_after_one_byte_changes() {
    // On SQLite in every pass: the test rewrites a stored document in the database file.
    let mut office = with_job(Office::start_on_sqlite().await, "J-4").await;
    let phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;
    let t = now_ms();
    let photo = phone
        .device
        .add_photo("J-4", &fixtures::jpeg(320, 240), None, t)
        .unwrap();
    phone
        .device
        .refuse_report(
            "J-4",
            "拒绝签字：等待总部确认",
            Some("王工"),
            Language::ZhCn,
            t,
        )
        .unwrap();
    sync_until_quiet(&[&phone]).await;
    assert_eq!(office.job("J-4").await["report"]["status"], "refused");
    office.stop().await;
    let dir = office.dir.path().to_path_buf();
    let clean = fieldwork_server::verify::verify(&dir).unwrap();
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);
    assert_eq!((clean.reports, clean.attachments), (1, 1));

    // One byte of the stored photo.
    let file = dir.join("attachments").join(&photo.id);
    let original = std::fs::read(&file).unwrap();
    let mut changed = original.clone();
    let last = changed.len() - 10;
    changed[last] ^= 0x01;
    std::fs::write(&file, &changed).unwrap();
    let v = fieldwork_server::verify::verify(&dir).unwrap();
    assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
    assert!(v.problems[0].contains(&photo.id));
    std::fs::write(&file, &original).unwrap();

    // One byte of the stored report, rewritten into the job document as a valid change.
    let db = rusqlite::Connection::open(dir.join("server.db")).unwrap();
    let doc_bytes: Vec<u8> = db
        .query_row("SELECT doc FROM jobs WHERE id = 'J-4'", [], |r| r.get(0))
        .unwrap();
    let mut am = automerge::Automerge::load(&doc_bytes).unwrap();
    {
        use automerge::transaction::Transactable;
        use automerge::{ObjType, ROOT, ReadDoc};
        let Some((automerge::Value::Object(ObjType::Map), reports)) =
            am.get(ROOT, "reports").unwrap()
        else {
            panic!("no reports map")
        };
        let key = am.keys(&reports).next().unwrap();
        let Some((automerge::Value::Object(ObjType::Map), entry)) = am.get(&reports, &key).unwrap()
        else {
            panic!("report entry is not a map")
        };
        let canonical = am
            .get(&entry, "canonical")
            .unwrap()
            .unwrap()
            .0
            .into_string()
            .unwrap();
        let tampered = canonical.replacen("等待", "同意", 1);
        assert_ne!(tampered, canonical);
        let mut tx = am.transaction();
        tx.put(&entry, "canonical", tampered).unwrap();
        tx.commit();
    }
    db.execute("UPDATE jobs SET doc = ?1 WHERE id = 'J-4'", [am.save()])
        .unwrap();
    drop(db);
    let v = fieldwork_server::verify::verify(&dir).unwrap();
    assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
    assert!(v.problems[0].contains("sha256"), "{}", v.problems[0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_signatures_images_and_cancelled_jobs_are_refused_and_store_nothing() {
    let office = office_with_job("J-5").await;
    office
        .post("/api/v1/jobs", job_body("J-6", Some("t1")))
        .await;
    let phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;
    office.cancel("J-6", "customer withdrew").await;
    sync_until_quiet(&[&phone]).await;
    let heads = phone.device.heads("J-5").unwrap();
    let t = now_ms();
    let d = &phone.device;

    let bad_strokes = [
        r#"{"canvas":{"width":600,"height":200},"strokes":[]}"#.to_string(),
        r#"{"canvas":{"width":600,"height":200},"strokes":[[[10,10,0,5]]]}"#.to_string(),
        r#"{"canvas":{"width":600,"height":200},"strokes":[[[10,10,0,5],[700,10,4,5]]]}"#
            .to_string(),
        json!({"canvas": {"width": 600, "height": 200},
               "strokes": vec![vec![[1, 1, 0, 0], [2, 2, 1, 0]]; 65]})
        .to_string(),
        json!({"canvas": {"width": 600, "height": 200},
               "strokes": [(0..10_001).map(|i| [i % 600, 5, i, 0]).collect::<Vec<_>>()]})
        .to_string(),
        "not json".to_string(),
    ];
    for s in &bad_strokes {
        let err = d
            .sign_report("J-5", SIGNER, None, s, Language::En, t)
            .unwrap_err();
        assert!(matches!(err, Error::BadSignature(_)), "{err}");
    }

    let text = b"this is a text file named photo.jpg\n".repeat(10);
    // A real JPEG that decoders open, grown to 30 MiB by bytes after its end marker.
    let mut huge = fixtures::jpeg(640, 480);
    huge.resize(30 * 1024 * 1024, 0);
    let bomb = fixtures::png_bomb(60_000, 60_000);
    for (what, input) in [
        ("text", &text[..]),
        ("30 MiB", &huge[..]),
        ("bomb", &bomb[..]),
    ] {
        let err = d.add_photo("J-5", input, None, t).unwrap_err();
        assert!(matches!(err, Error::Photo(_)), "{what}: {err}");
        if what == "30 MiB" {
            assert!(err.to_string().contains("25 MiB"), "{err}");
        }
    }

    let err = d
        .sign_report("J-6", SIGNER, None, STROKES, Language::En, t)
        .unwrap_err();
    assert!(matches!(err, Error::CannotSign(_)), "{err}");
    assert!(err.to_string().contains("cancelled"));

    assert_eq!(d.heads("J-5").unwrap(), heads, "nothing was written");
    assert_eq!(phone.job("J-6")["report"]["status"], "none");
    let files = std::fs::read_dir(d.attachments_dir())
        .map(|r| r.count())
        .unwrap_or(0);
    assert_eq!(files, 0, "no photo file was kept");
    assert_eq!(d.pending_sync_count().unwrap(), 0);
}
