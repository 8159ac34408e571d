//! `f` and `u`: a fix of the workload on screen, or the undo of the last applied fix, planned
//! in the background, shown in a confirmation dialog ([`Overlay::Fix`]), applied in the
//! background when confirmed (live clusters only), then a new load. An ambiguous fix first
//! lists its choices ([`Overlay::Choose`]): the one picked is planned and confirmed the same
//! way. Outcomes without a plan (nothing to do, no safe automatic fix, nothing to undo) are
//! toasts, readable whole with `v`. Called from `update`; like it, no I/O: the worker runs
//! the [`Work`] asked for here.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::dialog::About;
use super::keys::{self, Action, Place};
use super::message::{ApplyNews, Planned, Work};
use super::state::{App, Fixing, Overlay, Toast, ToastLevel};
use super::update::{begin_load, toast};
use crate::model::plan::Choice;
use crate::model::words::count;

/// Whether a plan is being applied: nothing else is planned meanwhile (its outcome changes
/// what the next plan would be made from).
fn busy_applying(app: &mut App) -> bool {
    let applying = matches!(app.fixing, Some(Fixing::Applying { .. }));
    if applying {
        toast(
            app,
            "a plan is being applied: wait for its outcome",
            ToastLevel::Warning,
        );
    }
    applying
}

/// `f`: plans the fix of the workload on screen (or selected in the list).
pub fn fix(app: &mut App) -> Vec<Work> {
    let Some(workload) = app.current_ref() else {
        return Vec::new();
    };
    if busy_applying(app) {
        return Vec::new();
    }
    app.fix_id += 1;
    let id = app.fix_id;
    toast(
        app,
        format!("planning the fix of {workload}…"),
        ToastLevel::Info,
    );
    app.fixing = Some(Fixing::Planning {
        id,
        workload: Some(workload.clone()),
        choice: None,
    });
    vec![Work::PlanFix {
        id,
        workload,
        choice: None,
    }]
}

/// `u`: plans the undo of the journal's last applied fix (live clusters: the demo and
/// bundles were never written to).
pub fn undo(app: &mut App) -> Vec<Work> {
    if !app.live {
        toast(
            app,
            "u undoes a fix applied to a live cluster (this is an offline bundle or the demo)",
            ToastLevel::Error,
        );
        return Vec::new();
    }
    if busy_applying(app) {
        return Vec::new();
    }
    app.fix_id += 1;
    let id = app.fix_id;
    toast(
        app,
        "planning the undo of the last applied fix…",
        ToastLevel::Info,
    );
    app.fixing = Some(Fixing::Planning {
        id,
        workload: None,
        choice: None,
    });
    vec![Work::PlanUndo { id }]
}

/// Enter in the dialog: applies its plan (live only), closing the dialog.
pub fn apply(app: &mut App) -> Vec<Work> {
    let Some(Overlay::Fix {
        plan,
        workload,
        undoes,
        about,
        ..
    }) = app.overlay.take()
    else {
        return Vec::new();
    };
    if !app.live {
        let namespace = workload.as_ref().map(|w| w.namespace.as_str());
        toast(
            app,
            format!(
                "applying needs a live cluster (this is an offline bundle or the demo); `{}` prints this plan",
                about.dry_run(&plan.target, namespace)
            ),
            ToastLevel::Error,
        );
        return Vec::new();
    }
    if app.read_only {
        toast(
            app,
            "--read-only: nothing is written (the plan was shown only)",
            ToastLevel::Error,
        );
        return Vec::new();
    }
    if busy_applying(app) {
        return Vec::new();
    }
    app.fix_id += 1;
    let id = app.fix_id;
    let steps = plan.steps.len();
    // It stays until the outcome replaces it: applying may take a while.
    app.toast = Some(Toast {
        text: format!("applying {}…", count(steps, "step", "steps")),
        level: ToastLevel::Warning,
        until: u64::MAX,
    });
    app.fixing = Some(Fixing::Applying {
        id,
        plan_id: plan.id.clone(),
        steps,
        undoes: undoes.clone(),
    });
    vec![Work::Apply {
        id,
        plan,
        workload,
        scope: app.scope.clone(),
        undoes,
    }]
}

/// A plan came back: the dialog opens, or a toast says why there is none.
pub fn on_planned(app: &mut App, id: u64, result: Result<Planned, String>) -> Vec<Work> {
    let (workload, choice) = match &app.fixing {
        Some(Fixing::Planning {
            id: newest,
            workload,
            choice,
        }) if *newest == id => (workload.clone(), choice.clone()),
        // Superseded, or the user started applying something else meanwhile.
        _ => return Vec::new(),
    };
    app.fixing = None;
    match result {
        Ok(Planned::Ready { plan, undoes }) => {
            app.toast = None;
            app.overlay = Some(Overlay::Fix {
                plan,
                workload,
                undoes,
                scroll: 0,
                about: choice.map_or(About::Plain, About::Choice),
            });
        }
        Ok(Planned::Nothing(text)) => toast(app, text, ToastLevel::Info),
        Ok(Planned::Manual(reasons)) => toast(
            app,
            format!(
                "no safe automatic fix (v reads it whole): {}",
                reasons.join("; ")
            ),
            ToastLevel::Warning,
        ),
        Ok(Planned::Refused(text)) => toast(app, text, ToastLevel::Error),
        Err(e) => toast(app, format!("planning failed: {e}"), ToastLevel::Error),
    }
    Vec::new()
}

/// Applying ended: a toast says how, and a new load shows the chain as it is now (also after
/// a failure or an error: some steps may have been made).
pub fn on_applied(app: &mut App, id: u64, result: Result<ApplyNews, String>) -> Vec<Work> {
    let (plan_id, steps, undoes) = match &app.fixing {
        Some(Fixing::Applying {
            id: newest,
            plan_id,
            steps,
            undoes,
        }) if *newest == id => (plan_id.clone(), *steps, undoes.clone()),
        _ => return Vec::new(),
    };
    app.fixing = None;
    let (text, level) = match result {
        Ok(ApplyNews::Done) => {
            let made = count(steps, "step", "steps");
            let text = match undoes {
                Some(undone) => format!("undid {undone}: applied {made} (journal {plan_id})"),
                None => format!("applied {made} (journal {plan_id}; u undoes it)"),
            };
            (text, ToastLevel::Info)
        }
        Ok(ApplyNews::Conflict { reason, .. }) => (
            format!("conflict, nothing written: {reason}"),
            ToastLevel::Warning,
        ),
        Ok(ApplyNews::Failed { step, reason }) => (
            format!(
                "step {} failed: {reason} (journal {plan_id}; the steps before it were made, u undoes them)",
                step + 1
            ),
            ToastLevel::Error,
        ),
        Err(e) => (format!("applying failed: {e}"), ToastLevel::Error),
    };
    let work = begin_load(app);
    toast(app, text, level);
    work
}

/// The fix asked for is ambiguous: its choices open, the first selected (nothing is planned
/// until one is picked).
pub fn on_choices(app: &mut App, id: u64, choices: Vec<Choice>) -> Vec<Work> {
    let (workload, chosen) = match &app.fixing {
        Some(Fixing::Planning {
            id: newest,
            workload: Some(workload),
            choice,
        }) if *newest == id => (workload.clone(), choice.clone()),
        _ => return Vec::new(),
    };
    app.fixing = None;
    if let Some(chosen) = chosen {
        // The planner asked again with a choice given: it did not take it.
        toast(
            app,
            format!(
                "choice {} did not resolve the fix of {workload}: press f to choose again",
                chosen.number
            ),
            ToastLevel::Error,
        );
    } else if choices.is_empty() {
        toast(
            app,
            format!("the fix of {workload} needs a choice, but none was offered"),
            ToastLevel::Error,
        );
    } else {
        app.toast = None;
        app.overlay = Some(Overlay::Choose {
            workload,
            choices,
            selected: 0,
            scroll: 0,
        });
    }
    Vec::new()
}

/// A key among the choices ([`Place::Choose`]): arrows and digits select (the registry's
/// [`Action::Pick`] carries no digit: it is read from the key), Enter plans the fix with the
/// selected choice, Esc cancels.
pub fn on_choose_key(app: &mut App, ev: &KeyEvent) -> Vec<Work> {
    if ev.kind == KeyEventKind::Release {
        return Vec::new();
    }
    let Some(action) = keys::lookup(Place::Choose, ev) else {
        return Vec::new();
    };
    let Some(Overlay::Choose {
        choices, selected, ..
    }) = &mut app.overlay
    else {
        return Vec::new();
    };
    let last = choices.len().saturating_sub(1);
    match action {
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Down => *selected = (*selected + 1).min(last),
        Action::Pick => {
            let digit = match ev.code {
                KeyCode::Char(c) => c.to_digit(10).map_or(0, |d| d as usize),
                _ => 0,
            };
            match choices.iter().position(|c| c.number == digit) {
                Some(i) => *selected = i,
                None => {
                    let count = choices.len();
                    toast(
                        app,
                        format!("there is no choice {digit}: they are 1 to {count}"),
                        ToastLevel::Warning,
                    );
                }
            }
        }
        Action::Back => app.overlay = None,
        Action::Quit => app.quit = true,
        Action::Open => return plan_choice(app),
        _ => {}
    }
    // The selected choice stays whole on screen, however long the others are.
    let at = match &app.overlay {
        Some(Overlay::Choose { scroll, .. }) => {
            super::view::choose::scroll_to_selected(app, *scroll)
        }
        _ => return Vec::new(),
    };
    if let Some(Overlay::Choose { scroll, .. }) = &mut app.overlay {
        *scroll = at;
    }
    Vec::new()
}

/// Enter among the choices: the fix planned with the selected one; its plan opens the
/// confirmation dialog as any fix's does.
fn plan_choice(app: &mut App) -> Vec<Work> {
    let Some(Overlay::Choose {
        workload,
        choices,
        selected,
        ..
    }) = app.overlay.take()
    else {
        return Vec::new();
    };
    let Some(choice) = choices.get(selected).cloned() else {
        return Vec::new();
    };
    if busy_applying(app) {
        return Vec::new();
    }
    app.fix_id += 1;
    let id = app.fix_id;
    toast(
        app,
        format!(
            "planning the fix of {workload} with choice {}…",
            choice.number
        ),
        ToastLevel::Info,
    );
    let number = choice.number;
    app.fixing = Some(Fixing::Planning {
        id,
        workload: Some(workload.clone()),
        choice: Some(choice),
    });
    vec![Work::PlanFix {
        id,
        workload,
        choice: Some(number),
    }]
}
