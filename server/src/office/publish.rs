//! What readers see of an office: after every commit the task estimates the waits, builds the
//! wire snapshot (through [`crate::wire`]) and serializes it once; every viewer and every status
//! request then shares those bytes.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::calendar;
use crate::config::Config;
use crate::domain::{OfficeQueue, Ticket};
use crate::estimate::{
    self, CounterAvailability, CounterFacts, Estimator, InService, QueueFacts, ServiceEstimate,
    ServiceFacts, WaitEstimate,
};
use crate::protocol::{CallEvent, CounterState, Message, Payload, TicketState, VERSION};
use crate::wire;

/// The latest committed state of the office, with its snapshot serialized once.
#[derive(Debug)]
pub struct Published {
    /// The queue as committed (staff lists read from here).
    pub queue: Arc<OfficeQueue>,
    /// The calendar's answer when published.
    pub calendar: calendar::Status,
    /// The public snapshot message (`type: snapshot`).
    pub message: Message,
    /// `message` as JSON text: the status endpoint's body and the feed's frame.
    pub json: Bytes,
    /// Strong ETag of `json`.
    pub etag: String,
    /// When it was published (for the feed's publish-to-send lag).
    pub published_at: Instant,
}

/// A call, sent to feed viewers as it happens.
#[derive(Clone, Debug)]
pub struct Called {
    /// The `call` message as JSON text.
    pub json: Bytes,
    /// When it was sent (for the feed's publish-to-send lag).
    pub published_at: Instant,
}

/// Makes [`Published`] states for one office: the estimator, the configuration, and a strong
/// ETag that differs across restarts (a random nonce) and across publishes (a counter).
pub(super) struct Publisher {
    config: Arc<Config>,
    estimator: Arc<dyn Estimator>,
    demo: bool,
    etag_nonce: u64,
    publishes: u64,
}

/// A published state and the estimates it shows, which the task keeps: they are stored with
/// each ticket issued until the next publish.
pub(super) struct Rendered {
    pub(super) published: Published,
    pub(super) estimates: Vec<ServiceEstimate>,
}

impl Publisher {
    pub(super) fn new(config: Arc<Config>, estimator: Arc<dyn Estimator>, demo: bool) -> Self {
        Self {
            config,
            estimator,
            demo,
            etag_nonce: rand::random(),
            publishes: 0,
        }
    }

    /// Estimates the waits, builds the snapshot and serializes it.
    pub(super) fn render(
        &mut self,
        queue: &OfficeQueue,
        now: DateTime<Utc>,
    ) -> Result<Rendered, serde_json::Error> {
        let status = calendar::status(&queue.office().schedule, now)
            .serving_until_empty(queue.has_open_tickets());
        let estimates = self
            .estimator
            .estimate(&queue_facts(queue, &self.config, now));
        let level = estimate::congestion(&estimates, &self.config.congestion);
        let snapshot = wire::snapshot(queue, &self.config, &status, &estimates, level, self.demo);
        let message = Message {
            v: VERSION,
            seq: queue.last_seq(),
            generated_at: wire::tokyo(now),
            payload: Payload::Snapshot(Box::new(snapshot)),
        };
        let json = Bytes::from(serde_json::to_string(&message)?);
        self.publishes += 1;
        Ok(Rendered {
            published: Published {
                queue: Arc::new(queue.clone()),
                calendar: status,
                message,
                json,
                etag: format!("\"{:x}-{}\"", self.etag_nonce, self.publishes),
                published_at: Instant::now(),
            },
            estimates,
        })
    }

    /// A `call` message for the feed.
    pub(super) fn call(
        &self,
        seq: u64,
        call: CallEvent,
        now: DateTime<Utc>,
    ) -> Result<Called, serde_json::Error> {
        let message = Message {
            v: VERSION,
            seq,
            generated_at: wire::tokyo(now),
            payload: Payload::Call(call),
        };
        Ok(Called {
            json: Bytes::from(serde_json::to_string(&message)?),
            published_at: Instant::now(),
        })
    }
}

/// The wait ranges (minutes) screens show per service, stored with each ticket issued.
pub(super) fn shown_ranges(estimates: &[ServiceEstimate]) -> Vec<(String, (u32, u32))> {
    estimates
        .iter()
        .filter_map(|estimate| match estimate.wait {
            WaitEstimate::Minutes { min, max, .. } => Some((estimate.service.clone(), (min, max))),
            WaitEstimate::NoCounterOpen => None,
        })
        .collect()
}

/// The wait of one waiting ticket until it is called: the estimator's answer for a ticket of
/// its service with only the people ahead of it waiting. `None` once it is called or done.
pub fn ticket_wait(
    estimator: &dyn Estimator,
    queue: &OfficeQueue,
    config: &Config,
    ticket: &Ticket,
    now: DateTime<Utc>,
) -> Option<WaitEstimate> {
    if ticket.state != TicketState::Waiting {
        return None;
    }
    let mut facts = queue_facts(queue, config, now);
    for service in &mut facts.services {
        service.waiting = queue.ahead_of_in(ticket, &service.id);
    }
    estimator
        .estimate(&facts)
        .into_iter()
        .find(|estimate| estimate.service == ticket.service)
        .map(|estimate| estimate.wait)
}

/// What the estimator needs to know about the queue at `now`: waiting counts, today's service
/// times, counters and who is at them.
pub fn queue_facts(queue: &OfficeQueue, config: &Config, now: DateTime<Utc>) -> QueueFacts {
    let minutes =
        |from: DateTime<Utc>, to: DateTime<Utc>| (to - from).num_milliseconds() as f64 / 60_000.0;
    let services = queue
        .office()
        .services
        .iter()
        .filter_map(|id| config.service(id))
        .map(|service| ServiceFacts {
            id: service.id.clone(),
            configured_mean_minutes: service.mean_service_minutes,
            waiting: queue.waiting_for(&service.id),
            finished_today_minutes: queue
                .tickets()
                .iter()
                .filter(|t| t.service == service.id && t.state == TicketState::Done)
                .filter_map(|t| Some(minutes(t.started_at.or(t.called_at)?, t.finished_at?)))
                .collect(),
        })
        .collect();
    let counters = queue
        .counters()
        .iter()
        .map(|counter| CounterFacts {
            id: counter.id.clone(),
            state: match counter.state {
                CounterState::Open => CounterAvailability::Open,
                CounterState::Paused => CounterAvailability::Paused,
                CounterState::Closed | CounterState::Unknown => CounterAvailability::Closed,
            },
            services: counter.services.clone(),
            current: queue.current_at(&counter.id).and_then(|t| {
                Some(InService {
                    service: t.service.clone(),
                    since: t.started_at.or(t.called_at)?,
                })
            }),
        })
        .collect();
    QueueFacts {
        now,
        services,
        counters,
    }
}
