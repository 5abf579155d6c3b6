//! The live feed: the office's snapshots and calls, written to every WebSocket viewer.
//!
//! Per office, one relay task ([`OfficeFeed`]) turns each published state into WebSocket
//! frames once, encoded for the wire: the whole snapshot and, for a committed change, a compact
//! `change` frame ([`crate::protocol::change`]) from the state before. The fan-out
//! ([`fan_out`]) then writes those very bytes to every viewer's socket from a few tasks (one
//! per core), without waking a task per viewer; a viewer sent the previous state takes the
//! change, any other the whole snapshot. Call events come on a `broadcast` the same way.
//!
//! Each viewer also has a task of its own ([`Viewer::serve`]) for what is particular to it: it
//! reads (viewers send nothing we use: their frames are ignored, an oversized one closes the
//! link with 1009), pings idle links to find dead ones, and finishes a frame the socket could
//! not take at once ([`link`]). A slow or stalled viewer is passed by meanwhile and, once
//! caught up, skips to the whole newest snapshot, so it never delays the others and its memory
//! never grows with lag. Every send has a deadline: a viewer that stops reading is dropped
//! within [`crate::limits::SEND_TIMEOUT`]. Viewers are counted against `--max-viewers` by
//! [`ViewerSlots`], so the last descriptors stay for staff.

mod fan_out;
mod link;
mod upgrade;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_util::task::TaskTracker;

use crate::office::{OfficeHandle, Published};
use crate::protocol::Payload;
use crate::protocol::change::{Change, ChangeBase};
use crate::protocol::feed::REFRESH_INTERVAL;

use fan_out::{FanOut, WireCall};
pub use link::WireText;
use link::{Link, LinkIo, Offered};
pub use upgrade::{FeedUpgrade, Upgraded};

/// One published state of the office as viewers take it: the whole snapshot, and, when it
/// can be said in fewer bytes, the `change` frame from the relay's previous state. A viewer
/// that was sent that previous state gets the change; any other (just connected, or one that
/// skipped a state while it was slow) gets the whole snapshot.
#[derive(Debug)]
pub struct StateFrames {
    /// Counts the relay's states: a viewer that was sent state `number - 1` may take `change`.
    pub number: u64,
    /// Where the whole snapshot's JSON comes from.
    whole: Whole,
    /// Its frame, made when a viewer first needs it (one just connected, one that skipped a
    /// state, the periodic refresh): copying a long line's snapshot into a frame at every
    /// change, which most states never send whole, cost the relay as much as its diff.
    full: OnceLock<WireText>,
    /// The `change` frame from state `number - 1`, if this state goes out as one.
    pub change: Option<WireText>,
    /// When the office published it (for the publish-to-send lag).
    pub published_at: Instant,
}

/// A state's whole snapshot, as JSON text or as the office published it (serialized when
/// first needed).
#[derive(Debug)]
pub enum Whole {
    /// The JSON text.
    Text(Bytes),
    /// The published state, held by the relay while it is the latest: a state that was
    /// superseded before anybody needed it whole is freed, and never sent whole (a viewer
    /// takes the newer state).
    Published(Weak<Published>),
}

impl StateFrames {
    /// State `number`: the whole snapshot and maybe the change from the state before.
    pub fn new(number: u64, whole: Whole, change: Option<WireText>, published_at: Instant) -> Self {
        Self {
            number,
            whole,
            full: OnceLock::new(),
            change,
            published_at,
        }
    }

    /// The whole snapshot's frame; `None` for a state superseded before anybody needed it
    /// whole.
    pub fn full(&self) -> Option<&WireText> {
        if let Some(frame) = self.full.get() {
            return Some(frame);
        }
        let json = match &self.whole {
            Whole::Text(json) => json.clone(),
            Whole::Published(published) => published.upgrade()?.json().clone(),
        };
        Some(self.full.get_or_init(|| WireText::of(&json)))
    }

    /// The frame for a viewer that was last sent state `sent`.
    fn for_viewer(&self, sent: u64) -> Option<&WireText> {
        match &self.change {
            Some(change) if sent + 1 == self.number => Some(change),
            _ => self.full(),
        }
    }
}

/// Turns published states into [`StateFrames`]: remembers the previous state to make each
/// change from (its typed snapshot: the change is made without parsing the JSON back), and
/// when the last whole snapshot went out.
struct Changes {
    number: u64,
    /// The previous state (held while it is the latest: see [`Whole::Published`]) and what a
    /// change is made from, made once when the state was new.
    previous: Option<(Arc<Published>, ChangeBase)>,
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
    fn frames(&mut self, published: &Arc<Published>) -> Arc<StateFrames> {
        self.number += 1;
        let seq = published.message.seq;
        let now = snapshot_of(published).and_then(|now| Some((now, ChangeBase::of(now)?)));
        let change = match (&self.previous, &now) {
            (Some((previous, before)), Some((now, after)))
                if seq > previous.message.seq && self.last_full.elapsed() < REFRESH_INTERVAL =>
            {
                let base = previous.message.seq;
                before
                    .patch_to(after)
                    .filter(|patch| patch.get("calendar").is_none())
                    .and_then(|patch| {
                        let message = crate::protocol::Message {
                            v: published.message.v,
                            seq,
                            generated_at: published.message.generated_at,
                            payload: Payload::Change(Change { base, patch }),
                        };
                        serde_json::to_string(&message).ok()
                    })
                    .filter(|text| {
                        text.len() < whole_at_least(now) || text.len() < published.json().len()
                    })
            }
            _ => None,
        };
        if change.is_none() {
            self.last_full = Instant::now();
        }
        self.previous = now.map(|(_, base)| (published.clone(), base));
        Arc::new(StateFrames::new(
            self.number,
            Whole::Published(Arc::downgrade(published)),
            change.map(WireText::of_text),
            published.published_at,
        ))
    }
}

/// Fewer bytes than the snapshot's JSON can take: its waiting line's items, at the least a
/// queued ticket can take each. A change shorter than that needs no serialized snapshot to be
/// known smaller; a long line's snapshot is then serialized only when somebody reads it whole.
fn whole_at_least(snapshot: &crate::protocol::Snapshot) -> usize {
    snapshot.queue.as_ref().map_or(0, |line| {
        line.len() * crate::protocol::QueuedTicket::JSON_LEN_FLOOR
    })
}

/// The snapshot a published state shows (every published state is one).
fn snapshot_of(published: &Published) -> Option<&crate::protocol::Snapshot> {
    match &published.message.payload {
        Payload::Snapshot(snapshot) => Some(snapshot),
        _ => None,
    }
}

/// The frames of one office's feed and the viewers they go to.
#[derive(Clone, Debug)]
pub struct OfficeFeed {
    snapshots: watch::Receiver<Arc<StateFrames>>,
    fan_out: Arc<FanOut>,
}

impl OfficeFeed {
    /// Starts the office's relay on `tasks`, and the fan-out that writes its frames to the
    /// viewers (one shard per core); they end when the office task ends.
    pub fn start(office: &OfficeHandle, metrics: &Arc<FeedMetrics>, tasks: &TaskTracker) -> Self {
        let mut published = office.subscribe();
        let mut office_calls = office.subscribe_calls();
        let mut changes = Changes::new();
        let first = changes.frames(&published.borrow_and_update());
        let (snapshots, receiver) = watch::channel(first);
        let (calls, _) = broadcast::channel(CALL_FRAMES);
        let shards = std::thread::available_parallelism().map_or(1, usize::from);
        let fan_out = FanOut::start(&receiver, &calls, metrics, shards, tasks);
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
                            let _ = calls.send(Arc::new(WireCall {
                                frame: WireText::of(&call.json),
                                published_at: call.published_at,
                            }));
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
            fan_out,
        }
    }
}

/// Largest frame or message a viewer may send; viewers send nothing we use.
pub const MAX_CLIENT_MESSAGE: usize = 4 * 1024;
/// Read buffer per connection: viewers send nothing but pongs and a close, so it can be tiny
/// (a longer frame is read in several pieces); it is memory held by every idle viewer.
const READ_BUFFER: usize = 256;
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
    /// Counts `sent` viewers handed a message published at `published`. Their lag is taken
    /// once, after the last of them: a bound for each, at four atomic updates per fan-out
    /// rather than per viewer.
    fn record_fan_out(&self, published: Instant, sent: usize) {
        if sent == 0 {
            return;
        }
        let sent = sent as u64;
        let lag = published.elapsed().as_micros() as u64;
        self.messages_sent.fetch_add(sent, Ordering::Relaxed);
        self.lag_micros_total
            .fetch_add(lag.saturating_mul(sent), Ordering::Relaxed);
        self.lag_samples.fetch_add(sent, Ordering::Relaxed);
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

fn close(code: CloseCode, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// The viewer's side of the WebSocket: small buffers (it sends nothing we use) and a limit
/// on what it may send.
fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(Some(MAX_CLIENT_MESSAGE))
        .max_frame_size(Some(MAX_CLIENT_MESSAGE))
}

/// The viewer's WebSocket, over its link.
type Socket = WebSocketStream<LinkIo>;

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

/// Sends one message through tungstenite (pings and closes), giving up after `within`.
async fn send(socket: &mut Socket, message: Message, within: Duration) -> Result<(), SendFailed> {
    match tokio::time::timeout(within, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(SendFailed::Closed),
        Err(_) => Err(SendFailed::TimedOut),
    }
}

impl Viewer {
    /// Serves the viewer until it leaves, dies, stops reading, misbehaves, or the server shuts
    /// down (1001).
    pub async fn serve(self, upgraded: Upgraded) {
        let Self {
            office,
            mut shutdown,
            metrics,
            send_timeout,
            slot: _slot,
        } = self;
        let _connected = Connected::new(metrics.clone());
        let buffer = crate::limits::VIEWER_SEND_BUFFER;
        if let Err(error) = socket2::SockRef::from(&upgraded.stream).set_send_buffer_size(buffer) {
            tracing::debug!(%error, "cannot bound a viewer's send buffer");
        }
        let link = Link::new(upgraded.stream);
        let mut socket = WebSocketStream::from_partially_read(
            LinkIo(link.clone()),
            upgraded.read_ahead,
            Role::Server,
            Some(socket_config()),
        )
        .await;
        let ended = serve_link(
            &mut socket,
            &link,
            &office,
            &mut shutdown,
            &metrics,
            send_timeout,
        )
        .await;
        if let Err(SendFailed::TimedOut) = ended {
            metrics.dropped_slow.fetch_add(1, Ordering::Relaxed);
            tracing::debug!("viewer stopped reading; dropping it");
        }
    }
}

/// The viewer's own loop: it joins the fan-out (which sends the first snapshot and then every
/// change and call), and meanwhile reads, pings, drains what the socket could not take at
/// once, and closes, until the link ends.
async fn serve_link(
    socket: &mut Socket,
    link: &Arc<Link>,
    office: &OfficeFeed,
    shutdown: &mut watch::Receiver<bool>,
    metrics: &FeedMetrics,
    within: Duration,
) -> Result<(), SendFailed> {
    if *shutdown.borrow_and_update() {
        return send(
            socket,
            close(CloseCode::Away, "server shutting down"),
            within,
        )
        .await;
    }
    let joined_at = Instant::now();
    // Leaving the fan-out (when this returns) takes the link out of it.
    let (_joined, first) = office.fan_out.join(link.clone(), &office.snapshots);
    if first == Offered::Broken {
        return Err(SendFailed::Closed);
    }
    metrics.record_fan_out(joined_at, 1);
    let mut ping =
        tokio::time::interval_at(tokio::time::Instant::now() + PING_INTERVAL, PING_INTERVAL);
    let mut awaiting_pong = false;
    loop {
        tokio::select! {
            () = link.attention() => {
                let needs = link.needs();
                if needs.office_stopped {
                    return send(socket, close(CloseCode::Away, "office stopped"), within).await;
                }
                catch_up(link, &office.snapshots, metrics, within).await?;
            }
            incoming = socket.next() => match incoming {
                None | Some(Ok(Message::Close(_))) => return Ok(()),
                Some(Ok(Message::Pong(_))) => awaiting_pong = false,
                Some(Ok(_)) => {} // viewers send nothing we use
                Some(Err(tungstenite::Error::Capacity(_))) => {
                    return send(socket, close(CloseCode::Size, "message too big"), within).await;
                }
                Some(Err(_)) => return Ok(()),
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
                return send(socket, close(CloseCode::Away, "server shutting down"), within).await;
            }
        }
    }
}

/// Writes what the socket could not take at once, each piece within `within`; then, if the
/// viewer was passed by meanwhile, the whole latest snapshot, until it is caught up.
async fn catch_up(
    link: &Link,
    snapshots: &watch::Receiver<Arc<StateFrames>>,
    metrics: &FeedMetrics,
    within: Duration,
) -> Result<(), SendFailed> {
    loop {
        match tokio::time::timeout(within, link.drain()).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(SendFailed::Closed),
            Err(_) => return Err(SendFailed::TimedOut),
        }
        if !link.needs().resync {
            return Ok(());
        }
        let latest = snapshots.borrow().clone();
        match link.resync(&latest) {
            Offered::Sent => metrics.record_fan_out(latest.published_at, 1),
            Offered::Broken => return Err(SendFailed::Closed),
            Offered::Behind | Offered::Skipped => {}
        }
    }
}

#[cfg(test)]
mod tests;
