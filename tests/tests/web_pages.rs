//! The two web pages against the real `queue-server` binary: plain HTTP for what a page is
//! without JavaScript (server-rendered numbers, security headers, the cross-origin wall, the
//! 50 KB budget), and headless Chromium driven over WebDriver for what people see and do
//! (live updates, the polling fallback, closed days, sign-in). The browser tests need Debian's
//! `chromium` and `chromium-driver`; `build.rs` sets `cfg(chromium)` when both are on PATH and
//! they are reported as ignored, by name, where they are not.
//!
//! The polling fallback is proved with WebSockets really refused: the browser reaches the server
//! through a reverse proxy (below) that forwards plain HTTP and answers every WebSocket upgrade
//! with 403, as a corporate proxy does. The server runs with `--poll-seconds 1` so the test
//! needs no long wait; the page takes the interval from the server, not from its URL.
#![cfg_attr(not(chromium), allow(dead_code, unused_imports))]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::browser::Driver;
use common::{OPEN_DAY, Server, Staff};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// 勤労感謝の日 (Monday 23 November 2026): every office is closed (domain R3).
const HOLIDAY: &str = "2026-11-23T10:00:00+09:00";
/// The whole public page, its script and its style must stay under this (weak phone links).
const PAGE_BUDGET: usize = 50 * 1024;

// ---------------------------------------------------------------------------------------------
// Plain HTTP: the pages as served, no browser.

async fn get(url: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(url)
        .send()
        .await
        .expect("GET sent")
}

/// Issues a renewal and a PIN reset, opens counter 1 and calls the renewal.
async fn one_called_one_waiting(server: &Server) {
    let staff = Staff::new(server, &server.admin());
    staff.issue("renewal").await;
    staff.issue("legal_representative").await;
    let (status, _) = staff
        .post("/api/v1/offices/main/counters/1/open", None)
        .await;
    assert_eq!(status, 200);
    let (status, called) = staff
        .post("/api/v1/offices/main/counters/1/call-next", None)
        .await;
    assert_eq!(status, 200, "{called}");
    assert_eq!(called["number"], "R001");
}

/// Without JavaScript the page is a complete snapshot: the called number, who waits, today's
/// hours, and a link to refresh it.
#[tokio::test]
async fn the_page_without_javascript_shows_the_server_rendered_queue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    one_called_one_waiting(&server).await;

    let response = get(&server.url("/")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.expect("body");
    assert!(html.contains("<html lang=\"ja\">"));
    assert!(html.contains("金沢市役所 本庁舎"));
    assert!(html.contains("受付中"));
    assert!(html.contains("本日の受付時間 9:00～17:45"));
    assert!(
        html.contains("<span class=\"number\">R001</span>"),
        "{html}"
    );
    assert!(html.contains("1番窓口"));
    let pin_row = html
        .split("data-service=\"legal_representative\"")
        .nth(1)
        .expect("a row for the PIN reset");
    assert!(
        pin_row.contains("<td class=\"waiting\">1人</td>"),
        "{pin_row}"
    );
    assert!(html.contains("<noscript>"));
    assert!(html.contains("id=\"refresh\" href=\"/\""));
    assert!(html.contains("aria-live=\"polite\""));
    assert!(
        html.contains("href=\"/offices/center\""),
        "links to the other office"
    );

    let english = get(&server.url("/?lang=en")).await.text().await.unwrap();
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("Kanazawa City Hall, Main Office"));
    assert!(english.contains("Counter 1"));

    let center = get(&server.url("/offices/center")).await;
    assert_eq!(center.status(), 200);
    assert!(
        center
            .text()
            .await
            .unwrap()
            .contains("市民センター（設定例）")
    );

    let unknown = get(&server.url("/offices/nowhere")).await;
    assert_eq!(unknown.status(), 404);
    assert!(
        unknown.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("お探しのページは見つかりませんでした")
    );
}

/// `GET /staff` with no session is the sign-in form itself, not a redirect, and the token
/// field has no `name`: a form submitted without the script cannot put it in a URL.
#[tokio::test]
async fn the_staff_console_answers_with_the_sign_in_form_without_a_session() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &[]);
    let response = get(&server.url("/staff")).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"signin-form\""));
    let input = html
        .split("<input")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .expect("the token input");
    assert!(input.contains("type=\"password\""));
    assert!(!input.contains("name="), "{input}");
}

/// The session endpoint tells the console who a token belongs to; a wrong token is 401.
#[tokio::test]
async fn the_session_endpoint_names_the_holder_of_a_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &[]);
    let desk = common::create_token(dir.path(), "issuer", "desk-1");
    let (status, me) = Staff::new(&server, &desk).get("/api/v1/session").await;
    assert_eq!(status, 200);
    assert_eq!(me, json!({ "name": "desk-1", "role": "issuer" }));
    let (status, error) = Staff::new(&server, "qs_wrong").get("/api/v1/session").await;
    assert_eq!(status, 401);
    assert_eq!(error["error"]["code"], "token_unknown");
}

/// Every page and asset carries a strict CSP, nosniff, no referrer and no framing; the pages
/// hold no inline script (only a JSON data block, which browsers never run).
#[tokio::test]
async fn pages_and_assets_carry_the_security_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    for path in [
        "/",
        "/offices/center",
        "/offices/nowhere",
        "/staff",
        "/api/v1/offices/main/status",
    ] {
        let response = get(&server.url(path)).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self' ws: wss:",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        if path != "/api/v1/offices/main/status" {
            let html = response.text().await.unwrap();
            for script in html.split("<script").skip(1) {
                let tag = script.split('>').next().unwrap_or_default();
                assert!(
                    tag.contains("src=\"/assets/") || tag.contains("type=\"application/json\""),
                    "{path}: inline script {tag}"
                );
            }
        }
    }
}

/// A state-changing request whose Origin is another site is refused with 403 `cross_origin`,
/// even with a valid token; the server's own origin and requests without Origin pass.
#[tokio::test]
async fn a_cross_origin_post_is_refused_while_same_origin_and_origin_less_ones_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let admin = server.admin();
    let client = reqwest::Client::new();
    let issue = |origin: Option<String>| {
        let mut request = client
            .post(server.url("/api/v1/offices/main/tickets"))
            .bearer_auth(&admin)
            .json(&json!({ "service": "renewal" }));
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        request.send()
    };

    for origin in ["http://evil.example", "null", "http://127.0.0.1:1"] {
        let response = issue(Some(origin.to_string())).await.unwrap();
        assert_eq!(response.status(), 403, "{origin}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "cross_origin", "{origin}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("別のサイト")
        );
    }
    let same = issue(Some(server.base.clone())).await.unwrap();
    assert_eq!(same.status(), 201);
    let without = issue(None).await.unwrap();
    assert_eq!(without.status(), 201);
    // Reading is not a state change: a cross-origin GET of public data is answered.
    let read = client
        .get(server.url("/api/v1/offices/main/status"))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    // Nothing was issued by the refused requests.
    let (_, list) = Staff::new(&server, &admin)
        .get("/api/v1/offices/main/tickets")
        .await;
    assert_eq!(list["tickets"].as_array().unwrap().len(), 2);
}

/// The public page with everything it loads stays under 50 KB uncompressed.
#[tokio::test]
async fn the_public_page_with_its_script_and_style_weighs_under_50_kb() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    one_called_one_waiting(&server).await;
    let html = get(&server.url("/")).await.text().await.unwrap();
    let assets: Vec<&str> = html
        .split("/assets/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(
        assets.len(),
        2,
        "one style sheet and one script: {assets:?}"
    );
    let mut total = html.len();
    for asset in &assets {
        let response = get(&server.url(&format!("/assets/{asset}"))).await;
        assert_eq!(response.status(), 200, "{asset}");
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        total += response.bytes().await.unwrap().len();
    }
    assert!(total < PAGE_BUDGET, "the public page weighs {total} bytes");
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium.

/// A visitor's page follows the queue live while a clerk works the staff console in another
/// browser: issuing shows up in the waiting count, calling shows the number with its counter,
/// starting and finishing change it, all without a reload; an API refusal reaches the clerk in
/// words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn a_visitors_page_updates_live_as_the_staff_console_issues_and_calls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let driver = Driver::start();
    let visitor = driver.browser(390, 844).await;
    visitor.goto(&server.url("/")).await;
    visitor.wait_transport("live").await;
    visitor.run("window.notReloaded = true;", vec![]).await;
    assert!(visitor.shown("#calls-none").await.is_some());

    let clerk = driver.browser(1280, 800).await;
    clerk.sign_in(&server, &server.admin()).await;
    clerk
        .wait_text("#who-role", "signed in as admin", |t| t == "管理者")
        .await;
    clerk.click("button[data-service=renewal]").await;
    clerk
        .wait_text("#t-number", "the issued number", |t| t == "R001")
        .await;
    visitor
        .wait_text(
            "tr[data-service=renewal] td.waiting",
            "the visitor sees one waiting",
            |t| t == "1人",
        )
        .await;

    // Calling at a closed counter is refused in words, not JSON.
    clerk.click("#call-next").await;
    clerk
        .wait_text("#message", "the refusal", |t| {
            t.contains("1番窓口は閉鎖中です")
        })
        .await;
    assert!(!clerk.shown("#message").await.unwrap().contains('{'));

    clerk.click("button[data-counter-action=open]").await;
    clerk
        .wait_text("#counter-state", "the counter opens", |t| {
            t.contains("開設中")
        })
        .await;
    clerk.click("#call-next").await;
    clerk
        .wait_text("#current-number", "the clerk's current number", |t| {
            t == "R001"
        })
        .await;
    let called = visitor
        .wait_text("#calls", "the visitor sees the call", |t| {
            t.contains("R001")
        })
        .await;
    assert!(called.contains("1番窓口"), "{called}");
    assert!(called.contains("お呼びしています"), "{called}");
    visitor
        .wait_text("#announce", "the call is announced", |t| {
            t.contains("R001番の方、1番窓口へお越しください")
        })
        .await;
    visitor
        .wait_text(
            "tr[data-service=renewal] td.waiting",
            "nobody waits any more",
            |t| t == "0人",
        )
        .await;

    clerk.click("button[data-ticket-action=start]").await;
    visitor
        .wait_text("#calls", "the visitor sees service start", |t| {
            t.contains("対応中")
        })
        .await;
    clerk
        .wait_text("#current-state", "the clerk sees service start", |t| {
            t.contains("対応中")
        })
        .await;
    clerk.click("button[data-ticket-action=finish]").await;
    visitor
        .wait_text("#calls-none", "the counter is free again", |t| {
            !t.is_empty()
        })
        .await;
    assert_eq!(
        visitor.run("return window.notReloaded;", vec![]).await,
        json!(true),
        "the page reloaded instead of updating"
    );
    visitor.close().await;
    clerk.close().await;
}

/// The pages follow the feed's compact `change` frames: after the first snapshot every command
/// reaches a viewer as a change (a raw viewer beside the browsers sees them), and the public
/// page and a personal ticket page patch their last snapshot into the new waiting count, call
/// and people ahead (counted from the patched `queue`), live and without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn the_public_and_ticket_pages_follow_change_frames() {
    use futures_util::StreamExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let staff = Staff::new(&server, &server.admin());
    let first = staff.issue("renewal").await;
    staff.issue("renewal").await;
    let third = staff.issue("proxy_notice").await;
    let driver = Driver::start();
    let visitor = driver.browser(390, 844).await;
    visitor.goto(&server.url("/")).await;
    visitor.wait_transport("live").await;
    visitor.run("window.notReloaded = true;", vec![]).await;
    let phone = driver.browser(390, 844).await;
    let public_id = third["public_id"].as_str().expect("public id");
    phone.goto(&server.url(&format!("/t/{public_id}"))).await;
    phone.wait_transport("live").await;
    phone
        .wait_text("#ahead", "two ahead", |t| t == "前にお待ちの方：2人")
        .await;
    phone.run("window.notReloaded = true;", vec![]).await;
    let ws = server
        .url("/api/v1/offices/main/live")
        .replace("http://", "ws://");
    let (mut raw, _) = tokio_tungstenite::connect_async(ws)
        .await
        .expect("connected");

    staff.issue("renewal").await;
    staff
        .post("/api/v1/offices/main/counters/1/open", None)
        .await;
    let (status, called) = staff
        .post("/api/v1/offices/main/counters/1/call-next", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(called["number"], first["number"]);

    visitor
        .wait_text(
            "tr[data-service=renewal] td.waiting",
            "the visitor sees two renewals waiting",
            |t| t == "2人",
        )
        .await;
    visitor
        .wait_text("#calls", "the visitor sees the call", |t| {
            t.contains("R001")
        })
        .await;
    phone
        .wait_text("#ahead", "one ahead after the call", |t| {
            t == "前にお待ちの方：1人"
        })
        .await;
    for page in [&visitor, &phone] {
        assert_eq!(
            page.run("return window.notReloaded;", vec![]).await,
            json!(true),
            "a page reloaded instead of following"
        );
        assert_eq!(
            page.run("return document.body.dataset.transport;", vec![])
                .await,
            json!("live"),
            "a page fell back to polling"
        );
    }
    let (_, latest) = staff.get("/api/v1/offices/main/status").await;
    let mut types = Vec::new();
    while let Some(Ok(frame)) = raw.next().await {
        let tokio_tungstenite::tungstenite::Message::Text(text) = frame else {
            continue;
        };
        let frame: Value = serde_json::from_str(&text).expect("JSON");
        types.push(frame["type"].as_str().unwrap_or_default().to_string());
        if frame["type"] != "call" && frame["seq"] == latest["seq"] {
            break;
        }
    }
    assert_eq!(types[0], "snapshot", "{types:?}");
    assert_eq!(
        types.iter().filter(|t| *t == "change").count(),
        3,
        "an issue, an opening and a call came as changes: {types:?}"
    );
    visitor.close().await;
    phone.close().await;
}

/// A reverse proxy that forwards plain HTTP and refuses every WebSocket upgrade with 403, as a
/// proxy that blocks WebSockets does. One request per connection (it forces `Connection:
/// close`), so every request's head is inspected.
struct NoWebSocketProxy {
    url: String,
    refused: Arc<AtomicUsize>,
    forwarded: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl NoWebSocketProxy {
    async fn start(upstream: &str) -> NoWebSocketProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let refused = Arc::new(AtomicUsize::new(0));
        let forwarded = Arc::new(AtomicUsize::new(0));
        let upstream = upstream.to_string();
        let counts = (refused.clone(), forwarded.clone());
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let (refused, forwarded) = (counts.0.clone(), counts.1.clone());
                tokio::spawn(async move {
                    let _ = relay(client, &upstream, &refused, &forwarded).await;
                });
            }
        });
        NoWebSocketProxy {
            url,
            refused,
            forwarded,
            task,
        }
    }
}

impl Drop for NoWebSocketProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(
    mut client: TcpStream,
    upstream: &str,
    refused: &AtomicUsize,
    forwarded: &AtomicUsize,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let read = client.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if buffer.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let lines: Vec<&str> = head.trim_end().split("\r\n").collect();
    let upgrade = lines.iter().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("upgrade:") && line.contains("websocket")
    });
    if upgrade {
        refused.fetch_add(1, Ordering::SeqCst);
        client
            .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await?;
        return client.shutdown().await;
    }
    forwarded.fetch_add(1, Ordering::SeqCst);
    let mut rewritten: String = lines
        .iter()
        .filter(|line| !line.to_ascii_lowercase().starts_with("connection:"))
        .map(|line| format!("{line}\r\n"))
        .collect();
    rewritten.push_str("Connection: close\r\n\r\n");
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(rewritten.as_bytes()).await?;
    server.write_all(&buffer[head_end..]).await?;
    tokio::io::copy_bidirectional(&mut client, &mut server).await?;
    Ok(())
}

/// With WebSockets refused by a proxy, the page notices, says so, and keeps itself current by
/// polling the status JSON at the interval the server gave it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn the_page_falls_back_to_polling_when_a_proxy_refuses_websockets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY, "--poll-seconds", "1"]);
    let proxy = NoWebSocketProxy::start(server.address()).await;
    let driver = Driver::start();
    let visitor = driver.browser(390, 844).await;
    visitor.goto(&format!("{}/", proxy.url)).await;
    visitor.wait_transport("poll").await;
    visitor
        .wait_text("#link", "the page says it polls", |t| {
            t.contains("1秒ごとに更新")
        })
        .await;
    assert!(proxy.refused.load(Ordering::SeqCst) >= 1);
    assert!(visitor.shown("#calls-none").await.is_some());

    one_called_one_waiting(&server).await;
    let called = visitor
        .wait_text("#calls", "the call arrives by polling", |t| {
            t.contains("R001")
        })
        .await;
    assert!(called.contains("1番窓口"));
    visitor
        .wait_text(
            "tr[data-service=legal_representative] td.waiting",
            "the waiting count arrives by polling",
            |t| t == "1人",
        )
        .await;
    assert_eq!(
        visitor
            .run("return document.body.dataset.transport;", vec![])
            .await,
        json!("poll"),
        "no WebSocket ever got through"
    );
    assert!(
        visitor.shown("#stale").await.is_none(),
        "fresh data is not stale"
    );
    assert!(
        proxy.forwarded.load(Ordering::SeqCst) >= 3,
        "page, assets, polls"
    );
    visitor.close().await;
}

/// When the server goes away the page says plainly that its link is down and its data old;
/// when the server is back it reconnects by itself, without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn the_page_says_when_its_link_is_down_and_reconnects_by_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let address = server.address().to_string();
    let url = server.url("/");
    let driver = Driver::start();
    let visitor = driver.browser(390, 844).await;
    visitor.goto(&url).await;
    visitor.wait_transport("live").await;
    assert!(visitor.shown("#stale").await.is_none());
    visitor.run("window.notReloaded = true;", vec![]).await;

    server.kill();
    let banner = visitor
        .wait_text("#stale", "the page says the link is down", |t| {
            t.contains("接続が切れています")
        })
        .await;
    assert!(banner.contains("表示内容が最新ではありません"), "{banner}");

    let _back = Server::start_on(dir.path(), &address, &["--now", OPEN_DAY]);
    visitor.wait_transport("live").await;
    assert!(
        visitor.shown("#stale").await.is_none(),
        "the banner goes away"
    );
    assert_eq!(
        visitor.run("return window.notReloaded;", vec![]).await,
        json!(true)
    );
    visitor.close().await;
}

/// On a holiday the page says why the counter is closed, names the holiday, when reception
/// next opens, and lists the next open days, in Japanese and in English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn a_holiday_shows_the_closure_its_reason_and_the_next_opening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", HOLIDAY]);
    let driver = Driver::start();
    let visitor = driver.browser(390, 844).await;
    visitor.goto(&server.url("/")).await;
    visitor.wait_transport("live").await;
    let phase = visitor.shown("#phase").await.expect("the phase");
    assert_eq!(phase, "本日は閉庁日です");
    let notice = visitor.shown("#notice").await.expect("the closure notice");
    assert!(notice.contains("勤労感謝の日"), "{notice}");
    assert!(
        notice.contains("次回の受付は11月24日（火）9:00からです"),
        "{notice}"
    );
    let days = visitor
        .shown("#day-list")
        .await
        .expect("the next open days");
    assert!(days.starts_with("11月24日（火） 9:00～17:45"), "{days}");
    assert!(days.contains("11月27日（金）"), "{days}");
    assert!(
        visitor.shown("#hours").await.is_none(),
        "no hours on a closed day"
    );

    visitor.goto(&server.url("/?lang=en")).await;
    visitor.wait_transport("live").await;
    let notice = visitor.shown("#notice").await.expect("the English notice");
    assert!(notice.contains("Labor Thanksgiving Day"), "{notice}");
    assert!(notice.contains("Tue 24 Nov 9:00"), "{notice}");
    let days = visitor.shown("#day-list").await.expect("the English days");
    assert!(days.starts_with("Tue 24 Nov"), "{days}");
    visitor.close().await;
}

/// A wrong token is refused with a sentence a clerk understands; nothing is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn signing_in_with_a_wrong_token_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let driver = Driver::start();
    let clerk = driver.browser(1280, 800).await;
    clerk.sign_in(&server, "qs_not_a_real_token").await;
    let message = clerk
        .wait_text("#message", "the refusal", |t| !t.is_empty())
        .await;
    assert!(message.contains("トークンが正しくない"), "{message}");
    assert!(clerk.shown("#console").await.is_none());
    assert!(clerk.shown("#signin").await.is_some());
    let kept = clerk
        .run(
            "return sessionStorage.getItem('queue.staff.token');",
            vec![],
        )
        .await;
    assert_eq!(kept, Value::Null);
    let url = clerk.client.current_url().await.expect("url");
    assert!(!url.as_str().contains("qs_"), "{url}");
    clerk.close().await;
}

/// A reception clerk sees only the reception view; the token survives a reload in
/// sessionStorage, travels in no URL and no cookie, and signing out forgets it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn a_clerk_sees_the_views_of_the_role_and_signing_out_forgets_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let desk = common::create_token(dir.path(), "issuer", "desk-1");
    let driver = Driver::start();
    let clerk = driver.browser(1280, 800).await;
    clerk.sign_in(&server, &desk).await;
    clerk
        .wait_text("#who-name", "signed in", |t| t == "desk-1")
        .await;
    assert!(clerk.shown("#reception").await.is_some());
    assert!(clerk.shown("#counter").await.is_none(), "no counter view");

    clerk.client.refresh().await.expect("reload");
    clerk
        .wait_text("#who-name", "still signed in after a reload", |t| {
            t == "desk-1"
        })
        .await;
    clerk
        .click("button[data-service=legal_representative]")
        .await;
    clerk
        .wait_text("#t-number", "a ticket", |t| t == "L001")
        .await;
    let ahead = clerk.shown("#t-ahead").await.unwrap_or_default();
    assert_eq!(
        ahead, "発券時にお待ちの方：0人",
        "what was true at issue, never a promise"
    );
    let issued = clerk.shown("#t-time").await.unwrap_or_default();
    assert!(issued.starts_with("2026年12月1日（火）10:"), "{issued}");
    assert!(issued.ends_with("発券"), "{issued}");
    let cookies = clerk.run("return document.cookie;", vec![]).await;
    assert_eq!(cookies, json!(""));
    let url = clerk.client.current_url().await.expect("url");
    assert!(!url.as_str().contains(&desk));

    clerk.click("#signout").await;
    clerk
        .wait_text("#signin", "the sign-in form is back", |t| !t.is_empty())
        .await;
    let kept = clerk
        .run(
            "return sessionStorage.getItem('queue.staff.token');",
            vec![],
        )
        .await;
    assert_eq!(kept, Value::Null);
    clerk.close().await;
}

/// Each click on an issue button sends its own `Idempotency-Key` (a UUID): a request the
/// network repeats gets the first ticket back, while two clicks are two tickets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn each_click_on_issue_sends_a_fresh_idempotency_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let desk = common::create_token(dir.path(), "issuer", "desk-1");
    let driver = Driver::start();
    let clerk = driver.browser(1280, 800).await;
    clerk.sign_in(&server, &desk).await;
    clerk
        .wait_text("#who-name", "signed in", |t| t == "desk-1")
        .await;
    // Record the key of every request the console sends.
    clerk
        .run(
            "window.sentKeys = [];
             const send = window.fetch;
             window.fetch = (path, init) => {
               const key = init && init.headers && init.headers['Idempotency-Key'];
               if (key) window.sentKeys.push(key);
               return send(path, init);
             };
             return null;",
            vec![],
        )
        .await;
    clerk.click("button[data-service=renewal]").await;
    clerk
        .wait_text("#t-number", "the first ticket", |t| t == "R001")
        .await;
    clerk.click("button[data-service=renewal]").await;
    clerk
        .wait_text("#t-number", "a second ticket", |t| t == "R002")
        .await;
    let keys = clerk.run("return window.sentKeys;", vec![]).await;
    let keys: Vec<&str> = keys
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(keys.len(), 2, "one key per click: {keys:?}");
    assert_ne!(keys[0], keys[1], "a fresh key each time");
    for key in keys {
        assert_eq!(key.len(), 36, "a UUID: {key}");
    }
    clerk.close().await;
}

/// Screenshots of both pages at phone and desktop size for docs/web-pages.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn screenshots_of_both_pages_at_phone_and_desktop_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let staff = Staff::new(&server, &server.admin());
    for service in [
        "renewal",
        "renewal",
        "legal_representative",
        "renewal",
        "proxy_notice",
    ] {
        staff.issue(service).await;
    }
    for counter in ["1", "2"] {
        let path = format!("/api/v1/offices/main/counters/{counter}");
        assert_eq!(staff.post(&format!("{path}/open"), None).await.0, 200);
        assert_eq!(staff.post(&format!("{path}/call-next"), None).await.0, 200);
    }
    let driver = Driver::start();
    for (name, width, height) in [("phone", 390, 844), ("desktop", 1280, 800)] {
        let visitor = driver.browser(width, height).await;
        visitor.goto(&server.url("/")).await;
        visitor.wait_transport("live").await;
        visitor.screenshot(&format!("public-{name}.png")).await;
        visitor.close().await;

        let clerk = driver.browser(width, height).await;
        clerk.sign_in(&server, &server.admin()).await;
        clerk
            .wait_text("#waiting-count", "the waiting list", |t| t.contains('人'))
            .await;
        clerk.click("button[data-service=renewal]").await;
        clerk
            .wait_text("#t-number", "the issued ticket", |t| t.starts_with('R'))
            .await;
        clerk.screenshot(&format!("staff-{name}.png")).await;
        if name == "desktop" {
            clerk
                .run(
                    "return new Promise((done) => { const qr = document.getElementById('t-qr'); \
                     if (qr.complete) done(true); else qr.onload = () => done(true); });",
                    vec![],
                )
                .await;
            clerk.screenshot_of("#ticket", "printed-ticket.png").await;
        }
        clerk.close().await;
    }
    let ticket = staff.issue("renewal").await;
    let id = ticket["public_id"].as_str().expect("public id");
    let phone = driver.browser(390, 844).await;
    phone.goto(&server.url(&format!("/t/{id}"))).await;
    phone.wait_transport("live").await;
    phone.screenshot("ticket-phone.png").await;
    phone.close().await;
}

/// Reception ends at 17:45 but the queue goes on: a visitor's page keeps the called number and
/// the waiting count and says that ticket holders will still be called; issuing is refused and
/// calling still works; once the last ticket is done, the day is over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn after_reception_ends_the_page_keeps_calling_the_tickets_already_issued() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", "2026-12-01T17:44:30+09:00"]);
    let staff = Staff::new(&server, &server.admin());
    one_called_one_waiting(&server).await;
    staff.issue("renewal").await;
    // Tickets were issued with time to spare before 17:45; now let reception end.
    server.wait_for_phase("reception_closed").await;
    let driver = Driver::start();
    let visitor = driver.browser(390, 844).await;
    visitor.goto(&server.url("/")).await;
    visitor.wait_transport("live").await;
    visitor
        .wait_text("#phase", "reception ends at 17:45", |t| {
            t == "本日の受付は終了しました"
        })
        .await;
    let notice = visitor.shown("#notice").await.unwrap_or_default();
    assert!(
        notice.contains("番号札をお持ちの方は順番にお呼びします"),
        "{notice}"
    );
    let calls = visitor.shown("#calls").await.unwrap_or_default();
    assert!(calls.contains("R001"), "the called number stays: {calls}");
    let total = visitor.shown("#waiting-total").await.unwrap_or_default();
    assert_eq!(total, "2人", "the waiting count stays");

    let (status, refused) = staff
        .post(
            "/api/v1/offices/main/tickets",
            Some(json!({ "service": "renewal" })),
        )
        .await;
    assert_eq!(status, 409, "no new tickets after reception ends");
    assert_eq!(refused["error"]["code"], "office_closed");
    for expected in ["L001", "R002"] {
        let (status, called) = staff
            .post("/api/v1/offices/main/counters/1/call-next", None)
            .await;
        assert_eq!(status, 200, "counters keep calling: {called}");
        assert_eq!(called["number"], expected);
    }
    visitor
        .wait_text("#calls", "the last call reaches the page", |t| {
            t.contains("R002")
        })
        .await;
    let (_, status_json) = staff.get("/api/v1/offices/main/status").await;
    assert_eq!(status_json["calendar"]["phase"], "reception_closed");
    let (_, last) = staff.get("/api/v1/offices/main/tickets").await;
    let id = last["tickets"]
        .as_array()
        .and_then(|tickets| tickets.iter().find(|t| t["number"] == "R002"))
        .map(|t| t["id"].as_str().unwrap_or_default().to_string())
        .expect("R002");
    let (status, _) = staff
        .post(&format!("/api/v1/offices/main/tickets/{id}/finish"), None)
        .await;
    assert_eq!(status, 200);
    visitor
        .wait_text("#phase", "the day is over once no ticket is open", |t| {
            t == "本日の業務は終了しました"
        })
        .await;
    let (_, status_json) = staff.get("/api/v1/offices/main/status").await;
    assert_eq!(status_json["calendar"]["phase"], "closed_for_the_day");
    visitor.close().await;
}

/// A suspension reaches a visitor's page live: the headline says 受付停止中, never 受付中,
/// with the public wording of the reason; the staff's note never appears.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn a_suspension_shows_its_public_reason_and_never_the_staff_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let staff = Staff::new(&server, &server.admin());
    let driver = Driver::start();
    let visitor = driver.browser(390, 844).await;
    visitor.goto(&server.url("/")).await;
    visitor.wait_transport("live").await;
    let (status, _) = staff
        .post(
            "/api/v1/offices/main/reception/suspend",
            Some(
                json!({ "reason_code": "system_outage", "note": "復旧は14時の見込み（内線123）" }),
            ),
        )
        .await;
    assert_eq!(status, 200);
    visitor
        .wait_text("#phase", "the headline says suspended", |t| {
            t == "受付停止中"
        })
        .await;
    let reason = visitor.shown("#suspended").await.unwrap_or_default();
    assert!(reason.contains("システム障害のため"), "{reason}");
    let page = visitor.run("return document.body.innerText;", vec![]).await;
    assert!(!page.to_string().contains("内線123"), "{page}");
    visitor.goto(&server.url("/")).await;
    let rendered = visitor.run("return document.body.innerText;", vec![]).await;
    assert!(rendered.to_string().contains("受付停止中"));
    assert!(!rendered.to_string().contains("内線123"));
    visitor.close().await;
}
