//! The words every screen shares: the language choice, how dates and times are written, and the
//! labels of states. The server's pages (and, through their embedded words table, the pages'
//! scripts), the server's calendar notices and the lobby display all write a date, a time or a
//! state through here, so the same thing is never said two ways.
//!
//! Japanese follows the city's notices: 「12月1日(火)」, 「9:00」 without a leading zero.

use chrono::{Datelike, Month, Timelike, Weekday};
use serde::Serialize;

use crate::calendar::{BusyReason, Phase};
use crate::snapshot::{CongestionLevel, SuspensionReason};
use crate::ticket::{CounterState, TicketAction, TicketState};

/// The language a screen is drawn in. Japanese is the default; foreign residents renew their
/// certificates at the same counters, so every screen can also speak English.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 日本語 (default).
    #[default]
    Ja,
    /// English.
    En,
}

/// Words and marks a city office's Japanese avoids in what visitors read (shop language,
/// mixed registers, the other bracket and range styles, addressing the visitor, label-colon
/// pairs). Every screen's tests render their texts and check them against this list.
pub const AVOID_JA: &[&str] = &[
    "休業",
    "あなた",
    "(",
    ")",
    "〜",
    "次の受付:",
    ": ",
    "混雑度",
    "やや混雑",
    "大変混雑",
    "最近の呼出",
    "これからの受付日",
    "ほかの窓口",
    "自動更新はしません",
    "表示が古くなっています",
    "すぐにお呼びします",
    "文書照会）",
    "代理人による手続き",
    "期限切れ後",
    "窓口が開いていません",
    "分以内）",
];

/// The first word of [`AVOID_JA`] that `text` contains, if any.
pub fn avoided_word(text: &str) -> Option<&'static str> {
    AVOID_JA.iter().copied().find(|word| text.contains(word))
}

/// The one-character Japanese weekday (月 火 水 木 金 土 日) written after a date.
pub fn weekday_ja(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "月",
        Weekday::Tue => "火",
        Weekday::Wed => "水",
        Weekday::Thu => "木",
        Weekday::Fri => "金",
        Weekday::Sat => "土",
        Weekday::Sun => "日",
    }
}

/// A time of day as the city writes it: `9:00`, the hour without a leading zero.
pub fn time(at: &impl Timelike) -> String {
    format!("{}:{:02}", at.hour(), at.minute())
}

/// A clock with seconds, `10:00:05`, so a frozen screen is visible at a glance.
pub fn time_with_seconds(at: &impl Timelike) -> String {
    format!("{}:{:02}:{:02}", at.hour(), at.minute(), at.second())
}

/// An `HH:MM` time as the wire sends hours (`09:00`) written the city's way (`9:00`).
pub fn hours_text(hhmm: &str) -> &str {
    match hhmm.strip_prefix('0') {
        Some(rest) if rest.contains(':') && !rest.starts_with(':') => rest,
        _ => hhmm,
    }
}

/// Between the two ends of a range of times: 「9:00～17:45」 (full-width tilde, as the city's
/// notices write it), "9:00–17:45".
pub fn range_separator(lang: Lang) -> &'static str {
    lang.pick("～", "–")
}

impl Lang {
    /// Every language a screen can be drawn in.
    pub const ALL: [Self; 2] = [Self::Ja, Self::En];

    /// `?lang=en` → English; anything else (or nothing) → Japanese.
    pub fn from_query(lang: Option<&str>) -> Self {
        match lang {
            Some(lang) if lang.eq_ignore_ascii_case("en") => Self::En,
            _ => Self::Ja,
        }
    }

    /// The language's code (`ja`, `en`), as in HTML's `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ja => "ja",
            Self::En => "en",
        }
    }

    /// Picks the phrase of this language; keeps each pair side by side where it is used.
    pub fn pick<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Ja => ja,
            Self::En => en,
        }
    }

    /// A date with its weekday: 「12月1日（火）」, "Tue 1 Dec".
    pub fn date(self, day: &impl Datelike) -> String {
        match self {
            Self::Ja => format!(
                "{}月{}日（{}）",
                day.month(),
                day.day(),
                weekday_ja(day.weekday())
            ),
            Self::En => {
                let month = Month::try_from(u8::try_from(day.month()).unwrap_or(1))
                    .map(|month| &month.name()[..3])
                    .unwrap_or("");
                format!("{} {} {month}", day.weekday(), day.day())
            }
        }
    }

    /// A date and a time of day: 「12月2日（水）9:00」, "Wed 2 Dec 9:00".
    pub fn date_time(self, at: &(impl Datelike + Timelike)) -> String {
        format!("{}{}{}", self.date(at), self.pick("", " "), time(at))
    }

    /// The clock line of a screen: 「12月1日（火） 10:00:05」.
    pub fn clock(self, at: &(impl Datelike + Timelike)) -> String {
        format!("{} {}", self.date(at), time_with_seconds(at))
    }

    /// Why reception is suspended, as visitors read it (a sentence from the fixed list).
    pub fn suspension(self, reason: SuspensionReason) -> &'static str {
        match reason {
            SuspensionReason::SystemOutage => self.pick(
                "システム障害のため、ただいま受付を一時停止しています。ご迷惑をおかけします。",
                "Reception is suspended for now because of a system failure. We apologise for the inconvenience.",
            ),
            SuspensionReason::Congestion => self.pick(
                "大変混み合っているため、ただいま受付を一時停止しています。",
                "Reception is suspended for now because the counter is very crowded.",
            ),
            SuspensionReason::Staffing => self.pick(
                "窓口の体制が整わないため、ただいま受付を一時停止しています。",
                "Reception is suspended for now because not enough staff are available.",
            ),
            SuspensionReason::Other | SuspensionReason::Unknown => self.pick(
                "ただいま受付を一時停止しています。",
                "Reception is suspended for now.",
            ),
        }
    }

    /// Opening hours sent as `HH:MM` (`09:00`, `17:45`), written 「9:00～17:45」.
    pub fn hours(self, opens: &str, closes: &str) -> String {
        format!(
            "{}{}{}",
            hours_text(opens),
            range_separator(self),
            hours_text(closes)
        )
    }

    /// A counter as visitors know it: 「1番窓口」, "Counter 1".
    pub fn counter(self, id: &str) -> String {
        match self {
            Self::Ja => format!("{id}番窓口"),
            Self::En => format!("Counter {id}"),
        }
    }

    /// A count of people: 「3人」, "3".
    pub fn people(self, count: u32) -> String {
        match self {
            Self::Ja => format!("{count}人"),
            Self::En => count.to_string(),
        }
    }

    /// Where the office's day stands, as a headline.
    pub fn phase(self, phase: Phase) -> &'static str {
        match phase {
            Phase::Open => self.pick("受付中", "Open"),
            Phase::BeforeOpening => self.pick("受付開始前", "Not open yet"),
            Phase::ReceptionClosed => {
                self.pick("本日の受付は終了しました", "Reception has closed for today")
            }
            Phase::ClosedForTheDay => self.pick("本日の業務は終了しました", "Closed for today"),
            Phase::Closed => self.pick("本日は閉庁日です", "Closed today"),
            Phase::Unknown => self.pick("受付状況は不明です", "Status not known"),
        }
    }

    /// The headline of the office's state: the phase, except that suspended reception during
    /// reception hours reads 「受付停止中」, never 「受付中」.
    pub fn headline(self, phase: Phase, suspended: bool) -> &'static str {
        if suspended && phase == Phase::Open {
            self.suspended_headline()
        } else {
            self.phase(phase)
        }
    }

    /// The headline while staff have suspended reception.
    pub fn suspended_headline(self) -> &'static str {
        self.pick("受付停止中", "Reception suspended")
    }

    /// Where a ticket is in its life, in a word.
    pub fn ticket_state(self, state: TicketState) -> &'static str {
        match state {
            TicketState::Waiting => self.pick("待機中", "Waiting"),
            TicketState::Called => self.pick("お呼びしています", "Calling"),
            TicketState::Recalled => self.pick("再度お呼びしています", "Calling again"),
            TicketState::Serving => self.pick("対応中", "Being served"),
            TicketState::Done => self.pick("完了", "Done"),
            TicketState::NoShow => self.pick("不在", "Did not come"),
            TicketState::Cancelled => self.pick("取消", "Cancelled"),
            TicketState::Expired => self.pick("期限切れ", "Expired"),
            TicketState::Unknown => self.pick("不明", "Not known"),
        }
    }

    /// Where a ticket is, in the fewest characters: for tight places such as a lobby tile's
    /// title (「呼出中」 rather than 「お呼びしています」).
    pub fn ticket_state_short(self, state: TicketState) -> &'static str {
        match state {
            TicketState::Called => self.pick("呼出中", "Calling"),
            TicketState::Recalled => self.pick("再呼出中", "Calling again"),
            other => self.ticket_state(other),
        }
    }

    /// What a staff action does, as its button says.
    pub fn ticket_action(self, action: TicketAction) -> &'static str {
        match action {
            TicketAction::Call => self.pick("呼び出し", "Call"),
            TicketAction::Recall => self.pick("再呼び出し", "Call again"),
            TicketAction::Start => self.pick("対応開始", "Start"),
            TicketAction::Finish => self.pick("完了", "Finish"),
            TicketAction::NoShow => self.pick("不在", "Did not come"),
            TicketAction::Cancel => self.pick("取消", "Cancel"),
            TicketAction::Expire => self.pick("期限切れにする", "Expire"),
            TicketAction::Unknown => self.pick("不明な操作", "Unknown action"),
        }
    }

    /// Whether a counter takes visitors, in a word.
    pub fn counter_state(self, state: CounterState) -> &'static str {
        match state {
            CounterState::Open => self.pick("開設中", "Open"),
            CounterState::Paused => self.pick("休止中", "Paused"),
            CounterState::Closed => self.pick("閉鎖中", "Closed"),
            CounterState::Unknown => self.pick("不明", "Not known"),
        }
    }

    /// How crowded the office is, in the words city halls use.
    pub fn congestion(self, level: CongestionLevel) -> &'static str {
        match level {
            CongestionLevel::Low => self.pick("空いています", "Not crowded"),
            CongestionLevel::Moderate => self.pick("やや混んでいます", "Somewhat crowded"),
            CongestionLevel::High => self.pick("混んでいます", "Crowded"),
            CongestionLevel::VeryHigh => self.pick("大変混んでいます", "Very crowded"),
            CongestionLevel::Unknown => self.pick("不明", "Not known"),
        }
    }

    /// Why a day is known to be busier, as city halls' notices say it.
    pub fn busy_reason(self, reason: BusyReason) -> &'static str {
        match reason {
            BusyReason::Monday => self.pick("月曜日", "Monday"),
            BusyReason::AfterHoliday => self.pick("祝日などの休みの翌日", "Day after a holiday"),
            BusyReason::MonthEnd => self.pick("月末", "End of the month"),
            BusyReason::MarchApril => self.pick("3月・4月", "March–April"),
            BusyReason::Unknown => self.pick("混み合う傾向のある日", "A usually busier day"),
        }
    }

    /// Every label of this language by wire spelling, for a page's script: it reads them from
    /// the page instead of keeping its own copy.
    pub fn labels(self) -> Labels {
        fn table<T: Copy>(
            known: &[T],
            spell: fn(T) -> &'static str,
            label: impl Fn(T) -> &'static str,
        ) -> Vec<(&'static str, &'static str)> {
            known
                .iter()
                .map(|&value| (spell(value), label(value)))
                .collect()
        }
        Labels {
            phases: table(Phase::KNOWN, Phase::as_str, |p| self.phase(p)),
            phase_unknown: self.phase(Phase::Unknown),
            suspended_headline: self.suspended_headline(),
            ticket_states: table(TicketState::KNOWN, TicketState::as_str, |s| {
                self.ticket_state(s)
            }),
            counter_states: table(CounterState::KNOWN, CounterState::as_str, |s| {
                self.counter_state(s)
            }),
            state_unknown: self.ticket_state(TicketState::Unknown),
            suspensions: table(SuspensionReason::KNOWN, SuspensionReason::as_str, |r| {
                self.suspension(r)
            }),
            suspension_unknown: self.suspension(SuspensionReason::Unknown),
            range_separator: range_separator(self),
        }
    }
}

/// The labels of one language keyed by wire spelling (serialized as JSON objects).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Labels {
    /// Phase of the day → headline.
    #[serde(serialize_with = "as_object")]
    pub phases: Vec<(&'static str, &'static str)>,
    /// The headline of a phase this version does not know.
    pub phase_unknown: &'static str,
    /// The headline while reception is suspended ([`Lang::headline`]).
    pub suspended_headline: &'static str,
    /// Ticket state → label.
    #[serde(serialize_with = "as_object")]
    pub ticket_states: Vec<(&'static str, &'static str)>,
    /// Counter state → label.
    #[serde(serialize_with = "as_object")]
    pub counter_states: Vec<(&'static str, &'static str)>,
    /// The label of a state this version does not know.
    pub state_unknown: &'static str,
    /// Suspension reason → the sentence visitors read.
    #[serde(serialize_with = "as_object")]
    pub suspensions: Vec<(&'static str, &'static str)>,
    /// The sentence for a suspension reason this version does not know.
    pub suspension_unknown: &'static str,
    /// Between the ends of a range of times ([`range_separator`]).
    pub range_separator: &'static str,
}

fn as_object<S: serde::Serializer>(
    pairs: &[(&'static str, &'static str)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(pairs.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate};

    fn at(text: &str) -> DateTime<chrono::FixedOffset> {
        DateTime::parse_from_rfc3339(text).expect("valid instant")
    }

    #[test]
    fn dates_read_as_on_city_notices_in_either_language() {
        let tuesday = at("2026-12-01T09:05:07+09:00");
        assert_eq!(Lang::Ja.clock(&tuesday), "12月1日（火） 9:05:07");
        assert_eq!(Lang::En.clock(&tuesday), "Tue 1 Dec 9:05:07");
        assert_eq!(Lang::Ja.date_time(&tuesday), "12月1日（火）9:05");
        assert_eq!(Lang::En.date_time(&tuesday), "Tue 1 Dec 9:05");
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).expect("valid date");
        assert_eq!(Lang::Ja.date(&day), "11月24日（火）");
        assert_eq!(Lang::En.date(&day), "Tue 24 Nov");
    }

    #[test]
    fn hours_drop_the_leading_zero_only() {
        assert_eq!(hours_text("09:00"), "9:00");
        assert_eq!(hours_text("17:45"), "17:45");
        assert_eq!(hours_text("00:30"), "0:30");
        assert_eq!(hours_text("0"), "0");
        assert_eq!(Lang::Ja.hours("09:00", "17:45"), "9:00～17:45");
        assert_eq!(Lang::En.hours("08:30", "17:15"), "8:30–17:15");
    }

    #[test]
    fn only_lang_en_switches_to_english() {
        assert_eq!(Lang::from_query(Some("en")), Lang::En);
        assert_eq!(Lang::from_query(Some("EN")), Lang::En);
        assert_eq!(Lang::from_query(Some("fr")), Lang::Ja);
        assert_eq!(Lang::from_query(None), Lang::Ja);
    }

    #[test]
    fn every_state_has_a_distinct_label_in_each_language() {
        for lang in Lang::ALL {
            let mut labels: Vec<_> = TicketState::KNOWN
                .iter()
                .map(|&s| lang.ticket_state(s))
                .collect();
            labels.sort_unstable();
            labels.dedup();
            assert_eq!(labels.len(), TicketState::KNOWN.len(), "{lang:?}");
            let mut phases: Vec<_> = Phase::KNOWN.iter().map(|&p| lang.phase(p)).collect();
            phases.push(lang.phase(Phase::Unknown));
            phases.sort_unstable();
            phases.dedup();
            assert_eq!(phases.len(), Phase::KNOWN.len() + 1, "{lang:?}");
        }
    }

    #[test]
    fn every_busier_day_reason_reads_as_a_city_notice_and_each_differently() {
        for lang in Lang::ALL {
            let mut words: Vec<_> = BusyReason::KNOWN
                .iter()
                .map(|&r| lang.busy_reason(r))
                .collect();
            for word in &words {
                assert_eq!(avoided_word(word), None, "{word}");
            }
            words.sort_unstable();
            words.dedup();
            assert_eq!(words.len(), BusyReason::KNOWN.len(), "{lang:?}");
        }
        assert_eq!(Lang::Ja.busy_reason(BusyReason::MarchApril), "3月・4月");
    }

    #[test]
    fn the_labels_table_is_keyed_by_wire_spelling() {
        let json = serde_json::to_value(Lang::Ja.labels()).expect("serializes");
        assert_eq!(
            json["phases"]["reception_closed"],
            "本日の受付は終了しました"
        );
        assert_eq!(json["ticket_states"]["recalled"], "再度お呼びしています");
        assert_eq!(json["counter_states"]["paused"], "休止中");
        assert_eq!(json["phase_unknown"], "受付状況は不明です");
    }
}
