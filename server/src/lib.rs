//! `queue-server`: the ticketing server for city-hall counters.
//!
//! Map of the crate (one module per concept; see `docs/protocol.md` for the wire format):
//! - [`protocol`]: wire types (HTTP and WebSocket), the only module built without the
//!   `server` feature, so the lobby display depends on it alone.
//! - [`calendar`]: pure business calendar: Japanese holidays, year-end closure, office hours.
//! - [`domain`]: pure queue rules: ticket lifecycle, counters, decisions of one office's queue.
//! - [`config`]: TOML configuration with the embedded Kanazawa default.
//! - [`clock`]: the injectable clock (system, `--now`, accelerated demo).
//! - [`store`]: the durable store (SQLite today), the only module that names it.
//! - [`office`]: one writer task per office: decide, write (group commit), then publish.
//! - [`snapshot`]: queue + calendar → public snapshot and staff ticket views.
//! - [`auth`]: staff tokens and roles.
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
pub mod domain;
#[cfg(feature = "server")]
pub mod http;
#[cfg(feature = "server")]
pub mod office;
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
        }))
    }

    /// Serves the router on `listener` until `shutdown` completes, then lets in-flight
    /// requests finish.
    pub async fn serve(
        listener: TcpListener,
        state: AppState,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, http::router(state))
            .with_graceful_shutdown(shutdown)
            .await
    }
}
