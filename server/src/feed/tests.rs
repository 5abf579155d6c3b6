//! What a viewer holds, on a real office task over a real store.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio_util::task::TaskTracker;

use futures_util::StreamExt;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::link::{Link, Offered};
use super::{OfficeFeed, StateFrames, ViewerSlots, WireText};
use crate::clock::{SharedClock, StartedClock};
use crate::config::Config;
use crate::domain::Command;
use crate::store::Store;

/// A Tuesday at 10:00 in Japan: reception is open.
const OPEN_DAY: &str = "2026-12-01T10:00:00+09:00";

/// The main office's task on a fresh store, its clock stopped at [`OPEN_DAY`]; the directory
/// holds the store.
async fn main_office() -> (tempfile::TempDir, TaskTracker, crate::office::OfficeHandle) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let config = Arc::new(Config::embedded().unwrap());
    let start_at: DateTime<Utc> = DateTime::parse_from_rfc3339(OPEN_DAY)
        .unwrap()
        .with_timezone(&Utc);
    let clock: SharedClock = Arc::new(StartedClock::new(start_at));
    let tasks = TaskTracker::new();
    let office = config.office("main").unwrap().clone();
    let handle = crate::office::start(&office, config, store, clock, false, &tasks)
        .await
        .unwrap();
    (dir, tasks, handle)
}

/// A viewer follows the feed (the relay's frames), never the office's `Published` state: once
/// the office publishes again, the state before it (with that day's whole ticket list) is
/// freed even though the viewer is still connected. Memory then grows with viewers × one
/// frame, not with viewers × tickets.
#[tokio::test]
async fn a_viewer_keeps_only_the_frame_not_the_published_state() {
    let (_dir, tasks, handle) = main_office().await;
    let feed = OfficeFeed::start(&handle, &Default::default(), &tasks);

    // What a connected viewer holds: its copy of the feed and the frame it was last sent
    // (the whole snapshot, made when it was sent).
    let mut viewer = feed.clone();
    let first_frame = viewer.snapshots.borrow_and_update().clone();
    let first_text = first_frame
        .full()
        .expect("the latest state")
        .as_str()
        .to_string();
    let before = Arc::downgrade(&handle.latest());

    let issue = Command::Issue {
        service: "renewal".into(),
    };
    handle.execute(issue, "desk").await.unwrap();
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        viewer.snapshots.changed(),
    )
    .await
    .unwrap()
    .unwrap();
    let second_frame = viewer.snapshots.borrow_and_update().clone();

    assert_ne!(
        first_text,
        second_frame.full().expect("the latest state").as_str(),
        "the viewer saw the issue"
    );
    assert!(
        before.upgrade().is_none(),
        "the state before the issue is still alive while a viewer is connected"
    );
}

/// A viewer sent the previous state takes the `change` frame, and applying it to that state
/// gives exactly the next whole snapshot; a viewer that skipped a state takes the whole one.
#[tokio::test]
async fn a_change_applied_to_the_previous_state_is_the_next_whole_snapshot() {
    let (_dir, tasks, handle) = main_office().await;
    let mut feed = OfficeFeed::start(&handle, &Default::default(), &tasks);
    let first = feed.snapshots.borrow_and_update().clone();
    let mut state: serde_json::Value =
        serde_json::from_str(first.full().expect("the whole snapshot").as_str()).unwrap();
    let commands = [
        Command::Issue {
            service: "renewal".into(),
        },
        Command::OpenCounter("1".into()),
        Command::Issue {
            service: "proxy_notice".into(),
        },
        Command::CallNext("1".into()),
    ];
    for command in commands {
        handle.execute(command, "desk").await.unwrap();
        let seq = handle.latest().message.seq;
        let frames = loop {
            tokio::time::timeout(std::time::Duration::from_secs(5), feed.snapshots.changed())
                .await
                .unwrap()
                .unwrap();
            let frames = feed.snapshots.borrow_and_update().clone();
            if frames
                .full()
                .expect("the whole snapshot")
                .as_str()
                .contains(&format!("\"seq\":{seq},"))
            {
                break frames;
            }
        };
        let whole: serde_json::Value =
            serde_json::from_str(frames.full().expect("the whole snapshot").as_str()).unwrap();
        let change = frames
            .change
            .as_ref()
            .expect("a committed change goes as a change frame");
        assert!(change.len() < frames.full().expect("the whole snapshot").len());
        assert_eq!(
            frames.for_viewer(frames.number - 2),
            frames.full(),
            "a viewer that skipped a state"
        );
        assert_eq!(frames.for_viewer(frames.number - 1), Some(change));
        let message: crate::protocol::Message = serde_json::from_str(change.as_str()).unwrap();
        let crate::protocol::Payload::Change(patch) = message.payload else {
            panic!("not a change frame: {}", change.as_str());
        };
        state = crate::protocol::change::apply(&state, &patch, message.seq, &whole["generated_at"])
            .unwrap();
        assert_eq!(state, whole);
    }
}

#[test]
fn viewer_slots_refuse_beyond_the_maximum_and_free_a_slot_when_a_viewer_leaves() {
    let slots = ViewerSlots::new(2);
    let first = slots.take().unwrap();
    let _second = slots.take().unwrap();
    assert!(slots.take().is_none(), "a third viewer got a slot");
    drop(first);
    assert!(slots.take().is_some(), "a freed slot was not given again");
    assert_eq!(slots.max(), 2);
}

/// Both ends of a loopback TCP connection: the server's, the viewer's.
async fn connection() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let viewer = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (server, viewer)
}

/// Relay state `number`: the whole snapshot and maybe the change from the state before.
fn state(number: u64, full: &str, change: Option<&str>) -> StateFrames {
    StateFrames::new(
        number,
        super::Whole::Text(bytes::Bytes::copy_from_slice(full.as_bytes())),
        change.map(|text| WireText::of(text.as_bytes())),
        std::time::Instant::now(),
    )
}

/// A frame the socket cannot take at once waits in the link's backlog; meanwhile the fan-out
/// passes the viewer by (states and calls alike), and once the backlog is written the viewer
/// is sent the whole latest snapshot, after which changes go as change frames again. The
/// bytes on the wire are exactly those frames, whole and in order.
#[tokio::test]
async fn a_viewer_that_cannot_take_a_frame_is_passed_by_then_sent_the_whole_latest_snapshot() {
    let (server, mut viewer) = connection().await;
    let link = Link::new(server);
    // Far more than loopback's socket buffers hold.
    let big = state(1, &format!("\"{}\"", "x".repeat(16 << 20)), None);
    assert_eq!(link.offer_state(&big), Offered::Sent);
    let skipped = state(2, "{\"seq\":2}", Some("{\"change\":2}"));
    assert_eq!(link.offer_state(&skipped), Offered::Behind);
    assert_eq!(
        link.offer_call(&WireText::of(b"{\"call\":1}")),
        Offered::Behind
    );
    assert!(link.needs().resync, "a viewer passed by must be resynced");

    let latest = state(3, "{\"seq\":3}", Some("{\"change\":3}"));
    let after = state(4, "{\"seq\":4}", Some("{\"change\":4}"));
    let mut expected = big.full().expect("the whole snapshot").wire().to_vec();
    expected.extend_from_slice(latest.full().expect("the whole snapshot").wire());
    expected.extend_from_slice(after.change.as_ref().unwrap().wire());
    let length = expected.len();
    let reader = tokio::spawn(async move {
        let mut received = vec![0; length];
        viewer.read_exact(&mut received).await.unwrap();
        received
    });
    link.drain().await.unwrap();
    assert_eq!(link.resync(&latest), Offered::Sent);
    assert!(!link.needs().resync);
    assert_eq!(link.offer_state(&latest), Offered::Skipped);
    assert_eq!(link.offer_state(&after), Offered::Sent);
    link.drain().await.unwrap();
    let received = reader.await.unwrap();
    assert!(
        received == expected,
        "the frames on the wire are not the ones sent"
    );
}

/// A viewer that joins the fan-out is written the whole snapshot, then each change as a change
/// frame, by the fan-out alone; once it leaves, the fan-out holds no link to it.
#[tokio::test]
async fn the_fan_out_writes_the_first_snapshot_then_changes_and_lets_go_of_a_viewer_that_left() {
    let (_dir, tasks, handle) = main_office().await;
    let feed = OfficeFeed::start(&handle, &Default::default(), &tasks);
    let (server, viewer) = connection().await;
    let mut viewer = WebSocketStream::from_raw_socket(viewer, Role::Client, None).await;
    let (joined, offered) = feed.fan_out.join(Link::new(server), &feed.snapshots);
    assert_eq!(offered, Offered::Sent);
    assert_eq!(feed.fan_out.len(), 1);

    let mut next = async || match viewer.next().await {
        Some(Ok(Message::Text(text))) => serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        other => panic!("not a text frame: {other:?}"),
    };
    assert_eq!(next().await["type"], "snapshot");
    let issue = Command::Issue {
        service: "renewal".into(),
    };
    handle.execute(issue, "desk").await.unwrap();
    let change = tokio::time::timeout(std::time::Duration::from_secs(5), next())
        .await
        .unwrap();
    assert_eq!(change["type"], "change");

    drop(joined);
    assert_eq!(
        feed.fan_out.len(),
        0,
        "the fan-out still holds a viewer that left"
    );
}
