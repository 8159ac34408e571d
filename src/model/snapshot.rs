//! The [`Snapshot`]: every fact the diagnosis reads, plus why any of them is missing. Live mode,
//! offline bundles and the embedded demo all produce one; diagnosis never knows which.

use std::collections::BTreeSet;

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Node, Pod, ServiceAccount};
use serde::Serialize;

use super::aws::AwsFacts;
use super::command::CommandLine;
use super::fact::{Fact, Missing};

/// Which namespaces a Kubernetes listing covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Listed across all namespaces (or cluster-scoped objects).
    Cluster,
    /// Listed in these namespaces only.
    Namespaces(BTreeSet<String>),
}

/// Objects of one kind and the scope they were listed in: an object absent from a covered
/// namespace does not exist; outside the scope we do not know.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub scope: Scope,
    /// Set when the list was cut short (a later page refused or failed, a continue token
    /// expired): the items are real but others may exist, so an absent object is `unknown`,
    /// not missing. Says why, for the links built on it.
    pub partial: Option<String>,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Listing {
            items: Vec::new(),
            scope: Scope::Namespaces(BTreeSet::new()),
            partial: None,
        }
    }
}

impl<T> Listing<T> {
    pub fn covers(&self, namespace: &str) -> bool {
        match &self.scope {
            Scope::Cluster => true,
            Scope::Namespaces(set) => set.contains(namespace),
        }
    }

    /// Whether an object absent from this listing in `namespace` is known not to exist: the
    /// namespace was listed and the list was not cut short.
    pub fn complete_for(&self, namespace: &str) -> bool {
        self.covers(namespace) && self.partial.is_none()
    }

    /// Why an object absent from `namespace` may still exist, or `None` when the listing is
    /// complete there; `hint` is the command that would collect it.
    pub fn gap(&self, namespace: &str, hint: impl FnOnce() -> CommandLine) -> Option<Missing> {
        if !self.covers(namespace) {
            return Some(Missing::not_collected(hint()));
        }
        self.partial.as_ref().map(|why| Missing::Partial {
            message: why.clone(),
        })
    }

    pub fn cover(&mut self, namespace: &str) {
        if let Scope::Namespaces(set) = &mut self.scope {
            set.insert(namespace.to_string());
        }
    }
}

#[derive(Debug, Clone)]
pub struct KubeFacts {
    pub pods: Fact<Listing<Pod>>,
    pub service_accounts: Fact<Listing<ServiceAccount>>,
    pub deployments: Fact<Listing<Deployment>>,
    pub replica_sets: Fact<Listing<ReplicaSet>>,
    pub stateful_sets: Fact<Listing<StatefulSet>>,
    pub daemon_sets: Fact<Listing<DaemonSet>>,
    pub jobs: Fact<Listing<Job>>,
    pub cron_jobs: Fact<Listing<CronJob>>,
    pub nodes: Fact<Vec<Node>>,
    pub webhooks: Fact<Vec<MutatingWebhookConfiguration>>,
    /// `kubectl version` server git version, when known (e.g. `v1.31.2-eks-...`).
    pub server_version: Option<String>,
}

impl Default for KubeFacts {
    fn default() -> Self {
        KubeFacts {
            pods: Fact::not_collected(CommandLine::kubectl(["get", "pods", "-A", "-o", "yaml"])),
            service_accounts: Fact::not_collected(CommandLine::kubectl([
                "get",
                "serviceaccounts",
                "-A",
                "-o",
                "yaml",
            ])),
            deployments: Fact::not_collected(CommandLine::kubectl([
                "get",
                "deployments",
                "-A",
                "-o",
                "yaml",
            ])),
            replica_sets: Fact::not_collected(CommandLine::kubectl([
                "get",
                "replicasets",
                "-A",
                "-o",
                "yaml",
            ])),
            stateful_sets: Fact::not_collected(CommandLine::kubectl([
                "get",
                "statefulsets",
                "-A",
                "-o",
                "yaml",
            ])),
            daemon_sets: Fact::not_collected(CommandLine::kubectl([
                "get",
                "daemonsets",
                "-A",
                "-o",
                "yaml",
            ])),
            jobs: Fact::not_collected(CommandLine::kubectl(["get", "jobs", "-A", "-o", "yaml"])),
            cron_jobs: Fact::not_collected(CommandLine::kubectl([
                "get", "cronjobs", "-A", "-o", "yaml",
            ])),
            nodes: Fact::not_collected(CommandLine::kubectl(["get", "nodes", "-o", "yaml"])),
            webhooks: Fact::not_collected(CommandLine::kubectl([
                "get",
                "mutatingwebhookconfigurations",
                "-o",
                "json",
            ])),
            server_version: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Offline,
    Demo,
    Live,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    pub kind: SourceKind,
    /// The bundle directory, "embedded demo", or the kube context and AWS account.
    pub description: String,
    /// The kubeconfig context a live run read (`None` offline and for the demo): the
    /// `kubectl` commands the report prints carry it as `--context`, so they reach the same
    /// cluster whatever the current context is when they are pasted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The AWS region a live run asked (`None` offline and for the demo). Regional `aws`
    /// commands carry the cluster's region (from its ARN) and fall back to this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// Something a source noticed while collecting that the user should know: a bundle file that
/// was not recognised and skipped, an object that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadNote {
    pub file: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub source: SourceInfo,
    pub kube: KubeFacts,
    pub aws: AwsFacts,
    pub notes: Vec<LoadNote>,
}

impl Snapshot {
    pub fn empty(source: SourceInfo) -> Self {
        Snapshot {
            source,
            kube: KubeFacts::default(),
            aws: AwsFacts::default(),
            notes: Vec::new(),
        }
    }
}
