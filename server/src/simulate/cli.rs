//! The `simulate` and `accuracy` subcommands: arguments and output. Stdout carries only the
//! report.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use clap::Args;
use serde_json::json;

use crate::cli::{CliError, open_store};
use crate::clock::SharedClock;
use crate::config::Config;
use crate::estimate::accuracy;

/// `queue-server simulate --days 200 --seed 7 [--scenario NAME] [--json]`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Business days to simulate.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub days: u32,
    /// Seed of the random process: the same seed gives the same days.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Scenario name from the configuration (default: the first, `normal`).
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `queue-server accuracy --office main --from D --to D`.
#[derive(Debug, Args)]
pub struct AccuracyArgs {
    /// Office id (default: the first configured office).
    #[arg(long)]
    pub office: Option<String>,
    /// First business day (YYYY-MM-DD; default today in Japan).
    #[arg(long, value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last business day (YYYY-MM-DD; default --from).
    #[arg(long, value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "expected YYYY-MM-DD".to_string())
}

/// Runs the simulation and prints its table or JSON.
pub fn simulate(args: &SimulateArgs, config: &Config) -> Result<(), CliError> {
    let report = super::run(config, args.scenario.as_deref(), args.days, args.seed)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", report.to_json())?;
    } else {
        write!(out, "{}", report.to_table())?;
    }
    Ok(())
}

/// Reads the office's tickets over the days and prints MAE and coverage per hour of issue.
pub async fn accuracy(
    args: &AccuracyArgs,
    config: &Config,
    data: &Path,
    clock: &SharedClock,
) -> Result<(), CliError> {
    let office = match &args.office {
        Some(id) => config
            .office(id)
            .ok_or_else(|| CliError::UnknownOffice(id.clone()))?,
        None => config.offices.first().ok_or(CliError::NoOffice)?,
    };
    let from = args
        .from
        .unwrap_or_else(|| crate::calendar::business_date(clock.now()));
    let to = args.to.unwrap_or(from);
    if to < from {
        return Err(CliError::ToBeforeFrom);
    }
    let store = open_store(data).await?;
    let tickets = store.tickets_between(&office.id, from, to).await;
    store.close().await;
    let report = accuracy::of_tickets(&tickets?);
    let mut out = std::io::stdout().lock();
    if args.json {
        let row = |a: &accuracy::Accuracy| {
            json!({
                "tickets": a.tickets,
                "mae_minutes": (a.mae_minutes() * 1000.0).round() / 1000.0,
                "coverage": (a.coverage() * 1000.0).round() / 1000.0,
                "mean_band_minutes": (a.mean_band_minutes() * 1000.0).round() / 1000.0,
            })
        };
        let by_hour: serde_json::Map<_, _> = report
            .by_hour
            .iter()
            .map(|(h, a)| (h.to_string(), row(a)))
            .collect();
        let mut all = row(&report.overall);
        all["office"] = json!(office.id);
        all["from"] = json!(from.to_string());
        all["to"] = json!(to.to_string());
        all["by_hour"] = json!(by_hour);
        writeln!(out, "{all}")?;
        return Ok(());
    }
    writeln!(
        out,
        "office {} {}…{}: {} tickets called with an estimate",
        office.id, from, to, report.overall.tickets
    )?;
    writeln!(out, "hour\ttickets\tMAE(min)\tcoverage\tband(min)")?;
    for (hour, a) in &report.by_hour {
        writeln!(
            out,
            "{hour}\t{}\t{:.1}\t{:.2}\t{:.1}",
            a.tickets,
            a.mae_minutes(),
            a.coverage(),
            a.mean_band_minutes()
        )?;
    }
    let a = &report.overall;
    writeln!(
        out,
        "all\t{}\t{:.1}\t{:.2}\t{:.1}",
        a.tickets,
        a.mae_minutes(),
        a.coverage(),
        a.mean_band_minutes()
    )?;
    Ok(())
}
