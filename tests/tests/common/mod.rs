//! Shared helpers of the end-to-end tests: find (or build) the real binaries, start the real
//! server on a free loopback port with a temporary data directory, and talk to it over HTTP.
#![allow(dead_code)] // each test file uses its own subset

pub mod browser;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A Tuesday at 10:00 in Japan: the server is open whatever day and hour the tests run.
pub const OPEN_DAY: &str = "2026-12-01T10:00:00+09:00";

/// `target/<profile>/`, where cargo puts the binaries of this build.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test-binary>
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .to_path_buf()
}

/// Path of a workspace binary, building it first when this test run did not.
pub fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    let path = target_dir().join(name);
    if !path.exists() {
        BUILT.get_or_init(|| {
            let release = target_dir().ends_with("release");
            let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
            cargo.args(["build", "-p", "queue-server", "-p", "lobby-display"]);
            if release {
                cargo.arg("--release");
            }
            let status = cargo.status().expect("run cargo build");
            assert!(status.success(), "cargo build of the binaries failed");
        });
    }
    assert!(path.exists(), "{} not found", path.display());
    path
}

/// A running `queue-server` child process; killed when dropped.
pub struct Server {
    /// The child process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The first admin token, read from the file whose path the first start prints (None when
    /// the data directory had a token already).
    pub admin_token: Option<String>,
    /// The data directory it runs on.
    pub data: PathBuf,
    /// `http://127.0.0.1:PORT` of `/healthz` and `/metrics` when started with `--admin-listen`.
    pub admin_base: Option<String>,
}

impl Server {
    /// Starts the server on port 0 with `data` as its data directory and `extra` arguments
    /// (e.g. `--now`), and waits for its `listening on` line.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        Self::start_on(data, "127.0.0.1:0", extra)
    }

    /// Like [`Server::start`] on a given address (to restart on the same port).
    pub fn start_on(data: &Path, listen: &str, extra: &[&str]) -> Server {
        Self::start_command(Command::new(binary("queue-server")), data, listen, extra)
    }

    /// Like [`Server::start`] with the soft limit on open files lowered to `soft` first (as a
    /// plain systemd unit leaves it at 1,024), the hard limit left as it is.
    pub fn start_with_open_files(data: &Path, soft: u64, extra: &[&str]) -> Server {
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg(format!("ulimit -Sn {soft} && exec \"$0\" \"$@\""))
            .arg(binary("queue-server"));
        Self::start_command(shell, data, "127.0.0.1:0", extra)
    }

    /// Runs `command` (the server, or something that execs it) with the usual arguments.
    fn start_command(mut command: Command, data: &Path, listen: &str, extra: &[&str]) -> Server {
        let mut child = command
            .arg("--data")
            .arg(data)
            .args(["--listen", listen])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start queue-server");
        let stdout = child.stdout.take().expect("stdout");
        // Owned by the guard from here on, so it is killed and reaped even if we panic.
        let mut server = Server {
            child,
            base: String::new(),
            admin_token: None,
            data: data.to_path_buf(),
            admin_base: None,
        };
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = receiver
                .recv_timeout(left)
                .expect("queue-server printed its address in time");
            assert!(!line.contains("qs_"), "a secret on stdout: {line}");
            if let Some(file) = line.strip_prefix("admin token file: ") {
                let secret = std::fs::read_to_string(file.trim()).expect("the admin token file");
                server.admin_token = Some(secret.trim().to_string());
            }
            if let Some(admin) = line.strip_prefix("admin routes on ") {
                server.admin_base = admin.split_whitespace().next().map(str::to_string);
            }
            if let Some(address) = line.strip_prefix("listening on ") {
                server.base = address.trim().to_string();
                return server;
            }
        }
    }

    /// `host:port` of the server.
    pub fn address(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// Full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Waits (up to a minute of real time) until the main office's status shows `phase`.
    pub async fn wait_for_phase(&self, phase: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let status: serde_json::Value =
                match reqwest::get(self.url("/api/v1/offices/main/status")).await {
                    Ok(response) => response.json().await.unwrap_or_default(),
                    Err(_) => serde_json::Value::Null,
                };
            if status["calendar"]["phase"] == phase {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "phase {phase} never came: {status}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The admin token (panics if this start did not make one).
    pub fn admin(&self) -> String {
        self.admin_token.clone().expect("admin token printed")
    }

    /// SIGKILL: no chance to flush or say goodbye.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("wait for queue-server")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new, empty database on the test PostgreSQL cluster named by `QUEUE_TEST_POSTGRES`
/// (`.ci/postgres` starts one), made with `psql`: its URL, for `--database`. Each test gets
/// its own, so tests running side by side never see each other's tickets.
pub fn fresh_postgres() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let admin =
        std::env::var("QUEUE_TEST_POSTGRES").expect("QUEUE_TEST_POSTGRES names the cluster");
    let name = format!(
        "queue_e2e_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let output = Command::new("psql")
        .args([admin.as_str(), "--quiet", "--command"])
        .arg(format!("CREATE DATABASE {name}"))
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "CREATE DATABASE {name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (server, _) = admin.rsplit_once('/').expect("a URL with a database");
    format!("{server}/{name}")
}

/// Runs `queue-server` with arguments and returns (exit code, stdout, stderr).
pub fn queue_server(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(binary("queue-server"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run queue-server");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Creates a token with the CLI (while the server may be running) and returns it.
pub fn create_token(data: &Path, role: &str, name: &str) -> String {
    let data = data.to_string_lossy().into_owned();
    let (code, stdout, stderr) = queue_server(&[
        "token", "create", "--role", role, "--name", name, "--data", &data,
    ]);
    assert_eq!(code, 0, "token create failed: {stderr}");
    stdout.trim().to_string()
}

/// A staff HTTP client for one server and token.
pub struct Staff {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Staff {
    /// A client sending `Authorization: Bearer <token>`.
    pub fn new(server: &Server, token: &str) -> Staff {
        Staff {
            client: reqwest::Client::new(),
            base: server.base.clone(),
            token: token.to_string(),
        }
    }

    /// POST a JSON body (or none) to a path; returns status and JSON.
    pub async fn post(
        &self,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let json = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, json)
    }

    /// POST JSON; `None` as status when the connection failed (server gone).
    pub async fn post_raw(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (Option<u16>, serde_json::Value) {
        let sent = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await;
        let Ok(response) = sent else {
            return (None, serde_json::Value::Null);
        };
        let status = response.status().as_u16();
        match response.json().await {
            Ok(json) => (Some(status), json),
            Err(_) => (None, serde_json::Value::Null),
        }
    }

    /// POST JSON under an `Idempotency-Key`; `None` as status when the connection failed.
    pub async fn post_once(
        &self,
        path: &str,
        body: serde_json::Value,
        key: &str,
    ) -> (Option<u16>, serde_json::Value) {
        let sent = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await;
        let Ok(response) = sent else {
            return (None, serde_json::Value::Null);
        };
        let status = response.status().as_u16();
        match response.json().await {
            Ok(json) => (Some(status), json),
            Err(_) => (None, serde_json::Value::Null),
        }
    }

    /// GET a path; returns status and JSON.
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        let json = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, json)
    }

    /// Issues a ticket for a service at the main office; returns the ticket JSON.
    pub async fn issue(&self, service: &str) -> serde_json::Value {
        let (status, ticket) = self
            .post(
                "/api/v1/offices/main/tickets",
                Some(serde_json::json!({ "service": service })),
            )
            .await;
        assert_eq!(status, 201, "issue failed: {ticket}");
        ticket
    }
}
