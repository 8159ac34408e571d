//! The bottom line: the keys that do something here, from the key registry, and a toast when
//! there is news.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::terminal_text::line as shown;
use crate::tui::keys::{self, Action, Binding};
use crate::tui::state::{App, ToastLevel};

/// Whether a binding does anything in the current state (the footer hides those that don't).
pub fn enabled(app: &App, b: &Binding) -> bool {
    let wizard = app.place() == keys::Place::Wizard;
    if !keys::usable(app.report.is_some() || wizard, b.action) {
        return false;
    }
    match b.action {
        Action::Prove => app.live && app.current_workload().is_some(),
        Action::Copy | Action::Fix => app.current_workload().is_some(),
        Action::Migrate | Action::Rollback => app.current_workload().is_some(),
        Action::Undo => app.live,
        Action::Open => wizard || app.filtering || app.current_workload().is_some(),
        Action::Explain => app
            .current_link()
            .zip(app.current_workload())
            .and_then(|(l, w)| w.link(l))
            .is_some_and(|l| !l.findings.is_empty()),
        // In a text overlay Tab goes to the next finding's explanation: only when there is one.
        Action::SwitchPane if app.place() == keys::Place::Reading => matches!(
            &app.overlay,
            Some(crate::tui::state::Overlay::Explain { codes, .. }) if codes.len() > 1
        ),
        // Once applying, Enter does nothing more.
        Action::Apply => !matches!(
            &app.overlay,
            Some(crate::tui::state::Overlay::Fix {
                progress: Some(_),
                ..
            })
        ),
        _ => true,
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut items: Vec<(&Binding, &str)> = keys::at(app.place())
        .filter(|b| enabled(app, b))
        .filter_map(|b| b.footer.map(|word| (b, word)))
        .collect();
    // Too wide: drop from the end, but never help or the way out.
    let width = |items: &[(&Binding, &str)]| -> usize {
        items
            .iter()
            .map(|(b, w)| b.key_label.chars().count() + w.len() + 3)
            .sum()
    };
    while width(&items) > area.width as usize {
        let Some(pos) = items
            .iter()
            .rposition(|(b, _)| !matches!(b.action, Action::Help | Action::Back))
        else {
            break;
        };
        items.remove(pos);
    }
    let mut spans = Vec::new();
    for (b, word) in items {
        spans.push(Span::styled(b.key_label, t.key()));
        spans.push(Span::raw(format!(" {word}  ")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The toast, on the line above the footer.
pub fn draw_toast(f: &mut Frame, footer: Rect, app: &App) {
    let Some(toast) = &app.toast else { return };
    if footer.y == 0 {
        return;
    }
    let area = Rect::new(footer.x, footer.y - 1, footer.width, 1);
    let style = match toast.level {
        ToastLevel::Info => app.theme.accent(),
        ToastLevel::Warning => app.theme.warning(),
        ToastLevel::Error => app.theme.error(),
    };
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(Line::styled(format!(" {} ", shown(&toast.text)), style)),
        area,
    );
}
