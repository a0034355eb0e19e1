//! Loaner units: folding a job's issue and return movements into loans.
//!
//! Movements are append-only entries keyed by fresh ids, like status events. In device-time
//! order (then id), an `issue` opens a loan of that serial and a `return` closes the oldest open
//! loan of the same serial; a return with nothing open is kept in the document but ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::job::{LoanAction, LoanerEvent};
use crate::time::to_rfc3339;

/// One loan of the job JSON's `loaners` list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoanView {
    pub serial: String,
    pub model: Option<String>,
    pub issued_by: String,
    pub issued_at: String,
    pub returned_by: Option<String>,
    pub returned_at: Option<String>,
}

/// A loan, times in epoch ms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loan {
    pub serial: String,
    pub model: Option<String>,
    pub issued_by: String,
    pub issued_at: i64,
    pub returned: Option<(String, i64)>,
}

impl Loan {
    /// Whether the unit is still with the customer.
    pub fn open(&self) -> bool {
        self.returned.is_none()
    }

    /// The JSON form.
    pub fn view(&self) -> LoanView {
        LoanView {
            serial: self.serial.clone(),
            model: self.model.clone(),
            issued_by: self.issued_by.clone(),
            issued_at: to_rfc3339(self.issued_at),
            returned_by: self.returned.as_ref().map(|r| r.0.clone()),
            returned_at: self.returned.as_ref().map(|r| to_rfc3339(r.1)),
        }
    }
}

/// Folds the movements into loans, in issue order.
pub fn fold(events: &BTreeMap<String, LoanerEvent>) -> Vec<Loan> {
    let mut order: Vec<_> = events.iter().collect();
    order.sort_by(|a, b| (a.1.at, a.0).cmp(&(b.1.at, b.0)));
    let mut loans: Vec<Loan> = Vec::new();
    for (_, e) in order {
        match e.action {
            LoanAction::Issue => loans.push(Loan {
                serial: e.serial.clone(),
                model: e.model.clone(),
                issued_by: e.by.clone(),
                issued_at: e.at,
                returned: None,
            }),
            LoanAction::Return => {
                if let Some(loan) = loans.iter_mut().find(|l| l.open() && l.serial == e.serial) {
                    loan.returned = Some((e.by.clone(), e.at));
                }
            }
        }
    }
    loans
}
