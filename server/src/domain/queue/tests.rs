use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

use super::*;
use crate::config::Config;
use crate::protocol::SuspensionReason;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid instant")
        .with_timezone(&Utc)
}

fn open_context() -> Context {
    Context {
        now: at("2026-12-01T10:00:00+09:00"),
        reception_hours: Ok(()),
        shown_estimates: vec![(
            "renewal".into(),
            crate::domain::ShownEstimate::new(10, 20, 14.5),
        )],
    }
}

fn main_office_queue() -> OfficeQueue {
    let config = Config::embedded().expect("embedded config");
    let office = config.office("main").expect("main").clone();
    let prefixes = config.prefixes_of(&office);
    OfficeQueue::new(
        office,
        prefixes,
        NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
    )
}

/// Stands in for the store: writes what the queue decided, giving the next id.
fn run(queue: &mut OfficeQueue, command: Command, context: &Context) -> Result<Reply, DomainError> {
    let decision = queue.decide(&command, context)?;
    let issued = decision.changes.iter().find_map(|change| match change {
        Change::Issue { prefix, seq_no, .. } => {
            let seq_no = *seq_no;
            Some(Issued {
                id: queue.tickets.len() as i64 + 1,
                public_id: format!("p{}", queue.tickets.len()),
                seq_no,
                number: display_number(prefix, seq_no),
            })
        }
        _ => None,
    });
    let seq = queue.last_seq + 1;
    queue.commit(&decision, &Recorded { issued }, context.now);
    queue.note_event(seq);
    Ok(decision.reply)
}

fn issue(queue: &mut OfficeQueue, service: &str) -> i64 {
    run(
        queue,
        Command::Issue {
            service: service.into(),
        },
        &open_context(),
    )
    .expect("issued");
    queue.tickets.last().expect("a ticket").id
}

#[test]
fn numbers_start_at_one_per_prefix_and_are_shown_with_three_digits() {
    let mut queue = main_office_queue();
    issue(&mut queue, "renewal");
    issue(&mut queue, "legal_representative");
    issue(&mut queue, "renewal");
    let numbers: Vec<_> = queue.tickets.iter().map(|t| &*t.number).collect();
    assert_eq!(numbers, ["R001", "L001", "R002"]);
}

#[test]
fn a_restored_day_numbers_on_from_each_prefix_s_last_number() {
    // The store keeps each prefix's last number of the day (a ticket of it may be gone, such
    // as a synthetic one replaced): numbering goes on from there, never back.
    let fresh = main_office_queue();
    let config = Config::embedded().expect("embedded config");
    let saved = SavedDay {
        tickets: Vec::new(),
        counter_states: Vec::new(),
        reception: Reception::default(),
        last_seq: 12,
        last_numbers: vec![("R".into(), 7)],
    };
    let mut queue = OfficeQueue::restore(
        fresh.office().clone(),
        config.prefixes_of(fresh.office()),
        fresh.business_date(),
        saved,
    );
    issue(&mut queue, "renewal");
    issue(&mut queue, "legal_representative");
    let numbers: Vec<_> = queue.tickets.iter().map(|t| &*t.number).collect();
    assert_eq!(numbers, ["R008", "L001"]);
}

#[test]
fn a_ticket_keeps_the_estimate_shown_when_it_was_issued() {
    let mut queue = main_office_queue();
    issue(&mut queue, "renewal");
    issue(&mut queue, "legal_representative");
    assert_eq!(
        queue.tickets[0].estimate_at_issue,
        Some(crate::domain::ShownEstimate::new(10, 20, 14.5))
    );
    assert_eq!(queue.tickets[1].estimate_at_issue, None);
}

#[test]
fn numbers_never_wrap_after_999() {
    assert_eq!(display_number("R", 999), "R999");
    assert_eq!(display_number("R", 1000), "R1000");
}

#[test]
fn issuing_an_unknown_service_is_refused() {
    let mut queue = main_office_queue();
    let refused = run(
        &mut queue,
        Command::Issue {
            service: "passport".into(),
        },
        &open_context(),
    );
    assert_eq!(refused, Err(DomainError::UnknownService("passport".into())));
    assert!(queue.tickets.is_empty());
}

#[test]
fn issuing_while_closed_is_refused_with_the_calendar_reason() {
    let mut queue = main_office_queue();
    let closed = Closed {
        message_ja: "本日は祝日（勤労感謝の日）のため休業です。次の受付: 11月24日(火) 9:00".into(),
        message_en: "Closed".into(),
        next_opening: Some(at("2026-11-24T09:00:00+09:00")),
    };
    let context = Context {
        now: at("2026-11-23T10:00:00+09:00"),
        reception_hours: Err(closed.clone()),
        shown_estimates: Vec::new(),
    };
    let refused = run(
        &mut queue,
        Command::Issue {
            service: "renewal".into(),
        },
        &context,
    );
    assert_eq!(refused, Err(DomainError::OfficeClosed(closed)));
    assert!(queue.tickets.is_empty());
}

#[test]
fn issuing_while_reception_is_suspended_is_refused_with_the_reason() {
    let mut queue = main_office_queue();
    run(
        &mut queue,
        Command::SuspendReception {
            reason_code: SuspensionReason::SystemOutage,
            note: Some("J-LISの障害、14時復旧見込み".into()),
        },
        &open_context(),
    )
    .expect("suspended");
    let refused = run(
        &mut queue,
        Command::Issue {
            service: "renewal".into(),
        },
        &open_context(),
    );
    assert_eq!(
        refused,
        Err(DomainError::ReceptionSuspended(
            SuspensionReason::SystemOutage
        ))
    );
    run(&mut queue, Command::ResumeReception, &open_context()).expect("resumed");
    issue(&mut queue, "renewal");
}

#[test]
fn issuing_needs_no_open_counter() {
    let mut queue = main_office_queue();
    assert!(
        queue
            .counters
            .iter()
            .all(|c| c.state == CounterState::Closed)
    );
    issue(&mut queue, "renewal");
    assert_eq!(queue.waiting_for("renewal"), 1);
}

#[test]
fn every_counter_starts_the_day_closed_and_call_next_needs_it_open() {
    let mut queue = main_office_queue();
    issue(&mut queue, "renewal");
    let refused = run(&mut queue, Command::CallNext("1".into()), &open_context());
    assert_eq!(
        refused,
        Err(DomainError::CounterNotOpen {
            counter: "1".into(),
            state: CounterState::Closed
        })
    );
    run(
        &mut queue,
        Command::OpenCounter("1".into()),
        &open_context(),
    )
    .expect("opened");
    run(
        &mut queue,
        Command::PauseCounter("1".into()),
        &open_context(),
    )
    .expect("paused");
    let refused = run(&mut queue, Command::CallNext("1".into()), &open_context());
    assert!(matches!(refused, Err(DomainError::CounterNotOpen { .. })));
}

#[test]
fn opening_an_open_counter_changes_nothing() {
    let mut queue = main_office_queue();
    let first = queue
        .decide(&Command::OpenCounter("1".into()), &open_context())
        .expect("ok");
    assert_eq!(first.changes.len(), 1);
    run(
        &mut queue,
        Command::OpenCounter("1".into()),
        &open_context(),
    )
    .expect("opened");
    let again = queue
        .decide(&Command::OpenCounter("1".into()), &open_context())
        .expect("ok");
    assert!(again.changes.is_empty());
}

#[test]
fn call_next_finishes_the_current_ticket_then_calls_the_longest_waiting() {
    let mut queue = main_office_queue();
    let first = issue(&mut queue, "renewal");
    let second = issue(&mut queue, "legal_representative");
    run(
        &mut queue,
        Command::OpenCounter("2".into()),
        &open_context(),
    )
    .expect("opened");
    let reply = run(&mut queue, Command::CallNext("2".into()), &open_context()).expect("called");
    assert_eq!(reply, Reply::Ticket(first));
    let called = queue.ticket(first).expect("ticket");
    assert_eq!(called.state, TicketState::Called);
    assert_eq!(called.counter.as_deref(), Some("2"));

    run(&mut queue, Command::CallNext("2".into()), &open_context()).expect("called");
    assert_eq!(
        queue.ticket(first).map(|t| t.state),
        Some(TicketState::Done)
    );
    assert_eq!(
        queue.ticket(second).map(|t| t.state),
        Some(TicketState::Called)
    );
}

#[test]
fn call_next_with_nobody_waiting_is_refused_and_keeps_the_current_ticket() {
    let mut queue = main_office_queue();
    let only = issue(&mut queue, "renewal");
    run(
        &mut queue,
        Command::OpenCounter("1".into()),
        &open_context(),
    )
    .expect("opened");
    run(&mut queue, Command::CallNext("1".into()), &open_context()).expect("called");
    let refused = run(&mut queue, Command::CallNext("1".into()), &open_context());
    assert_eq!(refused, Err(DomainError::QueueEmpty));
    assert_eq!(
        queue.ticket(only).map(|t| t.state),
        Some(TicketState::Called)
    );
}

#[test]
fn a_counter_calls_only_the_services_it_serves() {
    let mut queue = main_office_queue();
    queue.counters[0].services = vec!["legal_representative".into()];
    issue(&mut queue, "renewal");
    let pin = issue(&mut queue, "legal_representative");
    run(
        &mut queue,
        Command::OpenCounter("1".into()),
        &open_context(),
    )
    .expect("opened");
    let reply = run(&mut queue, Command::CallNext("1".into()), &open_context()).expect("called");
    assert_eq!(reply, Reply::Ticket(pin));
}

#[test]
fn unknown_counters_and_tickets_are_refused() {
    let mut queue = main_office_queue();
    assert_eq!(
        run(
            &mut queue,
            Command::OpenCounter("9".into()),
            &open_context()
        ),
        Err(DomainError::UnknownCounter("9".into()))
    );
    assert_eq!(
        run(
            &mut queue,
            Command::Ticket {
                id: 42,
                action: TicketAction::Cancel
            },
            &open_context()
        ),
        Err(DomainError::UnknownTicket(42))
    );
}

#[test]
fn an_invalid_transition_is_refused_and_changes_nothing() {
    let mut queue = main_office_queue();
    let id = issue(&mut queue, "renewal");
    let before = queue.clone();
    let refused = run(
        &mut queue,
        Command::Ticket {
            id,
            action: TicketAction::Start,
        },
        &open_context(),
    );
    assert!(matches!(refused, Err(DomainError::InvalidTransition(_))));
    assert_eq!(queue, before);
}

#[test]
fn tickets_already_issued_can_be_called_after_closing() {
    let mut queue = main_office_queue();
    let id = issue(&mut queue, "renewal");
    let closed = Context {
        now: at("2026-12-01T18:00:00+09:00"),
        reception_hours: Err(Closed {
            message_ja: "本日の受付は終了しました".into(),
            message_en: "Closed".into(),
            next_opening: None,
        }),
        shown_estimates: Vec::new(),
    };
    run(&mut queue, Command::OpenCounter("1".into()), &closed).expect("opened");
    assert_eq!(
        run(&mut queue, Command::CallNext("1".into()), &closed),
        Ok(Reply::Ticket(id))
    );
}

#[derive(Clone, Debug)]
enum Step {
    Issue(usize),
    Open(usize),
    Pause(usize),
    Close(usize),
    CallNext(usize),
    Act(usize, usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..6usize).prop_map(Step::Issue),
        1 => (0..4usize).prop_map(Step::Open),
        1 => (0..4usize).prop_map(Step::Pause),
        1 => (0..4usize).prop_map(Step::Close),
        3 => (0..4usize).prop_map(Step::CallNext),
        2 => (0..40usize, 0..5usize).prop_map(|(t, a)| Step::Act(t, a)),
    ]
}

proptest! {
    /// For any sequence of commands: numbers stay unique and increasing per prefix, every
    /// ticket is counted in exactly one state, and at most one ticket is current per counter.
    #[test]
    fn numbers_stay_unique_and_increasing_and_counts_add_up(steps in prop::collection::vec(step(), 0..120)) {
        let mut queue = main_office_queue();
        let services = queue.office.services.clone();
        let counters: Vec<String> = queue.counters.iter().map(|c| c.id.clone()).collect();
        let actions = [TicketAction::Recall, TicketAction::Start, TicketAction::Finish, TicketAction::NoShow, TicketAction::Cancel];
        let mut issued = 0usize;
        for step in steps {
            let command = match step {
                Step::Issue(s) => Command::Issue { service: services[s % services.len()].clone() },
                Step::Open(c) => Command::OpenCounter(counters[c].clone()),
                Step::Pause(c) => Command::PauseCounter(counters[c].clone()),
                Step::Close(c) => Command::CloseCounter(counters[c].clone()),
                Step::CallNext(c) => Command::CallNext(counters[c].clone()),
                Step::Act(t, a) => Command::Ticket { id: t as i64 + 1, action: actions[a] },
            };
            let before = queue.clone();
            match run(&mut queue, command.clone(), &open_context()) {
                Ok(_) => if matches!(command, Command::Issue { .. }) { issued += 1 },
                Err(_) => prop_assert_eq!(&queue, &before, "a refusal changed nothing"),
            }
        }
        prop_assert_eq!(queue.tickets.len(), issued);
        let mut numbers = std::collections::HashSet::new();
        for ticket in &queue.tickets {
            prop_assert!(numbers.insert(ticket.number.clone()), "duplicate {}", ticket.number);
        }
        for (_, prefix) in &queue.prefixes {
            let seqs: Vec<u32> = queue.tickets.iter().filter(|t| t.number.starts_with(prefix.as_str())).map(|t| t.seq_no).collect();
            prop_assert!(seqs.windows(2).all(|w| w[0] < w[1]), "increasing in issue order");
            prop_assert!(seqs.iter().enumerate().all(|(i, s)| *s as usize == i + 1), "no gaps");
        }
        let waiting: u32 = services.iter().map(|s| queue.waiting_for(s)).sum();
        let others = queue.tickets.iter().filter(|t| t.state != TicketState::Waiting).count();
        prop_assert_eq!(waiting as usize + others, queue.tickets.len());
        for counter in &counters {
            let current: Vec<i64> = queue.tickets.iter().filter(|t| t.counter.as_deref() == Some(counter.as_str()) && (t.state.is_called() || t.state == TicketState::Serving)).map(|t| t.id).collect();
            prop_assert!(current.len() <= 1, "counter {} has {} current tickets", counter, current.len());
            prop_assert_eq!(queue.current_at(counter).map(|t| t.id), current.first().copied());
        }
        // The indexes say what a scan of the day says.
        let open: Vec<i64> = queue.tickets.iter().filter(|t| !t.state.is_final()).map(|t| t.id).collect();
        prop_assert_eq!(queue.open_tickets().map(|t| t.id).collect::<Vec<_>>(), open);
        let mut calls: Vec<&Ticket> = queue.tickets().filter(|t| t.called_at.is_some() && t.counter.is_some()).collect();
        calls.sort_by_key(|t| std::cmp::Reverse(t.recalled_at.or(t.called_at)));
        let calls: Vec<i64> = calls.iter().map(|t| t.id).collect();
        prop_assert_eq!(queue.calls_newest_first().map(|t| t.id).collect::<Vec<_>>(), calls);
        for (position, ticket) in queue.tickets().enumerate() {
            prop_assert_eq!(queue.ticket(ticket.id), Some(ticket));
            prop_assert_eq!(queue.position(ticket.id), Some(position));
            let ahead = queue.tickets().take(position).filter(|t| ticket.state == TicketState::Waiting && queue.called_before(t, &ticket.service)).count();
            prop_assert_eq!(queue.ahead_of(ticket) as usize, ahead);
        }
        // The line snapshots list is the waiting tickets in issue order.
        let line: Vec<(&str, &str)> = queue.waiting_line().iter().map(|t| (&*t.number, &*t.service)).collect();
        let scanned: Vec<(&str, &str)> = queue.tickets().filter(|t| t.state == TicketState::Waiting).map(|t| (&*t.number, &*t.service)).collect();
        prop_assert_eq!(line, scanned);
        // The counts by service say what a scan of the line says.
        for service in &services {
            let waiting = queue.tickets().filter(|t| t.state == TicketState::Waiting && *t.service == **service).count();
            prop_assert_eq!(queue.waiting_for(service) as usize, waiting);
            let ahead_of_new = queue.tickets().filter(|t| queue.called_before(t, service)).count();
            prop_assert_eq!(queue.ahead_of_new(service) as usize, ahead_of_new);
        }
    }
}

#[test]
fn tickets_no_counter_of_mine_serves_are_not_ahead_of_me() {
    let mut queue = main_office_queue();
    // Counter 1 takes only renewals, the others only legal representatives.
    for (index, counter) in queue.counters.iter_mut().enumerate() {
        counter.services = if index == 0 {
            vec!["renewal".into()]
        } else {
            vec!["legal_representative".into()]
        };
    }
    issue(&mut queue, "legal_representative");
    issue(&mut queue, "renewal");
    let renewal = issue(&mut queue, "renewal");
    let ticket = queue.ticket(renewal).expect("issued").clone();
    assert_eq!(queue.ahead_of(&ticket), 1, "only the earlier renewal");
    assert_eq!(ticket.waiting_ahead_at_issue, 1);
    assert_eq!(queue.ahead_of_new("legal_representative"), 1);
}

#[test]
fn with_counters_serving_every_service_every_earlier_waiting_ticket_is_ahead() {
    let mut queue = main_office_queue();
    issue(&mut queue, "renewal");
    issue(&mut queue, "legal_representative");
    let third = issue(&mut queue, "proxy_notice");
    let ticket = queue.ticket(third).expect("issued").clone();
    assert_eq!(queue.ahead_of(&ticket), 2);
    assert_eq!(queue.ahead_of_new("renewal"), 3);
}

#[test]
fn a_recall_keeps_called_at_at_the_first_call_and_records_its_own_time() {
    let mut queue = main_office_queue();
    let first = open_context();
    run(&mut queue, Command::OpenCounter("1".into()), &first).expect("opens");
    run(
        &mut queue,
        Command::Issue {
            service: "renewal".into(),
        },
        &first,
    )
    .expect("issues");
    run(&mut queue, Command::CallNext("1".into()), &first).expect("calls");
    let id = queue.tickets[0].id;
    let later = Context {
        now: first.now + chrono::Duration::minutes(3),
        ..open_context()
    };
    run(
        &mut queue,
        Command::Ticket {
            id,
            action: TicketAction::Recall,
        },
        &later,
    )
    .expect("recalls");
    assert_eq!(queue.tickets[0].called_at, Some(first.now));
    assert_eq!(queue.tickets[0].recalled_at, Some(later.now));
}

#[test]
fn a_counter_keeps_when_its_pause_began_and_how_long_ended_pauses_lasted() {
    let mut queue = main_office_queue();
    let context = |time: &str| Context {
        now: at(time),
        ..open_context()
    };
    let id = queue.counters()[0].id.clone();
    let step = |queue: &mut OfficeQueue, command: fn(String) -> Command, time: &str| {
        run(queue, command(id.clone()), &context(time)).expect("accepted");
    };
    step(
        &mut queue,
        Command::OpenCounter,
        "2026-12-01T09:00:00+09:00",
    );
    step(
        &mut queue,
        Command::PauseCounter,
        "2026-12-01T10:00:00+09:00",
    );
    // Pausing again changes nothing: the pause still began at 10:00.
    step(
        &mut queue,
        Command::PauseCounter,
        "2026-12-01T10:05:00+09:00",
    );
    assert_eq!(
        queue.counters()[0].paused_since,
        Some(at("2026-12-01T10:00:00+09:00"))
    );
    step(
        &mut queue,
        Command::OpenCounter,
        "2026-12-01T10:20:00+09:00",
    );
    step(
        &mut queue,
        Command::PauseCounter,
        "2026-12-01T12:00:00+09:00",
    );
    // Closed from a pause: that pause ended too (at 12:45).
    step(
        &mut queue,
        Command::CloseCounter,
        "2026-12-01T12:45:00+09:00",
    );
    let counter = &queue.counters()[0];
    assert_eq!(counter.paused_since, None);
    assert_eq!(
        counter.ended_pauses,
        vec![
            chrono::TimeDelta::minutes(20),
            chrono::TimeDelta::minutes(45)
        ]
    );
}

#[test]
fn a_restored_day_gets_its_pauses_back_from_the_counter_events() {
    let mut queue = main_office_queue();
    let first = queue.counters()[0].id.clone();
    let second = queue.counters()[1].id.clone();
    // As restored: counter 1 paused, counter 2 open (the saved day keeps only states).
    queue.counters[0].state = CounterState::Paused;
    queue.counters[1].state = CounterState::Open;
    let events = [
        (
            first.as_str(),
            CounterState::Open,
            at("2026-12-01T09:00:00+09:00"),
        ),
        (
            second.as_str(),
            CounterState::Paused,
            at("2026-12-01T10:00:00+09:00"),
        ),
        (
            second.as_str(),
            CounterState::Open,
            at("2026-12-01T10:15:00+09:00"),
        ),
        (
            first.as_str(),
            CounterState::Paused,
            at("2026-12-01T12:00:00+09:00"),
        ),
        // Recorded again while paused: the pause still began at 12:00.
        (
            first.as_str(),
            CounterState::Paused,
            at("2026-12-01T12:05:00+09:00"),
        ),
    ];
    queue.replay_pauses(events);
    assert_eq!(
        queue.counters()[0].paused_since,
        Some(at("2026-12-01T12:00:00+09:00"))
    );
    assert!(queue.counters()[0].ended_pauses.is_empty());
    assert_eq!(queue.counters()[1].paused_since, None);
    assert_eq!(
        queue.counters()[1].ended_pauses,
        vec![chrono::TimeDelta::minutes(15)]
    );

    // A log that disagrees with the restored state (counter 2 shown paused, last logged open)
    // leaves that counter without a start: unknown, not wrong.
    let mut queue = main_office_queue();
    queue.counters[1].state = CounterState::Paused;
    queue.replay_pauses([(
        second.as_str(),
        CounterState::Open,
        at("2026-12-01T09:00:00+09:00"),
    )]);
    assert_eq!(queue.counters()[1].paused_since, None);
}
