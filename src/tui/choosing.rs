//! An ambiguous fix (`f` where the planner offers choices): the choices open in their dialog
//! ([`Overlay::Choose`]), arrows, j/k and digits select, Enter plans the fix with the selected
//! one, whose plan then opens in the confirmation dialog as any fix's (`fixing`); Esc
//! cancels. Called from `update`; like it, no I/O.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::fixing::busy_applying;
use super::keys::{self, Action, Place};
use super::message::Work;
use super::state::{App, Fixing, Overlay, ToastLevel};
use super::update::toast;
use crate::model::plan::Choice;

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
