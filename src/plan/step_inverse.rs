//! The command that undoes a step, as the plan shows it: the inverse change's command read
//! against the state the step was planned on (the journal itself restores the exact bytes).

use super::step_commands::command;
use super::steps::{env_value, inline_text, template_sa, trust_text};
use crate::model::plan::Change;
use crate::model::{CommandLine, Snapshot};

/// A policy document as IAM's API returned it (URL-encoded, RFC 3986) decoded back to the
/// text that was stored, which is what `aws iam update-assume-role-policy` / `put-role-policy`
/// take: the CLI sends `--policy-document` as given, so the encoded form would be refused as
/// malformed. Its layout whitespace is dropped, so the command is one line to read and paste
/// (JSON allows none of it inside strings; keys, order and duplicates stay as they were, and
/// the journal restores the stored bytes themselves). Text that does not decode is left as read.
fn as_stored(document: &str) -> String {
    let text = crate::policy::decode_document(document)
        .map(std::borrow::Cow::into_owned)
        .unwrap_or_else(|_| document.to_string());
    let (mut out, mut in_string, mut escaped) = (String::with_capacity(text.len()), false, false);
    for c in text.chars() {
        match c {
            _ if in_string => {
                in_string = escaped || c != '"';
                escaped = !escaped && c == '\\';
            }
            '"' => in_string = true,
            ' ' | '\n' | '\r' | '\t' => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// The command that undoes `change`, from the state in `before`; `None` when undoing is a
/// delete the journal makes by the object's id (a created association) or nothing (a restart
/// is repeated only when identity configuration changed back).
pub(super) fn inverse(change: &Change, before: &Snapshot) -> Option<CommandLine> {
    match change {
        Change::AnnotateServiceAccount {
            namespace,
            name,
            key,
            ..
        } => {
            let old = before
                .kube
                .service_accounts
                .known()
                .and_then(|l| {
                    l.items.iter().find(|s| {
                        s.metadata.namespace.as_deref() == Some(namespace)
                            && s.metadata.name.as_deref() == Some(name)
                    })
                })
                .and_then(|s| s.metadata.annotations.as_ref()?.get(key).cloned());
            Some(command(&Change::AnnotateServiceAccount {
                namespace: namespace.clone(),
                name: name.clone(),
                key: key.clone(),
                value: old,
            }))
        }
        Change::CreateServiceAccount {
            namespace, name, ..
        } => Some(CommandLine::kubectl([
            "delete",
            "serviceaccount",
            name,
            "-n",
            namespace,
        ])),
        Change::SetServiceAccountName { workload, .. } => {
            let old = template_sa(before, workload)?;
            let old = old.trim_start_matches("serviceAccountName: ").to_string();
            Some(command(&Change::SetServiceAccountName {
                workload: workload.clone(),
                service_account: old,
            }))
        }
        Change::RolloutRestart { .. } => None,
        Change::SetEnv {
            workload,
            container,
            name,
            ..
        } => Some(command(&Change::SetEnv {
            workload: workload.clone(),
            container: container.clone(),
            name: name.clone(),
            value: env_value(before, workload, container, name),
        })),
        Change::SetFsGroup { workload, .. } => Some(command(&Change::SetFsGroup {
            workload: workload.clone(),
            fs_group: super::steps::fs_group(before, workload),
        })),
        Change::CreateRole { role_name, .. } => Some(command(&Change::DeleteRole {
            role_name: role_name.clone(),
        })),
        Change::PutTrustPolicy { role_name, .. } => {
            let old = trust_text(before, role_name)?;
            Some(command(&Change::PutTrustPolicy {
                role_name: role_name.clone(),
                document: as_stored(&old),
            }))
        }
        Change::PutRolePolicy {
            role_name,
            policy_name,
            ..
        } => Some(match inline_text(before, role_name, policy_name) {
            Some(old) => command(&Change::PutRolePolicy {
                role_name: role_name.clone(),
                policy_name: policy_name.clone(),
                document: as_stored(&old),
            }),
            None => CommandLine::aws([
                "iam",
                "delete-role-policy",
                "--role-name",
                role_name,
                "--policy-name",
                policy_name,
            ]),
        }),
        Change::AttachRolePolicy {
            role_name,
            policy_arn,
        } => Some(CommandLine::aws([
            "iam",
            "detach-role-policy",
            "--role-name",
            role_name,
            "--policy-arn",
            policy_arn,
        ])),
        Change::AddClientId {
            provider_arn,
            client_id,
        } => Some(CommandLine::aws([
            "iam",
            "remove-client-id-from-open-id-connect-provider",
            "--open-id-connect-provider-arn",
            provider_arn,
            "--client-id",
            client_id,
        ])),
        Change::CreateOidcProvider { .. } | Change::CreatePodIdentityAssociation { .. } => None,
        Change::UpdatePodIdentityAssociation {
            cluster,
            namespace,
            service_account,
            ..
        } => {
            let old = before
                .aws
                .associations
                .known()?
                .iter()
                .find(|a| &a.namespace == namespace && &a.service_account == service_account)?
                .role_arn
                .clone()?;
            Some(command(&Change::UpdatePodIdentityAssociation {
                cluster: cluster.clone(),
                namespace: namespace.clone(),
                service_account: service_account.clone(),
                role_arn: old,
            }))
        }
        Change::CreateAddon { cluster, name } => Some(command(&Change::DeleteAddon {
            cluster: cluster.clone(),
            name: name.clone(),
        })),
        // Undoing an undo is fixing again.
        Change::DeleteServiceAccount { .. }
        | Change::DeleteRole { .. }
        | Change::DeleteRolePolicy { .. }
        | Change::DetachRolePolicy { .. }
        | Change::DeleteOidcProvider { .. }
        | Change::RemoveClientId { .. }
        | Change::DeletePodIdentityAssociation { .. }
        | Change::DeleteAddon { .. } => None,
    }
}
