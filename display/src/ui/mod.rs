//! Drawing: a pure function of [`App`] (`impl Widget for &App`), so every screen can be
//! rendered on ratatui's `TestBackend` and compared with a reviewed snapshot.
//!
//! From top to bottom: the header (office, DEMO, the server's clock), the status row (the
//! office's state from the calendar, today's hours, the link), a red banner whenever the data is
//! not live, then the body: the called numbers in big digits with the queue below, or the
//! closed-day notice. Colour always comes with words (受付中, 混雑, 再接続中…), never alone.
//!
//! Two layouts: compact for 80×24 and big from [`BIG_WIDTH`]×[`BIG_HEIGHT`], where the header
//! gets a frame and the numbers take all the height the queue panels do not need, in
//! full-size glyphs.

mod calls;
mod panels;

use queue_protocol::{Phase, Snapshot, SuspensionReason};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};

use crate::app::{App, LinkView};
use crate::text::{self, Lang};

/// From this width (and [`BIG_HEIGHT`]) the big layout is used.
pub const BIG_WIDTH: u16 = 120;

/// From this height (and [`BIG_WIDTH`]) the big layout is used.
pub const BIG_HEIGHT: u16 = 36;

/// Which layout a terminal of this size gets.
pub fn is_big(area: Rect) -> bool {
    area.width >= BIG_WIDTH && area.height >= BIG_HEIGHT
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        render(self, area, buf);
    }
}

/// What one frame is drawn from: the app and the decisions every part shares.
struct View<'a> {
    app: &'a App,
    lang: Lang,
    link: LinkView,
    big: bool,
}

fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let view = View {
        app,
        lang: app.lang(),
        link: app.link_view(),
        big: is_big(area),
    };
    let not_live = matches!(view.link, LinkView::NotLive { .. });
    let header_height = if view.big { 3 } else { 1 };
    let [header, status, banner, body] = Layout::vertical([
        Constraint::Length(header_height),
        Constraint::Length(1),
        Constraint::Length(u16::from(not_live)),
        Constraint::Fill(1),
    ])
    .areas(area);
    render_header(&view, header, buf);
    render_status(&view, status, buf);
    if let LinkView::NotLive { last_update } = view.link {
        render_banner(view.lang, last_update, banner, buf);
    }
    match app.snapshot() {
        None => panels::render_connecting(&view, body, buf),
        Some(snapshot) if is_closed_all_day(snapshot) => {
            panels::render_closed(&view, snapshot, body, buf);
        }
        Some(snapshot) => render_queue(&view, snapshot, body, buf),
    }
}

/// Closed for the whole day (holiday, year-end, weekend) or done for today: no queue to show.
fn is_closed_all_day(snapshot: &Snapshot) -> bool {
    snapshot.calendar.phase.is_closed_all_day()
}

fn render_header(view: &View, area: Rect, buf: &mut Buffer) {
    let lang = view.lang;
    let inner = if view.big {
        let block = Block::bordered().border_type(BorderType::Thick);
        let inner = block.inner(area);
        block.render(area, buf);
        inner
    } else {
        area
    };
    let clock = view
        .app
        .server_now()
        .map(|now| lang.clock(&now))
        .unwrap_or_default();
    let clock_width = u16::try_from(Line::raw(&clock).width()).unwrap_or(u16::MAX);
    let [left, right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(clock_width.saturating_add(1)),
    ])
    .areas(inner);
    let mut spans = Vec::new();
    if let Some(snapshot) = view.app.snapshot() {
        let name = lang.pick(&snapshot.office.name_ja, &snapshot.office.name_en);
        spans.push(Span::raw(format!(" {name} ")).bold());
        if snapshot.demo {
            spans.push(Span::raw(" "));
            spans.push(
                Span::raw(lang.pick(" デモ ", " DEMO "))
                    .style(Style::new().fg(Color::Black).bg(Color::Magenta).bold()),
            );
        }
    }
    Paragraph::new(Line::from(spans)).render(left, buf);
    Paragraph::new(Line::raw(clock).bold())
        .right_aligned()
        .render(right, buf);
}

fn render_status(view: &View, area: Rect, buf: &mut Buffer) {
    let lang = view.lang;
    let link = link_span(lang, view.link, view.app.server_number());
    let link_width = u16::try_from(link.width()).unwrap_or(u16::MAX);
    let [left, right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(link_width.saturating_add(1)),
    ])
    .areas(area);
    if let Some(snapshot) = view.app.snapshot() {
        let (badge, colour, detail) = office_state(lang, snapshot);
        let line = Line::from(vec![
            Span::raw(" "),
            Span::raw(format!(" {badge} ")).style(Style::new().fg(Color::Black).bg(colour).bold()),
            Span::raw(format!(" {detail}")),
        ]);
        Paragraph::new(line).render(left, buf);
    }
    Paragraph::new(Line::from(link))
        .right_aligned()
        .render(right, buf);
}

/// The office's state in a word (with its colour) and a detail: hours, reason, suspension.
fn office_state(lang: Lang, snapshot: &Snapshot) -> (String, Color, String) {
    let calendar = &snapshot.calendar;
    let hours = calendar.today.as_ref().map(|today| {
        let mut hours = format!(
            "{} {}",
            lang.pick("本日の受付時間", "Today"),
            lang.hours(&today.opens, &today.closes),
        );
        if let Some(last) = &today.last_ticket {
            hours.push_str(&match lang {
                Lang::Ja => format!("（発券は{}まで）", text::hours_text(last)),
                Lang::En => format!(" (last ticket {})", text::hours_text(last)),
            });
        }
        hours
    });
    let hours = hours.unwrap_or_default();
    let reason = lang
        .pick(
            calendar.reason_ja.as_deref().unwrap_or_default(),
            calendar.reason_en.as_deref().unwrap_or_default(),
        )
        .to_owned();
    let suspended = snapshot.reception.suspended;
    let badge = lang.headline(calendar.phase, suspended);
    let notice = lang
        .pick(
            calendar.notice_ja.as_deref().unwrap_or_default(),
            calendar.notice_en.as_deref().unwrap_or_default(),
        )
        .to_owned();
    let (colour, detail) = match calendar.phase {
        Phase::Open if suspended => (
            Color::Red,
            lang.suspension(
                snapshot
                    .reception
                    .reason_code
                    .unwrap_or(SuspensionReason::Other),
            )
            .to_owned(),
        ),
        Phase::Open => (Color::Green, hours),
        Phase::BeforeOpening => (Color::Yellow, hours),
        // 「本日の受付は終了しました。番号札をお持ちの方は順番にお呼びします。」
        Phase::ReceptionClosed => (Color::Yellow, notice),
        Phase::ClosedForTheDay => (Color::Red, String::new()),
        Phase::Closed => (Color::Red, reason),
        Phase::Unknown => (Color::Gray, String::new()),
    };
    (badge.to_owned(), colour, detail)
}

/// The link in words, with the server's number in `--server` order when there are several
/// (「● 接続済み サーバー2」), so whoever looks after the screen sees which one it uses.
fn link_span(lang: Lang, link: LinkView, server: Option<usize>) -> Span<'static> {
    let server = server
        .map(|number| match lang {
            Lang::Ja => format!("サーバー{number} "),
            Lang::En => format!("server {number} "),
        })
        .unwrap_or_default();
    match link {
        LinkView::Live => {
            Span::raw(format!("{}{server}", lang.pick("● 接続済み ", "● Live "))).green()
        }
        LinkView::Connecting => Span::raw(format!(
            "{}{server}",
            lang.pick("… 接続しています ", "… Connecting ")
        ))
        .yellow(),
        LinkView::NotLive { .. } => Span::raw(format!(
            "{}{server}",
            lang.pick("✕ 再接続中… ", "✕ Reconnecting… ")
        ))
        .red()
        .bold(),
    }
}

fn render_banner(
    lang: Lang,
    last_update: chrono::DateTime<chrono::FixedOffset>,
    area: Rect,
    buf: &mut Buffer,
) {
    let time = text::time_with_seconds(&last_update);
    let message = match lang {
        Lang::Ja => format!("再接続中… 最終更新 {time}  この表示は最新ではありません"),
        Lang::En => format!("Reconnecting… last update {time}  this screen is not up to date"),
    };
    Paragraph::new(Line::raw(message))
        .centered()
        .style(
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
        )
        .render(area, buf);
}

fn render_queue(view: &View, snapshot: &Snapshot, area: Rect, buf: &mut Buffer) {
    // Compact: one row of tiles. Big: the queue panels get what their rows need and the
    // numbers take the rest.
    let services = u16::try_from(snapshot.services.len()).unwrap_or(u16::MAX);
    let calls_height = if view.big {
        area.height
            .saturating_sub(services.saturating_add(6).max(12))
    } else {
        // Compact: the queue panels keep the 13 rows they need at 80×24 and the numbers
        // get every row a taller terminal adds.
        area.height.saturating_sub(13).max(9).min(area.height)
    };
    let [calls, queue] =
        Layout::vertical([Constraint::Length(calls_height), Constraint::Fill(1)]).areas(area);
    calls::render_calls(view, snapshot, calls, buf);
    let side_width = if view.big { 44 } else { 24 };
    let [services, side] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(side_width)]).areas(queue);
    panels::render_services(view, snapshot, services, buf);
    let congestion_height = if view.big { 5 } else { 3 };
    let [congestion, recent] =
        Layout::vertical([Constraint::Length(congestion_height), Constraint::Fill(1)]).areas(side);
    panels::render_congestion(view, snapshot, congestion, buf);
    panels::render_recent(view, snapshot, recent, buf);
}

/// A titled frame around a panel; dimmed when the data is not live.
fn panel<'a>(view: &View, title: &'a str) -> Block<'a> {
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(Line::raw(format!(" {title} ")).bold());
    if matches!(view.link, LinkView::Live) {
        block
    } else {
        block.border_style(Style::new().fg(Color::DarkGray))
    }
}

#[cfg(test)]
mod tests;
