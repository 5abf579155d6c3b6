//! One viewer's TCP connection, written by two hands.
//!
//! The office's fan-out ([`super::fan_out`]) writes each frame straight to the socket: the
//! same bytes for every viewer, encoded once, in one non-blocking write, with no task woken
//! per viewer. The viewer's own task reads, pings and closes through tungstenite, whose socket
//! is a [`LinkIo`] over the same connection. Both write through [`Link`], so frames never
//! interleave: bytes the socket cannot take at once wait in the link's backlog, behind which
//! every later write queues, and the viewer's task drains it (within the send deadline). While
//! a backlog waits, the fan-out passes the viewer by and marks it behind; once drained, it is
//! sent the whole latest snapshot, which carries every change and recent call it skipped. So a
//! slow viewer never delays the others and holds at most one frame it was not sent yet.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

use super::StateFrames;

/// Most bytes a link may hold unsent: a whole snapshot and the control frames queued behind
/// it. Beyond it the viewer is not reading, and its link fails.
const MAX_BACKLOG: usize = 64 * 1024;

/// A text message encoded once as a server's WebSocket frame. Server frames are not masked,
/// so the very same bytes go to every viewer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireText {
    /// The whole frame: header, then the text.
    bytes: Bytes,
    /// Length of the header.
    header: usize,
}

impl WireText {
    /// The frame of a JSON text the office serialized (always UTF-8: it came from a `String`).
    pub fn of(json: &[u8]) -> Self {
        let text = match std::str::from_utf8(json) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(json).into_owned(),
        };
        Self::of_text(text)
    }

    /// The frame of a text.
    pub fn of_text(text: String) -> Self {
        let length = text.len();
        let mut bytes = Vec::with_capacity(length + 10);
        // Writing into a `Vec` cannot fail.
        let _ = Frame::message(text, OpCode::Data(Data::Text), true).format(&mut bytes);
        let header = bytes.len() - length;
        Self {
            bytes: Bytes::from(bytes),
            header,
        }
    }

    /// The text it carries.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[self.header..]).unwrap_or_default()
    }

    /// Length of the text, in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len() - self.header
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The frame's bytes on the wire.
    pub(super) fn wire(&self) -> &[u8] {
        &self.bytes
    }
}

/// What became of a frame offered to a link.
#[derive(Debug, PartialEq, Eq)]
pub enum Offered {
    /// Written whole, or queued behind nothing for the viewer's task to finish.
    Sent,
    /// The viewer already has this state.
    Skipped,
    /// Passed by: an earlier frame is still draining; the viewer is now behind.
    Behind,
    /// The socket is broken.
    Broken,
}

/// What the link holds between writes.
#[derive(Debug, Default)]
struct LinkState {
    /// Bytes accepted but not written yet: the rest of a frame the socket could not take
    /// whole, and whatever queued behind it. Empty (and unallocated) when caught up.
    backlog: Vec<u8>,
    /// The relay state this viewer was sent last (`None` before its first snapshot).
    sent: Option<u64>,
    /// A state or call was passed by while the backlog drained: send the whole snapshot.
    behind: bool,
    /// The office's feed ended: the viewer's task closes the link.
    office_stopped: bool,
}

/// One viewer's connection, shared by the fan-out and the viewer's own task.
#[derive(Debug)]
pub struct Link {
    stream: TcpStream,
    state: Mutex<LinkState>,
    /// Wakes the viewer's task: a backlog to drain, or the office's feed ended.
    attention: Notify,
}

impl Link {
    /// A link over an upgraded connection.
    pub fn new(stream: TcpStream) -> Arc<Self> {
        Arc::new(Self {
            stream,
            state: Mutex::default(),
            attention: Notify::new(),
        })
    }

    fn state(&self) -> MutexGuard<'_, LinkState> {
        // A panic while holding it leaves plain data behind; carry on with it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Offers the viewer the published state `frames`: the change frame when it was sent the
    /// state before, the whole snapshot otherwise; nothing when it already has this state.
    pub fn offer_state(&self, frames: &StateFrames) -> Offered {
        let mut state = self.state();
        if state.sent.is_some_and(|sent| sent >= frames.number) {
            return Offered::Skipped;
        }
        if !state.backlog.is_empty() {
            state.behind = true;
            return Offered::Behind;
        }
        self.send_state(&mut state, frames)
    }

    /// Writes `frames` as the viewer takes them: the change after the state it was sent, the
    /// whole snapshot otherwise (none for a state already superseded: the viewer takes the
    /// newer one). Only called with an empty backlog.
    fn send_state(&self, state: &mut LinkState, frames: &StateFrames) -> Offered {
        let frame = match state.sent {
            Some(sent) => frames.for_viewer(sent),
            None => frames.full(),
        };
        let Some(frame) = frame else {
            return Offered::Skipped;
        };
        let offered = self.write_or_queue(state, frame.wire());
        if offered == Offered::Sent {
            state.sent = Some(frames.number);
        }
        offered
    }

    /// Offers the viewer a call event; one that is behind takes it from the next snapshot's
    /// recent calls.
    pub fn offer_call(&self, call: &WireText) -> Offered {
        let mut state = self.state();
        if !state.backlog.is_empty() {
            state.behind = true;
            return Offered::Behind;
        }
        self.write_or_queue(&mut state, call.wire())
    }

    /// Marks the viewer behind (it missed calls): its task sends the whole snapshot.
    pub fn fall_behind(&self) {
        self.state().behind = true;
        self.attention.notify_one();
    }

    /// Tells the viewer's task that the office's feed ended.
    pub fn office_stopped(&self) {
        self.state().office_stopped = true;
        self.attention.notify_one();
    }

    /// Writes `bytes` now, as far as the socket takes them, and queues the rest for the
    /// viewer's task. Only called with an empty backlog.
    fn write_or_queue(&self, state: &mut LinkState, bytes: &[u8]) -> Offered {
        match self.stream.try_write(bytes) {
            Ok(written) if written == bytes.len() => Offered::Sent,
            Ok(written) => {
                state.backlog.extend_from_slice(&bytes[written..]);
                self.attention.notify_one();
                Offered::Sent
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                state.backlog.extend_from_slice(bytes);
                self.attention.notify_one();
                Offered::Sent
            }
            Err(_) => Offered::Broken,
        }
    }

    /// Waits until the link needs its task: a backlog to drain, a state passed by, or the
    /// office's feed gone.
    pub async fn attention(&self) {
        self.attention.notified().await;
    }

    /// What the viewer's task must do now.
    pub fn needs(&self) -> Needs {
        let state = self.state();
        Needs {
            resync: state.behind,
            office_stopped: state.office_stopped,
        }
    }

    /// Sends the whole latest snapshot to a viewer that fell behind (once its backlog is
    /// drained; until then it stays behind).
    pub fn resync(&self, frames: &StateFrames) -> Offered {
        let mut state = self.state();
        if !state.backlog.is_empty() {
            return Offered::Behind;
        }
        state.behind = false;
        // It skipped a state: only the whole snapshot brings it up to date.
        state.sent = None;
        self.send_state(&mut state, frames)
    }

    /// Completes once the backlog is written (or the socket fails).
    pub async fn drain(&self) -> io::Result<()> {
        std::future::poll_fn(|cx| self.poll_drain(cx)).await
    }

    fn poll_drain(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            {
                let mut state = self.state();
                if state.backlog.is_empty() {
                    // Give the memory back: an idle viewer holds no buffer.
                    state.backlog = Vec::new();
                    return Poll::Ready(Ok(()));
                }
                match self.stream.try_write(&state.backlog) {
                    Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                    Ok(written) => {
                        state.backlog.drain(..written);
                        continue;
                    }
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                    Err(error) => return Poll::Ready(Err(error)),
                }
            }
            ready!(self.stream.poll_write_ready(cx))?;
        }
    }
}

/// What a viewer's task has to do when its link calls it.
#[derive(Clone, Copy, Debug)]
pub struct Needs {
    /// A state or call was passed by: send the whole snapshot.
    pub resync: bool,
    /// The office's feed ended.
    pub office_stopped: bool,
}

/// The link as tungstenite's socket, for the viewer's task: reads come from the connection,
/// writes (pings, pongs, the close) go through the link's backlog like every frame.
#[derive(Debug)]
pub struct LinkIo(pub Arc<Link>);

impl AsyncRead for LinkIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let stream = &self.0.stream;
        loop {
            ready!(stream.poll_read_ready(cx))?;
            match stream.try_read(buf.initialize_unfilled()) {
                Ok(read) => {
                    buf.advance(read);
                    return Poll::Ready(Ok(()));
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
    }
}

impl AsyncWrite for LinkIo {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        let link = &self.0;
        let mut state = link.state();
        if state.backlog.is_empty() {
            return match link.write_or_queue(&mut state, bytes) {
                Offered::Broken => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
                _ => Poll::Ready(Ok(bytes.len())),
            };
        }
        if state.backlog.len() + bytes.len() > MAX_BACKLOG {
            return Poll::Ready(Err(io::Error::other("the viewer is not reading")));
        }
        state.backlog.extend_from_slice(bytes);
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.poll_drain(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.poll_drain(cx)
    }
}
