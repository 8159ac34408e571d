//! The IAM side of a live Snapshot. Each distinct role, managed policy and OIDC provider is
//! fetched once per run, concurrently with a bounded number in flight; the SDK's standard retry
//! with back-off absorbs IAM throttling. For many roles (or `-A`, where the reverse index needs
//! every trust policy) GetAccountAuthorizationDetails returns every role and customer managed
//! policy in a few pages; without `iam:GetAccountAuthorizationDetails` it falls back to per-role
//! calls. AWS managed policies are not asked of it (it would return every version of each, and
//! an emulator every AWS managed policy there is): those attached to the roles the diagnosis
//! needs are fetched one by one, once each. Roles and OIDC providers are read concurrently.
//!
//! GetRole only reads the caller's own account: a role ARN of another account is left
//! uncollected (the role link says what to run there), never looked up by name here.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_iam::types::EntityType;
use futures::stream::{self, StreamExt};

use super::LiveError;
use super::aws_error::{AwsFailure, classify};
use super::eks_gather::{IN_FLIGHT, fatal};
use crate::model::arn::{Arn, RoleArn};
use crate::model::aws::{
    AttachedPolicy, IamFacts, IamRole, InlinePolicy, ManagedPolicy, OidcProvider, PolicyText,
};
use crate::model::{Fact, Missing};

/// Above this many roles one GetAccountAuthorizationDetails scan is cheaper than per-role calls.
pub const BULK_THRESHOLD: usize = 20;

fn denied(permission: &str, message: String) -> Missing {
    Missing::Denied {
        permission: permission.to_string(),
        message,
    }
}

fn or_fatal(f: AwsFailure) -> Result<AwsFailure, LiveError> {
    match fatal(&f) {
        Some(e) => Err(e),
        None => Ok(f),
    }
}

fn tags(list: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    list.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// Everything about the roles `wanted` (ARNs) and, with `scan_all`, every role of the account.
pub async fn gather(
    iam: &aws_sdk_iam::Client,
    wanted: &BTreeSet<String>,
    scan_all: bool,
    issuer: Option<&str>,
    account: Option<&str>,
) -> Result<IamFacts, LiveError> {
    let (roles, providers) = tokio::join!(
        roles(iam, wanted, scan_all, account),
        providers(iam, issuer, account)
    );
    let mut facts = roles?;
    let providers = providers?;
    facts.oidc_providers = providers.oidc_providers;
    facts.complete_provider_accounts = providers.complete_provider_accounts;
    Ok(facts)
}

/// The roles (bulk or one by one) and the managed policies attached to the wanted ones.
async fn roles(
    iam: &aws_sdk_iam::Client,
    wanted: &BTreeSet<String>,
    scan_all: bool,
    account: Option<&str>,
) -> Result<IamFacts, LiveError> {
    let mut facts = IamFacts::default();
    let mut bulk_done = false;
    if scan_all || wanted.len() > BULK_THRESHOLD {
        bulk_done = bulk(iam, &mut facts, account).await?;
    }
    if !bulk_done {
        // Only the caller's account can be read by role name (unknown account: try them all).
        let roles: Vec<String> = wanted
            .iter()
            .filter(|arn| {
                account.is_none_or(|acct| RoleArn::parse(arn).is_ok_and(|r| r.account == acct))
            })
            .cloned()
            .collect();
        per_role(iam, &mut facts, &roles).await?;
        if !facts.absent_roles.is_empty() {
            // A role that does not exist is often a typo: the account's role names (and trust
            // policies) let the role link say which role was meant, as a scan would.
            list_roles(iam, &mut facts, account).await?;
        }
    }
    let missing: BTreeSet<String> = attached_policy_arns(&facts, wanted)
        .into_iter()
        .filter(|arn| !facts.managed_policies.contains_key(arn))
        .collect();
    fetch_policies(iam, &mut facts, missing).await?;
    Ok(facts)
}

/// The managed policies attached to (or bounding) the `wanted` roles that were collected.
fn attached_policy_arns(facts: &IamFacts, wanted: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for arn in wanted {
        let Ok(r) = RoleArn::parse(arn) else { continue };
        let Some(role) = facts.role_by_name(&r.account, &r.name) else {
            continue;
        };
        if let Some(list) = role.attached_policies.known() {
            out.extend(list.iter().map(|p| p.arn.clone()));
        }
        if let Some(Some(b)) = role.permissions_boundary.known() {
            out.insert(b.clone());
        }
    }
    out
}

/// GetPolicy + GetPolicyVersion for each policy, concurrently, once each.
async fn fetch_policies(
    iam: &aws_sdk_iam::Client,
    facts: &mut IamFacts,
    arns: BTreeSet<String>,
) -> Result<(), LiveError> {
    let policies: Vec<Result<Option<ManagedPolicy>, LiveError>> = stream::iter(arns)
        .map(|arn| async move { managed_policy(iam, &arn).await })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    for p in policies {
        if let Some(p) = p? {
            facts.managed_policies.insert(p.arn.clone(), p);
        }
    }
    Ok(())
}

/// GetAccountAuthorizationDetails; false when the caller may not call it.
async fn bulk(
    iam: &aws_sdk_iam::Client,
    facts: &mut IamFacts,
    account: Option<&str>,
) -> Result<bool, LiveError> {
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
                *facts = IamFacts::default();
                return Ok(false);
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
    if let Some(acct) = account {
        facts.complete_role_accounts.insert(acct.to_string());
    }
    Ok(true)
}

async fn per_role(
    iam: &aws_sdk_iam::Client,
    facts: &mut IamFacts,
    arns: &[String],
) -> Result<(), LiveError> {
    let fetched: Vec<Result<(String, RoleLookup), LiveError>> = stream::iter(arns.iter().cloned())
        .map(|arn| async move {
            let Ok(parsed) = RoleArn::parse(&arn) else {
                return Ok((arn, RoleLookup::Unknown));
            };
            one_role(iam, &parsed.name).await.map(|r| (arn, r))
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    for item in fetched {
        let (arn, role) = item?;
        match role {
            RoleLookup::Found(role) => {
                facts.roles.insert(role.arn.clone(), *role);
            }
            RoleLookup::Absent => {
                facts.absent_roles.insert(arn);
            }
            RoleLookup::Unknown => {}
        }
    }
    Ok(())
}

/// ListRoles: every role of the account with its trust policy (not its permissions, which
/// ListRoles does not return); roles already read with GetRole are kept as they are. On
/// success the account's role list is complete.
async fn list_roles(
    iam: &aws_sdk_iam::Client,
    facts: &mut IamFacts,
    account: Option<&str>,
) -> Result<(), LiveError> {
    let mut found = Vec::new();
    let mut pages = iam.list_roles().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => found.extend(p.roles().iter().cloned()),
            Err(e) => {
                // Not allowed to list: the missing role is still reported, without a guess.
                or_fatal(classify(&e))?;
                return Ok(());
            }
        }
    }
    for r in found {
        let name = r.role_name().to_string();
        facts
            .roles
            .entry(r.arn().to_string())
            .or_insert_with(|| IamRole {
                arn: r.arn().to_string(),
                name: name.clone(),
                path: r.path().to_string(),
                role_id: Some(r.role_id().to_string()),
                create_date: None,
                trust_policy: r
                    .assume_role_policy_document()
                    .map(|d| PolicyText(d.to_string())),
                inline_policies: Fact::not_collected(format!(
                    "aws iam list-role-policies --role-name {name}"
                )),
                attached_policies: Fact::not_collected(format!(
                    "aws iam list-attached-role-policies --role-name {name}"
                )),
                permissions_boundary: Fact::not_collected(format!(
                    "aws iam get-role --role-name {name}"
                )),
                tags: BTreeMap::new(),
            });
    }
    if let Some(acct) = account {
        facts.complete_role_accounts.insert(acct.to_string());
    }
    Ok(())
}

enum RoleLookup {
    Found(Box<IamRole>),
    Absent,
    Unknown,
}

/// GetRole + its inline and attached policies.
async fn one_role(iam: &aws_sdk_iam::Client, name: &str) -> Result<RoleLookup, LiveError> {
    let role = match iam.get_role().role_name(name).send().await {
        Ok(out) => match out.role() {
            Some(r) => r.clone(),
            None => return Ok(RoleLookup::Absent),
        },
        Err(e) => {
            return match or_fatal(classify(&e))? {
                AwsFailure::NotFound(_) => Ok(RoleLookup::Absent),
                // Not allowed to read it: left out, so the role link says what to grant.
                _ => Ok(RoleLookup::Unknown),
            };
        }
    };
    let (inline, attached) = tokio::join!(inline_policies(iam, name), attached_policies(iam, name));
    Ok(RoleLookup::Found(Box::new(IamRole {
        arn: role.arn().to_string(),
        name: role.role_name().to_string(),
        path: role.path().to_string(),
        role_id: Some(role.role_id().to_string()),
        create_date: None,
        trust_policy: role
            .assume_role_policy_document()
            .map(|d| PolicyText(d.to_string())),
        inline_policies: inline?,
        attached_policies: attached?,
        permissions_boundary: Fact::Known(
            role.permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(str::to_string),
        ),
        tags: tags(role.tags()),
    })))
}

async fn inline_policies(
    iam: &aws_sdk_iam::Client,
    role: &str,
) -> Result<Fact<Vec<InlinePolicy>>, LiveError> {
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
                return Ok(Fact::Missing(denied(
                    "iam:ListRolePolicies",
                    format!("{f:?}"),
                )));
            }
        }
    }
    let mut out = Vec::new();
    for name in names {
        match iam
            .get_role_policy()
            .role_name(role)
            .policy_name(&name)
            .send()
            .await
        {
            Ok(p) => out.push(InlinePolicy {
                name,
                document: PolicyText(p.policy_document().to_string()),
            }),
            Err(e) => {
                let f = or_fatal(classify(&e))?;
                return Ok(Fact::Missing(denied("iam:GetRolePolicy", format!("{f:?}"))));
            }
        }
    }
    Ok(Fact::Known(out))
}

async fn attached_policies(
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
                return Ok(Fact::Missing(denied(
                    "iam:ListAttachedRolePolicies",
                    format!("{f:?}"),
                )));
            }
        }
    }
    Ok(Fact::Known(out))
}

async fn managed_policy(
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

/// ListOpenIDConnectProviders, then GetOpenIDConnectProvider for the cluster's issuer only.
/// Only `oidc_providers` and `complete_provider_accounts` of the result are set.
async fn providers(
    iam: &aws_sdk_iam::Client,
    issuer: Option<&str>,
    account: Option<&str>,
) -> Result<IamFacts, LiveError> {
    let mut facts = IamFacts::default();
    let list = match iam.list_open_id_connect_providers().send().await {
        Ok(out) => out
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|p| p.arn().map(str::to_string))
            .collect::<Vec<_>>(),
        Err(e) => {
            or_fatal(classify(&e))?;
            return Ok(facts);
        }
    };
    if let Some(acct) = account {
        facts.complete_provider_accounts.insert(acct.to_string());
    }
    for arn in &list {
        if let Some(a) = Arn::parse(arn) {
            facts.complete_provider_accounts.insert(a.account);
        }
        let url = crate::model::arn::oidc_provider_url(arn)
            .unwrap_or_default()
            .to_string();
        facts.oidc_providers.insert(
            arn.clone(),
            OidcProvider {
                arn: arn.clone(),
                url,
                client_ids: None,
                thumbprints: Vec::new(),
            },
        );
    }
    let Some(issuer) = issuer else {
        return Ok(facts);
    };
    let host_path = crate::model::arn::issuer_host_path(issuer);
    for arn in list
        .iter()
        .filter(|a| crate::model::arn::oidc_provider_url(a) == Some(host_path))
    {
        match iam
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(arn)
            .send()
            .await
        {
            Ok(out) => {
                if let Some(p) = facts.oidc_providers.get_mut(arn) {
                    p.client_ids = Some(out.client_id_list().to_vec());
                    p.thumbprints = out.thumbprint_list().to_vec();
                }
            }
            Err(e) => {
                or_fatal(classify(&e))?;
            }
        }
    }
    Ok(facts)
}
