//! Boxes drawn over the screen: the help (every key from the registry, the colour legend, the
//! log file) and the commands `y` copied.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::text::wrap;
use crate::model::Status;
use crate::tui::keys::{self, Place};
use crate::tui::layout::centered;
use crate::tui::state::App;

pub fn help_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    for place in [Place::List, Place::Filter, Place::Chain, Place::Detail] {
        out.push(Line::styled(place.label().to_string(), t.title()));
        for b in keys::at(place) {
            out.extend(wrap(
                b.help,
                width,
                vec![
                    Span::raw("  "),
                    Span::styled(format!("{:<14}", keys::keys_label(b)), t.key()),
                ],
                vec![Span::raw(" ".repeat(16))],
                ratatui::style::Style::new(),
            ));
        }
        out.push(Line::default());
    }
    out.push(Line::styled("colours", t.title()));
    for (status, meaning) in [
        (
            Status::Broken,
            "broken: this link stops the credentials (red)",
        ),
        (
            Status::Warning,
            "warning: works now, but fragile or surprising (yellow)",
        ),
        (
            Status::Unknown,
            "unknown: could not look (no permission, not collected) (grey)",
        ),
        (
            Status::Skipped,
            "skipped: an earlier broken link leaves nothing to judge",
        ),
        (Status::Ok, "ok"),
    ] {
        out.push(Line::from(vec![
            Span::styled(format!("  {} ", status.icon()), t.status(status)),
            Span::raw(meaning),
        ]));
    }
    if let Some(log) = &app.log_path {
        out.push(Line::default());
        out.push(Line::styled(format!("log file: {log}"), t.dim()));
    }
    out
}

fn boxed(
    f: &mut Frame,
    area: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: u16,
    app: &App,
) {
    f.render_widget(Clear, area);
    let inner_rows = area.height.saturating_sub(2) as usize;
    let max = lines.len().saturating_sub(inner_rows) as u16;
    f.render_widget(
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(format!(" {title} "))
                    .title_bottom(" Esc close · ↑↓ scroll ")
                    .border_style(app.theme.accent()),
            )
            .scroll((scroll.min(max), 0)),
        area,
    );
}

pub fn help(f: &mut Frame, screen: Rect, app: &App, scroll: u16) {
    let area = centered(screen, 90, screen.height.saturating_sub(2));
    let lines = help_lines(app, area.width.saturating_sub(2));
    boxed(f, area, "help", lines, scroll, app);
}

pub fn commands(
    f: &mut Frame,
    screen: Rect,
    app: &App,
    title: &str,
    commands: &[String],
    scroll: u16,
) {
    let area = centered(screen, 110, screen.height.saturating_sub(4));
    let width = area.width.saturating_sub(2);
    let t = &app.theme;
    let mut lines = Vec::new();
    for c in commands {
        let style = if c.starts_with('#') {
            t.dim()
        } else {
            t.command()
        };
        lines.extend(wrap(c, width, vec![], vec![Span::raw("    ")], style));
    }
    lines.push(Line::default());
    lines.extend(wrap(
        "Copied to the clipboard through the terminal (OSC 52). If your terminal ignores that, select the lines above.",
        width,
        vec![],
        vec![],
        t.dim(),
    ));
    boxed(f, area, title, lines, scroll, app);
}
