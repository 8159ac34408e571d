//! The service layer: front ends ask it for a diagnosis and never talk to a source or the
//! core directly. It gathers a Snapshot from the chosen source and runs the diagnosis.
//! Live sources (kube-rs, the AWS SDK) plug in here as another [`Source`]. Interactive front
//! ends use [`watched`], which reports progress while it works, and [`background`] to run it
//! as tasks that can be cancelled. `--prove` lives in `prove`.

pub mod background;
pub mod fix;
pub mod migrate;
mod prove;
pub mod setup;
pub mod watched;

pub use prove::{doctor_with_proof, doctor_with_proof_async};

use std::path::PathBuf;

use thiserror::Error;

use crate::diagnose::{self, DiagnoseError, Selection};
use crate::model::{Report, Snapshot};
use crate::sources::bundle::{self, BundleError};
use crate::sources::demo;
use crate::sources::live::{self, LiveError, LiveOptions};

/// Where facts come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// One or more offline bundle directories, merged.
    Offline(Vec<PathBuf>),
    /// The demo bundle embedded in the binary.
    Demo,
    /// A live cluster and AWS account.
    Live(LiveOptions),
}

#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(transparent)]
    Diagnose(#[from] DiagnoseError),
    #[error(transparent)]
    Live(#[from] LiveError),
    #[error(transparent)]
    Dump(#[from] crate::sources::dump::DumpError),
    #[error(
        "--prove asks STS and EKS Auth for real and needs a live cluster; it cannot run on --offline or --demo"
    )]
    ProveNeedsLive,
}

impl AppError {
    /// The documented exit code: bad input is 2; a source that cannot be reached is 3.
    pub fn exit_code(&self) -> i32 {
        use crate::model::report::exit;
        match self {
            AppError::Bundle(_)
            | AppError::Diagnose(_)
            | AppError::ProveNeedsLive
            | AppError::Dump(_) => exit::USAGE,
            AppError::Live(
                LiveError::Kubeconfig(_)
                | LiveError::NoSuchContext { .. }
                | LiveError::NoRegion
                | LiveError::ClusterUnknown(_)
                | LiveError::ClusterNotFound(_),
            ) => exit::USAGE,
            AppError::Live(_) => exit::INCOMPLETE,
        }
    }
}

/// [`gather`] for async callers (the terminal UI's background tasks), which must not block on
/// the runtime they run on.
pub async fn gather_async(source: &Source) -> Result<Snapshot, AppError> {
    Ok(match source {
        Source::Offline(dirs) => bundle::load_dirs(dirs)?,
        Source::Demo => demo::load()?,
        Source::Live(opts) => live::gather(opts).await?,
    })
}

pub fn gather(source: &Source) -> Result<Snapshot, AppError> {
    Ok(match source {
        Source::Offline(dirs) => bundle::require_kubernetes(bundle::load_dirs(dirs)?, dirs)?,
        Source::Demo => demo::load()?,
        Source::Live(opts) => live::gather_blocking(opts)?,
    })
}

/// What `dump` writes: the facts the selection reads (`diagnose::narrow`), so `dump -n NS`
/// holds that namespace and what its chains read, and no other namespace's objects.
pub fn gather_for_dump(source: &Source, selection: &Selection) -> Result<Snapshot, AppError> {
    Ok(diagnose::narrow::narrow(&gather(source)?, selection))
}

/// Refuses a dump directory in use, before a whole cluster is read for it.
pub fn check_dump_target(dir: &std::path::Path) -> Result<(), AppError> {
    Ok(crate::sources::dump::check_target(dir)?)
}

/// `dump DIR`: what diagnosing `selection` reads, written as an offline bundle; the files
/// written.
pub fn dump(
    source: &Source,
    selection: &Selection,
    dir: &std::path::Path,
) -> Result<Vec<PathBuf>, AppError> {
    check_dump_target(dir)?;
    let snapshot = gather_for_dump(source, selection)?;
    Ok(crate::sources::dump::write(&snapshot, dir)?)
}

pub fn doctor(source: &Source, selection: &Selection) -> Result<Report, AppError> {
    let snapshot = gather(&focused(source, selection))?;
    Ok(diagnose::diagnose(&snapshot, selection)?)
}

/// `source`, told what the selection is about: a live run reads only the target's roles whole
/// (`sources::live::iam_wanted`). Bundles hold what they hold.
fn focused(source: &Source, selection: &Selection) -> Source {
    match source {
        Source::Live(opts) => Source::Live(focused_options(opts, selection)),
        other => other.clone(),
    }
}

fn focused_options(opts: &LiveOptions, selection: &Selection) -> LiveOptions {
    LiveOptions {
        target: selection.target.clone(),
        ..opts.clone()
    }
}
