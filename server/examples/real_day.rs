//! Measurement (not run by CI): a whole business day played on the real server, with its own
//! random visitors and clerks, then the waits shown at issue checked against the waits that
//! happened, from the ticket list alone.
//!
//! It starts the real `queue-server` binary at 08:50 with `--speed 120` (a day in about five
//! minutes) on a fresh data directory, drives it through the staff API — arrivals following a
//! city-hall day, three counters of which one pauses over lunch, service times 15 % slower than
//! configured, a few no-shows — and prints MAE, band coverage and band width.
//!
//! `cargo build --release -p queue-server --bins --examples &&
//!  ./target/release/examples/real_day [SEED] [VOLUME]` (VOLUME scales the visitors; 0.8 default;
//! `REAL_DAY_TICKETS=FILE` also writes the ticket list there)

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, TimeDelta, Timelike};
use queue_server::simulate::arrivals::arrivals_per_hour;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp, LogNormal};
use serde_json::{Value, json};

const SPEED: f64 = 120.0;
const START: &str = "2026-12-01T08:50:00+09:00";
/// Real time between two looks at the day: 12 simulated seconds.
const STEP: Duration = Duration::from_millis(100);
/// Visitors scaled to three counters, unless given as the second argument.
const VOLUME: f64 = 0.8;
/// Service times this much slower than the configured 10 minutes (the predictor is not told).
const SLOWER: f64 = 1.15;

#[derive(Clone, Copy)]
enum Counter {
    Free,
    Busy {
        since: DateTime<FixedOffset>,
        until: DateTime<FixedOffset>,
    },
}

/// Draws of the oracle's wait distribution per ticket.
const ORACLE_DRAWS: usize = 2000;

/// One clerk's time at the desk for a call: a few never come (recalled, then left at 3
/// minutes); the others walk over (a minute), then are served.
fn desk_minutes(rng: &mut StdRng, service: &LogNormal<f64>) -> f64 {
    if rng.gen_bool(0.04) {
        3.0
    } else {
        1.0 + service.sample(rng)
    }
}

/// The oracle: the law of the wait of a ticket issued at `t` with `ahead` before it, knowing
/// everything the day's own random process knows except the future draws — which counters are
/// free, how long each busy one has run, the service law, the lunch pause. Its median is the
/// best point any predictor could show (MAE is minimised by the median), so its MAE is the
/// floor set by the waits' own spread. Returns (median, mean).
fn oracle(
    rng: &mut StdRng,
    service: &LogNormal<f64>,
    counters: &[Counter; 3],
    paused: bool,
    t: DateTime<FixedOffset>,
    ahead: u32,
) -> (f64, f64) {
    let minute_of_day = f64::from(t.hour() * 60 + t.minute()) + f64::from(t.second()) / 60.0;
    // The third counter takes nobody between 12:00 and 13:00 (minutes from `t`).
    let lunch = (12.0 * 60.0 - minute_of_day, 13.0 * 60.0 - minute_of_day);
    let third = |at: f64| {
        if at >= lunch.0 && at < lunch.1 {
            lunch.1
        } else {
            at
        }
    };
    let mut waits = Vec::with_capacity(ORACLE_DRAWS);
    for _ in 0..ORACLE_DRAWS {
        let mut free_at = [0.0_f64; 3];
        for (i, counter) in counters.iter().enumerate() {
            let at = match *counter {
                Counter::Busy { since, until } if until > t => {
                    let elapsed = (t - since).num_milliseconds() as f64 / 60_000.0;
                    // The residual given that the desk time exceeds `elapsed` (rejection).
                    let mut left = None;
                    for _ in 0..100_000 {
                        let d = desk_minutes(rng, service);
                        if d > elapsed {
                            left = Some(d - elapsed);
                            break;
                        }
                    }
                    left.unwrap_or(0.5)
                }
                _ => 0.0,
            };
            free_at[i] = if i == 2 {
                if paused && at < lunch.1 {
                    lunch.1.max(0.0)
                } else {
                    third(at)
                }
            } else {
                at
            };
        }
        let mut wait = 0.0;
        for j in 0..=ahead {
            let (c, &at) = free_at
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .expect("three counters");
            if j == ahead {
                wait = at;
                break;
            }
            let next = at + desk_minutes(rng, service);
            free_at[c] = if c == 2 { third(next) } else { next };
        }
        waits.push(wait);
    }
    waits.sort_by(f64::total_cmp);
    let mean = waits.iter().sum::<f64>() / waits.len() as f64;
    (waits[waits.len() / 2], mean)
}

#[tokio::main]
async fn main() {
    let seed: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(7);
    let volume: f64 = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(VOLUME);
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("queue-server")))
        .expect("the queue-server binary beside the examples");
    let data = tempfile::tempdir().expect("data directory");
    let mut child = Command::new(&binary)
        .args(["--listen", "127.0.0.1:0", "--now", START])
        .args(["--speed", &SPEED.to_string()])
        .arg("--data")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start queue-server (build it with --bins first)");
    let started = Instant::now();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let (mut token, mut base) = (String::new(), String::new());
    while base.is_empty() {
        let line = lines.next().expect("a line").expect("text");
        if let Some(file) = line.strip_prefix("admin token file: ") {
            token = std::fs::read_to_string(file)
                .expect("the admin token file")
                .trim()
                .to_string();
        }
        if let Some(b) = line.strip_prefix("listening on ") {
            base = b.to_string();
        }
    }
    let start = DateTime::parse_from_rfc3339(START).expect("instant");
    let now = || {
        start + TimeDelta::from_std(started.elapsed().mul_f64(SPEED)).unwrap_or(TimeDelta::zero())
    };
    let client = reqwest::Client::new();
    let post = |path: String| {
        let request = client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&json!({}));
        async move {
            let response = request.send().await.ok()?;
            let ok = response.status().is_success();
            let body: Value = response.json().await.ok()?;
            ok.then_some(body)
        }
    };
    let office = "/api/v1/offices/main";
    // Visitors and clerks draw from separate streams: the day's arrivals are then the same for
    // a seed however the machine's load shifts the order of calls and arrivals.
    let mut visitors = StdRng::seed_from_u64(seed);
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(0x9E37_79B9));
    // The oracle's own stream: it must not move the clerks' draws.
    let mut oracle_rng = StdRng::seed_from_u64(seed.wrapping_add(0x5151));
    let mut oracles: std::collections::HashMap<String, (f64, f64)> =
        std::collections::HashMap::new();
    let service_minutes = LogNormal::new((10.0 * SLOWER).ln() - 0.06, 0.35).expect("lognormal");
    let mut counters = [Counter::Free; 3];
    let mut waiting = 0u32;
    let mut next_arrival = start + TimeDelta::minutes(10);
    let mut opened = false;
    let mut paused = false;
    loop {
        tokio::time::sleep(STEP).await;
        let t = now();
        let minutes_of_day = t.hour() * 60 + t.minute();
        if !opened && minutes_of_day >= 8 * 60 + 55 {
            for id in 1..=3 {
                post(format!("{office}/counters/{id}/open")).await;
            }
            opened = true;
        }
        let reception = (9 * 60..17 * 60 + 45).contains(&minutes_of_day);
        while reception && next_arrival <= t {
            let body = json!({ "service": "renewal" });
            let issued = client
                .post(format!("{base}{office}/tickets"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .ok();
            if let Some(response) = issued.filter(|r| r.status().as_u16() == 201) {
                if let Some(id) = response
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|ticket| ticket["id"].as_str().map(str::to_string))
                {
                    let law = oracle(
                        &mut oracle_rng,
                        &service_minutes,
                        &counters,
                        paused,
                        now(),
                        waiting,
                    );
                    oracles.insert(id, law);
                }
                waiting += 1;
            }
            let rate = arrivals_per_hour(next_arrival.hour()) * volume;
            let gap = Exp::new(rate / 60.0).map_or(5.0, |e| e.sample(&mut visitors));
            next_arrival += TimeDelta::seconds((gap * 60.0) as i64);
        }
        // One counter pauses over lunch, as clerks do it: through the staff API.
        let lunch = (12 * 60..13 * 60).contains(&minutes_of_day);
        let third_free = match counters[2] {
            Counter::Free => true,
            Counter::Busy { until, .. } => until <= t,
        };
        if lunch != paused && third_free {
            let action = if lunch { "pause" } else { "open" };
            if post(format!("{office}/counters/3/{action}"))
                .await
                .is_some()
            {
                paused = lunch;
            }
        }
        for (index, counter) in counters.iter_mut().enumerate() {
            if paused && index == 2 {
                continue;
            }
            let free = match *counter {
                Counter::Free => true,
                Counter::Busy { until, .. } => until <= t,
            };
            if !free {
                continue;
            }
            let id = index + 1;
            if waiting > 0 {
                if post(format!("{office}/counters/{id}/call-next"))
                    .await
                    .is_some()
                {
                    waiting -= 1;
                    let minutes = desk_minutes(&mut rng, &service_minutes);
                    *counter = Counter::Busy {
                        since: t,
                        until: t + TimeDelta::seconds((minutes * 60.0) as i64),
                    };
                }
            } else if let Counter::Busy { .. } = counter {
                *counter = Counter::Free;
            }
        }
        if minutes_of_day >= 17 * 60 + 45 && waiting == 0 || minutes_of_day >= 20 * 60 {
            break;
        }
    }
    let list: Value = client
        .get(format!("{base}{office}/tickets"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("tickets")
        .json()
        .await
        .expect("JSON");
    let _ = child.kill();
    let _ = child.wait();
    // For analysis: REAL_DAY_TICKETS=FILE keeps the ticket list the figures come from.
    if let Some(path) = std::env::var_os("REAL_DAY_TICKETS") {
        std::fs::write(&path, list.to_string()).expect("write the ticket list");
    }
    let (mut n, mut abs, mut covered, mut short_n, mut short_width) =
        (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    // The naive estimate: people ahead × 10 minutes ÷ counters open (this run's own staffing).
    let mut naive_abs = 0.0_f64;
    // The oracle's median and mean (see `oracle`), on the tickets it saw issued.
    let (mut oracle_n, mut oracle_median_abs, mut oracle_mean_abs, mut shown_abs) =
        (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    // Where the error is: [tickets, shown, naive, oracle median] by people ahead and by hour.
    let mut by_ahead: std::collections::BTreeMap<&str, [f64; 4]> = Default::default();
    let mut by_hour: std::collections::BTreeMap<u32, [f64; 4]> = Default::default();
    for ticket in list["tickets"].as_array().into_iter().flatten() {
        let instant = |field: &str| {
            ticket[field]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        };
        let (Some(issued), Some(called)) = (instant("issued_at"), instant("called_at")) else {
            continue;
        };
        let (Some(point), Some(min), Some(max)) = (
            ticket["estimate_point_minutes"].as_f64(),
            ticket["estimate_min_minutes"].as_f64(),
            ticket["estimate_max_minutes"].as_f64(),
        ) else {
            continue;
        };
        let actual = (called - issued).num_seconds() as f64 / 60.0;
        n += 1.0;
        abs += (actual - point).abs();
        let open = if (12..13).contains(&issued.hour()) {
            2.0
        } else {
            3.0
        };
        let ahead = ticket["ahead_at_issue"].as_f64().unwrap_or(0.0);
        let naive = (actual - ahead * 10.0 / open).abs();
        naive_abs += naive;
        if (min..=max).contains(&actual.round()) {
            covered += 1.0;
        }
        if ticket["ahead_at_issue"].as_u64().is_some_and(|a| a < 5) {
            short_n += 1.0;
            short_width += max - min;
        }
        let Some(&(median, mean)) = ticket["id"].as_str().and_then(|id| oracles.get(id)) else {
            continue;
        };
        oracle_n += 1.0;
        shown_abs += (actual - point).abs();
        oracle_median_abs += (actual - median).abs();
        oracle_mean_abs += (actual - mean).abs();
        let bucket = match ahead as u32 {
            0 => "0",
            1 => "1",
            2 => "2",
            3..=4 => "3-4",
            5..=9 => "5-9",
            _ => "10+",
        };
        for row in [
            by_ahead.entry(bucket).or_default(),
            by_hour.entry(issued.hour()).or_default(),
        ] {
            row[0] += 1.0;
            row[1] += (actual - point).abs();
            row[2] += naive;
            row[3] += (actual - median).abs();
        }
    }
    println!(
        "real server, --speed {SPEED}, seed {seed}, volume {volume}: {n} tickets called with an estimate"
    );
    println!(
        "MAE {:.1} min (naive: {:.1} min)",
        abs / n.max(1.0),
        naive_abs / n.max(1.0)
    );
    println!("band coverage {:.2}", covered / n.max(1.0));
    println!(
        "mean band width with fewer than 5 ahead {:.1} min ({short_n} tickets)",
        short_width / short_n.max(1.0)
    );
    println!(
        "oracle (knows which counters are free, how long each has served, the service law): \
         MAE of its median {:.1} min, of its mean {:.1} min; shown {:.1} min on the same {oracle_n} tickets",
        oracle_median_abs / oracle_n.max(1.0),
        oracle_mean_abs / oracle_n.max(1.0),
        shown_abs / oracle_n.max(1.0),
    );
    let table = |title: &str, rows: Vec<(String, [f64; 4])>| {
        println!("MAE by {title}: tickets, shown, naive, oracle median");
        for (key, [k, shown, naive, oracle]) in rows {
            println!(
                "  {key:>4}: {k:>4} {:>6.1} {:>6.1} {:>6.1}",
                shown / k,
                naive / k,
                oracle / k
            );
        }
    };
    let order = ["0", "1", "2", "3-4", "5-9", "10+"];
    table(
        "people ahead",
        order
            .iter()
            .filter_map(|b| by_ahead.get(b).map(|r| (b.to_string(), *r)))
            .collect(),
    );
    table(
        "hour of issue",
        by_hour.iter().map(|(h, r)| (format!("{h}h"), *r)).collect(),
    );
}
