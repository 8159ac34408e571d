//! kubectl-irsa: walks the IRSA / EKS Pod Identity chain of a workload and reports the first
//! broken link with its evidence.
//!
//! Layers (dependencies point inward only):
//! - core, pure and without I/O: [`policy`] (IAM policy parsing and evaluation), [`model`]
//!   (Snapshot, chain, report types) and [`diagnose`] (one module per link);
//! - adapters: [`sources`] (offline bundles, the embedded demo, live Kubernetes and AWS);
//! - service layer: [`app`] (gather facts, diagnose, prove);
//! - front ends: [`cli`] and the terminal UI [`tui`], which show untrusted text only through
//!   [`terminal_text`] (pure: control characters shown escaped).
//!
//! Bad input of any kind is an error naming what was wrong, never a panic: outside tests, no
//! `unwrap`/`expect` (the denial below; Cargo.toml's `[lints]` holds the rest).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod app;
pub mod cli;
pub mod diagnose;
pub mod model;
pub mod plan;
pub mod policy;
pub mod sources;
pub mod state_dir;
pub mod terminal_text;
pub mod tui;
pub mod writers;
