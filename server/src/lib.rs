//! `queue-server`: the ticketing server for city-hall counters.
//!
//! Map of the crate (one module per concept; the wire format is the `queue-protocol` crate,
//! re-exported as [`protocol`], and `docs/protocol.md` documents it):
//! - [`calendar`]: pure business calendar: Japanese holidays, year-end closure, office hours.
//! - [`domain`]: pure queue rules: ticket lifecycle, counters, decisions of one office's queue.
//! - [`estimate`]: pure wait estimator (behind a trait) and congestion level.
//! - [`config`]: TOML configuration with the embedded Kanazawa default.
//! - [`clock`]: the injectable clock (system, `--now`, accelerated demo).
//! - [`store`]: the durable store (SQLite today), the only module that names it.
//! - [`office`]: one writer task per office: decide, write (group commit), then publish.
//! - [`wire`]: every conversion from the server's types to the wire types.
//! - [`feed`]: the live WebSocket feed, one task per viewer following the latest frame.
//! - [`demo`]: the simulated business day behind `--demo`.
//! - [`history`]: hourly aggregates of past days from the stored tickets, their CSV, and the
//!   visitors' weekday × hour forecast.
//! - [`simulate`]: `queue-server simulate`: many synthetic days through the real queue, every
//!   wait predictor scored against the actual waits.
//! - [`auth`]: staff tokens and roles.
//! - [`renewal`]: the renewal guide: when, what lapses, the notice, who brings what, where.
//! - [`http`]: router, handlers, web pages, the JSON error envelope and the health check.
//! - [`connections`]: accepting connections and serving HTTP/1.1 with a header-read timeout.
//! - [`limits`]: open files, the viewers they allow (`--max-viewers`), and the timeouts.
//! - [`server`]: start-up ([`Settings`] → [`Server`]), serving, and shutdown that waits for
//!   every task the server started.
//! - [`cli`]: the command line (`queue-server`, `token`, `backup`, `calendar`, `holidays`,
//!   `config`, `renewal`, `simulate`, `accuracy`, `stats`).

/// The wire types, from the `queue-protocol` crate that every client shares.
pub use queue_protocol as protocol;

/// Every binary built on this crate (the server, its benchmarks and tests) allocates with
/// mimalloc: a request, a batch and a publish make many short-lived allocations across the
/// runtime's threads, which glibc's allocator served at about a tenth of the CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod auth;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod connections;
pub mod demo;
pub mod domain;
pub mod estimate;
pub mod feed;
pub mod history;
pub mod http;
pub mod limits;
pub mod office;
pub mod renewal;
pub mod server;
pub mod simulate;
pub mod store;
pub mod wire;

pub use server::{Server, Settings};
