//! Every text a visitor can read on the public page and in the calendar's notices, rendered for
//! each phase of the day, each kind of closure, suspension or not, in both languages, and
//! checked against the words a city office avoids (`queue_protocol::text::AVOID_JA`).

use chrono::{DateTime, NaiveDate, Utc};

use super::public::{OfficeLink, PublicPage, render};
use super::text::{EN, JA, Lang};
use crate::calendar::{self, Status};
use crate::config::{Config, OfficeConfig};
use crate::domain::OfficeQueue;
use crate::estimate::{self, Estimator, QueueLengthEstimator};
use crate::office::queue_facts;
use crate::protocol::SuspensionReason;
use crate::protocol::text::avoided_word;
use crate::wire;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid instant")
        .with_timezone(&Utc)
}

/// Instants that between them reach every phase and every closure reason of the default
/// calendar, plus a configured special closure.
const INSTANTS: &[&str] = &[
    "2026-12-01T08:00:00+09:00", // before opening
    "2026-12-01T10:00:00+09:00", // open
    "2026-12-01T18:00:00+09:00", // closed for the day
    "2026-12-05T10:00:00+09:00", // Saturday
    "2026-11-23T10:00:00+09:00", // national holiday
    "2026-05-06T10:00:00+09:00", // substitute holiday
    "2026-12-30T10:00:00+09:00", // year-end
    "2026-12-02T10:00:00+09:00", // special closure (configured below)
];

fn config_with_a_special_closure() -> Config {
    let text = format!(
        "{}\n[[offices.schedule.special_days]]\ndate = \"2026-12-02\"\nreason_ja = \"庁舎の点検\"\nreason_en = \"a building inspection\"\n",
        crate::config::DEFAULT_TOML
            .split("\n# [placeholder] An example citizen center")
            .next()
            .expect("the main office part")
    );
    Config::parse(&text, "wording-test.toml").expect("a valid configuration")
}

/// The calendar's answer at `instant`, and the same with tickets still open after closing.
fn statuses(office: &OfficeConfig, instant: DateTime<Utc>) -> Vec<Status> {
    let status = calendar::status(&office.schedule, instant);
    vec![status.clone().serving_until_empty(true), status]
}

/// The visible text of an HTML page: tags and the embedded JSON removed.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    let body = html.split("</head>").nth(1).unwrap_or(html);
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn assert_city_office_japanese(what: &str, text: &str) {
    if let Some(word) = avoided_word(text) {
        panic!("{what} uses 「{word}」: {text}");
    }
}

#[test]
fn every_visitor_text_of_every_phase_and_closure_speaks_city_office_japanese() {
    let config = config_with_a_special_closure();
    let office = config.office("main").expect("main office");
    let estimator = QueueLengthEstimator::default();
    let mut pages = 0;
    for instant in INSTANTS.iter().map(|text| at(text)) {
        for status in statuses(office, instant) {
            assert_city_office_japanese("a notice", &status.refusal_ja());
            for suspended in [false, true] {
                let mut queue = OfficeQueue::new(
                    office.clone(),
                    config.prefixes_of(office),
                    NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
                );
                if suspended {
                    queue.suspend_for_tests(SuspensionReason::SystemOutage);
                } else {
                    queue.open_counter_with_waiting_for_tests("1", "renewal", 3, instant);
                }
                let estimates = estimator.estimate(&queue_facts(&queue, &config, instant));
                let level = estimate::congestion(&estimates, &config.congestion);
                let snapshot = wire::snapshot(&queue, &config, &status, &estimates, level, false);
                let html = render(&PublicPage {
                    lang: Lang::Ja,
                    snapshot: &snapshot,
                    seq: 1,
                    generated_at: wire::tokyo(instant),
                    offices: vec![OfficeLink {
                        id: "main",
                        name: "本庁舎",
                        default: true,
                    }],
                    open_days: Vec::new(),
                    poll_seconds: 20,
                    office,
                    services: office
                        .services
                        .iter()
                        .filter_map(|id| config.service(id))
                        .collect(),
                    guide: &config.guide,
                    forecast: None,
                    forecast_weeks: 8,
                })
                .into_string();
                assert_city_office_japanese(
                    &format!("the page at {instant} ({:?})", status.phase),
                    &visible_text(&html),
                );
                pages += 1;
            }
        }
    }
    assert!(pages >= 30, "every phase and closure rendered: {pages}");
}

#[test]
fn the_pages_fixed_words_the_labels_and_the_calendar_lines_speak_city_office_japanese() {
    let words = serde_json::to_string(&JA).expect("words");
    assert_city_office_japanese("the page's words", &words);
    let labels = serde_json::to_string(&Lang::Ja.labels()).expect("labels");
    assert_city_office_japanese("the shared labels", &labels);
    for level in crate::protocol::CongestionLevel::KNOWN {
        assert_city_office_japanese("a congestion label", Lang::Ja.congestion(*level));
    }
    let forecast = serde_json::to_string(&super::text::FORECAST_JA).expect("words");
    assert_city_office_japanese("the forecast chart's words", &forecast);
    let english = serde_json::to_string(&EN).expect("words");
    assert!(!english.contains("あなた"));
    let config = config_with_a_special_closure();
    let office = config.office("main").expect("main office");
    let from = NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
    let to = NaiveDate::from_ymd_opt(2027, 1, 5).expect("date");
    for plan in calendar::open_days(&office.schedule, from, to) {
        let line = calendar::calendar_line(&plan);
        let words_after_the_date = line.get(10..).unwrap_or_default();
        assert_city_office_japanese("a calendar line", words_after_the_date);
    }
    for service in &config.services {
        assert_city_office_japanese("a service name", &service.name_ja);
    }
}
