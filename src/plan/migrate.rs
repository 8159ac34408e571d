//! The Pod Identity migration planner (`kubectl irsa migrate`): moves the IRSA service
//! accounts a selection names to EKS Pod Identity in stages, each an ordinary [`Plan`] proven in
//! memory before it is offered (DESIGN.md "Fixes are data"):
//!
//! - [`Stage::Start`]: the agent add-on if missing, one scoped Pod Identity trust statement,
//!   the association, a restart; the annotation and the OIDC statement stay, so IRSA still
//!   works as the fallback (the dual-trust interim state users ask for, field guide §4.5).
//! - [`Stage::Finalize`]: once stage 1 is proven, the annotation goes, then a restart, then this
//!   service account's subject in this cluster's OIDC statement.
//! - [`Stage::Rollback`]: from any stage, back to IRSA with every document as it was.
//!
//! The changes of each stage live in `migrate_stages`, the trust edits in `migrate_trust`, the
//! pre-flight checks in `migrate_preflight`. Here: which service accounts move, and the proof:
//! the plan applied in memory and diagnosed again must leave the chains unbroken on the
//! expected mechanism, and so must every prefix of it for a pod created at that moment (a
//! restart simulated after each step): no pod is ever created without credentials the trust
//! accepts.

use std::collections::BTreeSet;

use super::fix::{FixOutcome, PlanError};
use super::migrate_preflight::{Check, Moving};
use super::migrate_stages::{self, Planned};
use super::migrate_trust::ClusterIds;
use super::{simulate, steps};
use crate::diagnose::k8s;
use crate::diagnose::workloads::{self, Workload};
use crate::diagnose::{Selection, diagnose};
use crate::model::chain::{LinkName, Mechanism};
use crate::model::journal::JournalEntry;
use crate::model::plan::{Change, PLAN_SCHEMA_VERSION, Plan, WorkloadTarget};
use crate::model::workload::WorkloadKind;
use crate::model::{Snapshot, Status};

/// Which stage of the migration to plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Start,
    Finalize,
    Rollback,
}

impl Stage {
    /// The flag that asks for it, as the plan's target names it (`migrate --finalize deploy/x`).
    pub fn flag(self) -> &'static str {
        match self {
            Stage::Start => "",
            Stage::Finalize => " --finalize",
            Stage::Rollback => " --rollback",
        }
    }

    fn mechanism(self) -> Mechanism {
        match self {
            Stage::Rollback => Mechanism::Irsa,
            _ => Mechanism::PodIdentity,
        }
    }
}

/// A migration plan (or why there is none) with the pre-flight results and the notes that say
/// why the order of its steps never leaves a pod without credentials.
#[derive(Debug)]
pub struct MigrateOutcome {
    pub outcome: FixOutcome,
    pub preflight: Vec<Check>,
    pub notes: Vec<String>,
}

impl MigrateOutcome {
    fn manual(reasons: Vec<String>, preflight: Vec<Check>) -> MigrateOutcome {
        MigrateOutcome {
            outcome: FixOutcome::Manual { reasons },
            preflight,
            notes: Vec::new(),
        }
    }
}

/// A service account the selection moves, with its role.
pub struct Account<'a> {
    pub namespace: String,
    pub name: String,
    pub role_arn: String,
    pub workloads: Vec<Workload<'a>>,
}

impl Account<'_> {
    pub fn label(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The workloads a restart gives new pods.
    pub fn restartable(&self) -> Vec<WorkloadTarget> {
        self.workloads
            .iter()
            .filter(|w| {
                matches!(
                    w.id.kind,
                    WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet
                )
            })
            .map(|w| WorkloadTarget {
                kind: w.id.kind.kind_name().to_string(),
                namespace: w.id.namespace.clone(),
                name: w.id.name.clone(),
            })
            .collect()
    }
}

/// Whether the journal shows a migration plan that made the association of `ns/sa`.
fn migrated_by_us(journal: &[JournalEntry], ns: &str, sa: &str) -> bool {
    journal.iter().any(|e| {
        e.plan.target.starts_with("migrate")
            && e.plan.steps.iter().any(|s| {
                matches!(&s.change, Change::CreatePodIdentityAssociation { namespace, service_account, .. }
                    if namespace == ns && service_account == sa)
            })
    })
}

/// The service accounts `sel` names (a workload's, or every one in the namespaces), each with
/// the role its migration is about: moving forward, the annotation's (a stage-1 association
/// with another role is then a conflict to decide); rolling back, the association's. A
/// rollback takes only service accounts the migration moved (the annotation stage 1 keeps, or
/// a journal entry of a migration): one set up for Pod Identity from the start is not turned
/// into IRSA; `skipped` says which were left alone.
fn accounts<'a>(
    snap: &'a Snapshot,
    sel: &Selection,
    stage: Stage,
    journal: &[JournalEntry],
    skipped: &mut Vec<String>,
) -> Result<Vec<Account<'a>>, PlanError> {
    let report = diagnose(snap, sel)?;
    let pairs: BTreeSet<(String, String)> = report
        .workloads
        .iter()
        .map(|w| (w.namespace.clone(), w.service_account.clone()))
        .collect();
    let all = workloads::resolve(&snap.kube);
    let mut out = Vec::new();
    for (ns, sa) in pairs {
        let annotated = migrate_stages::annotation(snap, &ns, &sa);
        let associated =
            migrate_stages::association(snap, &ns, &sa).and_then(|a| a.role_arn.clone());
        if stage == Stage::Rollback
            && annotated.is_none()
            && associated.is_some()
            && !migrated_by_us(journal, &ns, &sa)
        {
            skipped.push(format!("{ns}/{sa} uses Pod Identity without having been moved by `kubectl irsa migrate` (no role-arn annotation, no migration in the journal): it is left alone; `kubectl irsa undo` reverts a setup"));
            continue;
        }
        let role_arn = match stage {
            Stage::Rollback => associated.or(annotated),
            _ => annotated.or(associated),
        };
        let Some(role_arn) = role_arn else {
            continue;
        };
        let workloads = all
            .iter()
            .filter(|w| w.id.kind != WorkloadKind::ServiceAccount)
            .filter(|w| w.id.namespace == ns && w.service_account() == sa)
            .cloned()
            .collect();
        out.push(Account {
            namespace: ns,
            name: sa,
            role_arn,
            workloads,
        });
    }
    Ok(out)
}

/// Plans `stage` of the migration of what `sel` selects in `snap`. `journal` holds the applied
/// plans (rollback restores documents byte for byte from it); `id` and `target` label the
/// plan; `now` is when its first step would be made.
pub fn plan_migrate(
    snap: &Snapshot,
    sel: &Selection,
    stage: Stage,
    journal: &[JournalEntry],
    id: &str,
    target: &str,
    now: jiff::Timestamp,
) -> Result<MigrateOutcome, PlanError> {
    let Some(ids) = snap.aws.cluster.known().and_then(ClusterIds::of) else {
        return Ok(MigrateOutcome::manual(
            vec!["the EKS cluster and its OIDC issuer could not be read (eks:DescribeCluster): the migration needs both".into()],
            Vec::new(),
        ));
    };
    let mut skipped = Vec::new();
    let accounts = accounts(snap, sel, stage, journal, &mut skipped)?;
    if accounts.is_empty() && !skipped.is_empty() {
        return Ok(match sel.target {
            Some(_) => MigrateOutcome::manual(skipped, Vec::new()),
            None => MigrateOutcome {
                outcome: FixOutcome::NothingToDo,
                preflight: Vec::new(),
                notes: skipped,
            },
        });
    }
    if accounts.is_empty() {
        return Ok(match sel.target {
            Some(_) => MigrateOutcome::manual(
                vec!["the service account it runs as has neither an eks.amazonaws.com/role-arn annotation nor a pod identity association: nothing to migrate".into()],
                Vec::new(),
            ),
            None => MigrateOutcome {
                outcome: FixOutcome::NothingToDo,
                preflight: Vec::new(),
                notes: Vec::new(),
            },
        });
    }
    let planned = match stage {
        Stage::Start => {
            let moving: Vec<Moving> = accounts
                .iter()
                .map(|a| Moving {
                    namespace: a.namespace.clone(),
                    name: a.name.clone(),
                    role_arn: a.role_arn.clone(),
                    workloads: a.workloads.clone(),
                })
                .collect();
            let checks = super::migrate_preflight::preflight(snap, &ids, &moving);
            migrate_stages::start(snap, &ids, &accounts, checks)
        }
        Stage::Finalize => migrate_stages::finalize(snap, &ids, &accounts),
        Stage::Rollback => migrate_stages::rollback(snap, &ids, &accounts, journal),
    };
    let Planned {
        changes,
        preflight,
        mut notes,
        blocked,
    } = planned;
    notes.extend(skipped);
    if !blocked.is_empty() {
        return Ok(MigrateOutcome::manual(blocked, preflight));
    }
    if changes.is_empty() {
        return Ok(MigrateOutcome {
            outcome: FixOutcome::NothingToDo,
            preflight,
            notes,
        });
    }
    let proof = prove(snap, &changes, stage, &accounts, now);
    let after = match proof {
        Ok(after) => after,
        Err(reason) => return Ok(MigrateOutcome::manual(vec![reason], preflight)),
    };
    let plan = Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        id: id.to_string(),
        target: target.to_string(),
        steps: steps::sequence(&changes, snap, now),
        choices: Vec::new(),
        manual: None,
        recreate: Vec::new(),
    };
    Ok(MigrateOutcome {
        outcome: FixOutcome::Ready {
            plan,
            after: Box::new(after),
        },
        preflight,
        notes,
    })
}

/// Why the accounts' chains in `snap` are not what `stage` must leave (`None`: they are):
/// a broken link other than permissions (the migration does not change what the role may do),
/// or, with `mechanism`, a chain on another mechanism.
fn unproven(
    snap: &Snapshot,
    accounts: &[Account],
    mechanism: Option<Mechanism>,
) -> Result<Option<String>, PlanError> {
    let report = diagnose(snap, &Selection::default())?;
    for w in report.workloads.iter().filter(|w| {
        accounts
            .iter()
            .any(|a| a.namespace == w.namespace && a.name == w.service_account)
    }) {
        let label = format!("{}/{}/{}", w.namespace, w.kind.short(), w.name);
        if let Some(l) = w
            .links
            .iter()
            .find(|l| l.status == Status::Broken && l.link != LinkName::Permissions)
        {
            let why = l
                .findings
                .iter()
                .find(|f| f.severity == crate::model::chain::Severity::Error)
                .map(|f| format!("{} ({})", f.message, f.code))
                .unwrap_or_else(|| l.summary.clone());
            return Ok(Some(format!(
                "{label}: link {} is broken: {why}",
                l.link.as_str()
            )));
        }
        let bare = w.kind == WorkloadKind::ServiceAccount;
        if let Some(m) = mechanism
            && !bare
            && w.mechanism != m
        {
            return Ok(Some(format!(
                "{label} would run on {} instead of {}",
                w.mechanism.label(),
                m.label()
            )));
        }
    }
    Ok(None)
}

/// The proof: every prefix of `changes`, followed by a restart of every workload (a pod
/// created at that moment), leaves the chains unbroken; the whole plan leaves them on the
/// stage's mechanism. Returns the diagnosis after the plan.
fn prove(
    snap: &Snapshot,
    changes: &[Change],
    stage: Stage,
    accounts: &[Account],
    now: jiff::Timestamp,
) -> Result<crate::model::Report, String> {
    let restarts: Vec<Change> = accounts
        .iter()
        .flat_map(Account::restartable)
        .map(|workload| Change::RolloutRestart { workload })
        .collect();
    let fail =
        |e: &dyn std::fmt::Display| format!("the plan cannot be proven before it is made: {e}");
    for k in 0..=changes.len() {
        let mut prefix: Vec<&Change> = changes[..k].iter().collect();
        prefix.extend(restarts.iter());
        let state = simulate::apply(snap, &prefix, now).map_err(|e| fail(&e))?;
        if let Some(why) = unproven(&state, accounts, None).map_err(|e| fail(&e))? {
            let when = match k {
                0 => "before the first step".to_string(),
                k => format!("after step {k} ({})", changes[k - 1].action()),
            };
            return Err(format!(
                "a pod created {when} would get no credentials the trust accepts: {why}"
            ));
        }
    }
    let refs: Vec<&Change> = changes.iter().collect();
    let after = simulate::apply(snap, &refs, now).map_err(|e| fail(&e))?;
    if let Some(why) = unproven(&after, accounts, Some(stage.mechanism())).map_err(|e| fail(&e))? {
        return Err(format!(
            "the plan does not leave the chains as it should: {why}"
        ));
    }
    diagnose(&after, &Selection::default()).map_err(|e| fail(&e))
}

/// Whether every pod of `w` carries `mechanism`'s variables.
pub fn pods_on(w: &Workload, mechanism: Mechanism) -> bool {
    w.pods.iter().all(|p| {
        p.spec
            .as_ref()
            .is_some_and(|s| crate::diagnose::links::injection_env::pod_mechanism(s) == mechanism)
    })
}

/// The audience the service account's IRSA tokens carry.
pub fn audience(snap: &Snapshot, ns: &str, sa: &str) -> String {
    migrate_stages::service_account(snap, ns, sa)
        .and_then(|s| k8s::annotation(&s.metadata, k8s::AUDIENCE_ANNOTATION))
        .unwrap_or(k8s::DEFAULT_AUDIENCE)
        .to_string()
}
