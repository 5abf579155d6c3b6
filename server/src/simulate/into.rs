//! `queue-server simulate --into DIR --now T`: synthetic history for a server started at T
//! (issue 17). The N open business days of each office before T's business date are played
//! through the real queue ([`super::day`]) and written as tickets marked `synthetic`, so the
//! statistics, the open data and the forecast show weeks of history, each saying it is
//! synthetic. A directory with real tickets is refused: invented days never mix with lived ones.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::day::{Day, Observer};
use super::{Scenario, SimulateError, busy_day};
use crate::calendar;
use crate::config::{Config, OfficeConfig};
use crate::domain::{OfficeQueue, ShownEstimate, Ticket};
use crate::history::CounterChange;

/// Farthest back to look for open days: a year-end and a Golden Week fit many times over.
const MAX_LOOKBACK_DAYS: i64 = 3660;

/// Watches nothing: synthetic history records no estimate shown at issue (none was shown).
struct Unobserved;

impl Observer for Unobserved {
    fn before_issue(
        &mut self,
        _: &OfficeQueue,
        _: DateTime<Utc>,
        _: &str,
    ) -> Option<ShownEstimate> {
        None
    }
    fn issued(&mut self, _: i64) {}
    fn first_called(&mut self, _: &OfficeQueue, _: i64, _: DateTime<Utc>) {}
}

/// The last `days` open business days of `office` before `today`, oldest first.
pub fn open_days_before(
    office: &OfficeConfig,
    today: NaiveDate,
    days: u32,
) -> Result<Vec<NaiveDate>, SimulateError> {
    let mut found = Vec::new();
    let mut date = today;
    while found.len() < days as usize {
        date -= Duration::days(1);
        if (today - date).num_days() > MAX_LOOKBACK_DAYS {
            return Err(SimulateError::NoOpenDay);
        }
        if calendar::day_plan(&office.schedule, date).is_open() {
            found.push(date);
        }
    }
    found.reverse();
    Ok(found)
}

/// What the simulator played for one office: the tickets and the counter changes of its days.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlayedHistory {
    /// Tickets, in issue order.
    pub tickets: Vec<Ticket>,
    /// Counter changes, in the order made.
    pub counter_changes: Vec<CounterChange>,
}

/// The tickets and counter changes of `office`'s last `days` open days before `today`, played
/// with `seed`: the same seed gives the same days.
pub fn history_tickets(
    config: &Config,
    office: &OfficeConfig,
    scenario: &Scenario,
    today: NaiveDate,
    days: u32,
    seed: u64,
) -> Result<PlayedHistory, SimulateError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut played = PlayedHistory::default();
    let mut next_id = 1;
    for date in open_days_before(office, today, days)? {
        let Some(hours) = calendar::day_plan(&office.schedule, date).hours else {
            continue;
        };
        let day = Day::new(config, office, scenario, date, hours, next_id);
        let (queue, counter_changes) = day.play(&mut rng, busy_day(office, date), &mut Unobserved);
        next_id += queue.tickets().len() as i64 + 1;
        played.tickets.extend(queue.tickets().cloned());
        played.counter_changes.extend(counter_changes);
    }
    Ok(played)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::embedded().expect("embedded default is valid")
    }

    #[test]
    fn the_days_are_the_open_days_just_before_today_oldest_first() {
        let config = config();
        let office = config.office("main").expect("main");
        let today = "2026-12-07".parse().expect("date");
        let days = open_days_before(office, today, 6).expect("days");
        let text: Vec<String> = days.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            text,
            [
                "2026-11-27",
                "2026-11-30",
                "2026-12-01",
                "2026-12-02",
                "2026-12-03",
                "2026-12-04"
            ]
        );
    }

    #[test]
    fn the_same_seed_plays_the_same_finished_days() {
        let config = config();
        let office = config.office("main").expect("main");
        let scenario = config.simulation.scenarios.first().expect("a scenario");
        let today = "2026-12-07".parse().expect("date");
        let once = history_tickets(&config, office, scenario, today, 2, 7).expect("played");
        let again = history_tickets(&config, office, scenario, today, 2, 7).expect("played");
        assert!(!once.tickets.is_empty());
        assert_eq!(once, again);
        assert!(
            once.tickets
                .iter()
                .all(|t| t.state.is_final() && t.business_date < today)
        );
        assert!(
            once.counter_changes
                .iter()
                .any(|c| c.state == crate::protocol::CounterState::Open),
            "the clerks' counter openings are played too"
        );
    }
}
