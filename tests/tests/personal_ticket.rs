//! The personal ticket page against the real `queue-server` binary: a visitor opens the page of
//! the QR code on their ticket in headless Chromium and watches the people ahead count down
//! live as the counter calls, then sees the counter they are called to. The browser test needs
//! `chromium` and `chromedriver` (`cfg(chromium)`, set by `build.rs`).
#![cfg_attr(not(chromium), allow(dead_code, unused_imports))]

mod common;

use common::browser::Driver;
use common::{OPEN_DAY, Server, Staff};

/// The third of three tickets: its page counts 2 → 1 → 0 as the two ahead are called, then
/// shows its counter in large text when it is called itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(chromium), ignore = "needs chromium")]
async fn a_visitors_ticket_page_counts_down_live_and_shows_the_counter_when_called() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let staff = Staff::new(&server, &server.admin());
    staff.issue("renewal").await;
    staff.issue("legal_representative").await;
    let third = staff.issue("renewal").await;
    let id = third["public_id"].as_str().expect("public id").to_string();
    let (status, _) = staff
        .post("/api/v1/offices/main/counters/1/open", None)
        .await;
    assert_eq!(status, 200);

    let driver = Driver::start();
    let phone = driver.browser(390, 844).await;
    phone.goto(&server.url(&format!("/t/{id}"))).await;
    phone.wait_transport("live").await;
    assert_eq!(phone.shown("#number").await.as_deref(), Some("R002"));
    phone
        .wait_text("#ahead", "two ahead", |t| t == "前にお待ちの方：2人")
        .await;
    for (calls, left) in [(1, "1人"), (2, "0人")] {
        let (status, called) = staff
            .post("/api/v1/offices/main/counters/1/call-next", None)
            .await;
        assert_eq!(status, 200, "call {calls}: {called}");
        phone
            .wait_text("#ahead", "the count goes down live", |t| t.ends_with(left))
            .await;
    }
    assert_eq!(
        phone.shown("#next").await.as_deref(),
        Some("次にお呼びします")
    );
    let (status, called) = staff
        .post("/api/v1/offices/main/counters/1/call-next", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(called["number"], "R002");
    phone
        .wait_text("#counter", "the counter in large text", |t| t == "1")
        .await;
    let go = phone.shown("#go-to").await.unwrap_or_default();
    assert_eq!(go, "1番窓口へお越しください");
    assert!(
        phone.shown("#ahead").await.is_none(),
        "no count once called"
    );
    phone.close().await;
}

/// An id from an earlier business day is as unknown as one that never existed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_of_an_earlier_day_is_404_unknown_ticket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let staff = Staff::new(&server, &server.admin());
    let ticket = staff.issue("renewal").await;
    let id = ticket["public_id"].as_str().expect("public id").to_string();
    let (status, _) = staff.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(status, 200);
    let address = server.address().to_string();
    drop(server);
    let next_day = Server::start_on(
        dir.path(),
        &address,
        &["--now", "2026-12-02T10:00:00+09:00"],
    );
    let response = reqwest::get(next_day.url(&format!("/api/v1/tickets/{id}")))
        .await
        .expect("sent");
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "unknown_ticket");
}
