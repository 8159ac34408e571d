//! The setup wizard end to end (issue 12), in a real terminal against the harness: Langflow
//! before its guide was followed (the Deployment runs as `langflow-sa`, which has no role
//! annotation; no role in the account; pods without AWS credentials), and a user who runs
//! `kubectl irsa setup -n langflow --workload deploy/langflow` on a terminal. tmux sends the
//! keys a person would press through the six screens; the plan is applied to the fake cluster
//! and moto, the Deployment restarted, the workload proven, and its chain shown green. The
//! harness then holds the role (GetRole), its Bedrock policy and the annotated service account.
//!
//! Needs tmux, the real kubectl, and moto (./scripts/test.sh).
#![cfg(unix)]

mod support;

#[path = "support/tmux.rs"]
#[macro_use]
mod tmux;

#[path = "support/wizard_tmux.rs"]
mod wizard;

use serde_json::Value;
use support::fake_aws::{Moto, StsOutcome};
use support::live_env::{LiveEnv, load};
use wizard::{
    IRSA_LINKS, chain_green, iam_writes, inline_policies, start_setup, trust_text, wait_live,
};

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";
const ACCOUNT: &str = "130376568147";
const ROLE: &str = "langflow-prod-langflow-langflow-sa";
const OLD_ROLE: &str = "arn:aws:iam::130376568147:role/LangflowBedrockRole";

/// Langflow as it was before the guide: no role, the service account not annotated, the pod
/// without the web identity variables and token volume.
fn before_the_guide(moto: &Moto) -> LiveEnv {
    let mut snapshot = load("seed-langflow");
    snapshot.aws.iam.roles.retain(|arn, _| arn != OLD_ROLE);
    let env = LiveEnv::start_with(moto, "seed-langflow", snapshot);
    let sa = env
        .kube
        .object("v1", "ServiceAccount", Some("langflow"), "langflow-sa")
        .unwrap();
    let mut sa = sa;
    sa["metadata"]["annotations"] = Value::Object(Default::default());
    env.kube.insert(sa);
    let mut pod = env
        .kube
        .object("v1", "Pod", Some("langflow"), "langflow-z2gd5rgqhp-4hdk2")
        .unwrap();
    let injected = [
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_STS_REGIONAL_ENDPOINTS",
        "AWS_DEFAULT_REGION",
    ];
    if let Some(c) = pod["spec"]["containers"][0].as_object_mut() {
        if let Some(vars) = c.get_mut("env").and_then(Value::as_array_mut) {
            vars.retain(|v| !injected.contains(&v["name"].as_str().unwrap_or_default()));
        }
        if let Some(mounts) = c.get_mut("volumeMounts").and_then(Value::as_array_mut) {
            mounts.retain(|m| m["name"] != "aws-iam-token");
        }
    }
    if let Some(volumes) = pod["spec"]["volumes"].as_array_mut() {
        volumes.retain(|v| v["name"] != "aws-iam-token");
    }
    env.kube.insert(pod);
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/{ROLE}");
    env.sts.script(&role_arn, StsOutcome::Success);
    env
}

#[test]
fn langflow_from_nothing_through_the_wizard_ends_on_a_green_proven_chain() {
    let moto = Moto::acquire_blocking();
    let env = before_the_guide(&moto);
    let tui = start_setup(&env, &["-n", "langflow", "--workload", "deploy/langflow"]);

    let first = wait_live(
        &tui,
        &[
            "setup · 1 of 6 · workload",
            "(•) deploy/langflow",
            "no AWS identity",
        ],
    );
    check!(first,
        first.has("service account  langflow-sa") => "the Deployment's service account proposed",
    );
    tui.keys(&["Enter"]);
    let mechanism = wait_live(
        &tui,
        &["setup · 2 of 6 · mechanism", "recommended", "why IRSA:"],
    );
    check!(mechanism,
        mechanism.line("recommended").text.contains("(•) IRSA") => "IRSA recommended and chosen",
        mechanism.has("OIDC provider is registered") => "the reason: the provider is there",
    );
    tui.keys(&["Enter"]);
    let role = wait_live(&tui, &["setup · 3 of 6 · role", "(•) a new role", ROLE]);
    check!(role,
        role.has("no existing role could serve") => "no role trusts langflow-sa yet",
    );
    tui.keys(&["Enter"]);
    wait_live(&tui, &["setup · 4 of 6 · permissions", "[ ] Bedrock"]);
    tui.keys(&["Space", "Down"]);
    tui.type_text("claude");
    let bad = wait_live(&tui, &["✘ model id \"claude\" is not valid"]);
    assert!(bad.line("✘ model id").red.contains('✘'), "{}", bad.text());
    tui.keys(&["C-u"]);
    tui.type_text(HAIKU);
    wait_live(&tui, &["[x] Bedrock", HAIKU]);
    tui.keys(&["Enter"]);
    wait_live(
        &tui,
        &[
            "setup · 5 of 6 · region",
            "not needed: every container sets the region already",
        ],
    );
    tui.keys(&["Enter"]);
    let review = wait_live(
        &tui,
        &["Enter applies, Esc goes back", "1. iam create-role"],
    );
    check!(review,
        review.has("--mechanism irsa --create-role") => "the command line",
        review.line("Enter applies").red.contains("setup") => "the danger border",
    );
    tui.keys(&["Enter"]);
    // Applied, read again, proven: the wizard closes on the workload's chain.
    let chain = wait_live(&tui, &["┌ chain", "✔ trust", "STS issued credentials"]);
    check!(chain,
        chain.has("✔ deploy/langflow  ns langflow  sa langflow-sa  IRSA") => "the workload, ok",
        chain.has(&format!("assumed-role/{ROLE}")) => "proven: STS issued the new role's credentials",
        // The chain box cuts the name; the proof line above says it whole.
        chain.has("✔ role             langflow-prod-langflow-") => "the new role on the chain",
        chain_green(&chain, IRSA_LINKS) => "every link green, nothing red",
    );

    let trust = trust_text(&env, ROLE)
        .unwrap_or_else(|| panic!("GetRole {ROLE}: not found; {}", env.request_counts()));
    assert!(
        trust.contains("system:serviceaccount:langflow:langflow-sa"),
        "{trust}"
    );
    assert_eq!(inline_policies(&env, ROLE), ["kubectl-irsa-bedrock-invoke"]);
    let sa = env
        .kube
        .object("v1", "ServiceAccount", Some("langflow"), "langflow-sa")
        .unwrap();
    assert_eq!(
        sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
        format!("arn:aws:iam::{ACCOUNT}:role/{ROLE}").as_str()
    );
    assert_eq!(
        iam_writes(&env),
        ["CreateRole", "PutRolePolicy"],
        "{}",
        env.request_counts()
    );

    tui.keys(&["q"]);
    tui.quit_with("q");
}
