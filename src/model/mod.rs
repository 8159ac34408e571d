//! The data the core works on, with no I/O: what was collected ([`Snapshot`] and its facts),
//! how the chain is reported ([`chain`], [`report`]) and small pure helpers (ARNs, workloads).
//!
//! To add a new kind of fact, add a field to [`snapshot::KubeFacts`] or [`snapshot::AwsFacts`]
//! wrapped in a [`Fact`] so that "not collected" and "access denied" stay distinguishable, then
//! teach the offline loader (src/sources/bundle) and the live adapters to fill it.

pub mod arn;
pub mod aws;
pub mod chain;
pub mod codes;
pub mod command;
pub mod command_target;
pub mod explain;
pub mod fact;
pub mod journal;
pub mod plan;
pub mod proof;
pub mod report;
pub mod snapshot;
pub mod words;
pub mod workload;

pub use chain::{Evidence, Finding, Fix, LinkName, LinkReport, Mechanism, Severity, Status};
pub use command::CommandLine;
pub use command_target::CommandTarget;
pub use fact::{Fact, Missing};
pub use report::{Report, WorkloadReport};
pub use snapshot::{KubeFacts, Listing, Scope, Snapshot, SourceInfo, SourceKind};
