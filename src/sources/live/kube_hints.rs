//! What the Kubernetes lists tell the IAM side of a live gather: which roles the annotations
//! and associations name, read whole for the target's service accounts (or all, without a
//! target) and for their trust alone otherwise ([`super::iam_wanted`]), and the service
//! account names of the scope, for the look-alike associations of other namespaces.

use std::collections::BTreeSet;

use super::KubeScope;
use super::iam_wanted::Wanted;
use crate::diagnose::Target;
use crate::diagnose::select::Focus;
use crate::model::Fact;
use crate::model::arn::RoleArn;
use crate::model::aws::PodIdentityAssociation;

/// Role ARNs the service accounts' annotations name: read whole when the annotating service
/// account is in `focus` (or there is no target), else for their trust alone.
fn annotated_roles(kube: &crate::model::KubeFacts, focus: Option<&Focus>) -> Wanted {
    let mut annotated = Vec::new();
    if let Some(l) = kube.service_accounts.known() {
        for sa in &l.items {
            if let Some(v) = sa
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("eks.amazonaws.com/role-arn"))
                && let Ok(r) = RoleArn::parse(v)
            {
                let ns = sa.metadata.namespace.as_deref().unwrap_or_default();
                let name = sa.metadata.name.as_deref().unwrap_or_default();
                let whole = focus.is_none_or(|f| f.covers(ns, name));
                annotated.push((r.to_string(), whole));
            }
        }
    }
    let whole: BTreeSet<String> = annotated
        .iter()
        .filter(|(_, w)| *w)
        .map(|(r, _)| r.clone())
        .collect();
    // The target's service accounts all name their role: nothing else is read.
    if focus.is_some_and(|f| f.all_annotated(kube)) {
        return Wanted::whole(whole);
    }
    Wanted::split(annotated.into_iter().map(|(r, _)| r), |r| whole.contains(r))
}

/// What the Kubernetes lists tell the AWS side: the roles the annotations name, the service
/// account names the scope's namespace uses (its service accounts', and those its pods run
/// as), for the look-alike associations of other namespaces, and the target's service
/// accounts, whose roles alone are read whole.
#[derive(Debug, Clone, Default)]
pub(super) struct KubeHints {
    pub(super) roles: Wanted,
    pub(super) names: BTreeSet<String>,
    pub(super) focus: Option<Focus>,
    /// The target's service accounts all name their role ([`Focus::all_annotated`]): other
    /// roles are not read at all.
    pub(super) focus_configured: bool,
}

pub(super) fn kube_hints(
    kube: &crate::model::KubeFacts,
    scope: &KubeScope,
    target: Option<&Target>,
) -> KubeHints {
    let focus = target.map(|t| {
        let ns = match scope {
            KubeScope::All => None,
            KubeScope::Namespace(ns) => Some(ns.as_str()),
        };
        Focus::of(t, ns, &crate::diagnose::workloads::resolve(kube))
    });
    let mut names = BTreeSet::new();
    if let KubeScope::Namespace(ns) = scope {
        let here = |m: &kube::api::ObjectMeta| m.namespace.as_deref() == Some(ns.as_str());
        if let Some(l) = kube.service_accounts.known() {
            names.extend(
                l.items
                    .iter()
                    .filter(|sa| here(&sa.metadata))
                    .filter_map(|sa| sa.metadata.name.clone()),
            );
        }
        if let Some(l) = kube.pods.known() {
            names.extend(l.items.iter().filter(|p| here(&p.metadata)).map(|p| {
                p.spec
                    .as_ref()
                    .and_then(|s| s.service_account_name.clone())
                    .unwrap_or_else(|| "default".to_string())
            }));
        }
    }
    KubeHints {
        roles: annotated_roles(kube, focus.as_ref()),
        names,
        focus_configured: focus.as_ref().is_some_and(|f| f.all_annotated(kube)),
        focus,
    }
}

/// Role ARNs the pod identity associations name (role and target role): read whole for the
/// associations of `focus`'s service accounts (or without a target), else for their trust.
pub(super) fn associated_roles(
    associations: &Fact<Vec<PodIdentityAssociation>>,
    focus: Option<&Focus>,
    skip_others: bool,
) -> Wanted {
    let mut out = Wanted::default();
    if let Some(list) = associations.known() {
        for a in list {
            let set = if focus.is_none_or(|f| f.covers(&a.namespace, &a.service_account)) {
                &mut out.full
            } else if skip_others {
                continue;
            } else {
                &mut out.trust_only
            };
            set.extend(a.role_arn.iter().cloned());
            set.extend(a.target_role_arn.iter().cloned());
        }
    }
    out
}
