//! Colour and escaping on every TUI screen, drawn with ratatui's TestBackend: no cell is grey
//! (DarkGray is invisible on Solarized Dark and similar themes) or has a background, secondary
//! text is the default foreground dimmed, yellow is always bold (plain yellow is faint on
//! white); with NO_COLOR no cell has a colour; hostile values (terminal escapes, bidirectional
//! and invisible characters) are shown escaped on every screen, never dropped in part.

use kubectl_irsa::app::watched::{LoadEvent, Stage, StageState};
use kubectl_irsa::app::{self, Source};
use kubectl_irsa::diagnose::Selection;
use kubectl_irsa::model::Report;
use kubectl_irsa::terminal_text::needs_escape;
use kubectl_irsa::tui::Msg;
use kubectl_irsa::tui::update::update;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};

#[path = "support/tui_screen.rs"]
mod tui_screen;
use tui_screen::*;

/// Every screen a user can reach on `source`'s report at 100x40, by the keys that reach it:
/// the list, a filter, each workload's chain with each of its links selected, its detail pane
/// focused and scrolled to the end, its commands, the explanation of its last link's finding
/// and the whole-text overlay; help; and the loading and error screens.
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
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('e'));
        out.push((format!("{name} explain"), draw(&app)));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('v'));
        out.push((format!("{name} whole text"), draw(&app)));
    }
    // The fix dialog (issue 11), on the first workload, with a trust document edit in it.
    let mut app = fresh();
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('f'));
    let id = app.fix_id;
    update(
        &mut app,
        Msg::Planned {
            id,
            result: Ok(kubectl_irsa::tui::message::Planned::Ready {
                plan: Box::new(sample_plan()),
                undoes: None,
            }),
        },
    );
    let dialog = draw(&app);
    assert!(
        screen_text(&dialog).contains("update-trust-policy"),
        "the dialog is open:\n{}",
        screen_text(&dialog)
    );
    out.push(("fix dialog".to_string(), dialog));
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

/// A one-step plan writing a trust document, for the fix dialog.
fn sample_plan() -> kubectl_irsa::model::plan::Plan {
    use kubectl_irsa::model::plan::{Change, ObjectRef, PLAN_SCHEMA_VERSION, Plan, Step};
    let before =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#;
    let after = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"]}]}"#;
    let change = Change::PutTrustPolicy {
        role_name: "app-role".into(),
        document: after.into(),
    };
    Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        id: "20260101T000000Z-00001".into(),
        target: "deploy/app".into(),
        steps: vec![Step {
            system: change.system(),
            action: change.action().into(),
            object: ObjectRef {
                kind: "IAMRole".into(),
                namespace: None,
                name: Some("app-role".into()),
                arn: None,
            },
            before: Some(before.into()),
            after: Some(after.into()),
            command: kubectl_irsa::model::CommandLine::aws(["iam", "update-assume-role-policy"]),
            inverse: None,
            change,
            precondition: None,
            unchanged: None,
        }],
        choices: Vec::new(),
        manual: None,
        recreate: Vec::new(),
    }
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
    press(&mut app, KeyCode::Char('v'));
    screens.push(("toast whole".into(), draw(&app)));
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
    press(&mut error, KeyCode::Char('v'));
    screens.push(("error whole".into(), draw(&error)));
    let mut loading = new_app(true, 100, 40);
    update(
        &mut loading,
        Msg::Load {
            generation: 1,
            event: LoadEvent::Stage(Stage::Iam, StageState::Failed("boom\x1b[2J".into())),
        },
    );
    screens.push(("loading".into(), draw(&loading)));
    press(&mut loading, KeyCode::Char('v'));
    screens.push(("loading whole".into(), draw(&loading)));

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

/// The rows of `buf` that mark a policy line (`▶`), and the colour of the policy text on each.
fn marked_line_colours(buf: &Buffer) -> Vec<(String, Vec<Color>)> {
    (0..buf.area.height)
        .filter(|&y| row_text(buf, y).contains('▶'))
        .map(|y| {
            let text = row_text(buf, y);
            // The number's rule after the mark; the pane's borders are not policy text.
            let chars: Vec<char> = text.chars().collect();
            let mark = chars.iter().position(|&c| c == '▶').unwrap();
            let rule = (mark..chars.len()).find(|&i| chars[i] == '│').unwrap() as u16;
            let colours = (rule + 1..buf.area.width)
                .filter(|&x| !matches!(buf[(x, y)].symbol(), " " | "│"))
                .map(|x| buf[(x, y)].fg)
                .collect();
            (text, colours)
        })
        .collect()
}

/// Colour means status: the statement that allows a requested action is the evidence of an ok
/// link, so it is highlighted green; red stays for what breaks the chain.
#[test]
fn a_statement_that_allows_what_was_asked_is_green_not_red() {
    let sel = Selection {
        actions: vec![kubectl_irsa::model::report::RequestedAction {
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::shop-assets/logo.png".into(),
        }],
        ..Selection::default()
    };
    let mut app = loaded_with(&scenario("basic"), &sel, true, 100, 40);
    open(&mut app, "checkout");
    press(&mut app, KeyCode::End);
    assert_eq!(app.current_link().map(|l| l.as_str()), Some("permissions"));
    let buf = draw(&app);
    let text = screen_text(&buf);
    assert!(text.contains("is allowed"), "{text}");
    let marked = marked_line_colours(&buf);
    assert!(!marked.is_empty(), "no statement marked:\n{text}");
    for (row, colours) in marked {
        assert!(
            colours.iter().all(|&c| c == Color::Green),
            "{row}: {colours:?}"
        );
    }
    // The header counts the other workloads' broken chains; below it this one is all ok.
    for y in 1..buf.area.height {
        for x in 0..buf.area.width {
            assert_ne!(
                buf[(x, y)].fg,
                Color::Red,
                "red on a healthy chain: {}",
                row_text(&buf, y)
            );
        }
    }

    // The same statement denying the action is red (the permissions-explicit-deny fixture).
    let sel = Selection {
        actions: vec![kubectl_irsa::model::report::RequestedAction {
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::orders-archive/restricted/q3.csv".into(),
        }],
        ..Selection::default()
    };
    let mut app = loaded_with(&scenario("permissions-explicit-deny"), &sel, true, 100, 40);
    press(&mut app, KeyCode::Enter);
    let buf = draw(&app);
    let marked = marked_line_colours(&buf);
    assert!(!marked.is_empty(), "{}", screen_text(&buf));
    for (row, colours) in marked {
        assert!(
            colours.iter().all(|&c| c == Color::Red),
            "{row}: {colours:?}"
        );
    }
}

/// The `y` box labels each command that changes something: its `# writes:` line is bold and
/// uncoloured (colour is for status), right above the command; read-only commands have none.
#[test]
fn write_commands_are_marked_in_the_commands_box() {
    let mut app = demo(100, 40);
    open(&mut app, "enbuild-enbuild-ai");
    press(&mut app, KeyCode::Char('y'));
    let buf = draw(&app);
    let rows: Vec<String> = (0..buf.area.height).map(|y| row_text(&buf, y)).collect();
    let row_of = |needle: &str| {
        rows.iter()
            .position(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not on screen:\n{}", screen_text(&buf)))
    };
    for (command, system) in [
        ("│aws eks create-pod-identity-association", "EKS"),
        ("│kubectl rollout restart", "Kubernetes"),
    ] {
        let y = row_of(command);
        assert!(
            rows[y - 1].contains(&format!("# writes: changes {system}")),
            "{}",
            rows[y - 1]
        );
        for c in cells_of(&buf, &format!("# writes: changes {system}")) {
            assert!(buf[c].modifier.contains(Modifier::BOLD), "{:?}", buf[c]);
            assert_eq!(buf[c].fg, Color::Reset, "{:?}", buf[c]);
        }
    }
    let read = row_of("│aws eks list-pod-identity-associations");
    assert!(!rows[read - 1].contains("writes"), "{}", rows[read - 1]);
}
