//! Several instances on one PostgreSQL database: the real `queue-server` binary twice, each
//! with its own port and data directory, one database. Numbers stay unique and gap-free
//! whichever instance issues them, each instance's viewers see the other's changes, and
//! SIGKILL of one loses no acknowledged ticket and stops nothing on the other.
//! Ignored, by name, without a test cluster (`QUEUE_TEST_POSTGRES`, see `.ci/postgres`).

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{OPEN_DAY, Server, Staff};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const TICKETS: &str = "/api/v1/offices/main/tickets";

/// Two instances on a fresh database; the first start mints the admin token.
fn two_instances() -> (Server, Server, String, [tempfile::TempDir; 2]) {
    let database = common::fresh_postgres();
    let dirs = [
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    ];
    let args = ["--now", OPEN_DAY, "--database", database.as_str()];
    let a = Server::start(dirs[0].path(), &args);
    let b = Server::start(dirs[1].path(), &args);
    assert!(b.admin_token.is_none(), "one first admin token for all");
    let admin = a.admin();
    (a, b, admin, dirs)
}

/// Per prefix, the numbers run from 1 without a gap or a repeat.
fn assert_gap_free(tickets: &[Value]) {
    for prefix in ["R", "L"] {
        let mut numbers: Vec<u32> = tickets
            .iter()
            .filter_map(|t| t["number"].as_str()?.strip_prefix(prefix)?.parse().ok())
            .collect();
        let unique: HashSet<_> = numbers.iter().collect();
        assert_eq!(unique.len(), numbers.len(), "no {prefix} number twice");
        numbers.sort_unstable();
        assert_eq!(
            numbers,
            (1..=numbers.len() as u32).collect::<Vec<_>>(),
            "{prefix} numbers without a gap"
        );
    }
}

async fn stored_tickets(staff: &Staff) -> Vec<Value> {
    let (status, list) = staff.get(TICKETS).await;
    assert_eq!(status, 200, "{list}");
    list["tickets"].as_array().expect("tickets").clone()
}

/// Issues until `stop` says so; every 201 goes into `acknowledged`. `None` as a status (the
/// instance is gone) ends the issuer.
async fn issue_until(
    staff: Staff,
    service: &'static str,
    acknowledged: Arc<Mutex<Vec<Value>>>,
    count: Option<usize>,
) {
    let mut issued = 0;
    while count.is_none_or(|count| issued < count) {
        match staff.post_raw(TICKETS, json!({ "service": service })).await {
            (Some(201), ticket) => acknowledged.lock().expect("lock").push(ticket),
            (Some(other), body) => panic!("refused with {other}: {body}"),
            (None, _) => return,
        }
        issued += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres),
    ignore = "needs a PostgreSQL cluster: QUEUE_TEST_POSTGRES (see .ci/postgres)"
)]
async fn four_issuers_on_two_instances_get_unique_gap_free_numbers_and_each_sees_the_other() {
    let (a, b, admin, _dirs) = two_instances();
    let acknowledged: Arc<Mutex<Vec<Value>>> = Arc::default();
    let mut issuers = Vec::new();
    for (n, server) in [&a, &b, &a, &b].into_iter().enumerate() {
        let service = if n < 2 {
            "renewal"
        } else {
            "legal_representative"
        };
        issuers.push(tokio::spawn(issue_until(
            Staff::new(server, &admin),
            service,
            acknowledged.clone(),
            Some(40),
        )));
    }
    for issuer in issuers {
        issuer.await.expect("issuer");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert_eq!(acknowledged.len(), 160, "no request refused");
    // Each instance has caught up with the other's last commits a moment after they were made.
    let deadline = Instant::now() + Duration::from_secs(10);
    let (on_a, on_b) = loop {
        let on_a = stored_tickets(&Staff::new(&a, &admin)).await;
        let on_b = stored_tickets(&Staff::new(&b, &admin)).await;
        if on_a == on_b || Instant::now() > deadline {
            break (on_a, on_b);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(on_a, on_b, "both instances hold the same day");
    assert_eq!(on_a.len(), 160, "every acknowledged ticket stored once");
    for ticket in &acknowledged {
        assert!(on_a.iter().any(|t| t["id"] == ticket["id"]), "{ticket}");
    }
    assert_gap_free(&on_a);

    // A viewer of B hears of a ticket issued on A.
    let url = format!("ws://{}/api/v1/offices/main/live", b.address());
    let (mut viewer, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("viewer on B");
    viewer.next().await.expect("first frame").expect("frame");
    let sent = Instant::now();
    let ticket = Staff::new(&a, &admin).issue("renewal").await;
    let number = ticket["number"].as_str().expect("number").to_string();
    let heard = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(Ok(frame)) = viewer.next().await {
            if let Message::Text(text) = frame
                && text.contains(&format!("\"{number}\""))
            {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(
        heard,
        Ok(true),
        "B's viewer saw {number} within a second ({:?} so far)",
        sent.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres),
    ignore = "needs a PostgreSQL cluster: QUEUE_TEST_POSTGRES (see .ci/postgres)"
)]
async fn sigkill_of_one_instance_loses_nothing_and_the_other_keeps_issuing() {
    let (a, b, admin, _dirs) = two_instances();
    let acknowledged: Arc<Mutex<Vec<Value>>> = Arc::default();
    let mut on_a = Vec::new();
    for service in ["renewal", "legal_representative"] {
        on_a.push(tokio::spawn(issue_until(
            Staff::new(&a, &admin),
            service,
            acknowledged.clone(),
            None,
        )));
    }
    let on_b = tokio::spawn(issue_until(
        Staff::new(&b, &admin),
        "renewal",
        acknowledged.clone(),
        Some(200),
    ));
    let deadline = Instant::now() + Duration::from_secs(30);
    while acknowledged.lock().expect("lock").len() < 100 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    a.kill();
    for issuer in on_a {
        issuer.await.expect("issuer on A");
    }
    // B was never stopped: its issuer finishes all of its tickets.
    on_b.await.expect("issuer on B");
    let after = Staff::new(&b, &admin).issue("legal_representative").await;
    assert_eq!(after["state"], "waiting", "B still issues: {after}");

    let acknowledged = acknowledged.lock().expect("lock").clone();
    let stored = stored_tickets(&Staff::new(&b, &admin)).await;
    for ticket in &acknowledged {
        let found = stored.iter().find(|t| t["id"] == ticket["id"]);
        assert_eq!(found, Some(ticket), "acknowledged ticket lost or changed");
    }
    assert_gap_free(&stored);
}
