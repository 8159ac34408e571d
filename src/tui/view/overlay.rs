//! Boxes drawn over the screen: the help (every key from the registry, the colour legend, the
//! log file) and the commands `y` copied, each command that changes something under its bold
//! `# writes:` marker. The text overlays (`e`, `v`) are in `reading`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::text::wrap;
use crate::model::Status;
use crate::terminal_text::line as shown;
use crate::tui::keys::{self, Place};
use crate::tui::layout::centered;
use crate::tui::state::{App, CommandRow, Overlay};

pub fn help_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    for place in [
        Place::List,
        Place::Filter,
        Place::Chain,
        Place::Detail,
        Place::Reading,
        Place::Confirm,
        Place::Wizard,
        Place::Choose,
    ] {
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
        (
            Status::Ok,
            "ok, and a policy statement that allows what was asked (green)",
        ),
    ] {
        out.push(Line::from(vec![
            Span::styled(format!("  {} ", status.icon()), t.status(status)),
            Span::raw(meaning),
        ]));
    }
    if let Some(log) = &app.log_path {
        out.push(Line::default());
        out.push(Line::styled(format!("log file: {}", shown(log)), t.dim()));
    }
    out
}

fn help_area(screen: Rect) -> Rect {
    centered(screen, 90, screen.height.saturating_sub(2))
}

fn commands_area(screen: Rect) -> Rect {
    centered(screen, 110, screen.height.saturating_sub(4))
}

/// How far the open overlay can scroll: its lines less the rows its box shows.
pub fn max_scroll(app: &App) -> u16 {
    let screen = Rect::new(0, 0, app.width, app.height);
    let (area, lines) = match &app.overlay {
        Some(Overlay::Help { .. }) => {
            let area = help_area(screen);
            (area, help_lines(app, area.width.saturating_sub(2)).len())
        }
        Some(Overlay::Commands { commands, .. }) => {
            let area = commands_area(screen);
            let width = area.width.saturating_sub(2);
            (area, commands_lines(app, commands, width).len())
        }
        Some(Overlay::Explain { .. } | Overlay::Whole { .. }) => {
            return super::reading::max_scroll(app, screen);
        }
        Some(Overlay::Fix { .. }) => return super::fix::max_scroll(app, screen),
        Some(Overlay::Choose { .. }) => return super::choose::max_scroll(app, screen),
        None => return 0,
    };
    let rows = area.height.saturating_sub(2) as usize;
    u16::try_from(lines.saturating_sub(rows)).unwrap_or(u16::MAX)
}

pub(super) fn boxed(
    f: &mut Frame,
    area: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: u16,
    app: &App,
) {
    f.render_widget(Clear, area);
    let inner_rows = area.height.saturating_sub(2) as usize;
    let max = u16::try_from(lines.len().saturating_sub(inner_rows)).unwrap_or(u16::MAX);
    f.render_widget(
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(format!(" {} ", shown(title)))
                    .title_bottom(" Esc close · ↑↓ scroll ")
                    .border_style(app.theme.accent()),
            )
            .scroll((scroll.min(max), 0)),
        area,
    );
}

pub fn help(f: &mut Frame, screen: Rect, app: &App, scroll: u16) {
    let area = help_area(screen);
    let lines = help_lines(app, area.width.saturating_sub(2));
    boxed(f, area, "help", lines, scroll, app);
}

pub fn commands(
    f: &mut Frame,
    screen: Rect,
    app: &App,
    title: &str,
    commands: &[CommandRow],
    scroll: u16,
) {
    let area = commands_area(screen);
    let lines = commands_lines(app, commands, area.width.saturating_sub(2));
    boxed(f, area, title, lines, scroll, app);
}

fn commands_lines(app: &App, commands: &[CommandRow], width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    for c in commands {
        // A write stands out by weight, not colour: colour means a link's status.
        let style = match c {
            CommandRow::Comment(_) => t.dim(),
            CommandRow::Writes(_) => t.title(),
            CommandRow::Command(_) => t.command(),
        };
        // Shown escaped; the clipboard gets the command as it is (base64 in OSC 52).
        lines.extend(wrap(
            &shown(c.text()),
            width,
            vec![],
            vec![Span::raw("    ")],
            style,
        ));
    }
    lines.push(Line::default());
    lines.extend(wrap(
        "Sent to the clipboard through the terminal (OSC 52). If your terminal ignores that, select the lines above.",
        width,
        vec![],
        vec![],
        t.dim(),
    ));
    lines
}
