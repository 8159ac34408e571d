//! Unit tests of the chain logic on tiny in-memory bundles (the scenario fixtures under
//! `tests/scenarios/` cover each failure mode end to end; these pin the decisions made in
//! `chain.rs` and the link checks that the fixtures first showed wrong).

use super::{Selection, Target, diagnose};
use crate::model::chain::{LinkName, Mechanism, Status};
use crate::model::report::WorkloadReport;
use crate::model::snapshot::{SourceInfo, SourceKind};
use crate::model::workload::WorkloadKind;
use crate::sources::bundle::load_files;

pub(super) const ACCOUNT: &str = "111122223333";
const ISSUER: &str = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789";

pub(super) fn cluster() -> String {
    format!(
        r#"{{"cluster": {{"name": "c1", "arn": "arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/c1", "identity": {{"oidc": {{"issuer": "https://{ISSUER}"}}}}, "status": "ACTIVE"}}}}"#
    )
}

pub(super) fn webhook(present: bool) -> String {
    let name = if present {
        "pod-identity-webhook"
    } else {
        "aws-load-balancer-webhook"
    };
    format!(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata:\n  name: {name}\nwebhooks:\n- name: hook.example.com\n  admissionReviewVersions: [v1]\n  sideEffects: None\n  clientConfig:\n    url: https://127.0.0.1:23443/mutate\n"
    )
}

pub(super) fn sa(ns: &str, name: &str, annotations: &[(&str, &str)]) -> String {
    let mut text = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n  creationTimestamp: '2026-10-01T09:00:00Z'\n"
    );
    if !annotations.is_empty() {
        text.push_str("  annotations:\n");
        for (k, v) in annotations {
            text.push_str(&format!("    {k}: '{v}'\n"));
        }
    }
    text
}

/// A bare pod; `env` entries are literal variables of its one container.
pub(super) fn pod(
    ns: &str,
    name: &str,
    sa: &str,
    env: &[(&str, &str)],
    labels: &[(&str, &str)],
) -> String {
    let mut text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  creationTimestamp: '2026-10-02T10:00:00Z'\n"
    );
    if !labels.is_empty() {
        text.push_str("  labels:\n");
        for (k, v) in labels {
            text.push_str(&format!("    {k}: '{v}'\n"));
        }
    }
    text.push_str(&format!(
        "spec:\n  serviceAccountName: {sa}\n  containers:\n  - name: app\n    image: app:1\n"
    ));
    if !env.is_empty() {
        text.push_str("    env:\n");
        for (k, v) in env {
            text.push_str(&format!("    - name: {k}\n      value: '{v}'\n"));
        }
    }
    text
}

pub(super) fn associations(list: &[(&str, &str, &str)]) -> String {
    let items: Vec<String> = list
        .iter()
        .enumerate()
        .map(|(i, (ns, sa, role))| {
            format!(r#"{{"clusterName": "c1", "namespace": "{ns}", "serviceAccount": "{sa}", "roleArn": "{role}", "associationId": "a-{i:017}"}}"#)
        })
        .collect();
    format!(r#"{{"associations": [{}]}}"#, items.join(", "))
}

pub(super) fn roles(list: &[(&str, &str)]) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|(name, trust)| {
            format!(
                r#"{{"Path": "/", "RoleName": "{name}", "Arn": "arn:aws:iam::{ACCOUNT}:role/{name}", "AssumeRolePolicyDocument": {trust}, "RolePolicyList": [], "AttachedManagedPolicies": []}}"#
            )
        })
        .collect();
    format!(
        r#"{{"RoleDetailList": [{}], "Policies": []}}"#,
        items.join(", ")
    )
}

pub(super) fn irsa_trust(subject: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"{ISSUER}:sub": "{subject}"}}}}}}]}}"#
    )
}

/// The snapshot of a bundle made of `files` (each one file's text).
pub(super) fn load(files: &[String]) -> crate::model::Snapshot {
    let source = SourceInfo {
        kind: SourceKind::Offline,
        description: "test".into(),
        context: None,
        region: None,
    };
    let files = files
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("f{i}"), t.clone().into_bytes()))
        .collect();
    load_files(source, files).expect("bundle loads")
}

pub(super) fn run(files: &[String], sel: Selection) -> Vec<WorkloadReport> {
    diagnose(&load(files), &sel)
        .expect("diagnosis runs")
        .workloads
}

pub(super) fn all() -> Selection {
    Selection::default()
}

pub(super) fn sa_target(ns: &str, name: &str) -> Selection {
    Selection {
        namespace: Some(ns.into()),
        target: Some(Target::ServiceAccount(name.into())),
        selector: None,
        actions: Vec::new(),
    }
}

pub(super) fn codes(w: &WorkloadReport) -> Vec<&'static str> {
    w.links
        .iter()
        .flat_map(|l| l.findings.iter().map(|f| f.code))
        .collect()
}

pub(super) fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

#[test]
fn an_association_for_the_same_name_in_another_namespace_is_reported_as_pod_identity() {
    let r = role_arn("billing");
    let files = [
        cluster(),
        sa("shop", "billing", &[]),
        sa("default", "default", &[]),
        pod("shop", "billing-1", "billing", &[], &[]),
        associations(&[("default", "billing", &r)]),
    ];
    let found = run(&files, all());
    assert_eq!(found.len(), 1, "the workload is listed without a target");
    assert_eq!(found[0].mechanism, Mechanism::PodIdentity);
    assert_eq!(found[0].broken_link, Some(LinkName::Association));
    // The same association next to a real default/billing SA belongs to that SA: not ours.
    let files = [
        cluster(),
        sa("shop", "billing", &[]),
        sa("default", "billing", &[]),
        pod("shop", "billing-1", "billing", &[], &[]),
        associations(&[("default", "billing", &r)]),
    ];
    // ... and that service account, configured with no pod running as it, is listed on its own.
    let found = run(&files, all());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, WorkloadKind::ServiceAccount);
    assert_eq!(
        (found[0].namespace.as_str(), found[0].name.as_str()),
        ("default", "billing")
    );
}

#[test]
fn a_missing_service_account_next_to_a_configured_near_miss_is_listed() {
    let annotated = sa(
        "shop",
        "report-sa",
        &[("eks.amazonaws.com/role-arn", &role_arn("reports"))],
    );
    let files = [
        cluster(),
        annotated,
        pod("shop", "reports-1", "reports-sa", &[], &[]),
    ];
    let found = run(&files, all());
    // The pod's workload, and the configured service account nothing runs as yet.
    assert_eq!(found.len(), 2);
    let pod = found.iter().find(|w| w.kind == WorkloadKind::Pod).unwrap();
    assert_eq!(pod.broken_link, Some(LinkName::ServiceAccount));
    assert!(
        found
            .iter()
            .any(|w| w.kind == WorkloadKind::ServiceAccount && w.name == "report-sa")
    );
}

#[test]
fn a_workload_on_default_next_to_its_configured_namesake_is_listed() {
    let files = [
        cluster(),
        sa("shop", "default", &[]),
        sa(
            "shop",
            "payments",
            &[("eks.amazonaws.com/role-arn", &role_arn("payments"))],
        ),
        pod("shop", "payments", "default", &[], &[]),
    ];
    let found = run(&files, all());
    assert_eq!(
        found.len(),
        2,
        "the pod and the idle payments service account"
    );
    let pod = found.iter().find(|w| w.kind == WorkloadKind::Pod).unwrap();
    assert!(codes(pod).contains(&"POD_USES_DEFAULT_SA"));
}

#[test]
fn links_after_an_unknown_one_are_unknown_not_skipped() {
    let arn = role_arn("orders");
    let env = [
        ("AWS_ROLE_ARN", arn.as_str()),
        (
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
        ),
    ];
    let files = [
        cluster(),
        sa("shop", "orders", &[("eks.amazonaws.com/role-arn", &arn)]),
        pod("shop", "orders-1", "orders", &env, &[]),
    ];
    let w = &run(&files, sa_target("shop", "orders"))[0];
    assert_eq!(
        w.link(LinkName::Role).map(|l| l.status),
        Some(Status::Unknown)
    );
    for l in [LinkName::Trust, LinkName::Permissions] {
        assert_eq!(w.link(l).map(|l| l.status), Some(Status::Unknown), "{l}");
    }
}

#[test]
fn pod_identity_variables_without_an_association_are_stale() {
    let arn = role_arn("billing");
    let env = [(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://169.254.170.23/v1/credentials",
    )];
    let base = [
        cluster(),
        sa("shop", "billing", &[("eks.amazonaws.com/role-arn", &arn)]),
        pod("shop", "billing-1", "billing", &env, &[]),
    ];
    let mut files = base.to_vec();
    files.push(associations(&[]));
    let w = &run(&files, sa_target("shop", "billing"))[0];
    assert_eq!(w.mechanism, Mechanism::Irsa);
    assert_eq!(w.broken_link, Some(LinkName::Injection));
    assert!(codes(w).contains(&"INJECTION_STALE"));
    // Associations not collected: one may still exist, so it cannot be called broken.
    let w = &run(&base, sa_target("shop", "billing"))[0];
    assert_eq!(
        w.link(LinkName::Injection).map(|l| l.status),
        Some(Status::Unknown)
    );
}

#[test]
fn hard_coded_web_identity_variables_beat_injected_pod_identity() {
    let env = [
        ("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/old"),
        (
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
        ),
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://169.254.170.23/v1/credentials",
        ),
    ];
    let files = [
        cluster(),
        sa("shop", "billing", &[]),
        pod("shop", "billing-1", "billing", &env, &[]),
        associations(&[("shop", "billing", &role_arn("billing"))]),
    ];
    let w = &run(&files, sa_target("shop", "billing"))[0];
    assert_eq!(w.broken_link, Some(LinkName::Injection));
    assert!(codes(w).contains(&"ENV_HARDCODED"));
}

#[test]
fn a_role_arn_of_another_partition_stops_the_chain_at_the_annotation() {
    let cn = cluster().replace("arn:aws:eks:eu-west-1", "arn:aws-cn:eks:cn-north-1");
    let files = [
        cn,
        sa(
            "shop",
            "orders",
            &[("eks.amazonaws.com/role-arn", &role_arn("orders"))],
        ),
        pod("shop", "orders-1", "orders", &[], &[]),
    ];
    let w = &run(&files, sa_target("shop", "orders"))[0];
    assert_eq!(w.broken_link, Some(LinkName::Annotation));
    assert!(codes(w).contains(&"ROLE_ARN_PARTITION_MISMATCH"));
    assert!(
        !codes(w).contains(&"OIDC_PROVIDER_MISSING"),
        "no cascade from the wrong partition"
    );
}

#[test]
fn a_missing_webhook_is_its_own_finding_and_a_skip_label_needs_no_second_one() {
    let arn = role_arn("api");
    let files = [
        cluster(),
        webhook(false),
        sa("shop", "api", &[("eks.amazonaws.com/role-arn", &arn)]),
        pod("shop", "api-1", "api", &[], &[]),
    ];
    let w = &run(&files, sa_target("shop", "api"))[0];
    assert!(
        codes(w).contains(&"WEBHOOK_MISSING") && codes(w).contains(&"INJECTION_MISSING"),
        "{:?}",
        codes(w)
    );
    let label = [("eks.amazonaws.com/skip-pod-identity-webhook", "true")];
    let files = [
        cluster(),
        webhook(true),
        sa("shop", "api", &[("eks.amazonaws.com/role-arn", &arn)]),
        pod("shop", "api-1", "api", &[], &label),
    ];
    let w = &run(&files, sa_target("shop", "api"))[0];
    assert_eq!(
        codes(w)
            .iter()
            .filter(|c| c.starts_with("SKIP") || c.starts_with("INJECTION"))
            .collect::<Vec<_>>(),
        vec![&"SKIP_LABEL"]
    );
}

#[test]
fn an_add_on_known_only_from_list_addons_is_not_degraded() {
    let env = [(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://169.254.170.23/v1/credentials",
    )];
    let files = [
        cluster(),
        sa("shop", "billing", &[]),
        pod("shop", "billing-1", "billing", &env, &[]),
        associations(&[("shop", "billing", &role_arn("billing"))]),
        r#"{"addons": ["coredns", "eks-pod-identity-agent"]}"#.to_string(),
    ];
    let w = &run(&files, sa_target("shop", "billing"))[0];
    assert!(
        !codes(w).contains(&"AGENT_ADDON_DEGRADED"),
        "{:?}",
        codes(w)
    );
}

#[test]
fn a_trust_naming_the_cluster_account_provider_for_a_cross_account_role_says_so() {
    let other = "777788889999";
    let trust = irsa_trust("system:serviceaccount:shop:orders");
    let doc = roles(&[("orders", &trust)]).replace(
        &format!("arn:aws:iam::{ACCOUNT}:role/orders"),
        &format!("arn:aws:iam::{other}:role/orders"),
    );
    let arn = format!("arn:aws:iam::{other}:role/orders");
    let files = [
        cluster(),
        doc,
        sa("shop", "orders", &[("eks.amazonaws.com/role-arn", &arn)]),
        pod("shop", "orders-1", "orders", &[], &[]),
    ];
    let w = &run(&files, sa_target("shop", "orders"))[0];
    let trust_link = w.link(LinkName::Trust).expect("trust link");
    assert_eq!(trust_link.status, Status::Broken);
    assert!(
        trust_link
            .findings
            .iter()
            .any(|f| f.code == "TRUST_PROVIDER_MISMATCH" && f.message.contains("account")),
        "{:?}",
        trust_link.findings
    );
}
