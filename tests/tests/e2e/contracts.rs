//! The table-driven suite of service commitments (DOMAIN.md R-10 to R-25, issue 3).
//!
//! Every case registers its contract and asset on the real server, creates the job through the
//! dispatch API, lets a real device core record the technician's events at the case's device
//! times, syncs, and then renders the job JSON on the device and on the server *as of the same
//! instant*. The two must be identical, and must carry the expected deadlines, states,
//! warranty situation and charges.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use fieldwork_model::time::parse_rfc3339;
use fieldwork_model::{Cause, NewPart, NewTimeEntry, Status, TimeKind};
use fieldwork_tests::{Office, Phone, sync_until_quiet};
use serde_json::{Value, json};

/// Working hours Mon-Fri 08:30-17:30, Golden Week off; 2-year warranty from acceptance, then a
/// free year and a year at cost (R-11, R-12, R-13, R-20 to R-23).
fn gold() -> Value {
    let day = json!(["08:30", "17:30"]);
    json!({
        "id": "GOLD", "name": "Gold", "currency": "CNY",
        "sla": {
            "response_minutes": 30,
            "arrival_minutes": {"city": 120, "province": 720, "remote": 1440},
            "resolution_minutes": 480,
            "loaner_after_minutes": 240,
            "calendar": {"kind": "working_hours",
                "hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day,
                          "sat": null, "sun": null},
                "holidays": ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
                             "2026-10-05", "2026-10-06", "2026-10-07"]}
        },
        "warranty": {"months": 24, "start": "acceptance", "replace_after_repairs": 3},
        "billing": {
            "in_warranty": {"parts": "free", "labour": "free", "travel": "free"},
            "excluded": {"parts": "cost", "labour": "charged", "travel": "charged"},
            "post_warranty": [
                {"months": 12, "parts": "free", "labour": "free", "travel": "free"},
                {"months": 12, "parts": "cost", "labour": "free", "travel": "charged"}
            ],
            "after": {"parts": "cost", "labour": "charged", "travel": "charged"}
        },
        "rates": {"labour_per_hour": 18000, "travel_flat": 25000}
    })
}

/// Round the clock, holidays included (R-10 10 min, R-11 2 h / 4 h / 48 h, R-13 48 h);
/// 1-year warranty from installation, list prices after.
fn always() -> Value {
    json!({
        "id": "ALWAYS", "name": "24x7", "currency": "CNY",
        "sla": {
            "response_minutes": 10,
            "arrival_minutes": {"city": 120, "province": 240, "remote": 2880},
            "resolution_minutes": 240,
            "loaner_after_minutes": 2880,
            "calendar": {"kind": "24x7"}
        },
        "warranty": {"months": 12, "start": "installation"},
        "billing": {
            "in_warranty": {"parts": "free", "labour": "free", "travel": "free"},
            "after": {"parts": "list", "labour": "charged", "travel": "charged"}
        },
        "rates": {"labour_per_hour": 12345, "travel_flat": 30000}
    })
}

/// Phone support Mon-Fri 08:30-21:00, weekends and holidays 08:30-17:30 (R-14); answer within
/// 1 h, a clear answer within 24 h; consultation free for life (R-25).
fn phone_support() -> Value {
    let long = json!(["08:30", "21:00"]);
    let short = json!(["08:30", "17:30"]);
    json!({
        "id": "PHONE", "name": "Hotline", "currency": "CNY",
        "sla": {
            "response_minutes": 60,
            "arrival_minutes": {"city": 120, "province": 720, "remote": 2880},
            "resolution_minutes": 1440,
            "loaner_after_minutes": 2880,
            "calendar": {"kind": "working_hours",
                "hours": {"mon": long, "tue": long, "wed": long, "thu": long, "fri": long,
                          "sat": short, "sun": short},
                "holidays": ["2026-10-01"], "holiday_hours": short}
        },
        "warranty": {"months": 36, "start": "acceptance"},
        "billing": {
            "in_warranty": {"parts": "free", "labour": "free", "travel": "free"},
            "after": {"parts": "cost", "labour": "free", "travel": "charged"}
        },
        "rates": {"labour_per_hour": 10000, "travel_flat": 3000}
    })
}

/// A site abroad: Mon-Fri 08:00-17:00 in the site's zone (Europe/Berlin has daylight saving).
fn europe() -> Value {
    let day = json!(["08:00", "17:00"]);
    json!({
        "id": "EUROPE", "name": "Europe", "currency": "EUR",
        "sla": {
            "response_minutes": 120,
            "arrival_minutes": {"city": 240, "province": 480, "remote": 2880},
            "resolution_minutes": 960,
            "loaner_after_minutes": 2880,
            "calendar": {"kind": "working_hours",
                "hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}}
        },
        "warranty": {"months": 60, "start": "installation"},
        "billing": {
            "in_warranty": {"parts": "free", "labour": "free", "travel": "free"},
            "after": {"parts": "list", "labour": "charged", "travel": "charged"}
        },
        "rates": {"labour_per_hour": 9000, "travel_flat": 8000}
    })
}

/// What the technician does, at device times.
#[derive(Clone, Copy)]
enum Step {
    /// A status event at an RFC 3339 time.
    At(Status, &'static str),
    /// The diagnosis.
    Cause(Cause, &'static str),
    /// Two parts costing 1000 and listed at 1500 each.
    TwoParts,
    /// Labour of this many minutes.
    Labour(i64),
    /// A travel entry.
    Travel,
    /// Issue or return a loaner at a time.
    Issue(&'static str, &'static str),
    Return(&'static str, &'static str),
}

struct Case {
    name: &'static str,
    contract: fn() -> Value,
    zone: &'static str,
    region: &'static str,
    /// Asset (installation, acceptance) dates.
    dates: (&'static str, &'static str),
    /// Earlier completed jobs on the same asset: (reported_at, cause, fault code).
    earlier: &'static [(&'static str, Cause, &'static str)],
    reported: &'static str,
    steps: &'static [Step],
    /// When the JSON is rendered on both sides.
    at: &'static str,
    /// JSON pointer -> expected JSON value (as text).
    expect: &'static [(&'static str, &'static str)],
}

const SHANGHAI: &str = "Asia/Shanghai";
const BERLIN: &str = "Europe/Berlin";
/// An asset accepted a year before most cases: in warranty.
const RECENT: (&str, &str) = ("2025-11-10", "2025-11-24");
/// Accepted 2024-11-24: warranty covers through 2026-11-23.
const AGEING: (&str, &str) = ("2024-11-10", "2024-11-24");

const WORK_DONE: &[Step] = &[Step::TwoParts, Step::Labour(90), Step::Travel];

use Status::{Accepted, Completed, InProgress, OnHold, OnSite};

const CASES: &[Case] = &[
    // --- R-10 response, R-11 arrival, R-12 resolution, R-13 loaner, working hours (R-14) ---
    Case {
        name: "R-10 response within 30 min of a Monday-morning report is met",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-23T09:00:00+08:00",
        steps: &[Step::At(Accepted, "2026-11-23T09:20:00+08:00")],
        at: "2026-11-23T09:25:00+08:00",
        expect: &[
            ("/sla/respond_by", r#""2026-11-23T01:30:00Z""#),
            ("/sla/response/state", r#""met""#),
            ("/sla/response/met_at", r#""2026-11-23T01:20:00Z""#),
            ("/sla/arrive_by", r#""2026-11-23T03:00:00Z""#),
            ("/sla/arrival/state", r#""pending""#),
            ("/sla/resolve_by", r#""2026-11-23T09:00:00Z""#),
            ("/sla/loaner_due_by", r#""2026-11-23T05:00:00Z""#),
            ("/sla/resolution/state", r#""pending""#),
        ],
    },
    Case {
        name: "a report at 17:50 on a Friday starts counting at Monday's opening",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-20T17:50:00+08:00",
        steps: &[],
        at: "2026-11-23T08:40:00+08:00",
        expect: &[
            ("/sla/respond_by", r#""2026-11-23T01:00:00Z""#),
            ("/sla/response/state", r#""pending""#),
            ("/sla/arrive_by", r#""2026-11-23T02:30:00Z""#),
            ("/sla/resolve_by", r#""2026-11-23T08:30:00Z""#),
            ("/sla/loaner_due_by", r#""2026-11-23T04:30:00Z""#),
        ],
    },
    Case {
        name: "a budget used up exactly at closing time gives the closing time; met exactly then is met",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-23T15:30:00+08:00",
        steps: &[Step::At(OnSite, "2026-11-23T17:30:00+08:00")],
        at: "2026-11-23T17:30:00+08:00",
        expect: &[
            ("/sla/arrive_by", r#""2026-11-23T09:30:00Z""#),
            ("/sla/arrival/state", r#""met""#),
            ("/sla/respond_by", r#""2026-11-23T08:00:00Z""#),
            ("/sla/response/state", r#""breached""#),
        ],
    },
    Case {
        name: "a report on the eve of Golden Week resumes after the holidays",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-09-30T16:00:00+08:00",
        steps: &[Step::At(Accepted, "2026-09-30T16:30:00+08:00")],
        at: "2026-10-08T08:50:00+08:00",
        expect: &[
            ("/sla/respond_by", r#""2026-09-30T08:30:00Z""#),
            ("/sla/response/state", r#""met""#),
            ("/sla/arrive_by", r#""2026-10-08T01:00:00Z""#),
            ("/sla/arrival/state", r#""at_risk""#),
            ("/sla/resolve_by", r#""2026-10-08T07:00:00Z""#),
            ("/sla/resolution/state", r#""pending""#),
        ],
    },
    Case {
        name: "R-11 province arrival within 12 working hours runs into the next day",
        contract: gold,
        zone: SHANGHAI,
        region: "province",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-23T09:00:00+08:00",
        steps: &[Step::At(OnSite, "2026-11-24T12:30:00+08:00")],
        at: "2026-11-24T13:00:00+08:00",
        expect: &[
            ("/sla/arrive_by", r#""2026-11-24T04:00:00Z""#),
            ("/sla/arrival/state", r#""breached""#),
            ("/sla/arrival/met_at", r#""2026-11-24T04:30:00Z""#),
        ],
    },
    Case {
        name: "R-11 remote arrival within 24 working hours",
        contract: gold,
        zone: SHANGHAI,
        region: "remote",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-23T09:00:00+08:00",
        steps: &[],
        at: "2026-11-25T12:00:00+08:00",
        expect: &[
            ("/sla/arrive_by", r#""2026-11-25T07:00:00Z""#),
            ("/sla/arrival/state", r#""at_risk""#),
        ],
    },
    // --- 24x7 (节假日照常服务) ---
    Case {
        name: "24x7: a night-time holiday report counts every minute (R-10 10 min, R-11 2 h)",
        contract: always,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-10-01T03:00:00+08:00",
        steps: &[
            Step::At(Accepted, "2026-10-01T03:12:00+08:00"),
            Step::At(OnSite, "2026-10-01T04:30:00+08:00"),
        ],
        at: "2026-10-01T04:45:00+08:00",
        expect: &[
            ("/sla/respond_by", r#""2026-09-30T19:10:00Z""#),
            ("/sla/response/state", r#""breached""#),
            ("/sla/arrive_by", r#""2026-09-30T21:00:00Z""#),
            ("/sla/arrival/state", r#""met""#),
            ("/sla/resolve_by", r#""2026-09-30T23:00:00Z""#),
            ("/sla/loaner_due_by", r#""2026-10-02T19:00:00Z""#),
        ],
    },
    Case {
        name: "24x7: R-11 48 h to a remote site, R-13 loaner after 48 h",
        contract: always,
        zone: SHANGHAI,
        region: "remote",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-20T10:00:00+08:00",
        steps: &[],
        at: "2026-11-22T10:00:00+08:00",
        expect: &[
            ("/sla/arrive_by", r#""2026-11-22T02:00:00Z""#),
            ("/sla/arrival/state", r#""at_risk""#),
            ("/sla/loaner_due_by", r#""2026-11-22T02:00:00Z""#),
            ("/sla/loaner_required", "true"),
        ],
    },
    Case {
        name: "24x7 across the autumn clock change abroad counts real minutes",
        contract: always,
        zone: BERLIN,
        region: "province",
        dates: RECENT,
        earlier: &[],
        reported: "2026-10-25T01:30:00+02:00",
        steps: &[],
        at: "2026-10-25T02:30:00+01:00",
        expect: &[
            ("/sla/respond_by", r#""2026-10-24T23:40:00Z""#),
            ("/sla/arrive_by", r#""2026-10-25T03:30:00Z""#),
            ("/sla/arrival/state", r#""pending""#),
            ("/sla/loaner_due_by", r#""2026-10-26T23:30:00Z""#),
        ],
    },
    // --- a site abroad with daylight saving ---
    Case {
        name: "working hours abroad: Friday summer time, Monday winter time",
        contract: europe,
        zone: BERLIN,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-10-23T16:00:00+02:00",
        steps: &[],
        at: "2026-10-26T08:40:00+01:00",
        expect: &[
            ("/sla/respond_by", r#""2026-10-26T08:00:00Z""#),
            ("/sla/response/state", r#""at_risk""#),
            ("/sla/arrive_by", r#""2026-10-26T10:00:00Z""#),
            ("/sla/resolve_by", r#""2026-10-27T13:00:00Z""#),
        ],
    },
    // --- R-14 phone support hours: long weekdays, short weekends and holidays ---
    Case {
        name: "R-14 a Saturday report at 17:00 has half an hour left, then Sunday",
        contract: phone_support,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-21T17:00:00+08:00",
        steps: &[],
        at: "2026-11-21T17:10:00+08:00",
        expect: &[
            ("/sla/respond_by", r#""2026-11-22T01:00:00Z""#),
            ("/sla/response/state", r#""pending""#),
        ],
    },
    Case {
        name: "R-14 a holiday keeps only holiday hours; the evening report waits for the morning",
        contract: phone_support,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-10-01T20:00:00+08:00",
        steps: &[],
        at: "2026-10-01T20:00:00+08:00",
        expect: &[("/sla/respond_by", r#""2026-10-02T01:30:00Z""#)],
    },
    Case {
        name: "R-14 a weekday 20:30 report uses the last half hour, R-10 clear answer in 24 h",
        contract: phone_support,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-23T20:30:00+08:00",
        steps: &[],
        at: "2026-11-23T20:30:00+08:00",
        expect: &[
            ("/sla/respond_by", r#""2026-11-24T01:00:00Z""#),
            // 30 min Mon, 750 Tue, 660 Wed: 24 h of hotline time ends Wed 19:30.
            ("/sla/resolve_by", r#""2026-11-25T11:30:00Z""#),
        ],
    },
    // --- holds ---
    Case {
        name: "a hold and resume moves only the resolution deadline",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-23T09:00:00+08:00",
        steps: &[
            Step::At(Accepted, "2026-11-23T09:10:00+08:00"),
            Step::At(OnSite, "2026-11-23T10:00:00+08:00"),
            Step::At(OnHold, "2026-11-23T11:00:00+08:00"),
            Step::At(InProgress, "2026-11-23T14:00:00+08:00"),
            Step::At(Completed, "2026-11-24T10:30:00+08:00"),
        ],
        at: "2026-11-24T12:00:00+08:00",
        expect: &[
            ("/sla/respond_by", r#""2026-11-23T01:30:00Z""#),
            ("/sla/arrive_by", r#""2026-11-23T03:00:00Z""#),
            ("/sla/arrival/state", r#""met""#),
            ("/sla/resolve_by", r#""2026-11-24T03:00:00Z""#),
            ("/sla/resolution/state", r#""met""#),
            ("/sla/resolution/met_at", r#""2026-11-24T02:30:00Z""#),
            ("/sla/hold_minutes", "180"),
            ("/sla/paused", "false"),
        ],
    },
    Case {
        name: "an open hold pauses resolution until now; arrival still breaches",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-23T09:00:00+08:00",
        steps: &[
            Step::At(Accepted, "2026-11-23T09:05:00+08:00"),
            Step::At(OnHold, "2026-11-23T10:00:00+08:00"),
        ],
        at: "2026-11-23T15:00:00+08:00",
        expect: &[
            ("/sla/resolve_by", r#""2026-11-24T05:00:00Z""#),
            ("/sla/resolution/state", r#""pending""#),
            ("/sla/paused", "true"),
            ("/sla/hold_minutes", "300"),
            ("/sla/arrival/state", r#""breached""#),
        ],
    },
    // --- R-05 / R-13 loaners ---
    Case {
        name: "R-13 a loaner is owed after 4 h unfixed, until one is issued",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-23T09:00:00+08:00",
        steps: &[Step::Issue("LN-7", "2026-11-23T14:10:00+08:00")],
        at: "2026-11-23T14:20:00+08:00",
        expect: &[
            ("/sla/loaner_due_by", r#""2026-11-23T05:00:00Z""#),
            ("/sla/loaner_required", "false"),
            ("/loaners/0/serial", r#""LN-7""#),
            ("/loaners/0/returned_at", "null"),
        ],
    },
    Case {
        name: "a returned loaner closes the loan",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-23T09:00:00+08:00",
        steps: &[
            Step::Issue("LN-8", "2026-11-23T14:10:00+08:00"),
            Step::Return("LN-8", "2026-11-25T10:00:00+08:00"),
        ],
        at: "2026-11-25T11:00:00+08:00",
        expect: &[
            ("/loaners/0/returned_at", r#""2026-11-25T02:00:00Z""#),
            ("/sla/loaner_required", "true"),
        ],
    },
    // --- R-20 to R-23 warranty and charges ---
    Case {
        name: "R-21 the last day of warranty (site time) repairs free; charges provisional",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: AGEING,
        earlier: &[],
        reported: "2026-11-23T23:30:00+08:00",
        steps: WORK_DONE,
        at: "2026-11-24T09:00:00+08:00",
        expect: &[
            ("/warranty/in_warranty", "true"),
            ("/warranty/ends", r#""2026-11-23""#),
            ("/warranty/situation", r#""in_warranty""#),
            ("/charges/provisional", "true"),
            ("/charges/total", "0"),
            ("/charges/lines/0/rule", r#""free""#),
        ],
    },
    Case {
        name: "the day after warranty (00:10 site time, still the 23rd in UTC) is the free first post-warranty year",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: AGEING,
        earlier: &[],
        reported: "2026-11-24T00:10:00+08:00",
        steps: &[
            Step::TwoParts,
            Step::Labour(90),
            Step::Travel,
            Step::Cause(Cause::HumanDamage, "E-7"),
        ],
        at: "2026-11-24T09:00:00+08:00",
        expect: &[
            ("/warranty/in_warranty", "false"),
            ("/warranty/situation", r#""post_warranty_1""#),
            ("/charges/total", "0"),
            ("/charges/provisional", "false"),
        ],
    },
    Case {
        name: "R-23 the second post-warranty tier: parts at cost, labour free, travel charged",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: AGEING,
        earlier: &[],
        reported: "2027-11-24T10:00:00+08:00",
        steps: WORK_DONE,
        at: "2027-11-24T12:00:00+08:00",
        expect: &[
            ("/warranty/situation", r#""post_warranty_2""#),
            ("/charges/lines/0/unit_amount", "1000"),
            ("/charges/lines/0/amount", "2000"),
            ("/charges/lines/0/rule", r#""cost""#),
            ("/charges/lines/1/kind", r#""labour""#),
            ("/charges/lines/1/qty", "90"),
            ("/charges/lines/1/amount", "0"),
            ("/charges/lines/2/kind", r#""travel""#),
            ("/charges/lines/2/amount", "25000"),
            ("/charges/total", "27000"),
            ("/charges/currency", r#""CNY""#),
        ],
    },
    Case {
        name: "R-23 after every tier: parts at cost, labour and travel charged",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: AGEING,
        earlier: &[],
        reported: "2028-11-24T10:00:00+08:00",
        steps: WORK_DONE,
        at: "2028-11-24T12:00:00+08:00",
        expect: &[
            ("/warranty/situation", r#""after""#),
            ("/charges/lines/1/amount", "27000"),
            ("/charges/total", "54000"),
        ],
    },
    Case {
        name: "R-20 warranty from installation, clamped at month end; the day after is list price",
        contract: always,
        zone: SHANGHAI,
        region: "city",
        dates: ("2025-01-31", "2025-02-20"),
        earlier: &[],
        reported: "2026-01-31T12:00:00+08:00",
        steps: &[Step::TwoParts, Step::Labour(50), Step::Travel],
        at: "2026-01-31T13:00:00+08:00",
        expect: &[
            ("/warranty/ends", r#""2026-01-30""#),
            ("/warranty/situation", r#""after""#),
            ("/charges/lines/0/amount", "3000"),
            ("/charges/lines/0/rule", r#""list""#),
            // 50 min at 123.45 an hour = 102.875, rounded half up once.
            ("/charges/lines/1/amount", "10288"),
            ("/charges/total", "43288"),
        ],
    },
    Case {
        name: "R-20 a warranty starting on 29 February ends the day before 28 February",
        contract: always,
        zone: SHANGHAI,
        region: "city",
        dates: ("2024-02-29", "2024-03-10"),
        earlier: &[],
        reported: "2025-02-27T12:00:00+08:00",
        steps: &[],
        at: "2025-02-27T12:00:00+08:00",
        expect: &[
            ("/warranty/ends", r#""2025-02-27""#),
            ("/warranty/in_warranty", "true"),
        ],
    },
    Case {
        name: "R-25 consultation stays free after warranty; parts at cost, travel charged",
        contract: phone_support,
        zone: SHANGHAI,
        region: "city",
        dates: ("2020-01-01", "2020-01-05"),
        earlier: &[],
        reported: "2026-11-23T10:00:00+08:00",
        steps: WORK_DONE,
        at: "2026-11-23T12:00:00+08:00",
        expect: &[
            ("/warranty/situation", r#""after""#),
            ("/charges/lines/1/rule", r#""free""#),
            ("/charges/total", "5000"),
        ],
    },
    // --- R-24 three guarantees ---
    Case {
        name: "R-24 the third repair of the same fault does not yet recommend replacement",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[
            ("2026-01-10T10:00:00+08:00", Cause::QualityDefect, "E-101"),
            ("2026-03-10T10:00:00+08:00", Cause::QualityDefect, "E-101"),
            ("2026-04-10T10:00:00+08:00", Cause::QualityDefect, "E-202"),
            ("2026-05-10T10:00:00+08:00", Cause::Misuse, "E-101"),
        ],
        reported: "2026-11-23T10:00:00+08:00",
        steps: &[Step::Cause(Cause::QualityDefect, "E-101")],
        at: "2026-11-23T12:00:00+08:00",
        expect: &[
            ("/replacement_recommended", "false"),
            ("/fault_code", r#""E-101""#),
            ("/asset_history/0/fault_code", r#""E-101""#),
            ("/asset_history/0/in_warranty", "true"),
            ("/asset_history/3/cause", r#""misuse""#),
        ],
    },
    Case {
        name: "R-24 the fourth repair of the same fault in warranty recommends replacement",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[
            ("2026-01-10T10:00:00+08:00", Cause::QualityDefect, "E-101"),
            ("2026-03-10T10:00:00+08:00", Cause::QualityDefect, "E-101"),
            ("2026-05-10T10:00:00+08:00", Cause::QualityDefect, "E-101"),
        ],
        reported: "2026-11-23T10:00:00+08:00",
        steps: &[Step::Cause(Cause::QualityDefect, "E-101")],
        at: "2026-11-23T12:00:00+08:00",
        expect: &[
            ("/replacement_recommended", "true"),
            ("/asset_history/2/status", r#""completed""#),
        ],
    },
];

/// R-22: every excluded cause in warranty is charged at cost, labour and travel charged.
const EXCLUDED: [Cause; 9] = [
    Cause::HumanDamage,
    Cause::Misuse,
    Cause::ImproperStorage,
    Cause::ImproperTransport,
    Cause::ForceMajeure,
    Cause::PowerSupply,
    Cause::UnauthorisedModification,
    Cause::NoWarrantyCard,
    Cause::SerialMismatch,
];

fn ms(s: &str) -> i64 {
    parse_rfc3339("time", s).unwrap()
}

struct Bench {
    office: Office,
    phone: Phone,
    next: u32,
    contracts: Vec<String>,
}

impl Bench {
    async fn new() -> Bench {
        let office = Office::start().await;
        office.technician("tess").await;
        let phone = Phone::enroll(&office, "tess").await;
        Bench {
            office,
            phone,
            next: 0,
            contracts: Vec::new(),
        }
    }

    async fn contract(&mut self, c: Value) -> String {
        let id = c["id"].as_str().unwrap().to_string();
        if !self.contracts.contains(&id) {
            self.office.post("/api/v1/contracts", c).await;
            self.contracts.push(id.clone());
        }
        id
    }

    fn fresh(&mut self, what: &str) -> String {
        self.next += 1;
        format!("{what}-{}", self.next)
    }

    /// Creates a job on `serial` and returns its id; the phone has it afterwards.
    async fn job(&mut self, serial: &str, zone: &str, region: &str, reported: &str) -> String {
        let id = self.fresh("J");
        self.office
            .post(
                "/api/v1/jobs",
                json!({
                    "id": id, "technician": "tess",
                    "customer": {"name": "Harbour Clinic"},
                    "site": {"address": "88 Quay Road", "region": region, "time_zone": zone},
                    "asset": {"serial": serial},
                    "problem": "Compressor trips", "reported_at": reported,
                }),
            )
            .await;
        sync_until_quiet(&[&self.phone]).await;
        id
    }

    fn step(&self, job: &str, step: Step, reported: i64) {
        let d = &self.phone.device;
        match step {
            Step::At(s, at) => d.set_status(job, s, ms(at)).unwrap(),
            Step::Cause(c, code) => d
                .record_diagnosis(job, c, code, Some("Replaced the board"), reported + 1)
                .unwrap(),
            Step::TwoParts => {
                let part = NewPart {
                    sku: "PCB-9".into(),
                    qty: 2,
                    unit_cost: Some(1000),
                    unit_price: Some(1500),
                    ..Default::default()
                };
                d.add_part(job, &part, reported + 2).unwrap();
            }
            Step::Labour(minutes) => {
                let entry = NewTimeEntry {
                    kind: TimeKind::Labour,
                    start: reported,
                    end: reported + minutes * 60_000,
                };
                d.add_time(job, entry).unwrap();
            }
            Step::Travel => {
                let entry = NewTimeEntry {
                    kind: TimeKind::Travel,
                    start: reported - 3_600_000,
                    end: reported,
                };
                d.add_time(job, entry).unwrap();
            }
            Step::Issue(serial, at) => d.issue_loaner(job, serial, "Oven XL", ms(at)).unwrap(),
            Step::Return(serial, at) => d.return_loaner(job, serial, ms(at)).unwrap(),
        }
    }

    /// Runs a case end to end and returns the (identical) job JSON of both sides.
    async fn run(&mut self, case: &Case) -> Value {
        let contract = self.contract((case.contract)()).await;
        let serial = self.fresh("SN");
        self.office
            .post(
                "/api/v1/assets",
                json!({"serial": serial, "model": "Oven XL", "customer": "Harbour Clinic",
                       "installation_date": case.dates.0, "acceptance_date": case.dates.1,
                       "contract": contract}),
            )
            .await;
        for (reported, cause, code) in case.earlier {
            let job = self.job(&serial, case.zone, case.region, reported).await;
            let t = ms(reported);
            let d = &self.phone.device;
            d.set_status(&job, Accepted, t + 60_000).unwrap();
            d.record_diagnosis(&job, *cause, code, None, t + 120_000)
                .unwrap();
            d.set_status(&job, Completed, t + 180_000).unwrap();
            sync_until_quiet(&[&self.phone]).await;
        }
        let job = self
            .job(&serial, case.zone, case.region, case.reported)
            .await;
        for step in case.steps {
            self.step(&job, *step, ms(case.reported));
        }
        sync_until_quiet(&[&self.phone]).await;
        let at = ms(case.at);
        let device = self.phone.job_at(&job, at);
        let server = self.office.job_at(&job, at).await;
        assert_eq!(device, server, "{}: device and server disagree", case.name);
        device
    }
}

fn check(name: &str, job: &Value, expect: &[(&str, &str)]) {
    for (pointer, want) in expect {
        let want: Value = serde_json::from_str(want).unwrap();
        let got = job.pointer(pointer).unwrap_or(&Value::Null);
        assert_eq!(got, &want, "{name}: {pointer}\n{job:#}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_commitment_of_the_sample_plans_is_computed_identically_on_device_and_server() {
    let mut bench = Bench::new().await;
    for case in CASES {
        let job = bench.run(case).await;
        check(case.name, &job, case.expect);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_excluded_cause_in_warranty_is_charged_at_cost() {
    let mut bench = Bench::new().await;
    for cause in EXCLUDED {
        let steps: &'static [Step] = Box::leak(Box::new([
            Step::TwoParts,
            Step::Labour(90),
            Step::Travel,
            Step::Cause(cause, "E-9"),
        ]));
        let case = Case {
            name: cause.as_str(),
            contract: gold,
            zone: SHANGHAI,
            region: "city",
            dates: RECENT,
            earlier: &[],
            reported: "2026-11-23T10:00:00+08:00",
            steps,
            at: "2026-11-23T12:00:00+08:00",
            expect: &[],
        };
        let job = bench.run(&case).await;
        let want_cause = format!("\"{}\"", cause.as_str());
        check(
            cause.as_str(),
            &job,
            &[
                ("/warranty/in_warranty", "true"),
                ("/warranty/situation", r#""excluded""#),
                ("/cause", &want_cause),
                ("/charges/provisional", "false"),
                ("/charges/lines/0/amount", "2000"),
                ("/charges/lines/1/amount", "27000"),
                ("/charges/lines/2/amount", "25000"),
                ("/charges/total", "54000"),
            ],
        );
    }
    // The same work with a quality defect is free.
    let case = Case {
        name: "quality defect",
        contract: gold,
        zone: SHANGHAI,
        region: "city",
        dates: RECENT,
        earlier: &[],
        reported: "2026-11-23T10:00:00+08:00",
        steps: &[
            Step::TwoParts,
            Step::Labour(90),
            Step::Travel,
            Step::Cause(Cause::QualityDefect, "E-9"),
        ],
        at: "2026-11-23T12:00:00+08:00",
        expect: &[
            ("/warranty/situation", r#""in_warranty""#),
            ("/charges/total", "0"),
            ("/charges/provisional", "false"),
        ],
    };
    let job = bench.run(&case).await;
    check(case.name, &job, case.expect);
}
