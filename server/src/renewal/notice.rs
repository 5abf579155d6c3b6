//! The expiry notice (有効期限通知書, domain R14): J-LIS mails it about two and a half months
//! before the expiry (the sender is the city), as ordinary mail that is not forwarded. It does
//! not arrive when a forwarding request is on file at the post office, nor after a move in the
//! last few months. The holder and a legal representative can renew without it (R17–R19);
//! another proxy then needs the document-inquiry route (R21).

use chrono::{Days, NaiveDate};

use super::months::same_day_months_away;

/// Half a month, in days, for "two and a half months": the notice's date is approximate by
/// nature (mail), so a fixed 15 days is as good as any finer rule.
const HALF_MONTH_DAYS: u64 = 15;

/// From about when the notice should be in the letterbox: two months and 15 days before the
/// expiry (domain R14). `None` only beyond chrono's calendar.
pub fn notice_expected_from(expires: NaiveDate) -> Option<NaiveDate> {
    same_day_months_away(expires, -2)?
        .date
        .checked_sub_days(Days::new(HALF_MONTH_DAYS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid test date")
    }

    #[test]
    fn the_notice_is_expected_about_two_and_a_half_months_before_the_expiry() {
        assert_eq!(
            notice_expected_from(date("2027-07-07")),
            Some(date("2027-04-22"))
        );
    }

    #[test]
    fn the_notice_comes_after_the_free_window_opens() {
        // The holder may renew before the notice arrives (R17): the window opens first.
        for expires in ["2027-07-07", "2027-05-31", "2028-02-29", "2027-01-01"] {
            let expires = date(expires);
            let opens = crate::renewal::window::free_window(expires)
                .expect("in range")
                .opens;
            let notice = notice_expected_from(expires).expect("in range");
            assert!(notice > opens, "{expires}: {notice} vs {opens}");
        }
    }

    #[test]
    fn a_notice_for_an_expiry_at_the_end_of_april_is_expected_in_mid_february() {
        // Two months before 30 April is 28 February (no 30 February), then 15 days earlier.
        assert_eq!(
            notice_expected_from(date("2027-04-30")),
            Some(date("2027-02-13"))
        );
    }
}
