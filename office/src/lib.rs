//! The office's own rules: what dispatch decides and the phone never runs. No I/O here (no
//! HTTP, no SQL): the store keeps the [`registers`], the server looks them up and hands them to
//! these functions, so each rule can be read and tested on its own.
//!
//! - [`terms`]: a new job's terms from its asset's register entry, contract and history;
//! - [`escalations`]: SLA milestones at risk or breached;
//! - [`complaints`]: escalation levels of a complaint and follow-up outcomes;
//! - [`maintenance`]: plans and the inspections they make due;
//! - [`kpi`]: the service figures over a period (DOMAIN "Quality figures");
//! - [`stock`]: the movements dispatch records and between which places (ADR 0015);
//! - [`webhooks`]: the events a change causes, their signature, retries and where they may go.
//!
//! Rules both sides compute (SLA clocks, warranty, charges, the status machine) live in
//! `fieldwork_model`, which the phone links too.

pub mod complaints;
pub mod escalations;
pub mod kpi;
pub mod maintenance;
pub mod registers;
pub mod stock;
pub mod terms;
pub mod webhooks;

pub use registers::{AssetRecord, Complaint, Followup, FollowupRow, LoanRow, Technician};
