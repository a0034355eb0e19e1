//! Demo data for `fieldwork-server serve --demo`: three technicians, the service contract shown
//! in the README (`contract.json`), the assets it covers, and a dozen realistic jobs across
//! priorities, statuses and region classes, so the product can be tried at once. One completed
//! job carries a signed completion report and one a refusal, sealed by demo phones.

mod stock;

use fieldwork_model::{
    Asset, Customer, DISPATCH_ACTOR, JobDocument, NewJob, NewPart, NewTimeEntry, Priority,
    RegionClass, Site, Status, TimeKind,
};

use crate::Result;
use fieldwork_store::{AssetRecord, JobFilter, Storage, Technician};

/// The demo contract, also the README's example.
pub const DEMO_CONTRACT: &str = include_str!("contract.json");

/// What the demo seeding created (or found).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSeed {
    /// Demo technician ids.
    pub technicians: Vec<String>,
    /// Whether jobs were created now (false: the database already had jobs).
    pub created: bool,
}

const TECHNICIANS: [(&str, &str, &str); 3] = [
    ("anna", "Anna Li", "east"),
    ("bo", "Bo Chen", "east"),
    ("chen", "Chen Wei", "north"),
];

struct Demo {
    tech: Option<&'static str>,
    customer: &'static str,
    phone: &'static str,
    address: &'static str,
    region: RegionClass,
    serial: &'static str,
    model: &'static str,
    problem: &'static str,
    priority: Priority,
    channel: &'static str,
    hours_ago: i64,
    schedule_in_hours: Option<i64>,
}

// One row of the demo table; positional arguments keep the table below one line per job.
#[allow(clippy::too_many_arguments)]
const fn job(
    tech: Option<&'static str>,
    customer: &'static str,
    address: &'static str,
    region: RegionClass,
    model: &'static str,
    problem: &'static str,
    priority: Priority,
    hours_ago: i64,
    schedule_in_hours: Option<i64>,
) -> Demo {
    Demo {
        tech,
        customer,
        phone: "+86 21 5555 0100",
        address,
        region,
        serial: "",
        model,
        problem,
        priority,
        channel: "hotline",
        hours_ago,
        schedule_in_hours,
    }
}

fn demo_jobs() -> Vec<Demo> {
    use Priority::*;
    use RegionClass::*;
    let mut jobs = vec![
        job(
            Some("anna"),
            "Harbour Clinic",
            "88 Quay Road, Pudong, Shanghai",
            City,
            "Chiller 300RT",
            "Chiller trips on high discharge pressure every afternoon",
            Emergency,
            2,
            Some(1),
        ),
        job(
            Some("anna"),
            "Lakeside Data Centre",
            "3 Lake Road, Suzhou",
            Province,
            "UPS 80kVA",
            "UPS on bypass after mains dip; battery alarm",
            High,
            5,
            Some(3),
        ),
        job(
            Some("anna"),
            "Golden Lotus Hotel",
            "200 Nanjing West Road, Shanghai",
            City,
            "LED wall P2.5",
            "Two cabinets of the lobby LED wall show no image",
            Normal,
            20,
            Some(26),
        ),
        job(
            Some("anna"),
            "City Library",
            "1 Culture Square, Shanghai",
            City,
            "Book return sorter",
            "Quarterly inspection of the return sorter",
            Low,
            48,
            Some(50),
        ),
        job(
            Some("bo"),
            "Riverside School",
            "15 Riverside Ave, Hangzhou",
            Province,
            "Split AC 5HP",
            "Classroom AC blows warm air",
            High,
            3,
            Some(4),
        ),
        job(
            Some("bo"),
            "Pearl Tower Offices",
            "9 Century Ave, Shanghai",
            City,
            "Access control panel",
            "Badge readers on floor 12 reject valid badges",
            Normal,
            10,
            Some(20),
        ),
        job(
            Some("bo"),
            "Sunrise Bakery",
            "42 Fuxing Road, Shanghai",
            City,
            "Deck oven",
            "Oven does not reach 250 C",
            Normal,
            30,
            None,
        ),
        job(
            Some("chen"),
            "Mountain View Hospital",
            "7 Hill Road, Xining",
            Remote,
            "MRI chiller",
            "MRI chiller flow alarm; scans suspended",
            Emergency,
            1,
            Some(2),
        ),
        job(
            Some("chen"),
            "Northern Grid Substation",
            "Km 12, Ring Road, Harbin",
            Remote,
            "Server rack",
            "Monitoring server unreachable since last night",
            High,
            8,
            Some(12),
        ),
        job(
            Some("chen"),
            "Grand Theatre",
            "5 People's Square, Beijing",
            Province,
            "Stage lighting controller",
            "Controller reboots during shows",
            Normal,
            26,
            Some(40),
        ),
        job(
            None,
            "Garden Apartments",
            "66 Maple Street, Shanghai",
            City,
            "Lift control",
            "Lift stops between floors 3 and 4",
            High,
            1,
            None,
        ),
        job(
            None,
            "Blue Sky Kindergarten",
            "12 Park Lane, Shanghai",
            City,
            "Water purifier",
            "Purifier leaks under the sink",
            Low,
            4,
            None,
        ),
    ];
    for (i, j) in jobs.iter_mut().enumerate() {
        j.serial = SERIALS[i % SERIALS.len()];
        if i % 3 == 1 {
            j.channel = "email";
        }
        if i % 4 == 2 {
            j.phone = "+86 10 6666 0199";
        }
    }
    jobs
}

const SERIALS: [&str; 12] = [
    "CH-2291-A",
    "UPS-80-1177",
    "LED-P25-0042",
    "SRT-0091",
    "AC5-7781",
    "ACP-1200",
    "OVN-3310",
    "MRC-0007",
    "RK-4410",
    "SLC-0815",
    "LFT-0333",
    "WP-2020",
];

/// Seeds the demo technicians and, if the database has no jobs yet, the demo jobs.
pub fn seed_demo(place: impl Into<crate::Place>) -> Result<DemoSeed> {
    let storage = place.into().open()?;
    let storage = &*storage;
    for (id, name, region) in TECHNICIANS {
        if !storage.technician_exists(id)? {
            storage.add_technician(&Technician {
                id: id.into(),
                name: name.into(),
                region: region.into(),
            })?;
        }
    }
    let technicians = TECHNICIANS
        .iter()
        .map(|(id, _, _)| id.to_string())
        .collect();
    stock::seed(storage, chrono::Utc::now().timestamp_millis())?;
    let any = JobFilter {
        limit: 1,
        ..Default::default()
    };
    if !storage.list_jobs(&any)?.is_empty() {
        return Ok(DemoSeed {
            technicians,
            created: false,
        });
    }
    let contract: fieldwork_model::Contract = serde_json::from_str(DEMO_CONTRACT)
        .map_err(|e| crate::Error::Internal(format!("demo contract: {e}")))?;
    contract.validate()?;
    if storage.contract(&contract.id)?.is_none() {
        storage.add_contract(&contract)?;
    }
    let now = chrono::Utc::now().timestamp_millis();
    let hour = 3_600_000;
    let fmt = fieldwork_model::time::to_rfc3339;
    for (i, d) in demo_jobs().into_iter().enumerate() {
        let mut new = NewJob {
            id: Some(format!("J-{}", 1001 + i)),
            technician: d.tech.map(Into::into),
            customer: Customer {
                name: d.customer.into(),
                phone: d.phone.into(),
                email: None,
            },
            site: Site {
                address: d.address.into(),
                region: d.region,
                time_zone: "Asia/Shanghai".into(),
            },
            asset: Asset {
                serial: d.serial.into(),
                model: d.model.into(),
                ..Default::default()
            },
            problem: d.problem.into(),
            channel: Some(d.channel.into()),
            priority: d.priority,
            reported_at: fmt(now - d.hours_ago * hour),
            scheduled_start: d.schedule_in_hours.map(|h| fmt(now + h * hour)),
            scheduled_end: d.schedule_in_hours.map(|h| fmt(now + (h + 2) * hour)),
            contract: None,
            kind: None,
            checklist: Vec::new(),
        };
        // Assets accepted 3 to 36 months ago: some in warranty, some in the post-warranty
        // year, some after it.
        let accepted = chrono::DateTime::from_timestamp_millis(now)
            .unwrap_or_default()
            .date_naive()
            .checked_sub_months(chrono::Months::new(3 + 3 * i as u32))
            .unwrap_or_default();
        storage.add_asset(&AssetRecord {
            serial: d.serial.into(),
            model: d.model.into(),
            customer: d.customer.into(),
            installation_date: Some((accepted - chrono::Duration::days(14)).to_string()),
            acceptance_date: Some(accepted.to_string()),
            contract: Some(contract.id.clone()),
            site: Some(new.site.clone()),
        })?;
        let terms = crate::office::job_terms(storage, &mut new)?;
        let created_at = now - d.hours_ago * hour;
        let mut doc = JobDocument::create_with_terms(
            new.id.as_deref().unwrap_or_default(),
            &new,
            &terms,
            DISPATCH_ACTOR,
            created_at,
            storage.actor()?,
        )?;
        crate::office::name_assignee(storage, &mut doc)?;
        let last_step = progress(&mut doc, i, d.tech, created_at)?;
        if let (Some(t), Some(outcome)) = (d.tech, demo_outcome(i)) {
            let (device, key) = demo_device(storage, t, now)?;
            doc.seal_report(
                fieldwork_model::report::Language::ZhCn,
                &device,
                outcome,
                &key,
                t,
                last_step + 10 * 60_000,
            )?;
        }
        storage.create_job(&doc)?;
    }
    // A quarterly inspection plan on the first demo asset, with its next inspection due in
    // five days, so the demo shows a checklist job.
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .date_naive();
    let first_due = today + chrono::Duration::days(5);
    let plan: fieldwork_office::maintenance::MaintenancePlan =
        serde_json::from_value(serde_json::json!({
            "id": "DEMO-Q",
            "asset": SERIALS[0],
            "frequency": "quarterly",
            "first_due": first_due.to_string(),
            "name": "Quarterly inspection",
            "technician": TECHNICIANS[0].0,
            "checklist": [
                "Door seals intact",
                {"id": "temp", "label": "Cavity temperature at 250 C setpoint", "unit": "C"},
                "Safety cut-out trips"
            ]
        }))
        .map_err(|e| crate::Error::Internal(format!("demo plan: {e}")))?;
    plan.schedule()?;
    storage.add_plan("DEMO-Q", &plan)?;
    crate::office::generate_inspections(storage, first_due)?;
    Ok(DemoSeed {
        technicians,
        created: true,
    })
}

/// The customer's answer to the completion report on two demo jobs: one signed, one refused.
fn demo_outcome(index: usize) -> Option<fieldwork_model::report::Outcome> {
    use fieldwork_model::report::{Outcome, Strokes};
    match index {
        6 => Some(Outcome::Signed {
            name: "王芳".into(),
            role: Some("店长 Store manager".into()),
            strokes: Strokes::parse(DEMO_STROKES).ok()?,
        }),
        2 => Some(Outcome::Refused {
            reason: "客户对工时有异议，需总部确认 (disputes the labour hours)".into(),
            name: Some("Mr. Zhou".into()),
        }),
        _ => None,
    }
}

/// A signature as a phone captures it: two strokes on a 600x200 canvas.
const DEMO_STROKES: &str = r#"{"canvas":{"width":600,"height":200},"strokes":[
  [[40,150,0,300],[70,60,16,420],[100,140,33,500],[140,50,50,520],[180,150,66,480],[220,90,83,400]],
  [[260,120,400,350],[300,80,420,420],[360,110,440,460],[430,70,460,500],[520,100,480,380]]]}"#;

/// A demo phone for technician `t`, enrolled with a fresh key pair (whose private half is used
/// for the demo seals only and then forgotten). Returns its id and key.
fn demo_device(storage: &dyn Storage, t: &str, now: i64) -> Result<(String, [u8; 32])> {
    let key: [u8; 32] = rand::random();
    let device = format!("D-demo-{t}");
    let code = crate::auth::hash_secret(&crate::auth::new_code());
    storage.add_enroll_code(&code, t, now + 60_000)?;
    let token = crate::auth::hash_secret(&crate::auth::new_token());
    let public_key = fieldwork_model::report::public_key_hex(&key);
    storage.redeem_enroll_code(&code, now, &device, "demo phone", &token, Some(&public_key))?;
    Ok((device, key))
}

/// Moves some demo jobs along, as their technicians would have, so the demo shows every status.
/// Returns the time of the last step.
fn progress(
    doc: &mut JobDocument,
    index: usize,
    tech: Option<&str>,
    created_at: i64,
) -> Result<i64> {
    use Status::*;
    const MINUTE: i64 = 60_000;
    let steps: &[Status] = match index {
        0 => &[Accepted, EnRoute, OnSite, InProgress],
        1 => &[Accepted],
        4 => &[Accepted, EnRoute],
        6 => &[Accepted, OnSite, InProgress, Completed],
        7 => &[Accepted, EnRoute, OnSite],
        8 => &[Accepted, OnSite, OnHold],
        _ => &[],
    };
    let mut at = created_at;
    if let Some(t) = tech {
        for status in steps {
            at += 20 * MINUTE;
            if *status == Completed {
                let start = at - 90 * MINUTE;
                doc.add_time(
                    NewTimeEntry {
                        kind: TimeKind::Labour,
                        start,
                        end: at - 5 * MINUTE,
                    },
                    t,
                )?;
                doc.add_part(
                    &NewPart {
                        sku: "HTR-2500".into(),
                        description: "Heating element 2.5 kW".into(),
                        qty: 2,
                        serial_in: Some("HE-88120".into()),
                        serial_out: Some("HE-41007".into()),
                        stock: Some("van".into()),
                        unit_cost: Some(42_000),
                        unit_price: Some(68_000),
                    },
                    t,
                    at - 30 * MINUTE,
                )?;
                doc.record_diagnosis(
                    fieldwork_model::Cause::QualityDefect,
                    "E-HTR-01",
                    Some("Replaced both heating elements"),
                    t,
                    at - 3 * MINUTE,
                )?;
                doc.add_note(
                    t,
                    at - 2 * MINUTE,
                    "Both elements replaced; oven holds 250 C",
                )?;
            }
            if *status == OnHold {
                doc.add_note(t, at, "Waiting for a replacement PSU from the warehouse")?;
            }
            doc.record_status(*status, t, at)?;
        }
    }
    if index == 11 {
        doc.cancel(
            "Customer fixed the leak themselves",
            DISPATCH_ACTOR,
            created_at + 30 * MINUTE,
        )?;
    }
    Ok(at)
}
