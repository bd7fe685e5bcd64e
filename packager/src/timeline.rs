//! The OIN review timeline: initial review 5 business days, QA 5, publication 1 (Okta's OIN
//! submission overview), counted from a submission date, weekends skipped.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The expected dates of each review phase's end.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Timeline {
    /// The day the submission is made.
    pub submitted: NaiveDate,
    /// Initial review done (5 business days).
    pub initial_review_done: NaiveDate,
    /// QA done (5 more).
    pub qa_done: NaiveDate,
    /// Published (1 more).
    pub published: NaiveDate,
}

/// The date `n` business days after `from`.
pub fn add_business_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day = day + Days::new(1);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
}

/// The timeline from a submission date.
pub fn timeline(submitted: NaiveDate) -> Timeline {
    let initial_review_done = add_business_days(submitted, 5);
    let qa_done = add_business_days(initial_review_done, 5);
    Timeline {
        submitted,
        initial_review_done,
        qa_done,
        published: add_business_days(qa_done, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_are_skipped() {
        // Monday 2026-11-23: +5 business days is Monday 2026-11-30.
        let t = timeline(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(t.initial_review_done.to_string(), "2026-11-30");
        assert_eq!(t.qa_done.to_string(), "2026-12-07");
        assert_eq!(t.published.to_string(), "2026-12-08");
        // From a Friday.
        assert_eq!(
            add_business_days(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(), 1).to_string(),
            "2026-11-30"
        );
    }
}
