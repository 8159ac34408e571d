//! The account-wide IAM reads of a live gather: GetAccountAuthorizationDetails (every role and
//! customer managed policy in a few pages, for `-A` and many roles) and ListRoles (every role's
//! trust, to name the role a typo meant). Each answers `None` when the caller may not call it,
//! so [`super::iam_gather`] falls back to per-role reads.
//!
//! To read another account-wide listing, add it here and start it from `iam_gather::gather`.

use aws_sdk_iam::types::EntityType;

use super::LiveError;
use super::aws_error::classify;
use super::iam_gather::{or_fatal, tags};
use crate::model::Fact;
use crate::model::arn::Arn;
use crate::model::aws::{
    AttachedPolicy, IamFacts, IamRole, InlinePolicy, ManagedPolicy, PolicyText,
};
use crate::model::command::CommandLine;

/// GetAccountAuthorizationDetails: every role and customer managed policy of the account;
/// `None` when the caller may not call it. The caller's account is marked complete by
/// [`gather`], which knows it.
pub async fn bulk(iam: &aws_sdk_iam::Client) -> Result<Option<IamFacts>, LiveError> {
    let mut facts = IamFacts::default();
    let mut pages = iam
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .filter(EntityType::LocalManagedPolicy)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                or_fatal(classify(&e))?;
                return Ok(None);
            }
        };
        for r in page.role_detail_list() {
            let arn = r.arn().unwrap_or_default().to_string();
            let role = IamRole {
                arn: arn.clone(),
                name: r.role_name().unwrap_or_default().to_string(),
                path: r.path().unwrap_or("/").to_string(),
                role_id: r.role_id().map(str::to_string),
                create_date: None,
                trust_policy: r
                    .assume_role_policy_document()
                    .map(|d| PolicyText(d.to_string())),
                inline_policies: Fact::Known(
                    r.role_policy_list()
                        .iter()
                        .map(|p| InlinePolicy {
                            name: p.policy_name().unwrap_or_default().to_string(),
                            document: PolicyText(
                                p.policy_document().unwrap_or_default().to_string(),
                            ),
                        })
                        .collect(),
                ),
                attached_policies: Fact::Known(
                    r.attached_managed_policies()
                        .iter()
                        .map(|p| AttachedPolicy {
                            name: p.policy_name().unwrap_or_default().to_string(),
                            arn: p.policy_arn().unwrap_or_default().to_string(),
                        })
                        .collect(),
                ),
                permissions_boundary: Fact::Known(
                    r.permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())
                        .map(str::to_string),
                ),
                tags: tags(r.tags()),
            };
            if let Some(a) = Arn::parse(&arn) {
                facts.complete_role_accounts.insert(a.account);
            }
            facts.roles.insert(arn, role);
        }
        for p in page.policies() {
            let default = p.default_version_id();
            let doc = p
                .policy_version_list()
                .iter()
                .find(|v| v.is_default_version() || v.version_id() == default)
                .and_then(|v| v.document());
            let arn = p.arn().unwrap_or_default().to_string();
            facts.managed_policies.insert(
                arn.clone(),
                ManagedPolicy {
                    arn,
                    name: p.policy_name().unwrap_or_default().to_string(),
                    default_version_id: default.map(str::to_string),
                    default_document: doc.map(|d| PolicyText(d.to_string())),
                },
            );
        }
    }
    Ok(Some(facts))
}

/// ListRoles: every role of the account with its trust policy (not its permissions, which
/// ListRoles does not return); `None` when the caller may not list them. [`gather`] keeps the
/// roles read with GetRole as they are and marks the account's role list complete.
pub async fn list_roles(iam: &aws_sdk_iam::Client) -> Result<Option<Vec<IamRole>>, LiveError> {
    let mut found = Vec::new();
    let mut pages = iam.list_roles().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => found.extend(p.roles().iter().cloned()),
            Err(e) => {
                // Not allowed to list: the missing role is still reported, without a guess.
                or_fatal(classify(&e))?;
                return Ok(None);
            }
        }
    }
    Ok(Some(
        found
            .into_iter()
            .map(|r| {
                let boundary = Fact::not_collected(CommandLine::aws([
                    "iam",
                    "get-role",
                    "--role-name",
                    r.role_name(),
                ]));
                super::iam_wanted::trust_only(&r, boundary)
            })
            .collect(),
    ))
}
