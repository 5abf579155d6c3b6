//! What routes and the demo hold: a cheap handle that sends a command to the office task and
//! waits for its durable answer, and reads the latest published state without touching the task.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

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
    /// The idempotency key was first used for another request (another service).
    #[error("the idempotency key was used for another request")]
    IdempotencyKeyReused,
}

/// A client's `Idempotency-Key` for an issue: a retry under the same key within the business
/// day gets the first reply again instead of a second ticket.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Longest key accepted (a UUID is 36 characters).
    pub const MAX_LEN: usize = 255;

    /// A key as sent in the header: 1 to 255 visible ASCII characters, bare or as a quoted
    /// string (`"…"`, the structured-field form of the IETF draft). `None` otherwise.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let bare = text
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or(text);
        let visible = bare
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && byte != b'"');
        (visible && (1..=Self::MAX_LEN).contains(&bare.len())).then(|| Self(bare.to_string()))
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Counts the office task keeps for `/metrics`.
#[derive(Debug, Default)]
pub struct OfficeCounters {
    /// Business-date changes that expired tickets left open: a day that ended with tickets
    /// still open, or a clock that jumped. Each is also logged with the old and new date.
    pub date_changes_expiring_tickets: AtomicU64,
    /// Tickets expired by those date changes.
    pub tickets_expired_by_date_change: AtomicU64,
    /// Snapshots published (one per committed batch that changed something, and one per
    /// refresh or calendar transition).
    pub publishes: AtomicU64,
    /// Nanoseconds the office task spent publishing them: estimating, building the snapshot,
    /// serializing it and handing it to readers. On a busy day this must not grow with the
    /// tickets already issued (docs/performance.md).
    pub publish_nanos: AtomicU64,
}

/// One command on its way to the task, with the slot for its answer.
pub(super) struct Request {
    pub(super) command: Command,
    pub(super) actor: String,
    pub(super) key: Option<IdempotencyKey>,
    pub(super) reply: oneshot::Sender<Result<Outcome, OfficeError>>,
}

/// Cheap-to-clone handle to an office task. The task runs while any handle exists.
#[derive(Clone, Debug)]
pub struct OfficeHandle {
    pub(super) requests: mpsc::Sender<Request>,
    /// What this instance heard another instance committed for the office (the event
    /// sequence), or `None`: something may have been missed, look.
    pub(super) heard: Arc<watch::Sender<Option<u64>>>,
    pub(super) published: watch::Receiver<Arc<Published>>,
    pub(super) calls: broadcast::Sender<Arc<Called>>,
    pub(super) counters: Arc<OfficeCounters>,
}

impl OfficeHandle {
    /// Sends a command on behalf of `actor` (a token name) and waits until it is durable.
    pub async fn execute(&self, command: Command, actor: &str) -> Result<Outcome, OfficeError> {
        self.execute_once(command, actor, None).await
    }

    /// Like [`OfficeHandle::execute`]; an issue sent with a `key` used before on this business
    /// day is not issued again: it gets the first reply.
    pub async fn execute_once(
        &self,
        command: Command,
        actor: &str,
        key: Option<IdempotencyKey>,
    ) -> Result<Outcome, OfficeError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request {
                command,
                actor: actor.to_string(),
                key,
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

    /// Another instance committed the office's events up to `seq` (`None`: notifications may
    /// have been lost): the task catches up from the store and publishes.
    pub fn heard(&self, seq: Option<u64>) {
        self.heard.send_replace(seq);
    }

    /// What the office task counted (for `/metrics`).
    pub fn counters(&self) -> &OfficeCounters {
        &self.counters
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
