//! `kubectl irsa doctor`: diagnose selected workloads and print text or the versioned JSON
//! report; the exit code says whether something is broken (DESIGN.md).

use std::io::Write;

use clap::{Args, ValueEnum};

use super::source_args::SourceArgs;
use crate::app;
use crate::diagnose::{Selection, Target};
use crate::model::report::{RequestedAction, exit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// What to diagnose: pod/NAME, deploy/NAME, sts/NAME, ds/NAME, job/NAME, cronjob/NAME,
    /// sa/NAME, or a NAME matching a workload or service account. Default: every workload
    /// that uses an AWS identity.
    pub target: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// An AWS action the workload needs (e.g. s3:GetObject); repeatable, paired in order with --resource.
    #[arg(long = "action", value_name = "ACTION")]
    pub actions: Vec<String>,
    /// The resource ARN for the --action at the same position (default `*`).
    #[arg(long = "resource", value_name = "ARN")]
    pub resources: Vec<String>,
    /// Prove it: request a short-lived token for each IRSA service account, exchange it with STS
    /// (AssumeRoleWithWebIdentity, then GetCallerIdentity), and with --action ask IAM's
    /// SimulatePrincipalPolicy. Live clusters only; the token is never printed.
    #[arg(long)]
    pub prove: bool,
    #[command(flatten)]
    pub source: SourceArgs,
}

fn pair_actions(args: &DoctorArgs) -> Result<Vec<RequestedAction>, String> {
    if args.resources.len() > args.actions.len() {
        return Err("more --resource than --action flags: each --resource belongs to the --action before it".into());
    }
    let mut out = Vec::new();
    for (i, action) in args.actions.iter().enumerate() {
        let Some((service, name)) = action.split_once(':') else {
            return Err(format!(
                "--action `{action}` is not SERVICE:Action (for example s3:GetObject)"
            ));
        };
        if service.is_empty() || name.is_empty() {
            return Err(format!(
                "--action `{action}` is not SERVICE:Action (for example s3:GetObject)"
            ));
        }
        let resource = args
            .resources
            .get(i)
            .cloned()
            .unwrap_or_else(|| "*".to_string());
        out.push(RequestedAction {
            action: action.clone(),
            resource,
        });
    }
    Ok(out)
}

fn usage_error(message: &str) -> i32 {
    let mut err = anstream::stderr();
    let _ = writeln!(err, "error: {message}");
    exit::USAGE
}

pub fn run(args: &DoctorArgs) -> i32 {
    let actions = match pair_actions(args) {
        Ok(a) => a,
        Err(e) => return usage_error(&e),
    };
    let target = match args.target.as_deref().map(Target::parse).transpose() {
        Ok(t) => t,
        Err(e) => return usage_error(&e),
    };
    let source = args.source.source();
    // A target without a namespace means the kubectl default namespace; offline we search all.
    let selection = Selection {
        namespace: args.source.namespace_filter(),
        target,
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
            let _ = writeln!(err, "error: {e}");
            return e.exit_code();
        }
    };
    let mut out = anstream::stdout();
    let written = match args.output {
        Output::Json => serde_json::to_string_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|s| writeln!(out, "{s}")),
        Output::Text => write!(out, "{}", super::render_text::render(&report)),
    };
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(anstream::stderr(), "error: cannot write the report: {e}");
        return exit::INCOMPLETE;
    }
    report.exit_code()
}
