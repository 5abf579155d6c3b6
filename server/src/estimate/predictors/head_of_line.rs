//! Head of line (HOL): a new ticket waits about as long as the first in line has waited so far.
//!
//! The first in line arrived when the queue was as long as it is now behind it, and has moved to
//! the front in the time it waited; a new ticket repeats that journey. Needs no service times and
//! no staffing, but lags every change of pace: after the lunch dip it still reports the morning.

use super::{Outlook, Predictor, gated};
use crate::estimate::{QueueFacts, minutes_between};

/// The head-of-line predictor (no tuning).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HeadOfLine;

impl Predictor for HeadOfLine {
    fn name(&self) -> &'static str {
        "hol"
    }

    /// The elapsed wait of the oldest waiting ticket (0 when nobody waits: the line is only the
    /// tickets at the counters).
    fn point(&self, facts: &QueueFacts, service: &str) -> Outlook {
        gated(facts, service, |facts| {
            facts
                .history
                .head_issued_at
                .map_or(0.0, |head| minutes_between(head, facts.now))
        })
    }
}
