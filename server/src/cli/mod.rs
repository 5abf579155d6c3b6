//! The command line. `queue-server` alone runs the server; subcommands manage tokens, back up
//! the database, print the calendar, the holidays, the statistics (`stats`) and the default
//! configuration.
//! Stdout carries only what a command prints (a token, calendar lines); logs go to stderr.
//!
//! Exit codes: 0 success, 1 failure (the reason on stderr, e.g. a data directory without a
//! database for `token`, `backup`, `stats` and `accuracy`), 2 bad usage.
//!
//! Here: the arguments and the dispatch. [`serve`](self::serve) runs the server or the demo,
//! `store_commands` the `token` and `backup` subcommands, and [`CliError`] says why a command
//! failed.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::{Parser, Subcommand};

use crate::auth::Role;
use crate::calendar;
use crate::clock::{self, SharedClock};
use crate::config::{Config, ConfigError, DEFAULT_TOML};
use crate::store::{Database, Store};

mod error;
mod first_admin;
mod serve;
mod store_commands;

pub use error::CliError;
use serve::{DEFAULT_DATA_DIR, DEMO_DATA_DIR, serve_command};
use store_commands::{backup, token};

/// Ticketing server for city-hall counters (Kanazawa City, My Number certificate renewal).
///
/// Without a subcommand it runs the server; it prints `listening on http://ADDR:PORT` once,
/// when it is ready to serve.
#[derive(Debug, Parser)]
#[command(name = "queue-server", version, about)]
pub struct Cli {
    /// TOML configuration file (default: the embedded Kanazawa configuration).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory holding the SQLite database [default: ./data; ./data/demo with --demo].
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// The database: sqlite:FILE [default: queue.db in --data] or
    /// postgres://USER@HOST:PORT/DB, which several server instances may share.
    #[arg(long, global = true, value_name = "URL", env = "QUEUE_DATABASE_URL")]
    database: Option<Database>,
    /// Use the demo (デモ): run its simulated day, or act on its data directory (./data/demo).
    ///
    /// Without a subcommand: a simulated business day with synthetic visitors and staff,
    /// from 10:00 on the next open day (or --now), in ./data/demo made afresh each run unless
    /// --data is given. With a subcommand (before or after it): use the demo's data directory,
    /// e.g. `queue-server token create --demo --role issuer --name desk`.
    #[arg(long, global = true)]
    demo: bool,
    /// Options of the server itself.
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    command: Option<Commands>,
}

/// What only the running server needs: given before any subcommand (or after `serve`), so
/// they do not clutter the `--help` of the commands that never use them.
#[derive(Clone, Debug, Default, clap::Args)]
#[command(next_help_heading = "Server options")]
struct ServerArgs {
    /// Start the server's clock at this RFC 3339 instant (e.g. 2026-12-01T10:00:00+09:00);
    /// it runs forward in real time from there.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    now: Option<DateTime<Utc>>,
    /// Address to listen on [default: 127.0.0.1:8080]: an IP address or a host name with a
    /// port (0.0.0.0:8080, [::1]:8080, localhost:8080); port 0 picks a free one.
    #[arg(long, value_name = "ADDR:PORT", value_parser = parse_listen)]
    listen: Option<ListenAddr>,
    /// How many times faster than real time the demo's clock runs [default: 1].
    #[arg(long, value_name = "N")]
    demo_speed: Option<f64>,
    /// Run the server's clock N times faster than real time from --now (a drill or a training
    /// day played in minutes; snapshots then carry "clock_speed": N). Needs --now.
    #[arg(long, value_name = "N")]
    speed: Option<f64>,
    /// Seconds between status polls of a web page that cannot use the WebSocket feed (blocked
    /// by a proxy); the default (20) suits phones on weak networks.
    #[arg(long, value_name = "SECONDS",
          value_parser = clap::value_parser!(u32).range(1..=300))]
    poll_seconds: Option<u32>,
    /// Serve /healthz and /metrics only on this address (e.g. 127.0.0.1:9090), apart from the
    /// public one; without it they are served on --listen with everything else.
    #[arg(long, value_name = "ADDR:PORT", value_parser = parse_listen)]
    admin_listen: Option<ListenAddr>,
    /// Live viewers at once; beyond it /live answers 503 so staff requests and the status JSON
    /// keep room [default: the open-file limit less 1,024, at least 10,000 when it allows].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_viewers: Option<u64>,
    /// Seconds a client may take to send a request head, and a keep-alive connection may sit
    /// idle between requests [default: 30].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: Option<u64>,
    /// Seconds a request may take before it is answered 503 (the live feed's handshake only)
    /// [default: 30].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    request_timeout: Option<u64>,
    /// Seconds a live viewer may take to accept one frame before it is dropped (it stopped
    /// reading) [default: 10].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    send_timeout: Option<u64>,
}

impl ServerArgs {
    /// These options, with any not given here taken from `outer` (the top level, when these
    /// came after `serve`).
    fn or(self, outer: Self) -> Self {
        Self {
            now: self.now.or(outer.now),
            listen: self.listen.or(outer.listen),
            demo_speed: self.demo_speed.or(outer.demo_speed),
            speed: self.speed.or(outer.speed),
            poll_seconds: self.poll_seconds.or(outer.poll_seconds),
            admin_listen: self.admin_listen.or(outer.admin_listen),
            max_viewers: self.max_viewers.or(outer.max_viewers),
            header_timeout: self.header_timeout.or(outer.header_timeout),
            request_timeout: self.request_timeout.or(outer.request_timeout),
            send_timeout: self.send_timeout.or(outer.send_timeout),
        }
    }
}

/// Where to listen, as given: `ADDR:PORT` or `HOST:PORT`, resolved when binding (so
/// `localhost:8080` works as people type it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenAddr(String);

impl Default for ListenAddr {
    fn default() -> Self {
        Self("127.0.0.1:8080".to_string())
    }
}

impl std::fmt::Display for ListenAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Subcommand)]
enum Commands {
    /// Run the server (the default when no subcommand is given).
    Serve(ServerArgs),
    /// Manage staff tokens (works while the server runs; needs its database).
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Write a consistent copy of the database to FILE (works while the server runs), check
    /// it (SQLite integrity check) and print what it holds: tickets, events, tokens. A
    /// PostgreSQL --database is refused with how to back it up (pg_dump); nothing is written.
    Backup {
        /// Where to write the copy; must not exist, its directory must.
        file: PathBuf,
    },
    /// Print an office's days with their hours or closure reason.
    Calendar {
        /// Office id (default: the first configured office).
        #[arg(long)]
        office: Option<String>,
        /// First day (YYYY-MM-DD; default today in Japan).
        #[arg(long, value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD; default two weeks after --from).
        #[arg(long, value_parser = parse_date)]
        to: Option<NaiveDate>,
        /// Take "today" at this RFC 3339 instant instead of now.
        #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
        now: Option<DateTime<Utc>>,
    },
    /// Print a year's national holidays, one `YYYY-MM-DD<TAB>名称` per line.
    Holidays {
        /// The year (1955–2099).
        #[arg(value_parser = clap::value_parser!(i32).range(1955..=2099))]
        year: i32,
    },
    /// Answer the renewal guide for one certificate, without a server or a data directory:
    /// when to renew, what to bring, where (offices without live figures).
    Renewal(crate::renewal::cli::RenewalArgs),
    /// Simulate business days through the real queue and score every wait predictor
    /// (docs/estimates.md).
    Simulate(crate::simulate::cli::SimulateArgs),
    /// Print the hourly statistics of an office's days: tickets issued, called, served,
    /// no-shows, cancellations, waits (mean, median, 90th percentile) and service time.
    Stats(crate::history::cli::StatsArgs),
    /// Report the accuracy of the waits shown, from the real history, per hour of day.
    Accuracy(crate::simulate::cli::AccuracyArgs),
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        action: ConfigCommand,
    },
}

/// The token subcommands. Each needs the data directory's database to exist already (the
/// server creates it at its first start): a mistyped `--data` is refused, not made anew.
#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token and print it alone on stdout.
    Create {
        /// issuer, counter or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A unique label, recorded in events as the actor.
        #[arg(long)]
        name: String,
        /// Limit the token to this office (an office id of the configuration, e.g. main; give
        /// the server's --config); elsewhere it is refused with 403 office_forbidden.
        #[arg(long, value_name = "OFFICE")]
        office: Option<String>,
        /// The last day the token works (YYYY-MM-DD): it stops at the end of that day in Japan
        /// (midnight Asia/Tokyo), then gets 401 token_expired.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        expires: Option<NaiveDate>,
        /// Create the data directory and a new database when there is none (to make tokens
        /// before the server's first start); an existing database is used as it is.
        #[arg(long)]
        create_database: bool,
    },
    /// List tokens: a header line, then one tab-separated line per token: name, role, office
    /// (`all` or one office), created, expires (`never` or the instant, Japan time) and state
    /// (`active`, `revoked <when>` or `expired <when>`).
    List,
    /// Revoke a token by name.
    Revoke {
        /// The token's name.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Write the configuration in effect to stdout: the embedded default, or the --config
    /// file once it is validated (an invalid one is refused as the server would refuse it).
    Print,
}

/// An office and a range of business days, as `stats` and `accuracy` take them.
#[derive(Debug, clap::Args)]
pub struct OfficeDays {
    /// Office id (default: the first configured office).
    #[arg(long)]
    pub office: Option<String>,
    /// First business day (YYYY-MM-DD; default today in Japan).
    #[arg(long, value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last business day (YYYY-MM-DD; default --from).
    #[arg(long, value_parser = parse_date)]
    pub to: Option<NaiveDate>,
}

impl OfficeDays {
    /// The office and the first and last day, `today` standing in for a missing `--from`.
    pub fn resolve<'a>(
        &self,
        config: &'a Config,
        today: NaiveDate,
    ) -> Result<(&'a crate::config::OfficeConfig, NaiveDate, NaiveDate), CliError> {
        let office = match &self.office {
            Some(id) => config
                .office(id)
                .ok_or_else(|| CliError::UnknownOffice(id.clone()))?,
            None => config.offices.first().ok_or(CliError::NoOffice)?,
        };
        let from = self.from.unwrap_or(today);
        let to = self.to.unwrap_or(from);
        if to < from {
            return Err(CliError::ToBeforeFrom);
        }
        Ok((office, from, to))
    }
}

/// An RFC 3339 instant on the command line.
pub(crate) fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| {
            format!("expected an RFC 3339 instant like 2026-12-01T10:00:00+09:00: {error}")
        })
}

/// A `YYYY-MM-DD` date on the command line.
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "expected YYYY-MM-DD".to_string())
}

fn parse_listen(text: &str) -> Result<ListenAddr, String> {
    let expected = "expected ADDR:PORT, such as 127.0.0.1:8080, 0.0.0.0:8080, [::1]:8080 \
                    or localhost:8080";
    if text.parse::<SocketAddr>().is_ok() {
        return Ok(ListenAddr(text.to_string()));
    }
    match text.rsplit_once(':') {
        Some((host, port))
            if port.parse::<u16>().is_ok()
                && !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') =>
        {
            Ok(ListenAddr(text.to_string()))
        }
        _ => Err(expected.to_string()),
    }
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "expected issuer, counter or admin".to_string())
}

/// The log filter without `RUST_LOG`: `info`, except PostgreSQL's notices, which sqlx logs at
/// `info` and which say nothing to an operator (`relation "_sqlx_migrations" already exists,
/// skipping` at every start and every command on a PostgreSQL database).
const DEFAULT_LOG_FILTER: &str = "info,sqlx::postgres::notice=warn";

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER)),
        )
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(path: Option<&Path>) -> Result<Config, CliError> {
    Ok(match path {
        Some(path) => Config::load(path),
        None => Config::embedded(),
    }?)
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)
}

fn run(cli: Cli) -> Result<(), CliError> {
    // `--demo` means the demo's data directory for every command, so the token commands the
    // demo prints act on the demo's database.
    let data = cli.data.clone().unwrap_or_else(|| {
        PathBuf::from(if cli.demo {
            DEMO_DATA_DIR
        } else {
            DEFAULT_DATA_DIR
        })
    });
    let clock = clock::from_option(cli.server.now);
    let place = Place {
        data_given: cli.data.is_some(),
        database_given: cli.database.is_some(),
        database: cli
            .database
            .clone()
            .unwrap_or_else(|| Database::in_data_dir(&data)),
        data,
    };
    match cli.command {
        None => serve_command(cli.config, place, cli.demo, cli.server),
        Some(Commands::Serve(args)) => {
            let args = args.or(cli.server);
            serve_command(cli.config, place, cli.demo, args)
        }
        Some(Commands::Token { action }) => {
            runtime()?.block_on(token(action, &place.database, cli.config.as_deref(), clock))
        }
        Some(Commands::Backup { file }) => runtime()?.block_on(backup(&place.database, &file)),
        Some(Commands::Calendar {
            office,
            from,
            to,
            now,
        }) => {
            let config = load_config(cli.config.as_deref())?;
            let clock = clock::from_option(now.or(cli.server.now));
            print_calendar(&config, office.as_deref(), from, to, &clock)
        }
        Some(Commands::Holidays { year }) => {
            let mut out = std::io::stdout().lock();
            for (date, holiday) in calendar::holidays_in_year(year) {
                writeln!(out, "{}", calendar::holiday_line(date, &holiday))?;
            }
            Ok(())
        }
        Some(Commands::Renewal(args)) => {
            let config = load_config(cli.config.as_deref())?;
            crate::renewal::cli::run(&args, &config, &clock)
        }
        Some(Commands::Simulate(args)) => {
            let config = load_config(cli.config.as_deref())?;
            crate::simulate::cli::simulate(&args, &config)
        }
        Some(Commands::Stats(args)) => {
            let config = load_config(cli.config.as_deref())?;
            runtime()?.block_on(crate::history::cli::stats(
                &args,
                &config,
                &place.database,
                &clock,
            ))
        }
        Some(Commands::Accuracy(args)) => {
            let config = load_config(cli.config.as_deref())?;
            runtime()?.block_on(crate::simulate::cli::accuracy(
                &args,
                &config,
                &place.database,
                &clock,
            ))
        }
        Some(Commands::Config {
            action: ConfigCommand::Print,
        }) => print_config(cli.config.as_deref()),
    }
}

/// `config print`: the embedded default, or the `--config` file as it is, once it validates.
fn print_config(path: Option<&Path>) -> Result<(), CliError> {
    let text = match path {
        None => DEFAULT_TOML.to_string(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                file: path.to_path_buf(),
                source,
            })?;
            Config::parse(&text, &path.display().to_string())?;
            text
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    Ok(())
}

fn print_calendar(
    config: &Config,
    office: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    clock: &SharedClock,
) -> Result<(), CliError> {
    let office = match office {
        Some(id) => config
            .office(id)
            .ok_or_else(|| CliError::UnknownOffice(id.to_string()))?,
        None => config.offices.first().ok_or(CliError::NoOffice)?,
    };
    let from = from.unwrap_or_else(|| calendar::business_date(clock.now()));
    let to = to.unwrap_or(from + Duration::days(13));
    if to < from {
        return Err(CliError::ToBeforeFrom);
    }
    let mut out = std::io::stdout().lock();
    for plan in calendar::open_days(&office.schedule, from, to) {
        writeln!(out, "{}", calendar::calendar_line(&plan))?;
    }
    Ok(())
}

/// Where the data is: the data directory (the SQLite file by default, the first admin
/// token's file) and the database.
pub(crate) struct Place {
    /// `--data`, or the default directory.
    pub(crate) data: PathBuf,
    /// `--data` was given.
    pub(crate) data_given: bool,
    /// `--database` (or `QUEUE_DATABASE_URL`), or `queue.db` in the data directory.
    pub(crate) database: Database,
    /// `--database` (or `QUEUE_DATABASE_URL`) was given.
    pub(crate) database_given: bool,
}

/// Opens a store, creating and migrating it if needed: for the server, `simulate --into` (a
/// fresh directory) and `token create --create-database` only.
pub(crate) async fn open_store(database: &Database) -> Result<Store, CliError> {
    Store::connect(database)
        .await
        .map_err(|source| CliError::OpenStore {
            database: database.clone(),
            source,
        })
}

/// Opens the database for a command that reads or adds to it (`token`, `stats`, `accuracy`):
/// never creates it (a missing database is refused and nothing is made) and never migrates it
/// (that is the server's, at start).
pub(crate) async fn open_existing_store(database: &Database) -> Result<Store, CliError> {
    Ok(Store::open_existing(database).await?)
}
