//! The screen's state and its update: events in, new state out, no I/O and no clock.
//!
//! Every event comes with the local monotonic `now` at which it happened; the server's time is
//! the last message's `generated_at` plus the time elapsed locally since it arrived, so a server
//! started with `--now` (or a demo) shows its own day, whatever the lobby PC's clock says.
//!
//! Messages pass [`seq_order`] first: after a switch to another server, data older than what is
//! on screen is held back until that server catches up (or is believed after a bound).

mod seq_order;

use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, TimeDelta};
use queue_protocol::{CallEvent, Message, Payload, Snapshot};

use crate::feed::{ConnectProblem, FeedEvent};
use crate::text::{Lang, LangMode};

pub use seq_order::CATCH_UP_LIMIT;
use seq_order::{SeqOrder, Verdict};

/// How long a newly called number stays highlighted: several seconds, enough to look up.
pub const HIGHLIGHT_FOR: Duration = Duration::from_secs(10);

/// Silence after which the screen is not live: the feed's own contract (two missed refreshes).
pub use queue_protocol::feed::STALE_AFTER;

/// What happened, as the screen cares about it.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The clock ticked (redraw the time, expire highlights).
    Tick,
    /// The feed task reported something.
    Feed(FeedEvent),
    /// The terminal changed size.
    Resize,
    /// `q` or Ctrl-C.
    Quit,
}

/// What the loop must do after an update; the update itself does no I/O.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Effects {
    /// The screen changed.
    pub redraw: bool,
    /// Ring the terminal bell (a new call and `--bell`).
    pub bell: bool,
}

/// The state of the link to the server, as far as the feed task has told us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Trying to connect; `attempt` failures since the last good connection.
    Connecting {
        /// Failed attempts so far.
        attempt: u32,
    },
    /// The WebSocket is open.
    Connected,
}

/// How the screen should present the link, derived from [`Link`], the data and the time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkView {
    /// Connected, snapshot received on this connection, last message within [`STALE_AFTER`].
    Live,
    /// No data yet since the display started.
    Connecting,
    /// The data on screen may be old: show when it was last updated (server time).
    NotLive {
        /// Server time of the last message received.
        last_update: DateTime<FixedOffset>,
    },
}

/// A number highlighted because it was just called.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Highlight {
    counter: String,
    number: String,
    until: Instant,
}

/// The last server time seen and when it arrived, to run the server's clock locally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ServerTime {
    generated_at: DateTime<FixedOffset>,
    received_at: Instant,
}

/// Everything the screen shows, and what it needs to decide it.
#[derive(Clone, Debug)]
pub struct App {
    /// `--lang`: which language(s) to draw.
    lang_mode: LangMode,
    /// `--bell`: ring on each new call.
    bell: bool,
    /// The feed URL on each `--server`, in order; the current one is shown while nothing has
    /// arrived yet.
    feed_urls: Vec<String>,
    /// Index in `feed_urls` of the server tried or used now.
    server: usize,
    /// When the display started, for alternating languages.
    started: Instant,
    /// The instant of the latest event: the screen is drawn as of then.
    now: Instant,
    /// The link, as reported by the feed task.
    link: Link,
    /// A snapshot arrived on the current connection: only then is the screen live again.
    synced: bool,
    /// The last accepted snapshot (kept across disconnects, shown as not live).
    snapshot: Option<Snapshot>,
    /// The highest `seq` shown, and a server behind it (whose older data is held back).
    order: SeqOrder,
    /// Server time of the last accepted message.
    server_time: Option<ServerTime>,
    /// Numbers just called.
    highlights: Vec<Highlight>,
    /// Frames refused since start (they are logged by the feed task, never drawn).
    rejected_frames: u64,
    /// What is wrong with the display's settings, as the last failed attempt showed; cleared
    /// once a connection opens.
    problem: Option<ConnectProblem>,
    /// `q` or Ctrl-C was pressed.
    quit: bool,
}

impl App {
    /// A screen with no data yet, connecting to the first of `feed_urls` (one per `--server`).
    pub fn new(lang_mode: LangMode, bell: bool, feed_urls: Vec<String>, now: Instant) -> Self {
        Self {
            lang_mode,
            bell,
            feed_urls,
            server: 0,
            started: now,
            now,
            link: Link::Connecting { attempt: 0 },
            synced: false,
            snapshot: None,
            order: SeqOrder::default(),
            server_time: None,
            highlights: Vec::new(),
            rejected_frames: 0,
            problem: None,
            quit: false,
        }
    }

    /// Applies one event that happened at `now` and says what the loop must do.
    pub fn update(&mut self, event: Event, now: Instant) -> Effects {
        self.now = self.now.max(now);
        match event {
            Event::Tick => {
                self.highlights.retain(|h| h.until > self.now);
                let bell = match self.order.overdue(self.now) {
                    Some(held) => self.show(held.message, held.received_at).bell,
                    None => false,
                };
                Effects { redraw: true, bell }
            }
            Event::Resize => Effects {
                redraw: true,
                bell: false,
            },
            Event::Quit => {
                self.quit = true;
                Effects::default()
            }
            Event::Feed(feed) => self.on_feed(feed),
        }
    }

    fn on_feed(&mut self, event: FeedEvent) -> Effects {
        let redraw = Effects {
            redraw: true,
            bell: false,
        };
        match event {
            FeedEvent::Connecting { attempt, server } => {
                self.link = Link::Connecting { attempt };
                self.server = server;
                self.synced = false;
                self.order.new_connection();
                redraw
            }
            FeedEvent::Connected => {
                self.link = Link::Connected;
                self.synced = false;
                self.problem = None;
                self.order.new_connection();
                redraw
            }
            FeedEvent::Problem(problem) => {
                self.problem = Some(problem);
                redraw
            }
            FeedEvent::Disconnected { .. } => {
                self.link = Link::Connecting { attempt: 0 };
                self.synced = false;
                self.order.new_connection();
                redraw
            }
            FeedEvent::Rejected(_) => {
                self.rejected_frames += 1;
                Effects::default()
            }
            FeedEvent::Message(message) => self.on_message(*message),
        }
    }

    fn on_message(&mut self, message: Message) -> Effects {
        match self.order.admit(message, self.now) {
            Verdict::Show(message) => self.show(message, self.now),
            Verdict::Believe(held) => self.show(held.message, held.received_at),
            Verdict::Repeat(message) => {
                // A call already on screen, from a server that is up to date: the link is
                // alive, nothing else changes.
                self.server_time = Some(ServerTime {
                    generated_at: message.generated_at,
                    received_at: self.now,
                });
                Effects::default()
            }
            Verdict::Held => Effects::default(),
        }
    }

    /// Puts a message that [`SeqOrder`] let through, received at `received_at`, on screen.
    fn show(&mut self, message: Message, received_at: Instant) -> Effects {
        self.server_time = Some(ServerTime {
            generated_at: message.generated_at,
            received_at,
        });
        // A frame of a type from a newer server still shows that the link is alive, but its
        // content is not understood: skip it, and let the next snapshot bring the state.
        // A change frame is applied by the feed task, which hands on the snapshot it makes.
        if matches!(message.payload, Payload::Unknown | Payload::Change(_)) {
            return Effects::default();
        }
        let new_call = match message.payload {
            Payload::Call(call) => {
                self.highlight_call(&call);
                true
            }
            Payload::Snapshot(snapshot) => {
                let new_call =
                    self.highlight_missed_calls(&snapshot, message.generated_at, received_at);
                self.snapshot = Some(*snapshot);
                self.synced = true;
                new_call
            }
            Payload::Change(_) | Payload::Unknown => false,
        };
        Effects {
            redraw: true,
            bell: new_call && self.bell,
        }
    }

    /// A call event: highlight it (again, for a recall) from now.
    fn highlight_call(&mut self, call: &CallEvent) {
        self.highlights.retain(|h| h.counter != call.counter);
        self.highlights.push(Highlight {
            counter: call.counter.clone(),
            number: call.number.clone(),
            until: self.now.checked_add(HIGHLIGHT_FOR).unwrap_or(self.now),
        });
    }

    /// Calls in a snapshot that no event announced (missed while reconnecting, or just before
    /// start): highlight those made less than [`HIGHLIGHT_FOR`] ago for the time that is left.
    /// Returns whether any was new.
    fn highlight_missed_calls(
        &mut self,
        snapshot: &Snapshot,
        generated_at: DateTime<FixedOffset>,
        received_at: Instant,
    ) -> bool {
        let mut any = false;
        for called in snapshot.now_called.iter().filter(|c| c.state.is_called()) {
            let seen_before = self.snapshot.as_ref().is_some_and(|previous| {
                previous.now_called.iter().any(|p| {
                    p.counter == called.counter
                        && p.number == called.number
                        && p.called_at == called.called_at
                })
            });
            let already = self
                .highlights
                .iter()
                .any(|h| h.counter == called.counter && h.number == called.number);
            if seen_before || already {
                continue;
            }
            let age = (generated_at - called.called_at)
                .to_std()
                .unwrap_or(Duration::ZERO);
            let Some(left) = HIGHLIGHT_FOR
                .checked_sub(age)
                .filter(|left| !left.is_zero())
            else {
                continue;
            };
            let until = received_at + left;
            if until <= self.now {
                continue;
            }
            self.highlights.retain(|h| h.counter != called.counter);
            self.highlights.push(Highlight {
                counter: called.counter.clone(),
                number: called.number.clone(),
                until,
            });
            any = true;
        }
        any
    }

    /// `q` or Ctrl-C was pressed: the loop ends and restores the terminal.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// The language of the frame drawn now.
    pub fn lang(&self) -> Lang {
        self.lang_mode
            .lang_after(self.now.saturating_duration_since(self.started))
    }

    /// The latest snapshot, possibly old: check [`App::link_view`] before presenting it as live.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }

    /// The feed URL being tried, shown while connecting the first time.
    pub fn feed_url(&self) -> &str {
        self.feed_urls
            .get(self.server)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The server tried or used now, numbered from 1 in `--server` order; `None` when there
    /// is only one (nothing to tell apart).
    pub fn server_number(&self) -> Option<usize> {
        (self.feed_urls.len() > 1).then_some(self.server + 1)
    }

    /// Whether the data on screen is held against a server that is behind it (see
    /// [`CATCH_UP_LIMIT`]).
    pub fn is_catching_up(&self) -> bool {
        self.order.is_behind()
    }

    /// Why connecting fails, when the display's settings are the cause (a wrong `--office`,
    /// host or port).
    pub fn problem(&self) -> Option<&ConnectProblem> {
        self.problem.as_ref()
    }

    /// The server's clock now: last `generated_at` plus local time elapsed since it arrived.
    pub fn server_now(&self) -> Option<DateTime<FixedOffset>> {
        let time = self.server_time?;
        let elapsed = self.now.saturating_duration_since(time.received_at);
        let elapsed = TimeDelta::from_std(elapsed).unwrap_or(TimeDelta::zero());
        // Checked: a corrupted `generated_at` at the end of chrono's range must not panic.
        Some(
            time.generated_at
                .checked_add_signed(elapsed)
                .unwrap_or(time.generated_at),
        )
    }

    /// Whether the data on screen is live, and if not, since when it is old.
    pub fn link_view(&self) -> LinkView {
        let Some(time) = self.server_time else {
            return LinkView::Connecting;
        };
        let fresh = self.now.saturating_duration_since(time.received_at) <= STALE_AFTER;
        if self.link == Link::Connected && self.synced && fresh {
            LinkView::Live
        } else {
            LinkView::NotLive {
                last_update: time.generated_at,
            }
        }
    }

    /// The raw link state (for tests and the log).
    pub fn link(&self) -> Link {
        self.link
    }

    /// Whether `number` at `counter` was called less than [`HIGHLIGHT_FOR`] ago.
    pub fn is_highlighted(&self, counter: &str, number: &str) -> bool {
        self.highlights
            .iter()
            .any(|h| h.counter == counter && h.number == number && h.until > self.now)
    }

    /// Frames refused since start.
    pub fn rejected_frames(&self) -> u64 {
        self.rejected_frames
    }

    /// The highest `seq` on screen.
    pub fn seq(&self) -> Option<u64> {
        self.order.shown()
    }
}

#[cfg(test)]
mod tests;
