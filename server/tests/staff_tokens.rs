//! Staff tokens on a real server (issue 12): a token limited to one office, a token that
//! expires at the end of its last day in Japan, and refusals limited per peer while good
//! tokens, the status JSON and the live feed are never limited.

mod common;

use chrono::{DateTime, Utc};
use common::{ISSUER, OPEN_DAY, TestServer, assert_error};
use queue_server::auth::hash_secret;
use queue_server::store::NewToken;
use serde_json::json;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid")
        .with_timezone(&Utc)
}

/// Stores a token the way `token create` does.
async fn create(server: &TestServer, token: NewToken<'_>) {
    server
        .store
        .token_create(&token, "cli", at("2026-11-01T10:00:00+09:00"))
        .await
        .expect("token");
}

fn token<'a>(name: &'a str, secret_hash: &'a str) -> NewToken<'a> {
    NewToken {
        name,
        role: "issuer",
        hash: secret_hash,
        office: None,
        expires_at: None,
    }
}

#[tokio::test]
async fn a_token_limited_to_one_office_is_refused_with_403_office_forbidden_at_another() {
    let server = TestServer::start(OPEN_DAY).await;
    let hash = hash_secret("qs_main_desk");
    create(
        &server,
        NewToken {
            office: Some("main"),
            ..token("main-desk", &hash)
        },
    )
    .await;
    let body = json!({"service": "renewal"});
    let (status, error) = server
        .post(
            "/api/v1/offices/center/tickets",
            "qs_main_desk",
            Some(body.clone()),
        )
        .await;
    assert_error(status, &error, 403, "office_forbidden");
    let (status, error) = server
        .get("/api/v1/offices/center/tickets", "qs_main_desk")
        .await;
    assert_error(status, &error, 403, "office_forbidden");
    let (status, ticket) = server
        .post("/api/v1/offices/main/tickets", "qs_main_desk", Some(body))
        .await;
    assert_eq!(status, 201, "{ticket}");
    let (status, session) = server.get("/api/v1/session", "qs_main_desk").await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["office"], "main", "the console learns the scope");
    let (_, session) = server.get("/api/v1/session", ISSUER).await;
    assert!(session.get("office").is_none(), "unscoped: {session}");
}

#[tokio::test]
async fn an_expired_token_gets_401_token_expired_and_one_expiring_tonight_still_works() {
    // The server's clock is 2026-12-01 10:00 in Japan.
    let server = TestServer::start(OPEN_DAY).await;
    let yesterday = hash_secret("qs_until_yesterday");
    create(
        &server,
        NewToken {
            // `--expires 2026-11-30`: the end of that day in Japan.
            expires_at: Some(at("2026-12-01T00:00:00+09:00")),
            ..token("until-yesterday", &yesterday)
        },
    )
    .await;
    let today = hash_secret("qs_until_today");
    create(
        &server,
        NewToken {
            expires_at: Some(at("2026-12-02T00:00:00+09:00")),
            ..token("until-today", &today)
        },
    )
    .await;
    let body = json!({"service": "renewal"});
    let tickets = "/api/v1/offices/main/tickets";
    let (status, error) = server
        .post(tickets, "qs_until_yesterday", Some(body.clone()))
        .await;
    assert_error(status, &error, 401, "token_expired");
    let (status, error) = server.get("/api/v1/session", "qs_until_yesterday").await;
    assert_error(status, &error, 401, "token_expired");
    let (status, ticket) = server.post(tickets, "qs_until_today", Some(body)).await;
    assert_eq!(status, 201, "works to the end of its last day: {ticket}");
}

#[tokio::test]
async fn many_bad_token_requests_from_one_peer_get_429_while_a_good_token_and_the_status_still_work()
 {
    let server = TestServer::start(OPEN_DAY).await;
    let tickets = server.url("/api/v1/offices/main/tickets");
    let mut limited = None;
    for _ in 0..1000 {
        let response = server
            .client
            .get(&tickets)
            .bearer_auth("qs_guess")
            .send()
            .await
            .expect("sent");
        match response.status().as_u16() {
            401 => continue,
            429 => {
                limited = Some(response);
                break;
            }
            other => panic!("a bad token got {other}"),
        }
    }
    let limited = limited.expect("refusals from one peer are limited");
    assert!(limited.headers().contains_key("retry-after"));
    let body: serde_json::Value = limited.json().await.expect("JSON");
    assert_error(429, &body, 429, "too_many_requests");

    // The same peer, right away: a good token, the status and the feed all still work.
    for _ in 0..3 {
        server.issue("renewal").await;
        let response = reqwest::get(server.url("/api/v1/offices/main/status"))
            .await
            .expect("status");
        assert_eq!(response.status(), 200, "the status is never limited");
    }
    let live = format!(
        "{}/api/v1/offices/main/live",
        server.base.replace("http", "ws")
    );
    let (_feed, response) = tokio_tungstenite::connect_async(live)
        .await
        .expect("the live feed is never limited");
    assert_eq!(response.status(), 101);
    let (status, _) = server.get("/api/v1/offices/main/tickets", "qs_guess").await;
    assert_eq!(status, 429, "the bad token is still limited");
}
