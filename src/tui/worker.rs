//! Runs the [`Work`] the update function asks for: each load or proof a task on the one
//! background runtime of the process ([`Background`]), its results sent back as messages. The
//! worker keeps each task's handle, so a [`Work::Cancel`] stops a superseded load or an
//! abandoned proof where it waits: its requests in flight are dropped and nothing after them
//! is sent. Results carry their id as well, and the update function drops any that slip
//! through.

use std::collections::BTreeMap;
use std::sync::mpsc::Sender;

use super::message::{Cancel, Msg, Scope, Work};
use crate::app::background::{Background, Task};
use crate::app::watched::{self, LoadEvent};
use crate::app::{AppError, Source};
use crate::diagnose::{LabelSelector, Selection, Target};
use crate::model::Report;
use crate::model::report::RequestedAction;
use crate::sources::live::LiveOptions;

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
}
