//! The renewal guide from outside: `GET /api/v1/renewal` and the `/renewal` page over real
//! HTTP on a loopback port, and `queue-server renewal` as the real binary. Dates follow the
//! city's rules (docs/renewal.md); live figures come from the offices' published snapshots.

mod common;

use std::process::Command;

use common::{ADMIN, OPEN_DAY, TestServer, assert_error};
use serde_json::Value;

const BINARY: &str = env!("CARGO_BIN_EXE_queue-server");

async fn renewal(server: &TestServer, query: &str) -> (u16, Value) {
    server
        .call("GET", &format!("/api/v1/renewal?{query}"), None, None)
        .await
}

async fn page(server: &TestServer, query: &str) -> (u16, String) {
    let response = server
        .client
        .get(server.url(&format!("/renewal{query}")))
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// The city's own example: expiry 7 July → free from 8 April (R12), every other date derived
/// from the same expiry.
#[tokio::test]
async fn the_api_answers_the_citys_example_with_every_date_of_the_contract() {
    let server = TestServer::start(OPEN_DAY).await;
    let (status, answer) = renewal(&server, "expires=2027-07-07&today=2027-03-01&who=self").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["expires"], "2027-07-07");
    assert_eq!(answer["today"], "2027-03-01");
    assert_eq!(answer["window_opens"], "2027-04-08");
    assert_eq!(answer["in_window"], false);
    assert_eq!(answer["after_expiry"], false);
    assert_eq!(answer["days_until_window"], 38);
    assert_eq!(answer["insurance_card_until"], "2027-10-07");
    assert_eq!(answer["notice_expected_from"], "2027-04-22");
    assert_eq!(answer["visits"], 1);
    assert_eq!(answer["window_reading"], "literal");
    let bring = answer["bring"].as_array().expect("bring");
    assert_eq!(bring.len(), 1);
    assert!(
        bring[0]["ja"]
            .as_str()
            .unwrap()
            .contains("マイナンバーカード")
    );
    assert!(bring[0]["en"].as_str().unwrap().contains("My Number card"));
    assert_eq!(answer["ticket"]["service"], "renewal");
    server.stop().await;
}

/// Month ends follow the rule literally; only a day number that does not exist three months
/// earlier is our reading, and the answer says so.
#[tokio::test]
async fn month_ends_are_literal_and_a_missing_day_is_marked_as_our_reading() {
    let server = TestServer::start(OPEN_DAY).await;
    for (expires, opens, reading) in [
        ("2028-02-29", "2027-11-30", "literal"),
        ("2027-11-30", "2027-08-31", "literal"),
        ("2027-05-31", "2027-03-01", "month_end"),
    ] {
        let (status, answer) =
            renewal(&server, &format!("expires={expires}&today=2027-01-04")).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["window_opens"], opens, "{expires}");
        assert_eq!(answer["window_reading"], reading, "{expires}");
        let ours = answer["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|note| note["ja"].as_str().unwrap().contains("当システムの解釈"));
        assert_eq!(ours, reading == "month_end", "{expires}");
    }
    server.stop().await;
}

/// Without `today` the server answers for its own business date in Japan, which follows the
/// clock it was started with (here 1 December 2026).
#[tokio::test]
async fn without_today_the_answer_is_for_the_servers_own_date_in_japan() {
    let server = TestServer::start(OPEN_DAY).await;
    let (status, answer) = renewal(&server, "expires=2027-02-15").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["today"], "2026-12-01");
    assert_eq!(answer["window_opens"], "2026-11-16");
    assert_eq!(answer["in_window"], true);
    assert_eq!(answer["days_until_window"], -15);
    let (_, after) = renewal(&server, "expires=2026-11-30").await;
    assert_eq!(after["after_expiry"], true, "the expiry was yesterday");
    assert_eq!(after["in_window"], false);
    assert_eq!(after["ticket"]["service"], "new_issuance", "R15");
    server.stop().await;
}

/// Each office's waiting count and estimate are the ones its snapshot publishes for the
/// person's own ticket: two renewals waiting show for the holder, not for a legal
/// representative.
#[tokio::test]
async fn offices_carry_the_live_waiting_count_of_the_persons_own_ticket() {
    let server = TestServer::start(OPEN_DAY).await;
    server.issue("renewal").await;
    server.issue("renewal").await;
    let (status, _) = server
        .post("/api/v1/offices/main/counters/1/open", ADMIN, None)
        .await;
    assert_eq!(status, 200);
    let (_, published) = server
        .call("GET", "/api/v1/offices/main/status", None, None)
        .await;
    let (_, holder) = renewal(&server, "expires=2027-02-15&who=self").await;
    let offices = holder["offices"].as_array().expect("offices");
    let ids: Vec<&str> = offices.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["main", "center"]);
    let main = &offices[0];
    assert_eq!(main["live"], true);
    assert_eq!(main["accepting_now"], true);
    assert_eq!(main["waiting"], 2);
    assert_eq!(main["name"]["ja"], "金沢市役所 本庁舎");
    let row = published["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "renewal")
        .expect("the renewal row");
    assert_eq!(main["estimate"]["no_counter_open"], false, "{main}");
    assert_eq!(
        main["estimate"]["min_minutes"],
        row["estimate"]["min_minutes"]
    );
    assert_eq!(
        main["estimate"]["max_minutes"],
        row["estimate"]["max_minutes"]
    );
    assert_eq!(main["estimate"]["text"]["ja"], row["estimate"]["text_ja"]);
    assert_eq!(offices[1]["waiting"], 0);
    assert_eq!(main["next_open_days"][0]["date"], "2026-12-01");
    assert_eq!(main["next_open_days"][0]["opens"], "9:00");

    let (_, legal) = renewal(&server, "expires=2027-02-15&who=legal").await;
    assert_eq!(legal["offices"][0]["waiting"], 0);
    assert_eq!(legal["ticket"]["service"], "legal_representative");
    assert_eq!(legal["bring"].as_array().unwrap().len(), 3, "R18");
    server.stop().await;
}

/// A proxy by document inquiry comes three times (R21); a proxy holding the notice's sheet
/// after the expiry is sent that way too (R20 holds only before the expiry).
#[tokio::test]
async fn proxies_get_one_or_three_visits_by_route() {
    let server = TestServer::start(OPEN_DAY).await;
    let (_, notice) = renewal(&server, "expires=2027-02-15&who=proxy_notice").await;
    assert_eq!(notice["visits"], 1);
    assert_eq!(notice["route"], "proxy_notice");
    let (_, inquiry) = renewal(&server, "expires=2027-02-15&who=proxy_inquiry").await;
    assert_eq!(inquiry["visits"], 3);
    let visits: Vec<u64> = inquiry["bring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["visit"].as_u64().unwrap())
        .collect();
    assert_eq!(visits, [2, 2, 2, 3, 3, 3, 3]);
    let (_, late) = renewal(&server, "expires=2026-11-30&who=proxy_notice").await;
    assert_eq!(late["who"], "proxy_notice");
    assert_eq!(late["route"], "proxy_inquiry");
    assert_eq!(late["visits"], 3);
    server.stop().await;
}

/// A bad or missing date is 400 `invalid_date`, an unknown person 400 `invalid_who`, both in
/// the JSON error envelope.
#[tokio::test]
async fn bad_dates_and_unknown_people_are_refused_with_the_error_envelope() {
    let server = TestServer::start(OPEN_DAY).await;
    for query in [
        "expires=2027-02-30",
        "expires=07%2F07%2F2027",
        "expires=",
        "who=self",
        "expires=1999-07-07",
        "expires=2027-07-07&today=tomorrow",
    ] {
        let (status, error) = renewal(&server, query).await;
        assert_error(status, &error, 400, "invalid_date");
    }
    let (status, error) = renewal(&server, "expires=2027-07-07&who=friend").await;
    assert_error(status, &error, 400, "invalid_who");
    server.stop().await;
}

/// The page answers a plain GET form, in Japanese by default and in English with `lang=en`,
/// with the checklist under its heading; a bad date is 400 with the form and the reason.
#[tokio::test]
async fn the_page_answers_the_get_form_in_both_languages() {
    let server = TestServer::start(OPEN_DAY).await;
    let (status, blank) = page(&server, "").await;
    assert_eq!(status, 200);
    assert!(blank.contains("id=\"renewal-form\" method=\"get\" action=\"/renewal\""));
    assert!(
        !blank.contains("お持ちいただくもの"),
        "no answer before a question"
    );

    let (status, ja) = page(&server, "?expires=2027-07-07&who=self").await;
    assert_eq!(status, 200);
    assert!(ja.contains("<html lang=\"ja\">"));
    assert!(
        ja.contains("<h2 id=\"bring-h\">お持ちいただくもの</h2>"),
        "{ja}"
    );
    assert!(ja.contains("datetime=\"2027-04-08\">2027年4月8日（木）</time>"));
    assert!(ja.contains("data-item=\"holder_card\""));
    assert!(
        ja.contains("value=\"2027-07-07\""),
        "the form keeps the date"
    );
    assert!(ja.contains("value=\"self\" checked"), "{ja}");
    assert!(!ja.contains("<script"), "the guide needs no script");

    let (_, en) = page(&server, "?expires=2027-07-07&who=proxy_inquiry&lang=en").await;
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("What to bring"));
    assert!(en.contains("Thu 8 Apr 2027"));
    assert!(en.contains("Visit 3"));
    assert!(
        en.contains("name=\"lang\" value=\"en\""),
        "the form stays in English"
    );

    let (status, bad) = page(&server, "?expires=2027-02-30&who=self").await;
    assert_eq!(status, 400);
    assert!(bad.contains("role=\"alert\""));
    assert!(bad.contains("aria-invalid=\"true\""));

    let (_, public) = page_of(&server, "/").await;
    assert!(
        public.contains("href=\"/renewal\""),
        "the public page links to the guide"
    );
    let (_, public_en) = page_of(&server, "/?lang=en").await;
    assert!(public_en.contains("href=\"/renewal?lang=en\""));
    server.stop().await;
}

async fn page_of(server: &TestServer, path: &str) -> (u16, String) {
    let response = server
        .client
        .get(server.url(path))
        .send()
        .await
        .expect("sent");
    (
        response.status().as_u16(),
        response.text().await.expect("body"),
    )
}

fn run_in(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(BINARY)
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run queue-server");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `queue-server renewal --json` prints the API's JSON for the same question, without a
/// server and without creating a data directory; only the live figures are absent.
#[tokio::test]
async fn the_cli_prints_the_apis_json_without_a_server_or_a_data_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let args = [
        "renewal",
        "--expires",
        "2027-07-07",
        "--today",
        "2027-03-01",
        "--who",
        "proxy_inquiry",
        "--json",
    ];
    let (code, stdout, stderr) = run_in(dir.path(), &args);
    assert_eq!(code, 0, "{stderr}");
    let mut cli: Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    assert!(!dir.path().join("data").exists(), "no ./data was created");

    let server = TestServer::start(OPEN_DAY).await;
    let (_, mut api) = renewal(
        &server,
        "expires=2027-07-07&today=2027-03-01&who=proxy_inquiry",
    )
    .await;
    server.stop().await;
    for office in cli["offices"].as_array().expect("offices") {
        assert_eq!(office["live"], false);
        assert!(office["waiting"].is_null() && office["accepting_now"].is_null());
    }
    let without_live = |answer: &mut Value| {
        for office in answer["offices"].as_array_mut().expect("offices") {
            for field in ["live", "accepting_now", "state", "waiting", "estimate"] {
                office[field] = Value::Null;
            }
        }
    };
    without_live(&mut cli);
    without_live(&mut api);
    assert_eq!(cli, api);
}

/// The text answer is Japanese by default and English with `--lang en`; a bad date fails
/// with the reason on stderr.
#[test]
fn the_cli_prints_the_answer_as_text_in_either_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, ja, _) = run_in(
        dir.path(),
        &[
            "renewal",
            "--expires",
            "2027-07-07",
            "--today",
            "2027-03-01",
        ],
    );
    assert_eq!(code, 0);
    assert!(ja.contains("お持ちいただくもの"));
    assert!(ja.contains("無料で更新できるのは2027年4月8日（木）からです（あと38日）。"));
    let (_, en, _) = run_in(
        dir.path(),
        &[
            "renewal",
            "--expires",
            "2027-07-07",
            "--today",
            "2027-03-01",
            "--lang",
            "en",
        ],
    );
    assert!(en.contains("What to bring"));
    assert!(en.contains("Free renewal starts on Thu 8 Apr 2027 (in 38 days)."));
    let (code, stdout, stderr) = run_in(dir.path(), &["renewal", "--expires", "2027-02-30"]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(stderr.contains("expires"), "{stderr}");
    let (code, _, stderr) = run_in(
        dir.path(),
        &["renewal", "--expires", "2027-07-07", "--who", "friend"],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("who"), "{stderr}");
    assert!(!dir.path().join("data").exists());
}
