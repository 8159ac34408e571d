//! The Kubernetes kinds the bundle loader keeps, identified by API group and kind (the version
//! is left to k8s-openapi, whose deserializer reports a mismatch).
//!
//! To load a new kind: add a variant here (with its group, kind and scope), a field for it in
//! `KubeAcc` (kube/mod.rs) with a line in `KubeAcc::store` and one in `KubeAcc::finish`, and
//! the matching field in `model::snapshot::KubeFacts`.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KindTag {
    Pod,
    ServiceAccount,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    Node,
    MutatingWebhookConfiguration,
}

/// (tag, API group, kind, resource plural)
const TABLE: &[(KindTag, &str, &str, &str)] = &[
    (KindTag::Pod, "", "Pod", "pods"),
    (
        KindTag::ServiceAccount,
        "",
        "ServiceAccount",
        "serviceaccounts",
    ),
    (KindTag::Deployment, "apps", "Deployment", "deployments"),
    (KindTag::ReplicaSet, "apps", "ReplicaSet", "replicasets"),
    (KindTag::StatefulSet, "apps", "StatefulSet", "statefulsets"),
    (KindTag::DaemonSet, "apps", "DaemonSet", "daemonsets"),
    (KindTag::Job, "batch", "Job", "jobs"),
    (KindTag::CronJob, "batch", "CronJob", "cronjobs"),
    (KindTag::Node, "", "Node", "nodes"),
    (
        KindTag::MutatingWebhookConfiguration,
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
    ),
];

impl KindTag {
    /// The kind for an object's `apiVersion` and `kind`, if the loader keeps it.
    pub fn of(api_version: &str, kind: &str) -> Option<KindTag> {
        let group = group_of(api_version);
        TABLE
            .iter()
            .find(|(_, g, k, _)| *g == group && *k == kind)
            .map(|(tag, _, _, _)| *tag)
    }

    /// The kind for a resource plural and API group (`pods`, `deployments` in `apps`).
    pub fn of_resource(group: &str, resource: &str) -> Option<KindTag> {
        TABLE
            .iter()
            .find(|(_, g, _, r)| *g == group && *r == resource)
            .map(|(tag, _, _, _)| *tag)
    }

    pub fn name(self) -> &'static str {
        TABLE
            .iter()
            .find(|(tag, _, _, _)| *tag == self)
            .map_or("object", |(_, _, kind, _)| kind)
    }

    /// The containers list every real object of this kind has. k8s-openapi fills a missing
    /// required list with an empty one, which would hide a truncated or hand-made file.
    pub fn containers_pointer(self) -> Option<&'static str> {
        match self {
            KindTag::Pod => Some("/spec/containers"),
            KindTag::Deployment
            | KindTag::ReplicaSet
            | KindTag::StatefulSet
            | KindTag::DaemonSet
            | KindTag::Job => Some("/spec/template/spec/containers"),
            KindTag::CronJob => Some("/spec/jobTemplate/spec/template/spec/containers"),
            KindTag::ServiceAccount | KindTag::Node | KindTag::MutatingWebhookConfiguration => None,
        }
    }

    pub fn namespaced(self) -> bool {
        !matches!(self, KindTag::Node | KindTag::MutatingWebhookConfiguration)
    }
}

/// `apps/v1` -> `apps`, `v1` -> `` (the core group).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

/// A Secret, in any version: never loaded.
pub fn is_secret(api_version: &str, kind: &str) -> bool {
    kind == "Secret" && group_of(api_version).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_group() {
        assert_eq!(
            KindTag::of("apps/v1", "Deployment"),
            Some(KindTag::Deployment)
        );
        assert_eq!(KindTag::of("example.com/v1", "Deployment"), None);
        assert_eq!(KindTag::of("v1", "Pod"), Some(KindTag::Pod));
        assert!(is_secret("v1", "Secret"));
        assert!(!KindTag::Node.namespaced());
        assert_eq!(KindTag::Pod.containers_pointer(), Some("/spec/containers"));
    }
}
