//! `kubectl irsa setup`: set a workload's (or a service account's) AWS access up from nothing,
//! non-interactively from flags (issue 12): the service account created or annotated, the role
//! created or trusted, the permissions chosen (templates or managed policy ARNs), the
//! association, the workload switched and restarted; shown, asked for (or `--yes`), applied,
//! journaled and diagnosed again like a fix. Exit codes as for `fix`.

use clap::{Args, ValueEnum};

use super::fix::{PlanOutput, Presented, exit, present, say};
use super::source_args::SourceArgs;
use crate::app;
use crate::diagnose::Selection;
use crate::model::workload::WorkloadKind;
use crate::plan::setup::{Mechanism, RoleChoice, SetupRequest};
use crate::plan::setup_policy::{Parameters, Template, is_broad_managed_policy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MechanismArg {
    Irsa,
    PodIdentity,
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The service account the workload runs as (created if missing; annotated for IRSA).
    #[arg(long, value_name = "NAME")]
    pub service_account: Option<String>,
    /// The workload to switch to the service account and restart: deploy/NAME, sts/NAME, ds/NAME.
    #[arg(long, value_name = "KIND/NAME")]
    pub workload: Option<String>,
    /// IRSA (annotation, OIDC provider, web identity trust) or EKS Pod Identity (association,
    /// agent add-on, pods.eks.amazonaws.com trust).
    #[arg(long, value_enum)]
    pub mechanism: Option<MechanismArg>,
    /// Use this existing role (its trust gets this service account added).
    #[arg(long, value_name = "NAME|ARN", conflicts_with = "create_role")]
    pub role: Option<String>,
    /// Create this role (used as it is if it exists already). Default: the service account's
    /// current role, else a new role named CLUSTER-NAMESPACE-SA.
    #[arg(long, value_name = "NAME")]
    pub create_role: Option<String>,
    /// A least-privilege permission template: bedrock-invoke (--model), s3-read and
    /// s3-read-write (--bucket, --prefix), secrets-read (--secret). Repeatable.
    #[arg(long, value_name = "TEMPLATE", value_parser = parse_template)]
    pub policy_template: Vec<Template>,
    /// A Bedrock model id, inference profile id or ARN for bedrock-invoke. Repeatable.
    #[arg(long, value_name = "ID")]
    pub model: Vec<String>,
    /// The S3 bucket for s3-read / s3-read-write.
    #[arg(long, value_name = "NAME")]
    pub bucket: Option<String>,
    /// Only objects under this key prefix.
    #[arg(long, value_name = "P", requires = "bucket")]
    pub prefix: Option<String>,
    /// A Secrets Manager secret name or ARN for secrets-read. Repeatable.
    #[arg(long, value_name = "NAME")]
    pub secret: Vec<String>,
    /// A managed policy to attach to the role. Repeatable.
    #[arg(long, value_name = "ARN")]
    pub policy_arn: Vec<String>,
    /// Set AWS_REGION and AWS_DEFAULT_REGION (the cluster's region) in the workload's
    /// containers that do not set them.
    #[arg(long)]
    pub region_env: bool,
    /// Print the plan and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Output format, as for `fix`.
    #[arg(short = 'o', long, value_enum, default_value_t = PlanOutput::Text)]
    pub output: PlanOutput,
    /// Where the wizard's terminal UI writes its log (default: $XDG_STATE_HOME/kubectl-irsa/tui.log).
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub source: SourceArgs,
}

fn parse_template(text: &str) -> Result<Template, String> {
    Template::from_name(text).ok_or_else(|| {
        format!(
            "{text:?} is not a template: bedrock-invoke, s3-read, s3-read-write or secrets-read"
        )
    })
}

/// `--workload KIND/NAME`.
fn workload_arg(args: &SetupArgs) -> Result<Option<(WorkloadKind, String)>, String> {
    let Some(text) = &args.workload else {
        return Ok(None);
    };
    let (kind, name) = text
        .split_once('/')
        .ok_or_else(|| format!("--workload {text:?}: give KIND/NAME, like deploy/web"))?;
    let kind = WorkloadKind::from_user(kind)
        .ok_or_else(|| format!("--workload {text:?}: {kind:?} is not a workload kind"))?;
    Ok(Some((kind, name.to_string())))
}

/// The request the flags describe, or what is missing.
fn request(args: &SetupArgs) -> Result<SetupRequest, String> {
    let namespace = args.source.scope.namespace.clone().ok_or(
        "setup needs -n NAMESPACE (on a terminal, `kubectl irsa setup` asks for everything in a wizard)",
    )?;
    let service_account = args
        .service_account
        .clone()
        .ok_or("setup needs --service-account NAME")?;
    let mechanism = match args.mechanism {
        Some(MechanismArg::Irsa) => Mechanism::Irsa,
        Some(MechanismArg::PodIdentity) => Mechanism::PodIdentity,
        None => return Err("setup needs --mechanism irsa|pod-identity".into()),
    };
    let workload = workload_arg(args)?;
    let role = match (&args.role, &args.create_role) {
        (Some(r), _) => RoleChoice::Existing(r.clone()),
        (None, Some(n)) => RoleChoice::Create(n.clone()),
        (None, None) => RoleChoice::Default,
    };
    let unused = |flag: &str, template: &str| {
        format!("{flag} fills the {template} template: add --policy-template {template}")
    };
    let has = |t: Template| args.policy_template.contains(&t);
    if !args.model.is_empty() && !has(Template::BedrockInvoke) {
        return Err(unused("--model", "bedrock-invoke"));
    }
    if args.bucket.is_some() && !has(Template::S3Read) && !has(Template::S3ReadWrite) {
        return Err(unused("--bucket", "s3-read"));
    }
    if !args.secret.is_empty() && !has(Template::SecretsRead) {
        return Err(unused("--secret", "secrets-read"));
    }
    let mut templates = args.policy_template.clone();
    templates.dedup();
    Ok(SetupRequest {
        namespace,
        service_account,
        workload,
        mechanism,
        role,
        templates,
        parameters: Parameters {
            models: args.model.clone(),
            bucket: args.bucket.clone(),
            prefix: args.prefix.clone(),
            secrets: args.secret.clone(),
        },
        policy_arns: args.policy_arn.clone(),
        region_env: args.region_env,
    })
}

/// Whether the flags leave the wizard something to ask: the namespace, the service account or
/// the mechanism is missing.
fn incomplete(args: &SetupArgs) -> bool {
    args.source.scope.namespace.is_none()
        || args.service_account.is_none()
        || args.mechanism.is_none()
}

/// What the flags given fill in the wizard.
fn prefill(args: &SetupArgs) -> Result<crate::tui::Prefill, String> {
    let workload = workload_arg(args)?;
    Ok(crate::tui::Prefill {
        namespace: args.source.scope.namespace.clone(),
        service_account: args.service_account.clone(),
        workload,
        mechanism: args.mechanism.map(|m| match m {
            MechanismArg::Irsa => Mechanism::Irsa,
            MechanismArg::PodIdentity => Mechanism::PodIdentity,
        }),
        role: match (&args.role, &args.create_role) {
            (Some(r), _) => Some(RoleChoice::Existing(r.clone())),
            (None, Some(n)) => Some(RoleChoice::Create(n.clone())),
            (None, None) => None,
        },
        templates: args.policy_template.clone(),
        parameters: Parameters {
            models: args.model.clone(),
            bucket: args.bucket.clone(),
            prefix: args.prefix.clone(),
            secrets: args.secret.clone(),
        },
        policy_arns: args.policy_arn.clone(),
        region_env: args.region_env,
    })
}

pub fn run(args: &SetupArgs, read_only: bool) -> i32 {
    use std::io::IsTerminal;
    // On a terminal, what the flags do not say the wizard asks (issue 12); scripts keep the
    // usage error below.
    let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if incomplete(args) && terminal && args.output == PlanOutput::Text && !args.yes {
        return match prefill(args) {
            Ok(p) => super::tui::run_wizard(&args.source, p, args.log_file.clone(), read_only),
            Err(e) => {
                say(&format!("error: {e}"));
                exit::USAGE
            }
        };
    }
    let req = match request(args) {
        Ok(r) => r,
        Err(e) => {
            say(&format!("error: {e}"));
            return exit::USAGE;
        }
    };
    if let Err(e) = crate::plan::setup::validate(&req) {
        say(&format!("error: {e}"));
        return exit::USAGE;
    }
    if req.wildcard() {
        say(&format!(
            "warning: {}",
            crate::plan::setup::wildcard_warning(&req)
        ));
    }
    for arn in req
        .policy_arns
        .iter()
        .filter(|a| is_broad_managed_policy(a))
    {
        say(&format!(
            "warning: {arn} grants a whole service (or everything); a template grants only what the workload uses"
        ));
    }
    // Planned, applied and diagnosed again on the same read (every namespace): a wildcard
    // namespace names no namespace to read, and the apply's conflict check must see every
    // object the plan was made from.
    let source = app::setup::source_for(&args.source.source(), &req);
    let label = format!("setup {}/{}", req.namespace, req.service_account);
    let planned = match app::setup::plan(&source, &req, &label) {
        Ok(p) => p,
        Err(e) => {
            say(&format!("error: {e}"));
            return match e {
                app::setup::SetupAppError::App(a) => a.exit_code(),
                app::setup::SetupAppError::Setup(_) => exit::USAGE,
            };
        }
    };
    let selection = match (req.wildcard(), planned.selections.first()) {
        (false, Some(s)) => s.clone(),
        _ => Selection {
            target: Some(crate::diagnose::Target::ServiceAccount(
                req.service_account.clone(),
            )),
            ..Selection::default()
        },
    };
    present(
        planned.outcome,
        &Presented {
            label: &label,
            source: &source,
            selection: &selection,
            output: args.output,
            dry_run: args.dry_run,
            yes: args.yes,
            choice: None,
            read_only,
        },
    )
}
