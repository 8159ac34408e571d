//! Every fixture scenario the planner fixes in memory, fixed live against the harness (issue
//! 11 "Tests"): `fix sa/NAME --yes` exits 0 with the chain green afterwards, the request logs
//! hold exactly one write per planned step of each system, a rerun plans nothing and writes
//! nothing, and `undo --last` puts every trust document back as it was.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use std::collections::BTreeMap;

use serde_json::Value;
use support::fake_aws::Moto;
use support::live_env::LiveEnv;

/// (scenario, namespace, service account) of a broken chain the planner fixes.
const FIXED: &[(&str, &str, &str)] = &[
    ("audience-not-in-client-ids", "", ""),
    ("basic", "shop", "search"),
    ("both-env-sets-web-identity-wins", "", ""),
    ("env-hardcoded-role", "", ""),
    ("injection-stale-role", "", ""),
    ("nonroot-deployment-no-fsgroup", "", ""),
    ("oidc-provider-missing", "", ""),
    ("pi-agent-not-installed", "", ""),
    ("pi-pod-before-association", "", ""),
    ("pi-trust-irsa-only", "", ""),
    ("pi-trust-no-tagsession", "", ""),
    ("pod-before-annotation", "", ""),
    ("trust-aud-holds-subject", "", ""),
    ("trust-aud-mismatch", "", ""),
    ("trust-ec2-only", "", ""),
    ("trust-issuers-anded", "", ""),
    ("trust-provider-other-region", "", ""),
    ("trust-sub-typo-kubeflow", "", ""),
    ("trust-wildcard-stringequals", "", ""),
    ("trust-wrong-action", "", ""),
];

/// The first broken entry of the scenario's expected.json, unless named.
fn target(scenario: &str, ns: &str, sa: &str) -> (String, String) {
    if !ns.is_empty() {
        return (ns.to_string(), sa.to_string());
    }
    let path = format!(
        "{}/tests/scenarios/{scenario}/expected.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let w = expected
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| !w["brokenLink"].is_null())
        .unwrap_or_else(|| panic!("{scenario}: a broken entry"));
    (
        w["namespace"].as_str().unwrap().to_string(),
        w["serviceAccount"].as_str().unwrap().to_string(),
    )
}

fn trust_documents(env: &LiveEnv) -> BTreeMap<String, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        let mut out = BTreeMap::new();
        for role in env.snapshot.aws.iam.roles.values() {
            if let Ok(r) = iam.get_role().role_name(&role.name).send().await
                && let Some(doc) = r.role().and_then(|r| r.assume_role_policy_document())
            {
                out.insert(role.name.clone(), doc.to_string());
            }
        }
        out
    })
}

#[test]
fn every_fixable_scenario_is_fixed_live_rerun_to_nothing_and_undone() {
    let moto = Moto::acquire_blocking();
    let mut failures = Vec::new();
    for (scenario, ns, sa) in FIXED {
        let (ns, sa) = target(scenario, ns, sa);
        let env = LiveEnv::start(&moto, scenario);
        let trust_before = trust_documents(&env);
        let sa_target = format!("sa/{sa}");
        env.clear_requests();
        let run = env.run(&["fix", &sa_target, "-n", &ns, "--yes", "-o", "json"]);
        let out = run.json();
        if run.code != Some(0) || out["result"] != "applied" {
            failures.push(format!("{scenario}: {}", run.explain()));
            continue;
        }
        let steps = out["steps"].as_array().cloned().unwrap_or_default();
        let planned = |system: &str| steps.iter().filter(|s| s["system"] == system).count();
        let (kube, iam, eks) = (
            env.kube.writes().len(),
            env.iam.writes().len(),
            env.eks.writes().len(),
        );
        if (kube, iam, eks) != (planned("kubernetes"), planned("iam"), planned("eks")) {
            failures.push(format!(
                "{scenario}: writes kube {kube} iam {iam} eks {eks} for steps {steps:?}"
            ));
        }
        let broken: Vec<&Value> = out["diagnosis"]["workloads"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|w| w["status"] == "broken")
            .collect();
        if !broken.is_empty() {
            failures.push(format!("{scenario}: still broken after: {broken:?}"));
        }
        env.clear_requests();
        let again = env.run(&["fix", &sa_target, "-n", &ns, "--yes", "-o", "json"]);
        if again.json()["result"] != "nothing-to-do"
            || !env.iam.writes().is_empty()
            || !env.kube.writes().is_empty()
        {
            failures.push(format!("{scenario}: rerun: {}", again.explain()));
        }
        let undo = env.run(&["undo", "--last", "--yes", "-n", &ns, "-o", "json"]);
        if undo.code != Some(0) {
            failures.push(format!("{scenario}: undo: {}", undo.explain()));
            continue;
        }
        let after_undo = trust_documents(&env);
        for (role, doc) in &trust_before {
            let now = after_undo.get(role).map(String::as_str).unwrap_or("");
            let same = kubectl_irsa::policy::decode_document(now).ok()
                == kubectl_irsa::policy::decode_document(doc).ok();
            if !same {
                failures.push(format!(
                    "{scenario}: trust of {role} not restored:\n{doc}\n{now}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
