use chrono::{Duration, NaiveDate, TimeZone};
use proptest::prelude::*;

use super::*;
use crate::config::Config;
use crate::domain::{Command, Context, Issued, ShownEstimate, TicketAction, display_number};
use crate::office::publish::facts_with;
use crate::office::queue_facts;

fn main_office_queue(config: &Config) -> OfficeQueue {
    let office = config.office("main").expect("main").clone();
    let prefixes = config.prefixes_of(&office);
    OfficeQueue::new(
        office,
        prefixes,
        NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
    )
}

/// One staff command, and how far the clock moves before it (0: the same instant, as in one
/// batch or under a frozen clock, where a finish and a call coincide).
#[derive(Clone, Debug)]
enum Step {
    Issue(usize),
    Open(usize),
    CallNext(usize),
    Act(usize, usize),
}

fn step() -> impl Strategy<Value = (Step, i64)> {
    let command = prop_oneof![
        3 => (0..6usize).prop_map(Step::Issue),
        1 => (0..4usize).prop_map(Step::Open),
        4 => (0..4usize).prop_map(Step::CallNext),
        3 => (0..40usize, 0..6usize).prop_map(|(t, a)| Step::Act(t, a)),
    ];
    let advance = prop_oneof![Just(0_i64), Just(0), Just(10), Just(45), Just(600)];
    (command, advance)
}

/// Decides and commits `command` at `now` as the office task does, standing in for the store
/// (next id, next number per prefix), and feeds the change to `day`.
fn run(queue: &mut OfficeQueue, day: &mut DayFacts, command: &Command, now: DateTime<Utc>) {
    let context = Context {
        now,
        reception_hours: Ok(()),
        shown_estimates: vec![("renewal".into(), ShownEstimate::new(10, 20, 14.5))],
    };
    let Ok(decision) = queue.decide(command, &context) else {
        return;
    };
    let issued = decision.changes.iter().find_map(|change| match change {
        Change::Issue { prefix, seq_no, .. } => {
            let seq_no = *seq_no;
            Some(Issued {
                id: queue.issued() as i64 + 1,
                public_id: format!("p{}", queue.issued()),
                seq_no,
                number: display_number(prefix, seq_no),
            })
        }
        _ => None,
    });
    let seq = queue.last_seq() + 1;
    let recorded = Recorded { issued };
    queue.commit(&decision, &recorded, now);
    queue.note_event(seq);
    day.record(queue, &decision, &recorded);
}

proptest! {
    /// Whatever the commands and however the clock moves (instants shared by a finish and a
    /// call included), the evidence kept change by change gives the estimator the same facts
    /// as a scan of the whole day, and so does the evidence of a day loaded at once.
    #[test]
    fn evidence_kept_per_change_equals_the_whole_day_scanned(
        steps in prop::collection::vec(step(), 0..150)
    ) {
        let config = Config::embedded().expect("embedded config");
        let mut queue = main_office_queue(&config);
        let mut day = DayFacts::default();
        let services = queue.office().services.clone();
        let counters: Vec<String> = queue.counters().iter().map(|c| c.id.clone()).collect();
        let actions = [
            TicketAction::Recall,
            TicketAction::Start,
            TicketAction::Finish,
            TicketAction::NoShow,
            TicketAction::Cancel,
            TicketAction::Call,
        ];
        let mut now = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().expect("instant");
        for (step, advance) in steps {
            now += Duration::seconds(advance);
            let command = match step {
                Step::Issue(s) => Command::Issue { service: services[s % services.len()].clone() },
                Step::Open(c) => Command::OpenCounter(counters[c % counters.len()].clone()),
                Step::CallNext(c) => Command::CallNext(counters[c % counters.len()].clone()),
                Step::Act(t, a) => Command::Ticket { id: t as i64 + 1, action: actions[a] },
            };
            run(&mut queue, &mut day, &command, now);
            prop_assert_eq!(
                facts_with(&queue, day.evidence(), &config, now),
                queue_facts(&queue, &config, now)
            );
        }
        prop_assert_eq!(
            facts_with(&queue, DayFacts::of(&queue).evidence(), &config, now),
            queue_facts(&queue, &config, now)
        );
    }
}
