//! The flags that choose where facts come from, shared by every subcommand that reads a
//! cluster: kubectl's (`--kubeconfig`, `--context`, `-n`, `-A`, `-l`, `--request-timeout`),
//! AWS's (`--profile`, `--region`) and ours (`--cluster`, `--offline`, `--demo`); which
//! namespaces and labels to look at ([`ScopeArgs`], also taken by `demo`); and the actions a
//! workload needs (`--action`/`--resource`, in `action_args`), shared by `doctor` and the
//! terminal UI.
//!
//! `--kubeconfig` is one path, never split; the `KUBECONFIG` variable, a list, is read where
//! the kubeconfig is loaded (`sources::live::kube_config`), not here: clap's `env =` would make
//! the variable's list a single path.

use std::path::PathBuf;

use clap::Args;

pub use super::action_args::ActionArgs;
use crate::app::Source;
use crate::diagnose::{LabelSelector, Target};
use crate::sources::live::{LiveOptions, RequestTimeout};

/// Which namespaces and workloads to look at, as kubectl takes them.
#[derive(Debug, Clone, Default, Args)]
pub struct ScopeArgs {
    /// Namespace to look in (default: the kubeconfig context's namespace; offline: all).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Look in all namespaces (wins over -n, as in kubectl).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Only workloads whose pods (or pod template) carry these labels, as kubectl selects:
    /// `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`; commas mean AND.
    #[arg(short = 'l', long, value_name = "SELECTOR", value_parser = parse_selector)]
    pub selector: Option<LabelSelector>,
}

fn parse_selector(text: &str) -> Result<LabelSelector, String> {
    LabelSelector::parse(text).map_err(|e| e.reason)
}

impl ScopeArgs {
    /// The namespace filter for the diagnosis: none with `-A`.
    pub fn namespace_filter(&self) -> Option<String> {
        self.namespace.clone().filter(|_| !self.all_namespaces)
    }
}

/// What to look at, as kubectl takes it: `TYPE/NAME`, `TYPE NAME` or a bare `NAME`.
#[derive(Debug, Clone, Default, Args)]
pub struct TargetArgs {
    /// What to look at: pod/NAME, deploy/NAME, sts/NAME, ds/NAME, job/NAME, cronjob/NAME,
    /// sa/NAME (also a service account no pod runs as yet), the same as two words
    /// (`deploy NAME`, with kubectl's type names: po, deployment, statefulset, cj, serviceaccount,
    /// ...), or a NAME matching a workload or service account. Default: every workload (and
    /// unused service account) that uses an AWS identity.
    #[arg(value_name = "TARGET", num_args = 1..=2)]
    pub target: Vec<String>,
}

impl TargetArgs {
    pub fn target(&self) -> Result<Option<Target>, String> {
        Target::from_args(&self.target)
    }
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Read an offline bundle (a directory of kubectl/AWS CLI outputs) instead of a live cluster; repeatable.
    #[arg(long, value_name = "DIR", conflicts_with = "demo")]
    pub offline: Vec<PathBuf>,
    /// Use the demo cluster embedded in the binary.
    #[arg(long)]
    pub demo: bool,
    /// Path to the kubeconfig file, used as it is (default: the files KUBECONFIG lists,
    /// merged, else ~/.kube/config).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long)]
    pub context: Option<String>,
    /// AWS profile.
    #[arg(long, env = "AWS_PROFILE", hide_env_values = true)]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION, the profile's, or the one in the kubeconfig).
    #[arg(long)]
    pub region: Option<String>,
    /// EKS cluster name, when it cannot be inferred from the kubeconfig.
    #[arg(long)]
    pub cluster: Option<String>,
    /// How long each Kubernetes and AWS request may wait for an answer, as kubectl takes it
    /// (5s, 1m, 500ms; a bare number is seconds; 0 for no limit).
    #[arg(long, value_name = "DURATION", default_value_t = RequestTimeout::default())]
    pub request_timeout: RequestTimeout,
}

impl SourceArgs {
    pub fn source(&self) -> Source {
        if self.demo {
            Source::Demo
        } else if !self.offline.is_empty() {
            Source::Offline(self.offline.clone())
        } else {
            Source::Live(LiveOptions {
                kubeconfig: self.kubeconfig.clone(),
                context: self.context.clone(),
                // `-A` wins over `-n`, as in kubectl.
                namespace: self.scope.namespace_filter(),
                all_namespaces: self.scope.all_namespaces,
                profile: self.profile.clone(),
                region: self.region.clone(),
                cluster: self.cluster.clone(),
                request_timeout: self.request_timeout,
                target: None,
                all_roles: false,
            })
        }
    }

    /// The namespace filter for the diagnosis: none with `-A`.
    pub fn namespace_filter(&self) -> Option<String> {
        self.scope.namespace_filter()
    }
}
