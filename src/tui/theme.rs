//! Colours and emphasis for the TUI. Only the terminal's own ANSI palette is used, never fixed
//! RGB or background fills, so the screen reads on light and dark backgrounds alike; selection
//! is reverse video. With colour off (NO_COLOR, TERM=dumb) every style keeps its modifiers
//! (bold, underline) and the icons carry the status.
//!
//! Two palette entries are avoided on purpose. Secondary text is the terminal's own foreground
//! with the dim attribute, never DarkGray ("bright black"): several popular themes (Solarized
//! Dark among them) draw bright black as their background colour, which made it invisible.
//! Warnings are yellow *and bold*: plain yellow is faint on a white background, and the heavier
//! stroke keeps it legible there; `Color::Yellow` is already the darker of the two yellows
//! (SGR 33, not 93).

use ratatui::style::{Color, Modifier, Style};

use crate::model::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless the environment asks otherwise: NO_COLOR set to anything non-empty
    /// (no-color.org) or a dumb terminal.
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        Theme {
            color: !(no_color || dumb),
        }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn status(&self, s: Status) -> Style {
        match s {
            Status::Ok => self.fg(Color::Green),
            Status::Warning => self.warning(),
            Status::Broken => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Status::Unknown | Status::Skipped => self.dim(),
        }
    }

    /// Warnings: bold yellow, readable on white too. Without colour, plain text: the `!` icon
    /// carries the status, as it always has.
    pub fn warning(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        }
    }

    /// Secondary text (labels, counts, line numbers, borders of an unfocused pane): the
    /// terminal's own foreground, dimmed. `Color::Reset` is that foreground, not a colour, so
    /// the style is the same with colour off; it is set so no enclosing style's colour leaks in.
    pub fn dim(&self) -> Style {
        Style::new().fg(Color::Reset).add_modifier(Modifier::DIM)
    }

    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// The policy lines a finding points at, in the colour of the status the finding gives
    /// its link: a statement that allows what was asked is green, only what breaks is red.
    pub fn highlight(&self, s: Status) -> Style {
        self.status(s)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// Shell commands: plain text, so they read on any background and copy cleanly.
    pub fn command(&self) -> Style {
        Style::new()
    }
}

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn spinner(tick: u64) -> &'static str {
    SPINNER[(tick % SPINNER.len() as u64) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_style(t: &Theme) -> Vec<(&'static str, Style)> {
        let mut styles = vec![
            ("dim", t.dim()),
            ("warning", t.warning()),
            ("accent", t.accent()),
            ("title", t.title()),
            ("selected", t.selected()),
            ("key", t.key()),
            ("error", t.error()),
            ("highlight ok", t.highlight(Status::Ok)),
            ("highlight broken", t.highlight(Status::Broken)),
            ("command", t.command()),
        ];
        for s in [
            Status::Ok,
            Status::Warning,
            Status::Broken,
            Status::Unknown,
            Status::Skipped,
        ] {
            styles.push((s.as_str(), t.status(s)));
        }
        styles
    }

    #[test]
    fn no_style_uses_grey_or_a_background() {
        for color in [true, false] {
            for (name, style) in every_style(&Theme { color }) {
                assert!(
                    !matches!(style.fg, Some(Color::DarkGray | Color::Gray)),
                    "{name}: {style:?}"
                );
                assert_eq!(style.bg, None, "{name}: no background fills");
            }
        }
    }

    #[test]
    fn secondary_text_is_the_default_foreground_dimmed_with_or_without_colour() {
        for color in [true, false] {
            let t = Theme { color };
            for style in [
                t.dim(),
                t.status(Status::Unknown),
                t.status(Status::Skipped),
            ] {
                assert_eq!(style.fg, Some(Color::Reset));
                assert!(style.add_modifier.contains(Modifier::DIM));
            }
        }
    }

    #[test]
    fn warnings_are_bold_yellow_and_plain_without_colour() {
        let on = Theme { color: true }.status(Status::Warning);
        assert_eq!(on.fg, Some(Color::Yellow));
        assert!(on.add_modifier.contains(Modifier::BOLD));
        let off = Theme { color: false }.status(Status::Warning);
        assert_eq!(off, Style::new());
    }
}
