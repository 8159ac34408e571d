//! The Pod Identity agent add-on created or deleted in memory, as EKS and the add-on's
//! DaemonSet would make it: CreateAddon leaves the add-on ACTIVE and one Ready agent pod on
//! every node Pod Identity supports (Linux EC2: not Fargate, not Windows, not hybrid; field
//! guide F30, F38), where the DaemonSet schedules it; DeleteAddon removes both.
//!
//! Pure, like the rest of [`super::simulate`].

use k8s_openapi::api::core::v1::{Pod, PodCondition, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

use super::simulate::SimulateError;
use crate::diagnose::index::{AGENT_NAME, is_agent_pod};
use crate::diagnose::k8s;
use crate::model::Fact;
use crate::model::aws::Addon;

/// Whether the agent DaemonSet runs a pod on `node` (Pod Identity supports the node).
pub fn agent_node(node: &k8s_openapi::api::core::v1::Node) -> bool {
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let compute = k8s::label(&node.metadata, "eks.amazonaws.com/compute-type");
    let os = k8s::label(&node.metadata, "kubernetes.io/os");
    !name.starts_with("fargate-")
        && !matches!(compute, Some("fargate" | "hybrid"))
        && os != Some("windows")
}

fn agent_pod(node: &str, at: jiff::Timestamp) -> Pod {
    let short: String = node.chars().filter(char::is_ascii_alphanumeric).collect();
    Pod {
        metadata: ObjectMeta {
            namespace: Some("kube-system".into()),
            name: Some(format!("{AGENT_NAME}-{short}")),
            labels: Some(
                [("app.kubernetes.io/name".to_string(), AGENT_NAME.to_string())]
                    .into_iter()
                    .collect(),
            ),
            owner_references: Some(vec![OwnerReference {
                api_version: "apps/v1".into(),
                kind: "DaemonSet".into(),
                name: AGENT_NAME.into(),
                uid: String::new(),
                ..OwnerReference::default()
            }]),
            creation_timestamp: Some(Time(at)),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            node_name: Some(node.to_string()),
            host_network: Some(true),
            ..PodSpec::default()
        }),
        status: Some(PodStatus {
            phase: Some("Running".into()),
            conditions: Some(vec![PodCondition {
                type_: "Ready".into(),
                status: "True".into(),
                ..PodCondition::default()
            }]),
            ..PodStatus::default()
        }),
    }
}

/// CreateAddon: the add-on ACTIVE and a Ready agent pod on every supported node that has none.
pub fn create(
    snap: &mut crate::model::Snapshot,
    name: &str,
    at: jiff::Timestamp,
) -> Result<(), SimulateError> {
    snap.aws.pod_identity_agent_addon = Fact::Known(Some(Addon {
        name: name.to_string(),
        status: Some("ACTIVE".into()),
        version: None,
        health_issues: Vec::new(),
        service_account_role_arn: None,
    }));
    let nodes: Vec<String> = snap
        .kube
        .nodes
        .known()
        .ok_or_else(|| SimulateError::NotRead("the nodes".into()))?
        .iter()
        .filter(|n| agent_node(n))
        .filter_map(|n| n.metadata.name.clone())
        .collect();
    let Fact::Known(pods) = &mut snap.kube.pods else {
        return Err(SimulateError::NotRead("the kube-system pods".into()));
    };
    for node in nodes {
        let served = pods.items.iter().any(|p| {
            is_agent_pod(p) && p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(&node)
        });
        if !served {
            pods.items.push(agent_pod(&node, at));
        }
    }
    Ok(())
}

/// DeleteAddon: no add-on and no agent pods.
pub fn delete(snap: &mut crate::model::Snapshot) -> Result<(), SimulateError> {
    snap.aws.pod_identity_agent_addon = Fact::Known(None);
    if let Fact::Known(pods) = &mut snap.kube.pods {
        pods.items.retain(|p| !is_agent_pod(p));
    }
    Ok(())
}
