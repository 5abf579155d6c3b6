//! One writer per office: a task that owns the office's queue, decides each staff command,
//! writes it durably, and only then replies and publishes.
//!
//! Commands arrive over a channel with a reply slot. The task drains whatever is waiting into
//! one store transaction (group commit): one fsync serves a burst, yet every command is replied
//! to only after the commit, and one refused command never rolls back the others. Readers never
//! touch the task: they take the latest [`Published`] state from a `watch` channel.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use crate::calendar;
use crate::clock::SharedClock;
use crate::config::{Config, OfficeConfig};
use crate::domain::{
    Closed, Command, Context, Decision, DomainError, Issued, OfficeQueue, Reply, TicketAction,
};
use crate::estimate::{Estimator, QueueLengthEstimator};
use crate::protocol::{self, CallEvent, Message, Payload, VERSION};
use crate::snapshot::{self, tokyo};
use crate::store::{Store, StoreError};

/// Most commands committed in one transaction.
const MAX_BATCH: usize = 512;
/// A snapshot is republished at least this often, so `generated_at` is never older.
const REFRESH: Duration = Duration::from_secs(30);

/// The reply to an accepted command.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A ticket (issued, called, or acted on).
    Ticket(protocol::Ticket),
    /// A counter after the action.
    Counter(protocol::CounterStatus),
    /// Reception after suspend/resume.
    Reception(protocol::Reception),
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// Refused by the domain; nothing changed.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The store failed; nothing changed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The batch holding this command could not be committed; nothing changed.
    #[error("not written: {0}")]
    NotWritten(String),
    /// The office task has stopped (shutting down).
    #[error("office task stopped")]
    Stopped,
}

/// What readers see: the latest committed state of the office, with its snapshot already
/// serialized once for every viewer.
#[derive(Debug)]
pub struct Published {
    /// The queue as committed (staff lists read from here).
    pub queue: Arc<OfficeQueue>,
    /// The calendar's answer when published.
    pub calendar: calendar::Status,
    /// The public snapshot message (`type: snapshot`).
    pub message: Message,
    /// `message` as JSON: the status endpoint's body.
    pub json: Bytes,
    /// The same bytes as a WebSocket text frame (shared, not copied, per viewer).
    pub frame: Utf8Bytes,
    /// Strong ETag of `json`.
    pub etag: String,
    /// When it was published (for the feed's publish-to-send lag).
    pub published_at: Instant,
}

/// A call, sent to feed viewers as it happens.
#[derive(Clone, Debug)]
pub struct Called {
    /// The `call` message.
    pub message: Message,
    /// It as a JSON text frame.
    pub frame: Utf8Bytes,
    /// When it was sent (for the feed's publish-to-send lag).
    pub published_at: Instant,
}

struct Request {
    command: Command,
    actor: String,
    reply: oneshot::Sender<Result<Outcome, OfficeError>>,
}

/// Cheap-to-clone handle to an office task.
#[derive(Clone, Debug)]
pub struct OfficeHandle {
    requests: mpsc::Sender<Request>,
    published: watch::Receiver<Arc<Published>>,
    calls: broadcast::Sender<Arc<Called>>,
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

    /// A receiver that wakes on every publish (feed viewers).
    pub fn subscribe(&self) -> watch::Receiver<Arc<Published>> {
        self.published.clone()
    }

    /// A receiver of call events (feed viewers).
    pub fn subscribe_calls(&self) -> broadcast::Receiver<Arc<Called>> {
        self.calls.subscribe()
    }
}

/// The task's own state.
struct OfficeTask {
    queue: OfficeQueue,
    config: Arc<Config>,
    store: Store,
    clock: SharedClock,
    estimator: Arc<dyn Estimator>,
    demo: bool,
    etag_nonce: u64,
    publishes: u64,
    published: watch::Sender<Arc<Published>>,
    calls: broadcast::Sender<Arc<Called>>,
}

/// Loads the office's day from the store (expiring leftovers of earlier days) and starts its
/// task. The task ends when every handle is dropped.
pub async fn start(
    office: &OfficeConfig,
    config: Arc<Config>,
    store: Store,
    clock: SharedClock,
    demo: bool,
) -> Result<OfficeHandle, StoreError> {
    let now = clock.now();
    let queue = load_queue(office, &config, &store, now).await?;
    let (requests, receiver) = mpsc::channel(4096);
    let (calls, _) = broadcast::channel(256);
    let etag_nonce = rand::random();
    let estimator: Arc<dyn Estimator> = Arc::new(QueueLengthEstimator::default());
    let first = render(
        &queue,
        &config,
        estimator.as_ref(),
        demo,
        now,
        format!("\"{etag_nonce:x}-0\""),
    )?;
    let task = OfficeTask {
        queue,
        config,
        store,
        clock,
        estimator,
        demo,
        etag_nonce,
        publishes: 0,
        published: watch::Sender::new(Arc::new(first)),
        calls: calls.clone(),
    };
    let handle = OfficeHandle {
        requests,
        published: task.published.subscribe(),
        calls,
    };
    tokio::spawn(task.run(receiver));
    Ok(handle)
}

async fn load_queue(
    office: &OfficeConfig,
    config: &Config,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<OfficeQueue, StoreError> {
    let today = calendar::business_date(now);
    let expired = store.expire_earlier_days(&office.id, today, now).await?;
    if expired > 0 {
        tracing::info!(office = %office.id, expired, "closed leftover tickets of earlier days");
    }
    let stored = store.load_day(&office.id, today).await?;
    let prefixes = office
        .services
        .iter()
        .filter_map(|id| config.service(id).map(|s| (id.clone(), s.prefix.clone())))
        .collect();
    let mut queue = OfficeQueue::new(office.clone(), prefixes, today);
    queue.tickets = stored.tickets;
    for (id, state) in stored.counter_states {
        if let Some(counter) = queue.counters.iter_mut().find(|c| c.id == id) {
            counter.state = state;
        }
    }
    queue.reception = stored.reception;
    queue.last_seq = stored.last_seq;
    Ok(queue)
}

/// Builds what readers see, serializing the snapshot once.
fn render(
    queue: &OfficeQueue,
    config: &Config,
    estimator: &dyn Estimator,
    demo: bool,
    now: DateTime<Utc>,
    etag: String,
) -> Result<Published, StoreError> {
    let status = calendar::status(&queue.office.schedule, now);
    let snapshot = snapshot::build(queue, config, &status, estimator, now, demo);
    let message = Message {
        v: VERSION,
        seq: queue.last_seq,
        generated_at: tokyo(now),
        payload: Payload::Snapshot(Box::new(snapshot)),
    };
    let json = serde_json::to_string(&message)
        .map_err(|error| StoreError::Corrupt(format!("snapshot: {error}")))?;
    let frame = Utf8Bytes::from(json);
    Ok(Published {
        queue: Arc::new(queue.clone()),
        calendar: status,
        message,
        json: Bytes::from(frame.clone()),
        frame,
        etag,
        published_at: Instant::now(),
    })
}

impl OfficeTask {
    async fn run(mut self, mut receiver: mpsc::Receiver<Request>) {
        loop {
            let wake = self.time_to_next_wake();
            tokio::select! {
                first = receiver.recv() => {
                    let Some(first) = first else { break };
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match receiver.try_recv() {
                            Ok(request) => batch.push(request),
                            Err(_) => break,
                        }
                    }
                    self.process(batch).await;
                }
                () = tokio::time::sleep(wake) => {
                    let now = self.clock.now();
                    self.roll_over_if_new_day(now).await;
                    self.record_calendar_change(now).await;
                    self.publish(now);
                }
            }
        }
        tracing::debug!(office = %self.queue.office.id, "office task stopped");
    }

    /// Real time until the next calendar transition (opening, last ticket, closing,
    /// midnight), or [`REFRESH`], whichever is sooner.
    fn time_to_next_wake(&self) -> Duration {
        let now = self.clock.now();
        let next = calendar::next_transition_after(&self.queue.office.schedule, now);
        let until = (next - now).to_std().unwrap_or(Duration::ZERO);
        let real = until.div_f64(self.clock.speed());
        real.min(REFRESH) + Duration::from_millis(1)
    }

    /// At a calendar transition (opening, last ticket, closing, a new day) the snapshot changes
    /// without a staff command. Logging it as an event gives that snapshot its own `seq` from
    /// the event log, so `seq` rises with every change, also across restarts.
    async fn record_calendar_change(&mut self, now: DateTime<Utc>) {
        let status = calendar::status(&self.queue.office.schedule, now);
        let unchanged = {
            let shown = &self.published.borrow().calendar;
            shown.phase == status.phase && shown.business_date == status.business_date
        };
        if unchanged {
            return;
        }
        let view = snapshot::calendar_view(&status, self.queue.reception.suspended);
        let recorded = async {
            let mut batch = self.store.begin().await?;
            let recorded = batch
                .record_event(
                    &self.queue.office.id,
                    self.queue.business_date,
                    "calendar_changed",
                    "system",
                    now,
                    serde_json::json!({ "phase": view.phase, "reason": view.reason_code }),
                )
                .await?;
            batch.commit().await?;
            Ok::<_, StoreError>(recorded)
        }
        .await;
        match recorded {
            Ok(seq) => self.queue.last_seq = seq,
            Err(error) => tracing::error!(%error, "could not log a calendar change"),
        }
    }

    async fn roll_over_if_new_day(&mut self, now: DateTime<Utc>) {
        if calendar::business_date(now) == self.queue.business_date {
            return;
        }
        match load_queue(&self.queue.office, &self.config, &self.store, now).await {
            Ok(queue) => self.queue = queue,
            Err(error) => tracing::error!(%error, "could not start the new business day"),
        }
    }

    async fn process(&mut self, batch: Vec<Request>) {
        let now = self.clock.now();
        self.roll_over_if_new_day(now).await;
        let status = calendar::status(&self.queue.office.schedule, now);
        let context = Context {
            now,
            reception_hours: if status.accepts_tickets() {
                Ok(())
            } else {
                Err(Closed {
                    message_ja: status.refusal_ja(),
                    message_en: status.refusal_en(),
                    next_opening: status.next_opening.map(|at| at.with_timezone(&Utc)),
                })
            },
            shown_estimates: self.shown_estimates(),
        };
        let mut transaction = match self.store.begin().await {
            Ok(transaction) => transaction,
            Err(error) => {
                tracing::error!(%error, "could not begin a transaction");
                for request in batch {
                    let _ = request
                        .reply
                        .send(Err(OfficeError::NotWritten(error.to_string())));
                }
                return;
            }
        };
        let mut replies = Vec::with_capacity(batch.len());
        let mut calls = Vec::new();
        let mut written = false;
        for request in batch {
            let result = match self.queue.decide(&request.command, &context) {
                Err(refusal) => Err(refusal.into()),
                Ok(decision) if decision.changes.is_empty() => Ok(self.outcome(&decision, None)),
                Ok(decision) => {
                    let recorded = transaction
                        .record(
                            &self.queue.office.id,
                            self.queue.business_date,
                            &decision,
                            &request.actor,
                            now,
                        )
                        .await;
                    match recorded {
                        Ok(recorded) => {
                            for change in &decision.changes {
                                self.queue.apply(change, recorded.issued.as_ref(), now);
                            }
                            self.queue.last_seq = recorded.seq;
                            written = true;
                            calls.extend(self.calls_in(&decision, recorded.seq));
                            Ok(self.outcome(&decision, recorded.issued.as_ref()))
                        }
                        Err(error) => {
                            tracing::error!(%error, "could not record a command");
                            Err(error.into())
                        }
                    }
                }
            };
            replies.push((request.reply, result));
        }
        if written && let Err(error) = transaction.commit().await {
            tracing::error!(%error, "commit failed; reloading the office from the store");
            let message = error.to_string();
            for (_, result) in &mut replies {
                if result.is_ok() {
                    *result = Err(OfficeError::NotWritten(message.clone()));
                }
            }
            match load_queue(&self.queue.office, &self.config, &self.store, now).await {
                Ok(queue) => self.queue = queue,
                Err(error) => tracing::error!(%error, "reload failed"),
            }
            written = false;
        }
        for (reply, result) in replies {
            let _ = reply.send(result);
        }
        if written {
            self.publish(now);
            for (seq, call) in calls {
                self.send_call(seq, call, now);
            }
        }
    }

    /// The wait ranges screens show now (the latest published snapshot), per service.
    fn shown_estimates(&self) -> Vec<(String, (u32, u32))> {
        let published = self.published.borrow();
        let Payload::Snapshot(snapshot) = &published.message.payload else {
            return Vec::new();
        };
        snapshot
            .services
            .iter()
            .filter_map(|service| {
                let estimate = service.estimate.as_ref()?;
                (!estimate.no_counter_open).then(|| {
                    (
                        service.id.clone(),
                        (estimate.min_minutes, estimate.max_minutes),
                    )
                })
            })
            .collect()
    }

    /// The `call` events a decision makes (a call-next or a recall).
    fn calls_in(&self, decision: &Decision, seq: u64) -> Vec<(u64, CallEvent)> {
        decision
            .changes
            .iter()
            .filter_map(|change| match change {
                crate::domain::Change::Ticket {
                    id,
                    action: action @ (TicketAction::Call | TicketAction::Recall),
                    ..
                } => {
                    let ticket = self.queue.ticket(*id)?;
                    Some((
                        seq,
                        CallEvent {
                            counter: ticket.counter.clone()?,
                            number: ticket.number.clone(),
                            service: ticket.service.clone(),
                            recall: *action == TicketAction::Recall,
                        },
                    ))
                }
                _ => None,
            })
            .collect()
    }

    fn outcome(&self, decision: &Decision, issued: Option<&Issued>) -> Outcome {
        let ticket = |id: i64| {
            self.queue
                .ticket(id)
                .map(snapshot::ticket_view)
                .map(Outcome::Ticket)
        };
        let found = match &decision.reply {
            Reply::IssuedTicket => issued.and_then(|issued| ticket(issued.id)),
            Reply::Ticket(id) => ticket(*id),
            Reply::Counter(id) => self.queue.counter(id).map(|c| {
                Outcome::Counter(protocol::CounterStatus {
                    id: c.id.clone(),
                    state: c.state,
                    services: c.services.clone(),
                })
            }),
            Reply::Reception => None,
        };
        found.unwrap_or_else(|| {
            Outcome::Reception(protocol::Reception {
                suspended: self.queue.reception.suspended,
                reason: self.queue.reception.reason.clone(),
            })
        })
    }

    fn publish(&mut self, now: DateTime<Utc>) {
        self.publishes += 1;
        let etag = format!("\"{:x}-{}\"", self.etag_nonce, self.publishes);
        match render(
            &self.queue,
            &self.config,
            self.estimator.as_ref(),
            self.demo,
            now,
            etag,
        ) {
            Ok(published) => {
                self.published.send_replace(Arc::new(published));
            }
            Err(error) => tracing::error!(%error, "could not serialize a snapshot"),
        }
    }

    fn send_call(&self, seq: u64, call: CallEvent, now: DateTime<Utc>) {
        let message = Message {
            v: VERSION,
            seq,
            generated_at: tokyo(now),
            payload: Payload::Call(call),
        };
        if let Ok(json) = serde_json::to_string(&message) {
            // No receiver is not an error: nobody is watching.
            let _ = self.calls.send(Arc::new(Called {
                message,
                frame: Utf8Bytes::from(json),
                published_at: Instant::now(),
            }));
        }
    }
}
