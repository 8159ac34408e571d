//! The terminal UI's command lines: `kubectl irsa` with no subcommand, `kubectl irsa tui
//! [TARGET]` (the same, on one target) and `kubectl irsa demo [TARGET]` (on the embedded demo).
//! All take `-n`/`-A`/`-l` as kubectl does, `--action`/`--resource` and `--log-file`.

use std::path::PathBuf;

use clap::Args;

use std::io::Write;

use super::source_args::{ActionArgs, ScopeArgs, SourceArgs, TargetArgs};
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

/// `kubectl irsa tui [TARGET]`: the terminal UI, as without a subcommand.
#[derive(Debug, Args)]
pub struct TuiCommandArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// `kubectl irsa demo [TARGET]`: the terminal UI on the embedded demo.
#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// The namespaces to start with: `-A` all (it wins over `-n`, as in kubectl), `-n` that one;
/// otherwise live follows the context's namespace (as kubectl does) and bundles show
/// everything.
pub fn initial_scope(args: &ScopeArgs, source: &Source) -> Scope {
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

fn usage_error(message: &str) -> i32 {
    let _ = writeln!(
        anstream::stderr(),
        "error: {}",
        crate::terminal_text::document(message)
    );
    crate::model::report::exit::USAGE
}

fn start(
    source: Source,
    scope: &ScopeArgs,
    target: &TargetArgs,
    args: &TuiArgs,
    read_only: bool,
) -> i32 {
    let actions = match args.needs.requested() {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let target = match target.target() {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    tui::run(tui::Options {
        scope: initial_scope(scope, &source),
        source,
        actions,
        selector: scope.selector.clone(),
        target,
        log_file: args.log_file.clone(),
        read_only,
        wizard: None,
    })
}

/// `kubectl irsa setup` on a terminal without the flags that say everything: the terminal UI
/// on the setup wizard, prefilled with the flags given.
pub fn run_wizard(
    source_args: &SourceArgs,
    prefill: tui::Prefill,
    log_file: Option<PathBuf>,
    read_only: bool,
) -> i32 {
    let source = source_args.source();
    tui::run(tui::Options {
        scope: initial_scope(&source_args.scope, &source),
        source,
        actions: Vec::new(),
        selector: source_args.scope.selector.clone(),
        target: None,
        log_file,
        read_only,
        wizard: Some(prefill),
    })
}

/// `kubectl irsa` without a subcommand.
pub fn run(source_args: &SourceArgs, args: &TuiArgs, read_only: bool) -> i32 {
    start(
        source_args.source(),
        &source_args.scope,
        &TargetArgs::default(),
        args,
        read_only,
    )
}

/// `kubectl irsa tui [TARGET]`.
pub fn run_command(args: &TuiCommandArgs, read_only: bool) -> i32 {
    start(
        args.source.source(),
        &args.source.scope,
        &args.target,
        &args.tui,
        read_only,
    )
}

/// `kubectl irsa demo [TARGET]`: the TUI on the embedded demo cluster.
pub fn run_demo(args: &DemoArgs) -> i32 {
    // The demo writes nothing anyway (it is not a live cluster).
    start(Source::Demo, &args.scope, &args.target, &args.tui, false)
}
