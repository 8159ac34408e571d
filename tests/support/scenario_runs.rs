//! How the fixture scenarios are run, offline and live, shared by the offline == live test
//! (which also checks that every finding code is produced live) and the offline code coverage
//! test (`tests/finding_codes.rs`): the doctor arguments each scenario runs with, what a live
//! run changes in the fakes first ([`live_setup`]: a permission the scenario's bundle did not
//! have), the scenarios whose live report cannot be made identical to the offline one (each
//! with the reason), and the codes only `--prove` produces.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::live_env::{LiveEnv, scenarios_root};

/// Codes only a live `--prove` run produces (STS, EKS Auth and IAM asked for real), so no
/// bundle can: each names the test files that assert it.
pub const PROVE_ONLY: &[(&str, &[&str])] = &[
    ("PROVE_OK", &["tests/live_prove.rs"]),
    ("PROVE_FAILED", &["tests/live_prove.rs"]),
    ("PROVE_NOT_RUN", &["tests/live_prove.rs"]),
    ("PROVE_DIFFERS", &["tests/live_prove.rs"]),
    ("SIMULATION_AGREES", &["tests/live_prove.rs"]),
    ("SIMULATION_DIFFERS", &["tests/live_prove.rs"]),
];

/// The codes declared in src/model/codes.rs (`pub const NAME: &str = "NAME";`).
pub fn declared_codes() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model/codes.rs");
    let text = std::fs::read_to_string(&path).expect("src/model/codes.rs");
    let codes: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub const "))
        .filter_map(|l| l.split_once(':').map(|(name, _)| name.trim().to_string()))
        .collect();
    assert!(codes.len() > 80, "parsed only {} codes", codes.len());
    codes
}

/// What a live run of `scenario` is refused that the fakes would otherwise serve: the live
/// counterpart of a bundle that lacks an output. Scenarios not named here run with every
/// permission.
pub fn live_setup(scenario: &str, env: &LiveEnv) {
    match scenario {
        "oidc-providers-not-listed" => env.iam.deny("ListOpenIDConnectProviders"),
        "oidc-provider-not-described" => env.iam.deny("GetOpenIDConnectProvider"),
        "pi-association-not-described" => env.eks.deny("DescribePodIdentityAssociation"),
        "pods-forbidden" => env.kube.deny("list", "pods", None),
        "agent-pods-not-collected" => env.kube.deny("list", "pods", Some("kube-system")),
        "role-policies-denied" => {
            env.iam.deny("GetAccountAuthorizationDetails");
            env.iam.deny("ListRolePolicies");
            env.iam.deny("ListAttachedRolePolicies");
        }
        "serviceaccounts-forbidden" => env.kube.deny("list", "serviceaccounts", None),
        _ => {}
    }
}

/// Scenarios whose report cannot be reproduced identically live, and why. They are still run
/// live and must still differ, so a stale entry fails.
pub const LIVE_DIFFERS: &[(&str, &str)] = &[
    (
        "aws-data-missing",
        "the bundle has no EKS cluster (no DescribeCluster output): a live run always reads \
         the cluster, and without one nothing names it, so it stops with exit 2 asking for \
         --cluster instead of reporting the AWS links unknown",
    ),
    (
        "kube-only",
        "a Kubernetes-only bundle: a live run cannot leave AWS out (it reads IAM and EKS), and \
         without a cluster it stops with exit 2 asking for --cluster",
    ),
    (
        "oidc-provider-cross-account",
        "the bundle holds the role and OIDC provider of a second account (777788889999), \
         collected there with that account's credentials; a live run reads the caller's \
         account only (GetRole by name cannot reach another account), so the role is \
         `unknown` (not collected) instead of found",
    ),
    (
        "trust-provider-wrong-account",
        "as oidc-provider-cross-account: the role lives in 777788889999, which a live run with \
         the cluster account's credentials cannot read",
    ),
    (
        "pi-role-other-account",
        "the association's role is in 777788889999 and the bundle has it; a live run cannot \
         read another account's role, so the diagnosis reports ROLE_NOT_COLLECTED, not \
         ROLE_NOT_IN_CLUSTER_ACCOUNT",
    ),
    (
        "pi-target-role-no-tagsession",
        "the target role is in 777788889999 and the bundle has its trust policy; a live run \
         cannot read it, so the trust link is `unknown` instead of broken",
    ),
    (
        "role-not-collected",
        "the bundle deliberately lacks the role list, so the role is `unknown` with the \
         command that would collect it; a live run always reads the account's roles, so the \
         role is known not to exist (broken), and a denied read would name the permission \
         instead of the command",
    ),
    (
        "pi-association-missing",
        "the bundle collected neither the eks-pod-identity-agent add-on nor kube-system's \
         DaemonSets (`unknown`); a live run always reads both, and finds them absent (broken)",
    ),
    (
        "sa-missing-typo",
        "the bundle did not list the pods of namespace analytics (`unknown`); a live run \
         always lists the namespace's pods, and the list is empty",
    ),
];

/// The `--action ACTION --resource ARN` pairs a scenario's expected.json gives one service
/// account (all of them when `who` is `None`), each pair once, in file order.
pub fn scenario_actions(scenario: &str, who: Option<(&str, &str)>) -> Vec<String> {
    let path = scenarios_root().join(scenario).join("expected.json");
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
        .unwrap_or(Value::Null);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for e in expected.as_array().into_iter().flatten() {
        if let Some((ns, sa)) = who
            && (e["namespace"] != ns || e["serviceAccount"] != sa)
        {
            continue;
        }
        let args: Vec<&str> = e["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut it = args.into_iter().peekable();
        while let Some(flag) = it.next() {
            if flag != "--action" {
                continue;
            }
            let Some(action) = it.next() else { break };
            let resource = match it.peek() {
                Some(&"--resource") => {
                    it.next();
                    it.next().unwrap_or("*")
                }
                _ => "*",
            };
            let pair = (action.to_string(), resource.to_string());
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    pairs
        .into_iter()
        .flat_map(|(a, r)| ["--action".to_string(), a, "--resource".to_string(), r])
        .collect()
}

/// Scenarios diagnosed with a target or in one namespace instead of `-A`: what they show needs a
/// namespace-scoped live read (the kube-system listing apart from the workload's), or a workload
/// `-A` leaves out (one with no AWS identity, asked about by name).
const SCOPED: &[(&str, &[&str])] = &[
    ("agent-pods-not-collected", &["-n", "shop"]),
    ("wildcard-subject-default", &["default", "-A"]),
    // Before `setup` (issue 12) the workloads use no AWS identity, so only a target shows them.
    ("setup-before-langflow", &["langflow", "-A"]),
    ("setup-before-litellm", &["tlm-chat-backend", "-A"]),
    (
        "setup-before-flyte",
        &["default", "-n", "flytesnacks-development"],
    ),
    ("setup-before-enbuild", &["enbuild-ai", "-A"]),
    ("setup-before-kubeflow", &["default-viewer", "-A"]),
];

/// Scenarios whose expected actions are left out of the offline == live comparison, and why.
const ACTIONS_NOT_COMPARED: &[(&str, &str)] = &[
    (
        "pi-addon-owned-association",
        "the action is allowed by an AWS managed policy: the bundle holds AWS's copy, moto serves          its own older one, so the verdicts differ by the emulator's data, not by our code",
    ),
    (
        "seed-litellm-tlm",
        "the bundle has `aws iam get-role` only, without the role's policy lists, so offline the          action is unknown while a live run reads the lists and allows it",
    ),
];

/// The arguments a scenario is diagnosed with, offline and live: every workload (`-A`, or what
/// [`SCOPED`] says) with every action its expected.json asks about (unless
/// [`ACTIONS_NOT_COMPARED`] says why not).
pub fn doctor_args(scenario: &str) -> Vec<String> {
    let mut args: Vec<String> = vec!["doctor".into()];
    match SCOPED.iter().find(|(n, _)| *n == scenario) {
        Some((_, scope)) => args.extend(scope.iter().map(|s| s.to_string())),
        None => args.push("-A".into()),
    }
    args.extend(["-o".to_string(), "json".to_string()]);
    if !ACTIONS_NOT_COMPARED.iter().any(|(n, _)| *n == scenario) {
        args.extend(scenario_actions(scenario, None));
    }
    args
}
