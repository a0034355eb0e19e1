//! Behaviour of the job document's edits and of the device-change check, one case at a time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use automerge::ActorId;
use fieldwork_model::validate::device_change;
use fieldwork_model::{
    Cause, Customer, JobDocument, NewJob, NewPart, Priority, RegionClass, Site, Status,
};

const T0: i64 = 1_764_000_000_000;

fn job() -> JobDocument {
    let new = NewJob {
        id: None,
        technician: Some("t1".into()),
        customer: Customer {
            name: "Lakeside Data Centre".into(),
            phone: "021-5555-0199".into(),
            email: None,
        },
        site: Site {
            address: "3 Lake Rd".into(),
            region: RegionClass::Province,
            time_zone: "Asia/Shanghai".into(),
        },
        asset: Default::default(),
        problem: "UPS alarm".into(),
        channel: None,
        priority: Priority::Normal,
        reported_at: "2026-11-24T08:00:00Z".into(),
        scheduled_start: None,
        scheduled_end: None,
        contract: None,
        kind: None,
        checklist: vec![],
    };
    JobDocument::create("J-7", &new, "dispatch", T0, ActorId::random()).unwrap()
}

fn fork(doc: &JobDocument) -> JobDocument {
    JobDocument::load(&doc.save(), ActorId::random()).unwrap()
}

fn part(sku: &str) -> NewPart {
    NewPart {
        sku: sku.into(),
        qty: 1,
        ..Default::default()
    }
}

#[test]
fn two_devices_adding_parts_keep_both_lines() {
    let office = job();
    let mut a = fork(&office);
    let mut b = fork(&office);
    a.add_part(&part("FAN-1"), "t1", T0 + 1).unwrap();
    b.add_part(&part("RELAY-2"), "t1", T0 + 1).unwrap();
    a.apply(&b.save()).unwrap();
    b.apply(&a.save()).unwrap();
    let skus: Vec<_> = a
        .view(0)
        .unwrap()
        .parts
        .into_iter()
        .map(|p| p.sku)
        .collect();
    assert_eq!(skus.len(), 2);
    assert_eq!(a.view(0).unwrap(), b.view(0).unwrap());
}

#[test]
fn dispatch_reschedule_while_technician_is_on_site_keeps_both() {
    let mut office = job();
    let mut phone = fork(&office);
    phone.record_status(Status::OnSite, "t1", T0 + 10).unwrap();
    phone
        .add_note("t1", T0 + 11, "gauge reads 2.1 MPa")
        .unwrap();
    office
        .set_schedule(Some(T0 + 86_400_000), Some(T0 + 90_000_000))
        .unwrap();
    office.apply(&phone.save()).unwrap();
    let v = office.view(0).unwrap();
    assert_eq!(v.status, Status::OnSite);
    assert!(v.scheduled_start.is_some());
    assert_eq!(v.notes.len(), 1);
}

#[test]
fn removed_part_line_stays_visible_and_only_its_author_may_remove_it() {
    let mut d = job();
    let line = d.add_part(&part("FAN-1"), "t1", T0).unwrap();
    assert!(d.remove_part(&line, "t2", T0 + 1).is_err());
    d.remove_part(&line, "t1", T0 + 2).unwrap();
    let p = &d.view(0).unwrap().parts[0];
    assert!(p.removed);
    assert_eq!(p.removed_by.as_deref(), Some("t1"));
}

#[test]
fn completed_job_refuses_further_progress() {
    let mut d = job();
    d.record_status(Status::Completed, "t1", T0 + 5).unwrap();
    assert!(d.record_status(Status::OnSite, "t1", T0 + 6).is_err());
    assert!(d.cancel("too late", "dispatch", T0 + 7).is_err());
}

#[test]
fn device_may_add_its_own_entries() {
    let before = job();
    let mut after = fork(&before);
    after.record_status(Status::OnSite, "t1", T0 + 1).unwrap();
    after.add_note("t1", T0 + 2, "ok").unwrap();
    let line = after.add_part(&part("X"), "t1", T0 + 3).unwrap();
    after.remove_part(&line, "t1", T0 + 4).unwrap();
    after
        .record_diagnosis(Cause::Misuse, "E-1", Some("cleaned"), "t1", T0 + 5)
        .unwrap();
    after.issue_loaner("LN-1", "Fan", "t1", T0 + 6).unwrap();
    after.return_loaner("LN-1", "t1", T0 + 7).unwrap();
    after
        .record_check("door", "pass", None, "t1", T0 + 8)
        .unwrap();
    assert!(device_change(&before.data().unwrap(), &after.data().unwrap(), "t1").is_ok());
}

#[test]
fn device_may_not_write_registers_or_as_someone_else() {
    let before = job();
    type Edit = Box<dyn Fn(&mut JobDocument)>;
    let cases: Vec<Edit> = vec![
        Box::new(|d| d.set_priority(Priority::Emergency).unwrap()),
        Box::new(|d| d.set_person("t1", "Somebody Else").unwrap()),
        Box::new(|d| d.set_schedule(Some(T0), None).unwrap()),
        Box::new(|d| {
            d.add_note("t2", T0, "impostor").unwrap();
        }),
        Box::new(|d| {
            d.assign("t1", "t1", T0).unwrap();
        }),
        Box::new(|d| {
            d.cancel("nope", "t1", T0).unwrap();
        }),
        Box::new(|d| {
            d.record_diagnosis(Cause::QualityDefect, "E-1", None, "t2", T0)
                .unwrap();
        }),
        Box::new(|d| {
            d.issue_loaner("LN-1", "Fan", "t2", T0).unwrap();
        }),
        Box::new(|d| {
            d.record_check("door", "pass", None, "t2", T0).unwrap();
        }),
        // The job kind (like the contract terms) is dispatch's, written once.
        Box::new(|d| {
            use automerge::transaction::Transactable;
            let mut tx = d.automerge_mut().transaction();
            tx.put(automerge::ROOT, "kind", "inspection").unwrap();
            tx.commit();
        }),
    ];
    for change in cases {
        let mut after = fork(&before);
        change(&mut after);
        assert!(device_change(&before.data().unwrap(), &after.data().unwrap(), "t1").is_err());
    }
}

#[test]
fn device_may_not_remove_dispatch_or_other_technicians_lines() {
    let mut before = job();
    let line = before.add_part(&part("X"), "t2", T0).unwrap();
    let mut after = fork(&before);
    after.remove_part(&line, "t2", T0 + 1).unwrap();
    assert!(device_change(&before.data().unwrap(), &after.data().unwrap(), "t1").is_err());
}

fn photo(by: &str) -> fieldwork_model::report::Attachment {
    fieldwork_model::report::Attachment {
        mime: "image/jpeg".into(),
        bytes: 1234,
        width: 640,
        height: 480,
        caption: Some("nameplate".into()),
        taken_at: T0,
        by: by.into(),
        at: T0,
        removed: None,
    }
}

#[test]
fn a_photo_is_removed_only_by_its_author_and_only_by_a_mark() {
    const ID: &str = "a3f1c0c4e5b6a7980a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071";
    let mut before = job();
    before.add_attachment(ID, &photo("t1")).unwrap();

    // Its author marks it removed: gone from the view and the report, accepted by the office.
    let mut after = fork(&before);
    assert!(matches!(
        after.remove_attachment(ID, "t2", T0 + 1),
        Err(fieldwork_model::Error::Refused(
            fieldwork_model::Reason::NotPhotoAuthor { .. }
        ))
    ));
    after.remove_attachment(ID, "t1", T0 + 1).unwrap();
    after.remove_attachment(ID, "t1", T0 + 2).unwrap();
    let data = after.data().unwrap();
    assert!(data.attachments[ID].removed.is_some(), "the entry stays");
    assert!(after.view(T0).unwrap().attachments.is_empty());
    assert!(
        fieldwork_model::report::content(&data)
            .unwrap()
            .photos
            .is_empty()
    );
    assert!(device_change(&before.data().unwrap(), &data, "t1").is_ok());

    // Another technician's photo, or any other change to the entry, is refused at the office.
    assert!(device_change(&before.data().unwrap(), &data, "t2").is_err());
    let mut changed = before.data().unwrap();
    changed.attachments.get_mut(ID).unwrap().caption = Some("edited".into());
    assert!(device_change(&before.data().unwrap(), &changed, "t1").is_err());
    let mut deleted = before.data().unwrap();
    deleted.attachments.clear();
    assert!(device_change(&before.data().unwrap(), &deleted, "t1").is_err());
}

#[test]
fn unassign_takes_the_job_back_even_within_the_millisecond_of_its_assignment() {
    // Created with t1 at T0 and taken back at T0: the unassign still folds after the
    // assignment (whatever the random event ids), so the job is new and nobody's.
    for _ in 0..20 {
        let mut doc = job();
        doc.unassign("dispatch", T0).unwrap();
        let view = doc.view(T0).unwrap();
        assert_eq!((view.status, view.technician), (Status::New, None));
        // Given back within the same millisecond, it is t2's.
        doc.assign("t2", "dispatch", T0).unwrap();
        assert_eq!(doc.view(T0).unwrap().technician.as_deref(), Some("t2"));
    }
    // A phone may not take a job off its technician.
    let before = job();
    let mut after = fork(&before);
    after.unassign("t1", T0 + 5).unwrap();
    assert!(device_change(&before.data().unwrap(), &after.data().unwrap(), "t1").is_err());
    // An ended job keeps who did it.
    let mut done = job();
    done.cancel("customer withdrew", "dispatch", T0 + 1)
        .unwrap();
    assert!(matches!(
        done.unassign("dispatch", T0 + 2),
        Err(fieldwork_model::Error::IllegalTransition { .. })
    ));
}
