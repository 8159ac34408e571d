//! The Pod Identity `agent` link: the eks-pod-identity-agent (add-on or DaemonSet, built in
//! under Auto Mode) runs and is Ready on each pod's node, and the node is a platform Pod
//! Identity supports. Field guide F30, F35, F38, A3, G41.

use crate::diagnose::context::Ctx;
use crate::diagnose::index::AGENT_NAME;
use crate::diagnose::k8s;
use crate::model::CommandLine;
use crate::model::chain::{Evidence, Finding, Fix, LinkName, LinkReport};
use crate::model::codes;

#[derive(Debug, PartialEq, Eq)]
enum Installed {
    Yes(String),
    No,
    Unknown(String),
}

fn installed(ctx: &Ctx) -> Installed {
    installed_in(ctx.ix.snap)
}

/// Whether the Pod Identity agent is installed, as the `agent` link judges it: `Some(how)`
/// (the add-on, the DaemonSet, agent pods), `None` when it is not; `Err(why)` when the
/// snapshot cannot tell. Auto Mode is not counted here (the caller checks the cluster).
pub fn agent_installed(snap: &crate::model::Snapshot) -> Result<Option<String>, String> {
    match installed_in(snap) {
        Installed::Yes(how) => Ok(Some(how)),
        Installed::No => Ok(None),
        Installed::Unknown(why) => Err(why),
    }
}

fn installed_in(snap: &crate::model::Snapshot) -> Installed {
    let addon = snap.aws.pod_identity_agent_addon.known();
    if let Some(Some(a)) = addon {
        let detail = [a.version.as_deref(), a.status.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        return Installed::Yes(if detail.is_empty() {
            "add-on installed".to_string()
        } else {
            format!("add-on {detail}")
        });
    }
    let ds = snap
        .kube
        .daemon_sets
        .known()
        .filter(|l| l.complete_for("kube-system"));
    if let Some(l) = ds
        && l.items.iter().any(|d| {
            d.metadata
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with(AGENT_NAME))
        })
    {
        return Installed::Yes("DaemonSet kube-system/eks-pod-identity-agent".to_string());
    }
    let agent_pods_seen = snap
        .kube
        .pods
        .known()
        .is_some_and(|l| l.items.iter().any(crate::diagnose::index::is_agent_pod));
    if agent_pods_seen {
        return Installed::Yes("agent pods in kube-system".to_string());
    }
    match (addon, ds) {
        (Some(None), Some(_)) => Installed::No,
        (Some(None), None) => Installed::No,
        _ => Installed::Unknown(
            "neither `aws eks describe-addon --addon-name eks-pod-identity-agent` nor the kube-system DaemonSets were collected".to_string(),
        ),
    }
}

pub fn check(ctx: &Ctx) -> LinkReport {
    let link = LinkName::Agent;
    let cluster_auto = ctx.ix.snap.aws.cluster.known().is_some_and(|c| c.auto_mode);
    let mut findings = Vec::new();
    let create_addon = CommandLine::aws([
        "eks",
        "create-addon",
        "--cluster-name",
        &ctx.cluster_name(),
        "--addon-name",
        "eks-pod-identity-agent",
    ]);

    // Platform of each pod's node.
    for pod in &ctx.workload.pods {
        let Some(node_name) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
            continue;
        };
        let pod_name = k8s::name_of(&pod.metadata);
        let node = ctx.ix.node(node_name);
        let compute = node.and_then(|n| k8s::label(&n.metadata, "eks.amazonaws.com/compute-type"));
        let os = node.and_then(|n| k8s::label(&n.metadata, "kubernetes.io/os"));
        let ev = Evidence::new(format!("Node {node_name}"))
            .field("metadata.labels")
            .value(format!(
                "compute-type={}, os={}",
                compute.unwrap_or("-"),
                os.unwrap_or("-")
            ));
        if compute == Some("fargate") || node_name.starts_with("fargate-") {
            findings.push(
                Finding::error(codes::UNSUPPORTED_FARGATE, format!("pod {pod_name} runs on Fargate, where EKS Pod Identity is not supported; use IRSA for this workload"))
                    .evidence(ev)
                    .fix(Fix::new("keep this workload on IRSA (annotate the service account) or schedule it on EC2 nodes"))
                    .reference("F38"),
            );
            continue;
        }
        if os == Some("windows") {
            findings.push(
                Finding::error(codes::UNSUPPORTED_WINDOWS, format!("pod {pod_name} runs on a Windows node, where EKS Pod Identity is not supported; use IRSA"))
                    .evidence(ev)
                    .reference("F38"),
            );
            continue;
        }
        if cluster_auto || compute == Some("auto") {
            continue;
        }
        let agents = ctx.ix.agent_pods_on(node_name);
        if agents.is_empty() {
            let kube_system_known = ctx
                .ix
                .snap
                .kube
                .pods
                .known()
                .is_some_and(|l| l.complete_for("kube-system"));
            match (installed(ctx), kube_system_known) {
                (Installed::Yes(how), true) => findings.push(
                    Finding::error(codes::AGENT_NOT_ON_NODE, format!("the Pod Identity agent ({how}) has no pod on node {node_name}, where {pod_name} runs: credential requests to 169.254.170.23 time out"))
                        .evidence(Evidence::new(format!("Node {node_name}")).field("eks-pod-identity-agent pod").value("none"))
                        .fix(Fix::new("check the agent DaemonSet's tolerations and nodeSelector against this node's taints and labels"))
                        .reference("F30"),
                ),
                (Installed::Yes(_), false) => findings.push(Finding::unknown(
                    codes::AGENT_NOT_COLLECTED,
                    "the kube-system pods were not collected, so the agent on the node cannot be checked; collect them with `kubectl get pods -n kube-system -o yaml`",
                )),
                (Installed::No, _) => {}
                (Installed::Unknown(why), _) => findings.push(Finding::unknown(codes::AGENT_NOT_COLLECTED, why)),
            }
        } else if !agents.iter().any(|p| k8s::pod_ready(p)) {
            findings.push(
                Finding::error(codes::AGENT_NOT_READY, format!("the Pod Identity agent pod on node {node_name} is not Ready: pods there get no credentials (`Get \"http://169.254.170.23/v1/credentials\": context deadline exceeded`)"))
                    .evidence(Evidence::new(format!("Pod kube-system/{}", k8s::name_of(&agents[0].metadata))).field("status.conditions[Ready]").value("False"))
                    .fix(Fix::new("look at the agent pod's events and logs; a pod that started before the agent was Ready must be restarted"))
                    .reference("F30"),
            );
        }
    }

    if cluster_auto {
        findings.push(
            Finding::info(
                codes::AGENT_AUTO_MODE,
                "EKS Auto Mode: the Pod Identity agent is built into the nodes",
            )
            .reference("F30"),
        );
    } else {
        match installed(ctx) {
            Installed::No => findings.push(
                Finding::error(codes::AGENT_MISSING, "the eks-pod-identity-agent is not installed (no add-on, no DaemonSet): Pod Identity credentials cannot be served")
                    .evidence(Evidence::new(format!("EKS cluster {}", ctx.cluster_name())).field("add-on eks-pod-identity-agent").value("not installed"))
                    .fix(
                        Fix::new("install the add-on")
                            .command(create_addon.clone())
                            .change(crate::model::plan::Change::CreateAddon {
                                cluster: ctx.cluster_name(),
                                name: AGENT_NAME.to_string(),
                            }),
                    )
                    .reference("F30"),
            ),
            Installed::Unknown(why) if ctx.workload.pods.is_empty() => findings.push(Finding::unknown(codes::AGENT_NOT_COLLECTED, why)),
            _ => {}
        }
        if let Some(Some(addon)) = ctx.ix.snap.aws.pod_identity_agent_addon.known() {
            // `list-addons` proves the add-on is installed but says nothing of its status: no
            // status is not a degraded one.
            let status = addon.status.as_deref().unwrap_or("ACTIVE");
            if status != "ACTIVE" || !addon.health_issues.is_empty() {
                let issues: Vec<String> = addon
                    .health_issues
                    .iter()
                    .map(|i| format!("{}: {}", i.code, i.message))
                    .collect();
                findings.push(
                    Finding::warning(
                        codes::AGENT_ADDON_DEGRADED,
                        format!(
                            "the eks-pod-identity-agent add-on is {status}{}",
                            if issues.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", issues.join("; "))
                            }
                        ),
                    )
                    .evidence(
                        Evidence::new("EKS add-on eks-pod-identity-agent")
                            .field("status")
                            .value(status),
                    )
                    .reference("A3"),
                );
            }
        }
    }
    let summary = if cluster_auto {
        "built in (Auto Mode)".to_string()
    } else {
        match installed(ctx) {
            Installed::Yes(how) => how,
            Installed::No => "not installed".to_string(),
            Installed::Unknown(_) => "not collected".to_string(),
        }
    };
    findings.dedup_by(|a, b| a.code == b.code && a.message == b.message);
    LinkReport::from_findings(link, summary, findings)
}
