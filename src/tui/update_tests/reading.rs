//! The text overlays: `e` (a finding's explanation, Tab through the link's codes) and `v` (the
//! screen's cut texts whole), opened, scrolled and closed through the update function.

use super::*;
use crate::tui::keys::Place;
use crate::tui::layout;
use crate::tui::list_model::workload_ref;
use crate::tui::state::Tone;
use crate::tui::view::{detail, overlay};

fn resized(app: &mut App, width: u16, height: u16) {
    update(app, Msg::Resize { width, height });
}

fn explained(app: &App) -> (Vec<&'static str>, usize) {
    match &app.overlay {
        Some(Overlay::Explain { codes, index, .. }) => (codes.clone(), *index),
        other => panic!("no explanation open: {other:?}"),
    }
}

/// An app that has loaded one of tests/scenarios' bundles.
fn loaded_scenario(name: &str) -> App {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name)
        .join("bundle");
    let report = app::doctor(&Source::Offline(vec![dir]), &Selection::default()).unwrap();
    let mut app = App::new("test", false, Scope::All, Theme { color: true });
    start(&mut app);
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Ok(report),
        },
    );
    app
}

#[test]
fn e_explains_the_broken_links_finding_scrolls_and_esc_closes() {
    let mut app = loaded(false);
    resized(&mut app, 80, 24);
    open(&mut app, "flyte-backend");
    assert_eq!(app.current_link(), Some(LinkName::Trust));
    send(&mut app, [key('e')]);
    assert_eq!(app.place(), Place::Reading);
    assert_eq!(explained(&app), (vec!["TRUST_CONDITION_KEY_PREFIX"], 0));
    send(&mut app, [code(KeyCode::End)]);
    let max = overlay::max_scroll(&app);
    assert!(max > 0, "an explanation is longer than 24 rows");
    assert!(matches!(app.overlay, Some(Overlay::Explain { scroll, .. }) if scroll == max));
    send(&mut app, [code(KeyCode::Esc)]);
    assert!(app.overlay.is_none());
    assert_eq!(app.place(), Place::Chain, "Esc closes the overlay only");
}

#[test]
fn e_on_a_link_without_findings_says_so() {
    let mut app = loaded(false);
    open(&mut app, "langflow");
    let w = app.current_workload().unwrap();
    let quiet = w.links.iter().position(|l| l.findings.is_empty()).unwrap();
    let Screen::Workload(view) = &mut app.screen else {
        unreachable!()
    };
    view.link = quiet;
    send(&mut app, [key('e')]);
    assert!(app.overlay.is_none());
    assert!(app.toast.as_ref().unwrap().text.contains("no findings"));
}

#[test]
fn e_explains_the_finding_at_the_top_of_the_pane_and_tab_the_next() {
    let mut app = loaded_scenario("pi-target-role-no-tagsession");
    resized(&mut app, 80, 24);
    open(&mut app, "billing");
    assert_eq!(app.current_link(), Some(LinkName::Trust));
    send(&mut app, [key('e')]);
    let (codes, index) = explained(&app);
    assert_eq!(codes, ["TRUST_POD_IDENTITY_UNSCOPED", "TARGET_ROLE_TRUST"]);
    assert_eq!(index, 0, "unscrolled: the first finding");
    send(&mut app, [code(KeyCode::Tab)]);
    assert_eq!(explained(&app).1, 1);
    send(&mut app, [code(KeyCode::Tab)]);
    assert_eq!(explained(&app).1, 0, "Tab wraps around");
    send(&mut app, [code(KeyCode::Esc)]);

    // Scroll the detail pane until the second finding's code line is its top row.
    let links = app.current_workload().unwrap().links.len();
    let width = layout::detail_inner(&app, links).0;
    let row = detail::lines(&app, width)
        .iter()
        .position(|l| {
            l.spans
                .iter()
                .any(|s| s.content.contains("TARGET_ROLE_TRUST · e explains"))
        })
        .unwrap();
    send(&mut app, [code(KeyCode::Enter)]);
    send(&mut app, (0..row).map(|_| code(KeyCode::Down)));
    assert!(
        matches!(&app.screen, Screen::Workload(v) if v.scroll as usize == row),
        "the pane scrolls that far at 80x24"
    );
    send(&mut app, [key('e')]);
    assert_eq!(explained(&app).1, 1, "the finding at the top of the pane");
}

#[test]
fn v_shows_a_failed_stage_whole_before_any_report() {
    let mut app = App::new("test", true, Scope::All, Theme { color: true });
    start(&mut app);
    let why = format!("AccessDenied: {} end", "x ".repeat(200));
    update(
        &mut app,
        Msg::Load {
            generation: 1,
            event: LoadEvent::Stage(Stage::Iam, StageState::Failed(why.clone())),
        },
    );
    send(&mut app, [key('v')]);
    let Some(Overlay::Whole { lines, .. }) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert!(
        lines.contains(&(Tone::Error, format!("IAM: {why}"))),
        "{lines:?}"
    );
    send(&mut app, [key('q')]);
    assert!(app.overlay.is_none() && !app.quit, "q closes the overlay");
}

#[test]
fn v_shows_the_open_links_findings_and_a_proof_whole() {
    let mut app = loaded(true);
    open(&mut app, "notebook");
    let w = app.current_workload().unwrap().clone();
    let refused = format!(
        "STS refused: AccessDenied: {}",
        "Not authorized ".repeat(20)
    );
    app.proofs.insert(
        workload_ref(&w),
        ProofState::Done {
            text: refused.clone(),
            ok: false,
        },
    );
    send(&mut app, [key('v')]);
    let Some(Overlay::Whole { lines, .. }) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    let has = |tone: Tone, text: &str| lines.iter().any(|(t, l)| *t == tone && l == text);
    assert!(has(Tone::Error, &refused), "{lines:?}");
    let link = w.link(LinkName::Trust).unwrap();
    assert!(has(Tone::Text, &link.summary));
    for f in &link.findings {
        assert!(
            has(Tone::Title, f.code) && has(Tone::Text, &f.message),
            "{}",
            f.code
        );
    }
    let doc = link.findings[0]
        .evidence
        .iter()
        .find_map(|e| e.document.as_ref())
        .unwrap();
    for l in doc.lines() {
        assert!(has(Tone::Literal, l), "{l}");
    }
}
