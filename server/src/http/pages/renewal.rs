//! The renewal guide's page (`/renewal`): a plain GET form (expiry date and who comes) that
//! works without JavaScript, and the answer rendered on the server from the same [`Answer`]
//! the API sends. Phone first, the public page's look; no script at all.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, html};

use super::page;
use super::public::page_head;
use super::text::{Lang, query as lang_query};
use crate::http::AppState;
use crate::http::renewal::{RenewalQuery, answer_live, question_of};
use crate::renewal::{Answer, OfficeAnswer, RenewalError, Text, Topic, Who, text};

/// The address of the city's page the guide restates (also cited in `docs/renewal.md`).
const SOURCE_URL: &str = "https://www4.city.kanazawa.lg.jp/kurashi_tetsuzuki/todokede_shomei/mynumber_jukinet/1/30198.html";
/// Its title.
const SOURCE_TITLE: &str = "電子証明書の更新(有効期限到来)について";

/// The query of the page: the API's, plus the language.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    expires: Option<String>,
    today: Option<String>,
    who: Option<String>,
    lang: Option<String>,
}

/// `GET /renewal[?expires=…&who=…][&lang=en]`: the form alone, or the form with the answer;
/// 400 with the form and the reason for a bad value.
pub async fn renewal_page(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Response {
    let lang = Lang::from_query(query.lang.as_deref());
    let question = RenewalQuery {
        expires: query.expires,
        today: query.today,
        who: query.who,
    };
    let outcome = question
        .expires
        .is_some()
        .then(|| question_of(&state, &question).and_then(|question| answer_live(&state, question)));
    let status = match &outcome {
        Some(Err(_)) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    page(status, render(lang, &question, outcome.as_ref()))
}

/// The words of the page's own frame (the answer's sentences come from [`text`]).
fn t(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    lang.pick(ja, en)
}

fn pick(lang: Lang, text: &Text) -> &str {
    lang.pick(&text.ja, &text.en)
}

fn date(lang: Lang, day: NaiveDate) -> String {
    match lang {
        Lang::Ja => text::date_ja(day),
        Lang::En => text::date_en(day),
    }
}

fn error_text(lang: Lang, error: &RenewalError) -> &'static str {
    match error {
        RenewalError::InvalidDate { field: "today", .. } => t(
            lang,
            "基準日の日付が正しくありません。",
            "The reference date is not a valid date.",
        ),
        RenewalError::InvalidDate { .. } | RenewalError::MissingDate { .. } => t(
            lang,
            "有効期限を正しい日付（2000年～2099年）で入力してください。",
            "Please enter the expiry as a valid date (2000–2099).",
        ),
        RenewalError::InvalidWho(_) => t(
            lang,
            "来庁される方を選んでください。",
            "Please choose who comes.",
        ),
    }
}

/// The page's own address with the answer's question, in `lang` (the language switch).
fn self_link(lang: Lang, answer: Option<&Answer>) -> String {
    let mut query = Vec::new();
    if let Some(answer) = answer {
        query.push(format!("expires={}", answer.expires));
        query.push(format!("who={}", answer.who.as_str()));
    }
    if lang == Lang::En {
        query.push("lang=en".to_string());
    }
    if query.is_empty() {
        "/renewal".to_string()
    } else {
        format!("/renewal?{}", query.join("&"))
    }
}

/// The whole page.
fn render(
    lang: Lang,
    query: &RenewalQuery,
    outcome: Option<&Result<Answer, RenewalError>>,
) -> Markup {
    let other = match lang {
        Lang::Ja => Lang::En,
        Lang::En => Lang::Ja,
    };
    let answer = outcome.and_then(|o| o.as_ref().ok());
    let error = outcome.and_then(|o| o.as_ref().err());
    let title = t(lang, "電子証明書の更新案内", "Certificate renewal guide");
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (page_head(title, html! {}))
            body.public.renewal {
                header.top {
                    p.tagline { (t(lang, "マイナンバーカード 電子証明書の更新窓口", "My Number card certificate renewal")) }
                    h1 { (title) }
                    a.lang href=(self_link(other, answer)) lang=(other.code()) hreflang=(other.code()) {
                        (t(lang, "English", "日本語"))
                    }
                }
                main {
                    (form(lang, query, answer, error))
                    @if let Some(error) = error {
                        p #error .message role="alert" { (error_text(lang, error)) }
                    }
                    @if let Some(answer) = answer {
                        (answer_cards(lang, answer))
                    }
                }
                footer.foot {
                    p {
                        (t(lang, "出典は金沢市「", "Source: Kanazawa City, “"))
                        a href=(SOURCE_URL) { (SOURCE_TITLE) }
                        (t(lang, "」です。", "” (in Japanese)."))
                    }
                    p { a #back href={ "/" (lang_query(lang)) } { (t(lang, "混雑状況のページへ", "Back to the congestion page")) } }
                }
            }
        }
    }
}

fn form(
    lang: Lang,
    query: &RenewalQuery,
    answer: Option<&Answer>,
    error: Option<&RenewalError>,
) -> Markup {
    let expires = answer
        .map(|a| a.expires.to_string())
        .or_else(|| query.expires.clone())
        .unwrap_or_default();
    let chosen = answer
        .map(|a| a.who)
        .or_else(|| query.who.as_deref().and_then(Who::parse))
        .unwrap_or(Who::Holder);
    let date_wrong = matches!(
        error,
        Some(
            RenewalError::InvalidDate {
                field: "expires",
                ..
            } | RenewalError::MissingDate { .. }
        )
    );
    html! {
        section #ask .card aria-labelledby="ask-h" {
            h2 #ask-h { (t(lang, "有効期限と来庁される方", "Expiry date and who comes")) }
            form #renewal-form method="get" action="/renewal" {
                @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                p {
                    label for="expires" { (t(lang, "電子証明書の有効期限", "Certificate expiry date")) }
                }
                p #expires-hint .hint {
                    (t(lang, "有効期限通知書またはマイナポータルでご確認いただけます。",
                        "Shown on the expiry notice and in Mynaportal."))
                }
                input #expires type="date" name="expires" value=(expires) required
                    min="2000-01-01" max="2099-12-31"
                    aria-describedby="expires-hint" aria-invalid=[date_wrong.then_some("true")];
                fieldset.who-comes {
                    legend { (t(lang, "来庁される方", "Who comes")) }
                    @for who in Who::ALL {
                        label.choice {
                            input type="radio" name="who" value=(who.as_str()) checked[who == chosen];
                            " "
                            span { (pick(lang, &who.label())) }
                        }
                    }
                }
                button.primary.big type="submit" { (t(lang, "確認する", "Check")) }
            }
        }
    }
}

fn notes(lang: Lang, answer: &Answer, topic: Topic) -> Markup {
    html! {
        @for note in answer.notes.iter().filter(|n| n.topic == topic) {
            p.note data-rules=(note.rules) { (lang.pick(&note.ja, &note.en)) }
        }
    }
}

fn answer_cards(lang: Lang, answer: &Answer) -> Markup {
    // Green inside the window, red after the expiry; before the window is no alarm.
    let kind = match answer.stage {
        crate::renewal::Stage::InWindow => "open",
        crate::renewal::Stage::AfterExpiry => "shut",
        crate::renewal::Stage::BeforeWindow => "ahead",
    };
    html! {
        section #answer .card .state data-kind=(kind) data-stage=(stage_code(answer))
            aria-labelledby="answer-h" aria-live="polite" {
            h2 #answer-h { (t(lang, "更新できる期間", "When to renew")) }
            p.phase #window {
                (t(lang, "無料で更新できるのは", "Free renewal from "))
                time #window-opens datetime=(answer.window_opens.to_string()) { (date(lang, answer.window_opens)) }
                (t(lang, "から", " to "))
                time #window-closes datetime=(answer.expires.to_string()) { (date(lang, answer.expires)) }
                (t(lang, "までです。", ""))
            }
            (notes(lang, answer, Topic::When))
        }
        section #bring .card aria-labelledby="bring-h" {
            h2 #bring-h { (t(lang, "お持ちいただくもの", "What to bring")) }
            (notes(lang, answer, Topic::Who))
            @for visit in 1..=answer.visits {
                @if answer.visits > 1 {
                    h3 { @match lang {
                        Lang::Ja => { (visit) "回目の来庁" },
                        Lang::En => { "Visit " (visit) },
                    } }
                    @if let Some(step) = answer.steps.iter().find(|s| s.visit == visit) {
                        p.step { (lang.pick(&step.ja, &step.en)) }
                    }
                }
                @let items: Vec<_> = answer.bring.iter().filter(|i| i.visit == visit).collect();
                @if items.is_empty() {
                    p.none { (t(lang, "お持ちいただくものはありません。", "Nothing to bring.")) }
                } @else {
                    ul.checklist data-visit=(visit) {
                        @for item in items {
                            li data-item=(item.id) { (lang.pick(&item.ja, &item.en)) }
                        }
                    }
                }
            }
        }
        section #where .card aria-labelledby="where-h" {
            h2 #where-h { (t(lang, "受付場所", "Where")) }
            @for office in &answer.offices {
                (office_block(lang, office))
            }
            (notes(lang, answer, Topic::Where))
        }
        section #lapse .card aria-labelledby="lapse-h" {
            h2 #lapse-h { (t(lang, "有効期限が過ぎると", "After the expiry")) }
            (notes(lang, answer, Topic::Lapse))
        }
        section #notice .card aria-labelledby="notice-h" {
            h2 #notice-h { (t(lang, "有効期限通知書", "The expiry notice")) }
            (notes(lang, answer, Topic::Notice))
        }
        p #contact .advice { (pick(lang, &answer.contact)) }
    }
}

fn stage_code(answer: &Answer) -> &'static str {
    match answer.stage {
        crate::renewal::Stage::BeforeWindow => "before_window",
        crate::renewal::Stage::InWindow => "in_window",
        crate::renewal::Stage::AfterExpiry => "after_expiry",
    }
}

fn office_block(lang: Lang, office: &OfficeAnswer) -> Markup {
    html! {
        div.office data-office=(office.id) {
            h3 { a href={ (office.page) (lang_query(lang)) } { (pick(lang, &office.name)) } }
            @if let Some(state) = &office.state {
                p.office-state data-accepting=(office.accepting_now.unwrap_or(false)) {
                    strong { (pick(lang, state)) }
                    @if let Some(waiting) = office.waiting {
                        " "
                        span.waiting { @match lang {
                            Lang::Ja => { "この手続きでお待ちの方は" (waiting) "人です。" },
                            Lang::En => { (waiting) " waiting for this service." },
                        } }
                    }
                    @if let Some(estimate) = &office.estimate {
                        " "
                        span.estimate { (t(lang, "待ち時間の目安は", "Estimated wait: ")) (pick(lang, &estimate.text)) (t(lang, "です。", ".")) }
                    }
                }
            }
            @if !office.next_open_days.is_empty() {
                p.hint { (t(lang, "今後の受付日（開庁日）", "Next open days")) }
                ul.days {
                    @for day in &office.next_open_days {
                        li {
                            time datetime=(day.date.to_string()) { (date(lang, day.date)) }
                            " " (day.opens) "～" (day.closes)
                        }
                    }
                }
            }
        }
    }
}
