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

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// A new (or empty) directory to write the bundle into.
    pub dir: PathBuf,
    #[command(flatten)]
    pub source: SourceArgs,
}

pub fn run(args: &DumpArgs) -> i32 {
    let selection = Selection {
        namespace: args.source.namespace_filter(),
        selector: args.source.scope.selector.clone(),
        ..Selection::default()
    };
    match app::dump(&args.source.source(), &selection, &args.dir) {
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
            let mut err = anstream::stderr();
            let _ = writeln!(
                err,
                "error: {}",
                crate::terminal_text::document(&e.to_string())
            );
            e.exit_code()
        }
    }
}
