//! Planners: pure functions from a Snapshot (and what the user asked) to a
//! [`crate::model::plan::Plan`], proven before they are offered by applying the plan in memory
//! ([`simulate`]) and diagnosing the result again. No I/O: writers in the adapters make the
//! changes for real.
//!
//! [`fix`] plans the fix of what the doctor reports broken; [`steps`] turns each change into a
//! step with its before and after states and commands; [`webhook`] is what the EKS pod
//! identity webhook does at pod creation, for the restart step's new pods.

pub mod diff;
pub mod fix;
#[cfg(test)]
mod fix_tests;
pub mod setup;
pub mod setup_options;
pub mod setup_policy;
pub mod simulate;
pub mod step_commands;
pub mod steps;
pub mod terraform;
pub mod undo;
pub mod webhook;
