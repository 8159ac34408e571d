//! Progress per step while a plan is applied (issue 11): Enter keeps the dialog open on the
//! plan's steps, each pending, running, made or failed as the worker's step messages say; a
//! successful apply reloads and the dialog closes when that load ends (the chain as it is
//! now); a conflict or a failure stays on screen, naming the step, until Esc.

use super::fixing::dialog;
use super::*;
use crate::app::fix::StepEvent;
use crate::model::plan::Plan;
use crate::tui::dialog::{Phase, Progress, StepState};
use crate::tui::message::ApplyNews;

/// A live dialog on the demo's plan with a second step (the same restart again: only the
/// count matters here), Enter pressed: the apply's id.
fn applying() -> (App, u64) {
    let mut app = dialog(true);
    if let Some(Overlay::Fix { plan, .. }) = &mut app.overlay {
        let again = plan.steps[0].clone();
        plan.steps.push(again);
    }
    let work = send(&mut app, [code(KeyCode::Enter)]);
    let [Work::Apply { id, plan, .. }] = work.as_slice() else {
        panic!("{work:?}")
    };
    assert_eq!(plan.steps.len(), 2);
    (app, *id)
}

fn progress(app: &App) -> &Progress {
    match &app.overlay {
        Some(Overlay::Fix {
            progress: Some(p), ..
        }) => p,
        other => panic!("{other:?}"),
    }
}

fn step(id: u64, event: StepEvent) -> Msg {
    Msg::Step { id, event }
}

/// The dialog's text as drawn at 100 columns.
fn shown(app: &App) -> String {
    let Some(Overlay::Fix {
        plan: p,
        progress: Some(pr),
        ..
    }) = &app.overlay
    else {
        panic!("{:?}", app.overlay)
    };
    let plan: &Plan = p;
    crate::tui::view::progress::lines(app, plan, pr, 100)
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

#[test]
fn enter_shows_every_step_pending_while_the_objects_are_checked() {
    let (app, id) = applying();
    let p = progress(&app);
    assert_eq!(p.id, id);
    assert_eq!(p.steps, vec![StepState::Pending, StepState::Pending]);
    assert_eq!(p.phase, Phase::Checking);
    let text = shown(&app);
    assert!(
        text.contains("· 1. rollout-restart Deployment tlm/tlm-chat-backend (pending)"),
        "{text}"
    );
    assert!(text.contains("nothing written yet"), "{text}");
    assert_eq!(
        crate::tui::view::progress::title("fix", progress(&app)),
        "applying fix: 0 of 2 steps made"
    );
}

#[test]
fn each_step_runs_then_is_done_and_the_dialog_closes_after_the_reload() {
    let (mut app, id) = applying();
    send(&mut app, [step(id, StepEvent::Started(0))]);
    assert_eq!(progress(&app).steps[0], StepState::Running);
    assert_eq!(progress(&app).phase, Phase::Applying);
    send(
        &mut app,
        [
            step(id, StepEvent::Made(0)),
            step(id, StepEvent::Started(1)),
        ],
    );
    assert_eq!(
        progress(&app).steps,
        vec![StepState::Made, StepState::Running]
    );
    let text = shown(&app);
    assert!(text.contains("✔ 1. rollout-restart"), "{text}");
    assert!(
        text.contains("(done)") && text.contains("(running)"),
        "{text}"
    );
    assert_eq!(
        crate::tui::view::progress::title("fix", progress(&app)),
        "applying fix: 1 of 2 steps made"
    );
    send(
        &mut app,
        [
            step(id, StepEvent::Made(1)),
            step(id, StepEvent::Diagnosing),
        ],
    );
    assert_eq!(
        progress(&app).phase,
        Phase::Reloading {
            generation: None,
            outcome: None
        }
    );
    // Steps of another apply change nothing.
    send(&mut app, [step(id + 1, StepEvent::Failed(0, "x".into()))]);
    assert_eq!(progress(&app).steps, vec![StepState::Made, StepState::Made]);

    let work = send(
        &mut app,
        [Msg::Applied {
            id,
            result: Ok(ApplyNews::Done),
        }],
    );
    let [Work::Load { generation, .. }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let generation = *generation;
    assert!(
        matches!(&progress(&app).phase, Phase::Reloading { generation: Some(g), outcome: Some(o) } if *g == generation && o.starts_with("applied 2 steps")),
        "{:?}",
        progress(&app).phase
    );
    assert!(shown(&app).contains("gathering and diagnosing again"));
    // Toasts expire meanwhile; the outcome's is shown again as the dialog closes.
    for _ in 0..100 {
        send(&mut app, [Msg::Tick]);
    }
    send(
        &mut app,
        [Msg::Loaded {
            generation,
            result: Ok(demo_report()),
        }],
    );
    assert!(app.overlay.is_none(), "{:?}", app.overlay);
    let toast = app.toast.clone().unwrap();
    assert!(toast.text.starts_with("applied 2 steps"), "{}", toast.text);
    assert!(toast.until > app.tick);
}

#[test]
fn a_failed_step_stays_on_screen_until_esc() {
    let (mut app, id) = applying();
    send(
        &mut app,
        [
            step(id, StepEvent::Started(0)),
            step(id, StepEvent::Made(0)),
            step(id, StepEvent::Started(1)),
            step(id, StepEvent::Failed(1, "Forbidden: cannot patch".into())),
        ],
    );
    let work = send(
        &mut app,
        [Msg::Applied {
            id,
            result: Ok(ApplyNews::Failed {
                step: 1,
                reason: "Forbidden: cannot patch".into(),
            }),
        }],
    );
    // The list is gathered again behind the dialog (step 1 was made).
    let [Work::Load { generation, .. }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let generation = *generation;
    let p = progress(&app);
    assert_eq!(
        p.steps,
        vec![
            StepState::Made,
            StepState::Failed("Forbidden: cannot patch".into())
        ]
    );
    assert!(matches!(&p.phase, Phase::Stopped(why) if why.starts_with("step 2 failed")));
    assert_eq!(
        crate::tui::view::progress::title("fix", p),
        "fix stopped at step 2"
    );
    let text = shown(&app);
    assert!(text.contains("✘ 2. rollout-restart"), "{text}");
    assert!(text.contains("Forbidden: cannot patch"), "{text}");
    send(
        &mut app,
        [Msg::Loaded {
            generation,
            result: Ok(demo_report()),
        }],
    );
    assert!(app.overlay.is_some(), "the failure stays until Esc");
    send(&mut app, [code(KeyCode::Esc)]);
    assert!(app.overlay.is_none());
}

/// A conflict is found before anything is written: no step event came, the step it names is
/// marked all the same.
#[test]
fn a_conflict_marks_its_step_and_says_nothing_was_written() {
    let (mut app, id) = applying();
    send(
        &mut app,
        [Msg::Applied {
            id,
            result: Ok(ApplyNews::Conflict {
                step: 0,
                reason: "Deployment tlm/tlm-chat-backend: the object changed".into(),
            }),
        }],
    );
    let p = progress(&app);
    assert!(matches!(&p.steps[0], StepState::Failed(r) if r.contains("changed")));
    assert_eq!(p.steps[1], StepState::Pending);
    assert!(
        matches!(&p.phase, Phase::Stopped(why) if why.starts_with("conflict, nothing written")),
        "{:?}",
        p.phase
    );
}

/// Hidden with Esc, the apply goes on: its outcome still toasts and reloads, and no dialog
/// comes back.
#[test]
fn esc_hides_the_progress_and_the_outcome_still_arrives() {
    let (mut app, id) = applying();
    send(&mut app, [code(KeyCode::Esc)]);
    assert!(app.overlay.is_none());
    send(&mut app, [step(id, StepEvent::Started(0))]);
    assert!(app.overlay.is_none());
    let work = send(
        &mut app,
        [Msg::Applied {
            id,
            result: Ok(ApplyNews::Done),
        }],
    );
    assert!(matches!(work.as_slice(), [Work::Load { .. }]), "{work:?}");
    assert!(app.overlay.is_none());
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .starts_with("applied 2 steps")
    );
}
