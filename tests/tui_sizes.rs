//! The TUI at every terminal size a user can make, from 1x1 up: each screen (loading, error,
//! list, filter, chain, detail, help, commands) is drawn after a resize and must neither panic
//! nor draw outside the frame, and at 80x24 and above the header and the footer are whole lines.
//! Drawn with ratatui's TestBackend from states reached through the update function.

use std::sync::OnceLock;

use kubectl_irsa::app::{self, Source};
use kubectl_irsa::diagnose::Selection;
use kubectl_irsa::model::Report;
use kubectl_irsa::tui::update::update;
use kubectl_irsa::tui::{App, Msg, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[path = "support/tui_app.rs"]
mod tui_app;

fn press(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn loaded(width: u16, height: u16) -> App {
    static DEMO: OnceLock<Report> = OnceLock::new();
    let report = DEMO.get_or_init(|| app::doctor(&Source::Demo, &Selection::default()).unwrap());
    tui_app::with_report(report.clone(), true, width, height)
}

/// Each screen a user can reach, by the keys that reach it from the list.
const SCREENS: &[(&str, &[KeyCode])] = &[
    ("list", &[]),
    ("filter", &[KeyCode::Char('/'), KeyCode::Char('t')]),
    ("chain", &[KeyCode::Down, KeyCode::Enter]),
    (
        "detail",
        &[KeyCode::Down, KeyCode::Enter, KeyCode::Enter, KeyCode::End],
    ),
    ("help", &[KeyCode::Char('?'), KeyCode::PageDown]),
    ("commands", &[KeyCode::Enter, KeyCode::Char('y')]),
];

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    let buf = terminal.backend().buffer();
    (0..height)
        .map(|y| (0..width).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every screen at `width`x`height`, also after resizing to it from 100x40 (the state's
/// scroll positions were made for the bigger screen).
fn every_screen_at(width: u16, height: u16) {
    for (name, keys) in SCREENS {
        for from_bigger in [false, true] {
            let mut app = loaded(if from_bigger { 100 } else { width }, 40.max(height));
            if !from_bigger {
                update(&mut app, Msg::Resize { width, height });
            }
            for k in *keys {
                press(&mut app, *k);
            }
            update(&mut app, Msg::Resize { width, height });
            let text = std::panic::catch_unwind(|| draw(&app, width, height))
                .unwrap_or_else(|_| panic!("{name} panicked at {width}x{height}"));
            if width >= 80 && height >= 24 {
                let first = text.lines().next().unwrap_or_default();
                assert!(first.contains("kubectl-irsa"), "{name} {width}x{height}");
            }
        }
    }
}

#[test]
fn tiny_terminals_never_panic() {
    for width in 1..=24 {
        for height in 1..=12 {
            every_screen_at(width, height);
        }
    }
}

#[test]
fn usual_and_odd_sizes_never_panic() {
    for (w, h) in [
        (40, 10),
        (60, 15),
        (79, 23),
        (80, 24),
        (109, 33),
        (110, 34),
        (120, 40),
        (300, 5),
        (5, 200),
        (500, 150),
    ] {
        every_screen_at(w, h);
    }
}

#[test]
fn loading_and_error_screens_at_every_small_size() {
    for width in 1..=30 {
        for height in 1..=10 {
            let mut app = tui_app::started(false, width, height);
            draw(&app, width, height);
            update(
                &mut app,
                Msg::Loaded {
                    generation: 1,
                    result: Err("cannot reach the Kubernetes API server".into()),
                },
            );
            draw(&app, width, height);
        }
    }
}
