//! `kubectl irsa` with no subcommand, and `kubectl irsa demo`: the terminal UI.

use std::path::PathBuf;

use clap::Args;

use std::io::Write;

use super::source_args::{ActionArgs, SourceArgs};
use crate::app::Source;
use crate::tui::{self, Scope};

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// Where the terminal UI writes its log (default: $XDG_STATE_HOME/kubectl-irsa/tui.log).
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Judge the permissions link against these actions (and prove them with IAM's simulator).
    #[command(flatten)]
    pub needs: ActionArgs,
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

fn start(source: Source, scope: Scope, args: &TuiArgs) -> i32 {
    let actions = match args.needs.requested() {
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(
                anstream::stderr(),
                "error: {}",
                crate::terminal_text::document(&e.to_string())
            );
            return crate::model::report::exit::USAGE;
        }
    };
    tui::run(tui::Options {
        source,
        scope,
        actions,
        log_file: args.log_file.clone(),
    })
}

pub fn run(source_args: &SourceArgs, args: &TuiArgs) -> i32 {
    let source = source_args.source();
    let scope = initial_scope(source_args, &source);
    start(source, scope, args)
}

/// `kubectl irsa demo`: the TUI on the embedded demo cluster.
pub fn run_demo(args: &TuiArgs) -> i32 {
    start(Source::Demo, Scope::All, args)
}
