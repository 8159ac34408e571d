//! What the confirmation dialog ([`super::state::Overlay::Fix`]) holds beyond its plan: what
//! the plan is about (a fix, the fix with the choice the user picked on an ambiguous one, a
//! migration stage with its pre-flight checks and notes), and
//! once Enter was pressed, the progress of applying it: each step pending, running, made or
//! failed, then the load that shows the chain as it is now. State only, like `state`: the
//! update function writes it, the view reads it.
//!
//! To show something new in the dialog: a variant or field here, set where the dialog opens
//! (`fixing`), drawn in `view::fix`.

use crate::app::fix::StepEvent;
use crate::model::plan::Choice;
use crate::plan::migrate::Stage;
use crate::plan::migrate_preflight::Check;

/// What the plan in the dialog is about, beyond its steps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum About {
    /// A fix (`f`) or an undo (`u`: the overlay's `undoes` names the plan it reverts).
    #[default]
    Plain,
    /// The fix of an ambiguous link with the choice the user picked (`f`, then a choice).
    Choice(Choice),
    /// A stage of the move to Pod Identity (`m`, `M`).
    Migration(Box<Migration>),
}

/// A migration stage's plan: which stage, and what the dialog shows around its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub stage: Stage,
    /// `m` found stage 1 done: this is `--finalize` instead (the title says so).
    pub finalizing: bool,
    pub preflight: Vec<Check>,
    pub notes: Vec<String>,
}

impl About {
    /// The command that prints the dialog's plan without writing (what to run where Enter
    /// cannot apply it): `kubectl irsa fix deploy/x -n ns --choice 2 --dry-run`.
    pub fn dry_run(&self, target: &str, namespace: Option<&str>) -> String {
        // An argv rendered with shell quoting: the target and namespace come from the cluster.
        // A migration's target is its command already (`migrate --finalize deploy/x`); a fix's
        // is the target as typed (`deploy/x`, or `deploy x`).
        let mut argv = vec!["irsa".to_string()];
        if !matches!(self, About::Migration(_)) {
            argv.push("fix".to_string());
        }
        argv.extend(target.split_whitespace().map(str::to_string));
        if let Some(ns) = namespace {
            argv.extend(["-n".to_string(), ns.to_string()]);
        }
        if let About::Choice(c) = self {
            argv.extend(["--choice".to_string(), c.number.to_string()]);
        }
        argv.push("--dry-run".to_string());
        crate::model::CommandLine::kubectl(argv).render()
    }

    /// What the dialog's title calls the plan: `fix`, `fix with choice 2`, `migrate
    /// --finalize (stage 1 is done)`.
    pub fn name(&self) -> String {
        match self {
            About::Plain => "fix".to_string(),
            About::Choice(c) => format!("fix with choice {}", c.number),
            About::Migration(m) => match m.stage {
                Stage::Start => "migrate to Pod Identity (stage 1)".to_string(),
                Stage::Finalize if m.finalizing => {
                    "migrate --finalize (stage 1 is done)".to_string()
                }
                Stage::Finalize => "migrate --finalize".to_string(),
                Stage::Rollback => "migrate --rollback to IRSA".to_string(),
            },
        }
    }
}

/// Where one step of a plan being applied is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    Pending,
    /// Journaled and being made.
    Running,
    Made,
    /// Failed (or found changed since the plan was made), for this reason.
    Failed(String),
}

/// Where applying the plan is, as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Every object is compared with what the plan was made from; nothing is written yet.
    Checking,
    /// The steps are being made (their states say which).
    Applying,
    /// Every step made: read and diagnosed again, then the load `generation` (once known)
    /// gathers the list; when it ends the dialog closes on the chain as it is now, and the
    /// outcome's sentence (once known) is toasted again.
    Reloading {
        generation: Option<u64>,
        outcome: Option<String>,
    },
    /// It stopped (a conflict, a failure, an error): the sentence says how; the dialog stays
    /// until Esc, the list behind it is gathered again.
    Stopped(String),
}

/// The progress of applying the dialog's plan: the answer to `Work::Apply { id, .. }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub id: u64,
    pub steps: Vec<StepState>,
    pub phase: Phase,
}

impl Progress {
    pub fn new(id: u64, steps: usize) -> Progress {
        Progress {
            id,
            steps: vec![StepState::Pending; steps],
            phase: Phase::Checking,
        }
    }

    /// What the apply said it is doing.
    pub fn on_step(&mut self, event: StepEvent) {
        if matches!(self.phase, Phase::Stopped(_)) {
            return;
        }
        self.phase = match event {
            StepEvent::Diagnosing => Phase::Reloading {
                generation: None,
                outcome: None,
            },
            _ => Phase::Applying,
        };
        let mut set = |i: usize, state: StepState| {
            if let Some(s) = self.steps.get_mut(i) {
                *s = state;
            }
        };
        match event {
            StepEvent::Started(i) => set(i, StepState::Running),
            StepEvent::Made(i) => set(i, StepState::Made),
            StepEvent::Failed(i, reason) => set(i, StepState::Failed(reason)),
            StepEvent::Diagnosing => {}
        }
    }

    /// How many steps were made.
    pub fn made(&self) -> usize {
        self.steps.iter().filter(|s| **s == StepState::Made).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dry-run command is an argv rendered with shell quoting: a value from the cluster
    /// cannot add words or run anything when pasted.
    #[test]
    fn the_dry_run_command_quotes_what_came_from_the_cluster() {
        let shown = About::Plain.dry_run("deploy/x", Some("team a;rm -rf ~"));
        assert_eq!(
            shown,
            "kubectl irsa fix deploy/x -n 'team a;rm -rf ~' --dry-run"
        );
    }
}
