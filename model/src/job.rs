//! The job document's schema: what one Automerge document per job holds.
//!
//! Registers (customer, site, asset, problem, priority, schedule) are written by dispatch only.
//! Everything a technician records (status events, notes, time entries, part lines) lives in maps
//! keyed by a fresh random id, so concurrent additions from any number of writers never collide
//! and nothing is ever deleted: a removed part line carries a `removed` mark. See
//! `docs/merge-semantics.md` for every field's concurrent-edit behaviour.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::contract::Contract;
use crate::{Error, Result};

/// The schema version written into every document.
pub const SCHEMA_VERSION: i64 = 1;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        // By hand: the derive does not see a `rename` whose text came through this macro.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(Error::Invalid(format!(
                        concat!(stringify!($name), " must be one of {}, got {:?}"),
                        [$($text),+].join(", "), s
                    ))),
                }
            }
        }
    };
}

string_enum!(
    /// The status of a job, derived from its status events (see [`crate::status`]).
    Status {
        New => "new",
        Assigned => "assigned",
        Accepted => "accepted",
        EnRoute => "en_route",
        OnSite => "on_site",
        InProgress => "in_progress",
        OnHold => "on_hold",
        Completed => "completed",
        Cancelled => "cancelled",
    }
);

impl Status {
    /// Statuses a technician records from the field.
    pub fn is_technician_status(self) -> bool {
        matches!(
            self,
            Status::Accepted
                | Status::EnRoute
                | Status::OnSite
                | Status::InProgress
                | Status::OnHold
                | Status::Completed
        )
    }

    /// A job in a terminal status takes no more progress.
    pub fn is_terminal(self) -> bool {
        matches!(self, Status::Completed | Status::Cancelled)
    }
}

string_enum!(
    /// How urgent a job is.
    Priority {
        Emergency => "emergency",
        High => "high",
        Normal => "normal",
        Low => "low",
    }
);

string_enum!(
    /// The region class of a site, which picks the arrival promise (R-11).
    RegionClass {
        City => "city",
        Province => "province",
        Remote => "remote",
    }
);

string_enum!(
    /// The kind of a time entry.
    TimeKind {
        Travel => "travel",
        Labour => "labour",
    }
);

/// The customer who reported the job.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    /// Where the office emails the signed completion report, if anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Where the work happens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Site {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub address: String,
    pub region: RegionClass,
    /// IANA time zone name, e.g. `Asia/Shanghai`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub time_zone: String,
}

/// The equipment being serviced. The dates (`YYYY-MM-DD`, site-local) start the warranty;
/// dispatch fills them from the asset register when the job is created.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    #[serde(default)]
    pub serial: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub installation_date: Option<String>,
    #[serde(default)]
    pub acceptance_date: Option<String>,
}

string_enum!(
    /// What kind of visit a job is.
    #[derive(Default)]
    JobKind {
        /// A reported fault: measured against the SLA.
        #[default]
        Repair => "repair",
        /// A planned inspection from a maintenance plan (R-30): checklist, no SLA clocks.
        Inspection => "inspection",
    }
);

string_enum!(
    /// The fault cause a technician records (R-21, R-22). Every cause but `quality_defect`
    /// is excluded from warranty.
    Cause {
        QualityDefect => "quality_defect",
        HumanDamage => "human_damage",
        Misuse => "misuse",
        ImproperStorage => "improper_storage",
        ImproperTransport => "improper_transport",
        ForceMajeure => "force_majeure",
        PowerSupply => "power_supply",
        UnauthorisedModification => "unauthorised_modification",
        NoWarrantyCard => "no_warranty_card",
        SerialMismatch => "serial_mismatch",
    }
);

impl Cause {
    /// Whether the cause voids warranty cover for this repair (R-22).
    pub fn is_excluded(self) -> bool {
        self != Cause::QualityDefect
    }
}

/// A technician's diagnosis; the latest (by device time, then id) is the job's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Diagnosis {
    pub cause: Cause,
    pub fault_code: String,
    /// What was done about it, for the asset history.
    #[serde(default)]
    pub action: Option<String>,
    pub by: String,
    pub at: i64,
}

string_enum!(
    /// A loaner movement.
    LoanAction {
        Issue => "issue",
        Return => "return",
    }
);

/// One loaner movement (R-05): a unit lent to the customer, or taken back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoanerEvent {
    pub action: LoanAction,
    pub serial: String,
    #[serde(default)]
    pub model: Option<String>,
    pub by: String,
    pub at: i64,
}

/// An item of an inspection checklist (template written by dispatch).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub id: String,
    pub label: String,
    /// Unit of a measured value, e.g. `bar`.
    #[serde(default)]
    pub unit: Option<String>,
}

/// A recorded checklist result; the latest per item counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckResult {
    pub item: String,
    /// `pass`, `fail`, or a measured value (a decimal number).
    pub result: String,
    #[serde(default)]
    pub note: Option<String>,
    pub by: String,
    pub at: i64,
}

/// A part used on an earlier job of the same asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPart {
    pub sku: String,
    pub qty: u32,
}

/// One earlier job of the asset, as the office knew it when this job was created (R-01).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub job: String,
    pub reported_at: i64,
    pub status: Status,
    #[serde(default)]
    pub completed_at: Option<i64>,
    #[serde(default)]
    pub cause: Option<Cause>,
    #[serde(default)]
    pub fault_code: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub parts: Vec<HistoryPart>,
}

/// One entry of the append-only status history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusEvent {
    pub status: Status,
    /// Device time in epoch milliseconds: when it happened where it happened.
    pub at: i64,
    /// Technician id or [`crate::DISPATCH_ACTOR`].
    pub by: String,
    /// For `assigned` events: who the job was given to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technician: Option<String>,
    /// For `cancelled` (and optionally `on_hold`) events: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A free-text note. Notes are never edited or deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    pub author: String,
    pub at: i64,
    pub text: String,
}

/// Travel or labour time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeEntry {
    pub kind: TimeKind,
    pub start: i64,
    pub end: i64,
    pub by: String,
}

/// Who removed a part line, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Removal {
    pub by: String,
    pub at: i64,
}

/// A part used on the job (R-03). Removal is recorded, never erased.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartLine {
    pub sku: String,
    #[serde(default)]
    pub description: String,
    pub qty: u32,
    /// Serial number of the part fitted.
    #[serde(default)]
    pub serial_in: Option<String>,
    /// Serial number of the part taken out.
    #[serde(default)]
    pub serial_out: Option<String>,
    /// Where the part came from: `van` or `warehouse`.
    #[serde(default)]
    pub stock: Option<String>,
    pub added_by: String,
    pub added_at: i64,
    #[serde(default)]
    pub removed: Option<Removal>,
    /// Unit cost in the contract currency's minor unit (charged when parts go `at cost`).
    #[serde(default)]
    pub unit_cost: Option<i64>,
    /// Unit list price in minor units (charged when parts go at `list`).
    #[serde(default)]
    pub unit_price: Option<i64>,
}

/// Everything one job document holds, as read from Automerge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobData {
    pub schema: i64,
    pub id: String,
    pub customer: Customer,
    pub site: Site,
    pub asset: Asset,
    pub problem: String,
    #[serde(default)]
    pub channel: Option<String>,
    pub priority: Priority,
    pub reported_at: i64,
    #[serde(default)]
    pub scheduled_start: Option<i64>,
    #[serde(default)]
    pub scheduled_end: Option<i64>,
    #[serde(default)]
    pub events: BTreeMap<String, StatusEvent>,
    #[serde(default)]
    pub notes: BTreeMap<String, Note>,
    #[serde(default)]
    pub time: BTreeMap<String, TimeEntry>,
    #[serde(default)]
    pub parts: BTreeMap<String, PartLine>,
    #[serde(default)]
    pub kind: JobKind,
    /// The contract terms the job is measured against (copied in at creation).
    #[serde(default, with = "json_text")]
    pub contract: Option<Contract>,
    #[serde(default, with = "json_text")]
    pub asset_history: Vec<HistoryEntry>,
    #[serde(default, with = "json_text")]
    pub checklist: Vec<ChecklistItem>,
    #[serde(default)]
    pub diagnoses: BTreeMap<String, Diagnosis>,
    #[serde(default)]
    pub loaners: BTreeMap<String, LoanerEvent>,
    #[serde(default)]
    pub checks: BTreeMap<String, CheckResult>,
    /// Photos and other attachments, keyed by the SHA-256 (hex) of their bytes.
    #[serde(default)]
    pub attachments: BTreeMap<String, crate::report::Attachment>,
    /// Sealed completion reports (signed or refused), never edited.
    #[serde(default)]
    pub reports: BTreeMap<String, crate::report::SealedReport>,
    /// The names of the technicians the job was assigned to (id -> name), written by the office
    /// when it assigns: the phone shows a colleague's note by its author's name.
    #[serde(default)]
    pub people: BTreeMap<String, String>,
}

/// Serde adapter for write-once registers (contract, asset history, checklist): stored as one
/// JSON text value in the document. They are never merged field by field, and reading one
/// value is far cheaper than hydrating hundreds of map entries on every edit (measured in
/// docs/benchmarks.md).
mod json_text {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(v).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

/// What the office adds to a new job beyond the request body: the contract, the asset's
/// history and an inspection checklist.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobTerms {
    pub kind: JobKind,
    pub contract: Option<Contract>,
    pub asset_history: Vec<HistoryEntry>,
    pub checklist: Vec<ChecklistItem>,
}

/// What dispatch supplies to create a job (the body of `POST /api/v1/jobs`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewJob {
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    )]
    pub id: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    )]
    pub technician: Option<String>,
    pub customer: Customer,
    pub site: Site,
    #[serde(default)]
    pub asset: Asset,
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub problem: String,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default = "default_priority")]
    pub priority: Priority,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub reported_at: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub scheduled_start: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub scheduled_end: Option<String>,
    /// A registered contract id; by default the registered asset's contract.
    #[serde(default)]
    pub contract: Option<String>,
    /// `repair` (default) or `inspection`.
    #[serde(default)]
    pub kind: Option<JobKind>,
    /// Checklist items for an inspection.
    #[serde(default)]
    pub checklist: Vec<ChecklistItem>,
}

fn default_priority() -> Priority {
    Priority::Normal
}

/// A part line as the technician enters it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewPart {
    pub sku: String,
    pub description: String,
    pub qty: u32,
    pub serial_in: Option<String>,
    pub serial_out: Option<String>,
    pub stock: Option<String>,
    pub unit_cost: Option<i64>,
    pub unit_price: Option<i64>,
}

/// A time entry as the technician enters it (epoch milliseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewTimeEntry {
    pub kind: TimeKind,
    pub start: i64,
    pub end: i64,
}
