//! The service layer's write side (issue 11): plan a fix from a fresh gather, apply a plan
//! (every object checked against what the plan was made from before anything is written, each
//! step journaled before it is made, stopping at the first failure), then gather and diagnose
//! again. Undo builds the inverse plan of a journal entry ([`super::undo`]) and applies it the
//! same way. Front ends call these and never the writers.

use std::time::Duration;

use thiserror::Error;

use super::{AppError, Source, focused, focused_options, gather};
use crate::diagnose::{self, Selection};
use crate::model::Report;
use crate::model::journal::JournalEntry;
use crate::model::plan::{Change, Plan, PlanResult, Step, System};
use crate::plan::fix::{FixOutcome, PlanError, plan_fix};
use crate::plan::undo::{UndoError, undo_plan};
use crate::sources::live::{self, LiveOptions};
use crate::writers::aws::{AwsWriteError, AwsWriter};
use crate::writers::journal::{Journal, JournalError};
use crate::writers::kubernetes::{KubeWriteError, KubeWriter};

#[derive(Debug, Error)]
pub enum FixError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// A plan's id: when it was made, and this process (two plans in one second from one process
/// are not made).
pub fn new_id(now: jiff::Timestamp) -> String {
    format!(
        "{}-{:05}",
        now.strftime("%Y%m%dT%H%M%SZ"),
        std::process::id() % 100_000
    )
}

/// Plans the fix of what `selection` selects in `source`, proven in memory.
pub fn plan(source: &Source, selection: &Selection, target: &str) -> Result<FixOutcome, FixError> {
    plan_with_choice(source, selection, target, None)
}

/// [`plan`], resolving an ambiguous fix with `choice` (1-based, as `--choice N`).
pub fn plan_with_choice(
    source: &Source,
    selection: &Selection,
    target: &str,
    choice: Option<usize>,
) -> Result<FixOutcome, FixError> {
    let snapshot = gather(&focused(source, selection))?;
    let now = jiff::Timestamp::now();
    Ok(plan_fix(
        &snapshot,
        selection,
        &new_id(now),
        target,
        now,
        choice,
    )?)
}

/// [`plan`] for async callers (the terminal UI's background tasks).
pub async fn plan_async(
    source: &Source,
    selection: &Selection,
    target: &str,
) -> Result<FixOutcome, FixError> {
    plan_with_choice_async(source, selection, target, None).await
}

/// [`plan_with_choice`] for async callers (the terminal UI's `f` on an ambiguous fix).
pub async fn plan_with_choice_async(
    source: &Source,
    selection: &Selection,
    target: &str,
    choice: Option<usize>,
) -> Result<FixOutcome, FixError> {
    let snapshot = super::gather_async(&focused(source, selection)).await?;
    let now = jiff::Timestamp::now();
    Ok(plan_fix(
        &snapshot,
        selection,
        &new_id(now),
        target,
        now,
        choice,
    )?)
}

/// How applying a plan ended.
#[derive(Debug)]
pub enum Applied {
    /// Every step made; the diagnosis gathered afresh afterwards.
    Done { after: Box<Report> },
    /// An object changed since the plan was made: nothing was written.
    Conflict { step: usize, reason: String },
    /// Step `step` failed after `step` steps were made (they are in the journal, undo works).
    Failed { step: usize, reason: String },
}

impl Applied {
    pub fn result(&self) -> PlanResult {
        match self {
            Applied::Done { .. } => PlanResult::Applied,
            Applied::Conflict { .. } => PlanResult::Conflict,
            Applied::Failed { .. } => PlanResult::Failed,
        }
    }
}

fn now_text() -> String {
    jiff::Timestamp::now().to_string()
}

/// Whether `step`'s object is still what the plan was made from, read now; `Some(reason)`
/// when it is not.
async fn changed_since(
    step: &Step,
    fresh: &crate::model::Snapshot,
    aws: &AwsWriter<'_>,
) -> Result<Option<String>, String> {
    let read_now = crate::plan::steps::step(&step.change, fresh, fresh);
    let differs = |what: &str| Some(format!("{what} is not what it was when the plan was made"));
    Ok(match &step.change {
        Change::PutTrustPolicy { .. } | Change::PutRolePolicy { .. } => {
            let now = aws.current(&step.change).await.map_err(|e| e.to_string())?;
            let same = match (now.as_deref(), step.before.as_deref()) {
                (Some(n), Some(b)) => same_text(n, b),
                (None, None) => true,
                _ => false,
            };
            (!same).then(|| differs("its document")).flatten()
        }
        Change::UpdatePodIdentityAssociation { .. } => (read_now.before != step.before)
            .then(|| differs("the association"))
            .flatten(),
        Change::CreateRole { .. } => aws
            .current(&step.change)
            .await
            .map_err(|e| e.to_string())?
            .map(|_| "it was created since the plan was made".to_string()),
        Change::AnnotateServiceAccount { .. }
        | Change::DeleteServiceAccount { .. }
        | Change::SetEnv { .. }
        | Change::SetFsGroup { .. }
        | Change::SetServiceAccountName { .. } => {
            let planned = step.precondition.clone().unwrap_or_default();
            let current = read_now.precondition.clone().unwrap_or_default();
            (planned != current)
                .then(|| differs("the object"))
                .flatten()
        }
        Change::CreateServiceAccount { .. } => read_now
            .before
            .is_some()
            .then(|| "it was created since the plan was made".to_string()),
        Change::CreateOidcProvider { url, .. } => {
            let bare = url.trim_start_matches("https://");
            fresh
                .aws
                .iam
                .oidc_providers
                .values()
                .any(|p| p.url == bare)
                .then(|| "it was created since the plan was made".to_string())
        }
        Change::AddClientId {
            provider_arn,
            client_id,
        } => fresh
            .aws
            .iam
            .oidc_providers
            .get(provider_arn)
            .and_then(|p| p.client_ids.as_ref())
            .is_some_and(|ids| ids.contains(client_id))
            .then(|| "the client id was added since the plan was made".to_string()),
        Change::CreatePodIdentityAssociation {
            namespace,
            service_account,
            ..
        } => fresh
            .aws
            .associations
            .known()
            .is_some_and(|l| {
                l.iter()
                    .any(|a| &a.namespace == namespace && &a.service_account == service_account)
            })
            .then(|| "an association for it was created since the plan was made".to_string()),
        Change::CreateAddon { .. } => matches!(
            fresh.aws.pod_identity_agent_addon,
            crate::model::Fact::Known(Some(_))
        )
        .then(|| "it was installed since the plan was made".to_string()),
        // A deletion removes what the plan saw, or nothing: an association, policy, role or
        // add-on that changed since is someone else's now.
        Change::DeleteRolePolicy { .. } | Change::DeleteRole { .. } => {
            let same = match (read_now.before.as_deref(), step.before.as_deref()) {
                (Some(n), Some(b)) => same_text(n, b),
                (None, None) => true,
                _ => false,
            };
            (!same).then(|| differs("it")).flatten()
        }
        Change::DeletePodIdentityAssociation { .. }
        | Change::DetachRolePolicy { .. }
        | Change::DeleteOidcProvider { .. }
        | Change::RemoveClientId { .. }
        | Change::DeleteAddon { .. } => (read_now.before != step.before)
            .then(|| differs("it"))
            .flatten(),
        _ => None,
    })
}

/// Whether a step before `i` writes the same object as step `i` (an IAM document, a
/// workload's template): step `i` was planned on what that step leaves, so it is checked when
/// its turn comes (the document re-read, the generation tested by the API server).
fn written_earlier(plan: &Plan, i: usize) -> bool {
    let doc = |c: &Change| match c {
        Change::PutTrustPolicy { role_name, .. } => Some(format!("trust {role_name}")),
        Change::PutRolePolicy {
            role_name,
            policy_name,
            ..
        } => Some(format!("inline {role_name} {policy_name}")),
        Change::SetEnv { workload, .. }
        | Change::SetFsGroup { workload, .. }
        | Change::SetServiceAccountName { workload, .. } => Some(format!(
            "template {}/{}/{}",
            workload.kind, workload.namespace, workload.name
        )),
        _ => None,
    };
    let Some(this) = doc(&plan.steps[i].change) else {
        return false;
    };
    plan.steps[..i]
        .iter()
        .any(|s| doc(&s.change).as_ref() == Some(&this))
}

fn same_text(a: &str, b: &str) -> bool {
    match (
        crate::policy::decode_document(a),
        crate::policy::decode_document(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// What applying a plan is doing, told as it happens (the terminal UI shows each step's
/// progress from these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepEvent {
    /// Every object was checked against the plan: step `i` (0-based) is journaled and
    /// being made.
    Started(usize),
    /// Step `i` was made.
    Made(usize),
    /// Step `i` failed, for this reason: applying stops there.
    Failed(usize, String),
    /// Every step was made: the cluster and AWS are being read and diagnosed again.
    Diagnosing,
}

/// Applies `plan` live: checks every object first (a conflict writes nothing), journals each
/// step before making it, stops at the first failure, then gathers and diagnoses again.
pub async fn apply_async(
    opts: &LiveOptions,
    plan: &Plan,
    selection: &Selection,
    journal: &Journal,
    undoes: Option<String>,
) -> Result<Applied, FixError> {
    apply_async_with(opts, plan, selection, journal, undoes, &|_| {}).await
}

/// [`apply_async`], telling `on_step` as each step starts and ends, and when the diagnosis
/// after it begins.
pub async fn apply_async_with(
    opts: &LiveOptions,
    plan: &Plan,
    selection: &Selection,
    journal: &Journal,
    undoes: Option<String>,
    on_step: &(dyn Fn(StepEvent) + Send + Sync),
) -> Result<Applied, FixError> {
    let opts = focused_options(opts, selection);
    let (fresh, session) = live::gather_session(&opts).await.map_err(AppError::from)?;
    let kube = KubeWriter::new(session.client.clone());
    let aws = AwsWriter {
        iam: &session.aws.iam,
        eks: &session.aws.eks,
    };
    for (i, step) in plan.steps.iter().enumerate() {
        // A document an earlier step of the plan writes is compared, when its turn comes,
        // with what that step wrote (a migration writes a trust policy twice).
        if written_earlier(plan, i) {
            continue;
        }
        match changed_since(step, &fresh, &aws).await {
            Ok(None) => {}
            Ok(Some(reason)) => {
                return Ok(Applied::Conflict {
                    step: i,
                    reason: format!("{}: {reason}", describe(step)),
                });
            }
            Err(reason) => return Ok(Applied::Failed { step: i, reason }),
        }
    }
    let mut recording = journal.begin(plan, &now_text(), undoes)?;
    for (i, step) in plan.steps.iter().enumerate() {
        let prior = match step.system {
            System::Iam => aws
                .current(&step.change)
                .await
                .ok()
                .flatten()
                .or(step.before.clone()),
            _ => step.before.clone(),
        };
        recording.before_step(i, prior, &now_text())?;
        on_step(StepEvent::Started(i));
        let outcome = match step.system {
            System::Kubernetes => kube
                .apply(&step.change, &step.precondition.clone().unwrap_or_default())
                .await
                .map_err(|e| match e {
                    KubeWriteError::Conflict { .. } => (true, e.to_string()),
                    other => (false, other.to_string()),
                }),
            System::Iam | System::Eks => aws
                .apply(&step.change, step.before.as_deref())
                .await
                .map_err(|e| match e {
                    AwsWriteError::Conflict { .. } => (true, e.to_string()),
                    other => (false, other.to_string()),
                }),
        };
        match outcome {
            Ok(()) => {
                recording.after_step(i, None, &now_text())?;
                on_step(StepEvent::Made(i));
            }
            Err((conflict, reason)) => {
                recording.after_step(i, Some(reason.clone()), &now_text())?;
                on_step(StepEvent::Failed(i, reason.clone()));
                // A conflict at the first step wrote nothing; later, something was written.
                let result = if conflict && i == 0 {
                    PlanResult::Conflict
                } else {
                    PlanResult::Failed
                };
                recording.finish(result)?;
                return Ok(if result == PlanResult::Conflict {
                    Applied::Conflict { step: i, reason }
                } else {
                    Applied::Failed { step: i, reason }
                });
            }
        }
    }
    recording.finish(PlanResult::Applied)?;
    on_step(StepEvent::Diagnosing);
    // Give the controllers a moment to start the new pods before looking again.
    if plan
        .steps
        .iter()
        .any(|s| matches!(s.change, Change::RolloutRestart { .. }))
    {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let after = live::gather(&opts).await.map_err(AppError::from)?;
    let report = diagnose::diagnose(&after, selection).map_err(AppError::from)?;
    Ok(Applied::Done {
        after: Box::new(report),
    })
}

/// [`apply_async`] for synchronous callers.
pub fn apply(
    opts: &LiveOptions,
    plan: &Plan,
    selection: &Selection,
    journal: &Journal,
    undoes: Option<String>,
) -> Result<Applied, FixError> {
    live::block_on(apply_async(opts, plan, selection, journal, undoes)).map_err(AppError::from)?
}

/// `ServiceAccount shop/checkout`, `IAMRole checkout-irsa`: the object of a step, for messages.
pub fn describe(step: &Step) -> String {
    let o = &step.object;
    let name = match (&o.namespace, &o.name, &o.arn) {
        (Some(ns), Some(n), _) => format!("{ns}/{n}"),
        (None, Some(n), _) => n.clone(),
        (_, None, Some(arn)) => arn.clone(),
        _ => String::new(),
    };
    format!("{} {name}", o.kind)
}

/// What `undo` found to do.
#[derive(Debug)]
pub enum UndoPlanned {
    /// The inverse plan of entry `undoes`.
    Ready { plan: Plan, undoes: String },
    /// The entry made no change that is still there.
    NothingToUndo { undoes: String },
    /// No such entry (or, for the last one, none that can be reverted): the sentence says which.
    NotFound(String),
    /// An object changed since the fix: nothing will be written.
    Changed(String),
    /// The entry cannot be reverted (it was itself an undo, say).
    Impossible(String),
}

/// The newest entry that applied something and was not reverted (nor is itself a revert).
fn last_undoable(entries: &[JournalEntry]) -> Option<&JournalEntry> {
    entries.iter().rev().find(|e| {
        e.undoes.is_none()
            && matches!(
                e.result,
                Some(PlanResult::Applied | PlanResult::Failed) | None
            )
            && !entries.iter().any(|u| {
                u.undoes.as_deref() == Some(e.plan.id.as_str())
                    && u.result == Some(PlanResult::Applied)
            })
    })
}

/// Plans the undo of journal entry `id` (the last revertible one when `None`), checked against
/// a fresh gather of `source`.
/// The live read an undo (or any plan applied later) needs: the namespaces of the plan's
/// objects, whatever namespace the kubeconfig context names, and every role of the account
/// when the plan writes IAM (a role the context's namespace does not name is otherwise not
/// read, and would look changed).
pub fn options_for_plan(opts: &LiveOptions, plan: &Plan) -> LiveOptions {
    let mut out = opts.clone();
    out.target = None;
    let namespaces: std::collections::BTreeSet<&str> = plan
        .steps
        .iter()
        .filter_map(|s| s.object.namespace.as_deref())
        .collect();
    let mut only = namespaces.iter();
    match (only.next(), only.next()) {
        (None, _) => {}
        (Some(ns), None) => {
            out.namespace = Some(ns.to_string());
            out.all_namespaces = false;
        }
        (Some(_), Some(_)) => {
            out.namespace = None;
            out.all_namespaces = true;
        }
    }
    if plan.steps.iter().any(|s| s.system == System::Iam) {
        out.all_roles = true;
    }
    out
}

fn source_for_entry(source: &Source, entry: &JournalEntry) -> Source {
    match source {
        Source::Live(opts) => Source::Live(options_for_plan(opts, &entry.plan)),
        other => other.clone(),
    }
}

pub fn plan_undo(
    source: &Source,
    journal: &Journal,
    id: Option<&str>,
) -> Result<UndoPlanned, FixError> {
    let fresh = match find_entry(journal, id)? {
        Err(not_found) => return Ok(not_found),
        Ok(entry) => gather(&source_for_entry(source, &entry))?,
    };
    undo_against(journal, id, &fresh)
}

/// [`plan_undo`] for async callers (the terminal UI's background tasks).
pub async fn plan_undo_async(
    source: &Source,
    journal: &Journal,
    id: Option<&str>,
) -> Result<UndoPlanned, FixError> {
    let fresh = match find_entry(journal, id)? {
        Err(not_found) => return Ok(not_found),
        Ok(entry) => super::gather_async(&source_for_entry(source, &entry)).await?,
    };
    undo_against(journal, id, &fresh)
}

/// The entry `id` names (the last revertible one when `None`), or the sentence saying there
/// is none.
fn find_entry(
    journal: &Journal,
    id: Option<&str>,
) -> Result<Result<JournalEntry, UndoPlanned>, FixError> {
    let entries = journal.list()?;
    let entry = match id {
        Some(id) => entries.iter().find(|e| e.plan.id == id),
        None => last_undoable(&entries),
    };
    Ok(entry.cloned().ok_or_else(|| {
        UndoPlanned::NotFound(match id {
            Some(id) => format!(
                "no plan with id {id} in the journal ({}); `kubectl irsa history` lists them",
                journal.dir().display()
            ),
            None => {
                "nothing to undo: the journal has no applied plan that was not reverted".to_string()
            }
        })
    }))
}

fn undo_against(
    journal: &Journal,
    id: Option<&str>,
    fresh: &crate::model::Snapshot,
) -> Result<UndoPlanned, FixError> {
    let entry = match find_entry(journal, id)? {
        Ok(e) => e,
        Err(not_found) => return Ok(not_found),
    };
    let now = jiff::Timestamp::now();
    Ok(match undo_plan(&entry, fresh, &new_id(now), now) {
        Ok(plan) if plan.steps.is_empty() => UndoPlanned::NothingToUndo {
            undoes: entry.plan.id.clone(),
        },
        Ok(plan) => UndoPlanned::Ready {
            plan,
            undoes: entry.plan.id.clone(),
        },
        Err(UndoError::Changed(reason)) => {
            UndoPlanned::Changed(format!("cannot undo {}: {reason}", entry.plan.id))
        }
        Err(UndoError::Impossible(reason)) => {
            UndoPlanned::Impossible(format!("cannot undo {}: {reason}", entry.plan.id))
        }
    })
}
