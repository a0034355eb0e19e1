//! The van's stock for the apps (issue 21, ADR 0015): its levels with the parts' names, the
//! transfers on their way, and the movements a technician records offline (a transfer counted
//! in, a count of the van, a part sent back). Using a part is adding its line to a job
//! (`add_part`): the core takes it out of the van in the same commit.

use fieldwork_core::model::stock::{Movement, Part, ReturnReason};
use fieldwork_core::stock::Counted;

use crate::error::ApiError;
use crate::{FieldworkApp, now_ms};

/// A part of the catalogue.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PartRecord {
    pub sku: String,
    pub name_zh: String,
    pub name_en: String,
    pub unit: String,
    /// Cents per unit.
    pub unit_price: i64,
    /// Tracked one by one: using one asks for its serial.
    pub serialised: bool,
}

/// Why a level needs dispatch's eye.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum StockFlag {
    /// More used than the books say the van held.
    BelowZero,
    /// One serial used on two jobs.
    SerialUsedTwice,
}

/// One part's level in the van.
#[derive(Debug, Clone, uniffi::Record)]
pub struct StockLevelRecord {
    pub sku: String,
    /// From the catalogue (empty if the part left it).
    pub name_zh: String,
    pub name_en: String,
    pub unit: String,
    /// On hand; may be below zero.
    pub qty: i64,
    /// Sent from the warehouse, not yet counted in.
    pub in_transit: i64,
    pub flags: Vec<StockFlag>,
    /// The jobs behind a flag.
    pub jobs: Vec<String>,
}

/// A part on a movement.
#[derive(Debug, Clone, uniffi::Record)]
pub struct StockLineRecord {
    pub sku: String,
    pub qty: i64,
    pub serials: Vec<String>,
}

/// A transfer on its way to the van, to count in when it arrives.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TransferRecord {
    pub id: String,
    pub from: String,
    pub sent_at_ms: i64,
    pub lines: Vec<StockLineRecord>,
}

/// A movement the office refused, with its words.
#[derive(Debug, Clone, uniffi::Record)]
pub struct StockRefusalRecord {
    pub id: String,
    pub error: String,
}

/// The van's stock screen.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VanStockRecord {
    pub location: String,
    pub levels: Vec<StockLevelRecord>,
    pub in_transit: Vec<TransferRecord>,
    /// Movements recorded here the office has not recorded yet.
    pub pending: u64,
    pub refused: Vec<StockRefusalRecord>,
}

/// What the technician counted of a part.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CountedRecord {
    pub sku: String,
    pub qty: i64,
    #[uniffi(default = [])]
    pub serials: Vec<String>,
}

/// Why a part goes back to the warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReturnReasonRecord {
    /// A van part found faulty.
    Defective,
    /// A van part not needed.
    Unused,
    /// Taken off the customer's equipment (the replaced part).
    Removed,
}

impl From<ReturnReasonRecord> for ReturnReason {
    fn from(r: ReturnReasonRecord) -> ReturnReason {
        match r {
            ReturnReasonRecord::Defective => ReturnReason::Defective,
            ReturnReasonRecord::Unused => ReturnReason::Unused,
            ReturnReasonRecord::Removed => ReturnReason::Removed,
        }
    }
}

fn part_record(p: &Part) -> PartRecord {
    PartRecord {
        sku: p.sku.clone(),
        name_zh: p.name.zh_cn.clone(),
        name_en: p.name.en.clone(),
        unit: p.unit.clone(),
        unit_price: p.unit_price,
        serialised: p.serialised,
    }
}

fn transfer_record(m: &Movement) -> TransferRecord {
    TransferRecord {
        id: m.id.clone(),
        from: m.from.clone().unwrap_or_default(),
        sent_at_ms: m.at,
        lines: m
            .lines
            .iter()
            .map(|l| StockLineRecord {
                sku: l.sku.clone(),
                qty: l.qty,
                serials: l.serials.clone(),
            })
            .collect(),
    }
}

fn counted(list: Vec<CountedRecord>) -> Vec<Counted> {
    list.into_iter()
        .map(|c| Counted {
            sku: c.sku,
            qty: c.qty,
            serials: c.serials,
        })
        .collect()
}

#[uniffi::export]
impl FieldworkApp {
    /// The parts catalogue the office sent (for the part picker), by SKU.
    pub fn parts_catalogue(&self) -> Result<Vec<PartRecord>, ApiError> {
        Ok(self.device.catalogue()?.iter().map(part_record).collect())
    }

    /// The van's stock now: levels folded from its ledger, transfers on their way, what waits
    /// for the office. Fails with a clear error before the office put the technician in a van.
    pub fn van_stock(&self) -> Result<VanStockRecord, ApiError> {
        let stock = self.device.van_stock()?;
        let catalogue = self.device.catalogue()?;
        let levels = stock
            .levels
            .iter()
            .map(|l| {
                let part = catalogue.iter().find(|p| p.sku == l.sku);
                StockLevelRecord {
                    sku: l.sku.clone(),
                    name_zh: part.map(|p| p.name.zh_cn.clone()).unwrap_or_default(),
                    name_en: part.map(|p| p.name.en.clone()).unwrap_or_default(),
                    unit: part.map(|p| p.unit.clone()).unwrap_or_default(),
                    qty: l.qty,
                    in_transit: l.in_transit,
                    flags: l
                        .flags
                        .iter()
                        .filter_map(|f| match f.as_str() {
                            "below_zero" => Some(StockFlag::BelowZero),
                            "serial_used_twice" => Some(StockFlag::SerialUsedTwice),
                            _ => None,
                        })
                        .collect(),
                    jobs: l.jobs.clone(),
                }
            })
            .collect();
        Ok(VanStockRecord {
            location: stock.location,
            levels,
            in_transit: stock.in_transit.iter().map(transfer_record).collect(),
            pending: stock.pending,
            refused: stock
                .refused
                .into_iter()
                .map(|(id, error)| StockRefusalRecord { id, error })
                .collect(),
        })
    }

    /// Counts a transfer in as it arrived; returns the movement's id.
    pub fn receive_transfer(
        &self,
        transfer_id: String,
        counted_parts: Vec<CountedRecord>,
        at_ms: Option<i64>,
    ) -> Result<String, ApiError> {
        Ok(self.device.receive_transfer(
            &transfer_id,
            &counted(counted_parts),
            at_ms.unwrap_or_else(now_ms),
        )?)
    }

    /// Counts the van; returns the movement's id.
    pub fn count_stock(
        &self,
        counted_parts: Vec<CountedRecord>,
        at_ms: Option<i64>,
    ) -> Result<String, ApiError> {
        Ok(self
            .device
            .count_stock(&counted(counted_parts), at_ms.unwrap_or_else(now_ms))?)
    }

    /// Sends a part back to the region's warehouse (or `to`); returns the movement's id.
    #[allow(clippy::too_many_arguments)]
    pub fn return_part(
        &self,
        sku: String,
        qty: i64,
        serials: Vec<String>,
        job_id: Option<String>,
        reason: ReturnReasonRecord,
        to: Option<String>,
        at_ms: Option<i64>,
    ) -> Result<String, ApiError> {
        Ok(self.device.return_part(
            &sku,
            qty,
            &serials,
            job_id.as_deref(),
            reason.into(),
            to.as_deref(),
            at_ms.unwrap_or_else(now_ms),
        )?)
    }
}
