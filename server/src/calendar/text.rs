//! Calendar facts as text for people: the CLI's lines, the screens' closure
//! reasons and the refusal shown when a ticket cannot be issued. Japanese
//! first (visitors at a Kanazawa counter), English beside it.

use chrono::{DateTime, Datelike, NaiveDate};
use chrono_tz::Tz;

use super::holidays::{Holiday, HolidayKind};
use super::plan::{ClosureReason, DayPlan};
use super::status::{Phase, Status};

use crate::protocol::text::{self, Lang};

/// The one-character Japanese weekday (月 火 水 木 金 土 日) of a date.
fn weekday_ja(date: NaiveDate) -> &'static str {
    text::weekday_ja(date.weekday())
}

impl ClosureReason {
    /// Short Japanese reason, as a screen shows it beside 「本日は閉庁日です」:
    /// 「祝日（勤労感謝の日）」, 「振替休日」, 「年末年始」, 「土曜日・日曜日」, the configured
    /// reason, or 「閉庁日」.
    pub fn text_ja(&self) -> String {
        match self {
            Self::Weekend => "土曜日・日曜日".to_owned(),
            Self::Holiday(h) => holiday_text_ja(h),
            Self::YearEnd => "年末年始".to_owned(),
            Self::Special { reason_ja, .. } => reason_ja.clone(),
            Self::NoHours => "閉庁日".to_owned(),
        }
    }

    /// Short English reason: "National holiday (Labor Thanksgiving Day)",
    /// "Year-end holidays", "Weekend", the configured reason, or "No business hours".
    pub fn text_en(&self) -> String {
        match self {
            Self::Weekend => "Weekend".to_owned(),
            Self::Holiday(h) => match h.kind {
                HolidayKind::National => format!("National holiday ({})", h.name_en),
                _ => h.name_en.to_owned(),
            },
            Self::YearEnd => "Year-end holidays".to_owned(),
            Self::Special { reason_en, .. } => reason_en.clone(),
            Self::NoHours => "No business hours".to_owned(),
        }
    }
}

/// 「祝日（…）」 for the law's named holidays; the others by their own name (振替休日,
/// 国民の休日), as the city writes them.
fn holiday_text_ja(h: &Holiday) -> String {
    match h.kind {
        HolidayKind::National => format!("祝日（{}）", h.name_ja),
        _ => h.name_ja.to_owned(),
    }
}

/// One line of `queue-server calendar`: the ISO date first, then the day in the city's words:
/// 「2026-12-21（月）9:00～17:45」, plus 「（発券は17:30まで）」 with a last-ticket time and
/// 「特別開庁（…）」 on an extra opening; closed: 「2026-12-29（火）閉庁 年末年始」.
pub fn calendar_line(plan: &DayPlan) -> String {
    let head = format!(
        "{}（{}）",
        plan.date.format("%Y-%m-%d"),
        weekday_ja(plan.date)
    );
    match (&plan.hours, &plan.closure) {
        (Some(h), _) => {
            let mut line = format!(
                "{head}{}{}{}",
                text::time(&h.opens),
                text::range_separator(Lang::Ja),
                text::time(&h.closes)
            );
            if let Some(t) = h.last_ticket {
                line.push_str(&format!("（発券は{}まで）", text::time(&t)));
            }
            if let Some((reason_ja, _)) = &plan.special_reason {
                line.push_str(&format!(" 特別開庁（{reason_ja}）"));
            }
            line
        }
        (None, Some(reason)) => format!("{head}閉庁 {}", reason.text_ja()),
        (None, None) => format!("{head}閉庁"),
    }
}

/// One line of `queue-server holidays YEAR`: "YYYY-MM-DD<TAB>名称", the same
/// format as the Cabinet Office list it is checked against.
pub fn holiday_line(date: NaiveDate, holiday: &Holiday) -> String {
    format!("{}\t{}", date.format("%Y-%m-%d"), holiday.name_ja)
}

/// 「11月24日（火）9:00」: how a Japanese notice writes the next opening.
fn opening_ja(at: &DateTime<Tz>) -> String {
    Lang::Ja.date_time(at)
}

/// "Tue 24 Nov 9:00".
fn opening_en(at: &DateTime<Tz>) -> String {
    Lang::En.date_time(at)
}

impl Status {
    /// The notice for visitors (and the refusal of a ticket) in the city's words, e.g.
    /// 「本日は祝日（勤労感謝の日）のため閉庁しています。次回の受付は11月24日（火）9:00からです。」
    /// While reception is open there is nothing to refuse: 「受付中です。」.
    pub fn refusal_ja(&self) -> String {
        let next = match &self.next_opening {
            Some(at) => format!("次回の受付は{}からです。", opening_ja(at)),
            None => "次回の受付日は未定です。".to_owned(),
        };
        match &self.phase {
            Phase::Open => "受付中です。".to_owned(),
            Phase::BeforeOpening => match &self.next_opening {
                Some(at) if at.date_naive() == self.business_date => {
                    format!("本日の受付は{}からです。", text::time(at))
                }
                _ => format!("受付開始前です。{next}"),
            },
            Phase::ReceptionClosed => {
                "本日の受付は終了しました。番号札をお持ちの方は順番にお呼びします。".to_owned()
            }
            Phase::ClosedForTheDay => format!("本日の業務は終了しました。{next}"),
            Phase::Closed(ClosureReason::Weekend) => format!("土曜日・日曜日は閉庁日です。{next}"),
            Phase::Closed(ClosureReason::YearEnd) => {
                format!("年末年始（12月29日～1月3日）は閉庁しています。{next}")
            }
            Phase::Closed(ClosureReason::Special { reason_ja, .. }) => {
                format!("{reason_ja}のため、本日は電子証明書の手続きを休止しています。{next}")
            }
            Phase::Closed(ClosureReason::NoHours) => format!("本日は閉庁日です。{next}"),
            Phase::Closed(reason) => {
                format!("本日は{}のため閉庁しています。{next}", reason.text_ja())
            }
        }
    }

    /// English counterpart of [`Status::refusal_ja`], e.g. "Closed today: National holiday
    /// (Labor Thanksgiving Day). Reception reopens Tue 24 Nov 9:00."
    pub fn refusal_en(&self) -> String {
        let next = match &self.next_opening {
            Some(at) => format!("Reception reopens {}.", opening_en(at)),
            None => "The next day of reception is not scheduled yet.".to_owned(),
        };
        match &self.phase {
            Phase::Open => "Reception is open.".to_owned(),
            Phase::BeforeOpening => match &self.next_opening {
                Some(at) if at.date_naive() == self.business_date => {
                    format!("Reception opens today at {}.", text::time(at))
                }
                _ => format!("Reception has not opened yet. {next}"),
            },
            Phase::ReceptionClosed => {
                "Reception has closed for today. Everyone holding a ticket will be called in turn."
                    .to_owned()
            }
            Phase::ClosedForTheDay => format!("The office has closed for today. {next}"),
            Phase::Closed(ClosureReason::YearEnd) => {
                format!("Closed for the year-end holidays (29 Dec – 3 Jan). {next}")
            }
            Phase::Closed(reason) => format!(
                "Closed today: {}. {next}",
                dated_reason_en(reason, self.business_date)
            ),
        }
    }
}

fn dated_reason_en(reason: &ClosureReason, date: NaiveDate) -> String {
    match reason {
        ClosureReason::Weekend => date.format("%A").to_string(),
        other => other.text_en(),
    }
}
