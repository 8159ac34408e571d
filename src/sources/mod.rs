//! Adapters that produce a [`Snapshot`](crate::model::Snapshot): everything the diagnosis reads
//! comes from one of these, and the diagnosis never knows which.
//!
//! - [`bundle`]: an offline bundle, a directory of `kubectl` and AWS CLI outputs recognised by
//!   their content;
//! - [`demo`]: the bundle embedded in the binary at compile time (`assets/demo/`).
//!
//! Live adapters (kube-rs, the AWS SDK) will be added here as sibling modules; each fills the
//! same `Snapshot` and says per fact why anything is missing.

pub mod bundle;
pub mod demo;
pub mod dump;
pub mod live;
