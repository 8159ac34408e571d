//! Runs the [`Work`] the update function asks for: each load or proof a task on the one
//! background runtime of the process ([`Background`]), its results sent back as messages. The
//! worker keeps each task's handle, so a [`Work::Cancel`] stops a superseded load or an
//! abandoned proof where it waits: its requests in flight are dropped and nothing after them
//! is sent. Results carry their id as well, and the update function drops any that slip
//! through.

use std::collections::BTreeMap;
use std::sync::mpsc::Sender;

use super::message::{ApplyNews, Cancel, MigrationPlanned, Msg, Planned, Scope, Work};
use crate::app::background::{Background, Task};
use crate::app::fix::{self, Applied, UndoPlanned};
use crate::app::migrate;
use crate::app::watched::{self, LoadEvent};
use crate::app::{AppError, Source};
use crate::diagnose::{LabelSelector, Selection, Target};
use crate::model::Report;
use crate::model::plan::{Choice, Plan};
use crate::model::report::RequestedAction;
use crate::model::workload::WorkloadRef;
use crate::plan::fix::FixOutcome;
use crate::plan::migrate::Stage;
use crate::sources::live::LiveOptions;
use crate::writers::journal::Journal;

/// Where the TUI reads from, as given on the command line, and the work in flight.
pub struct Worker {
    pub source: Source,
    pub actions: Vec<RequestedAction>,
    /// `-l`, and the target of `kubectl irsa tui TARGET`: every load narrows to them.
    pub selector: Option<LabelSelector>,
    pub target: Option<Target>,
    pub tx: Sender<Msg>,
    background: Background,
    loads: BTreeMap<u64, Task>,
    proofs: BTreeMap<u64, Task>,
}

impl Worker {
    pub fn new(
        source: Source,
        actions: Vec<RequestedAction>,
        tx: Sender<Msg>,
    ) -> Result<Worker, AppError> {
        Ok(Worker {
            source,
            actions,
            selector: None,
            target: None,
            tx,
            background: Background::new()?,
            loads: BTreeMap::new(),
            proofs: BTreeMap::new(),
        })
    }

    /// The source and selection for `scope`: live runs list only what they show; bundles are
    /// read whole and filtered by the diagnosis.
    pub fn scoped(&self, scope: &Scope) -> (Source, Selection) {
        let namespace = match scope {
            Scope::Namespace(ns) => Some(ns.clone()),
            Scope::All | Scope::ContextNamespace => None,
        };
        let source = match &self.source {
            Source::Live(opts) => Source::Live(LiveOptions {
                namespace: namespace.clone(),
                all_namespaces: *scope == Scope::All,
                // As `doctor TARGET` does: read only the target's roles whole.
                target: self.target.clone(),
                ..opts.clone()
            }),
            other => other.clone(),
        };
        let selection = Selection {
            namespace,
            target: self.target.clone(),
            selector: self.selector.clone(),
            actions: self.actions.clone(),
        };
        (source, selection)
    }

    fn forget_finished(&mut self) {
        self.loads.retain(|_, t| !t.is_finished());
        self.proofs.retain(|_, t| !t.is_finished());
    }

    /// Starts `work` (a load or a proof as a task; clipboard writes go through `copy`), or
    /// cancels the task a [`Work::Cancel`] names.
    pub fn run(&mut self, work: Work, copy: &mut dyn FnMut(&str) -> Result<(), String>) {
        self.forget_finished();
        match work {
            Work::Load { generation, scope } => {
                let (source, selection) = self.scoped(&scope);
                let tx = self.tx.clone();
                let events = self.tx.clone();
                tracing::info!(generation, ?scope, "load");
                let load = async move {
                    let on_event = move |event: LoadEvent| {
                        let _ = events.send(Msg::Load { generation, event });
                    };
                    watched::load_watched_async(&source, &selection, &on_event)
                        .await
                        .map_err(|e| e.to_string())
                };
                let done = move |result: Result<Result<Report, String>, String>| {
                    let result = result.and_then(|r| r);
                    match &result {
                        Ok(r) => {
                            tracing::info!(generation, workloads = r.workloads.len(), "loaded")
                        }
                        Err(e) => tracing::warn!(generation, error = %e, "load failed"),
                    }
                    let _ = tx.send(Msg::Loaded { generation, result });
                };
                let task = self.background.spawn("loading", load, done);
                self.loads.insert(generation, task);
            }
            Work::Prove { id, workload } => {
                let Source::Live(opts) = self.source.clone() else {
                    let _ = self.tx.send(Msg::Proved {
                        id,
                        workload,
                        result: Err("proofs need a live cluster".into()),
                    });
                    return;
                };
                let tx = self.tx.clone();
                let actions = self.actions.clone();
                tracing::info!(id, %workload, "prove");
                let target = workload.clone();
                let prove = async move {
                    watched::prove_workload_async(&opts, &target, &actions)
                        .await
                        .map_err(|e| e.to_string())
                };
                let done = move |result: Result<Result<Report, String>, String>| {
                    let result = result.and_then(|r| r);
                    if let Err(e) = &result {
                        tracing::warn!(id, error = %e, "proof failed");
                    }
                    let _ = tx.send(Msg::Proved {
                        id,
                        workload,
                        result,
                    });
                };
                let task = self.background.spawn("proving", prove, done);
                self.proofs.insert(id, task);
            }
            Work::PlanFix {
                id,
                workload,
                choice,
            } => self.plan_fix(id, workload, choice),
            Work::PlanUndo { id } => self.plan_undo(id),
            Work::PlanMigrate {
                id,
                workload,
                stage,
            } => self.plan_migrate(id, workload, stage),
            Work::Apply {
                id,
                plan,
                workload,
                scope,
                undoes,
            } => self.apply(id, *plan, workload.as_ref(), &scope, undoes),
            Work::Wizard(work) => {
                let (source, tx) = (self.source.clone(), self.tx.clone());
                super::wizard::work::spawn(&self.background, source, work, tx);
            }
            Work::Cancel(cancel) => {
                let task = match cancel {
                    Cancel::Load { generation } => self.loads.remove(&generation),
                    Cancel::Prove { id } => self.proofs.remove(&id),
                };
                if let Some(task) = task {
                    tracing::info!(?cancel, "cancelled");
                    task.cancel();
                }
            }
            Work::Copy { text } => {
                let _ = self.tx.send(Msg::Copied(copy(&text)));
            }
        }
    }

    /// The source and selection of one workload: its namespace, and it as the target (as
    /// `kubectl irsa fix deploy/NAME -n NS` selects it).
    fn workload_scoped(&self, workload: &WorkloadRef) -> (Source, Selection) {
        let target = Target::Workload(workload.kind, workload.name.clone());
        let (source, mut selection) = self.scoped(&Scope::Namespace(workload.namespace.clone()));
        let source = match source {
            Source::Live(opts) => Source::Live(LiveOptions {
                target: Some(target.clone()),
                ..opts
            }),
            other => other,
        };
        selection.target = Some(target);
        (source, selection)
    }

    /// Plans the fix of `workload` (with `choice`, 1-based, when the user picked one) in the
    /// background; the answer comes back as [`Msg::Planned`], or as [`Msg::Choices`] when the
    /// fix is ambiguous.
    fn plan_fix(&mut self, id: u64, workload: WorkloadRef, choice: Option<usize>) {
        let (source, selection) = self.workload_scoped(&workload);
        // The label `kubectl irsa fix` would have been given: it names the plan in the journal.
        let label = format!("{}/{}", workload.kind.short(), workload.name);
        tracing::info!(id, %workload, ?choice, "plan fix");
        let plan = async move {
            fix::plan_with_choice_async(&source, &selection, &label, choice)
                .await
                .map(|outcome| match outcome {
                    // The TUI does not pick for the user: it lists the ways to pick from.
                    FixOutcome::NeedsChoice { choices } => Err(choices),
                    FixOutcome::NothingToDo => Ok(Planned::Nothing(format!(
                        "nothing to fix: {workload} has no broken link"
                    ))),
                    // Only Jobs to re-create (the identity is right already): nothing to apply.
                    FixOutcome::Ready { plan, .. } if plan.steps.is_empty() => {
                        Ok(Planned::Nothing(format!(
                            "nothing to write: re-create by hand {}",
                            plan.recreate
                                .iter()
                                .map(|r| format!(
                                    "{} {}/{} ({}: `{}`)",
                                    r.kind,
                                    r.namespace,
                                    r.name,
                                    r.how,
                                    r.command.render()
                                ))
                                .collect::<Vec<_>>()
                                .join("; ")
                        )))
                    }
                    FixOutcome::Ready { plan, .. } => Ok(Planned::Ready {
                        plan: Box::new(plan),
                        undoes: None,
                    }),
                    FixOutcome::Manual { reasons } => Ok(Planned::Manual(reasons)),
                })
                .map_err(|e| e.to_string())
        };
        let tx = self.tx.clone();
        let done = move |result: Result<Result<Result<Planned, Vec<Choice>>, String>, String>| {
            let msg = match result.and_then(|r| r) {
                Ok(Err(choices)) => Msg::Choices { id, choices },
                Ok(Ok(planned)) => Msg::Planned {
                    id,
                    result: Ok(planned),
                },
                Err(e) => {
                    tracing::warn!(id, error = %e, "planning failed");
                    Msg::Planned { id, result: Err(e) }
                }
            };
            let _ = tx.send(msg);
        };
        // Not kept for cancelling, as any plan (see `spawn_planning`).
        let _ = self.background.spawn("planning a fix", plan, done);
    }

    /// Plans `stage` of the migration of `workload` to Pod Identity in the background: for
    /// stage 1 with nothing left to do, `--finalize` instead. The answer comes back as
    /// [`Msg::MigrationPlanned`].
    fn plan_migrate(&mut self, id: u64, workload: WorkloadRef, stage: Stage) {
        let (source, selection) = self.workload_scoped(&workload);
        let target = format!("{}/{}", workload.kind.short(), workload.name);
        tracing::info!(id, %workload, ?stage, "plan migration");
        let plan = async move {
            // The label `kubectl irsa migrate` would have been given: it names the plan.
            let label = |stage: Stage| format!("migrate{} {target}", stage.flag());
            let fail = |e: crate::app::fix::FixError| e.to_string();
            let mut out = migrate::plan_async(&source, &selection, stage, &label(stage))
                .await
                .map_err(fail)?;
            let finalizing =
                stage == Stage::Start && matches!(out.outcome, FixOutcome::NothingToDo);
            let stage = if finalizing {
                out = migrate::plan_async(
                    &source,
                    &selection,
                    Stage::Finalize,
                    &label(Stage::Finalize),
                )
                .await
                .map_err(fail)?;
                Stage::Finalize
            } else {
                stage
            };
            let planned = match out.outcome {
                FixOutcome::NothingToDo => Planned::Nothing(match stage {
                    Stage::Rollback => format!(
                        "nothing to roll back: {workload} is on IRSA as before the migration"
                    ),
                    _ => format!(
                        "nothing to migrate: {workload} is on Pod Identity already (stage 1 and --finalize are done)"
                    ),
                }),
                FixOutcome::Ready { plan, .. } => Planned::Ready {
                    plan: Box::new(plan),
                    undoes: None,
                },
                FixOutcome::Manual { reasons } => Planned::Manual(reasons),
                FixOutcome::NeedsChoice { .. } => Planned::Refused(
                    "the migration planner asked for a choice, which it never offers".into(),
                ),
            };
            Ok(MigrationPlanned {
                stage,
                finalizing,
                planned,
                preflight: out.preflight,
                notes: out.notes,
            })
        };
        let tx = self.tx.clone();
        let done = move |result: Result<Result<MigrationPlanned, String>, String>| {
            let result = result.and_then(|r| r);
            if let Err(e) = &result {
                tracing::warn!(id, error = %e, "planning a migration failed");
            }
            let _ = tx.send(Msg::MigrationPlanned { id, result });
        };
        // Not kept for cancelling, as any plan (see `spawn_planning`).
        let _ = self.background.spawn("planning a migration", plan, done);
    }

    /// Plans the undo of the journal's last applied fix, against a fresh gather of the
    /// source as given (undo writes to a live cluster only: update asks for it only there).
    fn plan_undo(&mut self, id: u64) {
        let source = self.source.clone();
        tracing::info!(id, "plan undo");
        let plan = async move {
            let journal = Journal::default_location().map_err(|e| e.to_string())?;
            let planned = fix::plan_undo_async(&source, &journal, None)
                .await
                .map_err(|e| e.to_string())?;
            Ok(match planned {
                UndoPlanned::Ready { plan, undoes } => Planned::Ready {
                    plan: Box::new(plan),
                    undoes: Some(undoes),
                },
                UndoPlanned::NothingToUndo { undoes } => Planned::Nothing(format!(
                    "nothing to undo: plan {undoes} made no change that is still there"
                )),
                UndoPlanned::NotFound(m) => Planned::Nothing(m),
                UndoPlanned::Changed(m) => Planned::Refused(format!("{m}; nothing written")),
                UndoPlanned::Impossible(m) => Planned::Refused(m),
            })
        };
        self.spawn_planning(id, "planning an undo", plan);
    }

    fn spawn_planning(
        &mut self,
        id: u64,
        what: &'static str,
        plan: impl Future<Output = Result<Planned, String>> + Send + 'static,
    ) {
        let tx = self.tx.clone();
        let done = move |result: Result<Result<Planned, String>, String>| {
            let result = result.and_then(|r| r);
            if let Err(e) = &result {
                tracing::warn!(id, error = %e, "planning failed");
            }
            let _ = tx.send(Msg::Planned { id, result });
        };
        // Not kept for cancelling: a plan is only read, and its answer is dropped when the
        // user has moved on (its id is no longer the newest).
        let _ = self.background.spawn(what, plan, done);
    }

    /// What applying reads first to check that nothing changed since the plan was made: the
    /// workload's namespace, else `scope`'s (a setup wizard's namespace pattern spans
    /// namespaces the source as given does not read), never the source as given.
    pub(super) fn apply_scoped(
        &self,
        workload: Option<&WorkloadRef>,
        scope: &Scope,
    ) -> (Source, Selection) {
        match workload {
            Some(w) => self.workload_scoped(w),
            None => {
                let (source, selection) = self.scoped(scope);
                let selection = Selection {
                    target: None,
                    ..selection
                };
                (source, selection)
            }
        }
    }

    /// Applies a confirmed plan, journaled (live only); the answer is [`Msg::Applied`].
    fn apply(
        &mut self,
        id: u64,
        plan: Plan,
        workload: Option<&WorkloadRef>,
        scope: &Scope,
        undoes: Option<String>,
    ) {
        let (source, selection) = self.apply_scoped(workload, scope);
        let Source::Live(opts) = source else {
            let _ = self.tx.send(Msg::Applied {
                id,
                result: Err("applying a plan needs a live cluster".into()),
            });
            return;
        };
        let tx = self.tx.clone();
        // Each step's start and end, as it happens: the dialog shows the progress.
        let steps = self.tx.clone();
        tracing::info!(id, plan = %plan.id, steps = plan.steps.len(), "apply");
        let apply = async move {
            let journal = Journal::default_location().map_err(|e| e.to_string())?;
            let on_step = move |event: fix::StepEvent| {
                tracing::info!(id, ?event, "apply step");
                let _ = steps.send(Msg::Step { id, event });
            };
            let applied =
                fix::apply_async_with(&opts, &plan, &selection, &journal, undoes, &on_step)
                    .await
                    .map_err(|e| e.to_string())?;
            Ok(match applied {
                Applied::Done { .. } => ApplyNews::Done,
                Applied::Conflict { step, reason } => ApplyNews::Conflict { step, reason },
                Applied::Failed { step, reason } => ApplyNews::Failed { step, reason },
            })
        };
        let done = move |result: Result<Result<ApplyNews, String>, String>| {
            let result = result.and_then(|r| r);
            match &result {
                Ok(news) => tracing::info!(id, ?news, "applied"),
                Err(e) => tracing::warn!(id, error = %e, "apply failed"),
            }
            let _ = tx.send(Msg::Applied { id, result });
        };
        // Never cancelled: stopping between steps would leave a half-made fix on purpose.
        let _ = self.background.spawn("applying", apply, done);
    }
}
