//! Benchmark (not run by CI): the status JSON against nginx serving the same bytes as a static
//! file. Starts the real `queue-server` binary and nginx (its own configuration in a temporary
//! directory, `access_log off`) as child processes, fetches the snapshot, hands nginx the same
//! bytes, then loads both with wrk on loopback, alternately, for the 200 path and the ETag/304
//! path (`If-None-Match` with each server's own ETag). Prints requests per second and the
//! ratio ours ÷ nginx per round, then the median ratios. Stops both children by their PID.
//!
//! Needs `nginx` and `wrk` on the PATH (Debian: `apt-get install nginx-light wrk`).
//!
//! ```sh
//! cargo build --release -p queue-server --bin queue-server --example status_vs_nginx
//! ./target/release/examples/status_vs_nginx [CONNECTIONS] [SECONDS] [ROUNDS] [WORKERS]
//! ```
//! (defaults 64 connections, 5 s, 3 rounds, 1 nginx worker; `auto` for one per core.) A number
//! of workers is given to both servers: nginx's worker processes and queue-server's runtime
//! threads (`TOKIO_WORKER_THREADS`), so each has the same cores beside wrk; `auto` leaves both
//! at one per core.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The instant the server's clock starts at: a Tuesday in opening hours.
const NOW: &str = "2026-12-01T10:00:00+09:00";
const STATUS_PATH: &str = "/api/v1/offices/main/status";

/// A child process, stopped (SIGTERM to its PID, then waited for) when dropped.
struct Spawned(Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `queue-server` on a free port, with `workers` runtime threads if it is a number;
/// returns it and its base URL.
fn start_queue_server(bin: &Path, data: &Path, workers: &str) -> (Spawned, String) {
    let mut command = Command::new(bin);
    if workers.parse::<usize>().is_ok() {
        command.env("TOKIO_WORKER_THREADS", workers);
    }
    let mut child = command
        .args(["--listen", "127.0.0.1:0", "--now", NOW, "--data"])
        .arg(data)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn queue-server");
    let stdout = child.stdout.take().expect("stdout");
    let child = Spawned(child);
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(base) = line.strip_prefix("listening on ") {
            let base = base.to_string();
            // Keep reading so the server never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return (child, base);
        }
    }
}

/// Starts nginx with a configuration of its own under `prefix`, serving `prefix/html` on
/// `port` with `workers` worker processes.
fn start_nginx(prefix: &Path, port: u16, workers: &str) -> Spawned {
    let conf = prefix.join("nginx.conf");
    let p = prefix.display();
    std::fs::write(
        &conf,
        format!(
            "daemon off;\n\
             master_process on;\n\
             worker_processes {workers};\n\
             pid {p}/nginx.pid;\n\
             error_log {p}/error.log error;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n\
               access_log off;\n\
               types {{ application/json json; }}\n\
               default_type application/octet-stream;\n\
               client_body_temp_path {p}/tmp;\n\
               proxy_temp_path {p}/tmp;\n\
               fastcgi_temp_path {p}/tmp;\n\
               uwsgi_temp_path {p}/tmp;\n\
               scgi_temp_path {p}/tmp;\n\
               keepalive_requests 1000000;\n\
               server {{\n\
                 listen 127.0.0.1:{port};\n\
                 root {p}/html;\n\
               }}\n\
             }}\n"
        ),
    )
    .expect("nginx.conf");
    std::fs::create_dir_all(prefix.join("tmp")).expect("nginx tmp");
    let child = Command::new("nginx")
        .arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn nginx (apt-get install nginx-light)");
    Spawned(child)
}

/// A free loopback port (bound, then released for nginx).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// Requests per second wrk measured against `url`, with `header` if given.
fn wrk(url: &str, connections: usize, seconds: u64, header: Option<&str>) -> f64 {
    let mut command = Command::new("wrk");
    command.args(["-t1", &format!("-c{connections}"), &format!("-d{seconds}s")]);
    if let Some(header) = header {
        command.args(["-H", header]);
    }
    let output = command
        .arg(url)
        .output()
        .expect("run wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        !text.contains("Non-2xx or 3xx"),
        "wrk saw error responses from {url}:\n{text}"
    );
    text.lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|rate| rate.trim().parse().ok())
        .unwrap_or_else(|| panic!("no Requests/sec from wrk:\n{text}"))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let connections: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(64);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(5);
    let rounds: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(3);
    let workers = args.get(4).cloned().unwrap_or_else(|| "1".into());

    let exe = std::env::current_exe().expect("exe");
    let server_bin = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("queue-server"))
        .expect("target dir");
    let data = tempfile::tempdir().expect("tempdir");
    let (_server, ours) = start_queue_server(&server_bin, data.path(), &workers);
    let ours = format!("{ours}{STATUS_PATH}");

    let http = reqwest::Client::new();
    let response = http.get(&ours).send().await.expect("status");
    assert_eq!(response.status(), 200);
    let our_etag = response.headers()["etag"]
        .to_str()
        .expect("etag")
        .to_string();
    let body = response.bytes().await.expect("body");

    let prefix = tempfile::tempdir().expect("nginx prefix");
    std::fs::create_dir_all(prefix.path().join("html")).expect("html");
    std::fs::write(prefix.path().join("html/status.json"), &body).expect("status.json");
    let port = free_port();
    let _nginx = start_nginx(prefix.path(), port, &workers);
    let theirs = format!("http://127.0.0.1:{port}/status.json");
    let their_etag = loop {
        if let Ok(response) = http.get(&theirs).send().await {
            assert_eq!(response.status(), 200);
            let etag = response.headers()["etag"]
                .to_str()
                .expect("etag")
                .to_string();
            assert_eq!(
                response.bytes().await.expect("body"),
                body,
                "the same bytes"
            );
            break etag;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // Both answer 304 to their own ETag (checked once before the load).
    for (url, etag) in [(&ours, &our_etag), (&theirs, &their_etag)] {
        let response = http
            .get(url)
            .header("if-none-match", etag)
            .send()
            .await
            .expect("conditional");
        assert_eq!(response.status(), 304, "{url} answers 304 to its ETag");
    }

    println!(
        "status JSON ({} bytes), {connections} connections, {seconds} s per run, workers per server {workers}",
        body.len()
    );
    println!(
        "{:<6} {:<5} {:>12} {:>12} {:>7}",
        "round", "path", "ours_req_s", "nginx_req_s", "ratio"
    );
    let mut ratios_200 = Vec::new();
    let mut ratios_304 = Vec::new();
    for round in 1..=rounds {
        for (path, ours_header, their_header) in [
            ("200", None, None),
            (
                "304",
                Some(format!("If-None-Match: {our_etag}")),
                Some(format!("If-None-Match: {their_etag}")),
            ),
        ] {
            // Alternate which goes first, so neither always runs on a warmer machine.
            let (a, b) = if round % 2 == 1 {
                let a = wrk(&ours, connections, seconds, ours_header.as_deref());
                let b = wrk(&theirs, connections, seconds, their_header.as_deref());
                (a, b)
            } else {
                let b = wrk(&theirs, connections, seconds, their_header.as_deref());
                let a = wrk(&ours, connections, seconds, ours_header.as_deref());
                (a, b)
            };
            let ratio = a / b;
            if path == "200" {
                ratios_200.push(ratio);
            } else {
                ratios_304.push(ratio);
            }
            println!("{round:<6} {path:<5} {a:>12.0} {b:>12.0} {ratio:>7.2}");
        }
    }
    println!("median ratio 200: {:.2}", median(&mut ratios_200));
    println!("median ratio 304: {:.2}", median(&mut ratios_304));
}
