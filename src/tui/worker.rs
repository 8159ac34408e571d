//! Runs the [`Work`] the update function asks for, each load or proof on a thread of its own,
//! and sends the results back as messages. Superseded work is not interrupted; its results
//! carry their id and the update function drops them.

use std::sync::mpsc::Sender;
use std::thread;

use super::message::{Msg, Scope, Work};
use crate::app::Source;
use crate::app::watched::{self, LoadEvent};
use crate::diagnose::Selection;
use crate::model::report::RequestedAction;
use crate::sources::live::LiveOptions;

/// Runs `work`, turning a panic into an error the screen shows: a worker that died silently
/// would leave a spinner turning forever. The panic itself is in the log.
fn guarded<T>(what: &str, work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        Err(format!(
            "internal error while {what}: {why} (a bug: please report it with the log file)"
        ))
    })
}

/// Where the TUI reads from, as given on the command line.
#[derive(Debug, Clone)]
pub struct Worker {
    pub source: Source,
    pub actions: Vec<RequestedAction>,
    pub tx: Sender<Msg>,
}

impl Worker {
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
                ..opts.clone()
            }),
            other => other.clone(),
        };
        let selection = Selection {
            namespace,
            target: None,
            actions: self.actions.clone(),
        };
        (source, selection)
    }

    /// Starts `work` (a load or a proof on a thread; clipboard writes go through `copy`).
    pub fn run(&self, work: Work, copy: &mut dyn FnMut(&str) -> Result<(), String>) {
        match work {
            Work::Load { generation, scope } => {
                let (source, selection) = self.scoped(&scope);
                let tx = self.tx.clone();
                tracing::info!(generation, ?scope, "load");
                thread::spawn(move || {
                    let on_event = |event: LoadEvent| {
                        let _ = tx.send(Msg::Load { generation, event });
                    };
                    let result = guarded("loading", || {
                        watched::load_watched(&source, &selection, &on_event)
                            .map_err(|e| e.to_string())
                    });
                    match &result {
                        Ok(r) => {
                            tracing::info!(generation, workloads = r.workloads.len(), "loaded")
                        }
                        Err(e) => tracing::warn!(generation, error = %e, "load failed"),
                    }
                    let _ = tx.send(Msg::Loaded { generation, result });
                });
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
                thread::spawn(move || {
                    let result = guarded("proving", || {
                        watched::prove_workload(&opts, &workload, &actions)
                            .map_err(|e| e.to_string())
                    });
                    if let Err(e) = &result {
                        tracing::warn!(id, error = %e, "proof failed");
                    }
                    let _ = tx.send(Msg::Proved {
                        id,
                        workload,
                        result,
                    });
                });
            }
            Work::Copy { text } => {
                let _ = self.tx.send(Msg::Copied(copy(&text)));
            }
        }
    }
}
