//! The dialog confirming a fix or an undo (`f`, `u`), drawn in the danger style (a red border:
//! Enter writes to the cluster and the account). Each step: `N. system action object`, a
//! unified diff of its object before and after, the command it equals and the command that
//! undoes it; then the Jobs and CronJobs to re-create by hand. Everything read from the
//! cluster or AWS is escaped on the way, as elsewhere.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::text::wrap;
use crate::model::Status;
use crate::model::plan::{Plan, Step, System};
use crate::terminal_text::line as shown;
use crate::tui::dialog::About;
use crate::tui::layout::centered;
use crate::tui::state::{App, Overlay};

/// The widest and tallest the dialog gets: wide enough for commands, nearly the whole screen.
fn widest(screen: Rect) -> Rect {
    centered(screen, 110, screen.height.saturating_sub(2))
}

/// Where the open dialog goes (as tall as its text, at most nearly the whole screen), with
/// its lines; `None` when no dialog is open.
pub fn boxed(app: &App, screen: Rect) -> Option<(Rect, Vec<Line<'static>>)> {
    let Some(Overlay::Fix {
        plan,
        workload,
        undoes,
        about,
        progress,
        ..
    }) = &app.overlay
    else {
        return None;
    };
    let widest = widest(screen);
    let namespace = workload.as_ref().map(|w| w.namespace.as_str());
    let width = widest.width.saturating_sub(2);
    let lines = match progress {
        Some(p) => super::progress::lines(app, plan, p, width),
        None => lines(app, plan, namespace, undoes.as_deref(), about, width),
    };
    let height = (lines.len() + 2).min(widest.height as usize) as u16;
    Some((centered(screen, 110, height), lines))
}

/// `fix: 3 steps — Enter applies, Esc cancels`; an undo names the plan it reverts, a fix
/// planned with a choice names it.
pub fn title(plan: &Plan, undoes: Option<&str>, about: &About) -> String {
    let what = match undoes {
        Some(id) => format!("undo {id}"),
        None => about.name(),
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

/// The step's object before and after as `diff -u` lines (none when they read the same).
pub fn diff(step: &Step) -> Vec<String> {
    crate::plan::diff::lines(step)
}

/// The dialog's lines, wrapped to `width`.
pub fn lines(
    app: &App,
    plan: &Plan,
    namespace: Option<&str>,
    undoes: Option<&str>,
    about: &About,
    width: u16,
) -> Vec<Line<'static>> {
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
    out.extend(super::dialog::before_steps(app, about, width));
    if !app.live {
        para(
            &mut out,
            &format!(
                "this is an offline bundle or the demo: Enter does not apply it (that needs a live cluster); `{}` prints it",
                about.dry_run(&plan.target, namespace)
            ),
            0,
            t.warning(),
        );
    }
    out.extend(step_lines(app, plan, width));
    out.extend(super::dialog::after_steps(app, about, width));
    out
}

/// Each step of `plan`: its heading, the diff of its object, its command and its undo, wrapped
/// to `width` (the fix dialog's and the setup wizard's review).
pub fn step_lines(app: &App, plan: &Plan, width: u16) -> Vec<Line<'static>> {
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
            // The marker and the document's own indentation as a prefix: wrapping would
            // drop leading spaces, and they show a policy's structure.
            let l = shown(&l).into_owned();
            let body = l.get(1..).unwrap_or_default().trim_start();
            let lead = &l[..l.len() - body.len()];
            out.extend(wrap(
                body,
                width,
                vec![Span::raw("     "), Span::styled(lead.to_string(), style)],
                vec![Span::raw(" ".repeat(5 + lead.chars().count()))],
                style,
            ));
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
    if !plan.recreate.is_empty() {
        out.push(Line::default());
        para(
            &mut out,
            "then re-create by hand (no step restarts these):",
            0,
            t.title(),
        );
        for r in &plan.recreate {
            para(
                &mut out,
                &format!("{} {}/{}: {}", r.kind, r.namespace, r.name, r.how),
                3,
                Style::new(),
            );
            para(
                &mut out,
                &format!("$ {}", r.command.render()),
                3,
                t.command(),
            );
        }
    }
    out
}

/// How far the dialog can scroll.
pub fn max_scroll(app: &App, screen: Rect) -> u16 {
    let Some((area, lines)) = boxed(app, screen) else {
        return 0;
    };
    let rows = area.height.saturating_sub(2) as usize;
    u16::try_from(lines.len().saturating_sub(rows)).unwrap_or(u16::MAX)
}

pub fn draw(f: &mut Frame, screen: Rect, app: &App) {
    let Some(Overlay::Fix {
        plan,
        undoes,
        scroll,
        about,
        progress,
        ..
    }) = &app.overlay
    else {
        return;
    };
    let Some((area, lines)) = boxed(app, screen) else {
        return;
    };
    let rows = area.height.saturating_sub(2) as usize;
    let max = u16::try_from(lines.len().saturating_sub(rows)).unwrap_or(u16::MAX);
    let (heading, bottom) = match progress {
        Some(p) => {
            let what = match undoes {
                Some(id) => format!("undo of {id}"),
                None => about.name(),
            };
            (super::progress::title(&what, p), super::progress::keys(p))
        }
        None => (
            title(plan, undoes.as_deref(), about),
            " Enter apply · Esc cancel · ↑↓ scroll ",
        ),
    };
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .block(
                Block::bordered()
                    .title(format!(" {} ", shown(&heading)))
                    .title_bottom(bottom)
                    .border_style(app.theme.error()),
            )
            .scroll(((*scroll).min(max), 0)),
        area,
    );
}
