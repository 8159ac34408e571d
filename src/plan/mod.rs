//! Planners: pure functions from a Snapshot (and what the user asked) to a
//! [`crate::model::plan::Plan`], proven before they are offered by applying the plan in memory
//! ([`simulate`]) and diagnosing the result again. No I/O: writers in the adapters make the
//! changes for real.
//!
//! [`webhook`] is what the EKS pod identity webhook does at pod creation, for the restart
//! step's new pods.

pub mod simulate;
pub mod webhook;
