//! The server's check of changes a device sends: who may change which fields, and that every
//! entry it adds keeps the content rules the device's own writers keep ([`crate::rules`]).
//!
//! A technician's device may only *add* to the job: status events (technician statuses only),
//! notes, time entries, part lines, diagnoses, loaner movements, checklist results, attachments
//! and sealed reports written
//! under its own technician id, and removal marks on
//! part lines that technician added. Registers (customer, site, asset, problem, priority,
//! schedule) and anything already present must come out of the merge unchanged. The check
//! compares the job before and after the merge, so it holds whatever Automerge ops were used.

use std::collections::BTreeMap;

use crate::job::JobData;
use crate::report::Attachment;
use crate::{Error, rules};

/// Why a device's changes were refused; the message names fields and ids only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("change refused: {0}")]
pub struct Refused(pub String);

/// Checks that going from `before` to `after` is something `technician`'s device may do.
pub fn device_change(before: &JobData, after: &JobData, technician: &str) -> Result<(), Refused> {
    let registers = [
        ("id", before.id == after.id),
        ("schema", before.schema == after.schema),
        ("customer", before.customer == after.customer),
        ("site", before.site == after.site),
        ("asset", before.asset == after.asset),
        ("problem", before.problem == after.problem),
        ("channel", before.channel == after.channel),
        ("priority", before.priority == after.priority),
        ("reported_at", before.reported_at == after.reported_at),
        (
            "scheduled_start",
            before.scheduled_start == after.scheduled_start,
        ),
        ("scheduled_end", before.scheduled_end == after.scheduled_end),
        ("kind", before.kind == after.kind),
        ("contract", before.contract == after.contract),
        ("asset_history", before.asset_history == after.asset_history),
        ("checklist", before.checklist == after.checklist),
        ("people", before.people == after.people),
    ];
    if let Some((field, _)) = registers.iter().find(|(_, same)| !same) {
        return Err(Refused(format!("a device may not change {field}")));
    }

    only_additions("events", &before.events, &after.events, |_, e| {
        rules::event(e)?;
        if e.by != technician {
            Err(Error::Invalid(format!("event written as {}", e.by)))
        } else if !e.status.is_technician_status() {
            Err(Error::Invalid(format!(
                "a device may not record status {}",
                e.status
            )))
        } else {
            Ok(())
        }
    })?;
    only_additions("notes", &before.notes, &after.notes, |_, n| {
        rules::note(n)?;
        written_by("note", &n.author, technician)
    })?;
    only_additions("time", &before.time, &after.time, |_, t| {
        rules::time_entry(t)?;
        written_by("time entry", &t.by, technician)
    })?;
    only_additions("diagnoses", &before.diagnoses, &after.diagnoses, |_, d| {
        rules::diagnosis(d)?;
        written_by("diagnosis", &d.by, technician)
    })?;
    only_additions("loaners", &before.loaners, &after.loaners, |_, l| {
        rules::loaner(l)?;
        written_by("loaner movement", &l.by, technician)
    })?;
    only_additions("checks", &before.checks, &after.checks, |_, c| {
        rules::check(c)?;
        written_by("check", &c.by, technician)
    })?;
    only_additions_or_removal(
        "attachments",
        &before.attachments,
        &after.attachments,
        |id, a| {
            rules::attachment(id, a)?;
            written_by("attachment", &a.by, technician)
        },
    )?;
    for (id, old) in &before.attachments {
        let new = &after.attachments[id];
        if new != old {
            // Only the removal mark may be added, by the photo's author.
            let unremoved = Attachment {
                removed: None,
                ..new.clone()
            };
            let removal_ok = old.removed.is_none()
                && unremoved == *old
                && old.by == technician
                && new.removed.as_ref().is_some_and(|r| r.by == technician);
            if !removal_ok {
                return Err(Refused(format!(
                    "attachment {id} may only be marked removed, by its author"
                )));
            }
            rules::attachment(id, new).map_err(|e| entry_refused("attachments", id, e))?;
        }
    }
    only_additions("reports", &before.reports, &after.reports, |_, r| {
        rules::sealed_report(r)?;
        written_by("report", &r.by, technician)
    })?;

    for (id, old) in &before.parts {
        let Some(new) = after.parts.get(id) else {
            return Err(Refused(format!("part line {id} was deleted")));
        };
        if new == old {
            continue;
        }
        let mut unremoved = new.clone();
        unremoved.removed = None;
        rules::part(new).map_err(|e| entry_refused("parts", id, e))?;
        let removal_ok = old.removed.is_none()
            && unremoved == *old
            && old.added_by == technician
            && new.removed.as_ref().is_some_and(|r| r.by == technician);
        if !removal_ok {
            return Err(Refused(format!(
                "part line {id} may only be marked removed, by its author"
            )));
        }
    }
    for (id, new) in after
        .parts
        .iter()
        .filter(|(id, _)| !before.parts.contains_key(*id))
    {
        if new.added_by != technician {
            return Err(Refused(format!(
                "part line {id} written as {}",
                new.added_by
            )));
        }
        rules::part(new).map_err(|e| entry_refused("parts", id, e))?;
        if new.removed.as_ref().is_some_and(|r| r.by != technician) {
            return Err(Refused(format!("part line {id} removed as someone else")));
        }
    }
    rules::job_size(after).map_err(|e| Refused(e.to_string()))
}

/// The check of a push that gives back what an office restored from a backup lost: the device
/// may return entries anyone wrote (dispatch's notes, another technician's parts on a job it
/// now holds) and dispatch's register edits (a reschedule), because the office itself wrote
/// them before its disk failed. Still refused: changing or deleting an entry the office holds,
/// changing the job's id or schema, and anything outside the content rules. The office lets a
/// device push this way once per restore (`SyncState::owes_healing`).
pub fn restored_change(before: &JobData, after: &JobData) -> Result<(), Refused> {
    if before.id != after.id || before.schema != after.schema {
        return Err(Refused("a device may not change id or schema".into()));
    }
    only_additions("events", &before.events, &after.events, |_, e| {
        rules::event(e)
    })?;
    only_additions("notes", &before.notes, &after.notes, |_, e| rules::note(e))?;
    only_additions("time", &before.time, &after.time, |_, e| {
        rules::time_entry(e)
    })?;
    only_additions("diagnoses", &before.diagnoses, &after.diagnoses, |_, d| {
        rules::diagnosis(d)
    })?;
    only_additions("loaners", &before.loaners, &after.loaners, |_, e| {
        rules::loaner(e)
    })?;
    only_additions("checks", &before.checks, &after.checks, |_, e| {
        rules::check(e)
    })?;
    only_additions("reports", &before.reports, &after.reports, |_, r| {
        rules::sealed_report(r)
    })?;
    only_additions_or_removal(
        "attachments",
        &before.attachments,
        &after.attachments,
        rules::attachment,
    )?;
    for (id, old) in &before.attachments {
        let new = &after.attachments[id];
        let unremoved = Attachment {
            removed: None,
            ..new.clone()
        };
        if new != old && !(old.removed.is_none() && unremoved == *old) {
            return Err(Refused(format!(
                "attachment {id} may only be marked removed"
            )));
        }
    }
    for (id, old) in &before.parts {
        let Some(new) = after.parts.get(id) else {
            return Err(Refused(format!("part line {id} was deleted")));
        };
        let mut unremoved = new.clone();
        unremoved.removed = None;
        if new != old && !(old.removed.is_none() && unremoved == *old) {
            return Err(Refused(format!(
                "part line {id} may only be marked removed"
            )));
        }
    }
    for (id, line) in after
        .parts
        .iter()
        .filter(|(id, line)| before.parts.get(*id) != Some(*line))
    {
        rules::part(line).map_err(|e| entry_refused("parts", id, e))?;
    }
    rules::job_size(after).map_err(|e| Refused(e.to_string()))
}

/// Refuses keys outside the schema that the push added (`extra` sets from
/// [`crate::JobDocument::data_checked`] before and after the merge).
pub fn no_new_keys(
    before: &std::collections::BTreeSet<String>,
    after: &std::collections::BTreeSet<String>,
) -> Result<(), Refused> {
    match after.difference(before).next() {
        Some(key) => Err(Refused(format!("{key} is not a field of a job"))),
        None => Ok(()),
    }
}

fn written_by(what: &str, by: &str, technician: &str) -> Result<(), Error> {
    if by == technician {
        Ok(())
    } else {
        Err(Error::Invalid(format!("{what} written as {by}")))
    }
}

fn entry_refused(what: &str, id: &str, e: Error) -> Refused {
    Refused(format!("{what} entry {id}: {}", message(&e)))
}

/// The error's message without the kind prefix `Display` adds.
fn message(e: &Error) -> String {
    match e {
        Error::Invalid(m) => m.clone(),
        other => other.to_string(),
    }
}

/// Like [`only_additions`], except that an existing entry may change (the caller judges how):
/// it may not be deleted.
fn only_additions_or_removal<T: PartialEq>(
    what: &str,
    before: &BTreeMap<String, T>,
    after: &BTreeMap<String, T>,
    check_new: impl Fn(&str, &T) -> Result<(), Error>,
) -> Result<(), Refused> {
    for id in before.keys() {
        if !after.contains_key(id) {
            return Err(Refused(format!("{what} entry {id} was deleted")));
        }
    }
    for (id, new) in after.iter().filter(|(id, _)| !before.contains_key(*id)) {
        check_new(id, new).map_err(|e| entry_refused(what, id, e))?;
    }
    Ok(())
}

fn only_additions<T: PartialEq>(
    what: &str,
    before: &BTreeMap<String, T>,
    after: &BTreeMap<String, T>,
    check_new: impl Fn(&str, &T) -> Result<(), Error>,
) -> Result<(), Refused> {
    for (id, old) in before {
        match after.get(id) {
            Some(new) if new == old => {}
            Some(_) => return Err(Refused(format!("{what} entry {id} was changed"))),
            None => return Err(Refused(format!("{what} entry {id} was deleted"))),
        }
    }
    for (id, new) in after.iter().filter(|(id, _)| !before.contains_key(*id)) {
        check_new(id, new).map_err(|e| entry_refused(what, id, e))?;
    }
    Ok(())
}
