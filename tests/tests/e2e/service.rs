//! The office side of service contracts against the real server and a real device core:
//! contract and asset registration (and their bad input), follow-ups, complaints and their
//! escalation, loaners for dispatch and on the phone, maintenance plans generating inspection
//! jobs whose checklists are filled in offline, asset history, and the KPIs over all of it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_model::time::parse_rfc3339;
use fieldwork_model::{Status, TimeKind};
use fieldwork_tests::{Office, Phone, sync_until_quiet};
use reqwest::Method;
use serde_json::{Value, json};

fn ms(s: &str) -> i64 {
    parse_rfc3339("time", s).unwrap()
}

fn contract() -> Value {
    serde_json::from_str(fieldwork_server::demo::DEMO_CONTRACT).unwrap()
}

fn site() -> Value {
    json!({"address": "1 Century Avenue", "region": "city", "time_zone": "Asia/Shanghai"})
}

async fn setup() -> (Office, Phone) {
    let office = Office::start().await;
    office.technician("tess").await;
    office.post("/api/v1/contracts", contract()).await;
    office
        .post(
            "/api/v1/assets",
            json!({"serial": "CH-1", "model": "Chiller 300RT", "customer": "Harbour Clinic",
                   "installation_date": "2025-11-01", "acceptance_date": "2025-11-20",
                   "contract": "GOLD-2026", "site": site()}),
        )
        .await;
    let phone = Phone::enroll(&office, "tess").await;
    (office, phone)
}

async fn repair(office: &Office, id: &str) -> Value {
    office
        .post(
            "/api/v1/jobs",
            json!({"id": id, "technician": "tess", "customer": {"name": "Harbour Clinic"},
                   "site": site(), "asset": {"serial": "CH-1"},
                   "problem": "Compressor trips", "reported_at": "2026-11-23T09:00:00+08:00"}),
        )
        .await
}

async fn status_of(
    office: &Office,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    office.call(method, path, body, Some(&office.token)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_contracts_and_assets_are_refused_with_the_field_named_and_nothing_stored() {
    let (office, _phone) = setup().await;
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut c = contract();
                c["id"] = json!("X1");
                c["currency"] = json!("yuan");
                c
            },
            "currency",
        ),
        (
            {
                let mut c = contract();
                c["id"] = json!("X2");
                c["sla"]["calendar"]["hours"]["mon"] = json!(["17:30", "08:30"]);
                c
            },
            "calendar.hours.mon",
        ),
        (
            {
                let mut c = contract();
                c["id"] = json!("X3");
                c["sla"]["calendar"]["holidays"] = json!(["2026-02-30"]);
                c
            },
            "calendar.holidays",
        ),
        (
            {
                let mut c = contract();
                c["id"] = json!("X4");
                c["sla"]["calendar"] = json!({"kind": "working_hours", "hours": {}});
                c
            },
            "at least one weekday",
        ),
        (
            {
                let mut c = contract();
                c["id"] = json!("X5");
                c["billing"]["after"]["parts"] = json!("gratis");
                c
            },
            "gratis",
        ),
        (
            {
                let mut c = contract();
                c["id"] = json!("X6");
                c["surprise"] = json!(1);
                c
            },
            "surprise",
        ),
        (
            {
                let mut c = contract();
                c["id"] = json!("X7");
                c["billing"]["post_warranty"][0]["months"] = json!(0);
                c
            },
            "post_warranty",
        ),
    ];
    for (body, needle) in cases {
        let id = body["id"].as_str().unwrap().to_string();
        let (status, err) = status_of(&office, Method::POST, "/api/v1/contracts", Some(body)).await;
        assert_eq!(status, 400, "{needle}: {err}");
        let message = err["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{needle}: {message}");
        let (status, _) = status_of(
            &office,
            Method::GET,
            &format!("/api/v1/contracts/{id}"),
            None,
        )
        .await;
        assert_eq!(status, 404, "{id} must not be stored");
    }
    let (status, _) = status_of(&office, Method::POST, "/api/v1/contracts", Some(contract())).await;
    assert_eq!(status, 409);

    let (status, err) = status_of(
        &office,
        Method::POST,
        "/api/v1/assets",
        Some(json!({"serial": "CH-2", "contract": "NOPE"})),
    )
    .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (400, Some("unknown_contract"))
    );
    let (status, _) = status_of(
        &office,
        Method::POST,
        "/api/v1/assets",
        Some(json!({"serial": "CH-3", "acceptance_date": "20-11-2025"})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = status_of(&office, Method::GET, "/api/v1/assets/CH-3", None).await;
    assert_eq!(status, 404);

    let mut job = json!({"id": "J-BAD", "customer": {"name": "C"}, "site": site(),
        "problem": "p", "reported_at": "2026-11-23T09:00:00+08:00", "contract": "NOPE"});
    let (status, _) = status_of(&office, Method::POST, "/api/v1/jobs", Some(job.clone())).await;
    assert_eq!(status, 400);
    job["contract"] = json!("GOLD-2026");
    job["site"]["time_zone"] = json!("Mars/Olympus");
    let (status, err) = status_of(&office, Method::POST, "/api/v1/jobs", Some(job)).await;
    assert_eq!(status, 400, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Mars/Olympus")
    );
    let (status, _) = status_of(&office, Method::GET, "/api/v1/jobs/J-BAD", None).await;
    assert_eq!(status, 404);
    // The server keeps serving.
    assert_eq!(
        office.get("/api/v1/contracts/GOLD-2026").await["id"],
        "GOLD-2026"
    );
}

/// Three repairs on one asset with known outcomes, then every dispatch view of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followups_complaints_loaners_history_and_kpis_follow_the_field_work() {
    let (office, phone) = setup().await;
    for id in ["J-1", "J-2", "J-3"] {
        let job = repair(&office, id).await;
        assert_eq!(job["contract"], "GOLD-2026");
        assert_eq!(job["asset"]["acceptance_date"], "2025-11-20");
    }
    sync_until_quiet(&[&phone]).await;
    let d = &phone.device;
    use Status::*;
    for (job, status, at) in [
        ("J-1", Accepted, "2026-11-23T09:10:00+08:00"),
        ("J-1", OnSite, "2026-11-23T10:00:00+08:00"),
        ("J-1", Completed, "2026-11-23T12:00:00+08:00"),
        ("J-2", Accepted, "2026-11-23T09:45:00+08:00"),
        ("J-2", OnSite, "2026-11-23T12:00:00+08:00"),
        ("J-2", OnHold, "2026-11-23T12:30:00+08:00"),
        ("J-2", OnSite, "2026-11-23T14:00:00+08:00"),
        ("J-2", Completed, "2026-11-24T16:00:00+08:00"),
        ("J-3", Accepted, "2026-11-23T09:20:00+08:00"),
    ] {
        d.set_status(job, status, ms(at)).unwrap();
    }
    d.issue_loaner(
        "J-3",
        "LN-1",
        "Chiller 50RT",
        ms("2026-11-23T14:00:00+08:00"),
    )
    .unwrap();
    let err = d
        .issue_loaner(
            "J-3",
            "LN-1",
            "Chiller 50RT",
            ms("2026-11-23T14:05:00+08:00"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("already out"), "{err}");
    let loans = d.open_loans().unwrap();
    assert_eq!(loans.len(), 1);
    assert_eq!(
        (loans[0].job.as_str(), loans[0].serial.as_str()),
        ("J-3", "LN-1")
    );
    d.add_time(
        "J-1",
        fieldwork_model::NewTimeEntry {
            kind: TimeKind::Labour,
            start: ms("2026-11-23T10:00:00+08:00"),
            end: ms("2026-11-23T11:30:00+08:00"),
        },
    )
    .unwrap();
    sync_until_quiet(&[&phone]).await;

    // Loaners for dispatch.
    let open = office
        .get("/api/v1/loaners?open=true&technician=tess")
        .await;
    assert_eq!(open.as_array().unwrap().len(), 1);
    assert_eq!(open[0]["serial"], "LN-1");
    assert_eq!(open[0]["job"], "J-3");

    // Follow-ups: created by completion, due 48 h after it (device time).
    let due = office.get("/api/v1/followups?open=true").await;
    let jobs: Vec<&str> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["job"].as_str().unwrap())
        .collect();
    assert_eq!(jobs, ["J-1", "J-2"]);
    assert_eq!(due[1]["due_by"], "2026-11-26T08:00:00Z");
    let f = office
        .post(
            "/api/v1/jobs/J-1/followup",
            json!({"satisfaction": "satisfied", "score": 5, "comment": "quick"}),
        )
        .await;
    assert_eq!(f["score"], 5);
    let due = office.get("/api/v1/followups?open=true").await;
    assert_eq!(due.as_array().unwrap().len(), 1);
    for (body, code) in [
        (json!({"satisfaction": "happy", "score": 5}), 400),
        (json!({"satisfaction": "neutral", "score": 9}), 400),
    ] {
        let (status, _) = status_of(
            &office,
            Method::POST,
            "/api/v1/jobs/J-2/followup",
            Some(body),
        )
        .await;
        assert_eq!(status, code);
    }
    let (status, _) = status_of(
        &office,
        Method::POST,
        "/api/v1/jobs/J-3/followup",
        Some(json!({"satisfaction": "neutral", "score": 3})),
    )
    .await;
    assert_eq!(status, 409, "J-3 is not completed");

    // Complaints: due in 2 working days, escalated engineer -> senior engineer -> manager.
    let c = office
        .post(
            "/api/v1/jobs/J-2/complaints",
            json!({"text": "Took two visits"}),
        )
        .await;
    assert_eq!(c["level"], "engineer");
    let (received, due_by) = (
        ms(c["received_at"].as_str().unwrap()),
        ms(c["due_by"].as_str().unwrap()),
    );
    assert!(due_by - received >= 24 * 3_600_000, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    let c = office
        .post(&format!("/api/v1/complaints/{id}/escalate"), json!({}))
        .await;
    assert_eq!(c["level"], "senior_engineer");
    let c = office
        .post(&format!("/api/v1/complaints/{id}/escalate"), json!({}))
        .await;
    assert_eq!(c["level"], "manager");
    let (status, _) = status_of(
        &office,
        Method::POST,
        &format!("/api/v1/complaints/{id}/escalate"),
        None,
    )
    .await;
    assert_eq!(status, 409);
    let c = office
        .post(
            &format!("/api/v1/complaints/{id}/answer"),
            json!({"text": "Part was back-ordered; we have stocked it."}),
        )
        .await;
    assert_eq!(c["answered_in_time"], true);
    let (status, _) = status_of(
        &office,
        Method::POST,
        &format!("/api/v1/complaints/{id}/answer"),
        Some(json!({"text": "again"})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = status_of(
        &office,
        Method::POST,
        "/api/v1/jobs/NOPE/complaints",
        Some(json!({"text": "x"})),
    )
    .await;
    assert_eq!(status, 404);

    // Asset history on the server, oldest first.
    let h = office.get("/api/v1/assets/CH-1/history").await;
    let statuses: Vec<&str> = h["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["completed", "completed", "accepted"]);
    assert_eq!(h["asset"]["contract"], "GOLD-2026");
    // A new job on the asset carries that history to the phone.
    repair(&office, "J-4").await;
    sync_until_quiet(&[&phone]).await;
    let j4 = phone.job("J-4");
    assert_eq!(j4["asset_history"].as_array().unwrap().len(), 3);
    assert_eq!(j4["asset_history"][0]["job"], "J-1");
    // The phone's job list shows each open job's most urgent milestone without loading it.
    let list: Vec<(String, Option<String>, Option<i64>)> = phone
        .device
        .jobs()
        .unwrap()
        .into_iter()
        .map(|j| (j.id, j.sla_milestone, j.sla_due))
        .collect();
    let due = |id: &str| {
        list.iter()
            .find(|j| j.0 == id)
            .map(|j| (j.1.clone(), j.2))
            .unwrap()
    };
    assert_eq!(due("J-1"), (None, None), "completed, every milestone met");
    assert_eq!(
        due("J-3"),
        (
            Some("arrival".into()),
            Some(ms("2026-11-23T11:00:00+08:00"))
        )
    );
    assert_eq!(
        due("J-4"),
        (
            Some("response".into()),
            Some(ms("2026-11-23T09:30:00+08:00"))
        )
    );

    // Dispatch adds a priced part (from the warehouse); the phone prices it identically.
    let j = office
        .post(
            "/api/v1/jobs/J-3/parts",
            json!({"sku": "FILTER", "qty": 2, "unit_cost": 500,
            "unit_price": 800, "stock": "warehouse"}),
        )
        .await;
    assert_eq!(j["parts"][0]["unit_price"], 800);
    for bad in [
        json!({"sku": "F", "qty": 0}),
        json!({"sku": "F", "qty": 1, "unit_cost": -1}),
    ] {
        let (status, _) =
            status_of(&office, Method::POST, "/api/v1/jobs/J-3/parts", Some(bad)).await;
        assert_eq!(status, 400);
    }
    sync_until_quiet(&[&phone]).await;
    let at = ms("2026-11-23T15:00:00+08:00");
    let on_phone = phone.job_at("J-3", at);
    assert_eq!(on_phone["charges"]["lines"][0]["sku"], "FILTER");
    assert_eq!(on_phone, office.job_at("J-3", at).await);

    // Escalations: on Monday at 10:50, J-3 (accepted, nobody on site) is at risk of
    // missing arrival at 11:00; J-4 was never accepted, its response breached at 09:30.
    let esc = office
        .get("/api/v1/escalations?at=2026-11-23T02:50:00Z")
        .await;
    let got: Vec<(&str, &str, &str)> = esc
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["job"].as_str().unwrap(),
                e["milestone"].as_str().unwrap(),
                e["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("J-4", "response", "breached"),
            ("J-3", "arrival", "at_risk"),
            ("J-4", "arrival", "at_risk")
        ]
    );

    // KPIs over Monday's jobs, judged on the 30th: see kpi.rs for the definitions.
    let k = office
        .get("/api/v1/kpis?from=2026-11-23&to=2026-11-23&at=2026-11-30T00:00:00Z")
        .await;
    assert_eq!(k["jobs"], 4);
    assert_eq!(k["completed"], 2);
    // J-1 met, J-2 late, J-3 met, J-4 never accepted (breached by the 30th).
    assert_eq!(
        k["response_within_sla"],
        json!({"count": 2, "of": 4, "percent": 50.0})
    );
    assert_eq!(
        k["arrival_within_sla"],
        json!({"count": 1, "of": 4, "percent": 25.0})
    );
    assert_eq!(
        k["resolution_within_sla"],
        json!({"count": 1, "of": 4, "percent": 25.0})
    );
    assert_eq!(
        k["first_time_fix_rate"],
        json!({"count": 1, "of": 2, "percent": 50.0})
    );
    // (180 + 1860) / 2 minutes from report to completion.
    assert_eq!(k["mean_time_to_repair_minutes"], 1020.0);
    assert_eq!(k["loaners_issued"], 1);
    assert_eq!(
        k["callback_rate"],
        json!({"count": 1, "of": 2, "percent": 50.0})
    );
    assert_eq!(
        k["satisfaction_rate"],
        json!({"count": 1, "of": 1, "percent": 100.0})
    );
    assert_eq!(
        k["complaints_answered_in_time"],
        json!({"count": 1, "of": 1, "percent": 100.0})
    );
    let (status, _) = status_of(
        &office,
        Method::GET,
        "/api/v1/kpis?from=2026-11-24&to=2026-11-23",
        None,
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = status_of(
        &office,
        Method::GET,
        "/api/v1/kpis?from=yesterday&to=2026-11-23",
        None,
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maintenance_plan_generates_inspections_whose_checklists_are_filled_in_offline() {
    let (mut office, phone) = setup().await;
    let plan = office
        .post(
            "/api/v1/maintenance-plans",
            json!({"id": "CH1-Q", "asset": "CH-1", "frequency": "quarterly",
                   "first_due": "2026-12-01", "technician": "tess",
                   "name": "Quarterly chiller inspection",
                   "checklist": ["Refrigerant pressure within limits",
                                 {"id": "supply", "label": "Supply water temperature", "unit": "C"}]}),
        )
        .await;
    assert_eq!(plan["due_dates"][0], "2026-12-01");
    assert_eq!(plan["due_dates"][1], "2027-03-01");
    for (body, needle) in [
        (
            json!({"asset": "NOPE", "every_months": 1, "first_due": "2026-12-01", "checklist": ["x"]}),
            "no asset",
        ),
        (
            json!({"asset": "CH-1", "every_months": 1, "first_due": "2026-12-01", "checklist": []}),
            "checklist",
        ),
        (
            json!({"asset": "CH-1", "every_months": 1, "first_due": "2026-12-01", "checklist": ["x"], "technician": "ghost"}),
            "ghost",
        ),
        // A signed six-digit year used to pass and panic in the calendar arithmetic after the
        // plan was stored: now a 400 naming the field, and nothing stored (checked below).
        (
            json!({"id": "HUGE", "asset": "CH-1", "every_months": 1, "first_due": "+262142-06-01", "checklist": ["x"]}),
            "first_due",
        ),
        (
            json!({"id": "HUGE", "asset": "CH-1", "every_months": 1, "first_due": "2026-12-01", "until": "9999-12-31", "checklist": ["x"]}),
            "until",
        ),
    ] {
        let (status, err) = status_of(
            &office,
            Method::POST,
            "/api/v1/maintenance-plans",
            Some(body),
        )
        .await;
        assert_eq!(status, 400, "{err}");
        assert!(
            err["error"]["message"].as_str().unwrap().contains(needle),
            "{err}"
        );
    }

    let plans = office.get("/api/v1/maintenance-plans").await;
    assert!(!plans.to_string().contains("HUGE"), "{plans}");
    let (status, err) = status_of(
        &office,
        Method::GET,
        "/api/v1/kpis?from=%2B262142-01-01&to=2026-12-31",
        None,
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert!(
        err["error"]["message"].as_str().unwrap().contains("from"),
        "{err}"
    );

    let run = office
        .post(
            "/api/v1/maintenance-plans/run",
            json!({"through": "2027-06-30"}),
        )
        .await;
    assert_eq!(
        run["created"],
        json!([
            "PM-CH1-Q-20261201",
            "PM-CH1-Q-20270301",
            "PM-CH1-Q-20270601"
        ])
    );
    let again = office
        .post(
            "/api/v1/maintenance-plans/run",
            json!({"through": "2027-06-30"}),
        )
        .await;
    assert_eq!(again["created"], json!([]));

    sync_until_quiet(&[&phone]).await;
    office.stop().await; // the visit happens offline
    let job = "PM-CH1-Q-20261201";
    let d = &phone.device;
    let at = ms("2026-12-01T10:00:00+08:00");
    d.set_status(job, Status::OnSite, at).unwrap();
    d.record_check(job, "1", "pass", None, at + 60_000).unwrap();
    d.record_check(job, "supply", "7.5", Some("after 10 min run"), at + 120_000)
        .unwrap();
    for (item, result, needle) in [
        ("supply", "warm", "pass, fail or a measured number"),
        ("nope", "pass", "no checklist item"),
    ] {
        let err = d.record_check(job, item, result, None, at).unwrap_err();
        assert!(err.to_string().contains(needle), "{err}");
    }
    let offline = phone.job_at(job, at + 180_000);
    assert_eq!(offline["kind"], "inspection");
    assert_eq!(offline["sla"], Value::Null);
    assert_eq!(offline["checklist"][0]["result"], "pass");
    assert_eq!(offline["checklist"][1]["result"], "7.5");
    assert_eq!(offline["checklist"][1]["unit"], "C");

    office.restart().await;
    sync_until_quiet(&[&phone]).await;
    assert_eq!(
        office.job_at(job, at + 180_000).await,
        phone.job_at(job, at + 180_000)
    );
    let history = office.get("/api/v1/assets/CH-1/history").await;
    assert_eq!(
        history["jobs"][0]["checklist"][1]["note"],
        "after 10 min run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_carries_the_newest_fifty_earlier_jobs_of_its_asset_oldest_first() {
    let (office, _phone) = setup().await;
    let mut last = Value::Null;
    for i in 0..52 {
        last = office
            .post(
                "/api/v1/jobs",
                json!({"id": format!("A-{i:02}"), "customer": {"name": "Harbour Clinic"},
                       "site": site(), "asset": {"serial": "CH-1"}, "problem": "Noise",
                       "reported_at": format!("2026-11-23T09:{i:02}:00+08:00")}),
            )
            .await;
    }
    let history: Vec<&str> = last["asset_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["job"].as_str().unwrap())
        .collect();
    assert_eq!(history.len(), 50);
    assert_eq!((history[0], history[49]), ("A-01", "A-50"));
    let full = office.get("/api/v1/assets/CH-1/history").await;
    assert_eq!(full["jobs"].as_array().unwrap().len(), 52);
}

#[tokio::test]
async fn a_repair_within_thirty_days_of_the_last_completed_one_on_the_asset_is_a_repeat() {
    let (office, phone) = setup().await;
    let on_asset = |id: &str, reported: &str| {
        json!({"id": id, "technician": "tess", "customer": {"name": "Harbour Clinic"},
               "site": site(), "asset": {"serial": "CH-1"},
               "problem": "Compressor trips", "reported_at": reported})
    };
    office
        .post("/api/v1/jobs", on_asset("R-1", "2026-11-01T09:00:00+08:00"))
        .await;
    sync_until_quiet(&[&phone]).await;
    use Status::*;
    for (status, at) in [
        (Accepted, "2026-11-01T09:10:00+08:00"),
        (OnSite, "2026-11-01T10:00:00+08:00"),
        (Completed, "2026-11-02T12:00:00+08:00"),
    ] {
        phone.device.set_status("R-1", status, ms(at)).unwrap();
    }
    sync_until_quiet(&[&phone]).await;
    // 18 days after R-1 was completed: the fix did not hold. 48 days after: a new fault.
    office
        .post("/api/v1/jobs", on_asset("R-2", "2026-11-20T09:00:00+08:00"))
        .await;
    office
        .post("/api/v1/jobs", on_asset("R-3", "2026-12-20T09:00:00+08:00"))
        .await;
    let k = office
        .get("/api/v1/kpis?from=2026-11-01&to=2026-12-31&at=2026-12-31T00:00:00Z")
        .await;
    assert_eq!(
        k["repeat_repair_rate"],
        json!({"count": 1, "of": 3, "percent": 33.3}),
        "{k}"
    );
    // The callback rate is its own figure: no follow-up was logged.
    assert_eq!(
        k["callback_rate"],
        json!({"count": 0, "of": 1, "percent": 0.0})
    );
}

#[tokio::test]
async fn a_call_that_does_not_reach_the_customer_leaves_the_follow_up_due() {
    let (office, phone) = setup().await;
    repair(&office, "J-CALL").await;
    sync_until_quiet(&[&phone]).await;
    use Status::*;
    for (status, at) in [
        (Accepted, "2026-11-23T09:10:00+08:00"),
        (OnSite, "2026-11-23T10:00:00+08:00"),
        (Completed, "2026-11-23T12:00:00+08:00"),
    ] {
        phone.device.set_status("J-CALL", status, ms(at)).unwrap();
    }
    sync_until_quiet(&[&phone]).await;
    let open = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["job"].as_str().unwrap().to_string())
            .collect()
    };

    let tried = office
        .post(
            "/api/v1/jobs/J-CALL/followup",
            json!({"reached": false, "comment": "voicemail"}),
        )
        .await;
    assert_eq!(
        (tried["reached"].clone(), tried["score"].clone()),
        (json!(false), json!(0))
    );
    assert_eq!(
        open(&office.get("/api/v1/followups?open=true").await),
        ["J-CALL"]
    );
    let k = office
        .get("/api/v1/kpis?from=2026-11-23&to=2026-11-23")
        .await;
    assert_eq!(
        k["callback_rate"]["count"], 0,
        "an attempt is no callback: {k}"
    );
    // Satisfaction makes no sense without the customer.
    let (status, _) = status_of(
        &office,
        Method::POST,
        "/api/v1/jobs/J-CALL/followup",
        Some(json!({"reached": false, "satisfaction": "satisfied", "score": 5})),
    )
    .await;
    assert_eq!(status, 400);

    office
        .post(
            "/api/v1/jobs/J-CALL/followup",
            json!({"satisfaction": "satisfied", "score": 5, "comment": "all good"}),
        )
        .await;
    assert!(open(&office.get("/api/v1/followups?open=true").await).is_empty());
    let k = office
        .get("/api/v1/kpis?from=2026-11-23&to=2026-11-23")
        .await;
    assert_eq!(k["callback_rate"]["count"], 1, "{k}");
    // A later unanswered call does not undo what the customer said.
    let (status, _) = status_of(
        &office,
        Method::POST,
        "/api/v1/jobs/J-CALL/followup",
        Some(json!({"reached": false})),
    )
    .await;
    assert_eq!(status, 409);
}
