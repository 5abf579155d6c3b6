//! The `simulate` and `accuracy` subcommands: arguments and output. Stdout carries only the
//! report.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::json;

use crate::cli::{CliError, OfficeDays, open_existing_store, open_store, parse_instant};
use crate::clock::SharedClock;
use crate::config::Config;
use crate::estimate::accuracy;
use crate::simulate::into;

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
    /// Start every day as a newly installed office: no past days to learn from, no past
    /// errors for the band (as `examples/real_day.rs` plays it on the real server).
    #[arg(long, conflicts_with = "into")]
    pub fresh: bool,
    /// Write the days as synthetic history into this data directory instead of scoring the
    /// predictors: the last --days open days of each office before --now's business day.
    /// Refused when the directory holds real tickets.
    #[arg(long, value_name = "DIR", requires = "now")]
    pub into: Option<PathBuf>,
    /// With --into: the instant the server will start at (RFC 3339); the days end before it.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant, requires = "into")]
    pub now: Option<DateTime<Utc>>,
}

/// `queue-server accuracy --office main --from D --to D`.
#[derive(Debug, Args)]
pub struct AccuracyArgs {
    /// The office and the days.
    #[command(flatten)]
    pub days: OfficeDays,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the simulation and prints its table or JSON.
pub fn simulate(args: &SimulateArgs, config: &Config) -> Result<(), CliError> {
    if let (Some(dir), Some(now)) = (&args.into, args.now) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(CliError::Runtime)?;
        return runtime.block_on(simulate_into(args, config, dir, now));
    }
    let report = super::run_days(
        config,
        args.scenario.as_deref(),
        args.days,
        args.seed,
        args.fresh,
    )?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", report.to_json())?;
    } else {
        write!(out, "{}", report.to_table())?;
    }
    Ok(())
}

/// Plays the days of every office and writes them as synthetic tickets into `dir`; prints one
/// line per office: its id, the first and last day, and how many tickets.
async fn simulate_into(
    args: &SimulateArgs,
    config: &Config,
    dir: &Path,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    let scenario = match args.scenario.as_deref() {
        Some(name) => config.simulation.scenario(name).ok_or_else(|| {
            let names: Vec<&str> = config
                .simulation
                .scenarios
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            crate::simulate::SimulateError::UnknownScenario(name.to_string(), names.join(", "))
        })?,
        None => config
            .simulation
            .scenarios
            .first()
            .ok_or(crate::simulate::SimulateError::NoScenario)?,
    };
    let today = crate::calendar::business_date(now);
    let mut played = Vec::new();
    for (index, office) in config.offices.iter().enumerate() {
        // Each office its own stream, so adding an office leaves the others' days unchanged.
        let seed = args.seed.wrapping_add(index as u64);
        let history = into::history_tickets(config, office, scenario, today, args.days, seed)?;
        played.push((office, history));
    }
    std::fs::create_dir_all(dir).map_err(|source| CliError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let store = open_store(&crate::store::Database::in_data_dir(dir)).await?;
    let written = write_synthetic(&store, &played).await;
    store.close().await;
    if written? {
        return Err(CliError::HoldsRealTickets(dir.to_path_buf()));
    }
    let mut out = std::io::stdout().lock();
    for (office, into::PlayedHistory { tickets, .. }) in &played {
        let first = tickets.first().map(|t| t.business_date.to_string());
        let last = tickets.last().map(|t| t.business_date.to_string());
        writeln!(
            out,
            "{}\t{}…{}\t{} tickets (synthetic)",
            office.id,
            first.unwrap_or_default(),
            last.unwrap_or_default(),
            tickets.len()
        )?;
    }
    Ok(())
}

/// Writes the played days unless real tickets are there; `Ok(true)` when it refused.
async fn write_synthetic(
    store: &crate::store::Store,
    played: &[(&crate::config::OfficeConfig, into::PlayedHistory)],
) -> Result<bool, CliError> {
    if store.holds_real_tickets().await? {
        return Ok(true);
    }
    for (office, history) in played {
        store
            .synthetic_replace(&office.id, &history.tickets, &history.counter_changes)
            .await?;
    }
    Ok(false)
}

/// Reads the office's tickets over the days and prints MAE and coverage per hour of issue.
pub async fn accuracy(
    args: &AccuracyArgs,
    config: &Config,
    database: &crate::store::Database,
    clock: &SharedClock,
) -> Result<(), CliError> {
    let today = crate::calendar::business_date(clock.now());
    let (office, from, to) = args.days.resolve(config, today)?;
    let store = open_existing_store(database).await?;
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
