//! `doctor --prove`: the diagnosis, then the real services asked (STS for IRSA, EKS Auth for
//! Pod Identity, IAM's simulator for `--action`), their answers folded into the report. The
//! targets come from the report and the snapshot, never from pods alone, so a service account
//! no workload runs as yet is proven too.

use super::AppError;
use crate::diagnose::{self, Selection};
use crate::model::Report;
use crate::sources::live::{self, LiveOptions, prove::Prover};

/// [`doctor_with_proof_async`] on the process's runtime, for the CLI.
pub fn doctor_with_proof(opts: &LiveOptions, selection: &Selection) -> Result<Report, AppError> {
    live::block_on(doctor_with_proof_async(opts, selection))?
}

pub async fn doctor_with_proof_async(
    opts: &LiveOptions,
    selection: &Selection,
) -> Result<Report, AppError> {
    let opts = super::focused_options(opts, selection);
    let (snapshot, session) = live::gather_session(&opts).await?;
    let mut report = diagnose::diagnose(&snapshot, selection)?;
    let targets = diagnose::prove::targets(&report, &snapshot);
    let outcomes = live::prove::prove(&Prover::of(&session), &targets, &selection.actions).await;
    diagnose::prove::apply(&mut report, &snapshot, &outcomes);
    Ok(report)
}
