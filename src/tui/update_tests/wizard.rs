//! The setup wizard through the update function (`w`): the facts it asks for, letters typed
//! as text, the plan it asks for at the end, and the end of the journey on a live cluster:
//! applied like a fix, the cluster read again, the workload proven, its chain opened. Offline
//! and with `--read-only` Enter on the review writes nothing and says why.

use super::fixing::demo_plan;
use super::*;
use crate::app::setup::SetupFacts;
use crate::model::workload::{WorkloadKind, WorkloadRef};
use crate::tui::message::{ApplyNews, Planned, WizardNews, WizardWork};
use crate::tui::wizard::fields::FieldId;
use crate::tui::wizard::state::{Review, Step};

fn tlm_chat_backend() -> WorkloadRef {
    WorkloadRef {
        kind: WorkloadKind::Deployment,
        namespace: "tlm".into(),
        name: "tlm-chat-backend".into(),
    }
}

/// `w` on the open tlm-chat-backend, its facts answered: the first screen, filled in.
fn wizard(live: bool) -> App {
    let mut app = loaded(live);
    open(&mut app, "tlm-chat-backend");
    let work = send(&mut app, [key('w')]);
    let [Work::Wizard(WizardWork::Facts { id, namespace })] = work.as_slice() else {
        panic!("{work:?}")
    };
    assert_eq!(namespace, "tlm");
    let facts = SetupFacts::new("tlm", app::gather(&Source::Demo).unwrap());
    let news = WizardNews::Facts(Ok(facts));
    assert!(send(&mut app, [Msg::Wizard { id: *id, news }]).is_empty());
    let w = app.wizard.as_ref().unwrap();
    assert_eq!(
        w.selected_workload().map(|c| c.name.as_str()),
        Some("tlm-chat-backend")
    );
    app
}

/// Enter through screens 1 to 5 with what is proposed; the plan answered with `plan`.
fn to_review(app: &mut App) {
    let mut work = Vec::new();
    for _ in 0..5 {
        work = send(app, [code(KeyCode::Enter)]);
    }
    let [Work::Wizard(WizardWork::Plan { id, request })] = work.as_slice() else {
        panic!("{work:?} {:?}", app.wizard.as_ref().map(|w| &w.message))
    };
    assert_eq!(request.namespace, "tlm");
    let news = WizardNews::Planned(Ok(Planned::Ready {
        plan: Box::new(demo_plan()),
        undoes: None,
    }));
    send(app, [Msg::Wizard { id: *id, news }]);
    assert!(matches!(
        app.wizard.as_ref().unwrap().review,
        Review::Ready(_)
    ));
}

#[test]
fn letters_are_text_in_the_wizard_and_esc_goes_back_then_closes() {
    let mut app = wizard(false);
    let workload_row = app.wizard.as_ref().unwrap().focus;
    for _ in 0..workload_row {
        send(&mut app, [code(KeyCode::Up)]);
    }
    // q, j, r and y would quit, move, reload and copy outside the wizard: here they are text.
    assert!(send(&mut app, typed("qjry")).is_empty());
    assert!(!app.quit);
    let w = app.wizard.as_ref().unwrap();
    assert_eq!((w.focus, w.text(FieldId::Namespace)), (0, "tlmqjry"));
    send(&mut app, (0..4).map(|_| code(KeyCode::Backspace)));
    for _ in 0..workload_row {
        send(&mut app, [code(KeyCode::Down)]);
    }
    send(&mut app, [code(KeyCode::Enter)]);
    assert_eq!(app.wizard.as_ref().unwrap().step, Step::Mechanism);
    send(&mut app, [code(KeyCode::Esc)]);
    assert_eq!(app.wizard.as_ref().unwrap().step, Step::Target);
    send(&mut app, [code(KeyCode::Esc)]);
    assert!(
        app.wizard.is_none() && !app.quit,
        "closed, back on the chain"
    );
    assert!(matches!(app.screen, Screen::Workload(_)));
}

#[test]
fn the_review_offline_or_read_only_writes_nothing_and_says_why() {
    let mut app = wizard(false);
    to_review(&mut app);
    assert!(send(&mut app, [code(KeyCode::Enter)]).is_empty());
    let toast = app.toast.clone().unwrap();
    assert_eq!(toast.level, ToastLevel::Error);
    assert!(
        toast
            .text
            .contains("kubectl irsa setup -n tlm --service-account")
            && toast.text.ends_with("--dry-run` prints this plan"),
        "{}",
        toast.text
    );
    let mut app = wizard(true);
    app.read_only = true;
    to_review(&mut app);
    assert!(send(&mut app, [code(KeyCode::Enter)]).is_empty());
    assert!(app.toast.unwrap().text.starts_with("--read-only"));
}

#[test]
fn applied_then_read_again_then_proven_the_wizard_opens_the_chain() {
    let mut app = wizard(true);
    to_review(&mut app);
    let work = send(&mut app, [code(KeyCode::Enter)]);
    let [
        Work::Apply {
            id,
            workload,
            undoes: None,
            ..
        },
    ] = work.as_slice()
    else {
        panic!("{work:?}")
    };
    assert_eq!(workload.as_ref(), Some(&tlm_chat_backend()));
    // Esc while applying does not leave: the outcome is still to come.
    send(&mut app, [code(KeyCode::Esc)]);
    assert_eq!(app.wizard.as_ref().unwrap().step, Step::Review);
    let applied = Msg::Applied {
        id: *id,
        result: Ok(ApplyNews::Done),
    };
    let work = send(&mut app, [applied]);
    let [Work::Load { generation, .. }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let generation = *generation;
    let review = &app.wizard.as_ref().unwrap().review;
    assert_eq!(*review, Review::Reloading { generation });
    let loaded = Msg::Loaded {
        generation,
        result: Ok(demo_report()),
    };
    let work = send(&mut app, [loaded]);
    let [Work::Prove { id, workload }] = work.as_slice() else {
        panic!("{work:?}")
    };
    assert_eq!(*workload, tlm_chat_backend());
    let proved = Msg::Proved {
        id: *id,
        workload: workload.clone(),
        result: Ok(demo_report()),
    };
    send(&mut app, [proved]);
    assert!(app.wizard.is_none());
    let Screen::Workload(view) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    assert_eq!(view.workload, tlm_chat_backend());
}

#[test]
fn a_failed_apply_stays_on_the_review_and_says_how() {
    let mut app = wizard(true);
    to_review(&mut app);
    let work = send(&mut app, [code(KeyCode::Enter)]);
    let [Work::Apply { id, .. }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let failed = Msg::Applied {
        id: *id,
        result: Ok(ApplyNews::Failed {
            step: 1,
            reason: "AccessDenied".into(),
        }),
    };
    send(&mut app, [failed]);
    let Review::Note(text) = &app.wizard.as_ref().unwrap().review else {
        panic!()
    };
    assert!(text.starts_with("step 2 failed: AccessDenied"), "{text}");
}

#[test]
fn an_answer_to_an_older_request_is_dropped() {
    let mut app = wizard(false);
    let stale = WizardNews::Facts(Err("late".into()));
    send(&mut app, [Msg::Wizard { id: 0, news: stale }]);
    let w = app.wizard.as_ref().unwrap();
    assert!(w.facts().is_some(), "the newer facts stay");
}
