//! The setup planner (issue 12, `kubectl irsa setup` and the wizard): what the user chose (a
//! service account, optionally a workload, a mechanism, a role, permissions) becomes the
//! changes that make it so, seeded into the fix planner ([`super::fix::plan_seeded`]), which
//! adds whatever the chain still needs (the cluster's OIDC provider, a trust statement for an
//! existing role, the agent add-on) and proves the whole plan in memory: the chain green and
//! every permission chosen allowed. Only what differs from the cluster and account is seeded,
//! so running the same setup after it succeeded plans nothing.
//!
//! A namespace with `*` or `?` (Flyte's project namespaces) is an IRSA trust subject matched
//! with `StringLike` (field guide D: wildcards exist only in IRSA); the service accounts of
//! that name in the matching namespaces that exist are annotated.
//!
//! To add a choice: a field of [`SetupRequest`], its validation in [`SetupError`], its seed in
//! [`plan_setup`].

use serde_json::{Value, json};

use super::fix::{FixOutcome, PlanError, plan_seeded};
use super::setup_policy::{self, Parameters, Place, Template, TemplateError};
use crate::diagnose::{Selection, Target};
use crate::model::Snapshot;
use crate::model::arn::Arn;
use crate::model::report::RequestedAction;
use crate::model::workload::WorkloadKind;

pub const ROLE_ARN_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
const AUDIENCE: &str = "sts.amazonaws.com";
/// What `--region-env` sets: AWS_REGION for most SDKs, AWS_DEFAULT_REGION for boto3 and the
/// AWS CLI (the seed guides set one or the other).
pub const REGION_VARIABLES: &[&str] = &["AWS_REGION", "AWS_DEFAULT_REGION"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Irsa,
    PodIdentity,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleChoice {
    /// `--role NAME|ARN`: a role that exists.
    Existing(String),
    /// `--create-role NAME`: created unless it exists (then used as it is).
    Create(String),
    /// Neither: the role the service account already has, else a new one with a proposed name.
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupRequest {
    pub namespace: String,
    pub service_account: String,
    /// `KIND/NAME` of the workload to switch to the service account.
    pub workload: Option<(WorkloadKind, String)>,
    pub mechanism: Mechanism,
    pub role: RoleChoice,
    pub templates: Vec<Template>,
    pub parameters: Parameters,
    pub policy_arns: Vec<String>,
    pub region_env: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("{0}")]
    Invalid(String),
    /// What the plan needs was not read (the cluster, the roles).
    #[error("{0}")]
    NotRead(String),
}

impl SetupRequest {
    pub fn wildcard(&self) -> bool {
        self.namespace.contains(['*', '?'])
    }
}

/// Kubernetes object names (RFC 1123 labels for namespaces, subdomains for the rest).
pub fn valid_k8s_name(name: &str, label: bool) -> bool {
    let max = if label { 63 } else { 253 };
    !name.is_empty()
        && name.len() <= max
        && name.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (!label && c == '.')
        })
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// IAM role names: 1-64 of letters, digits and `+=,.@_-` (IAM API reference, CreateRole).
pub fn valid_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// The role name the wizard proposes: `CLUSTER-NAMESPACE-SA`, cut to IAM's 64 characters.
pub fn proposed_role_name(cluster: &str, namespace: &str, sa: &str) -> String {
    let raw = format!("{cluster}-{namespace}-{sa}");
    let clean: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    clean.chars().take(64).collect()
}

/// Checks what does not depend on the cluster.
pub fn validate(req: &SetupRequest) -> Result<(), SetupError> {
    let bad = |m: String| Err(SetupError::Invalid(m));
    let ns_glob_ok = req
        .namespace
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-*?".contains(c))
        && !req.namespace.is_empty()
        && req.namespace.len() <= 63;
    if !(valid_k8s_name(&req.namespace, true) || (req.wildcard() && ns_glob_ok)) {
        return bad(format!(
            "namespace {:?} is not a valid namespace name (lower-case letters, digits and '-')",
            req.namespace
        ));
    }
    if !valid_k8s_name(&req.service_account, false) {
        return bad(format!(
            "service account {:?} is not a valid name (lower-case letters, digits, '-' and '.')",
            req.service_account
        ));
    }
    if req.wildcard() {
        if req.mechanism == Mechanism::PodIdentity {
            return bad("a namespace wildcard exists only in IRSA trust policies: a Pod Identity association names one namespace and one service account".into());
        }
        if req.workload.is_some() {
            return bad(
                "--workload needs one namespace, not a wildcard: set the workloads up per namespace"
                    .into(),
            );
        }
    }
    if let Some((_, name)) = &req.workload
        && !valid_k8s_name(name, false)
    {
        return bad(format!("workload name {name:?} is not a valid name"));
    }
    match &req.role {
        RoleChoice::Create(n) if !valid_role_name(n) => {
            return bad(format!(
                "role name {n:?} is not valid: 1-64 letters, digits and +=,.@_-"
            ));
        }
        RoleChoice::Existing(r) if r.starts_with("arn:") && role_name_of(r).is_none() => {
            return bad(format!(
                "{r:?} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
            ));
        }
        RoleChoice::Existing(r) if !r.starts_with("arn:") && !valid_role_name(r) => {
            return bad(format!("role name {r:?} is not valid"));
        }
        _ => {}
    }
    for arn in &req.policy_arns {
        let ok = Arn::parse(arn)
            .is_some_and(|a| a.service == "iam" && a.resource.starts_with("policy/"));
        if !ok {
            return bad(format!(
                "{arn:?} is not a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)"
            ));
        }
    }
    Ok(())
}

fn role_name_of(arn: &str) -> Option<String> {
    let a = Arn::parse(arn).filter(|a| a.service == "iam")?;
    let path = a.resource.strip_prefix("role/")?;
    path.rsplit('/')
        .next()
        .filter(|n| valid_role_name(n))
        .map(str::to_string)
}

/// What the plan needs of the cluster.
struct ClusterFacts {
    name: String,
    arn: String,
    place: Place,
    issuer: Option<String>,
}

fn cluster(snap: &Snapshot) -> Result<ClusterFacts, SetupError> {
    let c = snap.aws.cluster.known().ok_or_else(|| {
        SetupError::NotRead("the EKS cluster was not read (`aws eks describe-cluster`): setup needs its account, region and OIDC issuer".into())
    })?;
    let arn = Arn::parse(&c.arn).ok_or_else(|| {
        SetupError::NotRead(format!("the cluster ARN {:?} does not parse", c.arn))
    })?;
    Ok(ClusterFacts {
        name: c.name.clone(),
        arn: c.arn.clone(),
        place: Place {
            partition: arn.partition,
            region: arn.region,
            account: arn.account,
        },
        issuer: c
            .oidc_issuer
            .as_deref()
            .map(|i| crate::model::arn::issuer_host_path(i).to_string()),
    })
}

/// The trust policy of a role setup creates.
fn new_trust(req: &SetupRequest, c: &ClusterFacts) -> Result<String, SetupError> {
    let statement = match req.mechanism {
        Mechanism::Irsa => {
            let issuer = c.issuer.as_deref().ok_or_else(|| {
                SetupError::NotRead(format!(
                    "cluster {} has no OIDC issuer: IRSA needs one (or choose --mechanism pod-identity)",
                    c.name
                ))
            })?;
            irsa_statement(req, c, issuer)
        }
        Mechanism::PodIdentity => crate::diagnose::links::trust_render::pod_identity_statement_for(
            &c.place.account,
            &c.arn,
            &req.namespace,
            &req.service_account,
        ),
    };
    Ok(json!({"Version": "2012-10-17", "Statement": [statement]}).to_string())
}

fn irsa_statement(req: &SetupRequest, c: &ClusterFacts, issuer: &str) -> Value {
    let provider =
        crate::model::arn::oidc_provider_arn(&c.place.partition, &c.place.account, issuer);
    let subject = format!(
        "system:serviceaccount:{}:{}",
        req.namespace, req.service_account
    );
    if !req.wildcard() {
        return crate::diagnose::links::trust_render::irsa_statement(
            &provider, issuer, &subject, AUDIENCE,
        );
    }
    // IAM matches `*` and `?` only under StringLike; the audience stays exact.
    let mut like = serde_json::Map::new();
    like.insert(format!("{issuer}:sub"), subject.into());
    let mut equals = serde_json::Map::new();
    equals.insert(format!("{issuer}:aud"), AUDIENCE.into());
    json!({
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": equals, "StringLike": like},
    })
}

/// The warning a wildcard subject carries (shown by the CLI and the wizard).
pub fn wildcard_warning(req: &SetupRequest) -> String {
    format!(
        "the trust subject system:serviceaccount:{}:{} (StringLike) lets every service account named {} in every namespace matching {:?} assume the role, including namespaces created later",
        req.namespace, req.service_account, req.service_account, req.namespace
    )
}

/// The role the plan uses: its name and ARN, and whether the plan creates it.
struct RoleUse {
    name: String,
    arn: String,
    create: bool,
}

fn existing_annotation(snap: &Snapshot, ns: &str, sa: &str) -> Option<String> {
    sa_of(snap, ns, sa)?
        .metadata
        .annotations
        .as_ref()?
        .get(ROLE_ARN_ANNOTATION)
        .cloned()
}

fn sa_of<'s>(
    snap: &'s Snapshot,
    ns: &str,
    name: &str,
) -> Option<&'s k8s_openapi::api::core::v1::ServiceAccount> {
    snap.kube.service_accounts.known()?.items.iter().find(|s| {
        s.metadata.namespace.as_deref() == Some(ns) && s.metadata.name.as_deref() == Some(name)
    })
}

fn association_role(snap: &Snapshot, ns: &str, sa: &str) -> Option<Option<String>> {
    snap.aws
        .associations
        .known()?
        .iter()
        .find(|a| a.namespace == ns && a.service_account == sa)
        .map(|a| a.role_arn.clone())
}

fn resolve_role(
    snap: &Snapshot,
    req: &SetupRequest,
    c: &ClusterFacts,
) -> Result<RoleUse, SetupError> {
    let by_name = |name: &str| snap.aws.iam.roles.values().find(|r| r.name == name);
    let wanted = match &req.role {
        RoleChoice::Existing(r) => {
            // Setup reads and writes the cluster's account: a role of another account is not
            // one it can see or give a trust statement (Pod Identity needs the cluster's
            // account; cross-account IRSA needs that account's own OIDC provider).
            if let Some(other) = Arn::parse(r).filter(|a| a.account != c.place.account) {
                return Err(SetupError::Invalid(format!(
                    "role {r} is in account {}, not the cluster's account {}: setup uses roles of the cluster's account",
                    other.account, c.place.account
                )));
            }
            let name = if r.starts_with("arn:") {
                role_name_of(r).unwrap_or_default()
            } else {
                r.clone()
            };
            return match by_name(&name) {
                Some(role) => Ok(RoleUse {
                    name,
                    arn: role.arn.clone(),
                    create: false,
                }),
                None => Err(SetupError::Invalid(format!(
                    "role {r} was not found in the account's roles: create it with --create-role {name}"
                ))),
            };
        }
        RoleChoice::Create(n) => n.clone(),
        RoleChoice::Default => {
            let current = match req.mechanism {
                Mechanism::Irsa => existing_annotation(snap, &req.namespace, &req.service_account),
                Mechanism::PodIdentity => {
                    association_role(snap, &req.namespace, &req.service_account).flatten()
                }
            };
            match current.as_deref().and_then(role_name_of) {
                Some(n) if by_name(&n).is_some() => n,
                _ => proposed_role_name(
                    &c.name,
                    &req.namespace.replace(['*', '?'], "all"),
                    &req.service_account,
                ),
            }
        }
    };
    if let Some(role) = by_name(&wanted) {
        return Ok(RoleUse {
            name: wanted,
            arn: role.arn.clone(),
            create: false,
        });
    }
    let complete = snap
        .aws
        .iam
        .complete_role_accounts
        .contains(&c.place.account);
    let absent = snap
        .aws
        .iam
        .absent_roles
        .iter()
        .any(|a| role_name_of(a).as_deref() == Some(wanted.as_str()));
    if !complete && !absent {
        return Err(SetupError::NotRead(format!(
            "the account's roles were not all read, so whether role {wanted} exists is unknown"
        )));
    }
    Ok(RoleUse {
        arn: format!(
            "arn:{}:iam::{}:role/{wanted}",
            c.place.partition, c.place.account
        ),
        name: wanted,
        create: true,
    })
}

/// The selection the plan is proven on, with the requests the permissions must allow.
fn selections(snap: &Snapshot, req: &SetupRequest, checks: &[RequestedAction]) -> Vec<Selection> {
    let one = |ns: &str, target: Target| Selection {
        namespace: Some(ns.to_string()),
        target: Some(target),
        selector: None,
        actions: checks.to_vec(),
    };
    if req.wildcard() {
        return matching_namespaces(snap, req)
            .into_iter()
            .map(|ns| one(&ns, Target::ServiceAccount(req.service_account.clone())))
            .collect();
    }
    vec![one(
        &req.namespace,
        match &req.workload {
            Some((kind, name)) => Target::Workload(*kind, name.clone()),
            None => Target::ServiceAccount(req.service_account.clone()),
        },
    )]
}

/// The namespaces a wildcard matches that have the service account.
fn matching_namespaces(snap: &Snapshot, req: &SetupRequest) -> Vec<String> {
    let mut out: Vec<String> = snap
        .kube
        .service_accounts
        .known()
        .map(|l| {
            l.items
                .iter()
                .filter(|s| s.metadata.name.as_deref() == Some(req.service_account.as_str()))
                .filter_map(|s| s.metadata.namespace.clone())
                .filter(|ns| crate::policy::glob_match(&req.namespace, ns, false))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

#[path = "setup_seed.rs"]
mod seed;

/// What [`plan_setup`] planned, and the selections it was proven on (what to diagnose again
/// after applying it).
#[derive(Debug)]
pub struct Planned {
    pub outcome: FixOutcome,
    pub selections: Vec<Selection>,
}

/// Plans `req` on `snap`; `id` and `target` label the plan, `now` is when it would start.
pub fn plan_setup(
    snap: &Snapshot,
    req: &SetupRequest,
    id: &str,
    target: &str,
    now: jiff::Timestamp,
) -> Result<Planned, SetupError> {
    validate(req)?;
    let c = cluster(snap)?;
    let filled: Vec<setup_policy::Filled> = req
        .templates
        .iter()
        .map(|t| setup_policy::policy(*t, &req.parameters, &c.place))
        .collect::<Result<_, _>>()?;
    let role = resolve_role(snap, req, &c)?;
    let trust = if role.create {
        Some(new_trust(req, &c)?)
    } else {
        None
    };
    let seeds = seed::changes(snap, req, &c, &role, trust, &filled)?;
    let checks: Vec<RequestedAction> = filled.iter().flat_map(|f| f.checks.clone()).collect();
    let sels = selections(snap, req, &checks);
    let outcome = plan_seeded(snap, &sels, seeds, id, target, now, None).map_err(|e| match e {
        PlanError::Diagnose(d) => SetupError::Invalid(d.to_string()),
        PlanError::Simulate(s) => SetupError::NotRead(s.to_string()),
    })?;
    Ok(Planned {
        outcome,
        selections: sels,
    })
}

#[cfg(test)]
#[path = "setup_tests.rs"]
mod tests;
