//! The TUI's `f` and `u` live, in a real terminal (issue 11 "TUI"): tmux runs `kubectl irsa tui`
//! against the harness (fake API server, moto behind the IAM front, fake EKS and STS) on a
//! workload broken at its trust; `f` opens the red confirmation dialog with the step and its
//! diff, Enter applies it (each step's progress sent to the dialog) and the chain turns green;
//! the request logs hold exactly the planned write; `u` and Enter put the trust document back byte for byte and the chain is red again.
//!
//! Needs `tmux`, the real `kubectl` on PATH, and moto (./scripts/test.sh).
#![cfg(unix)]

mod support;

#[path = "support/tmux.rs"]
#[macro_use]
mod tmux;

use support::fake_aws::Moto;
use support::live_env::LiveEnv;
use tmux::*;

const NAMESPACE: &str = "kubeflow-user-a";
const ROLE: &str = "default-viewer-irsa";

/// The trust document as IAM holds it, through the same client the tool reads with.
fn trust_of(env: &LiveEnv) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        let out = iam.get_role().role_name(ROLE).send().await.unwrap();
        let doc = out
            .role()
            .and_then(|r| r.assume_role_policy_document())
            .unwrap_or_default();
        kubectl_irsa::policy::decode_document(doc)
            .unwrap()
            .into_owned()
    })
}

/// Every write the fakes saw: Kubernetes (method path), IAM and EKS operations.
fn writes(env: &LiveEnv) -> Vec<String> {
    let kube = env.kube.writes().into_iter();
    let kube = kube.map(|r| format!("kube {} {}", r.method, r.path));
    let iam = env
        .iam
        .writes()
        .into_iter()
        .map(|r| format!("iam {}", r.operation));
    let eks = env
        .eks
        .writes()
        .into_iter()
        .map(|r| format!("eks {}", r.operation));
    kube.chain(iam).chain(eks).collect()
}

/// The workload's row in the list: its status icon first.
fn row(screen: &Screen) -> String {
    let rows = screen.rows();
    let found = rows.iter().find(|l| l.text.contains("ml-pipeline-run"));
    found.map(|l| l.text.clone()).unwrap_or_default()
}

#[test]
fn f_applies_the_fix_live_turning_the_chain_green_and_u_puts_it_back() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "trust-sub-typo-kubeflow");
    let before = trust_of(&env);
    // kubectl finds the binary under test first on the environment's PATH (before the
    // stand-in `aws` the kubeconfig's exec plugin runs).
    let bin = env.home().join("bin");
    std::os::unix::fs::symlink(BIN, bin.join("kubectl-irsa")).unwrap();
    let state = env.home().join("state");
    let mut vars = env.environment();
    vars.push(("PATH".into(), env.path_var().to_string_lossy().into_owned()));
    // The journal under the test's HOME, whatever the machine running it has set.
    vars.push(("XDG_STATE_HOME".into(), state.display().to_string()));
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let tui = Tmux::start(120, 40, &["irsa", "tui", "-n", NAMESPACE], &vars);

    let list = tui.wait("the broken workload", |s| {
        row(s).starts_with('✘') && row(s).ends_with("trust")
    });
    check!(list, list.line("ml-pipeline-run").red.contains("trust") => "broken at trust, in red");
    env.clear_requests();

    // f: the plan in a red dialog; nothing is written until Enter.
    tui.keys(&["f"]);
    let dialog = tui.wait_for(&["fix: 1 step — Enter applies, Esc cancels"]);
    let inside = dialog.boxed("fix: 1 step");
    let border = dialog.line("fix: 1 step");
    let added = "+            \"system:serviceaccount:kubeflow-user-a:default-viewer\"";
    check!(dialog,
        border.red.contains('┌') => "the dialog's border is red (danger)",
        inside.iter().any(|l| l.text.contains("1. iam update-trust-policy IAMRole")) => "the step",
        inside.iter().any(|l| l.text.contains(added)) => "its diff adds the subject",
        inside.iter().any(|l| l.text.contains("$ aws iam update-assume-role-policy")) => "its command",
        writes(&env).is_empty() => "nothing written before Enter",
    );

    // Enter: applied, gathered again, green.
    tui.keys(&["Enter"]);
    let fixed = tui.wait("the chain green after applying", |s| {
        row(s).starts_with('✔') && s.has("applied 1 step")
    });
    // The apply told each step's start and end and the diagnosis after it (the dialog shows
    // them as they come: src/tui/update_tests/progress.rs), and the dialog closed on the
    // chain once gathered again.
    let log = std::fs::read_to_string(tui.log()).unwrap_or_default();
    let told = |event: &str| {
        log.lines()
            .any(|l| l.contains("apply step") && l.contains(event))
    };
    check!(fixed,
        fixed.has("u undoes it") => "the toast says how to undo",
        told("Started(0)") && told("Made(0)") && told("Diagnosing") => "each step's progress was sent",
        !fixed.has("gathering and diagnosing again") => "the progress closed after the reload",
    );
    assert_eq!(
        writes(&env),
        ["iam UpdateAssumeRolePolicy"],
        "exactly the planned write"
    );
    let after = trust_of(&env);
    assert!(
        after.contains("system:serviceaccount:kubeflow-user-a:default-viewer")
            && after.contains("system:serviceaccount:kubeflow-user-a:defult-viewer"),
        "the subject added, the statement kept: {after}"
    );

    // u: the undo in the same dialog; Enter puts the document back and the chain is red.
    env.clear_requests();
    tui.keys(&["u"]);
    let dialog = tui.wait_for(&["undo ", ": 1 step — Enter applies, Esc cancels"]);
    let border = dialog.line(": 1 step — Enter applies");
    check!(dialog,
        border.red.contains('┌') => "the undo dialog is red too",
        dialog.has("1. iam update-trust-policy IAMRole") => "the step that restores the trust",
        writes(&env).is_empty() => "nothing written before Enter",
    );
    tui.keys(&["Enter"]);
    tui.wait("the chain broken again after the undo", |s| {
        row(s).starts_with('✘') && row(s).ends_with("trust") && s.has("undid ")
    });
    assert_eq!(writes(&env), ["iam UpdateAssumeRolePolicy"]);
    assert_eq!(
        trust_of(&env),
        before,
        "the trust document restored byte for byte"
    );
    tui.quit_with("q");
}
