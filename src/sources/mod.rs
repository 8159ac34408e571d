//! Adapters that produce a [`Snapshot`](crate::model::Snapshot): everything the diagnosis reads
//! comes from one of these, and the diagnosis never knows which.
//!
//! - [`bundle`]: an offline bundle, a directory of `kubectl` and AWS CLI outputs recognised by
//!   their content;
//! - [`demo`]: the bundle embedded in the binary at compile time (`assets/demo/`).
//!
//! - [`live`]: kube-rs and the AWS SDK against a real cluster and account;
//! - [`dump`]: writes what `live` read as a bundle.
//!
//! Each fills the same `Snapshot`, says per fact why anything is missing, and reports its
//! [`progress`] to whoever watches.

pub mod bundle;
pub mod demo;
pub mod dump;
pub mod live;
pub mod progress;
