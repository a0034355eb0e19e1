//! Time at the edges: the document stores epoch milliseconds, JSON and the CLI speak RFC 3339.

use chrono::{DateTime, Datelike, SecondsFormat, Utc};

use crate::{Error, Result};

/// Formats epoch milliseconds as RFC 3339 in UTC (`2026-11-24T09:30:00Z`, milliseconds only
/// when they are not zero).
pub fn to_rfc3339(ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        None => String::from("invalid-time"),
    }
}

/// Epoch milliseconds as the clock at a site reads them: `2026-11-24 17:30` in `zone` (an IANA
/// name; an unknown zone reads as UTC, named so).
pub fn to_site_clock(ms: i64, zone: &str) -> String {
    let Some(t) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return String::from("invalid-time");
    };
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// Parses an RFC 3339 timestamp (any offset) into epoch milliseconds.
pub fn parse_rfc3339(field: &str, s: &str) -> Result<i64> {
    let t = DateTime::parse_from_rfc3339(s)
        .map_err(|_| Error::Invalid(format!("{field} must be an RFC 3339 time, got {s:?}")))?;
    if !TIME_YEARS.contains(&t.year()) {
        return Err(Error::Invalid(format!(
            "{field}: {s} is outside the years {} to {}",
            TIME_YEARS.start(),
            TIME_YEARS.end()
        )));
    }
    Ok(t.timestamp_millis())
}

/// Whether epoch milliseconds fall in [`TIME_YEARS`].
pub fn in_time_window(ms: i64) -> bool {
    DateTime::<Utc>::from_timestamp_millis(ms).is_some_and(|t| TIME_YEARS.contains(&t.year()))
}

#[cfg(test)]
mod site_clock_tests {
    #[test]
    fn site_clocks_read_local_time_and_unknown_zones_say_utc() {
        let ms = super::parse_rfc3339("t", "2026-11-24T09:30:00Z").unwrap_or_default();
        assert_eq!(
            super::to_site_clock(ms, "Asia/Shanghai"),
            "2026-11-24 17:30"
        );
        assert_eq!(
            super::to_site_clock(ms, "Europe/Berlin"),
            "2026-11-24 10:30"
        );
        assert_eq!(
            super::to_site_clock(ms, "Mars/Olympus"),
            "2026-11-24 09:30 UTC"
        );
    }
}

/// The years a timestamp from outside (dispatch's JSON, the CLI, a device's push) may fall in. Service work is
/// recorded now-ish; the window keeps every later computation on it far from overflow.
pub const TIME_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Serde helpers for optional RFC 3339 fields carried as epoch milliseconds.
pub mod opt_rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(ms) => s.serialize_str(&super::to_rfc3339(*ms)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        let v: Option<String> = Option::deserialize(d)?;
        v.map(|s| super::parse_rfc3339("time", &s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// Serde helpers for required RFC 3339 fields carried as epoch milliseconds.
pub mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::to_rfc3339(*v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let v = String::deserialize(d)?;
        super::parse_rfc3339("time", &v).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_outside_the_window_are_refused_with_their_field() {
        assert!(parse_rfc3339("at", "2026-11-25T09:00:00+08:00").is_ok());
        for bad in [
            "1999-12-31T23:59:59Z",
            "2101-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            let err = parse_rfc3339("scheduled_start", bad)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("scheduled_start") && err.contains("2000 to 2100"),
                "{err}"
            );
        }
    }

    #[test]
    fn rfc3339_round_trips_with_and_without_millis() {
        let ms = parse_rfc3339("t", "2026-11-24T09:30:00+08:00").unwrap();
        assert_eq!(to_rfc3339(ms), "2026-11-24T01:30:00Z");
        assert_eq!(to_rfc3339(ms + 5), "2026-11-24T01:30:00.005Z");
        assert!(parse_rfc3339("t", "yesterday").is_err());
    }
}
