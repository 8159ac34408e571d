//! Screen snapshots of the setup wizard (issue 12) on the Langflow seed bundle, reached through
//! the update function as a user's keys reach them (`w` on the list, Enter, Space, typing):
//! screen 2 (the recommended mechanism and its reasons), screen 3 (the roles that could serve,
//! and what each needs), screen 6 (the review: the plan's steps with their diffs, the command
//! line, drawn in the danger style). Each is compared with `tests/tui_snapshots/NAME.txt`
//! (`UPDATE_SNAPSHOTS=1 cargo test --test tui_wizard_screens` rewrites them) and checked for
//! colour as every screen is (tests/tui_screen_colours.rs): no grey, no background fill, dim
//! text in the default colour, bold yellow; with NO_COLOR no colour at all.

use kubectl_irsa::app;
use kubectl_irsa::app::setup::SetupFacts;
use kubectl_irsa::plan::fix::FixOutcome;
use kubectl_irsa::plan::setup::plan_setup;
use kubectl_irsa::tui::message::{Planned, WizardNews, WizardWork};
use kubectl_irsa::tui::update::update;
use kubectl_irsa::tui::{App, Msg, Work};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};

#[path = "support/tui_screen.rs"]
#[allow(unused_imports)]
mod tui_screen;
use tui_screen::*;

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";

fn enter(app: &mut App) -> Vec<Work> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    )
}

/// The three screens, drawn with colour or without.
fn screens(color: bool) -> Vec<(&'static str, Buffer)> {
    let source = scenario("seed-langflow");
    let snapshot = app::gather(&source).unwrap();
    let mut app = loaded_from(&source, color, 100, 40);
    press(&mut app, KeyCode::Char('w'));
    let id = app.fix_id;
    let facts = SetupFacts::new("langflow", snapshot.clone());
    let news = WizardNews::Facts(Ok(facts));
    update(&mut app, Msg::Wizard { id, news });
    let mut out = Vec::new();
    enter(&mut app);
    out.push(("wizard-2-mechanism", draw(&app)));
    enter(&mut app);
    out.push(("wizard-3-role", draw(&app)));
    // A new role (named as proposed), Bedrock for one model, no region: the review.
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    enter(&mut app);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Down);
    typed(&mut app, HAIKU);
    enter(&mut app);
    let work = enter(&mut app);
    let [Work::Wizard(WizardWork::Plan { id, request })] = work.as_slice() else {
        panic!("{work:?}")
    };
    // Made at a fixed time, so the screen does not change from run to run.
    let at = jiff::Timestamp::from_second(1_767_225_600).unwrap();
    let label = "setup langflow/langflow-sa";
    let planned = plan_setup(&snapshot, request, "20260101T000000Z-00001", label, at).unwrap();
    let FixOutcome::Ready { plan, .. } = planned.outcome else {
        panic!("{:?}", planned.outcome)
    };
    let news = WizardNews::Planned(Ok(Planned::Ready {
        plan: Box::new(plan),
        undoes: None,
    }));
    update(&mut app, Msg::Wizard { id: *id, news });
    out.push(("wizard-6-review", draw(&app)));
    for _ in 0..10 {
        press(&mut app, KeyCode::PageDown);
    }
    out.push(("wizard-6-review-end", draw(&app)));
    out
}

#[test]
fn the_mechanism_role_and_review_screens() {
    let screens = screens(true);
    let text = |i: usize| screen_text(&screens[i].1);
    let mechanism = text(0);
    for expected in [
        "setup · 2 of 6 · mechanism",
        "How does langflow/langflow-sa get its credentials?",
        "(•) IRSA",
        "recommended",
        "the service account already uses IRSA role LangflowBedrockRole",
        "the cluster's OIDC provider is registered in IAM",
        "exist only in IRSA",
    ] {
        assert!(
            mechanism.contains(expected),
            "{expected:?} in:\n{mechanism}"
        );
    }
    let role = text(1);
    for expected in [
        "( ) a new role",
        "langflow-prod-langflow-langflow-sa",
        "(•) LangflowBedrockRole",
        "ready: it trusts this service account",
    ] {
        assert!(role.contains(expected), "{expected:?} in:\n{role}");
    }
    // The first page and, scrolled to the end, the last.
    let review = text(2) + &text(3);
    for expected in [
        "setup · 6 of 6 · review — Enter applies, Esc goes back",
        "plan 20260101T000000Z-00001: 4 steps, proven in memory",
        "1. iam create-role",
        "\"system:serviceaccount:langflow:langflow-sa\"",
        "put-role-policy",
        "\"bedrock:InvokeModel\"",
        "4. kubernetes rollout-restart Deployment langflow/langflow",
        "$ kubectl rollout restart deployment langflow -n langflow",
        "kubectl irsa setup -n langflow --service-account langflow-sa --workload",
        "offline bundle or the demo: Enter does not apply it",
    ] {
        assert!(review.contains(expected), "{expected:?} in:\n{review}");
    }
    // The review is the danger style: a red border, as the fix dialog's.
    let buf = &screens[2].1;
    assert_eq!(buf[(0, 1)].fg, Color::Red, "{review}");
    assert_ne!(screens[0].1[(0, 1)].fg, Color::Red);
    for (name, buf) in &screens {
        snapshot(name, buf);
    }
}

#[test]
fn no_wizard_screen_is_grey_or_filled_and_no_color_has_no_colour() {
    for (name, buf) in screens(true) {
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                let c = &buf[(x, y)];
                let at = || format!("{name} at {x},{y}: {}", row_text(&buf, y));
                assert!(
                    !matches!(c.fg, Color::DarkGray | Color::Gray),
                    "grey, {}",
                    at()
                );
                assert_eq!(c.bg, Color::Reset, "background fill, {}", at());
                if c.modifier.contains(Modifier::DIM) {
                    assert_eq!(c.fg, Color::Reset, "coloured dim text, {}", at());
                }
                if c.fg == Color::Yellow {
                    assert!(
                        c.modifier.contains(Modifier::BOLD),
                        "faint yellow, {}",
                        at()
                    );
                }
            }
        }
    }
    for (name, buf) in screens(false) {
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                let c = &buf[(x, y)];
                assert_eq!(
                    (c.fg, c.bg),
                    (Color::Reset, Color::Reset),
                    "{name} at {x},{y}"
                );
            }
        }
    }
}
