//! Finds the cluster the way kubectl does (`--kubeconfig`, `KUBECONFIG`, `--context`,
//! in-cluster config) and reads from the kubeconfig what identifies the EKS cluster: the
//! `aws eks get-token --cluster-name NAME --region REGION` exec arguments (or
//! aws-iam-authenticator's `-i NAME`), the AWS profile the exec plugin uses, and the region in
//! the API server's host name.
//!
//! Two steps, so the AWS calls need not wait for the credential: [`load`] reads the kubeconfig
//! and runs nothing; [`client`] runs the exec credential plugin (see [`super::exec_plugin`])
//! and builds the client.

use std::path::Path;

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::LiveError;
use super::exec_plugin::{self, PluginFailure};

/// What the kubeconfig says about which EKS cluster this is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EksHint {
    pub cluster_name: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    /// How the hint was found, for the report.
    pub how: String,
}

pub struct KubeTarget {
    /// How to connect; an exec credential plugin has not run yet.
    pub config: kube::Config,
    pub context: String,
    pub server: Option<String>,
    pub default_namespace: String,
    pub hint: EksHint,
}

fn arg_after(args: &[String], names: &[&str]) -> Option<String> {
    args.iter().enumerate().find_map(|(i, a)| {
        for n in names {
            if a == n {
                return args.get(i + 1).cloned();
            }
            if let Some(v) = a.strip_prefix(&format!("{n}=")) {
                return Some(v.to_string());
            }
        }
        None
    })
}

/// `https://ABC.gr7.eu-west-1.eks.amazonaws.com` -> `eu-west-1`.
pub fn region_from_server(server: &str) -> Option<String> {
    let host = server
        .strip_prefix("https://")
        .unwrap_or(server)
        .split(['/', ':'])
        .next()?;
    let labels: Vec<&str> = host.split('.').collect();
    let eks = labels.iter().position(|l| *l == "eks")?;
    eks.checked_sub(1)
        .and_then(|i| labels.get(i))
        .map(|r| r.to_string())
}

/// The EKS hints of one context of a kubeconfig.
pub fn hint_from_kubeconfig(kc: &Kubeconfig, context: &str) -> EksHint {
    let ctx = kc
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref());
    let server = ctx
        .and_then(|c| kc.clusters.iter().find(|n| n.name == c.cluster))
        .and_then(|n| n.cluster.as_ref())
        .and_then(|c| c.server.clone());
    let exec = ctx
        .and_then(|c| c.user.as_ref())
        .and_then(|u| kc.auth_infos.iter().find(|a| &a.name == u))
        .and_then(|a| a.auth_info.as_ref())
        .and_then(|a| a.exec.as_ref());
    let mut hint = EksHint::default();
    if let Some(exec) = exec {
        let args = exec.args.clone().unwrap_or_default();
        hint.cluster_name = arg_after(&args, &["--cluster-name", "--cluster-id", "-i"]);
        hint.region = arg_after(&args, &["--region"]);
        hint.profile = arg_after(&args, &["--profile"]).or_else(|| {
            exec.env.iter().flatten().find_map(|e| {
                (e.get("name").map(String::as_str) == Some("AWS_PROFILE"))
                    .then(|| e.get("value").cloned())
                    .flatten()
            })
        });
        if hint.cluster_name.is_some() {
            hint.how = format!(
                "the kubeconfig user of context `{context}` runs `{}` with the cluster name",
                exec.command.clone().unwrap_or_default()
            );
        }
    }
    if hint.region.is_none() {
        hint.region = server.as_deref().and_then(region_from_server);
    }
    hint
}

/// Reads the kubeconfig (or the in-cluster config); runs no credential plugin.
pub async fn load(
    kubeconfig: Option<&Path>,
    context: Option<&str>,
) -> Result<KubeTarget, LiveError> {
    let kc = match kubeconfig {
        Some(path) => Some(
            Kubeconfig::read_from(path)
                .map_err(|e| LiveError::Kubeconfig(format!("{}: {e}", path.display())))?,
        ),
        None => Kubeconfig::from_env()
            .map_err(|e| LiveError::Kubeconfig(e.to_string()))?
            .or_else(|| Kubeconfig::read().ok()),
    };
    let options = KubeConfigOptions {
        context: context.map(str::to_string),
        ..KubeConfigOptions::default()
    };
    let (config, context_name, hint) = match kc {
        Some(kc) => {
            let name = context
                .map(str::to_string)
                .or_else(|| kc.current_context.clone())
                .ok_or_else(|| {
                    LiveError::Kubeconfig(
                        "the kubeconfig has no current context; pass --context".into(),
                    )
                })?;
            if !kc.contexts.iter().any(|c| c.name == name) {
                return Err(LiveError::Kubeconfig(format!(
                    "context `{name}` is not in the kubeconfig"
                )));
            }
            let hint = hint_from_kubeconfig(&kc, &name);
            let config = kube::Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| LiveError::Kubeconfig(e.to_string()))?;
            (config, name, hint)
        }
        None => {
            let config = kube::Config::incluster().map_err(|e| {
                LiveError::Kubeconfig(format!(
                    "no kubeconfig found and not running in a cluster: {e}"
                ))
            })?;
            (config, "in-cluster".to_string(), EksHint::default())
        }
    };
    let server = Some(config.cluster_url.to_string());
    let mut hint = hint;
    if hint.region.is_none() {
        hint.region = server.as_deref().and_then(region_from_server);
    }
    let default_namespace = config.default_namespace.clone();
    Ok(KubeTarget {
        config,
        context: context_name,
        server,
        default_namespace,
        hint,
    })
}

/// Why no client could be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFailure {
    /// The exec credential plugin failed.
    Plugin(PluginFailure),
    /// kube-rs refused the configuration (a bad certificate, say).
    Config(String),
}

/// Runs the exec credential plugin, if any (once, off the async threads), and builds the client.
pub async fn client(mut config: kube::Config) -> Result<kube::Client, ClientFailure> {
    exec_plugin::resolve(&mut config.auth_info)
        .await
        .map_err(ClientFailure::Plugin)?;
    kube::Client::try_from(config).map_err(|e| ClientFailure::Config(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_from_eks_endpoint() {
        assert_eq!(
            region_from_server("https://9A8B.gr7.eu-west-1.eks.amazonaws.com").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(region_from_server("https://127.0.0.1:6443"), None);
    }

    #[test]
    fn hints_from_an_eks_kubeconfig() {
        let yaml = r#"
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: arn:aws:eks:eu-west-1:123456789012:cluster/shop-prod
  cluster: {server: "https://9A8B.gr7.eu-west-1.eks.amazonaws.com"}
contexts:
- name: prod
  context: {cluster: "arn:aws:eks:eu-west-1:123456789012:cluster/shop-prod", user: prod-user}
users:
- name: prod-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [--region, eu-west-1, eks, get-token, --cluster-name, shop-prod, --output, json]
      env: [{name: AWS_PROFILE, value: shop}]
"#;
        let kc = Kubeconfig::from_yaml(yaml).unwrap();
        let hint = hint_from_kubeconfig(&kc, "prod");
        assert_eq!(hint.cluster_name.as_deref(), Some("shop-prod"));
        assert_eq!(hint.region.as_deref(), Some("eu-west-1"));
        assert_eq!(hint.profile.as_deref(), Some("shop"));
        assert!(hint.how.contains("prod"));
    }
}
