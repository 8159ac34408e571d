//! The IAM and EKS writers: a plan's AWS changes made with the SDK clients the readers use.
//! IAM has no precondition of its own, so a read-modify-write step re-reads the document just
//! before writing and refuses (nothing written) when it is no longer the one the plan was made
//! from (DESIGN.md "Fixes are data"); creations refuse when the object appeared meanwhile
//! (EntityAlreadyExists, ResourceInUseException). A refusal names the IAM or EKS permission to
//! grant.

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use thiserror::Error;

use crate::model::plan::Change;
use crate::policy::decode_document;
use crate::sources::live::aws_error::{AwsFailure, classify};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AwsWriteError {
    /// The object is not what the plan was made from (or exists already): nothing written.
    #[error("{object} changed since the plan was made ({reason}); nothing was written to it")]
    Conflict { object: String, reason: String },
    #[error("AWS refused {permission}: {message}")]
    Denied { permission: String, message: String },
    #[error("writing {object} failed: {message}")]
    Failed { object: String, message: String },
    #[error("{0} is not a change the AWS writer makes")]
    NotAws(String),
}

pub struct AwsWriter<'a> {
    pub iam: &'a aws_sdk_iam::Client,
    pub eks: &'a aws_sdk_eks::Client,
}

fn failed(object: &str, permission: &str, f: AwsFailure) -> AwsWriteError {
    match f {
        AwsFailure::Denied(message) => AwsWriteError::Denied {
            permission: permission.to_string(),
            message,
        },
        other => AwsWriteError::Failed {
            object: object.to_string(),
            message: other.message().to_string(),
        },
    }
}

/// Two policy documents are the same when their decoded texts are: IAM hands documents back
/// URL-encoded, and the plan keeps them as they were read.
fn same_document(a: &str, b: &str) -> bool {
    match (decode_document(a), decode_document(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

impl AwsWriter<'_> {
    /// The id of the association of `namespace/service_account`: a plan names associations by
    /// service account, since their ids exist only once they do.
    async fn association_id(
        &self,
        cluster: &str,
        namespace: &str,
        service_account: &str,
        object: &str,
    ) -> Result<String, AwsWriteError> {
        let listed = self
            .eks
            .list_pod_identity_associations()
            .cluster_name(cluster)
            .namespace(namespace)
            .service_account(service_account)
            .send()
            .await
            .map_err(|e| failed(object, "eks:ListPodIdentityAssociations", classify(&e)))?;
        listed
            .associations()
            .first()
            .and_then(|a| a.association_id())
            .map(str::to_string)
            .ok_or_else(|| AwsWriteError::Conflict {
                object: object.to_string(),
                reason: "it no longer exists".into(),
            })
    }

    /// The document the step would replace, as IAM has it now (`None`: there is none).
    pub async fn current(&self, change: &Change) -> Result<Option<String>, AwsWriteError> {
        match change {
            Change::CreateRole { role_name, .. } => {
                match self.iam.get_role().role_name(role_name).send().await {
                    Ok(out) => Ok(Some(
                        out.role()
                            .and_then(|r| r.assume_role_policy_document())
                            .unwrap_or_default()
                            .to_string(),
                    )),
                    Err(e) => match classify(&e) {
                        AwsFailure::NotFound(_) => Ok(None),
                        other => Err(failed(&format!("role {role_name}"), "iam:GetRole", other)),
                    },
                }
            }
            Change::PutTrustPolicy { role_name, .. } => {
                let object = format!("the trust policy of role {role_name}");
                let out = self
                    .iam
                    .get_role()
                    .role_name(role_name)
                    .send()
                    .await
                    .map_err(|e| failed(&object, "iam:GetRole", classify(&e)))?;
                Ok(out
                    .role()
                    .and_then(|r| r.assume_role_policy_document())
                    .map(str::to_string))
            }
            Change::PutRolePolicy {
                role_name,
                policy_name,
                ..
            } => {
                let object = format!("inline policy {policy_name} of role {role_name}");
                match self
                    .iam
                    .get_role_policy()
                    .role_name(role_name)
                    .policy_name(policy_name)
                    .send()
                    .await
                {
                    Ok(out) => Ok(Some(out.policy_document().to_string())),
                    Err(e) => match classify(&e) {
                        AwsFailure::NotFound(_) => Ok(None),
                        other => Err(failed(&object, "iam:GetRolePolicy", other)),
                    },
                }
            }
            _ => Ok(None),
        }
    }

    /// Makes `change`; `before` is the document the plan was made from (for the steps that
    /// replace one), compared with IAM's just before the write.
    pub async fn apply(&self, change: &Change, before: Option<&str>) -> Result<(), AwsWriteError> {
        if matches!(
            change,
            Change::PutTrustPolicy { .. } | Change::PutRolePolicy { .. }
        ) {
            let now = self.current(change).await?;
            let unchanged = match (now.as_deref(), before) {
                (Some(n), Some(b)) => same_document(n, b),
                (None, None) => true,
                _ => false,
            };
            if !unchanged {
                return Err(AwsWriteError::Conflict {
                    object: describe(change),
                    reason: "its document is not the one the plan was made from".into(),
                });
            }
        }
        let iam = self.iam;
        let object = describe(change);
        match change {
            Change::PutTrustPolicy {
                role_name,
                document,
            } => iam
                .update_assume_role_policy()
                .role_name(role_name)
                .policy_document(document)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&object, "iam:UpdateAssumeRolePolicy", classify(&e))),
            Change::PutRolePolicy {
                role_name,
                policy_name,
                document,
            } => iam
                .put_role_policy()
                .role_name(role_name)
                .policy_name(policy_name)
                .policy_document(document)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&object, "iam:PutRolePolicy", classify(&e))),
            Change::AttachRolePolicy {
                role_name,
                policy_arn,
            } => iam
                .attach_role_policy()
                .role_name(role_name)
                .policy_arn(policy_arn)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&object, "iam:AttachRolePolicy", classify(&e))),
            Change::CreateOidcProvider { url, client_ids } => {
                let mut req = iam.create_open_id_connect_provider().url(url);
                for id in client_ids {
                    req = req.client_id_list(id);
                }
                req.send().await.map(drop).map_err(|e| {
                    already_exists(&e, &object).unwrap_or_else(|| {
                        failed(&object, "iam:CreateOpenIDConnectProvider", classify(&e))
                    })
                })
            }
            Change::AddClientId {
                provider_arn,
                client_id,
            } => iam
                .add_client_id_to_open_id_connect_provider()
                .open_id_connect_provider_arn(provider_arn)
                .client_id(client_id)
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    failed(
                        &object,
                        "iam:AddClientIDToOpenIDConnectProvider",
                        classify(&e),
                    )
                }),
            Change::CreatePodIdentityAssociation {
                cluster,
                namespace,
                service_account,
                role_arn,
            } => self
                .eks
                .create_pod_identity_association()
                .cluster_name(cluster)
                .namespace(namespace)
                .service_account(service_account)
                .role_arn(role_arn)
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    already_exists(&e, &object).unwrap_or_else(|| {
                        failed(&object, "eks:CreatePodIdentityAssociation", classify(&e))
                    })
                }),
            Change::CreateRole {
                role_name,
                document,
                description,
            } => iam
                .create_role()
                .role_name(role_name)
                .assume_role_policy_document(document)
                .set_description(description.clone())
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    already_exists(&e, &object)
                        .unwrap_or_else(|| failed(&object, "iam:CreateRole", classify(&e)))
                }),
            Change::DeleteRole { role_name } => iam
                .delete_role()
                .role_name(role_name)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&object, "iam:DeleteRole", classify(&e))),
            Change::DeleteRolePolicy {
                role_name,
                policy_name,
            } => iam
                .delete_role_policy()
                .role_name(role_name)
                .policy_name(policy_name)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&object, "iam:DeleteRolePolicy", classify(&e))),
            Change::DetachRolePolicy {
                role_name,
                policy_arn,
            } => iam
                .detach_role_policy()
                .role_name(role_name)
                .policy_arn(policy_arn)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&object, "iam:DetachRolePolicy", classify(&e))),
            Change::DeleteOidcProvider { provider_arn } => iam
                .delete_open_id_connect_provider()
                .open_id_connect_provider_arn(provider_arn)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&object, "iam:DeleteOpenIDConnectProvider", classify(&e))),
            Change::RemoveClientId {
                provider_arn,
                client_id,
            } => iam
                .remove_client_id_from_open_id_connect_provider()
                .open_id_connect_provider_arn(provider_arn)
                .client_id(client_id)
                .send()
                .await
                .map(drop)
                .map_err(|e| {
                    failed(
                        &object,
                        "iam:RemoveClientIDFromOpenIDConnectProvider",
                        classify(&e),
                    )
                }),
            Change::UpdatePodIdentityAssociation {
                cluster,
                namespace,
                service_account,
                role_arn,
            } => {
                let id = self
                    .association_id(cluster, namespace, service_account, &object)
                    .await?;
                self.eks
                    .update_pod_identity_association()
                    .cluster_name(cluster)
                    .association_id(id)
                    .role_arn(role_arn)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| failed(&object, "eks:UpdatePodIdentityAssociation", classify(&e)))
            }
            Change::DeletePodIdentityAssociation {
                cluster,
                namespace,
                service_account,
            } => {
                let id = self
                    .association_id(cluster, namespace, service_account, &object)
                    .await?;
                self.eks
                    .delete_pod_identity_association()
                    .cluster_name(cluster)
                    .association_id(id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| failed(&object, "eks:DeletePodIdentityAssociation", classify(&e)))
            }
            Change::CreateAddon { cluster, name } => {
                self.eks
                    .create_addon()
                    .cluster_name(cluster)
                    .addon_name(name)
                    .send()
                    .await
                    .map_err(|e| {
                        already_exists(&e, &object)
                            .unwrap_or_else(|| failed(&object, "eks:CreateAddon", classify(&e)))
                    })?;
                self.wait_addon_active(cluster, name, &object).await
            }
            Change::DeleteAddon { cluster, name } => self
                .eks
                .delete_addon()
                .cluster_name(cluster)
                .addon_name(name)
                .send()
                .await
                .map(drop)
                .map_err(|e| failed(&object, "eks:DeleteAddon", classify(&e))),
            other => Err(AwsWriteError::NotAws(other.action().to_string())),
        }
    }

    /// As `aws eks wait addon-active`: the add-on's agent must serve credentials before the
    /// plan's next steps give pods Pod Identity (field guide F30's node race). Polls
    /// DescribeAddon every few seconds for up to ten minutes; CREATE_FAILED or the time running
    /// out fails the step.
    async fn wait_addon_active(
        &self,
        cluster: &str,
        name: &str,
        object: &str,
    ) -> Result<(), AwsWriteError> {
        const POLLS: u32 = 120;
        for poll in 0..POLLS {
            let out = self
                .eks
                .describe_addon()
                .cluster_name(cluster)
                .addon_name(name)
                .send()
                .await
                .map_err(|e| failed(object, "eks:DescribeAddon", classify(&e)))?;
            let status = out
                .addon()
                .and_then(|a| a.status())
                .map(|s| s.as_str().to_string());
            match status.as_deref() {
                Some("ACTIVE") => return Ok(()),
                Some(s @ ("CREATE_FAILED" | "DEGRADED" | "DELETING" | "DELETE_FAILED")) => {
                    return Err(AwsWriteError::Failed {
                        object: object.to_string(),
                        message: format!("the add-on is {s}, not ACTIVE"),
                    });
                }
                _ if poll + 1 < POLLS => {
                    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                }
                _ => {}
            }
        }
        Err(AwsWriteError::Failed {
            object: object.to_string(),
            message: "the add-on did not become ACTIVE within ten minutes".into(),
        })
    }
}

/// EntityAlreadyExists (IAM) and ResourceInUseException (EKS, an association for that service
/// account exists) are conflicts: someone made the object since the plan.
fn already_exists<E, R>(err: &SdkError<E, R>, object: &str) -> Option<AwsWriteError>
where
    E: ProvideErrorMetadata,
{
    let code = err.as_service_error().and_then(|e| e.code())?;
    matches!(code, "EntityAlreadyExists" | "ResourceInUseException").then(|| {
        AwsWriteError::Conflict {
            object: object.to_string(),
            reason: format!(
                "{code}: {}",
                err.as_service_error()
                    .and_then(|e| e.message())
                    .unwrap_or("it exists already")
            ),
        }
    })
}

fn describe(change: &Change) -> String {
    match change {
        Change::PutTrustPolicy { role_name, .. } => format!("the trust policy of role {role_name}"),
        Change::CreateRole { role_name, .. } | Change::DeleteRole { role_name } => {
            format!("role {role_name}")
        }
        Change::PutRolePolicy {
            role_name,
            policy_name,
            ..
        } => format!("inline policy {policy_name} of role {role_name}"),
        Change::AttachRolePolicy {
            role_name,
            policy_arn,
        } => format!("the attachment of {policy_arn} to role {role_name}"),
        Change::CreateOidcProvider { url, .. } => format!("the OIDC provider for {url}"),
        Change::AddClientId { provider_arn, .. } => format!("OIDC provider {provider_arn}"),
        Change::CreatePodIdentityAssociation {
            namespace,
            service_account,
            ..
        }
        | Change::UpdatePodIdentityAssociation {
            namespace,
            service_account,
            ..
        } => format!("the pod identity association of {namespace}/{service_account}"),
        Change::CreateAddon { name, cluster } | Change::DeleteAddon { name, cluster } => {
            format!("add-on {name} of cluster {cluster}")
        }
        other => other.action().to_string(),
    }
}
