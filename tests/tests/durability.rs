//! Nothing lost: the real server is killed with SIGKILL while staff clients issue tickets
//! concurrently; after a restart every acknowledged ticket is there, in the same state, and the
//! next number continues the sequence.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{OPEN_DAY, Server, Staff};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_ticket_survives_sigkill_and_numbers_continue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let admin = server.admin();
    let acknowledged: Arc<Mutex<Vec<Value>>> = Arc::default();
    let mut clients = Vec::new();
    for client in 0..8 {
        let staff = Staff::new(&server, &admin);
        let acknowledged = acknowledged.clone();
        let service = if client % 2 == 0 {
            "renewal"
        } else {
            "legal_representative"
        };
        clients.push(tokio::spawn(async move {
            loop {
                let (status, ticket) = staff
                    .post_raw(
                        "/api/v1/offices/main/tickets",
                        serde_json::json!({ "service": service }),
                    )
                    .await;
                match status {
                    Some(201) => acknowledged.lock().expect("lock").push(ticket),
                    Some(other) => panic!("unexpected {other}: {ticket}"),
                    None => break, // the server is gone
                }
            }
        }));
    }
    // Let the clients get well into it, then kill the server mid-burst.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().expect("lock").len() < 300 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill();
    for client in clients {
        client.await.expect("client task");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(
        acknowledged.len() >= 100,
        "only {} issued before the kill",
        acknowledged.len()
    );

    let server = Server::start(dir.path(), &["--now", OPEN_DAY]);
    let staff = Staff::new(&server, &admin);
    let (status, list) = staff.get("/api/v1/offices/main/tickets").await;
    assert_eq!(status, 200, "{list}");
    let stored = list["tickets"].as_array().expect("tickets").clone();
    for ticket in &acknowledged {
        let found = stored.iter().find(|t| t["id"] == ticket["id"]);
        assert_eq!(found, Some(ticket), "acknowledged ticket lost or changed");
    }
    // Per prefix: numbers unique, consecutive from 1 (no gaps, no reuse).
    for prefix in ["R", "L"] {
        let numbers: Vec<u32> = stored
            .iter()
            .filter_map(|t| t["number"].as_str())
            .filter_map(|n| n.strip_prefix(prefix))
            .map(|n| n.parse().expect("digits"))
            .collect();
        let unique: HashSet<_> = numbers.iter().collect();
        assert_eq!(unique.len(), numbers.len(), "no number twice");
        let mut sorted = numbers.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (1..=numbers.len() as u32).collect::<Vec<_>>());
    }
    let last_renewal = stored
        .iter()
        .filter_map(|t| t["number"].as_str()?.strip_prefix('R')?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    let next = staff.issue("renewal").await;
    assert_eq!(next["number"], format!("R{:03}", last_renewal + 1));
}
