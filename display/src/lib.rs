//! The lobby display: a full-screen terminal view of one office's queue for the lobby TV, fed
//! by the queue server's WebSocket feed (`/api/v1/offices/{office}/live`).
//!
//! The crate follows state → update → draw, with I/O only at the edges:
//! - [`app`]: the state of the screen and [`app::App::update`], which turns events (a feed
//!   message, a tick, a key) into new state. No I/O and no clock: the caller passes `now`.
//! - [`ui`]: draws an [`app::App`] (`impl Widget for &App`), a pure function of the state;
//!   compact layout for 80×24, big layout for a large terminal.
//! - [`text`]: the display's own words: the language mode and the caption under a number.
//! - [`feed`]: the WebSocket connection in its own task: connect, parse and check each frame
//!   (against [`limits`]), reconnect forever with capped, jittered backoff; it sends
//!   [`feed::FeedEvent`]s. [`tls`] is the client side of `wss://`; [`failover`] picks the next
//!   of several `--server`s when a link is lost.
//! - [`run`]: the one `select!` loop over the clock tick, terminal input and feed events, and
//!   the terminal set-up/restore (also after a panic).
//! - [`cli`]: the command line; [`logging`]: logs to the `--log` file, never to the screen.
//!
//! The wire types come from `queue_protocol` (the server crate built without its
//! server feature), so the screen and the server cannot drift apart.

#![warn(missing_docs)]

pub mod app;
pub mod cli;
pub mod failover;
pub mod feed;
pub mod limits;
pub mod logging;
pub mod run;
pub mod text;
pub mod tls;
pub mod ui;

#[cfg(test)]
mod test_support;
