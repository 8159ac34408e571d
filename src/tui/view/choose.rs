//! The choices of an ambiguous fix (`f` where the planner cannot pick for the user: the
//! annotation and the trust disagree, the service account named does not exist but another is
//! trusted, the annotated role does not exist). Drawn like the fix dialog (a red border: the
//! choice leads to writes), each choice as `N. meaning`, the selected one reversed and marked
//! `›` (so it shows without colour too). Enter plans the fix with it; nothing is written yet.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::text::wrap;
use crate::terminal_text::line as shown;
use crate::tui::layout::centered;
use crate::tui::state::{App, Overlay};

/// Where the choices go, with their lines and the rows the selected choice takes; `None`
/// when they are not open.
pub fn boxed(
    app: &App,
    screen: Rect,
) -> Option<(Rect, Vec<Line<'static>>, std::ops::Range<usize>)> {
    let Some(Overlay::Choose {
        workload,
        choices,
        selected,
        ..
    }) = &app.overlay
    else {
        return None;
    };
    let t = &app.theme;
    let widest = centered(screen, 100, screen.height.saturating_sub(2));
    let width = widest.width.saturating_sub(2);
    let mut lines = wrap(
        &shown(&format!(
            "The fix of {workload} is ambiguous: each choice below is a different fix. Select one and press Enter to see its plan; nothing is written until you confirm that plan."
        )),
        width,
        vec![],
        vec![],
        t.dim(),
    );
    // The rows of the selected choice, to keep it on screen.
    let mut selected_rows = 0..0;
    for (i, c) in choices.iter().enumerate() {
        lines.push(Line::default());
        let on = i == *selected;
        let first = lines.len();
        let (mark, style) = if on {
            ("› ", t.selected())
        } else {
            ("  ", ratatui::style::Style::new())
        };
        lines.extend(wrap(
            &shown(&format!("{}. {}", c.number, c.meaning)),
            width,
            vec![Span::styled(mark, t.key())],
            vec![Span::raw("     ")],
            style,
        ));
        if on {
            selected_rows = first..lines.len();
        }
    }
    lines.push(Line::default());
    lines.extend(wrap(
        &format!(
            "the same from the command line: kubectl irsa fix {}/{} -n {} --choice N",
            workload.kind.short(),
            workload.name,
            workload.namespace
        ),
        width,
        vec![],
        vec![],
        t.dim(),
    ));
    let height = (lines.len() + 2).min(widest.height as usize) as u16;
    Some((centered(screen, 100, height), lines, selected_rows))
}

/// The first row to show so that the selected choice is whole on screen, moving as little
/// from `scroll` as it takes.
pub fn scroll_to_selected(app: &App, scroll: u16) -> u16 {
    let screen = Rect::new(0, 0, app.width, app.height);
    let Some((area, lines, selected)) = boxed(app, screen) else {
        return scroll;
    };
    let rows = area.height.saturating_sub(2) as usize;
    let mut top = scroll as usize;
    if selected.end > top + rows {
        top = selected.end - rows;
    }
    if selected.start < top {
        // With the blank line above it, so the first choice shows the text above it too.
        top = selected.start.saturating_sub(1);
    }
    let top = top.min(lines.len().saturating_sub(rows));
    u16::try_from(top).unwrap_or(u16::MAX)
}

/// `fix of deploy/x: 2 choices — Enter plans the selected one, Esc cancels`.
pub fn title(app: &App) -> String {
    match &app.overlay {
        Some(Overlay::Choose {
            workload, choices, ..
        }) => format!(
            "fix of {}/{}: {} — Enter plans the selected one, Esc cancels",
            workload.kind.short(),
            workload.name,
            crate::model::words::count(choices.len(), "choice", "choices")
        ),
        _ => String::new(),
    }
}

/// How far the choices can scroll.
pub fn max_scroll(app: &App, screen: Rect) -> u16 {
    let Some((area, lines, _)) = boxed(app, screen) else {
        return 0;
    };
    let rows = area.height.saturating_sub(2) as usize;
    u16::try_from(lines.len().saturating_sub(rows)).unwrap_or(u16::MAX)
}

pub fn draw(f: &mut Frame, screen: Rect, app: &App) {
    let Some(Overlay::Choose { scroll, .. }) = &app.overlay else {
        return;
    };
    let Some((area, lines, _)) = boxed(app, screen) else {
        return;
    };
    let rows = area.height.saturating_sub(2) as usize;
    let max = u16::try_from(lines.len().saturating_sub(rows)).unwrap_or(u16::MAX);
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(format!(" {} ", shown(&title(app))))
                    .title_bottom(" ↑↓/1-9 select · Enter plan it · Esc cancel ")
                    .border_style(app.theme.error()),
            )
            .scroll(((*scroll).min(max), 0)),
        area,
    );
}
