//! Service contracts: the SLA budgets and calendar, the warranty terms and the billing rules a
//! job is measured against (DOMAIN.md R-10 to R-25).
//!
//! Dispatch registers a contract once (`POST /api/v1/contracts`); a job created for an asset
//! under that contract carries a copy of it in its document, so the phone evaluates the SLA and
//! the charges offline with exactly the terms the office uses.

use serde::{Deserialize, Serialize};

use crate::{Error, Result, validate_id};

/// A service contract as dispatch registers it and as the job document carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Contract {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    )]
    pub id: String,
    pub name: String,
    /// ISO 4217 code; every amount is in its minor unit (cents).
    pub currency: String,
    pub sla: Sla,
    pub warranty: Warranty,
    pub billing: Billing,
    pub rates: Rates,
    /// Hours after completion within which dispatch calls the customer back (R-07).
    #[serde(default = "default_followup_hours")]
    pub followup_hours: u32,
}

fn default_followup_hours() -> u32 {
    48
}

/// Response, arrival, resolution and loaner budgets, in counted minutes of the calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Sla {
    pub response_minutes: u32,
    pub arrival_minutes: ArrivalMinutes,
    pub resolution_minutes: u32,
    pub loaner_after_minutes: u32,
    pub calendar: Calendar,
}

/// Arrival budgets per region class (R-11).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArrivalMinutes {
    pub city: u32,
    pub province: u32,
    pub remote: u32,
}

/// Which minutes count towards a budget (R-14). Times are local to the site's time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", deny_unknown_fields)]
pub enum Calendar {
    /// Every minute counts, holidays included.
    #[serde(rename = "24x7")]
    Always,
    /// Only minutes inside the day's opening hours count.
    #[serde(rename = "working_hours")]
    WorkingHours {
        hours: Box<WeekHours>,
        /// Local dates (`YYYY-MM-DD`) with no hours, or with `holiday_hours` when given.
        #[serde(default)]
        holidays: Vec<String>,
        /// Opening hours on holidays (e.g. weekend-and-holiday support); none when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holiday_hours: Option<[String; 2]>,
    },
}

/// Opening hours per weekday as `["HH:MM", "HH:MM"]` (close may be `24:00`); `null` or absent
/// means closed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WeekHours {
    #[serde(default)]
    pub mon: Option<[String; 2]>,
    #[serde(default)]
    pub tue: Option<[String; 2]>,
    #[serde(default)]
    pub wed: Option<[String; 2]>,
    #[serde(default)]
    pub thu: Option<[String; 2]>,
    #[serde(default)]
    pub fri: Option<[String; 2]>,
    #[serde(default)]
    pub sat: Option<[String; 2]>,
    #[serde(default)]
    pub sun: Option<[String; 2]>,
}

impl WeekHours {
    /// The days Monday first.
    pub fn days(&self) -> [&Option<[String; 2]>; 7] {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ]
    }
}

/// Where the warranty period starts (R-20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WarrantyStart {
    Acceptance,
    Installation,
}

/// Warranty terms (R-20, R-24).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Warranty {
    pub months: u32,
    pub start: WarrantyStart,
    /// Completed in-warranty repairs of the same fault after which replacement is recommended.
    #[serde(default = "default_replace_after")]
    pub replace_after_repairs: u32,
}

fn default_replace_after() -> u32 {
    3
}

/// How parts are charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PartsRule {
    Free,
    /// At the part's unit cost.
    Cost,
    /// At the part's list (unit) price.
    List,
}

/// How labour or travel is charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChargeRule {
    Free,
    Charged,
}

/// The charging rule of one situation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub parts: PartsRule,
    pub labour: ChargeRule,
    pub travel: ChargeRule,
}

/// A post-warranty tier: `months` long, following the warranty or the previous tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub months: u32,
    pub parts: PartsRule,
    pub labour: ChargeRule,
    pub travel: ChargeRule,
}

impl Tier {
    /// The tier's charging rule.
    pub fn rule(&self) -> Rule {
        Rule {
            parts: self.parts,
            labour: self.labour,
            travel: self.travel,
        }
    }
}

/// The billing rules, picked by the job's warranty situation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Billing {
    pub in_warranty: Rule,
    /// In warranty but with an excluded cause (R-22: at cost unless the contract says otherwise).
    #[serde(default = "default_excluded")]
    pub excluded: Rule,
    #[serde(default)]
    pub post_warranty: Vec<Tier>,
    pub after: Rule,
}

fn default_excluded() -> Rule {
    Rule {
        parts: PartsRule::Cost,
        labour: ChargeRule::Charged,
        travel: ChargeRule::Charged,
    }
}

/// Labour and travel rates, in minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Rates {
    pub labour_per_hour: i64,
    pub travel_flat: i64,
}

/// The longest budget accepted: one year of counted minutes.
const MAX_BUDGET_MINUTES: u32 = 366 * 24 * 60;

impl Contract {
    /// Checks everything the SLA and charge computations rely on, so they never fail later.
    pub fn validate(&self) -> Result<()> {
        validate_id("contract", &self.id)?;
        if self.name.trim().is_empty() {
            return Err(Error::Invalid("contract name must not be empty".into()));
        }
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::Invalid(format!(
                "currency must be a 3-letter ISO 4217 code, got {:?}",
                self.currency
            )));
        }
        let sla = &self.sla;
        for (name, minutes) in [
            ("response_minutes", sla.response_minutes),
            ("arrival_minutes.city", sla.arrival_minutes.city),
            ("arrival_minutes.province", sla.arrival_minutes.province),
            ("arrival_minutes.remote", sla.arrival_minutes.remote),
            ("resolution_minutes", sla.resolution_minutes),
            ("loaner_after_minutes", sla.loaner_after_minutes),
        ] {
            if minutes > MAX_BUDGET_MINUTES {
                return Err(Error::Invalid(format!(
                    "sla.{name} must be at most {MAX_BUDGET_MINUTES}"
                )));
            }
        }
        crate::calendar::check_calendar(&sla.calendar)?;
        if self.warranty.months > 1200 {
            return Err(Error::Invalid(
                "warranty.months must be at most 1200".into(),
            ));
        }
        if self.billing.post_warranty.iter().any(|t| t.months == 0) {
            return Err(Error::Invalid(
                "every post_warranty tier needs months >= 1".into(),
            ));
        }
        crate::rules::money("rates.labour_per_hour", Some(self.rates.labour_per_hour))?;
        crate::rules::money("rates.travel_flat", Some(self.rates.travel_flat))?;
        if self.followup_hours > 24 * 366 {
            return Err(Error::Invalid(
                "followup_hours must be at most a year".into(),
            ));
        }
        Ok(())
    }

    /// The arrival budget for a site's region class.
    pub fn arrival_minutes(&self, region: crate::RegionClass) -> u32 {
        match region {
            crate::RegionClass::City => self.sla.arrival_minutes.city,
            crate::RegionClass::Province => self.sla.arrival_minutes.province,
            crate::RegionClass::Remote => self.sla.arrival_minutes.remote,
        }
    }
}
