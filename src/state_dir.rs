//! Where kubectl-irsa keeps per-user state (the TUI's log, the journal of applied plans):
//! `$XDG_STATE_HOME/kubectl-irsa`, else `~/.local/state/kubectl-irsa`, as the XDG base
//! directory specification puts state that should persist between runs.

use std::path::{Path, PathBuf};

/// The directory, or `None` when neither `XDG_STATE_HOME` nor `HOME` is set (empty counts as
/// unset).
pub fn state_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| Path::new(&h).join(".local/state"))
        })
        .map(|d| d.join("kubectl-irsa"))
}
