//! The IAM reads of one role's permission policies, each a paged or per-item call whose
//! refusal becomes a `Missing` fact naming the permission (a fatal failure, such as expired
//! credentials, ends the run): ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies, and
//! GetPolicy + GetPolicyVersion for a managed policy. `iam_gather` decides when each goes out.

use futures::stream::{self, StreamExt};

use super::LiveError;
use super::aws_error::classify;
use super::eks_gather::IN_FLIGHT;
use super::iam_gather::{missing, or_fatal};
use crate::model::aws::{AttachedPolicy, InlinePolicy, ManagedPolicy, PolicyText};
use crate::model::{Fact, Missing};

/// ListRolePolicies: the names of the role's inline policies.
pub(super) async fn inline_policy_names(
    iam: &aws_sdk_iam::Client,
    role: &str,
) -> Result<Fact<Vec<String>>, LiveError> {
    let mut names = Vec::new();
    let mut pages = iam
        .list_role_policies()
        .role_name(role)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => names.extend(p.policy_names().iter().cloned()),
            Err(e) => {
                let f = or_fatal(classify(&e))?;
                return Ok(Fact::Missing(missing("iam:ListRolePolicies", f)));
            }
        }
    }
    Ok(Fact::Known(names))
}

/// GetRolePolicy for each inline policy `names` lists, concurrently, in their order.
pub(super) async fn inline_documents(
    iam: &aws_sdk_iam::Client,
    role: &str,
    names: Fact<Vec<String>>,
) -> Result<Fact<Vec<InlinePolicy>>, LiveError> {
    let names = match names {
        Fact::Known(n) => n,
        Fact::Missing(m) => return Ok(Fact::Missing(m)),
    };
    let fetched: Vec<Result<Result<InlinePolicy, Missing>, LiveError>> = stream::iter(names)
        .map(|name| async move {
            match iam
                .get_role_policy()
                .role_name(role)
                .policy_name(&name)
                .send()
                .await
            {
                Ok(p) => Ok(Ok(InlinePolicy {
                    name,
                    document: PolicyText(p.policy_document().to_string()),
                })),
                Err(e) => {
                    let f = or_fatal(classify(&e))?;
                    Ok(Err(missing("iam:GetRolePolicy", f)))
                }
            }
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    let mut out = Vec::new();
    for item in fetched {
        match item? {
            Ok(p) => out.push(p),
            Err(missing) => return Ok(Fact::Missing(missing)),
        }
    }
    Ok(Fact::Known(out))
}

pub(super) async fn attached_policies(
    iam: &aws_sdk_iam::Client,
    role: &str,
) -> Result<Fact<Vec<AttachedPolicy>>, LiveError> {
    let mut out = Vec::new();
    let mut pages = iam
        .list_attached_role_policies()
        .role_name(role)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => out.extend(p.attached_policies().iter().map(|a| AttachedPolicy {
                name: a.policy_name().unwrap_or_default().to_string(),
                arn: a.policy_arn().unwrap_or_default().to_string(),
            })),
            Err(e) => {
                let f = or_fatal(classify(&e))?;
                return Ok(Fact::Missing(missing("iam:ListAttachedRolePolicies", f)));
            }
        }
    }
    Ok(Fact::Known(out))
}

pub(super) async fn managed_policy(
    iam: &aws_sdk_iam::Client,
    arn: &str,
) -> Result<Option<ManagedPolicy>, LiveError> {
    let policy = match iam.get_policy().policy_arn(arn).send().await {
        Ok(out) => out.policy().cloned(),
        Err(e) => {
            or_fatal(classify(&e))?;
            return Ok(None);
        }
    };
    let Some(policy) = policy else {
        return Ok(None);
    };
    let version = policy.default_version_id().map(str::to_string);
    let document = match &version {
        Some(v) => match iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(v)
            .send()
            .await
        {
            Ok(out) => out
                .policy_version()
                .and_then(|p| p.document())
                .map(|d| PolicyText(d.to_string())),
            Err(e) => {
                or_fatal(classify(&e))?;
                None
            }
        },
        None => None,
    };
    Ok(Some(ManagedPolicy {
        arn: arn.to_string(),
        name: policy.policy_name().unwrap_or_default().to_string(),
        default_version_id: version,
        default_document: document,
    }))
}
