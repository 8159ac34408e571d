//! The fake API server plays what a cluster does after a write (issue 11, "Tests"): the real
//! `kubectl rollout restart` / `kubectl set serviceaccount` against it make the Deployment
//! controller roll out new pods, and the pod identity webhook mutates them at creation (IRSA
//! from the service account's annotation, Pod Identity from the fake EKS's association, which
//! wins). The doctor, run live before and after, sees the chain turn green, as a fix test will.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once) and `kubectl` on PATH.

mod support;

use std::process::Command;

use serde_json::Value;
use support::fake_aws::Moto;
use support::live_env::{LiveEnv, Run, run};

fn kubectl(env: &LiveEnv, args: &[&str]) -> Run {
    let mut command = Command::new("kubectl");
    command.env_clear().env("PATH", env.path_var());
    for (k, v) in env.environment() {
        command.env(k, v);
    }
    command.arg("--kubeconfig").arg(&env.kubeconfig).args(args);
    let out = run(command);
    assert_eq!(out.code, Some(0), "kubectl {args:?}: {}", out.explain());
    out
}

fn status_of(env: &LiveEnv, ns: &str, name: &str) -> (String, Value) {
    let report = env.run(&["doctor", "-n", ns, "-o", "json"]).json();
    let w = report["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no workload {name} in {report}"));
    (w["status"].as_str().unwrap_or_default().to_string(), w)
}

fn pod_names(env: &LiveEnv, ns: &str) -> Vec<String> {
    let out = kubectl(env, &["get", "pods", "-n", ns, "-o", "json"]);
    let list: Value = serde_json::from_str(&out.stdout).unwrap_or(Value::Null);
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_rollout_restart_gives_new_pods_what_the_webhook_injects_now() {
    let moto = Moto::acquire_blocking();
    for (scenario, ns, deploy, env_var) in [
        ("pod-before-annotation", "jobs", "worker", "AWS_ROLE_ARN"),
        (
            "pi-pod-before-association",
            "shop",
            "billing",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ),
    ] {
        let env = LiveEnv::start(&moto, scenario);
        let (before, _) = status_of(&env, ns, deploy);
        assert_eq!(before, "broken", "{scenario}: pods older than the identity");
        let old_pods = pod_names(&env, ns);
        kubectl(
            &env,
            &["rollout", "restart", "deployment", deploy, "-n", ns],
        );
        let new_pods = pod_names(&env, ns);
        assert!(
            !new_pods.is_empty() && new_pods.iter().all(|p| !old_pods.contains(p)),
            "{scenario}: new pods replace the old ones: {old_pods:?} -> {new_pods:?}"
        );
        let pod = env
            .kube
            .object("v1", "Pod", Some(ns), &new_pods[0])
            .unwrap_or(Value::Null);
        assert!(
            pod.to_string().contains(env_var),
            "{scenario}: the webhook injected {env_var}: {pod}"
        );
        let (after, w) = status_of(&env, ns, deploy);
        assert_eq!(after, "ok", "{scenario}: green after the restart: {w}");
    }
}

#[test]
fn switching_the_service_account_rolls_out_pods_running_as_it() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "pod-uses-default-sa");
    let (before, _) = status_of(&env, "shop", "payments");
    assert_eq!(before, "broken");
    kubectl(
        &env,
        &[
            "set",
            "serviceaccount",
            "deployment",
            "payments",
            "payments",
            "-n",
            "shop",
        ],
    );
    let pods = pod_names(&env, "shop");
    let pod = env
        .kube
        .object("v1", "Pod", Some("shop"), &pods[0])
        .unwrap_or(Value::Null);
    assert_eq!(pod["spec"]["serviceAccountName"], "payments", "{pod}");
    let (after, w) = status_of(&env, "shop", "payments");
    assert_ne!(after, "broken", "{w}");
}

/// Without the webhook's configuration nothing is injected, as on a cluster whose webhook is
/// gone (field guide A4).
#[test]
fn without_the_webhook_new_pods_are_not_mutated() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "pod-before-annotation");
    kubectl(
        &env,
        &[
            "delete",
            "mutatingwebhookconfiguration",
            "pod-identity-webhook",
        ],
    );
    kubectl(
        &env,
        &["rollout", "restart", "deployment", "worker", "-n", "jobs"],
    );
    let pods = pod_names(&env, "jobs");
    let pod = env
        .kube
        .object("v1", "Pod", Some("jobs"), &pods[0])
        .unwrap_or(Value::Null);
    assert!(!pod.to_string().contains("AWS_ROLE_ARN"), "{pod}");
}
