//! In TUI mode stdout belongs to the screen, so logs (ours and the libraries') go to a file:
//! `--log-file`, else `$XDG_STATE_HOME/kubectl-irsa/tui.log` (`~/.local/state/...`), else the
//! temp directory. The file holds the last session only. `KUBECTL_IRSA_LOG=debug` logs more.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

use tracing::Level;

/// Where the log goes when no `--log-file` is given.
pub fn default_path() -> PathBuf {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| Path::new(&h).join(".local/state"))
        });
    match state {
        Some(dir) => dir.join("kubectl-irsa").join("tui.log"),
        None => std::env::temp_dir().join("kubectl-irsa-tui.log"),
    }
}

/// Starts logging to `path` (creating its directory). Returns the path actually used.
pub fn init(path: Option<PathBuf>) -> Result<PathBuf, String> {
    let path = path.unwrap_or_else(default_path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = File::create(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let level = std::env::var("KUBECTL_IRSA_LOG")
        .ok()
        .and_then(|l| Level::from_str(&l).ok())
        .unwrap_or(Level::INFO);
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .try_init()
        .map_err(|e| e.to_string())?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        previous(info);
    }));
    Ok(path)
}
