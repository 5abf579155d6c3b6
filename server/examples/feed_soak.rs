//! Soak (not run by CI): the real `queue-server` binary holding many live viewers for a long
//! time while tickets are issued and called, a share of the viewers never reading a byte.
//! Prints, per window, the reading viewers' delivery latency (p50/p99/max, from sending the
//! issue to receiving the snapshot that shows it), the server's RSS, the feed's connection
//! count and the viewers it dropped for not reading; at the end, the last window against the
//! first. The question it answers: do silent viewers slow the others down, and does memory
//! grow with time (tickets) or with the silent viewers' backlog? (docs/performance.md)
//!
//! ```sh
//! cargo build --release -p queue-server --example feed_soak
//! target/release/examples/feed_soak 10000 10 600 30
//! ```
//! Arguments: viewers (default 10000), percent of them that never read (10), duration in
//! seconds (600), window in seconds (30). One ticket is issued and one called every 500 ms.
//! A silent viewer opens the feed on a socket with a 4 KiB receive buffer, reads nothing,
//! and reconnects every 60 s (a phone that died is replaced by another), so the silent share
//! stays constant for the whole run.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

const NOW: &str = "2026-12-01T09:00:00+09:00";
/// Time between two issues (and two calls).
const TICK: Duration = Duration::from_millis(500);
/// How long a silent viewer stays before another takes its place.
const SILENT_LIFETIME: Duration = Duration::from_secs(60);

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

/// The server, killed and reaped when dropped.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn seq_of(text: &str) -> Option<u64> {
    let at = text.find("\"seq\":")? + 6;
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// One Prometheus sample without labels.
async fn metric(http: &reqwest::Client, base: &str, name: &str) -> u64 {
    let Ok(response) = http.get(format!("{base}/metrics")).send().await else {
        return 0;
    };
    let text = response.text().await.unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

/// What the reading viewers saw in the current window: (seq, when received).
type Receipts = Arc<Mutex<Vec<(u64, Instant)>>>;
/// When each seq's issue was sent.
type Sent = Arc<Mutex<std::collections::HashMap<u64, Instant>>>;

async fn reading_viewer(ws: String, receipts: Receipts, connected: Arc<AtomicU64>) {
    let (mut socket, _) = loop {
        match connect_async(&ws).await {
            Ok(ok) => break ok,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    connected.fetch_add(1, Ordering::Relaxed);
    let mut seen = 0;
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Text(text) = message
            && let Some(seq) = seq_of(&text)
            && seq > seen
        {
            seen = seq;
            let at = Instant::now();
            if let Ok(mut receipts) = receipts.lock() {
                receipts.push((seq, at));
            }
        }
    }
    connected.fetch_sub(1, Ordering::Relaxed);
}

async fn silent_viewer(address: String, stop: Arc<AtomicBool>) {
    let handshake = format!(
        "GET /api/v1/offices/main/live HTTP/1.1\r\nHost: {address}\r\nConnection: Upgrade\r\n\
         Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    while !stop.load(Ordering::Relaxed) {
        let Ok(socket) = tokio::net::TcpSocket::new_v4() else {
            return;
        };
        let _ = socket.set_recv_buffer_size(4096);
        let Ok(target) = address.parse() else { return };
        if let Ok(mut stream) = socket.connect(target).await
            && stream.write_all(handshake.as_bytes()).await.is_ok()
        {
            tokio::time::sleep(SILENT_LIFETIME).await;
        } else {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |index: usize, default: u64| {
        args.get(index)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let viewers = arg(1, 10_000) as usize;
    let silent_percent = arg(2, 10).min(100) as usize;
    let duration = Duration::from_secs(arg(3, 600));
    let window = Duration::from_secs(arg(4, 30).max(1));
    let silent = viewers * silent_percent / 100;
    let reading = viewers - silent;
    let (_, hard) = rlimit::Resource::NOFILE.get().expect("rlimit");
    rlimit::Resource::NOFILE
        .set(hard.min(1 << 20), hard)
        .expect("raise open-file limit");

    let exe = std::env::current_exe().expect("exe");
    let target = exe
        .parent()
        .and_then(|p| p.parent())
        .expect("target dir")
        .to_path_buf();
    let server_bin = target.join("queue-server");
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = Spawned(
        Command::new(&server_bin)
            .args(["--listen", "127.0.0.1:0", "--now", NOW, "--data"])
            .arg(data.path())
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn queue-server"),
    );
    let mut lines = BufReader::new(child.0.stdout.take().expect("stdout")).lines();
    let base = loop {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(base) = line.strip_prefix("listening on ") {
            break base.to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let pid = child.0.id();
    let token = {
        let output = Command::new(&server_bin)
            .arg("--data")
            .arg(data.path())
            .args(["token", "create", "--role", "admin", "--name", "soak"])
            .output()
            .expect("token create");
        assert!(output.status.success(), "token create failed");
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    };
    let address = base.trim_start_matches("http://").to_string();
    let ws = format!("ws://{address}/api/v1/offices/main/live");
    let http = reqwest::Client::new();

    let receipts: Receipts = Arc::default();
    let sent: Sent = Arc::default();
    let connected = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    println!(
        "# viewers={viewers} reading={reading} silent={silent} duration_s={} window_s={}",
        duration.as_secs(),
        window.as_secs()
    );
    let rss_before = rss_kib(pid);
    let started = Instant::now();
    for index in 0..viewers {
        if index < silent {
            tokio::spawn(silent_viewer(address.clone(), stop.clone()));
        } else {
            tokio::spawn(reading_viewer(
                ws.clone(),
                receipts.clone(),
                connected.clone(),
            ));
        }
        if index % 500 == 499 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    while connected.load(Ordering::Relaxed) < reading as u64
        && started.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "# connected {} reading viewers in {:.1} s; server RSS {} MiB before, {} MiB after",
        connected.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        rss_before / 1024,
        rss_kib(pid) / 1024
    );

    // Staff: counter 1 open, one issue and one call per tick.
    let tickets = format!("{base}/api/v1/offices/main/tickets");
    let status = format!("{base}/api/v1/offices/main/status");
    let call = format!("{base}/api/v1/offices/main/counters/1/call-next");
    let open = format!("{base}/api/v1/offices/main/counters/1/open");
    let _ = http.post(&open).bearer_auth(&token).send().await;
    let staff = {
        let (http, token, sent, stop) = (http.clone(), token.clone(), sent.clone(), stop.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(TICK);
            let mut issued = 0u64;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let sent_at = Instant::now();
                let Ok(reply) = http
                    .post(&tickets)
                    .bearer_auth(&token)
                    .json(&serde_json::json!({ "service": "renewal" }))
                    .send()
                    .await
                else {
                    continue;
                };
                if reply.status() != 201 {
                    continue;
                }
                issued += 1;
                if let Ok(text) = http.get(&status).send().await
                    && let Ok(text) = text.text().await
                    && let Some(seq) = seq_of(&text)
                    && let Ok(mut sent) = sent.lock()
                {
                    sent.insert(seq, sent_at);
                }
                let _ = http.post(&call).bearer_auth(&token).send().await;
            }
            issued
        })
    };

    println!(
        "t_s\tsamples\tp50_ms\tp99_ms\tmax_ms\treaders\tfeed_connections\tdropped_slow\trss_mib"
    );
    let mut rows: Vec<(f64, f64)> = Vec::new();
    let run_start = Instant::now();
    while run_start.elapsed() < duration {
        tokio::time::sleep(window).await;
        let window_receipts = std::mem::take(&mut *receipts.lock().expect("receipts"));
        let mut latencies: Vec<f64> = {
            let sent = sent.lock().expect("sent");
            window_receipts
                .iter()
                .filter_map(|(seq, at)| {
                    sent.get(seq)
                        .map(|sent_at| at.saturating_duration_since(*sent_at).as_secs_f64() * 1e3)
                })
                .collect()
        };
        latencies.sort_by(|a, b| a.total_cmp(b));
        let p99 = percentile(&latencies, 0.99);
        let rss = rss_kib(pid) as f64 / 1024.0;
        rows.push((p99, rss));
        println!(
            "{:.0}\t{}\t{:.1}\t{:.1}\t{:.1}\t{}\t{}\t{}\t{:.0}",
            run_start.elapsed().as_secs_f64(),
            latencies.len(),
            percentile(&latencies, 0.5),
            p99,
            latencies.last().copied().unwrap_or(f64::NAN),
            connected.load(Ordering::Relaxed),
            metric(&http, &base, "feed_connections").await,
            metric(&http, &base, "feed_viewers_dropped_slow_total").await,
            rss,
        );
    }
    stop.store(true, Ordering::Relaxed);
    let issued = staff.await.unwrap_or(0);
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        println!(
            "# issued {issued} tickets; p99 first window {:.1} ms, last {:.1} ms (x{:.2}); RSS first {:.0} MiB, last {:.0} MiB (x{:.2})",
            first.0,
            last.0,
            last.0 / first.0,
            first.1,
            last.1,
            last.1 / first.1
        );
    }
    drop(child);
}
