//! `queue-server stats`: the hourly aggregates for staff, as a table or CSV. Stdout carries
//! only the report.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use clap::Args;

use super::{HistoryCache, HourRow, csv, day_rows_by_service};
use crate::calendar::{business_date, day_plan};
use crate::cli::{CliError, OfficeDays, open_existing_store, parse_instant};
use crate::clock::SharedClock;
use crate::config::Config;

/// `queue-server stats --office main --from D --to D [--csv] [--by-service]`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The office and the days.
    #[command(flatten)]
    pub days: OfficeDays,
    /// Print CSV (UTF-8, header first) instead of the aligned table.
    #[arg(long)]
    pub csv: bool,
    /// One row per date × hour × service, for the hours in which the service issued tickets
    /// (a `service` column after `hour`).
    #[arg(long)]
    pub by_service: bool,
    /// Take "today" at this RFC 3339 instant instead of now (days after it have no rows yet).
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub now: Option<DateTime<Utc>>,
}

/// Reads the office's tickets over the days and prints one row per date × hour.
pub async fn stats(
    args: &StatsArgs,
    config: &Config,
    data: &Path,
    clock: &SharedClock,
) -> Result<(), CliError> {
    let today = business_date(args.now.unwrap_or_else(|| clock.now()));
    let (office, from, to) = args.days.resolve(config, today)?;
    let store = open_existing_store(data).await?;
    let lines: Result<Vec<(HourRow, Option<String>)>, CliError> = async {
        if args.by_service {
            let tickets = store.tickets_between(&office.id, from, to).await?;
            Ok(from
                .iter_days()
                .take_while(|d| *d <= to.min(today))
                .flat_map(|date| day_rows_by_service(&day_plan(&office.schedule, date), &tickets))
                .flat_map(|(service, rows)| {
                    rows.into_iter()
                        .filter(|r| r.issued > 0)
                        .map(move |r| (r, Some(service.clone())))
                })
                .collect())
        } else {
            let rows = HistoryCache::default()
                .rows_between(&store, &office.id, &office.schedule, from, to, today)
                .await?;
            Ok(rows.into_iter().map(|r| (r, None)).collect())
        }
    }
    .await;
    store.close().await;
    let lines = lines?;
    let mut out = std::io::stdout().lock();
    if args.csv {
        writeln!(out, "{}", csv::header(args.by_service))?;
        for (row, service) in &lines {
            writeln!(out, "{}", csv::line(row, service.as_deref()))?;
        }
        return Ok(());
    }
    let header = csv::header(args.by_service).replace(',', "\t");
    writeln!(out, "{header}")?;
    for (row, service) in &lines {
        // A figure that does not exist (nobody called) reads as "-" in the table.
        let line = csv::line(row, service.as_deref());
        let cells: Vec<&str> = line
            .split(',')
            .map(|cell| if cell.is_empty() { "-" } else { cell })
            .collect();
        writeln!(out, "{}", cells.join("\t"))?;
    }
    Ok(())
}
