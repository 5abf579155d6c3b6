//! The live feed: one task owns the WebSocket, turns each frame into a checked
//! [`Message`] and hands it to the screen as a [`FeedEvent`]. It reconnects forever, with a
//! backoff capped at [`MAX_BACKOFF`] and jitter, so a lobby PC that boots before the server (or
//! outlives a server restart) just catches up; every new connection starts with a full snapshot.
//! With several servers a lost link moves on to the next one at once ([`crate::failover`]).
//!
//! Bad frames (not JSON, another wire version, an unknown shape) are logged and reported as
//! [`FeedEvent::Rejected`]: never drawn, never fatal.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use queue_protocol::{self as protocol, Message, Payload};

use crate::failover::Rotation;
use crate::limits;
use rand::Rng;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, tungstenite};

/// First retry delay; doubled after each failed attempt.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// Longest wait between attempts: the screen must come back within seconds of the server.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Give up on a connection attempt after this long (a dead host can hang a TCP connect).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Silence longer than the feed's staleness limit (two missed refreshes) plus slack means a
/// half-open connection, so drop it and reconnect.
pub const SILENCE_LIMIT: Duration =
    Duration::from_secs(queue_protocol::feed::STALE_AFTER.as_secs() + 5);

/// Largest frame accepted; a snapshot is a few KB, so anything near this is a fault.
pub const MAX_FRAME_BYTES: usize = 1 << 20;

/// What the feed task tells the screen.
#[derive(Clone, Debug, PartialEq)]
pub enum FeedEvent {
    /// About to try connecting (`attempt` counts failures since the last good connection).
    Connecting {
        /// 0 for the first try after a good connection.
        attempt: u32,
        /// Which server is tried: its index in the `--server` order (0 with a single one).
        server: usize,
    },
    /// The WebSocket is open; the server's first message will be a snapshot.
    Connected,
    /// A checked message of the current wire version.
    Message(Box<Message>),
    /// A frame that was refused (and logged).
    Rejected(FrameError),
    /// The connection attempt failed for a reason the person setting up the screen can fix
    /// (a wrong `--office`, `--server` host or port); shown on screen until a connection works.
    Problem(ConnectProblem),
    /// The connection failed or ended; a reconnect follows.
    Disconnected {
        /// Why, for the log file.
        reason: String,
    },
}

/// Why connecting failed, when the answer is in the display's own settings. Retrying goes on
/// (the server may be restarting with a new configuration), but the screen says what is wrong
/// instead of 「接続しています…」 forever.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectProblem {
    /// The server has no such office; `offices` are the ids it has (from its 404 body).
    OfficeNotFound {
        /// The `--office` asked for.
        office: String,
        /// The office ids the server listed.
        offices: Vec<String>,
    },
    /// The `--server` host name does not resolve.
    HostNotFound {
        /// `HOST:PORT` as given.
        server: String,
    },
    /// Nothing listens at `--server` (not started, or another port).
    Refused {
        /// `HOST:PORT` as given.
        server: String,
    },
    /// `wss://`: the server's certificate is not trusted (wrong host name, expired, or signed by
    /// a certificate authority the PC does not know: see `--ca`).
    Certificate {
        /// `HOST:PORT` as given.
        server: String,
    },
    /// Something answers HTTP at `--server` but it is not a queue server's feed.
    NotAFeed {
        /// `HOST:PORT` as given.
        server: String,
        /// The HTTP status it answered the WebSocket handshake with.
        status: u16,
    },
}

/// Why a frame was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Not JSON text at all.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// JSON without a numeric top-level `v`.
    #[error("no wire version `v`")]
    MissingVersion,
    /// A version this display does not speak (refused rather than misread).
    #[error("wire version {0} is not {expected}", expected = protocol::VERSION)]
    UnknownVersion(u64),
    /// Version 1, but not a message we understand.
    #[error("not a feed message: {0}")]
    Shape(String),
    /// A binary frame: the feed is JSON text only.
    #[error("binary frame of {0} bytes")]
    Binary(usize),
    /// A `change` frame that does not fit the last snapshot.
    #[error("change not applied: {0}")]
    Change(protocol::ChangeError),
    /// A list or a text longer than any real office has (see [`limits`]).
    #[error("out of bounds: {0}")]
    TooLarge(limits::OutOfBounds),
}

/// Parses one text frame: JSON, then the version, then its sizes, then the message. The
/// version is checked before the shape so a future format is refused as such, not as a parse
/// error; the sizes before the message, so a hostile or corrupted frame never reaches the screen.
pub fn parse_frame(text: &str) -> Result<Message, FrameError> {
    checked(versioned(text)?)
}

/// The frame's JSON, if it is of our wire version.
fn versioned(text: &str) -> Result<serde_json::Value, FrameError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|error| FrameError::NotJson(error.to_string()))?;
    let version = value
        .get("v")
        .and_then(serde_json::Value::as_u64)
        .ok_or(FrameError::MissingVersion)?;
    if version != u64::from(protocol::VERSION) {
        return Err(FrameError::UnknownVersion(version));
    }
    Ok(value)
}

/// The message of a versioned frame, once its sizes are within bounds.
fn checked(mut value: serde_json::Value) -> Result<Message, FrameError> {
    limits::check(&mut value).map_err(FrameError::TooLarge)?;
    serde_json::from_value(value).map_err(|error| FrameError::Shape(error.to_string()))
}

/// One connection's reading of the feed: it remembers the last snapshot as sent, so that a
/// `change` frame (a patch of it, [`protocol::change`]) becomes the next whole snapshot before
/// the screen sees it. The screen only ever gets snapshots and calls.
#[derive(Debug, Default)]
pub struct FrameReader {
    /// The last snapshot, whole (with the waiting list the screen does not draw).
    last: Option<serde_json::Value>,
}

impl FrameReader {
    /// Parses one text frame as [`parse_frame`] does, turning a change into the snapshot it
    /// makes. A change that does not fit the last snapshot is refused; the next whole snapshot
    /// (at most 30 s away) puts the screen right.
    pub fn read(&mut self, text: &str) -> Result<Message, FrameError> {
        let mut value = versioned(text)?;
        if value.get("type").and_then(serde_json::Value::as_str) == Some("change") {
            let generated_at = value
                .get("generated_at")
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            let message: Message = serde_json::from_value(value)
                .map_err(|error| FrameError::Shape(error.to_string()))?;
            let Payload::Change(change) = &message.payload else {
                return Err(FrameError::Shape("a change frame without its patch".into()));
            };
            let last = self
                .last
                .as_ref()
                .ok_or(FrameError::Change(protocol::ChangeError::NoSnapshot))?;
            value = protocol::change::apply(last, change, message.seq, &generated_at)
                .map_err(FrameError::Change)?;
        }
        let snapshot = value.get("type").and_then(serde_json::Value::as_str) == Some("snapshot");
        let message = checked(value.clone())?;
        if snapshot {
            self.last = Some(value);
        }
        Ok(message)
    }
}

/// Delay before retry number `attempt` (1-based): doubling from [`FIRST_BACKOFF`], capped at
/// [`MAX_BACKOFF`], then scaled into its upper half by `jitter` ∈ [0, 1) so screens restarted
/// together do not knock in step.
pub fn backoff_delay(attempt: u32, jitter: f64) -> Duration {
    let doublings = attempt.saturating_sub(1).min(16);
    let full = FIRST_BACKOFF
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF);
    full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// Connects to the feed of `office` at the first of `urls` and keeps connected until `events`
/// is closed (the screen quit), moving on to the next URL whenever a link is lost. `tls` is the
/// client configuration for `wss://` URLs (unused for `ws://`).
pub async fn run(
    urls: Vec<String>,
    office: String,
    tls: Option<Arc<rustls::ClientConfig>>,
    events: mpsc::Sender<FeedEvent>,
) {
    let mut rotation = Rotation::new(urls.len());
    while let Some(url) = urls.get(rotation.current()) {
        let connecting = FeedEvent::Connecting {
            attempt: rotation.failures(),
            server: rotation.current(),
        };
        if events.send(connecting).await.is_err() {
            return;
        }
        let reason =
            match connect_and_read(url, &office, tls.as_ref(), &events, &mut rotation).await {
                Ok(reason) => reason,
                Err(Closed) => return,
            };
        tracing::warn!(%url, %reason, "feed disconnected");
        if events
            .send(FeedEvent::Disconnected { reason })
            .await
            .is_err()
        {
            return;
        }
        let jitter = rand::thread_rng().r#gen::<f64>();
        if let Some(delay) = rotation.advance(jitter) {
            tokio::time::sleep(delay).await;
        }
    }
}

/// The screen has gone: stop.
struct Closed;

/// One connection: returns why it ended. Marks the `rotation` synced once a snapshot arrives,
/// so a server that accepts and then drops at once still backs off.
async fn connect_and_read(
    url: &str,
    office: &str,
    tls: Option<&Arc<rustls::ClientConfig>>,
    events: &mpsc::Sender<FeedEvent>,
    rotation: &mut Rotation,
) -> Result<String, Closed> {
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES));
    let server = server_of(url);
    // Resolved first, on its own, so that a wrong host name is told apart from a server
    // that is down.
    if let Err(error) = tokio::net::lookup_host(&server).await {
        events
            .send(FeedEvent::Problem(ConnectProblem::HostNotFound {
                server: server.clone(),
            }))
            .await
            .map_err(|_| Closed)?;
        return Ok(format!("cannot resolve {server}: {error}"));
    }
    let connector = tls.map(|config| Connector::Rustls(Arc::clone(config)));
    let connect =
        tokio_tungstenite::connect_async_tls_with_config(url, Some(config), false, connector);
    let mut socket = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
        Err(_) => return Ok("connect timed out".to_owned()),
        Ok(Err(error)) => {
            if let Some(problem) = problem_of(&error, &server, office) {
                events
                    .send(FeedEvent::Problem(problem))
                    .await
                    .map_err(|_| Closed)?;
            }
            return Ok(format!("connect failed: {error}"));
        }
        Ok(Ok((socket, _response))) => socket,
    };
    tracing::info!(%url, "feed connected");
    let mut reader = FrameReader::default();
    events
        .send(FeedEvent::Connected)
        .await
        .map_err(|_| Closed)?;
    loop {
        let frame = match tokio::time::timeout(SILENCE_LIMIT, socket.next()).await {
            Err(_) => return Ok(format!("no message for {} s", SILENCE_LIMIT.as_secs())),
            Ok(None) => return Ok("connection ended".to_owned()),
            Ok(Some(Err(error))) => return Ok(format!("read failed: {error}")),
            Ok(Some(Ok(frame))) => frame,
        };
        let parsed = match frame {
            tungstenite::Message::Text(text) => reader.read(text.as_str()),
            tungstenite::Message::Binary(bytes) => Err(FrameError::Binary(bytes.len())),
            tungstenite::Message::Close(close) => {
                return Ok(format!("closed by server: {close:?}"));
            }
            // Pings are answered by tungstenite itself.
            _ => continue,
        };
        let event = match parsed {
            Ok(message) => {
                if matches!(message.payload, Payload::Snapshot(_)) {
                    rotation.synced();
                }
                FeedEvent::Message(Box::new(message))
            }
            Err(error) => {
                tracing::warn!(%error, "feed frame refused");
                FeedEvent::Rejected(error)
            }
        };
        events.send(event).await.map_err(|_| Closed)?;
    }
}

/// `HOST:PORT` of a `ws://` or `wss://` URL (the CLI accepts nothing else); the scheme's
/// port when none is given.
fn server_of(url: &str) -> String {
    let (rest, default_port) = match url.strip_prefix("wss://") {
        Some(rest) => (rest, 443),
        None => (url.strip_prefix("ws://").unwrap_or(url), 80),
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    if authority.contains(':') && !authority.ends_with(']') {
        authority.to_owned()
    } else {
        format!("{authority}:{default_port}")
    }
}

/// What a failed handshake says about the display's settings, if anything: a refused TCP
/// connection, or an HTTP answer instead of the upgrade. A 404 from a queue server carries
/// `office_not_found` with the ids it has (tungstenite keeps the body in `Error::Http`), so no
/// second HTTP request is needed to list them.
pub fn problem_of(
    error: &tungstenite::Error,
    server: &str,
    office: &str,
) -> Option<ConnectProblem> {
    match error {
        tungstenite::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            Some(ConnectProblem::Refused {
                server: server.to_owned(),
            })
        }
        // tokio-rustls reports a refused certificate as an I/O error around rustls's own.
        tungstenite::Error::Io(io)
            if io.get_ref().is_some_and(|inner| {
                matches!(
                    inner.downcast_ref::<rustls::Error>(),
                    Some(rustls::Error::InvalidCertificate(_))
                )
            }) =>
        {
            Some(ConnectProblem::Certificate {
                server: server.to_owned(),
            })
        }
        tungstenite::Error::Http(response) => {
            let body = response
                .body()
                .as_deref()
                .and_then(|bytes| serde_json::from_slice::<protocol::ErrorBody>(bytes).ok());
            match body {
                Some(body) if body.error.code == protocol::ErrorCode::OfficeNotFound => {
                    Some(ConnectProblem::OfficeNotFound {
                        office: office.to_owned(),
                        offices: body.error.offices.unwrap_or_default(),
                    })
                }
                _ => Some(ConnectProblem::NotAFeed {
                    server: server.to_owned(),
                    status: response.status().as_u16(),
                }),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{self, next_event as next};

    #[test]
    fn a_frame_of_the_current_version_parses_into_a_message() {
        let text = serde_json::to_string(&test_support::snapshot_message(
            3,
            "2026-12-01T10:00:00+09:00",
            test_support::open_office(),
        ))
        .expect("serializes");
        let message = parse_frame(&text).expect("parses");
        assert_eq!(message.seq, 3);
        assert!(matches!(message.payload, Payload::Snapshot(_)));
    }

    /// A change frame after a snapshot reaches the screen as the next whole snapshot; one
    /// before any snapshot is refused.
    #[test]
    fn change_frames_become_the_snapshots_they_make() {
        let first = test_support::snapshot_message(
            3,
            "2026-12-01T10:00:00+09:00",
            test_support::open_office(),
        );
        let mut office = test_support::open_office();
        office.services[0].waiting += 1;
        office.waiting_total = office.waiting_total.map(|total| total + 1);
        let second = test_support::snapshot_message(4, "2026-12-01T10:00:05+09:00", office.clone());
        office.recent_calls.clear();
        let third = test_support::snapshot_message(5, "2026-12-01T10:00:09+09:00", office);
        let json = |message: &Message| serde_json::to_value(message).expect("serializes");
        let change = |from: &Message, to: &Message| {
            let patch = protocol::change::diff(&json(from), &json(to)).expect("a patch");
            serde_json::to_string(&Message {
                v: protocol::VERSION,
                seq: to.seq,
                generated_at: to.generated_at,
                payload: Payload::Change(protocol::Change {
                    base: from.seq,
                    patch,
                }),
            })
            .expect("serializes")
        };
        let mut reader = FrameReader::default();
        assert_eq!(
            reader.read(&change(&first, &second)),
            Err(FrameError::Change(protocol::ChangeError::NoSnapshot))
        );
        let text = serde_json::to_string(&first).expect("serializes");
        assert_eq!(reader.read(&text).expect("a snapshot"), first);
        let made = change(&first, &second);
        assert!(made.len() < serde_json::to_string(&second).expect("serializes").len() / 2);
        assert_eq!(reader.read(&made).expect("applies"), second);
        assert_eq!(
            reader.read(&change(&second, &third)).expect("applies"),
            third
        );
        assert!(matches!(
            reader.read(&change(&first, &second)),
            Err(FrameError::Change(protocol::ChangeError::OtherBase {
                base: 3,
                have: 5
            }))
        ));
    }

    #[test]
    fn a_frame_of_another_version_is_refused_before_its_shape_is_read() {
        let text = r#"{"v":2,"type":"hologram","seq":1}"#;
        assert_eq!(parse_frame(text), Err(FrameError::UnknownVersion(2)));
    }

    #[test]
    fn text_that_is_not_json_is_refused() {
        assert!(matches!(parse_frame("<html>"), Err(FrameError::NotJson(_))));
    }

    #[test]
    fn json_without_a_version_is_refused() {
        let text = r#"{"type":"snapshot","seq":1}"#;
        assert_eq!(parse_frame(text), Err(FrameError::MissingVersion));
    }

    #[test]
    fn a_version_one_frame_of_a_type_from_a_newer_server_is_read_as_unknown() {
        let text = r#"{"v":1,"type":"weather","seq":1,"generated_at":"2026-12-01T10:00:00+09:00"}"#;
        let message = parse_frame(text).expect("a newer type is not an error");
        assert_eq!(message.payload, Payload::Unknown);
    }

    #[test]
    fn a_version_one_frame_without_a_type_is_refused() {
        let text = r#"{"v":1,"seq":1,"generated_at":"2026-12-01T10:00:00+09:00"}"#;
        assert!(matches!(parse_frame(text), Err(FrameError::Shape(_))));
    }

    /// Accepts one WebSocket connection on `listener`, sends `frames` as text, then closes.
    async fn serve_once(listener: &tokio::net::TcpListener, frames: &[String]) {
        use futures_util::SinkExt;
        let (stream, _) = listener.accept().await.expect("accepts");
        let mut socket = tokio_tungstenite::accept_async(stream)
            .await
            .expect("handshake");
        for frame in frames {
            socket
                .send(tungstenite::Message::text(frame.clone()))
                .await
                .expect("sends");
        }
        socket.close(None).await.expect("closes");
    }

    #[tokio::test]
    async fn bad_frames_are_refused_good_ones_pass_and_a_closed_link_is_reconnected() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let url = format!(
            "ws://{}/api/v1/offices/main/live",
            listener.local_addr().expect("addr")
        );
        let (sender, mut events) = mpsc::channel(16);
        let feed = tokio::spawn(run(vec![url], "main".to_owned(), None, sender));
        let snapshot = serde_json::to_string(&test_support::snapshot_message(
            5,
            "2026-12-01T10:00:00+09:00",
            test_support::open_office(),
        ))
        .expect("serializes");
        let frames = [
            "not json".to_owned(),
            r#"{"v":2,"type":"snapshot"}"#.to_owned(),
            snapshot.clone(),
        ];
        serve_once(&listener, &frames).await;
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Connecting {
                attempt: 0,
                server: 0
            }
        );
        assert_eq!(next(&mut events).await, FeedEvent::Connected);
        assert!(matches!(
            next(&mut events).await,
            FeedEvent::Rejected(FrameError::NotJson(_))
        ));
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Rejected(FrameError::UnknownVersion(2))
        );
        assert!(matches!(next(&mut events).await, FeedEvent::Message(m) if m.seq == 5));
        assert!(matches!(
            next(&mut events).await,
            FeedEvent::Disconnected { .. }
        ));
        // It comes back by itself and takes the new snapshot.
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Connecting {
                attempt: 1,
                server: 0
            }
        );
        serve_once(&listener, &[snapshot]).await;
        assert_eq!(next(&mut events).await, FeedEvent::Connected);
        assert!(matches!(next(&mut events).await, FeedEvent::Message(_)));
        feed.abort();
    }

    #[tokio::test]
    async fn a_server_that_is_down_is_retried_with_growing_attempts() {
        // Bind then drop: nothing listens on this port.
        let address = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("free port");
        let (sender, mut events) = mpsc::channel(16);
        let feed = tokio::spawn(run(
            vec![format!("ws://{address}/live")],
            "main".to_owned(),
            None,
            sender,
        ));
        for attempt in 0..3 {
            assert_eq!(
                next(&mut events).await,
                FeedEvent::Connecting { attempt, server: 0 }
            );
            if attempt < 2 {
                assert_eq!(
                    next(&mut events).await,
                    FeedEvent::Problem(ConnectProblem::Refused {
                        server: address.to_string()
                    }),
                    "the screen can say nothing listens there"
                );
                assert!(matches!(
                    next(&mut events).await,
                    FeedEvent::Disconnected { .. }
                ));
            }
        }
        feed.abort();
    }

    #[test]
    fn backoff_doubles_and_never_exceeds_five_seconds() {
        assert_eq!(backoff_delay(1, 1.0), FIRST_BACKOFF);
        assert_eq!(backoff_delay(2, 1.0), FIRST_BACKOFF * 2);
        assert_eq!(backoff_delay(3, 1.0), FIRST_BACKOFF * 4);
        for attempt in [6, 10, 100, u32::MAX] {
            assert_eq!(backoff_delay(attempt, 1.0), MAX_BACKOFF);
        }
    }

    #[test]
    fn jitter_spreads_a_retry_over_the_upper_half_of_its_delay() {
        assert_eq!(backoff_delay(100, 0.0), MAX_BACKOFF / 2);
        let middle = backoff_delay(100, 0.5);
        assert!(middle > MAX_BACKOFF / 2 && middle < MAX_BACKOFF);
    }

    /// Answers one connection with a plain HTTP reply instead of the WebSocket upgrade.
    async fn answer_once(listener: &tokio::net::TcpListener, status: &str, body: &str) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut stream, _) = listener.accept().await.expect("accepts");
        let mut request = vec![0u8; 4096];
        let _ = stream
            .read(&mut request)
            .await
            .expect("reads the handshake");
        let reply = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(reply.as_bytes()).await.expect("writes");
        stream.shutdown().await.expect("closes");
    }

    #[tokio::test]
    async fn an_unknown_office_is_reported_with_the_ids_from_the_servers_404() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let address = listener.local_addr().expect("addr");
        let url = format!("ws://{address}/api/v1/offices/mian/live");
        let (sender, mut events) = mpsc::channel(16);
        let feed = tokio::spawn(run(vec![url], "mian".to_owned(), None, sender));
        let body = r#"{"error":{"code":"office_not_found","message":"窓口「mian」は見つかりません。","offices":["main","center"]}}"#;
        answer_once(&listener, "404 Not Found", body).await;
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Connecting {
                attempt: 0,
                server: 0
            }
        );
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Problem(ConnectProblem::OfficeNotFound {
                office: "mian".into(),
                offices: vec!["main".into(), "center".into()],
            })
        );
        // Another web server at that address is not mistaken for a wrong office.
        assert!(matches!(
            next(&mut events).await,
            FeedEvent::Disconnected { .. }
        ));
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Connecting {
                attempt: 1,
                server: 0
            }
        );
        answer_once(&listener, "404 Not Found", "<html>not here</html>").await;
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Problem(ConnectProblem::NotAFeed {
                server: address.to_string(),
                status: 404
            })
        );
        feed.abort();
    }

    #[tokio::test]
    async fn a_host_name_that_does_not_resolve_is_reported_as_such() {
        let (sender, mut events) = mpsc::channel(16);
        // `.invalid` never resolves (RFC 2606).
        let url = "ws://no-such-host.invalid:8080/api/v1/offices/main/live".to_owned();
        let feed = tokio::spawn(run(vec![url], "main".to_owned(), None, sender));
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Connecting {
                attempt: 0,
                server: 0
            }
        );
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Problem(ConnectProblem::HostNotFound {
                server: "no-such-host.invalid:8080".into()
            })
        );
        feed.abort();
    }

    #[test]
    fn the_server_of_a_url_keeps_its_port_or_gets_80() {
        assert_eq!(server_of("ws://10.0.0.5:8080/api/v1/x"), "10.0.0.5:8080");
        assert_eq!(server_of("ws://lobby/api"), "lobby:80");
        assert_eq!(server_of("ws://[::1]:8080/api"), "[::1]:8080");
        assert_eq!(
            server_of("wss://queue.example.lg.jp/api"),
            "queue.example.lg.jp:443"
        );
        assert_eq!(server_of("wss://proxy:8443/api"), "proxy:8443");
    }
}
