//! `kubectl irsa dump` live (issue 3, "Done when"): `dump -A DIR` against the fakes, then
//! `doctor -A --offline DIR` gives the live doctor's report (same exit code, same report but
//! `source` and `notes`), on scenarios covering IRSA, Pod Identity, another partition, a
//! permissions boundary and an access-denied fact; `dump -n NS` round-trips the same way. The
//! dump holds no Secret and no token, though the cluster has both and the binary held an exec
//! token and AWS keys, and dumping writes nothing anywhere.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use std::path::Path;

use serde_json::json;
use support::fake_aws::{Moto, TEST_SECRET_ACCESS_KEY};
use support::live_env::{LiveEnv, json_diff, offline};

const SCENARIOS: &[&str] = &[
    "basic",
    "seed-kubeflow",
    "pod-identity-healthy",
    "pi-agent-not-ready",
    "irsa-china-healthy",
    "permissions-boundary",
    "associations-access-denied",
    "static-keys-secret",
];

/// Strings that must never be in a bundle.
const SECRET_VALUE: &str = "c3VwZXItc2VjcmV0LXZhbHVl";
const SA_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2UifQ.c2VjcmV0LXRva2Vu.c2ln";

/// A Secret and a legacy service account token Secret in the scenario's first namespace.
fn add_secrets(env: &LiveEnv) {
    let namespace = env
        .snapshot
        .kube
        .service_accounts
        .known()
        .and_then(|l| l.items.first())
        .and_then(|sa| sa.metadata.namespace.clone())
        .unwrap_or_else(|| "default".into());
    env.kube.insert(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "aws-keys", "namespace": namespace},
        "type": "Opaque",
        "data": {"AWS_SECRET_ACCESS_KEY": SECRET_VALUE}
    }));
    env.kube.insert(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "legacy-token", "namespace": namespace,
                     "annotations": {"kubernetes.io/service-account.name": "default"}},
        "type": "kubernetes.io/service-account-token",
        "data": {"token": SA_TOKEN}
    }));
}

/// Every file of the bundle, with what must not be in it.
fn assert_no_secret(dir: &Path, label: &str) {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{label}: {e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{label}: {e}")).path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{label}: {e}"));
        files += 1;
        let name = path.display();
        let compact = text.replace([' ', '\n'], "");
        assert!(
            !compact.contains("\"kind\":\"Secret\""),
            "{label}: {name} holds a Secret"
        );
        for needle in [
            SECRET_VALUE,
            SA_TOKEN,
            "k8s-aws-v1.",
            TEST_SECRET_ACCESS_KEY,
            "service-account-token",
            "eyJ",
        ] {
            assert!(!text.contains(needle), "{label}: {name} holds `{needle}`");
        }
    }
    assert!(files >= 5, "{label}: only {files} files");
}

fn dump_and_compare(env: &LiveEnv, scope: &[&str], label: &str) {
    let dir = env.home().join(format!("dump-{}", scope.join("")));
    let mut args = vec!["dump"];
    args.extend(scope);
    let dir_text = dir.display().to_string();
    args.push(&dir_text);
    env.clear_requests();
    let dumped = env.run(&args);
    assert_eq!(dumped.code, Some(0), "{label}: {}", dumped.explain());
    assert!(
        dumped.stdout.contains("kubectl irsa doctor -A --offline"),
        "{label}: says how to read it: {}",
        dumped.stdout
    );
    assert!(
        env.kube.writes().is_empty(),
        "{label}: dump wrote to Kubernetes"
    );
    assert!(
        env.kube.token_requests().is_empty(),
        "{label}: dump asked for a token"
    );
    assert!(
        env.iam.writes().is_empty() && env.eks.writes().is_empty(),
        "{label}: AWS writes"
    );
    assert!(
        env.kube
            .requests()
            .iter()
            .all(|r| !r.path.contains("secrets")),
        "{label}: dump read Secrets"
    );
    assert_no_secret(&dir, label);

    let mut doctor = vec!["doctor", "-o", "json"];
    doctor.extend(scope);
    let live = env.run(&doctor);
    let reread = offline(&dir, &doctor);
    assert_eq!(
        reread.code,
        live.code,
        "{label}: exit codes\nlive: {}\noffline: {}",
        live.explain(),
        reread.explain()
    );
    let diff = json_diff(&live.report_as_offline(), &reread.report(), 10);
    assert!(
        diff.is_empty(),
        "{label}: the dump reads back to another report:\n{}",
        diff.join("\n")
    );
    assert!(
        reread.notes().is_empty(),
        "{label}: the dump loads without notes: {:?}",
        reread.notes()
    );
}

#[test]
fn a_live_dump_reads_back_to_the_live_report() {
    let moto = Moto::acquire_blocking();
    let started = std::time::Instant::now();
    for scenario in SCENARIOS {
        let env = LiveEnv::start(&moto, scenario);
        add_secrets(&env);
        dump_and_compare(&env, &["-A"], &format!("{scenario} -A"));
    }
    eprintln!(
        "{} scenarios dumped and re-read in {:?}",
        SCENARIOS.len(),
        started.elapsed()
    );
}

#[test]
fn a_namespace_dump_reads_back_to_the_namespace_report() {
    let moto = Moto::acquire_blocking();
    for (scenario, namespace) in [("basic", "shop"), ("seed-kubeflow", "kubeflow-user-a")] {
        let env = LiveEnv::start(&moto, scenario);
        add_secrets(&env);
        dump_and_compare(
            &env,
            &["-n", namespace],
            &format!("{scenario} -n {namespace}"),
        );
    }
}

#[test]
fn dump_refuses_a_directory_in_use_and_writes_nothing_there() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    let dir = env.home().join("in-use");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("notes.txt"), "mine").unwrap_or_else(|e| panic!("{e}"));
    let run = env.run(&["dump", "-A", &dir.display().to_string()]);
    assert_eq!(run.code, Some(2), "{}", run.explain());
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "one clear line: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("not an empty directory"),
        "{}",
        run.stderr
    );
    assert!(
        env.kube.requests().is_empty() && env.iam.requests().is_empty(),
        "refused before reading the cluster: {}",
        env.request_counts()
    );
    let entries = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(entries, 1, "nothing added");
}
