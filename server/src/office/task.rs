//! The office task: the one writer of an office's queue. It drains whatever commands are waiting
//! into one store transaction (group commit), decides each with the pure domain, writes, and only
//! after the commit replies and publishes. One fsync serves a burst, yet nobody hears of a
//! change before it is on disk.
//!
//! Faults it survives without losing or doubling anything:
//! - a store error anywhere in a batch aborts the whole batch (see [`OfficeTask::process`]);
//! - a day it cannot load (a failed midnight rollover, a failed reload after an aborted batch)
//!   refuses every command until it can, rather than deciding on a day the store does not hold;
//! - the periodic refresh runs on its own deadline, which commands never push back.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::task::TaskTracker;

use super::day_facts::DayFacts;
use super::handle::{IdempotencyKey, OfficeCounters, OfficeError, OfficeHandle, Outcome, Request};
use super::publish::{Called, Published, Publisher, Rendered, shown_ranges};
use crate::calendar;
use crate::clock::SharedClock;
use crate::config::{Config, OfficeConfig};
use crate::domain::{
    Change, Closed, Command, Context, Decision, OfficeQueue, Reply, SavedDay, TicketAction,
};
use crate::estimate::past::{LEARN_DAYS, PastDays};
use crate::estimate::{Estimator, PredictorEstimator, ServiceEstimate};
use crate::protocol::feed::REFRESH_INTERVAL;
use crate::store::{Batch, Committed, EventSlot, RememberedIssue, Store, StoreError};
use crate::wire;

/// Most commands committed in one transaction.
const MAX_BATCH: usize = 512;
/// Commands that may wait for the task before senders wait too.
const QUEUE_DEPTH: usize = 4096;
/// Call events kept for viewers that are a little behind; a viewer further behind resyncs
/// from the snapshot, which carries the recent calls.
const CALL_BUFFER: usize = 256;
/// How soon the task tries again to load a day it could not load.
const RETRY_LOAD: Duration = Duration::from_secs(1);

/// Under a fast clock, screens refresh at most this often in real time: at 120× (a drill) the
/// refresh comes every 250 ms, two simulated minutes; at the demo's 3000× a refresh for every
/// 10 ms would crowd out the staff commands themselves.
const FASTEST_REFRESH: Duration = Duration::from_millis(250);

/// The task's own state.
struct OfficeTask {
    queue: OfficeQueue,
    /// What the estimator learns from `queue`'s tickets, updated with each committed change.
    day_facts: DayFacts,
    /// The day in memory may not be the store's (loading it failed): commands are refused and
    /// nothing is published until a load succeeds.
    stale: bool,
    config: Arc<Config>,
    store: Store,
    clock: SharedClock,
    publisher: Publisher,
    /// The estimates of the latest publish: what screens show now, stored with new tickets.
    shown: Vec<ServiceEstimate>,
    published: watch::Sender<Arc<Published>>,
    calls: broadcast::Sender<Arc<Called>>,
    counters: Arc<OfficeCounters>,
    /// Other servers may write this office (PostgreSQL): catch up before deciding.
    shared: bool,
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
    let counters = Arc::new(OfficeCounters::default());
    let queue = load_queue(office, &config, &store, now, None, &counters).await?;
    let estimator: Arc<dyn Estimator> =
        Arc::new(PredictorEstimator::from_config(&config.estimates));
    let today = queue.business_date();
    let (first, last) = (
        today - chrono::Duration::days(LEARN_DAYS),
        today - chrono::Duration::days(1),
    );
    let past = store.tickets_between(&office.id, first, last).await?;
    let past_changes = store
        .counter_changes_between(&office.id, first, last)
        .await?;
    let past = PastDays::learn(&past).with_pauses(&past_changes);
    let mut publisher = Publisher::new(config.clone(), estimator, demo, past);
    let day_facts = DayFacts::of(&queue);
    let Rendered {
        published,
        estimates,
    } = publisher.render(&queue, day_facts.evidence(), now, clock.speed());
    let (requests, receiver) = mpsc::channel(QUEUE_DEPTH);
    let (calls, _) = broadcast::channel(CALL_BUFFER);
    let (heard, heard_receiver) = watch::channel(Some(0));
    let shared = store.engine().shared();
    let task = OfficeTask {
        queue,
        day_facts,
        stale: false,
        config,
        store,
        clock,
        publisher,
        shown: estimates,
        published: watch::Sender::new(Arc::new(published)),
        calls: calls.clone(),
        counters: counters.clone(),
        shared,
    };
    let handle = OfficeHandle {
        requests,
        heard: Arc::new(heard),
        published: task.published.subscribe(),
        calls,
        counters,
    };
    tasks.spawn(task.run(receiver, heard_receiver));
    Ok(handle)
}

/// The office's current business day from the store, after closing earlier days. `shown` is
/// the day the office showed until now (none at start): a date change that expires open
/// tickets is logged with both dates and counted, since a clock that jumped would do the same.
async fn load_queue(
    office: &OfficeConfig,
    config: &Config,
    store: &Store,
    now: DateTime<Utc>,
    shown: Option<NaiveDate>,
    counters: &OfficeCounters,
) -> Result<OfficeQueue, StoreError> {
    let today = calendar::business_date(now);
    let expired = store.expire_earlier_days(&office.id, today, now).await?;
    if expired.tickets > 0 {
        let old_date = shown.or(expired.last_day);
        tracing::warn!(
            office = %office.id,
            old_date = ?old_date,
            new_date = %today,
            expired = expired.tickets,
            "the business date changed with tickets still open; they are expired"
        );
        counters
            .date_changes_expiring_tickets
            .fetch_add(1, Ordering::Relaxed);
        counters
            .tickets_expired_by_date_change
            .fetch_add(expired.tickets, Ordering::Relaxed);
    }
    let saved = store.load_day(&office.id, today).await?;
    let mut queue = restore(office, config, today, saved);
    restore_pauses(&mut queue, store).await?;
    Ok(queue)
}

/// When each paused counter's pause began and how long today's ended ones lasted, replayed
/// from the day's counter events (the saved day keeps only the counters' states).
async fn restore_pauses(queue: &mut OfficeQueue, store: &Store) -> Result<(), StoreError> {
    let office = queue.office().id.clone();
    let date = queue.business_date();
    let changes = store.counter_changes_between(&office, date, date).await?;
    queue.replay_pauses(
        changes
            .iter()
            .map(|change| (change.counter.as_str(), change.state, change.at)),
    );
    Ok(())
}

/// The office's day in memory from what the store holds.
fn restore(
    office: &OfficeConfig,
    config: &Config,
    today: NaiveDate,
    saved: SavedDay,
) -> OfficeQueue {
    OfficeQueue::restore(office.clone(), config.prefixes_of(office), today, saved)
}

/// What one command of a batch came to, once decided (and written, if it changed anything).
struct Step {
    result: Result<Outcome, OfficeError>,
    /// It wrote something (the batch must publish after its commit).
    written: bool,
    /// The `call` events it makes, with its event's slot in the batch (their `seq` once the
    /// batch commits).
    calls: Vec<(EventSlot, crate::protocol::CallEvent)>,
}

impl Step {
    fn answer(result: Result<Outcome, OfficeError>) -> Self {
        Self {
            result,
            written: false,
            calls: Vec::new(),
        }
    }
}

/// The batch's transaction, begun on the first command that needs the store: a burst of
/// refused or no-op commands never touches it.
async fn open_batch<'a>(
    store: &Store,
    office: &str,
    batch: &'a mut Option<Batch>,
) -> Result<&'a mut Batch, StoreError> {
    if batch.is_none() {
        *batch = Some(store.begin(office).await?);
    }
    batch.as_mut().ok_or(StoreError::BatchAborted)
}

impl OfficeTask {
    async fn run(
        mut self,
        mut receiver: mpsc::Receiver<Request>,
        mut heard: watch::Receiver<Option<u64>>,
    ) {
        // One deadline for the calendar's transitions and the periodic refresh, reset only
        // when it fires: a stream of commands (refused ones publish nothing) cannot starve it.
        let wake = tokio::time::sleep(self.time_to_next_wake());
        tokio::pin!(wake);
        loop {
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
                Ok(()) = heard.changed(), if self.shared => {
                    let seq = *heard.borrow_and_update();
                    if seq.is_none_or(|seq| seq > self.queue.last_seq()) {
                        let now = self.clock.now();
                        if self.ensure_current_day(now).await.is_ok() {
                            self.catch_up(now).await;
                        }
                    }
                }
                () = &mut wake => {
                    let now = self.clock.now();
                    if self.ensure_current_day(now).await.is_ok() {
                        // A notification from another instance may have been lost.
                        if self.shared {
                            self.catch_up(now).await;
                        }
                        self.record_calendar_change(now).await;
                        self.publish(now);
                    }
                    wake.as_mut()
                        .reset(tokio::time::Instant::now() + self.time_to_next_wake());
                }
            }
        }
        tracing::debug!(office = %self.queue.office().id, "office task stopped");
    }

    /// Real time until the next calendar transition (opening, last ticket, closing,
    /// midnight), or the feed's refresh interval, whichever is sooner; soon when the day could
    /// not be loaded, to try again. The refresh interval is clock time: under `--speed N`
    /// screens refresh N times as often, so the estimate shown (and stored with a ticket
    /// issued) is as fresh in the day's time as on a live day, not an hour old at 120×.
    fn time_to_next_wake(&self) -> Duration {
        if self.stale {
            return RETRY_LOAD;
        }
        let now = self.clock.now();
        let next = calendar::next_transition_after(&self.queue.office().schedule, now);
        let until = (next - now).to_std().unwrap_or(Duration::ZERO);
        let speed = self.clock.speed();
        let real = until.div_f64(speed);
        let refresh = REFRESH_INTERVAL
            .div_f64(speed.max(1.0))
            .max(FASTEST_REFRESH);
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
            let mut batch = self.store.begin(&self.queue.office().id).await?;
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

    /// Makes sure the day in memory is the store's day for `now`: after midnight it rolls over
    /// (closing the day before), and after a failed load it tries again. While this fails the
    /// office refuses commands: deciding on yesterday's queue would issue today's tickets
    /// under yesterday's numbers. The day only moves forward: a clock set back across
    /// midnight keeps the day the office is on (and says so).
    async fn ensure_current_day(&mut self, now: DateTime<Utc>) -> Result<(), Arc<StoreError>> {
        let today = calendar::business_date(now);
        let shown = self.queue.business_date();
        if today < shown && !self.stale {
            tracing::warn!(
                office = %self.queue.office().id,
                clock_date = %today,
                business_date = %shown,
                "the clock went back to an earlier day; staying on the business day"
            );
        }
        if today <= shown && !self.stale {
            return Ok(());
        }
        let loaded = load_queue(
            self.queue.office(),
            &self.config,
            &self.store,
            now,
            Some(shown),
            &self.counters,
        )
        .await;
        match loaded {
            Ok(queue) => {
                if self.stale {
                    tracing::info!(office = %queue.office().id, "the business day is loaded again");
                }
                self.day_facts = DayFacts::of(&queue);
                self.queue = queue;
                self.stale = false;
                Ok(())
            }
            Err(error) => {
                tracing::error!(
                    office = %self.queue.office().id,
                    %error,
                    "could not load the business day; commands are refused until it loads"
                );
                self.stale = true;
                Err(Arc::new(error))
            }
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
    /// batch: the store discards the transaction (and its connection), every caller in it hears
    /// that nothing was written (whatever the domain would have said: its decisions were made
    /// on changes that are now rolled back), nothing is published, and the day is reloaded
    /// from the store.
    async fn process(&mut self, batch: Vec<Request>) {
        let now = self.clock.now();
        if let Err(error) = self.ensure_current_day(now).await {
            for request in batch {
                let _ = request
                    .reply
                    .send(Err(OfficeError::NotWritten(error.clone())));
            }
            return;
        }
        let mut transaction = None;
        if self.shared
            && let Err(error) = self.catch_up_locked(&mut transaction, now).await
        {
            tracing::error!(%error, "could not catch up with the other instances");
            let error = Arc::new(error);
            for request in batch {
                let _ = request
                    .reply
                    .send(Err(OfficeError::NotWritten(error.clone())));
            }
            return;
        }
        let context = self.context(now);
        let mut replies = Vec::with_capacity(batch.len());
        let mut calls = Vec::new();
        let mut written = false;
        let mut failure = None;
        for request in batch {
            if failure.is_some() {
                replies.push((request.reply, None));
                continue;
            }
            let step = self
                .step(
                    &request.command,
                    &request.actor,
                    request.key.as_ref(),
                    &context,
                    &mut transaction,
                    now,
                )
                .await;
            match step {
                Ok(step) => {
                    written |= step.written;
                    calls.extend(step.calls);
                    replies.push((request.reply, Some(step.result)));
                }
                Err(error) => {
                    failure = Some(error);
                    replies.push((request.reply, None));
                }
            }
        }
        let mut committed = Committed::default();
        if failure.is_none()
            && let Some(open) = transaction
        {
            match open.commit().await {
                Ok(done) => committed = done,
                Err(error) => failure = Some(error),
            }
        }
        match failure {
            None => {
                if let Some(seq) = committed.last_seq() {
                    self.queue.note_event(seq);
                }
                for (reply, result) in replies {
                    let _ = reply.send(result.unwrap_or(Err(OfficeError::Stopped)));
                }
                if written {
                    self.publish(now);
                    for (slot, call) in calls {
                        if let Some(seq) = committed.seq(slot) {
                            self.send_call(seq, call, now);
                        }
                    }
                }
            }
            Some(error) => {
                tracing::error!(%error, "a batch could not be written; reloading the office");
                let error = Arc::new(error);
                for (reply, _) in replies {
                    let _ = reply.send(Err(OfficeError::NotWritten(error.clone())));
                }
                // Memory holds the batch's changes, which the store rolled back.
                self.stale = true;
                let _ = self.ensure_current_day(now).await;
            }
        }
    }

    /// One command of a batch: an issue under a key used before gets the first reply; else
    /// the domain decides, and a decision that changes something is recorded in the batch's
    /// transaction (begun here if it is the first). `Err` is a store error: the batch is lost.
    async fn step(
        &mut self,
        command: &Command,
        actor: &str,
        key: Option<&IdempotencyKey>,
        context: &Context,
        transaction: &mut Option<Batch>,
        now: DateTime<Utc>,
    ) -> Result<Step, StoreError> {
        let office = self.queue.office().id.clone();
        let date = self.queue.business_date();
        let keyed = match (command, key) {
            (Command::Issue { service }, Some(key)) => Some((service, key)),
            _ => None,
        };
        if let Some((service, key)) = keyed {
            let open = open_batch(&self.store, &office, transaction).await?;
            if let Some(first) = open.remembered_issue(&office, date, key.as_str()).await? {
                return Ok(Step::answer(replay(&first, service)));
            }
        }
        let decision = match self.queue.decide(command, context) {
            Err(refusal) => return Ok(Step::answer(Err(refusal.into()))),
            Ok(decision) => decision,
        };
        if decision.changes.is_empty() {
            return Ok(Step::answer(Ok(self.outcome(&decision))));
        }
        let open = open_batch(&self.store, &office, transaction).await?;
        let (recorded, event) = open.record(&office, date, &decision, actor, now).await?;
        self.queue.commit(&decision, &recorded, now);
        self.day_facts.record(&self.queue, &decision, &recorded);
        let outcome = self.outcome_of_recorded(&decision, &recorded);
        if let (Some((service, key)), Some(issued), Outcome::Ticket(ticket)) =
            (keyed, &recorded.issued, &outcome)
        {
            let reply = serde_json::to_string(ticket)
                .map_err(|error| StoreError::Corrupt(format!("reply: {error}")))?;
            let first = RememberedIssue {
                service: service.clone(),
                reply,
            };
            open.remember_issue(date, key.as_str(), issued.id, first);
        }
        Ok(Step {
            result: Ok(outcome),
            written: true,
            calls: self.calls_in(&decision, event),
        })
    }

    /// Before a batch decides on a store other servers write: takes the office's lock (opening
    /// the batch's transaction) and, if another instance committed since the day in memory
    /// was loaded, reloads it, so every decision is made on the latest state.
    async fn catch_up_locked(
        &mut self,
        transaction: &mut Option<Batch>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let office = self.queue.office().id.clone();
        let open = open_batch(&self.store, &office, transaction).await?;
        let latest = open.latest_seq().await?;
        if latest > self.queue.last_seq() {
            self.reload_and_announce(now).await?;
        }
        Ok(())
    }

    /// Catches up with what other instances committed (heard of, or found at a refresh).
    /// A failure is only logged: the next notification or refresh tries again, and a batch
    /// catches up under the lock before it decides anyway.
    async fn catch_up(&mut self, now: DateTime<Utc>) {
        let office = self.queue.office().id.clone();
        let caught_up = async {
            let latest = self.store.latest_seq(&office).await?;
            if latest > self.queue.last_seq() {
                self.reload_and_announce(now).await?;
            }
            Ok::<_, StoreError>(())
        }
        .await;
        if let Err(error) = caught_up {
            tracing::warn!(%office, %error, "could not catch up with the other instances");
        }
    }

    /// Reloads the day from the store, publishes it and sends this instance's viewers the
    /// calls other instances made since the day in memory.
    async fn reload_and_announce(&mut self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let office = self.queue.office().clone();
        let known = self.queue.last_seq();
        let date = self.queue.business_date();
        let saved = self.store.load_day(&office.id, date).await?;
        let calls = self.store.calls_after(&office.id, known).await?;
        self.queue = restore(&office, &self.config, date, saved);
        restore_pauses(&mut self.queue, &self.store).await?;
        self.publish(now);
        for (seq, ticket, recall) in calls {
            if seq > self.queue.last_seq() {
                continue;
            }
            let call = self
                .queue
                .ticket(ticket)
                .and_then(|ticket| wire::call(ticket, recall));
            if let Some(call) = call {
                self.send_call(seq, call, now);
            }
        }
        Ok(())
    }

    /// The `call` events a decision makes (a call-next or a recall), with its event's slot.
    fn calls_in(
        &self,
        decision: &Decision,
        event: EventSlot,
    ) -> Vec<(EventSlot, crate::protocol::CallEvent)> {
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
                    wire::call(ticket, *action == TicketAction::Recall).map(|call| (event, call))
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
        let began = std::time::Instant::now();
        self.render_and_send(now);
        let took = u64::try_from(began.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.counters.publishes.fetch_add(1, Ordering::Relaxed);
        self.counters
            .publish_nanos
            .fetch_add(took, Ordering::Relaxed);
    }

    fn render_and_send(&mut self, now: DateTime<Utc>) {
        let evidence = self.day_facts.evidence();
        let Rendered {
            published,
            estimates,
        } = self
            .publisher
            .render(&self.queue, evidence, now, self.clock.speed());
        self.shown = estimates;
        self.published.send_replace(Arc::new(published));
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

/// The answer to an issue sent again under a key: the first reply when it asked for the same
/// service, else a refusal (the key was taken by another request).
fn replay(first: &RememberedIssue, service: &str) -> Result<Outcome, OfficeError> {
    if first.service != service {
        return Err(OfficeError::IdempotencyKeyReused);
    }
    serde_json::from_str(&first.reply)
        .map(|ticket| Outcome::Ticket(Box::new(ticket)))
        .map_err(|error| {
            OfficeError::NotWritten(Arc::new(StoreError::Corrupt(format!(
                "remembered reply: {error}"
            ))))
        })
}
