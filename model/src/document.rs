//! `JobDocument`: one Automerge document per job, with the only functions that write to it.
//!
//! Every edit is one Automerge transaction (one change). Additions go into maps keyed by fresh
//! ids; registers are written only by dispatch. Reads go through [`JobDocument::data`], which
//! maps the document onto [`JobData`].

use std::collections::{BTreeSet, HashMap, HashSet};

use automerge::{
    ActorId, Automerge, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, transaction::Transactable,
};
use serde::{Deserialize, Serialize};

use crate::convert::{doc_to_json, json_to_hydrate};
use crate::job::{
    Cause, CheckResult, Customer, Diagnosis, JobData, JobTerms, LoanAction, LoanerEvent, NewJob,
    NewPart, NewTimeEntry, Note, PartLine, Priority, Removal, SCHEMA_VERSION, Site, Status,
    StatusEvent, TimeEntry,
};
use crate::report::{
    self, Attachment, Language, Outcome, Refusal, Report, SealInputs, SealedReport, Signature,
};
use crate::time::parse_rfc3339;
use crate::{Error, JobView, Reason, Result, new_entry_id, rules, status, validate_id};

pub use crate::rules::MAX_TEXT;

/// What a replica gained: see [`JobDocument::growth_since`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Growth {
    /// Bytes of the new changes.
    pub bytes: usize,
    /// Operations in the new changes.
    pub ops: usize,
    /// The history held now: the saved size loaded plus the new changes' bytes.
    pub history_bytes: usize,
}

/// A job's Automerge document.
#[derive(Debug)]
pub struct JobDocument {
    doc: Automerge,
    /// The size of the saved bytes this replica was loaded from (0 when created or wrapped):
    /// the history it arrived with, for [`JobDocument::growth_since`].
    loaded_bytes: usize,
}

impl JobDocument {
    /// Creates the document for a new job. `now` is the creation time (epoch ms); the creator is
    /// recorded as `by` on the first events. The id must already be validated and unique.
    pub fn create(id: &str, new: &NewJob, by: &str, now: i64, actor: ActorId) -> Result<Self> {
        Self::create_with_terms(id, new, &JobTerms::default(), by, now, actor)
    }

    /// [`JobDocument::create`] with the office's additions: contract, asset history, checklist.
    pub fn create_with_terms(
        id: &str,
        new: &NewJob,
        terms: &JobTerms,
        by: &str,
        now: i64,
        actor: ActorId,
    ) -> Result<Self> {
        validate_id("job", id)?;
        check_site(&new.site)?;
        if let Some(c) = &terms.contract {
            c.validate()?;
        }
        for d in [&new.asset.installation_date, &new.asset.acceptance_date]
            .into_iter()
            .flatten()
        {
            crate::calendar::parse_date("asset date", d)?;
        }
        rules::text("problem", &new.problem)?;
        check_customer(&new.customer)?;
        for (field, text, max) in [
            ("asset.serial", new.asset.serial.as_str(), rules::MAX_LABEL),
            ("asset.model", &new.asset.model, rules::MAX_LABEL),
            ("channel", new.channel.as_deref().unwrap_or(""), 64),
        ] {
            rules::max_bytes(field, text, max)?;
        }
        rules::entries("checklist", terms.checklist.len())?;
        rules::entries("asset_history", terms.asset_history.len())?;
        for item in &terms.checklist {
            validate_id("checklist item", &item.id)?;
            rules::label("checklist label", &item.label)?;
            rules::max_bytes("checklist unit", item.unit.as_deref().unwrap_or(""), 32)?;
        }
        if let Some(t) = &new.technician {
            validate_id("technician", t)?;
        }
        let scheduled_start = opt_time("scheduled_start", new.scheduled_start.as_deref())?;
        let scheduled_end = opt_time("scheduled_end", new.scheduled_end.as_deref())?;
        check_window(scheduled_start, scheduled_end)?;
        let data = JobData {
            schema: SCHEMA_VERSION,
            id: id.to_string(),
            customer: new.customer.clone(),
            site: new.site.clone(),
            asset: new.asset.clone(),
            problem: new.problem.clone(),
            channel: new.channel.clone(),
            priority: new.priority,
            reported_at: parse_rfc3339("reported_at", &new.reported_at)?,
            scheduled_start,
            scheduled_end,
            events: Default::default(),
            notes: Default::default(),
            time: Default::default(),
            parts: Default::default(),
            kind: terms.kind,
            contract: terms.contract.clone(),
            asset_history: terms.asset_history.clone(),
            checklist: terms.checklist.clone(),
            diagnoses: Default::default(),
            loaners: Default::default(),
            checks: Default::default(),
            attachments: Default::default(),
            reports: Default::default(),
            people: Default::default(),
        };
        let mut doc = Automerge::new().with_actor(actor);
        let root = match json_to_hydrate(&to_json(&data)?) {
            automerge::hydrate::Value::Map(m) => m,
            _ => return Err(Error::Schema("job data is not a map".into())),
        };
        let mut tx = doc.transaction();
        tx.init_root_from_hydrate(&root)?;
        tx.commit();
        let mut job = JobDocument {
            doc,
            loaded_bytes: 0,
        };
        job.append_event(StatusEvent {
            status: Status::New,
            at: now,
            by: by.to_string(),
            technician: None,
            reason: None,
        })?;
        if let Some(t) = &new.technician {
            job.assign(t, by, now)?;
        }
        Ok(job)
    }

    /// Loads a document from saved bytes (a snapshot, optionally followed by incremental chunks).
    pub fn load(bytes: &[u8], actor: ActorId) -> Result<Self> {
        let doc = Automerge::load(bytes)?.with_actor(actor);
        Ok(JobDocument {
            doc,
            loaded_bytes: bytes.len(),
        })
    }

    /// Wraps an existing Automerge document.
    pub fn from_automerge(doc: Automerge) -> Self {
        JobDocument {
            doc,
            loaded_bytes: 0,
        }
    }

    /// The underlying Automerge document (for sync: heads, changes, merges).
    pub fn automerge(&self) -> &Automerge {
        &self.doc
    }

    /// Mutable access to the Automerge document (for applying received changes).
    pub fn automerge_mut(&mut self) -> &mut Automerge {
        &mut self.doc
    }

    /// The document's current heads.
    pub fn heads(&self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// A compacted snapshot of the whole document.
    pub fn save(&self) -> Vec<u8> {
        self.doc.save()
    }

    /// The changes made since `heads`, encoded for `load_incremental`.
    pub fn save_after(&self, heads: &[ChangeHash]) -> Vec<u8> {
        self.doc.save_after(heads)
    }

    /// Applies saved bytes or change chunks from another replica. Idempotent.
    pub fn apply(&mut self, bytes: &[u8]) -> Result<()> {
        if !bytes.is_empty() {
            self.doc.load_incremental(bytes)?;
        }
        Ok(())
    }

    /// Like [`JobDocument::apply`], but refuses bytes that do not decode completely as
    /// Automerge chunks (Automerge itself skips an undecodable tail with a warning). The server
    /// uses this on everything a device sends.
    pub fn apply_strict(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let options = automerge::LoadOptions::new()
            .on_partial_load(automerge::OnPartialLoad::Error)
            .verification_mode(automerge::VerificationMode::DontCheck);
        match Automerge::load_with_options(bytes, options) {
            // Decoded completely; the changes merely build on history not in this probe.
            Ok(_) | Err(automerge::AutomergeError::MissingDeps) => self.apply(bytes),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether this replica holds every change named in `heads`.
    pub fn has_all(&self, heads: &[ChangeHash]) -> bool {
        heads
            .iter()
            .all(|h| self.doc.get_change_meta_by_hash(h).is_some())
    }

    /// What this replica gained since `before`: the changes' bytes and operations, and the
    /// history it now holds (the saved size it was loaded with plus those bytes). The office
    /// bounds each with [`rules::MAX_PUSH_BYTES`], [`rules::MAX_PUSH_OPS`] and
    /// [`rules::MAX_HISTORY_BYTES`]: a change can write and delete a large value at once, so
    /// the final job looks small while its history grows.
    pub fn growth_since(&self, before: &[ChangeHash]) -> Growth {
        let mut growth = Growth::default();
        for change in self.doc.get_changes(before) {
            growth.bytes += change.raw_bytes().len();
            growth.ops += change.len();
        }
        growth.history_bytes = self.loaded_bytes + growth.bytes;
        growth
    }

    /// The first change gained since `before` whose author already knew that the job was no
    /// longer `technician`'s: the job's assignee as of the change's dependencies (what its
    /// author had seen) is someone else, or nobody. Work done before the author learned of a
    /// move passes; work done after it does not.
    pub fn written_after_reassignment(
        &self,
        before: &[ChangeHash],
        technician: &str,
    ) -> Result<Option<ChangeHash>> {
        let new = self.doc.get_changes(before);
        let fresh: HashSet<ChangeHash> = new.iter().map(|c| c.hash()).collect();
        // Per new change, the changes the office already held that it builds on (its author
        // added nothing that assigns), found in dependency order.
        let mut known: HashMap<ChangeHash, BTreeSet<ChangeHash>> = HashMap::new();
        let mut assignee_at: HashMap<Vec<ChangeHash>, Option<String>> = HashMap::new();
        let mut pending: Vec<&automerge::Change> = new.iter().collect();
        while !pending.is_empty() {
            let before_pass = pending.len();
            let mut later = Vec::new();
            for change in pending {
                if change
                    .deps()
                    .iter()
                    .any(|d| fresh.contains(d) && !known.contains_key(d))
                {
                    later.push(change);
                    continue;
                }
                let mut base = BTreeSet::new();
                for dep in change.deps() {
                    match known.get(dep) {
                        Some(theirs) => base.extend(theirs.iter().copied()),
                        None => {
                            base.insert(*dep);
                        }
                    }
                }
                let key: Vec<ChangeHash> = base.iter().copied().collect();
                let assignee = match assignee_at.get(&key) {
                    Some(a) => a.clone(),
                    None => {
                        let past = JobDocument::from_automerge(self.doc.fork_at(&key)?);
                        let a = past.derived()?.technician;
                        assignee_at.insert(key, a.clone());
                        a
                    }
                };
                if assignee.as_deref() != Some(technician) {
                    return Ok(Some(change.hash()));
                }
                known.insert(change.hash(), base);
            }
            if later.len() == before_pass {
                // Dependencies that never arrive: the caller refuses these as incomplete.
                return Ok(None);
            }
            pending = later;
        }
        Ok(None)
    }

    /// The change that took the job away from `technician` (the one that wrote the assignment
    /// in force, to someone else), or `None` while the job is `technician`'s or was never
    /// assigned. A device told that its job moved receives the history up to it, so whatever
    /// it writes afterwards says that it knew ([`JobDocument::written_after_reassignment`]).
    pub fn moved_away_from(&self, technician: &str) -> Result<Option<ChangeHash>> {
        let data = self.data()?;
        let Some((id, event)) = status::ordered(&data.events)
            .into_iter()
            .rev()
            .find(|(_, e)| e.status == Status::Assigned)
        else {
            return Ok(None);
        };
        if event.technician.as_deref() == Some(technician) {
            return Ok(None);
        }
        let Some((_, events)) = self.doc.get(ROOT, "events")? else {
            return Ok(None);
        };
        let Some((_, automerge::ObjId::Id(counter, actor, _))) =
            self.doc.get(&events, id.as_str())?
        else {
            return Ok(None);
        };
        Ok(self
            .doc
            .get_changes_meta(&[])
            .into_iter()
            .find(|c| *c.actor == actor && (c.start_op..=c.max_op).contains(&counter))
            .map(|c| c.hash))
    }

    /// The changes up to `until` (and its history) that a replica holding `have` lacks.
    pub fn save_until(&self, until: &[ChangeHash], have: &[ChangeHash]) -> Result<Vec<u8>> {
        let past = JobDocument::from_automerge(self.doc.fork_at(until)?);
        let have: Vec<ChangeHash> = have
            .iter()
            .copied()
            .filter(|h| past.has_all(&[*h]))
            .collect();
        Ok(past.save_after(&have))
    }

    /// Dependencies referenced by received changes that this replica does not have yet.
    pub fn missing_deps(&self) -> Vec<ChangeHash> {
        self.doc.get_missing_deps(&[])
    }

    /// Reads the document into the schema structs.
    pub fn data(&self) -> Result<JobData> {
        serde_json::from_value(doc_to_json(&self.doc)).map_err(|e| Error::Schema(e.to_string()))
    }

    /// The job JSON both sides render (`fieldwork show --json`, `GET /api/v1/jobs/{id}`), as of
    /// `now` (epoch ms), which decides the state of SLA milestones not yet met.
    pub fn view(&self, now: i64) -> Result<JobView> {
        JobView::from_data(&self.data()?, now)
    }

    /// Current status and technician, folded from the events.
    pub fn derived(&self) -> Result<status::Derived> {
        Ok(status::derive(&self.data()?.events))
    }

    /// Records a technician's status change at device time `at`. Terminal jobs refuse it.
    pub fn record_status(&mut self, new: Status, by: &str, at: i64) -> Result<String> {
        if !new.is_technician_status() {
            return Err(Reason::NotATechnicianStatus {
                status: new.to_string(),
            }
            .into());
        }
        let data = self.data()?;
        let current = status::derive(&data.events);
        if current.status.is_terminal() {
            return Err(Error::IllegalTransition {
                job: data.id,
                from: current.status.as_str(),
                to: new.as_str(),
            });
        }
        self.append_event(StatusEvent {
            status: new,
            at,
            by: by.to_string(),
            technician: None,
            reason: None,
        })
    }

    /// Dispatch gives the job to `technician`.
    pub fn assign(&mut self, technician: &str, by: &str, at: i64) -> Result<String> {
        validate_id("technician", technician)?;
        let at = after_last_assignment(&self.data()?, at);
        self.append_event(StatusEvent {
            status: Status::Assigned,
            at,
            by: by.to_string(),
            technician: Some(technician.to_string()),
            reason: None,
        })
    }

    /// Dispatch takes the job back from its technician into the unassigned tray: an
    /// assignment to nobody (status rules in [`crate::status`]). The job is `new` again; work
    /// already recorded stays in its history. An ended job keeps who did it: refused once it
    /// is completed or cancelled.
    pub fn unassign(&mut self, by: &str, at: i64) -> Result<String> {
        let data = self.data()?;
        refuse_once_ended(&data, Status::New)?;
        let at = after_last_assignment(&data, at);
        self.append_event(StatusEvent {
            status: Status::Assigned,
            at,
            by: by.to_string(),
            technician: None,
            reason: None,
        })
    }

    /// Dispatch cancels the job. Cancelling twice is refused; cancelling a completed job is
    /// refused here (a concurrent cancel from another replica is still kept, see status rules).
    pub fn cancel(&mut self, reason: &str, by: &str, at: i64) -> Result<String> {
        rules::text("reason", reason)?;
        refuse_once_ended(&self.data()?, Status::Cancelled)?;
        self.append_event(StatusEvent {
            status: Status::Cancelled,
            at,
            by: by.to_string(),
            technician: None,
            reason: Some(reason.to_string()),
        })
    }

    /// Appends a note. Returns the note id.
    pub fn add_note(&mut self, author: &str, at: i64, text: &str) -> Result<String> {
        let note = Note {
            author: author.to_string(),
            at,
            text: text.to_string(),
        };
        rules::note(&note)?;
        self.insert_entry("notes", &note)
    }

    /// Adds a part line. Returns the new line id.
    pub fn add_part(&mut self, part: &NewPart, by: &str, at: i64) -> Result<String> {
        let line = PartLine {
            sku: part.sku.clone(),
            description: part.description.clone(),
            qty: part.qty,
            serial_in: part.serial_in.clone(),
            serial_out: part.serial_out.clone(),
            stock: part.stock.clone(),
            added_by: by.to_string(),
            added_at: at,
            removed: None,
            unit_cost: part.unit_cost,
            unit_price: part.unit_price,
        };
        rules::part(&line)?;
        self.insert_entry("parts", &line)
    }

    /// Marks a part line removed. Only its author may; removing twice is a no-op.
    pub fn remove_part(&mut self, line_id: &str, by: &str, at: i64) -> Result<()> {
        let data = self.data()?;
        let line = data.parts.get(line_id).ok_or_else(|| Error::NoSuchLine {
            job: data.id.clone(),
            line: line_id.to_string(),
        })?;
        if line.added_by != by {
            return Err(Error::NotLineAuthor {
                line: line_id.to_string(),
            });
        }
        if line.removed.is_some() {
            return Ok(());
        }
        let parts = self.map_obj("parts")?;
        let line_obj = match self.doc.get(&parts, line_id)? {
            Some((automerge::Value::Object(ObjType::Map), obj)) => obj,
            _ => return Err(Error::Schema(format!("part line {line_id} is not a map"))),
        };
        let removal = Removal {
            by: by.to_string(),
            at,
        };
        rules::time("removed.at", removal.at)?;
        let removal = json_to_hydrate(&to_json(&removal)?);
        let mut tx = self.doc.transaction();
        tx.batch_create_object(&line_obj, "removed", &removal, false)?;
        tx.commit();
        Ok(())
    }

    /// Records travel or labour time. Returns the entry id.
    pub fn add_time(&mut self, entry: NewTimeEntry, by: &str) -> Result<String> {
        let e = TimeEntry {
            kind: entry.kind,
            start: entry.start,
            end: entry.end,
            by: by.to_string(),
        };
        rules::time_entry(&e)?;
        self.insert_entry("time", &e)
    }

    /// Records the fault cause and code found on site (the latest diagnosis counts).
    pub fn record_diagnosis(
        &mut self,
        cause: Cause,
        fault_code: &str,
        action: Option<&str>,
        by: &str,
        at: i64,
    ) -> Result<String> {
        let d = Diagnosis {
            cause,
            fault_code: fault_code.trim().to_string(),
            action: action.map(str::to_string),
            by: by.to_string(),
            at,
        };
        rules::diagnosis(&d)?;
        self.insert_entry("diagnoses", &d)
    }

    /// Lends a loaner unit to the customer. A unit already out on this job is refused.
    pub fn issue_loaner(&mut self, serial: &str, model: &str, by: &str, at: i64) -> Result<String> {
        let event = LoanerEvent {
            action: LoanAction::Issue,
            serial: serial.to_string(),
            model: Some(model.to_string()),
            by: by.to_string(),
            at,
        };
        rules::loaner(&event)?;
        let data = self.data()?;
        if crate::loaners::fold(&data.loaners)
            .iter()
            .any(|l| l.open() && l.serial == serial)
        {
            return Err(Reason::LoanerAlreadyOut {
                serial: serial.to_string(),
            }
            .into());
        }
        self.insert_entry("loaners", &event)
    }

    /// Takes a loaner unit back. Only a unit that is out on this job can be returned.
    pub fn return_loaner(&mut self, serial: &str, by: &str, at: i64) -> Result<String> {
        let event = LoanerEvent {
            action: LoanAction::Return,
            serial: serial.to_string(),
            model: None,
            by: by.to_string(),
            at,
        };
        rules::loaner(&event)?;
        let data = self.data()?;
        if !crate::loaners::fold(&data.loaners)
            .iter()
            .any(|l| l.open() && l.serial == serial)
        {
            return Err(Reason::LoanerNotOut {
                serial: serial.to_string(),
            }
            .into());
        }
        self.insert_entry("loaners", &event)
    }

    /// Records a checklist result: `pass`, `fail` or a measured decimal value.
    pub fn record_check(
        &mut self,
        item: &str,
        result: &str,
        note: Option<&str>,
        by: &str,
        at: i64,
    ) -> Result<String> {
        let data = self.data()?;
        if !data.checklist.is_empty() && !data.checklist.iter().any(|i| i.id == item) {
            return Err(Reason::NoSuchCheckItem {
                item: item.to_string(),
            }
            .into());
        }
        let check = CheckResult {
            item: item.to_string(),
            result: result.to_string(),
            note: note.map(str::to_string),
            by: by.to_string(),
            at,
        };
        rules::check(&check)?;
        self.insert_entry("checks", &check)
    }

    /// Dispatch reschedules the job (epoch ms; `None` clears).
    pub fn set_schedule(&mut self, start: Option<i64>, end: Option<i64>) -> Result<()> {
        check_window(start, end)?;
        let mut tx = self.doc.transaction();
        tx.put(ROOT, "scheduled_start", opt_scalar(start))?;
        tx.put(ROOT, "scheduled_end", opt_scalar(end))?;
        tx.commit();
        Ok(())
    }

    /// Dispatch changes the priority.
    pub fn set_priority(&mut self, priority: Priority) -> Result<()> {
        let mut tx = self.doc.transaction();
        tx.put(ROOT, "priority", priority.as_str())?;
        tx.commit();
        Ok(())
    }

    /// The office records a technician's name beside the job (when it assigns them), so that a
    /// phone can name the authors of notes. A name already recorded is left as it is.
    pub fn set_person(&mut self, id: &str, name: &str) -> Result<()> {
        validate_id("technician", id)?;
        rules::label("technician name", name)?;
        let people = self.map_obj("people")?;
        if let Some((automerge::Value::Scalar(s), _)) = self.doc.get(&people, id)?
            && s.as_str() == Some(name)
        {
            return Ok(());
        }
        rules::entries("people", self.doc.length(&people) + 1)?;
        let mut tx = self.doc.transaction();
        tx.put(&people, id, name)?;
        tx.commit();
        Ok(())
    }

    /// Dispatch corrects the customer's contact: each field its own register (a concurrent edit
    /// of another field by another dispatcher is kept; of the same field, one wins).
    pub fn set_customer(&mut self, c: &Customer) -> Result<()> {
        check_customer(c)?;
        let obj = self.map_obj("customer")?;
        let mut tx = self.doc.transaction();
        tx.put(&obj, "name", c.name.as_str())?;
        tx.put(&obj, "phone", c.phone.as_str())?;
        match &c.email {
            Some(e) => tx.put(&obj, "email", e.as_str())?,
            None => {
                if tx.get(&obj, "email")?.is_some() {
                    tx.delete(&obj, "email")?;
                }
            }
        }
        tx.commit();
        Ok(())
    }

    /// Dispatch corrects the site: address, region class and time zone, each its own register.
    /// The SLA clocks follow (the arrival promise by region, the calendar in the zone).
    pub fn set_site(&mut self, s: &Site) -> Result<()> {
        check_site(s)?;
        let obj = self.map_obj("site")?;
        let mut tx = self.doc.transaction();
        tx.put(&obj, "address", s.address.as_str())?;
        tx.put(&obj, "region", s.region.as_str())?;
        tx.put(&obj, "time_zone", s.time_zone.as_str())?;
        tx.commit();
        Ok(())
    }

    /// Dispatch rewrites the problem description.
    pub fn set_problem(&mut self, problem: &str) -> Result<()> {
        rules::text("problem", problem)?;
        let mut tx = self.doc.transaction();
        tx.put(ROOT, "problem", problem)?;
        tx.commit();
        Ok(())
    }

    /// Reads the document like [`JobDocument::data`], and also returns the paths of keys the
    /// document holds outside the schema (which `data` would silently skip). The office refuses
    /// a push that adds any: they would bloat the document forever.
    pub fn data_checked(&self) -> Result<(JobData, std::collections::BTreeSet<String>)> {
        let json = crate::convert::doc_to_json(&self.doc);
        let data = JobData::deserialize(&json).map_err(|e| Error::Schema(e.to_string()))?;
        let mut extra = std::collections::BTreeSet::new();
        unknown_keys(&json, &to_json(&data)?, &mut String::new(), &mut extra);
        Ok((data, extra))
    }

    /// Reads the document as it was at `heads` (which it must hold).
    pub fn data_at(&self, heads: &[ChangeHash]) -> Result<JobData> {
        let json = crate::convert::hydrate_to_json(&self.doc.hydrate(Some(heads)));
        serde_json::from_value(json).map_err(|e| Error::Schema(e.to_string()))
    }

    /// Adds a photo (or other attachment) entry under its SHA-256 id. Adding the same bytes
    /// again is a no-op.
    pub fn add_attachment(&mut self, id: &str, attachment: &Attachment) -> Result<()> {
        Self::check_attachment(id, attachment)?;
        let obj = self.map_obj("attachments")?;
        if self.doc.get(&obj, id)?.is_some() {
            return Ok(());
        }
        rules::entries("attachments", self.doc.length(&obj) + 1)?;
        let v = json_to_hydrate(&to_json(attachment)?);
        let mut tx = self.doc.transaction();
        tx.batch_create_object(&obj, id, &v, false)?;
        tx.commit();
        Ok(())
    }

    /// Marks a photo removed (only the technician who added it may): it leaves the job's
    /// screens and reports; the entry stays. Removing it again is harmless.
    pub fn remove_attachment(&mut self, id: &str, by: &str, at: i64) -> Result<()> {
        let data = self.data()?;
        let photo = data.attachments.get(id).ok_or_else(|| Error::NoSuchLine {
            job: data.id.clone(),
            line: id.to_string(),
        })?;
        if photo.by != by {
            return Err(Reason::NotPhotoAuthor { id: id.to_string() }.into());
        }
        if photo.removed.is_some() {
            return Ok(());
        }
        rules::time("removed.at", at)?;
        let attachments = self.map_obj("attachments")?;
        let entry = match self.doc.get(&attachments, id)? {
            Some((automerge::Value::Object(ObjType::Map), obj)) => obj,
            _ => return Err(Error::Schema(format!("attachment {id} is not a map"))),
        };
        let removal = json_to_hydrate(&to_json(&Removal {
            by: by.to_string(),
            at,
        })?);
        let mut tx = self.doc.transaction();
        tx.batch_create_object(&entry, "removed", &removal, false)?;
        tx.commit();
        Ok(())
    }

    /// The rules of an attachment entry: a SHA-256 id, a known image type, sane sizes.
    pub fn check_attachment(id: &str, a: &Attachment) -> Result<()> {
        rules::attachment(id, a)
    }

    /// The report the customer would sign now: built from the document as if it were completed
    /// at `at` (if it is not yet), with no outcome. The same code builds the sealed report.
    pub fn preview_report(
        &self,
        language: Language,
        device_id: &str,
        by: &str,
        at: i64,
    ) -> Result<Report> {
        let mut fork = JobDocument {
            doc: self.doc.fork(),
            loaded_bytes: self.loaded_bytes,
        };
        fork.complete_for_report(by, at)?;
        let data = fork.data()?;
        report::build(
            &data,
            SealInputs {
                version: report::next_version(&data),
                language,
                heads: crate::wire::heads_to_hex(&crate::wire::sorted_heads(fork.heads())),
                device_id: device_id.to_string(),
                signature: None,
                refusal: None,
            },
        )
    }

    /// Seals a signed or refused report with the device key (a 32-byte Ed25519 seed) and adds
    /// it as a new version. Records `completed` first if the job is not completed yet; a
    /// cancelled job cannot be signed. Returns the sealed entry and its version.
    pub fn seal_report(
        &mut self,
        language: Language,
        device_id: &str,
        outcome: Outcome,
        secret: &[u8; 32],
        by: &str,
        at: i64,
    ) -> Result<(SealedReport, u32)> {
        let (signature, refusal) = match outcome {
            Outcome::Signed {
                name,
                role,
                strokes,
            } => {
                rules::label("signer name", &name)?;
                if let Some(r) = &role {
                    rules::label("signer role", r)?;
                }
                strokes.validate()?;
                let signed_at = crate::time::to_rfc3339(at);
                (
                    Some(Signature {
                        name,
                        role,
                        signed_at,
                        strokes,
                    }),
                    None,
                )
            }
            Outcome::Refused { reason, name } => {
                rules::text("refusal reason", &reason)?;
                if let Some(n) = &name {
                    rules::label("name", n)?;
                }
                let refused_at = crate::time::to_rfc3339(at);
                (
                    None,
                    Some(Refusal {
                        reason,
                        name,
                        refused_at,
                    }),
                )
            }
        };
        self.complete_for_report(by, at)?;
        let data = self.data()?;
        let version = report::next_version(&data);
        let report = report::build(
            &data,
            SealInputs {
                version,
                language,
                heads: crate::wire::heads_to_hex(&crate::wire::sorted_heads(self.heads())),
                device_id: device_id.to_string(),
                signature,
                refusal,
            },
        )?;
        let sealed = report::seal(&report, secret, by, at)?;
        self.insert_report(&sealed)?;
        Ok((sealed, version))
    }

    /// Appends a sealed report entry as it is. [`JobDocument::seal_report`] is the way to make
    /// one; this is the raw append, which the office's check ([`JobDocument::verify_report`])
    /// guards on the server.
    pub fn insert_report(&mut self, sealed: &SealedReport) -> Result<String> {
        rules::sealed_report(sealed)?;
        self.insert_entry("reports", sealed)
    }

    /// The office's check of a sealed report pushed by `device_id` holding `public_key_hex`:
    /// the hash, the signature, the device, and that the sealed content is exactly what
    /// [`report::build`] makes of this document at the sealed heads.
    pub fn verify_report(
        &self,
        entry: &SealedReport,
        device_id: &str,
        public_key_hex: &str,
    ) -> std::result::Result<Report, report::Unverified> {
        use report::Unverified;
        let report = report::open_sealed(entry)?;
        if entry.device_id != device_id {
            return Err(Unverified(format!(
                "sealed by device {} but pushed by {device_id}",
                entry.device_id
            )));
        }
        report::verify_signature(entry, public_key_hex)?;
        let heads = crate::wire::heads_from_hex(&report.heads)
            .filter(|h| !h.is_empty() && self.has_all(h))
            .ok_or_else(|| Unverified("the sealed heads are not in the document".into()))?;
        let data = self
            .data_at(&heads)
            .map_err(|e| Unverified(format!("document at the sealed heads: {e}")))?;
        if report.job != data.id {
            return Err(Unverified("sealed for another job".into()));
        }
        if report.version != report::next_version(&data) {
            return Err(Unverified(format!(
                "version {} does not follow the versions sealed before it",
                report.version
            )));
        }
        if report.sealed_at() != Some(entry.at) {
            return Err(Unverified("sealing time differs from the entry's".into()));
        }
        let expected = report::content(&data).map_err(|e| Unverified(e.to_string()))?;
        if expected != report.content {
            return Err(Unverified(
                "sealed content differs from the job document at the sealed heads".into(),
            ));
        }
        Ok(report)
    }

    fn complete_for_report(&mut self, by: &str, at: i64) -> Result<()> {
        let data = self.data()?;
        match status::derive(&data.events).status {
            Status::Completed => Ok(()),
            Status::Cancelled => Err(Reason::JobCancelled.into()),
            _ => self.record_status(Status::Completed, by, at).map(drop),
        }
    }

    fn append_event(&mut self, event: StatusEvent) -> Result<String> {
        rules::event(&event)?;
        self.insert_entry("events", &event)
    }

    /// Writes `value` under a fresh id in the root map `collection`, in one change.
    fn insert_entry<T: Serialize>(&mut self, collection: &str, value: &T) -> Result<String> {
        let obj = self.map_obj(collection)?;
        rules::entries(collection, self.doc.length(&obj) + 1)?;
        let id = new_entry_id();
        let v = json_to_hydrate(&to_json(value)?);
        let mut tx = self.doc.transaction();
        tx.batch_create_object(&obj, id.as_str(), &v, false)?;
        tx.commit();
        Ok(id)
    }

    /// The id of a root-level map, created on first use.
    fn map_obj(&mut self, key: &str) -> Result<ObjId> {
        match self.doc.get(ROOT, key)? {
            Some((automerge::Value::Object(ObjType::Map), obj)) => Ok(obj),
            Some(_) => Err(Error::Schema(format!("{key} is not a map"))),
            None => {
                let mut tx = self.doc.transaction();
                let obj = tx.put_object(ROOT, key, ObjType::Map)?;
                tx.commit();
                Ok(obj)
            }
        }
    }
}

/// The customer's fields, as dispatch enters them: a name, a phone and an email that can be one.
fn check_customer(c: &Customer) -> Result<()> {
    if c.name.trim().is_empty() {
        return Err(Reason::Empty {
            field: "customer.name".into(),
        }
        .into());
    }
    rules::max_bytes("customer.name", &c.name, 256)?;
    rules::max_bytes("customer.phone", &c.phone, 64)?;
    if let Some(email) = &c.email
        && !plausible_email(email)
    {
        return Err(Reason::NotAnEmail {
            field: "customer.email".into(),
            value: email.clone(),
        }
        .into());
    }
    Ok(())
}

/// The site's fields: an address and an IANA time zone (the SLA clocks run on it).
fn check_site(s: &Site) -> Result<()> {
    for (field, text, max) in [
        ("site.address", &s.address, 1024),
        ("site.time_zone", &s.time_zone, 64),
    ] {
        if text.trim().is_empty() {
            return Err(Reason::Empty {
                field: field.into(),
            }
            .into());
        }
        rules::max_bytes(field, text, max)?;
    }
    if s.time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(Reason::UnknownTimeZone {
            field: "site.time_zone".into(),
            zone: s.time_zone.clone(),
        }
        .into());
    }
    Ok(())
}

/// One `@` with text on both sides and a dot in the domain, no spaces, at most 254 bytes: what a
/// form can check; the mail server has the last word.
fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Collects the paths of keys in `doc` (the document as JSON) that `schema` (the same document
/// read into the schema and written back) does not have.
fn unknown_keys(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    path: &mut String,
    out: &mut std::collections::BTreeSet<String>,
) {
    let (serde_json::Value::Object(d), serde_json::Value::Object(s)) = (doc, schema) else {
        return;
    };
    for (key, value) in d {
        let len = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
        match s.get(key) {
            Some(known) => unknown_keys(value, known, path, out),
            None => {
                out.insert(path.clone());
            }
        }
        path.truncate(len);
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::Schema(e.to_string()))
}

fn opt_scalar(v: Option<i64>) -> automerge::ScalarValue {
    match v {
        Some(i) => automerge::ScalarValue::Int(i),
        None => automerge::ScalarValue::Null,
    }
}

fn opt_time(field: &str, v: Option<&str>) -> Result<Option<i64>> {
    v.map(|s| parse_rfc3339(field, s)).transpose()
}

fn check_window(start: Option<i64>, end: Option<i64>) -> Result<()> {
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return Err(Error::Invalid(
            "scheduled_end must not be before scheduled_start".into(),
        ));
    }
    Ok(())
}

/// `at`, or a millisecond after the latest assignment if that is later: the status fold
/// orders events by time and then by random id, so two assignments in one millisecond (assign
/// then unassign from a quick drag and undo) would otherwise land in either order.
fn after_last_assignment(data: &JobData, at: i64) -> i64 {
    let last = data
        .events
        .values()
        .filter(|e| e.status == Status::Assigned)
        .map(|e| e.at)
        .max();
    last.map_or(at, |last| at.max(last + 1))
}

/// `IllegalTransition` to `to` once the job is completed or cancelled.
fn refuse_once_ended(data: &JobData, to: Status) -> Result<()> {
    let current = status::derive(&data.events);
    if current.status.is_terminal() {
        return Err(Error::IllegalTransition {
            job: data.id.clone(),
            from: current.status.as_str(),
            to: to.as_str(),
        });
    }
    Ok(())
}
