//! The service layer of `kubectl irsa migrate` (and the terminal UI's `m`): gather the facts
//! the selection reads, read the journal (rollback restores documents as they were from it),
//! and plan the stage asked for. Applying is `app::fix::apply`, as for every plan.

use super::fix::{FixError, new_id};
use super::{Source, focused, gather};
use crate::diagnose::Selection;
use crate::plan::migrate::{MigrateOutcome, Stage, plan_migrate};
use crate::writers::journal::Journal;

/// The journal's entries; none when there is no journal yet (or it cannot be read: rollback
/// then restores documents structurally and its plan says so).
fn journal_entries() -> Vec<crate::model::journal::JournalEntry> {
    Journal::default_location()
        .and_then(|j| j.list())
        .unwrap_or_default()
}

/// Plans `stage` of the migration of what `selection` selects, proven in memory; `target`
/// labels the plan (`migrate --finalize deploy/checkout`).
pub fn plan(
    source: &Source,
    selection: &Selection,
    stage: Stage,
    target: &str,
) -> Result<MigrateOutcome, FixError> {
    let snapshot = gather(&focused(source, selection))?;
    let now = jiff::Timestamp::now();
    Ok(plan_migrate(
        &snapshot,
        selection,
        stage,
        &journal_entries(),
        &new_id(now),
        target,
        now,
    )?)
}

/// [`plan`] for async callers (the terminal UI's background tasks).
pub async fn plan_async(
    source: &Source,
    selection: &Selection,
    stage: Stage,
    target: &str,
) -> Result<MigrateOutcome, FixError> {
    let snapshot = super::gather_async(&focused(source, selection)).await?;
    let now = jiff::Timestamp::now();
    Ok(plan_migrate(
        &snapshot,
        selection,
        stage,
        &journal_entries(),
        &new_id(now),
        target,
        now,
    )?)
}
