//! Benchmark (not run by CI): does a busy day stay cheap? The same commands against the real
//! office task and the real SQLite store (WAL, `synchronous=FULL`) on a day that has issued
//! SMALL tickets and on one that has issued LARGE, most of them done and 20 waiting; the cost of
//! an issue and of a call-next (each durable: reply after the commit) and of the publish each
//! makes (from the office's own publish counters) must not grow with the day.
//!
//! `cargo run --release -p queue-server --example busy_day -- [SMALL] [LARGE] [SAMPLES] [ROUNDS] [DIR]`
//! (defaults 100, 5000, 300, 3, a temporary directory under ./target). Each round fills a fresh
//! day of each size, then times SAMPLES issues and call-nexts one at a time, and prints the
//! figures of both days and their ratios (large ÷ small).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use queue_server::clock::StartedClock;
use queue_server::config::Config;
use queue_server::domain::Command;
use queue_server::office::{self, OfficeHandle};
use queue_server::store::Store;
use tokio_util::task::TaskTracker;

/// Tickets left waiting when the day is filled: the line a busy office has at any moment.
const WAITING: usize = 20;
/// Staff clients filling the day at once (their commands share commits).
const FILLERS: usize = 64;

/// What one day measured, milliseconds.
struct Figures {
    issue: Vec<f64>,
    call: Vec<f64>,
    publish: Vec<f64>,
}

fn quantile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = ((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(at).copied().unwrap_or(f64::NAN)
}

async fn run(handle: &OfficeHandle, command: Command) {
    handle
        .execute(command, "bench")
        .await
        .expect("command accepted");
}

/// A fresh store and office whose day has issued `tickets`, all but [`WAITING`] called and
/// finished.
async fn filled_day(dir: &Path, tickets: usize) -> (OfficeHandle, TaskTracker, Store) {
    let store = Store::open(dir).await.expect("store");
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-01T09:00:00+09:00")
        .expect("instant")
        .with_timezone(&Utc);
    let config = Arc::new(Config::embedded().expect("config"));
    let office_config = config.office("main").expect("main office").clone();
    let tasks = TaskTracker::new();
    let handle = office::start(
        &office_config,
        config.clone(),
        store.clone(),
        Arc::new(StartedClock::new(start)),
        false,
        &tasks,
    )
    .await
    .expect("office");
    let services = office_config.services.clone();
    for counter in &office_config.counters {
        run(&handle, Command::OpenCounter(counter.id.clone())).await;
    }
    // Issue, then call and finish, each by concurrent staff clients on one counter: batches
    // of many commands, so a 5,000-ticket day fills in seconds.
    let in_parallel = |count: usize, command: Arc<dyn Fn(usize) -> Command + Send + Sync>| {
        let handle = handle.clone();
        async move {
            let mut clients = Vec::new();
            for client in 0..FILLERS {
                let handle = handle.clone();
                let command = command.clone();
                clients.push(tokio::spawn(async move {
                    for n in (client..count).step_by(FILLERS) {
                        run(&handle, command(n)).await;
                    }
                }));
            }
            for client in clients {
                client.await.expect("filler");
            }
        }
    };
    in_parallel(
        tickets,
        Arc::new(move |n| Command::Issue {
            service: services[n % services.len()].clone(),
        }),
    )
    .await;
    let counter = office_config.counters[0].id.clone();
    in_parallel(
        tickets - WAITING,
        Arc::new(move |_| Command::CallNext(counter.clone())),
    )
    .await;
    (handle, tasks, store)
}

/// Times `samples` issues and call-nexts, one command at a time, on a day of `tickets`.
async fn measure(base: &Path, tickets: usize, samples: usize) -> Figures {
    let dir = tempfile::tempdir_in(base).expect("tempdir");
    let (handle, tasks, store) = filled_day(dir.path(), tickets).await;
    assert_eq!(handle.latest().queue.issued(), tickets, "the day is filled");
    let counter = handle.latest().queue.counters()[1].id.clone();
    let service = handle.latest().queue.office().services[0].clone();
    let mut figures = Figures {
        issue: Vec::new(),
        call: Vec::new(),
        publish: Vec::new(),
    };
    let counters = handle.counters();
    for _ in 0..samples {
        for issue in [true, false] {
            let command = if issue {
                Command::Issue {
                    service: service.clone(),
                }
            } else {
                Command::CallNext(counter.clone())
            };
            let publishes = counters.publishes.load(Ordering::Relaxed);
            let nanos = counters.publish_nanos.load(Ordering::Relaxed);
            let sent = Instant::now();
            run(&handle, command).await;
            let took = sent.elapsed().as_secs_f64() * 1000.0;
            // The publish follows the reply: wait for it, then read what it took.
            let waited = Instant::now();
            while counters.publishes.load(Ordering::Relaxed) == publishes
                && waited.elapsed() < Duration::from_secs(1)
            {
                tokio::task::yield_now().await;
            }
            if counters.publishes.load(Ordering::Relaxed) == publishes + 1 {
                let spent = counters.publish_nanos.load(Ordering::Relaxed) - nanos;
                figures.publish.push(spent as f64 / 1e6);
            }
            if issue {
                figures.issue.push(took);
            } else {
                figures.call.push(took);
            }
        }
    }
    drop(handle);
    tasks.close();
    tasks.wait().await;
    store.close().await;
    figures
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (small, large, samples, rounds) = (arg(1, 100), arg(2, 5000), arg(3, 300), arg(4, 3));
    let base = args
        .get(5)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    std::fs::create_dir_all(&base).expect("bench dir");
    assert!(
        small > WAITING && large > WAITING,
        "days hold more than the waiting line"
    );
    println!(
        "{:<6} {:>7} {:>9} {:>9} {:>9} {:>9} {:>11} {:>11}",
        "round",
        "tickets",
        "issue_p50",
        "issue_p99",
        "call_p50",
        "call_p99",
        "publish_p50",
        "publish_p99"
    );
    for round in 1..=rounds {
        let mut rows = Vec::new();
        for tickets in [small, large] {
            let figures = measure(&base, tickets, samples).await;
            let row = [
                quantile(&figures.issue, 0.5),
                quantile(&figures.issue, 0.99),
                quantile(&figures.call, 0.5),
                quantile(&figures.call, 0.99),
                quantile(&figures.publish, 0.5),
                quantile(&figures.publish, 0.99),
            ];
            println!(
                "{round:<6} {tickets:>7} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>11.3} {:>11.3}",
                row[0], row[1], row[2], row[3], row[4], row[5]
            );
            rows.push(row);
        }
        let ratio: Vec<f64> = (0..6).map(|i| rows[1][i] / rows[0][i]).collect();
        println!(
            "{round:<6} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>11.2} {:>11.2}",
            "ratio", ratio[0], ratio[1], ratio[2], ratio[3], ratio[4], ratio[5]
        );
    }
}
