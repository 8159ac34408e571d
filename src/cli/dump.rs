//! `kubectl irsa dump DIR`: writes what doctor reads as an offline bundle (the files kubectl
//! and the AWS CLI would print), for a support ticket or a later `doctor --offline DIR`. With
//! `-n NS` or `-l SELECTOR` only what diagnosing that selection reads (`diagnose::narrow`).
//! Read-only towards the cluster and AWS; never writes Secrets or tokens.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::source_args::SourceArgs;
use crate::app;
use crate::diagnose::Selection;
use crate::model::report::exit;
use crate::sources::dump;

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// A new (or empty) directory to write the bundle into.
    pub dir: PathBuf,
    #[command(flatten)]
    pub source: SourceArgs,
}

pub fn run(args: &DumpArgs) -> i32 {
    let mut err = anstream::stderr();
    // Refuse a directory in use before reading a whole cluster.
    if let Err(e) = dump::check_target(&args.dir) {
        let _ = writeln!(
            err,
            "error: {}",
            crate::terminal_text::document(&e.to_string())
        );
        return exit::USAGE;
    }
    let selection = Selection {
        namespace: args.source.namespace_filter(),
        selector: args.source.scope.selector.clone(),
        ..Selection::default()
    };
    let snapshot = match app::gather_for_dump(&args.source.source(), &selection) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(
                err,
                "error: {}",
                crate::terminal_text::document(&e.to_string())
            );
            return e.exit_code();
        }
    };
    match dump::write(&snapshot, &args.dir) {
        Ok(files) => {
            let mut out = anstream::stdout();
            let _ = writeln!(out, "wrote {} files to {}", files.len(), args.dir.display());
            let _ = writeln!(
                out,
                "diagnose it with: kubectl irsa doctor -A --offline {}",
                args.dir.display()
            );
            exit::OK
        }
        Err(e) => {
            let _ = writeln!(
                err,
                "error: {}",
                crate::terminal_text::document(&e.to_string())
            );
            exit::USAGE
        }
    }
}
