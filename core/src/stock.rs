//! The van's stock on the phone, offline (issue 21, ADR 0015): the catalogue and places the
//! office sent, the ledger entries of this technician's van (received from the office, or
//! written here and pending until the office records them), and the levels folded from them
//! with the same code as the office (`fieldwork_model::stock::levels`).
//!
//! Every movement written here is committed before the call returns and goes up with the next
//! sync round. Using a part from the van is part of adding its line to the job
//! ([`Device::add_part`]): the line and the consumption are one transaction, as are a removed
//! line and the part going back into the van.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use fieldwork_model::stock::{
    Level, Location, LocationKind, Movement, MovementKind, Part, ReturnReason, StockLine, levels,
};
use fieldwork_model::wire::{StockPush, StockReply};

use crate::device::Device;
use crate::store;
use crate::{Error, Result};

/// Meta key: the office's ledger sequence number this phone has applied up to.
pub(crate) const STOCK_CURSOR: &str = "stock_cursor";
/// Meta key: the catalogue version this phone holds.
pub(crate) const CATALOGUE_VERSION: &str = "catalogue_version";

/// The van's levels, in the shape of the office's `GET /api/v1/stock/levels`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VanStock {
    pub location: String,
    pub levels: Vec<Level>,
    /// Transfers on their way to the van, to count in when they arrive.
    pub in_transit: Vec<Movement>,
    /// Movements written here the office has not recorded yet.
    pub pending: u64,
    /// Movements the office refused, with why (they count for nothing).
    pub refused: Vec<(String, String)>,
}

/// A part the technician counted: how many, and (serialised parts) which.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counted {
    pub sku: String,
    pub qty: i64,
    pub serials: Vec<String>,
}

fn invalid(message: String) -> Error {
    Error::Model(fieldwork_model::Error::Invalid(message))
}

impl Device {
    /// The parts catalogue the office sent, by SKU.
    pub fn catalogue(&self) -> Result<Vec<Part>> {
        let inner = self.inner.lock();
        bodies(&inner.conn, "SELECT body FROM stock_parts ORDER BY sku")
    }

    /// The van this technician works from (the first by id, if a crew has several), or `None`
    /// before the office put them in one (or before the first sync).
    pub fn van(&self) -> Result<Option<Location>> {
        let me = self.technician()?;
        let inner = self.inner.lock();
        van_of(&inner.conn, &me)
    }

    /// The van's levels now, folded from its ledger (pending entries included, refused ones
    /// not), with the transfers still on their way.
    pub fn van_stock(&self) -> Result<VanStock> {
        let me = self.technician()?;
        let inner = self.inner.lock();
        let van = van_of(&inner.conn, &me)?.ok_or_else(no_van)?;
        let ledger = ledger(&inner.conn)?;
        let received: Vec<&str> = ledger
            .iter()
            .filter(|m| m.kind == MovementKind::Received)
            .filter_map(|m| m.answers.as_deref())
            .collect();
        let in_transit = ledger
            .iter()
            .filter(|m| {
                m.kind == MovementKind::Transfer
                    && m.to.as_deref() == Some(&van.id)
                    && !received.contains(&m.id.as_str())
            })
            .cloned()
            .collect();
        let pending: i64 = inner.conn.query_row(
            "SELECT COUNT(*) FROM stock_movements WHERE pending = 1 AND refused IS NULL",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = inner
            .conn
            .prepare_cached("SELECT id, refused FROM stock_movements WHERE refused IS NOT NULL")?;
        let refused = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(VanStock {
            levels: levels(&van.id, &ledger),
            location: van.id,
            in_transit,
            pending: pending as u64,
            refused,
        })
    }

    /// Counts a transfer in as it arrived at the van: what was found of each part (a part
    /// missing from `counted` arrived as none). Returns the movement's id.
    pub fn receive_transfer(&self, transfer: &str, counted: &[Counted], at: i64) -> Result<String> {
        self.write_movement(|conn, me, van| {
            let ledger = ledger(conn)?;
            let sent = ledger
                .iter()
                .find(|m| {
                    m.id == transfer
                        && m.kind == MovementKind::Transfer
                        && m.to.as_deref() == Some(&van.id)
                })
                .ok_or_else(|| {
                    invalid(format!("no transfer {transfer} on its way to {}", van.id))
                })?;
            let already = ledger.iter().any(|m| {
                m.kind == MovementKind::Received && m.answers.as_deref() == Some(transfer)
            });
            if already {
                return Err(invalid(format!("transfer {transfer} was already received")));
            }
            // Every part sent gets a line (0 if none arrived), and anything extra that came.
            let mut lines: Vec<StockLine> = Vec::new();
            for l in &sent.lines {
                let c = counted.iter().find(|c| c.sku == l.sku);
                // Counted as sent without naming serials: the serials sent.
                let serials = match c {
                    Some(c) if c.serials.is_empty() && c.qty == l.qty => l.serials.clone(),
                    Some(c) => c.serials.clone(),
                    None => Vec::new(),
                };
                lines.push(StockLine {
                    sku: l.sku.clone(),
                    qty: c.map_or(0, |c| c.qty),
                    serials,
                    expected: None,
                });
            }
            for c in counted
                .iter()
                .filter(|c| !sent.lines.iter().any(|l| l.sku == c.sku))
            {
                lines.push(StockLine {
                    sku: c.sku.clone(),
                    qty: c.qty,
                    serials: c.serials.clone(),
                    expected: None,
                });
            }
            // A line of nothing says "none arrived"; the ledger keeps only what did.
            lines.retain(|l| l.qty > 0);
            if lines.is_empty() {
                return Err(invalid(format!(
                    "nothing of transfer {transfer} counted in: say what arrived"
                )));
            }
            Ok(Movement {
                kind: MovementKind::Received,
                to: Some(van.id.clone()),
                answers: Some(transfer.to_string()),
                lines,
                ..movement(me, at)
            })
        })
    }

    /// Counts the van: what was found of each part, beside the level the phone shows now.
    /// Returns the movement's id; each part found other than shown is one discrepancy.
    pub fn count_stock(&self, counted: &[Counted], at: i64) -> Result<String> {
        self.write_movement(|conn, me, van| {
            let now = levels(&van.id, &ledger(conn)?);
            let lines = counted
                .iter()
                .map(|c| StockLine {
                    sku: c.sku.clone(),
                    qty: c.qty,
                    serials: c.serials.clone(),
                    expected: Some(now.iter().find(|l| l.sku == c.sku).map_or(0, |l| l.qty)),
                })
                .collect();
            Ok(Movement {
                kind: MovementKind::Count,
                to: Some(van.id.clone()),
                lines,
                ..movement(me, at)
            })
        })
    }

    /// Sends a part back to the region's warehouse (`to`, or the first of the van's region):
    /// defective or unused from the van's stock, or removed from a job's equipment.
    #[allow(clippy::too_many_arguments)]
    pub fn return_part(
        &self,
        sku: &str,
        qty: i64,
        serials: &[String],
        job: Option<&str>,
        reason: ReturnReason,
        to: Option<&str>,
        at: i64,
    ) -> Result<String> {
        self.write_movement(|conn, me, van| {
            let warehouse = match to {
                Some(w) => w.to_string(),
                None => warehouse_of(conn, van)?,
            };
            Ok(Movement {
                kind: MovementKind::Return,
                from: Some(van.id.clone()),
                to: Some(warehouse),
                lines: vec![StockLine {
                    sku: sku.to_string(),
                    qty,
                    serials: serials.to_vec(),
                    expected: None,
                }],
                job: job.map(str::to_string),
                reason: Some(reason),
                ..movement(me, at)
            })
        })
    }

    /// Checks and commits one movement `make` builds from the store, the technician and the
    /// van; returns its id.
    fn write_movement(
        &self,
        make: impl FnOnce(&rusqlite::Connection, &str, &Location) -> Result<Movement>,
    ) -> Result<String> {
        let me = self.technician()?;
        let mut inner = self.inner.lock();
        let van = van_of(&inner.conn, &me)?.ok_or_else(no_van)?;
        let m = make(&inner.conn, &me, &van)?;
        check(&inner.conn, &m)?;
        store::write(&mut inner.conn, |tx| insert_pending(tx, &m))?;
        tracing::info!(movement = %m.id, kind = ?m.kind, "stock movement recorded");
        Ok(m.id)
    }

    /// The enrolled technician (takes the device's lock: call it before taking it).
    fn technician(&self) -> Result<String> {
        self.enrollment()
            .map(|e| e.technician)
            .ok_or(Error::NotEnrolled)
    }

    /// The stock side of the next sync request.
    pub(crate) fn stock_push(conn: &rusqlite::Connection) -> Result<StockPush> {
        let cursor = store::meta_get(conn, STOCK_CURSOR)?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let catalogue = store::meta_get(conn, CATALOGUE_VERSION)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let movements = bodies(
            conn,
            "SELECT body FROM stock_movements WHERE pending = 1 AND refused IS NULL ORDER BY rowid",
        )?;
        Ok(StockPush {
            cursor,
            catalogue,
            movements,
        })
    }

    /// Applies the stock side of a sync answer inside the round's transaction: the office's
    /// entries stored (ours now recorded), refusals noted, the catalogue replaced.
    pub(crate) fn apply_stock(
        tx: &Transaction,
        pushed: &StockPush,
        reply: &StockReply,
    ) -> Result<()> {
        for e in &reply.movements {
            tx.execute(
                "INSERT INTO stock_movements (id, body, pending, seq, reached_office_at)
                 VALUES (?1, ?2, 0, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET pending = 0, seq = excluded.seq,
                    reached_office_at = excluded.reached_office_at, refused = NULL",
                params![
                    e.movement.id,
                    serde_json::to_string(&e.movement)
                        .map_err(|x| Error::Protocol(x.to_string()))?,
                    e.seq as i64,
                    e.reached_office_at
                ],
            )?;
        }
        // What was pushed and not refused is recorded at the office: no longer pending (its
        // ledger entry comes back in this round's movements or a later page of them).
        for m in &pushed.movements {
            let refusal = reply.refused.iter().find(|r| r.id == m.id);
            tx.execute(
                "UPDATE stock_movements SET pending = 0, refused = ?2 WHERE id = ?1",
                params![m.id, refusal.map(|r| r.error.as_str())],
            )?;
        }
        if let Some(c) = &reply.catalogue {
            tx.execute("DELETE FROM stock_parts", [])?;
            tx.execute("DELETE FROM stock_locations", [])?;
            for p in &c.parts {
                tx.execute(
                    "INSERT INTO stock_parts (sku, body) VALUES (?1, ?2)",
                    params![p.sku, to_json(p)?],
                )?;
            }
            for l in &c.locations {
                tx.execute(
                    "INSERT INTO stock_locations (id, body) VALUES (?1, ?2)",
                    params![l.id, to_json(l)?],
                )?;
            }
            store::meta_set(tx, CATALOGUE_VERSION, &c.version.to_string())?;
        }
        store::meta_set(tx, STOCK_CURSOR, &reply.cursor.to_string())?;
        Ok(())
    }
}

/// The consumption from the van of a new part line (`line`), checked as the office will, if the
/// part is in the catalogue and the technician has a van (a part outside it is a plain line,
/// as before).
#[allow(clippy::too_many_arguments)]
pub(crate) fn consumption(
    conn: &rusqlite::Connection,
    me: &str,
    job: &str,
    line: &str,
    sku: &str,
    qty: i64,
    serial: Option<&str>,
    at: i64,
) -> Result<Option<Movement>> {
    let Some(van) = van_of(conn, me)? else {
        return Ok(None);
    };
    let Some(part) = part(conn, sku)? else {
        return Ok(None);
    };
    if part.serialised && serial.is_none() {
        return Err(invalid(format!(
            "{sku} is serialised: give the fitted part's serial (serial in)"
        )));
    }
    if part.serialised && qty != 1 {
        return Err(invalid(format!(
            "{sku} is serialised: one line per unit, each with its serial"
        )));
    }
    let m = Movement {
        kind: MovementKind::Consumption,
        from: Some(van.id),
        job: Some(job.to_string()),
        part_line: Some(line.to_string()),
        lines: vec![StockLine {
            sku: sku.to_string(),
            qty,
            serials: serial.map(str::to_string).into_iter().collect(),
            expected: None,
        }],
        ..movement(me, at)
    };
    // The part was read above: its serial rule is checked with it, not read again.
    m.check()?;
    m.check_serials(&[(part.sku.clone(), part)].into_iter().collect())?;
    Ok(Some(m))
}

/// The consumption of a part line removed from its job, taken back into the van: the same
/// parts, into the van it came from. `None` if the line consumed nothing from a van.
pub(crate) fn unconsumption(
    conn: &rusqlite::Connection,
    me: &str,
    job: &str,
    line: &str,
    at: i64,
) -> Result<Option<Movement>> {
    let used = ledger(conn)?.into_iter().find(|m| {
        m.kind == MovementKind::Consumption
            && m.job.as_deref() == Some(job)
            && m.part_line.as_deref() == Some(line)
    });
    Ok(used.map(|used| Movement {
        kind: MovementKind::Unconsumed,
        to: used.from.clone(),
        job: used.job.clone(),
        part_line: used.part_line.clone(),
        lines: used.lines.clone(),
        ..movement(me, at)
    }))
}

/// A removed part (taken off the customer's equipment, by its serial) registered to go back
/// to the region's warehouse. `None` without a van.
pub(crate) fn removed_part_return(
    conn: &rusqlite::Connection,
    me: &str,
    job: &str,
    sku: &str,
    serial: &str,
    at: i64,
) -> Result<Option<Movement>> {
    let Some(van) = van_of(conn, me)? else {
        return Ok(None);
    };
    let Ok(warehouse) = warehouse_of(conn, &van) else {
        return Ok(None);
    };
    Ok(Some(Movement {
        kind: MovementKind::Return,
        from: Some(van.id),
        to: Some(warehouse),
        job: Some(job.to_string()),
        reason: Some(ReturnReason::Removed),
        lines: vec![StockLine {
            sku: sku.to_string(),
            qty: 1,
            serials: vec![serial.to_string()],
            expected: None,
        }],
        ..movement(me, at)
    }))
}

/// Checks a movement's shape and its parts against the catalogue, as the office will (reading
/// only the parts it names: a catalogue holds hundreds).
pub(crate) fn check(conn: &rusqlite::Connection, m: &Movement) -> Result<()> {
    m.check()?;
    let mut parts = std::collections::BTreeMap::new();
    for line in &m.lines {
        if let Some(p) = part(conn, &line.sku)? {
            parts.insert(p.sku.clone(), p);
        }
    }
    Ok(m.check_serials(&parts)?)
}

/// Whether `sku` is in the catalogue the office sent.
pub(crate) fn in_catalogue(conn: &rusqlite::Connection, sku: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM stock_parts WHERE sku = ?1",
            [sku],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// One part of the catalogue.
fn part(conn: &rusqlite::Connection, sku: &str) -> Result<Option<Part>> {
    let body: Option<String> = conn
        .query_row("SELECT body FROM stock_parts WHERE sku = ?1", [sku], |r| {
            r.get(0)
        })
        .optional()?;
    body.map(|b| from_json(&b)).transpose()
}

/// Stores a movement written here, pending until the office records it.
pub(crate) fn insert_pending(tx: &Transaction, m: &Movement) -> Result<()> {
    tx.execute(
        "INSERT INTO stock_movements (id, body, pending) VALUES (?1, ?2, 1)",
        params![m.id, to_json(m)?],
    )?;
    Ok(())
}

/// A new movement by `me` at `at`, with a fresh id; the caller fills in the rest.
fn movement(me: &str, at: i64) -> Movement {
    Movement {
        id: fieldwork_model::new_entry_id(),
        kind: MovementKind::Count,
        from: None,
        to: None,
        lines: Vec::new(),
        job: None,
        part_line: None,
        answers: None,
        reason: None,
        by: me.to_string(),
        at,
    }
}

fn no_van() -> Error {
    Error::Model(fieldwork_model::Error::Refused(
        fieldwork_model::Reason::NoVan,
    ))
}

/// The first van (by id) whose crew includes `technician`.
fn van_of(conn: &rusqlite::Connection, technician: &str) -> Result<Option<Location>> {
    Ok(
        bodies::<Location>(conn, "SELECT body FROM stock_locations ORDER BY id")?
            .into_iter()
            .find(|l| l.kind == LocationKind::Van && l.technicians.iter().any(|t| t == technician)),
    )
}

/// The first warehouse (by id) of the van's region.
fn warehouse_of(conn: &rusqlite::Connection, van: &Location) -> Result<String> {
    bodies::<Location>(conn, "SELECT body FROM stock_locations ORDER BY id")?
        .into_iter()
        .find(|l| l.kind == LocationKind::Warehouse && l.region == van.region)
        .map(|l| l.id)
        .ok_or_else(|| invalid(format!("no warehouse of region {} known here", van.region)))
}

/// Every movement held here that counts (the office's, and ours not refused).
fn ledger(conn: &rusqlite::Connection) -> Result<Vec<Movement>> {
    bodies(
        conn,
        "SELECT body FROM stock_movements WHERE refused IS NULL ORDER BY rowid",
    )
}

fn bodies<T: serde::de::DeserializeOwned>(
    conn: &rusqlite::Connection,
    sql: &str,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|b| from_json(&b?)).collect()
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Protocol(e.to_string()))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Protocol(format!("stored stock record: {e}")))
}
