//! The parts of the confirmation dialog (`view::fix`) that say what its plan is about, beyond
//! its steps: the choice an ambiguous fix was planned with; a migration stage's pre-flight
//! checks (ok, warning in bold yellow, blocked in red) above the steps and its notes below.
//! Escaped on the way, as elsewhere.
//!
//! To show more about a plan: a variant of `tui::dialog::About`, its lines here.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::wrap;
use crate::model::Status;
use crate::plan::migrate_preflight::CheckStatus;
use crate::terminal_text::line as shown;
use crate::tui::dialog::About;
use crate::tui::state::App;

/// `text` wrapped to `width`, its continuation lines indented under its first.
pub(super) fn para(text: &str, width: u16, indent: usize, style: Style) -> Vec<Line<'static>> {
    wrap(
        &shown(text),
        width,
        vec![Span::raw(" ".repeat(indent))],
        vec![Span::raw(" ".repeat(indent + 2))],
        style,
    )
}

/// The lines between the plan's heading and its steps.
pub fn before_steps(app: &App, about: &About, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    match about {
        About::Plain => Vec::new(),
        About::Choice(c) => para(
            &format!("choice {}: {}", c.number, c.meaning),
            width,
            0,
            t.title(),
        ),
        About::Migration(m) => {
            let mut out = Vec::new();
            if m.finalizing {
                out.extend(para(
                    "stage 1 is done (Pod Identity alongside IRSA): this is --finalize, which removes IRSA",
                    width,
                    0,
                    t.warning(),
                ));
            }
            if m.preflight.is_empty() {
                return out;
            }
            out.push(Line::default());
            out.push(Line::styled("pre-flight:", t.title()));
            for c in &m.preflight {
                let (mark, style) = match c.status {
                    CheckStatus::Ok => ("ok     ", t.status(Status::Ok)),
                    CheckStatus::Warning => ("warning", t.warning()),
                    CheckStatus::Blocked => ("BLOCKED", t.error()),
                };
                out.extend(wrap(
                    &shown(&format!("{}: {}", c.check, c.message)),
                    width,
                    vec![Span::raw("  "), Span::styled(format!("{mark} "), style)],
                    vec![Span::raw(" ".repeat(12))],
                    Style::new(),
                ));
            }
            out.push(Line::default());
            out
        }
    }
}

/// The lines after the plan's steps: a migration's notes (why its order never leaves a pod
/// without credentials).
pub fn after_steps(app: &App, about: &About, width: u16) -> Vec<Line<'static>> {
    let About::Migration(m) = about else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for n in &m.notes {
        out.push(Line::default());
        out.extend(wrap(
            &shown(n),
            width,
            vec![Span::styled("note: ", app.theme.title())],
            vec![Span::raw("      ")],
            Style::new(),
        ));
    }
    out
}
