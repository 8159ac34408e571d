//! The IAM side of a live Snapshot. Each distinct role, managed policy and OIDC provider is
//! fetched once per run, concurrently with a bounded number in flight; the SDK's standard retry
//! with back-off absorbs IAM throttling. For many roles (or `-A`, where the reverse index needs
//! every trust policy) GetAccountAuthorizationDetails returns every role and customer managed
//! policy in a few pages; without `iam:GetAccountAuthorizationDetails` it falls back to per-role
//! calls. AWS managed policies are not asked of it (it would return every version of each, and
//! an emulator every AWS managed policy there is): those attached to the roles the diagnosis
//! needs are fetched one by one, once each.
//!
//! Nothing waits longer than its inputs: ListOpenIDConnectProviders (and, with `-A`, the
//! account scan) go out at once; GetOpenIDConnectProvider when DescribeCluster names the
//! issuer; a role's GetRole, ListRolePolicies and ListAttachedRolePolicies together as soon as
//! an annotation (or, a round trip later, an association) names it; its GetRolePolicy and
//! GetPolicy calls next; GetPolicyVersion last. One IRSA workload's role is read in three
//! round trips after the Kubernetes lists.
//!
//! With a target, the roles of other service accounts are read with GetRole alone, for their
//! trust ([`super::iam_wanted`]).
//!
//! GetRole only reads the caller's own account: a role ARN of another account is left
//! uncollected (the role link says what to run there), never looked up by name here.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::{BoxFuture, FutureExt, Shared};
use futures::stream::{self, StreamExt};

use super::LiveError;
use super::aws_error::{AwsFailure, classify};
use super::eks_gather::{IN_FLIGHT, fatal};
use super::iam_policy_reads::{
    attached_policies, inline_documents, inline_policy_names, managed_policy,
};
use super::iam_wanted::{self, Wanted};
use crate::model::arn::{Arn, RoleArn};
use crate::model::aws::{IamFacts, IamRole, ManagedPolicy, OidcProvider, PolicyText};
use crate::model::{Fact, Missing};

/// Above this many roles one GetAccountAuthorizationDetails scan is cheaper than per-role calls.
pub const BULK_THRESHOLD: usize = 20;

fn denied(permission: &str, message: String) -> Missing {
    Missing::Denied {
        permission: permission.to_string(),
        message,
    }
}

/// A read that failed without ending the run: refused (the permission to grant), or another
/// answer, in IAM's words (never the failure's Debug form).
pub(super) fn missing(permission: &str, failure: AwsFailure) -> Missing {
    match failure {
        AwsFailure::Denied(message) => denied(permission, message),
        other => Missing::Unreachable {
            message: other.message().to_string(),
        },
    }
}

pub(super) fn or_fatal(f: AwsFailure) -> Result<AwsFailure, LiveError> {
    match fatal(&f) {
        Some(e) => Err(e),
        None => Ok(f),
    }
}

pub(super) fn tags(list: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    list.iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// What the IAM side waits for: each input is a future, so every request goes out as soon as
/// what it needs is known.
pub struct Inputs<Annotated, Associated, Account, Issuer> {
    /// Read every role of the account (GetAccountAuthorizationDetails) from the start (`-A`).
    pub scan_all: bool,
    /// Role ARNs the service accounts' annotations name (the Kubernetes lists), split into
    /// those read whole and those read for their trust alone ([`Wanted`]).
    pub annotated: Annotated,
    /// Role ARNs the pod identity associations name (EKS, a round trip later).
    pub associated: Associated,
    /// The caller's account (STS, or the cluster's ARN).
    pub account: Account,
    /// The cluster's OIDC issuer (DescribeCluster).
    pub issuer: Issuer,
}

/// Everything about the roles named by `inputs` and, with `scan_all`, every role of the account.
/// ListOpenIDConnectProviders (and the account scan) go out at once; each batch of roles as soon
/// as it is known.
pub async fn gather<Annotated, Associated, Account, Issuer>(
    iam: &aws_sdk_iam::Client,
    inputs: Inputs<Annotated, Associated, Account, Issuer>,
) -> Result<IamFacts, LiveError>
where
    Annotated: Future<Output = Wanted>,
    Associated: Future<Output = Wanted>,
    Account: Future<Output = Option<String>> + Clone,
    Issuer: Future<Output = Option<String>>,
{
    let run = Run::new(iam, inputs.scan_all);
    let account = inputs.account;
    let (providers, annotated, associated, scan) = tokio::join!(
        providers(iam, inputs.issuer, account.clone()),
        async {
            let roles = inputs.annotated.await;
            run.roles(roles, account.clone().await).await
        },
        async {
            let roles = inputs.associated.await;
            run.roles(roles, account.clone().await).await
        },
        async {
            if inputs.scan_all {
                run.scan.clone().await.map(|_| ())
            } else {
                Ok(())
            }
        },
    );
    let account = account.await;
    let mut facts = IamFacts::default();
    if let Some(Ok(Some(all))) = run.scan.peek() {
        facts = IamFacts::clone(all);
        facts.complete_role_accounts.extend(account.clone());
    }
    for (batch, trust_only) in [annotated?, associated?] {
        iam_wanted::merge(&mut facts.roles, batch.roles, &trust_only);
        facts.absent_roles.extend(batch.absent_roles);
        facts.managed_policies.extend(batch.managed_policies);
    }
    if let Some(Ok(Some(listed))) = run.listed.peek() {
        // GetRole's answers stay; ListRoles adds the account's other roles (trust only).
        for role in listed.iter() {
            facts
                .roles
                .entry(role.arn.clone())
                .or_insert_with(|| role.clone());
        }
        facts.complete_role_accounts.extend(account);
    }
    scan?;
    let providers = providers?;
    facts.oidc_providers = providers.oidc_providers;
    facts.complete_provider_accounts = providers.complete_provider_accounts;
    Ok(facts)
}

type Once<'a, T> = Shared<BoxFuture<'a, Result<Option<Arc<T>>, LiveError>>>;

/// One run's IAM reads: what was already asked for, and the account-wide reads started at most
/// once (on first need).
struct Run<'a> {
    iam: &'a aws_sdk_iam::Client,
    /// Whether the account scan was asked for: later batches use it too.
    scanning: AtomicBool,
    claimed_roles: Mutex<BTreeSet<String>>,
    /// Roles read for their trust alone ([`Wanted::trust_only`]).
    claimed_trust: Mutex<BTreeSet<String>>,
    claimed_policies: Mutex<BTreeSet<String>>,
    /// GetAccountAuthorizationDetails; `None` when the caller may not call it.
    scan: Once<'a, IamFacts>,
    /// ListRoles (trust policies of every role); `None` when the caller may not call it.
    listed: Once<'a, Vec<IamRole>>,
}

/// Takes the items of `wanted` nobody took yet.
fn claim(
    claimed: &Mutex<BTreeSet<String>>,
    wanted: impl IntoIterator<Item = String>,
) -> Vec<String> {
    let mut claimed = claimed.lock().unwrap_or_else(PoisonError::into_inner);
    wanted
        .into_iter()
        .filter(|w| claimed.insert(w.clone()))
        .collect()
}

impl<'a> Run<'a> {
    fn new(iam: &'a aws_sdk_iam::Client, scan_all: bool) -> Self {
        Run {
            iam,
            scanning: AtomicBool::new(scan_all),
            claimed_roles: Mutex::default(),
            claimed_trust: Mutex::default(),
            claimed_policies: Mutex::default(),
            scan: async move { super::iam_account::bulk(iam).await.map(|f| f.map(Arc::new)) }
                .boxed()
                .shared(),
            listed: async move {
                super::iam_account::list_roles(iam)
                    .await
                    .map(|r| r.map(Arc::new))
            }
            .boxed()
            .shared(),
        }
    }

    /// The roles `wanted` (ARNs) and the managed policies attached to those read whole: from
    /// the account scan when it runs (or when they are many), else one by one, each role and
    /// policy once. Also returns the ARNs read for their trust alone (for [`iam_wanted::merge`]).
    async fn roles(
        &self,
        wanted: Wanted,
        account: Option<String>,
    ) -> Result<(IamFacts, BTreeSet<String>), LiveError> {
        let mut facts = IamFacts::default();
        if wanted.is_empty() {
            return Ok((facts, BTreeSet::new()));
        }
        if wanted.len() > BULK_THRESHOLD {
            self.scanning.store(true, Ordering::Relaxed);
        }
        if self.scanning.load(Ordering::Relaxed)
            && let Some(all) = self.scan.clone().await?
        {
            let missing: BTreeSet<String> = attached_policy_arns(&all, &wanted.full)
                .into_iter()
                .filter(|arn| !all.managed_policies.contains_key(arn))
                .collect();
            facts.managed_policies = self.policies(missing).await?;
            return Ok((facts, BTreeSet::new()));
        }
        // Only the caller's account can be read by role name (unknown account: try them all).
        let mine = |arn: &String| {
            account
                .as_deref()
                .is_none_or(|acct| RoleArn::parse(arn).is_ok_and(|r| r.account == acct))
        };
        let whole = claim(
            &self.claimed_roles,
            wanted.full.iter().filter(|a| mine(a)).cloned(),
        );
        // A role read whole (by this batch or another) is not read again for its trust.
        let trust_only = {
            let whole_claimed = self
                .claimed_roles
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            claim(
                &self.claimed_trust,
                wanted
                    .trust_only
                    .iter()
                    .filter(|a| mine(a) && !whole_claimed.contains(*a))
                    .cloned(),
            )
        };
        let trust_set: BTreeSet<String> = trust_only.iter().cloned().collect();
        let jobs = whole
            .into_iter()
            .map(|a| (a, true))
            .chain(trust_only.into_iter().map(|a| (a, false)));
        let fetched: Vec<Result<(String, RoleLookup), LiveError>> = stream::iter(jobs)
            .map(|(arn, read_whole)| async move {
                let Ok(parsed) = RoleArn::parse(&arn) else {
                    return Ok((arn, RoleLookup::Unknown));
                };
                let lookup = if read_whole {
                    self.one_role(&parsed.name).await
                } else {
                    self.role_trust(&parsed.name).await
                };
                lookup.map(|r| (arn, r))
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        for item in fetched {
            match item? {
                (_, RoleLookup::Found(role, policies)) => {
                    facts.managed_policies.extend(policies);
                    facts.roles.insert(role.arn.clone(), *role);
                }
                (arn, RoleLookup::Absent) => {
                    facts.absent_roles.insert(arn);
                }
                (_, RoleLookup::Unknown) => {}
            }
        }
        if !facts.absent_roles.is_empty() {
            // A role that does not exist is often a typo: the account's role names (and trust
            // policies) let the role link say which role was meant, as a scan would.
            self.listed.clone().await?;
        }
        Ok((facts, trust_set))
    }

    /// GetRole alone: the role's trust, boundary and tags, its permissions left unread.
    async fn role_trust(&self, name: &str) -> Result<RoleLookup, LiveError> {
        match self.iam.get_role().role_name(name).send().await {
            Ok(out) => Ok(match out.role() {
                Some(r) => {
                    let boundary = r
                        .permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())
                        .map(str::to_string);
                    RoleLookup::Found(
                        Box::new(iam_wanted::trust_only(r, Fact::Known(boundary))),
                        BTreeMap::new(),
                    )
                }
                None => RoleLookup::Absent,
            }),
            Err(e) => match or_fatal(classify(&e))? {
                AwsFailure::NotFound(_) => Ok(RoleLookup::Absent),
                _ => Ok(RoleLookup::Unknown),
            },
        }
    }

    /// GetRole, ListRolePolicies and ListAttachedRolePolicies together; then GetRolePolicy for
    /// each inline policy and GetPolicy for each managed policy nobody fetched yet; then
    /// GetPolicyVersion: three round trips.
    async fn one_role(&self, name: &str) -> Result<RoleLookup, LiveError> {
        let iam = self.iam;
        let (role, inline, attached) = tokio::join!(
            iam.get_role().role_name(name).send(),
            inline_policy_names(iam, name),
            attached_policies(iam, name),
        );
        let role = match role {
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
        let (inline, attached) = (inline?, attached?);
        let boundary = role
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_string);
        let managed = attached
            .known()
            .into_iter()
            .flatten()
            .map(|p| p.arn.clone())
            .chain(boundary.clone());
        let (inline, policies) = tokio::join!(
            inline_documents(iam, name, inline),
            self.policies(managed.collect())
        );
        Ok(RoleLookup::Found(
            Box::new(IamRole {
                arn: role.arn().to_string(),
                name: role.role_name().to_string(),
                path: role.path().to_string(),
                role_id: Some(role.role_id().to_string()),
                create_date: None,
                trust_policy: role
                    .assume_role_policy_document()
                    .map(|d| PolicyText(d.to_string())),
                inline_policies: inline?,
                attached_policies: attached,
                permissions_boundary: Fact::Known(boundary),
                tags: tags(role.tags()),
            }),
            policies?,
        ))
    }

    /// GetPolicy + GetPolicyVersion for each policy nobody fetched yet, concurrently.
    async fn policies(
        &self,
        arns: BTreeSet<String>,
    ) -> Result<BTreeMap<String, ManagedPolicy>, LiveError> {
        let iam = self.iam;
        let fetched: Vec<Result<Option<ManagedPolicy>, LiveError>> =
            stream::iter(claim(&self.claimed_policies, arns))
                .map(|arn| async move { managed_policy(iam, &arn).await })
                .buffer_unordered(IN_FLIGHT)
                .collect()
                .await;
        let mut out = BTreeMap::new();
        for p in fetched {
            if let Some(p) = p? {
                out.insert(p.arn.clone(), p);
            }
        }
        Ok(out)
    }
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

enum RoleLookup {
    /// The role, and the managed policies this lookup fetched for it (others fetched them
    /// first otherwise).
    Found(Box<IamRole>, BTreeMap<String, ManagedPolicy>),
    Absent,
    Unknown,
}

/// ListOpenIDConnectProviders at once, then GetOpenIDConnectProvider for the cluster's issuer
/// only, as soon as DescribeCluster names it. Only `oidc_providers` and
/// `complete_provider_accounts` of the result are set.
async fn providers(
    iam: &aws_sdk_iam::Client,
    issuer: impl Future<Output = Option<String>>,
    account: impl Future<Output = Option<String>>,
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
    if let Some(issuer) = issuer.await {
        let host_path = crate::model::arn::issuer_host_path(&issuer);
        let matching: Vec<String> = list
            .iter()
            .filter(|a| crate::model::arn::oidc_provider_url(a) == Some(host_path))
            .cloned()
            .collect();
        let details: Vec<_> = stream::iter(matching)
            .map(|arn| async move {
                let out = iam
                    .get_open_id_connect_provider()
                    .open_id_connect_provider_arn(&arn)
                    .send()
                    .await;
                (arn, out)
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        for (arn, out) in details {
            match out {
                Ok(out) => {
                    if let Some(p) = facts.oidc_providers.get_mut(&arn) {
                        p.client_ids = Some(out.client_id_list().to_vec());
                        p.thumbprints = out.thumbprint_list().to_vec();
                    }
                }
                Err(e) => {
                    or_fatal(classify(&e))?;
                }
            }
        }
    }
    if let Some(acct) = account.await {
        facts.complete_provider_accounts.insert(acct);
    }
    Ok(facts)
}
