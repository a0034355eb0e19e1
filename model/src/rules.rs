//! The content rules of a job document: one set of bounds for every entry, used by the device's
//! writer methods ([`crate::JobDocument`]) before they write and by the office's check of a
//! device's push ([`crate::validate::device_change`]) on every entry the push adds.
//!
//! A technician's phone cannot write what the office would refuse, and a client that speaks the
//! sync protocol without going through the writers cannot store what a phone could not. Every
//! bound keeps later arithmetic far from overflow: times fall in [`crate::time::TIME_YEARS`],
//! amounts are at most [`MAX_MONEY`] per unit and quantities at most [`MAX_QTY`], so a job's
//! charges (at most [`MAX_ENTRIES`] lines) stay below 2^63 by four orders of magnitude.
//!
//! Errors are [`Error::Invalid`] naming the field; the office prefixes the entry.

use crate::job::{
    CheckResult, Diagnosis, LoanAction, LoanerEvent, Note, PartLine, Status, StatusEvent, TimeEntry,
};
use crate::report::{Attachment, SealedReport, is_sha256_id};
use crate::{Error, JobData, Reason, Result, validate_id};

/// Longest free text (note, problem, reason, action, caption, description), in bytes.
pub const MAX_TEXT: usize = 16 * 1024;
/// Longest short label (sku, serial, model, fault code), in bytes.
pub const MAX_LABEL: usize = 128;
/// Most entries of one kind (notes, parts, events...) a job holds.
pub const MAX_ENTRIES: usize = 1_000;
/// Largest job, measured as its JSON (what every read of it hydrates).
pub const MAX_JOB_JSON: usize = 4 * 1024 * 1024;
/// Most units on one part line.
pub const MAX_QTY: u32 = 10_000;
/// Highest unit cost or price, in minor units (100 million in the major unit).
pub const MAX_MONEY: i64 = 10_000_000_000;
/// Longest single time entry: a week (travel across days happens; a month is a typo).
pub const MAX_DURATION_MS: i64 = 7 * 24 * 3_600_000;
/// Largest stored attachment (the photo pipeline stores at most 2560 px JPEGs, far smaller).
pub const MAX_ATTACHMENT_BYTES: i64 = 25 * 1024 * 1024;
/// Largest attachment edge in pixels.
pub const MAX_ATTACHMENT_EDGE: u32 = 10_000;
/// Largest sealed report's canonical JSON (10,000 signature points fit well under it).
pub const MAX_REPORT_BYTES: usize = 1024 * 1024;

/// Largest push of one job's new changes, in bytes: two signed reports (each at most
/// [`MAX_REPORT_BYTES`]) and a long offline day's entries fit; writing more at once is not
/// recording a visit. Counts what was written, even if the same change deleted it.
pub const MAX_PUSH_BYTES: usize = 4 * 1024 * 1024;
/// Most operations in one push of one job: entries are written as whole values (a note is one
/// operation, not one per character), so a week offline stays in the thousands.
pub const MAX_PUSH_OPS: usize = 100_000;
/// Largest history a job's document may reach, in bytes (what the office stores and a phone
/// new to the job downloads): four times the largest job, so a job edited for years fits while
/// a phone's 64 MiB answer always holds at least a few such jobs.
pub const MAX_HISTORY_BYTES: usize = 4 * MAX_JOB_JSON;

/// A time (epoch ms) in the window every timestamp from outside must fall in.
pub fn time(field: &str, ms: i64) -> Result<()> {
    if crate::time::in_time_window(ms) {
        Ok(())
    } else {
        Err(Reason::TimeOutOfRange {
            field: field.into(),
            first: *crate::time::TIME_YEARS.start(),
            last: *crate::time::TIME_YEARS.end(),
        }
        .into())
    }
}

/// Free text: not blank, at most [`MAX_TEXT`] bytes.
pub fn text(field: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Reason::Empty {
            field: field.into(),
        }
        .into());
    }
    max_bytes(field, text, MAX_TEXT)
}

/// A short label: not blank, at most [`MAX_LABEL`] bytes.
pub fn label(field: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() || text.len() > MAX_LABEL {
        return Err(Reason::Label {
            field: field.into(),
            max: MAX_LABEL as u64,
        }
        .into());
    }
    Ok(())
}

/// Any text (possibly empty) of at most `max` bytes.
pub fn max_bytes(field: &str, text: &str, max: usize) -> Result<()> {
    if text.len() > max {
        return Err(Reason::TooLong {
            field: field.into(),
            max: max as u64,
        }
        .into());
    }
    Ok(())
}

/// A unit cost or price: 0 to [`MAX_MONEY`] minor units.
pub fn money(field: &str, amount: Option<i64>) -> Result<()> {
    match amount {
        Some(v) if !(0..=MAX_MONEY).contains(&v) => Err(Reason::OutOfRange {
            field: field.into(),
            min: 0,
            max: MAX_MONEY,
            got: v,
        }
        .into()),
        _ => Ok(()),
    }
}

/// A status event. Technicians' events name no technician; an assignment names one.
pub fn event(e: &StatusEvent) -> Result<()> {
    time("at", e.at)?;
    validate_id("by", &e.by)?;
    match (&e.technician, e.status) {
        (Some(t), Status::Assigned) => validate_id("technician", t)?,
        // An assignment to nobody: dispatch took the job back into the tray (unassign).
        (None, Status::Assigned) => {}
        (Some(_), _) => {
            return Err(Error::Invalid(format!(
                "a {} event names no technician",
                e.status
            )));
        }
        (None, _) => {}
    }
    if let Some(r) = &e.reason {
        text("reason", r)?;
    }
    Ok(())
}

/// A note.
pub fn note(n: &Note) -> Result<()> {
    time("at", n.at)?;
    validate_id("author", &n.author)?;
    text("note text", &n.text)
}

/// A travel or labour time entry: ends after it starts, at most [`MAX_DURATION_MS`] long.
pub fn time_entry(t: &TimeEntry) -> Result<()> {
    time("start", t.start)?;
    time("end", t.end)?;
    validate_id("by", &t.by)?;
    if t.end < t.start {
        return Err(Reason::EndsBeforeStart.into());
    }
    if t.end - t.start > MAX_DURATION_MS {
        return Err(Reason::SpanTooLong {
            max_hours: MAX_DURATION_MS / 3_600_000,
        }
        .into());
    }
    Ok(())
}

/// A part line, with its removal mark if any.
pub fn part(p: &PartLine) -> Result<()> {
    label("sku", &p.sku)?;
    max_bytes("description", &p.description, MAX_TEXT)?;
    if p.qty == 0 || p.qty > MAX_QTY {
        return Err(Reason::OutOfRange {
            field: "qty".into(),
            min: 1,
            max: i64::from(MAX_QTY),
            got: i64::from(p.qty),
        }
        .into());
    }
    for (field, serial) in [("serial_in", &p.serial_in), ("serial_out", &p.serial_out)] {
        if let Some(s) = serial {
            label(field, s)?;
        }
    }
    if let Some(s) = &p.stock
        && s != "van"
        && s != "warehouse"
    {
        return Err(Reason::UnknownStock.into());
    }
    money("unit_cost", p.unit_cost)?;
    money("unit_price", p.unit_price)?;
    validate_id("added_by", &p.added_by)?;
    time("added_at", p.added_at)?;
    if let Some(r) = &p.removed {
        validate_id("removed.by", &r.by)?;
        time("removed.at", r.at)?;
    }
    Ok(())
}

/// A diagnosis: a fault code of 1 to 64 characters, an optional action.
pub fn diagnosis(d: &Diagnosis) -> Result<()> {
    time("at", d.at)?;
    validate_id("by", &d.by)?;
    if d.fault_code.trim().is_empty() || d.fault_code.len() > 64 {
        return Err(Reason::Label {
            field: "fault code".into(),
            max: 64,
        }
        .into());
    }
    if let Some(a) = &d.action {
        text("action", a)?;
    }
    Ok(())
}

/// A loaner movement: an issue names the unit's model, a return does not need to.
pub fn loaner(l: &LoanerEvent) -> Result<()> {
    time("at", l.at)?;
    validate_id("by", &l.by)?;
    label("loaner serial", &l.serial)?;
    match (&l.model, l.action) {
        (Some(m), _) => label("loaner model", m),
        (None, LoanAction::Issue) => Err(Reason::LoanerModelMissing.into()),
        (None, LoanAction::Return) => Ok(()),
    }
}

/// A checklist result: `pass`, `fail` or a finite decimal number.
pub fn check(c: &CheckResult) -> Result<()> {
    time("at", c.at)?;
    validate_id("by", &c.by)?;
    validate_id("checklist item", &c.item)?;
    let is_value = c.result.len() <= 32 && c.result.parse::<f64>().is_ok_and(f64::is_finite);
    if c.result != "pass" && c.result != "fail" && !is_value {
        return Err(Reason::NotACheckResult.into());
    }
    if let Some(n) = &c.note {
        text("note", n)?;
    }
    Ok(())
}

/// An attachment entry: a SHA-256 id, a known image type, sane sizes and times.
pub fn attachment(id: &str, a: &Attachment) -> Result<()> {
    if !is_sha256_id(id) {
        return Err(Error::Invalid(
            "attachment id must be a lowercase SHA-256 hex digest".into(),
        ));
    }
    if a.mime != "image/jpeg" && a.mime != "image/png" {
        return Err(Error::Invalid(format!(
            "attachment type must be image/jpeg or image/png, got {:?}",
            truncate(&a.mime)
        )));
    }
    if !(1..=MAX_ATTACHMENT_BYTES).contains(&a.bytes) {
        return Err(Error::Invalid(format!(
            "attachment size must be 1 to {MAX_ATTACHMENT_BYTES} bytes"
        )));
    }
    if a.width == 0
        || a.height == 0
        || a.width > MAX_ATTACHMENT_EDGE
        || a.height > MAX_ATTACHMENT_EDGE
    {
        return Err(Error::Invalid(format!(
            "attachment width and height must be 1 to {MAX_ATTACHMENT_EDGE} pixels"
        )));
    }
    if let Some(c) = &a.caption {
        text("caption", c)?;
    }
    validate_id("by", &a.by)?;
    time("taken_at", a.taken_at)?;
    time("at", a.at)?;
    if let Some(r) = &a.removed {
        validate_id("removed.by", &r.by)?;
        time("removed.at", r.at)?;
    }
    Ok(())
}

/// A sealed report entry's shape (its seal is verified against the document separately).
pub fn sealed_report(r: &SealedReport) -> Result<()> {
    time("at", r.at)?;
    validate_id("by", &r.by)?;
    validate_id("device_id", &r.device_id)?;
    max_bytes("canonical", &r.canonical, MAX_REPORT_BYTES)?;
    if !is_sha256_id(&r.sha256) {
        return Err(Error::Invalid(
            "sha256 must be 64 lowercase hex digits".into(),
        ));
    }
    if r.signature.len() != 128 || !r.signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Invalid("signature must be 128 hex digits".into()));
    }
    Ok(())
}

/// The job's size: at most [`MAX_ENTRIES`] entries of each kind and [`MAX_JOB_JSON`] bytes.
pub fn job_size(d: &JobData) -> Result<()> {
    let counts = [
        ("events", d.events.len()),
        ("notes", d.notes.len()),
        ("time", d.time.len()),
        ("parts", d.parts.len()),
        ("diagnoses", d.diagnoses.len()),
        ("loaners", d.loaners.len()),
        ("checks", d.checks.len()),
        ("attachments", d.attachments.len()),
        ("reports", d.reports.len()),
    ];
    for (what, n) in counts {
        entries(what, n)?;
    }
    let size = serde_json::to_vec(d)
        .map_err(|e| Error::Schema(e.to_string()))?
        .len();
    if size > MAX_JOB_JSON {
        return Err(Error::Invalid(format!(
            "the job would be {size} bytes; a job holds at most {MAX_JOB_JSON}"
        )));
    }
    Ok(())
}

/// A collection of `n` entries is within [`MAX_ENTRIES`].
pub fn entries(what: &str, n: usize) -> Result<()> {
    if n > MAX_ENTRIES {
        return Err(Error::Invalid(format!(
            "a job holds at most {MAX_ENTRIES} {what} entries"
        )));
    }
    Ok(())
}

/// The start of a possibly huge string, for an error message.
fn truncate(s: &str) -> &str {
    let mut end = s.len().min(40);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::Removal;

    const AT: i64 = 1_795_000_000_000; // 2026-11

    fn line() -> PartLine {
        PartLine {
            sku: "PUMP-1".into(),
            description: String::new(),
            qty: 1,
            serial_in: None,
            serial_out: None,
            stock: None,
            added_by: "tech-1".into(),
            added_at: AT,
            removed: None,
            unit_cost: Some(100),
            unit_price: None,
        }
    }

    #[test]
    fn part_bounds_name_the_field() {
        assert!(part(&line()).is_ok());
        type Spoil = fn(&mut PartLine);
        let cases: [(Spoil, &str); 6] = [
            (|p| p.qty = 0, "qty"),
            (|p| p.qty = MAX_QTY + 1, "qty"),
            (|p| p.unit_cost = Some(-1), "unit_cost"),
            (|p| p.unit_price = Some(MAX_MONEY + 1), "unit_price"),
            (|p| p.description = "x".repeat(MAX_TEXT + 1), "description"),
            (
                |p| {
                    p.removed = Some(Removal {
                        by: "tech-1".into(),
                        at: i64::MAX,
                    })
                },
                "removed.at",
            ),
        ];
        for (spoil, field) in cases {
            let mut p = line();
            spoil(&mut p);
            let err = part(&p).expect_err(field).to_string();
            assert!(err.contains(field), "{err} should name {field}");
        }
    }

    #[test]
    fn time_entries_are_ordered_and_bounded() {
        let t = |start, end| TimeEntry {
            kind: crate::TimeKind::Labour,
            start,
            end,
            by: "tech-1".into(),
        };
        assert!(time_entry(&t(AT, AT + 3_600_000)).is_ok());
        assert!(time_entry(&t(AT, AT - 1)).is_err());
        assert!(time_entry(&t(AT, AT + MAX_DURATION_MS + 1)).is_err());
        assert!(time_entry(&t(i64::MIN, AT)).is_err());
    }

    #[test]
    fn checks_refuse_non_numbers_and_huge_results() {
        let c = |result: &str| CheckResult {
            item: "pressure".into(),
            result: result.into(),
            note: None,
            by: "tech-1".into(),
            at: AT,
        };
        for ok in ["pass", "fail", "2.5", "-0.1"] {
            assert!(check(&c(ok)).is_ok(), "{ok}");
        }
        for bad in ["NaN", "inf", "", "ok", &"9".repeat(400)] {
            assert!(check(&c(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_assignments_name_a_technician() {
        let e = |status, technician: Option<&str>| StatusEvent {
            status,
            at: AT,
            by: "dispatch".into(),
            technician: technician.map(str::to_string),
            reason: None,
        };
        assert!(event(&e(Status::Assigned, Some("tech-1"))).is_ok());
        // Naming nobody is dispatch taking the job back (unassign).
        assert!(event(&e(Status::Assigned, None)).is_ok());
        assert!(event(&e(Status::Assigned, Some("bad id"))).is_err());
        assert!(event(&e(Status::OnSite, Some("tech-1"))).is_err());
        assert!(event(&e(Status::OnSite, None)).is_ok());
    }

    #[test]
    fn truncate_keeps_char_boundaries() {
        let s = "设".repeat(30);
        assert!(truncate(&s).len() <= 40);
        assert!(s.starts_with(truncate(&s)));
    }
}
