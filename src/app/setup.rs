//! The service layer of `kubectl irsa setup` (and the wizard): gather what the setup touches,
//! plan it with the pure setup planner, and hand back the plan and the selections to diagnose
//! again once it is applied (applying is [`super::fix::apply`], like every plan).

use super::{AppError, Source, gather};
use crate::plan::setup::{Planned, SetupError, SetupRequest, plan_setup};

#[derive(Debug, thiserror::Error)]
pub enum SetupAppError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Setup(#[from] SetupError),
}

/// The source to read for `req`: every namespace and every role of the account. The planner
/// must know whether the role it would create exists already (a read scoped to one namespace
/// reads only the roles its service accounts name, so a new role's name could not be told
/// free), must find an existing `--role` by name, and for a wildcard finds the matching
/// namespaces itself. A live read of all namespaces is what scans the account's roles.
pub fn source_for(source: &Source, _req: &SetupRequest) -> Source {
    match source {
        Source::Live(opts) => {
            let mut opts = opts.clone();
            opts.target = None;
            opts.namespace = None;
            opts.all_namespaces = true;
            Source::Live(opts)
        }
        other => other.clone(),
    }
}

/// Plans `req` on a fresh read of `source`.
pub fn plan(source: &Source, req: &SetupRequest, label: &str) -> Result<Planned, SetupAppError> {
    crate::plan::setup::validate(req)?;
    let snapshot = gather(&source_for(source, req))?;
    let now = jiff::Timestamp::now();
    Ok(plan_setup(
        &snapshot,
        req,
        &super::fix::new_id(now),
        label,
        now,
    )?)
}
