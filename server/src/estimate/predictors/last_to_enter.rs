//! Last to enter service (LES): a new ticket waits as long as the last ticket called waited.
//!
//! The most recent completed wait is the freshest evidence of the pace; it carries the state of
//! the line one wait ago, so it lags as HOL does. With no call yet today it has nothing to say
//! and predicts 0.

use super::{Outlook, Predictor, gated, recent_waits};
use crate::estimate::QueueFacts;

/// The last-to-enter-service predictor (no tuning).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LastToEnterService;

impl Predictor for LastToEnterService {
    fn name(&self) -> &'static str {
        "les"
    }

    fn point(&self, facts: &QueueFacts, service: &str) -> Outlook {
        gated(facts, service, |facts| {
            recent_waits(facts).next_back().unwrap_or(0.0)
        })
    }
}
