//! The fix planner: every broken link of the selected workloads becomes the changes its
//! findings carry as data ([`crate::model::chain::Fix::changes`]); the changes are applied to
//! the snapshot in memory ([`super::simulate`]) and the diagnosis runs again, so a fix that
//! reveals the next broken link (the right service account, whose role does not trust it yet)
//! brings that link's fix into the same plan. A plan is offered only when the chain then has no
//! broken link; otherwise the planner says which finding has no automatic fix and why.
//!
//! Changes to one object merge (the later trust document, computed from the earlier one's
//! result, replaces it; an equal change is kept once) and run in a fixed order: service
//! accounts, IAM, EKS, workload templates, restarts last, so new pods see everything.

use crate::diagnose::{DiagnoseError, Selection, diagnose};
use crate::model::chain::FixChoice;
use crate::model::chain::{Severity, Status};
use crate::model::plan::{Change, Choice, PLAN_SCHEMA_VERSION, Plan, Recreate, System};
use crate::model::{Report, Snapshot};

use super::simulate::{self, SimulateError};
use super::steps;

/// How many rounds of "fix, then diagnose again" a plan may take: each round fixes at least
/// one more link, and a chain has eight.
const MAX_ROUNDS: usize = 8;

#[derive(Debug)]
pub enum FixOutcome {
    /// Nothing selected is broken.
    NothingToDo,
    /// A plan proven to leave no broken link, and the diagnosis it was proven with.
    Ready { plan: Plan, after: Box<Report> },
    /// No safe automatic fix: each reason names the workload, link and finding, and what to
    /// do by hand.
    Manual { reasons: Vec<String> },
    /// The right fix is ambiguous: `--choice N` picks one of these.
    NeedsChoice { choices: Vec<Choice> },
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Diagnose(#[from] DiagnoseError),
    #[error(transparent)]
    Simulate(#[from] SimulateError),
}

/// The object a change writes, for merging.
fn key(c: &Change) -> String {
    match c {
        Change::AnnotateServiceAccount {
            namespace,
            name,
            key,
            ..
        } => format!("sa-annotation {namespace}/{name} {key}"),
        Change::CreateServiceAccount {
            namespace, name, ..
        } => format!("sa {namespace}/{name}"),
        Change::SetServiceAccountName { workload, .. } => {
            format!(
                "template {}/{}/{}",
                workload.kind, workload.namespace, workload.name
            )
        }
        Change::RolloutRestart { workload } => {
            format!(
                "restart {}/{}/{}",
                workload.kind, workload.namespace, workload.name
            )
        }
        Change::SetEnv {
            workload,
            container,
            name,
            ..
        } => format!(
            "env {}/{}/{} {container} {name}",
            workload.kind, workload.namespace, workload.name
        ),
        Change::SetFsGroup { workload, .. } => format!(
            "fsgroup {}/{}/{}",
            workload.kind, workload.namespace, workload.name
        ),
        Change::CreateRole { role_name, .. } | Change::DeleteRole { role_name } => {
            format!("role {role_name}")
        }
        Change::PutTrustPolicy { role_name, .. } => format!("trust {role_name}"),
        Change::PutRolePolicy {
            role_name,
            policy_name,
            ..
        } => format!("inline {role_name} {policy_name}"),
        Change::AttachRolePolicy {
            role_name,
            policy_arn,
        } => format!("attach {role_name} {policy_arn}"),
        Change::CreateOidcProvider { url, .. } => format!("provider {url}"),
        Change::AddClientId {
            provider_arn,
            client_id,
        } => format!("client-id {provider_arn} {client_id}"),
        Change::CreatePodIdentityAssociation {
            namespace,
            service_account,
            ..
        }
        | Change::UpdatePodIdentityAssociation {
            namespace,
            service_account,
            ..
        }
        | Change::DeletePodIdentityAssociation {
            namespace,
            service_account,
            ..
        } => format!("association {namespace}/{service_account}"),
        Change::DeleteServiceAccount { namespace, name } => format!("sa {namespace}/{name}"),
        Change::DeleteRolePolicy {
            role_name,
            policy_name,
        } => format!("inline {role_name} {policy_name}"),
        Change::DetachRolePolicy {
            role_name,
            policy_arn,
        } => format!("attach {role_name} {policy_arn}"),
        Change::DeleteOidcProvider { provider_arn } => format!("provider {provider_arn}"),
        Change::RemoveClientId {
            provider_arn,
            client_id,
        } => format!("client-id {provider_arn} {client_id}"),
        Change::CreateAddon { cluster, name } | Change::DeleteAddon { cluster, name } => {
            format!("addon {cluster} {name}")
        }
    }
}

/// Where a change runs in the plan (see the module comment).
fn rank(c: &Change) -> u8 {
    match c {
        // A role exists before anything names it or edits it.
        Change::CreateRole { .. } => 0,
        Change::CreateServiceAccount { .. } | Change::AnnotateServiceAccount { .. } => 1,
        _ if c.system() == System::Iam => 2,
        _ if c.system() == System::Eks => 3,
        Change::SetServiceAccountName { .. }
        | Change::SetEnv { .. }
        | Change::SetFsGroup { .. } => 4,
        _ => 5,
    }
}

/// `into` with `new` merged in; returns whether anything changed.
fn merge(into: &mut Vec<Change>, new: Vec<Change>) -> bool {
    let mut changed = false;
    for c in new {
        // A role the plan creates is created with its final trust: undo deletes it, and
        // there is no earlier trust to restore.
        if let Change::PutTrustPolicy {
            role_name,
            document,
        } = &c
            && let Some(Change::CreateRole { document: d, .. }) = into
                .iter_mut()
                .find(|x| matches!(x, Change::CreateRole { role_name: r, .. } if r == role_name))
        {
            if d != document {
                *d = document.clone();
                changed = true;
            }
            continue;
        }
        match into.iter_mut().find(|x| key(x) == key(&c)) {
            Some(same) if *same == c => {}
            Some(same) => {
                *same = c;
                changed = true;
            }
            None => {
                into.push(c);
                changed = true;
            }
        }
    }
    into.sort_by_key(rank);
    changed
}

/// The broken links of `report`: their findings' changes, and the words of the links none of
/// whose findings has one. A link with some changes gets them even when another of its
/// findings has none (a grant also ends "the role has no policy"): the next round's diagnosis
/// says whether the link is fixed.
/// What the broken links of a report call for.
#[derive(Default)]
struct Broken {
    changes: Vec<Change>,
    manual: Vec<String>,
    /// The first ambiguous fix's ways.
    choices: Vec<FixChoice>,
    /// Jobs and CronJobs whose pods are re-created by hand (no step restarts them).
    recreate: Vec<Recreate>,
}

fn broken_fixes(report: &Report) -> Broken {
    let mut out = Broken::default();
    for w in report
        .workloads
        .iter()
        .filter(|w| w.status == Status::Broken)
    {
        for l in w.links.iter().filter(|l| l.status == Status::Broken) {
            let errors: Vec<_> = l
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            if let Some(fix) = errors
                .iter()
                .filter_map(|f| f.fix.as_ref())
                .find(|fix| !fix.choices.is_empty())
            {
                if out.choices.is_empty() {
                    out.choices = fix.choices.clone();
                }
                continue;
            }
            let found: Vec<Change> = errors
                .iter()
                .filter_map(|f| f.fix.as_ref())
                .flat_map(|fix| fix.changes.clone())
                .collect();
            let recreate: Vec<Recreate> = errors
                .iter()
                .filter_map(|f| f.fix.as_ref())
                .flat_map(|fix| fix.recreate.clone())
                .collect();
            if !found.is_empty() || !recreate.is_empty() {
                out.changes.extend(found);
                out.recreate.extend(recreate);
                continue;
            }
            for f in errors {
                out.manual.push(format!(
                    "{}/{}/{} {} {}: {}",
                    w.namespace,
                    w.kind.short(),
                    w.name,
                    l.link,
                    f.code,
                    f.fix
                        .as_ref()
                        .map(|fix| format!("no automatic fix; by hand: {}", fix.summary))
                        .unwrap_or_else(|| format!("no automatic fix ({})", f.message))
                ));
            }
        }
    }
    out
}

/// `into` with the workloads of `new` it did not name yet; returns whether it grew.
fn merge_recreate(into: &mut Vec<Recreate>, new: Vec<Recreate>) -> bool {
    let mut grew = false;
    for r in new {
        let same =
            |x: &Recreate| x.kind == r.kind && x.namespace == r.namespace && x.name == r.name;
        if !into.iter().any(same) {
            into.push(r);
            grew = true;
        }
    }
    grew
}

/// `snap` (the steps made) with the pods of `recreate` started again by hand after the last
/// step, as the plan tells the user to.
fn recreated(
    snap: Snapshot,
    recreate: &[Recreate],
    now: jiff::Timestamp,
    steps: usize,
) -> Result<Snapshot, SimulateError> {
    let at = now
        .checked_add(jiff::SignedDuration::from_secs(
            i64::try_from(steps).unwrap_or(i64::MAX / 2),
        ))
        .unwrap_or(now);
    recreate
        .iter()
        .try_fold(snap, |s, r| simulate::recreate(&s, r, at))
}

/// The reasons no plan is offered, and when earlier rounds found changes (a bare pod's missing
/// annotation, before the pod must be recreated by hand), those changes' commands as the first
/// thing to do by hand: the words alone would leave them out.
fn with_earlier(
    mut reasons: Vec<String>,
    changes: &[Change],
    snap: &Snapshot,
    after: &Snapshot,
) -> Vec<String> {
    if !changes.is_empty() {
        let commands: Vec<String> = changes
            .iter()
            .map(|c| format!("`{}`", steps::step(c, snap, after).command.render()))
            .collect();
        reasons.push(format!(
            "before that, by hand: {}",
            commands.join(", then ")
        ));
    }
    reasons
}

/// Plans the fix of everything `sel` selects in `snap`, proven in memory. `id` and `target`
/// label the plan; `now` is when its first step would be made (for the simulated pods).
pub fn plan_fix(
    snap: &Snapshot,
    sel: &Selection,
    id: &str,
    target: &str,
    now: jiff::Timestamp,
    choice: Option<usize>,
) -> Result<FixOutcome, PlanError> {
    plan_seeded(
        snap,
        std::slice::from_ref(sel),
        Vec::new(),
        id,
        target,
        now,
        choice,
    )
}

/// The diagnosis of every selection, as one report (the first's source and notes).
fn diagnose_all(snap: &Snapshot, sels: &[Selection]) -> Result<Report, DiagnoseError> {
    let mut out: Option<Report> = None;
    for sel in sels {
        let r = diagnose(snap, sel)?;
        match &mut out {
            None => out = Some(r),
            Some(o) => o.workloads.extend(r.workloads),
        }
    }
    match out {
        Some(r) => Ok(r),
        // Nothing selected (a setup's namespace pattern no namespace matches yet): nothing to
        // prove and nothing else to fix, never the whole cluster.
        None => {
            let mut r = diagnose(snap, &Selection::default())?;
            r.workloads.clear();
            Ok(r)
        }
    }
}

/// Plans `seed` (what the user asked for, as changes: the setup wizard's role, service account
/// and permissions) plus the fixes of whatever is still broken after it, proven in memory over
/// every selection in `sels`. With no seed this is [`plan_fix`].
pub fn plan_seeded(
    snap: &Snapshot,
    sels: &[Selection],
    seed: Vec<Change>,
    id: &str,
    target: &str,
    now: jiff::Timestamp,
    choice: Option<usize>,
) -> Result<FixOutcome, PlanError> {
    let mut changes: Vec<Change> = Vec::new();
    let mut recreate: Vec<Recreate> = Vec::new();
    let mut after = snap.clone();
    if !seed.is_empty() {
        merge(&mut changes, seed);
        let refs: Vec<&Change> = changes.iter().collect();
        after = match simulate::apply(snap, &refs, now) {
            Ok(a) => a,
            Err(e) => {
                return Ok(FixOutcome::Manual {
                    reasons: vec![format!("the plan cannot be proven before it is made: {e}")],
                });
            }
        };
    }
    let mut current = diagnose_all(&after, sels)?;
    let mut choice = choice;
    let chosen = choice;
    for _ in 0..MAX_ROUNDS {
        let Broken {
            changes: mut new,
            manual,
            choices,
            recreate: new_recreate,
        } = broken_fixes(&current);
        if !choices.is_empty() {
            // One choice per plan: the first ambiguity takes it, a later one needs a hand.
            match choice.take() {
                Some(n) if (1..=choices.len()).contains(&n) => {
                    new.extend(choices[n - 1].changes.clone());
                }
                None if chosen.is_some() => {
                    let ways: Vec<&str> = choices.iter().map(|c| c.meaning.as_str()).collect();
                    return Ok(FixOutcome::Manual {
                        reasons: vec![format!(
                            "after choice {}, another link needs a choice ({}): apply this one first, then run fix again",
                            chosen.unwrap_or_default(),
                            ways.join("; or ")
                        )],
                    });
                }
                _ => {
                    return Ok(FixOutcome::NeedsChoice {
                        choices: choices
                            .iter()
                            .enumerate()
                            .map(|(i, c)| Choice {
                                number: i + 1,
                                meaning: c.meaning.clone(),
                            })
                            .collect(),
                    });
                }
            }
        }
        if new.is_empty() && new_recreate.is_empty() && manual.is_empty() {
            break;
        }
        if !manual.is_empty() {
            return Ok(FixOutcome::Manual {
                reasons: with_earlier(manual, &changes, snap, &after),
            });
        }
        let more_recreated = merge_recreate(&mut recreate, new_recreate);
        if !merge(&mut changes, new) && !more_recreated {
            // The same changes again and still broken: they do not fix it.
            return Ok(FixOutcome::Manual {
                reasons: vec![
                    "the planned changes do not turn the chain green when applied in memory".into(),
                ],
            });
        }
        let refs: Vec<&Change> = changes.iter().collect();
        after = match simulate::apply(snap, &refs, now)
            .and_then(|a| recreated(a, &recreate, now, changes.len()))
        {
            Ok(a) => a,
            // An object the plan touches was not read: the plan cannot be proven, so it is
            // not offered.
            Err(e) => {
                return Ok(FixOutcome::Manual {
                    reasons: vec![format!("the fix cannot be proven before it is made: {e}")],
                });
            }
        };
        current = diagnose_all(&after, sels)?;
    }
    if current.workloads.iter().any(|w| w.status == Status::Broken) {
        return Ok(FixOutcome::Manual {
            reasons: vec![format!(
                "still broken after {MAX_ROUNDS} rounds of fixes applied in memory"
            )],
        });
    }
    if changes.is_empty() && recreate.is_empty() {
        return Ok(FixOutcome::NothingToDo);
    }
    let plan = Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        id: id.to_string(),
        target: target.to_string(),
        // Each step against the state the steps before it leave: two edits of one workload's
        // template test the generation the first one leaves.
        steps: steps::sequence(&changes, snap, now),
        choices: Vec::new(),
        manual: None,
        recreate,
    };
    Ok(FixOutcome::Ready {
        plan,
        after: Box::new(current),
    })
}
