//! A real server for integration tests: the library's router on a loopback port 0, a fresh
//! database (SQLite in a temporary directory, or a new PostgreSQL database under
//! [`on_both_engines!`]), a clock started at a chosen instant, and a token per role.
#![allow(dead_code)] // each test file uses its own subset

use chrono::{DateTime, Utc};
use queue_server::auth::hash_secret;
use queue_server::clock::StartedClock;
use queue_server::config::Config;
use queue_server::store::{Database, Engine, Store};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

tokio::task_local! {
    /// The engine of the servers a test starts: SQLite unless the test runs under
    /// [`on_both_engines!`].
    pub static ENGINE: Engine;
}

/// One test on each engine: `NAME::sqlite` and `NAME::postgres` (ignored, by name, without a
/// test cluster: `QUEUE_TEST_POSTGRES`, see `.ci/postgres`).
#[macro_export]
macro_rules! on_both_engines {
    ($(#[$meta:meta])* async fn $name:ident() $body:block) => {
        $(#[$meta])*
        mod $name {
            use super::*;

            async fn run() $body

            #[tokio::test]
            async fn sqlite() {
                $crate::common::ENGINE
                    .scope(queue_server::store::Engine::Sqlite, run())
                    .await;
            }

            #[tokio::test]
            #[cfg_attr(
                not(postgres),
                ignore = "needs a PostgreSQL cluster: QUEUE_TEST_POSTGRES (see .ci/postgres)"
            )]
            async fn postgres() {
                $crate::common::ENGINE
                    .scope(queue_server::store::Engine::Postgres, run())
                    .await;
            }
        }
    };
}

/// A fresh database of the test's engine; the directory holds the SQLite file (and is the data
/// directory either way).
async fn fresh_database(dir: &std::path::Path) -> Database {
    match ENGINE.try_with(|engine| *engine).unwrap_or(Engine::Sqlite) {
        Engine::Sqlite => Database::in_data_dir(dir),
        Engine::Postgres => queue_server::store::fresh_test_postgres()
            .await
            .expect("test database")
            .expect("QUEUE_TEST_POSTGRES names the test cluster"),
    }
}

/// A Tuesday at 10:00 in Japan: open.
pub const OPEN_DAY: &str = "2026-12-01T10:00:00+09:00";

/// Tokens of the test server, by role.
pub const ADMIN: &str = "qs_test_admin";
/// Reception staff.
pub const ISSUER: &str = "qs_test_issuer";
/// Counter staff.
pub const COUNTER: &str = "qs_test_counter";

/// A running in-process server.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The store it writes to (the same database file).
    pub store: Store,
    /// Stops the server.
    stop: Option<oneshot::Sender<()>>,
    /// Ends when the server has stopped.
    pub done: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Keeps the temporary data directory alive.
    pub dir: tempfile::TempDir,
    /// HTTP client.
    pub client: reqwest::Client,
}

impl TestServer {
    /// Starts a server whose clock begins at `now` (RFC 3339).
    pub async fn start(now: &str) -> TestServer {
        Self::start_with(now, Config::embedded().expect("embedded config")).await
    }

    /// Starts a server with a given configuration.
    pub async fn start_with(now: &str, config: Config) -> TestServer {
        Self::start_adjusted(now, config, |_| {}).await
    }

    /// Starts a server with a given configuration and settings changed by `adjust` (limits,
    /// health thresholds, another clock).
    pub async fn start_adjusted(
        now: &str,
        config: Config,
        adjust: impl FnOnce(&mut queue_server::Settings),
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::connect(&fresh_database(dir.path()).await)
            .await
            .expect("store");
        let start: DateTime<Utc> = DateTime::parse_from_rfc3339(now)
            .expect("valid --now")
            .with_timezone(&Utc);
        for (name, role, secret) in [
            ("admin-1", "admin", ADMIN),
            ("desk-alice", "issuer", ISSUER),
            ("window-bob", "counter", COUNTER),
        ] {
            store
                .token_insert(name, role, &hash_secret(secret), start)
                .await
                .expect("token");
        }
        let mut settings = queue_server::Settings::new(config, Arc::new(StartedClock::new(start)));
        adjust(&mut settings);
        let server = queue_server::Server::start(settings, store.clone())
            .await
            .expect("started");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        TestServer {
            base,
            store,
            stop: Some(stop),
            done: Some(done),
            dir,
            client: reqwest::Client::new(),
        }
    }

    /// Full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request with an optional token and JSON body; returns status and JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, json)
    }

    /// POST raw bytes with a content type (for malformed and oversized bodies).
    pub async fn post_raw(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("sent");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// POST with a token and optional body.
    pub async fn post(&self, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        self.call("POST", path, Some(token), body).await
    }

    /// GET with a token.
    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call("GET", path, Some(token), None).await
    }

    /// Issues a ticket at the main office (issuer token); panics unless 201.
    pub async fn issue(&self, service: &str) -> Value {
        let (status, ticket) = self
            .post(
                "/api/v1/offices/main/tickets",
                ISSUER,
                Some(json!({ "service": service })),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
        ticket
    }

    /// The day's tickets at the main office.
    pub async fn tickets(&self) -> Vec<Value> {
        let (status, list) = self.get("/api/v1/offices/main/tickets", ADMIN).await;
        assert_eq!(status, 200, "{list}");
        list["tickets"].as_array().cloned().unwrap_or_default()
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(done) = self.done.take() {
            let _ = done.await;
        }
    }

    /// Sends the stop signal without waiting.
    pub fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Asserts the error envelope with a code.
pub fn assert_error(status: u16, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["code"], want_code, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "an error message for people: {body}");
}
