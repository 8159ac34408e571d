//! What the setup wizard offers (issue 12, screens 1, 2, 3 and 5), read from a snapshot with
//! no I/O: the workloads of a namespace setup can switch, the mechanism it recommends and why,
//! the existing roles that could serve a service account through a mechanism (and what each
//! would need changed), and whether the workload needs the region set in its environment.
//!
//! The facts come from the diagnosis's own lookups ([`Index`]: the cluster, the reverse trust
//! index, the agent link's "installed" judgement), so the wizard and the doctor never disagree
//! about what a role trusts. The plan itself is still made (and proven) by [`super::setup`]:
//! what this module says a role "needs" is a preview, the review screen shows the exact diff.
//!
//! To add a reason to the recommendation: a line in [`recommend`] (blockers go to
//! `unavailable`, so the wizard refuses that mechanism and says why).

use crate::diagnose::index::Index;
use crate::diagnose::k8s;
use crate::diagnose::links::agent::agent_installed;
use crate::diagnose::workloads::{self, Workload};
use crate::model::Snapshot;
use crate::model::arn::{self, Arn};
use crate::model::aws::IamRole;
use crate::model::workload::WorkloadKind;
use crate::plan::setup::{Mechanism, REGION_VARIABLES, ROLE_ARN_ANNOTATION};
use crate::policy::{Effect, Statement};

/// A workload setup can switch to a service account (Deployments, StatefulSets, DaemonSets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadChoice {
    pub kind: WorkloadKind,
    pub name: String,
    pub service_account: String,
    /// The identity its service account has now (`IRSA role NAME`, `Pod Identity role NAME`).
    pub identity: Option<String>,
}

/// The workloads of `ns` that setup can switch, sorted by kind and name.
pub fn workloads(snap: &Snapshot, ns: &str) -> Vec<WorkloadChoice> {
    let ix = Index::build(snap);
    workloads::resolve(&snap.kube)
        .into_iter()
        .filter(|w| w.id.namespace == ns)
        .filter(|w| {
            matches!(
                w.id.kind,
                WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet
            )
        })
        .map(|w| {
            let sa = w.service_account();
            WorkloadChoice {
                kind: w.id.kind,
                name: w.id.name.clone(),
                identity: identity(&ix, ns, &sa),
                service_account: sa,
            }
        })
        .collect()
}

fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn identity(ix: &Index, ns: &str, sa: &str) -> Option<String> {
    if let Some(role) = ix.associations_for(ns, sa).first() {
        let name = role.role_arn.as_deref().map(role_name).unwrap_or("?");
        return Some(format!("Pod Identity role {name}"));
    }
    let annotation = ix
        .service_account(ns, sa)?
        .metadata
        .annotations
        .as_ref()?
        .get(ROLE_ARN_ANNOTATION)?;
    Some(format!("IRSA role {}", role_name(annotation)))
}

/// The mechanism the wizard preselects, the reasons shown under it, and the mechanisms that
/// cannot serve this workload at all (with why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub mechanism: Mechanism,
    pub reasons: Vec<String>,
    pub unavailable: Vec<(Mechanism, String)>,
}

fn find_workload<'s>(
    snap: &'s Snapshot,
    ns: &str,
    kind: WorkloadKind,
    name: &str,
) -> Option<Workload<'s>> {
    workloads::resolve(&snap.kube)
        .into_iter()
        .find(|w| w.id.namespace == ns && w.id.kind == kind && w.id.name == name)
}

/// Why Pod Identity cannot serve the workload's pods: Fargate, Windows nodes and hostNetwork
/// pods (field guide F38, F33), one sentence per cause.
fn platform_blockers(ix: &Index, w: &Workload) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for (_, spec) in w.specs() {
        let node_name = spec.node_name.as_deref();
        let node = node_name.and_then(|n| ix.node(n));
        let compute = node.and_then(|n| k8s::label(&n.metadata, "eks.amazonaws.com/compute-type"));
        let node_os = node.and_then(|n| k8s::label(&n.metadata, "kubernetes.io/os"));
        let selected_os = spec
            .node_selector
            .as_ref()
            .and_then(|s| s.get("kubernetes.io/os"))
            .map(String::as_str);
        if compute == Some("fargate") || node_name.is_some_and(|n| n.starts_with("fargate-")) {
            add("its pods run on Fargate, where Pod Identity is not available".into());
        }
        if node_os == Some("windows") || selected_os == Some("windows") {
            add("its pods run on Windows nodes, where Pod Identity is not available".into());
        }
        if spec.host_network == Some(true) {
            add("its pods use hostNetwork, where Pod Identity credentials fail".into());
        }
    }
    out
}

/// The recommendation for `workload` (or a service account alone) in `ns`.
pub fn recommend(
    snap: &Snapshot,
    ns: &str,
    workload: Option<(WorkloadKind, &str)>,
    service_account: &str,
) -> Recommendation {
    let ix = Index::build(snap);
    let mut pi_blocked = Vec::new();
    let mut irsa_blocked = Vec::new();
    let cluster = ix.cluster.as_ref();
    if cluster.is_none() {
        pi_blocked
            .push("the EKS cluster was not read: Pod Identity exists only on EKS".to_string());
    }
    if ns.contains(['*', '?']) {
        pi_blocked
            .push("a namespace pattern is a wildcard subject, which exists only in IRSA".into());
    }
    if let Some((kind, name)) = workload
        && let Some(w) = find_workload(snap, ns, kind, name)
    {
        pi_blocked.extend(platform_blockers(&ix, &w));
    }
    if cluster.is_some_and(|c| c.issuer.is_none()) {
        irsa_blocked.push("the cluster has no OIDC issuer, which IRSA needs".to_string());
    }
    let agent = agent_fact(snap);
    let provider = provider_fact(snap, &ix);
    let current = identity(&ix, ns, service_account);
    let mechanism = if !pi_blocked.is_empty() {
        Mechanism::Irsa
    } else if !irsa_blocked.is_empty() {
        Mechanism::PodIdentity
    } else if let Some(now) = current.as_deref() {
        // What the service account already uses keeps working; moving it is `migrate`'s job.
        if now.starts_with("Pod Identity") {
            Mechanism::PodIdentity
        } else {
            Mechanism::Irsa
        }
    } else if agent.0 {
        Mechanism::PodIdentity
    } else if provider.0 {
        Mechanism::Irsa
    } else {
        Mechanism::PodIdentity
    };
    let mut reasons: Vec<String> = pi_blocked.iter().chain(&irsa_blocked).cloned().collect();
    if let Some(now) = current {
        reasons.push(format!("the service account already uses {now}"));
    }
    reasons.push(agent.1);
    reasons.push(provider.1);
    reasons.push("Pod Identity needs no per-cluster trust edits; a role in another account needs a target role".into());
    reasons.push("wildcard subjects (one role for a namespace pattern) exist only in IRSA".into());
    let mut unavailable: Vec<(Mechanism, String)> = Vec::new();
    unavailable.extend(pi_blocked.into_iter().map(|r| (Mechanism::PodIdentity, r)));
    unavailable.extend(irsa_blocked.into_iter().map(|r| (Mechanism::Irsa, r)));
    Recommendation {
        mechanism,
        reasons,
        unavailable,
    }
}

/// Whether the Pod Identity agent is ready for new associations, and the sentence saying so.
fn agent_fact(snap: &Snapshot) -> (bool, String) {
    if snap.aws.cluster.known().is_some_and(|c| c.auto_mode) {
        return (
            true,
            "EKS Auto Mode has the Pod Identity agent built in".into(),
        );
    }
    match agent_installed(snap) {
        Ok(Some(how)) => (true, format!("the Pod Identity agent is installed ({how})")),
        Ok(None) => (
            false,
            "Pod Identity needs the eks-pod-identity-agent add-on, which is not installed (the plan adds it)".into(),
        ),
        Err(_) => (
            false,
            "whether the Pod Identity agent add-on is installed was not read".into(),
        ),
    }
}

/// Whether the cluster's OIDC provider is registered in IAM, and the sentence saying so.
fn provider_fact(snap: &Snapshot, ix: &Index) -> (bool, String) {
    let Some(issuer) = ix.cluster.as_ref().and_then(|c| c.issuer.clone()) else {
        return (false, "IRSA needs the cluster's OIDC issuer".into());
    };
    let registered = snap
        .aws
        .iam
        .oidc_providers
        .values()
        .any(|p| arn::issuer_host_path(&p.url) == issuer);
    if registered {
        (
            true,
            "the cluster's OIDC provider is registered in IAM, as IRSA needs".into(),
        )
    } else {
        (
            false,
            "IRSA needs the cluster's OIDC provider in IAM (the plan registers it; it counts against the account's quota of OIDC providers)".into(),
        )
    }
}

/// An existing role the wizard offers, and what it would need changed (`None`: nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleCandidate {
    pub name: String,
    pub arn: String,
    pub needs: Option<String>,
}

fn allows(st: &Statement) -> bool {
    st.effect == Effect::Allow && st.principal.as_ref().is_some_and(|p| !p.negated)
}

/// Whether `role` has a statement trusting this cluster's OIDC provider (in the role's own
/// account: an IRSA trust names the provider of the account the role is in).
fn trusts_provider(ix: &Index, role: &IamRole, statements: &[Statement]) -> bool {
    let Some(issuer) = ix.cluster.as_ref().and_then(|c| c.issuer.as_deref()) else {
        return false;
    };
    let account = Arn::parse(&role.arn).map(|a| a.account);
    statements.iter().filter(|s| allows(s)).any(|s| {
        s.principal.iter().flat_map(|p| p.federated()).any(|v| {
            arn::oidc_provider_url(v) == Some(issuer) && Arn::parse(v).map(|a| a.account) == account
        })
    })
}

fn is_pod_identity(st: &Statement) -> bool {
    allows(st)
        && st
            .principal
            .iter()
            .flat_map(|p| p.services())
            .any(|s| s == "pods.eks.amazonaws.com")
}

fn tag_scoped(st: &Statement) -> bool {
    st.conditions.iter().any(|c| {
        c.key
            .to_ascii_lowercase()
            .starts_with("aws:requesttag/kubernetes-")
    })
}

/// The roles that could serve `ns`/`sa` through `mechanism`, those needing nothing first.
/// IRSA: roles trusting this cluster's OIDC provider. Pod Identity: roles of the cluster's
/// account (an association takes no other) with a `pods.eks.amazonaws.com` statement, or
/// trusting this service account through IRSA now (the statement to add is said).
pub fn candidate_roles(
    snap: &Snapshot,
    ns: &str,
    sa: &str,
    mechanism: Mechanism,
) -> Vec<RoleCandidate> {
    let ix = Index::build(snap);
    let Some(cluster) = ix.cluster.clone() else {
        return Vec::new();
    };
    let subject = format!("system:serviceaccount:{ns}:{sa}");
    let trusting = ix.roles_trusting(ns, sa);
    let trusts = |role: &IamRole, pi: bool| {
        trusting
            .iter()
            .any(|t| t.role_arn == role.arn && t.pod_identity == pi)
    };
    let mut out = Vec::new();
    for role in snap.aws.iam.roles.values() {
        let Some(text) = &role.trust_policy else {
            continue;
        };
        let parsed = ix.policies.trust(text);
        let Ok(policy) = &parsed.result else { continue };
        let needs = match mechanism {
            Mechanism::Irsa => {
                if !trusts_provider(&ix, role, &policy.statements) {
                    continue;
                }
                (!trusts(role, false)).then(|| format!("add {subject} to its trust"))
            }
            Mechanism::PodIdentity => {
                if Arn::parse(&role.arn).map(|a| a.account) != Some(cluster.account.clone()) {
                    continue;
                }
                let pi: Vec<&Statement> = policy
                    .statements
                    .iter()
                    .filter(|s| is_pod_identity(s))
                    .collect();
                if pi.is_empty() {
                    if !trusts(role, false) {
                        continue;
                    }
                    Some("add a pods.eks.amazonaws.com statement (it trusts this service account through IRSA now)".into())
                } else if !pi.iter().any(|s| {
                    s.action
                        .texts()
                        .any(|a| a == "sts:TagSession" || a == "sts:*")
                }) {
                    Some("add sts:TagSession to its pods.eks.amazonaws.com statement".into())
                } else if pi.iter().all(|s| tag_scoped(s)) && !trusts(role, true) {
                    Some(format!(
                        "add {ns}/{sa} to its statement's kubernetes-namespace and kubernetes-service-account conditions"
                    ))
                } else {
                    None
                }
            }
        };
        out.push(RoleCandidate {
            name: role.name.clone(),
            arn: role.arn.clone(),
            needs,
        });
    }
    out.sort_by(|a, b| (a.needs.is_some(), &a.name).cmp(&(b.needs.is_some(), &b.name)));
    out
}

/// Whether the wizard should set the region variables, and the sentence saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionAdvice {
    pub set: bool,
    pub why: String,
}

/// IRSA's webhook injects `AWS_REGION` and `AWS_DEFAULT_REGION` into new pods; Pod Identity
/// injects no region, so an SDK without one in its config (boto3, the AWS CLI) fails with
/// "You must specify a region" unless the containers set it.
pub fn region_advice(
    snap: &Snapshot,
    ns: &str,
    workload: Option<(WorkloadKind, &str)>,
    mechanism: Mechanism,
) -> RegionAdvice {
    let Some((kind, name)) = workload else {
        return RegionAdvice {
            set: false,
            why: "no workload was chosen: the region is set in a workload's containers".into(),
        };
    };
    let w = find_workload(snap, ns, kind, name);
    let spec = w
        .as_ref()
        .and_then(|w| w.template)
        .and_then(|t| t.spec.as_ref());
    let sets = spec.is_some_and(|s| {
        s.containers.iter().all(|c| {
            c.env
                .iter()
                .flatten()
                .any(|e| REGION_VARIABLES.contains(&e.name.as_str()))
        })
    });
    if sets {
        return RegionAdvice {
            set: false,
            why: "every container sets the region already".into(),
        };
    }
    match mechanism {
        Mechanism::PodIdentity => RegionAdvice {
            set: true,
            why: "Pod Identity injects no region: SDKs without one in their config fail with \"You must specify a region\"".into(),
        },
        Mechanism::Irsa => RegionAdvice {
            set: false,
            why: "the IRSA webhook injects AWS_REGION and AWS_DEFAULT_REGION into new pods".into(),
        },
    }
}

#[cfg(test)]
#[path = "setup_options_tests.rs"]
mod tests;
