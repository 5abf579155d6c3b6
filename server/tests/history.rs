//! The history and forecast routes on an in-process server (issue 17): today's tickets show up
//! in the open data as JSON and CSV alike, the replies are cacheable, and the forecast says it
//! has too little history instead of guessing.
mod common;

use common::{ADMIN, COUNTER, ISSUER, TestServer, assert_error};

const NOW: &str = "2026-12-01T10:20:00+09:00";

async fn issue_two_and_call_one(server: &TestServer) {
    let (status, body) = server
        .post("/api/v1/offices/main/counters/1/open", COUNTER, None)
        .await;
    assert_eq!(status, 200, "{body}");
    server.issue("renewal").await;
    server.issue("renewal").await;
    let (status, body) = server
        .post("/api/v1/offices/main/counters/1/call-next", COUNTER, None)
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn todays_tickets_appear_in_the_open_data_under_its_licence_without_ticket_details() {
    let server = TestServer::start(NOW).await;
    issue_two_and_call_one(&server).await;
    let response = server
        .client
        .get(server.url("/api/v1/offices/main/history?from=2026-12-01&to=2026-12-01"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("etag"));
    let cache = response.headers()["cache-control"].to_str().expect("ascii");
    assert!(cache.starts_with("public"), "{cache}");
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["license"], "CC BY 4.0");
    let typed: queue_server::protocol::HistoryPage =
        serde_json::from_value(body.clone()).expect("the protocol crate reads the history");
    assert_eq!(typed.rows.len(), 9);
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 9, "one row per hour of reception: {body}");
    let ten = rows.iter().find(|r| r["hour"] == 10).expect("10 o'clock");
    assert_eq!(ten["date"], "2026-12-01");
    assert_eq!(
        (ten["issued"].as_u64(), ten["called"].as_u64()),
        (Some(2), Some(1))
    );
    let text = body.to_string();
    assert!(
        !text.contains("R001") && !text.contains("public_id"),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_csv_carries_the_same_figures_as_the_json_header_first_without_a_bom() {
    let server = TestServer::start(NOW).await;
    issue_two_and_call_one(&server).await;
    let path = "/api/v1/offices/main/history?from=2026-12-01&to=2026-12-01";
    let response = server
        .client
        .get(server.url(&format!("{path}&format=csv")))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"].to_str().expect("ascii");
    assert!(kind.starts_with("text/csv"), "{kind}");
    let bytes = response.bytes().await.expect("body");
    assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "date,hour,issued,called,served,no_show,cancelled,mean_wait_min,median_wait_min,p90_wait_min,mean_service_min,counters_open"
        )
    );
    let (_, json) = server.call("GET", path, None, None).await;
    let ten_json = json["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["hour"] == 10).cloned())
        .expect("10 o'clock");
    let ten_csv: Vec<&str> = lines
        .find(|l| l.starts_with("2026-12-01,10,"))
        .expect("10 o'clock line")
        .split(',')
        .collect();
    assert_eq!(ten_csv[2], ten_json["issued"].to_string());
    assert_eq!(ten_csv[3], ten_json["called"].to_string());
    let wait = ten_json["mean_wait_min"].as_f64().expect("a wait");
    assert_eq!(ten_csv[7], format!("{wait:.1}"));
    server.stop().await;
}

#[tokio::test]
async fn an_unchanged_history_is_answered_304_to_its_etag() {
    let server = TestServer::start(NOW).await;
    let url = server.url("/api/v1/offices/main/history?from=2026-11-30&to=2026-11-30");
    let first = server.client.get(&url).send().await.expect("sent");
    let etag = first.headers()["etag"].clone();
    let again = server
        .client
        .get(&url)
        .header("if-none-match", etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status(), 304);
    server.stop().await;
}

#[tokio::test]
async fn a_bad_range_or_format_is_refused_with_a_code() {
    let server = TestServer::start(NOW).await;
    let (status, body) = server
        .call(
            "GET",
            "/api/v1/offices/main/history?from=2026-12-02&to=2026-12-01",
            None,
            None,
        )
        .await;
    assert_error(status, &body, 400, "invalid_range");
    let (status, body) = server
        .call("GET", "/api/v1/offices/main/history?format=xml", None, None)
        .await;
    assert_error(status, &body, 400, "bad_request");
    let (status, body) = server
        .call("GET", "/api/v1/offices/nowhere/forecast", None, None)
        .await;
    assert_error(status, &body, 404, "office_not_found");
    server.stop().await;
}

#[tokio::test]
async fn without_history_the_forecast_lists_every_cell_as_null() {
    let server = TestServer::start(NOW).await;
    let (status, body) = server
        .call("GET", "/api/v1/offices/main/forecast", None, None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["based_on_days"], 0);
    assert_eq!(body["from"], "2026-10-06");
    assert_eq!(body["to"], "2026-11-30");
    assert_eq!(body["synthetic"], false);
    let cells = body["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 45, "Monday–Friday × 9:00–17:00");
    assert_eq!(cells[0]["weekday"], 1);
    assert_eq!(cells[0]["hour"], 9);
    assert!(
        cells
            .iter()
            .all(|c| c["typical_wait_minutes"].is_null() && c["level"].is_null())
    );
    assert_eq!(body["quietest"], serde_json::json!([]));
    let typed: queue_server::protocol::Forecast =
        serde_json::from_value(body).expect("the protocol crate reads the forecast");
    assert_eq!(typed.cells.len(), 45);
    server.stop().await;
}

#[tokio::test]
async fn the_hours_carry_the_counters_open_and_an_hour_to_come_has_none_yet() {
    let server = TestServer::start(NOW).await;
    issue_two_and_call_one(&server).await;
    let (status, body) = server
        .call(
            "GET",
            "/api/v1/offices/main/history?from=2026-12-01&to=2026-12-01",
            None,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rows = body["rows"].as_array().expect("rows");
    let at = |hour: u64| rows.iter().find(|r| r["hour"] == hour).expect("hour");
    assert_eq!(at(9)["counters_open"], 0.0, "nobody opened before 10:20");
    assert!(at(10)["counters_open"].is_number(), "{body}");
    assert!(
        at(11)["counters_open"].is_null(),
        "11:00 has not come: {body}"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_forecast_lists_the_upcoming_open_days_with_their_reasons() {
    let server = TestServer::start(NOW).await;
    let (status, body) = server
        .call("GET", "/api/v1/offices/main/forecast", None, None)
        .await;
    assert_eq!(status, 200, "{body}");
    let days = body["upcoming_days"].as_array().expect("upcoming days");
    assert_eq!(days.len(), 10, "{body}");
    assert_eq!(days[0]["date"], "2026-12-01", "today is an open day");
    assert_eq!(days[0]["weekday"], 2);
    assert_eq!(days[0]["reasons"], serde_json::json!([]));
    let monday = days
        .iter()
        .find(|d| d["date"] == "2026-12-07")
        .expect("the next Monday");
    assert_eq!(monday["reasons"], serde_json::json!(["monday"]));
    assert!(
        monday["typical_wait_minutes"].is_null(),
        "no history: no figure"
    );
    let busier = &body["busier_days"];
    assert_eq!(busier["from"], "2025-12-02");
    assert_eq!(busier["ordinary"]["days"], 0);
    let reasons: Vec<&str> = busier["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r["reason"].as_str())
        .collect();
    assert_eq!(
        reasons,
        ["monday", "after_holiday", "month_end", "march_april"]
    );
    assert!(busier["reasons"][0]["busier_than_ordinary"].is_null());
    server.stop().await;
}

#[tokio::test]
async fn the_staff_report_is_the_stats_csv_for_admins_only() {
    let server = TestServer::start(NOW).await;
    issue_two_and_call_one(&server).await;
    let path = "/api/v1/offices/main/report?from=2026-11-30&to=2026-12-01";
    for token in [COUNTER, ISSUER] {
        let (status, body) = server.get(path, token).await;
        assert_error(status, &body, 403, "forbidden");
    }
    let (status, body) = server.call("GET", path, None, None).await;
    assert_error(status, &body, 401, "token_missing");
    let response = server
        .client
        .get(server.url(path))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii");
    assert_eq!(
        disposition,
        "attachment; filename=\"stats-main-2026-11-30-2026-12-01.csv\""
    );
    let report = response.text().await.expect("body");
    let open_data = server
        .client
        .get(server.url("/api/v1/offices/main/history?from=2026-11-30&to=2026-12-01&format=csv"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body");
    assert_eq!(report, open_data, "the same rows as the open data");
    let by_service = server
        .client
        .get(server.url(&format!("{path}&by_service=true")))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body");
    assert!(
        by_service.starts_with("date,hour,service,issued,"),
        "{by_service}"
    );
    assert!(
        by_service.contains("\n2026-12-01,10,renewal,2,1,"),
        "{by_service}"
    );
    server.stop().await;
}
