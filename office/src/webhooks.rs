//! Webhooks' rules (issue 22): which events a job's document implies, how a delivery is signed,
//! when a failed one is tried again and when a subscription that keeps failing is paused, and
//! which addresses a delivery may not go to. No I/O: the store records the events in the same
//! transaction as the change that caused them, the server sends them.
//!
//! An event is a *fact* with a key that names it for good (`J-1:status:<event id>`): the store
//! inserts a job's facts on every write and ignores the ones it holds, so the facts new in a
//! write are exactly what that write caused, and a write retried after a crash adds nothing
//! twice.

use std::net::IpAddr;

use fieldwork_model::job::JobData;
use fieldwork_model::report::{Report, SealedReport};

use crate::stock::StockLimit;
use fieldwork_model::{Result, Status};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The events a subscription can ask for, by their wire names.
pub const EVENTS: [&str; 8] = [
    "job.created",
    "job.assigned",
    "job.status_changed",
    "report.signed",
    "report.refused",
    "complaint.opened",
    "sla.breached",
    "stock.below_minimum",
];

/// One event a change caused: its key (unique for good), its name, what it is about (the job,
/// or `stock:<location>` for stock: deliveries keep this order), and its data.
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    pub key: String,
    pub event: &'static str,
    pub order: String,
    /// When it happened (epoch ms; a device's clock for what a phone recorded).
    pub at: i64,
    pub data: Value,
}

impl Fact {
    fn of_job(job: &str, key: String, event: &'static str, at: i64, data: Value) -> Fact {
        let mut data = data;
        data["job"] = json!(job);
        Fact {
            key: format!("{job}:{key}"),
            event,
            order: job.to_string(),
            at,
            data,
        }
    }
}

/// Every event a job's document implies: created; each assignment (a `null` technician is a
/// job taken back into the tray); each other status event; each of its `sealed` reports
/// (`fieldwork_model::report::sealed`, opened once by the caller), signed or refused. Oldest
/// first (the order they are delivered in).
pub fn job_facts(d: &JobData, sealed: &[(&SealedReport, Report)]) -> Result<Vec<Fact>> {
    let mut facts = vec![Fact::of_job(
        &d.id,
        "created".into(),
        "job.created",
        d.reported_at,
        json!({"priority": d.priority.as_str(), "kind": d.kind.as_str(), "problem": d.problem}),
    )];
    let mut events: Vec<_> = d.events.iter().collect();
    events.sort_by(|(a_id, a), (b_id, b)| (a.at, a_id).cmp(&(b.at, b_id)));
    for (id, e) in events {
        // A job's first status is its creation, already said by `job.created`.
        if e.status == Status::New {
            continue;
        }
        let fact = if e.status == Status::Assigned {
            Fact::of_job(
                &d.id,
                format!("assigned:{id}"),
                "job.assigned",
                e.at,
                json!({"technician": e.technician, "by": e.by}),
            )
        } else {
            Fact::of_job(
                &d.id,
                format!("status:{id}"),
                "job.status_changed",
                e.at,
                json!({"status": e.status.as_str(), "by": e.by, "reason": e.reason}),
            )
        };
        facts.push(fact);
    }
    for (_, report) in sealed {
        let (event, at) = match (&report.signature, &report.refusal) {
            (Some(s), _) => ("report.signed", &s.signed_at),
            (None, Some(r)) => ("report.refused", &r.refused_at),
            (None, None) => continue,
        };
        let at = fieldwork_model::time::parse_rfc3339("sealed_at", at).unwrap_or(d.reported_at);
        facts.push(Fact::of_job(
            &d.id,
            format!("report:{}", report.version),
            event,
            at,
            json!({"version": report.version}),
        ));
    }
    Ok(facts)
}

/// A complaint opened about a job.
pub fn complaint_opened(complaint: &str, job: &str, at: i64) -> Fact {
    Fact::of_job(
        job,
        format!("complaint:{complaint}"),
        "complaint.opened",
        at,
        json!({"complaint": complaint}),
    )
}

/// An SLA milestone of a job past its deadline, once per milestone.
pub fn sla_breached(job: &str, milestone: &str, due: i64) -> Fact {
    Fact::of_job(
        job,
        format!("sla:{milestone}"),
        "sla.breached",
        due,
        json!({"milestone": milestone, "due": fieldwork_model::time::to_rfc3339(due)}),
    )
}

/// The start of the keys of a part's stock events at a place (its falls below the minimum,
/// `<prefix><n>`, and its recoveries, `<prefix><n>:recovered`).
pub fn stock_prefix(location: &str, sku: &str) -> String {
    format!("stock:{location}:{sku}:")
}

/// A part's level at a place fell below its minimum: `episode` counts the times it did (a
/// level that recovers and falls again is a new event).
pub fn below_minimum(
    location: &str,
    sku: &str,
    episode: u32,
    level: i64,
    min: i64,
    at: i64,
) -> Fact {
    Fact {
        key: format!("{}{episode}", stock_prefix(location, sku)),
        event: "stock.below_minimum",
        order: format!("stock:{location}"),
        at,
        data: json!({"job": null, "location": location, "sku": sku, "qty": level, "min": min}),
    }
}

/// What a part's `level` against its limit says, given the keys already `recorded` under its
/// [`stock_prefix`]: a new fall below the minimum (none while it stays under), or, back at or
/// over it, the end of the fall (recorded under a name no subscription can ask for, so the next
/// fall is news again); nothing otherwise.
pub fn stock_episode(limit: &StockLimit, level: i64, recorded: &[String], at: i64) -> Option<Fact> {
    let prefix = stock_prefix(&limit.location, &limit.sku);
    let falls = recorded
        .iter()
        .filter(|k| !k.ends_with(":recovered"))
        .count() as u32;
    let falling = falls > 0 && !recorded.contains(&format!("{prefix}{falls}:recovered"));
    if level < limit.min && !falling {
        Some(below_minimum(
            &limit.location,
            &limit.sku,
            falls + 1,
            level,
            limit.min,
            at,
        ))
    } else if level >= limit.min && falling {
        Some(Fact {
            key: format!("{prefix}{falls}:recovered"),
            event: "stock.recovered",
            order: format!("stock:{}", limit.location),
            at,
            data: json!({"job": null}),
        })
    } else {
        None
    }
}

/// Seconds a receiver should accept a signature's timestamp either side of its own clock: a
/// delivery replayed later than this is refused by a receiver that checks it.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// `X-Fieldwork-Signature` of a body sent at `t` (unix seconds): `t=<t>,v1=<hex HMAC-SHA256
/// of "<t>.<body>" under the subscription's secret>`. The timestamp is inside the signed
/// bytes, so a replayed delivery cannot be given a fresh one.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    format!(
        "t={t},v1={}",
        hex::encode(keyed(secret, t, body).finalize().into_bytes())
    )
}

/// The MAC of `"<t>.<body>"` under `secret`, not yet finalized (signing and checking share it).
fn keyed(secret: &str, t: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// What a receiver does with `X-Fieldwork-Signature`: the MAC matches (in constant time) and
/// the timestamp is within [`REPLAY_WINDOW_SECS`] of `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    (now - t).abs() <= REPLAY_WINDOW_SECS && keyed(secret, t, body).verify_slice(&v1).is_ok()
}

/// Delay before the next attempt after `failures` failed ones, from `first` (ms): tripled each
/// time (5 s, 15 s, 45 s: the first retries fall within a minute, as a receiver restarting
/// expects), at most an hour apart.
pub fn retry_delay_ms(first: i64, failures: u32) -> i64 {
    const MAX: i64 = 3_600_000;
    let mut delay = first.max(1);
    for _ in 1..failures.min(20) {
        delay = (delay * 3).min(MAX);
    }
    delay.min(MAX)
}

/// The default first retry delay (ms).
pub const FIRST_RETRY_MS: i64 = 5_000;

/// A subscription whose deliveries failed this many times in a row is paused (with the
/// default delays, about five and a half hours of one delivery failing; sooner when many jobs'
/// deliveries fail at once, as in an outage): its events keep being recorded and go out, in
/// order, once dispatch resumes it.
pub const PAUSE_AFTER_FAILURES: u32 = 12;

/// Whether a delivery may go to `ip` without `--allow-private-webhooks`: not loopback, private,
/// link-local (cloud metadata lives there), shared (CGNAT), unspecified, multicast or
/// broadcast, in IPv4 or IPv6 (an IPv4-mapped IPv6 address is judged as its IPv4 address). A
/// server that could be told to POST there could be used to reach what only it can reach.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let segments = v6.segments();
            let embedded = |hi: u16, lo: u16| {
                std::net::Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8)
            };
            // Addresses that carry an IPv4 address (NAT64, 6to4) are judged by it.
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                return is_public(IpAddr::V4(embedded(segments[6], segments[7])));
            }
            if segments[0] == 0x2002 {
                return is_public(IpAddr::V4(embedded(segments[1], segments[2])));
            }
            let first = segments[0];
            // The deprecated IPv4-compatible form (::a.b.c.d) is never a receiver.
            let ipv4_compatible = segments[..6] == [0; 6];
            !(ipv4_compatible
                || v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_secret_body_and_a_recent_time() {
        let body = br#"{"id":"e1","event":"job.created"}"#;
        let header = signature("s3cret", 1_800_000_000, body);
        assert!(header.starts_with("t=1800000000,v1="));
        assert!(verify("s3cret", &header, body, 1_800_000_000 + 10));
        assert!(!verify("other", &header, body, 1_800_000_000));
        assert!(!verify("s3cret", &header, b"{}", 1_800_000_000));
        // Replayed after the window.
        assert!(!verify(
            "s3cret",
            &header,
            body,
            1_800_000_000 + REPLAY_WINDOW_SECS + 1
        ));
        // A fresh timestamp on the old MAC does not pass.
        let forged = header.replace("t=1800000000", "t=1800000900");
        assert!(!verify("s3cret", &forged, body, 1_800_000_900));
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_time_dot_body() {
        // RFC 4231 test case 2's key and data, framed as "<t>.<body>" = "1.what do ya want...".
        let header = signature("Jefe", 1, b"what do ya want for nothing?");
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap_or_else(|_| unreachable!());
        mac.update(b"1.what do ya want for nothing?");
        assert_eq!(
            header,
            format!("t=1,v1={}", hex::encode(mac.finalize().into_bytes()))
        );
    }

    #[test]
    fn a_fall_below_the_minimum_is_news_once_until_the_level_recovers() {
        let limit = StockLimit {
            location: "W".into(),
            sku: "F".into(),
            min: 5,
            max: 20,
        };
        let mut recorded: Vec<String> = Vec::new();
        let mut step = |level| {
            let fact = stock_episode(&limit, level, &recorded, 0);
            if let Some(f) = &fact {
                recorded.push(f.key.clone());
            }
            fact.map(|f| f.event)
        };
        assert_eq!(step(3), Some("stock.below_minimum"));
        assert_eq!(step(2), None, "still under: no news");
        assert_eq!(step(9), Some("stock.recovered"));
        assert_eq!(step(9), None);
        assert_eq!(step(1), Some("stock.below_minimum"));
        assert_eq!(
            recorded,
            ["stock:W:F:1", "stock:W:F:1:recovered", "stock:W:F:2"]
        );
    }

    #[test]
    fn retries_start_within_a_minute_and_stay_within_an_hour() {
        let delays: Vec<i64> = (1..=4).map(|n| retry_delay_ms(FIRST_RETRY_MS, n)).collect();
        assert_eq!(delays, [5_000, 15_000, 45_000, 135_000]);
        assert_eq!(retry_delay_ms(FIRST_RETRY_MS, 40), 3_600_000);
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::1",
            "::127.0.0.1",
            "192.0.0.8",
        ] {
            assert!(
                !is_public(ip.parse().unwrap_or_else(|_| unreachable!())),
                "{ip}"
            );
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert!(
                is_public(ip.parse().unwrap_or_else(|_| unreachable!())),
                "{ip}"
            );
        }
    }
}
