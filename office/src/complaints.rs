//! Complaints and follow-up calls: the levels a complaint escalates through and
//! what a follow-up call may record.

/// Complaint escalation levels, in order: a complaint starts with the engineer and goes up one
/// level each time dispatch escalates it.
pub const LEVELS: [&str; 3] = ["engineer", "senior_engineer", "manager"];

/// The level a new complaint starts at.
pub const FIRST_LEVEL: &str = LEVELS[0];

/// The level after `level`; `None` once a manager has it (there is no one above).
pub fn next_level(level: &str) -> Option<&'static str> {
    LEVELS
        .iter()
        .position(|l| *l == level)
        .and_then(|i| LEVELS.get(i + 1))
        .copied()
}

/// What a customer may say on a follow-up call.
pub const SATISFACTION: [&str; 3] = ["satisfied", "neutral", "dissatisfied"];

/// A follow-up's score range: 1 (worst) to 5 (best), as the call script asks it.
pub const SCORES: std::ops::RangeInclusive<u8> = 1..=5;

/// The satisfaction stored for a call that did not reach the customer (score 0): the follow-up
/// stays due (a callback is a conversation, not a dial), and it counts for no KPI.
pub const NOT_REACHED: &str = "not_reached";

/// Whether a recorded follow-up reached the customer.
pub fn reached(satisfaction: &str) -> bool {
    satisfaction != NOT_REACHED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complaint_climbs_one_level_at_a_time_and_stops_at_the_manager() {
        assert_eq!(next_level("engineer"), Some("senior_engineer"));
        assert_eq!(next_level("senior_engineer"), Some("manager"));
        assert_eq!(next_level("manager"), None);
        assert_eq!(next_level("nobody"), None);
    }
}
