//! How good the shown estimates were: mean absolute error of the point, coverage of the band,
//! and their mean width, overall and by hour of day. One accumulator serves the simulator,
//! `queue-server accuracy` (real history) and `/metrics` (today).
//!
//! A ticket counts once its wait is known: it was called (its first call ends the wait), and a
//! number was shown at issue. Coverage compares the actual wait, rounded to the whole minute
//! (the band's own unit), with the band's ends, inclusive.

use std::collections::BTreeMap;

use serde::Serialize;

/// Running totals of one predictor's errors.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Accuracy {
    /// Tickets measured.
    pub tickets: u64,
    /// Sum of |actual − point|, minutes.
    abs_error: f64,
    /// Tickets whose actual wait fell inside the band.
    covered: u64,
    /// Sum of band widths, minutes.
    width: f64,
}

impl Accuracy {
    /// Adds one ticket: the point and band shown, and the actual wait (minutes).
    pub fn add(&mut self, point: f64, band: (u32, u32), actual: f64) {
        self.tickets += 1;
        self.abs_error += (actual - point).abs();
        let rounded = actual.round();
        if f64::from(band.0) <= rounded && rounded <= f64::from(band.1) {
            self.covered += 1;
        }
        self.width += f64::from(band.1.saturating_sub(band.0));
    }

    /// Adds another accumulator's totals.
    pub fn merge(&mut self, other: &Self) {
        self.tickets += other.tickets;
        self.abs_error += other.abs_error;
        self.covered += other.covered;
        self.width += other.width;
    }

    /// Mean absolute error of the point, minutes (0 with no ticket).
    pub fn mae_minutes(&self) -> f64 {
        self.mean(self.abs_error)
    }

    /// Share of actual waits inside the band (0 with no ticket).
    pub fn coverage(&self) -> f64 {
        self.mean(self.covered as f64)
    }

    /// Mean width of the band, minutes.
    pub fn mean_band_minutes(&self) -> f64 {
        self.mean(self.width)
    }

    fn mean(&self, total: f64) -> f64 {
        if self.tickets == 0 {
            0.0
        } else {
            total / self.tickets as f64
        }
    }
}

/// Accuracy overall and by local hour of issue.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccuracyByHour {
    /// Every ticket.
    pub overall: Accuracy,
    /// By hour of issue (9 = 9:00–9:59, Japan time).
    pub by_hour: BTreeMap<u32, Accuracy>,
}

impl AccuracyByHour {
    /// Adds one ticket issued in local `hour`.
    pub fn add(&mut self, hour: u32, point: f64, band: (u32, u32), actual: f64) {
        self.overall.add(point, band, actual);
        self.by_hour
            .entry(hour)
            .or_default()
            .add(point, band, actual);
    }
}

/// A ticket's measured outcome from its stored fields: `(hour of issue, point, band, actual)`,
/// or `None` while its wait is not known or no number was shown.
pub fn outcome(ticket: &crate::domain::Ticket) -> Option<(u32, f64, (u32, u32), f64)> {
    use chrono::Timelike;
    let shown = ticket.estimate_at_issue?;
    let called = ticket.called_at?;
    let hour = ticket
        .issued_at
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .hour();
    Some((
        hour,
        shown.point_minutes(),
        (shown.min_minutes, shown.max_minutes),
        super::minutes_between(ticket.issued_at, called),
    ))
}

/// The accuracy of a set of stored tickets.
pub fn of_tickets<'a>(
    tickets: impl IntoIterator<Item = &'a crate::domain::Ticket>,
) -> AccuracyByHour {
    let mut report = AccuracyByHour::default();
    for (hour, point, band, actual) in tickets.into_iter().filter_map(outcome) {
        report.add(hour, point, band, actual);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mae_coverage_and_width_are_means_over_the_tickets() {
        let mut a = Accuracy::default();
        a.add(10.0, (5, 15), 12.0); // error 2, inside, width 10
        a.add(20.0, (15, 25), 31.0); // error 11, outside, width 10
        a.add(3.0, (0, 5), 5.4); // error 2.4, rounds to 5: inside, width 5
        assert!((a.mae_minutes() - 15.4 / 3.0).abs() < 1e-9);
        assert!((a.coverage() - 2.0 / 3.0).abs() < 1e-9);
        assert!((a.mean_band_minutes() - 25.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn no_ticket_reads_as_zero_not_as_nan() {
        let a = Accuracy::default();
        assert_eq!(a.mae_minutes(), 0.0);
        assert_eq!(a.coverage(), 0.0);
    }
}
