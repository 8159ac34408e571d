//! Live sources: a Snapshot gathered from a real cluster with kube-rs and from AWS with the
//! SDK. Read-only: nothing in this module writes to the cluster or the account.
//!
//! The order is the dependency chain and no longer. At once: the kubeconfig's exec credential
//! plugin then the Kubernetes lists (pods, service accounts, owners, nodes, webhooks, the
//! kube-system agent: one list each), STS GetCallerIdentity, EKS DescribeCluster, the pod
//! identity association list and the agent add-on, IAM ListOpenIDConnectProviders (and with
//! `-A` the account scan). Then each request as soon as its input is in: a role's reads when an
//! annotation (or an association) names it, the OIDC provider when DescribeCluster names the
//! issuer. One IRSA workload costs 4 sequential round trips: the lists; GetRole,
//! ListAttachedRolePolicies and ListRolePolicies; GetPolicy and GetRolePolicy; GetPolicyVersion.
//! When the kubeconfig does not name the EKS cluster, finding it by its endpoint comes first
//! for the EKS calls.
//!
//! Every request is bounded by `--request-timeout` ([`timeout`]); a source that does not
//! answer in time fails its stage with one sentence naming the service and its endpoint, and
//! the run ends with that sentence once the other sources are done.

pub mod aws_clients;
pub mod aws_error;
pub mod eks_gather;
pub mod exec_plugin;
pub mod iam_account;
pub mod iam_gather;
pub mod iam_policy_reads;
pub mod iam_wanted;
pub mod kube_config;
pub mod kube_error;
pub mod kube_gather;
mod kube_hints;
pub mod prove;
mod refused;
pub mod runtime;
pub mod timeout;

use std::path::PathBuf;

use thiserror::Error;

use futures::future::FutureExt;

use crate::diagnose::Target;
use crate::model::Fact;
use crate::model::arn::Arn;
use crate::model::aws::{AwsFacts, EksCluster};
use crate::model::snapshot::{LoadNote, Snapshot, SourceInfo, SourceKind};
use crate::sources::progress::{IGNORE, Observer, Progress, Stage, StageState};
use aws_clients::{AwsClients, Service};
use kube_config::{ClientFailure, KubeTarget, KubeconfigFiles};
use kube_hints::{associated_roles, kube_hints};
use refused::{Refused, or_unread, refused_credentials};

pub use kube_gather::{KubeFailure, KubeScope};
pub use runtime::block_on;
pub use timeout::RequestTimeout;

/// Clone: the gather's shared steps (the caller's account, the cluster) hand their outcome to
/// every step that waits for them.
#[derive(Debug, Clone, Error)]
pub enum LiveError {
    #[error("cannot load the kubeconfig: {0} (without a cluster, use --offline DIR or --demo)")]
    Kubeconfig(String),
    #[error("context `{context}` is not in the kubeconfig ({files}); its contexts are: {contexts}")]
    NoSuchContext {
        context: String,
        /// The files read, `~/.kube/config` or `/a, /b`.
        files: String,
        /// `a, b`, or `none`.
        contexts: String,
    },
    #[error(
        "the kubeconfig's credential plugin `{command}` gave no Kubernetes credentials: {reason} (for EKS, log in to AWS again, e.g. `aws sso login`, or pass --profile)"
    )]
    KubeCredentialPlugin { command: String, reason: String },
    #[error(
        "the kubeconfig's credential plugin `{command}` {reason} (run it yourself to see what it waits for, or raise --request-timeout)"
    )]
    KubeCredentialPluginNoAnswer { command: String, reason: String },
    /// A source that was reached but did not answer within `--request-timeout`.
    #[error("{service} at {endpoint} did not answer {within}")]
    NoAnswer {
        /// `IAM`, `EKS`, `STS`, `EKS Auth`, `the Kubernetes API server`.
        service: String,
        endpoint: String,
        /// `within 3s`.
        within: String,
    },
    /// An AWS service did not answer in time; [`aws_clients::AwsClients::name`] turns it into
    /// [`LiveError::NoAnswer`] naming which one, where the source is known.
    #[error("an AWS service did not answer in time: {0}")]
    AwsNoAnswer(String),
    #[error("the Kubernetes API server rejected the credentials (expired or invalid): {0}")]
    KubeAuth(String),
    #[error("cannot reach the Kubernetes API server {server}: {reason}")]
    KubeUnreachable { server: String, reason: String },
    #[error(
        "AWS credentials are missing, invalid or expired: {0}. Log in again (e.g. `aws sso login`) or pass --profile"
    )]
    AwsCredentials(String),
    #[error("cannot reach AWS: {0}")]
    AwsUnreachable(String),
    #[error(
        "no AWS region: pass --region or set AWS_REGION (it could not be read from the kubeconfig either)"
    )]
    NoRegion,
    #[error(
        "cannot tell which EKS cluster context `{0}` points at: pass --cluster NAME (and --region)"
    )]
    ClusterUnknown(String),
    #[error("EKS cluster `{0}` was not found in this account and region")]
    ClusterNotFound(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    /// `None` with `all_namespaces == false` means the context's namespace.
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub cluster: Option<String>,
    /// How long each Kubernetes and AWS request (and the exec credential plugin) may take.
    pub request_timeout: RequestTimeout,
    /// What the run is about (`doctor deploy/NAME`): only its service accounts' roles are read
    /// whole, the others for their trust ([`iam_wanted`]). `None`: every role whole.
    pub target: Option<Target>,
    /// Read every role of the account, as `-A` does, whatever the namespaces: `setup` (and its
    /// wizard) chooses among the account's roles and must know whether a role name is free.
    pub all_roles: bool,
}

/// The live connections, kept for what follows the gathering (`--prove`).
pub struct Session {
    pub client: kube::Client,
    /// The API server's URL, for messages.
    pub server: String,
    pub aws: AwsClients,
}

pub async fn gather(opts: &LiveOptions) -> Result<Snapshot, LiveError> {
    gather_session(opts).await.map(|(snap, _)| snap)
}

pub async fn gather_session(opts: &LiveOptions) -> Result<(Snapshot, Session), LiveError> {
    gather_observed(opts, IGNORE).await
}

fn count<T>(fact: &Fact<crate::model::snapshot::Listing<T>>) -> String {
    fact.known()
        .map(|l| l.items.len().to_string())
        .unwrap_or_else(|| "?".into())
}

/// Reports a stage's outcome: `done` words a success, a failure says the error.
fn report<T>(
    observer: &dyn Observer,
    stage: Stage,
    result: &Result<T, LiveError>,
    done: impl FnOnce(&T) -> String,
) {
    let state = match result {
        Ok(v) => StageState::Done(done(v)),
        Err(e) => StageState::Failed(e.to_string()),
    };
    observer.notify(Progress::Stage(stage, state));
}

/// Which EKS cluster this is, and how that was found.
#[derive(Clone)]
struct ClusterName {
    name: String,
    note: String,
    /// DescribeCluster's answer when finding the cluster by its endpoint asked it already.
    described: Option<EksCluster>,
}

/// The cluster's name: `--cluster`, the kubeconfig's exec arguments, or (a dependency of
/// every EKS call then) the cluster whose endpoint is the API server's URL.
async fn cluster_name(
    opts: &LiveOptions,
    target: &KubeTarget,
    eks: &aws_sdk_eks::Client,
) -> Result<ClusterName, LiveError> {
    let named = |name: &String, note: String| ClusterName {
        name: name.clone(),
        note,
        described: None,
    };
    if let Some(c) = &opts.cluster {
        return Ok(named(c, format!("EKS cluster `{c}` from --cluster")));
    }
    if let Some(c) = &target.hint.cluster_name {
        return Ok(named(c, format!("EKS cluster `{c}`: {}", target.hint.how)));
    }
    let found = match &target.server {
        Some(server) => eks_gather::cluster_by_endpoint(eks, server).await?,
        None => None,
    };
    let (name, cluster) = found.ok_or_else(|| LiveError::ClusterUnknown(target.context.clone()))?;
    Ok(ClusterName {
        note: format!(
            "EKS cluster `{name}`: its endpoint matches the API server URL of context `{}`",
            target.context
        ),
        name,
        described: Some(cluster),
    })
}

/// The API server's URL, for messages.
fn server_of(target: &KubeTarget) -> String {
    target
        .server
        .clone()
        .map(|s| s.trim_end_matches('/').to_string())
        .unwrap_or_else(|| format!("of context `{}`", target.context))
}

/// `the Kubernetes API server at https://... did not answer within 3s`.
pub fn kube_no_answer(server: &str, timeout: RequestTimeout) -> LiveError {
    LiveError::NoAnswer {
        service: "the Kubernetes API server".into(),
        endpoint: server.to_string(),
        within: timeout.within(),
    }
}

/// The Kubernetes side: the exec credential plugin (if any), then every list at once.
async fn kubernetes(
    target: &KubeTarget,
    scope: &KubeScope,
    timeout: RequestTimeout,
) -> Result<(kube::Client, crate::model::KubeFacts), LiveError> {
    let client = kube_config::client(target.config.clone(), timeout)
        .await
        .map_err(|f| match f {
            ClientFailure::Plugin(p) if p.timed_out => LiveError::KubeCredentialPluginNoAnswer {
                command: p.command,
                reason: p.reason,
            },
            ClientFailure::Plugin(p) => LiveError::KubeCredentialPlugin {
                command: p.command,
                reason: p.reason,
            },
            ClientFailure::Config(m) => LiveError::Kubeconfig(m),
        })?;
    let facts = kube_gather::gather(&client, scope)
        .await
        .map_err(|f| match f {
            KubeFailure::Auth(m) => LiveError::KubeAuth(m),
            KubeFailure::Unreachable(reason) => LiveError::KubeUnreachable {
                server: server_of(target),
                reason,
            },
            KubeFailure::NoAnswer => kube_no_answer(&server_of(target), timeout),
        })?;
    Ok((client, facts))
}

/// [`gather_session`], telling `observer` how each source is doing and handing it the
/// Kubernetes facts as soon as they are complete.
///
/// Every request goes out as soon as what it needs is known (module comment). The outcome is
/// checked in a fixed order once everything has answered, so the error a failing run reports
/// does not depend on which source answered first: Kubernetes, STS, the cluster and EKS, IAM.
pub async fn gather_observed(
    opts: &LiveOptions,
    observer: &dyn Observer,
) -> Result<(Snapshot, Session), LiveError> {
    let timeout = opts.request_timeout;
    let files = KubeconfigFiles::from_env(opts.kubeconfig.as_deref());
    let target = kube_config::load(&files, opts.context.as_deref(), timeout).await?;
    let scope = if opts.all_namespaces {
        KubeScope::All
    } else {
        KubeScope::Namespace(
            opts.namespace
                .clone()
                .unwrap_or_else(|| target.default_namespace.clone()),
        )
    };
    if let KubeScope::Namespace(ns) = &scope {
        observer.notify(Progress::Namespace(ns));
    }
    let region = opts
        .region
        .clone()
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
        .or_else(|| target.hint.region.clone())
        .ok_or(LiveError::NoRegion)?;
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.clone()));
    if let Some(p) = opts.profile.clone().or_else(|| target.hint.profile.clone()) {
        loader = loader.profile_name(p);
    }
    if let Some(timeouts) = timeout.aws() {
        loader = loader.timeout_config(timeouts);
    }
    let clients = AwsClients::new(loader.load().await, timeout);
    // Everything that borrows the clients ends in this block, so the session can keep them.
    let (kube, caller, cluster, associations, addon, iam_facts, account, name) = {
        let (iam, eks, sts) = (&clients.iam, &clients.eks, &clients.sts);

        // Kubernetes: the service accounts' roles go to IAM, and the namespace's service
        // account names to EKS, the moment the lists are in.
        let (hints_tx, hints_rx) = tokio::sync::oneshot::channel();
        let hints = async { hints_rx.await.unwrap_or_default() }
            .boxed()
            .shared();
        let kube = async {
            let result = kubernetes(&target, &scope, timeout).await;
            report(observer, Stage::Kubernetes, &result, |(_, k)| {
                format!(
                    "{} pods, {} service accounts",
                    count(&k.pods),
                    count(&k.service_accounts)
                )
            });
            if let Ok((_, k)) = &result {
                observer.notify(Progress::KubernetesReady(k));
                // IAM's gather waits for the receiver, so it is there to take the hints.
                let _ = hints_tx.send(kube_hints(k, &scope, opts.target.as_ref()));
            }
            result
        };
        let caller = async {
            let out = sts.get_caller_identity().send().await;
            let (state, result) = match out {
                Ok(c) => (
                    StageState::Done(format!("account {}", c.account().unwrap_or("?"))),
                    Ok(c.account().map(str::to_string)),
                ),
                Err(e) => {
                    let failure = aws_error::classify(&e);
                    match eks_gather::fatal(&failure) {
                        Some(fatal) => {
                            let fatal = clients.name(Service::Sts, fatal);
                            (StageState::Failed(fatal.to_string()), Err(fatal))
                        }
                        // Not fatal (STS refused by policy, say): the cluster's ARN names the
                        // account.
                        None => (StageState::Failed(failure.message().to_string()), Ok(None)),
                    }
                }
            };
            observer.notify(Progress::Stage(Stage::Sts, state));
            result
        }
        .boxed()
        .shared();

        // EKS: the cluster first (its issuer, and maybe the account), the associations and the
        // agent add-on alongside.
        let on_eks = |e: LiveError| clients.name(Service::Eks, e);
        let name = async { cluster_name(opts, &target, eks).await.map_err(on_eks) }
            .boxed()
            .shared();
        let cluster = async {
            let n = name.clone().await?;
            match n.described {
                Some(c) => Ok(Fact::Known(c)),
                None => eks_gather::describe_cluster(eks, &n.name)
                    .await
                    .map_err(on_eks),
            }
        }
        .boxed()
        .shared();
        let eks_all = async {
            let (cluster, associations, addon) = tokio::join!(
                cluster.clone(),
                async {
                    let describe = eks_gather::Describe {
                        namespace: match &scope {
                            KubeScope::All => None,
                            KubeScope::Namespace(ns) => Some(ns.clone()),
                        },
                        names: async { hints.clone().await.names },
                    };
                    eks_gather::associations(eks, &name.clone().await?.name, describe)
                        .await
                        .map_err(on_eks)
                },
                async {
                    eks_gather::agent_addon(eks, &name.clone().await?.name)
                        .await
                        .map_err(on_eks)
                },
            );
            let state = match (&name.clone().await, &cluster, &associations, &addon) {
                (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) | (_, _, _, Err(e)) => {
                    StageState::Failed(e.to_string())
                }
                (Ok(n), Ok(_), Ok(a), Ok(_)) => StageState::Done(format!(
                    "cluster {}{}, {} associations",
                    n.name,
                    if n.described.is_some() {
                        " (found by its endpoint)"
                    } else {
                        ""
                    },
                    a.known()
                        .map(|l| l.len().to_string())
                        .unwrap_or_else(|| "?".into())
                )),
            };
            observer.notify(Progress::Stage(Stage::Eks, state));
            (cluster, associations, addon)
        }
        .boxed()
        .shared();
        let account = async {
            match caller.clone().await {
                Ok(Some(a)) => Some(a),
                _ => cluster.clone().await.ok().and_then(|c| {
                    c.known()
                        .and_then(|c| Arn::parse(&c.arn))
                        .map(|a| a.account)
                }),
            }
        }
        .boxed()
        .shared();

        let iam_side = async {
            let inputs = iam_gather::Inputs {
                scan_all: opts.all_namespaces || opts.all_roles,
                annotated: async { hints.clone().await.roles },
                // Waiting for the whole EKS stage (the add-on is a round trip, the associations
                // two) keeps IAM's report after EKS's.
                associated: async {
                    let (_, associations, _) = eks_all.clone().await;
                    let hints = hints.clone().await;
                    associations
                        .map(|a| associated_roles(&a, hints.focus.as_ref(), hints.focus_configured))
                        .unwrap_or_default()
                },
                account: account.clone(),
                issuer: async {
                    cluster
                        .clone()
                        .await
                        .ok()
                        .and_then(|c| c.known().and_then(|c| c.oidc_issuer.clone()))
                },
            };
            let result = iam_gather::gather(iam, inputs)
                .await
                .map_err(|e| clients.name(Service::Iam, e));
            report(observer, Stage::Iam, &result, |i| {
                format!("{} roles", i.roles.len())
            });
            result
        };

        // Every stage starts at once: said before the first is polled, so a fast answer to one
        // is never reported before another has started.
        for stage in [Stage::Kubernetes, Stage::Sts, Stage::Eks, Stage::Iam] {
            observer.notify(Progress::Stage(stage, StageState::Running));
        }
        let (kube, caller, (cluster, associations, addon), iam_facts, account) = tokio::join!(
            kube,
            caller.clone(),
            eks_all.clone(),
            iam_side,
            account.clone()
        );
        let name = name.clone().await;
        (
            kube,
            caller,
            cluster,
            associations,
            addon,
            iam_facts,
            account,
            name,
        )
    };
    let (client, kube) = kube?;
    let mut notes = Vec::new();
    let refused = refused_credentials([
        ("STS", caller.as_ref().err()),
        ("EKS", name.as_ref().err()),
        ("EKS", cluster.as_ref().err()),
        ("EKS", associations.as_ref().err()),
        ("EKS", addon.as_ref().err()),
        ("IAM", iam_facts.as_ref().err()),
    ]);
    let aws = match refused {
        // The Kubernetes side stands on its own: the report judges its links and says why
        // the AWS ones are unknown (the everyday case of kubectl access without AWS access).
        Some(Refused { services, why }) => {
            notes.push(LoadNote {
                file: "aws".into(),
                message: why.explain(&services),
            });
            // STS alone refusing changes nothing else: the cluster's ARN names the account.
            let eks_or_iam = services != "STS";
            if let Ok(n) = name {
                notes.push(LoadNote {
                    file: "cluster".into(),
                    message: n.note,
                });
            }
            AwsFacts {
                cluster: or_unread(cluster, &why)?,
                associations: or_unread(associations, &why)?,
                pod_identity_agent_addon: or_unread(addon, &why)?,
                iam: match iam_facts {
                    Err(LiveError::AwsCredentials(_)) => Default::default(),
                    other => other?,
                },
                unread: eks_or_iam.then_some(why),
            }
        }
        None => {
            caller?;
            notes.push(LoadNote {
                file: "cluster".into(),
                message: name?.note,
            });
            AwsFacts {
                cluster: cluster?,
                associations: associations?,
                pod_identity_agent_addon: addon?,
                iam: iam_facts?,
                unread: None,
            }
        }
    };
    if let Fact::Missing(m) = &aws.cluster {
        notes.push(LoadNote {
            file: "cluster".into(),
            message: m.explain("the EKS cluster"),
        });
    }
    let description = format!(
        "context {} · account {} · {}",
        target.context,
        account.as_deref().unwrap_or("?"),
        region
    );
    let snapshot = Snapshot {
        source: SourceInfo {
            kind: SourceKind::Live,
            description,
            context: Some(target.context.clone()),
            region: Some(region.clone()),
        },
        kube,
        aws,
        notes,
    };
    let server = server_of(&target);
    Ok((
        snapshot,
        Session {
            client,
            server,
            aws: clients,
        },
    ))
}

/// [`gather`] for synchronous callers, on the process's runtime.
pub fn gather_blocking(opts: &LiveOptions) -> Result<Snapshot, LiveError> {
    block_on(gather(opts))?
}

/// The TUI runs the gather as a task on a background runtime, so its future must stay `Send`; a
/// stream over borrowed items once made it "not general enough" with an error far from here.
#[cfg(test)]
mod send_check {
    #[allow(dead_code)]
    fn gather_is_send(opts: &super::LiveOptions) {
        fn is_send<T: Send>(_: T) {}
        is_send(super::gather_observed(opts, super::IGNORE));
    }
}
