//! What the body shows when there is no list to show: loading (a spinner per source), a
//! failed load (the message, and what to do), an empty scope.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::watched::StageState;
use crate::model::Report;
use crate::terminal_text::line as shown;
use crate::tui::layout::centered;
use crate::tui::state::App;
use crate::tui::theme::spinner;

/// One line per source: a spinner while it works, then what it found or why it failed.
pub fn stage_lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let crate::tui::state::Load::Loading { stages } = &app.load else {
        return Vec::new();
    };
    if stages.is_empty() {
        return vec![Line::from(vec![
            Span::styled(format!("{} ", spinner(app.tick)), t.accent()),
            Span::raw("starting"),
        ])];
    }
    stages
        .iter()
        .map(|(stage, state)| {
            let (icon, style, text) = match state {
                StageState::Running => (spinner(app.tick), t.accent(), "…".to_string()),
                StageState::Done(what) => (
                    "✔",
                    t.status(crate::model::Status::Ok),
                    shown(what).into_owned(),
                ),
                StageState::Failed(why) => ("✘", t.error(), shown(why).into_owned()),
            };
            Line::from(vec![
                Span::styled(format!("{icon} "), style),
                Span::styled(format!("{:<11}", stage.label()), t.title()),
                Span::raw(text),
            ])
        })
        .collect()
}

pub fn loading(f: &mut Frame, body: Rect, app: &App) {
    let mut lines = vec![
        Line::styled(
            format!("Reading {}", shown(&app.source_label)),
            app.theme.title(),
        ),
        Line::default(),
    ];
    lines.extend(stage_lines(app));
    let area = centered(body, 72, lines.len() as u16 + 2);
    f.render_widget(
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(" loading ")
                    .border_style(app.theme.dim()),
            )
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub fn failed(f: &mut Frame, body: Rect, app: &App, message: &str) {
    let t = &app.theme;
    let mut keys = vec![
        Span::styled("r", t.key()),
        Span::raw(" try again   "),
        Span::styled("q", t.key()),
        Span::raw(" quit"),
    ];
    if app.live {
        keys.extend([
            Span::raw("   "),
            Span::styled("kubectl irsa demo", t.key()),
            Span::raw(" works without a cluster"),
        ]);
    }
    let mut lines = vec![
        Line::styled("Could not load the chain", t.error()),
        Line::default(),
    ];
    lines.extend(
        super::text::document_lines(message)
            .into_iter()
            .map(Line::raw),
    );
    lines.extend([Line::default(), Line::from(keys)]);
    if let Some(log) = &app.log_path {
        lines.push(Line::styled(format!("log: {}", shown(log)), t.dim()));
    }
    let area = centered(body, 76, 12);
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(" error ").border_style(t.error()))
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub fn no_workloads(app: &App, report: &Report) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = vec![Line::raw(format!(
        "No workload in {} uses an AWS identity.",
        shown(&app.scope_label())
    ))];
    if report.workloads_without_aws_identity > 0 {
        lines.push(Line::styled(
            format!(
                "{} without IRSA or Pod Identity.",
                crate::model::words::count(
                    report.workloads_without_aws_identity,
                    "workload runs",
                    "workloads run"
                )
            ),
            t.dim(),
        ));
    }
    lines.push(Line::from(vec![
        Span::styled("a", t.key()),
        Span::raw(" switches between one namespace and all"),
    ]));
    lines
}
