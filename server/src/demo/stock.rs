//! Demo spare parts (issue 21): a warehouse per region, a van per demo technician (Anna and Bo
//! share one, as a crew), a small catalogue, stock received, a transfer to each van (one still
//! on its way), limits that make a replenishment proposal, and a van count that disagreed.

use fieldwork_model::DISPATCH_ACTOR;
use fieldwork_model::stock::{
    Location, LocationKind, Movement, MovementKind, Part, PartName, StockLine,
};
use fieldwork_office::stock::StockLimit;
use fieldwork_store::Storage;

use crate::Result;

/// `(sku, zh-CN, en, unit, price in cents, serialised)`.
const PARTS: [(&str, &str, &str, &str, i64, bool); 5] = [
    (
        "FAN-120",
        "散热风扇 120mm",
        "Cooling fan 120 mm",
        "pcs",
        18_000,
        false,
    ),
    ("SEAL-D40", "门封条 40", "Door seal 40", "pcs", 9_500, false),
    ("FUSE-10A", "保险丝 10A", "Fuse 10 A", "pcs", 300, false),
    (
        "CTRL-B7",
        "主控板 B7",
        "Control board B7",
        "pcs",
        260_000,
        true,
    ),
    (
        "SENSOR-T",
        "温度传感器",
        "Temperature sensor",
        "pcs",
        12_000,
        false,
    ),
];

fn line(sku: &str, qty: i64, serials: &[&str]) -> StockLine {
    StockLine {
        sku: sku.into(),
        qty,
        serials: serials.iter().map(|s| s.to_string()).collect(),
        expected: None,
    }
}

fn movement(
    id: &str,
    kind: MovementKind,
    from: Option<&str>,
    to: &str,
    lines: Vec<StockLine>,
    at: i64,
) -> Movement {
    Movement {
        id: id.into(),
        kind,
        from: from.map(Into::into),
        to: Some(to.into()),
        lines,
        job: None,
        part_line: None,
        answers: None,
        reason: None,
        by: DISPATCH_ACTOR.into(),
        at,
    }
}

/// Seeds the demo's stock, once (nothing if the catalogue has parts already).
pub fn seed(storage: &dyn Storage, now: i64) -> Result<()> {
    if !storage.parts()?.is_empty() {
        return Ok(());
    }
    for (sku, zh, en, unit, price, serialised) in PARTS {
        storage.add_part(&Part {
            sku: sku.into(),
            name: PartName {
                zh_cn: zh.into(),
                en: en.into(),
            },
            unit: unit.into(),
            unit_price: price,
            serialised,
            warranty_months: serialised.then_some(12),
        })?;
    }
    let place = |id: &str, kind, crew: &[&str], region: &str| Location {
        id: id.into(),
        kind,
        technicians: crew.iter().map(|t| t.to_string()).collect(),
        region: region.into(),
    };
    for l in [
        place("WH-EAST", LocationKind::Warehouse, &[], "east"),
        place("WH-NORTH", LocationKind::Warehouse, &[], "north"),
        place("VAN-EAST-1", LocationKind::Van, &["anna", "bo"], "east"),
        place("VAN-NORTH-1", LocationKind::Van, &["chen"], "north"),
    ] {
        storage.add_location(&l)?;
    }
    let day = 86_400_000;
    let received = |id: &str, answers: &str, to: &str, lines: Vec<StockLine>, at| Movement {
        answers: Some(answers.into()),
        ..movement(id, MovementKind::Received, None, to, lines, at)
    };
    let mut count = movement(
        "DEMO-COUNT-1",
        MovementKind::Count,
        None,
        "VAN-EAST-1",
        vec![line("FUSE-10A", 9, &[])],
        now - day,
    );
    count.lines[0].expected = Some(10);
    count.by = "anna".into();
    let mut arrived = received(
        "DEMO-RCV-1",
        "DEMO-TR-1",
        "VAN-EAST-1",
        vec![
            line("FAN-120", 4, &[]),
            line("FUSE-10A", 10, &[]),
            line("CTRL-B7", 1, &["B7-0002"]),
        ],
        now - 6 * day,
    );
    arrived.by = "anna".into();
    storage.record_movements(
        &[
            movement(
                "DEMO-IN-1",
                MovementKind::Receipt,
                None,
                "WH-EAST",
                vec![
                    line("FAN-120", 20, &[]),
                    line("SEAL-D40", 12, &[]),
                    line("FUSE-10A", 100, &[]),
                    line("CTRL-B7", 3, &["B7-0001", "B7-0002", "B7-0003"]),
                    line("SENSOR-T", 8, &[]),
                ],
                now - 10 * day,
            ),
            movement(
                "DEMO-IN-2",
                MovementKind::Receipt,
                None,
                "WH-NORTH",
                vec![line("FAN-120", 10, &[]), line("SENSOR-T", 6, &[])],
                now - 10 * day,
            ),
            movement(
                "DEMO-TR-1",
                MovementKind::Transfer,
                Some("WH-EAST"),
                "VAN-EAST-1",
                vec![
                    line("FAN-120", 4, &[]),
                    line("FUSE-10A", 10, &[]),
                    line("CTRL-B7", 1, &["B7-0002"]),
                ],
                now - 7 * day,
            ),
            arrived,
            count,
            // On its way to the north van: its phone counts it in on arrival.
            movement(
                "DEMO-TR-2",
                MovementKind::Transfer,
                Some("WH-NORTH"),
                "VAN-NORTH-1",
                vec![line("SENSOR-T", 2, &[]), line("FAN-120", 2, &[])],
                now - 2 * 3_600_000,
            ),
        ],
        now,
    )?;
    for (location, sku, min, max) in [
        ("VAN-EAST-1", "FAN-120", 2, 6),
        ("VAN-EAST-1", "SEAL-D40", 2, 4),
        ("VAN-EAST-1", "FUSE-10A", 5, 20),
        ("VAN-NORTH-1", "SENSOR-T", 1, 3),
    ] {
        storage.set_stock_limit(&StockLimit {
            location: location.into(),
            sku: sku.into(),
            min,
            max,
        })?;
    }
    Ok(())
}
