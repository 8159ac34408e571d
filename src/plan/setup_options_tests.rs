//! The wizard's choices on the fixture clusters: the recommendation follows the workload's
//! platform and the cluster's add-on and provider, with reasons; only roles that could serve
//! the service account through the mechanism are offered, each with what it needs.

use std::path::PathBuf;

use super::*;

fn scenario(name: &str) -> Snapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name)
        .join("bundle");
    crate::sources::bundle::load_dirs(&[dir]).unwrap()
}

/// The recommendation for the first workload of `ns` (of any kind: a fixture may hold bare
/// pods or ReplicaSets only).
fn recommendation_of(name: &str, ns: &str) -> Recommendation {
    let snap = scenario(name);
    let w = workloads::resolve(&snap.kube)
        .into_iter()
        .find(|w| w.id.namespace == ns)
        .unwrap_or_else(|| panic!("{name}: no workload in {ns}"));
    recommend(
        &snap,
        ns,
        Some((w.id.kind, &w.id.name)),
        &w.service_account(),
    )
}

fn unavailable(r: &Recommendation, m: Mechanism) -> Vec<&str> {
    r.unavailable
        .iter()
        .filter(|(x, _)| *x == m)
        .map(|(_, why)| why.as_str())
        .collect()
}

#[test]
fn the_langflow_workload_is_listed_with_its_service_account_and_identity() {
    let snap = scenario("seed-langflow");
    let listed = workloads(&snap, "langflow");
    assert_eq!(
        listed,
        [WorkloadChoice {
            kind: WorkloadKind::Deployment,
            name: "langflow".into(),
            service_account: "langflow-sa".into(),
            identity: Some("IRSA role LangflowBedrockRole".into()),
        }]
    );
    assert!(workloads(&snap, "kube-system").is_empty());
}

#[test]
fn fargate_windows_and_host_network_pods_get_irsa_and_pod_identity_is_refused() {
    for (name, ns, why) in [
        ("pi-fargate", "shop", "Fargate"),
        ("pi-windows", "shop", "Windows"),
        ("pi-host-network", "enbuild", "hostNetwork"),
    ] {
        let r = recommendation_of(name, ns);
        assert_eq!(r.mechanism, Mechanism::Irsa, "{name}: {r:?}");
        let refused = unavailable(&r, Mechanism::PodIdentity);
        assert!(refused.iter().any(|s| s.contains(why)), "{name}: {r:?}");
        assert!(
            r.reasons[0].contains(why),
            "{name}: the blocker comes first: {r:?}"
        );
        assert!(unavailable(&r, Mechanism::Irsa).is_empty(), "{name}");
    }
}

#[test]
fn a_service_account_keeps_the_mechanism_it_uses() {
    let r = recommendation_of("seed-langflow", "langflow");
    assert_eq!(r.mechanism, Mechanism::Irsa);
    assert!(
        r.reasons
            .iter()
            .any(|s| s == "the service account already uses IRSA role LangflowBedrockRole"),
        "{r:?}"
    );
    assert!(
        r.reasons
            .iter()
            .any(|s| s.contains("OIDC provider is registered")),
        "{r:?}"
    );
    let r = recommendation_of("pod-identity-healthy", "shop");
    assert_eq!(r.mechanism, Mechanism::PodIdentity, "{r:?}");
}

#[test]
fn a_fresh_service_account_gets_pod_identity_where_the_agent_runs() {
    let snap = scenario("pod-identity-healthy");
    let r = recommend(&snap, "shop", None, "brand-new");
    assert_eq!(r.mechanism, Mechanism::PodIdentity, "{r:?}");
    assert!(
        r.reasons.iter().any(|s| s.contains("agent is installed")),
        "{r:?}"
    );
    assert!(r.unavailable.is_empty(), "{r:?}");
    // Auto Mode has the agent built in.
    let snap = scenario("auto-mode");
    let r = recommend(&snap, "shop", None, "brand-new");
    assert!(r.reasons.iter().any(|s| s.contains("Auto Mode")), "{r:?}");
}

#[test]
fn without_the_agent_but_with_the_provider_irsa_is_recommended() {
    let snap = scenario("irsa-healthy");
    let r = recommend(&snap, "shop", None, "brand-new");
    assert_eq!(r.mechanism, Mechanism::Irsa, "{r:?}");
}

#[test]
fn a_namespace_pattern_is_irsa_only() {
    let snap = scenario("seed-flyte");
    let r = recommend(&snap, "flyte-*", None, "default");
    assert_eq!(r.mechanism, Mechanism::Irsa);
    assert!(
        unavailable(&r, Mechanism::PodIdentity)
            .iter()
            .any(|s| s.contains("wildcard")),
        "{r:?}"
    );
}

#[test]
fn irsa_candidates_trust_this_clusters_provider_and_say_what_they_need() {
    let snap = scenario("seed-langflow");
    let own = candidate_roles(&snap, "langflow", "langflow-sa", Mechanism::Irsa);
    assert_eq!(own.len(), 1, "{own:?}");
    assert_eq!(own[0].name, "LangflowBedrockRole");
    assert_eq!(own[0].needs, None, "it already trusts langflow/langflow-sa");
    let other = candidate_roles(&snap, "langflow", "worker", Mechanism::Irsa);
    assert_eq!(
        other[0].needs.as_deref(),
        Some("add system:serviceaccount:langflow:worker to its trust")
    );
}

#[test]
fn a_role_trusting_another_clusters_provider_is_not_offered_for_irsa() {
    let snap = scenario("trust-provider-other-cluster");
    let ns_sa: Vec<(String, String)> = workloads(&snap, "shop")
        .into_iter()
        .map(|w| ("shop".into(), w.service_account))
        .collect();
    let (ns, sa) = ns_sa
        .first()
        .cloned()
        .unwrap_or(("shop".into(), "orders".into()));
    assert!(!snap.aws.iam.roles.is_empty());
    let offered = candidate_roles(&snap, &ns, &sa, Mechanism::Irsa);
    assert!(offered.is_empty(), "{offered:?}");
}

#[test]
fn pod_identity_candidates_are_in_the_clusters_account() {
    let snap = scenario("pod-identity-healthy");
    let offered = candidate_roles(&snap, "shop", "billing", Mechanism::PodIdentity);
    assert!(!offered.is_empty());
    assert_eq!(offered[0].needs, None, "{offered:?}");
    let snap = scenario("pi-role-other-account");
    let offered = candidate_roles(&snap, "shop", "billing", Mechanism::PodIdentity);
    let account = format!(":{}:", cluster_account(&snap));
    assert!(
        snap.aws.iam.roles.keys().any(|arn| !arn.contains(&account)),
        "the fixture has a role in another account"
    );
    assert!(
        offered.iter().all(|c| c.arn.contains(&account)),
        "{offered:?}"
    );
    // An IRSA role of this service account can serve Pod Identity once a statement is added.
    let snap = scenario("seed-langflow");
    let offered = candidate_roles(&snap, "langflow", "langflow-sa", Mechanism::PodIdentity);
    assert_eq!(offered.len(), 1);
    assert!(
        offered[0]
            .needs
            .as_deref()
            .is_some_and(|n| n.contains("pods.eks.amazonaws.com")),
        "{offered:?}"
    );
    // A role trusting nothing of this cluster is not offered.
    assert!(candidate_roles(&snap, "langflow", "other", Mechanism::PodIdentity).is_empty());
}

fn cluster_account(snap: &Snapshot) -> String {
    snap.aws.cluster.known().unwrap().account().unwrap()
}

#[test]
fn the_region_is_advised_for_pod_identity_only_where_containers_lack_it() {
    let snap = scenario("seed-langflow");
    let w = Some((WorkloadKind::Deployment, "langflow"));
    // Langflow sets AWS_REGION itself.
    let a = region_advice(&snap, "langflow", w, Mechanism::PodIdentity);
    assert!(!a.set, "{a:?}");
    let snap = scenario("pod-identity-healthy");
    let first = workloads(&snap, "shop").into_iter().next().unwrap();
    let w = Some((first.kind, first.name.as_str()));
    let pi = region_advice(&snap, "shop", w, Mechanism::PodIdentity);
    let irsa = region_advice(&snap, "shop", w, Mechanism::Irsa);
    assert!(pi.set && pi.why.contains("specify a region"), "{pi:?}");
    assert!(
        !irsa.set && irsa.why.contains("webhook injects"),
        "{irsa:?}"
    );
    assert!(!region_advice(&snap, "shop", None, Mechanism::PodIdentity).set);
}
