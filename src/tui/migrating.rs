//! `m` and `M`: the move of the workload's service account from IRSA to EKS Pod Identity
//! (issue 12). `m` plans stage 1 (or `--finalize` when stage 1 is done already: the worker asks
//! the planner for stage 1 first), `M` the rollback; the plan opens in the confirmation dialog
//! with the pre-flight checks above its steps and the notes below, and is applied as any fix
//! (`fixing::apply`: live only, never with `--read-only`, journaled, undoable, progress per
//! step, then a reload). A pre-flight check that blocks, or a stage not reached, is a toast
//! with the reasons (readable whole with `v`); nothing is written. Called from `update`; like
//! it, no I/O.

use super::dialog::{About, Migration};
use super::fixing::busy_applying;
use super::message::{MigrationPlanned, Planned, Work};
use super::state::{App, Fixing, Overlay, ToastLevel};
use super::update::toast;
use crate::plan::migrate::Stage;
use crate::plan::migrate_preflight::CheckStatus;

/// `m` (stage 1, or `--finalize` after it) or `M` (rollback) on the workload on screen.
pub fn migrate(app: &mut App, stage: Stage) -> Vec<Work> {
    let Some(workload) = app.current_ref() else {
        return Vec::new();
    };
    if busy_applying(app) {
        return Vec::new();
    }
    app.fix_id += 1;
    let id = app.fix_id;
    let what = match stage {
        Stage::Rollback => "the migration's rollback to IRSA",
        _ => "the move to Pod Identity",
    };
    toast(
        app,
        format!("planning {what} of {workload}…"),
        ToastLevel::Info,
    );
    app.fixing = Some(Fixing::Planning {
        id,
        workload: Some(workload.clone()),
        choice: None,
    });
    vec![Work::PlanMigrate {
        id,
        workload,
        stage,
    }]
}

/// A migration stage came back: the dialog opens on its plan, or a toast says why not.
pub fn on_planned(app: &mut App, id: u64, result: Result<MigrationPlanned, String>) -> Vec<Work> {
    let workload = match &app.fixing {
        Some(Fixing::Planning {
            id: newest,
            workload,
            ..
        }) if *newest == id => workload.clone(),
        _ => return Vec::new(),
    };
    app.fixing = None;
    let m = match result {
        Ok(m) => m,
        Err(e) => {
            toast(app, format!("planning failed: {e}"), ToastLevel::Error);
            return Vec::new();
        }
    };
    let blocked = m.preflight.iter().any(|c| c.status == CheckStatus::Blocked);
    match m.planned {
        Planned::Ready { plan, undoes } => {
            app.toast = None;
            app.overlay = Some(Overlay::Fix {
                plan,
                workload,
                undoes,
                scroll: 0,
                about: About::Migration(Box::new(Migration {
                    stage: m.stage,
                    finalizing: m.finalizing,
                    preflight: m.preflight,
                    notes: m.notes,
                })),
                progress: None,
            });
        }
        Planned::Nothing(text) => toast(app, text, ToastLevel::Info),
        Planned::Manual(reasons) if blocked => toast(
            app,
            format!(
                "the migration is blocked by its pre-flight checks, nothing written (v reads it whole): {}",
                reasons.join("; ")
            ),
            ToastLevel::Warning,
        ),
        Planned::Manual(reasons) => toast(
            app,
            format!(
                "no safe automatic plan, nothing written (v reads it whole): {}",
                reasons.join("; ")
            ),
            ToastLevel::Warning,
        ),
        Planned::Refused(text) => toast(app, text, ToastLevel::Error),
    }
    Vec::new()
}
