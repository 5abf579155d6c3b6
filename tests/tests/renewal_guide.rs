//! The renewal guide in headless Chromium against the real `queue-server` binary: a visitor
//! fills in the form (expiry date, who comes), submits it, and sees the free window's first
//! day and the checklist; the same GET URL without JavaScript gives the same answer.
//! Needs Debian's `chromium` and `chromium-driver` (`cfg(chromium)`, set by `build.rs`); the
//! browser test is reported as ignored, by name, where they are missing.
#![cfg_attr(not(chromium), allow(dead_code, unused_imports))]

mod common;

use common::browser::Driver;
use common::{OPEN_DAY, Server};
use serde_json::json;

/// The question both tests ask: the city's example, expiry 7 July 2027, a proxy by document
/// inquiry (three visits, the richest checklist).
const QUERY: &str = "/renewal?expires=2027-07-07&who=proxy_inquiry";

/// The window's first day and the checklist items, as the server rendered them.
fn answer_of(html: &str) -> (String, Vec<String>) {
    let opens = html
        .split("id=\"window-opens\" datetime=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the window's first day")
        .to_string();
    let items = html
        .split("data-item=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    (opens, items)
}

/// Without JavaScript, the GET URL alone is the whole answer: the window opens on 8 April
/// and the three visits' checklist is there, under 「お持ちいただくもの」.
#[tokio::test]
async fn the_guide_answers_a_plain_get_url_without_javascript() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let html = reqwest::get(server.url(QUERY))
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(html.contains("お持ちいただくもの"));
    assert!(html.contains("2027年4月8日（木）"));
    let (opens, items) = answer_of(&html);
    assert_eq!(opens, "2027-04-08");
    assert_eq!(items.len(), 7, "{items:?}");
    assert!(items.contains(&"inquiry_reply".to_string()));
}

/// A visitor on a phone-sized browser opens the public page, follows the link to the guide,
/// enters the expiry date, chooses who comes, submits, and sees the free window's first day
/// and the checklist: the same answer as the plain GET URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn a_visitor_fills_in_the_form_and_sees_the_window_and_the_checklist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let driver = Driver::start();
    let browser = driver.browser(412, 900).await;
    browser.goto(&server.url("/")).await;
    browser.click("#renewal-link").await;
    browser
        .wait_text("#renewal-form", "the form", |_| true)
        .await;
    // A date input's typing order follows the browser's locale; set its value as a picker does.
    browser
        .client
        .execute(
            "const input = document.querySelector('#expires');
             input.value = arguments[0];
             input.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!("2027-07-07")],
        )
        .await
        .expect("set the date");
    browser.click("input[name=who][value=proxy_inquiry]").await;
    browser.click("#renewal-form button[type=submit]").await;

    let window = browser.wait_text("#window", "the window", |_| true).await;
    assert!(window.contains("2027年4月8日（木）"), "{window}");
    let bring = browser.wait_text("#bring", "the checklist", |_| true).await;
    assert!(bring.starts_with("お持ちいただくもの"), "{bring}");
    assert!(bring.contains("3回目の来庁"), "{bring}");
    assert!(bring.contains("照会書（回答書）"), "{bring}");
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.path(), "/renewal");
    assert!(
        url.query()
            .unwrap_or_default()
            .contains("expires=2027-07-07")
    );

    let rendered = browser.client.source().await.expect("page source");
    let plain = reqwest::get(server.url(QUERY))
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert_eq!(
        answer_of(&rendered),
        answer_of(&plain),
        "same answer without JavaScript"
    );
    browser.close().await;
}
