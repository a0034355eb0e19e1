//! The request's clock: now, or the `at` a dispatcher asks SLA states to be judged at.

use fieldwork_model::time::parse_rfc3339;

use crate::Result;

pub(super) fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The instant of an optional `at` query parameter (RFC 3339), else now: SLA states are
/// rendered as of it.
pub(super) fn at_or_now(at: Option<&str>) -> Result<i64> {
    Ok(at
        .map(|a| parse_rfc3339("at", a))
        .transpose()?
        .unwrap_or_else(now))
}
