//! Benchmark (not run by CI): durable ticket issues per second with the same HTTP client
//! against the real `queue-server` binary on SQLite, on PostgreSQL with one instance, and on
//! one PostgreSQL database shared by two instances (the clients spread over both); then the
//! fan-out latency of a change made on one instance to the live viewers of the other.
//!
//! ```sh
//! cargo build --release -p queue-server --bin queue-server --example instances_bench
//! ./target/release/examples/instances_bench 64 5 50 20   # clients, seconds, changes, viewers
//! ```
//! PostgreSQL: the cluster named by `QUEUE_TEST_POSTGRES` (a URL whose user may create
//! databases), else a throw-away one started with `.ci/postgres` and stopped at the end. Each
//! scenario gets a new database (`psql -c 'CREATE DATABASE …'`), each server a new data
//! directory. "Durable": every reply came after the commit; at the end of each scenario the
//! tickets stored (counted in PostgreSQL itself; listed by the one SQLite server) are printed
//! beside the acknowledged issues.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

const NOW: &str = "2026-12-01T10:00:00+09:00";
const SERVICES: [&str; 4] = [
    "renewal",
    "legal_representative",
    "legal_representative",
    "proxy_notice",
];

/// A child process (a server), killed and reaped when dropped.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The PostgreSQL cluster: given, or started here (and stopped when dropped).
struct Cluster {
    /// `postgres://user@host:port/postgres`: the maintenance database, to create others.
    admin: String,
    /// The command that stops a cluster this program started.
    stop: Option<String>,
    next: AtomicU64,
}

impl Cluster {
    fn get() -> Cluster {
        if let Ok(admin) = std::env::var("QUEUE_TEST_POSTGRES")
            && !admin.is_empty()
        {
            return Cluster {
                admin,
                stop: None,
                next: AtomicU64::new(0),
            };
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/postgres");
        let output = Command::new("bash")
            .arg(&script)
            .stderr(Stdio::inherit())
            .output()
            .expect("run .ci/postgres");
        assert!(output.status.success(), "no PostgreSQL cluster");
        let text = String::from_utf8_lossy(&output.stdout);
        let value = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(&format!("export {name}=")))
                .map(|value| value.trim_matches('\'').to_string())
                .expect("printed by .ci/postgres")
        };
        Cluster {
            admin: value("QUEUE_TEST_POSTGRES"),
            stop: Some(value("QUEUE_TEST_POSTGRES_STOP")),
            next: AtomicU64::new(0),
        }
    }

    /// The tickets stored in a database of this cluster.
    fn count_tickets(&self, database: &str) -> usize {
        let output = Command::new("psql")
            .args([database, "--tuples-only", "--no-align", "--command"])
            .arg("SELECT count(*) FROM tickets")
            .output()
            .expect("run psql");
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .expect("a count")
    }

    /// A new, empty database: its URL.
    fn fresh_database(&self) -> String {
        let name = format!(
            "queue_bench_{}_{}",
            std::process::id(),
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        let status = Command::new("psql")
            .args([self.admin.as_str(), "--quiet", "--command"])
            .arg(format!("CREATE DATABASE {name}"))
            .status()
            .expect("run psql");
        assert!(status.success(), "CREATE DATABASE {name}");
        let (server, _) = self.admin.rsplit_once('/').expect("a URL with a database");
        format!("{server}/{name}")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(stop) = &self.stop {
            let _ = Command::new("sh")
                .args(["-c", stop])
                .stdout(Stdio::null())
                .status();
        }
    }
}

/// A running instance: the process, its base URL, its data directory.
struct Instance {
    _process: Spawned,
    base: String,
    _data: tempfile::TempDir,
}

/// Starts the binary on a free port with a new data directory and `extra` arguments; returns
/// it and the admin token it minted (the first start on a database only).
fn start(binary: &Path, extra: &[&str]) -> (Instance, Option<String>) {
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = Spawned(
        Command::new(binary)
            .args(["--listen", "127.0.0.1:0", "--now", NOW, "--data"])
            .arg(data.path())
            .args(extra)
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn queue-server"),
    );
    let mut lines = BufReader::new(child.0.stdout.take().expect("stdout")).lines();
    let mut token = None;
    loop {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(file) = line.strip_prefix("admin token file: ") {
            let secret = std::fs::read_to_string(file.trim()).expect("the admin token file");
            token = Some(secret.trim().to_string());
        }
        if let Some(base) = line.strip_prefix("listening on ") {
            let instance = Instance {
                _process: child,
                base: base.trim().to_string(),
                _data: data,
            };
            return (instance, token);
        }
    }
}

/// One or more instances on one store, and the admin token.
struct Deployment {
    instances: Vec<Instance>,
    token: String,
}

impl Deployment {
    fn start(binary: &Path, count: usize, extra: &[&str]) -> Deployment {
        let mut instances = Vec::new();
        let mut token = None;
        for _ in 0..count {
            let (instance, minted) = start(binary, extra);
            token = token.or(minted);
            instances.push(instance);
        }
        Deployment {
            instances,
            token: token.expect("the first start mints the admin token"),
        }
    }

    fn tickets_url(&self, index: usize) -> String {
        format!(
            "{}/api/v1/offices/main/tickets",
            self.instances[index % self.instances.len()].base
        )
    }
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or(f64::NAN)
}

struct Throughput {
    issued: u64,
    failed: u64,
    stored: usize,
    per_second: f64,
    p50: f64,
    p99: f64,
}

/// `clients` staff clients, client i on instance i mod n, issuing for `seconds`. The tickets
/// stored are counted in the database itself when it is PostgreSQL's (`count`), else listed
/// by the one server.
async fn throughput(
    deployment: &Deployment,
    clients: usize,
    seconds: u64,
    count: Option<&dyn Fn() -> usize>,
) -> Throughput {
    let issued = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let began = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let url = deployment.tickets_url(client);
        let token = deployment.token.clone();
        let (issued, failed, latencies) = (issued.clone(), failed.clone(), latencies.clone());
        let body = format!("{{\"service\":\"{}\"}}", SERVICES[client % SERVICES.len()]);
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut mine = Vec::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                let response = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                match response {
                    Ok(reply) if reply.status() == 201 => {
                        issued.fetch_add(1, Ordering::Relaxed);
                        mine.push(sent.elapsed().as_secs_f64() * 1000.0);
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
    let mut latencies = latencies.lock().expect("lock").clone();
    latencies.sort_by(f64::total_cmp);
    let issued = issued.load(Ordering::Relaxed);
    Throughput {
        issued,
        failed: failed.load(Ordering::Relaxed),
        stored: match count {
            Some(count) => count(),
            None => stored_tickets(deployment).await,
        },
        per_second: issued as f64 / elapsed,
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
    }
}

/// The tickets of the day as the (only) server lists them.
async fn stored_tickets(deployment: &Deployment) -> usize {
    let list: serde_json::Value = reqwest::Client::new()
        .get(deployment.tickets_url(deployment.instances.len() - 1))
        .bearer_auth(&deployment.token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("JSON");
    list["tickets"].as_array().map_or(0, Vec::len)
}

struct FanOut {
    local: Vec<f64>,
    remote: Vec<f64>,
    missed: usize,
}

/// `viewers` live viewers on each instance; `changes` tickets issued one at a time on the
/// first. For each, the time from its reply to each viewer's first frame naming the number.
async fn fan_out(deployment: &Deployment, changes: usize, viewers: usize) -> FanOut {
    type Receipts = Arc<std::sync::Mutex<Vec<(String, Instant)>>>;
    let receipts: Vec<Vec<Receipts>> = (0..deployment.instances.len())
        .map(|_| (0..viewers).map(|_| Receipts::default()).collect())
        .collect();
    let mut tasks = Vec::new();
    for (instance, boxes) in deployment.instances.iter().zip(&receipts) {
        let ws = format!(
            "{}/api/v1/offices/main/live",
            instance.base.replace("http://", "ws://")
        );
        for frames in boxes {
            let (mut socket, _) = connect_async(&ws).await.expect("viewer connects");
            // The first frame (the snapshot on connecting) before any change is made.
            socket
                .next()
                .await
                .expect("a first frame")
                .expect("a frame");
            let frames = frames.clone();
            tasks.push(tokio::spawn(async move {
                while let Some(Ok(message)) = socket.next().await {
                    if let Message::Text(text) = message {
                        frames
                            .lock()
                            .expect("lock")
                            .push((text.to_string(), Instant::now()));
                    }
                }
            }));
        }
    }
    let http = reqwest::Client::new();
    let url = deployment.tickets_url(0);
    let mut local = Vec::new();
    let mut remote = Vec::new();
    let mut missed = 0;
    for _ in 0..changes {
        for boxes in &receipts {
            for frames in boxes {
                frames.lock().expect("lock").clear();
            }
        }
        let reply: serde_json::Value = http
            .post(&url)
            .bearer_auth(&deployment.token)
            .header("content-type", "application/json")
            .body(r#"{"service":"renewal"}"#)
            .send()
            .await
            .expect("issue")
            .json()
            .await
            .expect("JSON");
        let replied = Instant::now();
        let needle = format!("\"{}\"", reply["number"].as_str().expect("a number"));
        // Wait until every viewer has it (or 5 s), so the changes do not overlap.
        let until = Instant::now() + Duration::from_secs(5);
        let first_receipts = loop {
            let found: Vec<Vec<Option<Instant>>> = receipts
                .iter()
                .map(|boxes| {
                    boxes
                        .iter()
                        .map(|frames| {
                            frames
                                .lock()
                                .expect("lock")
                                .iter()
                                .find(|(text, _)| text.contains(&needle))
                                .map(|(_, at)| *at)
                        })
                        .collect()
                })
                .collect();
            if found.iter().flatten().all(Option::is_some) || Instant::now() > until {
                break found;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        for (index, per_viewer) in first_receipts.iter().enumerate() {
            for at in per_viewer {
                match at {
                    Some(at) => {
                        let ms = at.saturating_duration_since(replied).as_secs_f64() * 1000.0;
                        if index == 0 { &mut local } else { &mut remote }.push(ms);
                    }
                    None => missed += 1,
                }
            }
        }
        // Changes spaced like people at a desk, not a burst.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for task in &tasks {
        task.abort();
    }
    local.sort_by(f64::total_cmp);
    remote.sort_by(f64::total_cmp);
    FanOut {
        local,
        remote,
        missed,
    }
}

fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("exe");
    exe.parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("queue-server"))
        .expect("target dir")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |n: usize, default: u64| args.get(n).and_then(|a| a.parse().ok()).unwrap_or(default);
    let clients = arg(1, 64) as usize;
    let seconds = arg(2, 5);
    let changes = arg(3, 50) as usize;
    let viewers = arg(4, 20) as usize;
    let binary = server_binary();
    assert!(binary.exists(), "build {} first", binary.display());
    let cluster = Cluster::get();

    println!("clients={clients} seconds={seconds}");
    println!(
        "{:<22} {:>9} {:>7} {:>7} {:>10} {:>8} {:>8}",
        "store", "issued", "failed", "stored", "issues/s", "p50_ms", "p99_ms"
    );
    let scenarios: [(&str, usize, bool); 3] = [
        ("sqlite", 1, false),
        ("postgres_1_instance", 1, true),
        ("postgres_2_instances", 2, true),
    ];
    for (name, count, postgres) in scenarios {
        let database = postgres.then(|| cluster.fresh_database());
        let extra: Vec<&str> = database
            .as_deref()
            .map(|url| vec!["--database", url])
            .unwrap_or_default();
        let deployment = Deployment::start(&binary, count, &extra);
        let cluster = &cluster;
        let count = database
            .as_deref()
            .map(|url| move || cluster.count_tickets(url));
        let figures = throughput(
            &deployment,
            clients,
            seconds,
            count.as_ref().map(|count| count as &dyn Fn() -> usize),
        )
        .await;
        println!(
            "{name:<22} {:>9} {:>7} {:>7} {:>10.0} {:>8.2} {:>8.2}",
            figures.issued,
            figures.failed,
            figures.stored,
            figures.per_second,
            figures.p50,
            figures.p99
        );
    }

    let database = cluster.fresh_database();
    let deployment = Deployment::start(&binary, 2, &["--database", &database]);
    let figures = fan_out(&deployment, changes, viewers).await;
    println!("fan-out: {changes} changes issued on instance A, {viewers} viewers on each instance");
    for (name, latencies) in [
        ("viewers_on_A_same", &figures.local),
        ("viewers_on_B_other", &figures.remote),
    ] {
        println!(
            "{name:<22} receipts={:<6} p50_ms={:>7.2} p99_ms={:>7.2} max_ms={:>7.2}",
            latencies.len(),
            percentile(latencies, 0.5),
            percentile(latencies, 0.99),
            latencies.last().copied().unwrap_or(f64::NAN)
        );
    }
    println!("fan-out missed (not within 5 s): {}", figures.missed);
}
