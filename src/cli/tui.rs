//! `kubectl irsa` with no subcommand, and `kubectl irsa demo`: the terminal UI.

use std::path::PathBuf;

use clap::Args;

use super::source_args::SourceArgs;
use crate::app::Source;
use crate::tui::{self, Scope};

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// Where the terminal UI writes its log (default: $XDG_STATE_HOME/kubectl-irsa/tui.log).
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
}

/// The namespaces to start with: `-A` all, `-n` that one; otherwise live follows the
/// context's namespace (as kubectl does) and bundles show everything.
pub fn initial_scope(args: &SourceArgs, source: &Source) -> Scope {
    if args.all_namespaces {
        Scope::All
    } else if let Some(ns) = &args.namespace {
        Scope::Namespace(ns.clone())
    } else if matches!(source, Source::Live(_)) {
        Scope::ContextNamespace
    } else {
        Scope::All
    }
}

pub fn run(source_args: &SourceArgs, args: &TuiArgs) -> i32 {
    let source = source_args.source();
    tui::run(tui::Options {
        scope: initial_scope(source_args, &source),
        source,
        log_file: args.log_file.clone(),
    })
}

/// `kubectl irsa demo`: the TUI on the embedded demo cluster.
pub fn run_demo(args: &TuiArgs) -> i32 {
    tui::run(tui::Options {
        source: Source::Demo,
        scope: Scope::All,
        log_file: args.log_file.clone(),
    })
}
