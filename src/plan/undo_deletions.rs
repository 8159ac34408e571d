//! The inverse of a deletion, for undoing a plan that removed something (a migration's
//! rollback deletes an association and takes back a trust statement; an undo deletes what a
//! fix created): the object is made again as the journal recorded it just before the delete,
//! and refused when something of that name exists again (undo never overwrites a later
//! change).

use serde_json::Value;

use super::undo::UndoError;
use crate::model::Snapshot;
use crate::model::plan::Change;

fn exists_again(what: String) -> Result<Change, UndoError> {
    Err(UndoError::Changed(format!(
        "{what} exists again since it was deleted; undo leaves it alone"
    )))
}

fn no_record(what: String) -> Result<Change, UndoError> {
    Err(UndoError::Impossible(format!(
        "the journal holds no record of {what} before it was deleted"
    )))
}

fn decoded(text: &str) -> String {
    crate::policy::decode_document(text)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| text.to_string())
}

/// The change that makes again what `change` deleted, from `prior` (what the journal holds of
/// the object before the step); `None` when `change` is not a deletion.
pub(super) fn inverse(
    change: &Change,
    prior: Option<&str>,
    fresh: &Snapshot,
) -> Option<Result<Change, UndoError>> {
    let iam = &fresh.aws.iam;
    Some(match change {
        Change::DeleteServiceAccount { namespace, name } => {
            let what = format!("ServiceAccount {namespace}/{name}");
            let here = fresh.kube.service_accounts.known().is_some_and(|l| {
                l.items.iter().any(|s| {
                    s.metadata.namespace.as_deref() == Some(namespace)
                        && s.metadata.name.as_deref() == Some(name)
                })
            });
            match prior.and_then(|p| serde_saphyr::from_str::<Value>(p).ok()) {
                _ if here => exists_again(what),
                None => no_record(what),
                Some(v) => Ok(Change::CreateServiceAccount {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    annotations: v
                        .pointer("/metadata/annotations")
                        .and_then(Value::as_object)
                        .map(|m| {
                            m.iter()
                                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                                .collect()
                        })
                        .unwrap_or_default(),
                }),
            }
        }
        Change::DeleteRole { role_name } => {
            let what = format!("role {role_name}");
            match prior {
                _ if iam.roles.values().any(|r| &r.name == role_name) => exists_again(what),
                None => no_record(what),
                Some(p) => Ok(Change::CreateRole {
                    role_name: role_name.clone(),
                    document: decoded(p),
                    description: None,
                }),
            }
        }
        Change::DeleteRolePolicy {
            role_name,
            policy_name,
        } => {
            let what = format!("inline policy {policy_name} of role {role_name}");
            let here = iam
                .roles
                .values()
                .find(|r| &r.name == role_name)
                .and_then(|r| r.inline_policies.known())
                .is_some_and(|l| l.iter().any(|p| &p.name == policy_name));
            match prior {
                _ if here => exists_again(what),
                None => no_record(what),
                Some(p) => Ok(Change::PutRolePolicy {
                    role_name: role_name.clone(),
                    policy_name: policy_name.clone(),
                    document: decoded(p),
                }),
            }
        }
        Change::DetachRolePolicy {
            role_name,
            policy_arn,
        } => Ok(Change::AttachRolePolicy {
            role_name: role_name.clone(),
            policy_arn: policy_arn.clone(),
        }),
        Change::DeleteOidcProvider { provider_arn } => {
            let what = format!("OIDC provider {provider_arn}");
            let url = crate::model::arn::oidc_provider_url(provider_arn).map(str::to_string);
            let ids = prior
                .and_then(|p| p.strip_prefix("clientIDList: ["))
                .and_then(|p| p.strip_suffix(']'))
                .map(|l| {
                    l.split(", ")
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                });
            match (url, ids) {
                _ if iam.oidc_providers.contains_key(provider_arn) => exists_again(what),
                (Some(url), Some(client_ids)) => Ok(Change::CreateOidcProvider {
                    url: format!("https://{url}"),
                    client_ids,
                }),
                _ => no_record(what),
            }
        }
        Change::RemoveClientId {
            provider_arn,
            client_id,
        } => Ok(Change::AddClientId {
            provider_arn: provider_arn.clone(),
            client_id: client_id.clone(),
        }),
        Change::DeletePodIdentityAssociation {
            cluster,
            namespace,
            service_account,
        } => {
            let what = format!("the pod identity association of {namespace}/{service_account}");
            let here = fresh.aws.associations.known().is_some_and(|l| {
                l.iter()
                    .any(|a| &a.namespace == namespace && &a.service_account == service_account)
            });
            let role = prior.and_then(|p| {
                p.lines()
                    .find_map(|l| l.strip_prefix("roleArn: "))
                    .filter(|r| *r != "-")
                    .map(str::to_string)
            });
            match role {
                _ if here => exists_again(what),
                None => no_record(what),
                Some(role_arn) => Ok(Change::CreatePodIdentityAssociation {
                    cluster: cluster.clone(),
                    namespace: namespace.clone(),
                    service_account: service_account.clone(),
                    role_arn,
                }),
            }
        }
        Change::DeleteAddon { cluster, name } => {
            if matches!(fresh.aws.pod_identity_agent_addon.known(), Some(Some(_))) {
                exists_again(format!("add-on {name}"))
            } else {
                Ok(Change::CreateAddon {
                    cluster: cluster.clone(),
                    name: name.clone(),
                })
            }
        }
        _ => return None,
    })
}
