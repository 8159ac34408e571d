//! The confirmation dialog once Enter was pressed (issue 11 "progress per step"): each step of
//! the plan as pending, running, made or failed, then what comes next (checking the objects
//! before the first write, gathering and diagnosing again afterwards) or how it stopped. The
//! border stays red: this is the cluster and the account being written to.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::dialog::para;
use super::text::wrap;
use crate::model::Status;
use crate::model::plan::Plan;
use crate::model::words::count;
use crate::terminal_text::line as shown;
use crate::tui::dialog::{Phase, Progress, StepState};
use crate::tui::state::App;
use crate::tui::theme::spinner;

/// `applying fix: 1 of 3 steps made`; `fix applied: 3 steps made`; `fix stopped at step 2`.
pub fn title(what: &str, progress: &Progress) -> String {
    let made = progress.made();
    let total = progress.steps.len();
    match &progress.phase {
        Phase::Checking | Phase::Applying => format!(
            "applying {what}: {made} of {} made",
            count(total, "step", "steps")
        ),
        Phase::Reloading { .. } => {
            format!("{what} applied: {} made", count(made, "step", "steps"))
        }
        Phase::Stopped(_) => match progress
            .steps
            .iter()
            .position(|s| matches!(s, StepState::Failed(_)))
        {
            Some(i) => format!("{what} stopped at step {}", i + 1),
            None => format!("{what} stopped"),
        },
    }
}

/// The line under the border: what keys do now.
pub fn keys(progress: &Progress) -> &'static str {
    match progress.phase {
        Phase::Stopped(_) => " Esc close · ↑↓ scroll ",
        _ => " Esc hide (applying goes on) · ↑↓ scroll ",
    }
}

/// The progress view's lines, wrapped to `width`.
pub fn lines(app: &App, plan: &Plan, progress: &Progress, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = para(
        &format!("plan {} for {}", plan.id, plan.target),
        width,
        0,
        t.dim(),
    );
    out.push(Line::default());
    for (i, (step, state)) in plan.steps.iter().zip(&progress.steps).enumerate() {
        let (mark, word, style) = match state {
            StepState::Pending => ("·", "pending", t.dim()),
            StepState::Running => (spinner(app.tick), "running", t.warning()),
            StepState::Made => ("✔", "done", t.status(Status::Ok)),
            StepState::Failed(_) => ("✘", "failed", t.error()),
        };
        let text = format!(
            "{}. {} {} ({word})",
            i + 1,
            step.action,
            crate::app::fix::describe(step)
        );
        out.extend(wrap(
            &shown(&text),
            width,
            vec![Span::styled(format!("{mark} "), style)],
            vec![Span::raw("     ")],
            if matches!(state, StepState::Pending) {
                t.dim()
            } else {
                Style::new()
            },
        ));
        if let StepState::Failed(reason) = state {
            out.extend(para(reason, width, 5, t.error()));
        }
    }
    out.push(Line::default());
    let (next, style) = match &progress.phase {
        Phase::Checking => (
            "checking every object against the plan (nothing written yet)…".to_string(),
            t.dim(),
        ),
        Phase::Applying => (
            "each step is journaled before it is made; a failure stops at once".to_string(),
            t.dim(),
        ),
        Phase::Reloading { .. } => (
            format!(
                "{} gathering and diagnosing again: the chain shows as it is now",
                spinner(app.tick)
            ),
            t.dim(),
        ),
        Phase::Stopped(why) => (why.clone(), t.error()),
    };
    out.extend(para(&next, width, 0, style));
    out
}
