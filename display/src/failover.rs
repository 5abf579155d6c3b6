//! Several `--server`s: instances of the queue server on one database, serving the same offices
//! with the same `seq`. When the link to one is lost (closed, refused, or silent past the
//! feed's limit), the next is tried at once, in the order given and round-robin; the backoff of
//! [`feed::backoff_delay`] is paid once per full round, so a dead first server never delays
//! reaching the second. With a single server every attempt is a full round: the backoff is
//! exactly that of a display with one server.
//!
//! Which data may replace what is on screen after a switch is the screen's decision
//! (`app::seq_order`), not the feed's.

use std::time::Duration;

use crate::feed;

/// The server being tried and how many attempts failed since the last snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// How many servers there are (at least one).
    servers: usize,
    /// Index of the server being tried or used, in `--server` order.
    current: usize,
    /// Attempts that ended since the last snapshot arrived, over all servers.
    failures: u32,
}

impl Rotation {
    /// Starts with the first of `servers` servers (a count of zero is taken as one).
    pub fn new(servers: usize) -> Self {
        Self {
            servers: servers.max(1),
            current: 0,
            failures: 0,
        }
    }

    /// Index of the server to try now.
    pub fn current(&self) -> usize {
        self.current
    }

    /// Attempts that ended since the last snapshot (0 right after a good connection).
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// A snapshot arrived: the current server works, so the next loss starts a fresh round.
    pub fn synced(&mut self) {
        self.failures = 0;
    }

    /// The attempt on the current server ended (failed, or a connection was lost): moves to the
    /// next server and returns how long to wait before trying it. No wait inside a round; after
    /// the last server of a round, the backoff of that round (`jitter` ∈ [0, 1), see
    /// [`feed::backoff_delay`]).
    pub fn advance(&mut self, jitter: f64) -> Option<Duration> {
        self.failures = self.failures.saturating_add(1);
        self.current = (self.current + 1) % self.servers;
        let servers = u32::try_from(self.servers).unwrap_or(u32::MAX);
        self.failures
            .is_multiple_of(servers)
            .then(|| feed::backoff_delay(self.failures / servers, jitter))
    }
}

#[cfg(test)]
mod tests;
