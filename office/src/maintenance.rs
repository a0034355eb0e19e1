//! Maintenance plans: recurring inspections of an asset, each with a checklist.
//!
//! A plan is due on `first_due` and then every `every_months` months counted from it (so a
//! plan due on the 31st stays on the month's last day without drifting). A season window
//! (`"season": {"from": "05-01", "to": "09-30"}`, may wrap the new year) keeps only the due
//! dates inside it, e.g. "every two months in the cooling season".

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use fieldwork_model::calendar::parse_date;
use fieldwork_model::job::ChecklistItem;
use fieldwork_model::warranty::add_months;
use fieldwork_model::{Error, Result, validate_id};

/// A checklist entry in a plan: a bare label, or an item with its own id and unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ChecklistEntry {
    Label(String),
    Item(ChecklistItem),
}

/// A season window, `MM-DD` to `MM-DD` inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Season {
    pub from: String,
    pub to: String,
}

/// The body of `POST /api/v1/maintenance-plans`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MaintenancePlan {
    #[serde(default)]
    pub id: Option<String>,
    /// The asset serial (registered with `POST /api/v1/assets`).
    pub asset: String,
    /// Months between visits; or give `frequency`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 120))]
    pub every_months: Option<u32>,
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    #[serde(default)]
    pub frequency: Option<String>,
    /// `YYYY-MM-DD`.
    pub first_due: String,
    #[serde(default)]
    pub until: Option<String>,
    #[serde(default)]
    pub season: Option<Season>,
    pub checklist: Vec<ChecklistEntry>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub technician: Option<String>,
    /// Where the inspections happen; by default the registered asset's site.
    #[serde(default)]
    pub site: Option<fieldwork_model::job::Site>,
}

/// A plan's schedule, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub first_due: NaiveDate,
    pub every_months: u32,
    pub until: Option<NaiveDate>,
    pub season: Option<((u32, u32), (u32, u32))>,
}

fn parse_month_day(field: &str, s: &str) -> Result<(u32, u32)> {
    // Validate against a leap year so 02-29 is accepted.
    let d = parse_date(field, &format!("2024-{s}"))
        .map_err(|_| Error::Invalid(format!("{field} must be MM-DD, got {s:?}")))?;
    Ok((d.month(), d.day()))
}

impl MaintenancePlan {
    /// Validates the plan and returns its schedule.
    pub fn schedule(&self) -> Result<Schedule> {
        if let Some(id) = &self.id {
            validate_id("plan", id)?;
        }
        let every_months = match (self.every_months, self.frequency.as_deref()) {
            (Some(n), None) => n,
            (None, Some("monthly")) => 1,
            (None, Some("quarterly")) => 3,
            (None, Some("half_yearly")) => 6,
            (None, Some("yearly")) => 12,
            (None, Some(f)) => {
                return Err(Error::Invalid(format!(
                    "frequency must be monthly, quarterly, half_yearly or yearly, got {f:?}"
                )));
            }
            (Some(_), Some(_)) => {
                return Err(Error::Invalid(
                    "give every_months or frequency, not both".into(),
                ));
            }
            (None, None) => return Err(Error::Invalid("every_months is required".into())),
        };
        if !(1..=120).contains(&every_months) {
            return Err(Error::Invalid("every_months must be 1 to 120".into()));
        }
        let season = self
            .season
            .as_ref()
            .map(|s| -> Result<_> {
                Ok((
                    parse_month_day("season.from", &s.from)?,
                    parse_month_day("season.to", &s.to)?,
                ))
            })
            .transpose()?;
        self.checklist_items()?;
        Ok(Schedule {
            first_due: parse_date("first_due", &self.first_due)?,
            every_months,
            until: self
                .until
                .as_deref()
                .map(|u| parse_date("until", u))
                .transpose()?,
            season,
        })
    }

    /// The checklist as items with ids (`1`, `2`, ... for bare labels).
    pub fn checklist_items(&self) -> Result<Vec<ChecklistItem>> {
        if self.checklist.is_empty() {
            return Err(Error::Invalid(
                "checklist must have at least one item".into(),
            ));
        }
        let items: Vec<ChecklistItem> = self
            .checklist
            .iter()
            .enumerate()
            .map(|(i, e)| match e {
                ChecklistEntry::Label(label) => ChecklistItem {
                    id: (i + 1).to_string(),
                    label: label.clone(),
                    unit: None,
                },
                ChecklistEntry::Item(item) => item.clone(),
            })
            .collect();
        for (i, item) in items.iter().enumerate() {
            validate_id("checklist item", &item.id)?;
            if item.label.trim().is_empty() {
                return Err(Error::Invalid(format!(
                    "checklist item {} needs a label",
                    item.id
                )));
            }
            if items[..i].iter().any(|o| o.id == item.id) {
                return Err(Error::Invalid(format!(
                    "checklist item id {} is repeated",
                    item.id
                )));
            }
        }
        Ok(items)
    }
}

impl Schedule {
    fn in_season(&self, d: NaiveDate) -> bool {
        let Some((from, to)) = self.season else {
            return true;
        };
        let md = (d.month(), d.day());
        if from <= to {
            from <= md && md <= to
        } else {
            md >= from || md <= to
        }
    }

    /// Due dates from `first_due` through `through` (inclusive), at most `limit` of them.
    pub fn due_dates(&self, through: NaiveDate, limit: usize) -> Vec<NaiveDate> {
        let last = self.until.map_or(through, |u| u.min(through));
        (0u32..)
            .map(|k| add_months(self.first_due, k.saturating_mul(self.every_months)))
            .take_while(|d| *d <= last && *d < NaiveDate::MAX)
            .filter(|d| self.in_season(*d))
            .take(limit)
            .collect()
    }
}

/// The id of a plan's inspection due on `due`: `PM-<plan>-<YYYYMMDD>`, so generating the same
/// plan's inspections again finds the ones it made and creates nothing twice.
pub fn inspection_id(plan: &str, due: NaiveDate) -> String {
    format!("PM-{plan}-{}", due.format("%Y%m%d"))
}

/// The job request of a plan's inspection due on `due` at `site` (the plan's site, else the
/// asset's): reported at midnight and scheduled 09:00-17:00 on that day in the site's zone
/// (an inspection is a day's visit, not a clock), for the plan's technician, with its checklist.
pub fn inspection_job(
    id: &str,
    plan: &MaintenancePlan,
    asset: &crate::AssetRecord,
    site: fieldwork_model::Site,
    due: NaiveDate,
) -> Result<fieldwork_model::NewJob> {
    let tz = fieldwork_model::calendar::parse_tz(&site.time_zone)?;
    let at = |h: u32| {
        due.and_hms_opt(h, 0, 0).map(|t| {
            fieldwork_model::time::to_rfc3339(fieldwork_model::calendar::local_instant(tz, t))
        })
    };
    Ok(fieldwork_model::NewJob {
        id: Some(id.to_string()),
        technician: plan.technician.clone(),
        customer: fieldwork_model::Customer {
            // An asset registered without its customer is still somebody's: name it by serial.
            name: if asset.customer.is_empty() {
                asset.serial.clone()
            } else {
                asset.customer.clone()
            },
            phone: String::new(),
            email: None,
        },
        site,
        asset: fieldwork_model::Asset {
            serial: asset.serial.clone(),
            ..Default::default()
        },
        problem: plan
            .name
            .clone()
            .unwrap_or_else(|| "Planned maintenance inspection".into()),
        channel: Some("maintenance_plan".into()),
        priority: fieldwork_model::Priority::Normal,
        reported_at: at(0).unwrap_or_default(),
        scheduled_start: at(9),
        scheduled_end: at(17),
        contract: None,
        kind: Some(fieldwork_model::JobKind::Inspection),
        checklist: plan.checklist_items()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(json: serde_json::Value) -> Schedule {
        serde_json::from_value::<MaintenancePlan>(json)
            .unwrap()
            .schedule()
            .unwrap()
    }

    fn dates(v: &[NaiveDate]) -> Vec<String> {
        v.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn monthly_plan_from_the_31st_keeps_to_month_ends() {
        let s = plan(serde_json::json!({"asset": "A", "frequency": "monthly",
            "first_due": "2026-01-31", "checklist": ["Check fans"]}));
        let through = parse_date("t", "2026-04-30").unwrap();
        assert_eq!(
            dates(&s.due_dates(through, 10)),
            ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
        );
    }

    #[test]
    fn every_two_months_in_the_cooling_season_only() {
        let s = plan(serde_json::json!({"asset": "A", "every_months": 2,
            "first_due": "2026-01-15", "season": {"from": "05-01", "to": "09-30"},
            "checklist": ["Refrigerant pressure"]}));
        let through = parse_date("t", "2027-12-31").unwrap();
        assert_eq!(
            dates(&s.due_dates(through, 10)),
            [
                "2026-05-15",
                "2026-07-15",
                "2026-09-15",
                "2027-05-15",
                "2027-07-15",
                "2027-09-15"
            ]
        );
    }

    #[test]
    fn bad_plans_are_refused_with_the_field_named() {
        let bad = |json: serde_json::Value, needle: &str| {
            let p: MaintenancePlan = serde_json::from_value(json).unwrap();
            let e = p.schedule().unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        };
        bad(
            serde_json::json!({"asset": "A", "every_months": 0, "first_due": "2026-01-01",
            "checklist": ["x"]}),
            "every_months",
        );
        bad(
            serde_json::json!({"asset": "A", "frequency": "weekly", "first_due": "2026-01-01",
            "checklist": ["x"]}),
            "frequency",
        );
        bad(
            serde_json::json!({"asset": "A", "every_months": 1, "first_due": "2026-13-01",
            "checklist": ["x"]}),
            "first_due",
        );
        bad(
            serde_json::json!({"asset": "A", "every_months": 1, "first_due": "2026-01-01",
            "checklist": []}),
            "checklist",
        );
        bad(
            serde_json::json!({"asset": "A", "every_months": 1, "first_due": "2026-01-01",
            "season": {"from": "02-30", "to": "03-01"}, "checklist": ["x"]}),
            "season.from",
        );
    }
}
