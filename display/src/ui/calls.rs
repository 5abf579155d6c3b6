//! The numbers being called, one tile per counter: the number in big digits, readable from
//! several metres, and under it once as plain text exactly as the feed spells it
//! (「1番窓口 R001」), for screen readers and tests. A just-called tile is drawn in reverse
//! yellow with a ★ in its title, so the highlight does not rely on colour alone.

use queue_protocol::{NowCalled, Snapshot};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Paragraph, Widget};
use tui_big_text::{BigText, PixelSize};

use super::{View, panel};
use crate::app::LinkView;
use crate::text;

/// Glyph sizes tried from the largest: (pixel size, cells per glyph across, rows per glyph).
const GLYPHS: [(PixelSize, u16, u16); 3] = [
    (PixelSize::Full, 8, 8),
    (PixelSize::HalfHeight, 8, 4),
    (PixelSize::Quadrant, 4, 4),
];

/// How the tiles are laid out: the glyph size and the grid.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Plan {
    pixel: PixelSize,
    glyph_height: u16,
    columns: u16,
    rows: u16,
}

/// Picks the largest glyphs that fit `count` tiles of numbers up to `chars` long into
/// `area`, fewest rows first; `None` when even the smallest glyphs do not fit.
///
/// Only balanced grids are tried (4 tiles: 4×1, 2×2, 1×4; never 3 + 1): a short last row
/// leaves a hole in the middle of the screen and reads as a missing counter.
fn plan(area: Rect, count: u16, chars: u16) -> Option<Plan> {
    if count == 0 {
        return None;
    }
    let grids = (1..=count).filter_map(|rows| {
        let columns = count.div_ceil(rows);
        // Skip a row count that the same columns would fill in fewer rows.
        (count.div_ceil(columns) == rows).then_some((columns, rows))
    });
    let grids: Vec<(u16, u16)> = grids.collect();
    for (pixel, glyph_width, glyph_height) in GLYPHS {
        for &(columns, rows) in &grids {
            let tile_width = area.width / columns;
            let tile_height = area.height / rows;
            // Border, digits, caption.
            let fits = tile_width >= chars.saturating_mul(glyph_width).saturating_add(2)
                && tile_height >= glyph_height + 3;
            if fits {
                return Some(Plan {
                    pixel,
                    glyph_height,
                    columns,
                    rows,
                });
            }
        }
    }
    None
}

/// The calls block: tiles, or a sentence when nobody is being called.
pub fn render_calls(view: &View, snapshot: &Snapshot, area: Rect, buf: &mut Buffer) {
    let lang = view.lang;
    let block = panel(view, lang.pick("ただいまの呼出番号", "Now calling"));
    let inner = block.inner(area);
    block.render(area, buf);
    let calls = ordered_calls(snapshot);
    if calls.is_empty() {
        let message = lang.pick(
            "ただいま呼び出し中の番号はありません",
            "No numbers are being called right now",
        );
        let [middle] = Layout::vertical([Constraint::Length(1)])
            .flex(Flex::Center)
            .areas(inner);
        Paragraph::new(Line::raw(message).dim())
            .centered()
            .render(middle, buf);
        return;
    }
    let count = u16::try_from(calls.len()).unwrap_or(u16::MAX);
    let chars = calls
        .iter()
        .map(|call| u16::try_from(call.number.chars().count()).unwrap_or(u16::MAX))
        .max()
        .unwrap_or(1);
    match plan(inner, count, chars) {
        Some(plan) => render_tiles(view, &calls, plan, inner, buf),
        None => render_plain(view, &calls, inner, buf),
    }
}

/// Calls in the order of the counters, so tiles do not jump around between snapshots.
fn ordered_calls(snapshot: &Snapshot) -> Vec<&NowCalled> {
    let position = |counter: &str| {
        snapshot
            .counters
            .iter()
            .position(|c| c.id == counter)
            .unwrap_or(usize::MAX)
    };
    let mut calls: Vec<&NowCalled> = snapshot.now_called.iter().collect();
    calls.sort_by(|a, b| {
        position(&a.counter)
            .cmp(&position(&b.counter))
            .then_with(|| a.counter.cmp(&b.counter))
    });
    calls
}

fn render_tiles(view: &View, calls: &[&NowCalled], plan: Plan, area: Rect, buf: &mut Buffer) {
    // Tiles as tall as their content (plus a blank line above and below the digits when there
    // is room), the grid centred in the block.
    let content = plan.glyph_height + 3;
    let tile_height = (area.height / plan.rows).min(content + 2);
    let rows = Layout::vertical(vec![
        Constraint::Length(tile_height);
        usize::from(plan.rows)
    ])
    .flex(Flex::Center)
    .split(area);
    let columns = usize::from(plan.columns);
    for (row_area, row_calls) in rows.iter().zip(calls.chunks(columns)) {
        let tiles = Layout::horizontal(vec![Constraint::Fill(1); columns]).split(*row_area);
        for (tile, call) in tiles.iter().zip(row_calls) {
            render_tile(view, call, plan, *tile, buf);
        }
    }
}

fn render_tile(view: &View, call: &NowCalled, plan: Plan, area: Rect, buf: &mut Buffer) {
    let lang = view.lang;
    let live = matches!(view.link, LinkView::Live);
    let highlighted = live && view.app.is_highlighted(&call.counter, &call.number);
    let state = lang.ticket_state_short(call.state);
    let (title, style) = if highlighted {
        (
            format!(" ★ {state} ★ "),
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        )
    } else if live {
        (
            format!(" {state} "),
            Style::new().add_modifier(Modifier::BOLD),
        )
    } else {
        (format!(" {state} "), Style::new().fg(Color::DarkGray))
    };
    let block = Block::bordered()
        .border_type(if highlighted {
            BorderType::Double
        } else {
            BorderType::Rounded
        })
        .title(Line::raw(title))
        .style(style);
    let inner = block.inner(area);
    block.render(area, buf);
    let [digits, caption] =
        Layout::vertical([Constraint::Length(plan.glyph_height), Constraint::Length(1)])
            .flex(Flex::Center)
            .spacing(u16::from(inner.height > plan.glyph_height + 1))
            .areas(inner);
    BigText::builder()
        .pixel_size(plan.pixel)
        .lines(vec![Line::raw(call.number.clone())])
        .style(style)
        .centered()
        .build()
        .render(digits, buf);
    Paragraph::new(Line::raw(text::call_caption(
        lang,
        &call.counter,
        &call.number,
    )))
    .style(style)
    .centered()
    .render(caption, buf);
}

/// A terminal too small for big digits: one line per call.
fn render_plain(view: &View, calls: &[&NowCalled], area: Rect, buf: &mut Buffer) {
    let lang = view.lang;
    let lines: Vec<Line> = calls
        .iter()
        .map(|call| {
            let text = format!(
                "{}  {}",
                text::call_caption(lang, &call.counter, &call.number),
                lang.ticket_state_short(call.state)
            );
            if view.app.is_highlighted(&call.counter, &call.number) {
                Line::raw(format!("★ {text}")).reversed().bold()
            } else {
                Line::raw(format!("  {text}")).bold()
            }
        })
        .collect();
    Paragraph::new(lines).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_counters_fit_in_one_row_on_an_80_column_screen() {
        let plan = plan(Rect::new(0, 0, 78, 7), 4, 4).expect("fits");
        assert_eq!(
            (plan.pixel, plan.columns, plan.rows),
            (PixelSize::Quadrant, 4, 1)
        );
    }

    #[test]
    fn a_large_screen_gets_full_size_digits() {
        let plan = plan(Rect::new(0, 0, 158, 22), 4, 4).expect("fits");
        assert_eq!(
            (plan.pixel, plan.columns, plan.rows),
            (PixelSize::Full, 4, 1)
        );
    }

    #[test]
    fn four_counters_never_wrap_three_and_one() {
        // 120×36: the calls block's inside is 118×18.
        let at_120x36 = plan(Rect::new(0, 0, 118, 18), 4, 4).expect("fits");
        assert_eq!((at_120x36.columns, at_120x36.rows), (2, 2));
        for width in (20..=200).step_by(7) {
            for height in (4..=60).step_by(3) {
                if let Some(found) = plan(Rect::new(0, 0, width, height), 4, 4) {
                    assert_eq!(4 % found.columns, 0, "{width}×{height}: {found:?}");
                }
            }
        }
    }

    #[test]
    fn a_tiny_screen_falls_back_to_plain_text() {
        assert_eq!(plan(Rect::new(0, 0, 30, 4), 3, 4), None);
    }
}
