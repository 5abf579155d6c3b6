//! The `queue-server` command line, run as the real binary: the printed formats are contracts
//! checked from outside, and tokens made by the CLI work on a running server at once.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_queue-server");

fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(BINARY)
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

#[test]
fn holidays_prints_the_cabinet_office_list_one_tab_separated_line_each() {
    let fixture = include_str!("fixtures/holidays-2025-2027.tsv");
    for year in ["2025", "2026", "2027"] {
        let (code, stdout, _) = run(&["holidays", year]);
        assert_eq!(code, 0);
        let expected: Vec<&str> = fixture
            .lines()
            .filter(|line| line.starts_with(year))
            .collect();
        let got: Vec<&str> = stdout.lines().collect();
        assert_eq!(got, expected, "{year}");
        assert!(got.iter().all(|line| line.matches('\t').count() == 1));
    }
}

#[test]
fn calendar_prints_one_line_per_day_with_hours_or_the_closure_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("never-made");
    let data = data.to_str().expect("utf-8 path");
    let (code, stdout, stderr) = run(&[
        "calendar",
        "--office",
        "main",
        "--from",
        "2026-12-20",
        "--to",
        "2027-01-10",
        "--data",
        data,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 22);
    assert_eq!(lines[0], "2026-12-20（日）閉庁 土曜日・日曜日");
    assert_eq!(lines[1], "2026-12-21（月）9:00～17:45");
    assert_eq!(lines[9], "2026-12-29（火）閉庁 年末年始", "domain R3");
    assert_eq!(lines[15], "2027-01-04（月）9:00～17:45");
    assert_eq!(lines[21], "2027-01-10（日）閉庁 土曜日・日曜日");
    for line in &lines {
        if line.contains("閉庁") {
            assert!(!line.contains(':'), "no hours on closed lines: {line}");
        }
    }
    assert!(
        !Path::new(data).exists(),
        "calendar never opens the database"
    );

    let (_, center, _) = run(&[
        "calendar",
        "--office",
        "center",
        "--from",
        "2026-12-21",
        "--to",
        "2026-12-21",
    ]);
    assert_eq!(center.trim(), "2026-12-21（月）8:30～17:15", "domain R2");
}

#[test]
fn calendar_shows_the_last_ticket_time_when_configured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, default, _) = run(&["config", "print"]);
    let config = default.replacen(
        "mon = { opens = \"09:00\", closes = \"17:45\" }",
        "mon = { opens = \"09:00\", closes = \"17:45\", last_ticket = \"17:30\" }",
        1,
    );
    let file = dir.path().join("config.toml");
    std::fs::write(&file, config).expect("write config");
    let file = file.to_str().expect("utf-8");
    let (code, stdout, stderr) = run(&[
        "calendar",
        "--config",
        file,
        "--from",
        "2026-12-21",
        "--to",
        "2026-12-22",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "2026-12-21（月）9:00～17:45（発券は17:30まで）\n2026-12-22（火）9:00～17:45\n"
    );
}

#[test]
fn config_print_writes_a_configuration_the_server_accepts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stdout, _) = run(&["config", "print"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("金沢市役所 本庁舎"));
    let file = dir.path().join("printed.toml");
    std::fs::write(&file, &stdout).expect("write");
    let (code, _, stderr) = run(&[
        "calendar",
        "--config",
        file.to_str().expect("utf-8"),
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-01",
    ]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn an_invalid_configuration_is_refused_naming_the_file_the_key_and_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, default, _) = run(&["config", "print"]);
    let broken = default.replacen("closes = \"17:45\"", "closes = \"08:00\"", 1);
    let file = dir.path().join("broken.toml");
    std::fs::write(&file, broken).expect("write");
    let data = dir.path().join("data");
    let (code, _, stderr) = run(&[
        "--config",
        file.to_str().expect("utf-8"),
        "--data",
        data.to_str().expect("utf-8"),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("broken.toml"), "{stderr}");
    assert!(stderr.contains("offices[0].schedule"), "{stderr}");
    assert!(stderr.contains("mon"), "{stderr}");
}

#[test]
fn bad_arguments_exit_with_2() {
    let (code, _, stderr) = run(&["--now", "yesterday", "holidays", "2026"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = run(&["holidays", "1900"]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&["token", "create", "--role", "mayor", "--name", "x"]);
    assert_eq!(code, 2);
}

/// The binary serving on port 0; killed on drop.
struct Running {
    child: Child,
    base: String,
    admin: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data: &Path) -> Running {
    let mut child = Command::new(BINARY)
        .args([
            "--data",
            data.to_str().expect("utf-8"),
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--now", "2026-12-01T10:00:00+09:00"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    // Owned by the guard from here on, so it is killed and reaped even if we panic.
    let mut running = Running {
        child,
        base: String::new(),
        admin: String::new(),
    };
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let line = lines.next().expect("a line").expect("utf-8");
        if let Some(token) = line.strip_prefix("admin token: ") {
            running.admin = token.to_string();
        }
        if let Some(base) = line.strip_prefix("listening on ") {
            running.base = base.to_string();
            return running;
        }
    }
    panic!("server did not start");
}

fn status_of(base: &str, token: &str, path: &str, body: &str) -> u16 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("sent")
            .status()
            .as_u16()
    })
}

#[test]
fn the_first_start_prints_an_admin_token_once_and_cli_tokens_work_while_it_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8");
    let server = start(dir.path());
    assert!(
        server.admin.starts_with("qs_"),
        "admin token printed at first start"
    );
    let issue = r#"{"service":"renewal"}"#;
    let tickets = "/api/v1/offices/main/tickets";
    assert_eq!(status_of(&server.base, &server.admin, tickets, issue), 201);

    let (code, stdout, stderr) = run(&[
        "token", "create", "--role", "issuer", "--name", "desk-1", "--data", data,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let token = stdout.trim_end_matches('\n');
    assert!(
        token.starts_with("qs_") && !token.contains('\n'),
        "the token alone: {stdout:?}"
    );
    assert_eq!(
        status_of(&server.base, token, tickets, issue),
        201,
        "accepted at once"
    );
    assert_eq!(
        status_of(
            &server.base,
            token,
            "/api/v1/offices/main/reception/resume",
            "{}"
        ),
        403
    );

    let (code, _, _) = run(&[
        "token", "create", "--role", "counter", "--name", "desk-1", "--data", data,
    ]);
    assert_eq!(code, 1, "names are unique");
    let (code, listed, _) = run(&["token", "list", "--data", data]);
    assert_eq!(code, 0);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("desk-1\tissuer\t") && l.ends_with("active")),
        "{listed}"
    );
    assert!(!listed.contains(token), "list never shows secrets");

    let (code, _, _) = run(&["token", "revoke", "desk-1", "--data", data]);
    assert_eq!(code, 0);
    assert_eq!(
        status_of(&server.base, token, tickets, issue),
        401,
        "revoked at once"
    );
    let (code, _, _) = run(&["token", "revoke", "desk-1", "--data", data]);
    assert_eq!(code, 1);

    let copy = dir.path().join("backup.db");
    let (code, _, stderr) = run(&["backup", copy.to_str().expect("utf-8"), "--data", data]);
    assert_eq!(code, 0, "{stderr}");
    assert!(copy.metadata().expect("backup written").len() > 0);
    drop(server);

    let again = start(dir.path());
    assert!(
        again.admin.is_empty(),
        "the admin token is printed only once"
    );
}
