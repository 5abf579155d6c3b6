//! Which message may change the screen, by `seq`. Instances of the server on one database share
//! one `seq` per office, so after a switch to another instance (or a restart) the new feed's
//! first snapshot is normally at or past what is on screen; an instance that has not caught up
//! yet may be slightly behind. The newer data on screen is kept (marked not live) until the new
//! server reaches its `seq`: the screen never silently steps back to older data. A server that
//! stays behind for [`CATCH_UP_LIMIT`] is then believed (its database was restored, or it is
//! another database altogether, as with a server started afresh): its latest snapshot is taken
//! as the whole truth and its `seq` becomes the new mark.

use std::time::{Duration, Instant};

use queue_protocol::{Message, Payload};

/// How long a server behind the screen's `seq` is waited for before its snapshot is believed.
/// Instances on one database catch up within a second or two; this is the bound for the day it
/// is not that: data older than the screen's, marked not live, never for longer than this.
pub const CATCH_UP_LIMIT: Duration = Duration::from_secs(10);

/// What to do with one message.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// At or past the screen's `seq`: show it.
    Show(Message),
    /// The latest snapshot of a server behind for [`CATCH_UP_LIMIT`]: show it as the whole
    /// truth.
    Believe(Held),
    /// A `call` whose `seq` the screen already has (the call, or a snapshot after it): the link
    /// is alive but nothing is new, so no second highlight or bell.
    Repeat(Message),
    /// Behind the screen: kept aside, and the screen keeps its newer data.
    Held,
}

/// The highest `seq` shown, and a server behind it.
#[derive(Clone, Debug, Default)]
pub struct SeqOrder {
    /// The highest `seq` on screen.
    shown: Option<u64>,
    /// Set while the current connection's messages are behind [`SeqOrder::shown`].
    behind: Option<Behind>,
}

/// A server behind the screen: since when, and its latest snapshot.
#[derive(Clone, Debug)]
struct Behind {
    since: Instant,
    snapshot: Option<Held>,
}

/// A snapshot held back, and when it arrived (its clock runs from then).
#[derive(Clone, Debug, PartialEq)]
pub struct Held {
    /// The snapshot message.
    pub message: Message,
    /// The local instant it arrived.
    pub received_at: Instant,
}

impl SeqOrder {
    /// The highest `seq` on screen.
    pub fn shown(&self) -> Option<u64> {
        self.shown
    }

    /// Decides on `message`, received at `now`.
    pub fn admit(&mut self, message: Message, now: Instant) -> Verdict {
        let seq = message.seq;
        match self.shown {
            Some(shown) if seq < shown => {
                let behind = self.behind.get_or_insert(Behind {
                    since: now,
                    snapshot: None,
                });
                if matches!(message.payload, Payload::Snapshot(_)) {
                    behind.snapshot = Some(Held {
                        message,
                        received_at: now,
                    });
                }
                self.overdue(now).map_or(Verdict::Held, Verdict::Believe)
            }
            Some(shown) if seq == shown && matches!(message.payload, Payload::Call(_)) => {
                self.behind = None;
                Verdict::Repeat(message)
            }
            _ => {
                self.behind = None;
                if message.payload != Payload::Unknown {
                    self.shown = Some(seq);
                }
                Verdict::Show(message)
            }
        }
    }

    /// The held snapshot once its server has been behind for [`CATCH_UP_LIMIT`]: from then on
    /// it is the screen's data, and its `seq` the new mark.
    pub fn overdue(&mut self, now: Instant) -> Option<Held> {
        let behind = self.behind.as_mut()?;
        if now.saturating_duration_since(behind.since) < CATCH_UP_LIMIT {
            return None;
        }
        let snapshot = behind.snapshot.take()?;
        self.behind = None;
        self.shown = Some(snapshot.message.seq);
        Some(snapshot)
    }

    /// The connection ended or another begins: what a server behind sent is dropped with it,
    /// and the next one is judged afresh.
    pub fn new_connection(&mut self) {
        self.behind = None;
    }

    /// Whether the screen is holding its data against a server that is behind.
    pub fn is_behind(&self) -> bool {
        self.behind.is_some()
    }
}
