//! The staff console: one page for reception (issue and print tickets) and counters (call and
//! serve them). The server sends the same skeleton to everyone; `staff.js` signs in with a
//! token typed by the clerk (kept in memory and sessionStorage, never in a URL or a cookie) and
//! shows the views the token's role may use. Ids here are the script's contract.

use maud::{DOCTYPE, Markup, html};

use super::assets;
use super::public::page_head;
use crate::protocol::TicketAction;
use crate::protocol::text::Lang;

/// The console's skeleton; `poll_seconds` is the fallback polling interval.
pub fn render(poll_seconds: u32) -> Markup {
    html! {
        (DOCTYPE)
        html lang="ja" {
            (page_head("職員用画面 — 整理券", html! {
                meta name="robots" content="noindex";
                script src=(assets::url("staff.js")) defer {}
                script type="application/json" id="labels" {
                    (maud::PreEscaped(labels_json()))
                }
                script type="application/json" id="report-columns" {
                    (maud::PreEscaped(super::text::script_json(
                        &REPORT_COLUMNS.into_iter().collect::<std::collections::BTreeMap<_, _>>()
                    )))
                }
            }))
            body.staff data-poll-seconds=(poll_seconds) data-transport="static" {
                header.top {
                    p.tagline { "職員用画面" }
                    h1 { "整理券の発券・呼出" }
                    p #who .who hidden {
                        span #who-name {} " "
                        span #who-role .badge {} " "
                        button #signout type="button" { "サインアウト" }
                    }
                }
                main {
                    p #message .message role="alert" hidden {}
                    noscript {
                        p.message { "職員用画面を使うには JavaScript を有効にしてください。" }
                    }
                    (signin())
                    div #console hidden {
                        div.toolbar {
                            label {
                                "庁舎 "
                                select #office {}
                            }
                            span #link .link { "接続しています…" }
                        }
                        (reception())
                        (counter())
                        (report())
                    }
                }
            }
        }
    }
}

fn signin() -> Markup {
    html! {
        section #signin .card aria-labelledby="signin-h" {
            h2 #signin-h { "サインイン" }
            // The input has no `name`: even if the script has not loaded, submitting the form
            // can never put the token into a URL.
            form #signin-form autocomplete="off" {
                label for="token" { "職員用トークン" }
                input #token type="password" autocomplete="off" spellcheck="false"
                    autocapitalize="off" required;
                button type="submit" .primary { "サインイン" }
            }
            p.hint {
                "トークンはこの画面を閉じると消えます（URL やクッキーには保存しません）。"
            }
            // Where a token comes from, for the administrator setting up a desk.
            p.hint #token-source {
                "トークンは管理者がサーバーで "
                code { "queue-server token create --role issuer --name 受付1" }
                " を実行して発行します（役割は issuer・counter・admin）。"
            }
        }
    }
}

fn reception() -> Markup {
    html! {
        section #reception .card aria-labelledby="reception-h" hidden {
            h2 #reception-h { "発券" }
            // The issued ticket first, where the clerk looks after pressing a button; under
            // `@media print` only this is printed (80 mm roll).
            div #ticket .ticket aria-live="polite" hidden {
                p #t-office .t-office {}
                p.t-label { "整理番号" }
                p #t-number .t-number {}
                p #t-service .t-service {}
                p #t-ahead .t-ahead {}
                p #t-estimate .t-estimate {}
                p #t-time .t-time {}
                p #t-hours .t-hours {}
                img #t-qr .t-qr alt="番号札のページのQRコード" hidden;
                p #t-qr-caption .t-qr-caption hidden {
                    "QRコードを読み取ると、スマートフォンで順番を確認できます。"
                }
            }
            button #print type="button" hidden { "整理券を印刷" }
            p #reception-closed .notice hidden {}
            p.hint { "手続きを選ぶと整理券を発券します。" }
            div #service-buttons .service-buttons {}
        }
    }
}

/// The shared state labels as JSON safe inside `<script>`, so the console names states as
/// every other screen does.
fn labels_json() -> String {
    super::text::script_json(&Lang::Ja.labels())
}

fn counter() -> Markup {
    html! {
        section #counter .card aria-labelledby="counter-h" hidden {
            h2 #counter-h { "窓口での呼出" }
            div.row {
                label {
                    "窓口 "
                    select #counter-select {}
                }
                span { "状態: " strong #counter-state {} }
            }
            div.buttons {
                button type="button" data-counter-action="open" { "窓口を開く" }
                button type="button" data-counter-action="pause" { "休止" }
                button type="button" data-counter-action="close" { "窓口を閉じる" }
            }
            button #call-next .primary .big type="button" { "次の方を呼ぶ" }
            div #current .current {
                p {
                    "この窓口の番号: "
                    strong #current-number .number {}
                }
                p #current-state {}
                div.buttons {
                    @for action in TicketAction::BY_STAFF {
                        button type="button" data-ticket-action=(action.as_str())
                            data-path=(action.path().unwrap_or_default()) disabled {
                            (Lang::Ja.ticket_action(action))
                        }
                    }
                }
            }
            h3 { "お待ちの方 " span #waiting-count {} }
            table.waiting {
                thead {
                    tr {
                        th scope="col" { "番号" }
                        th scope="col" { "手続き" }
                        th scope="col" { "発券" }
                        th scope="col" { span.sr-only { "操作" } }
                    }
                }
                tbody #waiting-rows {}
            }
            p #waiting-none .none { "お待ちの方はいません。" }
        }
    }
}

/// The report's column headings for staff, by the statistics' column names
/// ([`crate::history::COLUMNS`] and `service`): the script reads them from the page.
pub const REPORT_COLUMNS: [(&str, &str); 13] = [
    ("date", "日付"),
    ("hour", "時台"),
    ("service", "手続き"),
    ("issued", "発券"),
    ("called", "呼出"),
    ("served", "完了"),
    ("no_show", "不在"),
    ("cancelled", "取消"),
    ("mean_wait_min", "平均待ち時間（分）"),
    ("median_wait_min", "待ち時間の中央値（分）"),
    ("p90_wait_min", "待ち時間の90%点（分）"),
    ("mean_service_min", "平均対応時間（分）"),
    ("counters_open", "開設窓口数（平均）"),
];

/// The administrator's report: the hourly statistics of the office over the days picked, the
/// same figures as `queue-server stats`, shown as a table and downloadable as its CSV.
fn report() -> Markup {
    html! {
        section #report .card aria-labelledby="report-h" hidden {
            h2 #report-h { "統計レポート" }
            p.hint {
                "選んだ庁舎の、日付・時間帯ごとの集計です。数値はサーバーの "
                code { "queue-server stats" }
                " と同じです。"
            }
            form #report-form .row {
                label { "開始日 " input #report-from type="date" required; }
                label { "終了日 " input #report-to type="date" required; }
                label { input #report-by-service type="checkbox"; " 手続きごと" }
                button type="submit" .primary { "表示" }
                button #report-download type="button" disabled { "CSVをダウンロード" }
            }
            p #report-status .hint aria-live="polite" {}
            div.report-scroll {
                table #report-table .report hidden {
                    thead { tr #report-head {} }
                    tbody #report-rows {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statistics_column_has_a_heading_in_the_report() {
        for column in crate::history::COLUMNS.iter().chain(["service"].iter()) {
            assert!(
                REPORT_COLUMNS.iter().any(|(name, _)| name == column),
                "{column} has no heading"
            );
        }
        let html = render(20).into_string();
        assert!(html.contains("id=\"report\"") && html.contains("CSVをダウンロード"));
        assert!(
            html.contains("\"counters_open\":\"開設窓口数（平均）\""),
            "{html}"
        );
    }

    #[test]
    fn the_sign_in_form_says_where_a_token_comes_from() {
        let html = render(20).into_string();
        let signin = html
            .split("id=\"signin\"")
            .nth(1)
            .and_then(|rest| rest.split("</section>").next())
            .expect("the sign-in section");
        assert!(
            signin.contains("queue-server token create --role issuer"),
            "{signin}"
        );
        assert!(signin.contains("管理者"), "{signin}");
    }
}
