//! What flows through the TUI: [`Msg`] in (keys, resizes, ticks, results of background work),
//! [`Work`] out (what the runtime should do next). The update function is the only thing that
//! turns one into the other.

use ratatui::crossterm::event::KeyEvent;

use crate::app::fix::StepEvent;
use crate::app::setup::SetupFacts;
use crate::app::watched::LoadEvent;
use crate::model::Report;
use crate::model::plan::{Choice, Plan};
use crate::model::workload::WorkloadRef;
use crate::plan::migrate::Stage;
use crate::plan::migrate_preflight::Check;
use crate::plan::setup::SetupRequest;

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
    /// A fix or undo plan (`f`, `u`) was made, or why there is none.
    Planned {
        id: u64,
        result: Result<Planned, String>,
    },
    /// The fix asked for (`f`) is ambiguous: the ways to resolve it, to pick one of.
    Choices {
        id: u64,
        choices: Vec<Choice>,
    },
    /// A migration stage (`m`, `M`) was planned, or why there is no plan.
    MigrationPlanned {
        id: u64,
        result: Result<MigrationPlanned, String>,
    },
    /// Applying the plan of `Work::Apply { id, .. }` moved on: a step started or ended.
    Step {
        id: u64,
        event: StepEvent,
    },
    /// Applying a plan ended; `Err` when it could not start (no journal, no cluster).
    Applied {
        id: u64,
        result: Result<ApplyNews, String>,
    },
    /// The setup wizard's background work answered.
    Wizard {
        id: u64,
        news: WizardNews,
    },
}

/// What the setup wizard's background work found.
#[derive(Debug, Clone)]
pub enum WizardNews {
    /// The namespace's facts the choices are read from.
    Facts(Result<SetupFacts, String>),
    /// The setup's plan (a plan, nothing to do, or why not).
    Planned(Result<Planned, String>),
}

/// The setup wizard's background work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WizardWork {
    /// Read what the wizard offers for a namespace.
    Facts { id: u64, namespace: String },
    /// Plan the setup the wizard's choices make.
    Plan { id: u64, request: Box<SetupRequest> },
}

/// What planning a fix or an undo found, as the TUI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// A plan to confirm; `undoes` is the journal id an undo plan reverts.
    Ready {
        plan: Box<Plan>,
        undoes: Option<String>,
    },
    /// Nothing to do or to undo: the sentence says so.
    Nothing(String),
    /// No safe automatic fix: the reasons, each naming its finding and what to do by hand.
    Manual(Vec<String>),
    /// The undo cannot be planned (not found, changed since, impossible): the sentence says why.
    Refused(String),
}

/// What planning a migration stage found: the plan (or why none) with the pre-flight checks
/// and the notes on why its order never leaves a pod without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationPlanned {
    /// The stage planned: `--finalize` when `m` found stage 1 done already.
    pub stage: Stage,
    /// `m` asked for stage 1, which had nothing left to do: this is `--finalize` instead.
    pub finalizing: bool,
    pub planned: Planned,
    pub preflight: Vec<Check>,
    pub notes: Vec<String>,
}

/// How applying a plan ended (the diagnosis after it is gathered again by a new load).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyNews {
    Done,
    /// Nothing was written: an object changed since the plan was made.
    Conflict {
        step: usize,
        reason: String,
    },
    /// Step `step` (0-based) failed; the steps before it were made and are in the journal.
    Failed {
        step: usize,
        reason: String,
    },
}

/// Work the update function asks the runtime to do. Each carries the id its result must come
/// back with, so results of work that was superseded are recognised and dropped; work that is
/// no longer wanted is cancelled as well, so it stops asking the cluster and AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    Load {
        generation: u64,
        scope: Scope,
    },
    Prove {
        id: u64,
        workload: WorkloadRef,
    },
    Copy {
        text: String,
    },
    /// Plan the fix of `workload` (`f`); `choice` (1-based) resolves an ambiguous one.
    PlanFix {
        id: u64,
        workload: WorkloadRef,
        choice: Option<usize>,
    },
    /// Plan `stage` of the migration of `workload` to Pod Identity (`m`: stage 1, or
    /// `--finalize` when stage 1 is done; `M`: rollback).
    PlanMigrate {
        id: u64,
        workload: WorkloadRef,
        stage: Stage,
    },
    /// Plan the undo of the journal's last applied fix (`u`).
    PlanUndo {
        id: u64,
    },
    /// Apply a confirmed plan, journaled; `workload` (a fix's) narrows the gather before it,
    /// else the scope's; `undoes` is the journal id an undo reverts.
    Apply {
        id: u64,
        plan: Box<Plan>,
        workload: Option<WorkloadRef>,
        scope: Scope,
        undoes: Option<String>,
    },
    /// The setup wizard's reads and plans.
    Wizard(WizardWork),
    Cancel(Cancel),
}

/// Background work to stop: a load superseded by a newer one, a proof nobody waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancel {
    Load { generation: u64 },
    Prove { id: u64 },
}
