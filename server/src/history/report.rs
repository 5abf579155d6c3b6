//! The staff's report: the hourly rows of an office over a range of days, for all services or
//! one row per service. One code path for `queue-server stats` and the staff console's report
//! view and CSV download, so the two always give the same figures in the same text.

use chrono::{DateTime, NaiveDate, Utc};

use super::{DayRecord, HistoryCache, HourRow, csv, day_rows_by_service};
use crate::calendar::{business_date, day_plan};
use crate::config::OfficeConfig;
use crate::store::{Result, Store};

/// One line of the report: a row, and the service it is about when split by service.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportLine {
    /// The figures.
    pub row: HourRow,
    /// The service (`--by-service` only).
    pub service: Option<String>,
}

/// The rows of `office` over `from..=to` as of `now` (days after today have none): all services
/// together, or with `by_service` one row per date × hour × service for the hours in which the
/// service issued tickets.
pub async fn report_lines(
    store: &Store,
    cache: &HistoryCache,
    office: &OfficeConfig,
    (from, to): (NaiveDate, NaiveDate),
    now: DateTime<Utc>,
    by_service: bool,
) -> Result<Vec<ReportLine>> {
    if !by_service {
        let rows = cache
            .rows_between(store, &office.id, &office.schedule, (from, to), now)
            .await?;
        return Ok(rows
            .into_iter()
            .map(|row| ReportLine { row, service: None })
            .collect());
    }
    let today = business_date(now);
    let tickets = store.tickets_between(&office.id, from, to).await?;
    let counter_changes = store.counter_changes_between(&office.id, from, to).await?;
    let record = DayRecord {
        tickets: &tickets,
        counter_changes: &counter_changes,
        now,
    };
    let serves = |counter: &str, service: &str| {
        office
            .counters
            .iter()
            .find(|c| c.id == counter)
            .is_some_and(|c| {
                c.services
                    .as_ref()
                    .is_none_or(|services| services.iter().any(|s| s == service))
            })
    };
    Ok(from
        .iter_days()
        .take_while(|d| *d <= to.min(today))
        .flat_map(|date| day_rows_by_service(&day_plan(&office.schedule, date), record, serves))
        .flat_map(|(service, rows)| {
            rows.into_iter()
                .filter(|r| r.issued > 0)
                .map(move |row| ReportLine {
                    row,
                    service: Some(service.clone()),
                })
        })
        .collect())
}

/// The report as CSV (UTF-8, no BOM, header first, each line ended by `\n`): what
/// `queue-server stats --csv` prints and the staff console downloads.
pub fn report_csv(lines: &[ReportLine], by_service: bool) -> String {
    let mut text = csv::header(by_service);
    text.push('\n');
    for line in lines {
        text.push_str(&csv::line(&line.row, line.service.as_deref()));
        text.push('\n');
    }
    text
}
