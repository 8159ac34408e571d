//! The flags that choose where facts come from, shared by every subcommand that reads a
//! cluster: kubectl's (`--kubeconfig`, `--context`, `-n`, `-A`, `--request-timeout`), AWS's
//! (`--profile`, `--region`) and ours (`--cluster`, `--offline`, `--demo`); and the actions a
//! workload needs (`--action`/`--resource`), shared by `doctor` and the terminal UI.
//!
//! `--kubeconfig` is one path, never split; the `KUBECONFIG` variable, a list, is read where
//! the kubeconfig is loaded (`sources::live::kube_config`), not here: clap's `env =` would make
//! the variable's list a single path.

use std::path::PathBuf;

use clap::Args;

use crate::app::Source;
use crate::model::report::RequestedAction;
use crate::sources::live::{LiveOptions, RequestTimeout};

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
                namespace: self.namespace.clone(),
                all_namespaces: self.all_namespaces,
                profile: self.profile.clone(),
                region: self.region.clone(),
                cluster: self.cluster.clone(),
                request_timeout: self.request_timeout,
                target: None,
            })
        }
    }

    /// The namespace filter for the diagnosis: none with `-A`.
    pub fn namespace_filter(&self) -> Option<String> {
        self.namespace.clone().filter(|_| !self.all_namespaces)
    }
}

#[derive(Debug, Args, Default)]
pub struct ActionArgs {
    /// An AWS action the workload needs (e.g. s3:GetObject); repeatable, paired in order with --resource.
    #[arg(long = "action", value_name = "ACTION")]
    pub actions: Vec<String>,
    /// The resource ARN for the --action at the same position (default `*`).
    #[arg(long = "resource", value_name = "ARN")]
    pub resources: Vec<String>,
}

impl ActionArgs {
    /// The actions paired with their resources; the error names the flag that is wrong.
    pub fn requested(&self) -> Result<Vec<RequestedAction>, String> {
        if self.resources.len() > self.actions.len() {
            return Err("more --resource than --action flags: each --resource belongs to the --action before it".into());
        }
        let mut out = Vec::new();
        for (i, action) in self.actions.iter().enumerate() {
            match action.split_once(':') {
                Some((service, name)) if !service.is_empty() && !name.is_empty() => {}
                _ => {
                    return Err(format!(
                        "--action `{action}` is not SERVICE:Action (for example s3:GetObject)"
                    ));
                }
            }
            let resource = self
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
}
