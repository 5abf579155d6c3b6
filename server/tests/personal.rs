//! The personal ticket page's API and QR code on a real server: what a visitor's phone gets by
//! the ticket's unguessable id, and that the id never leaks to the public side.
mod common;

use common::{COUNTER, OPEN_DAY, TestServer, assert_error};
use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

fn public_id(ticket: &Value) -> String {
    ticket["public_id"]
        .as_str()
        .expect("a staff ticket carries its public id")
        .to_string()
}

/// The dark modules of the QR code our SVG draws, read back from its path
/// (`M{x} {y}h{s}v{s}H{x}V{y}` per module), as a greyscale picture `scale` pixels a module.
fn modules_of(svg: &str) -> (usize, Vec<(usize, usize)>, usize) {
    let width: usize = svg
        .split("width=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|w| w.parse().ok())
        .expect("a width");
    let path = svg
        .split(" d=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a path");
    let mut step = 0;
    let mut dark = Vec::new();
    for module in path.split('M').filter(|m| !m.is_empty()) {
        let (x, rest) = module.split_once(' ').expect("x y");
        let (y, rest) = rest.split_once('h').expect("h");
        let (size, _) = rest.split_once('v').expect("v");
        step = size.parse().expect("module size");
        dark.push((
            x.parse::<usize>().expect("x") / step,
            y.parse::<usize>().expect("y") / step,
        ));
    }
    (width / step, dark, step)
}

fn decode(svg: &str) -> String {
    let (modules, dark, _) = modules_of(svg);
    let scale = 4;
    let size = modules * scale;
    let mut pixels = vec![255u8; size * size];
    for (x, y) in dark {
        for dy in 0..scale {
            for dx in 0..scale {
                pixels[(y * scale + dy) * size + x * scale + dx] = 0;
            }
        }
    }
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| pixels[y * size + x]);
    let grids = image.detect_grids();
    let grid = grids.first().expect("a QR code in the picture");
    grid.decode().expect("a readable QR code").1
}

#[tokio::test]
async fn a_ticket_is_read_by_its_public_id_with_the_people_ahead_and_the_wait() {
    let server = TestServer::start(OPEN_DAY).await;
    server.issue("renewal").await;
    server.issue("legal_representative").await;
    let third = server.issue("renewal").await;
    let id = public_id(&third);
    assert!(
        id.len() >= 32 && id.chars().all(|c| c.is_ascii_alphanumeric()),
        "at least 128 random bits, URL-safe: {id}"
    );
    let response = server
        .client
        .get(server.url(&format!("/api/v1/tickets/{id}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let ticket: Value = response.json().await.expect("JSON");
    assert_eq!(ticket["number"], "R002");
    assert_eq!(ticket["service"], "renewal");
    assert_eq!(ticket["service_name_ja"], "電子証明書の更新");
    assert_eq!(ticket["state"], "waiting");
    assert_eq!(ticket["ahead"], 2, "both earlier tickets are called first");
    assert!(ticket["counter"].is_null());
    assert_eq!(ticket["office"]["id"], "main");
    assert_eq!(ticket["business_date"], "2026-12-01");
    assert!(ticket["estimate"]["text_ja"].is_string(), "{ticket}");
    assert!(ticket.get("public_id").is_none() && ticket.get("id").is_none());

    server
        .post("/api/v1/offices/main/counters/1/open", COUNTER, None)
        .await;
    for _ in 0..3 {
        server
            .post("/api/v1/offices/main/counters/1/call-next", COUNTER, None)
            .await;
    }
    let (_, called) = server
        .call("GET", &format!("/api/v1/tickets/{id}"), None, None)
        .await;
    assert_eq!(called["state"], "called");
    assert_eq!(called["counter"], "1");
    assert_eq!(called["ahead"], 0);
}

#[tokio::test]
async fn unknown_ids_get_404_unknown_ticket_and_ids_are_not_derived_from_numbers() {
    let server = TestServer::start(OPEN_DAY).await;
    let first = public_id(&server.issue("renewal").await);
    let second = public_id(&server.issue("renewal").await);
    assert_ne!(first, second);
    let shared_prefix = first
        .chars()
        .zip(second.chars())
        .take_while(|(a, b)| a == b)
        .count();
    assert!(
        shared_prefix < 8,
        "ids of consecutive tickets look random: {first} {second}"
    );
    for unknown in ["0123456789abcdef0123456789abcdef", "R001", "x"] {
        let (status, body) = server
            .call("GET", &format!("/api/v1/tickets/{unknown}"), None, None)
            .await;
        assert_error(status, &body, 404, "unknown_ticket");
    }
    let page = server
        .client
        .get(server.url("/t/0123456789abcdef0123456789abcdef"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), 404);
    assert!(
        page.text()
            .await
            .expect("body")
            .contains("この番号札は見つかりません")
    );
}

#[tokio::test]
async fn the_status_json_and_the_feed_never_carry_a_public_id() {
    let server = TestServer::start(OPEN_DAY).await;
    let ids: Vec<String> = [server.issue("renewal").await, server.issue("renewal").await]
        .iter()
        .map(public_id)
        .collect();
    server
        .post("/api/v1/offices/main/counters/1/open", COUNTER, None)
        .await;
    server
        .post("/api/v1/offices/main/counters/1/call-next", COUNTER, None)
        .await;
    let (_, status) = server
        .call("GET", "/api/v1/offices/main/status", None, None)
        .await;
    let url = format!(
        "{}/api/v1/offices/main/live",
        server.base.replace("http://", "ws://")
    );
    let (mut viewer, _) = connect_async(url).await.expect("connected");
    let Some(Ok(Message::Text(frame))) = viewer.next().await else {
        panic!("a first frame");
    };
    for id in &ids {
        assert!(!status.to_string().contains(id.as_str()), "status JSON");
        assert!(!frame.as_str().contains(id.as_str()), "feed");
    }
    assert!(
        status["queue"].is_array(),
        "the queue by number only: {status}"
    );
}

#[tokio::test]
async fn the_printed_tickets_qr_code_decodes_to_the_ticket_page() {
    let server = TestServer::start(OPEN_DAY).await;
    let id = public_id(&server.issue("renewal").await);
    let response = server
        .client
        .get(server.url(&format!("/t/{id}/qr.svg")))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let svg = response.text().await.expect("body");
    assert_eq!(decode(&svg), format!("{}/t/{id}", server.base));
    let page = server
        .client
        .get(server.url(&format!("/t/{id}")))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body");
    assert!(page.contains("R001"));
    assert!(page.contains("前にお待ちの方：0人"), "{page}");
}

#[tokio::test]
async fn trying_ids_quickly_is_refused_per_address_while_the_status_stays_free() {
    let server = TestServer::start(OPEN_DAY).await;
    let mut refused = None;
    for attempt in 0..200 {
        let (status, body) = server
            .call(
                "GET",
                &format!("/api/v1/tickets/guess{attempt}"),
                None,
                None,
            )
            .await;
        if status == 429 {
            refused = Some((attempt, body));
            break;
        }
    }
    let (attempt, body) = refused.expect("a burst of guesses is refused");
    assert!(
        attempt >= 20,
        "a phone may reload freely: refused after {attempt}"
    );
    assert_eq!(body["error"]["code"], "too_many_requests");
    let (status, _) = server
        .call("GET", "/api/v1/offices/main/status", None, None)
        .await;
    assert_eq!(status, 200, "the public status is not limited");
}
