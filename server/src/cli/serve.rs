//! Running the server (or the demo) from the command line: the port and the data directory's
//! lock before any data, the store, the first admin token (`first_admin`), the offices, then
//! `listening on http://ADDR:PORT` once, and shutdown on Ctrl-C or SIGTERM.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::net::TcpListener;

use super::first_admin::{TokenHint, ensure_first_admin_token};
use super::{CliError, ListenAddr, ServerArgs, load_config, open_store, runtime};
use crate::clock::{self, SharedClock};
use crate::config::Config;
use crate::server::{Server, Settings};
use crate::store::{DataDirLock, Store};
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
    let clock_chosen = args.now.is_some();
    runtime.block_on(serve(settings, &data, &listen, false, clock_chosen, hint))
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
    // The demo's clock is a chosen one, like --now.
    serve(settings, &demo.data, &listen, demo.fresh, true, hint).await
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
/// nothing; then opens the store (`reset`: emptied first), makes the first admin token if the
/// store has no token at all, starts the offices, and only then says `listening on`, once, on
/// stdout: scripts wait for that line. Serves until Ctrl-C or SIGTERM.
async fn serve(
    settings: Settings,
    data: &Path,
    listen: &ListenAddr,
    reset: bool,
    clock_chosen: bool,
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
    check_clock_against_store(&store, &settings.clock, clock_chosen).await?;
    ensure_first_admin_token(&store, &settings.clock, data, &hint).await?;
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
