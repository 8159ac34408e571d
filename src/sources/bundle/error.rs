//! [`BundleError`]: the reasons a bundle cannot be loaded at all. Anything less serious (a file
//! that is not recognised, an object that does not deserialize) is a
//! [`LoadNote`](crate::model::snapshot::LoadNote) on the snapshot instead, and loading goes on.
//!
//! To add a failure, add a variant whose message names the path and says what to do.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::model::snapshot::LoadNote;

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("bundle directory {} does not exist", path.display())]
    NotFound { path: PathBuf },

    #[error(
        "{} is not a directory; pass the directory that holds the kubectl and AWS CLI outputs",
        path.display()
    )]
    NotADirectory { path: PathBuf },

    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The operating system would not start the loader's thread (it needs a large stack to
    /// parse hostile files safely).
    #[error("cannot start the bundle loader: {source}")]
    NoThread {
        #[source]
        source: std::io::Error,
    },

    /// Not one file held kubectl or AWS CLI output; `notes` says what was skipped and why.
    #[error("{}", nothing_recognised(dir, notes))]
    NothingRecognised { dir: String, notes: Vec<LoadNote> },

    /// The bundle holds AWS CLI output (or nodes, webhooks) but no pod, service account or
    /// workload list: there is nothing to diagnose. Says which kubectl output to add.
    #[error(
        "{dir} holds no pods, service accounts or workloads, so there is nothing to diagnose; add them with `kubectl get pods,serviceaccounts,deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs -A -o yaml > kubernetes.yaml` (and `kubectl get nodes -o yaml > nodes.yaml`, `kubectl get mutatingwebhookconfigurations -o json > webhooks.json`) in that directory"
    )]
    NoKubernetes { dir: String },
}

fn nothing_recognised(dir: &str, notes: &[LoadNote]) -> String {
    let mut text = format!("{dir}: no kubectl or AWS CLI output found");
    if notes.is_empty() {
        text.push_str(" (no files)");
        return text;
    }
    const SHOWN: usize = 50;
    text.push_str("; skipped:");
    for note in notes.iter().take(SHOWN) {
        let _ = write!(text, "\n  {}: {}", note.file, note.message);
    }
    if notes.len() > SHOWN {
        let _ = write!(text, "\n  ... and {} more", notes.len() - SHOWN);
    }
    text
}
