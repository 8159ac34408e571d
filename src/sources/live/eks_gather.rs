//! The EKS side of a live Snapshot: DescribeCluster, every pod identity association
//! (ListPodIdentityAssociations, then DescribePodIdentityAssociation for those the diagnosis
//! can read, a bounded number in flight: see [`Describe`]) and the eks-pod-identity-agent add-on; and the cluster whose endpoint is
//! the kubeconfig's API server, when the kubeconfig does not name it.

use std::collections::BTreeSet;

use aws_sdk_eks::primitives::DateTimeFormat;
use aws_sdk_eks::types::PodIdentityAssociationSummary;
use futures::stream::{self, StreamExt};

use super::LiveError;
use super::aws_error::{AwsFailure, classify};
use crate::model::aws::{Addon, AddonHealthIssue, EksCluster, PodIdentityAssociation, PolicyText};
use crate::model::{Fact, Missing};

pub const IN_FLIGHT: usize = 8;

fn fmt_time(t: Option<&aws_sdk_eks::primitives::DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
}

fn denied(permission: &str, message: String) -> Missing {
    Missing::Denied {
        permission: permission.to_string(),
        message,
    }
}

/// Fatal failures end the run; the rest become facts.
pub fn fatal(f: &AwsFailure) -> Option<LiveError> {
    match f {
        AwsFailure::Credentials(m) => Some(LiveError::AwsCredentials(m.clone())),
        AwsFailure::Unreachable(m) => Some(LiveError::AwsUnreachable(m.clone())),
        // Which service and where is said by the caller, who knows (`AwsClients::name`).
        AwsFailure::NoAnswer(m) => Some(LiveError::AwsNoAnswer(m.clone())),
        _ => None,
    }
}

fn to_cluster(c: &aws_sdk_eks::types::Cluster, name: &str) -> EksCluster {
    EksCluster {
        name: c.name().unwrap_or(name).to_string(),
        arn: c.arn().unwrap_or_default().to_string(),
        endpoint: c.endpoint().map(str::to_string),
        version: c.version().map(str::to_string),
        platform_version: c.platform_version().map(str::to_string),
        oidc_issuer: c
            .identity()
            .and_then(|i| i.oidc())
            .and_then(|o| o.issuer())
            .map(str::to_string),
        status: c.status().map(|s| s.as_str().to_string()),
        auto_mode: c
            .compute_config()
            .and_then(|cc| cc.enabled())
            .unwrap_or(false),
    }
}

pub async fn describe_cluster(
    eks: &aws_sdk_eks::Client,
    name: &str,
) -> Result<Fact<EksCluster>, LiveError> {
    match eks.describe_cluster().name(name).send().await {
        Ok(out) => match out.cluster() {
            Some(c) => Ok(Fact::Known(to_cluster(c, name))),
            None => Err(LiveError::ClusterNotFound(name.to_string())),
        },
        Err(e) => {
            let f = classify(&e);
            if let Some(fatal) = fatal(&f) {
                return Err(fatal);
            }
            match f {
                AwsFailure::NotFound(_) => Err(LiveError::ClusterNotFound(name.to_string())),
                AwsFailure::Denied(m) => Ok(Fact::Missing(denied("eks:DescribeCluster", m))),
                AwsFailure::Other(m)
                | AwsFailure::Credentials(m)
                | AwsFailure::Unreachable(m)
                | AwsFailure::NoAnswer(m) => Ok(Fact::Missing(Missing::Unreachable { message: m })),
            }
        }
    }
}

/// Which associations DescribePodIdentityAssociation is asked about (only it names the role).
/// Without a namespace, every one. For a run scoped to a namespace: that namespace's at once;
/// of the other namespaces', those whose service account name is one the namespace uses
/// (`names`, known when the Kubernetes lists are in), since the diagnosis points at such a
/// look-alike and its role. The others keep what the list says, without their role: nothing
/// the namespace's diagnosis reads.
pub struct Describe<Names> {
    pub namespace: Option<String>,
    pub names: Names,
}

/// Every pod identity association of the cluster (ListPodIdentityAssociations), described as
/// `describe` says (a bounded number in flight).
pub async fn associations<Names: Future<Output = BTreeSet<String>>>(
    eks: &aws_sdk_eks::Client,
    cluster: &str,
    describe: Describe<Names>,
) -> Result<Fact<Vec<PodIdentityAssociation>>, LiveError> {
    let mut summaries = Vec::new();
    let mut pages = eks
        .list_pod_identity_associations()
        .cluster_name(cluster)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => summaries.extend(p.associations().iter().cloned()),
            Err(e) => {
                let f = classify(&e);
                if let Some(fatal) = fatal(&f) {
                    return Err(fatal);
                }
                return Ok(Fact::Missing(match f {
                    AwsFailure::Denied(m) => denied("eks:ListPodIdentityAssociations", m),
                    AwsFailure::NotFound(m)
                    | AwsFailure::Other(m)
                    | AwsFailure::Credentials(m)
                    | AwsFailure::Unreachable(m)
                    | AwsFailure::NoAnswer(m) => Missing::Unreachable { message: m },
                }));
            }
        }
    }
    let in_scope = |s: &PodIdentityAssociationSummary| {
        describe
            .namespace
            .as_deref()
            .is_none_or(|ns| s.namespace() == Some(ns))
    };
    let (now, elsewhere): (Vec<_>, Vec<_>) = summaries.into_iter().partition(in_scope);
    let (described, others) = tokio::join!(describe_each(eks, cluster, now), async {
        if elsewhere.is_empty() {
            return Ok(Vec::new());
        }
        let names = describe.names.await;
        let (alike, rest): (Vec<_>, Vec<_>) = elsewhere
            .into_iter()
            .partition(|s| s.service_account().is_some_and(|n| names.contains(n)));
        let mut out = describe_each(eks, cluster, alike).await?;
        out.extend(rest.iter().map(|s| listed(cluster, s)));
        Ok::<_, LiveError>(out)
    });
    let mut out = described?;
    out.extend(others?);
    out.sort_by(|a, b| {
        (&a.namespace, &a.service_account, &a.association_id).cmp(&(
            &b.namespace,
            &b.service_account,
            &b.association_id,
        ))
    });
    Ok(Fact::Known(out))
}

/// An association as ListPodIdentityAssociations gives it: no role yet.
fn listed(cluster: &str, s: &PodIdentityAssociationSummary) -> PodIdentityAssociation {
    PodIdentityAssociation {
        cluster_name: Some(cluster.to_string()),
        namespace: s.namespace().unwrap_or_default().to_string(),
        service_account: s.service_account().unwrap_or_default().to_string(),
        association_id: s.association_id().unwrap_or_default().to_string(),
        association_arn: s.association_arn().map(str::to_string),
        role_arn: None,
        target_role_arn: None,
        disable_session_tags: None,
        session_policy: None,
        owner_arn: s.owner_arn().map(str::to_string),
        created_at: None,
        modified_at: None,
    }
}

/// DescribePodIdentityAssociation for each, a bounded number in flight.
async fn describe_each(
    eks: &aws_sdk_eks::Client,
    cluster: &str,
    summaries: Vec<PodIdentityAssociationSummary>,
) -> Result<Vec<PodIdentityAssociation>, LiveError> {
    let described: Vec<Result<PodIdentityAssociation, LiveError>> = stream::iter(summaries)
        .map(|s| async move {
            let mut a = listed(cluster, &s);
            match eks
                .describe_pod_identity_association()
                .cluster_name(cluster)
                .association_id(&a.association_id)
                .send()
                .await
            {
                Ok(out) => {
                    if let Some(d) = out.association() {
                        a.role_arn = d.role_arn().map(str::to_string);
                        a.target_role_arn = d.target_role_arn().map(str::to_string);
                        a.disable_session_tags = d.disable_session_tags();
                        a.session_policy = d.policy().map(|p| PolicyText(p.to_string()));
                        a.owner_arn = d.owner_arn().map(str::to_string).or(a.owner_arn);
                        a.created_at = fmt_time(d.created_at());
                        a.modified_at = fmt_time(d.modified_at());
                    }
                    Ok(a)
                }
                Err(e) => {
                    let f = classify(&e);
                    match fatal(&f) {
                        Some(fatal) => Err(fatal),
                        // Denied: the association stays without its role (the link says so).
                        None => Ok(a),
                    }
                }
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    described.into_iter().collect()
}

pub async fn agent_addon(
    eks: &aws_sdk_eks::Client,
    cluster: &str,
) -> Result<Fact<Option<Addon>>, LiveError> {
    match eks
        .describe_addon()
        .cluster_name(cluster)
        .addon_name("eks-pod-identity-agent")
        .send()
        .await
    {
        Ok(out) => Ok(Fact::Known(out.addon().map(|a| {
            Addon {
                name: a
                    .addon_name()
                    .unwrap_or("eks-pod-identity-agent")
                    .to_string(),
                status: a.status().map(|s| s.as_str().to_string()),
                version: a.addon_version().map(str::to_string),
                health_issues: a
                    .health()
                    .map(|h| {
                        h.issues()
                            .iter()
                            .map(|i| AddonHealthIssue {
                                code: i.code().map(|c| c.as_str().to_string()).unwrap_or_default(),
                                message: i.message().unwrap_or_default().to_string(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                service_account_role_arn: a.service_account_role_arn().map(str::to_string),
            }
        }))),
        Err(e) => {
            let f = classify(&e);
            if let Some(fatal) = fatal(&f) {
                return Err(fatal);
            }
            Ok(match f {
                AwsFailure::NotFound(_) => Fact::Known(None),
                AwsFailure::Denied(m) => Fact::Missing(denied("eks:DescribeAddon", m)),
                AwsFailure::Other(m)
                | AwsFailure::Credentials(m)
                | AwsFailure::Unreachable(m)
                | AwsFailure::NoAnswer(m) => Fact::Missing(Missing::Unreachable { message: m }),
            })
        }
    }
}

/// Finds the cluster whose API endpoint is `server` (ListClusters + DescribeCluster), with
/// what DescribeCluster said about it (so it is not asked twice).
pub async fn cluster_by_endpoint(
    eks: &aws_sdk_eks::Client,
    server: &str,
) -> Result<Option<(String, EksCluster)>, LiveError> {
    let mut names = Vec::new();
    let mut pages = eks.list_clusters().into_paginator().send();
    while let Some(page) = pages.next().await {
        match page {
            Ok(p) => names.extend(p.clusters().iter().cloned()),
            Err(e) => {
                let f = classify(&e);
                return match fatal(&f) {
                    Some(fatal) => Err(fatal),
                    None => Ok(None),
                };
            }
        }
    }
    let want = server.trim_end_matches('/').to_ascii_lowercase();
    // Described concurrently (bounded); the first match in ListClusters order wins. A cluster
    // the caller may not describe is passed over; no answer at all ends the run.
    let described: Vec<Result<(String, Option<EksCluster>), LiveError>> = stream::iter(names)
        .map(|name| async move {
            match eks.describe_cluster().name(&name).send().await {
                Ok(out) => {
                    let cluster = out.cluster().map(|c| to_cluster(c, &name));
                    Ok((name, cluster))
                }
                Err(e) => match fatal(&classify(&e)) {
                    Some(fatal) => Err(fatal),
                    None => Ok((name, None)),
                },
            }
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    let described = described.into_iter().collect::<Result<Vec<_>, _>>()?;
    Ok(described.into_iter().find_map(|(name, cluster)| {
        let cluster = cluster?;
        let endpoint = cluster.endpoint.as_deref()?;
        (endpoint.trim_end_matches('/').to_ascii_lowercase() == want).then_some((name, cluster))
    }))
}
