//! Counted time: which instants count towards an SLA budget, in the site's time zone.
//!
//! A [`WorkCalendar`] turns a contract [`Calendar`] and an IANA zone into *working segments*
//! (half-open UTC intervals in epoch milliseconds). Deadlines walk those segments, minus any
//! paused intervals (holds), until the budget is used up; elapsed time sums them. Opening hours
//! are local wall times, so a day across a daylight-saving change has its true length.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::contract::Calendar;
use crate::{Error, Result};

/// How far ahead a deadline search walks before giving up (about ten years of days).
const MAX_DAYS: i64 = 3700;

/// Opening hours of one day, as minutes after local midnight (`close` up to 1440).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hours {
    open: u32,
    close: u32,
}

#[derive(Clone, Debug)]
enum Kind {
    Always,
    Hours {
        week: [Option<Hours>; 7],
        holidays: BTreeSet<NaiveDate>,
        holiday_hours: Option<Hours>,
    },
}

/// A contract calendar bound to a site's time zone.
#[derive(Clone, Debug)]
pub struct WorkCalendar {
    tz: Tz,
    kind: Kind,
}

/// Parses an IANA time zone name.
pub fn parse_tz(name: &str) -> Result<Tz> {
    name.parse::<Tz>()
        .map_err(|_| Error::Invalid(format!("unknown IANA time zone {name:?}")))
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    // Exactly YYYY-MM-DD: chrono alone also takes signed years of any length ("+262142-06-01"),
    // whose calendar arithmetic later panics.
    let bytes = s.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| shaped)
        .ok_or_else(|| Error::Invalid(format!("{field} must be a YYYY-MM-DD date, got {s:?}")))?;
    if !DATE_YEARS.contains(&date.year()) {
        return Err(Error::Invalid(format!(
            "{field}: {s} is outside the years {} to {}",
            DATE_YEARS.start(),
            DATE_YEARS.end()
        )));
    }
    Ok(date)
}

/// The years a date may name: assets installed long ago, plans and contracts a lifetime ahead.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// The local calendar date of an instant in a zone.
pub fn local_date(tz: Tz, ms: i64) -> NaiveDate {
    tz.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// The instant of a local wall time. In a daylight-saving gap the first valid minute after it
/// is used; in an overlap, the earlier instant.
pub fn local_instant(tz: Tz, t: NaiveDateTime) -> i64 {
    let mut t = t;
    for _ in 0..=180 {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) => return x.timestamp_millis(),
            LocalResult::Ambiguous(a, _) => return a.timestamp_millis(),
            LocalResult::None => t += Duration::minutes(1),
        }
    }
    // No zone has a gap longer than three hours; fall back to reading the time as UTC.
    t.and_utc().timestamp_millis()
}

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

fn parse_hours(field: &str, pair: &[String; 2]) -> Result<Hours> {
    let bad = || {
        Error::Invalid(format!(
            "{field} must be [\"HH:MM\", \"HH:MM\"] with open before close, got {pair:?}"
        ))
    };
    let open = parse_hhmm(&pair[0]).ok_or_else(bad)?;
    let close = parse_hhmm(&pair[1]).ok_or_else(bad)?;
    if open >= close || open >= 1440 {
        return Err(bad());
    }
    Ok(Hours { open, close })
}

/// Validates a contract calendar (hours, holidays, at least one open weekday).
pub fn check_calendar(c: &Calendar) -> Result<()> {
    compile(c).map(drop)
}

fn compile(c: &Calendar) -> Result<Kind> {
    match c {
        Calendar::Always => Ok(Kind::Always),
        Calendar::WorkingHours {
            hours,
            holidays,
            holiday_hours,
        } => {
            const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let mut week = [None; 7];
            for (i, day) in hours.days().into_iter().enumerate() {
                if let Some(pair) = day {
                    week[i] = Some(parse_hours(&format!("calendar.hours.{}", NAMES[i]), pair)?);
                }
            }
            if week.iter().all(Option::is_none) {
                return Err(Error::Invalid(
                    "calendar.hours must open on at least one weekday".into(),
                ));
            }
            let holidays = holidays
                .iter()
                .map(|d| parse_date("calendar.holidays", d))
                .collect::<Result<BTreeSet<_>>>()?;
            let holiday_hours = holiday_hours
                .as_ref()
                .map(|p| parse_hours("calendar.holiday_hours", p))
                .transpose()?;
            Ok(Kind::Hours {
                week,
                holidays,
                holiday_hours,
            })
        }
    }
}

impl WorkCalendar {
    /// Binds a (validated or not) calendar to a zone; errors name the bad field.
    pub fn new(c: &Calendar, time_zone: &str) -> Result<WorkCalendar> {
        Ok(WorkCalendar {
            tz: parse_tz(time_zone)?,
            kind: compile(c)?,
        })
    }

    /// The site's zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The working interval of a local date, in UTC epoch ms, if the day has hours.
    fn day_segment(&self, date: NaiveDate) -> Option<(i64, i64)> {
        let hours = match &self.kind {
            Kind::Always => Hours {
                open: 0,
                close: 1440,
            },
            Kind::Hours {
                week,
                holidays,
                holiday_hours,
            } => {
                if holidays.contains(&date) {
                    (*holiday_hours)?
                } else {
                    week[date.weekday().num_days_from_monday() as usize]?
                }
            }
        };
        let midnight = date.and_hms_opt(0, 0, 0)?;
        let at =
            |minutes: u32| local_instant(self.tz, midnight + Duration::minutes(i64::from(minutes)));
        let (open, close) = (at(hours.open), at(hours.close));
        (open < close).then_some((open, close))
    }

    /// The closing instant of a local date's hours, if it has any.
    pub fn closing(&self, date: NaiveDate) -> Option<i64> {
        self.day_segment(date).map(|(_, close)| close)
    }

    /// Working segments from `start` on, clipped to start there, in time order.
    fn segments(&self, start: i64) -> impl Iterator<Item = (i64, i64)> + '_ {
        // Begin the day before so a segment crossing local midnight is not missed.
        let first = local_date(self.tz, start) - Duration::days(1);
        (0..MAX_DAYS)
            .filter_map(move |i| self.day_segment(first + Duration::days(i)))
            .filter(move |&(_, close)| close > start)
            .map(move |(open, close)| (open.max(start), close))
    }

    /// The instant at which `budget_ms` of working time, counted from `start` and skipping the
    /// `paused` intervals, is used up. A budget used up exactly at a closing time gives that
    /// closing time; a start outside hours counts from the next opening.
    pub fn deadline(&self, start: i64, budget_ms: i64, paused: &[(i64, i64)]) -> Result<i64> {
        let mut remaining = budget_ms.max(0);
        for (a, b) in self.segments(start) {
            for (a, b) in subtract(a, b, paused) {
                if remaining <= b - a {
                    return Ok(a + remaining);
                }
                remaining -= b - a;
            }
        }
        Err(Error::Invalid(
            "the calendar has no working time within ten years".into(),
        ))
    }

    /// Working time in `[from, to)`, minus the `paused` intervals, in milliseconds.
    pub fn elapsed(&self, from: i64, to: i64, paused: &[(i64, i64)]) -> i64 {
        if to <= from {
            return 0;
        }
        self.segments(from)
            .take_while(|&(a, _)| a < to)
            .flat_map(|(a, b)| subtract(a, b.min(to), paused))
            .map(|(a, b)| b - a)
            .sum()
    }
}

/// `[a, b)` minus the union of `paused` intervals, in time order.
fn subtract(a: i64, b: i64, paused: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut cuts: Vec<(i64, i64)> = paused
        .iter()
        .filter(|&&(p, q)| q > a && p < b && q > p)
        .copied()
        .collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut cursor = a;
    for (p, q) in cuts {
        if p > cursor {
            out.push((cursor, p.min(b)));
        }
        cursor = cursor.max(q);
        if cursor >= b {
            break;
        }
    }
    if cursor < b {
        out.push((cursor, b));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtract_cuts_overlapping_and_nested_pauses() {
        assert_eq!(subtract(0, 10, &[]), vec![(0, 10)]);
        assert_eq!(subtract(0, 10, &[(2, 4), (3, 5)]), vec![(0, 2), (5, 10)]);
        assert_eq!(subtract(0, 10, &[(-5, 20)]), vec![]);
        assert_eq!(subtract(0, 10, &[(8, 20), (0, 1)]), vec![(1, 8)]);
    }

    #[test]
    fn dates_are_four_digit_years_in_the_window() {
        assert_eq!(
            parse_date("d", "2026-11-25").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
        );
        for bad in [
            "+262142-06-01",
            "-0001-01-01",
            "20261-01-01",
            "2026-1-01",
            "2026-01-1",
            "2026/01/01",
            " 2026-01-01",
            "2026-02-30",
            "1899-12-31",
            "2101-01-01",
            "",
        ] {
            let err = parse_date("plan.first_due", bad).unwrap_err().to_string();
            assert!(err.contains("plan.first_due"), "{bad}: {err}");
        }
    }

    #[test]
    fn hours_parse_strictly() {
        assert_eq!(parse_hhmm("08:30"), Some(510));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("24:01"), None);
        assert_eq!(parse_hhmm("8:30"), None);
        assert!(parse_hours("h", &["17:30".into(), "08:30".into()]).is_err());
    }
}
