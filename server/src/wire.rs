//! Domain → wire: every conversion from the server's own types (queue, calendar, estimates,
//! configuration) to the types of [`crate::protocol`], in one place. Pure: no I/O, no clock.
//! Nothing is read back from the wire: values go out from where they are computed.

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use chrono_tz::Asia::Tokyo;

use crate::calendar::{self, DayHours, DayPlan};
use crate::config::{Config, OfficeConfig};
use crate::domain::{self, OfficeQueue};
use crate::estimate::{CongestionLevel, ServiceEstimate, WaitEstimate};
use crate::protocol::{
    self, CalendarDay, CalendarState, CallEvent, Closure, ClosureReason, Congestion, CounterStatus,
    Estimate, Hours, NowCalled, OfficeInfo, OfficeName, Phase, RecentCall, ServiceInfo,
    ServiceStatus, Snapshot, text::Lang,
};

/// An instant in Japan time, as every wire timestamp is shown (domain R4).
pub fn tokyo(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&Tokyo).fixed_offset()
}

/// The staff view of a ticket of `queue`, with the people ahead of it and the actions the
/// lifecycle allows on it now.
pub fn ticket(queue: &OfficeQueue, ticket: &domain::Ticket) -> protocol::Ticket {
    protocol::Ticket {
        id: ticket.id.to_string(),
        public_id: ticket.public_id.clone(),
        number: ticket.number.to_string(),
        service: ticket.service.to_string(),
        state: ticket.state,
        issued_at: tokyo(ticket.issued_at),
        business_date: ticket.business_date.to_string(),
        counter: ticket.counter.clone(),
        called_at: ticket.called_at.map(tokyo),
        recalled_at: ticket.recalled_at.map(tokyo),
        finished_at: ticket.finished_at.map(tokyo),
        ahead_at_issue: ticket.waiting_ahead_at_issue,
        waiting_ahead_at_issue: ticket.waiting_ahead_at_issue,
        ahead: queue.ahead_of(ticket),
        estimate_min_minutes: ticket.estimate_at_issue.map(|e| e.min_minutes),
        estimate_max_minutes: ticket.estimate_at_issue.map(|e| e.max_minutes),
        estimate_point_minutes: ticket.estimate_at_issue.map(|e| e.point_minutes()),
        actions: domain::staff_actions(ticket.state),
    }
}

/// A counter and its state.
pub fn counter(counter: &domain::Counter) -> CounterStatus {
    CounterStatus {
        id: counter.id.clone(),
        state: counter.state,
        services: counter.services.clone(),
    }
}

/// Reception suspension as visitors see it: the public reason code, never staff's note.
pub fn reception(reception: &domain::Reception) -> protocol::Reception {
    protocol::Reception {
        suspended: reception.suspended,
        reason_code: reception.reason_code,
    }
}

/// Reception suspension as staff see it, with their note.
pub fn staff_reception(reception: &domain::Reception) -> protocol::StaffReception {
    protocol::StaffReception {
        suspended: reception.suspended,
        reason_code: reception.reason_code,
        note: reception.note.clone(),
    }
}

/// A call event for the feed, from the ticket just called.
pub fn call(ticket: &domain::Ticket, recall: bool) -> Option<CallEvent> {
    Some(CallEvent {
        counter: ticket.counter.clone()?,
        number: ticket.number.to_string(),
        service: ticket.service.to_string(),
        recall,
    })
}

/// Opening hours as `HH:MM` strings.
pub fn hours(hours: &DayHours) -> Hours {
    Hours {
        opens: hours.opens.format("%H:%M").to_string(),
        closes: hours.closes.format("%H:%M").to_string(),
        last_ticket: hours.last_ticket.map(|t| t.format("%H:%M").to_string()),
    }
}

/// The kind of a closure.
pub fn closure_reason(reason: &calendar::ClosureReason) -> ClosureReason {
    match reason {
        calendar::ClosureReason::Weekend => ClosureReason::Weekend,
        calendar::ClosureReason::Holiday(_) => ClosureReason::Holiday,
        calendar::ClosureReason::YearEnd => ClosureReason::YearEnd,
        calendar::ClosureReason::Special { .. } => ClosureReason::Special,
        calendar::ClosureReason::NoHours => ClosureReason::NoHours,
    }
}

/// The phase of the day.
pub fn phase(phase: &calendar::Phase) -> Phase {
    match phase {
        calendar::Phase::BeforeOpening => Phase::BeforeOpening,
        calendar::Phase::Open => Phase::Open,
        calendar::Phase::ReceptionClosed => Phase::ReceptionClosed,
        calendar::Phase::ClosedForTheDay => Phase::ClosedForTheDay,
        calendar::Phase::Closed(_) => Phase::Closed,
    }
}

/// The calendar part of a snapshot; `suspended` folds reception suspension into `accepting`.
pub fn calendar_state(status: &calendar::Status, suspended: bool) -> CalendarState {
    let reason = match &status.phase {
        calendar::Phase::Closed(reason) => Some(reason),
        _ => None,
    };
    let open = status.accepts_tickets();
    CalendarState {
        phase: phase(&status.phase),
        accepting: open && !suspended,
        reason_code: reason.map(closure_reason),
        reason_ja: reason.map(|r| r.text_ja()),
        reason_en: reason.map(|r| r.text_en()),
        notice_ja: (!open).then(|| status.refusal_ja()),
        notice_en: (!open).then(|| status.refusal_en()),
        next_opening: status.next_opening.map(|at| at.fixed_offset()),
        today: status.today.as_ref().map(hours),
        business_date: status.business_date.to_string(),
    }
}

/// One day of a calendar listing.
pub fn calendar_day(plan: &DayPlan) -> CalendarDay {
    CalendarDay {
        date: plan.date.to_string(),
        weekday_ja: protocol::text::weekday_ja(chrono::Datelike::weekday(&plan.date)).to_string(),
        open: plan.is_open(),
        hours: plan.hours.as_ref().map(hours),
        closure: plan.closure.as_ref().map(|reason| Closure {
            code: closure_reason(reason),
            reason_ja: reason.text_ja(),
            reason_en: reason.text_en(),
        }),
        special_ja: plan.special_reason.as_ref().map(|(ja, _)| ja.clone()),
        special_en: plan.special_reason.as_ref().map(|(_, en)| en.clone()),
    }
}

/// A wait estimate with its words.
pub fn estimate(wait: &WaitEstimate) -> Estimate {
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

/// A congestion level with its words (from the shared labels).
pub fn congestion(level: CongestionLevel) -> Congestion {
    Congestion {
        level,
        label_ja: Lang::Ja.congestion(level).to_string(),
        label_en: Lang::En.congestion(level).to_string(),
    }
}

/// An office with its services and counters, as `GET /api/v1/offices` lists it.
pub fn office_info(office: &OfficeConfig, config: &Config) -> OfficeInfo {
    OfficeInfo {
        id: office.id.clone(),
        name_ja: office.name_ja.clone(),
        name_en: office.name_en.clone(),
        services: office
            .services
            .iter()
            .filter_map(|id| config.service(id))
            .map(|s| ServiceInfo {
                id: s.id.clone(),
                name_ja: s.name_ja.clone(),
                name_en: s.name_en.clone(),
                prefix: s.prefix.clone(),
                mean_service_minutes: s.mean_service_minutes,
            })
            .collect(),
        counters: office.counters.iter().map(|c| c.id.clone()).collect(),
    }
}

/// A ticket as its visitor sees it on the personal page, with the wait until it is called.
pub fn public_ticket(
    queue: &OfficeQueue,
    config: &Config,
    ticket: &domain::Ticket,
    wait: Option<&WaitEstimate>,
) -> protocol::PublicTicket {
    let service = config.service(&ticket.service);
    let office = queue.office();
    protocol::PublicTicket {
        number: ticket.number.to_string(),
        service: ticket.service.to_string(),
        service_name_ja: service.map(|s| s.name_ja.clone()).unwrap_or_default(),
        service_name_en: service.map(|s| s.name_en.clone()).unwrap_or_default(),
        state: ticket.state,
        ahead: queue.ahead_of(ticket),
        estimate: wait.map(estimate),
        counter: ticket
            .state
            .is_at_counter()
            .then(|| ticket.counter.clone())
            .flatten(),
        office: protocol::TicketOffice {
            id: office.id.clone(),
            name_ja: office.name_ja.clone(),
            name_en: office.name_en.clone(),
        },
        business_date: ticket.business_date.to_string(),
    }
}

/// The estimate every service shows, when they all show the same one: then screens state it
/// once instead of suggesting differences that do not exist.
fn shared_estimate(services: &[ServiceStatus]) -> Option<Estimate> {
    let first = services.first()?.estimate.as_ref()?;
    services
        .iter()
        .all(|service| service.estimate.as_ref() == Some(first))
        .then(|| first.clone())
}

/// The public snapshot of one office: no ticket lists, no token names, no personal data.
/// `estimates` are the ones the office task computed for this state (one per service).
pub fn snapshot(
    queue: &OfficeQueue,
    config: &Config,
    status: &calendar::Status,
    estimates: &[ServiceEstimate],
    level: Option<CongestionLevel>,
    demo: bool,
) -> Snapshot {
    let office = queue.office();
    let services: Vec<ServiceStatus> = office
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
                .map(|e| estimate(&e.wait)),
        })
        .collect();
    let now_called = queue
        .counters()
        .iter()
        .filter_map(|counter| {
            let ticket = queue.current_at(&counter.id)?;
            Some(NowCalled {
                counter: counter.id.clone(),
                number: ticket.number.to_string(),
                service: ticket.service.to_string(),
                state: ticket.state,
                called_at: tokyo(ticket.recalled_at.or(ticket.called_at)?),
            })
        })
        .collect();
    // Screens list calls by their latest call, a recall included.
    let recent_calls = queue
        .calls_newest_first()
        .take(protocol::feed::RECENT_CALLS)
        .filter_map(|t| {
            Some(RecentCall {
                counter: t.counter.clone()?,
                number: t.number.to_string(),
                service: t.service.to_string(),
                called_at: tokyo(t.recalled_at.or(t.called_at)?),
            })
        })
        .collect();
    Snapshot {
        office: OfficeName {
            id: office.id.clone(),
            name_ja: office.name_ja.clone(),
            name_en: office.name_en.clone(),
        },
        calendar: calendar_state(status, queue.reception().suspended),
        reception: reception(queue.reception()),
        waiting_total: Some(services.iter().map(|s| s.waiting).sum()),
        queue: Some(queue.waiting_line().clone()),
        shared_estimate: shared_estimate(&services),
        services,
        now_called,
        recent_calls,
        counters: queue.counters().iter().map(counter).collect(),
        congestion: level.map(congestion),
        demo,
        clock_speed: None,
    }
}

/// An hourly history row on the wire (dates as `YYYY-MM-DD`).
pub fn history_row(row: &crate::history::HourRow) -> protocol::HistoryRow {
    protocol::HistoryRow {
        date: row.date.to_string(),
        hour: row.hour,
        issued: row.issued,
        called: row.called,
        served: row.served,
        no_show: row.no_show,
        cancelled: row.cancelled,
        mean_wait_min: row.mean_wait_min,
        median_wait_min: row.median_wait_min,
        p90_wait_min: row.p90_wait_min,
        mean_service_min: row.mean_service_min,
        counters_open: row.counters_open,
        synthetic: row.synthetic,
    }
}

/// The forecast on the wire.
pub fn forecast(forecast: &crate::history::forecast::Forecast) -> protocol::Forecast {
    protocol::Forecast {
        based_on_days: forecast.based_on_days,
        from: forecast.from.to_string(),
        to: forecast.to.to_string(),
        synthetic: forecast.synthetic,
        cells: forecast
            .cells
            .iter()
            .map(|cell| protocol::ForecastCell {
                weekday: cell.weekday,
                hour: cell.hour,
                typical_wait_minutes: cell.typical_wait_minutes,
                typical_waiting: cell.typical_waiting,
                level: cell.level,
            })
            .collect(),
        quietest: forecast
            .quietest
            .iter()
            .map(|slot| protocol::ForecastSlot {
                weekday: slot.weekday,
                hour: slot.hour,
            })
            .collect(),
        upcoming_days: forecast
            .upcoming_days
            .iter()
            .map(|day| protocol::UpcomingDay {
                date: day.date.to_string(),
                weekday: day.date.weekday().number_from_monday(),
                reasons: day.reasons.clone(),
                typical_wait_minutes: day.typical_wait_minutes,
                level: day.level,
            })
            .collect(),
        busier_days: forecast.busier_days.as_ref().map(busier_days),
    }
}

/// The busier-day comparison on the wire.
fn busier_days(busier: &crate::history::upcoming::BusierDays) -> protocol::BusierDays {
    let figure = |figure: &crate::history::upcoming::DaysFigure| protocol::DaysFigure {
        days: figure.days,
        typical_wait_minutes: figure.typical_wait_minutes,
    };
    protocol::BusierDays {
        from: busier.from.to_string(),
        to: busier.to.to_string(),
        ordinary: figure(&busier.ordinary),
        reasons: busier
            .reasons
            .iter()
            .map(|reason| protocol::ReasonFigure {
                reason: reason.reason,
                days: reason.figure.days,
                typical_wait_minutes: reason.figure.typical_wait_minutes,
                busier_than_ordinary: reason.busier_than_ordinary,
            })
            .collect(),
    }
}
