//! Benchmark (not run by CI): durable ticket issues per second with concurrent staff clients,
//! against the real router, the real SQLite store (WAL, `synchronous=FULL`) and real HTTP on
//! loopback; and, for comparison, this disk's own rate of small write+fsync cycles.
//!
//! `cargo run --release -p queue-server --example issue_throughput -- [CLIENTS] [SECONDS] [DIR]`
//! (defaults 64 clients, 5 s, a temporary directory under ./target).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use queue_server::auth::hash_secret;
use queue_server::clock::StartedClock;
use queue_server::config::Config;
use queue_server::store::Store;

const TOKEN: &str = "qs_bench_issuer";

fn fsyncs_per_second(dir: &std::path::Path, seconds: f64) -> f64 {
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path).expect("probe file");
    let start = Instant::now();
    let mut count = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        file.write_all(&[0u8; 512]).expect("write");
        file.sync_data().expect("fsync");
        count += 1;
    }
    let _ = std::fs::remove_file(&path);
    count as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(64);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let base_dir = args
        .get(3)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    std::fs::create_dir_all(&base_dir).expect("bench dir");
    let dir = tempfile::tempdir_in(&base_dir).expect("tempdir");

    let disk = fsyncs_per_second(dir.path(), 2.0);

    let store = Store::open(dir.path()).await.expect("store");
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
        .expect("instant")
        .with_timezone(&Utc);
    store
        .token_insert("bench", "issuer", &hash_secret(TOKEN), start)
        .await
        .expect("token");
    let settings = queue_server::Settings::new(
        Config::embedded().expect("config"),
        Arc::new(StartedClock::new(start)),
    );
    let server = queue_server::Server::start(settings, store.clone())
        .await
        .expect("started");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/api/v1/offices/main/tickets",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(server.serve(listener, std::future::pending()));

    let issued = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let services = [
        "renewal",
        "legal_representative",
        "legal_representative",
        "proxy_notice",
    ];
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let began = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let url = url.clone();
        let issued = issued.clone();
        let failed = failed.clone();
        let latencies = latencies.clone();
        let body = format!("{{\"service\":\"{}\"}}", services[client % services.len()]);
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut mine = Vec::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                let response = http
                    .post(&url)
                    .bearer_auth(TOKEN)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                match response {
                    Ok(r) if r.status() == 201 => {
                        issued.fetch_add(1, Ordering::Relaxed);
                        mine.push(sent.elapsed());
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies.lock().expect("lock").extend(mine);
        }));
    }
    for task in tasks {
        task.await.expect("client");
    }
    let elapsed = began.elapsed().as_secs_f64();
    let issued = issued.load(Ordering::Relaxed);
    let mut latencies = latencies.lock().expect("lock").clone();
    latencies.sort();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    let events = store.event_count().await.expect("events");
    println!("clients                 {clients}");
    println!("duration_s              {elapsed:.2}");
    println!("issued                  {issued}");
    println!("failed                  {}", failed.load(Ordering::Relaxed));
    println!("events_on_disk          {events}");
    println!("issues_per_s            {:.0}", issued as f64 / elapsed);
    println!("latency_ms_p50          {:.2}", pick(0.50));
    println!("latency_ms_p99          {:.2}", pick(0.99));
    println!("disk_fsyncs_per_s       {disk:.0}");
    println!(
        "issues_per_fsync_ratio  {:.2}",
        issued as f64 / elapsed / disk
    );
}
