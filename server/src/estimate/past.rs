//! What past business days teach the estimator: the office's throughput by time of day (for the
//! refined predictor) and the shown predictor's standardized errors (for the band).

use std::sync::Arc;

use super::minutes_between;
use super::predictors::band::standardized_error;
use super::predictors::{CapacityProfile, LineStay};
use crate::domain::Ticket;
use crate::protocol::TicketState;

/// Business days read back at start-up (and by the simulator as it goes): about six weeks.
pub const LEARN_DAYS: i64 = 42;

/// The lessons of past days.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PastDays {
    /// Throughput per half hour while people waited.
    pub profile: Option<Arc<CapacityProfile>>,
    /// Standardized errors of the points shown, in order of the waits' ends.
    pub errors: Vec<f64>,
}

impl PastDays {
    /// Learns from tickets of past days (any order).
    pub fn learn(tickets: &[Ticket]) -> Self {
        let stays: Vec<LineStay> = tickets
            .iter()
            .map(|t| LineStay {
                issued_at: t.issued_at,
                left_at: t.called_at.or(match t.state {
                    TicketState::Cancelled => t.finished_at,
                    _ => None,
                }),
                called: t.called_at.is_some(),
            })
            .collect();
        let mut ended: Vec<(chrono::DateTime<chrono::Utc>, f64)> = tickets
            .iter()
            .filter_map(|t| {
                let shown = t.estimate_at_issue?;
                let called = t.called_at?;
                let point = shown.point_minutes();
                Some((
                    called,
                    standardized_error(point, minutes_between(t.issued_at, called)),
                ))
            })
            .collect();
        ended.sort_by_key(|(at, _)| *at);
        Self {
            profile: (!stays.is_empty()).then(|| Arc::new(CapacityProfile::learn(&stays))),
            errors: ended.into_iter().map(|(_, e)| e).collect(),
        }
    }
}
