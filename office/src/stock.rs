//! The office's rules for stock (ADR 0015): which movements dispatch may record and between
//! which places. The ledger, its levels and flags are `fieldwork_model::stock` (the phone folds
//! them too).

use std::collections::BTreeMap;

use fieldwork_model::stock::{Location, LocationKind, Movement, MovementKind, Part};
use fieldwork_model::{Error, Result};

/// Checks a movement dispatch records (`POST /api/v1/stock/movements`) against the catalogue
/// and the places: its kind is the office's, the places exist and are of the kind it moves
/// between, a transfer stays in its region (a van is stocked from its region's warehouses),
/// every part is in the catalogue and a serialised one names a serial per unit.
pub fn check_office_movement(
    m: &Movement,
    parts: &BTreeMap<String, Part>,
    locations: &BTreeMap<String, Location>,
) -> Result<()> {
    use MovementKind::*;
    if !matches!(m.kind, Receipt | Transfer | Adjustment | ReturnReceived) {
        return Err(Error::Invalid(format!(
            "dispatch records receipts, transfers, adjustments and returns received; a {} is \
             recorded on the phone",
            fieldwork_model::stock::kind_name(m.kind)
        )));
    }
    m.check()?;
    let place = |id: &Option<String>| -> Result<Option<&Location>> {
        id.as_ref()
            .map(|id| {
                locations
                    .get(id)
                    .ok_or_else(|| Error::Invalid(format!("no stock location {id}")))
            })
            .transpose()
    };
    let (from, to) = (place(&m.from)?, place(&m.to)?);
    let kind = |l: Option<&Location>| l.map(|l| l.kind);
    match m.kind {
        // Stock enters the books at a warehouse (vans are stocked by transfer).
        Receipt | ReturnReceived if kind(to) != Some(LocationKind::Warehouse) => {
            return Err(Error::Invalid(format!(
                "a {} goes into a warehouse",
                fieldwork_model::stock::kind_name(m.kind)
            )));
        }
        Transfer => {
            let (Some(from), Some(to)) = (from, to) else {
                return Err(Error::Invalid("a transfer names both ends".into()));
            };
            if from.kind != LocationKind::Warehouse || to.kind != LocationKind::Van {
                return Err(Error::Invalid(
                    "a transfer goes from a warehouse to a van".into(),
                ));
            }
            if from.region != to.region {
                return Err(Error::Invalid(format!(
                    "van {} is in region {}; warehouse {} serves {}",
                    to.id, to.region, from.id, from.region
                )));
            }
        }
        _ => {}
    }
    m.check_serials(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldwork_model::stock::{PartName, StockLine};

    fn places() -> BTreeMap<String, Location> {
        let l = |id: &str, kind, region: &str, crew: &[&str]| {
            (
                id.to_string(),
                Location {
                    id: id.into(),
                    kind,
                    technicians: crew.iter().map(|t| t.to_string()).collect(),
                    region: region.into(),
                },
            )
        };
        [
            l("W-EAST", LocationKind::Warehouse, "east", &[]),
            l("W-WEST", LocationKind::Warehouse, "west", &[]),
            l("V1", LocationKind::Van, "east", &["t1"]),
        ]
        .into_iter()
        .collect()
    }

    fn catalogue() -> BTreeMap<String, Part> {
        let part = |sku: &str, serialised| Part {
            sku: sku.into(),
            name: PartName {
                zh_cn: "零件".into(),
                en: "Part".into(),
            },
            unit: "pcs".into(),
            unit_price: 100,
            serialised,
            warranty_months: None,
        };
        [
            ("FAN".into(), part("FAN", false)),
            ("PUMP".into(), part("PUMP", true)),
        ]
        .into_iter()
        .collect()
    }

    fn transfer(from: &str, sku: &str, serials: &[&str]) -> Movement {
        Movement {
            id: "m1".into(),
            kind: MovementKind::Transfer,
            from: Some(from.into()),
            to: Some("V1".into()),
            lines: vec![StockLine {
                sku: sku.into(),
                qty: 1,
                serials: serials.iter().map(|s| s.to_string()).collect(),
                expected: None,
            }],
            job: None,
            part_line: None,
            answers: None,
            reason: None,
            by: "dispatch".into(),
            at: 1_795_000_000_000,
        }
    }

    #[test]
    fn a_transfer_stays_in_its_region_and_names_known_parts_and_serials() {
        let (parts, places) = (catalogue(), places());
        let ok = |m: &Movement| check_office_movement(m, &parts, &places);
        assert!(ok(&transfer("W-EAST", "FAN", &[])).is_ok());
        assert!(ok(&transfer("W-EAST", "PUMP", &["S-1"])).is_ok());
        let refused = |m: Movement, words: &str| {
            let e = ok(&m).unwrap_err().to_string();
            assert!(e.contains(words), "{e}");
        };
        refused(transfer("W-WEST", "FAN", &[]), "region");
        refused(
            transfer("W-NOWHERE", "FAN", &[]),
            "no stock location W-NOWHERE",
        );
        refused(transfer("W-EAST", "BOLT", &[]), "no part BOLT");
        refused(transfer("W-EAST", "PUMP", &[]), "serialised");
        let mut consumption = transfer("W-EAST", "FAN", &[]);
        consumption.kind = MovementKind::Consumption;
        refused(consumption, "recorded on the phone");
        let mut into_van = transfer("W-EAST", "FAN", &[]);
        (into_van.kind, into_van.from) = (MovementKind::Receipt, None);
        refused(into_van, "goes into a warehouse");
    }
}
