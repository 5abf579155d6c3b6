//! Hostile and corrupted frames: whatever a frame that passes the feed's bounds holds (texts up
//! to the limit in any script, control characters, huge numbers, instants at the ends of the
//! calendar, dozens of counters) and whatever the terminal's size, the screen draws without
//! panicking. Frames beyond the bounds are refused by the feed and never reach here.

use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use proptest::prelude::*;
use queue_protocol::{
    CounterState, CounterStatus, Estimate, Message, NowCalled, Payload, Phase, RecentCall,
    ServiceStatus, Snapshot, TicketState,
};

use crate::app::{App, Event};
use crate::feed::{FeedEvent, parse_frame};
use crate::limits::{MAX_LIST_LEN, MAX_TEXT_CHARS};
use crate::test_support::{call_message, open_office};
use crate::text::LangMode;

/// Texts from the characters that break layouts: wide CJK, combining marks, zero-width joiners,
/// emoji, control characters, right-to-left, plain ASCII.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("長".to_owned()),
        Just("ｱ".to_owned()),
        Just("\u{0301}".to_owned()),
        Just("\u{200d}".to_owned()),
        Just("👨‍👩‍👧".to_owned()),
        Just("\u{1b}[2J".to_owned()),
        Just("\t\r\n\u{7}".to_owned()),
        Just("\u{202e}".to_owned()),
        "[a-zA-Z0-9 ]{1,8}",
    ];
    prop::collection::vec(pieces, 0..64).prop_map(|pieces| {
        let text: String = pieces.concat();
        text.chars().take(MAX_TEXT_CHARS).collect()
    })
}

/// Instants across the years RFC 3339 can write (0001–9999, kept a year inside for offsets),
/// in any whole-minute offset (RFC 3339 has no seconds in offsets).
fn hostile_instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (2i32..=9998, 1u32..=366, 0i64..86_400, -1_439i32..=1_439).prop_map(
        |(year, day, seconds, offset)| {
            let date = NaiveDate::from_yo_opt(year, day)
                .or_else(|| NaiveDate::from_yo_opt(year, 365))
                .unwrap_or(NaiveDate::MIN);
            let naive =
                date.and_hms_opt(0, 0, 0).unwrap_or_default() + chrono::TimeDelta::seconds(seconds);
            let offset =
                FixedOffset::east_opt(offset * 60).unwrap_or(FixedOffset::east_opt(0).unwrap());
            offset.from_utc_datetime(&naive)
        },
    )
}

/// Every phase the protocol knows, and one from a newer server.
fn phase() -> impl Strategy<Value = Phase> {
    let mut phases = Phase::KNOWN.to_vec();
    phases.push(Phase::Unknown);
    prop::sample::select(phases)
}

fn estimate() -> impl Strategy<Value = Option<Estimate>> {
    prop::option::of(
        (any::<bool>(), any::<u32>(), any::<u32>(), hostile_text()).prop_map(
            |(no_counter_open, min, max, text)| Estimate {
                no_counter_open,
                min_minutes: min,
                max_minutes: max,
                point_minutes: f64::from(min),
                text_ja: text.clone(),
                text_en: text,
            },
        ),
    )
}

fn service() -> impl Strategy<Value = ServiceStatus> {
    (hostile_text(), hostile_text(), any::<u32>(), estimate()).prop_map(
        |(name, prefix, waiting, estimate)| ServiceStatus {
            id: name.clone(),
            name_ja: name.clone(),
            name_en: name,
            prefix,
            waiting,
            estimate,
        },
    )
}

fn now_called() -> impl Strategy<Value = NowCalled> {
    (hostile_text(), hostile_text(), hostile_instant()).prop_map(|(counter, number, called_at)| {
        NowCalled {
            counter,
            number,
            service: "renewal".into(),
            state: TicketState::Called,
            called_at,
        }
    })
}

fn recent_call() -> impl Strategy<Value = RecentCall> {
    (hostile_text(), hostile_text(), hostile_instant()).prop_map(|(counter, number, called_at)| {
        RecentCall {
            counter,
            number,
            service: "renewal".into(),
            called_at,
        }
    })
}

fn counter() -> impl Strategy<Value = CounterStatus> {
    hostile_text().prop_map(|id| CounterStatus {
        id,
        state: CounterState::Open,
        services: vec!["renewal".into()],
    })
}

/// Lists up to a size that still renders quickly; the feed's bound is checked separately.
const LIST: usize = 24;

prop_compose! {
    fn hostile_snapshot()(
        name in hostile_text(),
        phase in phase(),
        reason in prop::option::of(hostile_text()),
        next_opening in prop::option::of(hostile_instant()),
        waiting_total in prop::option::of(any::<u32>()),
        shared_estimate in estimate(),
        services in prop::collection::vec(service(), 0..LIST),
        now_called in prop::collection::vec(now_called(), 0..LIST),
        recent_calls in prop::collection::vec(recent_call(), 0..LIST),
        counters in prop::collection::vec(counter(), 0..LIST),
        suspended in any::<bool>(),
        demo in any::<bool>(),
        clock_speed in prop::option::of(any::<f64>().prop_filter("JSON numbers are finite", |x| x.is_finite())),
    ) -> Snapshot {
        let mut snapshot = open_office();
        snapshot.office.name_ja = name.clone();
        snapshot.office.name_en = name;
        snapshot.calendar.phase = phase;
        snapshot.calendar.reason_ja = reason.clone();
        snapshot.calendar.reason_en = reason.clone();
        snapshot.calendar.notice_ja = reason;
        snapshot.calendar.next_opening = next_opening;
        snapshot.waiting_total = waiting_total;
        snapshot.shared_estimate = shared_estimate;
        snapshot.services = services;
        snapshot.now_called = now_called;
        snapshot.recent_calls = recent_calls;
        snapshot.counters = counters;
        snapshot.reception.suspended = suspended;
        snapshot.demo = demo;
        snapshot.clock_speed = clock_speed;
        snapshot
    }
}

fn lang_mode() -> impl Strategy<Value = LangMode> {
    prop_oneof![Just(LangMode::Ja), Just(LangMode::En), Just(LangMode::Both)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn any_frame_within_bounds_draws_at_any_size_without_panicking(
        snapshot in hostile_snapshot(),
        generated_at in hostile_instant(),
        seq in any::<u64>(),
        lang in lang_mode(),
        width in 0u16..=240,
        height in 0u16..=72,
        later_secs in 0u64..=100_000,
    ) {
        let start = Instant::now();
        let message = Message {
            v: queue_protocol::VERSION,
            seq,
            generated_at,
            payload: Payload::Snapshot(Box::new(snapshot)),
        };
        // Through the feed's own parser, as a frame off the wire would go.
        let text = serde_json::to_string(&message).expect("serializes");
        let parsed = parse_frame(&text).expect("within bounds");
        let mut app = App::new(lang, true, vec!["ws://127.0.0.1:8080/x".into()], start);
        app.update(Event::Feed(FeedEvent::Connected), start);
        app.update(Event::Feed(FeedEvent::Message(Box::new(parsed))), start);
        let call = call_message(seq.wrapping_add(1), "9999-12-31T23:59:59+09:00", "長".repeat(200).as_str(), "R999999999");
        app.update(Event::Feed(FeedEvent::Message(Box::new(call))), start);
        app.update(Event::Tick, start + Duration::from_secs(later_secs));
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
            .expect("test terminal");
        terminal.draw(|frame| frame.render_widget(&app, frame.area())).expect("draws");
    }
}

#[test]
fn a_frame_with_more_counters_than_any_office_is_refused_before_the_screen() {
    let mut snapshot = open_office();
    snapshot.counters = (0..=MAX_LIST_LEN)
        .map(|n| CounterStatus {
            id: n.to_string(),
            state: CounterState::Open,
            services: Vec::new(),
        })
        .collect();
    let message = crate::test_support::snapshot_message(1, "2026-12-01T10:00:00+09:00", snapshot);
    let text = serde_json::to_string(&message).expect("serializes");
    assert!(matches!(
        parse_frame(&text),
        Err(crate::feed::FrameError::TooLarge(_))
    ));
}

#[test]
fn a_name_of_a_million_characters_is_refused_before_the_screen() {
    let mut snapshot = open_office();
    snapshot.office.name_ja = "長".repeat(1_000_000);
    let message = crate::test_support::snapshot_message(1, "2026-12-01T10:00:00+09:00", snapshot);
    let text = serde_json::to_string(&message).expect("serializes");
    assert!(matches!(
        parse_frame(&text),
        Err(crate::feed::FrameError::TooLarge(_))
    ));
}

#[test]
fn the_last_instant_of_the_calendar_does_not_overflow_the_clock() {
    let start = Instant::now();
    let message =
        crate::test_support::snapshot_message(1, "9999-12-31T23:59:59+09:00", open_office());
    let mut app = App::new(LangMode::Ja, false, vec!["ws://x/y".into()], start);
    app.update(Event::Feed(FeedEvent::Message(Box::new(message))), start);
    app.update(Event::Tick, start + Duration::from_secs(3_600));
    assert!(app.server_now().is_some());
}
