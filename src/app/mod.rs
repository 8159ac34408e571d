//! The service layer: front ends ask it for a diagnosis and never talk to a source or the
//! core directly. It gathers a Snapshot from the chosen source and runs the diagnosis.
//! Live sources (kube-rs, the AWS SDK) plug in here as another [`Source`].

use std::path::PathBuf;

use thiserror::Error;

use crate::diagnose::{self, DiagnoseError, Selection};
use crate::model::{Report, Snapshot};
use crate::sources::bundle::{self, BundleError};
use crate::sources::demo;

/// Where facts come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// One or more offline bundle directories, merged.
    Offline(Vec<PathBuf>),
    /// The demo bundle embedded in the binary.
    Demo,
}

#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(transparent)]
    Diagnose(#[from] DiagnoseError),
}

impl AppError {
    /// The documented exit code: bad input is 2.
    pub fn exit_code(&self) -> i32 {
        crate::model::report::exit::USAGE
    }
}

pub fn gather(source: &Source) -> Result<Snapshot, AppError> {
    Ok(match source {
        Source::Offline(dirs) => bundle::load_dirs(dirs)?,
        Source::Demo => demo::load()?,
    })
}

pub fn doctor(source: &Source, selection: &Selection) -> Result<Report, AppError> {
    let snapshot = gather(source)?;
    Ok(diagnose::diagnose(&snapshot, selection)?)
}
