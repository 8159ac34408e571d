//! The update function, message by message: what the state becomes and what work is asked
//! for. No terminal, no threads: the demo report is fed in as a load result.
//!
//! `navigation`: loading, the list, the chain, the filter, overlays; `work`: proofs and
//! copied commands; `fixing`: fixes and undos (`f`, `u`) and their dialog; `choosing`: the
//! choices of an ambiguous fix; `progress`: each step's progress while a plan is applied;
//! `migrating`: `m` and `M`; `wizard`: the setup wizard (`w`); `reading`: the explanation and
//! whole-text overlays. The helpers here
//! build the states they start from.

mod choosing;
mod fixing;
mod migrating;
mod navigation;
mod progress;
mod reading;
mod wizard;
mod work;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::message::{Cancel, Msg, Scope, Work};
use super::state::{App, CommandRow, Load, Overlay, Pane, ProofState, Screen, ToastLevel};
use super::theme::Theme;
use super::update::{start, update};
use crate::app::watched::{LoadEvent, Stage, StageState};
use crate::app::{self, Source};
use crate::diagnose::Selection;
use crate::model::proof::{ProofOutcome, ProofResult};
use crate::model::{LinkName, Mechanism, Report, Status};

pub(super) fn demo_report() -> Report {
    app::doctor(&Source::Demo, &Selection::default()).unwrap()
}

pub(super) fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub(super) fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub(super) fn send(app: &mut App, msgs: impl IntoIterator<Item = Msg>) -> Vec<Work> {
    msgs.into_iter().flat_map(|m| update(app, m)).collect()
}

pub(super) fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(key).collect()
}

/// An app that has loaded the demo.
pub(super) fn loaded(live: bool) -> App {
    let mut app = App::new("test", live, Scope::All, Theme { color: true });
    let work = start(&mut app);
    assert_eq!(
        work,
        vec![Work::Load {
            generation: 1,
            scope: Scope::All
        }]
    );
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Ok(demo_report()),
        },
    );
    app
}

pub(super) fn selected_name(app: &App) -> String {
    app.selected_workload().unwrap().name.clone()
}

/// Opens the workload named `name` through the filter, as a user would.
pub(super) fn open(app: &mut App, name: &str) {
    send(app, [key('/')]);
    send(app, typed(name));
    send(app, [code(KeyCode::Enter), code(KeyCode::Enter)]);
    assert!(
        matches!(app.screen, Screen::Workload(_)),
        "{name} did not open"
    );
}
