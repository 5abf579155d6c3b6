//! Benchmark (not run by CI): N WebSocket viewers on the live feed of the real `queue-server`
//! binary and, in the same run, on three baselines: a minimal axum broadcast server (default
//! settings, one shared frame through a `watch` channel: the plain ceiling of this stack), the
//! floor (`raw_server`: each frame encoded once and written to every socket from a tight loop,
//! no reading, no pings) and a Node.js `ws` broadcast server (`feed_viewers/ws_server.js`, skipped by name when `node` or its
//! `ws` package is missing). The minimal server sends frames of our size (a copy of the change
//! frame our viewers received last); Node sends today's whole snapshot (the status JSON) and,
//! in a second round, our frame. Prints, for each: delivery latency p50/p99/max from the
//! trigger's reply to each viewer's receipt, missed updates, bytes per update frame, server
//! memory per idle viewer (RSS growth / N), then the p99 ratios.
//!
//! The viewers are this program's own lean client ([`Viewer`]): it shares the two cores with
//! the server, so every microsecond it spends per frame is in every server's figures alike and
//! hides what separates them.
//!
//! ```sh
//! cargo build --release -p queue-server --bin queue-server --example feed_viewers
//! npm install --prefix /tmp/nodews ws        # once; or Debian's node-ws
//! NODE_PATH=/tmp/nodews/node_modules ./target/release/examples/feed_viewers 10000 20
//! ```
//! Arguments: viewers (default 1000), updates (default 20), and `ours` to measure only
//! queue-server. The minimal server and the floor are this same program started with
//! `--minimal-server FRAME_FILE` or `--raw-server FRAME_FILE`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const NOW: &str = "2026-12-01T10:00:00+09:00";

/// The minimal axum broadcast server: a watch channel of the latest frame, every viewer sent
/// the current value and each change; `POST /bump` publishes a new one. Default buffer sizes.
async fn minimal_server(template: String) {
    use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
    use axum::routing::{get, post};
    use axum::{Router, extract::State};
    use tokio::sync::watch;
    async fn viewer(mut socket: WebSocket, mut latest: watch::Receiver<Utf8Bytes>) {
        let first = latest.borrow_and_update().clone();
        if socket.send(Message::Text(first)).await.is_err() {
            return;
        }
        while latest.changed().await.is_ok() {
            let frame = latest.borrow_and_update().clone();
            if socket.send(Message::Text(frame)).await.is_err() {
                return;
            }
        }
    }
    async fn live(
        ws: WebSocketUpgrade,
        State(latest): State<Arc<Latest>>,
    ) -> axum::response::Response {
        let receiver = latest.0.subscribe();
        ws.on_upgrade(move |socket| viewer(socket, receiver))
    }
    type Latest = (
        watch::Sender<Utf8Bytes>,
        String,
        std::sync::atomic::AtomicU64,
    );
    async fn bump(State(latest): State<Arc<Latest>>) -> &'static str {
        let (frames, template, seq) = &*latest;
        let seq = seq.fetch_add(1, Ordering::Relaxed) + 1;
        frames.send_replace(Utf8Bytes::from(with_seq(template, seq)));
        "ok"
    }
    let latest = Arc::new((
        watch::Sender::new(Utf8Bytes::from(with_seq(&template, 1))),
        template,
        std::sync::atomic::AtomicU64::new(1),
    ));
    let app = Router::new()
        .route("/live", get(live))
        .route("/bump", post(bump))
        .with_state(latest);
    axum::serve(listen().await, app).await.expect("serve");
}

/// A baseline's listener on a free loopback port, announced as the benchmark reads it.
async fn listen() -> tokio::net::TcpListener {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!(
        "listening on http://{}",
        listener.local_addr().expect("addr")
    );
    listener
}

/// The floor: a broadcast that encodes each frame once and writes the same bytes to every
/// socket from a tight loop (two halves, one task each), with no task per viewer, no reading
/// and no pings. What the sockets and the client cost, and nothing else.
async fn raw_server(template: String) {
    use axum::Router;
    use axum::extract::{Request, State};
    use axum::http::{StatusCode, header};
    use axum::response::Response;
    use axum::routing::{get, post};
    use hyper_util::rt::TokioIo;
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpStream;
    struct Hub {
        sockets: std::sync::Mutex<Vec<Arc<TcpStream>>>,
        frame: std::sync::Mutex<Arc<Vec<u8>>>,
        template: String,
        seq: AtomicU64,
    }
    fn encode(text: &str) -> Vec<u8> {
        use tokio_tungstenite::tungstenite::protocol::frame::Frame;
        use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
        let mut out = Vec::with_capacity(text.len() + 10);
        Frame::message(text.to_string(), OpCode::Data(Data::Text), true)
            .format(&mut out)
            .expect("encoded");
        out
    }
    async fn live(State(hub): State<Arc<Hub>>, mut request: Request) -> Response {
        let key = request
            .headers()
            .get("sec-websocket-key")
            .cloned()
            .expect("key");
        let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
        let upgrade = hyper::upgrade::on(&mut request);
        tokio::spawn(async move {
            let upgraded = upgrade.await.expect("upgrade");
            let parts = upgraded
                .downcast::<TokioIo<TcpStream>>()
                .map_err(|_| ())
                .expect("tcp");
            let mut stream = parts.io.into_inner();
            let first = hub.frame.lock().expect("frame").clone();
            if stream.write_all(&first).await.is_err() {
                return;
            }
            hub.sockets.lock().expect("sockets").push(Arc::new(stream));
        });
        Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::CONNECTION, "upgrade")
            .header(header::UPGRADE, "websocket")
            .header("sec-websocket-accept", accept)
            .body(axum::body::Body::empty())
            .expect("response")
    }
    async fn bump(State(hub): State<Arc<Hub>>) -> &'static str {
        let seq = hub.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let frame = Arc::new(encode(&with_seq(&hub.template, seq)));
        *hub.frame.lock().expect("frame") = frame.clone();
        let sockets: Vec<Arc<TcpStream>> = hub.sockets.lock().expect("sockets").clone();
        let sockets = Arc::new(sockets);
        let half = sockets.len() / 2;
        for (from, to) in [(0, half), (half, sockets.len())] {
            let sockets = sockets.clone();
            let frame = frame.clone();
            tokio::spawn(async move {
                // A frame the socket takes in part is cut short: that viewer counts as missed.
                for socket in &sockets[from..to] {
                    let _ = socket.try_write(&frame);
                }
            });
        }
        "ok"
    }
    let hub = Arc::new(Hub {
        sockets: Default::default(),
        frame: std::sync::Mutex::new(Arc::new(encode(&with_seq(&template, 1)))),
        template,
        seq: AtomicU64::new(1),
    });
    let app = Router::new()
        .route("/live", get(live))
        .route("/bump", post(bump))
        .with_state(hub);
    let listener = listen().await;
    loop {
        let (stream, _) = listener.accept().await.expect("accept");
        stream.set_nodelay(true).expect("nodelay");
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(
            hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades(),
        );
    }
}

/// `template` with its first `"seq":N` made `"seq":seq`: a baseline's next frame, of the same
/// size as the frame it copies.
fn with_seq(template: &str, seq: u64) -> String {
    match template.find("\"seq\":") {
        Some(at) => {
            let digits = template[at + 6..]
                .chars()
                .take_while(char::is_ascii_digit)
                .count();
            format!(
                "{}\"seq\":{seq}{}",
                &template[..at],
                &template[at + 6 + digits..]
            )
        }
        None => template.to_string(),
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// A child server, killed and reaped when dropped.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a child and waits for its `listening on` line; returns it, its base URL and the
/// admin token from the file it named (if it made one).
fn start(mut command: Command) -> (Spawned, String, Option<String>) {
    let mut child = Spawned(
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn"),
    );
    let mut lines = BufReader::new(child.0.stdout.take().expect("stdout")).lines();
    let mut token = None;
    loop {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(file) = line.strip_prefix("admin token file: ") {
            let secret = std::fs::read_to_string(file).expect("the admin token file");
            token = Some(secret.trim().to_string());
        }
        if let Some(base) = line.strip_prefix("listening on ") {
            return (child, base.to_string(), token);
        }
    }
}

/// One benchmark viewer's socket, read with as little work as a client can do, so that the
/// client (on the same two cores as the server) costs the measurement as little as it can: the
/// WebSocket handshake written by hand, the server's frames (never masked) read in place from
/// one reused buffer (tungstenite's `FrameHeader` parses their headers), the `seq` found by a
/// byte search, a ping answered with its pong. No task
/// wake-up beyond the socket's own, no allocation per frame, no shared lock.
struct Viewer {
    stream: tokio::net::TcpStream,
    /// Bytes read and not yet parsed, from the start of a frame.
    buffer: Vec<u8>,
}

impl Viewer {
    /// Connects to `ws_url` (`ws://host:port/path`) and completes the opening handshake.
    async fn connect(ws_url: &str) -> std::io::Result<Self> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let rest = ws_url.strip_prefix("ws://").unwrap_or(ws_url);
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut stream = tokio::net::TcpStream::connect(host).await?;
        stream.set_nodelay(true)?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await?;
        let mut buffer = Vec::with_capacity(8192);
        let head_end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            if stream.read_buf(&mut buffer).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        };
        if !buffer.starts_with(b"HTTP/1.1 101") {
            return Err(std::io::Error::other("the handshake was refused"));
        }
        buffer.drain(..head_end);
        Ok(Self { stream, buffer })
    }

    /// Reads what the socket has, calls `on_text` with each whole text frame's payload, then
    /// answers pings. Returns false when the connection ended.
    async fn read_frames(&mut self, mut on_text: impl FnMut(&[u8])) -> bool {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
        use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, Data, OpCode};
        if self.buffer.capacity() - self.buffer.len() < 4096 {
            self.buffer.reserve(4096);
        }
        match self.stream.read_buf(&mut self.buffer).await {
            Ok(0) | Err(_) => return false,
            Ok(_) => {}
        }
        let mut at = 0;
        let mut pongs = Vec::new();
        loop {
            let mut cursor = std::io::Cursor::new(&self.buffer[at..]);
            let (header, length) = match FrameHeader::parse(&mut cursor) {
                Ok(Some(parsed)) => parsed,
                Ok(None) => break,
                Err(_) => return false,
            };
            let start = at + cursor.position() as usize;
            let end = start + length as usize;
            if self.buffer.len() < end {
                break;
            }
            let payload = &self.buffer[start..end];
            match header.opcode {
                OpCode::Control(Control::Close) => return false,
                OpCode::Control(Control::Ping) => pongs.push(masked_pong(payload)),
                OpCode::Data(Data::Text) => on_text(payload),
                _ => {}
            }
            at = end;
        }
        self.buffer.drain(..at);
        for pong in pongs {
            if self.stream.write_all(&pong).await.is_err() {
                return false;
            }
        }
        true
    }
}

/// A pong for `payload`, masked as every client frame must be.
fn masked_pong(payload: &[u8]) -> Vec<u8> {
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    let mut pong = Frame::pong(payload.to_vec());
    pong.header_mut().mask = Some([0x12, 0x34, 0x56, 0x78]);
    let mut out = Vec::with_capacity(pong.len());
    pong.format(&mut out).expect("a frame written to memory");
    out
}

/// The top-level `seq` of a frame's JSON (the first `"seq":` in it).
fn seq_in(payload: &[u8]) -> Option<u64> {
    let at = payload.windows(6).position(|w| w == b"\"seq\":")? + 6;
    let digits = payload[at..].iter().take_while(|b| b.is_ascii_digit());
    let mut seq = 0u64;
    let mut any = false;
    for digit in digits {
        seq = seq.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
        any = true;
    }
    any.then_some(seq)
}

/// One viewer's receipts: each new `seq` and when it was read.
type Receipts = Vec<(u64, Instant)>;

struct Figures {
    p50: f64,
    p99: f64,
    max: f64,
    missed: u64,
    kib_per_viewer: f64,
    /// Mean bytes of the update frames one viewer received.
    frame_bytes: f64,
    /// The last update frame that viewer received.
    last_frame: String,
}

/// Connects `n` viewers to `ws_url`, then makes `updates` changes with `trigger` (which returns
/// after the server's reply and yields the seq the viewers must reach and when the reply came).
async fn measure<F, Fut>(
    pid: u32,
    ws_url: &str,
    n: usize,
    updates: usize,
    mut trigger: F,
) -> Figures
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = (u64, Instant)>,
{
    let before = rss_kib(pid);
    let seen: Arc<Vec<AtomicU64>> = Arc::new((0..n).map(|_| AtomicU64::new(0)).collect());
    // Each viewer's receipts, behind its own lock (only taken again at the end).
    let receipts: Arc<Vec<std::sync::Mutex<Receipts>>> =
        Arc::new((0..n).map(|_| std::sync::Mutex::default()).collect());
    // Viewer 0's update frames (after its first), for their size.
    let frames: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
    let mut tasks = Vec::with_capacity(n);
    for index in 0..n {
        let mut viewer = loop {
            match Viewer::connect(ws_url).await {
                Ok(viewer) => break viewer,
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        };
        let seen = seen.clone();
        let receipts = receipts.clone();
        let frames = frames.clone();
        tasks.push(tokio::spawn(async move {
            let mut first = true;
            let mut alive = true;
            while alive {
                alive = viewer
                    .read_frames(|payload| {
                        let Some(seq) = seq_in(payload) else {
                            return;
                        };
                        let at = Instant::now();
                        if seq > seen[index].swap(seq, Ordering::Relaxed) {
                            receipts[index].lock().expect("receipts").push((seq, at));
                            if index == 0 && !std::mem::take(&mut first) {
                                frames
                                    .lock()
                                    .expect("frames")
                                    .push(String::from_utf8_lossy(payload).into_owned());
                            }
                        }
                    })
                    .await;
            }
        }));
    }
    // Let every viewer get its first snapshot, then read the idle memory.
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.iter().any(|s| s.load(Ordering::Relaxed) == 0) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = rss_kib(pid);
    let mut sent = Vec::new();
    for _ in 0..updates {
        let (seq, replied) = trigger().await;
        sent.push((seq, replied));
        // Wait until every viewer has it (or 5 s), so updates do not overlap.
        let until = Instant::now() + Duration::from_secs(5);
        while seen.iter().any(|s| s.load(Ordering::Relaxed) < seq) && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let mut missed = 0;
    for (seq, _) in &sent {
        missed += seen
            .iter()
            .filter(|s| s.load(Ordering::Relaxed) < *seq)
            .count() as u64;
    }
    for task in &tasks {
        task.abort();
    }
    let receipts: Vec<(u64, Instant)> = receipts
        .iter()
        .flat_map(|viewer| viewer.lock().expect("receipts").clone())
        .collect();
    let mut latencies: Vec<f64> = Vec::new();
    for (seq, at) in receipts {
        if let Some((_, replied)) = sent.iter().find(|(s, _)| *s == seq) {
            latencies.push(at.saturating_duration_since(*replied).as_secs_f64() * 1000.0);
        }
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let frames = frames.lock().expect("frames").clone();
    let frame_bytes =
        frames.iter().map(String::len).sum::<usize>() as f64 / frames.len().max(1) as f64;
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    Figures {
        p50: pick(0.5),
        p99: pick(0.99),
        max: latencies.last().copied().unwrap_or(f64::NAN),
        missed,
        kib_per_viewer: idle.saturating_sub(before) as f64 / n as f64,
        frame_bytes,
        last_frame: frames.last().cloned().unwrap_or_default(),
    }
}

fn print(name: &str, n: usize, figures: &Figures) {
    println!(
        "{name:<22} viewers={n:<6} p50_ms={:>7.2} p99_ms={:>7.2} max_ms={:>7.2} missed={:<4} frame_bytes={:>6.0} server_kib_per_idle_viewer={:.2}",
        figures.p50,
        figures.p99,
        figures.max,
        figures.missed,
        figures.frame_bytes,
        figures.kib_per_viewer
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--raw-server") {
        let file = args.get(at + 1).expect("--raw-server FRAME_FILE");
        raw_server(std::fs::read_to_string(file).expect("the frame file")).await;
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--minimal-server") {
        let file = args.get(at + 1).expect("--minimal-server FRAME_FILE");
        minimal_server(std::fs::read_to_string(file).expect("the frame file")).await;
        return;
    }
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let updates: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20);
    let (_, hard) = rlimit::Resource::NOFILE.get().expect("rlimit");
    rlimit::Resource::NOFILE
        .set(hard.min(1 << 20), hard)
        .expect("raise open-file limit");

    let exe = std::env::current_exe().expect("exe");
    let server_bin = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("queue-server"))
        .expect("target dir");
    let data = tempfile::tempdir().expect("tempdir");
    let mut command = Command::new(&server_bin);
    command
        .args(["--listen", "127.0.0.1:0", "--now", NOW, "--data"])
        .arg(data.path())
        .env("RUST_LOG", "error");
    let (server, base, token) = start(command);
    let token = token.expect("admin token");
    let http = reqwest::Client::new();
    let url = format!("{base}/api/v1/offices/main/tickets");
    let status = format!("{base}/api/v1/offices/main/status");
    let ws = format!(
        "{}/api/v1/offices/main/live",
        base.replace("http://", "ws://")
    );
    let ours = measure(server.0.id(), &ws, n, updates, || {
        let (http, url, status, token) = (http.clone(), url.clone(), status.clone(), token.clone());
        async move {
            let reply = http
                .post(&url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(r#"{"service":"renewal"}"#)
                .send()
                .await
                .expect("issue");
            let replied = Instant::now();
            assert_eq!(reply.status(), 201);
            let text = http
                .get(&status)
                .send()
                .await
                .expect("status")
                .text()
                .await
                .expect("body");
            (seq_in(text.as_bytes()).expect("seq"), replied)
        }
    })
    .await;
    let snapshot = http
        .get(&status)
        .send()
        .await
        .expect("status")
        .text()
        .await
        .expect("body");
    drop(server);
    if args.get(3).is_some_and(|a| a == "ours") {
        print("queue-server", n, &ours);
        return;
    }
    let frames = tempfile::tempdir().expect("tempdir");
    let ours_file = frames.path().join("ours.json");
    let snapshot_file = frames.path().join("snapshot.json");
    std::fs::write(&ours_file, &ours.last_frame).expect("frame file");
    std::fs::write(&snapshot_file, &snapshot).expect("frame file");

    let http_ref = &http;
    let baseline = |command: Command| async move {
        let (child, base, _) = start(command);
        let bump = format!("{base}/bump");
        let ws = format!("{}/live", base.replace("http://", "ws://"));
        // The first frame is seq 1 (a viewer counts as connected once it has a seq).
        let counter = Arc::new(AtomicU64::new(1));
        let figures = measure(child.0.id(), &ws, n, updates, || {
            let (http, bump, counter) = (http_ref.clone(), bump.clone(), counter.clone());
            async move {
                http.post(&bump).send().await.expect("bump");
                (counter.fetch_add(1, Ordering::Relaxed) + 1, Instant::now())
            }
        })
        .await;
        drop(child);
        figures
    };
    let mut command = Command::new(&exe);
    command.arg("--minimal-server").arg(&ours_file);
    let minimal = baseline(command).await;
    let mut command = Command::new(&exe);
    command.arg("--raw-server").arg(&ours_file);
    let raw = baseline(command).await;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/feed_viewers/ws_server.js");
    let node_ready = Command::new("node")
        .args(["-e", "require('ws')"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let mut node = Vec::new();
    if node_ready {
        for (name, file) in [
            ("node-ws-snapshot", &snapshot_file),
            ("node-ws-our-frames", &ours_file),
        ] {
            let mut command = Command::new("node");
            command.arg(&script).arg(file);
            node.push((name, baseline(command).await));
        }
    }

    print("queue-server", n, &ours);
    print("minimal-axum-our-frames", n, &minimal);
    print("floor-raw-writes", n, &raw);
    for (name, figures) in &node {
        print(name, n, figures);
    }
    if !node_ready {
        println!("node-ws skipped: `node` with the `ws` package not found (set NODE_PATH)");
    }
    println!(
        "p99_ratio_ours_over_minimal_axum {:.2}",
        ours.p99 / minimal.p99
    );
    println!(
        "p99_ratio_ours_over_floor_raw_writes {:.2}",
        ours.p99 / raw.p99
    );
    for (name, figures) in &node {
        println!("p99_ratio_ours_over_{name} {:.2}", ours.p99 / figures.p99);
    }
}
