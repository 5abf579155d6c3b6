//! Start-up and shutdown in one place: [`Server::start`] loads every office's day and starts the
//! tasks the server runs (one writer per office, one feed relay per office, the demo's
//! simulation), and [`Server::serve`] serves the router until the shutdown signal, then waits for
//! every one of those tasks to finish (drop-to-finish: a task ends when what feeds it is gone).
//! The routes are served on one address, or the public ones on one and `/healthz` and
//! `/metrics` on another ([`Listeners`], `--admin-listen`).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::demo::Simulation;
use crate::feed::OfficeFeed;
use crate::feed::ViewerSlots;
use crate::http::{self, AppState, Shared};
use crate::limits::Limits;
use crate::store::{self, Store, StoreError};
use crate::{connections, office};

/// How long shutdown waits for tasks (feeds sending their close frames, offices finishing a
/// batch) before the process ends anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What the server runs with, decided once by the command line (or a test).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Offices, services, hours and thresholds.
    pub config: Config,
    /// The server's clock: the system's, one started at `--now`, or the demo's.
    pub clock: SharedClock,
    /// A simulated day (`--demo`): synthetic visitors and clerks act through the real queue,
    /// and every snapshot says `demo: true`.
    pub demo: bool,
    /// Seconds between status polls of a web page that cannot use the live feed.
    pub poll_seconds: u32,
    /// Viewers at most, and the timeouts of connections, requests and feed sends.
    pub limits: Limits,
    /// How old an office's last publish may be before `/healthz` fails (an office republishes
    /// at least every refresh interval; screens say "not live" after this).
    pub stale_publish: Duration,
}

impl Settings {
    /// A real (not demo) server with the pages' default polling interval.
    pub fn new(config: Config, clock: SharedClock) -> Self {
        Self {
            config,
            clock,
            demo: false,
            poll_seconds: http::pages::DEFAULT_POLL_SECONDS,
            limits: Limits::default(),
            stale_publish: crate::protocol::feed::STALE_AFTER,
        }
    }
}

/// Where the server listens: everything on `public`, or, with `admin`, the operators' routes
/// (`/healthz`, `/metrics`) only there and the rest only on `public`.
#[derive(Debug)]
pub struct Listeners {
    /// The address nginx (or the LAN) reaches.
    pub public: TcpListener,
    /// The address monitoring reaches (`--admin-listen`), if separate.
    pub admin: Option<TcpListener>,
}

impl From<TcpListener> for Listeners {
    /// One address for every route.
    fn from(public: TcpListener) -> Self {
        Self {
            public,
            admin: None,
        }
    }
}

/// A server whose office tasks run, ready to serve.
#[derive(Debug)]
pub struct Server {
    state: AppState,
    tasks: TaskTracker,
}

impl Server {
    /// Loads each office's day from `store` and starts the server's tasks.
    pub async fn start(settings: Settings, store: Store) -> Result<Self, StoreError> {
        let Settings {
            config,
            clock,
            demo,
            poll_seconds,
            limits,
            stale_publish,
        } = settings;
        let config = Arc::new(config);
        let tasks = TaskTracker::new();
        let mut offices = HashMap::new();
        let mut feeds = HashMap::new();
        let feed_metrics = Arc::default();
        for office in &config.offices {
            let handle = office::start(
                office,
                config.clone(),
                store.clone(),
                clock.clone(),
                demo,
                &tasks,
            )
            .await?;
            feeds.insert(
                office.id.clone(),
                OfficeFeed::start(&handle, &feed_metrics, &tasks),
            );
            offices.insert(office.id.clone(), handle);
        }
        let state = AppState::new(Shared {
            config: config.clone(),
            offices,
            feeds,
            store,
            clock: clock.clone(),
            shutdown: tokio::sync::watch::Sender::new(false),
            feed_metrics,
            pages: http::pages::PageSettings { poll_seconds },
            tasks: tasks.clone(),
            history: Default::default(),
            viewer_slots: ViewerSlots::new(limits.max_viewers),
            limits,
            stale_publish,
        });
        if demo {
            for (seed, office) in config.offices.iter().enumerate() {
                if let Some(handle) = state.offices.get(&office.id) {
                    let simulation = Simulation::new(
                        handle.clone(),
                        office,
                        &config,
                        clock.clone(),
                        seed as u64 + 1,
                    );
                    tasks.spawn(simulation.run(state.shutdown.subscribe()));
                }
            }
        }
        Ok(Self { state, tasks })
    }

    /// Follows what other instances on the same PostgreSQL database commit: each notification
    /// goes to its office's task, which catches up and publishes to this instance's viewers.
    /// Runs until the server shuts down.
    pub fn follow_other_instances(&self, mut listener: store::Listener) {
        let offices = self.state.offices.clone();
        let mut stopped = self.state.shutdown.subscribe();
        self.tasks.spawn(async move {
            loop {
                let heard = tokio::select! {
                    heard = listener.next() => heard,
                    _ = stopped.wait_for(|stopped| *stopped) => break,
                };
                match heard {
                    store::Heard::Change { office, seq } => {
                        if let Some(handle) = offices.get(&office) {
                            handle.heard(Some(seq));
                        }
                    }
                    store::Heard::MaybeMissed => {
                        for handle in offices.values() {
                            handle.heard(None);
                        }
                    }
                }
            }
        });
    }

    /// The state the router serves (offices, store, clock).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves on `listeners` until `shutdown` completes; then lets in-flight requests finish,
    /// closes every feed with 1001 (going away) and waits for the server's tasks.
    pub async fn serve(
        self,
        listeners: impl Into<Listeners>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Self { state, tasks } = self;
        let Listeners { public, admin } = listeners.into();
        let signal = {
            let state = state.clone();
            async move {
                shutdown.await;
                state.shutdown.send_replace(true);
            }
        };
        let stopped = state.shutdown.subscribe();
        let header_read_timeout = state.limits.header_read_timeout;
        let served_public;
        let served_admin;
        match admin {
            None => {
                let app = http::router(state.clone());
                served_public = connections::serve(
                    public,
                    app,
                    Some(state.clone()),
                    header_read_timeout,
                    stopped,
                );
                served_admin = None;
            }
            Some(admin) => {
                let app = http::public_router(state.clone());
                let operators = http::admin_router(state.clone());
                served_public = connections::serve(
                    public,
                    app,
                    Some(state.clone()),
                    header_read_timeout,
                    stopped.clone(),
                );
                served_admin = Some(connections::serve(
                    admin,
                    operators,
                    None,
                    header_read_timeout,
                    stopped,
                ));
            }
        }
        let admin = async move {
            if let Some(served) = served_admin {
                served.await;
            }
        };
        tokio::join!(signal, served_public, admin);
        // Let the tasks end: the offices once no handle is left, the relays once their office
        // ends, the feeds on the signal.
        drop(state);
        tasks.close();
        if tokio::time::timeout(SHUTDOWN_GRACE, tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(left = tasks.len(), "some tasks did not finish in time");
        }
        Ok(())
    }
}
