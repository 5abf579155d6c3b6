//! The personal ticket page (`/t/{public_id}`): one visitor's number in large text, the people
//! ahead in one fixed phrase, the wait, the office's state, and, once called, the counter.
//! Rendered complete on the server; `ticket.js` keeps it live from the office's feed (counting
//! the people ahead from the snapshot's queue) and, when allowed, notifies the visitor.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;

use super::assets;
use super::public::page_head;
use super::text::{Lang, query, script_words};
use crate::protocol::{PublicTicket, TicketState};

/// Every fixed text of the ticket page. `{n}` (a count or a number) and `{c}` (a counter) are
/// filled in here and by the same rule in the script.
#[derive(Debug, Serialize)]
pub struct TicketWords {
    /// The page's title.
    pub title: &'static str,
    /// Above the number.
    pub number_label: &'static str,
    /// The people ahead: the page's one phrase for it (also when 0).
    pub ahead: &'static str,
    /// When nobody is ahead.
    pub next: &'static str,
    /// Before the wait.
    pub estimate: &'static str,
    /// When called; `{c}` is the counter.
    pub go_to_counter: &'static str,
    /// The button that asks for notifications.
    pub notify: &'static str,
    /// Notifications are on; `{n}` is how many ahead trigger the first.
    pub notify_on: &'static str,
    /// The browser does not allow notifications.
    pub notify_off: &'static str,
    /// The first notification; `{n}` is the number.
    pub notice_near: &'static str,
    /// The notification on the call; `{n}` the number, `{c}` the counter.
    pub notice_called: &'static str,
    /// The data is old.
    pub stale: &'static str,
    /// Live over the WebSocket.
    pub link_live: &'static str,
    /// Polling instead.
    pub link_poll: &'static str,
    /// Connecting or reconnecting.
    pub link_connecting: &'static str,
    /// The page of an unknown id.
    pub not_found: &'static str,
    /// Link to the congestion page.
    pub back: &'static str,
}

/// 日本語.
static JA: TicketWords = TicketWords {
    title: "番号札",
    number_label: "整理番号",
    ahead: "前にお待ちの方：{n}人",
    next: "次にお呼びします",
    estimate: "呼び出しまでの目安",
    go_to_counter: "{c}番窓口へお越しください",
    notify: "順番が近づいたらお知らせする",
    notify_on: "順番が近づいたとき（残り{n}人）と、お呼びしたときにお知らせします。",
    notify_off: "この端末ではお知らせを表示できません。画面を時々ご確認ください。",
    notice_near: "まもなく{n}番の順番です。",
    notice_called: "{n}番の方、{c}番窓口へお越しください。",
    stale: "表示内容が最新ではありません。実際の状況と異なる場合があります。",
    link_live: "自動で更新しています",
    link_poll: "定期的に更新しています",
    link_connecting: "接続しています…",
    not_found: "この番号札は見つかりません。本日発券された番号札のみ表示できます。",
    back: "混雑状況のページへ",
};

/// English.
static EN: TicketWords = TicketWords {
    title: "Your ticket",
    number_label: "Ticket number",
    ahead: "People ahead: {n}",
    next: "You are next",
    estimate: "Estimated wait until called",
    go_to_counter: "Please go to counter {c}",
    notify: "Notify me when my turn is near",
    notify_on: "You will be notified when {n} or fewer are ahead, and when called.",
    notify_off: "This device cannot show notifications. Please check the page now and then.",
    notice_near: "Number {n}: your turn is near.",
    notice_called: "Number {n}, please go to counter {c}.",
    stale: "This information is out of date and may differ from the real queue.",
    link_live: "Updating live",
    link_poll: "Updating regularly",
    link_connecting: "Connecting…",
    not_found: "There is no such ticket. Only tickets issued today can be shown.",
    back: "Back to the congestion page",
};

fn words(lang: Lang) -> &'static TicketWords {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

/// What the page shows.
#[derive(Debug)]
pub struct TicketPage<'a> {
    /// Language of the page.
    pub lang: Lang,
    /// The ticket's public id (the page's address).
    pub public_id: &'a str,
    /// The ticket as its visitor sees it.
    pub ticket: &'a PublicTicket,
    /// The office's state in words (受付中, 本日の受付は終了しました, …).
    pub office_state: &'a str,
    /// Sequence of the snapshot the page was rendered from.
    pub seq: u64,
    /// Seconds between polls when the WebSocket is blocked.
    pub poll_seconds: u32,
    /// Notify when this many or fewer are ahead.
    pub notify_ahead: u32,
}

fn fill(text: &str, n: &str, c: &str) -> String {
    text.replace("{n}", n).replace("{c}", c)
}

/// The page.
pub fn render(page: &TicketPage<'_>) -> Markup {
    let lang = page.lang;
    let w = words(lang);
    let t = page.ticket;
    let other = match lang {
        Lang::Ja => Lang::En,
        Lang::En => Lang::Ja,
    };
    let waiting = t.state == TicketState::Waiting;
    let called = t.state.is_at_counter();
    let counter = t.counter.as_deref().unwrap_or_default();
    let estimate = t
        .estimate
        .as_ref()
        .map(|e| lang.pick(&e.text_ja, &e.text_en));
    let here = format!("/t/{}", page.public_id);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (page_head(&format!("{} {}", t.number, w.title), html! {
                meta name="robots" content="noindex";
                script src=(assets::url("ticket.js")) defer {}
                script type="application/json" id="words" { (PreEscaped(script_words(words(lang), lang))) }
            }))
            body.public.ticket-page data-office=(t.office.id) data-number=(t.number)
                data-service=(t.service) data-public-id=(page.public_id)
                data-poll-seconds=(page.poll_seconds) data-notify-ahead=(page.notify_ahead)
                data-seq=(page.seq) data-state=(t.state.as_str()) data-transport="static" {
                header.top {
                    p.tagline { (lang.pick(&t.office.name_ja, &t.office.name_en)) }
                    h1 { (w.title) }
                    a.lang href={ (here) (query(other)) } lang=(other.code())
                        hreflang=(other.code()) { (lang.pick("English", "日本語")) }
                }
                main {
                    p #stale .stale role="status" hidden { (w.stale) }
                    section.card.ticket-card aria-live="polite" {
                        p.label { (w.number_label) }
                        p #number .big-number { (t.number) }
                        p #service .ticket-service { (lang.pick(&t.service_name_ja, &t.service_name_en)) }
                        p #ahead .ahead hidden[!waiting] {
                            (fill(w.ahead, &t.ahead.to_string(), ""))
                        }
                        p #next .next hidden[!(waiting && t.ahead == 0)] { (w.next) }
                        p #estimate-row .estimate hidden[!(waiting && estimate.is_some())] {
                            (w.estimate) " "
                            strong #estimate { (estimate.unwrap_or_default()) }
                        }
                        p #called .called hidden[!called] {
                            span #counter .big-number { (counter) }
                            br;
                            span #go-to { (fill(w.go_to_counter, "", counter)) }
                        }
                        p #ticket-state .state-line { (lang.ticket_state(t.state)) }
                    }
                    section.card {
                        p #office-state { (page.office_state) }
                        p {
                            button #notify type="button" { (w.notify) }
                        }
                        p #notify-status .hint hidden {}
                    }
                    p { a href={ "/offices/" (t.office.id) (query(lang)) } { (w.back) } }
                }
                footer.foot {
                    p { span #link { (w.link_connecting) } }
                    p #announce .sr-only aria-live="assertive" {}
                }
            }
        }
    }
}

/// The page of an id that is not a ticket of today.
pub fn not_found(lang: Lang) -> Markup {
    let w = words(lang);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (page_head(w.title, html! { meta name="robots" content="noindex"; }))
            body.public {
                main {
                    h1 { (w.title) }
                    p { (w.not_found) }
                    p { a href={ "/" (query(lang)) } { (w.back) } }
                }
            }
        }
    }
}
