//! What the TUI screen tests share: apps reached through the update function (as a user's
//! keys would), drawing to a TestBackend, reading a screen back as text, and the snapshots in
//! `tests/tui_snapshots/`. Included with `#[path]` by tests/tui_screens.rs and
//! tests/tui_screen_colours.rs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kubectl_irsa::app::{self, Source};
use kubectl_irsa::diagnose::Selection;
use kubectl_irsa::tui::state::Screen;
use kubectl_irsa::tui::update::update;
use kubectl_irsa::tui::{App, Msg, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "tui_app.rs"]
pub mod tui_app;
pub use tui_app::started as new_app;

pub fn scenario(name: &str) -> Source {
    Source::Offline(vec![
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/scenarios")
            .join(name)
            .join("bundle"),
    ])
}

pub fn loaded_from(source: &Source, color: bool, width: u16, height: u16) -> App {
    loaded_with(source, &Selection::default(), color, width, height)
}

pub fn loaded_with(source: &Source, sel: &Selection, color: bool, width: u16, height: u16) -> App {
    tui_app::with_report(app::doctor(source, sel).unwrap(), color, width, height)
}

pub fn demo(width: u16, height: u16) -> App {
    loaded_from(&Source::Demo, true, width, height)
}

pub fn press(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Opens the first workload whose text matches `filter`.
pub fn open(app: &mut App, filter: &str) {
    press(app, KeyCode::Char('/'));
    typed(app, filter);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
    assert!(
        matches!(app.screen, Screen::Workload(_)),
        "{filter}: nothing opened"
    );
}

pub fn draw(app: &App) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal.backend().buffer().clone()
}

pub fn row_text(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol())
        .collect::<String>()
        .trim_end()
        .to_string()
}

pub fn screen_text(buf: &Buffer) -> String {
    (0..buf.area.height)
        .map(|y| row_text(buf, y) + "\n")
        .collect()
}

pub fn snapshot(name: &str, buf: &Buffer) {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tui_snapshots")
        .join(format!("{name}.txt"));
    let actual = screen_text(buf);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run UPDATE_SNAPSHOTS=1 cargo test --test tui_screens\n{actual}",
            path.display()
        )
    });
    assert_eq!(actual, expected, "screen {name} changed:\n{actual}");
}
