//! The office's check of what a device pushes (`validate::device_change`), over changes made
//! to a real job document: a sequence of edits on the technician's device (the document's own
//! writers, as the technician or as someone else, and raw Automerge puts, deletes and
//! increments anywhere in the document), with dispatch editing the office's copy meanwhile and
//! the device pulling now and then; the device's changes are then pushed and checked the way
//! `server/src/sync.rs` does (`apply_strict`, completeness, the check, each new report's
//! verification) and the job JSON is rendered from what was accepted. A trailing raw chunk is
//! pushed too, for Automerge's decoder.
//!
//! Nothing may panic, and an honest device is never refused: edits made only through the
//! writers, as the assigned technician, at times inside the window, must pass the check and
//! their reports must verify.
#![no_main]

use arbitrary::Arbitrary;
use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValue};
use fieldwork_fuzz::{DEVICE_ID, DEVICE_SECRET, OTHER_TECH, TECH, base, in_window, load_base};
use fieldwork_model::report::{self, Attachment, Canvas, Language, Outcome, Strokes};
use fieldwork_model::{
    Cause, JobDocument, JobView, NewPart, NewTimeEntry, Priority, Status, TimeKind, validate,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    edits: Vec<Edit>,
    now: u32,
    raw: Vec<u8>,
}

/// Who a device edit is written as.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
enum Who {
    Tech,
    Other,
    Dispatch,
}

impl Who {
    fn name(self) -> &'static str {
        match self {
            Who::Tech => TECH,
            Who::Other => OTHER_TECH,
            Who::Dispatch => fieldwork_model::DISPATCH_ACTOR,
        }
    }
}

/// A device time: inside the window (minutes after T0, wrapped), or any value at all.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Time {
    In(u32),
    Any(i64),
}

impl Time {
    fn ms(self) -> i64 {
        match self {
            Time::In(m) => in_window(m),
            Time::Any(t) => t,
        }
    }
    fn honest(self) -> bool {
        matches!(self, Time::In(_))
    }
}

#[derive(Arbitrary, Debug)]
enum Edit {
    Status(u8, Who, Time),
    Note(Who, Time, String),
    Part {
        who: Who,
        at: Time,
        sku: String,
        qty: u32,
        unit_cost: Option<i64>,
        unit_price: Option<i64>,
        van: bool,
    },
    RemovePart(u8, Who, Time),
    TimeEntry(bool, Time, u32, Who),
    Diagnosis(u8, String, Option<String>, Who, Time),
    IssueLoaner(u8, Who, Time),
    ReturnLoaner(u8, Who, Time),
    Check(bool, u8, Option<String>, Who, Time),
    Photo {
        id: [u8; 32],
        png: bool,
        bytes: i64,
        width: u16,
        height: u16,
        taken_at: Time,
        who: Who,
        at: Time,
    },
    Sign(Who, Time, Vec<(u16, u16, u16)>),
    Refuse(Who, Time, String),
    /// A raw Automerge operation on the device's document.
    Raw(Target, Key, Op),
    /// Dispatch edits the office's copy (the device has not seen it yet).
    Office(OfficeEdit),
    /// The device pulls the office's copy.
    Pull,
}

/// Dispatch's times come through the API, which keeps them inside the window.
#[derive(Arbitrary, Debug)]
enum OfficeEdit {
    Assign(bool, u32),
    Cancel(u32),
    Schedule(Option<u32>, Option<u32>),
    Priority(u8),
    Problem(String),
    Note(u32),
}

/// Where a raw operation lands: the root, a root map, or an entry in one.
#[derive(Arbitrary, Debug)]
enum Target {
    Root,
    Collection(u8),
    Entry(u8, u8),
}

#[derive(Arbitrary, Debug)]
enum Key {
    Known(u8),
    Fresh,
    Any(String),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Put(Value),
    Map,
    List(Value),
    Text(String),
    Delete,
    Increment(i64),
}

#[derive(Arbitrary, Debug)]
enum Value {
    Int(i64),
    InWindow(u32),
    Known(u8),
    Str(String),
    Null,
    Bool(bool),
    F64(f64),
    Uint(u64),
    Counter(i64),
    Timestamp(i64),
    Bytes(Vec<u8>),
}

const COLLECTIONS: &[&str] = &[
    "events",
    "notes",
    "time",
    "parts",
    "diagnoses",
    "loaners",
    "checks",
    "attachments",
    "reports",
    "customer",
    "site",
    "asset",
];

const KEYS: &[&str] = &[
    "at",
    "by",
    "status",
    "technician",
    "reason",
    "author",
    "text",
    "start",
    "end",
    "kind",
    "sku",
    "qty",
    "added_by",
    "added_at",
    "removed",
    "unit_cost",
    "unit_price",
    "serial_in",
    "serial_out",
    "stock",
    "description",
    "serial",
    "action",
    "model",
    "item",
    "result",
    "note",
    "cause",
    "fault_code",
    "mime",
    "bytes",
    "width",
    "height",
    "caption",
    "taken_at",
    "canonical",
    "sha256",
    "signature",
    "device_id",
    "id",
    "schema",
    "problem",
    "priority",
    "reported_at",
    "scheduled_start",
    "scheduled_end",
    "contract",
    "checklist",
    "asset_history",
    "channel",
    "name",
    "region",
    "time_zone",
    "events",
    "notes",
    "time",
    "parts",
    "diagnoses",
    "loaners",
    "checks",
    "attachments",
    "reports",
];

const WORDS: &[&str] = &[
    TECH,
    OTHER_TECH,
    "dispatch",
    "accepted",
    "on_site",
    "on_hold",
    "completed",
    "cancelled",
    "new",
    "assigned",
    "labour",
    "travel",
    "issue",
    "return",
    "quality_defect",
    "misuse",
    "pass",
    "fail",
    "image/jpeg",
    "van",
    "city",
    "Asia/Shanghai",
    "J-1001",
    "",
];

const STATUSES: &[Status] = &[
    Status::Accepted,
    Status::EnRoute,
    Status::OnSite,
    Status::InProgress,
    Status::OnHold,
    Status::Completed,
    Status::New,
    Status::Assigned,
    Status::Cancelled,
];

fn pick<T: Copy>(list: &[T], i: u8) -> T {
    list[usize::from(i) % list.len()]
}

fn scalar(v: &Value) -> ScalarValue {
    match v {
        Value::Int(i) => ScalarValue::Int(*i),
        Value::InWindow(m) => ScalarValue::Int(in_window(*m)),
        Value::Known(i) => ScalarValue::Str(pick(WORDS, *i).into()),
        Value::Str(s) => ScalarValue::Str(s.as_str().into()),
        Value::Null => ScalarValue::Null,
        Value::Bool(b) => ScalarValue::Boolean(*b),
        Value::F64(f) => ScalarValue::F64(*f),
        Value::Uint(u) => ScalarValue::Uint(*u),
        Value::Counter(c) => ScalarValue::counter(*c),
        Value::Timestamp(t) => ScalarValue::Timestamp(*t),
        Value::Bytes(b) => ScalarValue::Bytes(b.clone()),
    }
}

/// The object a raw operation targets, if it exists and is a map.
fn target(doc: &automerge::Automerge, t: &Target) -> Option<ObjId> {
    let map = |obj: &ObjId, key: &str| match doc.get(obj, key).ok()?? {
        (automerge::Value::Object(ObjType::Map), id) => Some(id),
        _ => None,
    };
    match t {
        Target::Root => Some(ROOT),
        Target::Collection(c) => map(&ROOT, pick(COLLECTIONS, *c)),
        Target::Entry(c, e) => {
            let coll = map(&ROOT, pick(COLLECTIONS, *c))?;
            let keys: Vec<String> = doc.keys(&coll).collect();
            if keys.is_empty() {
                return None;
            }
            map(&coll, &keys[usize::from(*e) % keys.len()])
        }
    }
}

fn raw(doc: &mut JobDocument, t: &Target, key: &Key, op: &Op) {
    let Some(obj) = target(doc.automerge(), t) else {
        return;
    };
    let key = match key {
        Key::Known(i) => pick(KEYS, *i).to_string(),
        Key::Fresh => fieldwork_model::new_entry_id(),
        Key::Any(s) => s.clone(),
    };
    let mut tx = doc.automerge_mut().transaction();
    let _ = match op {
        Op::Put(v) => tx.put(&obj, key.as_str(), scalar(v)),
        Op::Map => tx.put_object(&obj, key.as_str(), ObjType::Map).map(drop),
        Op::List(v) => tx
            .put_object(&obj, key.as_str(), ObjType::List)
            .and_then(|list| tx.insert(&list, 0, scalar(v))),
        Op::Text(s) => tx
            .put_object(&obj, key.as_str(), ObjType::Text)
            .and_then(|text| tx.splice_text(&text, 0, 0, s)),
        Op::Delete => tx.delete(&obj, key.as_str()),
        Op::Increment(by) => tx.increment(&obj, key.as_str(), *by),
    };
    tx.commit();
}

fn office_edit(office: &mut JobDocument, e: &OfficeEdit) {
    let by = fieldwork_model::DISPATCH_ACTOR;
    let _ = match e {
        OfficeEdit::Assign(other, at) => office
            .assign(if *other { OTHER_TECH } else { TECH }, by, in_window(*at))
            .map(drop),
        OfficeEdit::Cancel(at) => office
            .cancel("customer cancelled", by, in_window(*at))
            .map(drop),
        OfficeEdit::Schedule(start, end) => {
            office.set_schedule(start.map(in_window), end.map(in_window))
        }
        OfficeEdit::Priority(p) => office.set_priority(pick(Priority::ALL, *p)),
        OfficeEdit::Problem(text) => office.set_problem(text),
        OfficeEdit::Note(at) => office
            .add_note(by, in_window(*at), "customer called")
            .map(drop),
    };
}

fn signature(points: &[(u16, u16, u16)]) -> Strokes {
    let mut t = 0;
    let stroke = points
        .iter()
        .map(|&(x, y, dt)| {
            t += u32::from(dt);
            [u32::from(x), u32::from(y), t, 500]
        })
        .collect();
    Strokes {
        canvas: Canvas {
            width: 4000,
            height: 4000,
        },
        strokes: vec![stroke],
    }
}

/// Applies one device edit; returns whether an honest device could have made it.
fn device_edit(device: &mut JobDocument, office: &mut JobDocument, e: &Edit) -> bool {
    let honest = |who: Who, at: Time| who == Who::Tech && at.honest();
    match e {
        Edit::Status(s, who, at) => {
            let _ = device.record_status(pick(STATUSES, *s), who.name(), at.ms());
            honest(*who, *at)
        }
        Edit::Note(who, at, text) => {
            let _ = device.add_note(who.name(), at.ms(), text);
            honest(*who, *at)
        }
        Edit::Part {
            who,
            at,
            sku,
            qty,
            unit_cost,
            unit_price,
            van,
        } => {
            let part = NewPart {
                sku: sku.clone(),
                description: String::new(),
                qty: *qty,
                serial_in: None,
                serial_out: None,
                stock: van.then(|| "van".into()),
                unit_cost: *unit_cost,
                unit_price: *unit_price,
            };
            let _ = device.add_part(&part, who.name(), at.ms());
            honest(*who, *at)
        }
        Edit::RemovePart(i, who, at) => {
            let lines: Vec<String> = device
                .data()
                .map(|d| d.parts.keys().cloned().collect())
                .unwrap_or_default();
            if !lines.is_empty() {
                let line = &lines[usize::from(*i) % lines.len()];
                let _ = device.remove_part(line, who.name(), at.ms());
            }
            honest(*who, *at)
        }
        Edit::TimeEntry(travel, start, minutes, who) => {
            let start_ms = start.ms();
            let entry = NewTimeEntry {
                kind: if *travel {
                    TimeKind::Travel
                } else {
                    TimeKind::Labour
                },
                start: start_ms,
                end: start_ms.saturating_add(i64::from(*minutes % 1440) * 60_000),
            };
            let _ = device.add_time(entry, who.name());
            // The end must stay inside the window too.
            honest(*who, *start) && fieldwork_model::time::in_time_window(entry.end)
        }
        Edit::Diagnosis(cause, code, action, who, at) => {
            let cause = pick(Cause::ALL, *cause);
            let _ = device.record_diagnosis(cause, code, action.as_deref(), who.name(), at.ms());
            honest(*who, *at)
        }
        Edit::IssueLoaner(serial, who, at) => {
            let serial = format!("LN-{}", serial % 4);
            let _ = device.issue_loaner(&serial, "Portable AC", who.name(), at.ms());
            honest(*who, *at)
        }
        Edit::ReturnLoaner(serial, who, at) => {
            let serial = format!("LN-{}", serial % 8);
            let _ = device.return_loaner(&serial, who.name(), at.ms());
            honest(*who, *at)
        }
        Edit::Check(pass, item, note, who, at) => {
            let item = pick(&["pressure", "leaks", "extra"], *item);
            let result = if *pass { "pass" } else { "3.25" };
            let _ = device.record_check(item, result, note.as_deref(), who.name(), at.ms());
            honest(*who, *at)
        }
        Edit::Photo {
            id,
            png,
            bytes,
            width,
            height,
            taken_at,
            who,
            at,
        } => {
            let a = Attachment {
                mime: if *png { "image/png" } else { "image/jpeg" }.into(),
                bytes: *bytes,
                width: u32::from(*width),
                height: u32::from(*height),
                caption: None,
                taken_at: taken_at.ms(),
                by: who.name().into(),
                at: at.ms(),
                removed: None,
            };
            let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
            let _ = device.add_attachment(&id, &a);
            honest(*who, *at)
        }
        Edit::Sign(who, at, points) => {
            let outcome = Outcome::Signed {
                name: "Li Na".into(),
                role: None,
                strokes: signature(points),
            };
            let _ = device.seal_report(
                Language::En,
                DEVICE_ID,
                outcome,
                &DEVICE_SECRET,
                who.name(),
                at.ms(),
            );
            honest(*who, *at)
        }
        Edit::Refuse(who, at, reason) => {
            let outcome = Outcome::Refused {
                reason: reason.clone(),
                name: None,
            };
            let _ = device.seal_report(
                Language::ZhCn,
                DEVICE_ID,
                outcome,
                &DEVICE_SECRET,
                who.name(),
                at.ms(),
            );
            honest(*who, *at)
        }
        Edit::Raw(t, key, op) => {
            raw(device, t, key, op);
            false
        }
        Edit::Office(o) => {
            office_edit(office, o);
            true
        }
        Edit::Pull => {
            // What the office sends: its changes since the heads the device confirmed.
            let _ = device.apply(&office.save_after(&base().heads));
            true
        }
    }
}

fuzz_target!(|input: Input| {
    let mut device = load_base(2);
    let mut office = load_base(1);
    let mut honest = true;
    for e in &input.edits {
        honest &= device_edit(&mut device, &mut office, e);
    }

    // The push, as `server/src/sync.rs` merges it.
    let changes = device.save_after(&base().heads);
    let Ok(before) = office.data() else {
        return;
    };
    let applied = office.apply_strict(&changes);
    assert!(
        applied.is_ok() || !honest,
        "an honest push does not apply: {applied:?}"
    );
    if applied.is_err() || !office.missing_deps().is_empty() || !office.has_all(&device.heads()) {
        return;
    }
    if !input.raw.is_empty() {
        honest = false;
        if office.apply_strict(&input.raw).is_err() || !office.missing_deps().is_empty() {
            return;
        }
    }
    let after = match office.data() {
        Ok(after) => after,
        Err(e) => {
            assert!(!honest, "an honest push breaks the document: {e}");
            return;
        }
    };
    let checked = validate::device_change(&before, &after, TECH);
    if honest {
        if let Err(refused) = &checked {
            panic!("an honest push is refused: {refused}");
        }
    }
    if checked.is_err() {
        return;
    }
    let public_key = report::public_key_hex(&DEVICE_SECRET);
    for (id, entry) in after
        .reports
        .iter()
        .filter(|(id, _)| !before.reports.contains_key(*id))
    {
        let verified = office.verify_report(entry, DEVICE_ID, &public_key);
        assert!(
            verified.is_ok() || !honest,
            "an honest report {id} does not verify: {verified:?}"
        );
    }
    let now = in_window(input.now);
    let _ = JobView::from_data(&after, now);
    let _ = report::summaries(&after);
});
