//! The terminal UI end to end, in a real terminal: tmux runs `kubectl irsa demo` the way a user
//! does (kubectl finds `kubectl-irsa` on PATH), the test sends keys, captures the pane with its
//! colours (`capture-pane -e`) and checks what a person would see: the red broken links, the
//! chain and detail panes, the overlays, the clipboard, and a clean exit back to the shell;
//! and that hostile values (tests/scenarios/hostile-values) are shown escaped, leaving the
//! terminal's title and screen alone, and reach the log file escaped too.
//!
//! Needs `tmux` and the real `kubectl` on PATH (./scripts/test.sh checks both). Every test has
//! a tmux server of its own (a socket in a temp dir), killed when the test ends, pass or fail.
// tmux has no Windows build: the end-to-end TUI tests run on Linux and macOS.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[path = "support/tmux.rs"]
#[macro_use]
mod tmux;
use tmux::*;

const DEMO: &[&str] = &["irsa", "demo"];
const FLYTE_TRUST: &str = "does not let system:serviceaccount:flyte:flyte-backend-flyte-binary";
const CHAIN_TRUST: &str = "chain · first broken link: trust ";

#[test]
fn journey_from_the_red_link_to_its_explanation_and_out() {
    let tui = Tmux::start(100, 30, DEMO, &[]);
    let list = tui.wait_list();
    let (header, titles) = (&list.lines[0], &list.line("NAMESPACE").text);
    let rows = list.rows();
    let broken: Vec<&&Line> = rows.iter().filter(|r| r.text.starts_with('✘')).collect();
    // Red exactly where a person looks: the ✘ and the broken link's name, on broken rows only.
    let miscoloured: Vec<&str> = (rows.iter())
        .filter(|r| {
            let link = r.text.split_whitespace().last().unwrap_or_default();
            let named = ["trust", "injection", "association"].contains(&link);
            match r.text.starts_with('✘') {
                true => !(named && r.red.contains('✘') && r.red.contains(link)),
                false => !r.red.is_empty(),
            }
        })
        .map(|r| r.text.as_str())
        .collect();
    check!(list,
        header.text.starts_with(" kubectl-irsa ") => "the header",
        header.text.contains("5 broken 2 warning 1 ok") => "the counts",
        header.red.contains("5 broken") => "the broken count in red",
        ["NAMESPACE", "WORKLOAD", "SERVICE ACCOUNT", "MECHANISM", "CHAIN"]
            .iter().all(|c| titles.contains(c)) => "the column titles",
        broken.len() == 5 => "five broken rows",
        broken.get(1).is_some_and(|r| r.text.contains(" flyte ") && r.text.ends_with("trust"))
            => "flyte second, broken at trust",
        miscoloured.is_empty() => &format!("red icon + link on broken rows only: {miscoloured:#?}"),
    );

    tui.keys(&["j", "j", "k", "Enter"]);
    let chain = tui.wait_for(&[CHAIN_TRUST, "deploy/flyte-backend-flyte-binary"]);
    let links = chain.boxed("chain · first broken link");
    let (trust, others): (Vec<&Line>, Vec<&Line>) =
        links.iter().partition(|l| l.text.contains("✘ trust"));
    let detail = chain.boxed("┌ detail ");
    let (title, title_red) = detail.first().map_or(("", ""), |l| (&*l.text, &*l.red));
    check!(chain,
        links.len() == 8 && trust.len() == 1 => "eight links, one of them trust",
        trust.iter().all(|l| l.text.contains(FLYTE_TRUST)) => "the trust link says why",
        trust.iter().all(|l| l.red.contains("✘ trust")) => "the trust link in red",
        others.iter().all(|l| l.text.contains('✔') && l.red.is_empty()) => "others ✔, not red",
        title.contains("✘ trust · broken  (first broken link)") => "the detail's title",
        title_red.contains("✘ trust · broken") => "the detail's title in red",
        chain.has(&format!("{FLYTE_TRUST} assume flyte-system-role")) => "the summary",
        chain.has("the condition key") => "the finding explained",
    );

    tui.keys(&["Enter"]);
    let focused = tui.until(&["✔ pod─", "✘ trust─"], &["chain · first"], None);
    let folded = focused.line("✔ pod─");
    tui.keys(&["G"]);
    // The end of the detail: the fix, whose command carries the whole new trust document.
    let fix = tui.wait_for(&["fix:", "update-assume-role-policy"]);
    assert!(fix.has("'{\"Version\":\"2012-10-17\""), "{}", fix.text());
    // A page up: the failing line of the policy.
    tui.keys(&["PPage"]);
    let end = tui.wait_for(&["▶"]);
    let marked = end.line("▶");
    check!(end,
        folded.red.contains("✘ trust") && !folded.red.contains('✔') => "trust red, folded",
        marked.red.contains('▶') => "the failing policy line marked in red",
        marked.text.contains("oidc.eks.us-east-1") => "the failing line: the wrong issuer",
    );

    tui.keys(&["Escape"]);
    tui.wait_for(&[CHAIN_TRUST]);
    tui.keys(&["Escape"]);
    tui.wait_list();
    tui.quit_with("q");
}

#[test]
fn help_and_commands_overlays_copy_to_the_clipboard() {
    let tui = Tmux::start(100, 30, DEMO, &[]);
    tui.wait_list();
    tui.keys(&["?"]);
    tui.wait_for(&["┌ help ", "Esc close", "workload list", "filter the list"]);
    tui.keys(&["Escape"]);
    tui.until(&[], &["┌ help "], Some(8));

    tui.keys(&["j", "y"]);
    let look = "aws iam get-role --role-name flyte-system-role";
    tui.wait_for(&["┌ commands for trust ", look, "sent to the clipboard"]);
    let start = Instant::now();
    let buffer = loop {
        match tui.try_run(&["show-buffer"]) {
            Some(buffer) if buffer.contains(look) => break buffer,
            last if start.elapsed() > TIMEOUT => panic!("OSC 52 never reached tmux: {last:?}"),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let fix = "aws iam update-assume-role-policy --role-name flyte-system-role";
    assert!(buffer.contains(fix), "the clipboard:\n{buffer}");
    tui.keys(&["Escape"]);
    tui.until(&[], &["commands for trust"], Some(8));

    // Ctrl-C quits from anywhere, even from an overlay on the workload screen.
    tui.keys(&["Enter"]);
    tui.wait_for(&[CHAIN_TRUST]);
    tui.keys(&["?"]);
    tui.wait_for(&["┌ help "]);
    tui.quit_with("C-c");
}

#[test]
fn filter_narrows_the_list_as_you_type() {
    let tui = Tmux::start(100, 30, DEMO, &[]);
    tui.wait_list();
    tui.keys(&["/"]);
    tui.type_text("kubeflow");
    let filtered = tui.until(&["/kubeflow", "2 of 8"], &[], Some(2));
    let rows = filtered.rows();
    check!(filtered,
        filtered.lines[1].text.starts_with("/kubeflow") => "the filter above the titles",
        rows.iter().all(|r| r.text.contains(" kubeflow")) => "only kubeflow rows",
        rows[0].text.contains("deploy/ml-pipeline") => "ml-pipeline first",
        rows[1].text.contains("sts/notebook") => "then the notebook",
    );

    tui.type_text(" q"); // typed into the filter, not a quit
    tui.until(&["0 of 8", "No workload matches"], &[], Some(0));
    tui.keys(&["BSpace", "BSpace"]);
    tui.until(&["2 of 8"], &[], Some(2));
    tui.keys(&["Enter", "Enter"]);
    tui.wait_for(&[CHAIN_TRUST, "deploy/ml-pipeline"]);
    tui.keys(&["Escape"]);
    tui.until(&["/kubeflow"], &[], Some(2));
    tui.keys(&["Escape"]);
    tui.until(&[], &["/kubeflow"], Some(8));
    tui.quit_with("q");
}

#[test]
fn no_color_keeps_the_icons_and_drops_the_colours() {
    let tui = Tmux::start(100, 30, DEMO, &[("NO_COLOR", "1")]);
    let list = tui.wait_list();
    let coloured = |s: &Screen| s.lines.iter().filter(|l| l.coloured).count();
    tui.keys(&["j", "Enter"]);
    let chain = tui.wait_for(&[CHAIN_TRUST, "✘ trust", "✔ pod"]);
    check!(chain,
        list.rows().iter().filter(|r| r.text.starts_with('✘')).count() == 5 => "five ✘ rows",
        coloured(&list) == 0 => &format!("no colour on the list:\n{}", list.text()),
        coloured(&chain) == 0 => "no colour on the workload screen",
    );
    tui.keys(&["Escape"]);
    tui.wait_list();
    tui.quit_with("q");
}

#[test]
fn resizing_from_80x24_redraws() {
    let tui = Tmux::start(80, 24, &["irsa", "--demo"], &[]);
    // The whole list redrawn at `height` lines: header on top, eight rows, footer at the bottom.
    let list_at = |height: usize| {
        let what = format!("the list filling {height} lines");
        tui.wait(&what, |s| {
            let footer = s.lines.len() == height && s.lines[height - 1].text.contains("q quit");
            footer && s.lines[0].text.starts_with(" kubectl-irsa ") && s.rows().len() == 8
        })
    };
    list_at(24);

    tui.keys(&["j", "Enter"]);
    let trust_row = |s: &Screen| {
        let links = s.boxed(CHAIN_TRUST);
        let row = links.into_iter().find(|l| l.text.contains("✘ trust"));
        row.map(|l| l.text.clone())
    };
    let small = tui.wait_for(&[CHAIN_TRUST]);
    check!(small, trust_row(&small).is_some_and(|t| t.ends_with("…│")) => "trust cut at 80");
    tui.resize(120, 40);
    tui.wait("the workload screen filling 120x40", |s| {
        let filled = s.lines.len() == 40 && s.lines[38].text.starts_with('└');
        filled && s.has("flyte-binary  broken at trust") && trust_row(s).is_some()
    });
    tui.keys(&["Escape"]);
    let wide = list_at(40);
    check!(wide, wide.lines[0].text.contains("all namespaces") => "the whole header at 120");
    tui.resize(60, 15);
    list_at(15);
    tui.resize(80, 24);
    list_at(24);
    tui.quit_with("q");
}

/// `dir`'s files copied into a new directory `name` under `into`.
fn copy_dir(dir: &Path, into: &Path, name: &str) -> PathBuf {
    let to = into.join(name);
    std::fs::create_dir(&to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let from = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let copied = std::fs::copy(&from, to.join(from.file_name().unwrap_or_default()));
        copied.unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
    to
}

#[test]
fn hostile_values_leave_the_title_and_screen_alone_and_show_escaped() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/hostile-values");
    // The bundle under a directory whose name sets the window title: the header shows it, and
    // the log's first record names it.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let bundle = copy_dir(
        &scenario.join("bundle"),
        dir.path(),
        "bundle\x1b]0;PWNED\x07",
    );
    let bundle = bundle
        .to_str()
        .unwrap_or_else(|| panic!("a UTF-8 temp path"));
    let tui = Tmux::start(120, 40, &["irsa", "--offline", bundle], &[]);
    let title = || tui.run(&["display", "-p", "-t", "tui", "#{pane_title}"]);
    let before = title();
    let list = tui.until(&[" kubectl-irsa ", "NAMESPACE"], &[], Some(4));
    check!(list,
        list.lines[0].text.contains(r"bundle\e]0;PWNED\a") => "the bundle's name escaped",
        list.rows().iter().all(|r| r.text.contains(" shop ")) => "the four shop workloads",
    );

    tui.keys(&["/"]);
    tui.type_text("orders");
    tui.keys(&["Enter", "Enter"]);
    let annotation = r"invalid: arn:aws:iam::444455556666:role/orders-irsa\e]0;PWNED\a\e[2J";
    let orders = tui.wait_for(&["chain · first broken link: annotation", annotation]);
    check!(orders,
        orders.lines[0].text.starts_with(" kubectl-irsa ") => "the header is still there",
        orders.has("✔ pod") && orders.has("┌ detail ") => "the chain and the detail pane",
        orders.boxed("┌ detail ").iter().any(|l| l.text.contains(annotation))
            => "the value in the detail pane",
    );
    tui.keys(&["Escape"]);
    tui.until(&["/orders   1 of 4"], &[], Some(1));
    tui.keys(&["Escape"]);
    tui.until(&[], &["1 of 4"], Some(4));

    for (filter, shown) in [
        ("ledger", r"system:serviceaccount:shop:ledger\e]0;PWNED\a"),
        ("audit", r#"(Sid "Allow\e[2J")"#),
    ] {
        tui.keys(&["/"]);
        tui.type_text(filter);
        tui.keys(&["Enter", "Enter"]);
        let screen = tui.wait_for(&["chain · first broken link: trust", shown]);
        check!(screen, screen.has("✔ pod") => "the chain is still drawn");
        tui.keys(&["Escape"]);
        tui.until(&[&format!("/{filter}   1 of 4")], &[], Some(1));
        tui.keys(&["Escape"]);
        tui.until(&[], &["1 of 4"], Some(4));
    }
    let after = title();
    assert!(
        after == before && !after.contains("PWNED"),
        "the pane's title changed from {before:?} to {after:?}"
    );
    tui.quit_with("q");

    let log = std::fs::read_to_string(tui.log()).unwrap_or_else(|e| panic!("log: {e}"));
    let raw: Vec<char> = log
        .chars()
        .filter(|&c| c != '\n' && kubectl_irsa::terminal_text::needs_escape(c))
        .collect();
    assert!(raw.is_empty(), "raw controls in the log {raw:?}:\n{log}");
    assert!(
        log.contains(r"bundle\e]0;PWNED\a"),
        "the log names the source:\n{log}"
    );
}

/// `kubectl irsa demo` takes kubectl's `-n`, `-A` (which wins over `-n`), `-l` and a target
/// (`TYPE/NAME` or `TYPE NAME`), as `kubectl irsa` does on a live cluster; the header says
/// which namespace and labels the list shows.
#[test]
fn demo_takes_namespace_selector_and_target_arguments() {
    let tui = Tmux::start(120, 30, &["irsa", "demo", "-n", "kubeflow"], &[]);
    let list = tui.until(&[" kubectl-irsa ", "NAMESPACE"], &[], Some(1));
    check!(list,
        list.lines[0].text.contains("namespace kubeflow") => "the namespace in the header",
        list.rows()[0].text.contains("deploy/ml-pipeline") => "kubeflow's one workload",
    );
    tui.quit_with("q");

    let tui = Tmux::start(120, 30, &["irsa", "demo", "-n", "kubeflow", "-A"], &[]);
    let list = tui.wait_list();
    check!(list, list.lines[0].text.contains("all namespaces") => "-A wins over -n");
    tui.quit_with("q");

    let selector = "app.kubernetes.io/name in (langflow,tlm-chat-backend)";
    let tui = Tmux::start(140, 30, &["irsa", "demo", "-l", selector], &[]);
    let list = tui.until(&[" kubectl-irsa ", "NAMESPACE"], &[], Some(2));
    let rows = list.rows();
    check!(list,
        list.lines[0].text.contains(&format!("with labels {selector}")) => "the labels in the header",
        rows[0].text.contains("deploy/langflow") || rows[1].text.contains("deploy/langflow")
            => "langflow",
        rows.iter().any(|r| r.text.contains("deploy/tlm-chat-backend")) => "tlm-chat-backend",
    );
    tui.quit_with("q");

    let tui = Tmux::start(120, 30, &["irsa", "demo", "sts", "notebook"], &[]);
    let list = tui.until(&[" kubectl-irsa ", "NAMESPACE"], &[], Some(1));
    check!(list, list.rows()[0].text.contains("sts/notebook") => "the target alone");
    tui.quit_with("q");
}

/// In the terminal UI too, each `--resource` belongs to the `--action` before it: the
/// permissions link judges InvokeModel on `*` and PutObject on the bucket.
#[test]
fn the_tui_pairs_each_resource_with_the_action_before_it() {
    let args = [
        "irsa",
        "demo",
        "deploy/langflow",
        "--action",
        "bedrock:InvokeModel",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::bucket/x",
    ];
    let tui = Tmux::start(160, 40, &args, &[]);
    tui.until(&[" kubectl-irsa ", "NAMESPACE"], &[], Some(1));
    tui.keys(&["Enter"]);
    let chain = tui.wait_for(&["chain · first broken link: permissions"]);
    check!(chain,
        chain.has("bedrock:InvokeModel on * is allowed") => "InvokeModel judged on *",
        chain.has("s3:PutObject on arn:aws:s3:::bucket/x is not allowed") => "PutObject on the bucket",
    );
    tui.keys(&["Escape"]);
    tui.until(&[" kubectl-irsa ", "NAMESPACE"], &[], Some(1));
    tui.quit_with("q");
}
