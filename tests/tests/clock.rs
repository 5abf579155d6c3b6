//! The clock at start: the real server refuses to run on a system clock that is earlier than
//! the last event in its store (a host whose clock is not synchronised yet, or was set back),
//! and starts anyway, with a warning, when the time is chosen with `--now`.

mod common;

use common::{OPEN_DAY, Server, Staff, queue_server};

/// A Tuesday at 10:00 in Japan, years after any machine that runs these tests.
const FUTURE_OPEN_DAY: &str = "2030-12-03T10:00:00+09:00";

#[tokio::test]
async fn a_system_clock_earlier_than_the_last_event_in_the_store_is_refused_and_a_chosen_one_is_not()
 {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", FUTURE_OPEN_DAY]);
    let admin = server.admin();
    let ticket = Staff::new(&server, &admin).issue("renewal").await;
    assert_eq!(ticket["business_date"], "2030-12-03");
    assert!(server.terminate().success());

    let data = dir.path().to_string_lossy().into_owned();
    let (code, stdout, stderr) = queue_server(&["--data", &data, "--listen", "127.0.0.1:0"]);
    assert_eq!(code, 1, "refused: {stdout} {stderr}");
    assert!(
        stderr.contains("earlier than the last event in the store"),
        "says why: {stderr}"
    );
    assert!(
        stderr.contains("2030-12-03"),
        "says when the last event was: {stderr}"
    );
    assert!(!stdout.contains("listening on"), "never listened: {stdout}");

    // A chosen time is deliberate: it starts, whatever times the store holds.
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let (status, _) = Staff::new(&server, &admin)
        .get("/api/v1/offices/main/tickets")
        .await;
    assert_eq!(status, 200);
}
