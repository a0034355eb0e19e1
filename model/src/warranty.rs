//! Warranty and charges: is this repair free, and if not, what does it cost?
//!
//! - The warranty runs `months` from the asset's acceptance (or installation) date and covers
//!   through the day before the anniversary (start + months, clamped to the month's last day),
//!   in the site's time zone. A job is in warranty when the local date of `reported_at` is.
//! - The situation is the first that applies: `excluded` (in warranty, excluded cause),
//!   `in_warranty`, `post_warranty_N` (tiers in order, each `months` long from the day warranty
//!   ends), `after`. Until a cause is recorded the job is priced as `quality_defect` and the
//!   charges are `provisional`.
//! - Money is integer minor units; each line is rounded half up once.
//! - "Three guarantees": replacement is recommended when the asset's history already holds
//!   `replace_after_repairs` completed jobs in the `in_warranty` situation with the same fault
//!   code.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{local_date, parse_date, parse_tz};
use crate::contract::{ChargeRule, Contract, PartsRule, Rule, WarrantyStart};
use crate::job::{Asset, Cause, Diagnosis, JobData, TimeKind};
use crate::{Error, Result};

/// The job JSON's `warranty` object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarrantyView {
    pub in_warranty: bool,
    /// Last covered day (site-local `YYYY-MM-DD`); `null` without a start date.
    pub ends: Option<String>,
    /// `in_warranty`, `excluded`, `post_warranty_1`, ... or `after`.
    pub situation: String,
}

/// One line of the job JSON's `charges`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChargeLine {
    /// `part`, `labour` or `travel`.
    pub kind: String,
    /// The part line id, or `labour` / `travel`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Part quantity, labour minutes, or 1 for travel.
    pub qty: i64,
    /// Price of one unit under the rule (for labour: the hourly rate); 0 when free.
    pub unit_amount: i64,
    pub amount: i64,
    /// `free`, `cost`, `list` or `charged`.
    pub rule: String,
    /// The SKU, for part lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The rule asks for a price the part line does not carry; the line is charged 0.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub price_missing: bool,
}

/// The job JSON's `charges` object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Charges {
    pub currency: String,
    pub provisional: bool,
    pub lines: Vec<ChargeLine>,
    pub total: i64,
}

/// `date` plus `months`, clamped to the last day of the resulting month.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The warranty start date of an asset under a contract, falling back to the other date when
/// the contract's one is missing.
fn start_date(asset: &Asset, contract: &Contract) -> Result<Option<NaiveDate>> {
    let (first, second) = match contract.warranty.start {
        WarrantyStart::Acceptance => (&asset.acceptance_date, &asset.installation_date),
        WarrantyStart::Installation => (&asset.installation_date, &asset.acceptance_date),
    };
    first
        .as_ref()
        .or(second.as_ref())
        .map(|d| parse_date("asset date", d))
        .transpose()
}

/// Which situation (and rule) applies to a repair reported on local date `day`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Situation {
    pub name: String,
    pub in_warranty: bool,
    pub ends: Option<NaiveDate>,
    pub rule: Rule,
}

/// The situation of a repair reported at `reported_at` with `cause` (None: not yet known).
pub fn situation(
    contract: &Contract,
    asset: &Asset,
    time_zone: &str,
    reported_at: i64,
    cause: Option<Cause>,
) -> Result<Situation> {
    let billing = &contract.billing;
    let Some(start) = start_date(asset, contract)? else {
        return Ok(Situation {
            name: "after".into(),
            in_warranty: false,
            ends: None,
            rule: billing.after,
        });
    };
    let day = local_date(parse_tz(time_zone)?, reported_at);
    let anniversary = add_months(start, contract.warranty.months);
    let ends = anniversary.pred_opt();
    if day < anniversary {
        let excluded = cause.is_some_and(Cause::is_excluded);
        return Ok(Situation {
            name: if excluded { "excluded" } else { "in_warranty" }.into(),
            in_warranty: true,
            ends,
            rule: if excluded {
                billing.excluded
            } else {
                billing.in_warranty
            },
        });
    }
    let mut months = contract.warranty.months;
    for (i, tier) in billing.post_warranty.iter().enumerate() {
        months = months.saturating_add(tier.months);
        if day < add_months(start, months) {
            return Ok(Situation {
                name: format!("post_warranty_{}", i + 1),
                in_warranty: false,
                ends,
                rule: tier.rule(),
            });
        }
    }
    Ok(Situation {
        name: "after".into(),
        in_warranty: false,
        ends,
        rule: billing.after,
    })
}

/// The job's diagnosis: the latest by device time, then id.
pub fn diagnosis(d: &JobData) -> Option<&Diagnosis> {
    d.diagnoses
        .iter()
        .max_by(|a, b| (a.1.at, a.0).cmp(&(b.1.at, b.0)))
        .map(|(_, diag)| diag)
}

/// The `warranty` object, or `None` without a contract.
pub fn warranty_view(d: &JobData) -> Result<Option<WarrantyView>> {
    let Some(contract) = &d.contract else {
        return Ok(None);
    };
    let cause = diagnosis(d).map(|x| x.cause);
    let s = situation(contract, &d.asset, &d.site.time_zone, d.reported_at, cause)?;
    Ok(Some(WarrantyView {
        in_warranty: s.in_warranty,
        ends: s.ends.map(|e| e.format("%Y-%m-%d").to_string()),
        situation: s.name,
    }))
}

/// Integer division rounding half up (non-negative operands; cannot overflow).
fn div_round_half_up(n: i64, d: i64) -> i64 {
    let r = n % d;
    n / d + i64::from(r >= d - r)
}

/// The `charges` object, or `None` without a contract.
pub fn charges(d: &JobData) -> Result<Option<Charges>> {
    let Some(contract) = &d.contract else {
        return Ok(None);
    };
    let diag = diagnosis(d);
    let s = situation(
        contract,
        &d.asset,
        &d.site.time_zone,
        d.reported_at,
        Some(diag.map_or(Cause::QualityDefect, |x| x.cause)),
    )?;
    let rule = s.rule;
    let mut lines = Vec::new();

    let mut parts: Vec<_> = d
        .parts
        .iter()
        .filter(|(_, p)| p.removed.is_none())
        .collect();
    parts.sort_by(|a, b| (a.1.added_at, a.0).cmp(&(b.1.added_at, b.0)));
    for (id, p) in parts {
        let (unit, missing) = match rule.parts {
            PartsRule::Free => (0, false),
            PartsRule::Cost => (p.unit_cost.unwrap_or(0), p.unit_cost.is_none()),
            PartsRule::List => (p.unit_price.unwrap_or(0), p.unit_price.is_none()),
        };
        lines.push(ChargeLine {
            kind: "part".into(),
            reference: id.clone(),
            qty: i64::from(p.qty),
            unit_amount: unit,
            amount: unit
                .checked_mul(i64::from(p.qty))
                .ok_or_else(|| Error::Invalid(format!("part line {id} amount overflows")))?,
            rule: parts_rule_name(rule.parts).into(),
            sku: Some(p.sku.clone()),
            price_missing: missing,
        });
    }

    let labour_ms: i64 = d
        .time
        .values()
        .filter(|t| t.kind == TimeKind::Labour)
        .map(|t| t.end - t.start)
        .sum();
    let minutes = labour_ms / 60_000;
    if minutes > 0 {
        let rate = match rule.labour {
            ChargeRule::Free => 0,
            ChargeRule::Charged => contract.rates.labour_per_hour,
        };
        lines.push(ChargeLine {
            kind: "labour".into(),
            reference: "labour".into(),
            qty: minutes,
            unit_amount: rate,
            amount: minutes
                .checked_mul(rate)
                .map(|n| div_round_half_up(n, 60))
                .ok_or_else(|| Error::Invalid("the labour amount overflows".into()))?,
            rule: charge_rule_name(rule.labour).into(),
            sku: None,
            price_missing: false,
        });
    }
    if d.time.values().any(|t| t.kind == TimeKind::Travel) {
        let fee = match rule.travel {
            ChargeRule::Free => 0,
            ChargeRule::Charged => contract.rates.travel_flat,
        };
        lines.push(ChargeLine {
            kind: "travel".into(),
            reference: "travel".into(),
            qty: 1,
            unit_amount: fee,
            amount: fee,
            rule: charge_rule_name(rule.travel).into(),
            sku: None,
            price_missing: false,
        });
    }
    let total = lines
        .iter()
        .try_fold(0i64, |sum, l| sum.checked_add(l.amount))
        .ok_or_else(|| Error::Invalid("the charges total overflows".into()))?;
    Ok(Some(Charges {
        currency: contract.currency.clone(),
        provisional: diag.is_none(),
        lines,
        total,
    }))
}

fn parts_rule_name(r: PartsRule) -> &'static str {
    match r {
        PartsRule::Free => "free",
        PartsRule::Cost => "cost",
        PartsRule::List => "list",
    }
}

fn charge_rule_name(r: ChargeRule) -> &'static str {
    match r {
        ChargeRule::Free => "free",
        ChargeRule::Charged => "charged",
    }
}

/// The "three guarantees" rule over the history carried in the document.
pub fn replacement_recommended(d: &JobData) -> Result<bool> {
    let (Some(contract), Some(diag)) = (&d.contract, diagnosis(d)) else {
        return Ok(false);
    };
    let mut repairs = 0u32;
    for h in &d.asset_history {
        if h.status != crate::Status::Completed || h.fault_code.as_deref() != Some(&diag.fault_code)
        {
            continue;
        }
        let s = situation(
            contract,
            &d.asset,
            &d.site.time_zone,
            h.reported_at,
            h.cause,
        )?;
        if s.name == "in_warranty" {
            repairs += 1;
        }
    }
    Ok(repairs >= contract.warranty.replace_after_repairs.max(1))
}

/// Whether a history entry was an in-warranty repair (for the asset history view).
pub fn history_in_warranty(d: &JobData, reported_at: i64) -> Result<Option<bool>> {
    let Some(contract) = &d.contract else {
        return Ok(None);
    };
    Ok(Some(
        situation(contract, &d.asset, &d.site.time_zone, reported_at, None)?.in_warranty,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        let d = |s| parse_date("d", s).unwrap();
        assert_eq!(add_months(d("2025-01-31"), 1), d("2025-02-28"));
        assert_eq!(add_months(d("2024-02-29"), 12), d("2025-02-28"));
        assert_eq!(add_months(d("2025-03-15"), 24), d("2027-03-15"));
    }

    #[test]
    fn half_up_rounding() {
        assert_eq!(div_round_half_up(30, 60), 1);
        assert_eq!(div_round_half_up(29, 60), 0);
        assert_eq!(div_round_half_up(90, 60), 2);
        assert_eq!(div_round_half_up(0, 60), 0);
    }
}
