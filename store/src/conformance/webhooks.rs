//! Webhooks' storage: a change records its events once, in its own transaction; a subscription
//! is owed only what was recorded after it; deliveries go out one at a time per job, oldest
//! first; a claimed delivery is not claimed again within its lease; failures pause.

use fieldwork_office::webhooks::{Fact, sla_breached};

use super::{AT, create, note};
use crate::{Attempt, Storage, Subscription};

fn subscription(id: &str, events: &[&str]) -> Subscription {
    Subscription {
        id: id.into(),
        url: "https://example.com/hook".into(),
        events: events.iter().map(|e| e.to_string()).collect(),
        secret: "s".into(),
        created_at: AT,
        paused_at: None,
        failures: 0,
        last_attempt_at: None,
        last_status: None,
        last_error: None,
    }
}

fn failed(at: i64, retry_at: i64, pause_after: u32) -> Attempt {
    Attempt::Failed {
        at,
        status: Some(500),
        error: "500 Internal Server Error".into(),
        retry_at,
        pause_after,
    }
}

pub fn webhook_events_are_recorded_once_and_delivered_in_order_per_job(s: &dyn Storage) {
    // Before any subscription: recorded, owed to nobody.
    create(s, "J-OLD", "t1");
    s.add_subscription(&subscription(
        "h1",
        &["job.created", "job.status_changed", "sla.breached"],
    ))
    .unwrap();
    assert!(matches!(
        s.add_subscription(&subscription("h1", &["job.created"])),
        Err(crate::Error::Conflict(_))
    ));
    s.add_subscription(&subscription("h2", &["job.assigned"]))
        .unwrap();

    let now = AT + 1_000;
    create(s, "J-1", "t1");
    // Stored again by another change: its events are not recorded twice.
    s.update_job("J-1", &mut |d| note(d)).unwrap();
    s.update_job("J-1", &mut |d| {
        d.record_status(fieldwork_model::Status::Accepted, "t1", AT + 10)?;
        Ok(())
    })
    .unwrap();
    create(s, "J-2", "t1");
    assert_eq!(
        s.record_facts(&[sla_breached("J-1", "response", AT)], now)
            .unwrap(),
        1
    );
    assert_eq!(
        s.record_facts(&[sla_breached("J-1", "response", AT)], now)
            .unwrap(),
        0
    );
    assert_eq!(s.fact_keys("J-1:sla:").unwrap(), ["J-1:sla:response"]);

    let added = s.fan_out(now).unwrap();
    // h1: J-1 created + accepted + breached, J-2 created; h2: J-1 and J-2 assigned.
    assert_eq!(added, 6);
    assert_eq!(
        s.fan_out(now).unwrap(),
        0,
        "a second fan-out owes nothing new"
    );
    assert_eq!(s.undelivered().unwrap(), 6);

    // One delivery per (subscription, job) at a time, oldest first.
    let claimed = s.claim_deliveries(now, 60_000, 100).unwrap();
    let mut heads: Vec<(String, String, String)> = claimed
        .iter()
        .map(|d| (d.subscription.clone(), d.order.clone(), d.event.clone()))
        .collect();
    heads.sort();
    assert_eq!(
        heads,
        [
            ("h1".into(), "J-1".into(), "job.created".into()),
            ("h1".into(), "J-2".into(), "job.created".into()),
            ("h2".into(), "J-1".into(), "job.assigned".into()),
            ("h2".into(), "J-2".into(), "job.assigned".into()),
        ]
    );
    assert!(!claimed.iter().any(|d| d.order == "J-OLD"));
    // Within the lease nobody else takes them (nor the next of the same job).
    assert!(s.claim_deliveries(now + 1, 60_000, 100).unwrap().is_empty());

    // J-1's first fails: it stays first; J-2's is delivered.
    let first = |job: &str, sub: &str| {
        claimed
            .iter()
            .find(|d| d.order == job && d.subscription == sub)
            .unwrap()
            .clone()
    };
    s.record_delivery(&first("J-1", "h1").id, &failed(now + 2, now + 5_000, 12))
        .unwrap();
    s.record_delivery(
        &first("J-2", "h1").id,
        &Attempt::Delivered {
            at: now + 2,
            status: 204,
        },
    )
    .unwrap();
    assert!(s.claim_deliveries(now + 3, 60_000, 100).unwrap().is_empty());
    let retry = s.claim_deliveries(now + 5_000, 60_000, 100).unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(
        (retry[0].event.as_str(), retry[0].attempts),
        ("job.created", 1)
    );
    s.record_delivery(
        &retry[0].id,
        &Attempt::Delivered {
            at: now + 5_001,
            status: 200,
        },
    )
    .unwrap();
    let next = s.claim_deliveries(now + 5_002, 60_000, 100).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].event, "job.status_changed");

    let h1 = s
        .subscriptions()
        .unwrap()
        .into_iter()
        .find(|x| x.id == "h1")
        .unwrap();
    assert_eq!(
        (h1.failures, h1.last_status, h1.paused_at),
        (0, Some(200), None)
    );
    let mut rotated = h1.clone();
    rotated.secret = "rotated".into();
    rotated.events.push("report.signed".into());
    assert!(s.update_subscription(&rotated).unwrap());
    assert!(!s.update_subscription(&subscription("nobody", &[])).unwrap());
    let stored = s.subscriptions().unwrap();
    let h1 = stored.iter().find(|x| x.id == "h1").unwrap();
    assert_eq!((h1.secret.as_str(), h1.events.len()), ("rotated", 4));
    let listed = s.deliveries("h1", 10).unwrap();
    assert_eq!(listed.len(), 4);
    assert!(
        listed.windows(2).all(|w| w[0].seq > w[1].seq),
        "newest first"
    );
    assert!(s.delete_subscription("h2").unwrap());
    assert!(!s.delete_subscription("h2").unwrap());
    assert_eq!(s.undelivered().unwrap(), 2);
}

pub fn a_webhook_that_keeps_failing_is_paused_until_resumed(s: &dyn Storage) {
    s.add_subscription(&subscription("h", &["sla.breached"]))
        .unwrap();
    let facts: Vec<Fact> = (0..3)
        .map(|i| sla_breached(&format!("J-{i}"), "arrival", AT))
        .collect();
    s.record_facts(&facts, AT).unwrap();
    assert_eq!(s.fan_out(AT).unwrap(), 3);
    let mut now = AT;
    for _ in 0..3 {
        let claimed = s.claim_deliveries(now, 1_000, 1).unwrap();
        assert_eq!(claimed.len(), 1);
        s.record_delivery(&claimed[0].id, &failed(now, now, 3))
            .unwrap();
        now += 1;
    }
    let h = &s.subscriptions().unwrap()[0];
    assert_eq!((h.failures, h.paused_at.is_some()), (3, true));
    assert!(
        s.claim_deliveries(now, 1_000, 10).unwrap().is_empty(),
        "paused"
    );
    assert!(s.resume_subscription("h", now).unwrap());
    let h = &s.subscriptions().unwrap()[0];
    assert_eq!((h.failures, h.paused_at), (0, None));
    assert_eq!(s.claim_deliveries(now, 1_000, 10).unwrap().len(), 3);
    // One event refused again and again while others go through: paused all the same.
    s.add_subscription(&subscription("p", &["sla.breached"]))
        .unwrap();
    s.record_facts(
        &[
            sla_breached("J-P", "arrival", AT),
            sla_breached("J-Q", "arrival", AT),
        ],
        now,
    )
    .unwrap();
    s.fan_out(now).unwrap();
    for _ in 0..3 {
        let claimed = s.claim_deliveries(now, 1_000, 10).unwrap();
        for d in claimed.iter().filter(|d| d.subscription == "p") {
            let attempt = if d.order == "J-P" {
                failed(now, now, 3)
            } else {
                Attempt::Delivered {
                    at: now,
                    status: 200,
                }
            };
            s.record_delivery(&d.id, &attempt).unwrap();
        }
        now += 1;
    }
    let p = s
        .subscriptions()
        .unwrap()
        .into_iter()
        .find(|x| x.id == "p")
        .unwrap();
    assert!(p.paused_at.is_some(), "{p:?}");
}
