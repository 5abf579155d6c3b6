//! Rendering tests: each screen drawn on a `TestBackend` from hand-built snapshots at fixed
//! instants, compared with reviewed insta snapshots under `src/ui/snapshots/`.

use std::time::{Duration, Instant};

use queue_protocol::{Message, Phase, Snapshot};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use unicode_width::UnicodeWidthStr;

use crate::app::{App, Event};
use crate::feed::FeedEvent;
use crate::test_support::{call_message, holiday, open_office, snapshot_message, year_end};
use crate::text::LangMode;

const URL: &str = "ws://127.0.0.1:8080/api/v1/offices/main/live";

/// A display started at `start`, connected, that received `snapshot` made at `generated_at`,
/// then ticked 5 s later (so the clock reads 5 s past the snapshot).
fn app_with(lang: LangMode, snapshot: Snapshot, generated_at: &str, start: Instant) -> App {
    let mut app = App::new(lang, false, vec![URL.into()], start);
    app.update(Event::Feed(FeedEvent::Connected), start);
    let message = snapshot_message(1, generated_at, snapshot);
    app.update(Event::Feed(FeedEvent::Message(Box::new(message))), start);
    app.update(Event::Tick, start + Duration::from_secs(5));
    app
}

fn open_app(lang: LangMode, start: Instant) -> App {
    app_with(lang, open_office(), "2026-12-01T10:00:00+09:00", start)
}

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .expect("draws");
    terminal
}

/// The screen as text, one line per row (what a person, tmux or a screen reader sees): the
/// cell after a double-width character is skipped, and must be blank, or a wide character
/// overwrote something and Japanese text would not line up.
fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let width = usize::from(buffer.area.width);
    let mut text = String::new();
    for (y, row) in buffer.content.chunks(width).enumerate() {
        let mut hidden = 0;
        for (x, cell) in row.iter().enumerate() {
            if hidden > 0 {
                assert!(
                    cell.symbol().trim().is_empty(),
                    "row {y}: {:?} at column {x} is hidden under a wide character",
                    cell.symbol()
                );
                hidden -= 1;
                continue;
            }
            text.push_str(cell.symbol());
            hidden = cell.symbol().width().saturating_sub(1);
        }
        text.push('\n');
    }
    text
}

/// Every row is exactly as wide as the terminal: Japanese text lines up.
fn assert_lines_up(terminal: &Terminal<TestBackend>) {
    let text = screen_text(terminal);
    let width = usize::from(terminal.backend().buffer().area.width);
    for line in text.lines() {
        assert_eq!(
            line.width(),
            width,
            "row is not {width} columns wide: {line:?}"
        );
    }
}

#[test]
fn open_office_with_a_queue_fits_80_by_24() {
    let start = Instant::now();
    let terminal = draw(&open_app(LangMode::Ja, start), 80, 24);
    assert_lines_up(&terminal);
    let text = screen_text(&terminal);
    assert!(text.contains("1番窓口 R014"));
    assert!(text.contains("受付中"));
    insta::assert_snapshot!("open_compact_80x24", text);
}

#[test]
fn a_large_terminal_gets_the_big_layout() {
    let start = Instant::now();
    let terminal = draw(&open_app(LangMode::Ja, start), 160, 48);
    assert_lines_up(&terminal);
    insta::assert_snapshot!("open_big_160x48", screen_text(&terminal));
}

/// Every common lobby size from 80×24 to 200×60 gets a screen that lines up, shows every
/// called number, and never wraps the four counters as three and one.
#[test]
fn every_common_lobby_size_uses_the_screen() {
    let start = Instant::now();
    // All four counters of the main office calling.
    let mut snapshot = open_office();
    snapshot.now_called.push(queue_protocol::NowCalled {
        counter: "4".into(),
        number: "R010".into(),
        service: "renewal".into(),
        state: queue_protocol::TicketState::Serving,
        called_at: crate::test_support::at("2026-12-01T09:40:00+09:00"),
    });
    snapshot.counters[3].state = queue_protocol::CounterState::Open;
    let app = app_with(LangMode::Ja, snapshot, "2026-12-01T10:00:00+09:00", start);
    for (width, height) in [(80, 24), (100, 30), (120, 36), (160, 48), (200, 60)] {
        let terminal = draw(&app, width, height);
        assert_lines_up(&terminal);
        let text = screen_text(&terminal);
        for caption in [
            "1番窓口 R014",
            "2番窓口 P003",
            "3番窓口 R013",
            "4番窓口 R010",
        ] {
            assert!(
                text.contains(caption),
                "{width}×{height}: {caption}\n{text}"
            );
        }
        insta::assert_snapshot!(format!("four_counters_{width}x{height}"), text);
    }
}

/// A wrong `--office` says so on the screen, with the ids the server listed in its 404.
#[test]
fn an_unknown_office_is_named_with_the_offices_the_server_has() {
    let start = Instant::now();
    let mut app = App::new(LangMode::Ja, false, vec![URL.into()], start);
    app.update(
        Event::Feed(FeedEvent::Connecting {
            attempt: 0,
            server: 0,
        }),
        start,
    );
    let problem = crate::feed::ConnectProblem::OfficeNotFound {
        office: "mian".into(),
        offices: vec!["main".into(), "center".into()],
    };
    app.update(Event::Feed(FeedEvent::Problem(problem)), start);
    app.update(
        Event::Feed(FeedEvent::Disconnected {
            reason: "404".into(),
        }),
        start,
    );
    let terminal = draw(&app, 80, 24);
    assert_lines_up(&terminal);
    let text = screen_text(&terminal);
    assert!(text.contains("受付場所「mian」が見つかりません"), "{text}");
    assert!(text.contains("main, center"), "{text}");
    assert!(!text.contains("サーバーに接続しています"), "{text}");
    insta::assert_snapshot!("unknown_office_80x24", text);

    // Once a connection opens (the office was fixed on the server), the problem is gone.
    app.update(Event::Feed(FeedEvent::Connected), start);
    let text = screen_text(&draw(&app, 80, 24));
    assert!(!text.contains("見つかりません"), "{text}");
}

/// A host that does not resolve and a port where nothing listens are told apart.
#[test]
fn a_wrong_host_or_port_says_which() {
    let start = Instant::now();
    let cases = [
        (
            crate::feed::ConnectProblem::HostNotFound {
                server: "lobyy:8080".into(),
            },
            "サーバー「lobyy:8080」が見つかりません",
        ),
        (
            crate::feed::ConnectProblem::Refused {
                server: "10.0.0.5:8081".into(),
            },
            "サーバー 10.0.0.5:8081 に接続できません",
        ),
        (
            crate::feed::ConnectProblem::NotAFeed {
                server: "10.0.0.5:80".into(),
                status: 404,
            },
            "10.0.0.5:80 は整理券サーバーではありません（HTTP 404）",
        ),
    ];
    for (problem, words) in cases {
        let mut app = App::new(LangMode::Ja, false, vec![URL.into()], start);
        app.update(Event::Feed(FeedEvent::Problem(problem)), start);
        let terminal = draw(&app, 80, 24);
        assert_lines_up(&terminal);
        let text = screen_text(&terminal);
        assert!(text.contains(words), "{text}");
    }
}

#[test]
fn each_called_number_appears_once_as_plain_text() {
    let start = Instant::now();
    let text = screen_text(&draw(&open_app(LangMode::Ja, start), 80, 24));
    for number in ["R014", "P003", "R013"] {
        assert_eq!(text.matches(number).count(), 1, "{number} in:\n{text}");
    }
    // Earlier calls are listed too.
    assert!(text.contains("R012"));
}

#[test]
fn a_just_called_number_is_highlighted_with_a_star_and_colour() {
    let start = Instant::now();
    let mut app = open_app(LangMode::Ja, start);
    let call = call_message(2, "2026-12-01T10:00:05+09:00", "4", "R015");
    let mut snapshot = open_office();
    snapshot.now_called.push(queue_protocol::NowCalled {
        counter: "4".into(),
        number: "R015".into(),
        service: "renewal".into(),
        state: queue_protocol::TicketState::Called,
        called_at: crate::test_support::at("2026-12-01T10:00:05+09:00"),
    });
    snapshot.counters[3].state = queue_protocol::CounterState::Open;
    let now = start + Duration::from_secs(5);
    app.update(Event::Feed(FeedEvent::Message(Box::new(call))), now);
    let message = snapshot_message(3, "2026-12-01T10:00:05+09:00", snapshot);
    app.update(Event::Feed(FeedEvent::Message(Box::new(message))), now);
    app.update(Event::Tick, now + Duration::from_secs(1));
    let terminal = draw(&app, 80, 24);
    assert_lines_up(&terminal);
    let text = screen_text(&terminal);
    assert_eq!(text.matches('★').count(), 2, "one tile starred:\n{text}");
    assert!(text.contains("4番窓口 R015"));
    // The caption of the called tile is black on yellow.
    let buffer = terminal.backend().buffer();
    let (x, y) = find(&text, "4番窓口 R015");
    let cell = &buffer[(x, y)];
    assert_eq!((cell.fg, cell.bg), (Color::Black, Color::Yellow));
    insta::assert_snapshot!("just_called_80x24", text);

    // Several seconds later the highlight is gone.
    app.update(Event::Tick, now + Duration::from_secs(11));
    let text = screen_text(&draw(&app, 80, 24));
    assert!(!text.contains('★'));
}

/// Column and row of `needle` on the screen (columns counted in cells).
fn find(text: &str, needle: &str) -> (u16, u16) {
    for (y, line) in text.lines().enumerate() {
        if let Some(index) = line.find(needle) {
            let x = line[..index].width();
            return (
                u16::try_from(x).expect("fits"),
                u16::try_from(y).expect("fits"),
            );
        }
    }
    panic!("{needle} not on screen:\n{text}");
}

#[test]
fn a_holiday_shows_closed_with_its_name_and_the_next_opening() {
    let start = Instant::now();
    let app = app_with(LangMode::Ja, holiday(), "2026-11-23T10:00:00+09:00", start);
    let terminal = draw(&app, 80, 24);
    assert_lines_up(&terminal);
    let text = screen_text(&terminal);
    assert!(text.contains("本日は閉庁日です"));
    assert!(text.contains("勤労感謝の日"));
    assert!(text.contains("11月24日（火）9:00"));
    insta::assert_snapshot!("holiday_80x24", text);
}

#[test]
fn the_year_end_break_shows_closed_until_january() {
    let start = Instant::now();
    let app = app_with(LangMode::Ja, year_end(), "2027-01-01T10:00:00+09:00", start);
    let terminal = draw(&app, 80, 24);
    assert_lines_up(&terminal);
    let text = screen_text(&terminal);
    assert!(text.contains("年末年始"));
    assert!(text.contains("1月4日（月）9:00"));
    insta::assert_snapshot!("year_end_80x24", text);
}

#[test]
fn the_year_end_break_in_the_big_layout() {
    let start = Instant::now();
    let app = app_with(LangMode::Ja, year_end(), "2027-01-01T10:00:00+09:00", start);
    let terminal = draw(&app, 160, 48);
    assert_lines_up(&terminal);
    insta::assert_snapshot!("year_end_big_160x48", screen_text(&terminal));
}

#[test]
fn a_lost_connection_says_reconnecting_with_the_last_update_time() {
    let start = Instant::now();
    let mut app = open_app(LangMode::Ja, start);
    let later = start + Duration::from_secs(20);
    app.update(
        Event::Feed(FeedEvent::Disconnected {
            reason: "reset".into(),
        }),
        later,
    );
    app.update(
        Event::Feed(FeedEvent::Connecting {
            attempt: 3,
            server: 0,
        }),
        later,
    );
    let terminal = draw(&app, 80, 24);
    assert_lines_up(&terminal);
    let text = screen_text(&terminal);
    assert!(text.contains("再接続中…"));
    assert!(text.contains("最終更新 10:00:00"));
    assert!(!text.contains("接続済み"));
    insta::assert_snapshot!("disconnected_80x24", text);
}

#[test]
fn once_live_again_no_reconnecting_text_remains() {
    let start = Instant::now();
    let mut app = open_app(LangMode::Ja, start);
    let t = |s| start + Duration::from_secs(s);
    app.update(
        Event::Feed(FeedEvent::Disconnected { reason: "x".into() }),
        t(6),
    );
    app.update(Event::Feed(FeedEvent::Connected), t(8));
    let message = snapshot_message(2, "2026-12-01T10:00:08+09:00", open_office());
    app.update(Event::Feed(FeedEvent::Message(Box::new(message))), t(8));
    let text = screen_text(&draw(&app, 80, 24));
    assert!(!text.contains("再接続"), "{text}");
    assert!(text.contains("接続済み"));
}

#[test]
fn english_screen() {
    let start = Instant::now();
    let terminal = draw(&open_app(LangMode::En, start), 80, 24);
    assert_lines_up(&terminal);
    let text = screen_text(&terminal);
    assert!(text.contains("Counter 1 R014"));
    insta::assert_snapshot!("english_80x24", text);
}

#[test]
fn english_holiday_screen() {
    let start = Instant::now();
    let app = app_with(LangMode::En, holiday(), "2026-11-23T10:00:00+09:00", start);
    let terminal = draw(&app, 80, 24);
    assert_lines_up(&terminal);
    insta::assert_snapshot!("english_holiday_80x24", screen_text(&terminal));
}

#[test]
fn both_languages_alternate_every_few_seconds() {
    let start = Instant::now();
    let mut app = open_app(LangMode::Both, start);
    assert!(screen_text(&draw(&app, 80, 24)).contains("1番窓口 R014"));
    app.update(Event::Tick, start + crate::text::LANG_SWITCH_EVERY);
    assert!(screen_text(&draw(&app, 80, 24)).contains("Counter 1 R014"));
}

#[test]
fn before_any_data_the_screen_says_it_is_connecting() {
    let start = Instant::now();
    let app = App::new(LangMode::Ja, false, vec![URL.into()], start);
    let terminal = draw(&app, 80, 24);
    assert_lines_up(&terminal);
    insta::assert_snapshot!("connecting_80x24", screen_text(&terminal));
}

#[test]
fn a_demo_queue_is_marked_demo() {
    let start = Instant::now();
    let mut snapshot = open_office();
    snapshot.demo = true;
    let app = app_with(
        LangMode::Ja,
        snapshot.clone(),
        "2026-12-01T10:00:00+09:00",
        start,
    );
    assert!(screen_text(&draw(&app, 80, 24)).contains("デモ"));
    let app = app_with(LangMode::En, snapshot, "2026-12-01T10:00:00+09:00", start);
    assert!(screen_text(&draw(&app, 80, 24)).contains("DEMO"));
}

#[test]
fn suspended_reception_shows_the_reason() {
    let start = Instant::now();
    let mut snapshot = open_office();
    snapshot.reception.suspended = true;
    snapshot.reception.reason_code = Some(queue_protocol::SuspensionReason::SystemOutage);
    snapshot.calendar.accepting = false;
    let app = app_with(LangMode::Ja, snapshot, "2026-12-01T10:00:00+09:00", start);
    let text = screen_text(&draw(&app, 80, 24));
    assert!(text.contains("受付停止中"));
    assert!(text.contains("システム障害のため"));
    assert!(
        !text.contains("受付中 "),
        "never 受付中 while suspended: {text}"
    );
}

#[test]
fn the_total_waiting_leads_and_an_estimate_every_service_shares_is_shown_once() {
    let start = Instant::now();
    let mut snapshot = open_office();
    let shared = snapshot.services[0].estimate.clone().expect("an estimate");
    for service in &mut snapshot.services {
        service.estimate = Some(shared.clone());
    }
    snapshot.shared_estimate = Some(shared.clone());
    let app = app_with(LangMode::Ja, snapshot, "2026-12-01T10:00:00+09:00", start);
    let text = screen_text(&draw(&app, 80, 24));
    assert!(text.contains("お待ちの方（全体） 18人"), "{text}");
    assert_eq!(text.matches(shared.text_ja.as_str()).count(), 1, "{text}");
}

#[test]
fn reception_closed_still_shows_the_queue() {
    let start = Instant::now();
    let mut snapshot = open_office();
    snapshot.calendar.phase = Phase::ReceptionClosed;
    snapshot.calendar.accepting = false;
    let app = app_with(LangMode::Ja, snapshot, "2026-12-01T17:50:00+09:00", start);
    let text = screen_text(&draw(&app, 80, 24));
    assert!(text.contains("本日の受付は終了しました"));
    assert!(text.contains("1番窓口 R014"));
}

#[test]
fn a_phase_from_a_newer_server_shows_as_not_known_never_as_closed() {
    let start = Instant::now();
    let frame = r#"{"v":1,"seq":3,"generated_at":"2026-12-01T10:00:00+09:00","type":"snapshot",
        "office":{"id":"main","name_ja":"金沢市役所 本庁舎","name_en":"Main Office"},
        "calendar":{"phase":"lunch_break","accepting":false,"business_date":"2026-12-01"},
        "reception":{"suspended":false},"services":[],
        "now_called":[{"counter":"1","number":"R014","service":"renewal","state":"serving",
                       "called_at":"2026-12-01T09:58:00+09:00"}],
        "recent_calls":[],"counters":[{"id":"1","state":"open","services":["renewal"]}]}"#;
    let message: Message = serde_json::from_str(frame).expect("a newer server's frame decodes");
    let mut app = App::new(LangMode::Ja, false, vec![URL.into()], start);
    app.update(Event::Feed(FeedEvent::Connected), start);
    app.update(Event::Feed(FeedEvent::Message(Box::new(message))), start);
    let text = screen_text(&draw(&app, 80, 24));
    assert!(text.contains("受付状況は不明です"), "{text}");
    assert!(!text.contains("休業"), "{text}");
    assert!(!text.contains("終了"), "{text}");
    assert!(
        text.contains("1番窓口 R014"),
        "the queue stays on screen: {text}"
    );
}

#[test]
fn every_screen_size_between_small_and_large_draws_without_panicking() {
    let start = Instant::now();
    let apps = [
        open_app(LangMode::Ja, start),
        open_app(LangMode::En, start),
        app_with(LangMode::Ja, holiday(), "2026-11-23T10:00:00+09:00", start),
        App::new(LangMode::Ja, false, vec![URL.into()], start),
    ];
    for app in &apps {
        for (width, height) in [
            (1, 1),
            (20, 5),
            (40, 12),
            (80, 24),
            (100, 30),
            (120, 36),
            (250, 70),
        ] {
            assert_lines_up(&draw(app, width, height));
        }
    }
}

#[test]
fn every_phase_and_suspension_speaks_city_office_japanese_on_the_lobby_screen() {
    let start = Instant::now();
    let mut phases: Vec<Phase> = Phase::KNOWN.to_vec();
    phases.push(Phase::Unknown);
    for phase in phases {
        for suspended in [false, true] {
            let mut snapshot = if phase == Phase::Closed {
                holiday()
            } else {
                open_office()
            };
            snapshot.calendar.phase = phase;
            snapshot.reception.suspended = suspended;
            snapshot.reception.reason_code =
                suspended.then_some(queue_protocol::SuspensionReason::Congestion);
            let app = app_with(LangMode::Ja, snapshot, "2026-12-01T10:00:00+09:00", start);
            for (width, height) in [(80, 24), (160, 48)] {
                let text = screen_text(&draw(&app, width, height));
                if let Some(word) = queue_protocol::text::avoided_word(&text) {
                    panic!("{phase:?} (suspended: {suspended}) shows 「{word}」:\n{text}");
                }
            }
        }
    }
}

mod hostile;

/// With several `--server`s the status line names the one in use (or tried), so whoever looks
/// after the screen sees which instance it is on; the data stays on screen while it switches.
#[test]
fn with_several_servers_the_status_line_names_the_one_in_use() {
    let start = Instant::now();
    let urls = vec![
        URL.to_owned(),
        "ws://10.0.0.6:8080/api/v1/offices/main/live".into(),
    ];
    let mut app = App::new(LangMode::Ja, false, urls, start);
    let t = |s| start + Duration::from_secs(s);
    app.update(
        Event::Feed(FeedEvent::Connecting {
            attempt: 0,
            server: 1,
        }),
        start,
    );
    app.update(Event::Feed(FeedEvent::Connected), start);
    let message = snapshot_message(1, "2026-12-01T10:00:00+09:00", open_office());
    app.update(Event::Feed(FeedEvent::Message(Box::new(message))), start);
    let text = screen_text(&draw(&app, 80, 24));
    assert!(text.contains("● 接続済み サーバー2"), "{text}");

    app.update(
        Event::Feed(FeedEvent::Disconnected {
            reason: "connection ended".into(),
        }),
        t(20),
    );
    app.update(
        Event::Feed(FeedEvent::Connecting {
            attempt: 1,
            server: 0,
        }),
        t(20),
    );
    let terminal = draw(&app, 80, 24);
    assert_lines_up(&terminal);
    let text = screen_text(&terminal);
    assert!(text.contains("✕ 再接続中… サーバー1"), "{text}");
    assert!(text.contains("最終更新 10:00:00"), "{text}");
    assert!(text.contains("1番窓口 R014"), "the data stays: {text}");
    insta::assert_snapshot!("switching_server_80x24", text);

    let mut english = App::new(
        LangMode::En,
        false,
        vec![URL.to_owned(), URL.to_owned()],
        start,
    );
    english.update(Event::Feed(FeedEvent::Connected), start);
    let message = snapshot_message(1, "2026-12-01T10:00:00+09:00", open_office());
    english.update(Event::Feed(FeedEvent::Message(Box::new(message))), start);
    let text = screen_text(&draw(&english, 80, 24));
    assert!(text.contains("● Live server 1"), "{text}");
}
