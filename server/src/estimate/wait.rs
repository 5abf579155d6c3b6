//! How a wait is told to a person: a rounded range of minutes, or "no counter open".

use serde::{Deserialize, Serialize};

/// The wait a new ticket of one service can expect.
///
/// A band rather than one number because a queue cannot promise a minute: people read
/// 「20～30分程度」 as honest and "23 min" as a promise. The point estimate is kept beside the
/// range so that accuracy can be measured later (DESIGN, *Estimate accuracy*).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WaitEstimate {
    /// An estimate in minutes; always `min <= point <= max`, with `min` and `max` on 5-minute
    /// steps, and `min == max == 0` exactly when the ticket would be called at once.
    Minutes {
        /// The model's expected wait in minutes, unrounded.
        point: f64,
        /// The low end shown, rounded down.
        min: u32,
        /// The high end shown, rounded up.
        max: u32,
    },
    /// No open counter serves this service, so no number can be given: the wait depends on when
    /// staff open one, which the queue does not know.
    NoCounterOpen,
}

impl WaitEstimate {
    /// The estimate "called at once": nobody ahead and a counter free.
    pub const NO_WAIT: Self = Self::Minutes {
        point: 0.0,
        min: 0,
        max: 0,
    };

    /// Builds the shown range around `point`, `half_width` either side, widened outwards to
    /// multiples of `step` minutes so that the range always contains the point.
    ///
    /// A positive point never shows as 0–0 ("no wait"): its range reaches at least one step.
    pub fn around(point: f64, half_width: f64, step: u32) -> Self {
        let point = if point.is_finite() {
            point.max(0.0)
        } else {
            0.0
        };
        if point == 0.0 {
            return Self::NO_WAIT;
        }
        let half_width = if half_width.is_finite() {
            half_width.max(0.0)
        } else {
            0.0
        };
        let step = f64::from(step.max(1));
        let low = ((point - half_width).max(0.0) / step).floor() * step;
        let high = ((point + half_width) / step).ceil() * step;
        // Float-to-int casts saturate; callers keep points far below u32::MAX.
        let min = low as u32;
        let max = (high as u32).max(min + step as u32);
        Self::Minutes { point, min, max }
    }

    /// The text for Japanese screens: 「20～30分程度」, 「5分以内」, 「すぐにご案内できます」 or
    /// 「現在、待ち時間を表示できません（対応できる窓口がありません）」.
    pub fn text_ja(&self) -> String {
        match *self {
            Self::Minutes { max: 0, .. } => "すぐにご案内できます".to_owned(),
            Self::Minutes { min: 0, max, .. } => format!("{max}分以内"),
            Self::Minutes { min, max, .. } => format!("{min}～{max}分程度"),
            Self::NoCounterOpen => {
                "現在、待ち時間を表示できません（対応できる窓口がありません）".to_owned()
            }
        }
    }

    /// The text for English screens: "About 20–30 min", "Within about 5 min", "No wait" or
    /// "No counter open".
    pub fn text_en(&self) -> String {
        match *self {
            Self::Minutes { max: 0, .. } => "No wait".to_owned(),
            Self::Minutes { min: 0, max, .. } => format!("Within about {max} min"),
            Self::Minutes { min, max, .. } => format!("About {min}\u{2013}{max} min"),
            Self::NoCounterOpen => "No counter open".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(w: WaitEstimate) -> (u32, u32) {
        match w {
            WaitEstimate::Minutes { min, max, .. } => (min, max),
            WaitEstimate::NoCounterOpen => panic!("expected minutes"),
        }
    }

    #[test]
    fn range_is_rounded_outwards_to_five_minute_steps() {
        assert_eq!(range(WaitEstimate::around(24.0, 3.0, 5)), (20, 30));
        assert_eq!(range(WaitEstimate::around(22.0, 1.0, 5)), (20, 25));
    }

    #[test]
    fn a_point_on_a_step_still_gets_a_range_one_step_wide() {
        assert_eq!(range(WaitEstimate::around(20.0, 0.0, 5)), (20, 25));
    }

    #[test]
    fn a_tiny_positive_wait_is_not_shown_as_no_wait() {
        let w = WaitEstimate::around(0.5, 0.0, 5);
        assert_eq!(range(w), (0, 5));
        assert_eq!(w.text_ja(), "5分以内");
        assert_eq!(w.text_en(), "Within about 5 min");
    }

    #[test]
    fn zero_wait_reads_as_no_wait() {
        let w = WaitEstimate::around(0.0, 4.0, 5);
        assert_eq!(w, WaitEstimate::NO_WAIT);
        assert_eq!(w.text_ja(), "すぐにご案内できます");
        assert_eq!(w.text_en(), "No wait");
    }

    #[test]
    fn texts_show_the_band_with_a_full_width_tilde_and_teido() {
        let w = WaitEstimate::Minutes {
            point: 24.0,
            min: 20,
            max: 30,
        };
        assert_eq!(w.text_ja(), "20～30分程度");
        assert_eq!(w.text_en(), "About 20–30 min");
    }

    #[test]
    fn no_counter_open_says_so_instead_of_a_number() {
        assert_eq!(
            WaitEstimate::NoCounterOpen.text_ja(),
            "現在、待ち時間を表示できません（対応できる窓口がありません）"
        );
        assert_eq!(WaitEstimate::NoCounterOpen.text_en(), "No counter open");
    }
}
