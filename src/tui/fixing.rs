//! `f` and `u`: a fix of the workload on screen, or the undo of the last applied fix, planned
//! in the background, shown in a confirmation dialog ([`Overlay::Fix`]), applied in the
//! background when confirmed (live clusters only), each step's progress shown in the dialog,
//! then a new load, after which the dialog closes on the chain as it is now. An ambiguous fix
//! first lists its choices (`choosing`). Outcomes without a plan (nothing to do, no safe
//! automatic fix, nothing to undo) are toasts, readable whole with `v`. Called from `update`;
//! like it, no I/O: the worker runs the [`Work`] asked for here.

use super::dialog::{About, Phase, Progress, StepState};
use super::message::{ApplyNews, Planned, Work};
use super::state::{App, Fixing, Overlay, Toast, ToastLevel};
use super::update::{begin_load, toast};
use crate::app::fix::StepEvent;
use crate::model::plan::Plan;
use crate::model::words::count;

/// Whether a plan is being applied: nothing else is planned meanwhile (its outcome changes
/// what the next plan would be made from).
pub(super) fn busy_applying(app: &mut App) -> bool {
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

/// Starts applying `plan` (a fix's, an undo's, the setup wizard's) unless `--read-only` or
/// another plan is being applied (a toast says which): the new apply's id.
pub fn begin_applying(app: &mut App, plan: &Plan, undoes: Option<String>) -> Option<u64> {
    if app.read_only {
        toast(
            app,
            "--read-only: nothing is written (the plan was shown only)",
            ToastLevel::Error,
        );
        return None;
    }
    if busy_applying(app) {
        return None;
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
        undoes,
    });
    Some(id)
}

/// Enter in the dialog: applies its plan (live only); the dialog stays and shows each step's
/// progress. Offline or `--read-only`, a toast says why not and the dialog closes.
pub fn apply(app: &mut App) -> Vec<Work> {
    let Some(Overlay::Fix {
        plan,
        workload,
        undoes,
        about,
        progress: None,
        ..
    }) = app.overlay.clone()
    else {
        // Not open, or being applied already.
        return Vec::new();
    };
    app.overlay = None;
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
    let Some(id) = begin_applying(app, &plan, undoes.clone()) else {
        return Vec::new();
    };
    let steps = plan.steps.len();
    app.overlay = Some(Overlay::Fix {
        plan: plan.clone(),
        workload: workload.clone(),
        undoes: undoes.clone(),
        scroll: 0,
        about,
        progress: Some(Progress::new(id, steps)),
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
                progress: None,
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
    // The step a conflict or a failure stopped at (found before writing, it had no event).
    let stopped_at = match &result {
        Ok(ApplyNews::Conflict { step, reason } | ApplyNews::Failed { step, reason }) => {
            Some((*step, reason.clone()))
        }
        _ => None,
    };
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
    let done = level == ToastLevel::Info;
    let outcome = text.clone();
    let work = begin_load(app);
    toast(app, text, level);
    let generation = app.generation;
    if let Some(p) = progress_of(app, id) {
        if let Some(state) = stopped_at.and_then(|(i, reason)| Some((p.steps.get_mut(i)?, reason)))
        {
            *state.0 = StepState::Failed(state.1);
        }
        p.phase = if done {
            Phase::Reloading {
                generation: Some(generation),
                outcome: Some(outcome),
            }
        } else {
            Phase::Stopped(outcome)
        };
    }
    work
}

/// The progress in the dialog of the apply `id`, if the dialog is still open on it.
fn progress_of(app: &mut App, id: u64) -> Option<&mut Progress> {
    match &mut app.overlay {
        Some(Overlay::Fix {
            progress: Some(p), ..
        }) if p.id == id => Some(p),
        _ => None,
    }
}

/// A step of the apply `id` started or ended: the dialog shows it.
pub fn on_step(app: &mut App, id: u64, event: StepEvent) -> Vec<Work> {
    if let Some(p) = progress_of(app, id) {
        p.on_step(event);
    }
    Vec::new()
}

/// The load after a successful apply ended: the dialog closes on the chain as it is now, and
/// the outcome's toast stays a while longer (the load may have outlasted it).
pub fn after_loaded(app: &mut App, generation: u64) {
    let outcome = match &app.overlay {
        Some(Overlay::Fix {
            progress:
                Some(Progress {
                    phase:
                        Phase::Reloading {
                            generation: Some(g),
                            outcome,
                        },
                    ..
                }),
            ..
        }) if *g <= generation => outcome.clone(),
        _ => return,
    };
    app.overlay = None;
    // A toast the load raised (a refresh that failed) is the newer news.
    let ours = app.toast.is_none() || app.toast.as_ref().map(|t| &t.text) == outcome.as_ref();
    if let Some(text) = outcome.filter(|_| ours) {
        toast(app, text, ToastLevel::Info);
    }
}
