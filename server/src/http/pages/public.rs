//! The public congestion page, rendered on the server from the office's latest snapshot: it is
//! complete without JavaScript (a refresh link brings the newest), and `public.js` keeps the
//! same elements up to date from the live feed. Ids and classes here are the script's contract.

use chrono::{DateTime, FixedOffset, NaiveDate};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::assets;
use super::text::{Lang, fill, query, script_words, words};
use crate::config::{Guide, OfficeConfig, ServiceConfig};
use crate::history::forecast::Forecast;
use crate::protocol::{Estimate, Hours, Snapshot, SuspensionReason};

/// An office in the page's navigation.
#[derive(Debug)]
pub struct OfficeLink<'a> {
    /// Id in paths.
    pub id: &'a str,
    /// Name in the page's language.
    pub name: &'a str,
    /// The default office lives at `/`.
    pub default: bool,
}

/// An upcoming open day.
#[derive(Debug)]
pub struct OpenDay {
    /// The date.
    pub date: NaiveDate,
    /// Its hours.
    pub hours: Hours,
}

/// Everything the page shows.
#[derive(Debug)]
pub struct PublicPage<'a> {
    /// Language of the page.
    pub lang: Lang,
    /// The office's latest public snapshot.
    pub snapshot: &'a Snapshot,
    /// Its sequence number.
    pub seq: u64,
    /// When the server made it.
    pub generated_at: DateTime<FixedOffset>,
    /// Every office, this one included.
    pub offices: Vec<OfficeLink<'a>>,
    /// The next open days after today.
    pub open_days: Vec<OpenDay>,
    /// Seconds between polls when the WebSocket is blocked.
    pub poll_seconds: u32,
    /// The office as configured: where it is, how to reserve.
    pub office: &'a OfficeConfig,
    /// The office's services as configured: who each ticket is for.
    pub services: Vec<&'a ServiceConfig>,
    /// What every visitor is told (procedure, PIN, contact).
    pub guide: &'a Guide,
    /// Typical waits by weekday and hour (none when the history could not be read).
    pub forecast: Option<&'a Forecast>,
    /// How many weeks the forecast looks back over, for its heading.
    pub forecast_weeks: u32,
}

/// The `<head>` of every page: charset, a phone's viewport, the light scheme and the style
/// sheet; `extra` adds what one page needs (its script, its words).
pub fn page_head(title: &str, extra: Markup) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="color-scheme" content="light";
            title { (title) }
            link rel="icon" href="data:,";
            link rel="stylesheet" href=(assets::url("site.css"));
            (extra)
        }
    }
}

/// The `<head>` of the congestion pages: the live script and the words it reads.
fn head(lang: Lang, title: &str) -> Markup {
    page_head(
        title,
        html! {
            script src=(assets::url("public.js")) defer {}
            script type="application/json" id="words" {
                (PreEscaped(script_words(words(lang), lang)))
            }
        },
    )
}

/// The page.
pub fn render(page: &PublicPage<'_>) -> Markup {
    let lang = page.lang;
    let w = words(lang);
    let s = page.snapshot;
    let office_name = lang.pick(&s.office.name_ja, &s.office.name_en);
    let other = match lang {
        Lang::Ja => Lang::En,
        Lang::En => Lang::Ja,
    };
    let here = self_path(&page.offices, &s.office.id);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(lang, &format!("{office_name} {}", w.title)))
            body.public data-office=(s.office.id) data-poll-seconds=(page.poll_seconds)
                data-seq=(page.seq) data-generated-at=(page.generated_at.to_rfc3339())
                data-business-date=(s.calendar.business_date) data-transport="static" {
                header.top {
                    p.tagline { (w.tagline) }
                    h1 {
                        span #office-name { (office_name) }
                        " "
                        span #demo .badge hidden[!s.demo] { (w.demo) }
                    }
                    a.lang href={ (here) (query(other)) } lang=(other.code())
                        hreflang=(other.code()) { (w.other_language) }
                }
                main {
                    p #stale .stale role="status" hidden { (w.stale) }
                    p #demo-note .demo-note hidden[!s.demo] { (w.demo_note) }
                    (state_card(lang, s))
                    (summary_card(lang, s))
                    (calling_card(lang, s))
                    (services_card(lang, s))
                    (days_card(lang, &page.open_days))
                    @if let Some(forecast) = page.forecast {
                        (super::forecast::card(lang, forecast, page.forecast_weeks))
                    }
                    p.advice { (w.advice) }
                    (guide_card(lang, page))
                    p.guide { a #renewal-link href={ "/renewal" (query(lang)) } { (lang.pick("電子証明書の更新案内（更新できる期間・お持ちいただくもの）", "Renewal guide: when to renew, what to bring")) } }
                    @if page.offices.len() > 1 {
                        nav.offices aria-labelledby="offices-h" {
                            h2 #offices-h { (w.offices_heading) }
                            ul {
                                @for office in &page.offices {
                                    li {
                                        @if office.id == s.office.id {
                                            a aria-current="page" href={ (office_path(office)) (query(lang)) } { (office.name) }
                                        } @else {
                                            a href={ (office_path(office)) (query(lang)) } { (office.name) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                footer.foot {
                    p {
                        (w.updated) " "
                        time #updated datetime=(page.generated_at.to_rfc3339()) {
                            (clock_text(&page.generated_at))
                        }
                        " · "
                        span #link { (w.link_static) }
                    }
                    p { a #refresh href={ (here) (query(lang)) } { (w.refresh) } }
                    noscript { p { (w.noscript) } }
                    p #announce .sr-only aria-live="polite" {}
                }
            }
        }
    }
}

/// The page of an unknown office: 404, in words, with a way back.
pub fn not_found(lang: Lang) -> Markup {
    let w = words(lang);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (w.not_found) }
                link rel="icon" href="data:,";
                link rel="stylesheet" href=(assets::url("site.css"));
            }
            body.public {
                main {
                    h1 { (w.not_found) }
                    p { a href={ "/" (query(lang)) } { (w.back) } }
                }
            }
        }
    }
}

fn office_path(office: &OfficeLink<'_>) -> String {
    if office.default {
        "/".to_string()
    } else {
        format!("/offices/{}", office.id)
    }
}

fn self_path(offices: &[OfficeLink<'_>], id: &str) -> String {
    offices
        .iter()
        .find(|office| office.id == id)
        .map(office_path)
        .unwrap_or_else(|| format!("/offices/{id}"))
}

/// `10:00:05` from a Tokyo timestamp.
fn clock_text(at: &DateTime<FixedOffset>) -> String {
    at.format("%H:%M:%S").to_string()
}

fn state_card(lang: Lang, s: &Snapshot) -> Markup {
    let w = words(lang);
    let c = &s.calendar;
    let kind = if c.accepting { "open" } else { "shut" };
    let notice = lang.pick(
        c.notice_ja.as_deref().unwrap_or(""),
        c.notice_en.as_deref().unwrap_or(""),
    );
    let suspended = s
        .reception
        .suspended
        .then(|| lang.suspension(s.reception.reason_code.unwrap_or(SuspensionReason::Other)));
    html! {
        section #state .card .state data-kind=(kind) aria-labelledby="state-h" {
            h2 #state-h .sr-only { (w.state_heading) }
            p.phase {
                span.icon aria-hidden="true" { @if c.accepting { "○" } @else { "×" } }
                " "
                span #phase { (lang.headline(c.phase, s.reception.suspended)) }
            }
            p #suspended .suspended hidden[suspended.is_none()] { (suspended.unwrap_or_default()) }
            p #notice .notice hidden[notice.is_empty()] { (notice) }
            p #hours .hours hidden[c.today.is_none()] {
                @if let Some(today) = &c.today {
                    (fill(w.hours_today, &lang.hours(&today.opens, &today.closes), "", ""))
                    @if let Some(last) = &today.last_ticket {
                        (fill(w.last_ticket, crate::protocol::text::hours_text(last), "", ""))
                    }
                }
            }
            @let congestion = s.congestion.as_ref();
            p #congestion .congestion hidden[congestion.is_none()]
                data-level=(congestion.map(|c| c.level.as_str()).unwrap_or("")) {
                (w.congestion) " "
                span.meter aria-hidden="true" { span {} span {} span {} span {} }
                " "
                strong #congestion-label {
                    @if let Some(congestion) = congestion {
                        (lang.pick(&congestion.label_ja, &congestion.label_en))
                    }
                }
            }
        }
    }
}

fn calling_card(lang: Lang, s: &Snapshot) -> Markup {
    let w = words(lang);
    let now: Vec<&str> = s.now_called.iter().map(|n| n.number.as_str()).collect();
    let recent: Vec<&str> = s
        .recent_calls
        .iter()
        .map(|r| r.number.as_str())
        .filter(|number| !now.contains(number))
        .take(5)
        .collect();
    html! {
        section #calling .card aria-labelledby="calling-h" {
            h2 #calling-h { (w.calling_heading) }
            ul #calls .calls {
                @for called in &s.now_called {
                    li data-state=(called.state.as_str()) {
                        span.number { (called.number) }
                        span.counter { (fill(w.counter, "", &called.counter, "")) }
                        span.what { (lang.ticket_state(called.state)) }
                    }
                }
            }
            p #calls-none .none hidden[!s.now_called.is_empty()] { (w.calling_none) }
            p #recent .recent hidden[recent.is_empty()] {
                (w.recent) " "
                span #recent-numbers { (recent.join(" ")) }
            }
        }
    }
}

/// The estimate's words in `lang`.
fn estimate_text(lang: Lang, estimate: &Estimate) -> &str {
    lang.pick(&estimate.text_ja, &estimate.text_en)
}

/// What visitors look at first: everyone waiting (the line is shared) and the wait for a
/// ticket taken now, once, when it is the same for every service.
fn summary_card(lang: Lang, s: &Snapshot) -> Markup {
    let w = words(lang);
    let total = s.waiting_total.unwrap_or_default();
    html! {
        section #summary .card .summary aria-label=(w.waiting_total) {
            p.total {
                (w.waiting_total) " "
                strong #waiting-total { (fill(w.people, &total.to_string(), "", "")) }
            }
            p #shared-estimate-row .estimate-now hidden[s.shared_estimate.is_none()] {
                (w.estimate_now) " "
                strong #shared-estimate {
                    @if let Some(estimate) = &s.shared_estimate { (estimate_text(lang, estimate)) }
                }
            }
        }
    }
}

fn services_card(lang: Lang, s: &Snapshot) -> Markup {
    let w = words(lang);
    let shared = if s.shared_estimate.is_some() {
        "true"
    } else {
        "false"
    };
    html! {
        section #services .card aria-labelledby="services-h" {
            h2 #services-h { (w.services_heading) }
            table #services-table data-shared=(shared) {
                thead {
                    tr {
                        th scope="col" { (w.column_service) }
                        th scope="col" { (w.column_waiting) }
                        th.estimate scope="col" { (w.column_estimate) }
                    }
                }
                tbody #service-rows {
                    @for service in &s.services {
                        tr data-service=(service.id) {
                            th scope="row" { (lang.pick(&service.name_ja, &service.name_en)) }
                            td.waiting { (fill(w.people, &service.waiting.to_string(), "", "")) }
                            td.estimate {
                                @match &service.estimate {
                                    Some(e) => (estimate_text(lang, e)),
                                    None => (w.no_estimate),
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the city's page tells visitors, briefly: where, whether to reserve, how long the
/// procedure takes, a forgotten PIN, which ticket to take, whom to ask.
fn guide_card(lang: Lang, page: &PublicPage<'_>) -> Markup {
    let w = words(lang);
    let text = |ja: &Option<String>, en: &Option<String>| {
        lang.pick(ja.as_deref().unwrap_or(""), en.as_deref().unwrap_or(""))
            .to_string()
    };
    let office = page.office;
    let guide = page.guide;
    let lines: Vec<String> = [
        text(&office.where_ja, &office.where_en),
        text(&office.reservation_ja, &office.reservation_en),
        text(&guide.procedure_ja, &guide.procedure_en),
        text(&guide.pin_ja, &guide.pin_en),
    ]
    .into_iter()
    .filter(|line| !line.is_empty())
    .collect();
    let contact = text(&guide.contact_ja, &guide.contact_en);
    html! {
        section #guide .card .guide aria-labelledby="guide-h" {
            h2 #guide-h { (w.guide_heading) }
            @for line in &lines { p { (line) } }
            h3 { (w.tickets_heading) }
            dl #ticket-kinds {
                @for service in &page.services {
                    dt { (lang.pick(&service.name_ja, &service.name_en)) }
                    dd { (text(&service.for_ja, &service.for_en)) }
                }
            }
            @if !contact.is_empty() { p #contact { (contact) } }
        }
    }
}

fn days_card(lang: Lang, days: &[OpenDay]) -> Markup {
    let w = words(lang);
    html! {
        section #days .card aria-labelledby="days-h" {
            h2 #days-h { (w.days_heading) }
            ul #day-list .days {
                @for day in days {
                    li {
                        time datetime=(day.date.to_string()) { (lang.date(&day.date)) }
                        " "
                        span { (lang.hours(&day.hours.opens, &day.hours.closes)) }
                    }
                }
            }
            p #days-none .none hidden[!days.is_empty()] { (w.days_none) }
        }
    }
}
