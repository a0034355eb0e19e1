//! The stock ledger's side of a sync round (ADR 0015): record what the phone pushed (each
//! movement checked by `fieldwork_office::stock::check_device_movement`), answer the movements
//! of the technician's vans after the phone's stock cursor, and the catalogue when the phone's
//! is not current. Movements are immutable and keyed by id, so a resent one is the same entry
//! and a lost answer is harmless.

use fieldwork_model::stock::{Catalogue, LedgerEntry, Location, LocationKind, Movement};
use fieldwork_model::wire::{StockPush, StockRefusal, StockReply};
use fieldwork_store::Storage;

use crate::{Error, Result};

/// Ledger entries answered per round; the phone runs more rounds while `more` is set.
pub const STOCK_PAGE: u32 = 2000;

/// Handles the stock part of one sync round of `technician`'s phone.
#[tracing::instrument(level = "debug", skip_all, fields(pushed = push.movements.len()))]
pub fn round(storage: &dyn Storage, technician: &str, push: StockPush) -> Result<StockReply> {
    let (parts, places) = crate::api::stock::catalogue(storage)?;
    let vans: Vec<&Location> = places
        .values()
        .filter(|l| l.kind == LocationKind::Van && l.technicians.iter().any(|t| t == technician))
        .collect();

    let mut refused = Vec::new();
    let mut valid: Vec<Movement> = Vec::new();
    let pushed: std::collections::BTreeSet<String> =
        push.movements.iter().map(|m| m.id.clone()).collect();
    for m in push.movements {
        let answered = match &m.answers {
            Some(id) => storage.movement(id)?.map(|e| e.movement),
            None => None,
        };
        match fieldwork_office::stock::check_device_movement(
            &m,
            technician,
            &parts,
            &places,
            answered.as_ref(),
        ) {
            Ok(()) => valid.push(m),
            Err(e) => refused.push(StockRefusal {
                id: m.id,
                error: e.to_string(),
            }),
        }
    }
    if !valid.is_empty() {
        let now = chrono::Utc::now().timestamp_millis();
        // One transaction for the lot; if one of them clashes with a recorded movement of the
        // same id, each on its own, so only that one is refused.
        if let Err(fieldwork_store::Error::Conflict(_)) = storage.record_movements(&valid, now) {
            for m in valid {
                if let Err(e) = storage.record_movements(std::slice::from_ref(&m), now) {
                    refused.push(StockRefusal {
                        id: m.id,
                        error: Error::from(e).to_string(),
                    });
                }
            }
        }
    }

    // The vans' ledgers after the cursor, in the office's order (a movement between two of
    // them once).
    let mut movements: Vec<LedgerEntry> = Vec::new();
    for van in &vans {
        movements.extend(storage.movements(Some(&van.id), push.cursor, STOCK_PAGE + 1)?);
    }
    movements.sort_by_key(|m| m.seq);
    movements.dedup_by_key(|m| m.seq);
    let more = movements.len() > STOCK_PAGE as usize;
    movements.truncate(STOCK_PAGE as usize);
    let cursor = movements
        .last()
        .map_or(push.cursor, |m| m.seq.max(push.cursor));
    // What the phone pushed in this very round it holds already: the cursor moves past it,
    // the answer does not carry it back (a consumption's sync is the entry up, not up and down).
    movements.retain(|m| !pushed.contains(&m.movement.id));

    // The phone's places: its vans and the warehouses of their regions.
    let regions: Vec<&str> = vans.iter().map(|v| v.region.as_str()).collect();
    let known: Vec<Location> = places
        .values()
        .filter(|l| {
            vans.iter().any(|v| v.id == l.id)
                || (l.kind == LocationKind::Warehouse && regions.contains(&l.region.as_str()))
        })
        .cloned()
        .collect();
    let catalogue = Catalogue::new(parts.into_values().collect(), known);
    Ok(StockReply {
        cursor,
        movements,
        more,
        refused,
        catalogue: (catalogue.version != push.catalogue).then_some(catalogue),
    })
}
