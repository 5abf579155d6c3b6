use std::time::{Duration, Instant};

use super::*;
use crate::feed::{FeedEvent, FrameError};
use crate::test_support::{at, call_message, open_office, snapshot_message};

const TEN: &str = "2026-12-01T10:00:00+09:00";

fn app(start: Instant) -> App {
    App::new(
        LangMode::Ja,
        true,
        vec!["ws://127.0.0.1:8080/api/v1/offices/main/live".into()],
        start,
    )
}

fn message(message: Message) -> Event {
    Event::Feed(FeedEvent::Message(Box::new(message)))
}

/// A display that connected at `start` and got the open office's snapshot.
fn live_app(start: Instant) -> App {
    let mut app = app(start);
    app.update(Event::Feed(FeedEvent::Connected), start);
    app.update(message(snapshot_message(1, TEN, open_office())), start);
    app
}

#[test]
fn the_screen_is_live_only_after_a_snapshot_on_an_open_connection() {
    let start = Instant::now();
    let mut app = app(start);
    assert_eq!(app.link_view(), LinkView::Connecting);
    app.update(Event::Feed(FeedEvent::Connected), start);
    assert_eq!(app.link_view(), LinkView::Connecting);
    app.update(message(snapshot_message(1, TEN, open_office())), start);
    assert_eq!(app.link_view(), LinkView::Live);
}

#[test]
fn a_lost_connection_shows_the_time_of_the_last_update() {
    let start = Instant::now();
    let mut app = live_app(start);
    let later = start + Duration::from_secs(3);
    app.update(
        Event::Feed(FeedEvent::Disconnected {
            reason: "connection reset".into(),
        }),
        later,
    );
    assert_eq!(
        app.link_view(),
        LinkView::NotLive {
            last_update: at(TEN)
        }
    );
    // The data stays on screen (marked not live) rather than going blank.
    assert!(app.snapshot().is_some());
}

#[test]
fn a_reconnect_is_live_again_only_once_its_snapshot_arrives() {
    let start = Instant::now();
    let mut app = live_app(start);
    let t = |s| start + Duration::from_secs(s);
    app.update(
        Event::Feed(FeedEvent::Disconnected { reason: "x".into() }),
        t(1),
    );
    app.update(
        Event::Feed(FeedEvent::Connecting {
            attempt: 1,
            server: 0,
        }),
        t(2),
    );
    assert_eq!(app.link(), Link::Connecting { attempt: 1 });
    app.update(Event::Feed(FeedEvent::Connected), t(3));
    assert!(matches!(app.link_view(), LinkView::NotLive { .. }));
    app.update(
        message(snapshot_message(
            9,
            "2026-12-01T10:00:03+09:00",
            open_office(),
        )),
        t(3),
    );
    assert_eq!(app.link_view(), LinkView::Live);
    assert_eq!(app.seq(), Some(9));
}

#[test]
fn sixty_seconds_without_a_message_is_not_live_even_if_connected() {
    let start = Instant::now();
    let mut app = live_app(start);
    app.update(Event::Tick, start + STALE_AFTER);
    assert_eq!(app.link_view(), LinkView::Live);
    app.update(Event::Tick, start + STALE_AFTER + Duration::from_secs(1));
    assert_eq!(
        app.link_view(),
        LinkView::NotLive {
            last_update: at(TEN)
        }
    );
}

#[test]
fn the_clock_runs_on_from_the_servers_time_not_the_local_one() {
    let start = Instant::now();
    let mut app = live_app(start);
    app.update(Event::Tick, start + Duration::from_secs(75));
    assert_eq!(app.server_now(), Some(at("2026-12-01T10:01:15+09:00")));
}

#[test]
fn a_call_event_highlights_the_number_and_rings_the_bell() {
    let start = Instant::now();
    let mut app = live_app(start);
    let effects = app.update(message(call_message(2, TEN, "4", "R015")), start);
    assert!(effects.bell && effects.redraw);
    assert!(app.is_highlighted("4", "R015"));
}

#[test]
fn the_bell_stays_silent_without_the_bell_option() {
    let start = Instant::now();
    let mut app = App::new(LangMode::Ja, false, vec!["ws://x".into()], start);
    let effects = app.update(message(call_message(2, TEN, "4", "R015")), start);
    assert!(!effects.bell);
    assert!(app.is_highlighted("4", "R015"));
}

#[test]
fn a_call_highlight_expires_after_several_seconds() {
    let start = Instant::now();
    let mut app = live_app(start);
    app.update(message(call_message(2, TEN, "4", "R015")), start);
    app.update(Event::Tick, start + HIGHLIGHT_FOR - Duration::from_secs(1));
    assert!(app.is_highlighted("4", "R015"));
    app.update(Event::Tick, start + HIGHLIGHT_FOR);
    assert!(!app.is_highlighted("4", "R015"));
}

#[test]
fn a_call_missed_while_away_is_highlighted_for_the_time_left() {
    let start = Instant::now();
    let mut app = live_app(start);
    // The next snapshot (no call event seen) shows R015 called 4 s before it was made.
    let mut snapshot = open_office();
    snapshot.now_called[0].number = "R015".into();
    snapshot.now_called[0].called_at = at("2026-12-01T10:00:06+09:00");
    let effects = app.update(
        message(snapshot_message(3, "2026-12-01T10:00:10+09:00", snapshot)),
        start,
    );
    assert!(effects.bell);
    assert!(app.is_highlighted("1", "R015"));
    app.update(Event::Tick, start + Duration::from_secs(6));
    assert!(!app.is_highlighted("1", "R015"));
}

#[test]
fn calls_already_on_screen_are_not_highlighted_again_by_the_next_snapshot() {
    let start = Instant::now();
    let mut app = live_app(start);
    let effects = app.update(message(call_message(2, TEN, "1", "R014")), start);
    assert!(effects.bell);
    // The snapshot that follows the call event carries the same call: no second bell.
    let effects = app.update(message(snapshot_message(3, TEN, open_office())), start);
    assert!(!effects.bell);
}

#[test]
fn old_calls_in_the_first_snapshot_are_not_highlighted() {
    let start = Instant::now();
    let app = live_app(start);
    // R014 was called at 9:58:40, 80 s before the snapshot.
    assert!(!app.is_highlighted("1", "R014"));
}

#[test]
fn a_new_call_at_a_counter_replaces_its_previous_highlight() {
    let start = Instant::now();
    let mut app = live_app(start);
    app.update(message(call_message(2, TEN, "1", "R015")), start);
    app.update(message(call_message(3, TEN, "1", "R016")), start);
    assert!(!app.is_highlighted("1", "R015"));
    assert!(app.is_highlighted("1", "R016"));
}

#[test]
fn a_bad_frame_is_counted_but_changes_nothing_on_screen() {
    let start = Instant::now();
    let mut app = live_app(start);
    let before = app.snapshot().cloned();
    let effects = app.update(
        Event::Feed(FeedEvent::Rejected(FrameError::UnknownVersion(2))),
        start + Duration::from_secs(1),
    );
    assert_eq!(effects, Effects::default());
    assert_eq!(app.rejected_frames(), 1);
    assert_eq!(app.snapshot().cloned(), before);
    assert_eq!(app.seq(), Some(1));
}

#[test]
fn a_bad_frame_does_not_keep_a_silent_feed_looking_live() {
    let start = Instant::now();
    let mut app = live_app(start);
    let late = start + STALE_AFTER + Duration::from_secs(5);
    app.update(
        Event::Feed(FeedEvent::Rejected(FrameError::NotJson("x".into()))),
        late,
    );
    assert!(matches!(app.link_view(), LinkView::NotLive { .. }));
}

#[test]
fn quit_ends_the_loop() {
    let start = Instant::now();
    let mut app = app(start);
    assert!(!app.should_quit());
    app.update(Event::Quit, start);
    assert!(app.should_quit());
}

/// `snapshot_message` of the open office with `number` called at counter 1.
fn calling(seq: u64, generated_at: &str, number: &str) -> Event {
    let mut snapshot = open_office();
    snapshot.now_called[0].number = number.into();
    message(snapshot_message(seq, generated_at, snapshot))
}

/// The number on screen at counter 1.
fn at_counter_1(app: &App) -> Option<&str> {
    let snapshot = app.snapshot()?;
    Some(snapshot.now_called.first()?.number.as_str())
}

/// Live on the first of two servers at `start` with R014 at seq 9, then its link lost and
/// the second server connected at 2 s.
fn switched_to_second_server(start: Instant) -> App {
    let mut app = App::new(
        LangMode::Ja,
        true,
        vec!["ws://a:8080/live".into(), "ws://b:8080/live".into()],
        start,
    );
    let t = |s| start + Duration::from_secs(s);
    app.update(
        Event::Feed(FeedEvent::Connecting {
            attempt: 0,
            server: 0,
        }),
        start,
    );
    app.update(Event::Feed(FeedEvent::Connected), start);
    app.update(calling(9, TEN, "R014"), start);
    assert_eq!(app.server_number(), Some(1));
    app.update(
        Event::Feed(FeedEvent::Disconnected {
            reason: "connection ended".into(),
        }),
        t(1),
    );
    app.update(
        Event::Feed(FeedEvent::Connecting {
            attempt: 1,
            server: 1,
        }),
        t(1),
    );
    app.update(Event::Feed(FeedEvent::Connected), t(2));
    assert_eq!(app.server_number(), Some(2));
    app
}

#[test]
fn a_new_server_at_the_same_seq_is_live_at_once() {
    let start = Instant::now();
    let mut app = switched_to_second_server(start);
    app.update(
        calling(9, "2026-12-01T10:00:02+09:00", "R014"),
        start + Duration::from_secs(2),
    );
    assert_eq!(app.link_view(), LinkView::Live);
    assert_eq!(app.seq(), Some(9));
}

#[test]
fn a_new_server_behind_the_screen_leaves_the_newer_data_until_it_catches_up() {
    let start = Instant::now();
    let t = |s| start + Duration::from_secs(s);
    let mut app = switched_to_second_server(start);
    // The second instance has not seen the last call yet: its snapshot is one event older.
    let effects = app.update(calling(8, "2026-12-01T10:00:02+09:00", "R013"), t(2));
    assert_eq!(at_counter_1(&app), Some("R014"), "never back to older data");
    assert!(app.is_catching_up());
    assert_eq!(
        app.link_view(),
        LinkView::NotLive {
            last_update: at(TEN)
        },
        "the newer data is shown with its age, not as live"
    );
    assert!(!effects.bell);
    // It catches up: the call the screen already has is not called again…
    let effects = app.update(message(call_message(9, TEN, "1", "R014")), t(3));
    assert!(!effects.bell && !effects.redraw);
    assert!(!app.is_highlighted("1", "R014"));
    // …and its snapshot at the screen's seq makes the screen live on it.
    app.update(calling(9, "2026-12-01T10:00:03+09:00", "R014"), t(3));
    assert_eq!(app.link_view(), LinkView::Live);
    assert!(!app.is_catching_up());
    app.update(calling(10, "2026-12-01T10:00:04+09:00", "R015"), t(4));
    assert_eq!(at_counter_1(&app), Some("R015"));
    assert_eq!(app.seq(), Some(10));
}

#[test]
fn a_server_that_stays_behind_is_believed_after_the_catch_up_limit() {
    let start = Instant::now();
    let t = |s| start + Duration::from_secs(s);
    let mut app = switched_to_second_server(start);
    // Another database altogether (a server started afresh): its seq is far behind.
    app.update(calling(2, "2026-12-01T10:00:02+09:00", "R001"), t(2));
    app.update(Event::Tick, t(8));
    assert_eq!(at_counter_1(&app), Some("R014"));
    app.update(calling(3, "2026-12-01T10:00:09+09:00", "R002"), t(9));
    app.update(
        Event::Tick,
        t(2) + CATCH_UP_LIMIT - Duration::from_millis(1),
    );
    assert_eq!(at_counter_1(&app), Some("R014"), "still waiting");
    app.update(Event::Tick, t(2) + CATCH_UP_LIMIT);
    assert_eq!(at_counter_1(&app), Some("R002"), "its latest snapshot");
    assert_eq!(app.link_view(), LinkView::Live);
    assert_eq!(app.seq(), Some(3));
    assert_eq!(
        app.server_now(),
        Some(at("2026-12-01T10:00:12+09:00")),
        "its clock runs from when that snapshot arrived"
    );
    // From then on its own seq is the mark.
    app.update(calling(4, "2026-12-01T10:00:13+09:00", "R003"), t(13));
    assert_eq!(at_counter_1(&app), Some("R003"));
}

#[test]
fn a_server_behind_is_judged_afresh_on_each_connection() {
    let start = Instant::now();
    let t = |s| start + Duration::from_secs(s);
    let mut app = switched_to_second_server(start);
    app.update(calling(8, "2026-12-01T10:00:02+09:00", "R013"), t(2));
    app.update(
        Event::Feed(FeedEvent::Disconnected {
            reason: "connection ended".into(),
        }),
        t(5),
    );
    assert!(!app.is_catching_up());
    app.update(
        Event::Feed(FeedEvent::Connecting {
            attempt: 1,
            server: 0,
        }),
        t(5),
    );
    app.update(Event::Feed(FeedEvent::Connected), t(6));
    // The wait starts again with this connection: no snapshot of the lost one is believed.
    app.update(Event::Tick, t(2) + CATCH_UP_LIMIT);
    assert_eq!(at_counter_1(&app), Some("R014"));
    assert_eq!(app.server_number(), Some(1));
}

#[test]
fn a_call_older_than_the_screen_is_neither_highlighted_nor_rung() {
    let start = Instant::now();
    let mut app = switched_to_second_server(start);
    let effects = app.update(
        message(call_message(7, TEN, "2", "R012")),
        start + Duration::from_secs(2),
    );
    assert_eq!(effects, Effects::default());
    assert!(!app.is_highlighted("2", "R012"));
}

#[test]
fn a_single_server_is_not_numbered() {
    let start = Instant::now();
    assert_eq!(live_app(start).server_number(), None);
}
