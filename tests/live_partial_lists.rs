//! Lists cut short (issue 10, "Honest states"): when a page after the first is refused (403)
//! or its continue token has expired (410 Gone), the live gather keeps the items it read and
//! says why in `Listing::partial` (resource, namespace, reason); a cluster-scoped list, which
//! has no room for that, becomes `Missing::Partial` with the same sentence. The same cluster
//! without the failures gives every item and no `partial`.
//!
//! The fake Kubernetes API pages like the real one (500 items a page, the client's page size)
//! and fails only the pages after the first ([`FakeKube::fail_later_pages`]).
//!
//! The library reads AWS credentials, region and endpoints from the process environment, and
//! setting environment variables in a multi-threaded test process is unsound: the gather runs
//! in a child process (this test binary, running only the ignored [`gather_child`] test) with
//! [`LiveEnv::environment`], and writes what it found as JSON.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use std::process::Command;

use kubectl_irsa::model::Fact;
use kubectl_irsa::sources::live::{self, LiveOptions};
use serde_json::{Value, json};
use support::fake_aws::Moto;
use support::live_env::{self, LiveEnv};

const CASE_ENV: &str = "KUBECTL_IRSA_PARTIAL_CASE";
const OUT_ENV: &str = "KUBECTL_IRSA_PARTIAL_OUT";
const CHILD_ARGS: &[&str] = &["gather_child", "--exact", "--ignored", "--test-threads=1"];
/// More than the gather's page size (500): two pages.
const EXTRA: usize = 600;

/// A listing or a list fact as JSON: `{"count", "partial"}` or `{"missing": ...}`.
fn described(count: Option<usize>, partial: Option<&String>, missing: Option<Value>) -> Value {
    match missing {
        Some(m) => json!({ "missing": m }),
        None => json!({ "count": count, "partial": partial }),
    }
}

/// Run by the tests in a child process whose environment points at the fakes; does nothing
/// otherwise.
#[test]
#[ignore = "run by the other tests of this file in a child process, with the fakes' environment"]
fn gather_child() {
    let (Ok(case), Ok(out)) = (std::env::var(CASE_ENV), std::env::var(OUT_ENV)) else {
        return;
    };
    let case: Value = serde_json::from_str(&case).unwrap_or_else(|e| panic!("{CASE_ENV}: {e}"));
    let opts = LiveOptions {
        all_namespaces: case["all"] == true,
        namespace: case["namespace"].as_str().map(str::to_string),
        ..LiveOptions::default()
    };
    let snapshot = live::block_on(live::gather(&opts))
        .unwrap_or_else(|e| panic!("runtime: {e}"))
        .unwrap_or_else(|e| panic!("gather: {e}"));
    let pods = match &snapshot.kube.pods {
        Fact::Known(l) => described(Some(l.items.len()), l.partial.as_ref(), None),
        Fact::Missing(m) => described(None, None, Some(json!(m))),
    };
    let nodes = match &snapshot.kube.nodes {
        Fact::Known(n) => described(Some(n.len()), None, None),
        Fact::Missing(m) => described(None, None, Some(json!(m))),
    };
    let answer = json!({ "pods": pods, "nodes": nodes });
    std::fs::write(&out, answer.to_string()).unwrap_or_else(|e| panic!("{out}: {e}"));
}

/// Gathers in a child process pointed at `env`.
fn gather(env: &LiveEnv, case: Value) -> Value {
    let out = env.home().join("partial.json");
    let _ = std::fs::remove_file(&out);
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("this test binary: {e}"));
    let mut command = Command::new(exe);
    command
        .env_clear()
        .env("PATH", env.path_var())
        .envs(env.environment())
        .env(CASE_ENV, case.to_string())
        .env(OUT_ENV, &out)
        .args(CHILD_ARGS);
    let run = live_env::run(command);
    assert_eq!(run.code, Some(0), "{case}: {}", run.explain());
    let text = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("{case}: no answer ({e})\n{}", run.explain()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `EXTRA` more pods in `namespace` (bare pods running as `default`).
fn add_pods(env: &LiveEnv, namespace: &str) {
    for i in 0..EXTRA {
        env.kube.insert(json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": format!("filler-{i:04}"), "namespace": namespace, "uid": format!("uid-filler-{i}")},
            "spec": {"serviceAccountName": "default", "containers": [{"name": "app", "image": "app:1"}]},
        }));
    }
}

fn add_nodes(env: &LiveEnv) {
    for i in 0..EXTRA {
        env.kube.insert(json!({
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": format!("node-filler-{i:04}")},
        }));
    }
}

fn count(listing: &Value) -> u64 {
    listing["count"]
        .as_u64()
        .unwrap_or_else(|| panic!("a known listing: {listing}"))
}

fn partial(listing: &Value) -> String {
    listing["partial"]
        .as_str()
        .unwrap_or_else(|| panic!("a partial listing: {listing}"))
        .to_string()
}

#[test]
fn a_refused_later_page_keeps_the_first_page_and_says_why() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    add_pods(&env, "shop");
    let case = json!({ "namespace": "shop" });

    let whole = gather(&env, case.clone());
    assert!(whole["pods"]["partial"].is_null(), "{whole}");
    let all = count(&whole["pods"]);
    assert!(all > EXTRA as u64, "every page read: {whole}");

    env.kube.fail_later_pages("pods", 403);
    let cut = gather(&env, case);
    let pods = &cut["pods"];
    let read = count(pods);
    // The first page of shop (500) plus the kube-system agent's pods (one page).
    assert!(
        (500..all).contains(&read),
        "the first page kept, not the rest: {read} of {all}"
    );
    let why = partial(pods);
    for says in [
        "pods in namespace shop",
        "stopped after 500 items",
        "page 2 was refused (403)",
        "cannot list resource \"pods\"",
    ] {
        assert!(why.contains(says), "{says:?} in {why:?}");
    }
}

#[test]
fn an_expired_continue_token_cuts_lists_short_cluster_wide() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    add_pods(&env, "shop");
    add_nodes(&env);
    env.kube.fail_later_pages("pods", 410);
    env.kube.fail_later_pages("nodes", 410);
    let cut = gather(&env, json!({ "all": true }));

    let pods = &cut["pods"];
    assert_eq!(count(pods), 500, "the first page, cluster-wide: {cut}");
    let why = partial(pods);
    for says in [
        "pods (cluster-wide)",
        "stopped after 500 items",
        "continue token expired (410 Gone) before page 2",
    ] {
        assert!(why.contains(says), "{says:?} in {why:?}");
    }

    // A list of nodes has no `partial`: the reason stands in for it.
    let nodes = &cut["nodes"]["missing"];
    assert_eq!(nodes["reason"], "partial", "{cut}");
    let message = nodes["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("nodes (cluster-wide)") && message.contains("410 Gone"),
        "{message}"
    );
}
