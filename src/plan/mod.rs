//! Planners: pure functions from a Snapshot (and what the user asked) to a
//! [`crate::model::plan::Plan`], proven before they are offered by applying the plan in memory
//! ([`simulate`]) and diagnosing the result again. No I/O: writers in the adapters make the
//! changes for real.
//!
//! [`fix`] plans the fix of what the doctor reports broken; [`steps`] turns each change into a
//! step with its before and after states and commands ([`unchanged`]: the rest of an IAM object
//! it edits, for `-o terraform`); [`webhook`] is what the EKS pod identity webhook does at pod
//! creation, for the restart step's new pods. [`migrate`] plans the stages of the move from
//! IRSA to Pod Identity (with `migrate_stages`, `migrate_trust` and `migrate_preflight`).

pub mod diff;
pub mod fix;
#[cfg(test)]
mod fix_choice_tests;
#[cfg(test)]
mod fix_tests;
pub mod migrate;
pub mod migrate_preflight;
mod migrate_stages;
#[cfg(test)]
mod migrate_tests;
pub mod migrate_trust;
#[cfg(test)]
mod migrate_trust_tests;
pub mod setup;
pub mod setup_options;
pub mod setup_policy;
pub mod simulate;
pub mod simulate_addon;
pub mod step_commands;
pub mod step_inverse;
pub mod steps;
pub mod terraform;
#[cfg(test)]
mod terraform_tests;
pub mod unchanged;
pub mod undo;
mod undo_deletions;
#[cfg(test)]
mod undo_tests;
pub mod webhook;
