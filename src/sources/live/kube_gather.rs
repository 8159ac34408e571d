//! Reads the Kubernetes side of a Snapshot with list calls (per namespace, or cluster-wide with
//! `-A`), never one call per object, all kinds (and the kube-system agent, and the server
//! version) concurrently. A 403 makes that fact `Missing::Denied` with the exact RBAC
//! permission to grant; a list cut short (a later page refused or failing, or its continue
//! token expired) keeps what was read and says why in `Listing::partial`; an unreachable API
//! server, one that does not answer within the request timeout, or expired credentials end
//! the run with one clear error.

use std::collections::BTreeSet;
use std::fmt::Debug;

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Node, Pod, ServiceAccount};
use kube::Resource;
use kube::api::{Api, ListParams};
use serde::de::DeserializeOwned;

use super::aws_error::error_chain;
use super::kube_error;
use super::timeout::is_timeout;
use crate::model::snapshot::{KubeFacts, Listing, Scope};
use crate::model::{Fact, Missing};

/// Page size for list calls: big clusters are read in pages, not in one huge response.
const PAGE: u32 = 500;

/// Where to list namespaced objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeScope {
    All,
    Namespace(String),
}

enum Outcome<T> {
    /// Every page, or the pages read before a later one was refused or failed (the reason).
    Items(Vec<T>, Option<String>),
    Denied(String),
}

/// `pods in namespace shop`, `nodes (cluster-wide)`.
fn what(resource: &str, ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!("{resource} in namespace {ns}"),
        None => format!("{resource} (cluster-wide)"),
    }
}

/// Why a later page is missing, in one sentence.
fn cut_short(what: &str, read: usize, page: usize, error: &kube::Error) -> String {
    let why = match error {
        kube::Error::Api(s) if s.code == 410 => format!(
            "the continue token expired (410 Gone) before page {page}: the list changed faster than it was read"
        ),
        kube::Error::Api(s) if s.code == 403 => {
            format!("page {page} was refused (403): {}", s.message)
        }
        other if is_timeout(other) => format!("page {page} got no answer in time"),
        other => format!("page {page} failed: {}", kube_error::sentence(other)),
    };
    format!("the list of {what} stopped after {read} items: {why}")
}

/// Every page of a list. A refusal of the first page is `Denied`; a later page refused or
/// failing (or an expired continue token) keeps what was read, with the reason.
async fn list_pages<K>(api: Api<K>, what: &str) -> Result<Outcome<K>, kube::Error>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    let mut items = Vec::new();
    let mut params = ListParams::default().limit(PAGE);
    let mut page = 1;
    loop {
        match api.list(&params).await {
            Ok(list) => {
                items.extend(list.items);
                match list.metadata.continue_.filter(|c| !c.is_empty()) {
                    Some(token) => params = params.continue_token(&token),
                    None => return Ok(Outcome::Items(items, None)),
                }
                page += 1;
            }
            Err(e) if page > 1 => {
                let reason = cut_short(what, items.len(), page, &e);
                return Ok(Outcome::Items(items, Some(reason)));
            }
            Err(kube::Error::Api(status)) if status.code == 403 => {
                return Ok(Outcome::Denied(status.message.clone()));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Why the Kubernetes side could not be read at all (a 403 is a fact, not one of these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeFailure {
    /// 401, or the credential plugin failed.
    Auth(String),
    /// Not reached, or an answer that is not Kubernetes': the reason, causes included, on one
    /// line.
    Unreachable(String),
    /// Reached, but no answer within the request timeout.
    NoAnswer,
}

impl std::fmt::Display for KubeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KubeFailure::Auth(m) => write!(f, "credentials rejected: {m}"),
            KubeFailure::Unreachable(m) => write!(f, "unreachable: {m}"),
            KubeFailure::NoAnswer => write!(f, "no answer in time"),
        }
    }
}

fn unreachable(e: kube::Error) -> KubeFailure {
    match e {
        kube::Error::Api(s) if s.code == 401 => KubeFailure::Auth(s.message.clone()),
        kube::Error::Auth(e) => KubeFailure::Auth(error_chain(&e)),
        other if is_timeout(&other) => KubeFailure::NoAnswer,
        other => KubeFailure::Unreachable(kube_error::sentence(&other)),
    }
}

async fn namespaced<K>(
    client: &kube::Client,
    scope: &KubeScope,
    resource: &str,
    group: &str,
) -> Result<Fact<Listing<K>>, KubeFailure>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope> + Clone + DeserializeOwned + Debug,
    K::DynamicType: Default,
{
    let (api, ns) = match scope {
        KubeScope::All => (Api::<K>::all(client.clone()), None),
        KubeScope::Namespace(ns) => (Api::<K>::namespaced(client.clone(), ns), Some(ns.as_str())),
    };
    let listed = list_pages(api, &what(resource, ns)).await;
    Ok(match listed.map_err(unreachable)? {
        Outcome::Items(items, partial) => Fact::Known(Listing {
            items,
            scope: match ns {
                None => Scope::Cluster,
                Some(ns) => Scope::Namespaces(BTreeSet::from([ns.to_string()])),
            },
            partial,
        }),
        Outcome::Denied(message) => {
            Fact::Missing(Missing::list_denied(resource, group, ns, message))
        }
    })
}

async fn cluster<K>(
    client: &kube::Client,
    resource: &str,
    group: &str,
) -> Result<Fact<Vec<K>>, KubeFailure>
where
    K: Resource<Scope = k8s_openapi::ClusterResourceScope> + Clone + DeserializeOwned + Debug,
    K::DynamicType: Default,
{
    let listed = list_pages(Api::<K>::all(client.clone()), &what(resource, None)).await;
    Ok(match listed.map_err(unreachable)? {
        Outcome::Items(items, None) => Fact::Known(items),
        // A plain list has no room for "partial": the reason stands in for the items.
        Outcome::Items(_, Some(message)) => Fact::Missing(Missing::Partial { message }),
        Outcome::Denied(message) => {
            Fact::Missing(Missing::list_denied(resource, group, None, message))
        }
    })
}

/// Merges the kube-system listing (the Pod Identity agent) into a namespaced one.
fn merge<K>(main: Fact<Listing<K>>, extra: Fact<Listing<K>>) -> Fact<Listing<K>> {
    match (main, extra) {
        (Fact::Known(mut a), Fact::Known(b)) => {
            if let (Scope::Namespaces(sa), Scope::Namespaces(sb)) = (&mut a.scope, &b.scope) {
                sa.extend(sb.iter().cloned());
            }
            a.items.extend(b.items);
            a.partial = match (a.partial, b.partial) {
                (Some(x), Some(y)) => Some(format!("{x}; {y}")),
                (x, y) => x.or(y),
            };
            Fact::Known(a)
        }
        (main, _) => main,
    }
}

/// Lists everything the diagnosis reads, and the server's version, all at once: one round
/// trip when no list needs a second page.
pub async fn gather(client: &kube::Client, scope: &KubeScope) -> Result<KubeFacts, KubeFailure> {
    // The Pod Identity agent lives in kube-system: read it too when scoped to another namespace.
    let system = match scope {
        KubeScope::Namespace(ns) if ns != "kube-system" => {
            Some(KubeScope::Namespace("kube-system".to_string()))
        }
        _ => None,
    };
    let agent = async {
        match &system {
            Some(system) => {
                let (pods, daemon_sets) = tokio::join!(
                    namespaced::<Pod>(client, system, "pods", ""),
                    namespaced::<DaemonSet>(client, system, "daemonsets", "apps"),
                );
                Ok::<_, KubeFailure>(Some((pods?, daemon_sets?)))
            }
            None => Ok(None),
        }
    };
    let (lists, agent, version) = tokio::join!(
        async {
            tokio::join!(
                namespaced::<Pod>(client, scope, "pods", ""),
                namespaced::<ServiceAccount>(client, scope, "serviceaccounts", ""),
                namespaced::<Deployment>(client, scope, "deployments", "apps"),
                namespaced::<ReplicaSet>(client, scope, "replicasets", "apps"),
                namespaced::<StatefulSet>(client, scope, "statefulsets", "apps"),
                namespaced::<DaemonSet>(client, scope, "daemonsets", "apps"),
                namespaced::<Job>(client, scope, "jobs", "batch"),
                namespaced::<CronJob>(client, scope, "cronjobs", "batch"),
                cluster::<Node>(client, "nodes", ""),
                cluster::<MutatingWebhookConfiguration>(
                    client,
                    "mutatingwebhookconfigurations",
                    "admissionregistration.k8s.io"
                ),
            )
        },
        agent,
        client.apiserver_version(),
    );
    let (pods, sas, deps, rss, sts, dss, jobs, cjs, nodes, hooks) = lists;
    let mut facts = KubeFacts {
        pods: pods?,
        service_accounts: sas?,
        deployments: deps?,
        replica_sets: rss?,
        stateful_sets: sts?,
        daemon_sets: dss?,
        jobs: jobs?,
        cron_jobs: cjs?,
        nodes: nodes?,
        webhooks: hooks?,
        server_version: version.ok().map(|v| v.git_version),
    };
    if let Some((agent_pods, agent_ds)) = agent? {
        facts.pods = merge(facts.pods, agent_pods);
        facts.daemon_sets = merge(facts.daemon_sets, agent_ds);
    }
    Ok(facts)
}
