//! The changes a setup asks for, given what exists: a role created with its trust (or a
//! wildcard statement added to an existing one), the templates' inline policies and the managed
//! policies attached, the service account created or annotated, the association, and the
//! workload switched, given its region and restarted. Only what differs is seeded; the fix
//! planner adds the rest the chain needs.

use super::{
    ClusterFacts, Mechanism, REGION_VARIABLES, ROLE_ARN_ANNOTATION, RoleUse, SetupError,
    SetupRequest,
};
use crate::model::plan::{Change, WorkloadTarget};
use crate::model::workload::WorkloadKind;
use crate::model::{Fact, Snapshot};
use crate::plan::setup_policy::Filled;

fn same_json(a: &str, b: &str) -> bool {
    let decoded = |t: &str| {
        crate::policy::decode_document(t)
            .ok()
            .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
    };
    match (decoded(a), decoded(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// The wildcard subject's statement added to an existing role's trust, unless a statement
/// already holds that very subject under StringLike.
fn wildcard_trust(
    snap: &Snapshot,
    req: &SetupRequest,
    c: &ClusterFacts,
    role: &RoleUse,
) -> Result<Option<Change>, SetupError> {
    let Some(issuer) = c.issuer.as_deref() else {
        return Err(SetupError::NotRead(format!(
            "cluster {} has no OIDC issuer: IRSA needs one",
            c.name
        )));
    };
    let Some(text) = snap
        .aws
        .iam
        .roles
        .get(&role.arn)
        .and_then(|r| r.trust_policy.as_ref())
        .and_then(|t| {
            crate::policy::decode_document(&t.0)
                .ok()
                .map(|d| d.into_owned())
        })
    else {
        return Err(SetupError::NotRead(format!(
            "the trust policy of role {} was not read",
            role.name
        )));
    };
    let subject = format!(
        "system:serviceaccount:{}:{}",
        req.namespace, req.service_account
    );
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        SetupError::Invalid(format!(
            "the trust policy of role {} is not JSON: {e}",
            role.name
        ))
    })?;
    let statements = match &doc["Statement"] {
        serde_json::Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let key = format!("{issuer}:sub");
    let present = statements.iter().any(|st| {
        let v = &st["Condition"]["StringLike"][key.as_str()];
        v.as_str() == Some(subject.as_str())
            || v.as_array()
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(subject.as_str())))
    });
    if present {
        return Ok(None);
    }
    let statement = super::irsa_statement(req, c, issuer);
    let document = crate::diagnose::links::fix_document::edited(
        &text,
        &[crate::diagnose::links::fix_document::Edit::AddStatement(
            statement,
        )],
    )
    .ok_or_else(|| {
        SetupError::Invalid(format!(
            "the trust policy of role {} has no Statement to add to",
            role.name
        ))
    })?;
    Ok(Some(Change::PutTrustPolicy {
        role_name: role.name.clone(),
        document,
    }))
}

fn permissions(
    snap: &Snapshot,
    req: &SetupRequest,
    role: &RoleUse,
    filled: &[Filled],
) -> Vec<Change> {
    let existing = snap.aws.iam.roles.get(&role.arn);
    let mut out = Vec::new();
    for f in filled {
        let name = f.template.policy_name();
        let document = f.document.to_string();
        let same = existing
            .and_then(|r| r.inline_policies.known())
            .and_then(|l| l.iter().find(|p| p.name == name))
            .is_some_and(|p| same_json(&p.document.0, &document));
        if role.create || !same {
            out.push(Change::PutRolePolicy {
                role_name: role.name.clone(),
                policy_name: name,
                document,
            });
        }
    }
    for arn in &req.policy_arns {
        let attached = existing
            .and_then(|r| r.attached_policies.known())
            .is_some_and(|l| l.iter().any(|p| &p.arn == arn));
        if role.create || !attached {
            out.push(Change::AttachRolePolicy {
                role_name: role.name.clone(),
                policy_arn: arn.clone(),
            });
        }
    }
    out
}

fn service_accounts(snap: &Snapshot, req: &SetupRequest, role: &RoleUse) -> Vec<Change> {
    let namespaces = if req.wildcard() {
        super::matching_namespaces(snap, req)
    } else {
        vec![req.namespace.clone()]
    };
    let mut out = Vec::new();
    for ns in namespaces {
        match super::sa_of(snap, &ns, &req.service_account) {
            None => out.push(Change::CreateServiceAccount {
                namespace: ns,
                name: req.service_account.clone(),
                annotations: match req.mechanism {
                    Mechanism::Irsa => vec![(ROLE_ARN_ANNOTATION.to_string(), role.arn.clone())],
                    Mechanism::PodIdentity => Vec::new(),
                },
            }),
            Some(_)
                if req.mechanism == Mechanism::Irsa
                    && super::existing_annotation(snap, &ns, &req.service_account).as_deref()
                        != Some(role.arn.as_str()) =>
            {
                out.push(Change::AnnotateServiceAccount {
                    namespace: ns,
                    name: req.service_account.clone(),
                    key: ROLE_ARN_ANNOTATION.into(),
                    value: Some(role.arn.clone()),
                })
            }
            Some(_) => {}
        }
    }
    out
}

fn association(
    snap: &Snapshot,
    req: &SetupRequest,
    c: &ClusterFacts,
    role: &RoleUse,
) -> Result<Option<Change>, SetupError> {
    if req.mechanism != Mechanism::PodIdentity {
        return Ok(None);
    }
    let existing = snap.aws.associations.known().and_then(|l| {
        l.iter()
            .find(|a| a.namespace == req.namespace && a.service_account == req.service_account)
    });
    match existing {
        Some(a) if a.role_arn.as_deref() == Some(role.arn.as_str()) => Ok(None),
        // An add-on's association changes only through the add-on (field guide F44).
        Some(a) if a.owner_arn.is_some() => Err(SetupError::Invalid(format!(
            "{}/{} has a pod identity association owned by {} (role {}): change it through that add-on",
            req.namespace,
            req.service_account,
            a.owner_arn.as_deref().unwrap_or("-"),
            a.role_arn.as_deref().unwrap_or("-")
        ))),
        // A service account has one association per cluster: the one there is re-pointed.
        Some(_) => Ok(Some(Change::UpdatePodIdentityAssociation {
            cluster: c.name.clone(),
            namespace: req.namespace.clone(),
            service_account: req.service_account.clone(),
            role_arn: role.arn.clone(),
        })),
        None => Ok(Some(Change::CreatePodIdentityAssociation {
            cluster: c.name.clone(),
            namespace: req.namespace.clone(),
            service_account: req.service_account.clone(),
            role_arn: role.arn.clone(),
        })),
    }
}

/// The workload's changes: its service account, its region variables, and a restart when
/// anything its new pods get changes.
fn workload(
    snap: &Snapshot,
    req: &SetupRequest,
    c: &ClusterFacts,
    identity_changed: bool,
) -> Result<Vec<Change>, SetupError> {
    let Some((kind, name)) = &req.workload else {
        if req.region_env {
            return Err(SetupError::Invalid(
                "--region-env sets the region in a workload's containers: name it with --workload KIND/NAME".into(),
            ));
        }
        return Ok(Vec::new());
    };
    if !matches!(
        kind,
        WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet
    ) {
        return Err(SetupError::Invalid(format!(
            "setup switches Deployments, StatefulSets and DaemonSets; for a {} set serviceAccountName: {} in its manifest",
            kind.kind_name(),
            req.service_account
        )));
    }
    if matches!(snap.kube.deployments, Fact::Missing(_)) && *kind == WorkloadKind::Deployment {
        return Err(SetupError::NotRead("the Deployments were not read".into()));
    }
    let Some(w) = crate::diagnose::workloads::resolve(&snap.kube)
        .into_iter()
        .find(|x| x.id.namespace == req.namespace && &x.id.name == name && x.id.kind == *kind)
    else {
        return Err(SetupError::Invalid(format!(
            "{} {}/{} was not found: deploy it first, or set up the service account alone (without --workload)",
            kind.kind_name(),
            req.namespace,
            name
        )));
    };
    let target = WorkloadTarget {
        kind: kind.kind_name().to_string(),
        namespace: req.namespace.clone(),
        name: name.clone(),
    };
    let mut out = Vec::new();
    if w.service_account() != req.service_account {
        out.push(Change::SetServiceAccountName {
            workload: target.clone(),
            service_account: req.service_account.clone(),
        });
    }
    if req.region_env {
        let containers = w
            .template
            .and_then(|t| t.spec.as_ref())
            .map(|s| s.containers.clone())
            .unwrap_or_default();
        for container in containers {
            for var in REGION_VARIABLES {
                let set = container
                    .env
                    .as_ref()
                    .is_some_and(|e| e.iter().any(|v| &v.name == var));
                if !set {
                    out.push(Change::SetEnv {
                        workload: target.clone(),
                        container: container.name.clone(),
                        name: var.to_string(),
                        value: Some(c.place.region.clone()),
                    });
                }
            }
        }
    }
    if identity_changed || !out.is_empty() {
        out.push(Change::RolloutRestart { workload: target });
    }
    Ok(out)
}

/// Every change the request asks for that the cluster and account do not have yet.
pub(super) fn changes(
    snap: &Snapshot,
    req: &SetupRequest,
    c: &ClusterFacts,
    role: &RoleUse,
    trust: Option<String>,
    filled: &[Filled],
) -> Result<Vec<Change>, SetupError> {
    let mut out = Vec::new();
    match trust {
        Some(document) => out.push(Change::CreateRole {
            role_name: role.name.clone(),
            document,
            description: Some(format!(
                "kubectl-irsa setup: {}/{} on EKS cluster {}",
                req.namespace, req.service_account, c.name
            )),
        }),
        None if req.wildcard() => out.extend(wildcard_trust(snap, req, c, role)?),
        None => {}
    }
    out.extend(permissions(snap, req, role, filled));
    let accounts = service_accounts(snap, req, role);
    let assoc = association(snap, req, c, role)?;
    let identity_changed = !accounts.is_empty() || assoc.is_some();
    out.extend(accounts);
    out.extend(assoc);
    out.extend(workload(snap, req, c, identity_changed)?);
    Ok(out)
}
