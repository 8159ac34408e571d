//! `kubectl irsa doctor`: diagnose selected workloads and print text or the versioned JSON
//! report; the exit code says whether something is broken (DESIGN.md).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::app::{self, Source};
use crate::diagnose::{Selection, Target};
use crate::model::report::{RequestedAction, exit};
use crate::sources::live::LiveOptions;

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
    /// Namespace to look in.
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Look in all namespaces (the default when no namespace and no target is given).
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// An AWS action the workload needs (e.g. s3:GetObject); repeatable, paired in order with --resource.
    #[arg(long = "action", value_name = "ACTION")]
    pub actions: Vec<String>,
    /// The resource ARN for the --action at the same position (default `*`).
    #[arg(long = "resource", value_name = "ARN")]
    pub resources: Vec<String>,
    /// Read an offline bundle (a directory of kubectl/AWS CLI outputs) instead of a live cluster; repeatable.
    #[arg(long, value_name = "DIR", conflicts_with = "demo")]
    pub offline: Vec<PathBuf>,
    /// Use the demo cluster embedded in the binary.
    #[arg(long)]
    pub demo: bool,
    /// Path to the kubeconfig file (live mode).
    #[arg(long, env = "KUBECONFIG", hide_env_values = true)]
    pub kubeconfig: Option<String>,
    /// The kubeconfig context to use (live mode).
    #[arg(long)]
    pub context: Option<String>,
    /// AWS profile (live mode).
    #[arg(long, env = "AWS_PROFILE", hide_env_values = true)]
    pub profile: Option<String>,
    /// AWS region (live mode).
    #[arg(long)]
    pub region: Option<String>,
    /// EKS cluster name, when it cannot be inferred from the kubeconfig (live mode).
    #[arg(long)]
    pub cluster: Option<String>,
}

fn pair_actions(args: &DoctorArgs) -> Result<Vec<RequestedAction>, String> {
    if args.resources.len() > args.actions.len() {
        return Err("more --resource than --action flags: each --resource belongs to the --action before it".into());
    }
    let mut out = Vec::new();
    for (i, action) in args.actions.iter().enumerate() {
        let Some((service, name)) = action.split_once(':') else {
            return Err(format!("--action `{action}` is not SERVICE:Action (for example s3:GetObject)"));
        };
        if service.is_empty() || name.is_empty() {
            return Err(format!("--action `{action}` is not SERVICE:Action (for example s3:GetObject)"));
        }
        let resource = args.resources.get(i).cloned().unwrap_or_else(|| "*".to_string());
        out.push(RequestedAction { action: action.clone(), resource });
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
    let source = if args.demo {
        Source::Demo
    } else if !args.offline.is_empty() {
        Source::Offline(args.offline.clone())
    } else {
        Source::Live(LiveOptions {
            kubeconfig: args.kubeconfig.clone().map(Into::into),
            context: args.context.clone(),
            namespace: args.namespace.clone(),
            all_namespaces: args.all_namespaces,
            profile: args.profile.clone(),
            region: args.region.clone(),
            cluster: args.cluster.clone(),
        })
    };
    // A target without a namespace means the kubectl default namespace; offline we search all.
    let selection = Selection { namespace: args.namespace.clone().filter(|_| !args.all_namespaces), target, actions };
    let report = match app::doctor(&source, &selection) {
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
