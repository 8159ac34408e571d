//! Groups pods into the workloads users deploy (ReplicaSet -> Deployment, Job -> CronJob,
//! StatefulSet, DaemonSet, bare pods) and adds workloads that have no pod at all (scaled to zero,
//! a CronJob between runs, or pods that cannot be created because the service account is
//! missing), whose pod template then stands in for the pod.
//!
//! To support another owner kind, extend [`owner_of_pod`] and [`templates`].

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::model::snapshot::KubeFacts;
use crate::model::workload::{WorkloadKind, WorkloadRef};

/// A workload with its pods and its pod template (when the owning object was collected).
#[derive(Debug, Clone)]
pub struct Workload<'a> {
    pub id: WorkloadRef,
    pub pods: Vec<&'a Pod>,
    pub template: Option<&'a PodTemplateSpec>,
}

impl<'a> Workload<'a> {
    /// The service account the workload's pods run as: the template's when known (it is what
    /// new pods get), else the first pod's; `default` when unset, as Kubernetes does.
    pub fn service_account(&self) -> String {
        if self.id.kind == WorkloadKind::ServiceAccount {
            return self.id.name.clone();
        }
        let from_spec = |spec: &PodSpec| {
            spec.service_account_name
                .clone()
                .or_else(|| spec.service_account.clone())
                .filter(|s| !s.is_empty())
        };
        self.template
            .and_then(|t| t.spec.as_ref())
            .and_then(from_spec)
            .or_else(|| {
                self.pods
                    .iter()
                    .find_map(|p| p.spec.as_ref().and_then(from_spec))
            })
            .unwrap_or_else(|| "default".to_string())
    }

    /// The pod specs to inspect: the real pods, or the template when there is none.
    pub fn specs(&self) -> Vec<(Option<&'a ObjectMeta>, &'a PodSpec)> {
        if !self.pods.is_empty() {
            return self
                .pods
                .iter()
                .filter_map(|p| p.spec.as_ref().map(|s| (Some(&p.metadata), s)))
                .collect();
        }
        self.template
            .and_then(|t| t.spec.as_ref().map(|s| (t.metadata.as_ref(), s)))
            .into_iter()
            .collect()
    }
}

pub(crate) fn controller(meta: &ObjectMeta) -> Option<&OwnerReference> {
    let refs = meta.owner_references.as_ref()?;
    refs.iter()
        .find(|r| r.controller == Some(true))
        .or_else(|| refs.first())
}

/// `name-<hash>` -> `name` when the hash is the pod-template-hash label the Deployment set.
fn strip_hash<'s>(name: &'s str, hash: Option<&str>) -> Option<&'s str> {
    let hash = hash?;
    name.strip_suffix(hash)?.strip_suffix('-')
}

/// Resolves the workload a pod belongs to, following owner references through the collected
/// ReplicaSets and Jobs; when those were not collected, the names Kubernetes generates tell.
pub fn owner_of_pod(kube: &KubeFacts, pod: &Pod) -> WorkloadRef {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let bare = |ns: String| WorkloadRef {
        kind: WorkloadKind::Pod,
        namespace: ns,
        name: pod_name.clone(),
    };
    let Some(owner) = controller(&pod.metadata) else {
        return bare(ns);
    };
    let mk = |kind, name: &str| WorkloadRef {
        kind,
        namespace: ns.clone(),
        name: name.to_string(),
    };
    match owner.kind.as_str() {
        "ReplicaSet" => {
            let rs = kube.replica_sets.known().and_then(|l| {
                l.items.iter().find(|rs| {
                    rs.metadata.name.as_deref() == Some(owner.name.as_str())
                        && rs.metadata.namespace.as_deref() == Some(ns.as_str())
                })
            });
            if let Some(rs) = rs {
                return match controller(&rs.metadata) {
                    Some(o) if o.kind == "Deployment" => mk(WorkloadKind::Deployment, &o.name),
                    _ => mk(WorkloadKind::ReplicaSet, &owner.name),
                };
            }
            let hash = pod
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("pod-template-hash"))
                .map(String::as_str);
            match strip_hash(&owner.name, hash) {
                Some(dep) => mk(WorkloadKind::Deployment, dep),
                None => mk(WorkloadKind::ReplicaSet, &owner.name),
            }
        }
        "Job" => {
            let job = kube.jobs.known().and_then(|l| {
                l.items.iter().find(|j| {
                    j.metadata.name.as_deref() == Some(owner.name.as_str())
                        && j.metadata.namespace.as_deref() == Some(ns.as_str())
                })
            });
            match job.and_then(|j| controller(&j.metadata)) {
                Some(o) if o.kind == "CronJob" => mk(WorkloadKind::CronJob, &o.name),
                _ => mk(WorkloadKind::Job, &owner.name),
            }
        }
        other => match WorkloadKind::from_kind(other) {
            Some(kind) => mk(kind, &owner.name),
            // Custom controllers (operators, Argo Rollouts, ...): report the pod itself.
            None => bare(ns),
        },
    }
}

/// Pod templates of the collected workload objects that own pods directly or indirectly.
fn templates(kube: &KubeFacts) -> Vec<(WorkloadRef, &PodTemplateSpec)> {
    let mut out = Vec::new();
    let id = |kind, meta: &ObjectMeta| WorkloadRef {
        kind,
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
    };
    if let Some(l) = kube.deployments.known() {
        for d in &l.items {
            if let Some(spec) = &d.spec {
                out.push((id(WorkloadKind::Deployment, &d.metadata), &spec.template));
            }
        }
    }
    if let Some(l) = kube.stateful_sets.known() {
        for s in &l.items {
            if let Some(spec) = &s.spec {
                out.push((id(WorkloadKind::StatefulSet, &s.metadata), &spec.template));
            }
        }
    }
    if let Some(l) = kube.daemon_sets.known() {
        for s in &l.items {
            if let Some(spec) = &s.spec {
                out.push((id(WorkloadKind::DaemonSet, &s.metadata), &spec.template));
            }
        }
    }
    if let Some(l) = kube.cron_jobs.known() {
        for c in &l.items {
            if let Some(t) = c.spec.as_ref().and_then(|s| s.job_template.spec.as_ref()) {
                out.push((id(WorkloadKind::CronJob, &c.metadata), &t.template));
            }
        }
    }
    if let Some(l) = kube.jobs.known() {
        for j in &l.items {
            let owned_by_cron = controller(&j.metadata).is_some_and(|o| o.kind == "CronJob");
            if let (Some(spec), false) = (&j.spec, owned_by_cron) {
                out.push((id(WorkloadKind::Job, &j.metadata), &spec.template));
            }
        }
    }
    out
}

/// A service account as a workload-to-be: no pods and no template, so its chain is the one a pod
/// would get if it started now as that service account.
pub fn service_account_only<'a>(namespace: &str, name: &str) -> Workload<'a> {
    Workload {
        id: WorkloadRef {
            kind: WorkloadKind::ServiceAccount,
            namespace: namespace.to_string(),
            name: name.to_string(),
        },
        pods: Vec::new(),
        template: None,
    }
}

/// Every workload in the snapshot, pods grouped under their owner, sorted by id.
pub fn resolve(kube: &KubeFacts) -> Vec<Workload<'_>> {
    let mut by_id: BTreeMap<WorkloadRef, Workload<'_>> = BTreeMap::new();
    for (id, template) in templates(kube) {
        by_id.insert(
            id.clone(),
            Workload {
                id,
                pods: Vec::new(),
                template: Some(template),
            },
        );
    }
    if let Some(pods) = kube.pods.known() {
        for pod in &pods.items {
            let id = owner_of_pod(kube, pod);
            by_id
                .entry(id.clone())
                .or_insert_with(|| Workload {
                    id,
                    pods: Vec::new(),
                    template: None,
                })
                .pods
                .push(pod);
        }
    }
    by_id.into_values().collect()
}
