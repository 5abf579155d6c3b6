//! What a viewer holds, on a real office task over a real store.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio_util::task::TaskTracker;

use super::{OfficeFeed, ViewerSlots};
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
    let feed = OfficeFeed::start(&handle, &tasks);

    // What a connected viewer holds: its copy of the feed and the frame it was last sent.
    let mut viewer = feed.clone();
    let first_frame = viewer.snapshots.borrow_and_update().clone();
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
        first_frame.full, second_frame.full,
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
    let mut feed = OfficeFeed::start(&handle, &tasks);
    let first = feed.snapshots.borrow_and_update().clone();
    let mut state: serde_json::Value = serde_json::from_str(first.full.as_str()).unwrap();
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
            if frames.full.as_str().contains(&format!("\"seq\":{seq},")) {
                break frames;
            }
        };
        let whole: serde_json::Value = serde_json::from_str(frames.full.as_str()).unwrap();
        let change = frames
            .change
            .as_ref()
            .expect("a committed change goes as a change frame");
        assert!(change.len() < frames.full.len());
        assert_eq!(
            frames.for_viewer(frames.number - 2),
            &frames.full,
            "a viewer that skipped a state"
        );
        assert_eq!(frames.for_viewer(frames.number - 1), change);
        let message: crate::protocol::Message = serde_json::from_str(change.as_str()).unwrap();
        let crate::protocol::Payload::Change(patch) = message.payload else {
            panic!("not a change frame: {change}");
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
