//! The renewal guide in headless Chromium against the real `queue-server` binary: a visitor
//! fills in the form (expiry date, who comes), submits it, and sees the free window's first
//! day and the checklist; the same GET URL without JavaScript gives the same answer.
//! Needs Debian's `chromium` and `chromium-driver` (`cfg(chromium)`, set by `build.rs`); the
//! browser test is reported as ignored, by name, where they are missing.
#![cfg_attr(not(chromium), allow(dead_code, unused_imports))]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{OPEN_DAY, Server};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Longest wait for anything the page should show.
const DEADLINE: Duration = Duration::from_secs(15);

/// The question both tests ask: the city's example, expiry 7 July 2027, a proxy by document
/// inquiry (three visits, the richest checklist).
const QUERY: &str = "/renewal?expires=2027-07-07&who=proxy_inquiry";

/// Chromium's flags for a closed network as root.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--lang=ja",
    "--window-size=412,900",
];

/// A `chromedriver` on a free port in its own process group (so dropping it ends its
/// browsers too), with one browser session.
struct Browser {
    driver: Child,
    client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Browser {
        use std::os::unix::process::CommandExt;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + DEADLINE;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "args": args },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Browser {
            driver,
            client,
            _profile: profile,
        }
    }

    /// The rendered text of the first element matching `css`, waiting until it is displayed.
    async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let text = self
                .client
                .execute(
                    "const e = document.querySelector(arguments[0]);
                     return e && e.getClientRects().length > 0 ? e.innerText : null;",
                    vec![json!(css)],
                )
                .await
                .expect("script");
            if let Some(text) = text.as_str() {
                return text.to_string();
            }
            assert!(Instant::now() < deadline, "{css} never shown");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn click(&self, css: &str) {
        self.client
            .wait()
            .at_most(DEADLINE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|error| panic!("{css} never appeared: {error}"))
            .click()
            .await
            .unwrap_or_else(|error| panic!("cannot click {css}: {error}"));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

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
    let browser = Browser::start().await;
    browser
        .client
        .goto(&server.url("/"))
        .await
        .expect("navigate");
    browser.click("#renewal-link").await;
    browser.text("#renewal-form").await;
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

    let window = browser.text("#window").await;
    assert!(window.contains("2027年4月8日（木）"), "{window}");
    let bring = browser.text("#bring").await;
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
    let _ = browser.client.clone().close().await;
}
