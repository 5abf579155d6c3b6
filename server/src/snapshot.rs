//! Turns an office's queue and the calendar's answer into the public wire snapshot, and a
//! stored ticket into the staff wire ticket. Pure: no I/O, no clock.

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Asia::Tokyo;

use crate::calendar::{self, DayHours, Phase};
use crate::config::Config;
use crate::domain::{OfficeQueue, Ticket};
use crate::estimate::{
    self, CounterAvailability, CounterFacts, Estimator, InService, QueueFacts, ServiceFacts,
    WaitEstimate,
};
use crate::protocol::{
    self, CalendarState, Congestion, CounterState, CounterStatus, Estimate, Hours, NowCalled,
    OfficeName, RecentCall, ServiceStatus, Snapshot, TicketState,
};

/// How many past calls a snapshot carries, so a viewer that missed a `call` event catches up.
pub const RECENT_CALLS: usize = 8;

/// An instant in Japan time, as every wire timestamp is shown (BRIEF R4).
pub fn tokyo(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&Tokyo).fixed_offset()
}

/// The staff view of a ticket.
pub fn ticket_view(ticket: &Ticket) -> protocol::Ticket {
    protocol::Ticket {
        id: ticket.id.to_string(),
        number: ticket.number.clone(),
        service: ticket.service.clone(),
        state: ticket.state,
        issued_at: tokyo(ticket.issued_at),
        business_date: ticket.business_date.to_string(),
        counter: ticket.counter.clone(),
        called_at: ticket.called_at.map(tokyo),
        finished_at: ticket.finished_at.map(tokyo),
        waiting_ahead_at_issue: ticket.waiting_ahead_at_issue,
        estimate_min_minutes: ticket.estimate_at_issue.map(|(min, _)| min),
        estimate_max_minutes: ticket.estimate_at_issue.map(|(_, max)| max),
    }
}

/// Opening hours as `HH:MM` strings.
pub fn hours_view(hours: &DayHours) -> Hours {
    Hours {
        opens: hours.opens.format("%H:%M").to_string(),
        closes: hours.closes.format("%H:%M").to_string(),
        last_ticket: hours.last_ticket.map(|t| t.format("%H:%M").to_string()),
    }
}

/// The calendar part of a snapshot; `suspended` folds reception suspension into `accepting`.
pub fn calendar_view(status: &calendar::Status, suspended: bool) -> CalendarState {
    let (phase, reason) = match &status.phase {
        Phase::BeforeOpening => ("before_opening", None),
        Phase::Open => ("open", None),
        Phase::ReceptionClosed => ("reception_closed", None),
        Phase::ClosedForTheDay => ("closed_for_the_day", None),
        Phase::Closed(reason) => ("closed", Some(reason)),
    };
    let open = matches!(status.phase, Phase::Open);
    CalendarState {
        phase: phase.to_string(),
        accepting: open && !suspended,
        reason_code: reason.map(|r| r.code().to_string()),
        reason_ja: reason.map(|r| r.text_ja()),
        reason_en: reason.map(|r| r.text_en()),
        notice_ja: (!open).then(|| status.refusal_ja()),
        notice_en: (!open).then(|| status.refusal_en()),
        next_opening: status.next_opening.map(|at| at.fixed_offset()),
        today: status.today.as_ref().map(hours_view),
        business_date: status.business_date.to_string(),
    }
}

/// What the estimator needs to know about the queue at `now`: waiting counts, today's service
/// times, counters and who is at them.
pub fn queue_facts(queue: &OfficeQueue, config: &Config, now: DateTime<Utc>) -> QueueFacts {
    let minutes =
        |from: DateTime<Utc>, to: DateTime<Utc>| (to - from).num_milliseconds() as f64 / 60_000.0;
    let services = queue
        .office
        .services
        .iter()
        .filter_map(|id| config.service(id))
        .map(|service| ServiceFacts {
            id: service.id.clone(),
            configured_mean_minutes: service.mean_service_minutes,
            waiting: queue.waiting_for(&service.id),
            finished_today_minutes: queue
                .tickets
                .iter()
                .filter(|t| t.service == service.id && t.state == TicketState::Done)
                .filter_map(|t| Some(minutes(t.started_at.or(t.called_at)?, t.finished_at?)))
                .collect(),
        })
        .collect();
    let counters = queue
        .counters
        .iter()
        .map(|counter| CounterFacts {
            id: counter.id.clone(),
            state: match counter.state {
                CounterState::Open => CounterAvailability::Open,
                CounterState::Paused => CounterAvailability::Paused,
                CounterState::Closed => CounterAvailability::Closed,
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

/// The wire form of a wait estimate.
pub fn estimate_view(wait: &WaitEstimate) -> Estimate {
    let (no_counter_open, point, min, max) = match wait {
        WaitEstimate::Minutes { point, min, max } => (false, *point, *min, *max),
        WaitEstimate::NoCounterOpen => (true, 0.0, 0, 0),
    };
    Estimate {
        no_counter_open,
        min_minutes: min,
        max_minutes: max,
        point_minutes: (point * 10.0).round() / 10.0,
        text_ja: wait.text_ja(),
        text_en: wait.text_en(),
    }
}

/// The public snapshot of one office at `now`: no ticket lists, no token names, no personal
/// data. Estimates and the congestion level come from `estimator`.
pub fn build(
    queue: &OfficeQueue,
    config: &Config,
    status: &calendar::Status,
    estimator: &dyn Estimator,
    now: DateTime<Utc>,
    demo: bool,
) -> Snapshot {
    let estimates = estimator.estimate(&queue_facts(queue, config, now));
    let services = queue
        .office
        .services
        .iter()
        .filter_map(|id| config.service(id))
        .map(|service| ServiceStatus {
            id: service.id.clone(),
            name_ja: service.name_ja.clone(),
            name_en: service.name_en.clone(),
            prefix: service.prefix.clone(),
            waiting: queue.waiting_for(&service.id),
            estimate: estimates
                .iter()
                .find(|e| e.service == service.id)
                .map(|e| estimate_view(&e.wait)),
        })
        .collect();
    let congestion = estimate::congestion(&estimates, &config.congestion).map(|level| Congestion {
        level: level.code().to_string(),
        label_ja: level.label_ja().to_string(),
        label_en: level.label_en().to_string(),
    });
    let now_called = queue
        .counters
        .iter()
        .filter_map(|counter| {
            let ticket = queue.current_at(&counter.id)?;
            Some(NowCalled {
                counter: counter.id.clone(),
                number: ticket.number.clone(),
                service: ticket.service.clone(),
                state: ticket.state,
                called_at: tokyo(ticket.called_at?),
            })
        })
        .collect();
    let mut called: Vec<&Ticket> = queue
        .tickets
        .iter()
        .filter(|t| t.called_at.is_some() && t.counter.is_some())
        .collect();
    called.sort_by_key(|t| std::cmp::Reverse(t.called_at));
    let recent_calls = called
        .into_iter()
        .take(RECENT_CALLS)
        .filter_map(|t| {
            Some(RecentCall {
                counter: t.counter.clone()?,
                number: t.number.clone(),
                service: t.service.clone(),
                called_at: tokyo(t.called_at?),
            })
        })
        .collect();
    Snapshot {
        office: OfficeName {
            id: queue.office.id.clone(),
            name_ja: queue.office.name_ja.clone(),
            name_en: queue.office.name_en.clone(),
        },
        calendar: calendar_view(status, queue.reception.suspended),
        reception: protocol::Reception {
            suspended: queue.reception.suspended,
            reason: queue.reception.reason.clone(),
        },
        services,
        now_called,
        recent_calls,
        counters: queue
            .counters
            .iter()
            .map(|c| CounterStatus {
                id: c.id.clone(),
                state: c.state,
                services: c.services.clone(),
            })
            .collect(),
        congestion,
        demo,
    }
}
