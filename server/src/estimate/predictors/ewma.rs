//! An exponentially weighted moving average (EWMA) of today's waits, in call order.
//!
//! Smooths LES: each new wait moves the average by `weight` of the difference. Steadier than LES
//! in a stable period, slower to follow a change of pace.

use super::{Outlook, Predictor, gated, recent_waits};
use crate::estimate::QueueFacts;

/// The EWMA predictor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RecentWaits {
    /// Weight of the newest wait, in (0, 1]: 0.3 follows a change within a handful of calls
    /// without jumping with every single visitor.
    pub weight: f64,
}

impl Default for RecentWaits {
    fn default() -> Self {
        Self { weight: 0.3 }
    }
}

impl Predictor for RecentWaits {
    fn name(&self) -> &'static str {
        "ewma"
    }

    /// The average starts at the first wait of the day; 0 before any call.
    fn point(&self, facts: &QueueFacts, service: &str) -> Outlook {
        let weight = if self.weight.is_finite() {
            self.weight.clamp(0.01, 1.0)
        } else {
            0.3
        };
        gated(facts, service, |facts| {
            recent_waits(facts)
                .fold(None, |average: Option<f64>, wait| {
                    Some(average.map_or(wait, |a| a + weight * (wait - a)))
                })
                .unwrap_or(0.0)
        })
    }
}
