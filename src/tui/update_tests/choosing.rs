//! An ambiguous fix (`f` where the planner offers choices, issue 11 "choices are selectable"):
//! the choices open in their dialog, arrows, j/k and digits select, Enter plans the fix with
//! the selected choice and its plan opens the confirmation dialog naming it; Esc cancels.

use super::fixing::{ask_fix, demo_plan, tlm_chat_backend};
use super::*;
use crate::model::plan::Choice;
use crate::tui::dialog::About;
use crate::tui::keys::Place;
use crate::tui::message::Planned;
use crate::tui::state::Fixing;

fn choices() -> Vec<Choice> {
    [
        "run the pods as the existing service account report-sa",
        "create the service account reports-sa, trusted by the role",
        "a third way",
    ]
    .iter()
    .enumerate()
    .map(|(i, m)| Choice {
        number: i + 1,
        meaning: m.to_string(),
    })
    .collect()
}

/// `f` on tlm-chat-backend answered with three choices: the choices are open.
fn choosing(live: bool) -> App {
    let mut app = loaded(live);
    let id = ask_fix(&mut app);
    let work = send(
        &mut app,
        [Msg::Choices {
            id,
            choices: choices(),
        }],
    );
    assert!(work.is_empty(), "{work:?}");
    app
}

fn selected(app: &App) -> usize {
    match &app.overlay {
        Some(Overlay::Choose { selected, .. }) => *selected,
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_ambiguous_fix_opens_its_choices_with_the_first_selected() {
    let app = choosing(true);
    let Some(Overlay::Choose {
        workload, choices, ..
    }) = &app.overlay
    else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(*workload, tlm_chat_backend());
    assert_eq!(choices.len(), 3);
    assert_eq!(selected(&app), 0);
    assert_eq!(app.place(), Place::Choose);
    assert!(app.fixing.is_none());
    // The "planning…" toast is gone: the dialog is the news.
    assert!(app.toast.is_none());
}

#[test]
fn arrows_j_k_and_digits_select_and_stay_in_range() {
    let mut app = choosing(true);
    send(&mut app, [code(KeyCode::Down)]);
    assert_eq!(selected(&app), 1);
    send(&mut app, [key('j'), key('j'), key('j')]);
    assert_eq!(selected(&app), 2, "the last stays the last");
    send(&mut app, [key('k')]);
    assert_eq!(selected(&app), 1);
    send(&mut app, [code(KeyCode::Up), code(KeyCode::Up)]);
    assert_eq!(selected(&app), 0, "the first stays the first");
    send(&mut app, [key('3')]);
    assert_eq!(selected(&app), 2);
    // No such choice: the selection stays, a toast says which there are.
    let work = send(&mut app, [key('7')]);
    assert!(work.is_empty());
    assert_eq!(selected(&app), 2);
    let toast = app.toast.clone().unwrap();
    assert_eq!(toast.level, ToastLevel::Warning);
    assert!(toast.text.contains("no choice 7"), "{}", toast.text);
    // Keys of other places do nothing here: no fix, no copy, no quit by `q`'s list meaning.
    assert!(send(&mut app, [key('f'), key('y'), key('u')]).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::Choose { .. })));
}

#[test]
fn enter_plans_the_fix_with_the_selected_choice() {
    let mut app = choosing(true);
    send(&mut app, [key('2')]);
    let work = send(&mut app, [code(KeyCode::Enter)]);
    let [
        Work::PlanFix {
            id,
            workload,
            choice: Some(2),
        },
    ] = work.as_slice()
    else {
        panic!("{work:?}")
    };
    assert_eq!(*workload, tlm_chat_backend());
    assert!(app.overlay.is_none());
    assert!(
        matches!(&app.fixing, Some(Fixing::Planning { id: i, choice: Some(c), .. }) if i == id && c.number == 2)
    );
    assert!(
        app.toast.as_ref().unwrap().text.contains("with choice 2"),
        "{:?}",
        app.toast
    );
    // Its plan opens the confirmation dialog, which names the choice.
    let planned = Planned::Ready {
        plan: Box::new(demo_plan()),
        undoes: None,
    };
    send(
        &mut app,
        [Msg::Planned {
            id: *id,
            result: Ok(planned),
        }],
    );
    let Some(Overlay::Fix { about, plan, .. }) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(*about, About::Choice(choices()[1].clone()));
    let title = crate::tui::view::fix::title(plan, None, about);
    assert!(title.starts_with("fix with choice 2:"), "{title}");
    // Enter applies it, as any fix.
    let work = send(&mut app, [code(KeyCode::Enter)]);
    assert!(
        matches!(work.as_slice(), [Work::Apply { undoes: None, .. }]),
        "{work:?}"
    );
}

#[test]
fn esc_cancels_the_choices_asking_nothing() {
    let mut app = choosing(true);
    assert!(send(&mut app, [code(KeyCode::Esc)]).is_empty());
    assert!(app.overlay.is_none());
    let mut app = choosing(true);
    assert!(send(&mut app, [key('q')]).is_empty());
    assert!(app.overlay.is_none());
    assert!(!app.quit);
}

/// Offline the plan is shown only; the command that prints it carries the choice.
#[test]
fn offline_the_dry_run_command_names_the_choice() {
    let mut app = choosing(false);
    send(&mut app, [key('2')]);
    let work = send(&mut app, [code(KeyCode::Enter)]);
    let [Work::PlanFix { id, .. }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let planned = Planned::Ready {
        plan: Box::new(demo_plan()),
        undoes: None,
    };
    send(
        &mut app,
        [Msg::Planned {
            id: *id,
            result: Ok(planned),
        }],
    );
    assert!(send(&mut app, [code(KeyCode::Enter)]).is_empty());
    let toast = app.toast.clone().unwrap();
    assert!(
        toast
            .text
            .contains("kubectl irsa fix deploy/tlm-chat-backend -n tlm --choice 2 --dry-run"),
        "{}",
        toast.text
    );
}

/// Answers to a superseded request, and a second request for choices after one was picked,
/// open nothing.
#[test]
fn stale_or_repeated_choices_open_nothing() {
    let mut app = loaded(true);
    let first = ask_fix(&mut app);
    let work = send(&mut app, [key('f')]);
    let [Work::PlanFix { id: second, .. }] = work.as_slice() else {
        panic!("{work:?}")
    };
    let second = *second;
    send(
        &mut app,
        [Msg::Choices {
            id: first,
            choices: choices(),
        }],
    );
    assert!(app.overlay.is_none());
    send(
        &mut app,
        [Msg::Choices {
            id: second,
            choices: choices(),
        }],
    );
    send(&mut app, [code(KeyCode::Enter)]);
    let id = app.fix_id;
    send(
        &mut app,
        [Msg::Choices {
            id,
            choices: choices(),
        }],
    );
    assert!(app.overlay.is_none());
    let toast = app.toast.clone().unwrap();
    assert_eq!(toast.level, ToastLevel::Error);
    assert!(
        toast.text.contains("choice 1 did not resolve"),
        "{}",
        toast.text
    );
}
