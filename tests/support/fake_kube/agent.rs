//! The Pod Identity agent add-on as the cluster sees it: installing the `eks-pod-identity-agent`
//! add-on makes a kube-system DaemonSet of that name and one Ready agent pod on every node the
//! add-on schedules on (Linux EC2: not Fargate, hybrid or Windows, as the add-on's node
//! affinity says; field guide F30, F38); removing it deletes both. The fake EKS reports its
//! CreateAddon and DeleteAddon here (`LiveEnv` connects them), so a migration that installs
//! the add-on sees the agent serve its pods.

use serde_json::{Value, json};

use super::state::{State, str_at};

const NAME: &str = "eks-pod-identity-agent";
const NS: &str = "kube-system";

/// The nodes the add-on's DaemonSet runs on.
fn agent_nodes(state: &State) -> Vec<String> {
    let Some(rt) = state.type_at("", "v1", "nodes") else {
        return Vec::new();
    };
    state
        .all(&rt)
        .filter(|(_, n)| {
            let label = |k: &str| n.pointer(&format!("/metadata/labels/{}", k.replace('/', "~1")));
            let compute = label("eks.amazonaws.com/compute-type").and_then(Value::as_str);
            !matches!(compute, Some("fargate" | "hybrid"))
                && label("kubernetes.io/os").and_then(Value::as_str) != Some("windows")
        })
        .map(|((_, name), _)| name.clone())
        .filter(|name| !name.starts_with("fargate-"))
        .collect()
}

/// Installs the agent: its DaemonSet and a Ready pod on each node it runs on.
pub fn install(state: &mut State) {
    let (Some(ds_rt), Some(pod_rt)) = (
        state.type_at("apps", "v1", "daemonsets"),
        state.type_at("", "v1", "pods"),
    ) else {
        return;
    };
    let labels = json!({"app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": NAME});
    let template = json!({
        "metadata": {"labels": labels},
        "spec": {"hostNetwork": true, "containers": [{"name": NAME,
            "image": "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/eks-pod-identity-agent:0.1.29"}]}
    });
    let ds = state.store_new(
        &ds_rt,
        NS,
        NAME,
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
               "metadata": {"name": NAME, "namespace": NS, "labels": labels},
               "spec": {"selector": {"matchLabels": labels}, "template": template},
               "status": {}}),
    );
    let uid = str_at(&ds, &["metadata", "uid"]).unwrap_or_default();
    let nodes = agent_nodes(state);
    for node in &nodes {
        let name = format!("{NAME}-{}", state.next_suffix());
        state.store_new(
            &pod_rt,
            NS,
            &name,
            json!({"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": name, "namespace": NS, "labels": labels,
                                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet",
                                    "name": NAME, "uid": uid, "controller": true}]},
                   "spec": {"nodeName": node, "hostNetwork": true,
                            "containers": template["spec"]["containers"].clone()},
                   "status": {"phase": "Running",
                              "conditions": [{"type": "Ready", "status": "True"}]}}),
        );
    }
    let n = nodes.len();
    if let Some(mut ds) = state.get(&ds_rt, NS, NAME).cloned() {
        ds["status"] = json!({"desiredNumberScheduled": n, "currentNumberScheduled": n,
                              "numberReady": n, "numberAvailable": n});
        state.put(&ds_rt, NS, NAME, ds);
    }
}

/// Removes the agent: its DaemonSet and its pods.
pub fn remove(state: &mut State) {
    if let Some(rt) = state.type_at("apps", "v1", "daemonsets") {
        state.remove(&rt, NS, NAME);
    }
    let Some(pod_rt) = state.type_at("", "v1", "pods") else {
        return;
    };
    let agents: Vec<String> = state
        .all(&pod_rt)
        .filter(|((ns, _), p)| {
            ns == NS
                && p.pointer("/metadata/labels/app.kubernetes.io~1name")
                    .and_then(Value::as_str)
                    == Some(NAME)
        })
        .map(|((_, name), _)| name.clone())
        .collect();
    for name in agents {
        state.remove(&pod_rt, NS, &name);
    }
}
