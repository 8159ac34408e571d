//! Fixes (`f`) and undos (`u`): the plan work they ask for, the dialog a plan opens, what
//! Enter and Esc do in it, and what each outcome of planning and applying shows.

use super::*;
use crate::model::plan::Plan;
use crate::model::workload::{WorkloadKind, WorkloadRef};
use crate::plan::fix::{FixOutcome, plan_fix};
use crate::tui::dialog::About;
use crate::tui::message::{ApplyNews, Planned};
use crate::tui::state::Fixing;

/// The demo's plan for `deploy/tlm-chat-backend` (its injection is broken: a restart fixes it).
pub(crate) fn demo_plan() -> Plan {
    let snapshot = app::gather(&Source::Demo).unwrap();
    let selection = Selection {
        namespace: Some("tlm".into()),
        target: Some(crate::diagnose::Target::Workload(
            WorkloadKind::Deployment,
            "tlm-chat-backend".into(),
        )),
        ..Selection::default()
    };
    let now = jiff::Timestamp::now();
    match plan_fix(
        &snapshot,
        &selection,
        "test-plan",
        "deploy/tlm-chat-backend",
        now,
        None,
    )
    .unwrap()
    {
        FixOutcome::Ready { plan, .. } => plan,
        other => panic!("{other:?}"),
    }
}

pub(super) fn tlm_chat_backend() -> WorkloadRef {
    WorkloadRef {
        kind: WorkloadKind::Deployment,
        namespace: "tlm".into(),
        name: "tlm-chat-backend".into(),
    }
}

/// `f` on the open tlm-chat-backend; returns the plan request's id.
pub(super) fn ask_fix(app: &mut App) -> u64 {
    open(app, "tlm-chat-backend");
    let work = send(app, [key('f')]);
    let [
        Work::PlanFix {
            id,
            workload,
            choice: None,
        },
    ] = work.as_slice()
    else {
        panic!("{work:?}")
    };
    assert_eq!(*workload, tlm_chat_backend());
    *id
}

/// A fix dialog open on the demo's plan.
pub(super) fn dialog(live: bool) -> App {
    let mut app = loaded(live);
    let id = ask_fix(&mut app);
    let planned = Planned::Ready {
        plan: Box::new(demo_plan()),
        undoes: None,
    };
    assert!(
        send(
            &mut app,
            [Msg::Planned {
                id,
                result: Ok(planned)
            }]
        )
        .is_empty()
    );
    app
}

#[test]
fn f_on_a_workload_asks_for_its_plan() {
    let mut app = loaded(false);
    ask_fix(&mut app);
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .contains("planning the fix")
    );
    // In the list, on the selected workload as well.
    let mut app = loaded(false);
    let work = send(&mut app, [key('f')]);
    let selected = app.current_ref().unwrap();
    assert!(
        matches!(work.as_slice(), [Work::PlanFix { workload, .. }] if *workload == selected),
        "{work:?}"
    );
}

#[test]
fn a_plan_opens_the_dialog_and_esc_closes_it_asking_nothing() {
    let mut app = dialog(true);
    let Some(Overlay::Fix {
        plan,
        workload,
        undoes,
        ..
    }) = &app.overlay
    else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(plan.target, "deploy/tlm-chat-backend");
    assert_eq!(workload.as_ref(), Some(&tlm_chat_backend()));
    assert_eq!(*undoes, None);
    assert!(app.fixing.is_none());
    assert!(send(&mut app, [code(KeyCode::Esc)]).is_empty());
    assert!(app.overlay.is_none());
}

#[test]
fn enter_on_a_live_cluster_applies_the_plan() {
    let mut app = dialog(true);
    let work = send(&mut app, [code(KeyCode::Enter)]);
    let [
        Work::Apply {
            id,
            plan,
            workload,
            undoes,
            ..
        },
    ] = work.as_slice()
    else {
        panic!("{work:?}")
    };
    assert_eq!(plan.target, "deploy/tlm-chat-backend");
    assert!(!plan.steps.is_empty());
    assert_eq!(workload.as_ref(), Some(&tlm_chat_backend()));
    assert_eq!(*undoes, None);
    // The dialog stays, showing the progress of this apply (see `progress`).
    assert!(
        matches!(&app.overlay, Some(Overlay::Fix { progress: Some(p), .. }) if p.id == *id),
        "{:?}",
        app.overlay
    );
    assert_eq!(app.fixing.as_ref().map(Fixing::id), Some(*id));
    assert!(app.toast.as_ref().unwrap().text.starts_with("applying"));
}

#[test]
fn enter_offline_says_a_live_cluster_is_needed_and_asks_nothing() {
    let mut app = dialog(false);
    assert!(send(&mut app, [code(KeyCode::Enter)]).is_empty());
    let toast = app.toast.as_ref().unwrap();
    assert_eq!(toast.level, ToastLevel::Error);
    assert!(toast.text.contains("live cluster"), "{}", toast.text);
    assert!(
        toast
            .text
            .contains("kubectl irsa fix deploy/tlm-chat-backend -n tlm --dry-run"),
        "{}",
        toast.text
    );
    assert!(app.fixing.is_none());
}

#[test]
fn an_applied_plan_toasts_its_journal_id_and_loads_again() {
    let mut app = dialog(true);
    let work = send(&mut app, [code(KeyCode::Enter)]);
    let [Work::Apply { id, plan, .. }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let generation = app.generation;
    let work = send(
        &mut app,
        [Msg::Applied {
            id: *id,
            result: Ok(ApplyNews::Done),
        }],
    );
    assert_eq!(
        work,
        vec![Work::Load {
            generation: generation + 1,
            scope: Scope::All
        }]
    );
    let toast = app.toast.as_ref().unwrap();
    assert_eq!(toast.level, ToastLevel::Info);
    let steps = plan.steps.len();
    let want = format!(
        "applied {steps} step{} (journal {}; u undoes it)",
        if steps == 1 { "" } else { "s" },
        plan.id
    );
    assert_eq!(toast.text, want);
    assert!(app.fixing.is_none());
}

#[test]
fn a_conflict_and_a_failure_say_so_and_load_again() {
    for (news, level, start) in [
        (
            ApplyNews::Conflict {
                step: 0,
                reason: "ServiceAccount tlm/chat: the object is not what it was".into(),
            },
            ToastLevel::Warning,
            "conflict, nothing written: ServiceAccount tlm/chat",
        ),
        (
            ApplyNews::Failed {
                step: 1,
                reason: "AccessDenied".into(),
            },
            ToastLevel::Error,
            "step 2 failed: AccessDenied",
        ),
    ] {
        let mut app = dialog(true);
        let work = send(&mut app, [code(KeyCode::Enter)]);
        let [Work::Apply { id, .. }] = work.as_slice() else {
            panic!("{work:?}")
        };
        let work = send(
            &mut app,
            [Msg::Applied {
                id: *id,
                result: Ok(news),
            }],
        );
        assert!(matches!(work.as_slice(), [Work::Load { .. }]), "{work:?}");
        let toast = app.toast.as_ref().unwrap();
        assert_eq!(toast.level, level);
        assert!(toast.text.starts_with(start), "{}", toast.text);
    }
}

#[test]
fn u_asks_for_the_undo_plan_and_its_answer_opens_the_dialog() {
    let mut app = loaded(true);
    let work = send(&mut app, [key('u')]);
    let [Work::PlanUndo { id }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let planned = Planned::Ready {
        plan: Box::new(demo_plan()),
        undoes: Some("20260101T000000Z-00001".into()),
    };
    send(
        &mut app,
        [Msg::Planned {
            id: *id,
            result: Ok(planned),
        }],
    );
    assert!(matches!(
        &app.overlay,
        Some(Overlay::Fix { undoes: Some(u), workload: None, .. }) if u == "20260101T000000Z-00001"
    ));
    let work = send(&mut app, [code(KeyCode::Enter)]);
    assert!(
        matches!(work.as_slice(), [Work::Apply { undoes: Some(u), workload: None, .. }] if u == "20260101T000000Z-00001"),
        "{work:?}"
    );
}

#[test]
fn u_offline_says_there_is_nothing_to_undo_there() {
    let mut app = loaded(false);
    assert!(send(&mut app, [key('u')]).is_empty());
    assert_eq!(app.toast.as_ref().unwrap().level, ToastLevel::Error);
}

#[test]
fn outcomes_without_a_plan_are_toasts() {
    for (planned, level, start) in [
        (
            Planned::Manual(vec![
                "tlm/tlm-chat-backend: trust: the role is in another account".into(),
            ]),
            ToastLevel::Warning,
            "no safe automatic fix",
        ),
        (
            Planned::Nothing(
                "nothing to fix: tlm/deploy/tlm-chat-backend has no broken link".into(),
            ),
            ToastLevel::Info,
            "nothing to fix",
        ),
        (
            Planned::Refused("cannot undo X: the role changed; nothing written".into()),
            ToastLevel::Error,
            "cannot undo X",
        ),
    ] {
        let mut app = loaded(true);
        let id = ask_fix(&mut app);
        assert!(
            send(
                &mut app,
                [Msg::Planned {
                    id,
                    result: Ok(planned)
                }]
            )
            .is_empty()
        );
        assert!(app.overlay.is_none());
        let toast = app.toast.as_ref().unwrap();
        assert_eq!(toast.level, level);
        assert!(toast.text.starts_with(start), "{}", toast.text);
        // `v` reads it whole.
        send(&mut app, [key('v')]);
        let Some(Overlay::Whole { lines, .. }) = &app.overlay else {
            panic!("{:?}", app.overlay)
        };
        assert!(lines.iter().any(|(_, l)| l.starts_with(start)));
    }
}

#[test]
fn an_answer_to_a_superseded_request_is_dropped() {
    let mut app = loaded(true);
    let first = ask_fix(&mut app);
    let second = {
        let work = send(&mut app, [key('f')]);
        let [Work::PlanFix { id, .. }] = work.as_slice() else {
            panic!("{work:?}")
        };
        *id
    };
    assert_ne!(first, second);
    let planned = Planned::Ready {
        plan: Box::new(demo_plan()),
        undoes: None,
    };
    send(
        &mut app,
        [Msg::Planned {
            id: first,
            result: Ok(planned),
        }],
    );
    assert!(app.overlay.is_none());
    assert!(matches!(app.fixing, Some(Fixing::Planning { id, .. }) if id == second));
}

#[test]
fn nothing_is_planned_while_a_plan_is_applied() {
    let mut app = dialog(true);
    send(&mut app, [code(KeyCode::Enter)]);
    // Enter again in the progress applies nothing more; Esc hides it, applying goes on.
    assert!(send(&mut app, [code(KeyCode::Enter)]).is_empty());
    send(&mut app, [code(KeyCode::Esc)]);
    assert!(app.overlay.is_none());
    assert!(send(&mut app, [key('f')]).is_empty());
    assert!(send(&mut app, [key('u')]).is_empty());
    assert!(app.toast.as_ref().unwrap().text.contains("being applied"));
}

/// `kubectl irsa --read-only` (issue 11): the dialog shows the plan and Enter writes nothing.
#[test]
fn read_only_shows_the_plan_and_enter_writes_nothing() {
    let mut app = dialog(true);
    app.read_only = true;
    let work = send(&mut app, [code(KeyCode::Enter)]);
    assert!(work.is_empty(), "{work:?}");
    let toast = app.toast.clone().unwrap();
    assert_eq!(toast.level, ToastLevel::Error);
    assert!(toast.text.contains("--read-only"), "{}", toast.text);
}

/// A plan naming a Job for re-creation shows it after the steps, with its command: no step
/// restarts it, so the dialog is where the user learns it (issue 11 "Restarts").
#[test]
fn the_dialog_names_the_jobs_to_re_create_by_hand() {
    let mut app = dialog(true);
    if let Some(Overlay::Fix { plan, .. }) = &mut app.overlay {
        plan.recreate.push(crate::model::plan::Recreate {
            kind: "Job".into(),
            namespace: "tlm".into(),
            name: "backfill".into(),
            how: "delete the Job and re-create it from its manifest".into(),
            command: crate::model::CommandLine::kubectl(["delete", "job", "backfill", "-n", "tlm"]),
        });
    }
    let Some(Overlay::Fix { plan, .. }) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    let text: Vec<String> =
        crate::tui::view::fix::lines(&app, plan, Some("tlm"), None, &About::Plain, 100)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
    let text = text.join("\n");
    let at = text
        .find("then re-create by hand")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        text.rfind("$ kubectl rollout restart").unwrap_or(0) < at,
        "after the steps: {text}"
    );
    assert!(
        text[at..].contains("Job tlm/backfill: delete the Job"),
        "{text}"
    );
    assert!(
        text[at..].contains("$ kubectl delete job backfill -n tlm"),
        "{text}"
    );
}
