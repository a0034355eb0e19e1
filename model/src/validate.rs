//! The server's check of changes a device sends: who may change which fields.
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
    ];
    if let Some((field, _)) = registers.iter().find(|(_, same)| !same) {
        return Err(Refused(format!("a device may not change {field}")));
    }

    only_additions("events", &before.events, &after.events, |e| {
        in_window("at", e.at)?;
        if e.by != technician {
            Err(format!("event written as {}", e.by))
        } else if !e.status.is_technician_status() {
            Err(format!("a device may not record status {}", e.status))
        } else {
            Ok(())
        }
    })?;
    only_additions("notes", &before.notes, &after.notes, |n| {
        in_window("at", n.at)?;
        (n.author == technician)
            .then_some(())
            .ok_or_else(|| format!("note written as {}", n.author))
    })?;
    only_additions("time", &before.time, &after.time, |t| {
        in_window("start", t.start)?;
        in_window("end", t.end)?;
        (t.by == technician)
            .then_some(())
            .ok_or_else(|| format!("time entry written as {}", t.by))
    })?;

    only_additions("diagnoses", &before.diagnoses, &after.diagnoses, |d| {
        in_window("at", d.at)?;
        (d.by == technician)
            .then_some(())
            .ok_or_else(|| format!("diagnosis written as {}", d.by))
    })?;
    only_additions("loaners", &before.loaners, &after.loaners, |l| {
        in_window("at", l.at)?;
        (l.by == technician)
            .then_some(())
            .ok_or_else(|| format!("loaner movement written as {}", l.by))
    })?;
    only_additions("checks", &before.checks, &after.checks, |c| {
        in_window("at", c.at)?;
        (c.by == technician)
            .then_some(())
            .ok_or_else(|| format!("check written as {}", c.by))
    })?;

    only_additions(
        "attachments",
        &before.attachments,
        &after.attachments,
        |a| {
            in_window("at", a.at)?;
            (a.by == technician)
                .then_some(())
                .ok_or_else(|| format!("attachment added as {}", a.by))
        },
    )?;
    only_additions("reports", &before.reports, &after.reports, |r| {
        in_window("at", r.at)?;
        (r.by == technician)
            .then_some(())
            .ok_or_else(|| format!("report sealed as {}", r.by))
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
        if let Some(r) = &new.removed {
            in_window("removed.at", r.at).map_err(|m| Refused(format!("part line {id}: {m}")))?;
        }
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
        in_window("added_at", new.added_at).map_err(|m| Refused(format!("part line {id}: {m}")))?;
        if let Some(r) = &new.removed {
            in_window("removed.at", r.at).map_err(|m| Refused(format!("part line {id}: {m}")))?;
        }
        if new.removed.as_ref().is_some_and(|r| r.by != technician) {
            return Err(Refused(format!("part line {id} removed as someone else")));
        }
    }
    Ok(())
}

/// A device time must fall in the window dispatch's times do (`time::TIME_YEARS`): one extreme
/// value would otherwise reach the SLA, charge and KPI arithmetic of every later render.
fn in_window(field: &str, ms: i64) -> Result<(), String> {
    if crate::time::in_time_window(ms) {
        Ok(())
    } else {
        Err(format!(
            "{field} {ms} is outside the years {} to {}",
            crate::time::TIME_YEARS.start(),
            crate::time::TIME_YEARS.end()
        ))
    }
}

fn only_additions<T: PartialEq>(
    what: &str,
    before: &BTreeMap<String, T>,
    after: &BTreeMap<String, T>,
    check_new: impl Fn(&T) -> Result<(), String>,
) -> Result<(), Refused> {
    for (id, old) in before {
        match after.get(id) {
            Some(new) if new == old => {}
            Some(_) => return Err(Refused(format!("{what} entry {id} was changed"))),
            None => return Err(Refused(format!("{what} entry {id} was deleted"))),
        }
    }
    for (id, new) in after.iter().filter(|(id, _)| !before.contains_key(*id)) {
        check_new(new).map_err(|m| Refused(format!("{what} entry {id}: {m}")))?;
    }
    Ok(())
}
