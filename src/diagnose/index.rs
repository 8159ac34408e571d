//! Lookups built once per diagnosis run: service accounts and associations by namespace/name,
//! nodes, the Pod Identity agent's pods per node, cluster identity, and the reverse index
//! "which roles' trust policies name this service account" (so a missing annotation can name the
//! role that was meant, field guide A7).

use std::collections::HashMap;

use k8s_openapi::api::core::v1::{Node, Pod, ServiceAccount};

use crate::model::arn::{self, Arn};
use crate::model::aws::{IamRole, PodIdentityAssociation};
use crate::model::snapshot::Snapshot;
use crate::policy::{Effect, glob_match};

use super::policy_cache::PolicyCache;

/// What the cluster is, as far as the snapshot knows.
#[derive(Debug, Clone)]
pub struct ClusterInfo {
    pub name: String,
    pub arn: String,
    pub account: String,
    pub partition: String,
    pub region: String,
    /// `oidc.eks.REGION.amazonaws.com/id/ID`.
    pub issuer: Option<String>,
}

/// A service account named by a role's trust policy.
#[derive(Debug, Clone)]
pub struct TrustRef {
    pub role_arn: String,
    /// `system:serviceaccount:NS:SA` pattern as written (may contain wildcards).
    pub subject: String,
    /// True for a Pod Identity statement (`pods.eks.amazonaws.com`), false for IRSA.
    pub pod_identity: bool,
}

pub struct Index<'a> {
    pub snap: &'a Snapshot,
    pub cluster: Option<ClusterInfo>,
    pub policies: PolicyCache,
    service_accounts: HashMap<(String, String), &'a ServiceAccount>,
    associations: HashMap<(String, String), Vec<&'a PodIdentityAssociation>>,
    nodes: HashMap<&'a str, &'a Node>,
    agent_pods: HashMap<&'a str, Vec<&'a Pod>>,
    trust_exact: HashMap<(String, String), Vec<TrustRef>>,
    trust_patterns: Vec<TrustRef>,
}

pub const AGENT_NAME: &str = "eks-pod-identity-agent";

fn ns_name(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> (&str, &str) {
    (
        meta.namespace.as_deref().unwrap_or_default(),
        meta.name.as_deref().unwrap_or_default(),
    )
}

/// Is this pod one of the Pod Identity agent's (EKS add-on or Helm chart, incl. hybrid)?
pub fn is_agent_pod(pod: &Pod) -> bool {
    let labelled = pod.metadata.labels.as_ref().is_some_and(|l| {
        l.get("app.kubernetes.io/name")
            .is_some_and(|v| v.starts_with(AGENT_NAME))
            || l.get("k8s-app").is_some_and(|v| v.starts_with(AGENT_NAME))
    });
    let owned = pod.metadata.owner_references.as_ref().is_some_and(|refs| {
        refs.iter()
            .any(|r| r.kind == "DaemonSet" && r.name.starts_with(AGENT_NAME))
    });
    labelled || owned
}

impl<'a> Index<'a> {
    pub fn build(snap: &'a Snapshot) -> Index<'a> {
        let mut index = Index {
            snap,
            cluster: cluster_info(snap),
            policies: PolicyCache::default(),
            service_accounts: HashMap::new(),
            associations: HashMap::new(),
            nodes: HashMap::new(),
            agent_pods: HashMap::new(),
            trust_exact: HashMap::new(),
            trust_patterns: Vec::new(),
        };
        if let Some(l) = snap.kube.service_accounts.known() {
            for sa in &l.items {
                let (ns, name) = ns_name(&sa.metadata);
                index
                    .service_accounts
                    .insert((ns.to_string(), name.to_string()), sa);
            }
        }
        if let Some(list) = snap.aws.associations.known() {
            for a in list {
                index
                    .associations
                    .entry((a.namespace.clone(), a.service_account.clone()))
                    .or_default()
                    .push(a);
            }
        }
        if let Some(nodes) = snap.kube.nodes.known() {
            for n in nodes {
                if let Some(name) = n.metadata.name.as_deref() {
                    index.nodes.insert(name, n);
                }
            }
        }
        if let Some(pods) = snap.kube.pods.known() {
            for p in pods.items.iter().filter(|p| is_agent_pod(p)) {
                if let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
                    index.agent_pods.entry(node).or_default().push(p);
                }
            }
        }
        index.build_trust_refs();
        index
    }

    pub fn service_account(&self, ns: &str, name: &str) -> Option<&'a ServiceAccount> {
        self.service_accounts
            .get(&(ns.to_string(), name.to_string()))
            .copied()
    }

    pub fn service_accounts_in(&self, ns: &str) -> Vec<&'a str> {
        let mut names: Vec<&'a str> = self
            .service_accounts
            .iter()
            .filter(|((n, _), _)| n == ns)
            .filter_map(|(_, sa)| sa.metadata.name.as_deref())
            .collect();
        names.sort_unstable();
        names
    }

    pub fn associations_for(&self, ns: &str, sa: &str) -> &[&'a PodIdentityAssociation] {
        self.associations
            .get(&(ns.to_string(), sa.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn all_associations(&self) -> impl Iterator<Item = &'a PodIdentityAssociation> + '_ {
        self.associations.values().flatten().copied()
    }

    pub fn node(&self, name: &str) -> Option<&'a Node> {
        self.nodes.get(name).copied()
    }

    pub fn agent_pods_on(&self, node: &str) -> &[&'a Pod] {
        self.agent_pods.get(node).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn role(&self, role_arn: &str) -> Option<&'a IamRole> {
        let roles = &self.snap.aws.iam.roles;
        roles.get(role_arn).or_else(|| {
            let parsed = arn::RoleArn::parse(role_arn).ok()?;
            self.snap
                .aws
                .iam
                .role_by_name(&parsed.account, &parsed.name)
        })
    }

    /// Roles whose trust policy names `system:serviceaccount:NS:SA`, exactly or by pattern.
    pub fn roles_trusting(&self, ns: &str, sa: &str) -> Vec<&TrustRef> {
        let subject = format!("system:serviceaccount:{ns}:{sa}");
        let mut out: Vec<&TrustRef> = self
            .trust_exact
            .get(&(ns.to_string(), sa.to_string()))
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        out.extend(
            self.trust_patterns
                .iter()
                .filter(|t| glob_match(&t.subject, &subject, false)),
        );
        out
    }

    fn build_trust_refs(&mut self) {
        let mut refs = Vec::new();
        for role in self.snap.aws.iam.roles.values() {
            let Some(text) = &role.trust_policy else {
                continue;
            };
            let parsed = self.policies.trust(text);
            let Ok(policy) = &parsed.result else { continue };
            for st in policy
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
            {
                refs.extend(statement_subjects(&role.arn, st));
            }
        }
        for r in refs {
            let exact = r
                .subject
                .strip_prefix("system:serviceaccount:")
                .and_then(|rest| rest.split_once(':'))
                .filter(|_| !r.subject.contains(['*', '?']))
                .map(|(ns, sa)| (ns.to_string(), sa.to_string()));
            match exact {
                Some(key) => self.trust_exact.entry(key).or_default().push(r),
                None => self.trust_patterns.push(r),
            }
        }
    }
}

/// The service accounts one trust statement names: IRSA `...:sub` values, or Pod Identity
/// `aws:RequestTag/kubernetes-namespace` + `kubernetes-service-account` pairs.
fn statement_subjects(role_arn: &str, st: &crate::policy::Statement) -> Vec<TrustRef> {
    let mut out = Vec::new();
    let mut namespaces = Vec::new();
    let mut accounts = Vec::new();
    for c in &st.conditions {
        let key = c.key.to_ascii_lowercase();
        if key.ends_with(":sub") {
            for v in &c.values {
                if v.starts_with("system:serviceaccount:") {
                    out.push(TrustRef {
                        role_arn: role_arn.to_string(),
                        subject: v.clone(),
                        pod_identity: false,
                    });
                }
            }
        } else if key == "aws:requesttag/kubernetes-namespace" {
            namespaces.extend(c.values.iter().cloned());
        } else if key == "aws:requesttag/kubernetes-service-account" {
            accounts.extend(c.values.iter().cloned());
        }
    }
    for ns in &namespaces {
        for sa in &accounts {
            out.push(TrustRef {
                role_arn: role_arn.to_string(),
                subject: format!("system:serviceaccount:{ns}:{sa}"),
                pod_identity: true,
            });
        }
    }
    out
}

fn cluster_info(snap: &Snapshot) -> Option<ClusterInfo> {
    let c = snap.aws.cluster.known()?;
    let parsed = Arn::parse(&c.arn)?;
    Some(ClusterInfo {
        name: c.name.clone(),
        arn: c.arn.clone(),
        account: parsed.account,
        partition: parsed.partition,
        region: parsed.region,
        issuer: c
            .oidc_issuer
            .as_deref()
            .map(|i| arn::issuer_host_path(i).to_string()),
    })
}
