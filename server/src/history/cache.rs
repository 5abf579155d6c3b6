//! Closed days computed once: the rows of a business day that has ended cannot change any more
//! (no ticket is issued or moved on a past day), so they are kept in memory and only today is
//! read from the store on every request. Nothing is cached across restarts: the first request
//! after a start computes the days again from the store, which stays the one source of truth.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};

use super::{DayRecord, HourRow, day_rows};
use crate::calendar::{Schedule, business_date, day_plan};
use crate::store::{Result, Store};

/// Rows of closed days by (office, date). A std `Mutex`: it is held only to copy an `Arc` in or
/// out, never across an `.await`. It grows by at most one entry per office and business day
/// asked for, a few hundred bytes each: years of history fit in a few megabytes.
#[derive(Debug, Default)]
pub struct HistoryCache {
    days: Mutex<HashMap<DayKey, Arc<Vec<HourRow>>>>,
}

/// An office id and one of its business days.
type DayKey = (String, NaiveDate);

impl HistoryCache {
    /// The rows of `office` for every business day in `from..=to` up to today, `now`'s business
    /// day (later days have no history yet), in date and hour order; closed days come from the
    /// cache when they are there, the rest from the store in one query of tickets and one of
    /// counter events.
    pub async fn rows_between(
        &self,
        store: &Store,
        office: &str,
        schedule: &Schedule,
        (from, to): (NaiveDate, NaiveDate),
        now: DateTime<Utc>,
    ) -> Result<Vec<HourRow>> {
        let today = business_date(now);
        let to = to.min(today);
        let dates: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
        let mut known: HashMap<NaiveDate, Arc<Vec<HourRow>>> = HashMap::new();
        if let Ok(days) = self.days.lock() {
            for date in &dates {
                if let Some(rows) = days.get(&(office.to_string(), *date)) {
                    known.insert(*date, Arc::clone(rows));
                }
            }
        }
        let missing: Vec<NaiveDate> = dates
            .iter()
            .copied()
            .filter(|d| !known.contains_key(d))
            .collect();
        if let (Some(first), Some(last)) = (missing.first(), missing.last()) {
            let tickets = store.tickets_between(office, *first, *last).await?;
            let counter_changes = store.counter_changes_between(office, *first, *last).await?;
            let synthetic = store.synthetic_days_between(office, *first, *last).await?;
            let record = DayRecord {
                tickets: &tickets,
                counter_changes: &counter_changes,
                now,
            };
            for date in &missing {
                let plan = day_plan(schedule, *date);
                let mut rows = day_rows(&plan, record);
                for row in &mut rows {
                    row.synthetic = synthetic.contains(date);
                }
                let rows = Arc::new(rows);
                if *date < today
                    && let Ok(mut days) = self.days.lock()
                {
                    days.insert((office.to_string(), *date), Arc::clone(&rows));
                }
                known.insert(*date, rows);
            }
        }
        Ok(dates
            .iter()
            .filter_map(|date| known.get(date))
            .flat_map(|rows| rows.iter().cloned())
            .collect())
    }

    /// How many closed days are held: what the cache costs, for tests.
    pub fn closed_days(&self) -> usize {
        self.days.lock().map(|days| days.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use chrono_tz::Asia::Tokyo;

    use super::*;
    use crate::config::Config;
    use crate::domain::Ticket;
    use crate::protocol::TicketState;

    fn ticket(day: NaiveDate, seq_no: u32) -> Ticket {
        let issued_at = Tokyo
            .from_local_datetime(&day.and_hms_opt(9, 10, 0).expect("time"))
            .single()
            .expect("unambiguous")
            .with_timezone(&Utc);
        Ticket {
            id: 0,
            public_id: String::new(),
            number: format!("R{seq_no:03}").into(),
            seq_no,
            service: "renewal".into(),
            state: TicketState::Done,
            counter: Some("1".into()),
            business_date: day,
            issued_at,
            called_at: Some(issued_at + Duration::minutes(12)),
            recalled_at: None,
            started_at: Some(issued_at + Duration::minutes(13)),
            finished_at: Some(issued_at + Duration::minutes(23)),
            waiting_ahead_at_issue: 0,
            estimate_at_issue: None,
        }
    }

    #[tokio::test]
    async fn closed_days_are_kept_today_is_read_again_and_a_restart_gives_the_same_rows() {
        let config = Config::embedded().expect("embedded default is valid");
        let schedule = &config.office("main").expect("main").schedule;
        let (monday, today) = (
            NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
            NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
        );
        let now = Tokyo
            .from_local_datetime(&today.and_hms_opt(18, 0, 0).expect("time"))
            .single()
            .expect("unambiguous")
            .with_timezone(&Utc);
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).await.expect("store");
        store
            .synthetic_replace("main", &[ticket(monday, 1), ticket(today, 1)], &[])
            .await
            .expect("written");
        let cache = HistoryCache::default();
        let first = cache
            .rows_between(&store, "main", schedule, (monday, today), now)
            .await
            .expect("rows");
        assert_eq!(cache.closed_days(), 1, "Monday is kept, today is not");
        let issued = |rows: &[HourRow], day| -> u32 {
            rows.iter()
                .filter(|r| r.date == day)
                .map(|r| r.issued)
                .sum()
        };
        assert_eq!((issued(&first, monday), issued(&first, today)), (1, 1));
        assert!(first.iter().filter(|r| r.issued > 0).all(|r| r.synthetic));

        store
            .synthetic_replace(
                "main",
                &[ticket(monday, 1), ticket(today, 1), ticket(today, 2)],
                &[],
            )
            .await
            .expect("written");
        let second = cache
            .rows_between(&store, "main", schedule, (monday, today), now)
            .await
            .expect("rows");
        assert_eq!(
            issued(&second, today),
            2,
            "today is read from the store again"
        );
        store.close().await;

        let reopened = Store::open(dir.path()).await.expect("store");
        let after_restart = HistoryCache::default()
            .rows_between(&reopened, "main", schedule, (monday, today), now)
            .await
            .expect("rows");
        assert_eq!(after_restart, second);
        let later = HistoryCache::default()
            .rows_between(
                &reopened,
                "main",
                schedule,
                (monday, today + Duration::days(7)),
                now,
            )
            .await
            .expect("rows");
        assert_eq!(later, second, "days after today have no rows yet");
        reopened.close().await;
    }
}
