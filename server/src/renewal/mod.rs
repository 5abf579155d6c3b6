//! The renewal guide (issue 16): "can I renew my certificate now, where, and what must I
//! bring?" answered for one person from the certificate's expiry date, today's date and who
//! comes, next to the live queue.
//!
//! Map of the module (each rule a small pure function; `docs/renewal.md` states the rules):
//! - `months`: "the same day N months away", flagging a day number the month lacks.
//! - [`window`]: the free renewal window and where today falls (domain R12, R15).
//! - [`lapse`]: what stops after the expiry, the health-insurance card's last day (R11, R13).
//! - [`notice`]: when the expiry notice should arrive (R14).
//! - [`who`]: who comes, what they bring, visits, ticket (R17–R21).
//! - [`offices`]: where to go, with live figures from each office's snapshot (R1–R7).
//! - [`text`]: every sentence, in Japanese and English.
//!
//! [`answer`] puts them together; the API serializes the [`Answer`], the page and the command
//! line ([`plain`]) print it.

pub mod cli;
pub mod lapse;
mod months;
pub mod notice;
pub mod offices;
pub mod text;
pub mod who;
pub mod window;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

pub use offices::{Live, OfficeAnswer};
pub use text::Text;
pub use who::{Item, Step, Who};
pub use window::{Reading, Stage};

use crate::config::Config;
use crate::http::pages::Lang;

/// Years the guide answers for: My Number cards exist since 2016, and the holiday calendar
/// behind the offices' open days runs to 2099.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// Why a question cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenewalError {
    /// Not a `YYYY-MM-DD` date, or outside [`YEARS`].
    #[error("{field} must be a YYYY-MM-DD date between 2000 and 2099, not {text:?}")]
    InvalidDate {
        /// The parameter at fault (`expires`, `today`).
        field: &'static str,
        /// What was given.
        text: String,
    },
    /// The parameter is missing.
    #[error("{field} is required")]
    MissingDate {
        /// The parameter at fault.
        field: &'static str,
    },
    /// Not one of the `who` values.
    #[error("who must be one of self, legal, legal_alone, proxy_notice, proxy_inquiry, not {0:?}")]
    InvalidWho(String),
}

/// Parses a `YYYY-MM-DD` parameter within [`YEARS`].
pub fn parse_date(field: &'static str, text: &str) -> Result<NaiveDate, RenewalError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .filter(|date| YEARS.contains(&date.year()))
        .ok_or_else(|| RenewalError::InvalidDate {
            field,
            text: text.to_string(),
        })
}

/// Parses `who`; absent or empty means the holder.
pub fn parse_who(text: Option<&str>) -> Result<Who, RenewalError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(Who::Holder),
        Some(text) => Who::parse(text).ok_or_else(|| RenewalError::InvalidWho(text.to_string())),
    }
}

/// One person's question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question {
    /// The certificate's expiry date (its last valid day).
    pub expires: NaiveDate,
    /// The day the person asks about (the business date in Japan by default).
    pub today: NaiveDate,
    /// Who comes.
    pub who: Who,
}

/// The ticket to take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ticket {
    /// Service id from the configuration (`renewal`).
    pub service: String,
    /// The service's name, as on the ticket machine.
    pub name: Text,
}

/// What a note is about, so the page can group them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// When to come.
    When,
    /// What lapses.
    Lapse,
    /// The expiry notice.
    Notice,
    /// Who comes and which ticket.
    Who,
    /// Where.
    Where,
}

/// A sentence of the answer with the rule it rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// What it is about.
    pub topic: Topic,
    /// The rules of `docs/renewal.md` it states (`R12`).
    pub rules: &'static str,
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Note {
    fn new(topic: Topic, rules: &'static str, text: Text) -> Self {
        Self {
            topic,
            rules,
            ja: text.ja,
            en: text.en,
        }
    }
}

/// The whole answer: the JSON of `GET /api/v1/renewal`, the page and the command line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer {
    /// The certificate's expiry date, as asked.
    pub expires: NaiveDate,
    /// The day answered for.
    pub today: NaiveDate,
    /// Who comes, as asked.
    pub who: Who,
    /// The route that applies (differs from `who` when a proxy's sheet is no longer valid).
    pub route: Who,
    /// Where today falls.
    pub stage: Stage,
    /// First day of free renewal (R12).
    pub window_opens: NaiveDate,
    /// Last day on which renewing is a paid re-issue (R12).
    pub paid_reissue_until: NaiveDate,
    /// `today` lies in the free window (`window_opens` ..= `expires`).
    pub in_window: bool,
    /// `today` is after the expiry date (R15).
    pub after_expiry: bool,
    /// `window_opens` minus `today`, in days (negative once open).
    pub days_until_window: i64,
    /// `expires` minus `today`, in days (negative after expiry).
    pub days_until_expiry: i64,
    /// How `window_opens` was derived; `month_end` is our reading (see `docs/renewal.md`).
    pub window_reading: Reading,
    /// Last day the card works as health-insurance card (R11).
    pub insurance_card_until: NaiveDate,
    /// How `insurance_card_until` was derived.
    pub insurance_card_reading: Reading,
    /// From when hospitals warn (R13).
    pub insurance_warning_from: NaiveDate,
    /// From about when the expiry notice should be in the letterbox (R14).
    pub notice_expected_from: NaiveDate,
    /// Visits needed: 1, or 3 for the document inquiry (R21).
    pub visits: u8,
    /// The ticket to take, when the configuration offers that service.
    pub ticket: Option<Ticket>,
    /// What to bring, by visit.
    pub bring: Vec<Item>,
    /// What each visit is for (document inquiry only).
    pub steps: Vec<Step>,
    /// The answer in sentences, with the rules behind them.
    pub notes: Vec<Note>,
    /// Where to go.
    pub offices: Vec<OfficeAnswer>,
    /// Whom to ask (R22).
    pub contact: Text,
}

/// The answer to `question`, for the offices of `config`; `live` gives an office's live
/// figures for a service when a server runs (`None` on the command line).
pub fn answer(
    question: Question,
    config: &Config,
    live: impl Fn(&str, &str) -> Option<Live>,
) -> Result<Answer, RenewalError> {
    let Question {
        expires,
        today,
        who,
    } = question;
    let out_of_range = || RenewalError::InvalidDate {
        field: "expires",
        text: expires.to_string(),
    };
    let window = window::free_window(expires).ok_or_else(out_of_range)?;
    let insurance = lapse::insurance_card_until(expires).ok_or_else(out_of_range)?;
    let notice_from = notice::notice_expected_from(expires).ok_or_else(out_of_range)?;
    let warning_from = lapse::insurance_warning_from(&window);
    let stage = window::stage(&window, today);
    let route = who::route(who, stage);
    let ticket = config.service(route.service).map(|service| Ticket {
        service: service.id.clone(),
        name: Text::new(service.name_ja.clone(), service.name_en.clone()),
    });

    let mut notes = vec![Note::new(
        Topic::When,
        "R12 R15",
        text::when(stage, &window, today),
    )];
    if let Some(reading) = text::window_reading(window.reading, window.opens) {
        notes.push(Note::new(Topic::When, "R12", reading));
    }
    notes.push(Note::new(Topic::Lapse, "R10 R16", text::renewed_expiry()));
    notes.push(Note::new(Topic::Lapse, "R11", text::lapse()));
    notes.push(Note::new(
        Topic::Lapse,
        "R11 R13",
        text::insurance(insurance.until, warning_from),
    ));
    notes.push(Note::new(Topic::Notice, "R14", text::notice(notice_from)));
    notes.push(Note::new(Topic::Notice, "R17 R21", text::without_notice()));
    notes.push(Note::new(
        Topic::Who,
        "R17 R18 R19 R20 R21",
        text::who_note(route.asked, route.who),
    ));
    if let Some(ticket) = &ticket {
        notes.push(Note::new(Topic::Who, "R6", text::ticket(&ticket.name)));
    }
    notes.push(Note::new(
        Topic::Where,
        "R1 R2 R6",
        text::where_and_how_long(),
    ));
    notes.push(Note::new(Topic::Where, "R7", text::reservations()));

    // Before the window, the open days worth listing are those from its first day on.
    let open_days_from = today.max(window.opens);
    let offices = offices::offices_for(&config.offices, route.service, open_days_from, |office| {
        live(office, route.service)
    });
    Ok(Answer {
        expires,
        today,
        who,
        route: route.who,
        stage,
        window_opens: window.opens,
        paid_reissue_until: window.paid_reissue_until,
        in_window: stage == Stage::InWindow,
        after_expiry: stage == Stage::AfterExpiry,
        days_until_window: window::days_between(today, window.opens),
        days_until_expiry: window::days_between(today, expires),
        window_reading: window.reading,
        insurance_card_until: insurance.until,
        insurance_card_reading: insurance.reading,
        insurance_warning_from: warning_from,
        notice_expected_from: notice_from,
        visits: route.visits,
        ticket,
        bring: route.bring,
        steps: route.steps,
        notes,
        offices,
        contact: text::contact(),
    })
}

/// The answer as text for a terminal, in `lang`: the same sentences as the page.
pub fn plain(answer: &Answer, lang: Lang) -> String {
    let pick = |text: &Text| lang.pick(&text.ja, &text.en).to_string();
    let pick2 = |ja: &str, en: &str| lang.pick(ja, en).to_string();
    let date = |date: NaiveDate| match lang {
        Lang::Ja => text::date_ja(date),
        Lang::En => text::date_en(date),
    };
    let mut out = Vec::new();
    out.push(pick2(
        "電子証明書の更新のご案内",
        "Certificate renewal guide",
    ));
    out.push(format!(
        "{} {}",
        pick2("有効期限", "Expiry"),
        date(answer.expires)
    ));
    out.push(format!(
        "{} {}",
        pick2("無料で更新できる期間", "Free renewal"),
        match lang {
            Lang::Ja => format!(
                "{}～{}",
                text::date_ja(answer.window_opens),
                text::date_ja(answer.expires)
            ),
            Lang::En => format!(
                "{} – {}",
                text::date_en(answer.window_opens),
                text::date_en(answer.expires)
            ),
        }
    ));
    out.push(String::new());
    for note in &answer.notes {
        out.push(pick2(&note.ja, &note.en));
    }
    out.push(String::new());
    out.push(pick2("お持ちいただくもの", "What to bring"));
    for visit in 1..=answer.visits {
        if answer.visits > 1 {
            out.push(match lang {
                Lang::Ja => format!("{visit}回目の来庁"),
                Lang::En => format!("Visit {visit}"),
            });
            if let Some(step) = answer.steps.iter().find(|s| s.visit == visit) {
                out.push(format!("  {}", pick2(&step.ja, &step.en)));
            }
        }
        let items: Vec<&Item> = answer.bring.iter().filter(|i| i.visit == visit).collect();
        if items.is_empty() {
            out.push(format!(
                "  {}",
                pick2("お持ちいただくものはありません。", "Nothing to bring.")
            ));
        }
        for item in items {
            out.push(format!("  ・{}", pick2(&item.ja, &item.en)));
        }
    }
    out.push(String::new());
    out.push(pick2("受付場所", "Where"));
    for office in &answer.offices {
        out.push(format!("  {}", pick(&office.name)));
        if let Some(state) = &office.state {
            out.push(format!("    {}", pick(state)));
        }
        let days: Vec<String> = office
            .next_open_days
            .iter()
            .map(|day| format!("{} {}～{}", date(day.date), day.opens, day.closes))
            .collect();
        if !days.is_empty() {
            out.push(format!(
                "    {}",
                pick2("今後の受付日（開庁日）", "Next open days")
            ));
            for day in days {
                out.push(format!("      {day}"));
            }
        }
    }
    out.push(String::new());
    out.push(pick(&answer.contact));
    out.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid test date")
    }

    fn ask(expires: &str, today: &str, who: Who) -> Answer {
        let config = Config::embedded().expect("embedded config");
        answer(
            Question {
                expires: date(expires),
                today: date(today),
                who,
            },
            &config,
            |_, _| None,
        )
        .expect("an answer")
    }

    #[test]
    fn the_citys_example_answers_with_its_window_and_every_date_derived_from_the_expiry() {
        let a = ask("2027-07-07", "2027-03-01", Who::Holder);
        assert_eq!(a.window_opens, date("2027-04-08"), "R12");
        assert_eq!(a.paid_reissue_until, date("2027-04-07"));
        assert!(!a.in_window);
        assert!(!a.after_expiry);
        assert_eq!(a.days_until_window, 38);
        assert_eq!(a.insurance_card_until, date("2027-10-07"), "R11");
        assert_eq!(a.notice_expected_from, date("2027-04-22"), "R14");
        assert_eq!(a.visits, 1);
        assert_eq!(
            a.ticket.as_ref().map(|t| t.service.as_str()),
            Some("renewal")
        );
        assert_eq!(a.offices.len(), 2);
        assert!(a.offices.iter().all(|o| !o.live && o.waiting.is_none()));
        // Open days are listed from the window's first day, 8 April (a Thursday).
        assert_eq!(a.offices[0].next_open_days[0].date, date("2027-04-08"));
    }

    #[test]
    fn the_expiry_day_is_still_in_the_window_and_the_next_day_is_after_expiry() {
        let last = ask("2027-07-07", "2027-07-07", Who::Holder);
        assert!(last.in_window && !last.after_expiry);
        assert_eq!(last.days_until_expiry, 0);
        let next = ask("2027-07-07", "2027-07-08", Who::Holder);
        assert!(!next.in_window && next.after_expiry);
        assert_eq!(
            next.ticket.map(|t| t.service),
            Some("new_issuance".to_string())
        );
    }

    #[test]
    fn an_answer_resting_on_our_month_end_reading_says_so() {
        let ours = ask("2027-05-31", "2027-01-10", Who::Holder);
        assert_eq!(ours.window_opens, date("2027-03-01"));
        assert_eq!(ours.window_reading, Reading::MonthEnd);
        assert!(ours.notes.iter().any(|n| n.ja.contains("当システムの解釈")));
        let literal = ask("2027-07-07", "2027-01-10", Who::Holder);
        assert!(
            !literal
                .notes
                .iter()
                .any(|n| n.ja.contains("当システムの解釈"))
        );
    }

    #[test]
    fn a_proxy_by_document_inquiry_needs_three_visits() {
        let a = ask("2027-07-07", "2027-05-01", Who::ProxyInquiry);
        assert_eq!(a.visits, 3, "R21");
        assert_eq!(a.steps.len(), 3);
        assert_eq!(a.route, Who::ProxyInquiry);
    }

    #[test]
    fn bad_dates_and_unknown_people_are_refused_with_the_field_at_fault() {
        assert_eq!(
            parse_date("expires", "2027-02-30"),
            Err(RenewalError::InvalidDate {
                field: "expires",
                text: "2027-02-30".into()
            })
        );
        assert!(parse_date("expires", "07/07/2027").is_err());
        assert!(parse_date("today", "1999-12-31").is_err());
        assert_eq!(parse_date("expires", "2028-02-29"), Ok(date("2028-02-29")));
        assert_eq!(parse_who(None), Ok(Who::Holder));
        assert_eq!(parse_who(Some("")), Ok(Who::Holder));
        assert_eq!(parse_who(Some("legal_alone")), Ok(Who::LegalAlone));
        assert_eq!(
            parse_who(Some("friend")),
            Err(RenewalError::InvalidWho("friend".into()))
        );
    }

    #[test]
    fn the_plain_text_carries_the_checklist_heading_in_each_language() {
        let a = ask("2027-07-07", "2027-03-01", Who::ProxyInquiry);
        let ja = plain(&a, Lang::Ja);
        assert!(ja.contains("お持ちいただくもの"));
        assert!(ja.contains("2027年4月8日（木）"));
        assert!(ja.contains("3回目の来庁"));
        let en = plain(&a, Lang::En);
        assert!(en.contains("What to bring"));
        assert!(en.contains("Thu 8 Apr 2027"));
    }
}
