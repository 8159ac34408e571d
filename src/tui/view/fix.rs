//! The dialog confirming a fix or an undo (`f`, `u`), drawn in the danger style (a red border:
//! Enter writes to the cluster and the account). Each step: `N. system action object`, a
//! unified diff of its object before and after, the command it equals and the command that
//! undoes it. Everything read from the cluster or AWS is escaped on the way, as elsewhere.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use similar::TextDiff;

use super::text::wrap;
use crate::model::Status;
use crate::model::plan::{Plan, Step, System};
use crate::terminal_text::line as shown;
use crate::tui::layout::centered;
use crate::tui::state::{App, Overlay};

/// Where the dialog goes: wide enough for commands, nearly the whole screen's height.
pub fn area(screen: Rect) -> Rect {
    centered(screen, 110, screen.height.saturating_sub(2))
}

/// `fix: 3 steps — Enter applies, Esc cancels`; an undo names the plan it reverts.
pub fn title(plan: &Plan, undoes: Option<&str>) -> String {
    let what = match undoes {
        Some(id) => format!("undo {id}"),
        None => "fix".to_string(),
    };
    let steps = crate::model::words::count(plan.steps.len(), "step", "steps");
    format!("{what}: {steps} — Enter applies, Esc cancels")
}

fn system(step: &Step) -> &'static str {
    match step.system {
        System::Kubernetes => "kubernetes",
        System::Iam => "iam",
        System::Eks => "eks",
    }
}

/// A JSON document pretty-printed, so a policy diffs statement by statement; other text (YAML)
/// as it is; always ending in a newline, so the last line diffs like the others.
fn diffable(text: &str) -> String {
    let mut text = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .filter(|v| v.is_object())
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string());
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The step's object before and after as `diff -u` lines (none when they read the same).
pub fn diff(step: &Step) -> Vec<String> {
    let (before, after) = (step.before.as_deref(), step.after.as_deref());
    let (b, a) = (
        before.map(diffable).unwrap_or_default(),
        after.map(diffable).unwrap_or_default(),
    );
    if b == a {
        return Vec::new();
    }
    TextDiff::from_lines(&b, &a)
        .unified_diff()
        .context_radius(3)
        .header(
            if before.is_some() { "before" } else { "(none)" },
            if after.is_some() {
                "after"
            } else {
                "(deleted)"
            },
        )
        .to_string()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The dialog's lines, wrapped to `width`.
pub fn lines(app: &App, plan: &Plan, undoes: Option<&str>, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    let para = |out: &mut Vec<Line<'static>>, text: &str, indent: usize, style: Style| {
        out.extend(wrap(
            &shown(text),
            width,
            vec![Span::raw(" ".repeat(indent))],
            vec![Span::raw(" ".repeat(indent + 2))],
            style,
        ));
    };
    let mut head = format!("plan {} for {}", plan.id, plan.target);
    if let Some(id) = undoes {
        head.push_str(&format!(": reverts plan {id}"));
    }
    para(&mut out, &head, 0, t.dim());
    if !app.live {
        para(
            &mut out,
            "this is an offline bundle or the demo: Enter does not apply it (a live cluster is needed; `kubectl irsa fix TARGET --dry-run` prints it)",
            0,
            t.warning(),
        );
    }
    for (i, step) in plan.steps.iter().enumerate() {
        out.push(Line::default());
        let heading = format!(
            "{}. {} {} {}",
            i + 1,
            system(step),
            step.action,
            crate::app::fix::describe(step)
        );
        para(&mut out, &heading, 0, t.title());
        for l in diff(step) {
            let style = if l.starts_with("+++") || l.starts_with("---") || l.starts_with("@@") {
                t.dim()
            } else if l.starts_with('+') {
                t.status(Status::Ok)
            } else if l.starts_with('-') {
                t.error()
            } else {
                Style::new()
            };
            para(&mut out, &l, 5, style);
        }
        para(
            &mut out,
            &format!("$ {}", step.command.render()),
            3,
            t.command(),
        );
        if let Some(inv) = &step.inverse {
            para(&mut out, &format!("undo: $ {}", inv.render()), 3, t.dim());
        }
    }
    out
}

/// How far the dialog can scroll.
pub fn max_scroll(app: &App, screen: Rect) -> u16 {
    let Some(Overlay::Fix { plan, undoes, .. }) = &app.overlay else {
        return 0;
    };
    let area = area(screen);
    let count = lines(app, plan, undoes.as_deref(), area.width.saturating_sub(2)).len();
    u16::try_from(count.saturating_sub(area.height.saturating_sub(2) as usize)).unwrap_or(u16::MAX)
}

pub fn draw(f: &mut Frame, screen: Rect, app: &App) {
    let Some(Overlay::Fix {
        plan,
        undoes,
        scroll,
        ..
    }) = &app.overlay
    else {
        return;
    };
    let area = area(screen);
    let lines = lines(app, plan, undoes.as_deref(), area.width.saturating_sub(2));
    let max = max_scroll(app, screen);
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(format!(" {} ", shown(&title(plan, undoes.as_deref()))))
                    .title_bottom(" Enter apply · Esc cancel · ↑↓ scroll ")
                    .border_style(app.theme.error()),
            )
            .scroll(((*scroll).min(max), 0)),
        area,
    );
}
