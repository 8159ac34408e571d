//! The changes of each migration stage, in the order that never leaves a pod without
//! credentials (each stage's notes say why; `migrate` proves it step by step):
//!
//! - stage 1: add-on (if missing) -> trust statement -> association -> restart. Pods created
//!   before the association get IRSA (annotation and OIDC statement untouched), after it Pod
//!   Identity (the webhook gives the association precedence, field guide F39), which the new
//!   statement trusts. Unlike eksctl, which removes the annotation before the association
//!   exists (§3.1 g).
//! - finalize: annotation -> restart -> OIDC subject. New pods get Pod Identity from the
//!   association with or without the annotation; pods still holding IRSA tokens keep a trusted
//!   subject until the very last step.
//! - rollback: OIDC subject -> annotation -> association deleted -> restart -> Pod Identity
//!   statement. Pods created before the association goes get Pod Identity, still trusted; after
//!   it IRSA, trusted again from the first step.
//!
//! Nothing is changed that is already as the stage wants it, so a stage run again after it
//! succeeded plans no step.

use super::migrate::{Account, audience, pods_on};
use super::migrate_preflight::{AGENT_ADDON, Check, CheckStatus, Preflight};
use super::migrate_trust::{self as trust, ClusterIds};
use crate::diagnose::k8s;
use crate::model::Snapshot;
use crate::model::aws::PodIdentityAssociation;
use crate::model::chain::Mechanism;
use crate::model::journal::JournalEntry;
use crate::model::plan::Change;

/// A stage's changes, or why there are none.
#[derive(Debug, Default)]
pub struct Planned {
    pub changes: Vec<Change>,
    pub preflight: Vec<Check>,
    pub notes: Vec<String>,
    /// Reasons no safe plan exists (a blocking pre-flight check, a stage not reached yet).
    pub blocked: Vec<String>,
}

pub fn service_account<'s>(
    snap: &'s Snapshot,
    ns: &str,
    sa: &str,
) -> Option<&'s k8s_openapi::api::core::v1::ServiceAccount> {
    snap.kube.service_accounts.known()?.items.iter().find(|s| {
        s.metadata.namespace.as_deref() == Some(ns) && s.metadata.name.as_deref() == Some(sa)
    })
}

pub fn annotation(snap: &Snapshot, ns: &str, sa: &str) -> Option<String> {
    service_account(snap, ns, sa)
        .and_then(|s| k8s::annotation(&s.metadata, k8s::ROLE_ARN_ANNOTATION))
        .map(str::to_string)
}

pub fn association<'s>(
    snap: &'s Snapshot,
    ns: &str,
    sa: &str,
) -> Option<&'s PodIdentityAssociation> {
    snap.aws
        .associations
        .known()?
        .iter()
        .find(|a| a.namespace == ns && a.service_account == sa)
}

fn role_name(arn: &str) -> String {
    crate::model::arn::RoleArn::parse(arn)
        .map(|r| r.name)
        .unwrap_or_else(|_| arn.rsplit('/').next().unwrap_or(arn).to_string())
}

/// The trust policy of `arn`'s role as read, or why it cannot be edited.
fn trust_text(snap: &Snapshot, arn: &str) -> Result<String, String> {
    let r = crate::model::arn::RoleArn::parse(arn).map_err(|e| format!("{arn}: {e}"))?;
    snap.aws
        .iam
        .role_by_name(&r.account, &r.name)
        .and_then(|role| role.trust_policy.as_ref())
        .map(|t| t.0.clone())
        .ok_or_else(|| {
            format!(
                "the trust policy of role {} was not read (iam:GetRole)",
                r.name
            )
        })
}

/// The roles of `accounts`, each once, in order.
fn roles(accounts: &[Account]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in accounts {
        if !out.contains(&a.role_arn) {
            out.push(a.role_arn.clone());
        }
    }
    out
}

/// Applies `edit` for every account of `role` to its trust text; the new document, or `None`
/// when nothing changes.
fn edit_trust(
    snap: &Snapshot,
    role: &str,
    accounts: &[Account],
    blocked: &mut Vec<String>,
    edit: impl Fn(&str, &Account) -> Result<Option<String>, trust::Unparsable>,
) -> Option<(String, String)> {
    let text = match trust_text(snap, role) {
        Ok(t) => t,
        Err(e) => {
            blocked.push(e);
            return None;
        }
    };
    let mut doc = text.clone();
    let mut changed = false;
    for a in accounts.iter().filter(|a| a.role_arn == role) {
        match edit(&doc, a) {
            Ok(Some(new)) => {
                doc = new;
                changed = true;
            }
            Ok(None) => {}
            Err(e) => {
                blocked.push(e.to_string());
                return None;
            }
        }
    }
    changed.then_some((text, doc))
}

fn restarts(accounts: &[Account], wanted: impl Fn(&Account) -> bool) -> Vec<Change> {
    accounts
        .iter()
        .filter(|a| wanted(a))
        .flat_map(Account::restartable)
        .map(|workload| Change::RolloutRestart { workload })
        .collect()
}

/// Stage 1 (see the module comment).
pub fn start(snap: &Snapshot, ids: &ClusterIds, accounts: &[Account], pre: Preflight) -> Planned {
    let mut out = Planned {
        blocked: pre.blocked(),
        ..Planned::default()
    };
    let mut checks = pre.checks;
    if pre.install_addon {
        out.changes.push(Change::CreateAddon {
            cluster: ids.name.clone(),
            name: AGENT_ADDON.into(),
        });
    }
    let tags = |a: &Account| {
        association(snap, &a.namespace, &a.name)
            .is_none_or(|x| x.disable_session_tags != Some(true))
    };
    for role in roles(accounts) {
        let edited = edit_trust(snap, &role, accounts, &mut out.blocked, |doc, a| {
            trust::add_pod_identity(doc, &role_name(&role), ids, &a.namespace, &a.name, tags(a))
        });
        let Some((before, doc)) = edited else {
            checks.push(Check {
                check: "trust",
                status: CheckStatus::Ok,
                message: format!(
                    "role {} already trusts Pod Identity for these service accounts",
                    role_name(&role)
                ),
            });
            continue;
        };
        if let Some(why) = trust::over_quota(&before, &doc) {
            out.blocked
                .push(format!("role {}: {why}", role_name(&role)));
            checks.push(Check {
                check: "trust-size",
                status: CheckStatus::Blocked,
                message: why,
            });
            continue;
        }
        checks.push(Check {
            check: "trust-size",
            status: CheckStatus::Ok,
            message: format!(
                "role {}: the new trust policy fits the quota ({} characters)",
                role_name(&role),
                crate::policy::iam_length(&doc)
            ),
        });
        out.changes.push(Change::PutTrustPolicy {
            role_name: role_name(&role),
            document: doc,
        });
    }
    for a in accounts {
        match association(snap, &a.namespace, &a.name) {
            None => out.changes.push(Change::CreatePodIdentityAssociation {
                cluster: ids.name.clone(),
                namespace: a.namespace.clone(),
                service_account: a.name.clone(),
                role_arn: a.role_arn.clone(),
            }),
            Some(x) if x.role_arn.as_deref().is_none_or(|r| role_name(r) == role_name(&a.role_arn)) => {
                out.notes.push(format!("the association of {} exists already with this role: it is kept", a.label()));
            }
            Some(x) => out.blocked.push(format!(
                "{} already has a pod identity association with role {}, not the annotated {}: decide which role it should use first",
                a.label(),
                x.role_arn.as_deref().unwrap_or("-"),
                a.role_arn
            )),
        }
        for w in a
            .workloads
            .iter()
            .filter(|w| a.restartable().iter().all(|t| t.name != w.id.name))
        {
            out.notes.push(format!("{}/{}/{} has no controller to restart: its pods keep IRSA until they are recreated", w.id.namespace, w.id.kind.short(), w.id.name));
        }
    }
    out.changes.extend(restarts(accounts, |a| {
        a.workloads
            .iter()
            .any(|w| !pods_on(w, Mechanism::PodIdentity))
    }));
    out.preflight = checks;
    out.notes.push("order: add-on (when missing), trust statement, association, restart: a pod created before the association gets IRSA (the annotation and the OIDC statement stay), one created after it gets Pod Identity, which the new statement already trusts; IRSA stays as the fallback until `--finalize`".into());
    out
}

/// Finalize (see the module comment): only once stage 1 is proven for every account.
pub fn finalize(snap: &Snapshot, ids: &ClusterIds, accounts: &[Account]) -> Planned {
    let mut out = Planned::default();
    for a in accounts {
        let assoc = association(snap, &a.namespace, &a.name);
        let tags = assoc.is_some_and(|x| x.disable_session_tags != Some(true));
        let trusted = trust_text(snap, &a.role_arn)
            .is_ok_and(|t| trust::pod_identity_admits(&t, ids, &a.namespace, &a.name, tags));
        let stale: Vec<String> = a
            .workloads
            .iter()
            .filter(|w| !pods_on(w, Mechanism::PodIdentity))
            .map(|w| format!("{}/{}/{}", w.id.namespace, w.id.kind.short(), w.id.name))
            .collect();
        if assoc.is_none() || !trusted || !stale.is_empty() {
            let why = if assoc.is_none() {
                "it has no pod identity association".to_string()
            } else if !trusted {
                "its role does not trust Pod Identity for it".to_string()
            } else {
                format!(
                    "{} still run on IRSA (restart them, or recreate pods without a controller)",
                    stale.join(", ")
                )
            };
            out.blocked.push(format!(
                "stage 1 is not proven for {}: {why}; run `kubectl irsa migrate` on it first",
                a.label()
            ));
        }
    }
    if !out.blocked.is_empty() {
        return out;
    }
    let mut annotated = Vec::new();
    for a in accounts {
        if annotation(snap, &a.namespace, &a.name).is_some() {
            annotated.push(a.label());
            out.changes.push(Change::AnnotateServiceAccount {
                namespace: a.namespace.clone(),
                name: a.name.clone(),
                key: k8s::ROLE_ARN_ANNOTATION.into(),
                value: None,
            });
        }
    }
    out.changes
        .extend(restarts(accounts, |a| annotated.contains(&a.label())));
    for role in roles(accounts) {
        let edited = edit_trust(snap, &role, accounts, &mut out.blocked, |doc, a| {
            trust::remove_oidc_subject(doc, &role_name(&role), ids, &a.namespace, &a.name)
        });
        if let Some((_, doc)) = edited {
            out.changes.push(Change::PutTrustPolicy {
                role_name: role_name(&role),
                document: doc,
            });
        }
        let text = trust_text(snap, &role).unwrap_or_default();
        for a in accounts.iter().filter(|a| a.role_arn == role) {
            for p in trust::wildcard_subjects(&text, ids, &a.namespace, &a.name) {
                out.notes.push(format!("the wildcard subject `{p}` in the trust of {} still admits {} through IRSA: it is kept (it has no Pod Identity equivalent and may serve other service accounts)", role_name(&role), a.label()));
            }
        }
    }
    out.notes.push("order: annotation removed, restart, OIDC subject removed last: new pods get Pod Identity from the association with or without the annotation, and pods still holding IRSA tokens stay trusted until they are replaced".into());
    out
}

/// Rollback (see the module comment), from any stage. Each trust document the rollback writes
/// that means what a journaled document meant is written as that text, byte for byte: so a
/// rolled back role reads exactly as before the migration.
pub fn rollback(
    snap: &Snapshot,
    ids: &ClusterIds,
    accounts: &[Account],
    journal: &[JournalEntry],
) -> Planned {
    let mut out = Planned::default();
    let mut last = Vec::new();
    for role in roles(accounts) {
        let name = role_name(&role);
        let known = journal_texts(journal, &name);
        let snap_to = |doc: String| {
            known
                .iter()
                .find(|k| trust::equivalent(k, &doc))
                .map(|k| trust::decoded(k))
                .unwrap_or(doc)
        };
        let text = match trust_text(snap, &role) {
            Ok(t) => t,
            Err(e) => {
                out.blocked.push(e);
                continue;
            }
        };
        let with_subjects = edit_trust(snap, &role, accounts, &mut out.blocked, |doc, a| {
            let aud = audience(snap, &a.namespace, &a.name);
            trust::add_oidc_subject(doc, &name, ids, &a.namespace, &a.name, &aud)
        });
        let middle = match with_subjects {
            Some((_, doc)) => {
                let doc = snap_to(doc);
                out.changes.push(Change::PutTrustPolicy {
                    role_name: name.clone(),
                    document: doc.clone(),
                });
                doc
            }
            None => text.clone(),
        };
        let mut doc = middle.clone();
        for a in accounts.iter().filter(|a| a.role_arn == role) {
            match trust::remove_pod_identity(&doc, &name, ids, &a.namespace, &a.name) {
                Ok(Some(new)) => doc = new,
                Ok(None) => {}
                Err(e) => out.blocked.push(e.to_string()),
            }
        }
        if !trust::equivalent(&doc, &middle) {
            last.push(Change::PutTrustPolicy {
                role_name: name.clone(),
                document: snap_to(doc),
            });
        }
        if known.is_empty() {
            out.notes.push(format!("no journal entry of the migration wrote role {name}: its trust is restored by removing the statement the migration adds, not from a saved copy"));
        }
    }
    let mut identity_changed = Vec::new();
    for a in accounts {
        if annotation(snap, &a.namespace, &a.name).is_none() {
            identity_changed.push(a.label());
            out.changes.push(Change::AnnotateServiceAccount {
                namespace: a.namespace.clone(),
                name: a.name.clone(),
                key: k8s::ROLE_ARN_ANNOTATION.into(),
                value: Some(a.role_arn.clone()),
            });
        }
    }
    for a in accounts {
        let Some(x) = association(snap, &a.namespace, &a.name) else {
            continue;
        };
        if x.owner_arn.is_some() {
            out.blocked.push(format!("the association of {} belongs to an EKS add-on: change it through the add-on (`kubectl irsa explain ASSOCIATION_ADDON_OWNED`)", a.label()));
            continue;
        }
        identity_changed.push(a.label());
        out.changes.push(Change::DeletePodIdentityAssociation {
            cluster: ids.name.clone(),
            namespace: a.namespace.clone(),
            service_account: a.name.clone(),
        });
    }
    out.changes.extend(restarts(accounts, |a| {
        identity_changed.contains(&a.label())
            || a.workloads.iter().any(|w| !pods_on(w, Mechanism::Irsa))
    }));
    out.changes.extend(last);
    out.notes.push("order: OIDC subject back, annotation back, association deleted, restart, Pod Identity statement removed last: a pod created before the association goes gets Pod Identity, still trusted, one created after it IRSA, trusted again from the first step".into());
    out
}

/// Every trust document of `role` the journal holds (what migration plans read before writing
/// and what they wrote), oldest first, as candidates for restoring its exact text.
fn journal_texts(journal: &[JournalEntry], role: &str) -> Vec<String> {
    let mut priors = Vec::new();
    let mut written = Vec::new();
    for e in journal
        .iter()
        .filter(|e| e.plan.target.starts_with("migrate"))
    {
        for r in &e.steps {
            let Some(step) = e.plan.steps.get(r.index) else {
                continue;
            };
            if let Change::PutTrustPolicy {
                role_name,
                document,
            } = &step.change
                && role_name == role
            {
                priors.extend(r.prior.clone());
                written.push(document.clone());
            }
        }
    }
    priors.extend(written);
    priors
}
