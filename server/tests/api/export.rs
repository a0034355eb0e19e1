//! Exports of a period's jobs, visit records and KPIs (CSV read back here; the XLSX is opened
//! with openpyxl by the browser suite), and the console's CSV import: a preview that checks
//! each row and stores nothing, an import of all rows or none, and a second import of the same
//! file creating nothing twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use fieldwork_model::{NewPart, NewTimeEntry, TimeKind};
use reqwest::Method;

use crate::common::Office;
use crate::console::{Browser, field};

/// The CSV an export answers, as its header and rows.
async fn csv_of(office: &Office, path: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let response = office
        .http
        .get(format!("{}{path}", office.url))
        .bearer_auth(&office.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"")
    );
    let body = response.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&body[..]);
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

#[tokio::test]
async fn a_periods_jobs_visits_and_kpis_export_as_csv_and_xlsx() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-1", Some("t1")).await;
    office.create_job("J-2", None).await;
    let mut device = office.enroll("t1").await;
    device.pull(&office).await;
    let start = 1_795_000_000_000;
    let doc = device.doc("J-1");
    doc.add_time(
        NewTimeEntry {
            kind: TimeKind::Labour,
            start,
            end: start + 95 * 60_000,
        },
        "t1",
    )
    .unwrap();
    doc.add_part(
        &NewPart {
            sku: "FAN-200".into(),
            description: "Condenser fan motor".into(),
            qty: 2,
            serial_in: None,
            serial_out: None,
            stock: None,
            unit_cost: None,
            unit_price: None,
        },
        "t1",
        start,
    )
    .unwrap();
    device.round(&office, &["J-1"]).await;

    let period = "from=2026-11-01&to=2026-11-30";
    let (header, rows) = csv_of(&office, &format!("/api/v1/export/jobs?{period}")).await;
    assert_eq!(rows.len(), 2);
    let one = rows
        .iter()
        .find(|r| r[column(&header, "id")] == "J-1")
        .unwrap();
    assert_eq!(one[column(&header, "technician")], "t1");
    assert_eq!(one[column(&header, "customer")], "Harbour Clinic");
    assert_eq!(one[column(&header, "asset_serial")], "CH-2291-A");
    assert_eq!(one[column(&header, "priority")], "high");

    let (header, rows) = csv_of(
        &office,
        &format!("/api/v1/export/visits?{period}&format=csv"),
    )
    .await;
    let one = rows
        .iter()
        .find(|r| r[column(&header, "job")] == "J-1")
        .unwrap();
    assert_eq!(one[column(&header, "labour_minutes")], "95");
    assert_eq!(one[column(&header, "parts")], "FAN-200 x2");

    let (header, rows) = csv_of(&office, &format!("/api/v1/export/kpis?{period}")).await;
    assert_eq!(header, ["kpi", "value", "count", "of"]);
    let jobs = rows.iter().find(|r| r[0] == "jobs").unwrap();
    assert_eq!(jobs[1], "2");
    assert!(rows.iter().any(|r| r[0] == "parts_accuracy_percent"));

    // Outside the period: a header and nothing else.
    let (_, rows) = csv_of(&office, "/api/v1/export/jobs?from=2025-01-01&to=2025-01-31").await;
    assert!(rows.is_empty());

    let xlsx = office
        .http
        .get(format!(
            "{}/api/v1/export/jobs?{period}&format=xlsx",
            office.url
        ))
        .bearer_auth(&office.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        xlsx.bytes().await.unwrap().starts_with(b"PK\x03\x04"),
        "a zip"
    );

    for bad in [
        format!("/api/v1/export/jobs?{period}&format=pdf"),
        "/api/v1/export/jobs?from=2026-11-30&to=2026-11-01".to_string(),
        "/api/v1/export/jobs?from=yesterday&to=2026-11-01".to_string(),
    ] {
        let (status, _) = office
            .call(Method::GET, &bad, None, Some(&office.token))
            .await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, _) = office
        .call(
            Method::GET,
            &format!("/api/v1/export/jobs?{period}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, 401);
}

async fn jobs_stored(office: &Office) -> usize {
    let (_, jobs) = office
        .call(Method::GET, "/api/v1/jobs", None, Some(&office.token))
        .await;
    jobs.as_array().unwrap().len()
}

#[tokio::test]
async fn a_csv_import_is_previewed_row_by_row_and_stores_all_rows_or_none() {
    let office = Office::start().await;
    office.technician("t1").await;
    fieldwork_server::add_user(office.place.clone(), "mei", "correct horse battery").unwrap();
    let mut browser = Browser::new(&office);
    browser.log_in("mei", "correct horse battery").await;
    let (status, page) = browser.get("/jobs/import").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = field(&page, "csrf");
    let header = "id,customer,phone,address,region,time_zone,problem,priority,technician";
    let good = "ERP-1,Harbour Clinic,+86 21 5555 0100,88 Quay Road,city,Asia/Shanghai,Chiller trips,high,t1";
    let bad =
        "ERP-2,Bund Hotel,+86 21 6666 0200,1 Bund,city,Asia/Shanghai,Lift noise,normal,nobody";
    let file = format!("{header}\n{good}\n{bad}\n");

    // The preview checks every row and stores nothing.
    let (status, page, _) = browser
        .post_form(
            "/jobs/import",
            &[("csrf", &csrf), ("csv", &file), ("action", "preview")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let line = |page: &str, n: usize| {
        page.split(&format!("data-line=\"{n}\""))
            .nth(1)
            .unwrap_or_else(|| panic!("no line {n}: {page}"))
            .split("</tr>")
            .next()
            .unwrap()
            .to_string()
    };
    assert!(line(&page, 2).contains("import-ok"), "{page}");
    assert!(line(&page, 3).contains("import-error"), "{page}");
    assert!(line(&page, 3).contains("no technician nobody"), "{page}");
    assert_eq!(jobs_stored(&office).await, 0);

    // Importing it stores nothing either: all rows or none.
    let (_, page, _) = browser
        .post_form(
            "/jobs/import",
            &[("csrf", &csrf), ("csv", &file), ("action", "import")],
        )
        .await;
    assert!(
        page.contains("1 rows cannot be imported; nothing was stored."),
        "{page}"
    );
    assert_eq!(jobs_stored(&office).await, 0);

    // The file fixed: imported; again: nothing twice.
    let fixed = file.replace("nobody", "t1");
    let (_, page, _) = browser
        .post_form(
            "/jobs/import",
            &[("csrf", &csrf), ("csv", &fixed), ("action", "import")],
        )
        .await;
    assert!(page.contains("2 jobs imported."), "{page}");
    assert_eq!(jobs_stored(&office).await, 2);
    assert_eq!(office.job("ERP-2").await["technician"], "t1");
    let (_, page, _) = browser
        .post_form(
            "/jobs/import",
            &[("csrf", &csrf), ("csv", &fixed), ("action", "import")],
        )
        .await;
    assert!(page.contains("0 jobs imported."), "{page}");
    assert!(line(&page, 2).contains("Exists; skipped"), "{page}");
    assert_eq!(jobs_stored(&office).await, 2);

    // A file that is not the import's shape is said so.
    let (_, page, _) = browser
        .post_form(
            "/jobs/import",
            &[
                ("csrf", &csrf),
                ("csv", "id,colour\nJ-9,red\n"),
                ("action", "preview"),
            ],
        )
        .await;
    assert!(page.contains("unknown column"), "{page}");
    let (status, _, _) = browser
        .post_form(
            "/jobs/import",
            &[("csrf", "forged"), ("csv", &fixed), ("action", "import")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
