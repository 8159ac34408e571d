//! Live sources: a Snapshot gathered from a real cluster with kube-rs and from AWS with the
//! SDK. Read-only: nothing in this module writes to the cluster or the account.
//!
//! The order is the dependency chain and no longer: the Kubernetes lists, STS
//! GetCallerIdentity and the EKS calls run concurrently; IAM follows once the role ARNs named by
//! annotations and associations are known.

pub mod aws_error;
pub mod eks_gather;
pub mod iam_gather;
pub mod kube_config;
pub mod kube_gather;
pub mod prove;

use std::collections::BTreeSet;
use std::path::PathBuf;

use thiserror::Error;

use crate::model::Fact;
use crate::model::arn::{Arn, RoleArn};
use crate::model::aws::AwsFacts;
use crate::model::snapshot::{LoadNote, Snapshot, SourceInfo, SourceKind};
use crate::sources::progress::{IGNORE, Observer, Progress, Stage, StageState};

pub use kube_gather::{KubeFailure, KubeScope};

#[derive(Debug, Error)]
pub enum LiveError {
    #[error("cannot load the kubeconfig: {0} (without a cluster, use --offline DIR or --demo)")]
    Kubeconfig(String),
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
}

/// Role ARNs the diagnosis will need: annotations and associations (role and target role).
fn wanted_roles(kube: &crate::model::KubeFacts, aws: &AwsFacts) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(l) = kube.service_accounts.known() {
        for sa in &l.items {
            if let Some(v) = sa
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("eks.amazonaws.com/role-arn"))
                && let Ok(r) = RoleArn::parse(v)
            {
                out.insert(r.to_string());
            }
        }
    }
    if let Some(list) = aws.associations.known() {
        for a in list {
            out.extend(a.role_arn.iter().cloned());
            out.extend(a.target_role_arn.iter().cloned());
        }
    }
    out
}

/// The live connections, kept for what follows the gathering (`--prove`).
pub struct Session {
    pub client: kube::Client,
    pub sdk: aws_config::SdkConfig,
    pub iam: aws_sdk_iam::Client,
}

pub async fn gather(opts: &LiveOptions) -> Result<Snapshot, LiveError> {
    gather_session(opts).await.map(|(snap, _)| snap)
}

pub async fn gather_session(opts: &LiveOptions) -> Result<(Snapshot, Session), LiveError> {
    gather_observed(opts, IGNORE).await
}

/// Reports `Running` before `work` and `Done`/`Failed` after it; `failed` words the error the
/// way a user reads it (an SDK error's own Display is only "service error").
async fn staged<T, E>(
    observer: &dyn Observer,
    stage: Stage,
    work: impl std::future::Future<Output = Result<T, E>>,
    done: impl FnOnce(&T) -> String,
    failed: impl FnOnce(&E) -> String,
) -> Result<T, E> {
    observer.notify(Progress::Stage(stage, StageState::Running));
    let result = work.await;
    let state = match &result {
        Ok(v) => StageState::Done(done(v)),
        Err(e) => StageState::Failed(failed(e)),
    };
    observer.notify(Progress::Stage(stage, state));
    result
}

fn count<T>(fact: &Fact<crate::model::snapshot::Listing<T>>) -> String {
    fact.known()
        .map(|l| l.items.len().to_string())
        .unwrap_or_else(|| "?".into())
}

/// [`gather_session`], telling `observer` how each source is doing and handing it the
/// Kubernetes facts as soon as they are complete.
pub async fn gather_observed(
    opts: &LiveOptions,
    observer: &dyn Observer,
) -> Result<(Snapshot, Session), LiveError> {
    let target = kube_config::connect(opts.kubeconfig.as_deref(), opts.context.as_deref()).await?;
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
    let sdk = loader.load().await;
    let (iam, eks, sts) = (
        aws_sdk_iam::Client::new(&sdk),
        aws_sdk_eks::Client::new(&sdk),
        aws_sdk_sts::Client::new(&sdk),
    );

    let (kube, caller) = tokio::join!(
        staged(
            observer,
            Stage::Kubernetes,
            kube_gather::gather(&target.client, &scope),
            |k| format!(
                "{} pods, {} service accounts",
                count(&k.pods),
                count(&k.service_accounts)
            ),
            ToString::to_string,
        ),
        staged(
            observer,
            Stage::Sts,
            sts.get_caller_identity().send(),
            |c| format!("account {}", c.account().unwrap_or("?")),
            |e| aws_error::error_chain(e),
        )
    );
    if let Ok(k) = &kube {
        observer.notify(Progress::KubernetesReady(k));
    }
    let kube = kube.map_err(|f| match f {
        KubeFailure::Auth(m) => LiveError::KubeAuth(m),
        KubeFailure::Unreachable(reason) => LiveError::KubeUnreachable {
            server: target
                .server
                .clone()
                .unwrap_or_else(|| format!("of context `{}`", target.context)),
            reason,
        },
    })?;
    let account = match caller {
        Ok(c) => c.account().map(str::to_string),
        Err(e) => {
            let f = aws_error::classify(&e);
            match eks_gather::fatal(&f) {
                Some(fatal) => return Err(fatal),
                None => None,
            }
        }
    };
    let mut notes = Vec::new();
    let cluster_name = match (&opts.cluster, &target.hint.cluster_name) {
        (Some(c), _) => {
            notes.push(LoadNote {
                file: "cluster".into(),
                message: format!("EKS cluster `{c}` from --cluster"),
            });
            c.clone()
        }
        (None, Some(c)) => {
            notes.push(LoadNote {
                file: "cluster".into(),
                message: format!("EKS cluster `{c}`: {}", target.hint.how),
            });
            c.clone()
        }
        (None, None) => {
            let found = match &target.server {
                Some(server) => {
                    staged(
                        observer,
                        Stage::Eks,
                        eks_gather::cluster_by_endpoint(&eks, server),
                        |c| match c {
                            Some(c) => format!("cluster {c} found by its endpoint"),
                            None => "no cluster has this endpoint".into(),
                        },
                        ToString::to_string,
                    )
                    .await?
                }
                None => None,
            };
            let c = found.ok_or_else(|| LiveError::ClusterUnknown(target.context.clone()))?;
            notes.push(LoadNote {
                file: "cluster".into(),
                message: format!(
                    "EKS cluster `{c}`: its endpoint matches the API server URL of context `{}`",
                    target.context
                ),
            });
            c
        }
    };
    observer.notify(Progress::Stage(Stage::Eks, StageState::Running));
    let (cluster, associations, addon) = tokio::join!(
        eks_gather::describe_cluster(&eks, &cluster_name),
        eks_gather::associations(&eks, &cluster_name),
        eks_gather::agent_addon(&eks, &cluster_name),
    );
    observer.notify(Progress::Stage(
        Stage::Eks,
        match (&cluster, &associations, &addon) {
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => StageState::Failed(e.to_string()),
            (Ok(_), Ok(a), Ok(_)) => StageState::Done(format!(
                "cluster {cluster_name}, {} associations",
                a.known()
                    .map(|l| l.len().to_string())
                    .unwrap_or_else(|| "?".into())
            )),
        },
    ));
    let mut aws = AwsFacts {
        cluster: cluster?,
        associations: associations?,
        pod_identity_agent_addon: addon?,
        ..AwsFacts::default()
    };
    let account = account.or_else(|| {
        aws.cluster
            .known()
            .and_then(|c| Arn::parse(&c.arn))
            .map(|a| a.account)
    });
    let issuer = aws.cluster.known().and_then(|c| c.oidc_issuer.clone());
    let wanted = wanted_roles(&kube, &aws);
    aws.iam = staged(
        observer,
        Stage::Iam,
        iam_gather::gather(
            &iam,
            &wanted,
            opts.all_namespaces,
            issuer.as_deref(),
            account.as_deref(),
        ),
        |i| format!("{} roles", i.roles.len()),
        ToString::to_string,
    )
    .await?;
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
        },
        kube,
        aws,
        notes,
    };
    Ok((
        snapshot,
        Session {
            client: target.client,
            sdk,
            iam,
        },
    ))
}

/// Runs a future on a runtime of its own, for synchronous callers.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, LiveError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| LiveError::Runtime(e.to_string()))?;
    Ok(rt.block_on(future))
}

/// [`gather`] for synchronous callers.
pub fn gather_blocking(opts: &LiveOptions) -> Result<Snapshot, LiveError> {
    block_on(gather(opts))?
}
