//! What flows through the TUI: [`Msg`] in (keys, resizes, ticks, results of background work),
//! [`Work`] out (what the runtime should do next). The update function is the only thing that
//! turns one into the other.

use ratatui::crossterm::event::KeyEvent;

use crate::app::watched::LoadEvent;
use crate::model::Report;
use crate::model::workload::WorkloadRef;

/// Which namespaces to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Namespace(String),
    /// Live only: the kubeconfig context's namespace, whatever it turns out to be.
    ContextNamespace,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// A timer beat: spinners turn, toasts expire.
    Tick,
    /// Progress of the load with this generation.
    Load {
        generation: u64,
        event: LoadEvent,
    },
    /// The load with this generation finished.
    Loaded {
        generation: u64,
        result: Result<Report, String>,
    },
    /// A proof finished: the report holds the proven workload alone.
    Proved {
        id: u64,
        workload: WorkloadRef,
        result: Result<Report, String>,
    },
    /// The clipboard write finished.
    Copied(Result<(), String>),
}

/// Work the update function asks the runtime to do. Each carries the id its result must come
/// back with, so results of work that was superseded are recognised and dropped; work that is
/// no longer wanted is cancelled as well, so it stops asking the cluster and AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    Load { generation: u64, scope: Scope },
    Prove { id: u64, workload: WorkloadRef },
    Copy { text: String },
    Cancel(Cancel),
}

/// Background work to stop: a load superseded by a newer one, a proof nobody waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancel {
    Load { generation: u64 },
    Prove { id: u64 },
}
