//! What routes and the demo hold: a cheap handle that sends a command to the office task and
//! waits for its durable answer, and reads the latest published state without touching the task.

use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, oneshot, watch};

use super::publish::{Called, Published};
use crate::domain::{Command, DomainError};
use crate::protocol;
use crate::store::StoreError;

/// The reply to an accepted command.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A ticket (issued, called, or acted on); boxed, it is the large one.
    Ticket(Box<protocol::Ticket>),
    /// A counter after the action.
    Counter(protocol::CounterStatus),
    /// Reception after suspend/resume, as staff see it (with their note).
    Reception(protocol::StaffReception),
}

/// Why a command failed. Whatever the variant, nothing of the command was written.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// Refused by the domain.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The store failed while writing the batch that held this command; the whole batch was
    /// rolled back and the office reloaded its day from the store.
    #[error("not written: {0}")]
    NotWritten(#[source] Arc<StoreError>),
    /// The office task has stopped (shutting down).
    #[error("office task stopped")]
    Stopped,
}

/// One command on its way to the task, with the slot for its answer.
pub(super) struct Request {
    pub(super) command: Command,
    pub(super) actor: String,
    pub(super) reply: oneshot::Sender<Result<Outcome, OfficeError>>,
}

/// Cheap-to-clone handle to an office task. The task runs while any handle exists.
#[derive(Clone, Debug)]
pub struct OfficeHandle {
    pub(super) requests: mpsc::Sender<Request>,
    pub(super) published: watch::Receiver<Arc<Published>>,
    pub(super) calls: broadcast::Sender<Arc<Called>>,
}

impl OfficeHandle {
    /// Sends a command on behalf of `actor` (a token name) and waits until it is durable.
    pub async fn execute(&self, command: Command, actor: &str) -> Result<Outcome, OfficeError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request {
                command,
                actor: actor.to_string(),
                reply,
            })
            .await
            .map_err(|_| OfficeError::Stopped)?;
        answer.await.map_err(|_| OfficeError::Stopped)?
    }

    /// The latest published state.
    pub fn latest(&self) -> Arc<Published> {
        self.published.borrow().clone()
    }

    /// A receiver that wakes on every publish.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Published>> {
        self.published.clone()
    }

    /// A receiver of call events.
    pub fn subscribe_calls(&self) -> broadcast::Receiver<Arc<Called>> {
        self.calls.subscribe()
    }
}

impl OfficeHandle {
    /// Whether the office task still runs and takes commands: false once it has ended, by a
    /// panic included (for `/healthz`).
    pub fn is_running(&self) -> bool {
        !self.requests.is_closed()
    }
}
