//! The office's congestion level: one lamp colour from the services' estimated waits (domain R5).

use serde::{Deserialize, Serialize};

use super::{ServiceEstimate, WaitEstimate};
pub use crate::protocol::CongestionLevel;

/// Where the congestion bands start, in minutes of estimated wait.
///
/// Configuration data, not code (STYLE 12): the defaults follow the three-colour lamps that
/// Japanese city halls post (under 20 minutes, 20–40, over 40) with a fourth band over 60 for
/// the days when visitors are better told to come back another time.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CongestionThresholds {
    /// From this wait on the office is [`CongestionLevel::Moderate`] (default 20).
    pub moderate_from_minutes: f64,
    /// From this wait on the office is [`CongestionLevel::High`] (default 40).
    pub high_from_minutes: f64,
    /// From this wait on the office is [`CongestionLevel::VeryHigh`] (default 60).
    pub very_high_from_minutes: f64,
}

impl Default for CongestionThresholds {
    fn default() -> Self {
        Self {
            moderate_from_minutes: 20.0,
            high_from_minutes: 40.0,
            very_high_from_minutes: 60.0,
        }
    }
}

impl CongestionThresholds {
    /// Checks the thresholds when the configuration is loaded, so that the bands are never empty
    /// or out of order: each must be a finite number above 0 and above the previous one.
    pub fn validate(&self) -> Result<(), String> {
        let bands = [
            ("moderate_from_minutes", self.moderate_from_minutes),
            ("high_from_minutes", self.high_from_minutes),
            ("very_high_from_minutes", self.very_high_from_minutes),
        ];
        let mut previous: Option<(&str, f64)> = None;
        for (name, value) in bands {
            if !value.is_finite() || value <= 0.0 {
                return Err(format!("{name} must be a number above 0, got {value}"));
            }
            if let Some((before, limit)) = previous
                && value <= limit
            {
                return Err(format!("{name} ({value}) must be above {before} ({limit})"));
            }
            previous = Some((name, value));
        }
        Ok(())
    }

    /// The band a wait of `minutes` falls in; a band includes its lower threshold.
    pub fn level_for(&self, minutes: f64) -> CongestionLevel {
        if minutes >= self.very_high_from_minutes {
            CongestionLevel::VeryHigh
        } else if minutes >= self.high_from_minutes {
            CongestionLevel::High
        } else if minutes >= self.moderate_from_minutes {
            CongestionLevel::Moderate
        } else {
            CongestionLevel::Low
        }
    }
}

/// The office's congestion level, or `None` when no service has an open counter.
///
/// The representative wait is the **longest point estimate among services with people
/// waiting**: the lamp warns about the worst wait a visitor may actually meet, and needs no
/// configured "main service". A service nobody waits for is left out, so that one long case at
/// a specialised counter does not turn an empty lobby red; with nobody waiting anywhere the
/// level is `Low`. Services without an open counter have no number and are left out too; when
/// *no* service has an open counter there is no honest colour (people waiting there are not
/// "not crowded", nor measurably crowded), so the answer is `None` and screens show
/// that no wait can be shown instead.
pub fn congestion(
    estimates: &[ServiceEstimate],
    thresholds: &CongestionThresholds,
) -> Option<CongestionLevel> {
    let mut any_open = false;
    let mut longest: f64 = 0.0;
    for estimate in estimates {
        if let WaitEstimate::Minutes { point, .. } = estimate.wait {
            any_open = true;
            if estimate.waiting > 0 {
                longest = longest.max(point);
            }
        }
    }
    any_open.then(|| thresholds.level_for(longest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(service: &str, waiting: u32, point: f64) -> ServiceEstimate {
        ServiceEstimate {
            service: service.to_owned(),
            waiting,
            wait: WaitEstimate::Minutes {
                point,
                min: 0,
                max: 0,
            },
        }
    }

    fn closed(service: &str, waiting: u32) -> ServiceEstimate {
        ServiceEstimate {
            service: service.to_owned(),
            waiting,
            wait: WaitEstimate::NoCounterOpen,
        }
    }

    fn level(point: f64) -> Option<CongestionLevel> {
        congestion(
            &[minutes("renewal", 1, point)],
            &CongestionThresholds::default(),
        )
    }

    #[test]
    fn a_wait_just_under_twenty_minutes_is_low() {
        assert_eq!(level(19.9), Some(CongestionLevel::Low));
    }

    #[test]
    fn each_band_starts_at_its_threshold() {
        assert_eq!(level(0.0), Some(CongestionLevel::Low));
        assert_eq!(level(20.0), Some(CongestionLevel::Moderate));
        assert_eq!(level(39.9), Some(CongestionLevel::Moderate));
        assert_eq!(level(40.0), Some(CongestionLevel::High));
        assert_eq!(level(59.9), Some(CongestionLevel::High));
        assert_eq!(level(60.0), Some(CongestionLevel::VeryHigh));
        assert_eq!(level(500.0), Some(CongestionLevel::VeryHigh));
    }

    #[test]
    fn the_longest_wait_among_services_with_people_waiting_sets_the_level() {
        let estimates = [minutes("renewal", 3, 25.0), minutes("proxy", 2, 45.0)];
        assert_eq!(
            congestion(&estimates, &CongestionThresholds::default()),
            Some(CongestionLevel::High)
        );
    }

    #[test]
    fn a_service_nobody_waits_for_does_not_raise_the_level() {
        let estimates = [minutes("renewal", 2, 10.0), minutes("proxy", 0, 45.0)];
        assert_eq!(
            congestion(&estimates, &CongestionThresholds::default()),
            Some(CongestionLevel::Low)
        );
    }

    #[test]
    fn nobody_waiting_with_a_counter_open_is_low() {
        let estimates = [minutes("renewal", 0, 8.0)];
        assert_eq!(
            congestion(&estimates, &CongestionThresholds::default()),
            Some(CongestionLevel::Low)
        );
    }

    #[test]
    fn with_no_counter_open_there_is_no_level_even_if_people_wait() {
        let thresholds = CongestionThresholds::default();
        assert_eq!(congestion(&[closed("renewal", 0)], &thresholds), None);
        assert_eq!(congestion(&[closed("renewal", 12)], &thresholds), None);
        assert_eq!(congestion(&[], &thresholds), None);
    }

    #[test]
    fn a_service_without_an_open_counter_is_left_out_of_the_level() {
        let estimates = [minutes("renewal", 1, 5.0), closed("proxy", 9)];
        assert_eq!(
            congestion(&estimates, &CongestionThresholds::default()),
            Some(CongestionLevel::Low)
        );
    }

    #[test]
    fn thresholds_can_be_configured() {
        let thresholds = CongestionThresholds {
            moderate_from_minutes: 10.0,
            high_from_minutes: 15.0,
            very_high_from_minutes: 30.0,
        };
        assert_eq!(thresholds.validate(), Ok(()));
        assert_eq!(thresholds.level_for(12.0), CongestionLevel::Moderate);
        assert_eq!(thresholds.level_for(15.0), CongestionLevel::High);
    }

    #[test]
    fn default_thresholds_are_valid() {
        assert_eq!(CongestionThresholds::default().validate(), Ok(()));
    }

    #[test]
    fn thresholds_must_be_strictly_increasing_and_positive() {
        let base = CongestionThresholds::default();
        let invalid = [
            CongestionThresholds {
                moderate_from_minutes: 0.0,
                ..base.clone()
            },
            CongestionThresholds {
                moderate_from_minutes: -5.0,
                ..base.clone()
            },
            CongestionThresholds {
                high_from_minutes: 20.0,
                ..base.clone()
            },
            CongestionThresholds {
                very_high_from_minutes: 30.0,
                ..base.clone()
            },
            CongestionThresholds {
                very_high_from_minutes: f64::NAN,
                ..base.clone()
            },
            CongestionThresholds {
                high_from_minutes: f64::INFINITY,
                ..base
            },
        ];
        for t in invalid {
            assert!(t.validate().is_err(), "{t:?} should be rejected");
        }
    }
}
