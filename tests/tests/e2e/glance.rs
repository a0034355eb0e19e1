//! What the phone's job list says about each job's SLA, and which statuses it offers, against
//! the office's answer for the same job at the same instant (issue 19): the demo's contracts
//! (working hours with holidays, round the clock, sites in several time zones), judged now and
//! at instants from half an hour to ten days on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_model::sla::{MilestoneState, glance_of};
use fieldwork_model::time::parse_rfc3339;
use fieldwork_model::{Status, status};
use fieldwork_tests::{Office, Phone, now_ms, sync_until_quiet};
use serde_json::Value;

/// The office's job JSON `sla`, read the way the phone's list reads its own clocks.
fn office_glance(sla: &Value) -> fieldwork_model::sla::Glance {
    let milestone = |name: &'static str, by: &str| {
        let state: MilestoneState = serde_json::from_value(sla[name]["state"].clone()).unwrap();
        let due = parse_rfc3339(by, sla[by].as_str().unwrap()).unwrap();
        (name, state, due)
    };
    glance_of(&[
        milestone("response", "respond_by"),
        milestone("arrival", "arrive_by"),
        milestone("resolution", "resolve_by"),
    ])
}

#[tokio::test]
async fn the_list_s_sla_state_is_the_office_s_at_every_instant() {
    let office = Office::start().await;
    // Off the test's runtime, which also runs the office (as `fieldwork-server demo` is its own
    // process).
    let place = office.place.clone();
    let seed = tokio::task::spawn_blocking(move || fieldwork_server::seed_demo(place))
        .await
        .unwrap()
        .unwrap();
    let mut phones = Vec::new();
    for technician in &seed.technicians {
        phones.push(Phone::enroll(&office, technician).await);
    }
    sync_until_quiet(&phones.iter().collect::<Vec<_>>()).await;

    let start = now_ms();
    let (mut compared, mut with_sla, mut states) = (0, 0, std::collections::BTreeSet::new());
    for after_min in [0, 30, 120, 24 * 60, 3 * 24 * 60, 10 * 24 * 60] {
        let at = start + after_min * 60_000;
        for phone in &phones {
            for job in phone.device.jobs_at(at).unwrap() {
                let sla = office.job_at(&job.id, at).await["sla"].clone();
                compared += 1;
                if sla.is_null() {
                    assert_eq!(job.sla_state, None, "{} at +{after_min} min", job.id);
                    assert_eq!(job.sla_minutes_left, None);
                    continue;
                }
                with_sla += 1;
                let office = office_glance(&sla);
                let context = format!("{} at +{after_min} min: office {office:?}", job.id);
                assert_eq!(job.sla_state, Some(office.state), "{context}");
                assert_eq!(
                    job.sla_milestone.as_deref(),
                    office.open.map(|(m, _)| m),
                    "{context}"
                );
                assert_eq!(job.sla_due, office.open.map(|(_, due)| due), "{context}");
                assert_eq!(job.sla_minutes_left, office.minutes_left(at), "{context}");
                states.insert(format!("{:?}", office.state));
            }
        }
    }
    assert!(
        with_sla > 0 && compared > with_sla,
        "{with_sla} of {compared}"
    );
    // The instants reach states the clock moves jobs through, not only one of them.
    assert!(states.len() >= 2, "only {states:?}");
}

#[tokio::test]
async fn every_offered_status_is_accepted_on_the_phone_and_by_the_office() {
    let office = Office::start().await;
    office.technician("t1").await;
    office.create_job("J-OFFER", Some("t1")).await;
    let phone = Phone::enroll(&office, "t1").await;
    sync_until_quiet(&[&phone]).await;

    let offered = |phone: &Phone| {
        phone
            .device
            .offered_statuses("J-OFFER")
            .unwrap()
            .into_iter()
            .collect::<Vec<Status>>()
    };
    assert_eq!(offered(&phone), status::offered(Status::Assigned));
    // Walk the visit, taking each offered step in turn (a hold and the resumption included),
    // and let the office judge every one.
    let mut walked = Vec::new();
    let mut at = now_ms();
    loop {
        let choices = offered(&phone);
        // A step not taken yet, else the last one offered (from a hold: back to work).
        let Some(&next) = choices
            .iter()
            .find(|s| !walked.contains(*s))
            .or(choices.last())
        else {
            break;
        };
        at += 60_000;
        phone.device.set_status("J-OFFER", next, at).unwrap();
        sync_until_quiet(&[&phone]).await;
        let on_phone = phone.device.jobs().unwrap();
        assert_eq!(on_phone[0].sync_error, None, "the office refused {next}");
        assert_eq!(office.job("J-OFFER").await["status"], next.as_str());
        assert!(!offered(&phone).contains(&next), "{next} offered again");
        walked.push(next);
    }
    assert_eq!(walked.last(), Some(&Status::Completed));
    assert!(walked.contains(&Status::OnHold), "{walked:?}");
    assert!(offered(&phone).is_empty());

    // The walk's timeline proposes its travel and its two spells of work (the hold between).
    let proposed = phone.device.proposed_times("J-OFFER").unwrap();
    let kinds: Vec<&str> = proposed.iter().map(|t| t.kind.as_str()).collect();
    assert_eq!(kinds, ["travel", "labour", "labour"], "{proposed:?}");
    assert!(proposed.iter().all(|t| t.end - t.start == 60_000));
    // Confirmed, a proposal is an ordinary time entry the office receives, and is not offered
    // again.
    phone.device.add_time("J-OFFER", proposed[0]).unwrap();
    sync_until_quiet(&[&phone]).await;
    assert_eq!(
        phone.device.proposed_times("J-OFFER").unwrap(),
        proposed[1..]
    );
    let time = office.job("J-OFFER").await["time"].clone();
    assert_eq!(time.as_array().map(Vec::len), Some(1), "{time}");
}
