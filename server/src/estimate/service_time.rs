//! How long one service takes: learned from today, and what is left of one in progress.

/// A service's mean time as learned today, with how much evidence stands behind it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct LearnedMean {
    /// The blended mean in minutes; always finite and positive.
    pub minutes: f64,
    /// Prior pseudo-observations plus today's observations: the weight of evidence, which sets
    /// how far the mean itself may still be off.
    pub evidence: f64,
}

/// How today's durations are blended with the configured mean.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Blend {
    /// Pseudo-observations of the configured mean.
    pub prior_weight: f64,
    /// Observations are clamped to `[low, high] × configured mean` before averaging.
    pub clamp_low: f64,
    /// See `clamp_low`.
    pub clamp_high: f64,
    /// Used instead of a configured mean that is not a positive number.
    pub fallback_mean: f64,
}

/// Blends the configured mean (as `prior_weight` pseudo-observations) with today's durations.
///
/// The configured mean starts the day (a renewal takes about 10 minutes, domain R6) and today's
/// real services pull it towards what this day's staff and visitors actually take. Each duration
/// is first clamped to a band around the configured mean: a ticket left open over lunch or
/// finished by mistake at once is one wrong observation, and must not move the mean far.
/// Durations that are not finite or not positive are ignored as data errors.
pub(super) fn learned_mean<'a>(
    configured: f64,
    finished: impl IntoIterator<Item = &'a f64>,
    blend: Blend,
) -> LearnedMean {
    let prior = if configured.is_finite() && configured > 0.0 {
        configured
    } else {
        blend.fallback_mean
    };
    let low = prior * blend.clamp_low;
    let high = (prior * blend.clamp_high).max(low);
    let (sum, count) = finished
        .into_iter()
        .filter(|d| d.is_finite() && **d > 0.0)
        .fold((0.0, 0.0), |(sum, count), d| {
            (sum + d.clamp(low, high), count + 1.0)
        });
    let evidence = blend.prior_weight + count;
    let minutes = if evidence > 0.0 {
        (blend.prior_weight * prior + sum) / evidence
    } else {
        prior
    };
    LearnedMean { minutes, evidence }
}

/// Minutes still to go for a service that has been running `elapsed` minutes.
///
/// The mean minus the elapsed time, but never less than `floor_fraction` of the mean: a service
/// already running longer than usual is not over until staff finish it, so it still holds its
/// counter for a little while, never a negative time.
pub(super) fn remaining_minutes(mean: f64, elapsed: f64, floor_fraction: f64) -> f64 {
    let elapsed = if elapsed.is_finite() {
        elapsed.max(0.0)
    } else {
        0.0
    };
    (mean - elapsed).max(mean * floor_fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLEND: Blend = Blend {
        prior_weight: 3.0,
        clamp_low: 0.25,
        clamp_high: 3.0,
        fallback_mean: 10.0,
    };

    #[test]
    fn with_no_observations_the_mean_is_the_configured_one() {
        let m = learned_mean(10.0, &[], BLEND);
        assert_eq!(m.minutes, 10.0);
        assert_eq!(m.evidence, 3.0);
    }

    #[test]
    fn todays_observations_shift_the_mean_from_the_configured_one() {
        // (3 × 10 + 20 + 20 + 20) / 6 = 15
        let m = learned_mean(10.0, &[20.0, 20.0, 20.0], BLEND);
        assert_eq!(m.minutes, 15.0);
        assert_eq!(m.evidence, 6.0);
    }

    #[test]
    fn many_observations_outweigh_the_configured_mean() {
        let m = learned_mean(10.0, &[16.0; 97], BLEND);
        // (30 + 97 × 16) / 100 = 15.82
        assert!((m.minutes - 15.82).abs() < 1e-9);
    }

    #[test]
    fn an_outlier_is_clamped_before_it_moves_the_mean() {
        // A ticket left open for 4 hours counts as 30 (3 × 10): (30 + 30) / 4 = 15.
        let m = learned_mean(10.0, &[240.0], BLEND);
        assert_eq!(m.minutes, 15.0);
        // A ticket finished by mistake after 6 seconds counts as 2.5: (30 + 2.5) / 4.
        let m = learned_mean(10.0, &[0.1], BLEND);
        assert_eq!(m.minutes, 8.125);
    }

    #[test]
    fn broken_durations_are_ignored() {
        let m = learned_mean(10.0, &[f64::NAN, -5.0, 0.0, f64::INFINITY], BLEND);
        assert_eq!(m.minutes, 10.0);
        assert_eq!(m.evidence, 3.0);
    }

    #[test]
    fn a_configured_mean_that_is_not_positive_falls_back() {
        assert_eq!(learned_mean(0.0, &[], BLEND).minutes, 10.0);
        assert_eq!(learned_mean(f64::NAN, &[], BLEND).minutes, 10.0);
    }

    #[test]
    fn remaining_time_is_the_mean_less_the_elapsed_time() {
        assert_eq!(remaining_minutes(10.0, 4.0, 0.2), 6.0);
        assert_eq!(remaining_minutes(10.0, 0.0, 0.2), 10.0);
    }

    #[test]
    fn remaining_time_of_an_overrunning_service_floors_at_a_small_positive_value() {
        assert_eq!(remaining_minutes(10.0, 25.0, 0.2), 2.0);
        assert!(remaining_minutes(10.0, 9.5, 0.2) > 0.0);
    }

    #[test]
    fn a_start_in_the_future_counts_as_just_started() {
        assert_eq!(remaining_minutes(10.0, -3.0, 0.2), 10.0);
    }
}
