//! The other panels: waiting and estimated wait per service, congestion, earlier calls, the
//! closed-day notice (domain R3) and the first-connection screen.

use queue_protocol::{CongestionLevel, Snapshot};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget, Wrap};

use super::{View, panel};
use crate::feed::ConnectProblem;
use crate::text::{self, Lang};

/// Shown before any data arrived: the screen is alive and knows where it is connecting, or
/// says what in its settings is wrong.
pub fn render_connecting(view: &View, area: Rect, buf: &mut Buffer) {
    let lang = view.lang;
    if let Some(problem) = view.app.problem() {
        render_centered(problem_lines(lang, problem), area, buf);
        return;
    }
    let lines = vec![
        Line::raw(lang.pick("サーバーに接続しています…", "Connecting to the server…")).bold(),
        Line::raw(""),
        Line::raw(view.app.feed_url().to_owned()).dim(),
        Line::raw(""),
        Line::raw(lang.pick(
            "接続するとこの画面に呼び出し番号が表示されます",
            "Called numbers will appear here once connected",
        )),
    ];
    render_centered(lines, area, buf);
}

/// A settings problem in words for whoever set up the screen: what is wrong, and which
/// option fixes it (the display keeps retrying, so fixing the server side also works).
fn problem_lines(lang: Lang, problem: &ConnectProblem) -> Vec<Line<'static>> {
    let alert = Style::new().fg(Color::White).bg(Color::Red).bold();
    let (headline, details): (String, Vec<String>) = match (lang, problem) {
        (Lang::Ja, ConnectProblem::OfficeNotFound { office, offices }) => (
            format!("受付場所「{office}」が見つかりません"),
            vec![
                format!("このサーバーの受付場所: {}", offices.join(", ")),
                "--office で正しい受付場所を指定してください".to_owned(),
            ],
        ),
        (Lang::En, ConnectProblem::OfficeNotFound { office, offices }) => (
            format!("Office \"{office}\" not found"),
            vec![
                format!("Offices on this server: {}", offices.join(", ")),
                "Give one of them with --office".to_owned(),
            ],
        ),
        (Lang::Ja, ConnectProblem::HostNotFound { server }) => (
            format!("サーバー「{server}」が見つかりません"),
            vec!["--server のホスト名を確認してください".to_owned()],
        ),
        (Lang::En, ConnectProblem::HostNotFound { server }) => (
            format!("Server \"{server}\" not found"),
            vec!["Check the host name given with --server".to_owned()],
        ),
        (Lang::Ja, ConnectProblem::Refused { server }) => (
            format!("サーバー {server} に接続できません"),
            vec!["サーバーが起動していないか、ポート番号が違います（--server）".to_owned()],
        ),
        (Lang::En, ConnectProblem::Refused { server }) => (
            format!("Cannot connect to {server}"),
            vec!["The server is not running, or the port is wrong (--server)".to_owned()],
        ),
        (Lang::Ja, ConnectProblem::Certificate { server }) => (
            format!("サーバー {server} の証明書を確認できません"),
            vec![
                "ホスト名が証明書と一致しているか、有効期限内か確認してください".to_owned(),
                "市の認証局の証明書は --ca で指定します".to_owned(),
            ],
        ),
        (Lang::En, ConnectProblem::Certificate { server }) => (
            format!("The certificate of {server} is not trusted"),
            vec![
                "Check that the host name matches the certificate and that it has not expired"
                    .to_owned(),
                "Give the city's certificate authority with --ca".to_owned(),
            ],
        ),
        (Lang::Ja, ConnectProblem::NotAFeed { server, status }) => (
            format!("{server} は整理券サーバーではありません（HTTP {status}）"),
            vec!["--server のホストとポートを確認してください".to_owned()],
        ),
        (Lang::En, ConnectProblem::NotAFeed { server, status }) => (
            format!("{server} is not a queue server (HTTP {status})"),
            vec!["Check the host and port given with --server".to_owned()],
        ),
    };
    let mut lines = vec![
        Line::raw(format!("  {headline}  ")).style(alert),
        Line::raw(""),
    ];
    lines.extend(details.into_iter().map(Line::raw));
    lines.push(Line::raw(""));
    lines.push(Line::raw(lang.pick("接続を試み続けています", "Still trying to connect")).dim());
    lines
}

/// Closed all day, or done for today: a notice with the reason and the next opening, instead
/// of an empty queue.
pub fn render_closed(view: &View, snapshot: &Snapshot, area: Rect, buf: &mut Buffer) {
    let lang = view.lang;
    let calendar = &snapshot.calendar;
    let headline = lang.phase(calendar.phase);
    let mut lines = vec![
        Line::raw(format!("  {headline}  "))
            .style(Style::new().fg(Color::White).bg(Color::Red).bold()),
        Line::raw(""),
    ];
    if let Some(reason) = lang_text(lang, &calendar.reason_ja, &calendar.reason_en) {
        lines.push(Line::raw(reason.to_owned()).bold());
        lines.push(Line::raw(""));
    }
    match lang_text(lang, &calendar.notice_ja, &calendar.notice_en) {
        Some(notice) => lines.push(Line::raw(notice.to_owned())),
        None => {
            let next = match (lang, calendar.next_opening) {
                (Lang::Ja, Some(at)) => format!("次回の受付は{}からです。", lang.date_time(&at)),
                (Lang::Ja, None) => "次回の受付日は未定です。".to_owned(),
                (Lang::En, Some(at)) => format!("Reception reopens {}.", lang.date_time(&at)),
                (Lang::En, None) => "The next day of reception is not scheduled yet.".to_owned(),
            };
            lines.push(Line::raw(next));
        }
    }
    let block = panel(view, lang.pick("お知らせ", "Notice"));
    let width = if view.big {
        area.width / 4 * 3
    } else {
        area.width
    };
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(6);
    let [column] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(area);
    let [boxed] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(column);
    let inner = block.inner(boxed);
    block.render(boxed, buf);
    render_centered(lines, inner, buf);
}

fn lang_text<'a>(lang: Lang, ja: &'a Option<String>, en: &'a Option<String>) -> Option<&'a str> {
    match lang {
        Lang::Ja => ja.as_deref(),
        Lang::En => en.as_deref(),
    }
    .filter(|text| !text.is_empty())
}

fn render_centered(lines: Vec<Line<'static>>, area: Rect, buf: &mut Buffer) {
    let height = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let [middle] = Layout::vertical([Constraint::Length(height + 2)])
        .flex(Flex::Center)
        .areas(area);
    Paragraph::new(lines)
        .centered()
        .wrap(Wrap { trim: true })
        .render(middle, buf);
}

/// Everyone waiting and the wait for a ticket taken now first (the line is shared), then the
/// waiting per service in configuration order. The estimate is stated once when every service
/// shares it, so the rows do not suggest differences that do not exist.
pub fn render_services(view: &View, snapshot: &Snapshot, area: Rect, buf: &mut Buffer) {
    let lang = view.lang;
    let block = panel(
        view,
        lang.pick("お待ちの方と待ち時間の目安", "Waiting and estimated wait"),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let total = snapshot.waiting_total.unwrap_or_else(|| {
        // Saturating: a corrupted frame's counts must not overflow the screen.
        snapshot
            .services
            .iter()
            .fold(0u32, |total, s| total.saturating_add(s.waiting))
    });
    let mut summary = vec![Line::from(vec![
        Span::raw(lang.pick(" お待ちの方（全体） ", " Waiting, all services: ")),
        Span::raw(lang.people(total)).bold(),
    ])];
    if let Some(estimate) = &snapshot.shared_estimate {
        summary.push(Line::from(vec![
            Span::raw(lang.pick(" これから発券した場合の目安 ", " Wait for a new ticket: ")),
            Span::raw(lang.pick(&estimate.text_ja, &estimate.text_en).to_owned()).bold(),
        ]));
    }
    let summary_height = u16::try_from(summary.len()).unwrap_or(1);
    let [summary_area, table_area] =
        Layout::vertical([Constraint::Length(summary_height), Constraint::Fill(1)]).areas(inner);
    Paragraph::new(summary).render(summary_area, buf);
    let shared = snapshot.shared_estimate.is_some();
    let header = [
        "",
        lang.pick("手続き", "Service"),
        lang.pick("待ち", "Waiting"),
        if shared {
            ""
        } else {
            lang.pick("目安", "Est. wait")
        },
    ];
    let rows: Vec<[String; 4]> = snapshot
        .services
        .iter()
        .map(|service| {
            let estimate = match (&service.estimate, shared) {
                (_, true) => String::new(),
                (Some(e), false) => lang.pick(&e.text_ja, &e.text_en).to_owned(),
                (None, false) => "—".to_owned(),
            };
            [
                service.prefix.clone(),
                lang.pick(&service.name_ja, &service.name_en).to_owned(),
                lang.people(service.waiting),
                estimate,
            ]
        })
        .collect();
    let width = |column: usize| {
        let widest = rows
            .iter()
            .map(|row| Line::raw(row[column].as_str()).width())
            .chain([Line::raw(header[column]).width()])
            .max()
            .unwrap_or(0);
        Constraint::Length(u16::try_from(widest).unwrap_or(u16::MAX))
    };
    let widths = [width(0), Constraint::Fill(1), width(2), width(3)];
    let table = Table::new(
        rows.into_iter().map(|row| {
            let [prefix, name, waiting, estimate] = row;
            Row::new([
                Cell::from(prefix).bold(),
                Cell::from(name),
                Cell::from(Line::raw(waiting).right_aligned().bold()),
                Cell::from(estimate),
            ])
        }),
        widths,
    )
    .header(
        Row::new([
            Cell::from(header[0]),
            Cell::from(header[1]),
            Cell::from(Line::raw(header[2]).right_aligned()),
            Cell::from(header[3]),
        ])
        .dim(),
    )
    .column_spacing(if view.big { 2 } else { 1 });
    Widget::render(table, table_area, buf);
}

/// The congestion level in colour and in words (domain R5), with a bar of 1–4 blocks.
pub fn render_congestion(view: &View, snapshot: &Snapshot, area: Rect, buf: &mut Buffer) {
    let lang = view.lang;
    let block = panel(view, lang.pick("混雑状況", "Congestion"));
    let line = match &snapshot.congestion {
        Some(congestion) => {
            let (level, colour) = match congestion.level {
                CongestionLevel::Low => (1, Color::Green),
                CongestionLevel::Moderate => (2, Color::Yellow),
                CongestionLevel::High => (3, Color::LightRed),
                CongestionLevel::VeryHigh => (4, Color::Red),
                CongestionLevel::Unknown => (0, Color::Gray),
            };
            let bar: String = (1..=4)
                .map(|i| if i <= level { '■' } else { '□' })
                .collect();
            let label = lang.pick(&congestion.label_ja, &congestion.label_en);
            Line::from(vec![
                Span::raw(bar).fg(colour),
                Span::raw(" "),
                Span::raw(label.to_owned()).fg(colour).bold(),
            ])
        }
        None => Line::raw(lang.pick("情報なし", "No data")).dim(),
    };
    let inner = block.inner(area);
    block.render(area, buf);
    let [middle] = Layout::vertical([Constraint::Length(1)])
        .flex(Flex::Center)
        .areas(inner);
    Paragraph::new(line).centered().render(middle, buf);
}

/// Earlier calls, newest first; numbers still shown in the tiles are left out, so each
/// number appears on screen once.
pub fn render_recent(view: &View, snapshot: &Snapshot, area: Rect, buf: &mut Buffer) {
    let lang = view.lang;
    let block = panel(view, lang.pick("呼び出した番号", "Earlier calls"));
    let lines: Vec<Line> = snapshot
        .recent_calls
        .iter()
        .filter(|call| {
            !snapshot
                .now_called
                .iter()
                .any(|now| now.counter == call.counter && now.number == call.number)
        })
        .map(|call| {
            Line::from(vec![
                Span::raw(format!(" {:<6}", call.number)).bold(),
                Span::raw(lang.counter(&call.counter)),
                Span::raw(format!("  {}", text::time(&call.called_at))).dim(),
            ])
        })
        .collect();
    let lines = if lines.is_empty() {
        vec![Line::raw(lang.pick(" まだありません", " None yet")).dim()]
    } else {
        lines
    };
    Paragraph::new(lines).block(block).render(area, buf);
}
