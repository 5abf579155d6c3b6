//! What stops working when a certificate lapses (domain R11, R13, R15).
//!
//! The certificates themselves stop on the day after their expiry: no Mynaportal log-in, no
//! e-Tax or other online filing, no certificates at convenience stores (R11). The card as a
//! health-insurance card (マイナ保険証) holds out three months longer; hospitals and pharmacies
//! warn from three months before the expiry (R13). After the expiry a new certificate can still
//! be issued, up to the card's own expiry (R15).

use chrono::NaiveDate;

use super::months::same_day_months_away;
use super::window::{Reading, Window};

/// The last day the card still works as a health-insurance card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InsuranceCard {
    /// Last day it works: three months after the user-certificate's expiry.
    pub until: NaiveDate,
    /// Literal, or the month's last day standing in for a missing day number.
    pub reading: Reading,
}

/// The last day the card works as health-insurance card, `None` only beyond chrono's calendar
/// (domain R11: it stops once three months have passed since the expiry).
///
/// Three months after 7 July is 7 October, its last day of use. A missing day number (30 Nov
/// → no 30 February) gives the month's last day, the earlier of the two possible readings, so
/// nobody is told the card works a day longer than it might.
pub fn insurance_card_until(expires: NaiveDate) -> Option<InsuranceCard> {
    let after = same_day_months_away(expires, 3)?;
    Some(InsuranceCard {
        until: after.date,
        reading: if after.missing_day {
            Reading::MonthEnd
        } else {
            Reading::Literal
        },
    })
}

/// From when hospitals and pharmacies show a warning (domain R13): "from three months before
/// the expiry", the same words as the free window (R12), so read the same way.
pub fn insurance_warning_from(window: &Window) -> NaiveDate {
    window.opens
}

/// Whether the card still works as health-insurance card on `today` (domain R11).
pub fn insurance_card_works(card: &InsuranceCard, today: NaiveDate) -> bool {
    today <= card.until
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::renewal::window::free_window;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid test date")
    }

    #[test]
    fn the_insurance_card_works_until_three_months_after_the_certificate_expiry() {
        let card = insurance_card_until(date("2027-07-07")).expect("in range");
        assert_eq!(card.until, date("2027-10-07"));
        assert_eq!(card.reading, Reading::Literal);
        assert!(insurance_card_works(&card, date("2027-10-07")));
        assert!(!insurance_card_works(&card, date("2027-10-08")));
    }

    #[test]
    fn three_months_after_30_november_is_the_end_of_february_in_a_leap_year_too() {
        let leap = insurance_card_until(date("2027-11-30")).expect("in range");
        assert_eq!(leap.until, date("2028-02-29"));
        assert_eq!(leap.reading, Reading::MonthEnd);
        let common = insurance_card_until(date("2026-11-30")).expect("in range");
        assert_eq!(common.until, date("2027-02-28"));
        assert_eq!(common.reading, Reading::MonthEnd);
    }

    #[test]
    fn a_leap_day_expiry_keeps_the_insurance_card_until_29_may() {
        let card = insurance_card_until(date("2028-02-29")).expect("in range");
        assert_eq!(card.until, date("2028-05-29"));
        assert_eq!(card.reading, Reading::Literal);
    }

    #[test]
    fn hospitals_warn_from_the_day_the_free_window_opens() {
        let window = free_window(date("2027-07-07")).expect("in range");
        assert_eq!(insurance_warning_from(&window), date("2027-04-08"));
    }
}
