//! `kubectl irsa doctor`: diagnose selected workloads and print text or the versioned report
//! as JSON or YAML (the same data); the exit code says whether something is broken (DESIGN.md).

use std::io::Write;

use clap::{Args, ValueEnum};

use super::source_args::{ActionArgs, SourceArgs, TargetArgs};
use crate::app;
use crate::diagnose::Selection;
use crate::model::report::exit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Text output: print every link of ok workloads too (by default an ok workload is one
    /// line). JSON always holds everything.
    #[arg(short = 'v', long)]
    pub verbose: bool,
    #[command(flatten)]
    pub needs: ActionArgs,
    /// Prove it: request a short-lived token for each service account and exchange it for
    /// credentials as the pod would (STS AssumeRoleWithWebIdentity for IRSA, EKS Auth
    /// AssumeRoleForPodIdentity for Pod Identity), then call GetCallerIdentity with them; with
    /// --action also ask IAM's SimulatePrincipalPolicy. Live clusters only; the token and the
    /// credentials are never printed.
    #[arg(long)]
    pub prove: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

fn usage_error(message: &str) -> i32 {
    let mut err = anstream::stderr();
    let _ = writeln!(err, "error: {}", crate::terminal_text::document(message));
    exit::USAGE
}

pub fn run(args: &DoctorArgs) -> i32 {
    let actions = match args.needs.requested() {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let target = match args.target.target() {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let source = args.source.source();
    // A target without a namespace means the kubectl default namespace; offline we search all.
    let selection = Selection {
        namespace: args.source.namespace_filter(),
        target,
        selector: args.source.scope.selector.clone(),
        actions,
    };
    let result = match (&source, args.prove) {
        (app::Source::Live(opts), true) => app::doctor_with_proof(opts, &selection),
        (_, true) => Err(app::AppError::ProveNeedsLive),
        (_, false) => app::doctor(&source, &selection),
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            let mut err = anstream::stderr();
            let _ = writeln!(
                err,
                "error: {}",
                crate::terminal_text::document(&e.to_string())
            );
            return e.exit_code();
        }
    };
    let mut out = anstream::stdout();
    let written = match args.output {
        Output::Json => crate::terminal_text::json_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|s| writeln!(out, "{s}")),
        Output::Yaml => crate::terminal_text::yaml(&report)
            .map_err(std::io::Error::other)
            .and_then(|s| write!(out, "{s}")),
        Output::Text => write!(out, "{}", super::render_text::render(&report, args.verbose)),
    };
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(anstream::stderr(), "error: cannot write the report: {e}");
        return exit::INCOMPLETE;
    }
    report.exit_code()
}
