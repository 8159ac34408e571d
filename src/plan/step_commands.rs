//! The `kubectl`/`aws` command that makes each kind of plan change, as an argv: what a plan
//! step shows and copies, and what `-o shell` writes. Undo's commands are these for the
//! inverse change (`steps`).

use crate::diagnose::links::fix_document;
use crate::model::CommandLine;
use crate::model::plan::{Change, WorkloadTarget};

fn restart(w: &WorkloadTarget) -> CommandLine {
    CommandLine::kubectl([
        "rollout",
        "restart",
        &w_kind(w),
        &w.name,
        "-n",
        &w.namespace,
    ])
}

/// The `kubectl`/`aws` command that makes `change`.
pub fn command(change: &Change) -> CommandLine {
    match change {
        Change::AnnotateServiceAccount {
            namespace,
            name,
            key,
            value,
        } => {
            let arg = match value {
                Some(v) => format!("{key}={v}"),
                None => format!("{key}-"),
            };
            CommandLine::kubectl(["annotate", "serviceaccount", name, "-n", namespace, &arg])
                .arg("--overwrite")
        }
        Change::CreateServiceAccount {
            namespace, name, ..
        } => CommandLine::kubectl(["create", "serviceaccount", name, "-n", namespace]),
        Change::SetServiceAccountName {
            workload,
            service_account,
        } => CommandLine::kubectl([
            "set",
            "serviceaccount",
            &w_kind(workload),
            &workload.name,
            service_account,
            "-n",
            &workload.namespace,
        ]),
        Change::SetEnv {
            workload,
            container,
            name,
            value,
        } => {
            let arg = match value {
                Some(v) => format!("{name}={v}"),
                None => format!("{name}-"),
            };
            CommandLine::kubectl([
                "set",
                "env",
                &format!("{}/{}", w_kind(workload), workload.name),
                "-n",
                &workload.namespace,
                "-c",
                container,
                &arg,
            ])
        }
        Change::SetFsGroup { workload, fs_group } => CommandLine::kubectl([
            "patch",
            &w_kind(workload),
            &workload.name,
            "-n",
            &workload.namespace,
            "-p",
            &serde_json::json!({"spec": {"template": {"spec": {"securityContext": {"fsGroup": fs_group}}}}})
                .to_string(),
        ]),
        Change::CreateRole {
            role_name,
            document,
            description,
        } => {
            let c = CommandLine::aws([
                "iam",
                "create-role",
                "--role-name",
                role_name,
                "--assume-role-policy-document",
                document,
            ]);
            match description {
                Some(d) => c.arg("--description").arg(d),
                None => c,
            }
        }
        Change::DeleteRole { role_name } => {
            CommandLine::aws(["iam", "delete-role", "--role-name", role_name])
        }
        Change::RolloutRestart { workload } => restart(workload),
        Change::PutTrustPolicy {
            role_name,
            document,
        } => fix_document::update_trust_command(role_name, document),
        Change::PutRolePolicy {
            role_name,
            policy_name,
            document,
        } => fix_document::put_role_policy_command(role_name, policy_name, document),
        Change::AttachRolePolicy {
            role_name,
            policy_arn,
        } => CommandLine::aws([
            "iam",
            "attach-role-policy",
            "--role-name",
            role_name,
            "--policy-arn",
            policy_arn,
        ]),
        Change::CreateOidcProvider { url, client_ids } => {
            CommandLine::aws(["iam", "create-open-id-connect-provider", "--url", url])
                .arg("--client-id-list")
                .args(client_ids.iter().cloned())
        }
        Change::AddClientId {
            provider_arn,
            client_id,
        } => CommandLine::aws([
            "iam",
            "add-client-id-to-open-id-connect-provider",
            "--open-id-connect-provider-arn",
            provider_arn,
            "--client-id",
            client_id,
        ]),
        Change::CreatePodIdentityAssociation {
            cluster,
            namespace,
            service_account,
            role_arn,
        } => CommandLine::aws([
            "eks",
            "create-pod-identity-association",
            "--cluster-name",
            cluster,
            "--namespace",
            namespace,
            "--service-account",
            service_account,
            "--role-arn",
            role_arn,
        ]),
        Change::DeleteServiceAccount { namespace, name } => {
            CommandLine::kubectl(["delete", "serviceaccount", name, "-n", namespace])
        }
        Change::DeleteRolePolicy {
            role_name,
            policy_name,
        } => CommandLine::aws([
            "iam",
            "delete-role-policy",
            "--role-name",
            role_name,
            "--policy-name",
            policy_name,
        ]),
        Change::DetachRolePolicy {
            role_name,
            policy_arn,
        } => CommandLine::aws([
            "iam",
            "detach-role-policy",
            "--role-name",
            role_name,
            "--policy-arn",
            policy_arn,
        ]),
        Change::DeleteOidcProvider { provider_arn } => CommandLine::aws([
            "iam",
            "delete-open-id-connect-provider",
            "--open-id-connect-provider-arn",
            provider_arn,
        ]),
        Change::RemoveClientId {
            provider_arn,
            client_id,
        } => CommandLine::aws([
            "iam",
            "remove-client-id-from-open-id-connect-provider",
            "--open-id-connect-provider-arn",
            provider_arn,
            "--client-id",
            client_id,
        ]),
        // The association's id is only known once it exists: the command names it by its
        // placeholder, the writer looks it up.
        Change::UpdatePodIdentityAssociation {
            cluster, role_arn, ..
        } => CommandLine::aws([
            "eks",
            "update-pod-identity-association",
            "--cluster-name",
            cluster,
            "--association-id",
            crate::model::command::placeholder::ASSOCIATION_ID,
            "--role-arn",
            role_arn,
        ]),
        Change::DeletePodIdentityAssociation { cluster, .. } => CommandLine::aws([
            "eks",
            "delete-pod-identity-association",
            "--cluster-name",
            cluster,
            "--association-id",
            crate::model::command::placeholder::ASSOCIATION_ID,
        ]),
        Change::CreateAddon { cluster, name } => CommandLine::aws([
            "eks",
            "create-addon",
            "--cluster-name",
            cluster,
            "--addon-name",
            name,
        ]),
        Change::DeleteAddon { cluster, name } => CommandLine::aws([
            "eks",
            "delete-addon",
            "--cluster-name",
            cluster,
            "--addon-name",
            name,
        ]),
    }
}

fn w_kind(w: &WorkloadTarget) -> String {
    w.kind.to_ascii_lowercase()
}
