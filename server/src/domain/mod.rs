//! The pure queue domain: ticket lifecycle and the decisions of one office's queue.
//! No I/O and no clock: callers pass the instant and the calendar's answer.

pub mod queue;
pub mod shown;
pub mod ticket;

pub use queue::{
    Change, Closed, Command, Context, Counter, Decision, DomainError, Issued, OfficeQueue,
    Reception, Recorded, Reply, SavedDay, Ticket, display_number,
};
pub use shown::ShownEstimate;
pub use ticket::{InvalidTransition, TicketAction, next_state, staff_actions};
