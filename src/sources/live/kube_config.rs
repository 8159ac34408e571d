//! Finds the cluster the way kubectl does (`--kubeconfig`, `KUBECONFIG`, `--context`,
//! in-cluster config) and reads from the kubeconfig what identifies the EKS cluster: the
//! `aws eks get-token --cluster-name NAME --region REGION` exec arguments (or
//! aws-iam-authenticator's `-i NAME`), the AWS profile the exec plugin uses, and the region in
//! the API server's host name.
//!
//! Two steps, so the AWS calls need not wait for the credential: [`load`] reads the kubeconfig
//! and runs nothing; [`client`] runs the exec credential plugin (see [`super::exec_plugin`])
//! and builds the client. Both carry `--request-timeout`.
//!
//! Which files, as kubectl decides ([`KubeconfigFiles::choose`]): `--kubeconfig PATH` is that one
//! file, never split (a Windows path has a colon after its drive letter); only the `KUBECONFIG`
//! variable is a list, split with the platform's separator (`:`, or `;` on Windows), its files
//! merged with the first to set a value winning, empty entries and files that do not exist
//! skipped; a `KUBECONFIG` that is unset or empty means `~/.kube/config`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};

use super::LiveError;
use super::aws_error::error_chain;
use super::exec_plugin::{self, PluginFailure};
use super::timeout::RequestTimeout;

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

/// The files the kubeconfig is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeconfigFiles {
    /// `--kubeconfig PATH`: that file, which must exist.
    Flag(PathBuf),
    /// The files `KUBECONFIG` lists, in its order (empty entries left out).
    Variable(Vec<PathBuf>),
    /// `~/.kube/config`; `None` when there is no home directory. When the file does not exist,
    /// the in-cluster configuration is tried.
    Default(Option<PathBuf>),
}

impl KubeconfigFiles {
    /// kubectl's rules, given `--kubeconfig`, the value of `KUBECONFIG` and the home directory.
    pub fn choose(
        flag: Option<&Path>,
        variable: Option<OsString>,
        home: Option<PathBuf>,
    ) -> KubeconfigFiles {
        if let Some(path) = flag {
            return KubeconfigFiles::Flag(path.to_path_buf());
        }
        let listed: Vec<PathBuf> = variable
            .iter()
            .flat_map(std::env::split_paths)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if listed.is_empty() {
            KubeconfigFiles::Default(home.map(|h| h.join(".kube").join("config")))
        } else {
            KubeconfigFiles::Variable(listed)
        }
    }

    /// From this process's flags and environment.
    pub fn from_env(flag: Option<&Path>) -> KubeconfigFiles {
        KubeconfigFiles::choose(flag, std::env::var_os("KUBECONFIG"), std::env::home_dir())
    }

    /// The files, for messages: `~/.kube/config`, `/a, /b`.
    fn describe(&self, read: &[PathBuf]) -> String {
        let home = std::env::home_dir();
        let show = |p: &PathBuf| match home.as_deref().and_then(|h| p.strip_prefix(h).ok()) {
            Some(rest) => format!("~/{}", rest.display()),
            None => p.display().to_string(),
        };
        let shown: Vec<String> = read.iter().map(show).collect();
        shown.join(", ")
    }

    /// Reads and merges the files; `None` when there is no kubeconfig at all (no home, or no
    /// `~/.kube/config`), which means the in-cluster configuration. Also the files read.
    pub fn read(&self) -> Result<Option<(Kubeconfig, Vec<PathBuf>)>, LiveError> {
        match self {
            KubeconfigFiles::Flag(path) => Ok(Some((read_file(path)?, vec![path.clone()]))),
            KubeconfigFiles::Default(None) => Ok(None),
            KubeconfigFiles::Default(Some(path)) if !path.exists() => Ok(None),
            KubeconfigFiles::Default(Some(path)) => {
                Ok(Some((read_file(path)?, vec![path.clone()])))
            }
            KubeconfigFiles::Variable(listed) => {
                // As kubectl: a listed file that does not exist is passed over.
                let existing: Vec<PathBuf> =
                    listed.iter().filter(|p| p.exists()).cloned().collect();
                if existing.is_empty() {
                    return Err(LiveError::Kubeconfig(format!(
                        "none of the files KUBECONFIG lists exists ({})",
                        self.describe(listed)
                    )));
                }
                let mut merged = Kubeconfig::default();
                for path in &existing {
                    merged = merged.merge(read_file(path)?).map_err(|e| {
                        LiveError::Kubeconfig(format!(
                            "{} cannot be merged with the files before it in KUBECONFIG: {e}",
                            path.display()
                        ))
                    })?;
                }
                Ok(Some((merged, existing)))
            }
        }
    }
}

/// One kubeconfig file, with a sentence for what went wrong.
fn read_file(path: &Path) -> Result<Kubeconfig, LiveError> {
    Kubeconfig::read_from(path).map_err(|e| {
        LiveError::Kubeconfig(match e {
            KubeconfigError::ReadConfig(io, _) => format!("cannot read {}: {io}", path.display()),
            other => format!("{}: {}", path.display(), error_chain(&other)),
        })
    })
}

/// `a, b`, or what to say when there is none.
fn context_names(kc: &Kubeconfig) -> String {
    let names: Vec<&str> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// Reads the kubeconfig (or the in-cluster config); runs no credential plugin.
pub async fn load(
    files: &KubeconfigFiles,
    context: Option<&str>,
    timeout: RequestTimeout,
) -> Result<KubeTarget, LiveError> {
    let options = KubeConfigOptions {
        context: context.map(str::to_string),
        ..KubeConfigOptions::default()
    };
    let (mut config, context_name, hint) = match files.read()? {
        Some((kc, read)) => {
            let name = context
                .map(str::to_string)
                .or_else(|| kc.current_context.clone().filter(|c| !c.is_empty()))
                .ok_or_else(|| {
                    LiveError::Kubeconfig(format!(
                        "the kubeconfig ({}) has no current context; pass --context (its contexts: {})",
                        files.describe(&read),
                        context_names(&kc)
                    ))
                })?;
            if !kc.contexts.iter().any(|c| c.name == name) {
                return Err(LiveError::NoSuchContext {
                    context: name,
                    files: files.describe(&read),
                    contexts: context_names(&kc),
                });
            }
            let hint = hint_from_kubeconfig(&kc, &name);
            let config = kube::Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| {
                    LiveError::Kubeconfig(format!(
                        "context `{name}` in {}: {}",
                        files.describe(&read),
                        error_chain(&e)
                    ))
                })?;
            (config, name, hint)
        }
        None => {
            let config = kube::Config::incluster().map_err(|e| {
                LiveError::Kubeconfig(format!(
                    "no kubeconfig found ({}) and not running in a cluster ({})",
                    match files {
                        KubeconfigFiles::Default(Some(p)) =>
                            format!("{} does not exist", p.display()),
                        _ => "no home directory".into(),
                    },
                    error_chain(&e)
                ))
            })?;
            (config, "in-cluster".to_string(), EksHint::default())
        }
    };
    timeout.apply_to_kube(&mut config);
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

/// Runs the exec credential plugin, if any (once, off the async threads, stopped after
/// `timeout`), and builds the client.
pub async fn client(
    mut config: kube::Config,
    timeout: RequestTimeout,
) -> Result<kube::Client, ClientFailure> {
    exec_plugin::resolve(&mut config.auth_info, timeout)
        .await
        .map_err(ClientFailure::Plugin)?;
    kube::Client::try_from(config).map_err(|e| ClientFailure::Config(error_chain(&e)))
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
    fn an_explicit_path_is_one_file_and_only_the_variable_is_a_list() {
        let home = Some(PathBuf::from("/home/u"));
        let colon = Path::new("/tmp/a:b/config");
        assert_eq!(
            KubeconfigFiles::choose(Some(colon), Some("/x:/y".into()), home.clone()),
            KubeconfigFiles::Flag(colon.to_path_buf())
        );
        let joined = std::env::join_paths(["/x", "", "/y"]).unwrap();
        assert_eq!(
            KubeconfigFiles::choose(None, Some(joined), home.clone()),
            KubeconfigFiles::Variable(vec!["/x".into(), "/y".into()])
        );
        for unset_or_empty in [None, Some(OsString::new())] {
            assert_eq!(
                KubeconfigFiles::choose(None, unset_or_empty, home.clone()),
                KubeconfigFiles::Default(Some("/home/u/.kube/config".into()))
            );
        }
        assert_eq!(
            KubeconfigFiles::choose(None, None, None),
            KubeconfigFiles::Default(None)
        );
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
