//! Which workloads a [`Selection`] picks, the service accounts no workload runs as yet (diagnosed
//! as the chain a pod would get if it started now), and the one sentence a user reads when a
//! target names nothing.
//!
//! A service account enters the report on its own when no workload runs as it and either it is
//! named by the target (`sa/NAME`, or a bare `NAME`) or, without a target, it shows an AWS
//! identity (an `eks.amazonaws.com/` annotation or a pod identity association): people set a
//! service account up before they deploy, and a broken annotation on it must not go unseen.
//! A label selector (`-l`) picks workloads by the labels of their pods or pod template, so it
//! leaves such service accounts out: no pod carries their labels yet.

use std::collections::BTreeSet;

use super::index::Index;
use super::workloads::Workload;
use super::{DiagnoseError, Selection, Target};
use crate::model::CommandLine;
use crate::model::workload::WorkloadKind;

/// Does workload `w` (running as `sa_name`) answer to target `t`?
pub fn matches(t: &Target, w: &Workload, sa_name: &str) -> bool {
    match t {
        Target::Workload(k, n) => {
            w.id.kind == *k && &w.id.name == n
                || (*k == WorkloadKind::Pod
                    && w.pods
                        .iter()
                        .any(|p| p.metadata.name.as_deref() == Some(n.as_str())))
        }
        Target::ServiceAccount(n) => sa_name == n,
        Target::Name(n) => &w.id.name == n || sa_name == n,
    }
}

/// Does the selection's `-l` pick workload `w`: one of its pods, or its pod template (the labels
/// new pods get, and the only ones a workload with no pod has), carries the labels. Without
/// `-l`, every one.
pub fn labels_select(sel: &Selection, w: &Workload) -> bool {
    let Some(selector) = &sel.selector else {
        return true;
    };
    w.pods
        .iter()
        .any(|p| selector.matches(p.metadata.labels.as_ref()))
        || w.template
            .is_some_and(|t| selector.matches(t.metadata.as_ref().and_then(|m| m.labels.as_ref())))
}

/// Annotations that show a service account is meant to carry an AWS identity: any
/// `eks.amazonaws.com/` key, or a misspelt role-arn key elsewhere.
pub fn shows_identity(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> bool {
    meta.annotations.as_ref().is_some_and(|a| {
        a.keys()
            .any(|k| k.starts_with("eks.amazonaws.com/") || k.contains("role-arn"))
    })
}

/// Service accounts (namespace, name) that no workload in `used` runs as and that the selection
/// asks about: the target's name, or (no target) those showing an AWS identity. Includes a
/// service account an association names that does not exist, when the target names it.
pub fn idle_service_accounts(
    ix: &Index,
    sel: &Selection,
    workloads: &[Workload],
    used: &BTreeSet<(String, String)>,
) -> Vec<(String, String)> {
    // `-l` selects workloads by their pods' labels; an account no pod runs as has none.
    if sel.selector.is_some() {
        return Vec::new();
    }
    let in_scope = |ns: &str| sel.namespace.as_deref().is_none_or(|want| want == ns);
    // A bare NAME that names workloads means those workloads; only when it names none is it
    // taken for a service account nothing runs as yet (`sa/NAME` always is).
    let name_is_a_workload = matches!(&sel.target, Some(Target::Name(n))
        if workloads.iter().any(|w| in_scope(&w.id.namespace)
            && (&w.id.name == n || &w.service_account() == n)));
    let targeted = |name: &str| match &sel.target {
        None => None,
        Some(Target::ServiceAccount(n)) => Some(n == name),
        Some(Target::Name(n)) => Some(n == name && !name_is_a_workload),
        Some(Target::Workload(..)) => Some(false),
    };
    let mut out = BTreeSet::new();
    if let Some(list) = ix.snap.kube.service_accounts.known() {
        for sa in &list.items {
            let ns = sa.metadata.namespace.as_deref().unwrap_or_default();
            let name = sa.metadata.name.as_deref().unwrap_or_default();
            if name.is_empty() || !in_scope(ns) || used.contains(&(ns.into(), name.into())) {
                continue;
            }
            let wanted = targeted(name).unwrap_or_else(|| {
                shows_identity(&sa.metadata) || !ix.associations_for(ns, name).is_empty()
            });
            if wanted {
                out.insert((ns.to_string(), name.to_string()));
            }
        }
    }
    for a in ix.all_associations() {
        let key = (a.namespace.clone(), a.service_account.clone());
        if in_scope(&a.namespace)
            && !used.contains(&key)
            && targeted(&a.service_account) == Some(true)
        {
            out.insert(key);
        }
    }
    out.into_iter().collect()
}

/// One sentence naming what was looked for and where, for a target that matched nothing.
pub fn not_found(ix: &Index, sel: &Selection, target: &Target) -> DiagnoseError {
    let kube = &ix.snap.kube;
    let mut place = match &sel.namespace {
        Some(ns) => format!("in namespace {ns}"),
        None => "in any namespace".to_string(),
    };
    if let Some(s) = &sel.selector {
        place.push_str(&format!(" with labels matching `{s}`"));
    }
    let looked = match target {
        Target::Workload(k, n) => format!("no {} named `{n}` {place}", k.kind_name()),
        Target::ServiceAccount(n) => format!(
            "no ServiceAccount named `{n}` {place}, and no workload or pod identity association uses that name"
        ),
        Target::Name(n) => {
            format!("no workload or ServiceAccount named `{n}` {place}")
        }
    };
    // Say when the answer rests on a list that was not read, so "not found" is not taken as
    // "does not exist".
    let unread = match (target, &sel.namespace) {
        (Target::ServiceAccount(_), Some(ns)) => match kube.service_accounts.known() {
            Some(l) => l
                .gap(ns, || {
                    CommandLine::kubectl(["get", "serviceaccounts", "-n", ns, "-o", "yaml"])
                })
                .map(|m| m.explain(&format!("the service account list of namespace {ns}"))),
            None => kube
                .service_accounts
                .missing()
                .map(|m| m.explain("the service account list")),
        },
        (_, Some(ns)) => match kube.pods.known() {
            Some(l) => l
                .gap(ns, || {
                    CommandLine::kubectl(["get", "pods", "-n", ns, "-o", "yaml"])
                })
                .map(|m| m.explain(&format!("the pod list of namespace {ns}"))),
            None => kube.pods.missing().map(|m| m.explain("the pod list")),
        },
        (_, None) => None,
    };
    let message = match unread {
        Some(why) => format!("{looked} ({why})"),
        None => looked,
    };
    DiagnoseError::TargetNotFound(message)
}

/// The service accounts a target's diagnosis runs through, known from the Kubernetes lists
/// alone: live sources read the permissions of those accounts' roles and only the trust of the
/// others (their trust still tells whom a role was meant for, see `Index::roles_trusting`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// (namespace, service account) of the workloads the target names.
    accounts: BTreeSet<(String, String)>,
    /// Service account names the target names itself (`sa/NAME`, a bare `NAME`), in any
    /// namespace of the scope: one may exist only in a pod identity association.
    names: BTreeSet<String>,
    namespace: Option<String>,
}

impl Focus {
    /// What `target` (in `namespace`, `None` for all) runs through, from `workloads`.
    pub fn of(target: &Target, namespace: Option<&str>, workloads: &[Workload]) -> Focus {
        let in_scope = |ns: &str| namespace.is_none_or(|want| want == ns);
        let accounts = workloads
            .iter()
            .filter(|w| in_scope(&w.id.namespace))
            .filter(|w| matches(target, w, &w.service_account()))
            .map(|w| (w.id.namespace.clone(), w.service_account()))
            .collect();
        let names = match target {
            Target::ServiceAccount(n) | Target::Name(n) => BTreeSet::from([n.clone()]),
            Target::Workload(..) => BTreeSet::new(),
        };
        Focus {
            accounts,
            names,
            namespace: namespace.map(str::to_string),
        }
    }

    /// Does the target's diagnosis run through service account `sa` of namespace `ns`?
    pub fn covers(&self, ns: &str, sa: &str) -> bool {
        self.accounts.contains(&(ns.to_string(), sa.to_string()))
            || (self.names.contains(sa) && self.namespace.as_deref().is_none_or(|n| n == ns))
    }

    /// Whether every service account the target runs through exists with a valid role ARN
    /// annotation. Then no other role can change its diagnosis: a role is looked for by its
    /// trust only when a service account has no identity configured (field guide A7, A8).
    pub fn all_annotated(&self, kube: &crate::model::KubeFacts) -> bool {
        let Some(list) = kube.service_accounts.known() else {
            return false;
        };
        let annotated = |sa: &k8s_openapi::api::core::v1::ServiceAccount| {
            super::k8s::annotation(&sa.metadata, super::k8s::ROLE_ARN_ANNOTATION)
                .is_some_and(|v| crate::model::arn::RoleArn::parse(v).is_ok())
        };
        let find = |ns: &str, name: &str| {
            list.items.iter().find(|s| {
                s.metadata.namespace.as_deref() == Some(ns)
                    && s.metadata.name.as_deref() == Some(name)
            })
        };
        let in_scope = |ns: &str| self.namespace.as_deref().is_none_or(|n| n == ns);
        let mut any = false;
        for name in &self.names {
            let named: Vec<_> = list
                .items
                .iter()
                .filter(|s| s.metadata.name.as_deref() == Some(name.as_str()))
                .filter(|s| in_scope(s.metadata.namespace.as_deref().unwrap_or_default()))
                .collect();
            if named.is_empty() || !named.iter().all(|s| annotated(s)) {
                return false;
            }
            any = true;
        }
        for (ns, name) in &self.accounts {
            if !find(ns, name).is_some_and(annotated) {
                return false;
            }
            any = true;
        }
        any
    }
}
