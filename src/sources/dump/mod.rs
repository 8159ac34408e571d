//! `kubectl irsa dump`: a Snapshot written back as an offline bundle, in exactly the shapes
//! kubectl and the AWS CLI print, so `doctor --offline DIR` gives the report the live run gave
//! and a user can attach the directory to a support ticket. Rendering is pure
//! ([`render`]); [`write`] puts the files in a directory. Secrets and service account tokens
//! are never in a Snapshot, so they are never in a bundle.
//!
//! To dump a new fact, render it in `kube_files` or `aws_files` in the shape the loader
//! (src/sources/bundle) recognises, and extend the round-trip test.

mod aws_files;
mod kube_files;

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::model::Snapshot;

#[derive(Debug, Error)]
pub enum DumpError {
    #[error("{path} is not an empty directory; pick a new one (nothing was written)")]
    NotEmpty { path: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot render {what}: {message}")]
    Render { what: String, message: String },
}

/// One file of the bundle: its name and contents.
pub type BundleFile = (String, String);

/// Every file of the bundle, in a stable order.
pub fn render(snap: &Snapshot) -> Result<Vec<BundleFile>, DumpError> {
    let mut files = kube_files::render(&snap.kube)?;
    files.extend(aws_files::render(&snap.aws)?);
    Ok(files)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DumpError {
    let path = path.display().to_string();
    move |source| DumpError::Write { path, source }
}

/// Checks that `dir` does not exist or is empty, so a caller can refuse before gathering.
pub fn check_target(dir: &Path) -> Result<(), DumpError> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(io(dir))?;
        if entries.next().is_some() {
            return Err(DumpError::NotEmpty {
                path: dir.display().to_string(),
            });
        }
    }
    Ok(())
}

/// Writes the bundle into `dir`, which must not exist or be empty.
pub fn write(snap: &Snapshot, dir: &Path) -> Result<Vec<PathBuf>, DumpError> {
    check_target(dir)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut written = Vec::new();
    for (name, contents) in render(snap)? {
        let path = dir.join(&name);
        std::fs::write(&path, contents).map_err(io(&path))?;
        written.push(path);
    }
    Ok(written)
}

fn json<T: serde::Serialize>(what: &str, value: &T) -> Result<String, DumpError> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| DumpError::Render {
            what: what.to_string(),
            message: e.to_string(),
        })
}
