//! `queue-server`: the ticketing server for city-hall counters.
//!
//! Map of the crate (one module per concept; see `docs/protocol.md` for the wire format):
//! - [`protocol`]: wire types (HTTP and WebSocket), the only module built without the
//!   `server` feature, so the lobby display depends on it alone.
//! - [`calendar`]: pure business calendar: Japanese holidays, year-end closure, office hours.
//! - [`domain`]: pure queue rules: ticket lifecycle, counters, decisions of one office's queue.
//! - [`estimate`]: pure wait estimator (behind a trait) and congestion level.
//! - [`config`]: TOML configuration with the embedded Kanazawa default.
//! - [`clock`]: the injectable clock (system, `--now`, accelerated demo).
//! - [`store`]: the durable store (SQLite today), the only module that names it.
//! - [`office`]: one writer task per office: decide, write (group commit), then publish.
//! - [`feed`]: the live WebSocket feed, one task per viewer following the latest snapshot.
//! - [`demo`]: the simulated business day behind `--demo`.
//! - [`snapshot`]: queue + calendar → public snapshot and staff ticket views.
//! - [`auth`]: staff tokens and roles.
//! - [`renewal`]: the renewal guide: window, lapse, notice, who brings what, where (BRIEF R8–R22).
//! - [`http`]: router, handlers and the JSON error envelope.
//! - [`cli`]: the command line (`queue-server`, `token`, `backup`, `calendar`, `holidays`, `config`).

pub mod protocol;

#[cfg(feature = "server")]
pub mod auth;
#[cfg(feature = "server")]
pub mod calendar;
#[cfg(feature = "server")]
pub mod cli;
#[cfg(feature = "server")]
pub mod clock;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod demo;
#[cfg(feature = "server")]
pub mod domain;
#[cfg(feature = "server")]
pub mod estimate;
#[cfg(feature = "server")]
pub mod feed;
#[cfg(feature = "server")]
pub mod http;
#[cfg(feature = "server")]
pub mod office;
#[cfg(feature = "server")]
pub mod renewal;
#[cfg(feature = "server")]
pub mod snapshot;
#[cfg(feature = "server")]
pub mod store;

#[cfg(feature = "server")]
pub use server::{build_state, serve};

#[cfg(feature = "server")]
mod server {
    use std::collections::HashMap;
    use std::future::Future;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    use tokio::net::TcpListener;

    use crate::clock::SharedClock;
    use crate::config::Config;
    use crate::http::{self, AppState, Shared};
    use crate::office;
    use crate::store::{Store, StoreError};

    /// Starts one office task per configured office (each loads its day from the store) and
    /// returns the state the router serves.
    pub async fn build_state(
        config: Config,
        store: Store,
        clock: SharedClock,
        demo: bool,
    ) -> Result<AppState, StoreError> {
        let config = Arc::new(config);
        let mut offices = HashMap::new();
        for office in &config.offices {
            let handle =
                office::start(office, config.clone(), store.clone(), clock.clone(), demo).await?;
            offices.insert(office.id.clone(), handle);
        }
        Ok(AppState::new(Shared {
            config,
            offices,
            store,
            clock,
            shutdown: tokio::sync::watch::Sender::new(false),
            feed_metrics: Default::default(),
            pages: Default::default(),
        }))
    }

    /// Serves the router on `listener` until `shutdown` completes, then lets in-flight
    /// requests finish and closes every feed with 1001 (going away).
    pub async fn serve(
        listener: TcpListener,
        state: AppState,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let feeds = state.clone();
        let signal = async move {
            shutdown.await;
            feeds.shutdown.send_replace(true);
        };
        let served = axum::serve(listener, http::router(state.clone()))
            .with_graceful_shutdown(signal)
            .await;
        // Give the feed tasks a moment to send their close frames.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while state.feed_metrics.connections.load(Ordering::Relaxed) > 0
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        served
    }
}
