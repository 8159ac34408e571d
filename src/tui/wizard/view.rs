//! Draws the wizard over the TUI's body: a box titled with the screen's number and name, the
//! six steps on its first line (the current one bold), then the screen's lines ([`screens`])
//! scrolled so the focused row shows. The review is drawn in the fix dialog's danger style (a
//! red border: Enter writes to the cluster and the account), with the plan's steps as the fix
//! dialog shows them, the equivalent command line and the warnings of the choices.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::fields::{self, FieldId};
use super::screens;
use super::state::{Review, Step, Wizard};
use crate::model::words::count;
use crate::terminal_text::line as shown;
use crate::tui::state::App;
use crate::tui::theme::spinner;
use crate::tui::view::fix::step_lines;
use crate::tui::view::text::wrap;

fn steps_line(app: &App, w: &Wizard) -> Line<'static> {
    let t = app.theme;
    let mut spans = vec![Span::raw(" ")];
    for s in Step::ALL {
        let text = format!("{} {}", s.number(), s.title());
        let style = if s == w.step { t.title() } else { t.dim() };
        spans.push(Span::styled(text, style));
        if s != Step::Review {
            spans.push(Span::styled(" › ", t.dim()));
        }
    }
    Line::from(spans)
}

/// The review's lines: the plan (or where it is), wrapped to `width`.
pub fn review_lines(app: &App, w: &Wizard, width: u16) -> Vec<Line<'static>> {
    let t = app.theme;
    let mut out = Vec::new();
    let para = |out: &mut Vec<Line<'static>>, text: &str, style: Style| {
        out.extend(wrap(
            &shown(text),
            width,
            vec![Span::raw(" ")],
            vec![Span::raw("   ")],
            style,
        ));
    };
    let busy = |what: &str| format!("{} {what}", spinner(app.tick));
    match &w.review {
        Review::Idle => {}
        Review::Planning { .. } => para(
            &mut out,
            &busy("reading the cluster and the account, planning, proving the plan in memory…"),
            t.dim(),
        ),
        Review::Note(text) => para(&mut out, text, t.warning()),
        Review::Applying { .. } => para(
            &mut out,
            &busy("applying, each step journaled first…"),
            t.warning(),
        ),
        Review::Reloading { .. } => para(
            &mut out,
            &busy("applied; reading the cluster again…"),
            t.dim(),
        ),
        Review::Proving { .. } => para(
            &mut out,
            &busy("proving: a fresh token exchanged for credentials…"),
            t.dim(),
        ),
        Review::Ready(plan) => {
            let steps = count(plan.steps.len(), "step", "steps");
            para(
                &mut out,
                &format!(
                    "plan {}: {steps}, proven in memory (the chain green, every permission chosen allowed)",
                    plan.id
                ),
                t.title(),
            );
            if let Ok(req) = w.request() {
                para(
                    &mut out,
                    &format!(
                        "the same from a script: {} --yes",
                        super::command::line(&req)
                    ),
                    t.dim(),
                );
            }
            if let Some(warning) = w.wildcard_warning() {
                para(&mut out, &format!("! {warning}"), t.warning());
            }
            if let Some(warning) = fields::warning(FieldId::PolicyArns, w.text(FieldId::PolicyArns))
            {
                para(&mut out, &format!("! {warning}"), t.warning());
            }
            if !app.live {
                para(
                    &mut out,
                    "this is an offline bundle or the demo: Enter does not apply it (that needs a live cluster)",
                    t.warning(),
                );
            } else if app.read_only {
                para(
                    &mut out,
                    "--read-only: Enter does not apply it",
                    t.warning(),
                );
            }
            out.extend(step_lines(app, plan, width));
        }
    }
    out
}

fn title(w: &Wizard) -> String {
    let end = match (&w.step, &w.review) {
        (Step::Review, Review::Ready(_)) => " — Enter applies, Esc goes back".to_string(),
        _ => String::new(),
    };
    format!(
        " setup · {} of 6 · {}{end} ",
        w.step.number(),
        w.step.title()
    )
}

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let Some(w) = &app.wizard else { return };
    let t = app.theme;
    let width = area.width.saturating_sub(2);
    let rows = area.height.saturating_sub(4) as usize;
    let (lines, scroll) = match w.step {
        Step::Review => {
            let lines = review_lines(app, w, width);
            let max = lines.len().saturating_sub(rows);
            (lines, (w.scroll as usize).min(max))
        }
        _ => {
            let (lines, focus) = screens::lines(app, w, width);
            // The focused row and the line after it (its field's message) stay in view.
            (lines, (focus + 2).saturating_sub(rows))
        }
    };
    let danger = w.step == Step::Review && matches!(w.review, Review::Ready(_));
    let border = if danger { t.error() } else { t.accent() };
    let mut shown_lines = vec![steps_line(app, w), Line::default()];
    shown_lines.extend(lines.into_iter().skip(scroll));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(shown_lines).block(
            Block::bordered()
                .title(shown(&title(w)).into_owned())
                .border_style(border),
        ),
        area,
    );
}
