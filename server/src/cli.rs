//! The command line. `queue-server` alone runs the server; subcommands manage tokens, back up
//! the database, and print the calendar, the holidays and the default configuration.
//! Stdout carries only what a command prints (a token, calendar lines); logs go to stderr.
//!
//! Exit codes: 0 success, 1 failure (the reason on stderr), 2 bad usage.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

use crate::auth::{self, Role};
use crate::calendar;
use crate::clock::{self, SharedClock};
use crate::config::{Config, ConfigError, DEFAULT_TOML};
use crate::server::{Server, Settings};
use crate::store::{Store, StoreError};
use crate::wire;

/// Ticketing server for city-hall counters (Kanazawa City, My Number certificate renewal).
#[derive(Debug, Parser)]
#[command(name = "queue-server", version, about)]
pub struct Cli {
    /// TOML configuration file (default: the embedded Kanazawa configuration).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory holding the SQLite database [default: ./data; ./data/demo with --demo].
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Start the server's clock at this RFC 3339 instant (e.g. 2026-12-01T10:00:00+09:00);
    /// it runs forward in real time from there.
    #[arg(long, global = true, value_name = "RFC3339", value_parser = parse_instant)]
    now: Option<DateTime<Utc>>,
    /// Address to listen on (port 0 picks a free one).
    #[arg(
        long,
        global = true,
        value_name = "ADDR:PORT",
        default_value = "127.0.0.1:8080"
    )]
    listen: SocketAddr,
    /// Run a simulated business day (デモ): synthetic visitors and staff through the real queue.
    /// Starts at 10:00 on the next open day, or at --now; uses ./data/demo afresh unless --data.
    #[arg(long, global = true)]
    demo: bool,
    /// How many times faster than real time the demo's clock runs.
    #[arg(long, global = true, value_name = "N", default_value_t = 1.0)]
    demo_speed: f64,
    /// Run the server's clock N times faster than real time from --now (a drill or a training
    /// day played in minutes; snapshots then carry "clock_speed": N). Needs --now.
    #[arg(long, global = true, value_name = "N", default_value_t = 1.0)]
    speed: f64,
    /// Seconds between status polls of a web page that cannot use the WebSocket feed (blocked
    /// by a proxy); the default suits phones on weak networks.
    #[arg(long, global = true, value_name = "SECONDS",
          default_value_t = crate::http::pages::DEFAULT_POLL_SECONDS,
          value_parser = clap::value_parser!(u32).range(1..=300))]
    poll_seconds: u32,
    #[command(subcommand)]
    command: Option<Commands>,
}

#[derive(Debug, Subcommand)]
enum Commands {
    /// Run the server (the default).
    Serve,
    /// Manage staff tokens (works while the server runs).
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Write a consistent copy of the database to FILE (works while the server runs).
    Backup {
        /// Where to write the copy; must not exist.
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
    /// Report the accuracy of the waits shown, from the real history, per hour of day.
    Accuracy(crate::simulate::cli::AccuracyArgs),
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        action: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token and print it alone on stdout.
    Create {
        /// issuer, counter or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A label recorded in events (not a scope).
        #[arg(long)]
        name: String,
    },
    /// List tokens: name, role, created, state.
    List,
    /// Revoke a token by name.
    Revoke {
        /// The token's name.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Write the embedded default configuration to stdout.
    Print,
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| {
            format!("expected an RFC 3339 instant like 2026-12-01T10:00:00+09:00: {error}")
        })
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "expected YYYY-MM-DD".to_string())
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "expected issuer, counter or admin".to_string())
}

/// Why a command failed; printed as `error: …` on stderr with exit status 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The configuration file could not be read or is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The async runtime could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The database could not be opened (or created and migrated).
    #[error("cannot open the store in {path}: {source}")]
    OpenStore {
        /// The data directory.
        path: PathBuf,
        /// What the store said.
        source: StoreError,
    },
    /// A store operation of a subcommand failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `--office` names no configured office.
    #[error("unknown office {0:?}")]
    UnknownOffice(String),
    /// The configuration has no office at all.
    #[error("no office configured")]
    NoOffice,
    /// `calendar --to` is before `--from`.
    #[error("--to is before --from")]
    ToBeforeFrom,
    /// `token create --name` is blank.
    #[error("--name must not be empty")]
    EmptyTokenName,
    /// `token revoke` names no active token.
    #[error("no active token named {0:?}")]
    NoSuchToken(String),
    /// `backup` would overwrite a file.
    #[error("{} exists already", .0.display())]
    BackupExists(PathBuf),
    /// `--demo-speed` is zero, negative or not a number.
    #[error("--demo-speed must be above 0")]
    DemoSpeed,
    /// `--speed` is zero, negative or not a number, or given without `--now`.
    #[error("--speed must be above 0 and needs --now (the instant the fast clock starts from)")]
    Speed,
    /// `simulate` could not run.
    #[error(transparent)]
    Simulate(#[from] crate::simulate::SimulateError),
    /// The demo's old database could not be removed.
    #[error("cannot reset {}: {source}", path.display())]
    DemoReset {
        /// The file.
        path: PathBuf,
        /// The error the system gave.
        source: std::io::Error,
    },
    /// No open day to simulate.
    #[error("no open day within 400 days for the demo")]
    NoOpenDayForDemo,
    /// The first admin token could not be made.
    #[error("cannot create the admin token: {0}")]
    AdminToken(#[source] StoreError),
    /// An office's day could not be loaded.
    #[error("cannot load the queue: {0}")]
    LoadQueue(#[source] StoreError),
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address.
        address: SocketAddr,
        /// The error the system gave (in use, not permitted, no such address).
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("server error: {0}")]
    Serve(#[source] std::io::Error),
    /// The renewal guide cannot answer the question (a bad date or `who`).
    #[error(transparent)]
    Renewal(#[from] crate::renewal::RenewalError),
    /// Standard output could not be written (a closed pipe, a full disk).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
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
    let clock = fast_clock(cli.now, cli.speed)?;
    let data = cli.data.clone().unwrap_or_else(|| PathBuf::from("./data"));
    match cli.command {
        None | Some(Commands::Serve) => {
            let config = load_config(cli.config.as_deref())?;
            let runtime = runtime()?;
            if cli.demo {
                let demo = DemoOptions {
                    fresh: cli.data.is_none(),
                    data: cli.data.unwrap_or_else(|| PathBuf::from("./data/demo")),
                    now: cli.now,
                    speed: if cli.speed != 1.0 {
                        cli.speed
                    } else {
                        cli.demo_speed
                    },
                };
                return runtime.block_on(serve_demo(config, demo, cli.listen, cli.poll_seconds));
            }
            let settings = Settings {
                config,
                clock,
                demo: false,
                poll_seconds: cli.poll_seconds,
            };
            runtime.block_on(serve(settings, &data, cli.listen))
        }
        Some(Commands::Token { action }) => runtime()?.block_on(token(action, &data, clock)),
        Some(Commands::Backup { file }) => runtime()?.block_on(backup(&data, &file)),
        Some(Commands::Calendar { office, from, to }) => {
            let config = load_config(cli.config.as_deref())?;
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
        Some(Commands::Accuracy(args)) => {
            let config = load_config(cli.config.as_deref())?;
            runtime()?.block_on(crate::simulate::cli::accuracy(
                &args, &config, &data, &clock,
            ))
        }
        Some(Commands::Config {
            action: ConfigCommand::Print,
        }) => {
            print!("{DEFAULT_TOML}");
            Ok(())
        }
    }
}

/// The server's clock: `--now` at `--speed` (1 by default), or the system clock.
fn fast_clock(now: Option<DateTime<Utc>>, speed: f64) -> Result<SharedClock, CliError> {
    if !(speed.is_finite() && speed > 0.0) || (speed != 1.0 && now.is_none()) {
        return Err(CliError::Speed);
    }
    Ok(match now {
        Some(start) if speed != 1.0 => Arc::new(clock::StartedClock::with_speed(start, speed)),
        now => clock::from_option(now),
    })
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

pub(crate) async fn open_store(data: &Path) -> Result<Store, CliError> {
    Store::open(data)
        .await
        .map_err(|source| CliError::OpenStore {
            path: data.to_path_buf(),
            source,
        })
}

async fn token(action: TokenCommand, data: &Path, clock: SharedClock) -> Result<(), CliError> {
    let store = open_store(data).await?;
    let result = token_action(action, &store, clock).await;
    store.close().await;
    result
}

async fn token_action(
    action: TokenCommand,
    store: &Store,
    clock: SharedClock,
) -> Result<(), CliError> {
    match action {
        TokenCommand::Create { role, name } => {
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(CliError::EmptyTokenName);
            }
            let secret = auth::generate_secret();
            store
                .token_insert(
                    &name,
                    role.as_str(),
                    &auth::hash_secret(&secret),
                    clock.now(),
                )
                .await?;
            println!("{secret}");
        }
        TokenCommand::List => {
            let mut out = std::io::stdout().lock();
            for token in store.tokens_all().await? {
                let state = match &token.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "active".to_string(),
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    token.name, token.role, token.created_at, state
                )?;
            }
        }
        TokenCommand::Revoke { name } => {
            if !store.token_revoke(&name, clock.now()).await? {
                return Err(CliError::NoSuchToken(name));
            }
            eprintln!("revoked token {name:?}");
        }
    }
    Ok(())
}

async fn backup(data: &Path, file: &Path) -> Result<(), CliError> {
    if file.exists() {
        return Err(CliError::BackupExists(file.to_path_buf()));
    }
    let store = open_store(data).await?;
    let result = store.backup(file).await;
    store.close().await;
    result?;
    eprintln!("backup written to {}", file.display());
    Ok(())
}

/// Makes an admin token on first start, when none exists, and prints it once.
async fn ensure_admin_token(store: &Store, clock: &SharedClock) -> Result<(), StoreError> {
    if store.admin_token_exists().await? {
        return Ok(());
    }
    let secret = auth::generate_secret();
    let hash = auth::hash_secret(&secret);
    let mut name = "admin".to_string();
    let mut attempt = 1;
    loop {
        match store.token_insert(&name, "admin", &hash, clock.now()).await {
            Ok(()) => break,
            Err(StoreError::TokenNameTaken(_)) => {
                attempt += 1;
                name = format!("admin-{attempt}");
            }
            Err(error) => return Err(error),
        }
    }
    println!("admin token: {secret}");
    tracing::warn!(
        name,
        "created the first admin token; it is printed once above, keep it safe"
    );
    Ok(())
}

/// How to run the demo.
struct DemoOptions {
    /// The default demo directory: start from an empty database each run.
    fresh: bool,
    data: PathBuf,
    now: Option<DateTime<Utc>>,
    speed: f64,
}

async fn serve_demo(
    config: Config,
    demo: DemoOptions,
    listen: SocketAddr,
    poll_seconds: u32,
) -> Result<(), CliError> {
    if !(demo.speed.is_finite() && demo.speed > 0.0) {
        return Err(CliError::DemoSpeed);
    }
    if demo.fresh {
        for file in ["queue.db", "queue.db-wal", "queue.db-shm"] {
            let path = demo.data.join(file);
            if path.exists() {
                std::fs::remove_file(&path)
                    .map_err(|source| CliError::DemoReset { path, source })?;
            }
        }
    }
    let schedule = &config.offices.first().ok_or(CliError::NoOffice)?.schedule;
    let clock: SharedClock = match demo.now {
        Some(start) => Arc::new(clock::StartedClock::with_speed(start, demo.speed)),
        None => {
            let (opening, start) = crate::demo::start_instants(schedule, Utc::now())
                .ok_or(CliError::NoOpenDayForDemo)?;
            // One simulated hour of warm-up in about 20 seconds.
            Arc::new(clock::WarmUpClock::new(opening, start, 180.0, demo.speed))
        }
    };
    eprintln!(
        "demo: simulated day from {} at {}x, data in {}",
        wire::tokyo(clock.now()),
        demo.speed,
        demo.data.display()
    );
    let settings = Settings {
        config,
        clock,
        demo: true,
        poll_seconds,
    };
    serve(settings, &demo.data, listen).await
}

/// Opens the store, makes the first admin token if none exists, starts the offices, binds the
/// port and serves until Ctrl-C or SIGTERM.
async fn serve(settings: Settings, data: &Path, listen: SocketAddr) -> Result<(), CliError> {
    let store = open_store(data).await?;
    ensure_admin_token(&store, &settings.clock)
        .await
        .map_err(CliError::AdminToken)?;
    let server = Server::start(settings, store.clone())
        .await
        .map_err(CliError::LoadQueue)?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| CliError::Listen {
            address: listen,
            source,
        })?;
    let address = listener.local_addr().map_err(CliError::Serve)?;
    println!("listening on http://{address}");
    std::io::stdout().flush()?;
    tracing::info!(%address, data = %data.display(), "queue-server started");
    server
        .serve(listener, shutdown_signal())
        .await
        .map_err(CliError::Serve)?;
    store.close().await;
    tracing::info!("queue-server stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
