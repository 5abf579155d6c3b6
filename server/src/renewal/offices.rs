//! Where to go: every configured office that handles the person's ticket, with its next open
//! days from the calendar (domain R1–R3) and, on a running server, its live state read from the
//! office's latest published snapshot (R5). Nothing here invents a figure: without a snapshot
//! (the command line) the live fields are absent.
//!
//! [`live_figures`] is the one place that reads the snapshot's fields.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::text::{self, Text};
use crate::calendar;
use crate::config::OfficeConfig;
use crate::protocol::Snapshot;

/// How many upcoming open days an answer lists per office.
const OPEN_DAYS_LISTED: usize = 5;
/// How far ahead it looks for them (covers the year-end break and long weekends).
const OPEN_DAYS_HORIZON: i64 = 31;

/// An open day with its reception hours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpenDay {
    /// The date (`YYYY-MM-DD`).
    pub date: NaiveDate,
    /// Reception opens (`9:00`).
    pub opens: String,
    /// Reception ends (`17:45`).
    pub closes: String,
}

/// A wait estimate as the office published it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Lower bound, minutes.
    pub min_minutes: u32,
    /// Upper bound, minutes.
    pub max_minutes: u32,
    /// No counter serves the ticket now: no number, only the words.
    pub no_counter_open: bool,
    /// The estimator's own words.
    pub text: Text,
}

/// The live state of an office for one ticket, from its latest snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Live {
    /// Tickets are issued right now (open and not suspended).
    pub accepting_now: bool,
    /// The office's state in words.
    pub state: Text,
    /// People waiting for this ticket's service.
    pub waiting: Option<u32>,
    /// The estimated wait for a ticket of this service taken now.
    pub estimate: Option<Estimate>,
}

/// One office in an answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OfficeAnswer {
    /// Id in paths (`main`).
    pub id: String,
    /// Its name.
    pub name: Text,
    /// True when the figures below come from the office's live snapshot.
    pub live: bool,
    /// Tickets are issued right now; absent without live figures.
    pub accepting_now: Option<bool>,
    /// The office's state in words; absent without live figures.
    pub state: Option<Text>,
    /// People waiting for the person's ticket; absent without live figures.
    pub waiting: Option<u32>,
    /// Estimated wait for the person's ticket; absent without live figures or estimate.
    pub estimate: Option<Estimate>,
    /// The next open days: from today (included when open), or from the window's first day.
    pub next_open_days: Vec<OpenDay>,
    /// Link to the office's congestion page.
    pub page: String,
}

/// The live figures of `snapshot` for tickets of `service`: the one place that reads the
/// snapshot's fields, so a change of the wire types touches only this function.
pub fn live_figures(snapshot: &Snapshot, service: &str) -> Live {
    let row = snapshot.services.iter().find(|s| s.id == service);
    Live {
        accepting_now: snapshot.calendar.accepting,
        state: text::phase(snapshot.calendar.phase, snapshot.reception.suspended),
        waiting: row.map(|s| s.waiting),
        estimate: row.and_then(|s| s.estimate.as_ref()).map(|e| Estimate {
            min_minutes: e.min_minutes,
            max_minutes: e.max_minutes,
            no_counter_open: e.no_counter_open,
            text: Text::new(e.text_ja.clone(), e.text_en.clone()),
        }),
    }
}

/// The next open days of `office` from `from` on (domain R1–R3).
pub fn next_open_days(office: &OfficeConfig, from: NaiveDate) -> Vec<OpenDay> {
    calendar::open_days(
        &office.schedule,
        from,
        from + Duration::days(OPEN_DAYS_HORIZON),
    )
    .into_iter()
    .filter_map(|plan| {
        let hours = plan.hours?;
        Some(OpenDay {
            date: plan.date,
            opens: text::clock(hours.opens),
            closes: text::clock(hours.reception_ends()),
        })
    })
    .take(OPEN_DAYS_LISTED)
    .collect()
}

/// The offices that serve `service`, in configuration order (the default office first), with
/// their open days from `from` on and live figures where `live` has a snapshot for the office.
pub fn offices_for(
    offices: &[OfficeConfig],
    service: &str,
    from: NaiveDate,
    live: impl Fn(&str) -> Option<Live>,
) -> Vec<OfficeAnswer> {
    offices
        .iter()
        .enumerate()
        .filter(|(_, office)| office.services.iter().any(|s| s == service))
        .map(|(index, office)| {
            let figures = live(&office.id);
            OfficeAnswer {
                id: office.id.clone(),
                name: Text::new(office.name_ja.clone(), office.name_en.clone()),
                live: figures.is_some(),
                accepting_now: figures.as_ref().map(|f| f.accepting_now),
                state: figures.as_ref().map(|f| f.state.clone()),
                waiting: figures.as_ref().and_then(|f| f.waiting),
                estimate: figures.and_then(|f| f.estimate),
                next_open_days: next_open_days(office, from),
                page: if index == 0 {
                    "/".to_string()
                } else {
                    format!("/offices/{}", office.id)
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid test date")
    }

    #[test]
    fn without_a_snapshot_an_office_has_no_live_figures_only_its_open_days() {
        let config = Config::embedded().expect("embedded config");
        let offices = offices_for(&config.offices, "renewal", date("2026-12-25"), |_| None);
        assert_eq!(offices.len(), 2);
        let main = &offices[0];
        assert!(!main.live);
        assert_eq!(main.accepting_now, None);
        assert_eq!(main.waiting, None);
        assert_eq!(main.page, "/");
        let days: Vec<String> = main
            .next_open_days
            .iter()
            .map(|d| d.date.to_string())
            .collect();
        // 25 and 28 December are open; 29 Dec – 3 Jan is the year-end closure (R3).
        assert_eq!(
            days,
            [
                "2026-12-25",
                "2026-12-28",
                "2027-01-04",
                "2027-01-05",
                "2027-01-06"
            ]
        );
        assert_eq!(main.next_open_days[0].opens, "9:00", "R1");
        assert_eq!(main.next_open_days[0].closes, "17:45");
        assert_eq!(offices[1].next_open_days[0].opens, "8:30", "R2");
        assert_eq!(offices[1].page, "/offices/center");
    }

    #[test]
    fn an_office_that_does_not_serve_the_ticket_is_left_out() {
        let config = Config::embedded().expect("embedded config");
        assert!(
            offices_for(
                &config.offices,
                "no_such_service",
                date("2026-12-01"),
                |_| None
            )
            .is_empty()
        );
    }
}
