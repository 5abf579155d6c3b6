//! End to end: the real `queue-server` and the real `lobby-display` in a tmux pane, read back
//! with `tmux capture-pane` as a person in the lobby would read the screen.
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{OPEN_DAY, Server, Staff};

/// How long the screen may take to show a change (reconnects back off up to 5 s).
const DEADLINE: Duration = Duration::from_secs(15);

/// A tmux server of its own (`-S`, a socket in the test's temporary directory), running one
/// display; killed when dropped, panics included.
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Whether tmux can be run here at all.
    fn available() -> bool {
        Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|output| output.status.success())
    }

    /// Starts `command` in a detached 120×40 session on a private tmux socket in `dir`.
    fn start(dir: &Path, command: &str) -> Tmux {
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
        };
        let output = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "lobby",
            "-x",
            "120",
            "-y",
            "40",
            command,
        ]);
        assert!(
            output.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            // -u: the pane speaks UTF-8 whatever the locale of the test runner.
            .arg("-u")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env("LANG", "C.UTF-8")
            .output()
            .expect("run tmux")
    }

    /// The visible pane as text.
    fn capture(&self) -> String {
        let output = self.run(&["capture-pane", "-p", "-t", "lobby"]);
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Whether the session still runs (it ends when the display exits).
    fn running(&self) -> bool {
        self.run(&["has-session", "-t", "lobby"]).status.success()
    }

    /// Types keys into the pane.
    fn send_keys(&self, keys: &str) {
        let output = self.run(&["send-keys", "-t", "lobby", keys]);
        assert!(output.status.success(), "tmux send-keys failed");
    }

    /// Polls the pane until `ready` holds, or panics with the last screen and the log.
    fn wait_for(&self, what: &str, log: &Path, ready: impl Fn(&str) -> bool) -> String {
        self.wait_within(DEADLINE, what, log, ready)
    }

    /// [`Tmux::wait_for`] with a deadline of `limit`.
    fn wait_within(
        &self,
        limit: Duration,
        what: &str,
        log: &Path,
        ready: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.capture();
            if ready(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(log).unwrap_or_default();
                panic!("screen never showed {what}:\n{screen}\n--- display log ---\n{log}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// A called number reaches the lobby screen; when the server goes away the screen says it is
/// reconnecting, and when the server is back on the same port it is live again with no
/// reconnecting text left; `q` quits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(tmux), ignore = "needs tmux")]
async fn lobby_display_shows_a_called_number_and_survives_a_server_restart() {
    assert!(
        Tmux::available(),
        "tmux is on PATH (build.rs) but does not run"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let address = server.address().to_string();
    // The admin token is made only on the first start: keep it for after the restart.
    let admin = server.admin();
    let staff = Staff::new(&server, &admin);
    let (status, body) = staff
        .post("/api/v1/offices/main/counters/1/open", None)
        .await;
    assert_eq!(status, 200, "open counter: {body}");
    let ticket = staff.issue("renewal").await;
    assert_eq!(ticket["number"], "R001");

    let log = dir.path().join("display.log");
    let command = format!(
        "{} --server ws://{address} --office main --log {}",
        common::binary("lobby-display").display(),
        log.display()
    );
    let display = Tmux::start(dir.path(), &command);
    display.wait_for("the office name", &log, |screen| {
        screen.contains("金沢市役所") && screen.contains("接続済み")
    });

    let (status, body) = staff
        .post("/api/v1/offices/main/counters/1/call-next", None)
        .await;
    assert_eq!(status, 200, "call next: {body}");
    let screen = display.wait_for("1番窓口 R001", &log, |screen| {
        screen.contains("1番窓口 R001")
    });
    assert!(screen.contains("受付中"), "{screen}");

    server.kill();
    let screen = display.wait_for("the reconnecting state", &log, |screen| {
        screen.contains("再接続中")
    });
    assert!(screen.contains("最終更新"), "{screen}");

    let _restarted = Server::start_on(dir.path(), &address, &["--now", OPEN_DAY]);
    let screen = display.wait_for("the live state again", &log, |screen| {
        !screen.contains("再接続中") && screen.contains("接続済み")
    });
    assert!(screen.contains("1番窓口 R001"), "{screen}");

    // `q` quits (and the session, which only runs the display, ends with it).
    display.send_keys("q");
    let deadline = Instant::now() + DEADLINE;
    while display.running() {
        assert!(Instant::now() < deadline, "the display did not quit on q");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Two instances of the server (issue 18; here each on its own SQLite data, so each has its own
/// queue): the display is given both, shows the first, and when the first is killed with
/// SIGKILL it moves to the second and shows the second's data, live, with its number on the
/// status line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(tmux), ignore = "needs tmux")]
async fn lobby_display_moves_to_the_next_server_when_its_server_is_killed() {
    assert!(
        Tmux::available(),
        "tmux is on PATH (build.rs) but does not run"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut servers = Vec::new();
    for (name, counter) in [("first", "1"), ("second", "2")] {
        let data = dir.path().join(name);
        std::fs::create_dir(&data).expect("data dir");
        let server = Server::start(&data, &["--now", OPEN_DAY]);
        let staff = Staff::new(&server, &server.admin());
        let (status, body) = staff
            .post(
                &format!("/api/v1/offices/main/counters/{counter}/open"),
                None,
            )
            .await;
        assert_eq!(status, 200, "open counter {counter}: {body}");
        staff.issue("renewal").await;
        let (status, body) = staff
            .post(
                &format!("/api/v1/offices/main/counters/{counter}/call-next"),
                None,
            )
            .await;
        assert_eq!(status, 200, "call next at {counter}: {body}");
        servers.push(server);
    }
    let second = servers.pop().expect("two servers");
    let first = servers.pop().expect("two servers");

    let log = dir.path().join("display.log");
    let command = format!(
        "{} --server ws://{} --server ws://{} --office main --log {}",
        common::binary("lobby-display").display(),
        first.address(),
        second.address(),
        log.display()
    );
    let display = Tmux::start(dir.path(), &command);
    display.wait_for("the first server's call, live", &log, |screen| {
        screen.contains("1番窓口 R001") && screen.contains("接続済み サーバー1")
    });

    first.kill();
    // Its queue is another database's, so its `seq` may be behind the screen's: the display
    // may hold the first's data for up to the catch-up limit (10 s) before it believes it.
    let screen = display.wait_within(
        DEADLINE + Duration::from_secs(10),
        "the second server's call, live",
        &log,
        |screen| screen.contains("2番窓口 R001") && screen.contains("接続済み サーバー2"),
    );
    assert!(!screen.contains("再接続中"), "{screen}");
    assert!(!screen.contains("1番窓口 R001"), "{screen}");
}

/// After reception ends at 17:45 the lobby screen keeps the called number and the waiting count
/// and says that ticket holders will still be called, instead of a closed panel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_reception_ends_the_lobby_screen_keeps_the_called_number_and_the_queue() {
    if !Tmux::available() {
        eprintln!("skipping lobby_display e2e test: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &["--now", "2026-12-01T17:44:30+09:00"]);
    let address = server.address().to_string();
    let staff = Staff::new(&server, &server.admin());
    staff.issue("renewal").await;
    staff.issue("renewal").await;
    let (status, _) = staff
        .post("/api/v1/offices/main/counters/1/open", None)
        .await;
    assert_eq!(status, 200);
    let (status, called) = staff
        .post("/api/v1/offices/main/counters/1/call-next", None)
        .await;
    assert_eq!(status, 200, "{called}");

    // Tickets were issued with time to spare before 17:45; now let reception end.
    server.wait_for_phase("reception_closed").await;
    let log = dir.path().join("display.log");
    let command = format!(
        "{} --server ws://{address} --office main --log {}",
        common::binary("lobby-display").display(),
        log.display()
    );
    let display = Tmux::start(dir.path(), &command);
    let screen = display.wait_for("the reception-closed sentence", &log, |screen| {
        screen.contains("番号札をお持ちの方は順番にお呼びします")
    });
    assert!(screen.contains("1番窓口 R001"), "{screen}");
    assert!(screen.contains("お待ちの方（全体） 1人"), "{screen}");
    assert!(!screen.contains("閉庁"), "{screen}");
}
