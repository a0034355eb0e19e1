//! The job screen's typed record (`FieldworkApp::job_detail`, issue 19): its SLA milestones
//! are the office's at the same instant across the demo's contracts, and everything else the
//! screen shows (the customer's phone, notes by role, removable part lines, charges by part,
//! diagnosis, loaners, photos with thumbnails, report state) comes typed from the core.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use fieldwork_core::secrets::FileSecretStore;
use fieldwork_core::{AtRest, Device};
use fieldwork_ffi::{
    AuthorRole, ChargeKind, FaultCause, FieldworkApp, JobStatus, MilestoneKind, NewPartRecord,
    PriorityRecord, RegionRecord, ReportLanguage, ReportState, SlaState,
};
use fieldwork_model::sla::MilestoneState;
use fieldwork_model::time::parse_rfc3339;
use fieldwork_tests::{AppPhone, Office, camera_photo, now_ms};
use serde_json::{Value, json};

const STROKES: &str =
    r#"{"canvas":{"width":100,"height":50},"strokes":[[[1,1,0,5],[90,40,20,5]]]}"#;

fn state_of(office: &Value) -> SlaState {
    let state: MilestoneState = serde_json::from_value(office.clone()).unwrap();
    state.into()
}

#[tokio::test]
async fn the_job_screen_s_milestones_are_the_office_s_at_every_instant() {
    let office = Office::start().await;
    let place = office.place.clone();
    // Off the test's runtime, which also runs the office (see glance.rs).
    let seed = tokio::task::spawn_blocking(move || fieldwork_server::seed_demo(place))
        .await
        .unwrap()
        .unwrap();
    let mut apps = Vec::new();
    for technician in &seed.technicians {
        let app = AppPhone::enroll(&office, technician).await;
        app.sync().await.unwrap();
        apps.push(app);
    }

    let start = now_ms();
    let (mut with_sla, mut compared) = (0, 0);
    for after_min in [0, 45, 24 * 60, 10 * 24 * 60] {
        let at = start + after_min * 60_000;
        for app in &apps {
            for row in app.jobs_at(at).unwrap() {
                let detail = app.job_detail_at(row.id.clone(), at).unwrap();
                let job = office.job_at(&row.id, at).await;
                let context = format!("{} at +{after_min} min", row.id);
                compared += 1;
                assert_eq!(
                    detail.offered_statuses,
                    app.offered_statuses(row.id.clone()).unwrap()
                );
                assert_eq!(detail.customer.name, job["customer"]["name"], "{context}");
                let Some(sla) = &detail.sla else {
                    assert!(job["sla"].is_null(), "{context}");
                    continue;
                };
                with_sla += 1;
                // The headline is the list's row, at the same instant.
                assert_eq!(Some(sla.state), row.sla_state, "{context}");
                assert_eq!(sla.minutes_left, row.sla_minutes_left, "{context}");
                let office_sla = &job["sla"];
                for (m, (name, by)) in sla.milestones.iter().zip([
                    ("response", "respond_by"),
                    ("arrival", "arrive_by"),
                    ("resolution", "resolve_by"),
                ]) {
                    let due = parse_rfc3339(by, office_sla[by].as_str().unwrap()).unwrap();
                    assert_eq!(m.due_ms, due, "{context} {name}");
                    assert_eq!(
                        m.state,
                        state_of(&office_sla[name]["state"]),
                        "{context} {name}"
                    );
                    let open = matches!(
                        m.state,
                        SlaState::Pending | SlaState::AtRisk | SlaState::Breached
                    );
                    assert_eq!(
                        m.minutes_left,
                        open.then(|| (due - at).div_euclid(60_000)),
                        "{context} {name}"
                    );
                }
                assert_eq!(
                    sla.milestones.iter().map(|m| m.kind).collect::<Vec<_>>(),
                    [
                        MilestoneKind::Response,
                        MilestoneKind::Arrival,
                        MilestoneKind::Resolution
                    ]
                );
                assert_eq!(sla.paused, office_sla["paused"], "{context}");
                assert_eq!(
                    sla.loaner_required, office_sla["loaner_required"],
                    "{context}"
                );
            }
        }
    }
    assert!(
        with_sla > 0 && compared > with_sla,
        "{with_sla} of {compared}"
    );
}

#[tokio::test]
async fn the_job_screen_record_holds_what_the_screen_shows() {
    let office = Office::start().await;
    office.technician("tess").await;
    office
        .post(
            "/api/v1/contracts",
            serde_json::from_str(fieldwork_server::demo::DEMO_CONTRACT).unwrap(),
        )
        .await;
    let site = json!({"address": "1 Century Avenue", "region": "province",
                      "time_zone": "Asia/Shanghai"});
    office
        .post(
            "/api/v1/assets",
            json!({"serial": "CH-1", "model": "Chiller 300RT", "customer": "Harbour Clinic",
                   "installation_date": "2025-11-01", "acceptance_date": "2025-11-20",
                   "contract": "GOLD-2026", "site": site}),
        )
        .await;
    office
        .post(
            "/api/v1/jobs",
            json!({"id": "J-D", "technician": "tess",
                   "customer": {"name": "Harbour Clinic", "phone": "+86 21 5555 0101"},
                   "site": site, "asset": {"serial": "CH-1"}, "priority": "emergency",
                   "problem": "Compressor trips", "reported_at": "2026-11-23T09:00:00+08:00"}),
        )
        .await;
    office.note("J-D", "Gate code 4411").await;

    let app = AppPhone::enroll(&office, "tess").await;
    app.sync().await.unwrap();
    let id = || "J-D".to_string();
    app.set_status(id(), JobStatus::Accepted, None).unwrap();
    app.add_note(id(), "Parked at the loading bay".into(), None)
        .unwrap();
    let line = app
        .add_part(
            id(),
            NewPartRecord {
                sku: "FAN-200".into(),
                description: "Condenser fan motor".into(),
                qty: 2,
                serial_in: Some("FM-1".into()),
                serial_out: None,
                stock: Some("van".into()),
                unit_cost: Some(9_000),
                unit_price: Some(12_000),
            },
            None,
        )
        .unwrap();
    app.record_diagnosis(id(), FaultCause::QualityDefect, "E-42".into(), None, None)
        .unwrap();
    app.issue_loaner(id(), "LN-7".into(), "Chiller 50RT".into(), None)
        .unwrap();
    let photo = app
        .add_photo(
            id(),
            camera_photo(1200, 900, 7, 3),
            Some("Fan blade".into()),
        )
        .unwrap();

    let d = app.job_detail(id()).unwrap();
    assert_eq!(d.priority, PriorityRecord::Emergency);
    assert_eq!(d.customer.phone, "+86 21 5555 0101");
    assert_eq!(d.site.region, RegionRecord::Province);
    assert_eq!(
        d.asset.model, "Chiller 300RT",
        "filled from the asset register"
    );
    assert_eq!(d.status, JobStatus::Accepted);
    assert_eq!(
        d.offered_statuses,
        [JobStatus::EnRoute, JobStatus::OnHold],
        "never the current status"
    );
    let roles: Vec<_> = d
        .notes
        .iter()
        .map(|n| (n.author_role, n.text.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            (AuthorRole::Dispatch, "Gate code 4411"),
            (AuthorRole::Me, "Parked at the loading bay")
        ]
    );
    assert_eq!(d.parts.len(), 1);
    assert!(d.parts[0].removable && d.parts[0].qty == 2 && d.parts[0].id == line);
    let diagnosis = d.diagnosis.as_ref().unwrap();
    assert_eq!(
        (diagnosis.cause, diagnosis.fault_code.as_str()),
        (FaultCause::QualityDefect, "E-42")
    );
    assert_eq!(d.loaners.len(), 1);
    assert_eq!(d.loaners[0].returned_at_ms, None);
    let charges = d.charges.as_ref().unwrap();
    let part = charges
        .lines
        .iter()
        .find(|l| l.kind == ChargeKind::Part)
        .unwrap();
    assert_eq!(
        (part.sku.as_str(), part.description.as_str(), part.qty),
        ("FAN-200", "Condenser fan motor", 2)
    );
    assert_eq!(
        charges.total_minor,
        charges.lines.iter().map(|l| l.amount_minor).sum::<i64>()
    );
    // The phone's store is encrypted: no thumbnail in the clear, the bytes on request.
    let shown = &d.photos[0];
    assert_eq!(
        (shown.id.as_str(), shown.caption.as_deref()),
        (photo.id.as_str(), Some("Fan blade"))
    );
    assert!(shown.on_device && !shown.uploaded && shown.thumbnail_path.is_none());
    assert!(shown.removable, "taken by this technician");
    let thumb = app.photo_thumbnail(photo.id.clone()).unwrap().unwrap();
    let image = image::load_from_memory(&thumb).unwrap();
    assert_eq!((image.width(), image.height()), (320, 240));
    assert_eq!(app.photo_thumbnail("0".repeat(64)).unwrap(), None);
    assert_eq!(d.report.state, ReportState::None);

    // Signed, then changed: a new signature is needed.
    app.sign_report(
        id(),
        "Li Na".into(),
        None,
        STROKES.into(),
        ReportLanguage::En,
    )
    .unwrap();
    let d = app.job_detail(id()).unwrap();
    assert_eq!(
        (d.report.state, d.report.version),
        (ReportState::Signed, Some(1))
    );
    assert!(d.offered_statuses.is_empty(), "signing completed the job");
    let sla = d.sla.as_ref().unwrap();
    assert!(
        sla.milestones
            .iter()
            .all(|m| m.minutes_left.is_none() || m.state == SlaState::Breached)
    );
    app.add_note(id(), "Customer asked for a call back".into(), None)
        .unwrap();
    assert_eq!(
        app.job_detail(id()).unwrap().report.state,
        ReportState::ChangedSinceSigned
    );
}

#[tokio::test]
async fn a_plain_store_keeps_thumbnail_files_beside_its_photos() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-T", Some("t1")).await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(FileSecretStore::in_dir(dir.path()));
    let device = Device::open_with(dir.path(), secrets, AtRest::Plain).unwrap();
    device
        .enroll(&office.url(), &office.enroll_code("t1"), "cli")
        .await
        .unwrap();
    device.sync().await.unwrap();
    let photo = device
        .add_photo("J-T", &camera_photo(900, 1200, 3, 2), None, now_ms())
        .unwrap();
    let detail = device.job_detail("J-T", now_ms()).unwrap();
    let path = detail.thumbnails.get(&photo.id).expect("a thumbnail file");
    let image = image::open(path).unwrap();
    assert_eq!((image.width(), image.height()), (240, 320));
    assert_eq!(
        device.photo_thumbnail(&photo.id).unwrap().unwrap(),
        std::fs::read(path).unwrap()
    );
    assert!(detail.milestones.is_empty(), "no contract, no milestones");
}

#[tokio::test]
async fn the_signing_preview_is_the_current_job_in_the_words_its_pdf_prints() {
    use fieldwork_ffi::OutlineOutcomeRecord;
    let (_office, app) = AppPhone::with_job("J-P", "t1").await;
    let id = || "J-P".to_string();
    let parts_rows = |outline: &fieldwork_ffi::ReportOutlineRecord| {
        outline
            .sections
            .iter()
            .find(|s| s.title == "Parts")
            .map_or(0, |s| s.rows.len())
    };

    let before = app.signing_preview(id(), ReportLanguage::En).unwrap();
    assert_eq!(before.title, "Completion report");
    assert_eq!(parts_rows(&before), 0);
    let OutlineOutcomeRecord::Preview { attestation, .. } = &before.outcome else {
        panic!("{:?}", before.outcome)
    };
    assert!(attestation.contains("confirms"), "{attestation}");
    // A part added before signing is in the next preview, at once.
    app.add_part(
        id(),
        NewPartRecord {
            sku: "FAN-200".into(),
            description: "Condenser fan motor".into(),
            qty: 2,
            serial_in: None,
            serial_out: None,
            stock: None,
            unit_cost: None,
            unit_price: None,
        },
        None,
    )
    .unwrap();
    let after = app.signing_preview(id(), ReportLanguage::En).unwrap();
    let parts = after.sections.iter().find(|s| s.title == "Parts").unwrap();
    assert_eq!(
        parts.rows[0].cells[1..4],
        ["FAN-200", "Condenser fan motor", "2"]
    );
    assert_eq!(
        parts.columns.iter().map(|c| c.share).sum::<f32>().round(),
        1.0
    );
    // In Chinese, chosen on the signing screen.
    let zh = app.signing_preview(id(), ReportLanguage::ZhCn).unwrap();
    assert_ne!(zh.title, after.title);
    assert!(zh.sections.iter().any(|s| {
        s.rows
            .iter()
            .any(|r| r.cells.contains(&"FAN-200".to_string()))
    }));

    // What is sealed says what the preview said, now signed.
    app.sign_report(
        id(),
        "Li Na".into(),
        None,
        STROKES.into(),
        ReportLanguage::En,
    )
    .unwrap();
    let sealed = app.report_outline(id(), None).unwrap();
    let titles = |o: &fieldwork_ffi::ReportOutlineRecord| {
        o.sections
            .iter()
            .map(|s| s.title.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&sealed), titles(&after));
    assert_eq!(
        sealed
            .sections
            .iter()
            .find(|s| s.title == "Parts")
            .unwrap()
            .rows[0]
            .cells,
        parts.rows[0].cells
    );
    let OutlineOutcomeRecord::Signed { fields, .. } = &sealed.outcome else {
        panic!("{:?}", sealed.outcome)
    };
    assert_eq!(fields[0].value, "Li Na");
}

#[tokio::test]
async fn the_sync_state_says_when_the_phone_last_synced_and_what_waits() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-S", Some("t1")).await;
    let app = AppPhone::enroll(&office, "t1").await;
    let first = app.sync_state().unwrap();
    assert_eq!((first.last_success_ms, first.pending_jobs), (None, 0));
    let before = now_ms();
    app.sync().await.unwrap();
    let synced = app.sync_state().unwrap().last_success_ms.unwrap();
    assert!(synced >= before);

    app.set_network_state(false);
    app.add_note("J-S".into(), "Waiting for the lift".into(), None)
        .unwrap();
    app.add_photo("J-S".into(), camera_photo(640, 480, 1, 1), None)
        .unwrap();
    let waiting = app.sync_state().unwrap();
    assert_eq!(
        (waiting.online, waiting.pending_jobs, waiting.pending_photos),
        (false, 1, 1)
    );
    assert!(app.sync().await.is_err());
    assert_eq!(
        app.sync_state().unwrap().last_success_ms,
        Some(synced),
        "a failed sync is not a success"
    );

    app.set_network_state(true);
    app.sync().await.unwrap();
    let done = app.sync_state().unwrap();
    assert_eq!(
        (done.online, done.pending_jobs, done.pending_photos),
        (true, 0, 0)
    );
    assert!(done.last_success_ms.unwrap() >= synced);
    // Kept across a restart.
    let AppPhone { dir, app } = app;
    drop(app);
    let again = FieldworkApp::open(dir.path().display().to_string()).unwrap();
    assert_eq!(
        again.sync_state().unwrap().last_success_ms,
        done.last_success_ms
    );
}

#[tokio::test]
async fn a_photo_taken_by_mistake_is_removed_on_the_phone_and_at_the_office() {
    let (office, app) = AppPhone::with_job("J-F", "t1").await;
    let id = || "J-F".to_string();
    let keep = app
        .add_photo(id(), camera_photo(640, 480, 1, 1), Some("Nameplate".into()))
        .unwrap();
    let mistake = app
        .add_photo(id(), camera_photo(640, 480, 2, 1), Some("Pocket".into()))
        .unwrap();
    app.sync().await.unwrap();

    app.remove_photo(id(), mistake.id.clone(), None).unwrap();
    let shown: Vec<_> = app
        .job_detail(id())
        .unwrap()
        .photos
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(shown, std::slice::from_ref(&keep.id));
    let preview = app.signing_preview(id(), ReportLanguage::En).unwrap();
    assert_eq!(preview.photos.len(), 1);
    assert!(
        app.job_detail(id()).unwrap().pending_sync,
        "the removal waits for a sync"
    );
    app.sync().await.unwrap();
    let synced = app.job_detail(id()).unwrap();
    assert_eq!((synced.pending_sync, synced.sync_error), (false, None));
    assert_eq!(
        app.jobs().unwrap()[0].sync_error,
        None,
        "the office accepted the removal"
    );
    let at_office = office.job("J-F").await["attachments"].clone();
    assert_eq!(at_office.as_array().unwrap().len(), 1, "{at_office}");
    assert_eq!(at_office[0]["id"], keep.id.as_str());
    // A photo that is not on the job is not found.
    assert!(matches!(
        app.remove_photo(id(), "0".repeat(64), None),
        Err(fieldwork_ffi::ApiError::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_colleague_s_note_is_shown_by_its_author_s_name() {
    let office = Office::start().await;
    for (id, name) in [("omar", "Omar Li"), ("tess", "Tess Wong")] {
        office
            .post(
                "/api/v1/technicians",
                json!({"id": id, "name": name, "region": "east"}),
            )
            .await;
    }
    office.create_job("J-N", Some("omar")).await;
    let omar = AppPhone::enroll(&office, "omar").await;
    omar.sync().await.unwrap();
    omar.add_note("J-N".into(), "Gasket ordered".into(), None)
        .unwrap();
    omar.sync().await.unwrap();
    // Dispatch hands the job to Tess; a note of its own too.
    office.patch("J-N", json!({"technician": "tess"})).await;
    office.note("J-N", "Customer prefers mornings").await;
    let tess = AppPhone::enroll(&office, "tess").await;
    tess.sync().await.unwrap();
    tess.add_note("J-N".into(), "Fitted the gasket".into(), None)
        .unwrap();

    let notes: Vec<_> = tess
        .job_detail("J-N".into())
        .unwrap()
        .notes
        .into_iter()
        .map(|n| (n.author_role, n.author_name, n.text))
        .collect();
    assert_eq!(
        notes,
        [
            (
                AuthorRole::Colleague,
                Some("Omar Li".to_string()),
                "Gasket ordered".to_string()
            ),
            (
                AuthorRole::Dispatch,
                None,
                "Customer prefers mornings".to_string()
            ),
            (
                AuthorRole::Me,
                Some("Tess Wong".to_string()),
                "Fitted the gasket".to_string()
            ),
        ]
    );
    // The names are the office's: a phone cannot write them.
    let doc = office.job("J-N").await;
    assert!(
        doc.get("people").is_none(),
        "the job JSON is unchanged: {doc}"
    );
}

#[tokio::test]
async fn dispatch_corrects_the_contact_and_the_site_and_the_phone_follows() {
    let (office, phone) = AppPhone::with_job("J-C", "t1").await;

    let job = office
        .patch(
            "J-C",
            json!({"customer": {"name": "Harbour Clinic", "phone": "+86 21 5555 0199",
                                "email": "facilities@harbour.example"},
                   "site": {"address": "90 Quay Road, Pudong", "region": "province",
                            "time_zone": "Asia/Shanghai"}}),
        )
        .await;
    assert_eq!(job["customer"]["phone"], "+86 21 5555 0199");
    assert_eq!(job["site"]["region"], "province");
    phone.sync().await.unwrap();
    let d = phone.job_detail("J-C".into()).unwrap();
    assert_eq!(d.customer.phone, "+86 21 5555 0199");
    assert_eq!(
        (d.site.address.as_str(), d.site.region),
        ("90 Quay Road, Pudong", RegionRecord::Province)
    );

    // A bad zone is refused with its reason and field, and nothing changes.
    let (status, answer) = office
        .call(
            reqwest::Method::PATCH,
            "/api/v1/jobs/J-C",
            Some(json!({"site": {"address": "x", "region": "city", "time_zone": "Mars/Olympus"}})),
            Some(&office.token),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["field"], "site.time_zone");
    assert_eq!(
        office.job("J-C").await["site"]["address"],
        "90 Quay Road, Pudong"
    );
}
