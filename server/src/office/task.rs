//! The office task: the one writer of an office's queue. It drains whatever commands are waiting
//! into one store transaction (group commit), decides each with the pure domain, writes, and only
//! after the commit replies and publishes. One fsync serves a burst, yet nobody hears of a
//! change before it is on disk.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::task::TaskTracker;

use super::handle::{OfficeError, OfficeHandle, Outcome, Request};
use super::publish::{Called, Published, Publisher, Rendered, shown_ranges};
use crate::calendar;
use crate::clock::SharedClock;
use crate::config::{Config, OfficeConfig};
use crate::domain::{Change, Closed, Context, Decision, OfficeQueue, Reply, TicketAction};
use crate::estimate::past::{LEARN_DAYS, PastDays};
use crate::estimate::{Estimator, PredictorEstimator, ServiceEstimate};
use crate::protocol::feed::REFRESH_INTERVAL;
use crate::store::{Store, StoreError};
use crate::wire;

/// Most commands committed in one transaction.
const MAX_BATCH: usize = 512;
/// Commands that may wait for the task before senders wait too.
const QUEUE_DEPTH: usize = 4096;
/// Call events kept for viewers that are a little behind; a viewer further behind resyncs
/// from the snapshot, which carries the recent calls.
const CALL_BUFFER: usize = 256;

/// The task's own state.
struct OfficeTask {
    queue: OfficeQueue,
    config: Arc<Config>,
    store: Store,
    clock: SharedClock,
    publisher: Publisher,
    /// The estimates of the latest publish: what screens show now, stored with new tickets.
    shown: Vec<ServiceEstimate>,
    published: watch::Sender<Arc<Published>>,
    calls: broadcast::Sender<Arc<Called>>,
}

/// Loads the office's day from the store (expiring leftovers of earlier days) and starts its
/// task on `tasks`. The task ends when every handle is dropped.
pub async fn start(
    office: &OfficeConfig,
    config: Arc<Config>,
    store: Store,
    clock: SharedClock,
    demo: bool,
    tasks: &TaskTracker,
) -> Result<OfficeHandle, StoreError> {
    let now = clock.now();
    let queue = load_queue(office, &config, &store, now).await?;
    let estimator: Arc<dyn Estimator> =
        Arc::new(PredictorEstimator::from_config(&config.estimates));
    let today = queue.business_date();
    let past = store
        .tickets_between(
            &office.id,
            today - chrono::Duration::days(LEARN_DAYS),
            today - chrono::Duration::days(1),
        )
        .await?;
    let mut publisher = Publisher::new(config.clone(), estimator, demo, PastDays::learn(&past));
    let Rendered {
        published,
        estimates,
    } = publisher
        .render(&queue, now, clock.speed())
        .map_err(|error| StoreError::Corrupt(format!("snapshot: {error}")))?;
    let (requests, receiver) = mpsc::channel(QUEUE_DEPTH);
    let (calls, _) = broadcast::channel(CALL_BUFFER);
    let task = OfficeTask {
        queue,
        config,
        store,
        clock,
        publisher,
        shown: estimates,
        published: watch::Sender::new(Arc::new(published)),
        calls: calls.clone(),
    };
    let handle = OfficeHandle {
        requests,
        published: task.published.subscribe(),
        calls,
    };
    tasks.spawn(task.run(receiver));
    Ok(handle)
}

/// The office's current business day from the store, after expiring what earlier days left
/// open.
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
    let saved = store.load_day(&office.id, today).await?;
    Ok(OfficeQueue::restore(
        office.clone(),
        config.prefixes_of(office),
        today,
        saved,
    ))
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
        tracing::debug!(office = %self.queue.office().id, "office task stopped");
    }

    /// Real time until the next calendar transition (opening, last ticket, closing,
    /// midnight), or the feed's refresh interval, whichever is sooner. The refresh interval
    /// is clock time: under `--speed N` screens refresh N times as often, so the estimate
    /// shown (and stored with a ticket issued) is as fresh in the day's time as on a live day,
    /// not an hour old at 120×.
    fn time_to_next_wake(&self) -> Duration {
        let now = self.clock.now();
        let next = calendar::next_transition_after(&self.queue.office().schedule, now);
        let until = (next - now).to_std().unwrap_or(Duration::ZERO);
        let speed = self.clock.speed();
        let real = until.div_f64(speed);
        let refresh = REFRESH_INTERVAL.div_f64(speed.max(1.0));
        real.min(refresh) + Duration::from_millis(1)
    }

    /// At a calendar transition (opening, last ticket, closing, a new day) the snapshot changes
    /// without a staff command. Logging it as an event gives that snapshot its own `seq` from
    /// the event log, so `seq` rises with every change, also across restarts.
    async fn record_calendar_change(&mut self, now: DateTime<Utc>) {
        let status = calendar::status(&self.queue.office().schedule, now);
        let unchanged = {
            let shown = &self.published.borrow().calendar;
            shown.phase == status.phase && shown.business_date == status.business_date
        };
        if unchanged {
            return;
        }
        let phase = wire::phase(&status.phase);
        let reason = match &status.phase {
            calendar::Phase::Closed(reason) => Some(wire::closure_reason(reason)),
            _ => None,
        };
        let recorded = async {
            let mut batch = self.store.begin().await?;
            let seq = batch
                .record_event(
                    &self.queue.office().id,
                    self.queue.business_date(),
                    "calendar_changed",
                    "system",
                    now,
                    serde_json::json!({ "phase": phase, "reason": reason }),
                )
                .await?;
            batch.commit().await?;
            Ok::<_, StoreError>(seq)
        }
        .await;
        match recorded {
            Ok(seq) => self.queue.note_event(seq),
            Err(error) => tracing::error!(%error, "could not log a calendar change"),
        }
    }

    async fn roll_over_if_new_day(&mut self, now: DateTime<Utc>) {
        if calendar::business_date(now) == self.queue.business_date() {
            return;
        }
        self.reload(now).await;
    }

    /// Replaces the in-memory day with the store's: after a new day starts, and after a batch
    /// that could not be written (memory may hold changes the store rolled back).
    async fn reload(&mut self, now: DateTime<Utc>) {
        match load_queue(self.queue.office(), &self.config, &self.store, now).await {
            Ok(queue) => self.queue = queue,
            Err(error) => tracing::error!(%error, "could not load the business day"),
        }
    }

    /// Whether the calendar lets reception take tickets now, and if not, what to tell staff.
    fn context(&self, now: DateTime<Utc>) -> Context {
        let status = calendar::status(&self.queue.office().schedule, now);
        Context {
            now,
            reception_hours: Closed::unless_open(&status),
            shown_estimates: shown_ranges(&self.shown),
        }
    }

    /// Decides and writes one batch in one transaction. A store error anywhere aborts the whole
    /// batch: every caller in it hears that nothing was written (whatever the domain would have
    /// said: its decisions were made on changes that are now rolled back), nothing is
    /// published, and the day is reloaded from the store.
    async fn process(&mut self, batch: Vec<Request>) {
        let now = self.clock.now();
        self.roll_over_if_new_day(now).await;
        let context = self.context(now);
        let mut replies = Vec::with_capacity(batch.len());
        let mut calls = Vec::new();
        let mut written = false;
        let mut failure = None;
        let mut transaction = match self.store.begin().await {
            Ok(transaction) => Some(transaction),
            Err(error) => {
                failure = Some(error);
                None
            }
        };
        for request in batch {
            let Some(open) = transaction.as_mut() else {
                replies.push((request.reply, None));
                continue;
            };
            let result = match self.queue.decide(&request.command, &context) {
                Err(refusal) => Err(refusal.into()),
                Ok(decision) if decision.changes.is_empty() => Ok(self.outcome(&decision)),
                Ok(decision) => {
                    let office = &self.queue.office().id;
                    let date = self.queue.business_date();
                    match open
                        .record(office, date, &decision, &request.actor, now)
                        .await
                    {
                        Ok(recorded) => {
                            self.queue.commit(&decision, &recorded, now);
                            written = true;
                            calls.extend(self.calls_in(&decision, recorded.seq));
                            Ok(self.outcome_of_recorded(&decision, &recorded))
                        }
                        Err(error) => {
                            failure = Some(error);
                            transaction = None;
                            replies.push((request.reply, None));
                            continue;
                        }
                    }
                }
            };
            replies.push((request.reply, Some(result)));
        }
        if let Some(open) = transaction
            && written
            && let Err(error) = open.commit().await
        {
            failure = Some(error);
        }
        match failure {
            None => {
                for (reply, result) in replies {
                    let _ = reply.send(result.unwrap_or(Err(OfficeError::Stopped)));
                }
                if written {
                    self.publish(now);
                    for (seq, call) in calls {
                        self.send_call(seq, call, now);
                    }
                }
            }
            Some(error) => {
                tracing::error!(%error, "a batch could not be written; reloading the office");
                let error = Arc::new(error);
                for (reply, _) in replies {
                    let _ = reply.send(Err(OfficeError::NotWritten(error.clone())));
                }
                self.reload(now).await;
            }
        }
    }

    /// The `call` events a decision makes (a call-next or a recall).
    fn calls_in(&self, decision: &Decision, seq: u64) -> Vec<(u64, crate::protocol::CallEvent)> {
        decision
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Ticket {
                    id,
                    action: action @ (TicketAction::Call | TicketAction::Recall),
                    ..
                } => {
                    let ticket = self.queue.ticket(*id)?;
                    wire::call(ticket, *action == TicketAction::Recall).map(|call| (seq, call))
                }
                _ => None,
            })
            .collect()
    }

    /// The reply of a recorded decision: an issue replies with the ticket the store made.
    fn outcome_of_recorded(
        &self,
        decision: &Decision,
        recorded: &crate::domain::Recorded,
    ) -> Outcome {
        match (&decision.reply, &recorded.issued) {
            (Reply::IssuedTicket, Some(issued)) => self
                .queue
                .ticket(issued.id)
                .map(|ticket| Outcome::Ticket(Box::new(wire::ticket(&self.queue, ticket))))
                .unwrap_or_else(|| self.reception_outcome()),
            _ => self.outcome(decision),
        }
    }

    /// The reply of a decision, from the state after it.
    fn outcome(&self, decision: &Decision) -> Outcome {
        let found = match &decision.reply {
            Reply::Ticket(id) => self
                .queue
                .ticket(*id)
                .map(|ticket| Outcome::Ticket(Box::new(wire::ticket(&self.queue, ticket)))),
            Reply::Counter(id) => self
                .queue
                .counter(id)
                .map(|counter| Outcome::Counter(wire::counter(counter))),
            Reply::IssuedTicket | Reply::Reception => None,
        };
        found.unwrap_or_else(|| self.reception_outcome())
    }

    fn reception_outcome(&self) -> Outcome {
        Outcome::Reception(wire::staff_reception(self.queue.reception()))
    }

    fn publish(&mut self, now: DateTime<Utc>) {
        match self.publisher.render(&self.queue, now, self.clock.speed()) {
            Ok(Rendered {
                published,
                estimates,
            }) => {
                self.shown = estimates;
                self.published.send_replace(Arc::new(published));
            }
            Err(error) => tracing::error!(%error, "could not serialize a snapshot"),
        }
    }

    fn send_call(&self, seq: u64, call: crate::protocol::CallEvent, now: DateTime<Utc>) {
        match self.publisher.call(seq, call, now) {
            // No receiver is not an error: nobody is watching.
            Ok(called) => {
                let _ = self.calls.send(Arc::new(called));
            }
            Err(error) => tracing::error!(%error, "could not serialize a call"),
        }
    }
}
