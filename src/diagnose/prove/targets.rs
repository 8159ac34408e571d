//! Which service accounts `--prove` asks about, and how, purely from the report and the
//! snapshot: the report says which workloads use which service account and mechanism, the
//! snapshot holds the service account's audience annotation, the EKS cluster's name and the
//! pods' uids. Nothing here needs a pod to exist, so a service account no workload runs as yet
//! (`doctor sa/NAME`) is proven like any other.

use std::collections::BTreeSet;

use crate::diagnose::k8s;
use crate::model::proof::{BoundPod, ProveTarget, ProveVia};
use crate::model::{LinkName, Mechanism, Report, Snapshot, Status, WorkloadReport};

/// The audience of the token the Pod Identity agent sends to EKS Auth (the projected
/// `eks-pod-identity-token`), field guide section F.
pub const POD_IDENTITY_AUDIENCE: &str = "pods.eks.amazonaws.com";

/// Every distinct (namespace, service account, mechanism) of the report that can be proven:
/// IRSA service accounts whose annotation names a role, and Pod Identity service accounts that
/// exist (EKS Auth, not the local view, decides whether an association exists).
pub fn targets(report: &Report, snap: &Snapshot) -> Vec<ProveTarget> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for w in &report.workloads {
        let via = match w.mechanism {
            Mechanism::Irsa => match &w.role_arn {
                Some(role) => ProveVia::Irsa {
                    role_arn: role.clone(),
                    audience: audience(snap, &w.namespace, &w.service_account),
                },
                None => continue,
            },
            Mechanism::PodIdentity if service_account_exists(w) => ProveVia::PodIdentity {
                cluster: snap.aws.cluster.known().map(|c| c.name.clone()),
                role_arn: w.role_arn.clone(),
                pod: bound_pod(snap, w),
            },
            Mechanism::PodIdentity | Mechanism::None => continue,
        };
        let pod_identity = w.mechanism == Mechanism::PodIdentity;
        if !seen.insert((w.namespace.clone(), w.service_account.clone(), pod_identity)) {
            continue;
        }
        out.push(ProveTarget {
            namespace: w.namespace.clone(),
            service_account: w.service_account.clone(),
            via,
        });
    }
    out
}

/// A token can only be requested for a service account that exists.
fn service_account_exists(w: &WorkloadReport) -> bool {
    w.link(LinkName::ServiceAccount)
        .is_some_and(|l| l.status != Status::Broken)
}

/// The service account's `eks.amazonaws.com/audience`, else `sts.amazonaws.com`.
fn audience(snap: &Snapshot, namespace: &str, service_account: &str) -> String {
    snap.kube
        .service_accounts
        .known()
        .and_then(|l| {
            l.items.iter().find(|sa| {
                sa.metadata.namespace.as_deref() == Some(namespace)
                    && sa.metadata.name.as_deref() == Some(service_account)
            })
        })
        .and_then(|sa| k8s::annotation(&sa.metadata, k8s::AUDIENCE_ANNOTATION).map(str::to_string))
        .unwrap_or_else(|| k8s::DEFAULT_AUDIENCE.to_string())
}

/// A pod of the workload the snapshot knows with a uid, running ones first: the agent's token
/// is bound to its pod, and EKS Auth turns the pod's name and uid into session tags
/// (`kubernetes-pod-name`, `kubernetes-pod-uid`) that a trust policy may test.
fn bound_pod(snap: &Snapshot, w: &WorkloadReport) -> Option<BoundPod> {
    let pods = snap.kube.pods.known()?;
    let running = |s: &&crate::model::report::PodSummary| s.phase.as_deref() == Some("Running");
    let (first, rest): (Vec<_>, Vec<_>) = w.pods.iter().partition(running);
    first.into_iter().chain(rest).find_map(|summary| {
        let pod = pods.items.iter().find(|p| {
            p.metadata.namespace.as_deref() == Some(&w.namespace)
                && p.metadata.name.as_deref() == Some(&summary.name)
        })?;
        Some(BoundPod {
            name: summary.name.clone(),
            uid: pod.metadata.uid.clone()?,
        })
    })
}
