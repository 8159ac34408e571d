//! Rendering: pure functions from [`App`] to a frame. Nothing here changes state or does I/O;
//! everything the screen needs is already in the state.
//!
//! One file per part of the screen; [`draw`] places them (see `tui::layout`).

pub mod chain;
pub mod choose;
pub mod detail;
pub mod dialog;
pub mod fix;
pub mod footer;
pub mod header;
pub mod list;
pub mod overlay;
pub mod progress;
pub mod reading;
pub mod status;
pub mod text;
pub mod workload;

use ratatui::Frame;

use super::layout;
use super::state::{App, Load, Overlay, Screen};
use super::theme::spinner;
use crate::model::Status;

/// The mark for `status`: a spinner while an `unknown` may only be not loaded yet.
pub fn icon(app: &App, status: Status) -> &'static str {
    if app.awaiting(status) {
        spinner(app.tick)
    } else {
        status.icon()
    }
}

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    let parts = layout::frame(area);
    header::draw(f, parts.header, app);
    match (&app.report, &app.load, &app.screen) {
        (None, Load::Failed(e), _) => status::failed(f, parts.body, app, e),
        (None, _, _) => status::loading(f, parts.body, app),
        (Some(report), _, Screen::List) => list::draw(f, parts.body, app, report),
        (Some(_), _, Screen::Workload(view)) => workload::draw(f, parts.body, app, view),
    }
    if app.wizard.is_some() {
        crate::tui::wizard::view::draw(f, parts.body, app);
    }
    footer::draw(f, parts.footer, app);
    footer::draw_toast(f, parts.footer, app);
    match &app.overlay {
        Some(Overlay::Help { scroll }) => overlay::help(f, area, app, *scroll),
        Some(Overlay::Commands {
            title,
            commands,
            scroll,
        }) => overlay::commands(f, area, app, title, commands, *scroll),
        Some(Overlay::Explain { scroll, .. } | Overlay::Whole { scroll, .. }) => {
            reading::draw(f, area, app, *scroll)
        }
        Some(Overlay::Fix { .. }) => fix::draw(f, area, app),
        Some(Overlay::Choose { .. }) => choose::draw(f, area, app),
        None => {}
    }
}
