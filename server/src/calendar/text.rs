//! Calendar facts as text for people: the CLI's lines, the screens' closure
//! reasons and the refusal shown when a ticket cannot be issued. Japanese
//! first (visitors at a Kanazawa counter), English beside it.

use chrono::{DateTime, Datelike, NaiveDate};
use chrono_tz::Tz;

use super::holidays::{Holiday, HolidayKind};
use super::plan::{ClosureReason, DayPlan};
use super::schedule::hhmm_text;
use super::status::{Phase, Status};

use crate::protocol::text::{self, Lang};

/// The one-character Japanese weekday (月 火 水 木 金 土 日) of a date.
fn weekday_ja(date: NaiveDate) -> &'static str {
    text::weekday_ja(date.weekday())
}

impl ClosureReason {
    /// Short Japanese reason: "祝日（勤労感謝の日）", "休日（振替休日）",
    /// "年末年始", "土日", the configured reason, or "休業日".
    pub fn text_ja(&self) -> String {
        match self {
            Self::Weekend => "土日".to_owned(),
            Self::Holiday(h) => holiday_text_ja(h),
            Self::YearEnd => "年末年始".to_owned(),
            Self::Special { reason_ja, .. } => reason_ja.clone(),
            Self::NoHours => "休業日".to_owned(),
        }
    }

    /// Short English reason: "National holiday (Labor Thanksgiving Day)",
    /// "Year-end holidays", "Weekend", the configured reason, or "No business hours".
    pub fn text_en(&self) -> String {
        match self {
            Self::Weekend => "Weekend".to_owned(),
            Self::Holiday(h) => match h.kind {
                HolidayKind::National => format!("National holiday ({})", h.name_en),
                _ => format!("Public holiday ({})", h.name_en),
            },
            Self::YearEnd => "Year-end holidays".to_owned(),
            Self::Special { reason_en, .. } => reason_en.clone(),
            Self::NoHours => "No business hours".to_owned(),
        }
    }
}

/// 祝日 for the law's holidays, 休日 for the others (the law's own words).
fn holiday_text_ja(h: &Holiday) -> String {
    match h.kind {
        HolidayKind::National => format!("祝日（{}）", h.name_ja),
        _ => format!("休日（{}）", h.name_ja),
    }
}

/// The reason with the weekday spelled out for weekends ("土曜日"), since a
/// dated line or refusal can say which day it is.
fn dated_reason_ja(reason: &ClosureReason, date: NaiveDate) -> String {
    match reason {
        ClosureReason::Weekend => format!("{}曜日", weekday_ja(date)),
        other => other.text_ja(),
    }
}

fn dated_reason_en(reason: &ClosureReason, date: NaiveDate) -> String {
    match reason {
        ClosureReason::Weekend => date.format("%A").to_string(),
        other => other.text_en(),
    }
}

/// One line of `queue-server calendar`: "2026-12-21 (月) 09:00–17:45", plus
/// " [受付 17:30 まで]" with a last-ticket time and " 特別開庁（…）" on an extra
/// opening; closed: "2026-12-29 (火) 休業 年末年始". The dash is U+2013.
pub fn calendar_line(plan: &DayPlan) -> String {
    let head = format!(
        "{} ({})",
        plan.date.format("%Y-%m-%d"),
        weekday_ja(plan.date)
    );
    match (&plan.hours, &plan.closure) {
        (Some(h), _) => {
            let mut line = format!("{head} {}–{}", hhmm_text(h.opens), hhmm_text(h.closes));
            if let Some(t) = h.last_ticket {
                line.push_str(&format!(" [受付 {} まで]", hhmm_text(t)));
            }
            if let Some((reason_ja, _)) = &plan.special_reason {
                line.push_str(&format!(" 特別開庁（{reason_ja}）"));
            }
            line
        }
        (None, Some(reason)) => format!("{head} 休業 {}", dated_reason_ja(reason, plan.date)),
        (None, None) => format!("{head} 休業"),
    }
}

/// One line of `queue-server holidays YEAR`: "YYYY-MM-DD<TAB>名称", the same
/// format as the Cabinet Office list it is checked against.
pub fn holiday_line(date: NaiveDate, holiday: &Holiday) -> String {
    format!("{}\t{}", date.format("%Y-%m-%d"), holiday.name_ja)
}

/// 「11月24日(火) 9:00」: how a Japanese notice writes the next opening.
fn opening_ja(at: &DateTime<Tz>) -> String {
    Lang::Ja.date_time(at)
}

/// "Tue 24 Nov 9:00".
fn opening_en(at: &DateTime<Tz>) -> String {
    Lang::En.date_time(at)
}

impl Status {
    /// Japanese text refusing a ticket, with the reason and the next opening,
    /// e.g. 「本日は祝日（勤労感謝の日）のため休業です。次の受付: 11月24日(火) 9:00」.
    /// While reception is open there is nothing to refuse: 「受付中です。」.
    pub fn refusal_ja(&self) -> String {
        let why = match &self.phase {
            Phase::Open => return "受付中です。".to_owned(),
            Phase::BeforeOpening => "受付開始前です。".to_owned(),
            Phase::ReceptionClosed => "本日の受付は終了しました。".to_owned(),
            Phase::ClosedForTheDay => "本日の業務は終了しました。".to_owned(),
            Phase::Closed(ClosureReason::YearEnd) => {
                "年末年始（12月29日〜1月3日）のため休業です。".to_owned()
            }
            Phase::Closed(ClosureReason::Special { reason_ja, .. }) => {
                format!("{reason_ja}のため休業です。")
            }
            Phase::Closed(ClosureReason::NoHours) => "本日は休業日です。".to_owned(),
            Phase::Closed(reason) => format!(
                "本日は{}のため休業です。",
                dated_reason_ja(reason, self.business_date)
            ),
        };
        match &self.next_opening {
            Some(at) => format!("{why}次の受付: {}", opening_ja(at)),
            None => format!("{why}次の受付日は未定です。"),
        }
    }

    /// English counterpart of [`Status::refusal_ja`], e.g. "Closed today:
    /// National holiday (Labor Thanksgiving Day). Next reception: Tue 24 Nov 9:00".
    pub fn refusal_en(&self) -> String {
        let why = match &self.phase {
            Phase::Open => return "Reception is open.".to_owned(),
            Phase::BeforeOpening => "Reception has not opened yet.".to_owned(),
            Phase::ReceptionClosed => "Reception has closed for today.".to_owned(),
            Phase::ClosedForTheDay => "The office has closed for today.".to_owned(),
            Phase::Closed(ClosureReason::YearEnd) => {
                "Closed for the year-end holidays (29 Dec – 3 Jan).".to_owned()
            }
            Phase::Closed(reason) => format!(
                "Closed today: {}.",
                dated_reason_en(reason, self.business_date)
            ),
        };
        match &self.next_opening {
            Some(at) => format!("{why} Next reception: {}", opening_en(at)),
            None => format!("{why} Next reception: not scheduled yet."),
        }
    }
}
