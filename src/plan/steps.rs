//! A [`Change`] as a plan [`Step`]: the object it touches, that object's state before (as read)
//! and after (from the snapshot the plan was simulated into), the equivalent command and the
//! command that undoes it. `before` is what `apply` compares with just before writing and what
//! `undo` restores, so IAM documents are kept exactly as read, byte for byte.
//!
//! To add a change: its object, its states and its two commands here.

use super::step_commands::command;
use crate::model::Snapshot;
use crate::model::aws::IamRole;
use crate::model::plan::{Change, ObjectRef, Precondition, Step, WorkloadTarget};

/// The step of `change`, reading its object in `before` (the snapshot planned on) and in
/// `after` (with the plan applied in memory).
pub fn step(change: &Change, before: &Snapshot, after: &Snapshot) -> Step {
    let (object, was, will) = states(change, before, after);
    Step {
        system: change.system(),
        action: change.action().to_string(),
        object,
        before: was,
        after: will,
        command: command(change),
        inverse: super::step_inverse::inverse(change, before),
        change: change.clone(),
        precondition: precondition(change, before),
        unchanged: super::unchanged::of(change, before),
    }
}

/// The steps of `changes` made in order from `snap`, each read against the state the steps
/// before it leave (in memory, from `now`): a plan that writes one object twice (a migration's
/// trust policy) shows, checks and undoes each write against the text the previous one wrote.
pub fn sequence(changes: &[Change], snap: &Snapshot, now: jiff::Timestamp) -> Vec<Step> {
    let mut state = snap.clone();
    let mut at = now;
    let mut out = Vec::with_capacity(changes.len());
    for c in changes {
        let next = super::simulate::apply(&state, &[c], at).unwrap_or_else(|_| state.clone());
        out.push(step(c, &state, &next));
        state = next;
        at = at
            .checked_add(jiff::SignedDuration::from_secs(1))
            .unwrap_or(at);
    }
    out
}

/// What the API server must still hold for a Kubernetes step (see
/// [`crate::model::plan::Precondition`]).
fn precondition(change: &Change, before: &Snapshot) -> Option<Precondition> {
    match change {
        Change::AnnotateServiceAccount {
            namespace, name, ..
        }
        | Change::DeleteServiceAccount { namespace, name } => {
            let sa = before
                .kube
                .service_accounts
                .known()?
                .items
                .iter()
                .find(|s| {
                    s.metadata.namespace.as_deref() == Some(namespace)
                        && s.metadata.name.as_deref() == Some(name)
                })?;
            Some(Precondition {
                resource_version: sa.metadata.resource_version.clone(),
                ..Precondition::default()
            })
        }
        Change::SetServiceAccountName { workload, .. } => {
            let w = crate::diagnose::workloads::resolve(&before.kube)
                .into_iter()
                .find(|x| {
                    x.id.namespace == workload.namespace
                        && x.id.name == workload.name
                        && x.id.kind.kind_name() == workload.kind
                })?;
            let spec = w.template.and_then(|t| t.spec.as_ref());
            Some(Precondition {
                service_account_name: spec.and_then(|s| s.service_account_name.clone()),
                generation: workload_generation(before, workload),
                resource_version: None,
            })
        }
        Change::SetEnv { workload, .. } | Change::SetFsGroup { workload, .. } => {
            Some(Precondition {
                generation: workload_generation(before, workload),
                ..Precondition::default()
            })
        }
        _ => None,
    }
}

/// One variable of one container of a workload's template, as a step's state: YAML that
/// undo reads back (`value: null` when it is not set).
pub fn env_text(snap: &Snapshot, w: &WorkloadTarget, container: &str, name: &str) -> String {
    let value = env_value(snap, w, container, name);
    crate::terminal_text::yaml(&serde_json::json!({
        "container": container,
        "name": name,
        "value": value,
    }))
    .unwrap_or_default()
}

/// The literal value of `name` in `container` of the workload's template (`None`: unset or
/// set from a reference).
pub fn env_value(
    snap: &Snapshot,
    w: &WorkloadTarget,
    container: &str,
    name: &str,
) -> Option<String> {
    crate::diagnose::workloads::resolve(&snap.kube)
        .into_iter()
        .find(|x| {
            x.id.namespace == w.namespace && x.id.name == w.name && x.id.kind.kind_name() == w.kind
        })?
        .template?
        .spec
        .as_ref()?
        .containers
        .iter()
        .find(|c| c.name == container)?
        .env
        .as_ref()?
        .iter()
        .find(|e| e.name == name)?
        .value
        .clone()
}

/// The template's `securityContext.fsGroup` as a step's state (undo reads the number back).
pub fn fs_group_text(snap: &Snapshot, w: &WorkloadTarget) -> String {
    match fs_group(snap, w) {
        Some(g) => format!("securityContext.fsGroup: {g}"),
        None => "securityContext.fsGroup: (unset)".to_string(),
    }
}

pub fn fs_group(snap: &Snapshot, w: &WorkloadTarget) -> Option<i64> {
    crate::diagnose::workloads::resolve(&snap.kube)
        .into_iter()
        .find(|x| {
            x.id.namespace == w.namespace && x.id.name == w.name && x.id.kind.kind_name() == w.kind
        })?
        .template?
        .spec
        .as_ref()?
        .security_context
        .as_ref()?
        .fs_group
}

fn workload_generation(snap: &Snapshot, w: &WorkloadTarget) -> Option<i64> {
    let here = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        m.namespace.as_deref() == Some(w.namespace.as_str())
            && m.name.as_deref() == Some(w.name.as_str())
    };
    let kube = &snap.kube;
    match w.kind.as_str() {
        "Deployment" => {
            kube.deployments
                .known()?
                .items
                .iter()
                .find(|d| here(&d.metadata))?
                .metadata
                .generation
        }
        "StatefulSet" => {
            kube.stateful_sets
                .known()?
                .items
                .iter()
                .find(|d| here(&d.metadata))?
                .metadata
                .generation
        }
        "DaemonSet" => {
            kube.daemon_sets
                .known()?
                .items
                .iter()
                .find(|d| here(&d.metadata))?
                .metadata
                .generation
        }
        _ => None,
    }
}

fn service_account_text(snap: &Snapshot, ns: &str, name: &str) -> Option<String> {
    let sa = snap.kube.service_accounts.known()?.items.iter().find(|s| {
        s.metadata.namespace.as_deref() == Some(ns) && s.metadata.name.as_deref() == Some(name)
    })?;
    // The part a fix changes and a conflict check compares: identity and annotations.
    let shown = serde_json::json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": name,
            "namespace": ns,
            "annotations": sa.metadata.annotations.clone().unwrap_or_default(),
            "resourceVersion": sa.metadata.resource_version,
        }
    });
    crate::terminal_text::yaml(&shown).ok()
}

pub(super) fn role<'s>(snap: &'s Snapshot, name: &str) -> Option<&'s IamRole> {
    snap.aws.iam.roles.values().find(|r| r.name == name)
}

pub(super) fn inline_text(snap: &Snapshot, role_name: &str, policy: &str) -> Option<String> {
    role(snap, role_name)?
        .inline_policies
        .known()?
        .iter()
        .find(|p| p.name == policy)
        .map(|p| p.document.0.clone())
}

pub(super) fn template_sa(snap: &Snapshot, w: &WorkloadTarget) -> Option<String> {
    crate::diagnose::workloads::resolve(&snap.kube)
        .into_iter()
        .find(|x| {
            x.id.namespace == w.namespace && x.id.name == w.name && x.id.kind.kind_name() == w.kind
        })
        .map(|x| format!("serviceAccountName: {}", x.service_account()))
}

fn workload_object(w: &WorkloadTarget) -> ObjectRef {
    ObjectRef {
        kind: w.kind.clone(),
        namespace: Some(w.namespace.clone()),
        name: Some(w.name.clone()),
        arn: None,
    }
}

fn role_object(snap: &Snapshot, name: &str) -> ObjectRef {
    ObjectRef {
        kind: "IAMRole".into(),
        namespace: None,
        name: Some(name.to_string()),
        arn: role(snap, name).map(|r| r.arn.clone()),
    }
}

fn states(
    change: &Change,
    before: &Snapshot,
    after: &Snapshot,
) -> (ObjectRef, Option<String>, Option<String>) {
    match change {
        Change::AnnotateServiceAccount {
            namespace, name, ..
        }
        | Change::CreateServiceAccount {
            namespace, name, ..
        } => (
            sa_object(namespace, name),
            service_account_text(before, namespace, name),
            service_account_text(after, namespace, name),
        ),
        Change::SetServiceAccountName { workload, .. } => (
            workload_object(workload),
            template_sa(before, workload),
            template_sa(after, workload),
        ),
        Change::RolloutRestart { workload } => (workload_object(workload), None, None),
        Change::SetEnv {
            workload,
            container,
            name,
            ..
        } => (
            workload_object(workload),
            Some(env_text(before, workload, container, name)),
            Some(env_text(after, workload, container, name)),
        ),
        Change::SetFsGroup { workload, .. } => (
            workload_object(workload),
            Some(fs_group_text(before, workload)),
            Some(fs_group_text(after, workload)),
        ),
        Change::CreateRole {
            role_name,
            document,
            ..
        } => (role_object(after, role_name), None, Some(document.clone())),
        Change::DeleteRole { role_name } => (
            role_object(before, role_name),
            trust_text(before, role_name),
            None,
        ),
        Change::PutTrustPolicy {
            role_name,
            document,
        } => (
            role_object(before, role_name),
            trust_text(before, role_name),
            Some(document.clone()),
        ),
        Change::PutRolePolicy {
            role_name,
            policy_name,
            document,
        } => (
            inline_object(before, role_name, policy_name),
            inline_text(before, role_name, policy_name),
            Some(document.clone()),
        ),
        Change::AttachRolePolicy {
            role_name,
            policy_arn,
        } => (
            role_object(before, role_name),
            None,
            Some(format!("attached {policy_arn}")),
        ),
        Change::CreateOidcProvider { url, client_ids } => (
            ObjectRef {
                kind: "OpenIDConnectProvider".into(),
                namespace: None,
                name: Some(url.clone()),
                arn: None,
            },
            None,
            Some(format!(
                "url: {url}\nclientIDList: [{}]",
                client_ids.join(", ")
            )),
        ),
        Change::AddClientId {
            provider_arn,
            client_id,
        } => (
            provider_object(provider_arn),
            client_ids(before, provider_arn),
            client_ids(after, provider_arn)
                .or_else(|| Some(format!("clientIDList: [{client_id}]"))),
        ),
        Change::CreatePodIdentityAssociation {
            namespace,
            service_account,
            role_arn,
            ..
        } => (
            association_object(namespace, service_account),
            None,
            Some(format!(
                "namespace: {namespace}\nserviceAccount: {service_account}\nroleArn: {role_arn}"
            )),
        ),
        Change::DeleteServiceAccount { namespace, name } => (
            sa_object(namespace, name),
            service_account_text(before, namespace, name),
            None,
        ),
        Change::DeleteRolePolicy {
            role_name,
            policy_name,
        } => (
            inline_object(before, role_name, policy_name),
            inline_text(before, role_name, policy_name),
            None,
        ),
        Change::DetachRolePolicy {
            role_name,
            policy_arn,
        } => (
            role_object(before, role_name),
            Some(format!("attached {policy_arn}")),
            None,
        ),
        Change::DeleteOidcProvider { provider_arn } => (
            provider_object(provider_arn),
            client_ids(before, provider_arn),
            None,
        ),
        Change::RemoveClientId { provider_arn, .. } => (
            provider_object(provider_arn),
            client_ids(before, provider_arn),
            client_ids(after, provider_arn),
        ),
        Change::UpdatePodIdentityAssociation {
            namespace,
            service_account,
            ..
        } => (
            association_object(namespace, service_account),
            association_text(before, namespace, service_account),
            association_text(after, namespace, service_account),
        ),
        Change::DeletePodIdentityAssociation {
            namespace,
            service_account,
            ..
        } => (
            association_object(namespace, service_account),
            association_text(before, namespace, service_account),
            None,
        ),
        Change::CreateAddon { name, .. } | Change::DeleteAddon { name, .. } => (
            ObjectRef {
                kind: "EKSAddon".into(),
                namespace: None,
                name: Some(name.clone()),
                arn: None,
            },
            addon_text(before),
            addon_text(after),
        ),
    }
}

fn sa_object(ns: &str, name: &str) -> ObjectRef {
    ObjectRef {
        kind: "ServiceAccount".into(),
        namespace: Some(ns.to_string()),
        name: Some(name.to_string()),
        arn: None,
    }
}

fn inline_object(snap: &Snapshot, role_name: &str, policy_name: &str) -> ObjectRef {
    ObjectRef {
        kind: "IAMRolePolicy".into(),
        namespace: None,
        name: Some(format!("{role_name}/{policy_name}")),
        arn: role(snap, role_name).map(|r| r.arn.clone()),
    }
}

fn provider_object(arn: &str) -> ObjectRef {
    ObjectRef {
        kind: "OpenIDConnectProvider".into(),
        namespace: None,
        name: None,
        arn: Some(arn.to_string()),
    }
}

fn association_object(ns: &str, sa: &str) -> ObjectRef {
    ObjectRef {
        kind: "PodIdentityAssociation".into(),
        namespace: Some(ns.to_string()),
        name: Some(sa.to_string()),
        arn: None,
    }
}

pub(super) fn trust_text(snap: &Snapshot, role_name: &str) -> Option<String> {
    role(snap, role_name)
        .and_then(|r| r.trust_policy.as_ref())
        .map(|t| t.0.clone())
}

/// An association as a step shows it (and undo reads back its role).
pub(super) fn association_text(snap: &Snapshot, ns: &str, sa: &str) -> Option<String> {
    let a = snap
        .aws
        .associations
        .known()?
        .iter()
        .find(|a| a.namespace == ns && a.service_account == sa)?;
    Some(format!(
        "namespace: {ns}\nserviceAccount: {sa}\nroleArn: {}",
        a.role_arn.as_deref().unwrap_or("-")
    ))
}

/// The Pod Identity agent add-on as a step shows it; `None` when it is not installed.
fn addon_text(snap: &Snapshot) -> Option<String> {
    let a = snap.aws.pod_identity_agent_addon.known()?.as_ref()?;
    Some(format!(
        "addonName: {}\nstatus: {}",
        a.name,
        a.status.as_deref().unwrap_or("-")
    ))
}

fn client_ids(snap: &Snapshot, arn: &str) -> Option<String> {
    let ids = snap.aws.iam.oidc_providers.get(arn)?.client_ids.as_ref()?;
    Some(format!("clientIDList: [{}]", ids.join(", ")))
}
