//! One writer per office: a task that owns the office's queue, decides each staff command,
//! writes it durably, and only then replies and publishes. Readers never touch the task: they
//! take the latest [`Published`] state.
//!
//! - [`handle`]: what routes call ([`OfficeHandle::execute`], [`OfficeHandle::latest`]).
//! - [`task`]: batching, deciding, committing (group commit), the calendar's own transitions.
//! - [`publish`]: estimates and the wire snapshot, serialized once per change.
//! - [`day_facts`]: what the estimator learns from today's tickets, kept up to date per change.

mod day_facts;
mod handle;
mod publish;
mod task;

pub use day_facts::Evidence;
pub use handle::{IdempotencyKey, OfficeCounters, OfficeError, OfficeHandle, Outcome};
pub use publish::{Called, Published, WaitModel, queue_facts, shown_ranges};
pub use task::start;

#[cfg(test)]
mod tests;
