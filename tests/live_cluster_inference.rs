//! Which EKS cluster a kubeconfig context is (issue 3): inferred from an `aws eks get-token
//! --cluster-name NAME` exec user (region too), or by matching the API server URL against
//! DescribeCluster's endpoint for a static-token kubeconfig, or taken from `--cluster`; the
//! report names the cluster and its notes say how it was found. When nothing identifies it, the
//! run stops with exit 2 and one line asking for `--cluster`.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use kubectl_irsa::model::aws::EksCluster;
use support::fake_aws::Moto;
use support::live_env::{CONTEXT, KubeconfigKind, LiveEnv, Run, run};

const DOCTOR: &[&str] = &["doctor", "-A", "-o", "json"];

fn cluster_name(run: &Run) -> String {
    run.json()["cluster"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn cluster_note(run: &Run) -> String {
    run.notes()
        .into_iter()
        .find(|n| n.starts_with("EKS cluster"))
        .unwrap_or_else(|| panic!("no note on the cluster: {:?}", run.notes()))
}

/// The basic scenario's cluster, with its endpoint set to `endpoint`.
fn with_endpoint(env: &LiveEnv, endpoint: &str) -> EksCluster {
    let mut cluster = env
        .snapshot
        .aws
        .cluster
        .known()
        .cloned()
        .unwrap_or_else(|| panic!("basic has a cluster"));
    cluster.endpoint = Some(endpoint.to_string());
    cluster
}

/// A second cluster in the account, so matching has something to tell apart.
fn decoy(env: &LiveEnv) -> EksCluster {
    let mut other = with_endpoint(
        env,
        "https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
    );
    other.name = "shop-staging".into();
    other.arn = other.arn.replace("shop-prod", "shop-staging");
    other
}

#[test]
fn the_exec_kubeconfig_names_the_cluster_and_its_region() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    env.eks.add_cluster(decoy(&env));
    // No AWS_REGION: the region comes from the exec user's `--region` too.
    let mut command = env.command();
    command.env_remove("AWS_REGION").args(DOCTOR);
    let live = run(command);
    assert_eq!(live.code, Some(1), "{}", live.explain());
    assert_eq!(cluster_name(&live), "shop-prod");
    let note = cluster_note(&live);
    assert!(
        note.contains("`shop-prod`") && note.contains(&format!("context `{CONTEXT}`")),
        "{note}"
    );
    assert!(
        note.contains("runs `aws`"),
        "says it read the exec user: {note}"
    );
    let source = live.json()["source"]["description"].to_string();
    assert!(
        source.contains("eu-west-1") && source.contains("210987654321"),
        "{source}"
    );
    assert_eq!(
        env.eks.count("ListClusters"),
        0,
        "named, not searched for: {}",
        env.request_counts()
    );
    assert_eq!(env.eks.count("DescribeCluster"), 1);
}

#[test]
fn a_static_kubeconfig_is_matched_by_the_api_server_url() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    env.write_kubeconfig(KubeconfigKind::StaticToken);
    env.eks.add_cluster(decoy(&env));
    env.eks.add_cluster(with_endpoint(&env, &env.kube_url()));
    let live = env.run(DOCTOR);
    assert_eq!(live.code, Some(1), "{}", live.explain());
    assert_eq!(cluster_name(&live), "shop-prod");
    let note = cluster_note(&live);
    assert!(
        note.contains("`shop-prod`") && note.contains("endpoint matches the API server URL"),
        "{note}"
    );
    assert_eq!(env.eks.count("ListClusters"), 1, "{}", env.request_counts());
    // The same report as when the kubeconfig names the cluster.
    env.write_kubeconfig(KubeconfigKind::EksExec);
    let named = env.run(DOCTOR);
    assert_eq!(named.report(), live.report());
}

#[test]
fn a_static_kubeconfig_matching_no_cluster_asks_for_cluster() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    env.write_kubeconfig(KubeconfigKind::StaticToken);
    env.eks.add_cluster(decoy(&env));
    let live = env.run(DOCTOR);
    assert_eq!(live.code, Some(2), "{}", live.explain());
    assert!(live.stdout.is_empty(), "no report: {}", live.stdout);
    let lines: Vec<&str> = live.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", live.stderr);
    assert!(
        lines[0].contains("--cluster") && lines[0].contains(CONTEXT),
        "{}",
        lines[0]
    );
    assert!(
        env.eks.count("DescribeCluster") >= 2,
        "both clusters compared: {}",
        env.request_counts()
    );
    assert!(env.kube.writes().is_empty());

    // --cluster settles it, and the note says so.
    let named = env.run(&["doctor", "-A", "-o", "json", "--cluster", "shop-prod"]);
    assert_eq!(named.code, Some(1), "{}", named.explain());
    assert_eq!(cluster_name(&named), "shop-prod");
    assert!(cluster_note(&named).contains("from --cluster"));

    // A cluster that does not exist is bad input, said once.
    let wrong = env.run(&["doctor", "-A", "-o", "json", "--cluster", "shop-prdo"]);
    assert_eq!(wrong.code, Some(2), "{}", wrong.explain());
    assert_eq!(wrong.stderr.lines().count(), 1, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("`shop-prdo` was not found"),
        "{}",
        wrong.stderr
    );
}

#[test]
fn cluster_overrides_the_kubeconfig() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    env.eks.add_cluster(decoy(&env));
    let live = env.run(&["doctor", "-A", "-o", "json", "--cluster", "shop-staging"]);
    assert_eq!(cluster_name(&live), "shop-staging", "{}", live.explain());
    assert!(cluster_note(&live).contains("`shop-staging` from --cluster"));
}
