//! The words of the public page in Japanese and English, in one place: the server renders with
//! them and hands the same table to the page's script (a JSON data block), so a live update
//! never says something the server-rendered page would not.

use serde::Serialize;

pub use crate::protocol::text::Lang;

/// The words of the page in `lang`.
pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

/// The query string that keeps `lang` on links (`""` for the default).
pub fn query(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => "",
        Lang::En => "?lang=en",
    }
}

/// Every fixed text of the public page. `{n}` (a number or count), `{c}` (a counter) and `{s}`
/// (seconds) are filled in by [`fill`] here and by the same rule in the script.
#[derive(Debug, Serialize)]
pub struct Words {
    /// After the office name in the title.
    pub title: &'static str,
    /// Above the office name: what the page is about.
    pub tagline: &'static str,
    /// The other language's name, on the switch link.
    pub other_language: &'static str,
    /// Heading of the open state.
    pub state_heading: &'static str,
    /// Today's hours; `{n}` is "09:00–17:45".
    pub hours_today: &'static str,
    /// Last ticket time; `{n}` is "17:30".
    pub last_ticket: &'static str,
    /// Before the number of everyone waiting.
    pub waiting_total: &'static str,
    /// Before the wait for a ticket taken now.
    pub estimate_now: &'static str,
    /// Heading of what to know before coming.
    pub guide_heading: &'static str,
    /// Heading of the list of ticket kinds.
    pub tickets_heading: &'static str,
    /// Label of the congestion level.
    pub congestion: &'static str,
    /// Heading of the numbers being called.
    pub calling_heading: &'static str,
    /// A counter; `{c}` is its id.
    pub counter: &'static str,
    /// Nothing called.
    pub calling_none: &'static str,
    /// Recent calls, before the list.
    pub recent: &'static str,
    /// Heading of the per-service table.
    pub services_heading: &'static str,
    /// Column: service.
    pub column_service: &'static str,
    /// Column: people waiting.
    pub column_waiting: &'static str,
    /// Column: estimated wait.
    pub column_estimate: &'static str,
    /// A count of people; `{n}` is the count.
    pub people: &'static str,
    /// No estimate yet.
    pub no_estimate: &'static str,
    /// Heading of the next open days.
    pub days_heading: &'static str,
    /// No open day within the list's range.
    pub days_none: &'static str,
    /// Advice to visitors (domain R5).
    pub advice: &'static str,
    /// Heading of the links to the other offices.
    pub offices_heading: &'static str,
    /// Before the time of the data.
    pub updated: &'static str,
    /// Live over the WebSocket.
    pub link_live: &'static str,
    /// Polling; `{s}` is the interval in seconds.
    pub link_poll: &'static str,
    /// While the first connection is being made.
    pub link_connecting: &'static str,
    /// Lost, retrying.
    pub link_down: &'static str,
    /// Server-rendered, no script running.
    pub link_static: &'static str,
    /// The data is old.
    pub stale: &'static str,
    /// Reload link.
    pub refresh: &'static str,
    /// Shown without JavaScript.
    pub noscript: &'static str,
    /// Demo badge.
    pub demo: &'static str,
    /// Demo explanation.
    pub demo_note: &'static str,
    /// Spoken on a call; `{n}` number, `{c}` counter.
    pub announce_call: &'static str,
    /// 404 heading.
    pub not_found: &'static str,
    /// 404 link back.
    pub back: &'static str,
}

/// The page in Japanese (the default).
pub static JA: Words = Words {
    title: "混雑状況",
    tagline: "マイナンバーカード 電子証明書の更新窓口",
    other_language: "English",
    state_heading: "受付状況",
    hours_today: "本日の受付時間 {n}",
    last_ticket: "（発券は{n}まで）",
    congestion: "混雑状況",
    waiting_total: "お待ちの方（全体）",
    estimate_now: "これから発券した場合の待ち時間の目安",
    guide_heading: "お越しになる前に",
    tickets_heading: "番号札の選び方",
    calling_heading: "ただいまの呼出番号",
    counter: "{c}番窓口",
    calling_none: "呼出中の番号はありません",
    recent: "これまでに呼び出した番号",
    services_heading: "手続きごとの待ち状況",
    column_service: "手続き",
    column_waiting: "この手続きでお待ちの方",
    column_estimate: "待ち時間の目安",
    people: "{n}人",
    no_estimate: "—",
    days_heading: "今後の受付日（開庁日）",
    days_none: "受付日は未定です",
    advice: "窓口が混み合うことがありますので、お時間に余裕をもってお越しください。",
    offices_heading: "ほかの受付場所（市民センター）",
    updated: "最終更新",
    link_live: "自動で更新しています",
    link_poll: "{s}秒ごとに更新しています",
    link_connecting: "接続しています…",
    link_down: "接続が切れています。再接続しています…",
    link_static: "自動では更新されません",
    stale: "表示内容が最新ではありません。実際の状況と異なる場合があります。",
    refresh: "最新の情報に更新",
    noscript: "この表示は自動では更新されません。「最新の情報に更新」を押してください。",
    demo: "デモ",
    demo_note: "デモ表示です。実際の待ち状況ではありません。",
    announce_call: "{n}番の方、{c}番窓口へお越しください。",
    not_found: "お探しのページは見つかりませんでした。",
    back: "混雑状況のページへ",
};

/// The page in English (`?lang=en`).
pub static EN: Words = Words {
    title: "Congestion",
    tagline: "My Number card certificate renewal",
    other_language: "日本語",
    state_heading: "Reception",
    hours_today: "Today's hours {n}",
    last_ticket: " (last ticket {n})",
    congestion: "Congestion",
    waiting_total: "People waiting (all services)",
    estimate_now: "Wait for a ticket taken now",
    guide_heading: "Before you come",
    tickets_heading: "Which ticket to take",
    calling_heading: "Now calling",
    counter: "Counter {c}",
    calling_none: "No number is being called",
    recent: "Recently called",
    services_heading: "Waiting by service",
    column_service: "Service",
    column_waiting: "Waiting for this service",
    column_estimate: "Estimated wait",
    people: "{n}",
    no_estimate: "—",
    days_heading: "Next open days",
    days_none: "No open day scheduled yet",
    advice: "The counter can be crowded. Please allow plenty of time.",
    offices_heading: "Other places (citizen centers)",
    updated: "Updated",
    link_live: "Updating live",
    link_poll: "Updating every {s} s",
    link_connecting: "Connecting…",
    link_down: "Connection lost. Reconnecting…",
    link_static: "Not updating by itself",
    stale: "This information is out of date and may differ from the real queue.",
    refresh: "Refresh",
    noscript: "This page does not update by itself. Use Refresh to see the latest.",
    demo: "DEMO",
    demo_note: "Demonstration data, not the real queue.",
    announce_call: "Number {n}, please go to counter {c}.",
    not_found: "The page you are looking for was not found.",
    back: "Back to the congestion page",
};

/// A page's words and the labels every screen shares, for the page's script: it reads them
/// instead of keeping a copy of its own.
pub fn script_words<W: Serialize>(words: &W, lang: Lang) -> String {
    #[derive(Serialize)]
    struct ScriptWords<'a, W> {
        #[serde(flatten)]
        words: &'a W,
        labels: crate::protocol::text::Labels,
    }
    script_json(&ScriptWords {
        words,
        labels: lang.labels(),
    })
}

/// The words of the forecast chart (issue 17), kept apart from [`Words`]: the page's script
/// never redraws the chart, so they are not sent to it. `{n}` is a number.
#[derive(Debug, Serialize)]
pub struct ForecastWords {
    /// Heading; `{n}` is the number of weeks looked back over.
    pub heading: &'static str,
    /// What a cell shows.
    pub explain: &'static str,
    /// Shown when the figures come from `queue-server simulate`.
    pub synthetic: &'static str,
    /// Shown when there is too little history for any cell.
    pub too_little: &'static str,
    /// How many days the figures rest on; `{n}` is the count.
    pub based_on: &'static str,
    /// Heading of the quietest hours.
    pub quietest_heading: &'static str,
    /// The summary that opens the table.
    pub table_summary: &'static str,
    /// Corner cell of the table.
    pub weekday: &'static str,
    /// An hour as a column or list heading; `{n}` is the hour.
    pub hour: &'static str,
    /// A typical wait; `{n}` is minutes.
    pub minutes: &'static str,
    /// A cell without a figure.
    pub no_figure: &'static str,
    /// Heading of the known busier days ahead.
    pub busier_heading: &'static str,
    /// Which days are known to be busier, and what the list is.
    pub busier_explain: &'static str,
    /// When none of the coming open days is one; `{n}` is how many open days were looked at.
    pub busier_none: &'static str,
    /// A day's typical wait (its weekday's); `{n}` is minutes.
    pub busier_typical: &'static str,
    /// What the history says about a reason: `{s}` the reason, `{n}` its typical wait,
    /// `{c}` the ordinary days'.
    pub busier_history: &'static str,
    /// When the history is too short to compare.
    pub busier_too_little: &'static str,
    /// Between two reasons of one day.
    pub busier_joiner: &'static str,
}

/// The forecast chart's words in `lang`.
pub fn forecast_words(lang: Lang) -> &'static ForecastWords {
    match lang {
        Lang::Ja => &FORECAST_JA,
        Lang::En => &FORECAST_EN,
    }
}

/// The forecast chart in Japanese, in the city office's style (full-width brackets).
pub const FORECAST_JA: ForecastWords = ForecastWords {
    heading: "混雑の目安（過去{n}週間の実績）",
    explain: "曜日・時間帯ごとの、番号札をお取りになってから呼び出されるまでの待ち時間の目安です。",
    synthetic: "この目安は試験用の模擬データによるもので、実績ではありません。",
    too_little: "実績がまだ少ないため、目安はお示しできません。",
    based_on: "{n}日分の実績によります。",
    quietest_heading: "比較的空いている時間帯",
    table_summary: "表で見る",
    weekday: "曜日",
    hour: "{n}時台",
    minutes: "約{n}分",
    no_figure: "－",
    busier_heading: "混雑が予想される日",
    busier_explain: "月曜日、祝日などの休みの翌日、月末、3月・4月は、窓口が混み合う傾向があります。今後の開庁日のうち、これに当たる日です。",
    busier_none: "今後の{n}開庁日には、混雑が予想される日はありません。",
    busier_typical: "待ち時間の目安は約{n}分",
    busier_history: "過去の実績では、{s}の待ち時間の目安は約{n}分、ふだんの日は約{c}分でした。",
    busier_too_little: "実績がまだ少ないため、ふだんの日との比較はお示しできません。",
    busier_joiner: "・",
};

/// The forecast chart in English.
pub const FORECAST_EN: ForecastWords = ForecastWords {
    heading: "Typical crowding (past {n} weeks)",
    explain: "Typical wait from taking a ticket to being called, by weekday and hour.",
    synthetic: "These figures come from simulated test data, not from real visits.",
    too_little: "There is not enough history yet to show typical waits.",
    based_on: "Based on {n} days.",
    quietest_heading: "Usually quieter hours",
    table_summary: "Show as a table",
    weekday: "Day",
    hour: "{n}:00",
    minutes: "about {n} min",
    no_figure: "–",
    busier_heading: "Days expected to be busy",
    busier_explain: "Counters tend to be busier on Mondays, the day after a holiday, at the end of a month and in March and April. These are the coming open days that fall on them.",
    busier_none: "None of the next {n} open days is expected to be busy.",
    busier_typical: "typical wait about {n} min",
    busier_history: "In the past, the typical wait was about {n} min on {s}, against about {c} min on ordinary days.",
    busier_too_little: "There is not enough history yet to compare them with ordinary days.",
    busier_joiner: ", ",
};

/// A value as JSON safe inside `<script>`: every `<` escaped, so no `</script>` can occur.
pub fn script_json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
}

/// Fills `{n}`, `{c}` and `{s}` in a text.
pub fn fill(text: &str, n: &str, c: &str, s: &str) -> String {
    text.replace("{n}", n).replace("{c}", c).replace("{s}", s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_english_and_drop_the_default() {
        assert_eq!(query(Lang::En), "?lang=en");
        assert_eq!(query(Lang::Ja), "");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(JA.announce_call, "R001", "2", ""),
            "R001番の方、2番窓口へお越しください。"
        );
        assert_eq!(fill(EN.link_poll, "", "", "20"), "Updating every 20 s");
    }
}
