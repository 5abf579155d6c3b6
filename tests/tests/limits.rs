//! The real server under the load a deployment must hold (issue 12): it raises its own limit on
//! open files, caps live viewers so staff always have room, closes connections that never
//! finish a request head or sit idle, drops viewers that stop reading while the others keep
//! receiving, and can serve its operators' routes on an address of their own.
//!
//! Raw TCP sockets stand in for slow or silent clients. No timing is asserted beyond generous
//! deadlines; the timeouts are shortened with the server's own options.

mod common;

use std::time::{Duration, Instant};

use common::{OPEN_DAY, Server, Staff, create_token};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite;

const LIVE: &str = "/api/v1/offices/main/live";

fn ws_url(server: &Server) -> String {
    format!("ws://{}{LIVE}", server.address())
}

type Viewer =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A viewer that has received its first snapshot.
async fn viewer(server: &Server) -> Viewer {
    let (mut socket, _) = tokio_tungstenite::connect_async(ws_url(server))
        .await
        .expect("viewer connected");
    let first = tokio::time::timeout(Duration::from_secs(30), socket.next())
        .await
        .expect("first frame in time")
        .expect("a frame")
        .expect("a good frame");
    assert!(first.is_text());
    socket
}

/// Reads until the server closes the connection, giving up after `within`; the bytes read.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| bytes)
}

/// One Prometheus sample without labels.
async fn metric(base: &str, name: &str) -> u64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
}

/// A route hyper answers, and the status route, which the connection answers itself before
/// hyper: the limits hold on both.
const PATHS: [&str; 2] = ["/api/v1/offices", "/api/v1/offices/main/status"];

/// A client that sends half a request head and then nothing (slow loris) is disconnected.
#[tokio::test]
async fn a_request_head_that_never_completes_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--now", OPEN_DAY, "--header-timeout", "1"]);
    for path in PATHS {
        let mut stream = TcpStream::connect(server.address()).await.unwrap();
        stream
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: queue\r\nX-Slow: ").as_bytes())
            .await
            .unwrap();
        let closed = read_until_closed(&mut stream, Duration::from_secs(20)).await;
        assert!(
            closed.is_some(),
            "{path}: the half-sent head kept its connection"
        );
    }
}

/// A keep-alive connection that sends nothing after its answer is closed.
#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--now", OPEN_DAY, "--header-timeout", "1"]);
    for path in PATHS {
        let mut stream = TcpStream::connect(server.address()).await.unwrap();
        stream
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: queue\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let answered = read_until_closed(&mut stream, Duration::from_secs(20))
            .await
            .expect("the idle connection was closed");
        assert!(
            answered.starts_with(b"HTTP/1.1 200"),
            "{path}: {}",
            String::from_utf8_lossy(&answered)
        );
    }
}

/// A viewer that opens the feed and never reads fills its socket; the server drops it once a
/// send cannot complete, while a viewer that reads keeps receiving every change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_that_never_reads_is_dropped_while_a_reading_viewer_keeps_receiving() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--now", OPEN_DAY, "--send-timeout", "1"]);
    let staff = Staff::new(&server, &create_token(dir.path(), "issuer", "desk"));

    // The silent viewer: a WebSocket handshake on a socket with a small receive buffer, then
    // not one byte read.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut silent = socket
        .connect(server.address().parse().unwrap())
        .await
        .unwrap();
    let handshake = format!(
        "GET {LIVE} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        server.address()
    );
    silent.write_all(handshake.as_bytes()).await.unwrap();

    let mut reader = viewer(&server).await;
    let received = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counting = {
        let received = received.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = reader.next().await {
                if message.is_text() {
                    received.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            }
        })
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut issued = 0;
    while metric(&server.base, "feed_viewers_dropped_slow_total").await == 0 {
        assert!(
            Instant::now() < deadline,
            "the silent viewer was never dropped"
        );
        for _ in 0..20 {
            let (status, _) = staff
                .post(
                    "/api/v1/offices/main/tickets",
                    Some(json!({ "service": "renewal" })),
                )
                .await;
            assert_eq!(status, 201);
            issued += 1;
        }
    }
    assert_eq!(
        metric(&server.base, "feed_connections").await,
        1,
        "the reader stays"
    );

    // The reader still receives: one more change reaches it.
    let before = received.load(std::sync::atomic::Ordering::SeqCst);
    assert!(before > 0);
    let (status, _) = staff
        .post(
            "/api/v1/offices/main/tickets",
            Some(json!({ "service": "renewal" })),
        )
        .await;
    assert_eq!(status, 201);
    let deadline = Instant::now() + Duration::from_secs(30);
    while received.load(std::sync::atomic::Ordering::SeqCst) == before {
        assert!(Instant::now() < deadline, "the reader stopped receiving");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!counting.is_finished(), "the reader was disconnected");
    // The silent viewer's connection is gone: reading what was buffered ends.
    let closed = read_until_closed(&mut silent, Duration::from_secs(30)).await;
    assert!(
        closed.is_some(),
        "the silent viewer is still connected ({issued} issued)"
    );
}

/// Beyond `--max-viewers`, `/live` answers 503 with the JSON envelope; the status JSON still
/// answers, and a viewer that leaves makes room for another.
#[tokio::test]
async fn viewers_beyond_the_maximum_are_refused_but_the_status_json_has_room() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--now", OPEN_DAY, "--max-viewers", "2"]);
    let first = viewer(&server).await;
    let _second = viewer(&server).await;

    let refused = tokio_tungstenite::connect_async(ws_url(&server)).await;
    let Err(tungstenite::Error::Http(response)) = refused else {
        panic!("a third viewer was let in");
    };
    assert_eq!(response.status(), 503);
    let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "too_many_viewers");

    let status = reqwest::get(server.url("/api/v1/offices/main/status"))
        .await
        .unwrap();
    assert_eq!(status.status(), 200);
    assert_eq!(metric(&server.base, "feed_viewers_refused_total").await, 1);

    drop(first);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if tokio_tungstenite::connect_async(ws_url(&server))
            .await
            .is_ok()
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a freed place was never given again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Started under a soft limit of 256 open files (a plain unit leaves 1,024), the server raises
/// it to the hard limit and holds 400 viewers, each with its first snapshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_raises_its_open_file_limit_and_holds_more_viewers_than_it_started_with() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with_open_files(dir.path(), 256, &["--now", OPEN_DAY]);
    #[cfg(target_os = "linux")]
    {
        let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.child.id()))
            .expect("the server's limits");
        let line = limits
            .lines()
            .find(|line| line.starts_with("Max open files"))
            .expect("open files line");
        let numbers: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
        assert_eq!(numbers[0], numbers[1], "soft limit not raised: {line}");
    }
    let viewers = futures_util::future::join_all((0..400).map(|_| {
        let url = ws_url(&server);
        async move {
            let (mut socket, _) = tokio_tungstenite::connect_async(url).await.ok()?;
            let first = tokio::time::timeout(Duration::from_secs(60), socket.next())
                .await
                .ok()??
                .ok()?;
            first.is_text().then_some(socket)
        }
    }))
    .await;
    let connected = viewers.iter().filter(|viewer| viewer.is_some()).count();
    assert_eq!(connected, 400);
    let status = reqwest::get(server.url("/api/v1/offices/main/status"))
        .await
        .unwrap();
    assert_eq!(status.status(), 200);
}

/// With `--admin-listen`, `/healthz` and `/metrics` answer only there, and nothing else does;
/// without it they answer on the main address as before.
#[tokio::test]
async fn health_and_metrics_move_to_the_admin_address_when_one_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let together = Server::start(dir.path(), &["--now", OPEN_DAY]);
    assert!(together.admin_base.is_none());
    for path in ["/healthz", "/metrics"] {
        let response = reqwest::get(together.url(path)).await.unwrap();
        assert_eq!(response.status(), 200, "{path} on the main address");
    }
    drop(together);

    let dir = tempfile::tempdir().unwrap();
    let apart = Server::start(
        dir.path(),
        &["--now", OPEN_DAY, "--admin-listen", "127.0.0.1:0"],
    );
    let admin = apart.admin_base.clone().expect("admin address printed");
    assert_ne!(admin, apart.base);
    for path in ["/healthz", "/metrics"] {
        let public = reqwest::get(apart.url(path)).await.unwrap();
        assert_eq!(public.status(), 404, "{path} on the public address");
        let body: Value = public.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        let private = reqwest::get(format!("{admin}{path}")).await.unwrap();
        assert_eq!(private.status(), 200, "{path} on the admin address");
    }
    let health: Value = reqwest::get(format!("{admin}/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let public_only = reqwest::get(format!("{admin}/api/v1/offices/main/status"))
        .await
        .unwrap();
    assert_eq!(
        public_only.status(),
        404,
        "the admin address serves only its routes"
    );
    let status = reqwest::get(apart.url("/api/v1/offices/main/status"))
        .await
        .unwrap();
    assert_eq!(status.status(), 200);
}
