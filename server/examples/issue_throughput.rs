//! Benchmark (not run by CI): durable ticket issues per second with concurrent staff clients,
//! against the real router, the real SQLite store (WAL, `synchronous=FULL`) and real HTTP on
//! loopback; and, for comparison, this disk's own rate of small write+fsync cycles.
//!
//! `cargo run --release -p queue-server --example issue_throughput -- [CLIENTS] [SECONDS] [DIR] [CALLERS]`
//! (defaults 64 clients, 5 s, a temporary directory under ./target, no callers).
//!
//! Without callers nobody is ever called, so the line grows by every ticket issued (about
//! 15,000 in 5 s): each publish then carries, and the feed's relay diffs, a snapshot listing
//! them all, which no office ever sees. With `CALLERS`, that many staff clients spread over the
//! main office's four counters call the next ticket as fast as they are answered (call-next
//! also finishes the ticket before), so the line stays as short as the callers keep it; a
//! call-next that finds nobody waiting changes nothing, and its caller waits 2 ms.

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
const COUNTER_TOKEN: &str = "qs_bench_counter";
const COUNTERS: [&str; 4] = ["1", "2", "3", "4"];

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
    let callers: usize = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(0);
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
    store
        .token_insert(
            "bench-counter",
            "counter",
            &hash_secret(COUNTER_TOKEN),
            start,
        )
        .await
        .expect("token");
    let settings = queue_server::Settings::new(
        Config::embedded().expect("config"),
        Arc::new(StartedClock::new(start)),
    );
    let server = queue_server::Server::start(settings, store.clone())
        .await
        .expect("started");
    let main_office = server.state().office("main").expect("office main").clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let office = format!(
        "http://{}/api/v1/offices/main",
        listener.local_addr().expect("addr")
    );
    let url = format!("{office}/tickets");
    tokio::spawn(server.serve(listener, std::future::pending()));
    let staff = reqwest::Client::new();
    if callers > 0 {
        for counter in COUNTERS {
            let opened = staff
                .post(format!("{office}/counters/{counter}/open"))
                .bearer_auth(COUNTER_TOKEN)
                .send()
                .await
                .expect("open a counter");
            assert_eq!(opened.status(), 200, "counter {counter} opens");
        }
    }

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
    let publishes_before = main_office.counters().publishes.load(Ordering::Relaxed);
    let publish_nanos_before = main_office.counters().publish_nanos.load(Ordering::Relaxed);
    let token_reads_before = store.token_reads();
    let called = Arc::new(AtomicU64::new(0));
    let idle_calls = Arc::new(AtomicU64::new(0));
    let mut callers_done = Vec::new();
    for caller in 0..callers {
        let call = format!(
            "{office}/counters/{}/call-next",
            COUNTERS[caller % COUNTERS.len()]
        );
        let called = called.clone();
        let idle_calls = idle_calls.clone();
        callers_done.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while Instant::now() < deadline {
                let answer = http.post(&call).bearer_auth(COUNTER_TOKEN).send().await;
                if answer.is_ok_and(|answer| answer.status() == 200) {
                    called.fetch_add(1, Ordering::Relaxed);
                } else {
                    idle_calls.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
        }));
    }
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
    let commits = main_office.counters().publishes.load(Ordering::Relaxed) - publishes_before;
    let publish_nanos =
        main_office.counters().publish_nanos.load(Ordering::Relaxed) - publish_nanos_before;
    let token_reads = store.token_reads() - token_reads_before;
    for caller in callers_done {
        caller.await.expect("caller");
    }
    let status: serde_json::Value = staff
        .get(format!("{office}/status"))
        .send()
        .await
        .expect("status")
        .json()
        .await
        .expect("status JSON");
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
    let called = called.load(Ordering::Relaxed);
    println!("callers                 {callers}");
    println!("calls_per_s             {:.0}", called as f64 / elapsed);
    println!(
        "idle_calls              {}",
        idle_calls.load(Ordering::Relaxed)
    );
    println!("waiting_at_end          {}", status["waiting_total"]);
    println!("latency_ms_p50          {:.2}", pick(0.50));
    println!("latency_ms_p99          {:.2}", pick(0.99));
    println!("disk_fsyncs_per_s       {disk:.0}");
    println!(
        "issues_per_fsync_ratio  {:.2}",
        issued as f64 / elapsed / disk
    );
    println!(
        "commands_per_fsync      {:.2}",
        (issued + called) as f64 / elapsed / disk
    );
    // Each committed batch that changed something publishes once (a calendar transition or
    // a refresh would add one; none falls in a 5 s run at 10:00).
    println!("commits                 {commits}");
    println!(
        "commands_per_commit     {:.1}",
        (issued + called) as f64 / commits.max(1) as f64
    );
    // The office task publishes after each commit, before it takes the next batch.
    println!(
        "publish_ms_per_commit   {:.3}",
        publish_nanos as f64 / 1e6 / commits.max(1) as f64
    );
    // Every staff request checks its token against the store; checks waiting at once share
    // a read begun after each arrived.
    println!(
        "token_reads_per_request {:.2}",
        token_reads as f64 / (issued + called).max(1) as f64
    );
}
