//! The staff API over real HTTP on a loopback port: every route, authentication and roles, and
//! every bad-input case, each refused with the JSON error envelope and nothing changed.

#[macro_use]
mod common;

use common::{ADMIN, COUNTER, ISSUER, OPEN_DAY, TestServer, assert_error};
use serde_json::{Value, json};

const TICKETS: &str = "/api/v1/offices/main/tickets";

on_both_engines! {
    async fn issuing_replies_201_with_the_ticket_and_lists_it_in_issue_order() {
        let server = TestServer::start(OPEN_DAY).await;
        let first = server.issue("renewal").await;
        assert_eq!(first["number"], "R001");
        assert_eq!(first["service"], "renewal");
        assert_eq!(first["state"], "waiting");
        assert!(first["id"].is_string());
        let issued_at = first["issued_at"].as_str().expect("issued_at");
        assert!(issued_at.starts_with("2026-12-01T10:00"), "{issued_at}");
        assert!(issued_at.ends_with("+09:00"), "Japan time: {issued_at}");
        server.issue("legal_representative").await;
        let third = server.issue("renewal").await;
        assert_eq!(third["number"], "R002");
        assert_eq!(
            third["ahead_at_issue"], 2,
            "every counter serves every service: both earlier tickets are called first"
        );
        assert_eq!(
            third["waiting_ahead_at_issue"], 2,
            "the first name of the same number"
        );
        assert_eq!(third["ahead"], 2);

        let tickets = server.tickets().await;
        let numbers: Vec<_> = tickets.iter().map(|t| t["number"].clone()).collect();
        assert_eq!(numbers, [json!("R001"), json!("L001"), json!("R002")]);
        assert_eq!(
            tickets[0], first,
            "the same object in the reply and the list"
        );
    }
}

/// Every staff route, as (method, path, body).
fn staff_routes(ticket: &str) -> Vec<(&'static str, String, Option<Value>)> {
    let office = "/api/v1/offices/main";
    let mut routes = vec![
        (
            "POST",
            format!("{office}/tickets"),
            Some(json!({"service": "renewal"})),
        ),
        ("GET", format!("{office}/tickets"), None),
        ("GET", format!("{office}/tickets/{ticket}"), None),
        (
            "POST",
            format!("{office}/reception/suspend"),
            Some(json!({"reason": "点検"})),
        ),
        ("POST", format!("{office}/reception/resume"), None),
    ];
    for action in ["open", "pause", "close", "call-next"] {
        routes.push(("POST", format!("{office}/counters/1/{action}"), None));
    }
    for action in ["recall", "start", "finish", "no-show", "cancel"] {
        routes.push(("POST", format!("{office}/tickets/{ticket}/{action}"), None));
    }
    routes
}

on_both_engines! {
    async fn every_staff_route_refuses_a_missing_or_unknown_token_with_401() {
        let server = TestServer::start(OPEN_DAY).await;
        let ticket = server.issue("renewal").await;
        let id = ticket["id"].as_str().expect("id");
        for (method, path, body) in staff_routes(id) {
            let (status, error) = server.call(method, &path, None, body.clone()).await;
            assert_error(status, &error, 401, "token_missing");
            let (status, error) = server
                .call(method, &path, Some("qs_not_a_token"), body)
                .await;
            assert_error(status, &error, 401, "token_unknown");
        }
        let response = server
            .client
            .get(server.url(TICKETS))
            .header("authorization", format!("Basic {ISSUER}"))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 401, "only Bearer is accepted");
        assert_eq!(server.tickets().await.len(), 1, "nothing changed");
    }
}

on_both_engines! {
    async fn each_role_may_do_exactly_what_the_rights_table_allows() {
        let server = TestServer::start(OPEN_DAY).await;
        let ticket = server.issue("renewal").await;
        let id = ticket["id"].as_str().expect("id").to_string();
        // (path suffix, issuer allowed, counter allowed); admin may do everything.
        let issuer_allowed = |method: &str, path: &str| {
            path.ends_with("/tickets")
                || (method == "GET" && path.contains("/tickets/"))
                || path.ends_with("/cancel")
        };
        let counter_allowed = |method: &str, path: &str| {
            let issues = path.ends_with("/tickets") && method == "POST";
            !issues && !path.contains("/reception/")
        };
        for (token, allowed) in [
            (ISSUER, &issuer_allowed as &dyn Fn(&str, &str) -> bool),
            (COUNTER, &counter_allowed),
        ] {
            for (method, path, body) in staff_routes(&id) {
                let (status, body) = server.call(method, &path, Some(token), body).await;
                if allowed(method, &path) {
                    assert_ne!(status, 403, "{token} {method} {path}: {body}");
                    assert_ne!(status, 401, "{token} {method} {path}: {body}");
                } else {
                    assert_error(status, &body, 403, "forbidden");
                }
            }
        }
        for (method, path, body) in staff_routes(&id) {
            let (status, body) = server.call(method, &path, Some(ADMIN), body).await;
            assert!(
                status != 401 && status != 403,
                "admin {method} {path}: {body}"
            );
        }
    }
}

on_both_engines! {
    async fn bad_input_gets_a_clear_error_with_a_stable_code_and_changes_nothing() {
        let server = TestServer::start(OPEN_DAY).await;
        server.issue("renewal").await;
        let before_events = server.store.event_count().await.expect("events");

        let big = json!({ "service": "x".repeat(17 * 1024) }).to_string();
        let (status, body) = server
            .post_raw(TICKETS, ISSUER, "application/json", big)
            .await;
        assert_error(status, &body, 413, "payload_too_large");
        let (status, body) = server
            .post_raw(TICKETS, ISSUER, "application/json", "{\"service\": ")
            .await;
        assert_error(status, &body, 400, "malformed_json");
        let (status, body) = server
            .post_raw(TICKETS, ISSUER, "text/plain", "{\"service\": \"renewal\"}")
            .await;
        assert_error(status, &body, 415, "unsupported_media_type");

        let (status, body) = server
            .post(TICKETS, ISSUER, Some(json!({ "service": "passport" })))
            .await;
        assert_error(status, &body, 422, "unknown_service");
        let (status, body) = server
            .post(TICKETS, ISSUER, Some(json!({ "kind": 1 })))
            .await;
        assert_error(status, &body, 400, "invalid_body");

        let (status, body) = server
            .post(
                "/api/v1/offices/nowhere/tickets",
                ISSUER,
                Some(json!({ "service": "renewal" })),
            )
            .await;
        assert_error(status, &body, 404, "office_not_found");
        let (status, body) = server
            .post("/api/v1/offices/main/counters/9/open", COUNTER, None)
            .await;
        assert_error(status, &body, 404, "counter_not_found");
        let (status, body) = server
            .post("/api/v1/offices/main/tickets/999999/cancel", COUNTER, None)
            .await;
        assert_error(status, &body, 404, "ticket_not_found");
        let (status, body) = server
            .post("/api/v1/offices/main/tickets/abc/cancel", COUNTER, None)
            .await;
        assert_error(status, &body, 404, "ticket_not_found");
        let (status, body) = server.call("DELETE", TICKETS, Some(ADMIN), None).await;
        assert_error(status, &body, 405, "method_not_allowed");
        let (status, body) = server.call("GET", "/api/v1/nothing-here", None, None).await;
        assert_error(status, &body, 404, "not_found");
        let (status, body) = server
            .post_raw(
                "/api/v1/offices/main/counters/1/open",
                COUNTER,
                "application/json",
                "{oops",
            )
            .await;
        assert_error(status, &body, 400, "malformed_json");

        assert_eq!(server.tickets().await.len(), 1, "nothing changed");
        assert_eq!(
            server.store.event_count().await.expect("events"),
            before_events
        );
    }
}

on_both_engines! {
    async fn a_counter_opens_calls_and_serves_tickets_through_their_whole_life() {
        let server = TestServer::start(OPEN_DAY).await;
        let counter = "/api/v1/offices/main/counters/1";
        let first = server.issue("renewal").await;
        let second = server.issue("renewal").await;
        let third = server.issue("legal_representative").await;

        let (status, body) = server
            .post(&format!("{counter}/call-next"), COUNTER, None)
            .await;
        assert_error(status, &body, 409, "counter_not_open");
        let (status, body) = server.post(&format!("{counter}/open"), COUNTER, None).await;
        assert_eq!((status, body["state"].clone()), (200, json!("open")));
        let (status, body) = server
            .post(&format!("{counter}/open"), COUNTER, Some(json!({})))
            .await;
        assert_eq!(
            (status, body["state"].clone()),
            (200, json!("open")),
            "no-op"
        );

        let (status, called) = server
            .post(&format!("{counter}/call-next"), COUNTER, None)
            .await;
        assert_eq!(status, 200, "{called}");
        assert_eq!(called["number"], first["number"]);
        assert_eq!(called["state"], "called");
        assert_eq!(called["counter"], "1");

        let ticket = |t: &Value| format!("{TICKETS}/{}", t["id"].as_str().expect("id"));
        let (status, body) = server
            .post(&format!("{}/recall", ticket(&first)), COUNTER, None)
            .await;
        assert_eq!((status, body["state"].clone()), (200, json!("recalled")));
        let (status, body) = server
            .post(&format!("{}/start", ticket(&first)), COUNTER, None)
            .await;
        assert_eq!((status, body["state"].clone()), (200, json!("serving")));
        let (status, body) = server
            .post(&format!("{}/no-show", ticket(&first)), COUNTER, None)
            .await;
        assert_error(status, &body, 409, "invalid_transition");

        // Call-next finishes the current ticket, then calls the next.
        let (_, called) = server
            .post(&format!("{counter}/call-next"), COUNTER, None)
            .await;
        assert_eq!(called["number"], second["number"]);
        let (_, shown) = server.get(&ticket(&first), COUNTER).await;
        assert_eq!(shown["state"], "done");
        let (status, body) = server
            .post(&format!("{}/no-show", ticket(&second)), COUNTER, None)
            .await;
        assert_eq!((status, body["state"].clone()), (200, json!("no_show")));
        let (status, body) = server
            .post(&format!("{}/cancel", ticket(&third)), ISSUER, None)
            .await;
        assert_eq!((status, body["state"].clone()), (200, json!("cancelled")));
        let (status, body) = server
            .post(&format!("{counter}/call-next"), COUNTER, None)
            .await;
        assert_error(status, &body, 409, "queue_empty");
        let (status, body) = server
            .post(&format!("{}/finish", ticket(&third)), COUNTER, None)
            .await;
        assert_error(status, &body, 409, "invalid_transition");

        let (status, body) = server
            .post(&format!("{counter}/pause"), COUNTER, None)
            .await;
        assert_eq!((status, body["state"].clone()), (200, json!("paused")));
        let (status, body) = server
            .post(&format!("{counter}/close"), COUNTER, None)
            .await;
        assert_eq!((status, body["state"].clone()), (200, json!("closed")));
        let states: Vec<_> = server
            .tickets()
            .await
            .iter()
            .map(|t| t["state"].clone())
            .collect();
        assert_eq!(
            states,
            [json!("done"), json!("no_show"), json!("cancelled")]
        );
    }
}

on_both_engines! {
    async fn issuing_on_a_national_holiday_is_refused_with_the_reason_and_next_opening() {
        // 23 Nov 2026 is a Monday and 勤労感謝の日 (domain R3).
        let server = TestServer::start("2026-11-23T10:00:00+09:00").await;
        let (status, body) = server
            .post(TICKETS, ISSUER, Some(json!({ "service": "renewal" })))
            .await;
        assert_error(status, &body, 409, "office_closed");
        assert_eq!(
            body["error"]["message"],
            "本日は祝日（勤労感謝の日）のため閉庁しています。次回の受付は11月24日（火）9:00からです。"
        );
        assert_eq!(body["error"]["next_opening"], "2026-11-24T09:00:00+09:00");
        let (_, status) = server
            .call("GET", "/api/v1/offices/main/status", None, None)
            .await;
        assert_eq!(status["calendar"]["phase"], "closed");
        assert_eq!(status["calendar"]["reason_code"], "holiday");
        assert_eq!(
            status["calendar"]["next_opening"],
            "2026-11-24T09:00:00+09:00"
        );
        assert!(server.tickets().await.is_empty());
    }
}

on_both_engines! {
    async fn issuing_after_closing_is_refused_but_waiting_tickets_can_still_be_called() {
        let server = TestServer::start("2026-12-01T17:44:59+09:00").await;
        let waiting = server.issue("renewal").await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let (status, body) = server
            .post(TICKETS, ISSUER, Some(json!({ "service": "renewal" })))
            .await;
        assert_error(status, &body, 409, "office_closed");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("12月2日（水）9:00"),
            "{body}"
        );
        server
            .post("/api/v1/offices/main/counters/2/open", COUNTER, None)
            .await;
        let (status, called) = server
            .post("/api/v1/offices/main/counters/2/call-next", COUNTER, None)
            .await;
        assert_eq!(status, 200, "{called}");
        assert_eq!(called["id"], waiting["id"]);
    }
}

on_both_engines! {
    async fn suspended_reception_refuses_tickets_in_public_words_and_keeps_the_note_for_staff() {
        let server = TestServer::start(OPEN_DAY).await;
        let note = "J-LIS障害、復旧見込み14時（山田）";
        let (status, body) = server
            .post(
                "/api/v1/offices/main/reception/suspend",
                ADMIN,
                Some(json!({ "reason_code": "system_outage", "note": note })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["suspended"], true);
        assert_eq!(body["reason_code"], "system_outage");
        assert_eq!(body["note"], note, "the admin's reply carries the note");

        let (status, body) = server
            .post(TICKETS, ISSUER, Some(json!({ "service": "renewal" })))
            .await;
        assert_error(status, &body, 409, "reception_suspended");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("システム障害のため"), "{message}");

        let (_, snapshot) = server
            .call("GET", "/api/v1/offices/main/status", None, None)
            .await;
        assert_eq!(snapshot["reception"]["suspended"], true);
        assert_eq!(snapshot["reception"]["reason_code"], "system_outage");
        assert_eq!(snapshot["calendar"]["accepting"], false);
        assert!(
            !snapshot.to_string().contains("山田"),
            "the note never reaches the public status: {snapshot}"
        );
        let page = server
            .client
            .get(server.url("/"))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("body");
        assert!(!page.contains("山田"), "nor the public page");
        assert!(page.contains("受付停止中"), "the headline says suspended");

        let (status, staff_view) = server
            .call("GET", "/api/v1/offices/main/reception", Some(COUNTER), None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            staff_view["note"], note,
            "staff read the note on a staff route"
        );
        let (status, _) = server
            .call("GET", "/api/v1/offices/main/reception", None, None)
            .await;
        assert_eq!(status, 401, "the note's route needs a token");

        for bad in [
            json!({ "reason": " " }),
            json!({ "reason_code": "weather" }),
            json!({}),
        ] {
            let (status, body) = server
                .post("/api/v1/offices/main/reception/suspend", ADMIN, Some(bad))
                .await;
            assert_error(status, &body, 400, "invalid_reason");
        }

        let (status, body) = server
            .post("/api/v1/offices/main/reception/resume", ADMIN, None)
            .await;
        assert_eq!((status, body["suspended"].clone()), (200, json!(false)));
        server.issue("renewal").await;
    }
}

on_both_engines! {
    async fn the_first_versions_reason_is_kept_as_a_note_with_the_code_other() {
        let server = TestServer::start(OPEN_DAY).await;
        let (status, body) = server
            .post(
                "/api/v1/offices/main/reception/suspend",
                ADMIN,
                Some(json!({ "reason": "J-LISのシステム障害" })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["reason_code"], "other");
        assert_eq!(body["note"], "J-LISのシステム障害");
        let (_, snapshot) = server
            .call("GET", "/api/v1/offices/main/status", None, None)
            .await;
        assert_eq!(snapshot["reception"]["reason_code"], "other");
        assert!(!snapshot.to_string().contains("J-LIS"));
    }
}

on_both_engines! {
    async fn the_public_status_needs_no_token_shows_waiting_counts_and_no_token_names() {
        let server = TestServer::start(OPEN_DAY).await;
        server.issue("renewal").await;
        server.issue("renewal").await;
        let response = server
            .client
            .get(server.url("/api/v1/offices/main/status"))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200);
        let etag = response.headers()["etag"]
            .to_str()
            .expect("etag")
            .to_string();
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .expect("cc")
                .contains("max-age")
        );
        let text = response.text().await.expect("body");
        assert!(
            !text.contains("desk-alice") && !text.contains("admin-1"),
            "{text}"
        );
        let status: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(status["v"], 1);
        assert_eq!(status["type"], "snapshot");
        assert_eq!(status["office"]["name_ja"], "金沢市役所 本庁舎");
        assert_eq!(status["calendar"]["phase"], "open");
        assert_eq!(status["services"][0]["id"], "renewal");
        assert_eq!(status["services"][0]["waiting"], 2);

        let again = server
            .client
            .get(server.url("/api/v1/offices/main/status"))
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("sent");
        assert_eq!(again.status(), 304);
        server.issue("renewal").await;
        let changed = server
            .client
            .get(server.url("/api/v1/offices/main/status"))
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("sent");
        assert_eq!(changed.status(), 200, "a change makes a new ETag");
    }
}

on_both_engines! {
    async fn offices_health_and_calendar_are_public() {
        let server = TestServer::start(OPEN_DAY).await;
        let (status, body) = server.call("GET", "/healthz", None, None).await;
        assert_eq!((status, body["status"].clone()), (200, json!("ok")));
        let (status, body) = server.call("GET", "/api/v1/offices", None, None).await;
        assert_eq!(status, 200);
        assert_eq!(body["offices"][0]["id"], "main");
        assert_eq!(body["offices"][0]["counters"], json!(["1", "2", "3", "4"]));

        let (status, body) = server
            .call(
                "GET",
                "/api/v1/offices/main/calendar?from=2026-12-28&to=2027-01-04",
                None,
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let days = body["days"].as_array().expect("days");
        assert_eq!(days.len(), 8);
        assert_eq!(days[0]["open"], true);
        assert_eq!(days[1]["closure"]["code"], "year_end", "domain R3");
        assert_eq!(days[7]["hours"]["opens"], "09:00");

        let (status, body) = server
            .call(
                "GET",
                "/api/v1/offices/main/calendar?from=2026-13-01",
                None,
                None,
            )
            .await;
        assert_error(status, &body, 400, "invalid_date");
        let (status, body) = server
            .call(
                "GET",
                "/api/v1/offices/main/calendar?from=2026-01-01&to=2027-06-01",
                None,
                None,
            )
            .await;
        assert_error(status, &body, 400, "range_too_long");
        let (status, body) = server
            .call("GET", "/api/v1/offices/elsewhere/calendar", None, None)
            .await;
        assert_error(status, &body, 404, "office_not_found");
    }
}

on_both_engines! {
    async fn concurrent_issues_get_unique_consecutive_numbers() {
        let server = std::sync::Arc::new(TestServer::start(OPEN_DAY).await);
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let server = server.clone();
            tasks.push(tokio::spawn(async move {
                let mut numbers = Vec::new();
                for _ in 0..25 {
                    numbers.push(server.issue("renewal").await["number"].clone());
                }
                numbers
            }));
        }
        let mut numbers = Vec::new();
        for task in tasks {
            numbers.extend(task.await.expect("task"));
        }
        let mut numbers: Vec<String> = numbers
            .iter()
            .map(|n| n.as_str().expect("number").to_string())
            .collect();
        numbers.sort();
        let expected: Vec<String> = (1..=200).map(|n| format!("R{n:03}")).collect();
        assert_eq!(numbers, expected);
    }
}

on_both_engines! {
    /// "People ahead" follows the order in which call-next calls: tickets of two services issued
    /// alternately are called oldest first whatever their service, so each ticket's `ahead` is the
    /// number of tickets called before it, and it counts down as they are called.
    async fn people_ahead_are_the_tickets_call_next_calls_first_whatever_their_service() {
        let server = TestServer::start(OPEN_DAY).await;
        let services = [
            "renewal",
            "legal_representative",
            "renewal",
            "legal_representative",
            "renewal",
        ];
        let mut issued = Vec::new();
        for (position, service) in services.iter().enumerate() {
            let ticket = server.issue(service).await;
            assert_eq!(ticket["ahead_at_issue"], position, "{ticket}");
            issued.push(ticket["number"].as_str().unwrap_or_default().to_string());
        }
        let (status, _) = server
            .post("/api/v1/offices/main/counters/1/open", COUNTER, None)
            .await;
        assert_eq!(status, 200);
        for (calls_so_far, expected) in issued.iter().enumerate() {
            let tickets = server.tickets().await;
            for ticket in tickets.iter().filter(|t| t["state"] == "waiting") {
                let position = issued
                    .iter()
                    .position(|number| ticket["number"] == number.as_str())
                    .expect("an issued ticket");
                assert_eq!(
                    ticket["ahead"],
                    position - calls_so_far,
                    "{} after {calls_so_far} calls",
                    ticket["number"]
                );
            }
            let (status, called) = server
                .post("/api/v1/offices/main/counters/1/call-next", COUNTER, None)
                .await;
            assert_eq!(status, 200, "{called}");
            assert_eq!(called["number"], expected.as_str(), "called in issue order");
            assert_eq!(called["ahead"], 0, "a called ticket has nobody ahead");
        }
    }
}

on_both_engines! {
    /// A service the office does not offer is refused naming it as clerks read it, not by its id.
    async fn a_service_the_office_does_not_offer_is_refused_by_its_name() {
        let text = queue_server::config::DEFAULT_TOML.replacen(
            "services = [\"renewal\", \"legal_representative\",",
            "services = [\"renewal\",",
            1,
        );
        let config = queue_server::config::Config::parse(&text, "test.toml").expect("config");
        let server = TestServer::start_with(OPEN_DAY, config).await;
        let (status, body) = server
            .post(
                TICKETS,
                ISSUER,
                Some(json!({ "service": "legal_representative" })),
            )
            .await;
        assert_error(status, &body, 422, "unknown_service");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("法定代理人の方"), "{message}");
        assert!(message.contains("受付場所"), "{message}");
    }
}

/// Sends `POST …/tickets` for `service` with an `Idempotency-Key`; returns status and body text.
async fn issue_with_key(server: &TestServer, service: &str, key: &str) -> (u16, String) {
    let response = server
        .client
        .post(server.url(TICKETS))
        .bearer_auth(ISSUER)
        .header("Idempotency-Key", key)
        .json(&json!({ "service": service }))
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

on_both_engines! {
    async fn an_issue_retried_with_the_same_idempotency_key_gets_the_first_reply_and_no_second_ticket()
    {
        let server = TestServer::start(OPEN_DAY).await;
        let key = "5f0c6a3e-8d4b-4f3a-9c1e-2b7d9e0a1c44";
        let (status, first) = issue_with_key(&server, "renewal", key).await;
        assert_eq!(status, 201, "{first}");
        // Another ticket in between changes the queue; the retry still gets the first reply.
        server.issue("renewal").await;
        let (status, again) = issue_with_key(&server, "renewal", key).await;
        assert_eq!(status, 201);
        assert_eq!(again, first, "the same status and body");
        // The quoted form of the IETF draft names the same key.
        let (status, quoted) = issue_with_key(&server, "renewal", &format!("\"{key}\"")).await;
        assert_eq!((status, quoted), (201, first.clone()));
        let numbers: Vec<_> = server
            .tickets()
            .await
            .iter()
            .map(|t| t["number"].clone())
            .collect();
        assert_eq!(numbers, [json!("R001"), json!("R002")]);

        let (status, reused) = issue_with_key(&server, "legal_representative", key).await;
        let reused: Value = serde_json::from_str(&reused).expect("JSON");
        assert_error(status, &reused, 422, "idempotency_key_reused");
        for bad in ["", "has space", &"x".repeat(256)] {
            let (status, body) = issue_with_key(&server, "renewal", bad).await;
            let body: Value = serde_json::from_str(&body).expect("JSON");
            assert_error(status, &body, 400, "invalid_idempotency_key");
        }
        assert_eq!(
            server.tickets().await.len(),
            2,
            "nothing issued by the refusals"
        );
    }
}

on_both_engines! {
    async fn metrics_count_date_changes_that_expire_open_tickets() {
        let server = TestServer::start(OPEN_DAY).await;
        let text = server
            .client
            .get(server.url("/metrics"))
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("body");
        assert!(
            text.contains("queue_date_changes_expiring_tickets_total{office=\"main\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("queue_tickets_expired_by_date_change_total{office=\"main\"} 0"),
            "{text}"
        );
    }
}

/// The raw answer to one request on a fresh connection: the status line and headers, then
/// every byte after them (none for `HEAD` or a 304).
async fn raw_exchange(server: &TestServer, request: &str) -> (String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connected");
    stream
        .write_all(format!("{request}Host: {address}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .expect("sent");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head")
        + 4;
    let head = String::from_utf8(answer[..end].to_vec()).expect("ASCII head");
    (head, answer[end..].to_vec())
}

/// The value of header `name` in a raw head (names compared without case).
fn header_of(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

#[tokio::test]
async fn head_on_the_status_answers_the_headers_of_get_and_no_body() {
    let server = TestServer::start(OPEN_DAY).await;
    server.issue("renewal").await;
    let path = "/api/v1/offices/main/status";
    let (get, body) = raw_exchange(&server, &format!("GET {path} HTTP/1.1\r\n")).await;
    let (head, nothing) = raw_exchange(&server, &format!("HEAD {path} HTTP/1.1\r\n")).await;
    assert!(get.starts_with("HTTP/1.1 200"), "{get}");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    for name in ["etag", "cache-control", "content-type", "content-length"] {
        let value = header_of(&get, name);
        assert!(value.is_some(), "GET answers {name}: {get}");
        assert_eq!(header_of(&head, name), value, "{name}");
    }
    assert_eq!(
        header_of(&get, "content-length"),
        Some(body.len().to_string()),
        "the length of the body GET sends"
    );
    assert!(nothing.is_empty(), "HEAD sends no body");

    // The ETag/304 path answers HEAD as it answers GET.
    let etag = header_of(&get, "etag").expect("etag");
    let conditional =
        |method: &str| format!("{method} {path} HTTP/1.1\r\nIf-None-Match: {etag}\r\n");
    let (get_304, get_body) = raw_exchange(&server, &conditional("GET")).await;
    let (head_304, head_body) = raw_exchange(&server, &conditional("HEAD")).await;
    for (answer, rest) in [(&get_304, &get_body), (&head_304, &head_body)] {
        assert!(answer.starts_with("HTTP/1.1 304"), "{answer}");
        assert_eq!(header_of(answer, "etag"), Some(etag.clone()));
        assert_eq!(
            header_of(answer, "cache-control"),
            header_of(&get, "cache-control")
        );
        assert!(rest.is_empty(), "a 304 has no body");
    }
}

/// The status route stands outside the layers of the other routes (it is the one phones poll),
/// yet answers as they do: the security headers on a 200, a 304, a 404 for an unknown office
/// and a 405 for another method, and errors in the JSON envelope.
#[tokio::test]
async fn the_status_route_carries_the_security_headers_and_the_error_envelope() {
    let server = TestServer::start(OPEN_DAY).await;
    let path = "/api/v1/offices/main/status";
    let (ok, _) = raw_exchange(&server, &format!("GET {path} HTTP/1.1\r\n")).await;
    let etag = header_of(&ok, "etag").expect("etag");
    let (not_modified, _) = raw_exchange(
        &server,
        &format!("GET {path} HTTP/1.1\r\nIf-None-Match: {etag}\r\n"),
    )
    .await;
    let (unknown, unknown_body) =
        raw_exchange(&server, "GET /api/v1/offices/nowhere/status HTTP/1.1\r\n").await;
    let (post, post_body) = raw_exchange(
        &server,
        &format!("POST {path} HTTP/1.1\r\nContent-Length: 0\r\n"),
    )
    .await;
    for (answer, status) in [
        (&ok, "200"),
        (&not_modified, "304"),
        (&unknown, "404"),
        (&post, "405"),
    ] {
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{answer}"
        );
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "no-referrer"),
        ] {
            assert_eq!(header_of(answer, name).as_deref(), Some(value), "{answer}");
        }
        assert!(
            header_of(answer, "content-security-policy").is_some(),
            "{answer}"
        );
    }
    let unknown: Value = serde_json::from_slice(&unknown_body).expect("JSON");
    assert_eq!(unknown["error"]["code"], "office_not_found");
    let post: Value = serde_json::from_slice(&post_body).expect("JSON");
    assert_eq!(post["error"]["code"], "method_not_allowed");
}
