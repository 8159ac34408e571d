//! The facts a selection reads, and nothing more: what `dump -n NS` and `dump -l SELECTOR`
//! write, so a bundle made for one team holds no other team's objects. The tests check that
//! `diagnose(narrow(s, sel), sel)` is `diagnose(s, sel)`, in memory and after a dump is read
//! back, on every scenario.
//!
//! Kept:
//! - the selected namespaces' objects; with `-l`, the selected workloads' pods and the objects
//!   that own them (Deployment and its ReplicaSets, CronJob and its Jobs, ...), and every
//!   service account and pod identity association of their namespaces (the `service-account`
//!   and `association` links suggest a near name from them);
//! - the pod identity associations of other namespaces made for a service account of the same
//!   name, and those namespaces' service accounts: an association made in the wrong namespace
//!   is told from them (field guide A8);
//! - the cluster-scoped objects: nodes, mutating webhooks, the server version;
//! - the Pod Identity agent's pods and DaemonSets wherever they run (the `agent` link reads
//!   them; field guide F30);
//! - the rest of AWS whole: the EKS cluster and add-on, and all of IAM. The chain reads more of
//!   IAM than the roles a namespace names: every role's trust policy says which role was meant
//!   for a service account (`annotation` and `association` suggest it), and the other roles of
//!   an account give the `role` link its "did you mean".
//!
//! A bundle cannot say "this namespace was listed and holds nothing": the loader counts a
//! namespace as listed when it holds an object of that kind. Where the chain rests on an
//! absence, the namespace's pods are kept as the evidence of it: kube-system's when no agent
//! pod runs anywhere, and with `-l` those of a namespace where no selected workload has a pod.
//!
//! To keep a new kind of fact, filter it in [`narrow`] by the rule that says who reads it.

use std::collections::BTreeSet;

use k8s_openapi::Metadata;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::index::{AGENT_NAME, is_agent_pod};
use super::workloads::{self, controller, owner_of_pod};
use super::{Selection, select};
use crate::model::Fact;
use crate::model::aws::PodIdentityAssociation;
use crate::model::snapshot::{KubeFacts, Listing, Scope, Snapshot};
use crate::model::workload::{WorkloadKind, WorkloadRef};

const KUBE_SYSTEM: &str = "kube-system";

/// `snap` with only what diagnosing `sel` reads (its target aside: a dump names none).
pub fn narrow(snap: &Snapshot, sel: &Selection) -> Snapshot {
    if sel.namespace.is_none() && sel.selector.is_none() {
        return snap.clone();
    }
    let kube = &snap.kube;
    let associations = snap
        .aws
        .associations
        .known()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let keep = Keep::new(kube, associations, sel);
    let witnesses = match kube.pods.known() {
        Some(l) => keep.pod_witnesses(kube, l),
        None => BTreeSet::new(),
    };
    let narrowed = KubeFacts {
        pods: listing(&kube.pods, &witnesses, |p| keep.pod(kube, p)),
        service_accounts: listing(&kube.service_accounts, &keep.account_lists, |_| false),
        deployments: listing(&kube.deployments, &keep.whole, |d| {
            keep.is(WorkloadKind::Deployment, d.metadata())
        }),
        replica_sets: listing(&kube.replica_sets, &keep.whole, |r| {
            keep.is(WorkloadKind::ReplicaSet, r.metadata())
                || keep.controlled_by(WorkloadKind::Deployment, r.metadata())
        }),
        stateful_sets: listing(&kube.stateful_sets, &keep.whole, |s| {
            keep.is(WorkloadKind::StatefulSet, s.metadata())
        }),
        daemon_sets: listing(&kube.daemon_sets, &keep.whole, |d| {
            keep.is(WorkloadKind::DaemonSet, d.metadata())
                || d.metadata()
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with(AGENT_NAME))
        }),
        jobs: listing(&kube.jobs, &keep.whole, |j| {
            keep.is(WorkloadKind::Job, j.metadata())
                || keep.controlled_by(WorkloadKind::CronJob, j.metadata())
        }),
        cron_jobs: listing(&kube.cron_jobs, &keep.whole, |c| {
            keep.is(WorkloadKind::CronJob, c.metadata())
        }),
        nodes: kube.nodes.clone(),
        webhooks: kube.webhooks.clone(),
        server_version: kube.server_version.clone(),
    };
    let mut aws = snap.aws.clone();
    if let Fact::Known(list) = &mut aws.associations {
        list.retain(|a| keep.association(a));
    }
    Snapshot {
        source: snap.source.clone(),
        kube: narrowed,
        aws,
        notes: snap.notes.clone(),
    }
}

/// Which objects stay.
struct Keep {
    /// Namespaces kept whole (`-n` without `-l`).
    whole: BTreeSet<String>,
    /// Namespaces whose chains are diagnosed: `-n`'s, or those of the workloads `-l` picks.
    namespaces: BTreeSet<String>,
    /// With `-l`: the workloads it picks.
    chosen: BTreeSet<WorkloadRef>,
    /// Service account names whose chains are diagnosed.
    accounts: BTreeSet<String>,
    /// Namespaces whose service account lists stay whole: [`Keep::namespaces`], and those
    /// where an association is made for one of [`Keep::accounts`].
    account_lists: BTreeSet<String>,
}

impl Keep {
    fn new(kube: &KubeFacts, associations: &[PodIdentityAssociation], sel: &Selection) -> Keep {
        let in_scope = |ns: &str| sel.namespace.as_deref().is_none_or(|n| n == ns);
        let resolved = workloads::resolve(kube);
        let picked: Vec<&workloads::Workload> = resolved
            .iter()
            .filter(|w| in_scope(&w.id.namespace) && select::labels_select(sel, w))
            .collect();
        let (whole, namespaces, chosen) = match (&sel.selector, &sel.namespace) {
            (None, Some(ns)) => (
                BTreeSet::from([ns.clone()]),
                BTreeSet::from([ns.clone()]),
                BTreeSet::new(),
            ),
            _ => (
                BTreeSet::new(),
                picked.iter().map(|w| w.id.namespace.clone()).collect(),
                picked.iter().map(|w| w.id.clone()).collect(),
            ),
        };
        let mut accounts: BTreeSet<String> = picked.iter().map(|w| w.service_account()).collect();
        if sel.selector.is_none() {
            // Without `-l` the service accounts no workload runs as are diagnosed too: those
            // of the namespace's list, and those only an association names.
            if let Some(l) = kube.service_accounts.known() {
                accounts.extend(
                    l.items
                        .iter()
                        .filter(|s| whole.contains(namespace_of(&s.metadata)))
                        .filter_map(|s| s.metadata.name.clone()),
                );
            }
            accounts.extend(
                associations
                    .iter()
                    .filter(|a| whole.contains(&a.namespace))
                    .map(|a| a.service_account.clone()),
            );
        }
        let mut account_lists = namespaces.clone();
        account_lists.extend(
            associations
                .iter()
                .filter(|a| accounts.contains(&a.service_account))
                .map(|a| a.namespace.clone()),
        );
        Keep {
            whole,
            namespaces,
            chosen,
            accounts,
            account_lists,
        }
    }

    /// The object is a kept workload: in a namespace kept whole, or chosen by `-l`.
    fn is(&self, kind: WorkloadKind, meta: &ObjectMeta) -> bool {
        self.whole.contains(namespace_of(meta))
            || self.chosen.contains(&WorkloadRef {
                kind,
                namespace: namespace_of(meta).to_string(),
                name: meta.name.clone().unwrap_or_default(),
            })
    }

    /// The object's controller is a chosen workload of `kind` (a Deployment's ReplicaSet, a
    /// CronJob's Job).
    fn controlled_by(&self, kind: WorkloadKind, meta: &ObjectMeta) -> bool {
        controller(meta).is_some_and(|o| {
            WorkloadKind::from_kind(&o.kind) == Some(kind)
                && self.chosen.contains(&WorkloadRef {
                    kind,
                    namespace: namespace_of(meta).to_string(),
                    name: o.name.clone(),
                })
        })
    }

    fn pod(&self, kube: &KubeFacts, pod: &Pod) -> bool {
        is_agent_pod(pod) || self.chosen.contains(&owner_of_pod(kube, pod))
    }

    fn association(&self, a: &PodIdentityAssociation) -> bool {
        self.namespaces.contains(&a.namespace) || self.accounts.contains(&a.service_account)
    }

    /// Namespaces whose pods are all kept: those kept whole, and those that are the evidence of
    /// an absence (see the module comment).
    fn pod_witnesses(&self, kube: &KubeFacts, pods: &Listing<Pod>) -> BTreeSet<String> {
        let mut out = self.whole.clone();
        if pods.covers(KUBE_SYSTEM) && !pods.items.iter().any(is_agent_pod) {
            out.insert(KUBE_SYSTEM.to_string());
        }
        if !self.chosen.is_empty() {
            for ns in &self.namespaces {
                let chosen_pod = pods.items.iter().any(|p| {
                    namespace_of(&p.metadata) == ns && self.chosen.contains(&owner_of_pod(kube, p))
                });
                if !chosen_pod {
                    out.insert(ns.clone());
                }
            }
        }
        out
    }
}

fn namespace_of(meta: &ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or_default()
}

/// `fact` with the items of the namespaces in `whole` and those `keep` accepts. The listing
/// still covers a namespace it covered that is kept whole or keeps an item: elsewhere an
/// absent object may exist.
fn listing<T: Clone + Metadata<Ty = ObjectMeta>>(
    fact: &Fact<Listing<T>>,
    whole: &BTreeSet<String>,
    keep: impl Fn(&T) -> bool,
) -> Fact<Listing<T>> {
    let Fact::Known(l) = fact else {
        return fact.clone();
    };
    let items: Vec<T> = l
        .items
        .iter()
        .filter(|i| whole.contains(namespace_of(i.metadata())) || keep(i))
        .cloned()
        .collect();
    let mut namespaces: BTreeSet<String> = whole.clone();
    namespaces.extend(items.iter().map(|i| namespace_of(i.metadata()).to_string()));
    namespaces.retain(|ns| l.covers(ns));
    Fact::Known(Listing {
        items,
        scope: Scope::Namespaces(namespaces),
        partial: l.partial.clone(),
    })
}
