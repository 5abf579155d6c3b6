//! `queue-server stats`: the hourly aggregates for staff, as a table or CSV. Stdout carries
//! only the report.

use std::io::Write;

use chrono::{DateTime, Utc};
use clap::Args;

use super::HistoryCache;
use super::report::{report_csv, report_lines};
use crate::calendar::business_date;
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
    database: &crate::store::Database,
    clock: &SharedClock,
) -> Result<(), CliError> {
    let now = args.now.unwrap_or_else(|| clock.now());
    let (office, from, to) = args.days.resolve(config, business_date(now))?;
    let store = open_existing_store(database).await?;
    let lines = report_lines(
        &store,
        &HistoryCache::default(),
        office,
        (from, to),
        now,
        args.by_service,
    )
    .await;
    store.close().await;
    let text = report_csv(&lines?, args.by_service);
    let mut out = std::io::stdout().lock();
    if args.csv {
        out.write_all(text.as_bytes())?;
        return Ok(());
    }
    for line in text.lines() {
        // Tab-aligned; a figure that does not exist (nobody called) reads as "-".
        let cells: Vec<&str> = line
            .split(',')
            .map(|cell| if cell.is_empty() { "-" } else { cell })
            .collect();
        writeln!(out, "{}", cells.join("\t"))?;
    }
    Ok(())
}
