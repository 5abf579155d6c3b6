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
        assert!(!line.contains("qs_"), "no secret on stdout: {line}");
        if let Some(file) = line.strip_prefix("admin token file: ") {
            running.admin = read_token_file(Path::new(file));
        }
        if let Some(base) = line.strip_prefix("listening on ") {
            running.base = base.to_string();
            return running;
        }
    }
    panic!("server did not start");
}

/// The secret in the first admin token's file, which only its owner may read.
fn read_token_file(file: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file)
            .expect("the file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only: {mode:o}");
    }
    std::fs::read_to_string(file)
        .expect("the admin token file")
        .trim()
        .to_string()
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
fn the_first_start_writes_an_admin_token_file_once_and_cli_tokens_work_while_it_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8");
    let server = start(dir.path());
    assert!(
        server.admin.starts_with("qs_"),
        "admin token written at first start"
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
            .any(|l| l.starts_with("desk-1\tissuer\tall\t") && l.ends_with("\tnever\tactive")),
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
    let copy_text = copy.to_str().expect("utf-8");
    let (code, stdout, stderr) = run(&["backup", copy_text, "--data", data]);
    assert_eq!(code, 0, "{stderr}");
    assert!(copy.metadata().expect("backup written").len() > 0);
    // Two tickets and their events; the admin and desk-1, made and the one revoked.
    assert_eq!(
        stdout,
        format!("{copy_text}: integrity ok; 2 tickets, 5 events, 2 tokens\n")
    );
    drop(server);

    let again = start(dir.path());
    assert!(
        again.admin.is_empty(),
        "the admin token is minted only once"
    );
}

#[test]
fn the_first_admin_token_is_never_minted_again_once_every_token_is_revoked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8");
    let first = start(dir.path());
    let secret = first.admin.clone();
    drop(first);
    let (code, _, stderr) = run(&["token", "revoke", "admin", "--data", data]);
    assert_eq!(code, 0, "{stderr}");
    let again = start(dir.path());
    assert!(again.admin.is_empty(), "no new admin token");
    assert_eq!(
        read_token_file(&dir.path().join("admin-token")),
        secret,
        "the file is left as it was"
    );
    let (_, listed, _) = run(&["token", "list", "--data", data]);
    let states: Vec<&str> = listed
        .lines()
        .skip(1)
        .filter_map(|line| line.rsplit('\t').next())
        .collect();
    assert_eq!(states.len(), 1, "{listed}");
    assert!(states[0].starts_with("revoked "), "{listed}");
}

#[test]
fn a_store_with_a_token_made_before_the_first_start_gets_no_admin_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8");
    let (code, token, stderr) = run(&[
        "token",
        "create",
        "--create-database",
        "--role",
        "admin",
        "--name",
        "chief",
        "--data",
        data,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let server = start(Path::new(data));
    assert!(server.admin.is_empty(), "the store had a token");
    assert!(!Path::new(data).join("admin-token").exists());
    let tickets = "/api/v1/offices/main/tickets";
    let issue = r#"{"service":"renewal"}"#;
    assert_eq!(status_of(&server.base, token.trim(), tickets, issue), 201);
}

#[test]
fn commands_that_read_a_database_refuse_a_missing_one_and_create_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("typo");
    let data_text = data.to_str().expect("utf-8");
    let copy = dir.path().join("copy.db");
    let copy_text = copy.to_str().expect("utf-8");
    let commands: [&[&str]; 6] = [
        &["token", "list"],
        &["token", "revoke", "desk"],
        &["token", "create", "--role", "issuer", "--name", "desk"],
        &["backup", copy_text],
        &["stats", "--from", "2026-12-01"],
        &["accuracy", "--from", "2026-12-01"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.extend(["--data", data_text]);
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert!(
            stderr.contains("there is no database at") && stderr.contains("typo"),
            "{args:?}: {stderr}"
        );
        assert!(!data.exists(), "{args:?} made the data directory");
        assert!(!copy.exists(), "{args:?} made the output file");
    }
    let (_, _, stderr) = run(&[
        "token", "create", "--role", "issuer", "--name", "desk", "--data", data_text,
    ]);
    assert!(stderr.contains("--create-database"), "{stderr}");
    // Refused for another reason: nothing made either, even with --create-database.
    let (code, _, stderr) = run(&[
        "token",
        "create",
        "--create-database",
        "--role",
        "issuer",
        "--name",
        "desk",
        "--office",
        "nowhere",
        "--data",
        data_text,
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("unknown office \"nowhere\""), "{stderr}");
    assert!(!data.exists());

    let (code, _, stderr) = run(&[
        "token",
        "create",
        "--create-database",
        "--role",
        "issuer",
        "--name",
        "desk",
        "--data",
        data_text,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(data.join("queue.db").exists(), "made when asked");
}

#[test]
fn token_create_limits_a_token_to_an_office_and_to_the_end_of_its_last_day_in_japan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8");
    let made = "2026-11-01T10:00:00+09:00";
    let create = |name: &str, extra: &[&str]| {
        let mut args = vec![
            "--now",
            made,
            "token",
            "create",
            "--create-database",
            "--role",
            "issuer",
            "--name",
            name,
            "--data",
            data,
        ];
        args.extend(extra);
        run(&args)
    };
    let (code, ended, stderr) = create("ended", &["--expires", "2026-11-30"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, main_only, stderr) = create(
        "main-only",
        &["--office", "main", "--expires", "2026-12-01"],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = create("too-late", &["--expires", "2026-10-31"]);
    assert_eq!(code, 1, "an expiry already past is refused");
    assert!(stderr.contains("expired already"), "{stderr}");

    // The server's day is 2026-12-01.
    let server = start(dir.path());
    let issue = r#"{"service":"renewal"}"#;
    assert_eq!(
        status_of(
            &server.base,
            ended.trim(),
            "/api/v1/offices/main/tickets",
            issue
        ),
        401
    );
    assert_eq!(
        status_of(
            &server.base,
            main_only.trim(),
            "/api/v1/offices/main/tickets",
            issue
        ),
        201,
        "works through its last day"
    );
    assert_eq!(
        status_of(
            &server.base,
            main_only.trim(),
            "/api/v1/offices/center/tickets",
            issue
        ),
        403
    );

    let (code, listed, _) = run(&[
        "--now",
        "2026-12-01T10:00:00+09:00",
        "token",
        "list",
        "--data",
        data,
    ]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], "NAME\tROLE\tOFFICE\tCREATED\tEXPIRES\tSTATE");
    assert!(
        lines.contains(
            &"ended\tissuer\tall\t2026-11-01T10:00:00+09:00\t2026-12-01T00:00:00+09:00\texpired 2026-12-01T00:00:00+09:00"
        ),
        "{listed}"
    );
    assert!(
        lines.contains(
            &"main-only\tissuer\tmain\t2026-11-01T10:00:00+09:00\t2026-12-02T00:00:00+09:00\tactive"
        ),
        "{listed}"
    );
}

#[test]
fn refusals_are_logged_with_the_peer_address_and_never_the_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(BINARY)
        .args(["--data", dir.path().to_str().expect("utf-8")])
        .args([
            "--listen",
            "127.0.0.1:0",
            "--now",
            "2026-12-01T10:00:00+09:00",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let base = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("listening on ").map(str::to_string));
    let Some(base) = base else {
        let _ = child.kill();
        panic!("server did not start");
    };
    let guess = "qs_a_guessed_secret_never_logged";
    let status = status_of(&base, guess, "/api/v1/offices/main/tickets", "{}");
    let _ = child.kill();
    let output = child.wait_with_output().expect("output");
    let log = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status, 401);
    let line = log
        .lines()
        .find(|line| line.contains("refused a staff request"))
        .unwrap_or_else(|| panic!("no refusal logged:\n{log}"));
    assert!(line.contains("peer=127.0.0.1:"), "{line}");
    assert!(line.contains("token_unknown"), "{line}");
    assert!(!log.contains(guess), "the token is never logged:\n{log}");
}

/// Runs the binary in `dir` and waits at most `limit`: a start that should be refused must not
/// hang (it is killed and reported if it does).
fn run_within(dir: &Path, args: &[&str], limit: Duration) -> (i32, String, String) {
    let mut child = Command::new(BINARY)
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!(
                "{args:?} still running after {limit:?}; stdout:\n{}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The binary started with `args` in `dir`, read up to its `listening on` line; the lines it
/// printed before are kept. Killed (SIGKILL) on drop.
struct Started {
    child: Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
    before: Vec<String>,
    base: String,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_in(dir: &Path, args: &[&str]) -> Started {
    let mut child = Command::new(BINARY)
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut started = Started {
        child,
        lines: BufReader::new(stdout).lines(),
        before: Vec::new(),
        base: String::new(),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let line = started.lines.next().expect("a line").expect("utf-8");
        if let Some(base) = line.strip_prefix("listening on ") {
            started.base = base.to_string();
            return started;
        }
        started.before.push(line);
    }
    panic!("server did not start");
}

impl Started {
    /// The secret in the admin token file it named, if it named one.
    fn admin_token(&self) -> Option<String> {
        self.printed("admin token file: ")
            .map(|file| read_token_file(Path::new(&file)))
    }

    /// What it printed after a `prefix`, before it was ready.
    fn printed(&self, prefix: &str) -> Option<String> {
        self.before
            .iter()
            .find_map(|line| line.strip_prefix(prefix).map(str::to_string))
    }
}

fn get_status(url: &str, token: Option<&str>) -> u16 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut request = reqwest::Client::new().get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("sent").status().as_u16()
    })
}

const REFUSED_WITHIN: Duration = Duration::from_secs(5);

#[test]
fn a_second_server_on_the_same_data_directory_is_refused_at_once_and_the_first_is_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8");
    let now = "2026-12-01T10:00:00+09:00";
    let args = ["--data", data, "--listen", "127.0.0.1:0", "--now", now];
    let mut first = start_in(dir.path(), &args);
    let admin = first.admin_token().expect("admin token");
    let issue = r#"{"service":"renewal"}"#;
    let tickets = "/api/v1/offices/main/tickets";
    assert_eq!(status_of(&first.base, &admin, tickets, issue), 201);

    let (code, stdout, stderr) = run_within(dir.path(), &args, REFUSED_WITHIN);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("already running"), "{stderr}");
    assert!(stderr.contains(data), "names the directory: {stderr}");
    assert_eq!(stdout, "", "no admin token, no listening line");

    // The first still serves the same day: the next number follows on.
    assert_eq!(status_of(&first.base, &admin, tickets, issue), 201);
    let (code, listed, _) = run(&["token", "list", "--data", data]);
    assert_eq!(code, 0, "CLI subcommands do not take the lock");
    assert_eq!(
        listed.lines().count(),
        2,
        "header and the one admin: {listed}"
    );

    // `listening on` came exactly once: nothing more follows it on stdout.
    let _ = first.child.kill();
    let rest: Vec<String> = first.lines.by_ref().map_while(Result::ok).collect();
    assert!(rest.is_empty(), "{rest:?}");
    drop(first);

    // SIGKILL released the lock with the process: a restart is never refused.
    let again = start_in(dir.path(), &args);
    assert_eq!(again.printed("admin token file: "), None);
    let ticket_list = format!("{}{tickets}", again.base);
    assert_eq!(get_status(&ticket_list, Some(&admin)), 200);
}

#[test]
fn a_second_server_on_a_busy_port_is_refused_before_it_makes_its_data_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = start_in(dir.path(), &["--data", "one", "--listen", "127.0.0.1:0"]);
    let address = first.base.trim_start_matches("http://").to_string();
    let (code, _, stderr) = run_within(
        dir.path(),
        &["--data", "two", "--listen", &address],
        REFUSED_WITHIN,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("port is in use"), "{stderr}");
    assert!(!dir.path().join("two").exists(), "nothing touched");
}

#[test]
fn the_demo_run_twice_refuses_the_second_and_prints_a_token_command_that_works() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = ["--demo", "--listen", "127.0.0.1:0"];
    let first = start_in(dir.path(), &demo);
    let admin = first
        .admin_token()
        .expect("the demo prints where its admin token is");
    let session = format!("{}/api/v1/session", first.base);
    assert_eq!(get_status(&session, Some(&admin)), 200);

    let (code, stdout, stderr) = run_within(dir.path(), &demo, REFUSED_WITHIN);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("already running"), "{stderr}");
    assert!(!stdout.contains("admin token"), "{stdout}");
    assert_eq!(
        get_status(&session, Some(&admin)),
        200,
        "the first demo's database was not reset under it"
    );

    // The printed command, run as printed in the same directory, makes a token that the
    // running demo accepts.
    let command = first.printed("more tokens: ").expect("the token command");
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words.first().copied(), Some(BINARY));
    assert!(command.contains(" --demo token create "), "{command}");
    let (code, token, stderr) = run_within(dir.path(), &words[1..], REFUSED_WITHIN);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(get_status(&session, Some(token.trim())), 200);
}

#[test]
fn demo_before_or_after_a_subcommand_means_the_demos_data_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let limit = Duration::from_secs(20);
    let after = [
        "token",
        "create",
        "--demo",
        "--create-database",
        "--role",
        "issuer",
        "--name",
        "a",
    ];
    let (code, _, stderr) = run_within(dir.path(), &after, limit);
    assert_eq!(code, 0, "{stderr}");
    let before = [
        "--demo", "token", "create", "--role", "counter", "--name", "b",
    ];
    let (code, _, stderr) = run_within(dir.path(), &before, limit);
    assert_eq!(code, 0, "{stderr}");
    assert!(dir.path().join("data/demo/queue.db").exists());
    assert!(
        !dir.path().join("data/queue.db").exists(),
        "not the real one"
    );
    let (_, listed, _) = run_within(dir.path(), &["token", "list", "--demo"], limit);
    let names: Vec<&str> = listed
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn token_list_has_a_header_and_shows_japan_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("utf-8");
    let at = "2026-12-01T01:00:00Z";
    let (code, _, stderr) = run(&[
        "--now",
        at,
        "token",
        "create",
        "--create-database",
        "--role",
        "issuer",
        "--name",
        "desk",
        "--data",
        data,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(&["--now", at, "token", "revoke", "desk", "--data", data]);
    assert_eq!(code, 0, "{stderr}");
    let (_, listed, _) = run(&["token", "list", "--data", data]);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], "NAME\tROLE\tOFFICE\tCREATED\tEXPIRES\tSTATE");
    assert!(
        lines[1].starts_with("desk\tissuer\tall\t2026-12-01T10:00:00+09:00\tnever\trevoked "),
        "{listed}"
    );
    assert!(lines[1].ends_with("+09:00"), "{listed}");
}

#[test]
fn a_backup_into_a_missing_directory_says_which_and_how_to_make_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let target = dir.path().join("no/such/dir/q.db");
    let (code, _, stderr) = run(&[
        "backup",
        target.to_str().expect("utf-8"),
        "--data",
        data.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(stderr.contains("mkdir -p"), "{stderr}");
    assert!(!stderr.contains("code"), "no SQLite code: {stderr}");
}

#[test]
fn config_print_prints_the_given_file_once_it_validates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, default, _) = run(&["config", "print"]);
    let edited = default.replacen(
        "mean_service_minutes = 10.0",
        "mean_service_minutes = 12.0",
        1,
    );
    let file = dir.path().join("mine.toml");
    std::fs::write(&file, &edited).expect("write");
    let file = file.to_str().expect("utf-8");
    let (code, printed, stderr) = run(&["config", "print", "--config", file]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(printed, edited, "the file in effect, not the default");

    let broken = dir.path().join("broken.toml");
    let text = default.replacen("prefix = \"L\"", "prefix = \"R\"", 1);
    std::fs::write(&broken, text).expect("write");
    let (code, printed, stderr) = run(&[
        "--config",
        broken.to_str().expect("utf-8"),
        "config",
        "print",
    ]);
    assert_eq!(code, 1);
    assert_eq!(printed, "");
    assert!(stderr.contains("duplicate prefix \"R\""), "{stderr}");
}

#[test]
fn listen_takes_a_host_name_or_says_the_expected_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_in(dir.path(), &["--data", "d", "--listen", "localhost:0"]);
    assert_eq!(get_status(&format!("{}/healthz", server.base), None), 200);
    let (code, _, stderr) = run(&["--listen", "8080"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("expected ADDR:PORT"), "{stderr}");
    assert!(stderr.contains("localhost:8080"), "{stderr}");
}

#[test]
fn server_options_are_listed_at_the_top_and_stay_out_of_subcommand_help() {
    let (code, top, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for option in [
        "--listen",
        "--now",
        "--demo",
        "--demo-speed",
        "--poll-seconds",
        "--data",
        "--admin-listen",
        "--max-viewers",
        "--header-timeout",
        "--request-timeout",
        "--send-timeout",
    ] {
        assert!(top.contains(option), "{option} in:\n{top}");
    }
    let (_, token, _) = run(&["token", "create", "--help"]);
    for option in [
        "--listen",
        "--demo-speed",
        "--poll-seconds",
        "--admin-listen",
        "--max-viewers",
    ] {
        assert!(!token.contains(option), "{option} in:\n{token}");
    }
    for option in ["--data", "--config", "--demo"] {
        assert!(token.contains(option), "{option} in:\n{token}");
    }
    let (_, serve, _) = run(&["serve", "--help"]);
    assert!(serve.contains("--listen"), "serve takes them too:\n{serve}");
}

#[test]
fn data_and_config_are_accepted_after_every_subcommand_and_now_after_calendar() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8");
    let config = dir.path().join("c.toml");
    std::fs::write(&config, run(&["config", "print"]).1).expect("write");
    let config = config.to_str().expect("utf-8");
    let copy = dir.path().join("copy.db");
    let copy = copy.to_str().expect("utf-8");
    let commands: [&[&str]; 6] = [
        &[
            "token",
            "create",
            "--create-database",
            "--role",
            "admin",
            "--name",
            "x",
        ],
        &["token", "list"],
        &["backup", copy],
        &["calendar", "--from", "2026-12-01", "--to", "2026-12-01"],
        &["holidays", "2026"],
        &["config", "print"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.extend(["--data", data, "--config", config]);
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
    }
    let (code, stdout, stderr) = run(&["calendar", "--now", "2026-12-28T10:00:00+09:00"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("2026-12-28（"), "{stdout}");
}
