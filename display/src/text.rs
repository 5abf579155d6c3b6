//! The display's own words: the language mode of the lobby screen and the caption under a
//! called number. The language itself, date and time formats and state labels are
//! [`queue_protocol::text`], shared with the server's pages, so the lobby and the phones never
//! say the same thing two ways. Server-made sentences (`notice_ja`/`notice_en`, estimate texts,
//! congestion labels) are shown as sent.

use std::time::Duration;

pub use queue_protocol::text::{Lang, hours_text, time, time_with_seconds};

/// How long each language stays on screen in [`LangMode::Both`]: long enough to read a line.
pub const LANG_SWITCH_EVERY: Duration = Duration::from_secs(6);

/// The `--lang` choice: one language, or both taking turns (foreign residents renew their
/// certificates at this counter too).
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

/// The caption under a number in big digits: the number verbatim, once, as plain text (what
/// screen readers and the end-to-end tests read): 「1番窓口 R001」.
pub fn call_caption(lang: Lang, counter: &str, number: &str) -> String {
    format!("{} {number}", lang.counter(counter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_take_turns_starting_with_japanese() {
        let mode = LangMode::Both;
        assert_eq!(mode.lang_after(Duration::ZERO), Lang::Ja);
        assert_eq!(mode.lang_after(LANG_SWITCH_EVERY), Lang::En);
        assert_eq!(mode.lang_after(LANG_SWITCH_EVERY * 2), Lang::Ja);
        assert_eq!(LangMode::En.lang_after(LANG_SWITCH_EVERY), Lang::En);
    }

    #[test]
    fn the_caption_spells_the_number_as_sent() {
        assert_eq!(call_caption(Lang::Ja, "1", "R001"), "1番窓口 R001");
        assert_eq!(call_caption(Lang::En, "2", "R1000"), "Counter 2 R1000");
    }
}
