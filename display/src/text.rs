//! The words on the screen, in Japanese and English, and how dates and times are written.
//!
//! Japanese is the default; foreign residents renew their certificates at this counter too
//! (BRIEF R9), so the screen can show English or alternate between both. Server-made sentences
//! (`notice_ja`/`notice_en`, estimate texts, congestion labels) are shown as sent: the server
//! owns that wording.

use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use queue_server::protocol::TicketState;
use queue_server::protocol::weekday_ja;

/// How long each language stays on screen in [`LangMode::Both`]: long enough to read a line.
pub const LANG_SWITCH_EVERY: Duration = Duration::from_secs(6);

/// The language one frame is drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Japanese.
    Ja,
    /// English.
    En,
}

/// The `--lang` choice: one language, or both taking turns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LangMode {
    /// Japanese only (the default).
    #[default]
    Ja,
    /// English only.
    En,
    /// Japanese and English taking turns, 6 seconds each.
    Both,
}

impl LangMode {
    /// The language to draw after `elapsed` since the display started; Japanese first.
    pub fn lang_after(self, elapsed: Duration) -> Lang {
        match self {
            Self::Ja => Lang::Ja,
            Self::En => Lang::En,
            Self::Both => {
                let turn = elapsed.as_secs() / LANG_SWITCH_EVERY.as_secs();
                match turn % 2 {
                    0 => Lang::Ja,
                    _ => Lang::En,
                }
            }
        }
    }
}

impl Lang {
    /// Picks the phrase of this language; keeps each pair side by side where it is used.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Ja => ja,
            Self::En => en,
        }
    }

    /// The counter as visitors know it: 「1番窓口」, "Counter 1".
    pub fn counter(self, id: &str) -> String {
        match self {
            Self::Ja => format!("{id}番窓口"),
            Self::En => format!("Counter {id}"),
        }
    }

    /// The caption under a number in big digits: the number verbatim, once, as plain text
    /// (what screen readers and the end-to-end tests read): 「1番窓口 R001」.
    pub fn call_caption(self, counter: &str, number: &str) -> String {
        format!("{} {number}", self.counter(counter))
    }

    /// A short label for where a shown ticket is.
    pub fn ticket_state(self, state: TicketState) -> &'static str {
        match state {
            TicketState::Recalled => self.pick("再呼出", "Calling again"),
            TicketState::Serving => self.pick("対応中", "Serving"),
            _ => self.pick("呼出中", "Calling"),
        }
    }

    /// People waiting: 「3人」, "3".
    pub fn waiting(self, count: u32) -> String {
        match self {
            Self::Ja => format!("{count}人"),
            Self::En => count.to_string(),
        }
    }

    /// The clock line: 「12月1日(火) 10:00:05」, "Tue 1 Dec 10:00:05".
    pub fn clock(self, at: DateTime<FixedOffset>) -> String {
        format!("{} {}", self.date(at), hms(at))
    }

    /// A date with its weekday: 「12月1日(火)」, "Tue 1 Dec".
    pub fn date(self, at: DateTime<FixedOffset>) -> String {
        match self {
            Self::Ja => format!(
                "{}月{}日({})",
                at.month(),
                at.day(),
                weekday_ja(at.weekday())
            ),
            Self::En => format!("{} {} {}", at.format("%a"), at.day(), at.format("%b")),
        }
    }

    /// A date and time of day without seconds: 「12月2日(水) 9:00」, "Wed 2 Dec 9:00".
    pub fn date_time(self, at: DateTime<FixedOffset>) -> String {
        format!("{} {}", self.date(at), hm(at))
    }
}

/// `9:00`: hours without a leading zero, as the city writes them.
pub fn hm(at: DateTime<FixedOffset>) -> String {
    format!("{}:{:02}", at.hour(), at.minute())
}

/// `10:00:05`: the clock with seconds, so a frozen screen is visible at a glance.
pub fn hms(at: DateTime<FixedOffset>) -> String {
    format!("{}:{:02}:{:02}", at.hour(), at.minute(), at.second())
}

/// `09:00` as sent in [`queue_server::protocol::Hours`] → `9:00`.
pub fn hours_text(hhmm: &str) -> &str {
    hhmm.strip_prefix('0').unwrap_or(hhmm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).expect("valid instant")
    }

    #[test]
    fn both_languages_take_turns_starting_with_japanese() {
        let mode = LangMode::Both;
        assert_eq!(mode.lang_after(Duration::ZERO), Lang::Ja);
        assert_eq!(mode.lang_after(LANG_SWITCH_EVERY), Lang::En);
        assert_eq!(mode.lang_after(LANG_SWITCH_EVERY * 2), Lang::Ja);
        assert_eq!(LangMode::En.lang_after(LANG_SWITCH_EVERY), Lang::En);
    }

    #[test]
    fn dates_are_written_the_way_each_language_reads_them() {
        let tuesday = at("2026-12-01T09:05:07+09:00");
        assert_eq!(Lang::Ja.clock(tuesday), "12月1日(火) 9:05:07");
        assert_eq!(Lang::En.clock(tuesday), "Tue 1 Dec 9:05:07");
        assert_eq!(Lang::Ja.date_time(tuesday), "12月1日(火) 9:05");
    }

    #[test]
    fn the_caption_spells_the_number_as_sent() {
        assert_eq!(Lang::Ja.call_caption("1", "R001"), "1番窓口 R001");
        assert_eq!(Lang::En.call_caption("2", "R1000"), "Counter 2 R1000");
    }

    #[test]
    fn hours_drop_the_leading_zero() {
        assert_eq!(hours_text("09:00"), "9:00");
        assert_eq!(hours_text("17:45"), "17:45");
    }
}
