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

/// A viewer follows the feed (the relay's frames), never the office's `Published` state: once
/// the office publishes again, the state before it (with that day's whole ticket list) is
/// freed even though the viewer is still connected. Memory then grows with viewers × one
/// frame, not with viewers × tickets.
#[tokio::test]
async fn a_viewer_keeps_only_the_frame_not_the_published_state() {
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
        first_frame.text, second_frame.text,
        "the viewer saw the issue"
    );
    assert!(
        before.upgrade().is_none(),
        "the state before the issue is still alive while a viewer is connected"
    );
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
