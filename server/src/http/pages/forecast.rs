//! The public page's 「混雑の目安」: typical waits by weekday and hour as an inline SVG drawn
//! here on the server (no script, no library from a CDN), with the same figures in a table
//! behind it for screen readers and text browsers, and the quietest hours in words.

use chrono::Weekday;
use maud::{Markup, html};

use super::text::{Lang, fill, forecast_words};
use crate::history::forecast::{Cell, Forecast};
use crate::history::upcoming::UpcomingDay;
use crate::protocol::text::weekday_ja;
use crate::protocol::{BusyReason, CongestionLevel};

/// Width of one hour's column and height of one weekday's row, in SVG units.
const CELL: u32 = 40;
/// Room for the weekday names on the left and the hours on top.
const MARGIN: u32 = 40;

/// The chart card, or nothing for an office without regular hours.
pub fn card(lang: Lang, forecast: &Forecast, weeks: u32) -> Markup {
    let w = forecast_words(lang);
    let weekdays = distinct(forecast.cells.iter().map(|c| c.weekday));
    let hours = distinct(forecast.cells.iter().map(|c| c.hour));
    let has_figures = forecast
        .cells
        .iter()
        .any(|c| c.typical_wait_minutes.is_some());
    let width = MARGIN + CELL * hours.len() as u32;
    let height = MARGIN / 2 + CELL * weekdays.len() as u32;
    let cell_at = |weekday: u32, hour: u32| {
        forecast
            .cells
            .iter()
            .find(|c| c.weekday == weekday && c.hour == hour)
    };
    html! {
        section #forecast .card .forecast data-synthetic=(forecast.synthetic)
            aria-labelledby="forecast-h" {
            h2 #forecast-h { (fill(w.heading, &weeks.to_string(), "", "")) }
            @if forecast.synthetic {
                p #forecast-synthetic .synthetic role="note" { (w.synthetic) }
            }
            @if !has_figures {
                p #forecast-none { (w.too_little) }
            } @else {
                p { (w.explain) " " (fill(w.based_on, &forecast.based_on_days.to_string(), "", "")) }
                svg #forecast-chart xmlns="http://www.w3.org/2000/svg" aria-hidden="true"
                    viewBox={ "0 0 " (width) " " (height) } width="100%" {
                    @for (column, hour) in hours.iter().enumerate() {
                        text x=(MARGIN + CELL * column as u32 + CELL / 2) y="14"
                            text-anchor="middle" font-size="11" { (hour) }
                    }
                    @for (row, weekday) in weekdays.iter().enumerate() {
                        @let y = MARGIN / 2 + CELL * row as u32;
                        text x="4" y=(y + CELL / 2 + 4) font-size="12" { (weekday_name(lang, *weekday)) }
                        @for (column, hour) in hours.iter().enumerate() {
                            @let x = MARGIN + CELL * column as u32;
                            @let cell = cell_at(*weekday, *hour);
                            rect x=(x + 1) y=(y + 1) width=(CELL - 2) height=(CELL - 2)
                                data-level=(cell.and_then(|c| c.level).map(|l| l.as_str()).unwrap_or("none"))
                                fill=(fill_of(cell)) {}
                            @if let Some(minutes) = cell.and_then(|c| c.typical_wait_minutes) {
                                text x=(x + CELL / 2) y=(y + CELL / 2 + 4) text-anchor="middle"
                                    font-size="11" { (minutes.round()) }
                            }
                        }
                    }
                }
                details.forecast-table {
                    summary { (w.table_summary) }
                    table {
                        caption { (fill(w.heading, &weeks.to_string(), "", "")) }
                        thead { tr {
                            th scope="col" { (w.weekday) }
                            @for hour in &hours { th scope="col" { (fill(w.hour, &hour.to_string(), "", "")) } }
                        } }
                        tbody {
                            @for weekday in &weekdays {
                                tr {
                                    th scope="row" { (weekday_name(lang, *weekday)) }
                                    @for hour in &hours {
                                        td { (cell_text(lang, cell_at(*weekday, *hour))) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !forecast.quietest.is_empty() {
                    h3 #quietest-h { (w.quietest_heading) }
                    ul #quietest aria-labelledby="quietest-h" {
                        @for slot in &forecast.quietest {
                            li { (weekday_name(lang, slot.weekday)) " " (fill(w.hour, &slot.hour.to_string(), "", "")) }
                        }
                    }
                }
            }
            (busier_days(lang, forecast))
        }
    }
}

/// 「混雑が予想される日」: the coming open days known to be busier, from the calendar, with what
/// the office's history says about such days (or that it is too short to say). Nothing when
/// the forecast carries no upcoming days.
fn busier_days(lang: Lang, forecast: &Forecast) -> Markup {
    let w = forecast_words(lang);
    if forecast.upcoming_days.is_empty() {
        return html! {};
    }
    let flagged: Vec<&UpcomingDay> = forecast
        .upcoming_days
        .iter()
        .filter(|day| !day.reasons.is_empty())
        .collect();
    let mut reasons: Vec<BusyReason> = flagged
        .iter()
        .flat_map(|day| day.reasons.iter().copied())
        .collect();
    reasons.sort_by_key(|r| BusyReason::KNOWN.iter().position(|k| k == r));
    reasons.dedup();
    let comparisons: Vec<String> = forecast
        .busier_days
        .as_ref()
        .map(|busier| {
            reasons
                .iter()
                .filter_map(|reason| {
                    let figure = busier.reasons.iter().find(|r| r.reason == *reason)?;
                    let flagged = figure.figure.typical_wait_minutes?;
                    let ordinary = busier.ordinary.typical_wait_minutes?;
                    Some(fill(
                        w.busier_history,
                        &format!("{}", flagged.round()),
                        &format!("{}", ordinary.round()),
                        lang.busy_reason(*reason),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    html! {
        h3 #busier-h { (w.busier_heading) }
        @if flagged.is_empty() {
            p #busier-none {
                (fill(w.busier_none, &forecast.upcoming_days.len().to_string(), "", ""))
            }
        } @else {
            p { (w.busier_explain) }
            ul #busier-days aria-labelledby="busier-h" {
                @for day in &flagged {
                    li data-date=(day.date) {
                        span.date { (lang.date(&day.date)) }
                        " "
                        span.reasons {
                            (day.reasons.iter().map(|r| lang.busy_reason(*r)).collect::<Vec<_>>().join(w.busier_joiner))
                        }
                        @if let Some(minutes) = day.typical_wait_minutes {
                            span.typical {
                                (lang.pick("（", " ("))
                                (fill(w.busier_typical, &format!("{}", minutes.round()), "", ""))
                                (lang.pick("）", ")"))
                            }
                        }
                    }
                }
            }
            @if comparisons.is_empty() {
                p #busier-history .hint { (w.busier_too_little) }
            } @else {
                @for sentence in &comparisons {
                    p.busier-history .hint { (sentence) }
                }
            }
        }
    }
}

/// Values in first-seen order without repeats (the cells come weekday then hour).
fn distinct(values: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut seen = Vec::new();
    for value in values {
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen.sort_unstable();
    seen
}

/// 月曜日 / Monday from the ISO number (1 = Monday).
fn weekday_name(lang: Lang, number: u32) -> String {
    let day = match number {
        1 => Weekday::Mon,
        2 => Weekday::Tue,
        3 => Weekday::Wed,
        4 => Weekday::Thu,
        5 => Weekday::Fri,
        6 => Weekday::Sat,
        _ => Weekday::Sun,
    };
    match lang {
        Lang::Ja => format!("{}曜日", weekday_ja(day)),
        Lang::En => format!("{day:?}"),
    }
}

/// A table cell: the wait and the level in words, or a dash.
fn cell_text(lang: Lang, cell: Option<&Cell>) -> String {
    let w = forecast_words(lang);
    match cell.and_then(|c| c.typical_wait_minutes.zip(c.level)) {
        Some((minutes, level)) => format!(
            "{}（{}）",
            fill(w.minutes, &format!("{}", minutes.round()), "", ""),
            lang.congestion(level)
        ),
        None => w.no_figure.to_string(),
    }
}

/// Shades of one hue by level, darker when busier, so the chart reads in grey print too.
fn fill_of(cell: Option<&Cell>) -> &'static str {
    match cell.and_then(|c| c.level) {
        Some(CongestionLevel::Low) => "#d8eed8",
        Some(CongestionLevel::Moderate) => "#f6e3a1",
        Some(CongestionLevel::High) => "#f0a868",
        Some(CongestionLevel::VeryHigh) => "#d9534f",
        _ => "#eeeeee",
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::history::forecast::{Cell, Slot};
    use crate::history::upcoming::UpcomingDay;

    fn forecast(synthetic: bool, with_figures: bool) -> Forecast {
        let mut cells = Vec::new();
        for weekday in 1..=5 {
            for hour in 9..=17 {
                let wait = with_figures.then_some(f64::from(weekday * hour));
                cells.push(Cell {
                    weekday,
                    hour,
                    typical_wait_minutes: wait,
                    typical_waiting: wait.map(|w| w / 10.0),
                    level: wait
                        .map(|w| crate::estimate::CongestionThresholds::default().level_for(w)),
                });
            }
        }
        Forecast {
            based_on_days: if with_figures { 38 } else { 1 },
            from: NaiveDate::from_ymd_opt(2026, 10, 6).expect("date"),
            to: NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
            synthetic,
            cells,
            quietest: if with_figures {
                vec![
                    Slot {
                        weekday: 1,
                        hour: 9,
                    },
                    Slot {
                        weekday: 1,
                        hour: 10,
                    },
                ]
            } else {
                Vec::new()
            },
            upcoming_days: Vec::new(),
            busier_days: None,
        }
    }

    #[test]
    fn the_chart_is_an_inline_svg_with_a_table_of_the_same_figures_and_the_quietest_hours() {
        let html = card(Lang::Ja, &forecast(false, true), 8).into_string();
        assert!(html.contains("混雑の目安（過去8週間の実績）"), "{html}");
        assert!(html.contains("<svg"), "{html}");
        assert!(!html.contains("<script") && !html.contains("http://cdn"));
        assert_eq!(html.matches("<rect").count(), 45);
        assert!(html.contains("<table>") && html.contains("<th scope=\"row\">水曜日</th>"));
        // Wednesday 15:00 = 3 × 15 = 45 minutes: high in the table and the chart alike.
        assert!(html.contains("約45分（混んでいます）"), "{html}");
        assert!(html.contains("比較的空いている時間帯"));
        assert!(html.contains("<li>月曜日 9時台</li>"), "{html}");
        assert!(!html.contains("forecast-synthetic"));
    }

    /// The forecast with the next open days from Monday 21 December 2026 and, when `history`,
    /// Mondays and month ends compared with ordinary days.
    fn with_days(history: bool) -> Forecast {
        use crate::history::upcoming::{BusierDays, DaysFigure, ReasonHistory};
        let config = crate::config::Config::embedded().expect("embedded default is valid");
        let schedule = &config.office("main").expect("main").schedule;
        let today = NaiveDate::from_ymd_opt(2026, 12, 21).expect("date");
        let figure = |days, minutes| DaysFigure {
            days,
            typical_wait_minutes: history.then_some(minutes),
        };
        let mut f = forecast(false, history);
        f.upcoming_days = crate::history::upcoming::upcoming_open_days(schedule, today)
            .into_iter()
            .map(|date| UpcomingDay {
                date,
                reasons: crate::calendar::busy_reasons(schedule, date),
                typical_wait_minutes: (history && date == today).then_some(38.0),
                level: None,
            })
            .collect();
        f.busier_days = Some(BusierDays {
            from: today - chrono::Duration::weeks(52),
            to: today - chrono::Duration::days(1),
            ordinary: figure(20, 14.0),
            reasons: BusyReason::KNOWN
                .iter()
                .map(|&reason| ReasonHistory {
                    reason,
                    figure: figure(
                        8,
                        if reason == BusyReason::Monday {
                            31.0
                        } else {
                            22.0
                        },
                    ),
                    busier_than_ordinary: history.then_some(true),
                })
                .collect(),
        });
        f
    }

    /// The text a reader sees: tags removed.
    fn visible(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        text
    }

    #[test]
    fn the_busier_days_ahead_are_listed_under_the_chart_with_what_the_history_says() {
        let html = card(Lang::Ja, &with_days(true), 8).into_string();
        let text = visible(&html);
        assert!(text.contains("混雑が予想される日"), "{text}");
        assert!(
            text.contains("12月21日（月） 月曜日（待ち時間の目安は約38分）"),
            "{text}"
        );
        assert!(text.contains("12月24日（木） 月末"), "{text}");
        assert!(text.contains("12月28日（月） 月曜日・月末"), "{text}");
        assert!(
            text.contains("1月4日（月） 月曜日・祝日などの休みの翌日"),
            "{text}"
        );
        assert!(
            !html.contains("data-date=\"2026-12-22\""),
            "an ordinary Tuesday is not listed"
        );
        assert!(
            text.contains(
                "過去の実績では、月曜日の待ち時間の目安は約31分、ふだんの日は約14分でした。"
            ),
            "{text}"
        );
        assert!(
            text.contains("過去の実績では、月末の待ち時間の目安は約22分"),
            "{text}"
        );
        assert_eq!(crate::protocol::text::avoided_word(&text), None, "{text}");
    }

    #[test]
    fn with_too_little_history_the_busier_days_are_listed_without_comparing() {
        let html = card(Lang::Ja, &with_days(false), 8).into_string();
        let text = visible(&html);
        assert!(text.contains("12月21日（月） 月曜日"), "{text}");
        assert!(!text.contains("待ち時間の目安は約"), "{text}");
        assert!(
            text.contains("実績がまだ少ないため、ふだんの日との比較はお示しできません。"),
            "{text}"
        );
        assert_eq!(crate::protocol::text::avoided_word(&text), None, "{text}");
        let english = visible(&card(Lang::En, &with_days(false), 8).into_string());
        assert!(english.contains("Mon 21 Dec Monday"), "{english}");
    }

    #[test]
    fn synthetic_figures_are_marked_as_such() {
        let html = card(Lang::Ja, &forecast(true, true), 8).into_string();
        assert!(html.contains("模擬データ"), "{html}");
        assert!(html.contains("data-synthetic=\"true\""));
    }

    #[test]
    fn with_too_little_history_the_card_says_so_and_draws_nothing() {
        let html = card(Lang::En, &forecast(false, false), 8).into_string();
        assert!(html.contains("not enough history"), "{html}");
        assert!(!html.contains("<svg") && !html.contains("<table"));
    }
}
