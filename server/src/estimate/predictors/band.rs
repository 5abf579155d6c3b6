//! The band shown around a point: sized from the predictor's own recent errors so that about 80 %
//! of actual waits fall inside it, and no wider.
//!
//! Errors grow with the wait: two people ahead are a few minutes either way, sixty people an
//! hour's worth of pace. So each error is **standardized** by the spread expected at its point,
//! `scale(point) = (point + SCALE_OFFSET_MINUTES)^SCALE_EXPONENT`, and the band is
//! `point + q_low × scale … point + q_high × scale`, where `q_low` and `q_high` are the
//! `low_quantile` and `high_quantile` of the recent standardized errors
//! (`actual − point) / scale(point)`. Until enough errors exist the configured prior quantiles
//! (measured by `queue-server simulate`) stand in, as `PRIOR_WEIGHT` pseudo-observations; only
//! the last `WINDOW` errors count, so the band follows the office's recent accuracy.
//!
//! The band is then rounded to `step_minutes` (5: 「20～30分程度」), each end to the nearest
//! step, but always keeping the point inside and at least one step wide. Rounding to the nearest
//! rather than outwards keeps the coverage near the quantiles' 80 % instead of inflating it.

use serde::{Deserialize, Serialize};

use crate::estimate::WaitEstimate;

/// Added to the point before taking the scale: even a wait of 0–1 minute has a spread of about
/// a service's call-to-walk time, and the scale must never be 0.
pub const SCALE_OFFSET_MINUTES: f64 = 4.0;
/// How errors grow with the wait: ½ for a queue whose spread is the sum of independent service
/// times, 1 when errors are a share of the wait (an unknown pace). 0.75 sits between: on long
/// days the pace is the larger doubt.
pub const SCALE_EXPONENT: f64 = 0.75;
/// Most recent errors that size the band: a few days of one office.
pub const WINDOW: usize = 400;
/// Pseudo-observations of the prior quantiles: the first calls of a fresh office move the band
/// but do not replace the measured prior.
pub const PRIOR_WEIGHT: f64 = 30.0;

/// `[estimates.band]`: the quantiles the band spans and the prior from simulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandConfig {
    /// The quantile of standardized errors at the band's low end (0.1).
    #[serde(default = "default_low_quantile")]
    pub low_quantile: f64,
    /// The quantile at the high end (0.9): 0.1…0.9 holds 80 % of waits.
    #[serde(default = "default_high_quantile")]
    pub high_quantile: f64,
    /// The low quantile before the office has history (from `queue-server simulate`).
    #[serde(default = "default_prior_low")]
    pub prior_low: f64,
    /// The high quantile before the office has history (from `queue-server simulate`).
    #[serde(default = "default_prior_high")]
    pub prior_high: f64,
    /// Ends are rounded to multiples of this many minutes.
    #[serde(default = "default_step")]
    pub step_minutes: u32,
}

fn default_low_quantile() -> f64 {
    0.1
}
fn default_high_quantile() -> f64 {
    0.9
}
fn default_prior_low() -> f64 {
    -0.6
}
fn default_prior_high() -> f64 {
    0.75
}
fn default_step() -> u32 {
    5
}

impl Default for BandConfig {
    fn default() -> Self {
        Self {
            low_quantile: default_low_quantile(),
            high_quantile: default_high_quantile(),
            prior_low: default_prior_low(),
            prior_high: default_prior_high(),
            step_minutes: default_step(),
        }
    }
}

impl BandConfig {
    /// Quantiles in 0 < low < ½ < high < 1, priors around 0, a step of at least 1 minute.
    pub fn validate(&self) -> Result<(), String> {
        let in_unit = |q: f64| q.is_finite() && q > 0.0 && q < 1.0;
        if !(in_unit(self.low_quantile) && in_unit(self.high_quantile))
            || self.low_quantile >= 0.5
            || self.high_quantile <= 0.5
        {
            return Err("quantiles must satisfy 0 < low_quantile < 0.5 < high_quantile < 1".into());
        }
        let prior_low_ok = self.prior_low.is_finite() && self.prior_low <= 0.0;
        let prior_high_ok = self.prior_high.is_finite() && self.prior_high >= 0.0;
        if !prior_low_ok || !prior_high_ok {
            return Err("prior_low must be ≤ 0 and prior_high ≥ 0".into());
        }
        if self.step_minutes == 0 || self.step_minutes > 60 {
            return Err("step_minutes must be 1–60".into());
        }
        Ok(())
    }
}

/// The spread expected at a point, minutes (see the module docs).
pub fn scale(point: f64) -> f64 {
    (point.max(0.0) + SCALE_OFFSET_MINUTES).powf(SCALE_EXPONENT)
}

/// One error, standardized: `(actual − point) / scale(point)`.
pub fn standardized_error(point: f64, actual: f64) -> f64 {
    (actual - point) / scale(point)
}

/// Sizes bands; cheap to clone.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    config: BandConfig,
}

impl Band {
    /// A band sizer with this configuration (validated at load; bad values are clamped here).
    pub fn new(config: BandConfig) -> Self {
        Self { config }
    }

    /// The low and high standardized quantiles from `errors` (oldest first; the last
    /// [`WINDOW`] count), blended with the prior.
    pub fn quantiles(&self, errors: &[f64]) -> (f64, f64) {
        let recent: Vec<f64> = errors
            .iter()
            .rev()
            .take(WINDOW)
            .copied()
            .filter(|e| e.is_finite())
            .collect();
        let n = recent.len() as f64;
        let blend = |empirical: f64, prior: f64| {
            (n * empirical + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT)
        };
        let mut sorted = recent;
        sorted.sort_by(f64::total_cmp);
        let low = blend(
            quantile(&sorted, self.config.low_quantile).unwrap_or(0.0),
            self.config.prior_low,
        );
        let high = blend(
            quantile(&sorted, self.config.high_quantile).unwrap_or(0.0),
            self.config.prior_high,
        );
        (low.min(0.0), high.max(0.0))
    }

    /// The band shown around `point` given the predictor's recent standardized `errors`.
    pub fn around(&self, point: f64, errors: &[f64]) -> WaitEstimate {
        self.around_quantiles(point, || self.quantiles(errors))
    }

    /// The band shown around `point` with the standardized quantiles `quantiles` gives (see
    /// [`Band::quantiles`]; asked only when there is a wait): computed once, they serve every
    /// service of an office.
    pub fn around_quantiles(
        &self,
        point: f64,
        quantiles: impl FnOnce() -> (f64, f64),
    ) -> WaitEstimate {
        let point = if point.is_finite() {
            point.max(0.0)
        } else {
            0.0
        };
        if point == 0.0 {
            return WaitEstimate::NO_WAIT;
        }
        let (low, high) = quantiles();
        let spread = scale(point);
        rounded(
            point,
            point + low * spread,
            point + high * spread,
            self.config.step_minutes,
        )
    }
}

/// The `q` quantile of sorted values (linear interpolation), `None` when empty.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let fraction = position - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * fraction)
}

/// Rounds `low…high` to the nearest multiples of `step`, keeping `point` inside and the band at
/// least one step wide.
fn rounded(point: f64, low: f64, high: f64, step: u32) -> WaitEstimate {
    let step = f64::from(step.max(1));
    let nearest = |x: f64| (x.max(0.0) / step).round() * step;
    let min = nearest(low).min((point / step).floor() * step);
    let max = nearest(high)
        .max((point / step).ceil() * step)
        .max(min + step);
    // Float-to-int casts saturate; points are clamped far below u32::MAX by the predictors.
    WaitEstimate::Minutes {
        point,
        min: min as u32,
        max: max as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ends(w: WaitEstimate) -> (u32, u32) {
        match w {
            WaitEstimate::Minutes { min, max, .. } => (min, max),
            WaitEstimate::NoCounterOpen => panic!("expected minutes"),
        }
    }

    #[test]
    fn without_history_the_band_is_the_prior_around_the_point() {
        let band = Band::new(BandConfig::default());
        // scale(24) = 28^0.75 ≈ 12.17; −0.6 × 12.17 … +0.75 × 12.17 → 16.7…33.1 → 15…35.
        assert_eq!(ends(band.around(24.0, &[])), (15, 35));
    }

    #[test]
    fn a_short_queue_gets_a_narrow_band() {
        let band = Band::new(BandConfig::default());
        // scale(3) = 7^0.75 ≈ 4.30; −2.6…+3.2 → 0.4…6.2 → 0…5: 「5分以内」.
        let w = band.around(3.0, &[]);
        assert_eq!(ends(w), (0, 5));
        assert_eq!(w.text_ja(), "5分以内");
    }

    #[test]
    fn many_accurate_predictions_narrow_the_band_and_errors_widen_it() {
        let band = Band::new(BandConfig::default());
        let accurate = vec![0.0; 400];
        let (low, high) = band.quantiles(&accurate);
        // (400 × 0 + 30 × prior) / 430
        assert!((high - 0.75 * 30.0 / 430.0).abs() < 1e-9);
        assert!((low + 0.6 * 30.0 / 430.0).abs() < 1e-9);
        let late: Vec<f64> = (0..400).map(|i| f64::from(i) / 100.0).collect();
        let (_, high_late) = band.quantiles(&late);
        assert!(high_late > 2.5, "{high_late}");
    }

    #[test]
    fn the_quantile_interpolates_between_sorted_values() {
        assert_eq!(quantile(&[0.0, 10.0], 0.5), Some(5.0));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.9), Some(4.6));
        assert_eq!(quantile(&[], 0.5), None);
    }

    proptest! {
        #[test]
        fn the_band_always_contains_the_point(
            point in 0.0f64..600.0,
            errors in prop::collection::vec(-5.0f64..5.0, 0..500),
            step in 1u32..=15,
        ) {
            let band = Band::new(BandConfig { step_minutes: step, ..BandConfig::default() });
            match band.around(point, &errors) {
                WaitEstimate::Minutes { point: p, min, max } => {
                    prop_assert!(f64::from(min) <= p && p <= f64::from(max), "{min} {p} {max}");
                    prop_assert!(max == 0 || max > min);
                }
                WaitEstimate::NoCounterOpen => prop_assert!(false, "a band has minutes"),
            }
        }
    }
}
