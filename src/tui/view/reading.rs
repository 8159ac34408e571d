//! The two text overlays: `e`, a finding code's explanation (the text `kubectl irsa explain
//! CODE` prints, from [`crate::model::explain`]), and `v`, the screen's cut texts whole (from
//! [`crate::tui::reading`]). Both are lines of a [`Tone`], wrapped here to the box's width; every
//! text that came from the cluster or AWS is escaped on the way.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::wrap;
use crate::model::Status;
use crate::model::explain::{self, Kind};
use crate::terminal_text::line as shown;
use crate::tui::layout::centered;
use crate::tui::state::{App, Overlay, Tone};

/// The box both overlays are drawn in: wide enough for commands, as tall as the text (at most
/// nearly the whole screen); with the text's wrapped lines.
fn boxed_lines(app: &App, screen: Rect) -> Option<(Rect, String, Vec<Line<'static>>)> {
    let widest = centered(screen, 110, screen.height.saturating_sub(2));
    let (title, lines) = lines(app, widest.width.saturating_sub(2))?;
    let height = (lines.len() + 2).min(widest.height as usize) as u16;
    Some((centered(screen, 110, height), title, lines))
}

/// The explanation of `code` as toned lines (empty for a code without one, which the
/// explanation tests rule out).
pub fn explain_text(code: &str) -> Vec<(Tone, String)> {
    let Some(e) = explain::find(code) else {
        return vec![(Tone::Error, format!("{code} has no explanation"))];
    };
    explain::text(e)
        .into_iter()
        .map(|(kind, text)| {
            let tone = match kind {
                Kind::Title => Tone::Title,
                Kind::Summary | Kind::Text => Tone::Text,
                Kind::Heading => Tone::Heading,
                Kind::Quote => Tone::Quote,
                Kind::Literal => Tone::Literal,
                Kind::Link => Tone::Dim,
                Kind::Blank => Tone::Blank,
            };
            (tone, text.to_string())
        })
        .collect()
}

/// The open text overlay's title and lines, wrapped to `width`.
pub fn lines(app: &App, width: u16) -> Option<(String, Vec<Line<'static>>)> {
    match &app.overlay {
        Some(Overlay::Explain { codes, index, .. }) => {
            let code = codes.get(*index).copied().unwrap_or_default();
            let title = if codes.len() > 1 {
                format!(
                    "explain {code} · finding {} of {} · Tab next",
                    index + 1,
                    codes.len()
                )
            } else {
                format!("explain {code}")
            };
            Some((title, toned(app, &explain_text(code), width)))
        }
        Some(Overlay::Whole { lines, .. }) => {
            Some(("whole text".to_string(), toned(app, lines, width)))
        }
        _ => None,
    }
}

fn toned(app: &App, text: &[(Tone, String)], width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    let indent = || vec![Span::raw("  ")];
    for (tone, text) in text {
        let text = shown(text);
        let (first, rest, style): (Vec<Span<'static>>, Vec<Span<'static>>, Style) = match tone {
            Tone::Blank => {
                out.push(Line::default());
                continue;
            }
            Tone::Title => (vec![], vec![], t.title().patch(t.accent())),
            Tone::Heading => (vec![], vec![], t.title()),
            Tone::Text => (indent(), indent(), Style::new()),
            Tone::Error => (indent(), indent(), t.error()),
            Tone::Quote => (
                vec![Span::styled("  > ", t.dim())],
                vec![Span::raw("    ")],
                t.status(Status::Warning),
            ),
            Tone::Literal => (indent(), vec![Span::styled("  ↪ ", t.dim())], t.command()),
            Tone::Dim => (indent(), indent(), t.dim()),
        };
        out.extend(wrap(&text, width, first, rest, style));
    }
    out
}

/// How far the open text overlay can scroll.
pub fn max_scroll(app: &App, screen: Rect) -> u16 {
    let Some((area, _, lines)) = boxed_lines(app, screen) else {
        return 0;
    };
    let rows = area.height.saturating_sub(2) as usize;
    u16::try_from(lines.len().saturating_sub(rows)).unwrap_or(u16::MAX)
}

pub fn draw(f: &mut Frame, screen: Rect, app: &App, scroll: u16) {
    if let Some((area, title, lines)) = boxed_lines(app, screen) {
        super::overlay::boxed(f, area, &title, lines, scroll, app);
    }
}
