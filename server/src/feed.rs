//! The live feed: one task per WebSocket viewer, sending the office's snapshots and calls.
//!
//! Per office, one relay task ([`OfficeFeed`]) turns each published state into a WebSocket
//! text frame once; every viewer then follows the relay's `watch` channel and shares those
//! bytes, holding only the frame, not the office's state. A slow or stalled viewer simply skips
//! to the newest frame when it can take one, so it never delays the others and its memory never
//! grows with lag. Call events come on a `broadcast`; a viewer that lags behind it resyncs from
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

use crate::office::OfficeHandle;

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
        let text = Utf8Bytes::from(String::from_utf8_lossy(json).into_owned());
        Arc::new(Self { text, published_at })
    }
}

/// The frames of one office's feed: the latest snapshot and the calls, as viewers take them.
#[derive(Clone, Debug)]
pub struct OfficeFeed {
    snapshots: watch::Receiver<Arc<Frame>>,
    calls: broadcast::Sender<Arc<Frame>>,
}

impl OfficeFeed {
    /// Starts the office's relay on `tasks`: it follows the office's publishes and calls and
    /// ends when the office task ends.
    pub fn start(office: &OfficeHandle, tasks: &TaskTracker) -> Self {
        let mut published = office.subscribe();
        let mut office_calls = office.subscribe_calls();
        let first = {
            let latest = published.borrow_and_update();
            Frame::of(&latest.json, latest.published_at)
        };
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
                        let frame = {
                            let latest = published.borrow_and_update();
                            Frame::of(&latest.json, latest.published_at)
                        };
                        snapshots.send_replace(frame);
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
/// Read buffer per connection: viewers send nothing, so it can be tiny.
pub const READ_BUFFER: usize = 4 * 1024;
/// Write buffer per connection before a flush.
pub const WRITE_BUFFER: usize = 16 * 1024;
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
    send(socket, Message::Text(first.text.clone()), within).await?;
    metrics.record_send(first.published_at);
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
                send(socket, Message::Text(latest.text.clone()), within).await?;
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
                    send(socket, Message::Text(latest.text.clone()), within).await?;
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
