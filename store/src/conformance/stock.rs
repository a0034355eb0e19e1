//! The stock ledger's storage: the catalogue and locations read back, and movements recorded
//! once each, in sequence, found by either end.

use fieldwork_model::stock::{
    Location, LocationKind, Movement, MovementKind, Part, PartName, StockLine,
};

use crate::{Error, Storage};

fn movement(id: &str, kind: MovementKind, from: Option<&str>, to: Option<&str>) -> Movement {
    Movement {
        id: id.into(),
        kind,
        from: from.map(Into::into),
        to: to.map(Into::into),
        lines: vec![StockLine {
            sku: "FAN-1".into(),
            qty: 2,
            serials: vec![],
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

pub fn stock_movements_are_recorded_once_in_sequence_and_found_by_either_end(s: &dyn Storage) {
    let part = Part {
        sku: "FAN-1".into(),
        name: PartName {
            zh_cn: "风扇".into(),
            en: "Fan".into(),
        },
        unit: "pcs".into(),
        unit_price: 12_000,
        serialised: false,
        warranty_months: Some(12),
    };
    s.add_part(&part).unwrap();
    assert!(matches!(s.add_part(&part), Err(Error::Conflict(_))));
    assert_eq!(s.parts().unwrap(), [part]);
    let van = Location {
        id: "V1".into(),
        kind: LocationKind::Van,
        technicians: vec!["t1".into()],
        region: "east".into(),
    };
    s.add_location(&van).unwrap();
    assert!(matches!(s.add_location(&van), Err(Error::Conflict(_))));
    assert_eq!(s.locations().unwrap(), [van]);

    let receipt = movement("m1", MovementKind::Receipt, None, Some("W1"));
    let transfer = movement("m2", MovementKind::Transfer, Some("W1"), Some("V1"));
    let stored = s
        .record_movements(&[receipt.clone(), transfer.clone()], 100)
        .unwrap();
    assert!(stored[0].seq < stored[1].seq);
    assert_eq!(stored[1].reached_office_at, 100);
    assert_eq!(s.movement("m2").unwrap().as_ref(), Some(&stored[1]));
    assert_eq!(s.movement("m9").unwrap(), None);
    // A resend is the same entry, with its first arrival.
    let again = s
        .record_movements(std::slice::from_ref(&transfer), 200)
        .unwrap();
    assert_eq!(again, stored[1..]);
    // The same id with other content: refused, and nothing of that batch is kept.
    let mut forged = transfer.clone();
    forged.lines[0].qty = 9;
    let fresh = movement("m3", MovementKind::Receipt, None, Some("W1"));
    assert!(matches!(
        s.record_movements(&[fresh.clone(), forged], 300),
        Err(Error::Conflict(_))
    ));
    assert_eq!(s.movements(None, 0, 100).unwrap().len(), 2);

    // By either end, after a cursor.
    let at = |l: Option<&str>, after| -> Vec<String> {
        s.movements(l, after, 100)
            .unwrap()
            .into_iter()
            .map(|m| m.movement.id)
            .collect()
    };
    assert_eq!(at(Some("W1"), 0), ["m1", "m2"]);
    assert_eq!(at(Some("V1"), 0), ["m2"]);
    assert_eq!(at(Some("V1"), stored[1].seq), Vec::<String>::new());
    assert_eq!(at(Some("W2"), 0), Vec::<String>::new());
    let later = s.record_movements(&[fresh], 400).unwrap();
    assert_eq!(at(Some("W1"), stored[1].seq), ["m3"]);
    assert!(later[0].seq > stored[1].seq);
    assert_eq!(s.movements(None, 0, 1).unwrap().len(), 1, "the limit holds");

    // Limits: set, replaced, read back by place.
    let limit = |location: &str, sku: &str, min, max| fieldwork_office::stock::StockLimit {
        location: location.into(),
        sku: sku.into(),
        min,
        max,
    };
    s.set_stock_limit(&limit("V1", "FAN-1", 2, 8)).unwrap();
    s.set_stock_limit(&limit("V1", "FAN-1", 3, 9)).unwrap();
    s.set_stock_limit(&limit("W1", "FAN-1", 10, 100)).unwrap();
    assert_eq!(
        s.stock_limits(Some("V1")).unwrap(),
        [limit("V1", "FAN-1", 3, 9)]
    );
    assert_eq!(s.stock_limits(None).unwrap().len(), 2);
}
