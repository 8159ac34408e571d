//! Shared test support: fakes of the services the live adapters talk to.

pub mod fake_aws;
pub mod fake_kube;
pub mod live_env;
pub mod scenario_runs;
