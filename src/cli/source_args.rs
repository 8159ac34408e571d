//! The flags that choose where facts come from, shared by every subcommand that reads a
//! cluster: kubectl's (`--kubeconfig`, `--context`, `-n`, `-A`), AWS's (`--profile`,
//! `--region`) and ours (`--cluster`, `--offline`, `--demo`).

use std::path::PathBuf;

use clap::Args;

use crate::app::Source;
use crate::sources::live::LiveOptions;

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Namespace to look in (default: the kubeconfig context's namespace; offline: all).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Look in all namespaces.
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Read an offline bundle (a directory of kubectl/AWS CLI outputs) instead of a live cluster; repeatable.
    #[arg(long, value_name = "DIR", conflicts_with = "demo")]
    pub offline: Vec<PathBuf>,
    /// Use the demo cluster embedded in the binary.
    #[arg(long)]
    pub demo: bool,
    /// Path to the kubeconfig file.
    #[arg(long, env = "KUBECONFIG", hide_env_values = true)]
    pub kubeconfig: Option<String>,
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
}

impl SourceArgs {
    pub fn source(&self) -> Source {
        if self.demo {
            Source::Demo
        } else if !self.offline.is_empty() {
            Source::Offline(self.offline.clone())
        } else {
            Source::Live(LiveOptions {
                // KUBECONFIG may list several files; kube-rs merges them when it reads the
                // environment itself, so only an explicit single path is passed through.
                kubeconfig: self
                    .kubeconfig
                    .clone()
                    .filter(|k| !k.contains(':'))
                    .map(Into::into),
                context: self.context.clone(),
                namespace: self.namespace.clone(),
                all_namespaces: self.all_namespaces,
                profile: self.profile.clone(),
                region: self.region.clone(),
                cluster: self.cluster.clone(),
            })
        }
    }

    /// The namespace filter for the diagnosis: none with `-A`.
    pub fn namespace_filter(&self) -> Option<String> {
        self.namespace.clone().filter(|_| !self.all_namespaces)
    }
}
