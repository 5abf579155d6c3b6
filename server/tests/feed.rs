//! The live feed over real WebSockets on loopback: what a viewer gets, in what order, and that
//! one slow viewer never holds up another.

#[macro_use]
mod common;

use std::time::Duration;

use common::{ADMIN, COUNTER, OPEN_DAY, TestServer};
use futures_util::{SinkExt, StreamExt};
use queue_protocol::change::{self, Change};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// A viewer's socket and the last snapshot it was sent, which a `change` frame patches.
struct Viewer {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    last: Option<Value>,
}

impl Viewer {
    fn new(socket: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Self {
        Self { socket, last: None }
    }
}

const WAIT: Duration = Duration::from_secs(10);

async fn connect(server: &TestServer) -> Viewer {
    let url = format!(
        "{}/api/v1/offices/main/live",
        server.base.replace("http://", "ws://")
    );
    Viewer::new(connect_async(url).await.expect("connected").0)
}

/// The next JSON frame as sent (skipping pings).
async fn next_frame(viewer: &mut Viewer) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, viewer.socket.next())
            .await
            .expect("a message in time")
            .expect("stream open")
            .expect("no error");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("JSON");
        }
    }
}

/// The next message, a `change` frame applied to the last snapshot: the snapshot it makes.
async fn next_json(viewer: &mut Viewer) -> Value {
    let mut message = next_frame(viewer).await;
    if message["type"] == "change" {
        let change: Change = serde_json::from_value(message.clone()).expect("a change frame");
        let last = viewer.last.as_ref().expect("a change after a snapshot");
        let seq = message["seq"].as_u64().expect("seq");
        message = change::apply(last, &change, seq, &message["generated_at"]).expect("applies");
    }
    if message["type"] == "snapshot" {
        viewer.last = Some(message.clone());
    }
    message
}

/// Reads until a snapshot matching `want` arrives.
async fn snapshot_where(viewer: &mut Viewer, want: impl Fn(&Value) -> bool) -> Value {
    loop {
        let message = next_json(viewer).await;
        if message["type"] == "snapshot" && want(&message) {
            return message;
        }
    }
}

/// Reads until the server's close frame and returns its code.
async fn close_code(viewer: &mut Viewer) -> Option<CloseCode> {
    loop {
        match tokio::time::timeout(WAIT, viewer.socket.next())
            .await
            .expect("in time")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

fn waiting(snapshot: &Value) -> u64 {
    snapshot["services"][0]["waiting"].as_u64().unwrap_or(0)
}

on_both_engines! {
    async fn the_first_message_is_a_full_snapshot() {
        let server = TestServer::start(OPEN_DAY).await;
        server.issue("renewal").await;
        let mut viewer = connect(&server).await;
        let first = next_json(&mut viewer).await;
        assert_eq!(first["v"], 1);
        assert_eq!(first["type"], "snapshot");
        assert!(first["seq"].as_u64().is_some());
        assert!(
            first["generated_at"]
                .as_str()
                .is_some_and(|t| t.ends_with("+09:00"))
        );
        assert_eq!(first["office"]["id"], "main");
        assert_eq!(waiting(&first), 1);
        assert_eq!(first["calendar"]["phase"], "open");
    }
}

on_both_engines! {
    async fn each_staff_command_brings_a_new_snapshot_with_a_higher_seq() {
        let server = TestServer::start(OPEN_DAY).await;
        let mut viewer = connect(&server).await;
        let mut seq = next_json(&mut viewer).await["seq"].as_u64().expect("seq");
        for expected in 1..=3 {
            server.issue("renewal").await;
            let snapshot = snapshot_where(&mut viewer, |s| waiting(s) == expected).await;
            let next = snapshot["seq"].as_u64().expect("seq");
            assert!(next > seq, "seq rises: {next} after {seq}");
            seq = next;
        }
        server
            .post("/api/v1/offices/main/counters/1/open", COUNTER, None)
            .await;
        let opened = snapshot_where(&mut viewer, |s| s["counters"][0]["state"] == "open").await;
        assert!(opened["seq"].as_u64().expect("seq") > seq);
    }
}

on_both_engines! {
    /// After the first snapshot, each command comes as a `change` frame, smaller than the whole
    /// snapshot; applied one after another they give exactly the status JSON of the same moment.
    async fn change_frames_applied_in_turn_end_with_exactly_the_next_whole_snapshot() {
        let server = TestServer::start(OPEN_DAY).await;
        let mut viewer = connect(&server).await;
        let first = next_frame(&mut viewer).await;
        assert_eq!(first["type"], "snapshot");
        viewer.last = Some(first);
        server.issue("renewal").await;
        server
            .post("/api/v1/offices/main/counters/1/open", COUNTER, None)
            .await;
        server.issue("proxy_notice").await;
        server.issue("renewal").await;
        server
            .post("/api/v1/offices/main/counters/1/call-next", COUNTER, None)
            .await;
        let (_, status) = server.get("/api/v1/offices/main/status", ADMIN).await;
        let mut changes = 0;
        loop {
            let frame = next_frame(&mut viewer).await;
            let size = frame.to_string().len();
            if frame["type"] == "change" {
                changes += 1;
                assert!(frame["base"].as_u64().is_some());
                assert!(
                    size < status.to_string().len() / 2,
                    "a change of {size} bytes: {frame}"
                );
                let change: Change = serde_json::from_value(frame.clone()).expect("a change frame");
                let last = viewer.last.as_ref().expect("a snapshot");
                let seq = frame["seq"].as_u64().expect("seq");
                viewer.last =
                    Some(change::apply(last, &change, seq, &frame["generated_at"]).expect("applies"));
            } else if frame["type"] == "snapshot" {
                viewer.last = Some(frame);
            }
            if viewer
                .last
                .as_ref()
                .is_some_and(|last| last["seq"] == status["seq"])
            {
                break;
            }
        }
        assert!(changes >= 4, "{changes} change frames for five commands");
        assert_eq!(viewer.last, Some(status));
    }
}

on_both_engines! {
    async fn call_next_sends_a_call_event_and_a_snapshot_with_the_recent_call() {
        let server = TestServer::start(OPEN_DAY).await;
        let ticket = server.issue("renewal").await;
        server
            .post("/api/v1/offices/main/counters/3/open", COUNTER, None)
            .await;
        let mut viewer = connect(&server).await;
        next_json(&mut viewer).await;
        server
            .post("/api/v1/offices/main/counters/3/call-next", COUNTER, None)
            .await;
        let mut call = None;
        let mut snapshot = None;
        while call.is_none() || snapshot.is_none() {
            let message = next_json(&mut viewer).await;
            match message["type"].as_str() {
                Some("call") => call = Some(message),
                Some("snapshot") if !message["now_called"].as_array().is_none_or(Vec::is_empty) => {
                    snapshot = Some(message)
                }
                _ => {}
            }
        }
        let call = call.expect("call");
        assert_eq!(call["counter"], "3");
        assert_eq!(call["number"], ticket["number"]);
        assert_eq!(call["service"], "renewal");
        assert_eq!(call["v"], 1);
        let snapshot = snapshot.expect("snapshot");
        assert_eq!(snapshot["now_called"][0]["number"], ticket["number"]);
        assert_eq!(snapshot["recent_calls"][0]["counter"], "3");
    }
}

on_both_engines! {
    async fn a_stalled_viewer_does_not_delay_another_viewers_updates() {
        let server = TestServer::start(OPEN_DAY).await;
        // This viewer connects and never reads again: its socket buffers fill up.
        let stalled = connect(&server).await;
        let mut live = connect(&server).await;
        next_json(&mut live).await;
        for _ in 0..150 {
            server.issue("renewal").await;
        }
        let last = snapshot_where(&mut live, |s| waiting(s) == 150).await;
        assert_eq!(last["type"], "snapshot");
        drop(stalled);
    }
}

on_both_engines! {
    async fn an_oversized_client_frame_closes_the_link_with_1009() {
        let server = TestServer::start(OPEN_DAY).await;
        let mut viewer = connect(&server).await;
        next_json(&mut viewer).await;
        viewer
            .socket
            .send(Message::text("x".repeat(64 * 1024)))
            .await
            .expect("sent");
        let code = close_code(&mut viewer).await;
        assert_eq!(code, Some(CloseCode::Size));
    }
}

on_both_engines! {
    async fn small_client_frames_are_ignored() {
        let server = TestServer::start(OPEN_DAY).await;
        let mut viewer = connect(&server).await;
        next_json(&mut viewer).await;
        viewer
            .socket
            .send(Message::text("hello"))
            .await
            .expect("sent");
        server.issue("renewal").await;
        snapshot_where(&mut viewer, |s| waiting(s) == 1).await;
    }
}

on_both_engines! {
    async fn shutdown_closes_every_feed_with_1001() {
        let mut server = TestServer::start(OPEN_DAY).await;
        let mut viewer = connect(&server).await;
        next_json(&mut viewer).await;
        server.signal_stop();
        let code = close_code(&mut viewer).await;
        assert_eq!(code, Some(CloseCode::Away));
        if let Some(done) = server.done.take() {
            tokio::time::timeout(WAIT, done)
                .await
                .expect("server stopped")
                .expect("task")
                .expect("served");
        }
    }
}

on_both_engines! {
    async fn the_public_status_answers_304_to_a_matching_etag() {
        let server = TestServer::start(OPEN_DAY).await;
        let url = server.url("/api/v1/offices/main/status");
        let first = server.client.get(&url).send().await.expect("sent");
        let etag = first.headers()["etag"].clone();
        let again = server
            .client
            .get(&url)
            .header("if-none-match", etag)
            .send()
            .await
            .expect("sent");
        assert_eq!(again.status(), 304);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_viewers_all_get_the_update() {
    // CI machines may have a soft limit of 1,024 open files; each viewer is two sockets here.
    let (_, hard) = rlimit::Resource::NOFILE.get().expect("rlimit");
    rlimit::Resource::NOFILE
        .set(hard.min(65_536), hard)
        .expect("raise the open-file limit");
    let server = TestServer::start(OPEN_DAY).await;
    let base = server.base.replace("http://", "ws://");
    let mut viewers = Vec::new();
    for _ in 0..1000 {
        let url = format!("{base}/api/v1/offices/main/live");
        let (socket, _) = connect_async(url).await.expect("connected");
        let mut viewer = Viewer::new(socket);
        next_json(&mut viewer).await;
        viewers.push(viewer);
    }
    let ticket = server.issue("renewal").await;
    let mut tasks = Vec::new();
    for mut viewer in viewers {
        tasks.push(tokio::spawn(async move {
            snapshot_where(&mut viewer, |s| waiting(s) == 1).await;
        }));
    }
    let mut received = 0;
    for task in tasks {
        task.await.expect("every viewer got the update");
        received += 1;
    }
    assert_eq!(received, 1000);
    let (_, list) = server.get("/api/v1/offices/main/tickets", ADMIN).await;
    assert_eq!(list["tickets"][0]["id"], ticket["id"]);
}
