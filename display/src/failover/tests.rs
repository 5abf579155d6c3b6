use std::time::Instant;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::tungstenite;

use super::*;
use crate::app::{App, Event, LinkView};
use crate::feed::{self, ConnectProblem, FeedEvent};
use crate::test_support::{self, next_event};
use crate::text::LangMode;

#[test]
fn with_one_server_every_attempt_is_a_round_and_backs_off_as_before() {
    let mut rotation = Rotation::new(1);
    for attempt in 1..=8 {
        assert_eq!(
            rotation.advance(1.0),
            Some(feed::backoff_delay(attempt, 1.0))
        );
        assert_eq!(rotation.current(), 0);
        assert_eq!(rotation.failures(), attempt);
    }
}

#[test]
fn a_dead_server_is_followed_at_once_by_the_next_and_the_backoff_is_paid_per_round() {
    let mut rotation = Rotation::new(3);
    // First round: 0 fails, 1 and 2 are tried at once; after 2 the round is over.
    assert_eq!(rotation.advance(1.0), None);
    assert_eq!(rotation.current(), 1);
    assert_eq!(rotation.advance(1.0), None);
    assert_eq!(rotation.current(), 2);
    assert_eq!(rotation.advance(1.0), Some(feed::backoff_delay(1, 1.0)));
    assert_eq!(rotation.current(), 0);
    // Second round: the same, with the second round's (doubled) backoff.
    assert_eq!(rotation.advance(1.0), None);
    assert_eq!(rotation.advance(1.0), None);
    assert_eq!(rotation.advance(1.0), Some(feed::backoff_delay(2, 1.0)));
    assert_eq!(rotation.failures(), 6);
}

#[test]
fn a_snapshot_starts_a_fresh_round_from_the_server_after_the_one_lost() {
    let mut rotation = Rotation::new(2);
    assert_eq!(rotation.advance(1.0), None);
    // Server 1 answered with a snapshot, then its link was lost: server 0 is next, at once.
    rotation.synced();
    assert_eq!(rotation.advance(1.0), None);
    assert_eq!(rotation.current(), 0);
    assert_eq!(rotation.failures(), 1);
    // Server 0 is down too: the round is over, so a pause before server 1 again.
    assert_eq!(rotation.advance(1.0), Some(feed::backoff_delay(1, 1.0)));
    assert_eq!(rotation.current(), 1);
}

#[test]
fn no_server_at_all_is_taken_as_one() {
    let mut rotation = Rotation::new(0);
    assert_eq!(rotation.advance(0.0), Some(feed::backoff_delay(1, 0.0)));
    assert_eq!(rotation.current(), 0);
}

/// A real WebSocket feed server on loopback: every connection gets `frame` (a snapshot), then
/// is held open (reading, so pings are answered) until the server is killed.
struct FeedServer {
    port: u16,
    task: JoinHandle<()>,
}

impl FeedServer {
    /// Listens on `port` (0: any free port) and serves `frame`.
    async fn start(port: u16, frame: String) -> FeedServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("binds");
        let port = listener.local_addr().expect("addr").port();
        let task = tokio::spawn(async move {
            // Owned by this task: killing it closes the listener and every connection.
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let frame = frame.clone();
                connections.spawn(async move {
                    let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else {
                        return;
                    };
                    if socket.send(tungstenite::Message::text(frame)).await.is_ok() {
                        while let Some(Ok(_)) = socket.next().await {}
                    }
                });
            }
        });
        FeedServer { port, task }
    }

    /// The feed URL of the main office on this server.
    fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/api/v1/offices/main/live", self.port)
    }

    /// Stops it like SIGKILL would: the listener and open links close without a goodbye.
    async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

/// A snapshot frame of the open office with `number` called at counter 1.
fn frame_calling(seq: u64, number: &str) -> String {
    let mut snapshot = test_support::open_office();
    snapshot.now_called[0].number = number.into();
    serde_json::to_string(&test_support::snapshot_message(
        seq,
        "2026-12-01T10:00:00+09:00",
        snapshot,
    ))
    .expect("serializes")
}

/// Feeds the display's events into `app` until it is live on server `number` (1-based) and
/// returns the events seen on the way.
async fn until_live_on(
    app: &mut App,
    events: &mut mpsc::Receiver<FeedEvent>,
    number: usize,
) -> Vec<FeedEvent> {
    let mut seen = Vec::new();
    while !(app.link_view() == LinkView::Live && app.server_number() == Some(number)) {
        let event = next_event(events).await;
        seen.push(event.clone());
        app.update(Event::Feed(event), Instant::now());
    }
    seen
}

/// The number the screen shows at counter 1.
fn called_at_counter_1(app: &App) -> Option<String> {
    app.snapshot()?
        .now_called
        .iter()
        .find(|called| called.counter == "1")
        .map(|called| called.number.clone())
}

/// The first `Connecting` after the lost link: which server the display went to.
fn next_server_tried(seen: &[FeedEvent]) -> Option<usize> {
    seen.iter()
        .skip_while(|event| !matches!(event, FeedEvent::Disconnected { .. }))
        .find_map(|event| match event {
            FeedEvent::Connecting { server, .. } => Some(*server),
            _ => None,
        })
}

/// Two real feed servers: killing the first moves the display to the second, which it shows;
/// when the first is back and the second dies, it moves back and shows the first's new data.
#[tokio::test]
async fn a_killed_server_hands_the_screen_to_the_next_and_back() {
    let first = FeedServer::start(0, frame_calling(5, "R014")).await;
    let second = FeedServer::start(0, frame_calling(6, "R015")).await;
    let first_port = first.port;
    let urls = vec![first.url(), second.url()];
    let (sender, mut events) = mpsc::channel(16);
    let feed = tokio::spawn(feed::run(urls.clone(), "main".into(), None, sender));
    let mut app = App::new(LangMode::Ja, false, urls, Instant::now());

    let seen = until_live_on(&mut app, &mut events, 1).await;
    assert_eq!(
        seen.first(),
        Some(&FeedEvent::Connecting {
            attempt: 0,
            server: 0
        })
    );
    assert_eq!(called_at_counter_1(&app).as_deref(), Some("R014"));

    first.kill().await;
    let seen = until_live_on(&mut app, &mut events, 2).await;
    assert_eq!(
        next_server_tried(&seen),
        Some(1),
        "straight to the second server: {seen:?}"
    );
    assert_eq!(called_at_counter_1(&app).as_deref(), Some("R015"));
    assert_eq!(app.seq(), Some(6));

    // The first comes back (on its port, one call later); then the second dies.
    let first = FeedServer::start(first_port, frame_calling(7, "R016")).await;
    second.kill().await;
    let seen = until_live_on(&mut app, &mut events, 1).await;
    assert_eq!(next_server_tried(&seen), Some(0), "{seen:?}");
    assert_eq!(called_at_counter_1(&app).as_deref(), Some("R016"));
    feed.abort();
    first.kill().await;
}

/// A first server that is down at start does not keep the screen from the second: the feed
/// says what is wrong with the first and goes on to the second in the same round.
#[tokio::test]
async fn a_first_server_down_at_start_is_passed_over_for_the_second() {
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port");
    let second = FeedServer::start(0, frame_calling(3, "R014")).await;
    let urls = vec![
        format!("ws://{address}/api/v1/offices/main/live"),
        second.url(),
    ];
    let (sender, mut events) = mpsc::channel(16);
    let feed = tokio::spawn(feed::run(urls, "main".into(), None, sender));
    assert_eq!(
        next_event(&mut events).await,
        FeedEvent::Connecting {
            attempt: 0,
            server: 0
        }
    );
    assert_eq!(
        next_event(&mut events).await,
        FeedEvent::Problem(ConnectProblem::Refused {
            server: address.to_string()
        })
    );
    assert!(matches!(
        next_event(&mut events).await,
        FeedEvent::Disconnected { .. }
    ));
    assert_eq!(
        next_event(&mut events).await,
        FeedEvent::Connecting {
            attempt: 1,
            server: 1
        }
    );
    assert_eq!(next_event(&mut events).await, FeedEvent::Connected);
    assert!(matches!(next_event(&mut events).await, FeedEvent::Message(m) if m.seq == 3));
    feed.abort();
    second.kill().await;
}
