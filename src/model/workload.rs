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

    /// Parses the kinds users type: `deploy`, `deployment(s)`, `sts`, `ds`, `po`, ...
    pub fn from_user(text: &str) -> Option<WorkloadKind> {
        Some(match text.to_ascii_lowercase().as_str() {
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
