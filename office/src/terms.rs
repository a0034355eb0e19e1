//! A new job's terms: what the office's registers add to a dispatcher's request before the job
//! document is created (the registered asset's model and dates, its contract, the jobs earlier
//! on it, and the job's kind).

use fieldwork_model::job::{HistoryPart, JobData};
use fieldwork_model::{Contract, HistoryEntry, JobKind, JobTerms, NewJob, Status};

use crate::registers::AssetRecord;

/// How many earlier jobs a new job carries in its `asset_history`: the newest ones. Enough for
/// a technician to see a recurring fault on site, small enough for the document on the phone.
pub const HISTORY_IN_JOB: u32 = 50;

/// The summary of a job that later jobs on the same asset carry.
pub fn history_entry(d: &JobData) -> HistoryEntry {
    let completed_at = fieldwork_model::status::first_at(&d.events, Status::Completed);
    let diagnosis = fieldwork_model::warranty::diagnosis(d);
    let mut parts: Vec<_> = d
        .parts
        .iter()
        .filter(|(_, p)| p.removed.is_none())
        .collect();
    parts.sort_by(|a, b| (a.1.added_at, a.0).cmp(&(b.1.added_at, b.0)));
    HistoryEntry {
        job: d.id.clone(),
        reported_at: d.reported_at,
        status: fieldwork_model::status::derive(&d.events).status,
        completed_at,
        cause: diagnosis.map(|x| x.cause),
        fault_code: diagnosis.map(|x| x.fault_code.clone()),
        action: diagnosis.and_then(|x| x.action.clone()),
        parts: parts
            .into_iter()
            .map(|(_, p)| HistoryPart {
                sku: p.sku.clone(),
                qty: p.qty,
            })
            .collect(),
    }
}

/// Fills a job request from its asset's register entry: the entry's model when the request
/// names none, and always the entry's installation and acceptance dates (the warranty is
/// counted from the register, not from what a caller typed). Returns the contract the job falls
/// under: the request's own, else the asset's.
pub fn fill_from_asset(new: &mut NewJob, asset: Option<&AssetRecord>) -> Option<String> {
    if let Some(a) = asset {
        if new.asset.model.is_empty() {
            new.asset.model = a.model.clone();
        }
        new.asset.installation_date = a.installation_date.clone();
        new.asset.acceptance_date = a.acceptance_date.clone();
    }
    new.contract
        .clone()
        .or_else(|| asset.and_then(|a| a.contract.clone()))
}

/// The terms of a new job: its contract, the history of the jobs earlier on its asset, and its
/// kind (a request with a checklist and no kind is an inspection; otherwise a repair).
pub fn job_terms(new: &NewJob, contract: Option<Contract>, earlier: &[JobData]) -> JobTerms {
    let kind = new.kind.unwrap_or(if new.checklist.is_empty() {
        JobKind::Repair
    } else {
        JobKind::Inspection
    });
    JobTerms {
        kind,
        contract,
        asset_history: earlier.iter().map(history_entry).collect(),
        checklist: new.checklist.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request with only what the API requires.
    fn request() -> NewJob {
        serde_json::from_value(serde_json::json!({
            "customer": {"name": "Acme"},
            "site": {"address": "1 Road", "region": "city", "time_zone": "Asia/Shanghai"},
            "problem": "no cooling",
            "reported_at": "2026-11-18T08:00:00+08:00",
        }))
        .expect("a valid request")
    }

    fn asset() -> AssetRecord {
        AssetRecord {
            serial: "SN-1".into(),
            model: "Chiller 300".into(),
            customer: "Acme".into(),
            installation_date: Some("2025-03-01".into()),
            acceptance_date: Some("2025-03-10".into()),
            contract: Some("C-ASSET".into()),
            site: None,
        }
    }

    #[test]
    fn the_register_decides_the_dates_and_the_request_may_name_its_model_and_contract() {
        let mut new = request();
        new.asset.serial = "SN-1".into();
        new.asset.installation_date = Some("2020-01-01".into());
        assert_eq!(
            fill_from_asset(&mut new, Some(&asset())).as_deref(),
            Some("C-ASSET")
        );
        assert_eq!(new.asset.model, "Chiller 300");
        // A caller cannot move the warranty by typing another installation date.
        assert_eq!(new.asset.installation_date.as_deref(), Some("2025-03-01"));

        let mut named = NewJob {
            contract: Some("C-JOB".into()),
            ..request()
        };
        named.asset.model = "Chiller 300B".into();
        assert_eq!(
            fill_from_asset(&mut named, Some(&asset())).as_deref(),
            Some("C-JOB")
        );
        assert_eq!(named.asset.model, "Chiller 300B");
        assert_eq!(fill_from_asset(&mut request(), None), None);
    }

    #[test]
    fn a_request_with_a_checklist_and_no_kind_is_an_inspection() {
        let mut new = request();
        assert_eq!(job_terms(&new, None, &[]).kind, JobKind::Repair);
        new.checklist = vec![fieldwork_model::job::ChecklistItem {
            id: "door".into(),
            label: "Door seal".into(),
            unit: None,
        }];
        assert_eq!(job_terms(&new, None, &[]).kind, JobKind::Inspection);
        new.kind = Some(JobKind::Repair);
        assert_eq!(job_terms(&new, None, &[]).kind, JobKind::Repair);
    }
}
