//! Screen snapshots of the TUI's main states, drawn with ratatui's TestBackend from states
//! reached through the update function (as a user's keys would): the list, a healthy chain,
//! every kind of broken link, a warning, loading, an error, help, commands, a filter; at
//! 80x24 and wider. Each screen's text is compared with `tests/tui_snapshots/NAME.txt`
//! (`UPDATE_SNAPSHOTS=1 cargo test --test tui_screens` rewrites them after a deliberate
//! change); in the chain, red marks the broken links and nothing else. Colours and escaping on
//! every screen are checked in tests/tui_screen_colours.rs.

use kubectl_irsa::app::Source;
use kubectl_irsa::app::watched::{LoadEvent, Stage, StageState};
use kubectl_irsa::diagnose::Selection;
use kubectl_irsa::model::Status;
use kubectl_irsa::model::report::RequestedAction;
use kubectl_irsa::tui::layout;
use kubectl_irsa::tui::update::update;
use kubectl_irsa::tui::{App, Msg};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::style::Color;

#[path = "support/tui_screen.rs"]
mod tui_screen;
use tui_screen::*;

fn is_red(buf: &Buffer, y: u16, area: Rect) -> bool {
    (area.x..area.right()).any(|x| buf[(x, y)].fg == Color::Red)
}

/// The chain box's rows: each link's row is red exactly when the link is broken.
fn assert_only_broken_links_red(app: &App, buf: &Buffer) {
    let w = app.current_workload().unwrap();
    let folded = layout::chain_folded(app);
    let outer = layout::workload(layout::frame(buf.area).body, w.links.len(), folded).chain;
    // Inside the box's border; the folded chain has none.
    let area = if folded {
        outer
    } else {
        Rect::new(outer.x + 1, outer.y + 1, outer.width - 2, outer.height - 2)
    };
    if folded {
        assert_folded_chain_colours(buf, area);
        return;
    }
    let mut red_rows = 0;
    for y in area.y..area.bottom() {
        let text = row_text(buf, y);
        // The link's name is the first word that names a link (the summary may name others).
        let link = text
            .split_whitespace()
            .find_map(|word| w.links.iter().find(|l| l.link.as_str() == word));
        match link {
            Some(l) => {
                assert_eq!(
                    is_red(buf, y, area),
                    l.status == Status::Broken,
                    "link {} ({}) red = {} in row {text:?}",
                    l.link,
                    l.status,
                    is_red(buf, y, area)
                );
                red_rows += usize::from(l.status == Status::Broken);
            }
            None => assert!(!is_red(buf, y, area), "red outside the links: {text:?}"),
        }
    }
    let broken = w
        .links
        .iter()
        .filter(|l| l.status == Status::Broken)
        .count();
    assert_eq!(red_rows, broken, "every broken link has a red row");
}

/// The folded chain (one line, links joined by `─`): a link's cells are red exactly when its
/// icon says broken.
fn assert_folded_chain_colours(buf: &Buffer, area: Rect) {
    let y = area.y;
    let mut segment = (String::new(), false);
    let mut segments = Vec::new();
    for x in area.x..area.right() {
        let cell = &buf[(x, y)];
        if cell.symbol() == "─" {
            segments.push(std::mem::take(&mut segment));
            continue;
        }
        segment.0.push_str(cell.symbol());
        segment.1 |= cell.fg == Color::Red;
    }
    segments.push(segment);
    assert!(segments.len() >= 8, "{segments:?}");
    for (text, red) in segments {
        assert_eq!(text.contains('✘'), red, "{text:?}");
    }
}

#[test]
fn the_list_at_80x24() {
    let app = demo(80, 24);
    let buf = draw(&app);
    snapshot("list-80x24", &buf);
    // Broken workloads are red, the healthy one is not.
    for y in 0..buf.area.height {
        let text = row_text(&buf, y);
        if text.starts_with('✘') {
            assert_eq!(buf[(0, y)].fg, Color::Red, "{text}");
        }
        if text.starts_with('✔') {
            assert_eq!(buf[(0, y)].fg, Color::Green, "{text}");
        }
    }
}

#[test]
fn the_list_wide_shows_whole_names() {
    let buf = draw(&demo(140, 30));
    snapshot("list-140x30", &buf);
    assert!(screen_text(&buf).contains("deploy/flyte-backend-flyte-binary"));
}

#[test]
fn a_healthy_chain() {
    let mut app = demo(80, 24);
    open(&mut app, "langflow");
    let buf = draw(&app);
    snapshot("chain-healthy", &buf);
    assert_only_broken_links_red(&app, &buf);
}

#[test]
fn broken_links_of_the_demo() {
    for (name, filter) in [
        ("chain-broken-trust-condition-key", "flyte-backend"),
        ("chain-broken-trust-sub-mismatch", "notebook"),
        ("chain-broken-trust-pod-identity", "ml-pipeline"),
        ("chain-broken-injection", "tlm"),
        ("chain-broken-association", "enbuild-ai"),
        ("chain-warning-task-pod", "flytesnacks"),
    ] {
        let mut app = demo(100, 40);
        open(&mut app, filter);
        let buf = draw(&app);
        snapshot(name, &buf);
        assert_only_broken_links_red(&app, &buf);
    }
}

#[test]
fn broken_links_of_other_scenarios() {
    for (scenario_name, link) in [
        ("sa-missing-typo", "service-account"),
        ("annotation-key-typo", "annotation"),
        ("role-not-found", "role"),
        ("oidc-provider-missing", "oidc-provider"),
        ("pi-agent-not-installed", "agent"),
        ("permissions-explicit-deny", "permissions"),
    ] {
        // As `kubectl irsa --offline DIR --action s3:GetObject --resource ...` would.
        let actions = if link == "permissions" {
            vec![RequestedAction {
                action: "s3:GetObject".into(),
                resource: "arn:aws:s3:::orders-archive/restricted/q3.csv".into(),
            }]
        } else {
            Vec::new()
        };
        let sel = Selection {
            actions,
            ..Selection::default()
        };
        let mut app = loaded_with(&scenario(scenario_name), &sel, true, 100, 40);
        press(&mut app, KeyCode::Enter);
        assert_eq!(
            app.current_link().map(|l| l.as_str()),
            Some(link),
            "{scenario_name} opens at its broken link"
        );
        let buf = draw(&app);
        snapshot(&format!("chain-broken-{link}"), &buf);
        assert_only_broken_links_red(&app, &buf);
    }
}

#[test]
fn the_failing_trust_lines_are_highlighted() {
    let mut app = demo(100, 40);
    open(&mut app, "notebook");
    let buf = draw(&app);
    let marked: Vec<u16> = (0..buf.area.height)
        .filter(|&y| row_text(&buf, y).contains('▶'))
        .collect();
    assert!(!marked.is_empty(), "{}", screen_text(&buf));
    for y in marked {
        let text = row_text(&buf, y);
        let col = text.chars().position(|c| c == '│').unwrap() as u16;
        // The policy text after the line number is drawn red.
        assert!(
            (col + 2..buf.area.width).any(|x| buf[(x, y)].fg == Color::Red),
            "{text}"
        );
    }
}

#[test]
fn reading_the_detail_pane_on_a_small_terminal_folds_the_chain() {
    let mut app = demo(80, 24);
    open(&mut app, "flyte-backend");
    press(&mut app, KeyCode::Enter);
    let buf = draw(&app);
    snapshot("detail-focused-80x24", &buf);
    assert_only_broken_links_red(&app, &buf);
}

#[test]
fn loading_shows_a_line_per_source() {
    let mut app = new_app(true, 80, 24);
    for event in [
        LoadEvent::Stage(
            Stage::Kubernetes,
            StageState::Done("3 pods, 2 service accounts".into()),
        ),
        LoadEvent::Stage(Stage::Sts, StageState::Done("account 123456789012".into())),
        LoadEvent::Stage(Stage::Eks, StageState::Running),
    ] {
        update(
            &mut app,
            Msg::Load {
                generation: 1,
                event,
            },
        );
    }
    snapshot("loading", &draw(&app));
}

#[test]
fn a_failed_load_is_an_error_screen() {
    let mut app = new_app(true, 80, 24);
    update(
        &mut app,
        Msg::Loaded {
            generation: 1,
            result: Err(
                "cannot reach the Kubernetes API server https://127.0.0.1:1: connection refused"
                    .into(),
            ),
        },
    );
    let buf = draw(&app);
    snapshot("error", &buf);
    let text = screen_text(&buf);
    assert!(text.contains("Could not load") && text.contains("https://127.0.0.1:1"));
    assert!(!text.contains("filter"), "no list keys without a list");
}

#[test]
fn help_lists_every_key() {
    let mut app = demo(100, 40);
    press(&mut app, KeyCode::Char('?'));
    let buf = draw(&app);
    snapshot("help", &buf);
}

#[test]
fn commands_for_the_broken_link() {
    let mut app = demo(100, 30);
    open(&mut app, "flyte-backend");
    press(&mut app, KeyCode::Char('y'));
    snapshot("commands", &draw(&app));
}

#[test]
fn a_filter_narrows_the_list() {
    let mut app = demo(80, 24);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "trust");
    snapshot("filter", &draw(&app));
}

#[test]
fn no_color_draws_no_colour_but_keeps_the_icons() {
    let mut app = loaded_from(&Source::Demo, false, 100, 40);
    let list = draw(&app);
    open(&mut app, "flyte-backend");
    let chain = draw(&app);
    for buf in [&list, &chain] {
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                let c = &buf[(x, y)];
                assert_eq!(
                    (c.fg, c.bg),
                    (Color::Reset, Color::Reset),
                    "colour at {x},{y}: {}",
                    row_text(buf, y)
                );
            }
        }
    }
    assert!(screen_text(&chain).contains("✘ trust"));
}

/// Text as it flows through wrapped rows: no whitespace, borders or continuation marks.
fn flowing(text: &str) -> String {
    text.chars()
        .filter(|&c| !c.is_whitespace() && !('\u{2500}'..='\u{259f}').contains(&c) && c != '↪')
        .collect()
}

/// Everything a text overlay holds, read page by page.
fn overlay_text(app: &mut App) -> String {
    let mut all = screen_text(&draw(app));
    for _ in 0..200 {
        let before = screen_text(&draw(app));
        press(app, KeyCode::PageDown);
        let after = screen_text(&draw(app));
        if after == before {
            break;
        }
        all.push_str(&after);
    }
    all
}

#[test]
fn e_explains_the_finding_as_kubectl_irsa_explain_does() {
    let mut app = demo(100, 40);
    open(&mut app, "flyte-backend");
    press(&mut app, KeyCode::Char('e'));
    let buf = draw(&app);
    snapshot("explain", &buf);
    let text = screen_text(&buf);
    assert!(
        text.contains(" explain TRUST_CONDITION_KEY_PREFIX "),
        "{text}"
    );
    assert!(text.contains("Esc close"), "{text}");
    let all = flowing(&overlay_text(&mut app));
    let e = kubectl_irsa::model::explain::find("TRUST_CONDITION_KEY_PREFIX").unwrap();
    for part in [e.meaning, e.detection]
        .into_iter()
        .chain(e.symptoms.iter().copied())
        .chain(e.fix.iter().copied())
        .chain(e.docs.iter().copied())
    {
        assert!(all.contains(&flowing(part)), "not shown: {part}");
    }
    press(&mut app, KeyCode::Esc);
    let text = screen_text(&draw(&app));
    assert!(!text.contains("What it means"), "{text}");
    assert!(
        text.contains("TRUST_CONDITION_KEY_PREFIX · e explains"),
        "{text}"
    );
}

#[test]
fn v_shows_whole_what_the_screen_cuts() {
    let mut app = demo(80, 24);
    open(&mut app, "flyte-backend");
    let w = app.current_workload().unwrap().clone();
    let link = w.links.iter().find(|l| l.link.as_str() == "trust").unwrap();
    let chain = screen_text(&draw(&app));
    assert!(
        chain
            .lines()
            .any(|l| l.contains(" trust ") && l.ends_with('…')),
        "the chain cuts the trust summary at 80 columns:\n{chain}"
    );
    let toast = format!(
        "proof of {}/{}: STS refused: AccessDenied: {}",
        w.namespace,
        w.name,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity ".repeat(3)
    );
    kubectl_irsa::tui::update::toast(
        &mut app,
        toast.clone(),
        kubectl_irsa::tui::state::ToastLevel::Error,
    );
    press(&mut app, KeyCode::Char('v'));
    snapshot("whole-text", &draw(&app));
    let all = flowing(&overlay_text(&mut app));
    let mut wanted = vec![link.summary.clone(), toast];
    wanted.extend(w.role_arn.clone());
    for f in &link.findings {
        wanted.push(f.message.clone());
        for e in &f.evidence {
            wanted.extend(e.value.clone());
            wanted.extend(
                e.document
                    .iter()
                    .flat_map(|d| d.lines().map(str::to_string)),
            );
        }
    }
    for text in wanted {
        assert!(all.contains(&flowing(&text)), "not shown whole: {text}");
    }
}

/// The plan for `target` in `namespace` of `source`, made at a fixed time so the screen does
/// not change from run to run.
fn plan_of(
    source: &Source,
    namespace: &str,
    target: kubectl_irsa::diagnose::Target,
    label: &str,
) -> kubectl_irsa::model::plan::Plan {
    use kubectl_irsa::plan::fix::{FixOutcome, plan_fix};
    let snapshot = kubectl_irsa::app::gather(source).unwrap();
    let selection = Selection {
        namespace: Some(namespace.into()),
        target: Some(target),
        ..Selection::default()
    };
    let at = jiff::Timestamp::from_second(1_767_225_600).unwrap();
    match plan_fix(
        &snapshot,
        &selection,
        "20260101T000000Z-00001",
        label,
        at,
        None,
    )
    .unwrap()
    {
        FixOutcome::Ready { plan, .. } => plan,
        other => panic!("{other:?}"),
    }
}

/// `f` on the open workload, answered with `plan`: the dialog is open.
fn fix_dialog(app: &mut App, plan: &kubectl_irsa::model::plan::Plan) {
    use kubectl_irsa::tui::message::Planned;
    press(app, KeyCode::Char('f'));
    let id = app.fix_id;
    update(
        app,
        Msg::Planned {
            id,
            result: Ok(Planned::Ready {
                plan: Box::new(plan.clone()),
                undoes: None,
            }),
        },
    );
}

#[test]
fn the_fix_dialog_is_red_and_shows_each_step_and_its_command() {
    use kubectl_irsa::diagnose::Target;
    use kubectl_irsa::model::workload::WorkloadKind;
    let mut app = demo(100, 40);
    open(&mut app, "tlm-chat-backend");
    let plan = plan_of(
        &Source::Demo,
        "tlm",
        Target::Workload(WorkloadKind::Deployment, "tlm-chat-backend".into()),
        "deploy/tlm-chat-backend",
    );
    fix_dialog(&mut app, &plan);
    let buf = draw(&app);
    let (area, _) = kubectl_irsa::tui::view::fix::boxed(&app, buf.area).unwrap();
    // The whole border is red: Enter writes to the cluster.
    for y in area.y..area.bottom() {
        for x in [area.x, area.right() - 1] {
            assert_eq!(buf[(x, y)].fg, Color::Red, "border at {x},{y}");
        }
    }
    for x in area.x..area.right() {
        assert_eq!(buf[(x, area.y)].fg, Color::Red, "top border at {x}");
        assert_eq!(
            buf[(x, area.bottom() - 1)].fg,
            Color::Red,
            "bottom border at {x}"
        );
    }
    let text = screen_text(&buf);
    assert!(
        row_text(&buf, area.y).contains("fix: 1 step — Enter applies, Esc cancels"),
        "{text}"
    );
    assert!(
        text.contains("1. kubernetes rollout-restart Deployment tlm/tlm-chat-backend"),
        "{text}"
    );
    assert!(
        text.contains("$ kubectl rollout restart deployment tlm-chat-backend -n tlm"),
        "{text}"
    );
    assert!(
        text.contains("kubectl irsa fix deploy/tlm-chat-backend -n tlm --dry-run"),
        "{text}"
    );
    snapshot("fix-dialog", &buf);
}

/// A trust fix: the old document's lines in red, the new one's in green, then the command.
#[test]
fn the_fix_dialog_shows_a_documents_change_as_a_diff() {
    use kubectl_irsa::diagnose::Target;
    let source = scenario("trust-sub-typo-kubeflow");
    let mut app = loaded_from(&source, true, 110, 40);
    press(&mut app, KeyCode::Enter);
    let plan = plan_of(
        &source,
        "kubeflow-user-a",
        Target::ServiceAccount("default-viewer".into()),
        "sa/default-viewer",
    );
    assert!(
        plan.steps.iter().any(|s| s.action == "update-trust-policy"),
        "{plan:?}"
    );
    fix_dialog(&mut app, &plan);
    let buf = draw(&app);
    let (area, _) = kubectl_irsa::tui::view::fix::boxed(&app, buf.area).unwrap();
    let text = screen_text(&buf);
    // The diff's lines start 5 cells into the box: `-` removed, `+` added, ` ` kept.
    let x = area.x + 1 + 5;
    let marked = |mark: &str| -> Vec<u16> {
        (area.y + 1..area.bottom() - 1)
            .filter(|&y| {
                let rest: String = row_text(&buf, y).chars().skip(x as usize).collect();
                rest.starts_with(mark) && !rest.starts_with(&mark.repeat(3))
            })
            .collect()
    };
    let (removed, added) = (marked("-"), marked("+"));
    assert!(!removed.is_empty() && !added.is_empty(), "{text}");
    for y in removed {
        assert_eq!(buf[(x, y)].fg, Color::Red, "row {y}:\n{text}");
    }
    for y in added {
        assert_eq!(buf[(x, y)].fg, Color::Green, "row {y}:\n{text}");
    }
    // The kept lines keep the document's indentation.
    assert!(
        text.contains("│            \"Action\": \"sts:AssumeRoleWithWebIdentity\","),
        "{text}"
    );
    assert!(
        screen_text(&buf).contains("$ aws iam update-assume-role-policy"),
        "{}",
        screen_text(&buf)
    );
}
