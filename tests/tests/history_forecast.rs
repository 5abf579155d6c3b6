//! History and forecast on the real binaries (issue 17): `simulate --into` writes synthetic
//! weeks, a server started at the same instant serves them, and the forecast JSON, the stats
//! CSV and the open-data CSV tell the same figures; the public page draws the chart.
#![cfg_attr(not(chromium), allow(dead_code, unused_imports))]
mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Server;
use common::browser::Driver;

/// A Monday at 10:00 in Japan: the synthetic days end the Friday before.
const NOW: &str = "2026-12-07T10:00:00+09:00";
/// Three of each weekday: the fewest a forecast cell needs.
const DAYS: &str = "15";

/// Fills `dir/data` with synthetic history and returns the data directory.
fn simulate_into(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    let text = data.to_string_lossy().into_owned();
    let (code, stdout, stderr) = common::queue_server(&[
        "simulate", "--days", DAYS, "--seed", "11", "--into", &text, "--now", NOW,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("main\t"), "{stdout}");
    data
}

async fn get_text(server: &Server, path: &str) -> String {
    let response = reqwest::get(server.url(path)).await.expect("sent");
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.expect("body")
}

/// The median as the forecast takes it (linear between the two middle values).
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synthetic_history_gives_a_forecast_that_agrees_with_the_stats_and_the_open_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = simulate_into(dir.path());
    let server = Server::start(&data, &["--now", NOW]);

    let forecast: serde_json::Value =
        serde_json::from_str(&get_text(&server, "/api/v1/offices/main/forecast").await)
            .expect("JSON");
    assert_eq!(forecast["based_on_days"], 15, "{forecast}");
    assert_eq!(forecast["synthetic"], true);
    assert_eq!(
        (forecast["from"].as_str(), forecast["to"].as_str()),
        (Some("2026-10-12"), Some("2026-12-06"))
    );
    let cells = forecast["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 45);
    assert_eq!(forecast["quietest"].as_array().map(Vec::len), Some(3));
    // The known busier days ahead, from the calendar: today (a Monday) first.
    let upcoming = forecast["upcoming_days"].as_array().expect("upcoming days");
    assert_eq!(upcoming.len(), 10, "{forecast}");
    assert_eq!(upcoming[0]["date"], "2026-12-07");
    assert_eq!(upcoming[0]["reasons"], serde_json::json!(["monday"]));
    // The 15 synthetic days (16 Nov – 4 Dec, 23 Nov a holiday) hold two Mondays and three
    // Tuesdays: too few for Monday's typical wait, enough for Tuesday's.
    assert!(upcoming[0]["typical_wait_minutes"].is_null(), "{forecast}");
    assert!(
        upcoming[1]["typical_wait_minutes"].is_number(),
        "{forecast}"
    );
    let busier = &forecast["busier_days"];
    assert_eq!(
        busier["ordinary"]["days"].as_u64().map(|d| d > 0),
        Some(true)
    );

    let range = "from=2026-10-12&to=2026-12-06";
    let history_csv = get_text(
        &server,
        &format!("/api/v1/offices/main/history?{range}&format=csv"),
    )
    .await;
    let data_text = data.to_string_lossy().into_owned();
    let (code, stats_csv, stderr) = common::queue_server(&[
        "stats",
        "--office",
        "main",
        "--from",
        "2026-10-12",
        "--to",
        "2026-12-06",
        "--csv",
        "--now",
        NOW,
        "--data",
        &data_text,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stats_csv, history_csv,
        "the staff's CSV and the open data agree"
    );

    let history: serde_json::Value = serde_json::from_str(
        &get_text(&server, &format!("/api/v1/offices/main/history?{range}")).await,
    )
    .expect("JSON");
    assert_eq!(history["license"], "CC BY 4.0");
    let rows = history["rows"].as_array().expect("rows");
    let with_tickets: Vec<_> = rows.iter().filter(|r| r["issued"] != 0).collect();
    assert!(!with_tickets.is_empty());
    assert!(
        with_tickets.iter().all(|r| r["synthetic"] == true),
        "{history}"
    );
    assert_eq!(rows.len() + 1, history_csv.lines().count());

    // Every forecast cell is the median of that weekday's and hour's mean waits in the data.
    let mut waits: BTreeMap<(u32, u64), Vec<f64>> = BTreeMap::new();
    for row in rows {
        let date: chrono::NaiveDate = row["date"].as_str().expect("date").parse().expect("date");
        let weekday = chrono::Datelike::weekday(&date).number_from_monday();
        if let (Some(hour), Some(wait)) = (row["hour"].as_u64(), row["mean_wait_min"].as_f64()) {
            waits.entry((weekday, hour)).or_default().push(wait);
        }
    }
    let mut checked = 0;
    for cell in cells {
        let key = (
            cell["weekday"].as_u64().expect("weekday") as u32,
            cell["hour"].as_u64().expect("hour"),
        );
        let values = waits.get(&key).cloned().unwrap_or_default();
        match cell["typical_wait_minutes"].as_f64() {
            Some(typical) => {
                let want = median(values).expect("figures behind a cell");
                assert!((typical - want).abs() < 0.051, "{cell}: want {want}");
                assert!(cell["level"].is_string(), "{cell}");
                checked += 1;
            }
            None => assert!(values.len() < 3, "{cell} is null with {values:?}"),
        }
    }
    assert!(checked >= 30, "most cells have figures: {checked}");

    #[cfg(chromium)]
    {
        let driver = Driver::start();
        let visitor = driver.browser(390, 1800).await;
        visitor.goto(&server.url("/")).await;
        let heading = visitor
            .wait_text("#forecast-h", "the chart's heading", |t| !t.is_empty())
            .await;
        assert_eq!(heading, "混雑の目安（過去8週間の実績）");
        let drawn = visitor
            .run(
                "const svg = document.querySelector('#forecast-chart');
                 return svg && svg.getBoundingClientRect().width > 0
                     ? svg.querySelectorAll('rect').length : 0;",
                vec![],
            )
            .await;
        assert_eq!(drawn, 45, "one drawn cell per weekday and hour");
        let quiet = visitor
            .shown("#quietest")
            .await
            .expect("the quietest hours");
        assert!(quiet.contains("時台"), "{quiet}");
        let busier = visitor
            .shown("#busier-days")
            .await
            .expect("the busier days ahead");
        assert!(busier.contains("12月7日（月）"), "{busier}");
        let note = visitor
            .shown("#forecast-synthetic")
            .await
            .expect("marked synthetic");
        assert!(note.contains("模擬データ"), "{note}");
        visitor
            .screenshot_of("#forecast", "forecast-chart.png")
            .await;
        visitor.close().await;
    }
}

#[test]
fn simulate_into_refuses_a_directory_with_real_tickets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    {
        let server = Server::start(&data, &["--now", "2026-12-01T10:00:00+09:00"]);
        let token = server.admin();
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let staff = common::Staff::new(&server, &token);
            staff.issue("renewal").await;
        });
        server.terminate();
    }
    let text = data.to_string_lossy().into_owned();
    let (code, _, stderr) =
        common::queue_server(&["simulate", "--days", "1", "--into", &text, "--now", NOW]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("real tickets"), "{stderr}");
}

/// The administrator's report on the staff console (issue 17): the CSV route gives exactly
/// what `queue-server stats --csv` prints for the same days, only to an administrator, and the
/// report view in Chromium shows the same rows (that part only where Chromium is installed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrators_report_shows_and_downloads_the_same_figures_as_the_stats_cli() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = simulate_into(dir.path());
    let admin = common::create_token(&data, "admin", "report-admin");
    let clerk = common::create_token(&data, "counter", "window-1");
    let server = Server::start(&data, &["--now", NOW]);
    let (from, to) = ("2026-11-30", "2026-12-04");
    let data_text = data.to_string_lossy().into_owned();
    let (code, stats_csv, stderr) = common::queue_server(&[
        "stats", "--office", "main", "--from", from, "--to", to, "--csv", "--now", NOW, "--data",
        &data_text,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let header = stats_csv.lines().next().expect("a header");
    assert!(
        header.ends_with(",mean_service_min,counters_open"),
        "{header}"
    );
    assert!(
        stats_csv.lines().skip(1).all(|l| !l.ends_with(',')),
        "every past hour has its counters open: {stats_csv}"
    );

    let client = reqwest::Client::new();
    let url = server.url(&format!("/api/v1/offices/main/report?from={from}&to={to}"));
    let refused = client
        .get(&url)
        .bearer_auth(&clerk)
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 403);
    let envelope: serde_json::Value = refused.json().await.expect("JSON");
    assert_eq!(envelope["error"]["code"], "forbidden", "{envelope}");
    let response = client
        .get(&url)
        .bearer_auth(&admin)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let report_csv = response.text().await.expect("body");
    assert_eq!(report_csv, stats_csv, "the download is the stats CLI's CSV");

    #[cfg(chromium)]
    {
        let driver = Driver::start();
        let staff = driver.browser(1280, 1600).await;
        staff.sign_in(&server, &admin).await;
        staff
            .wait_text("#report-h", "the report view", |t| t == "統計レポート")
            .await;
        staff
            .run(
                "document.getElementById('report-from').value = arguments[0];
                 document.getElementById('report-to').value = arguments[1];",
                vec![serde_json::json!(from), serde_json::json!(to)],
            )
            .await;
        staff.click("#report-form button[type=submit]").await;
        let status = staff
            .wait_text("#report-status", "the report's rows", |t| t.ends_with("行"))
            .await;
        let rows = stats_csv.lines().count() - 1;
        assert_eq!(status, format!("{rows}行"));
        let shown = staff
            .run(
                "return [...document.querySelectorAll('#report-rows tr')].map((tr) =>
                     [...tr.children].map((c) => c.textContent === '－' ? '' : c.textContent)
                         .join(','));",
                vec![],
            )
            .await;
        let shown: Vec<String> = serde_json::from_value(shown).expect("rows");
        let want: Vec<String> = stats_csv.lines().skip(1).map(str::to_string).collect();
        assert_eq!(shown, want, "the table is the stats CLI's rows");
        let heading = staff
            .shown("#report-head")
            .await
            .expect("the column headings");
        assert!(heading.contains("開設窓口数（平均）"), "{heading}");
        let enabled = staff
            .run(
                "return !document.getElementById('report-download').disabled;",
                vec![],
            )
            .await;
        assert_eq!(
            enabled,
            serde_json::json!(true),
            "the CSV can be downloaded"
        );
        staff.screenshot_of("#report", "staff-report.png").await;
        staff.close().await;
    }
}
