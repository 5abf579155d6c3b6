//! The wait a visitor was shown when their ticket was issued, kept with the ticket so that every
//! prediction can be measured against the actual wait once the ticket is first called.

/// The estimate shown for a ticket's service at the instant it was issued: the band
/// (「20～30分程度」) and the point the band was built around.
///
/// The point is kept in tenths of a minute (an integer, so tickets stay `Eq` and the store needs
/// no float column); mean absolute errors are measured on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShownEstimate {
    /// Low end of the band shown, minutes.
    pub min_minutes: u32,
    /// High end of the band shown, minutes.
    pub max_minutes: u32,
    /// The predictor's point, tenths of a minute; always within the band.
    pub point_tenths: u32,
}

impl ShownEstimate {
    /// The point in minutes.
    pub fn point_minutes(&self) -> f64 {
        f64::from(self.point_tenths) / 10.0
    }

    /// A band and a point in minutes (rounded to a tenth, saturating).
    pub fn new(min_minutes: u32, max_minutes: u32, point_minutes: f64) -> Self {
        let tenths = if point_minutes.is_finite() {
            (point_minutes.max(0.0) * 10.0)
                .round()
                .min(f64::from(u32::MAX))
        } else {
            0.0
        };
        Self {
            min_minutes,
            max_minutes,
            point_tenths: tenths as u32,
        }
    }
}
