//! The registers dispatch keeps beside jobs, as the office's rules see them: technicians,
//! installed assets (R-01), follow-up calls (R-07), complaints (R-08) and loaner units. The
//! store saves and reads these records; the HTTP layer shows them.

/// A technician record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Technician {
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    )]
    pub id: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub name: String,
    #[serde(default)]
    pub region: String,
}

/// An installed asset (R-01) as dispatch registers it (`POST /api/v1/assets`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssetRecord {
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[^/]{1,128}$"))]
    pub serial: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub customer: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub installation_date: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub acceptance_date: Option<String>,
    /// Contract id.
    #[serde(default)]
    pub contract: Option<String>,
    /// Where it is installed (maintenance jobs are created there).
    #[serde(default)]
    pub site: Option<fieldwork_model::Site>,
}

/// What the customer said on the follow-up call (R-07).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Followup {
    /// One of `complaints::SATISFACTION`, or `complaints::NOT_REACHED` for a call that did not
    /// reach the customer (the follow-up stays due).
    pub satisfaction: String,
    pub score: u8,
    pub comment: String,
    pub recorded_at: i64,
}

/// A completed job's follow-up: when it is due and what was recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowupRow {
    pub job: String,
    pub technician: Option<String>,
    pub completed_at: i64,
    pub due_at: i64,
    pub record: Option<Followup>,
}

/// A complaint against a job (R-08).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Complaint {
    pub id: String,
    pub job: String,
    pub text: String,
    pub received_at: i64,
    pub due_at: i64,
    /// `engineer`, `senior_engineer` or `manager`.
    pub level: String,
    pub answer: Option<String>,
    pub answered_at: Option<i64>,
}

/// A loaner unit on a job (the loans projection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanRow {
    pub job: String,
    pub technician: Option<String>,
    pub serial: String,
    pub model: Option<String>,
    pub issued_by: String,
    pub issued_at: i64,
    pub returned_at: Option<i64>,
}
