//! The parts of the confirmation dialog (`view::fix`) that say what its plan is about, beyond
//! its steps: the choice an ambiguous fix was planned with. Escaped on the way, as elsewhere.
//!
//! To show more about a plan: a variant of `tui::dialog::About`, its lines here.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::text::wrap;
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
    }
}
