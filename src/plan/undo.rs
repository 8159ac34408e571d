//! The inverse of an applied plan, from its journal entry (issue 11 "undo"): each step that
//! was made, in reverse order, restores the object's prior state exactly (a trust or inline
//! document as it was read, decoded back to the text IAM stored; an annotation's old value or
//! its absence), deletes what the plan created, and repeats a restart where identity
//! configuration changes back. It refuses an object that changed since the fix: undo never
//! overwrites someone else's later change.
//!
//! Pure: the journal entry and a fresh snapshot in, a plan (or the reason it cannot be made)
//! out; it is applied like any other plan.

use serde_json::Value;

use super::{simulate, steps};
use crate::model::Snapshot;
use crate::model::journal::{JournalEntry, StepOutcome};
use crate::model::plan::{Change, PLAN_SCHEMA_VERSION, Plan, WorkloadTarget};
use crate::policy::decode_document;

/// Why an entry cannot be undone now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UndoError {
    /// An object the plan changed has changed again since: nothing will be written.
    #[error("{0}")]
    Changed(String),
    #[error("{0}")]
    Impossible(String),
}

fn annotation_in(yaml: &str, key: &str) -> Option<String> {
    let v: Value = serde_saphyr::from_str(yaml).ok()?;
    v.pointer("/metadata/annotations")?
        .get(key)?
        .as_str()
        .map(str::to_string)
}

fn sa_annotation(snap: &Snapshot, ns: &str, name: &str, key: &str) -> Option<String> {
    let sa = snap.kube.service_accounts.known()?.items.iter().find(|s| {
        s.metadata.namespace.as_deref() == Some(ns) && s.metadata.name.as_deref() == Some(name)
    })?;
    sa.metadata.annotations.as_ref()?.get(key).cloned()
}

fn same_doc(a: &str, b: &str) -> bool {
    match (decode_document(a), decode_document(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn decoded(text: &str) -> String {
    decode_document(text)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| text.to_string())
}

fn role_doc(snap: &Snapshot, role_name: &str, inline: Option<&str>) -> Option<String> {
    let role = snap.aws.iam.roles.values().find(|r| r.name == role_name)?;
    match inline {
        None => role.trust_policy.as_ref().map(|t| t.0.clone()),
        Some(p) => role
            .inline_policies
            .known()?
            .iter()
            .find(|x| x.name == p)
            .map(|x| x.document.0.clone()),
    }
}

/// The inverse of one made step, checked against `fresh`.
fn inverse(
    change: &Change,
    prior: Option<&str>,
    fresh: &Snapshot,
) -> Result<Option<Change>, UndoError> {
    let changed = |what: String| {
        Err(UndoError::Changed(format!(
            "{what} changed since the fix; undo leaves it alone"
        )))
    };
    Ok(Some(match change {
        Change::AnnotateServiceAccount {
            namespace,
            name,
            key,
            value,
        } => {
            if &sa_annotation(fresh, namespace, name, key) != value {
                return changed(format!(
                    "annotation {key} of ServiceAccount {namespace}/{name}"
                ));
            }
            Change::AnnotateServiceAccount {
                namespace: namespace.clone(),
                name: name.clone(),
                key: key.clone(),
                value: prior.and_then(|p| annotation_in(p, key)),
            }
        }
        Change::CreateServiceAccount {
            namespace, name, ..
        } => Change::DeleteServiceAccount {
            namespace: namespace.clone(),
            name: name.clone(),
        },
        Change::SetServiceAccountName {
            workload,
            service_account,
        } => {
            let old = prior
                .and_then(|p| p.strip_prefix("serviceAccountName: "))
                .unwrap_or("default")
                .to_string();
            if old == *service_account {
                return Ok(None);
            }
            Change::SetServiceAccountName {
                workload: workload.clone(),
                service_account: old,
            }
        }
        Change::RolloutRestart { .. } => return Ok(None),
        Change::SetEnv {
            workload,
            container,
            name,
            value,
        } => {
            if &super::steps::env_value(fresh, workload, container, name) != value {
                return changed(format!(
                    "variable {name} of container {container} of {} {}/{}",
                    workload.kind, workload.namespace, workload.name
                ));
            }
            let old = prior.and_then(|p| {
                let v: Value = serde_saphyr::from_str(p).ok()?;
                v.get("value")?.as_str().map(str::to_string)
            });
            Change::SetEnv {
                workload: workload.clone(),
                container: container.clone(),
                name: name.clone(),
                value: old,
            }
        }
        Change::SetFsGroup { workload, fs_group } => {
            if &super::steps::fs_group(fresh, workload) != fs_group {
                return changed(format!(
                    "the fsGroup of {} {}/{}",
                    workload.kind, workload.namespace, workload.name
                ));
            }
            Change::SetFsGroup {
                workload: workload.clone(),
                fs_group: prior
                    .and_then(|p| p.strip_prefix("securityContext.fsGroup: "))
                    .and_then(|v| v.trim().parse().ok()),
            }
        }
        Change::CreateRole {
            role_name,
            document,
            ..
        } => {
            if !role_doc(fresh, role_name, None).is_some_and(|now| same_doc(&now, document)) {
                return changed(format!("role {role_name}"));
            }
            Change::DeleteRole {
                role_name: role_name.clone(),
            }
        }
        Change::PutTrustPolicy {
            role_name,
            document,
        } => {
            if !role_doc(fresh, role_name, None).is_some_and(|now| same_doc(&now, document)) {
                return changed(format!("the trust policy of role {role_name}"));
            }
            let Some(prior) = prior else {
                return Err(UndoError::Impossible(format!(
                    "the journal holds no prior trust policy of role {role_name}"
                )));
            };
            Change::PutTrustPolicy {
                role_name: role_name.clone(),
                document: decoded(prior),
            }
        }
        Change::PutRolePolicy {
            role_name,
            policy_name,
            document,
        } => {
            if !role_doc(fresh, role_name, Some(policy_name))
                .is_some_and(|now| same_doc(&now, document))
            {
                return changed(format!("inline policy {policy_name} of role {role_name}"));
            }
            match prior {
                Some(p) => Change::PutRolePolicy {
                    role_name: role_name.clone(),
                    policy_name: policy_name.clone(),
                    document: decoded(p),
                },
                None => Change::DeleteRolePolicy {
                    role_name: role_name.clone(),
                    policy_name: policy_name.clone(),
                },
            }
        }
        Change::AttachRolePolicy {
            role_name,
            policy_arn,
        } => Change::DetachRolePolicy {
            role_name: role_name.clone(),
            policy_arn: policy_arn.clone(),
        },
        Change::CreateOidcProvider { url, .. } => {
            let bare = url.trim_start_matches("https://");
            let Some(p) = fresh
                .aws
                .iam
                .oidc_providers
                .values()
                .find(|p| p.url == bare)
            else {
                return changed(format!("the OIDC provider for {url}"));
            };
            Change::DeleteOidcProvider {
                provider_arn: p.arn.clone(),
            }
        }
        Change::AddClientId {
            provider_arn,
            client_id,
        } => Change::RemoveClientId {
            provider_arn: provider_arn.clone(),
            client_id: client_id.clone(),
        },
        Change::CreatePodIdentityAssociation {
            cluster,
            namespace,
            service_account,
            role_arn,
        } => {
            let same = fresh.aws.associations.known().is_some_and(|l| {
                l.iter().any(|a| {
                    &a.namespace == namespace
                        && &a.service_account == service_account
                        && a.role_arn.as_deref().is_none_or(|r| r == role_arn)
                })
            });
            if !same {
                return changed(format!(
                    "the pod identity association of {namespace}/{service_account}"
                ));
            }
            Change::DeletePodIdentityAssociation {
                cluster: cluster.clone(),
                namespace: namespace.clone(),
                service_account: service_account.clone(),
            }
        }
        Change::UpdatePodIdentityAssociation {
            cluster,
            namespace,
            service_account,
            role_arn,
        } => {
            let now = fresh.aws.associations.known().and_then(|l| {
                l.iter()
                    .find(|a| &a.namespace == namespace && &a.service_account == service_account)
                    .and_then(|a| a.role_arn.clone())
            });
            if now.as_deref() != Some(role_arn.as_str()) {
                return changed(format!(
                    "the pod identity association of {namespace}/{service_account}"
                ));
            }
            let Some(old) = prior.and_then(|p| {
                p.lines()
                    .find_map(|l| l.strip_prefix("roleArn: "))
                    .map(str::to_string)
            }) else {
                return Err(UndoError::Impossible(format!(
                    "the journal holds no prior role of the association of {namespace}/{service_account}"
                )));
            };
            Change::UpdatePodIdentityAssociation {
                cluster: cluster.clone(),
                namespace: namespace.clone(),
                service_account: service_account.clone(),
                role_arn: old,
            }
        }
        Change::CreateAddon { cluster, name } => Change::DeleteAddon {
            cluster: cluster.clone(),
            name: name.clone(),
        },
        deletion => match super::undo_deletions::inverse(deletion, prior, fresh) {
            Some(made_again) => made_again?,
            None => {
                return Err(UndoError::Impossible(format!(
                    "{} has no inverse",
                    deletion.action()
                )));
            }
        },
    }))
}

/// Whether undoing `change` changes which identity new pods get (so they must restart).
fn identity(change: &Change) -> bool {
    matches!(
        change,
        Change::AnnotateServiceAccount { .. }
            | Change::SetServiceAccountName { .. }
            | Change::SetEnv { .. }
            | Change::SetFsGroup { .. }
            | Change::UpdatePodIdentityAssociation { .. }
            | Change::DeletePodIdentityAssociation { .. }
            | Change::CreatePodIdentityAssociation { .. }
            | Change::DeleteServiceAccount { .. }
            | Change::CreateServiceAccount { .. }
    )
}

/// Whether something created at `created` (RFC 3339) came after `started`; unknown is no.
fn made_since(created: Option<&str>, started: &str) -> bool {
    match (
        created.and_then(|c| c.parse::<jiff::Timestamp>().ok()),
        started.parse::<jiff::Timestamp>().ok(),
    ) {
        (Some(c), Some(s)) => c > s,
        _ => false,
    }
}

/// The plan that undoes `entry`, checked against `fresh`; `id` names it.
pub fn undo_plan(
    entry: &JournalEntry,
    fresh: &Snapshot,
    id: &str,
    now: jiff::Timestamp,
) -> Result<Plan, UndoError> {
    let mut changes = Vec::new();
    let mut restarts: Vec<WorkloadTarget> = Vec::new();
    // Each inverse is checked against the state the later steps' inverses leave, so a plan
    // that wrote one document twice is undone write by write.
    let mut state = fresh.clone();
    for record in entry.steps.iter().rev() {
        if record.outcome == StepOutcome::Failed {
            continue;
        }
        let Some(step) = entry.plan.steps.get(record.index) else {
            continue;
        };
        if let Change::RolloutRestart { workload } = &step.change {
            restarts.push(workload.clone());
        }
        if let Some(inv) = inverse(&step.change, record.prior.as_deref(), &state)? {
            if let Ok(next) = simulate::apply(&state, &[&inv], now) {
                state = next;
            }
            changes.push(inv);
        }
    }
    // The agent serves every association of the cluster: one made since the plan (by a later
    // migration or setup) would lose its credentials with the add-on. Those there before the
    // plan go back to how they were, which is what undo is for.
    if changes
        .iter()
        .any(|c| matches!(c, Change::DeleteAddon { .. }))
    {
        let made: Vec<(&str, &str)> = entry
            .plan
            .steps
            .iter()
            .filter_map(|s| match &s.change {
                Change::CreatePodIdentityAssociation {
                    namespace,
                    service_account,
                    ..
                } => Some((namespace.as_str(), service_account.as_str())),
                _ => None,
            })
            .collect();
        let others: Vec<String> = fresh
            .aws
            .associations
            .known()
            .map(|l| {
                l.iter()
                    .filter(|a| !made.contains(&(a.namespace.as_str(), a.service_account.as_str())))
                    .filter(|a| made_since(a.created_at.as_deref(), &entry.started_at))
                    .map(|a| format!("{}/{}", a.namespace, a.service_account))
                    .collect()
            })
            .unwrap_or_default();
        if !others.is_empty() {
            return Err(UndoError::Changed(format!(
                "the eks-pod-identity-agent add-on the plan installed now serves associations made since ({}): undo leaves it installed",
                others.join(", ")
            )));
        }
    }
    // A Job or CronJob the fix named for re-creation needs it again to take the old identity.
    let recreate = if changes.iter().any(identity) {
        entry.plan.recreate.clone()
    } else {
        Vec::new()
    };
    if changes.iter().any(identity) {
        changes.extend(
            restarts
                .into_iter()
                .map(|workload| Change::RolloutRestart { workload }),
        );
    }
    Ok(Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        id: id.to_string(),
        target: format!("undo {}", entry.plan.id),
        steps: steps::sequence(&changes, fresh, now),
        choices: Vec::new(),
        manual: None,
        recreate,
    })
}
