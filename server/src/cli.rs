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
use crate::store::{DataDirLock, LockError, Store, StoreError};
use crate::wire;

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
    /// Manage staff tokens (works while the server runs).
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Write a consistent copy of the database to FILE (works while the server runs).
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
    /// List tokens under a header line: name, role, created (Japan time), state.
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
    /// `backup` into a directory that is not there (SQLite would only say "code 14").
    #[error("the directory {} does not exist; create it first (mkdir -p {})", .0.display(), .0.display())]
    BackupDirMissing(PathBuf),
    /// Another server holds the data directory, or it cannot be locked.
    #[error(transparent)]
    Lock(#[from] LockError),
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
    #[error("cannot listen on {address}: {}", listen_reason(source))]
    Listen {
        /// The address, as given.
        address: ListenAddr,
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

/// Why a bind failed, in the words an operator needs: a busy port is the common case.
fn listen_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => "the port is in use (another queue-server or another \
                                          program); stop it or choose another --listen"
            .to_string(),
        _ => error.to_string(),
    }
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
    match cli.command {
        None => serve_command(cli.config, cli.data, data, cli.demo, cli.server),
        Some(Commands::Serve(args)) => {
            let args = args.or(cli.server);
            serve_command(cli.config, cli.data, data, cli.demo, args)
        }
        Some(Commands::Token { action }) => runtime()?.block_on(token(action, &data, clock)),
        Some(Commands::Backup { file }) => runtime()?.block_on(backup(&data, &file)),
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
        Some(Commands::Accuracy(args)) => {
            let config = load_config(cli.config.as_deref())?;
            runtime()?.block_on(crate::simulate::cli::accuracy(
                &args, &config, &data, &clock,
            ))
        }
        Some(Commands::Config {
            action: ConfigCommand::Print,
        }) => print_config(cli.config.as_deref()),
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

/// The data directory without `--data`.
const DEFAULT_DATA_DIR: &str = "./data";

/// The demo's data directory without `--data`: apart from the real one, emptied each run.
const DEMO_DATA_DIR: &str = "./data/demo";

/// Runs the server (or the demo) with the options given before or after `serve`.
fn serve_command(
    config: Option<PathBuf>,
    data_given: Option<PathBuf>,
    data: PathBuf,
    demo: bool,
    args: ServerArgs,
) -> Result<(), CliError> {
    let config = load_config(config.as_deref())?;
    let listen = args.listen.unwrap_or_default();
    let poll_seconds = args
        .poll_seconds
        .unwrap_or(crate::http::pages::DEFAULT_POLL_SECONDS);
    let hint = TokenHint {
        data: data_given.clone(),
        demo,
    };
    let speed = args.speed.unwrap_or(1.0);
    let clock = fast_clock(args.now, speed)?;
    let runtime = runtime()?;
    if demo {
        let options = DemoOptions {
            fresh: data_given.is_none(),
            data,
            now: args.now,
            speed: args.speed.or(args.demo_speed).unwrap_or(1.0),
        };
        return runtime.block_on(serve_demo(config, options, listen, poll_seconds, hint));
    }
    let settings = Settings {
        config,
        clock,
        demo: false,
        poll_seconds,
    };
    runtime.block_on(serve(settings, &data, &listen, false, hint))
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
            writeln!(out, "NAME\tROLE\tCREATED\tSTATE")?;
            for token in store.tokens_all().await? {
                let state = match token.revoked_at {
                    Some(at) => format!("revoked {}", japan_time(at)),
                    None => "active".to_string(),
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    token.name,
                    token.role,
                    japan_time(token.created_at),
                    state
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

/// An instant in Japan time, to the second (`2026-12-01T10:00:02+09:00`), as every other
/// output shows time (domain R4).
fn japan_time(at: DateTime<Utc>) -> String {
    wire::tokyo(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

async fn backup(data: &Path, file: &Path) -> Result<(), CliError> {
    if file.exists() {
        return Err(CliError::BackupExists(file.to_path_buf()));
    }
    let directory = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !directory.is_dir() {
        return Err(CliError::BackupDirMissing(directory.to_path_buf()));
    }
    let store = open_store(data).await?;
    let result = store.backup(file).await;
    store.close().await;
    result?;
    eprintln!("backup written to {}", file.display());
    Ok(())
}

/// How to make more tokens for the data directory this server runs on, printed with a new
/// admin token so that the command shown works as it is (the demo's directory included).
struct TokenHint {
    /// `--data` as given, if it was.
    data: Option<PathBuf>,
    /// `--demo` was given.
    demo: bool,
}

impl TokenHint {
    /// `queue-server [--demo | --data DIR] token create --role issuer --name reception-1`, with
    /// the program as it was started (a bare name on PATH, or `target/release/queue-server`).
    fn command(&self) -> String {
        let program = std::env::args_os()
            .next()
            .map(|program| shell_word(&program.to_string_lossy()))
            .unwrap_or_else(|| "queue-server".to_string());
        let place = match (&self.data, self.demo) {
            (Some(dir), _) => format!(" --data {}", shell_word(&dir.display().to_string())),
            (None, true) => " --demo".to_string(),
            (None, false) => String::new(),
        };
        format!("{program}{place} token create --role issuer --name reception-1")
    }
}

/// `word` as one shell word: as is when it is plain, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// Makes an admin token on first start, when none exists, and prints it once with the command
/// that makes more.
async fn ensure_admin_token(
    store: &Store,
    clock: &SharedClock,
    hint: &TokenHint,
) -> Result<(), StoreError> {
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
    println!("more tokens: {}", hint.command());
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
    listen: ListenAddr,
    poll_seconds: u32,
    hint: TokenHint,
) -> Result<(), CliError> {
    if !(demo.speed.is_finite() && demo.speed > 0.0) {
        return Err(CliError::DemoSpeed);
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
    serve(settings, &demo.data, &listen, demo.fresh, hint).await
}

/// Empties the demo's default directory, so each demo starts a day with no tickets. Only
/// called with the directory's lock held: never under a running demo.
fn reset_demo_database(data: &Path) -> Result<(), CliError> {
    for file in ["queue.db", "queue.db-wal", "queue.db-shm"] {
        let path = data.join(file);
        if path.exists() {
            std::fs::remove_file(&path).map_err(|source| CliError::DemoReset { path, source })?;
        }
    }
    Ok(())
}

/// Binds the port and locks the data directory before touching any data, so a second start
/// (the demo run twice, a second service on the same directory) fails in a moment and harms
/// nothing; then opens the store (`reset`: emptied first), makes the first admin token if none
/// exists, starts the offices, and only then says `listening on`, once, on stdout: scripts
/// wait for that line. Serves until Ctrl-C or SIGTERM.
async fn serve(
    settings: Settings,
    data: &Path,
    listen: &ListenAddr,
    reset: bool,
    hint: TokenHint,
) -> Result<(), CliError> {
    let listener = TcpListener::bind(listen.0.as_str())
        .await
        .map_err(|source| CliError::Listen {
            address: listen.clone(),
            source,
        })?;
    let lock = DataDirLock::acquire(data)?;
    if reset {
        reset_demo_database(data)?;
    }
    let store = open_store(data).await?;
    ensure_admin_token(&store, &settings.clock, &hint)
        .await
        .map_err(CliError::AdminToken)?;
    let server = Server::start(settings, store.clone())
        .await
        .map_err(CliError::LoadQueue)?;
    let address = listener.local_addr().map_err(CliError::Serve)?;
    println!("listening on http://{address}");
    std::io::stdout().flush()?;
    tracing::info!(%address, data = %data.display(), "queue-server started");
    server
        .serve(listener, shutdown_signal())
        .await
        .map_err(CliError::Serve)?;
    store.close().await;
    drop(lock);
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
