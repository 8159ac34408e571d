//! The resource types the fake serves: the built-in ones the plugin reads or writes, plus any
//! kind first seen through `FakeKube::insert` (registered with a naive plural). Discovery, path
//! routing and storage keys all come from this table.

/// One subresource (`pods/status`, `serviceaccounts/token`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subresource {
    pub name: &'static str,
    /// The kind it answers with, as (group, version, kind).
    pub response: (&'static str, &'static str, &'static str),
    pub verbs: &'static [&'static str],
}

/// One resource type, with what discovery reports about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub subresources: Vec<Subresource>,
}

/// The verbs discovery lists for every top-level resource.
pub const VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

const STATUS_VERBS: &[&str] = &["get", "patch", "update"];

impl ResourceType {
    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The storage key: `pods`, `deployments.apps`.
    pub fn key(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    pub fn subresource(&self, name: &str) -> Option<&Subresource> {
        self.subresources.iter().find(|s| s.name == name)
    }

    /// A kind first seen in an inserted object: plural is the lower-cased kind plus `s`, and
    /// no subresources.
    pub fn guessed(api_version: &str, kind: &str, namespaced: bool) -> Self {
        let (group, version) = split_api_version(api_version);
        let singular = kind.to_lowercase();
        ResourceType {
            group: group.to_string(),
            version: version.to_string(),
            plural: format!("{singular}s"),
            singular,
            kind: kind.to_string(),
            namespaced,
            short_names: Vec::new(),
            categories: Vec::new(),
            subresources: Vec::new(),
        }
    }
}

/// `apps/v1` -> ("apps", "v1"); `v1` -> ("", "v1").
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

struct Builtin {
    api_version: &'static str,
    plural: &'static str,
    kind: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
    all: bool,
    subresources: &'static [Subresource],
}

const SA_TOKEN: &[Subresource] = &[Subresource {
    name: "token",
    response: ("authentication.k8s.io", "v1", "TokenRequest"),
    verbs: &["create"],
}];

macro_rules! status_of {
    ($group:literal, $kind:literal) => {
        &[Subresource {
            name: "status",
            response: ($group, "v1", $kind),
            verbs: STATUS_VERBS,
        }]
    };
}

#[rustfmt::skip]
const BUILTINS: &[Builtin] = &[
    Builtin { api_version: "v1", plural: "pods", kind: "Pod", namespaced: true, short_names: &["po"], all: true, subresources: status_of!("", "Pod") },
    Builtin { api_version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true, short_names: &["sa"], all: false, subresources: SA_TOKEN },
    Builtin { api_version: "v1", plural: "nodes", kind: "Node", namespaced: false, short_names: &["no"], all: false, subresources: status_of!("", "Node") },
    Builtin { api_version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false, short_names: &["ns"], all: false, subresources: status_of!("", "Namespace") },
    Builtin { api_version: "v1", plural: "secrets", kind: "Secret", namespaced: true, short_names: &[], all: false, subresources: &[] },
    Builtin { api_version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true, short_names: &["cm"], all: false, subresources: &[] },
    Builtin { api_version: "apps/v1", plural: "deployments", kind: "Deployment", namespaced: true, short_names: &["deploy"], all: true, subresources: status_of!("apps", "Deployment") },
    Builtin { api_version: "apps/v1", plural: "replicasets", kind: "ReplicaSet", namespaced: true, short_names: &["rs"], all: true, subresources: status_of!("apps", "ReplicaSet") },
    Builtin { api_version: "apps/v1", plural: "statefulsets", kind: "StatefulSet", namespaced: true, short_names: &["sts"], all: true, subresources: status_of!("apps", "StatefulSet") },
    Builtin { api_version: "apps/v1", plural: "daemonsets", kind: "DaemonSet", namespaced: true, short_names: &["ds"], all: true, subresources: status_of!("apps", "DaemonSet") },
    Builtin { api_version: "batch/v1", plural: "jobs", kind: "Job", namespaced: true, short_names: &[], all: true, subresources: status_of!("batch", "Job") },
    Builtin { api_version: "batch/v1", plural: "cronjobs", kind: "CronJob", namespaced: true, short_names: &["cj"], all: true, subresources: status_of!("batch", "CronJob") },
    Builtin { api_version: "admissionregistration.k8s.io/v1", plural: "mutatingwebhookconfigurations", kind: "MutatingWebhookConfiguration", namespaced: false, short_names: &[], all: false, subresources: &[] },
    Builtin { api_version: "admissionregistration.k8s.io/v1", plural: "validatingwebhookconfigurations", kind: "ValidatingWebhookConfiguration", namespaced: false, short_names: &[], all: false, subresources: &[] },
];

/// The built-in resource types, in discovery order.
pub fn builtins() -> Vec<ResourceType> {
    BUILTINS
        .iter()
        .map(|b| {
            let (group, version) = split_api_version(b.api_version);
            ResourceType {
                group: group.to_string(),
                version: version.to_string(),
                plural: b.plural.to_string(),
                singular: b.kind.to_lowercase(),
                kind: b.kind.to_string(),
                namespaced: b.namespaced,
                short_names: b.short_names.iter().map(|s| s.to_string()).collect(),
                categories: if b.all {
                    vec!["all".to_string()]
                } else {
                    Vec::new()
                },
                subresources: b.subresources.to_vec(),
            }
        })
        .collect()
}
