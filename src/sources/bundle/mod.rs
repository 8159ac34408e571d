//! The offline bundle loader: a directory of `kubectl get ... -o yaml|json` and AWS CLI outputs
//! (what `kubectl irsa dump` writes, or what a user collected by hand) into a [`Snapshot`].
//! Files are recognised by their content, never their names; whatever cannot be used becomes a
//! [`LoadNote`](crate::model::snapshot::LoadNote) and loading goes on.
//!
//! Layout:
//! - [`load_dirs`] / [`load_files`]: the API (disk, or bytes already in memory);
//! - `walk`: reading a directory safely; `decode`: bytes to text; `parse`: text to JSON/YAML
//!   documents with hostile-input limits; `recognise`: which output a document is;
//! - `kube`: Kubernetes objects into `KubeFacts`; `aws`: AWS CLI outputs into `AwsFacts`;
//! - `load`: the per-file pipeline tying them together; `notes`: messages with locations.
//!
//! To recognise a new output, start in `recognise.rs`: its module comment lists the steps.

mod aws;
mod decode;
mod error;
pub(crate) mod kube;
mod load;
mod notes;
mod parse;
mod recognise;
mod walk;

use std::path::PathBuf;

pub use self::error::BundleError;
pub use self::walk::{MAX_DEPTH, MAX_FILE_BYTES, MAX_FILES};
use crate::model::Missing;
use crate::model::snapshot::{Snapshot, SourceInfo, SourceKind};

/// Loads one or more bundle directories into one snapshot (e.g. one directory written from
/// kubectl and one from the AWS CLI). Fails only if a directory cannot be read at all, or if no
/// file in any of them holds kubectl or AWS CLI output.
pub fn load_dirs(dirs: &[PathBuf]) -> Result<Snapshot, BundleError> {
    on_big_stack(|| load_dirs_here(dirs))
}

/// For a diagnosis: `snapshot` (loaded from `dirs`) unless it holds no Kubernetes list that
/// workloads come from (pods, service accounts, the workload kinds), read or refused. A bundle
/// of AWS CLI output alone would diagnose zero workloads and look healthy; this says what to
/// add instead. [`load_dirs`] itself accepts such a bundle (it is half of a pair of
/// directories, or a test of the AWS loader).
pub fn require_kubernetes(snapshot: Snapshot, dirs: &[PathBuf]) -> Result<Snapshot, BundleError> {
    let k = &snapshot.kube;
    let facts = [
        k.pods.missing(),
        k.service_accounts.missing(),
        k.deployments.missing(),
        k.replica_sets.missing(),
        k.stateful_sets.missing(),
        k.daemon_sets.missing(),
        k.jobs.missing(),
        k.cron_jobs.missing(),
    ];
    let collected = |m: Option<&Missing>| !matches!(m, Some(Missing::NotCollected { .. }));
    if facts.into_iter().any(collected) {
        return Ok(snapshot);
    }
    Err(BundleError::NoKubernetes {
        dir: dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// Loads files already in memory, in the order given (the first copy of a duplicated object
/// wins). `files` are (name used in messages, content). Pure: no I/O.
pub fn load_files(
    source: SourceInfo,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Snapshot, BundleError> {
    on_big_stack(|| {
        let mut loader = load::Loader::default();
        for (name, bytes) in files {
            loader.load_file(name, bytes);
        }
        loader.finish(source)
    })
}

fn load_dirs_here(dirs: &[PathBuf]) -> Result<Snapshot, BundleError> {
    let mut loader = load::Loader::default();
    for dir in dirs {
        let files = walk::walk(dir, &mut |found| match found {
            walk::Found::File(name, bytes) => loader.load_file(name, bytes),
            walk::Found::Skipped(note) => loader.note(&note.file, note.message),
        })?;
        if files == 0 && dirs.len() > 1 {
            loader.note(&dir.display().to_string(), "no files in this directory");
        }
    }
    let description = dirs
        .iter()
        .map(|dir| dir.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    loader.finish(SourceInfo {
        kind: SourceKind::Offline,
        description,
        context: None,
        region: None,
    })
}

/// Stack for loading. The parsers recurse once per nesting level, up to their limits (128
/// levels), and a debug build's frames are large: a 2 MiB thread (tests, tokio workers) is not
/// enough for a hostile file. The memory is only reserved, not used.
const LOADER_STACK: usize = 64 * 1024 * 1024;

/// Runs `load` on a thread with [`LOADER_STACK`] bytes of stack. A panic in `load` is passed
/// on unchanged; a thread that cannot be started is [`BundleError::NoThread`].
fn on_big_stack<T: Send>(
    load: impl FnOnce() -> Result<T, BundleError> + Send,
) -> Result<T, BundleError> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("bundle-loader".to_string())
            .stack_size(LOADER_STACK)
            .spawn_scoped(scope, load)
            .map_err(|source| BundleError::NoThread { source })?;
        match thread.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
