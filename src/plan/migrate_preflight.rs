//! The pre-flight checks of `kubectl irsa migrate`, shown before anything changes (field guide
//! §3.1 h: eksctl's migrator has none): whether the Pod Identity agent runs (or the plan
//! installs its add-on, as eksctl does) and is Ready on every node that runs the workloads;
//! whether any of their pods runs where Pod Identity does not work (Fargate, Windows, F38) or
//! with `hostNetwork` (F33); whether the role is in the cluster's account (F36, §3.2); and
//! which wildcard IRSA subjects stay behind (§3.1 f). A `blocked` check means no plan.
//!
//! To add a check: push a [`Check`] in [`preflight`], with the finding code the user can look
//! up (`kubectl irsa explain CODE`) where one exists.

use serde::Serialize;

use super::migrate_trust::{ClusterIds, wildcard_subjects};
use super::simulate_addon::agent_node;
use crate::diagnose::Index;
use crate::diagnose::k8s;
use crate::diagnose::workloads::Workload;
use crate::model::Snapshot;
use crate::model::arn::RoleArn;
use crate::model::codes;

/// The Pod Identity agent's add-on name.
pub const AGENT_ADDON: &str = "eks-pod-identity-agent";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Ok,
    Warning,
    Blocked,
}

/// One pre-flight result (`preflight` in the JSON output).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub check: &'static str,
    pub status: CheckStatus,
    pub message: String,
}

impl Check {
    fn new(check: &'static str, status: CheckStatus, message: impl Into<String>) -> Check {
        Check {
            check,
            status,
            message: message.into(),
        }
    }
}

/// A service account moving to Pod Identity: its role and the workloads running as it.
pub struct Moving<'a> {
    pub namespace: String,
    pub name: String,
    pub role_arn: String,
    pub workloads: Vec<Workload<'a>>,
}

/// What the checks found.
#[derive(Debug, Default)]
pub struct Preflight {
    pub checks: Vec<Check>,
    /// The agent add-on is missing (and the cluster is not Auto Mode): the plan installs it.
    pub install_addon: bool,
}

impl Preflight {
    pub fn blocked(&self) -> Vec<String> {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Blocked)
            .map(|c| c.message.clone())
            .collect()
    }
}

fn explain(code: &str) -> String {
    format!("`kubectl irsa explain {code}`")
}

/// Stage 1's checks for `moving`, on `snap`.
pub fn preflight(snap: &Snapshot, ids: &ClusterIds, moving: &[Moving]) -> Preflight {
    let ix = Index::build(snap);
    let mut out = Preflight::default();
    let auto = snap.aws.cluster.known().is_some_and(|c| c.auto_mode);
    let addon = snap.aws.pod_identity_agent_addon.known();
    let daemonset = snap.kube.daemon_sets.known().is_some_and(|l| {
        l.items.iter().any(|d| {
            d.metadata.namespace.as_deref() == Some("kube-system")
                && d.metadata.name.as_deref() == Some(AGENT_ADDON)
        })
    });
    let agent = if auto {
        Check::new(
            "agent",
            CheckStatus::Ok,
            "EKS Auto Mode: the agent is built into the nodes",
        )
    } else if let Some(Some(a)) = addon {
        Check::new(
            "agent",
            CheckStatus::Ok,
            format!(
                "add-on {AGENT_ADDON} installed ({})",
                a.status.as_deref().unwrap_or("status not read")
            ),
        )
    } else if daemonset {
        Check::new(
            "agent",
            CheckStatus::Ok,
            format!("DaemonSet kube-system/{AGENT_ADDON} installed"),
        )
    } else if addon.is_some() {
        out.install_addon = true;
        Check::new(
            "agent",
            CheckStatus::Warning,
            format!(
                "add-on {AGENT_ADDON} not installed: the plan installs it first and waits until it is ACTIVE ({})",
                explain(codes::AGENT_MISSING)
            ),
        )
    } else {
        Check::new(
            "agent",
            CheckStatus::Blocked,
            format!(
                "whether {AGENT_ADDON} is installed could not be read (eks:DescribeAddon): grant it, or install the add-on first"
            ),
        )
    };
    // Without knowing whether the agent is installed, its pods on the nodes say nothing more.
    let agent_unknown = agent.status == CheckStatus::Blocked;
    out.checks.push(agent);
    let mut nodes_ok = 0;
    for m in moving {
        for w in &m.workloads {
            let label = format!("{}/{}/{}", w.id.namespace, w.id.kind.short(), w.id.name);
            let host_network = w
                .template
                .and_then(|t| t.spec.as_ref())
                .and_then(|s| s.host_network)
                .unwrap_or(false)
                || w.pods
                    .iter()
                    .any(|p| p.spec.as_ref().and_then(|s| s.host_network) == Some(true));
            if host_network {
                out.checks.push(Check::new(
                    "host-network",
                    CheckStatus::Blocked,
                    format!(
                        "{label} runs with hostNetwork: Pod Identity fails for such pods (`EKS does not have permissions to assume the associated role`); keep it on IRSA ({})",
                        explain(codes::HOST_NETWORK_POD_IDENTITY)
                    ),
                ));
            }
            for pod in &w.pods {
                let pod_name = k8s::name_of(&pod.metadata);
                let Some(node_name) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
                    continue;
                };
                let node = ix.node(node_name);
                let compute =
                    node.and_then(|n| k8s::label(&n.metadata, "eks.amazonaws.com/compute-type"));
                if compute == Some("fargate") || node_name.starts_with("fargate-") {
                    out.checks.push(Check::new("platform", CheckStatus::Blocked, format!("pod {}/{pod_name} runs on Fargate node {node_name}, where Pod Identity is not supported: keep {label} on IRSA ({})", w.id.namespace, explain(codes::UNSUPPORTED_FARGATE))));
                    continue;
                }
                if node
                    .is_some_and(|n| k8s::label(&n.metadata, "kubernetes.io/os") == Some("windows"))
                {
                    out.checks.push(Check::new("platform", CheckStatus::Blocked, format!("pod {}/{pod_name} runs on Windows node {node_name}, where Pod Identity is not supported: keep {label} on IRSA ({})", w.id.namespace, explain(codes::UNSUPPORTED_WINDOWS))));
                    continue;
                }
                if auto || compute == Some("auto") {
                    nodes_ok += 1;
                    continue;
                }
                if agent_unknown {
                    continue;
                }
                if out.install_addon {
                    if node.is_some_and(|n| !agent_node(n)) {
                        out.checks.push(Check::new("agent-on-node", CheckStatus::Blocked, format!("the agent add-on does not run on node {node_name} (pod {}/{pod_name}): Pod Identity cannot serve that pod ({})", w.id.namespace, explain(codes::AGENT_NOT_ON_NODE))));
                    }
                    continue;
                }
                let agents = ix.agent_pods_on(node_name);
                if agents.iter().any(|p| k8s::pod_ready(p)) {
                    nodes_ok += 1;
                } else {
                    let code = if agents.is_empty() {
                        codes::AGENT_NOT_ON_NODE
                    } else {
                        codes::AGENT_NOT_READY
                    };
                    out.checks.push(Check::new("agent-on-node", CheckStatus::Blocked, format!("no Ready Pod Identity agent on node {node_name}, where pod {}/{pod_name} runs: its credential requests would time out ({})", w.id.namespace, explain(code))));
                }
            }
        }
        let role = RoleArn::parse(&m.role_arn);
        match &role {
            Ok(r) if r.account != ids.account => out.checks.push(Check::new(
                "account",
                CheckStatus::Blocked,
                format!(
                    "role {} of {}/{} is in account {}, not the cluster's {}: Pod Identity needs a role in the cluster's account; move it by hand with a role in {} whose association names {} as its target role (`--target-role-arn`: EKS assumes one, then the other, and the target's trust must allow sts:AssumeRole and sts:TagSession) ({})",
                    m.role_arn, m.namespace, m.name, r.account, ids.account, ids.account, m.role_arn,
                    explain(codes::ROLE_NOT_IN_CLUSTER_ACCOUNT)
                ),
            )),
            Ok(_) => {}
            Err(e) => out.checks.push(Check::new(
                "account",
                CheckStatus::Blocked,
                format!("the role-arn annotation of {}/{} is not a role ARN: {e}", m.namespace, m.name),
            )),
        }
        let trust = role.ok().and_then(|r| {
            snap.aws
                .iam
                .role_by_name(&r.account, &r.name)
                .and_then(|r| r.trust_policy.as_ref())
        });
        for pattern in trust
            .map(|t| wildcard_subjects(&t.0, ids, &m.namespace, &m.name))
            .unwrap_or_default()
        {
            out.checks.push(Check::new("wildcard-subject", CheckStatus::Warning, format!("the trust of {} admits {}/{} through the wildcard subject `{pattern}`, which has no Pod Identity equivalent: {}/{} gets its own association, and the wildcard statement stays for the service accounts it may still serve ({})", m.role_arn, m.namespace, m.name, m.namespace, m.name, explain(codes::TRUST_WIDE_WILDCARD))));
        }
    }
    if nodes_ok > 0 && !out.checks.iter().any(|c| c.check == "agent-on-node") {
        out.checks.push(Check::new(
            "agent-on-node",
            CheckStatus::Ok,
            "a Ready agent runs on every node running these pods",
        ));
    }
    let platform_ok = !out
        .checks
        .iter()
        .any(|c| matches!(c.check, "platform" | "host-network"));
    if platform_ok {
        out.checks.push(Check::new(
            "platform",
            CheckStatus::Ok,
            "no pod on Fargate or Windows, none with hostNetwork",
        ));
    }
    out
}
