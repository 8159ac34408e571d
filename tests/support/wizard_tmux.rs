//! The setup wizard in a real terminal against a [`LiveEnv`] (tests/tui_wizard_tmux.rs and
//! tests/tui_wizard_seeds.rs): `kubectl irsa setup ARGS` started in tmux with a static-token
//! kubeconfig, waits on its screens that allow for the reads, plans, applies and proofs a
//! keypress does not take, and the doctor's verdicts the tests end on.
//!
//! Included by those files with `#[path]` after `mod support;` and the tmux harness
//! (`#[path = "support/tmux.rs"] mod tmux;`), which it names as `super::`.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::live_env::{KubeconfigKind, LiveEnv, Run};
use super::tmux::{Screen, Tmux};

/// Gathering, planning, applying and proving against moto take longer than a keypress.
pub const LIVE_TIMEOUT: Duration = Duration::from_secs(60);

/// Waits (longer than tmux.rs does) for a settled screen showing every one of `shown`; fails
/// at once on a screen that cannot heal by waiting (a failed read or plan, a refused Enter).
pub fn wait_live(tui: &Tmux, shown: &[&str]) -> Screen {
    let start = Instant::now();
    let mut last = String::new();
    loop {
        let raw = tui.run(&["capture-pane", "-p", "-e", "-t", "tui"]);
        let screen = Screen::parse(&raw);
        if raw == last && shown.iter().all(|s| screen.has(s)) {
            return screen;
        }
        let failed = ["✘ reading namespace", "planning failed", "applying failed"]
            .iter()
            .any(|f| screen.has(f));
        if failed || start.elapsed() > LIVE_TIMEOUT {
            let log = std::fs::read_to_string(tui.log()).unwrap_or_default();
            panic!(
                "timed out waiting for {shown:?}:\n{}\nlog:\n{log}",
                screen.text()
            );
        }
        last = raw;
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `kubectl irsa setup ARGS --cluster NAME` in tmux against `env`. The stand-in `aws` of the
/// exec kubeconfig would have to be first on PATH, which tmux's own PATH (kubectl's plugin
/// directory first) does not allow: a static token instead, and --cluster says which cluster.
pub fn start_setup(env: &LiveEnv, args: &[&str]) -> Tmux {
    env.write_kubeconfig(KubeconfigKind::StaticToken);
    let vars = env.environment();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let cluster = env.cluster_name().unwrap_or_default();
    let mut all = vec!["irsa", "setup"];
    all.extend_from_slice(args);
    all.extend(["--cluster", &cluster]);
    Tmux::start(170, 40, &all, &vars)
}

/// The links of an IRSA chain, as the workload screen names them.
pub const IRSA_LINKS: &[&str] = &[
    "pod",
    "service-account",
    "annotation",
    "injection",
    "role",
    "oidc-provider",
    "trust",
    "permissions",
];

/// Whether every link of the workload's chain on screen is green and nothing is red.
pub fn chain_green(chain: &Screen, links: &[&str]) -> bool {
    let green = |link: &str| {
        chain
            .lines
            .iter()
            .any(|l| l.text.contains(&format!("✔ {link} ")))
    };
    links.iter().all(|l| green(l)) && chain.lines.iter().all(|l| l.red.is_empty())
}

/// A role's trust policy as IAM (moto) holds it, URL-decoded; `None` when there is no role.
pub fn trust_text(env: &LiveEnv, role: &str) -> Option<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        let got = iam.get_role().role_name(role).send().await.ok()?;
        let doc = got.role()?.assume_role_policy_document()?.to_string();
        Some(
            kubectl_irsa::policy::decode_document(&doc)
                .map(|d| d.into_owned())
                .unwrap_or(doc),
        )
    })
}

/// The names of a role's inline policies.
pub fn inline_policies(env: &LiveEnv, role: &str) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        let policies = iam.list_role_policies().role_name(role).send().await;
        policies
            .map(|p| p.policy_names().to_vec())
            .unwrap_or_default()
    })
}

/// `doctor TARGET -n NS --action ACTION --resource RESOURCE -o json`.
pub fn doctor(env: &LiveEnv, ns: &str, target: &str, action: &str, resource: &str) -> Run {
    // Outside tmux the stand-in `aws` is first on PATH: the exec kubeconfig names the cluster.
    env.write_kubeconfig(KubeconfigKind::EksExec);
    env.run(&[
        "doctor",
        target,
        "-n",
        ns,
        "--action",
        action,
        "--resource",
        resource,
        "-o",
        "json",
    ])
}

/// The one workload of a targeted doctor report (null when there is none).
pub fn workload(run: &Run) -> Value {
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    report["workloads"]
        .as_array()
        .and_then(|w| w.first().cloned())
        .unwrap_or(Value::Null)
}

/// As tests/setup_seeds.rs judges a chain: every link ok and the permissions link allowing the
/// action; a wildcard subject's own warning (`TRUST_WIDE_WILDCARD`) is the only one accepted.
pub fn allowed(env: &LiveEnv, ns: &str, target: &str, action: &str, resource: &str) {
    let run = doctor(env, ns, target, action, resource);
    let w = workload(&run);
    let links = w["links"].as_array().cloned().unwrap_or_default();
    let permissions_ok = links
        .iter()
        .any(|l| l["link"] == "permissions" && l["status"] == "ok");
    let wildcard_only = links.iter().all(|l| {
        l["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["severity"] == "warning")
            .all(|f| f["code"] == "TRUST_WIDE_WILDCARD")
    });
    let green = permissions_ok
        && w["brokenLink"].is_null()
        && (w["status"] == "ok" || (w["status"] == "warning" && wildcard_only));
    assert!(
        run.code == Some(0) && green,
        "{ns}/{target} {action} on {resource} is not allowed: {}",
        run.explain()
    );
}

/// The doctor's chain for an action the setup did not ask for: broken at permissions.
pub fn denied(env: &LiveEnv, ns: &str, target: &str, action: &str, resource: &str) {
    let run = doctor(env, ns, target, action, resource);
    let w = workload(&run);
    assert!(
        run.code == Some(1) && w["status"] == "broken" && w["brokenLink"] == "permissions",
        "{ns}/{target} {action} on {resource} was not asked for, yet not denied: {}",
        run.explain()
    );
}

/// The same setup from flags (`setup ARGS --yes -o json`) after the wizard's: nothing to do,
/// nothing written. The wizard and the flags made the same setup.
pub fn flags_plan_nothing(env: &LiveEnv, args: &[&str]) {
    env.write_kubeconfig(KubeconfigKind::EksExec);
    env.clear_requests();
    let mut all = vec!["setup"];
    all.extend_from_slice(args);
    all.extend(["--yes", "-o", "json"]);
    let run = env.run(&all);
    let out: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    let writes = (
        env.kube.writes().len(),
        env.iam.writes().len(),
        env.eks.writes().len(),
    );
    assert!(
        run.code == Some(0) && out["result"] == "nothing-to-do" && writes == (0, 0, 0),
        "the flags after the wizard (writes {writes:?}): {}",
        run.explain()
    );
}

/// The operations written to IAM since the environment started (or was last cleared).
pub fn iam_writes(env: &LiveEnv) -> Vec<String> {
    env.iam
        .writes()
        .iter()
        .map(|r| r.operation.clone())
        .collect()
}
