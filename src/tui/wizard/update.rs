//! The wizard's part of the update function: keys in, the form changed, work out; the answers
//! of that work (facts, plans) in; and the end of the journey, driven by the TUI's own
//! messages: the plan applied (as the fix dialog applies one, journaled, `--read-only`
//! honoured), the cluster read again, the workload proven, and its chain opened. No I/O.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::{Facts, Next, Prefill, Review, Step, Wizard};
use crate::model::workload::{WorkloadKind, WorkloadRef};
use crate::tui::keys::Action;
use crate::tui::message::{ApplyNews, Planned, Scope, WizardNews, WizardWork, Work};
use crate::tui::state::{
    App, Load, Pane, ProofState, Screen, ToastLevel, WorkloadView, first_interesting_link,
};
use crate::tui::update::toast;

/// `w`: the wizard on the workload on screen (or selected), else on the namespace shown.
pub fn open(app: &mut App) -> Vec<Work> {
    let mut prefill = Prefill::default();
    match app.current_workload() {
        Some(w) => {
            prefill.namespace = Some(w.namespace.clone());
            match w.kind {
                WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => {
                    prefill.workload = Some((w.kind, w.name.clone()))
                }
                WorkloadKind::ServiceAccount => prefill.service_account = Some(w.name.clone()),
                _ => {}
            }
        }
        None => {
            prefill.namespace = match &app.scope {
                Scope::Namespace(ns) => Some(ns.clone()),
                _ => app.resolved_namespace.clone(),
            }
        }
    }
    app.wizard = Some(Wizard::new(prefill));
    start(app)
}

/// Reads the facts of the wizard's namespace when it has one (the first screen asks else).
pub fn start(app: &mut App) -> Vec<Work> {
    let Some(w) = &app.wizard else {
        return Vec::new();
    };
    let ns = w.text(super::fields::FieldId::Namespace).to_string();
    if w.error(super::fields::FieldId::Namespace).is_some() {
        return Vec::new();
    }
    gather(app, ns)
}

fn gather(app: &mut App, namespace: String) -> Vec<Work> {
    let Some(w) = &mut app.wizard else {
        return Vec::new();
    };
    // Already on its way.
    if matches!(&w.facts, Facts::Loading { namespace: ns, .. } if *ns == namespace) {
        return Vec::new();
    }
    app.fix_id += 1;
    let id = app.fix_id;
    w.facts = Facts::Loading {
        id,
        namespace: namespace.clone(),
    };
    vec![Work::Wizard(WizardWork::Facts { id, namespace })]
}

/// Keys that are not bindings: text for the focused field.
pub fn edit(app: &mut App, ev: KeyEvent) {
    let Some(w) = &mut app.wizard else { return };
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    w.message = None;
    match ev.code {
        KeyCode::Char('u') if ctrl => w.clear_field(),
        KeyCode::Char(c) if !ctrl => w.type_char(c),
        KeyCode::Backspace => w.backspace(),
        _ => {}
    }
}

pub fn act(app: &mut App, action: Action) -> Vec<Work> {
    let Some(w) = &mut app.wizard else {
        return Vec::new();
    };
    let review = w.step == Step::Review;
    let page = app.height.saturating_sub(8).max(1) as isize;
    let scroll = |w: &mut Wizard, by: isize| {
        w.scroll = (w.scroll as isize)
            .saturating_add(by)
            .clamp(0, u16::MAX as isize) as u16;
    };
    match action {
        Action::Quit => app.quit = true,
        Action::Up | Action::Down if review => scroll(w, if action == Action::Up { -1 } else { 1 }),
        Action::Up => w.move_focus(-1),
        Action::Down => w.move_focus(1),
        Action::PageUp => scroll(w, -page),
        Action::PageDown => scroll(w, page),
        Action::Toggle => {
            w.message = None;
            w.toggle();
        }
        Action::Open if review => return apply(app),
        Action::Open => {
            return match w.advance() {
                Next::Moved | Next::Blocked(_) => Vec::new(),
                Next::Gather(ns) => gather(app, ns),
                Next::Plan(request) => {
                    app.fix_id += 1;
                    let id = app.fix_id;
                    w.review = Review::Planning { id };
                    vec![Work::Wizard(WizardWork::Plan { id, request })]
                }
            };
        }
        Action::Back => {
            if matches!(
                w.review,
                Review::Applying { .. } | Review::Reloading { .. } | Review::Proving { .. }
            ) {
                toast(
                    app,
                    "the plan is being applied: wait for its outcome",
                    ToastLevel::Warning,
                );
            } else if !w.back() {
                app.quit = w.quit_on_close;
                app.wizard = None;
            }
        }
        _ => {}
    }
    Vec::new()
}

/// The answer to the wizard's own work; answers to older requests are dropped.
pub fn on_news(app: &mut App, id: u64, news: WizardNews) -> Vec<Work> {
    let Some(w) = &mut app.wizard else {
        return Vec::new();
    };
    match news {
        WizardNews::Facts(result) => {
            let Facts::Loading {
                id: wanted,
                namespace,
            } = &w.facts
            else {
                return Vec::new();
            };
            if *wanted != id {
                return Vec::new();
            }
            match result {
                Ok(facts) => w.facts_arrived(facts),
                Err(error) => {
                    w.facts = Facts::Failed {
                        namespace: namespace.clone(),
                        error,
                    }
                }
            }
        }
        WizardNews::Planned(result) => {
            if w.review != (Review::Planning { id }) {
                return Vec::new();
            }
            w.review = match result {
                Ok(Planned::Ready { plan, .. }) => Review::Ready(plan),
                Ok(Planned::Nothing(text) | Planned::Refused(text)) => Review::Note(text),
                Ok(Planned::Manual(reasons)) => Review::Note(format!(
                    "no plan can do this safely: {}",
                    reasons.join("; ")
                )),
                Err(e) => Review::Note(format!("planning failed: {e}")),
            };
        }
    }
    Vec::new()
}

/// The workload the wizard sets up, as the TUI names workloads.
fn workload_ref(w: &Wizard) -> Option<WorkloadRef> {
    let chosen = w.selected_workload()?;
    Some(WorkloadRef {
        kind: chosen.kind,
        namespace: w.text(super::fields::FieldId::Namespace).to_string(),
        name: chosen.name.clone(),
    })
}

/// What applying reads first, to check that nothing changed since the plan was made: every
/// namespace for a pattern (the plan touches each matching one), else the namespace set up,
/// whatever the list behind the wizard shows (`kubectl irsa setup` with no -n reads the
/// context's namespace, and the first screen may name another).
pub(super) fn apply_scope(w: &Wizard) -> Scope {
    let ns = w.text(super::fields::FieldId::Namespace).trim();
    if ns.contains(['*', '?']) {
        Scope::All
    } else {
        Scope::Namespace(ns.to_string())
    }
}

/// Enter on the review: applies the plan (live clusters; never with `--read-only`).
fn apply(app: &mut App) -> Vec<Work> {
    let Some(w) = &app.wizard else {
        return Vec::new();
    };
    let Review::Ready(plan) = &w.review else {
        return Vec::new();
    };
    let plan = plan.clone();
    let workload = workload_ref(w);
    let scope = apply_scope(w);
    if !app.live {
        let line = w
            .request()
            .map(|r| super::command::line(&r))
            .unwrap_or_default();
        let text = format!(
            "applying needs a live cluster (this is an offline bundle or the demo); `{line} --dry-run` prints this plan"
        );
        toast(app, text, ToastLevel::Error);
        return Vec::new();
    }
    let Some(id) = crate::tui::fixing::begin_applying(app, &plan, None) else {
        return Vec::new();
    };
    if let Some(w) = &mut app.wizard {
        w.review = Review::Applying { id };
    }
    // With no workload to open, the wizard closes on the list: of what was set up.
    if workload.is_none() {
        app.scope = scope.clone();
    }
    vec![Work::Apply {
        id,
        plan,
        workload,
        scope,
        undoes: None,
    }]
}

/// Applying ended (the fix dialog's handler has toasted and started a new load): on success
/// the wizard waits for that load; else it says how it ended.
pub fn after_applied(app: &mut App, id: u64, result: Result<ApplyNews, String>) {
    let generation = app.generation;
    let Some(w) = &mut app.wizard else { return };
    if w.review != (Review::Applying { id }) {
        return;
    }
    w.review = match result {
        Ok(ApplyNews::Done) => Review::Reloading { generation },
        Ok(ApplyNews::Conflict { reason, .. }) => {
            Review::Note(format!("conflict, nothing written: {reason}"))
        }
        Ok(ApplyNews::Failed { step, reason }) => Review::Note(format!(
            "step {} failed: {reason} (the steps before it were made; u undoes them)",
            step + 1
        )),
        Err(e) => Review::Note(format!("applying failed: {e}")),
    };
}

/// The load after applying finished: the workload is proven (STS or EKS Auth, as `p`), or,
/// with nothing to prove, the wizard ends on what the load shows.
pub fn after_loaded(app: &mut App, generation: u64) -> Vec<Work> {
    let Some(w) = &app.wizard else {
        return Vec::new();
    };
    if w.review != (Review::Reloading { generation }) {
        return Vec::new();
    }
    if let Load::Failed(e) = &app.load {
        let text = format!("applied; reading the cluster again failed: {e}");
        if let Some(w) = &mut app.wizard {
            w.review = Review::Note(text);
        }
        return Vec::new();
    }
    let target = workload_ref(w).filter(|r| app.find_workload(r).is_some());
    let Some(workload) = target else {
        finish(app);
        return Vec::new();
    };
    app.proof_id += 1;
    let id = app.proof_id;
    app.proofs
        .insert(workload.clone(), ProofState::Running { id });
    if let Some(w) = &mut app.wizard {
        w.review = Review::Proving { id };
    }
    toast(
        app,
        format!("proving {workload}: a fresh token exchanged for credentials…"),
        ToastLevel::Info,
    );
    vec![Work::Prove { id, workload }]
}

/// The proof came back (the update function has put it on the workload): the chain opens.
pub fn after_proved(app: &mut App, id: u64) {
    if app
        .wizard
        .as_ref()
        .is_some_and(|w| w.review == (Review::Proving { id }))
    {
        finish(app);
    }
}

/// Closes the wizard on the chain of the workload it set up (the list when there is none).
fn finish(app: &mut App) {
    let Some(w) = app.wizard.take() else { return };
    let opened = workload_ref(&w).and_then(|r| {
        let link = first_interesting_link(app.find_workload(&r)?);
        Some(WorkloadView {
            workload: r,
            link,
            focus: Pane::Chain,
            scroll: 0,
        })
    });
    if let Some(view) = opened {
        app.screen = Screen::Workload(view);
    }
}
