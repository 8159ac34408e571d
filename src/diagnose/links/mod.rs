//! One module per link of the chain (DESIGN.md table), each a pure function of the workload
//! context returning a [`crate::model::LinkReport`]. To add a check, add a finding code in
//! `model::codes` and emit it from the link it belongs to, citing the field-guide entry.

pub mod agent;
pub mod annotation;
pub mod association;
pub mod fix_document;
pub mod injection;
pub mod injection_chain;
pub mod injection_env;
mod injection_fixes;
pub mod oidc_provider;
pub mod permissions;
pub mod pod;
pub mod role;
pub mod service_account;
pub mod trust_irsa;
pub mod trust_irsa_fix;
pub mod trust_lints;
pub mod trust_pod_identity;
pub mod trust_render;
