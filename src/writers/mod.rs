//! Writers: the adapters that change a cluster or an AWS account, one module per system, and
//! the journal of what was changed (DESIGN.md "Architecture"). Only the service layer calls
//! them, after a plan was proven, previewed and confirmed; `doctor` never does.

pub mod aws;
pub mod journal;
pub mod kubernetes;
