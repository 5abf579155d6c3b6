//! The live feed: one task per WebSocket viewer, sending the office's snapshots and calls.
//!
//! Per office, one relay task ([`OfficeFeed`]) turns each published state into WebSocket text
//! frames once: the whole snapshot and, for a committed change, a compact `change` frame
//! ([`crate::protocol::change`]) from the state before. Every viewer then follows the relay's
//! `watch` channel and shares those bytes, holding only the frames, not the office's state; a
//! viewer sent the previous state takes the change, any other the whole snapshot. A slow or
//! stalled viewer simply skips to the newest frame when it can take one (whole, as it missed a
//! state), so it never delays the others and its memory never grows with lag. Call events come on a `broadcast`; a viewer that lags behind it resyncs from
//! the latest snapshot, which carries the recent calls. Viewers send nothing we use: their
//! frames are ignored, and an oversized one closes the link (1009). Pings keep idle links alive
//! and find dead ones. Every send has a deadline: a viewer that stops reading (its socket
//! buffers full) is dropped within [`crate::limits::SEND_TIMEOUT`], so a blocked send can
//! neither hold its task nor silence the pings that would have found it dead. Viewers are
//! counted against `--max-viewers` by [`ViewerSlots`], so the last descriptors stay for staff.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, close_code};
use bytes::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, watch};
use tokio_util::task::TaskTracker;

use crate::office::{OfficeHandle, Published};
use crate::protocol::Payload;
use crate::protocol::change::{self, Change};
use crate::protocol::feed::REFRESH_INTERVAL;

/// One message as a WebSocket text frame, made once for every viewer.
#[derive(Debug)]
pub struct Frame {
    /// The JSON text.
    pub text: Utf8Bytes,
    /// When the office published it (for the publish-to-send lag).
    pub published_at: Instant,
}

impl Frame {
    /// The frame of a JSON message the office serialized (always UTF-8: it came from a
    /// `String`); one copy per publish, shared by every viewer.
    fn of(json: &Bytes, published_at: Instant) -> Arc<Self> {
        Arc::new(Self {
            text: utf8(json),
            published_at,
        })
    }
}

fn utf8(json: &Bytes) -> Utf8Bytes {
    Utf8Bytes::from(String::from_utf8_lossy(json).into_owned())
}

/// One published state of the office as viewers take it: the whole snapshot, and, when it
/// can be said in fewer bytes, the `change` frame from the relay's previous state. A viewer
/// that was sent that previous state gets the change; any other (just connected, or one that
/// skipped a state while it was slow) gets the whole snapshot.
#[derive(Debug)]
pub struct StateFrames {
    /// Counts the relay's states: a viewer that was sent state `number - 1` may take `change`.
    pub number: u64,
    /// The whole snapshot.
    pub full: Utf8Bytes,
    /// The `change` frame from state `number - 1`, if this state goes out as one.
    pub change: Option<Utf8Bytes>,
    /// When the office published it (for the publish-to-send lag).
    pub published_at: Instant,
}

impl StateFrames {
    /// The frame for a viewer that was last sent state `sent`.
    fn for_viewer(&self, sent: u64) -> &Utf8Bytes {
        match &self.change {
            Some(change) if sent + 1 == self.number => change,
            _ => &self.full,
        }
    }
}

/// Turns published states into [`StateFrames`]: remembers the previous snapshot to make each
/// change from, and when the last whole snapshot went out.
struct Changes {
    number: u64,
    previous: Option<(u64, serde_json::Value)>,
    last_full: Instant,
}

impl Changes {
    fn new() -> Self {
        Self {
            number: 0,
            previous: None,
            last_full: Instant::now(),
        }
    }

    /// The frames of `published`. It goes out whole when nothing was committed since the
    /// previous state (the periodic refresh: so a whole snapshot goes out at least every
    /// [`REFRESH_INTERVAL`]), when the calendar changed (a transition, also refreshes), when the
    /// last whole one is [`REFRESH_INTERVAL`] old, or when the change would be no smaller.
    fn frames(&mut self, published: &Published) -> Arc<StateFrames> {
        self.number += 1;
        let seq = published.message.seq;
        let snapshot = serde_json::from_slice::<serde_json::Value>(&published.json).ok();
        let change = match (&self.previous, &snapshot) {
            (Some((base, before)), Some(now))
                if seq > *base && self.last_full.elapsed() < REFRESH_INTERVAL =>
            {
                change::diff(before, now)
                    .filter(|patch| patch.get("calendar").is_none())
                    .and_then(|patch| {
                        let message = crate::protocol::Message {
                            v: published.message.v,
                            seq,
                            generated_at: published.message.generated_at,
                            payload: Payload::Change(Change { base: *base, patch }),
                        };
                        serde_json::to_string(&message).ok()
                    })
                    .filter(|text| text.len() < published.json.len())
            }
            _ => None,
        };
        if change.is_none() {
            self.last_full = Instant::now();
        }
        self.previous = snapshot.map(|snapshot| (seq, snapshot));
        Arc::new(StateFrames {
            number: self.number,
            full: utf8(&published.json),
            change: change.map(Utf8Bytes::from),
            published_at: published.published_at,
        })
    }
}

/// The frames of one office's feed: the latest state and the calls, as viewers take them.
#[derive(Clone, Debug)]
pub struct OfficeFeed {
    snapshots: watch::Receiver<Arc<StateFrames>>,
    calls: broadcast::Sender<Arc<Frame>>,
}

impl OfficeFeed {
    /// Starts the office's relay on `tasks`: it follows the office's publishes and calls and
    /// ends when the office task ends.
    pub fn start(office: &OfficeHandle, tasks: &TaskTracker) -> Self {
        let mut published = office.subscribe();
        let mut office_calls = office.subscribe_calls();
        let mut changes = Changes::new();
        let first = changes.frames(&published.borrow_and_update());
        let (snapshots, receiver) = watch::channel(first);
        let (calls, _) = broadcast::channel(CALL_FRAMES);
        let relayed = calls.clone();
        tasks.spawn(async move {
            loop {
                tokio::select! {
                    changed = published.changed() => {
                        if changed.is_err() {
                            break;
                        }
                        let latest = published.borrow_and_update().clone();
                        snapshots.send_replace(changes.frames(&latest));
                    }
                    call = office_calls.recv() => match call {
                        Ok(call) => {
                            // No receiver is not an error: nobody is watching.
                            let _ = relayed.send(Frame::of(&call.json, call.published_at));
                        }
                        // Viewers resync from the snapshot, which carries the recent calls.
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => break,
                    },
                }
            }
        });
        Self {
            snapshots: receiver,
            calls,
        }
    }
}

/// Largest frame or message a viewer may send; viewers send nothing we use.
pub const MAX_CLIENT_MESSAGE: usize = 4 * 1024;
/// Read buffer per connection: viewers send nothing but pongs and a close, so it can be tiny
/// (a longer frame is read in several pieces); it is memory held by every idle viewer.
pub const READ_BUFFER: usize = 256;
/// Bytes gathered before a write: none, so each frame is one write as soon as it is made (and
/// no viewer holds a buffer of frames it was not sent yet).
pub const WRITE_BUFFER: usize = 0;
/// Call frames kept for viewers that are a little behind; further behind, they resync from
/// the snapshot.
const CALL_FRAMES: usize = 256;
/// How often an idle link is pinged; a link that has not answered the previous ping by the
/// next one is dropped.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);

/// Counters of the feed, for `/metrics`.
#[derive(Debug, Default)]
pub struct FeedMetrics {
    /// Viewers connected now.
    pub connections: AtomicU64,
    /// Viewers ever connected.
    pub connections_total: AtomicU64,
    /// Messages sent to viewers.
    pub messages_sent: AtomicU64,
    /// Sum of publish-to-send lag, microseconds (with `lag_samples`, a mean).
    pub lag_micros_total: AtomicU64,
    /// Number of lag samples.
    pub lag_samples: AtomicU64,
    /// Largest lag seen, microseconds.
    pub lag_micros_max: AtomicU64,
    /// Viewers dropped because a send did not complete in time (they stopped reading).
    pub dropped_slow: AtomicU64,
    /// Viewers refused because `--max-viewers` were connected.
    pub refused_full: AtomicU64,
}

impl FeedMetrics {
    fn record_send(&self, published: Instant) {
        let lag = published.elapsed().as_micros() as u64;
        self.messages_sent.fetch_add(1, Ordering::Relaxed);
        self.lag_micros_total.fetch_add(lag, Ordering::Relaxed);
        self.lag_samples.fetch_add(1, Ordering::Relaxed);
        self.lag_micros_max.fetch_max(lag, Ordering::Relaxed);
    }
}

/// Keeps the connection count right however the viewer task ends.
struct Connected(Arc<FeedMetrics>);

impl Connected {
    fn new(metrics: Arc<FeedMetrics>) -> Self {
        metrics.connections.fetch_add(1, Ordering::Relaxed);
        metrics.connections_total.fetch_add(1, Ordering::Relaxed);
        Self(metrics)
    }
}

impl Drop for Connected {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// Room for viewers: `--max-viewers` slots, one held by each viewer for its whole connection.
#[derive(Clone, Debug)]
pub struct ViewerSlots {
    slots: Arc<Semaphore>,
    max: usize,
}

/// One viewer's slot, given back when its connection ends, however it ends.
#[derive(Debug)]
pub struct ViewerSlot(#[allow(dead_code)] OwnedSemaphorePermit);

impl ViewerSlots {
    /// Room for `max` viewers at once.
    pub fn new(max: usize) -> Self {
        let max = max.min(Semaphore::MAX_PERMITS);
        Self {
            slots: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    /// A slot for one more viewer, or `None` when all are taken.
    pub fn take(&self) -> Option<ViewerSlot> {
        self.slots.clone().try_acquire_owned().ok().map(ViewerSlot)
    }

    /// The most viewers at once.
    pub fn max(&self) -> usize {
        self.max
    }
}

/// One viewer's connection: what it follows and how it is served.
#[derive(Debug)]
pub struct Viewer {
    /// The office's frames.
    pub office: OfficeFeed,
    /// Turns true when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
    /// The feed's counters.
    pub metrics: Arc<FeedMetrics>,
    /// Deadline of each send (see [`crate::limits::SEND_TIMEOUT`]).
    pub send_timeout: Duration,
    /// Its place under `--max-viewers`, held until the connection ends.
    pub slot: ViewerSlot,
}

/// Why a viewer's connection ended on our side of a send.
enum SendFailed {
    /// The socket is closed or broken.
    Closed,
    /// The viewer did not take the frame in time.
    TimedOut,
}

/// Sends one message, giving up after `within`.
async fn send(
    socket: &mut WebSocket,
    message: Message,
    within: Duration,
) -> Result<(), SendFailed> {
    match tokio::time::timeout(within, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(SendFailed::Closed),
        Err(_) => Err(SendFailed::TimedOut),
    }
}

impl Viewer {
    /// Serves the viewer until it leaves, dies, stops reading, misbehaves, or the server shuts
    /// down (1001).
    pub async fn serve(self, mut socket: WebSocket) {
        let Self {
            office,
            mut shutdown,
            metrics,
            send_timeout,
            slot: _slot,
        } = self;
        let _connected = Connected::new(metrics.clone());
        let ended = serve_frames(&mut socket, office, &mut shutdown, &metrics, send_timeout).await;
        if let Err(SendFailed::TimedOut) = ended {
            metrics.dropped_slow.fetch_add(1, Ordering::Relaxed);
            tracing::debug!("viewer stopped reading; dropping it");
        }
    }
}

/// The viewer's loop: the first snapshot, then every change, call and ping, until it ends.
async fn serve_frames(
    socket: &mut WebSocket,
    office: OfficeFeed,
    shutdown: &mut watch::Receiver<bool>,
    metrics: &FeedMetrics,
    within: Duration,
) -> Result<(), SendFailed> {
    if *shutdown.borrow_and_update() {
        return send(
            socket,
            close(close_code::AWAY, "server shutting down"),
            within,
        )
        .await;
    }
    let mut snapshots = office.snapshots;
    let mut calls = office.calls.subscribe();
    // The first message is always the full current snapshot.
    let first = snapshots.borrow_and_update().clone();
    send(socket, Message::Text(first.full.clone()), within).await?;
    metrics.record_send(first.published_at);
    // The relay's state this viewer was sent last: the next one may go as a change from it.
    let mut sent = first.number;
    let mut ping =
        tokio::time::interval_at(tokio::time::Instant::now() + PING_INTERVAL, PING_INTERVAL);
    let mut awaiting_pong = false;
    loop {
        tokio::select! {
            changed = snapshots.changed() => {
                if changed.is_err() {
                    return send(socket, close(close_code::AWAY, "office stopped"), within).await;
                }
                let latest = snapshots.borrow_and_update().clone();
                send(socket, Message::Text(latest.for_viewer(sent).clone()), within).await?;
                sent = latest.number;
                metrics.record_send(latest.published_at);
            }
            call = calls.recv() => match call {
                Ok(call) => {
                    send(socket, Message::Text(call.text.clone()), within).await?;
                    metrics.record_send(call.published_at);
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    // Missed calls are in the snapshot's recent calls: resync from it.
                    tracing::debug!(missed, "viewer lagged behind calls; resyncing");
                    let latest = snapshots.borrow_and_update().clone();
                    send(socket, Message::Text(latest.full.clone()), within).await?;
                    sent = latest.number;
                    metrics.record_send(latest.published_at);
                }
                Err(broadcast::error::RecvError::Closed) => {
                    return send(socket, close(close_code::AWAY, "office stopped"), within).await;
                }
            },
            incoming = socket.recv() => match incoming {
                None | Some(Ok(Message::Close(_))) => return Ok(()),
                Some(Ok(Message::Pong(_))) => awaiting_pong = false,
                Some(Ok(_)) => {} // viewers send nothing we use
                Some(Err(error)) => {
                    let too_big = std::error::Error::source(&error)
                        .map(|source| source.to_string())
                        .unwrap_or_else(|| error.to_string())
                        .to_ascii_lowercase();
                    if too_big.contains("too long") || too_big.contains("too big") || too_big.contains("capacity") {
                        return send(socket, close(close_code::SIZE, "message too big"), within).await;
                    }
                    return Ok(());
                }
            },
            _ = ping.tick() => {
                if awaiting_pong {
                    tracing::debug!("viewer did not answer a ping; dropping it");
                    return Ok(());
                }
                awaiting_pong = true;
                send(socket, Message::Ping(Default::default()), within).await?;
            }
            _ = shutdown.changed() => {
                return send(socket, close(close_code::AWAY, "server shutting down"), within).await;
            }
        }
    }
}

#[cfg(test)]
mod tests;
