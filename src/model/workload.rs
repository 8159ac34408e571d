//! Workload identity: what a pod belongs to (Deployment, StatefulSet, DaemonSet, CronJob, Job,
//! or the bare pod), so the report speaks of the things users deploy.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    CronJob,
    Job,
    ReplicaSet,
    Pod,
    /// A service account no workload runs as yet (checked before deploying): its chain is the
    /// one a pod would get if it started now, with the pod and injection links skipped.
    ServiceAccount,
}

impl WorkloadKind {
    /// The short name kubectl accepts (`deploy/NAME`).
    pub fn short(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deploy",
            WorkloadKind::StatefulSet => "sts",
            WorkloadKind::DaemonSet => "ds",
            WorkloadKind::CronJob => "cronjob",
            WorkloadKind::Job => "job",
            WorkloadKind::ReplicaSet => "rs",
            WorkloadKind::Pod => "pod",
            WorkloadKind::ServiceAccount => "sa",
        }
    }

    /// The Kubernetes kind, for sentences (`no Deployment named ...`).
    pub fn kind_name(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::CronJob => "CronJob",
            WorkloadKind::Job => "Job",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::Pod => "Pod",
            WorkloadKind::ServiceAccount => "ServiceAccount",
        }
    }

    /// Owner-reference kinds (a pod's controller); never `ServiceAccount`.
    pub fn from_kind(kind: &str) -> Option<WorkloadKind> {
        Some(match kind {
            "Deployment" => WorkloadKind::Deployment,
            "StatefulSet" => WorkloadKind::StatefulSet,
            "DaemonSet" => WorkloadKind::DaemonSet,
            "CronJob" => WorkloadKind::CronJob,
            "Job" => WorkloadKind::Job,
            "ReplicaSet" => WorkloadKind::ReplicaSet,
            "Pod" => WorkloadKind::Pod,
            _ => return None,
        })
    }

    /// Parses the kinds users type, as kubectl takes them: `deploy`, `deployment(s)`, `sts`,
    /// `ds`, `po`, ..., in any case, and qualified by their API group as `RESOURCE.GROUP` or
    /// `RESOURCE.VERSION.GROUP` (`deployments.apps`, `cronjobs.v1.batch`).
    pub fn from_user(text: &str) -> Option<WorkloadKind> {
        let lower = text.to_ascii_lowercase();
        let (resource, group) = match lower.split_once('.') {
            Some((r, g)) => (r, Some(g)),
            None => (lower.as_str(), None),
        };
        let kind = Self::from_resource(resource)?;
        match group {
            None => Some(kind),
            Some(g) => {
                let g = g.strip_prefix("v1.").unwrap_or(g);
                (g == kind.api_group()).then_some(kind)
            }
        }
    }

    /// The API group of the kind (`""` for the core group).
    pub fn api_group(self) -> &'static str {
        match self {
            WorkloadKind::Deployment
            | WorkloadKind::StatefulSet
            | WorkloadKind::DaemonSet
            | WorkloadKind::ReplicaSet => "apps",
            WorkloadKind::CronJob | WorkloadKind::Job => "batch",
            WorkloadKind::Pod | WorkloadKind::ServiceAccount => "",
        }
    }

    fn from_resource(resource: &str) -> Option<WorkloadKind> {
        Some(match resource {
            "deploy" | "deployment" | "deployments" => WorkloadKind::Deployment,
            "sts" | "statefulset" | "statefulsets" => WorkloadKind::StatefulSet,
            "ds" | "daemonset" | "daemonsets" => WorkloadKind::DaemonSet,
            "cj" | "cronjob" | "cronjobs" => WorkloadKind::CronJob,
            "job" | "jobs" => WorkloadKind::Job,
            "rs" | "replicaset" | "replicasets" => WorkloadKind::ReplicaSet,
            "po" | "pod" | "pods" => WorkloadKind::Pod,
            "sa" | "serviceaccount" | "serviceaccounts" => WorkloadKind::ServiceAccount,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct WorkloadRef {
    pub kind: WorkloadKind,
    pub namespace: String,
    pub name: String,
}

impl fmt::Display for WorkloadRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.namespace, self.kind.short(), self.name)
    }
}
