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

/// Writes the bundle into `dir`, which must not exist or be empty. The files are written into
/// a fresh directory beside `dir` and renamed into place at the end, so an interrupted dump
/// leaves no half bundle that a later `--offline` would read as complete.
pub fn write(snap: &Snapshot, dir: &Path) -> Result<Vec<PathBuf>, DumpError> {
    check_target(dir)?;
    write_files(dir, render(snap)?)
}

/// A directory beside `dir` that nothing else uses: `.NAME.partial-PID-N`.
fn staging_dir(dir: &Path) -> Result<PathBuf, DumpError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".into());
    for n in 0..1000 {
        let candidate = parent.join(format!(".{name}.partial-{}-{n}", std::process::id()));
        match std::fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&candidate)(e)),
        }
    }
    Err(DumpError::Write {
        path: parent.display().to_string(),
        source: std::io::Error::other("no free name for a staging directory"),
    })
}

fn write_files(dir: &Path, files: Vec<BundleFile>) -> Result<Vec<PathBuf>, DumpError> {
    let staging = staging_dir(dir)?;
    let result = fill(&staging, &files).and_then(|()| {
        // An empty target directory (allowed) is replaced; a rename onto it is not portable.
        if dir.exists() {
            std::fs::remove_dir(dir).map_err(io(dir))?;
        }
        std::fs::rename(&staging, dir).map_err(io(dir))
    });
    if let Err(e) = result {
        // Best effort: the error that matters is the one returned.
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    Ok(files.iter().map(|(name, _)| dir.join(name)).collect())
}

fn fill(staging: &Path, files: &[BundleFile]) -> Result<(), DumpError> {
    for (name, contents) in files {
        let path = staging.join(name);
        std::fs::write(&path, contents).map_err(io(&path))?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(parent: &Path) -> Vec<String> {
        std::fs::read_dir(parent)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_dump_that_fails_part_way_leaves_nothing_behind() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("bundle");
        let files = vec![
            ("a.json".to_string(), "{}\n".to_string()),
            // A name whose directory does not exist: the second write fails.
            ("missing/b.json".to_string(), "{}\n".to_string()),
        ];
        let err = write_files(&dir, files).unwrap_err();
        assert!(matches!(err, DumpError::Write { .. }), "{err}");
        assert!(!dir.exists(), "no half bundle at the target");
        assert!(
            leftovers(parent.path()).is_empty(),
            "{:?}",
            leftovers(parent.path())
        );
    }

    #[test]
    fn a_dump_lands_whole_in_a_new_or_empty_directory() {
        let parent = tempfile::tempdir().unwrap();
        for existing in [false, true] {
            let dir = parent.path().join(format!("bundle-{existing}"));
            if existing {
                std::fs::create_dir(&dir).unwrap();
            }
            let files = vec![("a.json".to_string(), "{}\n".to_string())];
            let written = write_files(&dir, files).unwrap();
            assert_eq!(written, vec![dir.join("a.json")]);
            assert_eq!(std::fs::read_to_string(dir.join("a.json")).unwrap(), "{}\n");
        }
        let mut names = leftovers(parent.path());
        names.sort();
        assert_eq!(
            names,
            ["bundle-false", "bundle-true"],
            "no staging directory left"
        );
    }
}
