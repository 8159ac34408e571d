//! A plan's changes applied to a Snapshot in memory, the way the cluster and AWS would take
//! them, so the planner can diagnose the result before offering the plan (DESIGN.md "Fixes are
//! data"). Kubernetes writes land in the lists; a restart replaces the workload's pods with its
//! template as the webhook mutates it now ([`super::webhook`]), created at the step's time;
//! IAM and EKS writes land in the AWS facts.
//!
//! Pure: `now` comes from the caller, each step one second after the one before, so "the pods
//! were created after the annotation" holds as it would on a cluster.
//!
//! To support a new [`Change`], apply it here and in the writer that makes it for real.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PodTemplateSpec, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ManagedFieldsEntry, ObjectMeta, Time};
use thiserror::Error;

use super::webhook::{self, Identity};
use crate::model::aws::{InlinePolicy, OidcProvider, PodIdentityAssociation, PolicyText};
use crate::model::plan::{Change, Recreate, WorkloadTarget};
use crate::model::{Fact, Listing, Snapshot};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SimulateError {
    /// The plan names an object the snapshot does not hold (or holds only in part).
    #[error("the plan changes {0}, which was not read")]
    NotRead(String),
}

/// `snap` after `changes`, the first made at `now`.
pub fn apply(
    snap: &Snapshot,
    changes: &[&Change],
    now: jiff::Timestamp,
) -> Result<Snapshot, SimulateError> {
    let mut out = snap.clone();
    let mut at = now;
    for change in changes {
        one(&mut out, change, at)?;
        at = at
            .checked_add(jiff::SignedDuration::from_secs(1))
            .unwrap_or(at);
    }
    Ok(out)
}

fn listing<'a, T>(
    fact: &'a mut Fact<Listing<T>>,
    what: &str,
) -> Result<&'a mut Vec<T>, SimulateError> {
    match fact {
        Fact::Known(l) => Ok(&mut l.items),
        Fact::Missing(_) => Err(SimulateError::NotRead(what.to_string())),
    }
}

fn here(meta: &ObjectMeta, ns: &str, name: &str) -> bool {
    meta.namespace.as_deref() == Some(ns) && meta.name.as_deref() == Some(name)
}

/// The annotation's write time, where the diagnosis reads when it was configured.
fn written_at(meta: &mut ObjectMeta, key: &str, at: jiff::Timestamp) {
    let fields =
        serde_json::json!({ "f:metadata": { "f:annotations": { format!("f:{key}"): {} } } });
    meta.managed_fields
        .get_or_insert_with(Vec::new)
        .push(ManagedFieldsEntry {
            manager: Some("kubectl-irsa".into()),
            operation: Some("Update".into()),
            fields_type: Some("FieldsV1".into()),
            fields_v1: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::FieldsV1(
                fields,
            )),
            time: Some(Time(at)),
            ..ManagedFieldsEntry::default()
        });
}

fn one(snap: &mut Snapshot, change: &Change, at: jiff::Timestamp) -> Result<(), SimulateError> {
    // A template edit moves the workload's generation, as the API server does, so a later
    // step of the same plan is planned against the generation the earlier one leaves.
    if let Change::SetEnv { workload, .. }
    | Change::SetFsGroup { workload, .. }
    | Change::SetServiceAccountName { workload, .. }
    | Change::RolloutRestart { workload } = change
    {
        bump_generation(snap, workload);
    }
    match change {
        Change::AnnotateServiceAccount {
            namespace,
            name,
            key,
            value,
        } => {
            let what = format!("ServiceAccount {namespace}/{name}");
            let sas = listing(&mut snap.kube.service_accounts, &what)?;
            let sa = sas
                .iter_mut()
                .find(|s| here(&s.metadata, namespace, name))
                .ok_or(SimulateError::NotRead(what))?;
            let annotations = sa.metadata.annotations.get_or_insert_with(BTreeMap::new);
            match value {
                Some(v) => {
                    annotations.insert(key.clone(), v.clone());
                }
                None => {
                    annotations.remove(key);
                }
            }
            written_at(&mut sa.metadata, key, at);
        }
        Change::CreateServiceAccount {
            namespace,
            name,
            annotations,
        } => {
            let sas = listing(
                &mut snap.kube.service_accounts,
                &format!("the ServiceAccounts of {namespace}"),
            )?;
            sas.push(ServiceAccount {
                metadata: ObjectMeta {
                    namespace: Some(namespace.clone()),
                    name: Some(name.clone()),
                    annotations: (!annotations.is_empty())
                        .then(|| annotations.iter().cloned().collect()),
                    creation_timestamp: Some(Time(at)),
                    ..ObjectMeta::default()
                },
                ..ServiceAccount::default()
            });
        }
        Change::SetServiceAccountName {
            workload,
            service_account,
        } => {
            let spec = template_mut(snap, workload)?
                .spec
                .get_or_insert_with(Default::default);
            spec.service_account_name = Some(service_account.clone());
            spec.service_account = None;
        }
        Change::SetEnv {
            workload,
            container,
            name,
            value,
        } => {
            let what = format!(
                "container {container} of {} {}/{}",
                workload.kind, workload.namespace, workload.name
            );
            let c = template_mut(snap, workload)?
                .spec
                .as_mut()
                .and_then(|s| s.containers.iter_mut().find(|c| &c.name == container))
                .ok_or(SimulateError::NotRead(what))?;
            let env = c.env.get_or_insert_with(Vec::new);
            match value {
                Some(v) => match env.iter_mut().find(|e| &e.name == name) {
                    Some(e) => {
                        e.value = Some(v.clone());
                        e.value_from = None;
                    }
                    None => env.push(k8s_openapi::api::core::v1::EnvVar {
                        name: name.clone(),
                        value: Some(v.clone()),
                        value_from: None,
                    }),
                },
                None => env.retain(|e| &e.name != name),
            }
        }
        Change::SetFsGroup { workload, fs_group } => {
            let spec = template_mut(snap, workload)?
                .spec
                .get_or_insert_with(Default::default);
            let ctx = spec.security_context.get_or_insert_with(Default::default);
            ctx.fs_group = *fs_group;
        }
        Change::CreateRole {
            role_name,
            document,
            ..
        } => create_role(snap, role_name, document, at)?,
        Change::DeleteRole { role_name } => {
            let arn = role_mut(snap, role_name)?.arn.clone();
            snap.aws.iam.roles.remove(&arn);
            snap.aws.iam.absent_roles.insert(arn);
        }
        Change::RolloutRestart { workload } => restart(snap, workload, at)?,
        Change::PutTrustPolicy {
            role_name,
            document,
        } => {
            role_mut(snap, role_name)?.trust_policy = Some(PolicyText(document.clone()));
        }
        Change::PutRolePolicy {
            role_name,
            policy_name,
            document,
        } => {
            let role = role_mut(snap, role_name)?;
            let what = format!("the inline policies of role {role_name}");
            let Fact::Known(list) = &mut role.inline_policies else {
                return Err(SimulateError::NotRead(what));
            };
            list.retain(|p| &p.name != policy_name);
            list.push(InlinePolicy {
                name: policy_name.clone(),
                document: PolicyText(document.clone()),
            });
        }
        Change::AttachRolePolicy {
            role_name,
            policy_arn,
        } => {
            let name = policy_arn
                .rsplit('/')
                .next()
                .unwrap_or(policy_arn)
                .to_string();
            let role = role_mut(snap, role_name)?;
            let Fact::Known(list) = &mut role.attached_policies else {
                return Err(SimulateError::NotRead(format!(
                    "the attached policies of role {role_name}"
                )));
            };
            if !list.iter().any(|p| &p.arn == policy_arn) {
                list.push(crate::model::aws::AttachedPolicy {
                    name,
                    arn: policy_arn.clone(),
                });
            }
        }
        Change::CreateOidcProvider { url, client_ids } => {
            let cluster = snap
                .aws
                .cluster
                .known()
                .ok_or_else(|| SimulateError::NotRead("the EKS cluster".into()))?;
            let account = cluster
                .account()
                .ok_or_else(|| SimulateError::NotRead("the EKS cluster's account".into()))?;
            let partition = crate::model::arn::Arn::parse(&cluster.arn)
                .map(|a| a.partition)
                .unwrap_or_else(|| "aws".into());
            let bare = url.trim_start_matches("https://").to_string();
            let arn = crate::model::arn::oidc_provider_arn(&partition, &account, &bare);
            snap.aws.iam.oidc_providers.insert(
                arn.clone(),
                OidcProvider {
                    arn,
                    url: bare,
                    client_ids: Some(client_ids.clone()),
                    thumbprints: Vec::new(),
                },
            );
        }
        Change::AddClientId {
            provider_arn,
            client_id,
        } => {
            let p = snap
                .aws
                .iam
                .oidc_providers
                .get_mut(provider_arn)
                .ok_or_else(|| SimulateError::NotRead(format!("OIDC provider {provider_arn}")))?;
            let ids = p.client_ids.get_or_insert_with(Vec::new);
            if !ids.contains(client_id) {
                ids.push(client_id.clone());
            }
        }
        Change::CreatePodIdentityAssociation {
            cluster,
            namespace,
            service_account,
            role_arn,
        } => {
            let Fact::Known(list) = &mut snap.aws.associations else {
                return Err(SimulateError::NotRead(
                    "the pod identity associations".into(),
                ));
            };
            list.push(PodIdentityAssociation {
                cluster_name: Some(cluster.clone()),
                namespace: namespace.clone(),
                service_account: service_account.clone(),
                association_id: format!("a-planned{}", list.len()),
                association_arn: None,
                role_arn: Some(role_arn.clone()),
                target_role_arn: None,
                disable_session_tags: Some(false),
                session_policy: None,
                owner_arn: None,
                created_at: Some(at.to_string()),
                modified_at: None,
            });
        }
        Change::DeleteServiceAccount { namespace, name } => {
            let what = format!("ServiceAccount {namespace}/{name}");
            listing(&mut snap.kube.service_accounts, &what)?
                .retain(|s| !here(&s.metadata, namespace, name));
        }
        Change::DeleteRolePolicy {
            role_name,
            policy_name,
        } => {
            if let Fact::Known(list) = &mut role_mut(snap, role_name)?.inline_policies {
                list.retain(|p| &p.name != policy_name);
            }
        }
        Change::DetachRolePolicy {
            role_name,
            policy_arn,
        } => {
            if let Fact::Known(list) = &mut role_mut(snap, role_name)?.attached_policies {
                list.retain(|p| &p.arn != policy_arn);
            }
        }
        Change::DeleteOidcProvider { provider_arn } => {
            snap.aws.iam.oidc_providers.remove(provider_arn);
        }
        Change::RemoveClientId {
            provider_arn,
            client_id,
        } => {
            if let Some(ids) = snap
                .aws
                .iam
                .oidc_providers
                .get_mut(provider_arn)
                .and_then(|p| p.client_ids.as_mut())
            {
                ids.retain(|i| i != client_id);
            }
        }
        Change::UpdatePodIdentityAssociation {
            namespace,
            service_account,
            role_arn,
            ..
        } => {
            let what = format!("the pod identity association of {namespace}/{service_account}");
            let Fact::Known(list) = &mut snap.aws.associations else {
                return Err(SimulateError::NotRead(what));
            };
            let a = list
                .iter_mut()
                .find(|a| &a.namespace == namespace && &a.service_account == service_account)
                .ok_or(SimulateError::NotRead(what))?;
            a.role_arn = Some(role_arn.clone());
            a.modified_at = Some(at.to_string());
        }
        Change::DeletePodIdentityAssociation {
            namespace,
            service_account,
            ..
        } => {
            if let Fact::Known(list) = &mut snap.aws.associations {
                list.retain(|a| {
                    !(&a.namespace == namespace && &a.service_account == service_account)
                });
            }
        }
        Change::CreateAddon { name, .. } => super::simulate_addon::create(snap, name, at)?,
        Change::DeleteAddon { .. } => super::simulate_addon::delete(snap)?,
    }
    Ok(())
}

/// The role as IAM creates it: in the cluster's account, path `/`, no policies yet.
fn create_role(
    snap: &mut Snapshot,
    role_name: &str,
    document: &str,
    at: jiff::Timestamp,
) -> Result<(), SimulateError> {
    let cluster = snap
        .aws
        .cluster
        .known()
        .ok_or_else(|| SimulateError::NotRead("the EKS cluster".into()))?;
    let account = cluster
        .account()
        .ok_or_else(|| SimulateError::NotRead("the EKS cluster's account".into()))?;
    let partition = crate::model::arn::Arn::parse(&cluster.arn)
        .map(|a| a.partition)
        .unwrap_or_else(|| "aws".into());
    let arn = format!("arn:{partition}:iam::{account}:role/{role_name}");
    snap.aws.iam.absent_roles.remove(&arn);
    snap.aws.iam.roles.insert(
        arn.clone(),
        crate::model::aws::IamRole {
            arn,
            name: role_name.to_string(),
            path: "/".into(),
            role_id: None,
            create_date: Some(at.to_string()),
            trust_policy: Some(PolicyText(document.to_string())),
            inline_policies: Fact::Known(Vec::new()),
            attached_policies: Fact::Known(Vec::new()),
            permissions_boundary: Fact::Known(None),
            tags: BTreeMap::new(),
        },
    );
    Ok(())
}

fn bump_generation(snap: &mut Snapshot, w: &WorkloadTarget) {
    let kube = &mut snap.kube;
    let meta = match w.kind.as_str() {
        "Deployment" => kube.deployments.known_mut().and_then(|l| {
            l.items
                .iter_mut()
                .find(|d| here(&d.metadata, &w.namespace, &w.name))
                .map(|d| &mut d.metadata)
        }),
        "StatefulSet" => kube.stateful_sets.known_mut().and_then(|l| {
            l.items
                .iter_mut()
                .find(|d| here(&d.metadata, &w.namespace, &w.name))
                .map(|d| &mut d.metadata)
        }),
        "DaemonSet" => kube.daemon_sets.known_mut().and_then(|l| {
            l.items
                .iter_mut()
                .find(|d| here(&d.metadata, &w.namespace, &w.name))
                .map(|d| &mut d.metadata)
        }),
        _ => None,
    };
    if let Some(g) = meta.and_then(|m| m.generation.as_mut()) {
        *g += 1;
    }
}

fn role_mut<'s>(
    snap: &'s mut Snapshot,
    role_name: &str,
) -> Result<&'s mut crate::model::aws::IamRole, SimulateError> {
    snap.aws
        .iam
        .roles
        .values_mut()
        .find(|r| r.name == role_name)
        .ok_or_else(|| SimulateError::NotRead(format!("role {role_name}")))
}

fn template_mut<'s>(
    snap: &'s mut Snapshot,
    w: &WorkloadTarget,
) -> Result<&'s mut PodTemplateSpec, SimulateError> {
    let what = format!("{} {}/{}", w.kind, w.namespace, w.name);
    let kube = &mut snap.kube;
    let found = match w.kind.as_str() {
        "Deployment" => listing(&mut kube.deployments, &what)?
            .iter_mut()
            .find(|d| here(&d.metadata, &w.namespace, &w.name))
            .and_then(|d| d.spec.as_mut().map(|s| &mut s.template)),
        "StatefulSet" => listing(&mut kube.stateful_sets, &what)?
            .iter_mut()
            .find(|d| here(&d.metadata, &w.namespace, &w.name))
            .and_then(|d| d.spec.as_mut().map(|s| &mut s.template)),
        "DaemonSet" => listing(&mut kube.daemon_sets, &what)?
            .iter_mut()
            .find(|d| here(&d.metadata, &w.namespace, &w.name))
            .and_then(|d| d.spec.as_mut().map(|s| &mut s.template)),
        _ => None,
    };
    found.ok_or(SimulateError::NotRead(what))
}

/// New pods for the workload: its template as the webhook mutates it now, one for each pod it
/// had, created at `at`.
fn restart(
    snap: &mut Snapshot,
    w: &WorkloadTarget,
    at: jiff::Timestamp,
) -> Result<(), SimulateError> {
    let template = template_mut(snap, w)?.clone();
    renew_pods(snap, w, &template, at)
}

/// `snap` with the pods of a Job or CronJob re-created by hand ([`Recreate`]) at `at`: no step
/// does it, but the plan's proof counts them as started again from the workload's template,
/// as a restart's are. The template must have been read (a Job whose object was not listed
/// cannot be proven).
pub fn recreate(
    snap: &Snapshot,
    r: &Recreate,
    at: jiff::Timestamp,
) -> Result<Snapshot, SimulateError> {
    let w = WorkloadTarget {
        kind: r.kind.clone(),
        namespace: r.namespace.clone(),
        name: r.name.clone(),
    };
    let template = crate::diagnose::workloads::resolve(&snap.kube)
        .into_iter()
        .find(|x| {
            x.id.namespace == w.namespace && x.id.name == w.name && x.id.kind.kind_name() == w.kind
        })
        .and_then(|x| x.template.cloned())
        .ok_or_else(|| SimulateError::NotRead(format!("{} {}/{}", w.kind, w.namespace, w.name)))?;
    let mut out = snap.clone();
    renew_pods(&mut out, &w, &template, at)?;
    Ok(out)
}

/// The workload's pods replaced by `template` as the webhook mutates it now, created at `at`.
fn renew_pods(
    snap: &mut Snapshot,
    w: &WorkloadTarget,
    template: &PodTemplateSpec,
    at: jiff::Timestamp,
) -> Result<(), SimulateError> {
    let spec = template.spec.clone().unwrap_or_default();
    let sa_name = spec
        .service_account_name
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into());
    let sa = snap.kube.service_accounts.known().and_then(|l| {
        l.items
            .iter()
            .find(|s| here(&s.metadata, &w.namespace, &sa_name))
            .cloned()
    });
    let associated = snap.aws.associations.known().is_some_and(|list| {
        list.iter()
            .any(|a| a.namespace == w.namespace && a.service_account == sa_name)
    });
    let mutated = webhook::mutate(
        &spec,
        webhook::skip_annotation(template.metadata.as_ref()),
        &Identity::of(sa.as_ref(), associated),
    );
    let owned: Vec<String> = crate::diagnose::workloads::resolve(&snap.kube)
        .into_iter()
        .filter(|x| {
            x.id.namespace == w.namespace && x.id.name == w.name && x.id.kind.kind_name() == w.kind
        })
        .flat_map(|x| x.pods.into_iter().filter_map(|p| p.metadata.name.clone()))
        .collect();
    let pods = listing(
        &mut snap.kube.pods,
        &format!("the pods of {}/{}", w.namespace, w.name),
    )?;
    for pod in pods
        .iter_mut()
        .filter(|p| p.metadata.namespace.as_deref() == Some(&w.namespace))
        .filter(|p| p.metadata.name.as_ref().is_some_and(|n| owned.contains(n)))
    {
        pod.metadata.creation_timestamp = Some(Time(at));
        pod.metadata.uid = None;
        pod.spec = Some(mutated.clone());
    }
    Ok(())
}

#[cfg(test)]
#[path = "simulate_tests.rs"]
mod tests;
