//! The top line: the tool, the source and cluster, the scope, the counts, and while loading a
//! spinner per source.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::fit;
use crate::app::watched::StageState;
use crate::model::Status;
use crate::terminal_text::line as shown;
use crate::tui::state::{App, Load};
use crate::tui::theme::spinner;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    // Counts first: they matter most and survive a narrow terminal.
    let mut spans = vec![Span::styled(
        " kubectl-irsa ",
        t.title().patch(t.selected()),
    )];
    if let Some(r) = &app.report {
        let s = &r.summary;
        spans.push(Span::raw(" "));
        for (n, status, word) in [
            (s.broken, Status::Broken, "broken"),
            (s.warning, Status::Warning, "warning"),
            (s.unknown, Status::Unknown, "unknown"),
            (s.ok, Status::Ok, "ok"),
        ] {
            if n > 0 {
                spans.push(Span::styled(format!("{n} {word} "), t.status(status)));
            }
        }
    }
    // Live, the report names the context the kubeconfig resolved to (not "current context"),
    // the account and the region.
    let label = match &app.report {
        Some(r) if app.live => &r.source.description,
        _ => &app.source_label,
    };
    let mut place = format!(" {}", shown(label));
    if let Some(c) = app.report.as_ref().and_then(|r| r.cluster.as_ref()) {
        place.push_str(&format!(" · {}", shown(&c.name)));
    }
    place.push_str(&format!(" · {}", shown(&app.scope_label())));
    spans.push(Span::styled(place, t.dim()));
    match &app.load {
        Load::Loading { stages } if app.report.is_some() => {
            spans.push(Span::styled(format!(" {} ", spinner(app.tick)), t.accent()));
            for (stage, state) in stages {
                let mark = match state {
                    StageState::Running => "…",
                    StageState::Done(_) => "✔",
                    StageState::Failed(_) => "✘",
                };
                spans.push(Span::styled(format!("{}{mark} ", stage.label()), t.dim()));
            }
        }
        Load::Failed(_) if app.report.is_some() => {
            let what = if app.loaded_once {
                " refresh failed (r: retry)"
            } else {
                " loading AWS failed (r: retry)"
            };
            spans.push(Span::styled(what, t.error()));
        }
        _ if app.report.as_ref().is_some_and(|r| r.source_unread) => {
            spans.push(Span::styled(
                " AWS not read: no valid credentials (r: retry)",
                t.warning(),
            ));
        }
        _ => {}
    }
    f.render_widget(
        Paragraph::new(Line::from(fit(spans, area.width as usize))),
        area,
    );
}
