//! Spare parts (issue 21, ADR 0015): the catalogue, the places stock is kept (warehouses and
//! vans) and the stock ledger, the same on the phone and at the office.
//!
//! Nobody writes a stock level. Every movement is an immutable entry with a fresh id (a
//! receipt, a transfer, a van's receipt of a transfer, a consumption on a job and its reversal,
//! a return, a count, an adjustment), and a level is the fold of the entries that touch its
//! place ([`levels`]). The fold only adds, so entries written offline on two phones and at the
//! office give the same levels in whatever order they arrive: the ledger merges as a set of
//! entries (a grow-only set), and the sync only has to deliver each entry once per replica
//! (it is keyed by id, so a resent entry is the same entry).
//!
//! What the fold needs to stay order-free:
//! - a transfer leaves its warehouse at once and is *in transit* to the van until the van's
//!   `received` entry answers it; the van's level then gains what was counted on arrival, not
//!   what was sent (a difference is the transfer's discrepancy);
//! - a count records, per part, the level its replica showed (`expected`) beside what was found
//!   (`qty`): the difference is a fixed adjustment, so movements the counter had not yet seen
//!   still add on top instead of being overwritten;
//! - going below zero is allowed (the part was physically in the van) and flagged with the jobs
//!   that consumed it; a serial consumed twice is flagged the same way.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{Error, Result, rules, validate_id};

/// Most lines one movement carries: a van's whole replenishment fits.
pub const MAX_LINES: usize = 500;
/// Largest quantity on one line: far beyond any real movement, small enough that a year of
/// sums cannot overflow.
pub const MAX_QTY: i64 = 1_000_000;
/// Most serials one line names.
pub const MAX_SERIALS: usize = 1000;

/// A part in the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Part {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    )]
    pub sku: String,
    pub name: PartName,
    /// `pcs`, `m`, `l`...
    pub unit: String,
    /// Price per unit in cents (what a chargeable use costs the customer).
    pub unit_price: i64,
    /// Tracked one by one: every movement names the serials it moves.
    pub serialised: bool,
    /// The part's own warranty once fitted, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(maximum = 240))]
    pub warranty_months: Option<u32>,
}

/// A part's name in both languages the apps speak.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartName {
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
    pub en: String,
}

impl Part {
    /// Checks a part as the catalogue takes it.
    pub fn check(&self) -> Result<()> {
        validate_id("sku", &self.sku)?;
        rules::text("part name (zh-CN)", &self.name.zh_cn)?;
        rules::text("part name (en)", &self.name.en)?;
        rules::text("unit", &self.unit)?;
        if !(0..=rules::MAX_MONEY).contains(&self.unit_price) {
            return Err(Error::Invalid(format!(
                "unit_price must be 0 to {} cents",
                rules::MAX_MONEY
            )));
        }
        if self.warranty_months.is_some_and(|m| m > 240) {
            return Err(Error::Invalid("warranty_months must be at most 240".into()));
        }
        Ok(())
    }
}

/// What a stock location is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// A regional warehouse (备件库).
    Warehouse,
    /// A technician's van; a crew may share one.
    Van,
}

/// A place stock is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Location {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    )]
    pub id: String,
    pub kind: LocationKind,
    /// Who works from it (a van's crew); none for a warehouse.
    #[serde(default)]
    pub technicians: Vec<String>,
    /// The region it serves: a van is stocked from its region's warehouses.
    pub region: String,
}

impl Location {
    /// Checks a location as the office registers it.
    pub fn check(&self) -> Result<()> {
        validate_id("location", &self.id)?;
        rules::text("region", &self.region)?;
        for t in &self.technicians {
            validate_id("technician", t)?;
        }
        match (self.kind, self.technicians.is_empty()) {
            (LocationKind::Van, true) => {
                Err(Error::Invalid("a van has at least one technician".into()))
            }
            (LocationKind::Warehouse, false) => Err(Error::Invalid(
                "a warehouse has no technicians; vans do".into(),
            )),
            _ => Ok(()),
        }
    }
}

/// What a movement does. Which places it names, and who may write it, is in
/// [`Movement::check`] and the office's check of a device's entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Parts into a warehouse from a supplier (`to`).
    Receipt,
    /// Warehouse (`from`) to van (`to`): in transit until the van receives it.
    Transfer,
    /// The van (`to`) counted what arrived of a transfer (`answers`).
    Received,
    /// Used on a job from the van (`from`): the job's part line.
    Consumption,
    /// A part line removed from the job: the part goes back into the van (`to`).
    Unconsumed,
    /// A part sent back from the van (`from`) to a warehouse (`to`): defective, unused, or
    /// removed from the customer's equipment ([`ReturnReason`]).
    Return,
    /// The warehouse (`to`) has the returned part (`answers`): an unused one is stock again.
    ReturnReceived,
    /// The parts found at a place (`to`), each beside the level the counter was shown.
    Count,
    /// The office corrects a level: out of `from` or into `to`.
    Adjustment,
}

impl MovementKind {
    /// The movements a technician's phone writes; the rest are the office's.
    pub fn by_device(self) -> bool {
        use MovementKind::*;
        matches!(self, Received | Consumption | Unconsumed | Return | Count)
    }
}

/// Why a part goes back to the warehouse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReturnReason {
    /// A part of the van's stock found faulty: it leaves the van's stock for the maker.
    Defective,
    /// Not needed: it leaves the van's stock and is stock again once the warehouse has it.
    Unused,
    /// Taken off the customer's equipment (the part a repair replaced, by its serial): never
    /// the van's stock; the warehouse expects it back (in warranty, for the maker).
    Removed,
}

/// One part on a movement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StockLine {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    )]
    pub sku: String,
    /// How many (a count: how many were found, which may be 0).
    pub qty: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serials: Vec<String>,
    /// A count only: the level the counting replica showed for this part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<i64>,
}

/// One entry of the stock ledger: immutable once written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Movement {
    pub id: String,
    pub kind: MovementKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub lines: Vec<StockLine>,
    /// The job a part was used on or came back from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// The job's part line a consumption (or its reversal) belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_line: Option<String>,
    /// The movement this one answers: the transfer received, the return received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ReturnReason>,
    /// Who wrote it (a technician, or `dispatch`) and when, on the writer's clock (ms).
    pub by: String,
    pub at: i64,
}

impl Movement {
    /// Checks the entry's own shape: ids, the places its kind names, quantities and serials
    /// (what it refers to, the catalogue and the places, is the caller's to check).
    pub fn check(&self) -> Result<()> {
        use MovementKind::*;
        validate_id("movement id", &self.id)?;
        validate_id("by", &self.by)?;
        rules::time("at", self.at)?;
        let (from, to) = (self.from.is_some(), self.to.is_some());
        let places_ok = match self.kind {
            Receipt | Received | Unconsumed | ReturnReceived | Count => !from && to,
            Transfer | Return => from && to,
            Consumption => from && !to,
            Adjustment => from != to,
        };
        if !places_ok {
            return Err(Error::Invalid(format!(
                "a {} names {}",
                kind_name(self.kind),
                match self.kind {
                    Receipt | Received | Unconsumed | ReturnReceived | Count => "`to` only",
                    Transfer | Return => "both `from` and `to`",
                    Consumption => "`from` only",
                    Adjustment => "either `from` or `to`",
                }
            )));
        }
        for place in self.from.iter().chain(&self.to) {
            validate_id("location", place)?;
        }
        if self.from.is_some() && self.from == self.to {
            return Err(Error::Invalid("from and to are the same place".into()));
        }
        if matches!(self.kind, Received | ReturnReceived) != self.answers.is_some() {
            return Err(Error::Invalid(format!(
                "`answers` names the movement a receipt answers, and only then (a {})",
                kind_name(self.kind)
            )));
        }
        if matches!(self.kind, Consumption | Unconsumed)
            && (self.job.is_none() || self.part_line.is_none())
        {
            return Err(Error::Invalid(
                "a consumption names its job and part line".into(),
            ));
        }
        if (self.kind == Return) != self.reason.is_some() {
            return Err(Error::Invalid(
                "a return, and only a return, says why (defective or unused)".into(),
            ));
        }
        for id in self.job.iter().chain(&self.part_line).chain(&self.answers) {
            validate_id("reference", id)?;
        }
        if self.lines.is_empty() || self.lines.len() > MAX_LINES {
            return Err(Error::Invalid(format!(
                "a movement has 1 to {MAX_LINES} lines"
            )));
        }
        let mut skus = BTreeSet::new();
        for line in &self.lines {
            validate_id("sku", &line.sku)?;
            if !skus.insert(line.sku.as_str()) {
                return Err(Error::Invalid(format!(
                    "part {} is on two lines of one movement",
                    line.sku
                )));
            }
            let least = if self.kind == Count { 0 } else { 1 };
            if !(least..=MAX_QTY).contains(&line.qty) {
                return Err(Error::Invalid(format!(
                    "qty of {} must be {least} to {MAX_QTY}",
                    line.sku
                )));
            }
            if (self.kind == Count) != line.expected.is_some() {
                return Err(Error::Invalid(
                    "a count, and only a count, says what level it expected".into(),
                ));
            }
            if line.expected.is_some_and(|e| e.abs() > MAX_QTY * 1000) {
                return Err(Error::Invalid("expected level out of range".into()));
            }
            if line.serials.len() > MAX_SERIALS || line.serials.len() as i64 > line.qty {
                return Err(Error::Invalid(format!(
                    "{} names more serials than its qty",
                    line.sku
                )));
            }
            let mut seen = BTreeSet::new();
            for s in &line.serials {
                validate_id("serial", s)?;
                if !seen.insert(s) {
                    return Err(Error::Invalid(format!("serial {s} is named twice")));
                }
            }
        }
        Ok(())
    }

    /// Checks that a serialised part's lines name one serial per unit (counts excepted: they
    /// say how many were found).
    pub fn check_serials(&self, catalogue: &BTreeMap<String, Part>) -> Result<()> {
        for line in &self.lines {
            let Some(part) = catalogue.get(&line.sku) else {
                return Err(Error::Invalid(format!(
                    "no part {} in the catalogue",
                    line.sku
                )));
            };
            if part.serialised
                && self.kind != MovementKind::Count
                && line.serials.len() as i64 != line.qty
            {
                return Err(Error::Invalid(format!(
                    "{} is serialised: name one serial per unit ({} units, {} serials)",
                    line.sku,
                    line.qty,
                    line.serials.len()
                )));
            }
        }
        Ok(())
    }
}

/// A movement as the office's ledger holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Its place in the office's ledger: a phone's stock cursor.
    pub seq: u64,
    #[serde(flatten)]
    pub movement: Movement,
    /// When it reached the office (the office's clock, ms).
    pub reached_office_at: i64,
}

// By hand: the movement's fields are flattened in, and its own schema refuses fields it does
// not name (`deny_unknown_fields`), so a reference to it beside `seq` could never validate.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for LedgerEntry {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{Object, Schema};
        use utoipa::openapi::{RefOr, Type};
        let RefOr::T(Schema::Object(mut object)) = <Movement as utoipa::PartialSchema>::schema()
        else {
            return <Movement as utoipa::PartialSchema>::schema();
        };
        object.additional_properties = None;
        object.description = Some("A movement as the office's ledger holds it.".into());
        for (name, what) in [
            (
                "seq",
                "Its place in the office's ledger: a phone's stock cursor.",
            ),
            (
                "reached_office_at",
                "When it reached the office (the office's clock, ms).",
            ),
        ] {
            let mut field = Object::with_type(Type::Integer);
            field.format = Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int64,
            ));
            field.description = Some(what.into());
            object
                .properties
                .insert(name.into(), RefOr::T(Schema::Object(field)));
            object.required.push(name.into());
        }
        RefOr::T(Schema::Object(object))
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for LedgerEntry {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <Movement as utoipa::ToSchema>::schemas(schemas);
    }
}

/// What a phone knows of the catalogue: every part, and the places it deals with (its vans and
/// the warehouses of their regions).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    /// Changes whenever any of it does (never 0, which means "none").
    pub version: u32,
    pub parts: Vec<Part>,
    pub locations: Vec<Location>,
}

impl Catalogue {
    /// The catalogue of `parts` and `locations`, with its version (a hash of both).
    pub fn new(parts: Vec<Part>, locations: Vec<Location>) -> Catalogue {
        use sha2::Digest;
        let bytes = serde_json::to_vec(&(&parts, &locations)).unwrap_or_default();
        let digest = sha2::Sha256::digest(&bytes);
        let version = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]).max(1);
        Catalogue {
            version,
            parts,
            locations,
        }
    }
}

/// The kind's name as the JSON spells it.
pub fn kind_name(kind: MovementKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A part's level at one place, folded from the ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Level {
    pub sku: String,
    /// On hand (may be below zero: used offline before the books knew it was there).
    pub qty: i64,
    /// Sent to this place and not yet counted in.
    pub in_transit: i64,
    /// `below_zero`, `serial_used_twice`.
    pub flags: Vec<String>,
    /// The jobs behind a flag: those that consumed the part here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jobs: Vec<String>,
}

/// Every part's level at `location`, by SKU, from the entries (in any order; an id seen
/// twice counts once).
pub fn levels<'a>(location: &str, entries: impl IntoIterator<Item = &'a Movement>) -> Vec<Level> {
    use MovementKind::*;
    let mut unique: BTreeMap<&str, &Movement> = BTreeMap::new();
    for e in entries {
        unique.entry(e.id.as_str()).or_insert(e);
    }
    // What each transfer or return sent, and whether it has been answered.
    let answered: BTreeSet<&str> = unique
        .values()
        .filter_map(|e| e.answers.as_deref())
        .collect();
    let first = first_answers(&unique);
    let here = |place: &Option<String>| place.as_deref() == Some(location);
    let mut by_sku: BTreeMap<&str, Level> = BTreeMap::new();
    // Serials consumed here, by (sku, serial): the jobs that consumed them, minus reversals.
    let mut consumed: BTreeMap<(&str, &str), Vec<(&str, &str)>> = BTreeMap::new();
    let mut consumers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut reversed: BTreeSet<(&str, &str)> = BTreeSet::new();
    for e in unique.values() {
        for line in &e.lines {
            let level = by_sku.entry(line.sku.as_str()).or_insert_with(|| Level {
                sku: line.sku.clone(),
                ..Level::default()
            });
            let q = line.qty;
            // A second answer to one transfer or return (two crew members counting the same
            // delivery offline) adds nothing: the first by (time, id) counts.
            if e.answers.is_some() && !first.contains(e.id.as_str()) {
                continue;
            }
            match e.kind {
                Receipt | Received | Unconsumed if here(&e.to) => level.qty += q,
                Transfer if here(&e.from) => level.qty -= q,
                // In transit until answered by the van's count of what arrived.
                Transfer if here(&e.to) && !answered.contains(e.id.as_str()) => {
                    level.in_transit += q
                }
                Return if here(&e.from) && e.reason != Some(ReturnReason::Removed) => {
                    level.qty -= q
                }
                // A returned unused part is in transit to the warehouse until it arrives (a
                // defective one is not stock there).
                Return
                    if here(&e.to)
                        && !answered.contains(e.id.as_str())
                        && e.reason == Some(ReturnReason::Unused) =>
                {
                    level.in_transit += q
                }
                // Only an unused part is stock again; a defective one goes to the maker.
                ReturnReceived if here(&e.to) => {
                    let unused = e
                        .answers
                        .as_deref()
                        .and_then(|r| unique.get(r))
                        .is_some_and(|r| r.reason == Some(ReturnReason::Unused));
                    if unused {
                        level.qty += q
                    }
                }
                Count if here(&e.to) => level.qty += q - line.expected.unwrap_or(q),
                Adjustment if here(&e.from) => level.qty -= q,
                Adjustment if here(&e.to) => level.qty += q,
                Consumption if here(&e.from) => {
                    level.qty -= q;
                    let (job, part_line) = (
                        e.job.as_deref().unwrap_or_default(),
                        e.part_line.as_deref().unwrap_or_default(),
                    );
                    consumers.entry(line.sku.as_str()).or_default().insert(job);
                    for s in &line.serials {
                        consumed
                            .entry((line.sku.as_str(), s.as_str()))
                            .or_default()
                            .push((job, part_line));
                    }
                }
                _ => {}
            }
            if e.kind == Unconsumed && here(&e.to) {
                reversed.insert((
                    e.job.as_deref().unwrap_or_default(),
                    e.part_line.as_deref().unwrap_or_default(),
                ));
            }
        }
    }
    let mut twice: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for ((sku, _), uses) in &consumed {
        let live: Vec<_> = uses.iter().filter(|u| !reversed.contains(u)).collect();
        if live.len() > 1 {
            twice
                .entry(sku)
                .or_default()
                .extend(live.iter().map(|u| u.0));
        }
    }
    by_sku
        .into_values()
        .map(|mut level| {
            let mut jobs = BTreeSet::new();
            if level.qty < 0 {
                level.flags.push("below_zero".into());
                jobs.extend(consumers.get(level.sku.as_str()).into_iter().flatten());
            }
            if let Some(j) = twice.get(level.sku.as_str()) {
                level.flags.push("serial_used_twice".into());
                jobs.extend(j);
            }
            level.jobs = jobs.into_iter().map(str::to_string).collect();
            level
        })
        .collect()
}

/// The entries that answer a transfer or a return first, by (device time, id): each
/// transfer and return is received once, whoever else counted it in too.
fn first_answers<'a>(unique: &BTreeMap<&'a str, &'a Movement>) -> BTreeSet<&'a str> {
    let mut first: BTreeMap<&str, &Movement> = BTreeMap::new();
    for e in unique.values() {
        if let Some(a) = e.answers.as_deref() {
            let slot = first.entry(a).or_insert(e);
            if (e.at, &e.id) < (slot.at, &slot.id) {
                *slot = e;
            }
        }
    }
    first.values().map(|e| e.id.as_str()).collect()
}

/// A count line that disagreed with the books: found minus expected, per part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discrepancy {
    pub movement: String,
    pub location: String,
    pub sku: String,
    pub expected: i64,
    pub found: i64,
    pub by: String,
    pub at: i64,
}

/// The discrepancies of counts (one per count line that disagreed) and of transfers received
/// short or over (one per line whose count differs from what was sent).
pub fn discrepancies<'a>(entries: impl IntoIterator<Item = &'a Movement>) -> Vec<Discrepancy> {
    let mut unique: BTreeMap<&str, &Movement> = BTreeMap::new();
    for e in entries {
        unique.entry(e.id.as_str()).or_insert(e);
    }
    let first = first_answers(&unique);
    let mut out = Vec::new();
    for e in unique.values() {
        if e.answers.is_some() && !first.contains(e.id.as_str()) {
            continue;
        }
        let location = e.to.clone().unwrap_or_default();
        let mut push = |sku: &str, expected: i64, found: i64| {
            if expected != found {
                out.push(Discrepancy {
                    movement: e.id.clone(),
                    location: location.clone(),
                    sku: sku.to_string(),
                    expected,
                    found,
                    by: e.by.clone(),
                    at: e.at,
                });
            }
        };
        match e.kind {
            MovementKind::Count => {
                for l in &e.lines {
                    push(&l.sku, l.expected.unwrap_or(l.qty), l.qty);
                }
            }
            MovementKind::Received => {
                let sent = e.answers.as_deref().and_then(|t| unique.get(t));
                for (sku, sent_qty) in sent
                    .map(|t| &t.lines)
                    .into_iter()
                    .flatten()
                    .map(|l| (&l.sku, l.qty))
                {
                    let found = e.lines.iter().find(|l| &l.sku == sku).map_or(0, |l| l.qty);
                    push(sku, sent_qty, found);
                }
                for l in &e.lines {
                    let was_sent = sent.is_some_and(|t| t.lines.iter().any(|s| s.sku == l.sku));
                    if !was_sent {
                        push(&l.sku, 0, l.qty);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: i64 = 1_795_000_000_000;

    fn mv(
        id: &str,
        kind: MovementKind,
        from: Option<&str>,
        to: Option<&str>,
        sku: &str,
        qty: i64,
    ) -> Movement {
        Movement {
            id: id.into(),
            kind,
            from: from.map(Into::into),
            to: to.map(Into::into),
            lines: vec![StockLine {
                sku: sku.into(),
                qty,
                serials: vec![],
                expected: None,
            }],
            job: None,
            part_line: None,
            answers: None,
            reason: None,
            by: "dispatch".into(),
            at: AT,
        }
    }

    fn level(levels: &[Level], sku: &str) -> (i64, i64) {
        levels
            .iter()
            .find(|l| l.sku == sku)
            .map_or((0, 0), |l| (l.qty, l.in_transit))
    }

    #[test]
    fn a_transfer_is_in_transit_until_the_van_counts_what_arrived() {
        use MovementKind::*;
        let receipt = mv("r", Receipt, None, Some("W1"), "FAN", 10);
        let transfer = mv("t", Transfer, Some("W1"), Some("V1"), "FAN", 4);
        let mut received = mv("x", Received, None, Some("V1"), "FAN", 3);
        received.answers = Some("t".into());
        let sent = [receipt.clone(), transfer.clone()];
        assert_eq!(level(&levels("W1", &sent), "FAN"), (6, 0));
        assert_eq!(level(&levels("V1", &sent), "FAN"), (0, 4));
        let all = [receipt.clone(), transfer.clone(), received.clone()];
        assert_eq!(level(&levels("V1", &all), "FAN"), (3, 0));
        // A crew mate counted the same delivery in offline, later: it adds nothing.
        let mut again = mv("y", Received, None, Some("V1"), "FAN", 4);
        (again.answers, again.at) = (Some("t".into()), AT + 5);
        let twice = [receipt, transfer, received, again];
        assert_eq!(level(&levels("V1", &twice), "FAN"), (3, 0));
        assert_eq!(discrepancies(&twice).len(), 1);
        // One short on arrival: one discrepancy, of that transfer's line.
        let d = discrepancies(&all);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].expected, d[0].found), (4, 3));
    }

    #[test]
    fn a_count_adjusts_by_what_its_counter_saw_so_later_moves_still_add() {
        use MovementKind::*;
        let start = mv("a", Adjustment, None, Some("V1"), "FAN", 5);
        // Counted 4 where the phone showed 5; meanwhile another phone used one.
        let mut count = mv("c", Count, None, Some("V1"), "FAN", 4);
        count.lines[0].expected = Some(5);
        let mut used = mv("u", Consumption, Some("V1"), None, "FAN", 1);
        used.job = Some("J-1".into());
        used.part_line = Some("l1".into());
        let entries = [start, count, used];
        assert_eq!(level(&levels("V1", &entries), "FAN"), (3, 0));
        assert_eq!(discrepancies(&entries).len(), 1);
    }

    #[test]
    fn below_zero_and_a_serial_used_twice_are_flagged_with_their_jobs() {
        use MovementKind::*;
        let use_on = |id: &str, job: &str, serial: &str| {
            let mut m = mv(id, Consumption, Some("V1"), None, "PUMP", 1);
            m.job = Some(job.into());
            m.part_line = Some(format!("line-{id}"));
            m.lines[0].serials = vec![serial.into()];
            m
        };
        let entries = [use_on("a", "J-1", "S1"), use_on("b", "J-2", "S1")];
        let l = levels("V1", &entries);
        assert_eq!(l[0].qty, -2);
        assert_eq!(l[0].flags, ["below_zero", "serial_used_twice"]);
        assert_eq!(l[0].jobs, ["J-1", "J-2"]);
        // The second use taken back (its line removed): no longer twice.
        let mut back = use_on("c", "J-2", "S1");
        back.kind = Unconsumed;
        back.part_line = Some("line-b".into());
        (back.from, back.to) = (None, Some("V1".into()));
        let entries = [entries[0].clone(), entries[1].clone(), back];
        let l = levels("V1", &entries);
        assert_eq!(l[0].flags, ["below_zero"]);
    }

    #[test]
    fn shapes_that_make_no_sense_are_refused() {
        use MovementKind::*;
        assert!(mv("a", Receipt, None, Some("W1"), "FAN", 1).check().is_ok());
        assert!(
            mv("a", Receipt, None, Some("W1"), "FAN", -1)
                .check()
                .is_err()
        );
        assert!(
            mv("a", Receipt, None, Some("W1"), "FAN", 0)
                .check()
                .is_err()
        );
        assert!(
            mv("a", Receipt, Some("W2"), Some("W1"), "FAN", 1)
                .check()
                .is_err()
        );
        assert!(
            mv("a", Transfer, Some("W1"), Some("W1"), "FAN", 1)
                .check()
                .is_err()
        );
        assert!(
            mv("a", Consumption, Some("V1"), None, "FAN", 1)
                .check()
                .is_err(),
            "no job"
        );
        assert!(
            mv("a", Received, None, Some("V1"), "FAN", 1)
                .check()
                .is_err(),
            "answers nothing"
        );
        let mut count = mv("a", Count, None, Some("V1"), "FAN", 0);
        assert!(count.check().is_err(), "a count says what it expected");
        count.lines[0].expected = Some(2);
        assert!(count.check().is_ok());
    }
}
