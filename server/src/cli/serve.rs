//! Running the server (or the demo) from the command line: the port and the data directory's
//! lock before any data, the store, the first admin token (`first_admin`), the offices, then
//! `listening on http://ADDR:PORT` once, and shutdown on Ctrl-C or SIGTERM.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::net::TcpListener;

use super::first_admin::{TokenHint, ensure_first_admin_token};
use super::{CliError, ListenAddr, Place, ServerArgs, load_config, open_store, runtime};
use crate::clock::{self, SharedClock};
use crate::config::Config;
use crate::limits::{self, Limits};
use crate::server::{Listeners, Server, Settings};
use crate::store::{self, DataDirLock, Store, StoreError};
use crate::wire;

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
pub(super) const DEFAULT_DATA_DIR: &str = "./data";

/// The demo's data directory without `--data`: apart from the real one, emptied each run.
pub(super) const DEMO_DATA_DIR: &str = "./data/demo";

/// Runs the server (or the demo) with the options given before or after `serve`.
pub(super) fn serve_command(
    config: Option<PathBuf>,
    place: Place,
    demo: bool,
    args: ServerArgs,
) -> Result<(), CliError> {
    let config = load_config(config.as_deref())?;
    let listen = args.listen.clone().unwrap_or_default();
    let poll_seconds = args
        .poll_seconds
        .unwrap_or(crate::http::pages::DEFAULT_POLL_SECONDS);
    let hint = TokenHint {
        data: place.data_given.then(|| place.data.clone()),
        demo,
    };
    let speed = args.speed.unwrap_or(1.0);
    let clock = fast_clock(args.now, speed)?;
    let limits = limits_of(&args);
    let addresses = Addresses {
        listen,
        admin: args.admin_listen.clone(),
    };
    let runtime = runtime()?;
    if demo {
        let options = DemoOptions {
            fresh: !place.data_given && !place.database_given,
            place,
            now: args.now,
            speed: args.speed.or(args.demo_speed).unwrap_or(1.0),
            poll_seconds,
            limits,
        };
        return runtime.block_on(serve_demo(config, options, addresses, hint));
    }
    let settings = Settings {
        config,
        clock,
        demo: false,
        poll_seconds,
        limits,
        stale_publish: crate::protocol::feed::STALE_AFTER,
    };
    let clock_chosen = args.now.is_some();
    runtime.block_on(serve(
        settings,
        &place,
        &addresses,
        false,
        clock_chosen,
        hint,
    ))
}

/// Where the server listens: the public address, and the operators' one if apart.
struct Addresses {
    listen: ListenAddr,
    admin: Option<ListenAddr>,
}

/// The limits from the command line, after raising the soft limit on open files to the hard
/// one (both logged): `--max-viewers` defaults to what the raised limit leaves room for.
fn limits_of(args: &ServerArgs) -> Limits {
    let open_files = match limits::raise_open_files() {
        Ok(files) => {
            tracing::info!(
                before = files.before,
                soft = files.soft,
                hard = files.hard,
                "open files: soft limit raised to the hard limit"
            );
            Some(files.soft)
        }
        Err(error) => {
            tracing::warn!(%error, "cannot raise the limit on open files");
            rlimit_soft()
        }
    };
    let default_viewers = open_files
        .map(limits::default_max_viewers)
        .unwrap_or(limits::FALLBACK_MAX_VIEWERS);
    let max_viewers = match args.max_viewers {
        Some(asked) => {
            let asked = usize::try_from(asked).unwrap_or(usize::MAX);
            if asked > default_viewers {
                tracing::warn!(
                    asked,
                    room = default_viewers,
                    "--max-viewers is above what the open-file limit leaves room for"
                );
            }
            asked
        }
        None => default_viewers,
    };
    tracing::info!(max_viewers, "live viewers at most");
    let seconds =
        |given: Option<u64>, default: Duration| given.map(Duration::from_secs).unwrap_or(default);
    Limits {
        max_viewers,
        header_read_timeout: seconds(args.header_timeout, limits::HEADER_READ_TIMEOUT),
        request_timeout: seconds(args.request_timeout, limits::REQUEST_TIMEOUT),
        send_timeout: seconds(args.send_timeout, limits::SEND_TIMEOUT),
    }
}

/// The soft limit on open files as it is, when it could not be raised.
fn rlimit_soft() -> Option<u64> {
    #[cfg(unix)]
    {
        rlimit::getrlimit(rlimit::Resource::NOFILE)
            .ok()
            .map(|(soft, _)| soft)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// How to run the demo.
struct DemoOptions {
    /// The default demo directory: start from an empty database each run.
    fresh: bool,
    place: Place,
    now: Option<DateTime<Utc>>,
    speed: f64,
    poll_seconds: u32,
    limits: Limits,
}

async fn serve_demo(
    config: Config,
    demo: DemoOptions,
    addresses: Addresses,
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
        demo.place.database
    );
    let settings = Settings {
        config,
        clock,
        demo: true,
        poll_seconds: demo.poll_seconds,
        limits: demo.limits,
        stale_publish: crate::protocol::feed::STALE_AFTER,
    };
    // The demo's clock is a chosen one, like --now.
    serve(settings, &demo.place, &addresses, demo.fresh, true, hint).await
}

/// Empties the demo's default database file, so each demo starts a day with no tickets. Only
/// called with the directory's lock held: never under a running demo.
fn reset_demo_database(database: &Path) -> Result<(), CliError> {
    for suffix in ["", "-wal", "-shm"] {
        let mut path = database.as_os_str().to_owned();
        path.push(suffix);
        let path = PathBuf::from(path);
        if path.exists() {
            std::fs::remove_file(&path).map_err(|source| CliError::DemoReset { path, source })?;
        }
    }
    Ok(())
}

/// Binds the port and locks the data directory before touching any data, so a second start
/// (the demo run twice, a second service on the same directory) fails in a moment and harms
/// nothing; then opens the store (`reset`: emptied first), makes the first admin token if the
/// store has no token at all, starts the offices, and only then says `listening on`, once, on
/// stdout: scripts wait for that line. Serves until Ctrl-C or SIGTERM.
async fn serve(
    settings: Settings,
    place: &Place,
    addresses: &Addresses,
    reset: bool,
    clock_chosen: bool,
    hint: TokenHint,
) -> Result<(), CliError> {
    let listener = bind(&addresses.listen).await?;
    let admin = match &addresses.admin {
        Some(address) => Some(bind(address).await?),
        None => None,
    };
    // One server per SQLite file: its directory is locked. Instances share a PostgreSQL
    // database by design.
    let lock = match place.database.sqlite_file() {
        Some(file) => {
            let dir = file.parent().filter(|dir| !dir.as_os_str().is_empty());
            let dir = dir.unwrap_or(Path::new("."));
            let lock = DataDirLock::acquire(dir)?;
            if reset {
                reset_demo_database(file)?;
            }
            Some(lock)
        }
        None => None,
    };
    let store = open_store(&place.database).await?;
    std::fs::create_dir_all(&place.data).map_err(|source| CliError::OpenStore {
        database: place.database.clone(),
        source: StoreError::DataDir {
            path: place.data.clone(),
            source,
        },
    })?;
    check_clock_against_store(&store, &settings.clock, clock_chosen).await?;
    ensure_first_admin_token(&store, &settings.clock, &place.data, &hint).await?;
    let server = Server::start(settings, store.clone())
        .await
        .map_err(CliError::LoadQueue)?;
    if let Some(listener) = store::listen(&place.database)
        .await
        .map_err(CliError::LoadQueue)?
    {
        server.follow_other_instances(listener);
    }
    let address = listener.local_addr().map_err(CliError::Serve)?;
    if let Some(admin) = &admin {
        let admin = admin.local_addr().map_err(CliError::Serve)?;
        println!("admin routes on http://{admin} (/healthz, /metrics)");
    }
    println!("listening on http://{address}");
    std::io::stdout().flush()?;
    tracing::info!(%address, database = %place.database, "queue-server started");
    server
        .serve(
            Listeners {
                public: listener,
                admin,
            },
            shutdown_signal(),
        )
        .await
        .map_err(CliError::Serve)?;
    store.close().await;
    drop(lock);
    tracing::info!("queue-server stopped");
    Ok(())
}

/// Refuses to start on the system clock when it is earlier than the last event in the store
/// (a host that booted before its clock synchronised, a clock set back): the server would stamp
/// new events before old ones, and a clock a day behind would reopen a day that has ended. A
/// chosen clock (`--now`, the demo) is deliberate: tests restart servers on the same data at
/// the same `--now`, and CLI commands stamp events with the real clock; it only warns.
async fn check_clock_against_store(
    store: &Store,
    clock: &SharedClock,
    clock_chosen: bool,
) -> Result<(), CliError> {
    let Some(last) = store.last_event_at().await? else {
        return Ok(());
    };
    let now = clock.now();
    if now >= last {
        return Ok(());
    }
    let (now, last) = (wire::tokyo(now), wire::tokyo(last));
    if clock_chosen {
        tracing::warn!(
            %now,
            %last,
            "the chosen clock is earlier than the last event in the store; starting anyway"
        );
        return Ok(());
    }
    Err(CliError::ClockBehindStore { now, last })
}

/// Binds one of the server's addresses.
async fn bind(address: &ListenAddr) -> Result<TcpListener, CliError> {
    TcpListener::bind(address.0.as_str())
        .await
        .map_err(|source| CliError::Listen {
            address: address.clone(),
            source,
        })
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
