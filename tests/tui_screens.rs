//! Screen snapshots of the TUI's main states, drawn with ratatui's TestBackend from states
//! reached through the update function (as a user's keys would): the list, a healthy chain,
//! every kind of broken link, a warning, loading, an error, help, commands, a filter; at
//! 80x24 and wider. Each screen's text is compared with `tests/tui_snapshots/NAME.txt`
//! (`UPDATE_SNAPSHOTS=1 cargo test --test tui_screens` rewrites them after a deliberate
//! change); colours are checked cell by cell: in the chain, red marks the broken links and
//! nothing else; on every screen no cell is grey (DarkGray is invisible on Solarized Dark and
//! similar themes) or has a background, secondary text is the default foreground dimmed, and
//! yellow is always bold (plain yellow is faint on white); with NO_COLOR no cell has a colour.
//! Hostile values (terminal escapes, bidirectional and invisible characters) are shown escaped
//! on every screen, never dropped in part.

use std::path::{Path, PathBuf};

use kubectl_irsa::app::watched::{LoadEvent, Stage, StageState};
use kubectl_irsa::app::{self, Source};
use kubectl_irsa::diagnose::Selection;
use kubectl_irsa::model::report::RequestedAction;
use kubectl_irsa::model::{Report, Status};
use kubectl_irsa::terminal_text::needs_escape;
use kubectl_irsa::tui::layout;
use kubectl_irsa::tui::state::Screen;
use kubectl_irsa::tui::update::update;
use kubectl_irsa::tui::{App, Msg, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

fn scenario(name: &str) -> Source {
    Source::Offline(vec![
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/scenarios")
            .join(name)
            .join("bundle"),
    ])
}

#[path = "support/tui_app.rs"]
mod tui_app;
use tui_app::started as new_app;

fn loaded_from(source: &Source, color: bool, width: u16, height: u16) -> App {
    loaded_with(source, &Selection::default(), color, width, height)
}

fn loaded_with(source: &Source, sel: &Selection, color: bool, width: u16, height: u16) -> App {
    tui_app::with_report(app::doctor(source, sel).unwrap(), color, width, height)
}

fn demo(width: u16, height: u16) -> App {
    loaded_from(&Source::Demo, true, width, height)
}

fn press(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Opens the first workload whose text matches `filter`.
fn open(app: &mut App, filter: &str) {
    press(app, KeyCode::Char('/'));
    typed(app, filter);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
    assert!(
        matches!(app.screen, Screen::Workload(_)),
        "{filter}: nothing opened"
    );
}

fn draw(app: &App) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal.backend().buffer().clone()
}

fn row_text(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol())
        .collect::<String>()
        .trim_end()
        .to_string()
}

fn screen_text(buf: &Buffer) -> String {
    (0..buf.area.height)
        .map(|y| row_text(buf, y) + "\n")
        .collect()
}

fn snapshot(name: &str, buf: &Buffer) {
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

/// Every screen a user can reach on `source`'s report at 100x40, by the keys that reach it:
/// the list, a filter, each workload's chain with each of its links selected, its detail pane
/// focused and scrolled to the end, its commands; help; and the loading and error screens.
fn every_screen(source: &Source, color: bool) -> Vec<(String, Buffer)> {
    every_screen_of(&app::doctor(source, &Selection::default()).unwrap(), color)
}

/// [`every_screen`] for a report built by the test.
fn every_screen_of(report: &Report, color: bool) -> Vec<(String, Buffer)> {
    let fresh = || tui_app::with_report(report.clone(), color, 100, 40);
    let mut out = Vec::new();
    let mut app = fresh();
    out.push(("list".to_string(), draw(&app)));
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "trust");
    out.push(("filter".to_string(), draw(&app)));
    let mut app = fresh();
    press(&mut app, KeyCode::Char('?'));
    out.push(("help".to_string(), draw(&app)));
    for row in 0..report.workloads.len() {
        let mut app = fresh();
        for _ in 0..row {
            press(&mut app, KeyCode::Down);
        }
        press(&mut app, KeyCode::Enter);
        let w = app.current_workload().unwrap();
        let (name, links) = (format!("{}/{}", w.namespace, w.name), w.links.len());
        for link in 0..links {
            out.push((format!("{name} link {link}"), draw(&app)));
            press(&mut app, KeyCode::Down);
        }
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::End);
        out.push((format!("{name} detail"), draw(&app)));
        press(&mut app, KeyCode::Char('y'));
        out.push((format!("{name} commands"), draw(&app)));
    }
    let mut loading = new_app(color, 100, 40);
    update(
        &mut loading,
        Msg::Load {
            generation: 1,
            event: LoadEvent::Stage(Stage::Kubernetes, StageState::Done("3 pods".into())),
        },
    );
    out.push(("loading".to_string(), draw(&loading)));
    let mut error = new_app(color, 100, 40);
    update(
        &mut error,
        Msg::Loaded {
            generation: 1,
            result: Err("connection refused".into()),
        },
    );
    out.push(("error".to_string(), draw(&error)));
    out
}

/// The cells of the first occurrence of `needle` on screen, skipping spaces.
fn cells_of(buf: &Buffer, needle: &str) -> Vec<(u16, u16)> {
    for y in 0..buf.area.height {
        let mut text = String::new();
        let mut starts = Vec::new();
        for x in 0..buf.area.width {
            starts.push((text.len(), x));
            text.push_str(buf[(x, y)].symbol());
        }
        if let Some(at) = text.find(needle) {
            return starts
                .into_iter()
                .filter(|&(offset, x)| {
                    (at..at + needle.len()).contains(&offset) && buf[(x, y)].symbol() != " "
                })
                .map(|(_, x)| (x, y))
                .collect();
        }
    }
    panic!("{needle:?} is not on screen:\n{}", screen_text(buf));
}

fn is_secondary(buf: &Buffer, (x, y): (u16, u16)) -> bool {
    let c = &buf[(x, y)];
    c.fg == Color::Reset && c.modifier.contains(Modifier::DIM)
}

fn is_warning(buf: &Buffer, (x, y): (u16, u16)) -> bool {
    let c = &buf[(x, y)];
    c.fg == Color::Yellow && c.modifier.contains(Modifier::BOLD)
}

#[test]
fn no_screen_is_grey_or_filled_dim_text_keeps_the_default_colour_and_yellow_is_bold() {
    // The demo has broken, warning, ok and skipped links; the scenario adds unknown ones.
    let (mut dim, mut yellow) = (0, 0);
    for source in [Source::Demo, scenario("aws-data-missing")] {
        let screens = every_screen(&source, true);
        assert!(screens.len() > 10, "{} screens", screens.len());
        for (name, buf) in &screens {
            for y in 0..buf.area.height {
                for x in 0..buf.area.width {
                    let c = &buf[(x, y)];
                    let at = || format!("{name} at {x},{y}: {}", row_text(buf, y));
                    assert!(
                        !matches!(c.fg, Color::DarkGray | Color::Gray),
                        "grey text, {}",
                        at()
                    );
                    assert_eq!(c.bg, Color::Reset, "background fill, {}", at());
                    if c.modifier.contains(Modifier::DIM) {
                        assert_eq!(c.fg, Color::Reset, "coloured dim text, {}", at());
                        dim += 1;
                    }
                    if c.fg == Color::Yellow {
                        assert!(
                            c.modifier.contains(Modifier::BOLD),
                            "faint yellow, {}",
                            at()
                        );
                        yellow += 1;
                    }
                }
            }
        }
    }
    assert!(dim > 0 && yellow > 0, "dim {dim}, yellow {yellow}");
}

#[test]
fn secondary_text_is_the_default_foreground_dimmed() {
    let mut app = demo(100, 40);
    press(&mut app, KeyCode::Char('/'));
    typed(&mut app, "flytesnacks");
    let filter = draw(&app);
    assert!(
        cells_of(&filter, "1 of 8")
            .iter()
            .all(|&c| is_secondary(&filter, c))
    );

    let mut app = demo(100, 40);
    open(&mut app, "flytesnacks");
    let buf = draw(&app);
    for text in [
        "ns flytesnacks-development",
        "sa default",
        "TRUST_WIDE_WILDCARD",
        // A policy line's number and its rule.
        "1 │",
    ] {
        let cells = cells_of(&buf, text);
        assert!(!cells.is_empty());
        for c in cells {
            assert!(is_secondary(&buf, c), "{text:?} at {c:?}: {:?}", buf[c]);
        }
    }
    // The detail pane is not focused: its border is secondary too.
    assert!(is_secondary(&buf, cells_of(&buf, "┌ detail")[0]));

    // Links skipped after a broken one, and links that could not be judged.
    let mut app = demo(100, 40);
    open(&mut app, "enbuild-ai");
    let buf = draw(&app);
    let skipped = cells_of(&buf, "· injection        not checked");
    assert!(
        skipped.iter().all(|&c| is_secondary(&buf, c)),
        "{}",
        screen_text(&buf)
    );
    let mut app = loaded_from(&scenario("aws-data-missing"), true, 100, 40);
    open(&mut app, "orders");
    let buf = draw(&app);
    let unknown = cells_of(&buf, "? oidc-provider");
    assert!(
        unknown.iter().all(|&c| is_secondary(&buf, c)),
        "{}",
        screen_text(&buf)
    );
}

#[test]
fn warnings_are_bold_yellow() {
    let app = demo(100, 40);
    let list = draw(&app);
    assert!(
        cells_of(&list, "2 warning")
            .iter()
            .all(|&c| is_warning(&list, c))
    );
    let rows: Vec<u16> = (0..list.area.height)
        .filter(|&y| row_text(&list, y).starts_with('!'))
        .collect();
    assert_eq!(rows.len(), 2, "{}", screen_text(&list));
    for y in rows {
        assert!(is_warning(&list, (0, y)), "{}", row_text(&list, y));
    }

    let mut app = demo(100, 40);
    open(&mut app, "flytesnacks");
    let buf = draw(&app);
    // The trust link's row in the chain and the finding in the detail pane.
    assert!(
        cells_of(&buf, "! trust")
            .iter()
            .all(|&c| is_warning(&buf, c))
    );
    assert!(is_warning(
        &buf,
        cells_of(&buf, "! `system:serviceaccount")[0]
    ));
}

#[test]
fn no_color_has_no_colour_on_any_screen_and_keeps_warnings_plain() {
    for (name, buf) in every_screen(&Source::Demo, false) {
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                let c = &buf[(x, y)];
                assert_eq!(
                    (c.fg, c.bg),
                    (Color::Reset, Color::Reset),
                    "{name}: colour at {x},{y}: {}",
                    row_text(&buf, y)
                );
            }
        }
    }
    // As before the colour change: the `!` icon carries a warning, in the plain weight.
    let app = loaded_from(&Source::Demo, false, 100, 40);
    let list = draw(&app);
    let warning_row = (0..list.area.height)
        .find(|&y| row_text(&list, y).starts_with('!'))
        .unwrap();
    assert!(!list[(0, warning_row)].modifier.contains(Modifier::BOLD));
}

/// The screen's text with the layout taken out (spaces, borders, gutters), so a value wrapped
/// over two rows reads as one.
fn flowing_text(buf: &Buffer) -> String {
    screen_text(buf)
        .chars()
        .filter(|&c| !c.is_whitespace() && !('\u{2500}'..='\u{259f}').contains(&c) && c != '▶')
        .collect()
}

/// Every occurrence of `rest` in `text` comes right after the escaped ESC: ours (`\e`), or
/// JSON's (`\u001b`) inside a policy document, which holds it written that way.
fn always_after_esc(text: &str, rest: &str) -> bool {
    text.match_indices(rest)
        .all(|(at, _)| text[..at].ends_with(r"\e") || text[..at].ends_with(r"\u001b"))
}

#[test]
fn hostile_values_are_shown_escaped_on_every_screen() {
    let mut report = app::doctor(&scenario("hostile-values"), &Selection::default()).unwrap();
    // Characters ratatui would pass to the terminal or drop without a trace: a right-to-left
    // override (drawn as nothing, reordering what follows), a zero-width joiner (glued to the
    // letter before it), an isolate, a C1 CSI.
    let w = &mut report.workloads[0];
    w.service_account.push_str("\u{2066}x");
    w.links[0]
        .summary
        .push_str(" ab\u{202e}dc ok\u{200d}ay \u{9b}2J");
    let mut screens = every_screen_of(&report, true);

    // Texts that are not in the report: the source's name, a failed load, a stage, a toast.
    let mut app = tui_app::with_report(report.clone(), true, 100, 40);
    app.source_label = "bundle\x1b]0;PWNED\x07".into();
    kubectl_irsa::tui::update::toast(
        &mut app,
        "proof of shop/pod/orders: AccessDenied\x1b]0;PWNED\x07",
        kubectl_irsa::tui::state::ToastLevel::Error,
    );
    screens.push(("header and toast".into(), draw(&app)));
    let mut error = new_app(true, 100, 40);
    let failed = "GetRole: boom\x1b]0;PWNED\x07\x1b[2J\r\nline two\ttabbed";
    update(
        &mut error,
        Msg::Loaded {
            generation: 1,
            result: Err(failed.into()),
        },
    );
    screens.push(("error".into(), draw(&error)));
    let mut loading = new_app(true, 100, 40);
    update(
        &mut loading,
        Msg::Load {
            generation: 1,
            event: LoadEvent::Stage(Stage::Iam, StageState::Failed("boom\x1b[2J".into())),
        },
    );
    screens.push(("loading".into(), draw(&loading)));

    let mut all = String::new();
    for (name, buf) in &screens {
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                let symbol = buf[(x, y)].symbol();
                assert!(
                    !symbol.chars().any(needs_escape),
                    "{name}: {symbol:?} at {x},{y}: {}",
                    row_text(buf, y)
                );
            }
        }
        let text = flowing_text(buf);
        // ratatui drops a raw ESC or BEL and draws the rest: `]0;PWNED` without its `\e`.
        assert!(
            always_after_esc(&text, "]0;PWNED") && always_after_esc(&text, "[2J"),
            "{name}: an escape shown in part:\n{}",
            screen_text(buf)
        );
        all.push_str(&text);
        all.push('\n');
    }
    for shown in [
        // The role-arn annotation's value (the orders workload's annotation link).
        r"role/orders-irsa\e]0;PWNED\a\e[2J",
        // The trust condition value (ledger's trust link and its policy document).
        r"ledger\e]0;PWNED\a",
        // The Sid (audit's trust link).
        r#"Sid"Allow\e[2J""#,
        // Added above.
        r"\u{2066}x",
        r"ab\u{202e}dcok\u{200d}ay\u{9b}2J",
        r"bundle\e]0;PWNED\a",
        r"AccessDenied\e]0;PWNED\a",
        r"boom\e]0;PWNED\a\e[2J",
        "linetwotabbed",
        r"boom\e[2J",
    ] {
        assert!(all.contains(shown), "{shown} is on no screen:\n{all}");
    }
}
