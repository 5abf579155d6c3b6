//! The server under faults and abuse, in process over real sockets: dates far outside the
//! calendar, a panicking handler, and a health check that fails when a part of the server
//! cannot do its job (issue 12).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, Utc};
use common::{ISSUER, OPEN_DAY, TestServer};
use queue_server::clock::{Clock, StartedClock};
use queue_server::config::Config;
use serde_json::{Value, json};
use sqlx::Connection;

/// A date whose year chrono accepts but the calendar does not: adding two weeks to it
/// overflowed and the handler panicked (a dropped connection instead of an answer).
#[tokio::test]
async fn a_calendar_date_beyond_the_calendar_years_is_invalid_not_a_panic() {
    let server = TestServer::start(OPEN_DAY).await;
    for query in [
        "from=%2B262142-12-31",
        "from=2100-01-01",
        "from=1954-12-31",
        "to=%2B262142-12-31",
    ] {
        let (status, body) = server
            .call(
                "GET",
                &format!("/api/v1/offices/main/calendar?{query}"),
                None,
                None,
            )
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_date", "{query}");
    }
    // The calendar's last fortnight still answers, up to its last day.
    let (status, body) = server
        .call(
            "GET",
            "/api/v1/offices/main/calendar?from=2099-12-25",
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let days = body["days"].as_array().unwrap();
    assert_eq!(days.last().unwrap()["date"], "2099-12-31");
}

/// Whatever a handler does wrong, the client gets the usual 500 envelope.
#[tokio::test]
async fn a_panicking_handler_answers_500_with_the_json_envelope() {
    let router = queue_server::http::catch_panics(Router::new().route(
        "/boom",
        get(|| async {
            if std::hint::black_box(true) {
                panic!("a bug");
            }
            "unreachable"
        }),
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(queue_server::connections::serve(
        listener,
        router,
        None,
        Duration::from_secs(30),
        stopped,
    ));
    let response = reqwest::get(format!("http://{address}/boom"))
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal_error");
}

async fn health(server: &TestServer) -> (u16, Value) {
    server.call("GET", "/healthz", None, None).await
}

/// Whether the check `name` of office `office` passed.
fn passed(body: &Value, name: &str, office: &str) -> bool {
    let check = body["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|check| check["check"] == name && check["office"] == office)
        .unwrap_or_else(|| panic!("no {name} check for {office}: {body}"));
    check["ok"].as_bool().expect("ok is a boolean")
}

fn failing(body: &Value) -> Vec<String> {
    body["failing"]
        .as_array()
        .expect("failing")
        .iter()
        .map(|name| name.as_str().expect("a name").to_string())
        .collect()
}

#[tokio::test]
async fn health_is_ok_with_every_check_listed_when_all_is_well() {
    let server = TestServer::start(OPEN_DAY).await;
    let (status, body) = health(&server).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["failing"], json!([]));
    let names: Vec<String> = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| format!("{} {}", check["check"], check["office"]))
        .collect();
    assert_eq!(
        names,
        [
            r#""office_task" "main""#,
            r#""last_publish" "main""#,
            r#""office_task" "center""#,
            r#""last_publish" "center""#,
            r#""store" null"#,
        ]
    );
}

/// The store closed under the server (as when its connections can no longer be opened): the
/// health check names the store.
#[tokio::test]
async fn health_fails_naming_the_store_when_the_store_does_not_answer() {
    let server = TestServer::start(OPEN_DAY).await;
    server.store.close().await;
    let (status, body) = health(&server).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "failing");
    assert_eq!(failing(&body), ["store"]);
}

/// A clock that panics once broken: the office task reads it for each batch, so breaking it
/// makes the office task die the way any bug in it would.
#[derive(Debug)]
struct BreakableClock {
    inner: StartedClock,
    broken: Arc<AtomicBool>,
}

impl Clock for BreakableClock {
    fn now(&self) -> DateTime<Utc> {
        assert!(!self.broken.load(Ordering::SeqCst), "the clock broke");
        self.inner.now()
    }
}

#[tokio::test]
async fn health_fails_naming_the_office_task_when_it_has_died() {
    let broken = Arc::new(AtomicBool::new(false));
    let start = DateTime::parse_from_rfc3339(OPEN_DAY)
        .unwrap()
        .with_timezone(&Utc);
    let clock = BreakableClock {
        inner: StartedClock::new(start),
        broken: broken.clone(),
    };
    let server = TestServer::start_adjusted(OPEN_DAY, Config::embedded().unwrap(), |settings| {
        settings.clock = Arc::new(clock);
    })
    .await;
    assert_eq!(health(&server).await.0, 200);

    broken.store(true, Ordering::SeqCst);
    let body = json!({ "service": "renewal" });
    let (status, _) = server
        .call(
            "POST",
            "/api/v1/offices/main/tickets",
            Some(ISSUER),
            Some(body),
        )
        .await;
    assert_eq!(status, 503, "the command died with the office task");

    let (status, body) = health(&server).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        failing(&body).contains(&"office_task".to_string()),
        "{body}"
    );
    let office_check = &body["checks"][0];
    assert_eq!(office_check["office"], "main");
    assert_eq!(office_check["ok"], false);
}

/// Another process holds the database's write lock (a `sqlite3` shell left in a transaction):
/// the office task waits on it with a command in hand and publishes nothing meanwhile. The
/// health check fails on the last publish, and recovers once the office publishes again. (The
/// threshold is shortened to seconds here, so only the office acted on is judged: the other
/// one publishes every refresh interval and is stale by this measure.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_fails_naming_the_last_publish_while_the_office_is_stuck() {
    let stale_after = Duration::from_secs(4);
    let server = TestServer::start_adjusted(OPEN_DAY, Config::embedded().unwrap(), |settings| {
        settings.stale_publish = stale_after;
    })
    .await;
    let issue = json!({ "service": "renewal" });
    let tickets = "/api/v1/offices/main/tickets";
    let (status, _) = server
        .call("POST", tickets, Some(ISSUER), Some(issue.clone()))
        .await;
    assert_eq!(status, 201);
    let (_, body) = health(&server).await;
    assert!(
        passed(&body, "last_publish", "main"),
        "just published: {body}"
    );

    let database = server.dir.path().join("queue.db");
    let mut holder = sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .unwrap();
    let stuck = {
        let client = server.client.clone();
        let url = server.url(tickets);
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(ISSUER)
                .json(&json!({ "service": "renewal" }))
                .send()
                .await
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let body = loop {
        let (status, body) = health(&server).await;
        if !passed(&body, "last_publish", "main") {
            assert_eq!(status, 503);
            break body;
        }
        assert!(Instant::now() < deadline, "never failed: {body}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(body["status"], "failing");
    assert!(
        failing(&body).contains(&"last_publish".to_string()),
        "{body}"
    );
    assert!(
        passed(&body, "office_task", "main"),
        "stuck, not dead: {body}"
    );

    sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
    holder.close().await.unwrap();
    let _ = stuck.await.unwrap();
    let (status, _) = server
        .call("POST", tickets, Some(ISSUER), Some(issue))
        .await;
    assert_eq!(status, 201);
    let (_, body) = health(&server).await;
    assert!(
        passed(&body, "last_publish", "main"),
        "published again: {body}"
    );
}
