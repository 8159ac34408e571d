//! What a cluster does after a write, so a test can see a fix work (issue 11):
//!
//! - The Deployment controller: a Deployment whose pod template no ReplicaSet of it carries
//!   (a changed template, `kubectl rollout restart`'s `restartedAt`) gets a new ReplicaSet
//!   `NAME-HASH` and new pods; the old ReplicaSets are scaled to 0 and their pods deleted (the
//!   rollout finishes at once). Missing replicas are created the same way.
//! - StatefulSet and DaemonSet controllers: pods whose revision label differs from the
//!   template's are deleted and created again (a StatefulSet's as `NAME-0`, `NAME-1`, ...; a
//!   DaemonSet's on the node the old pod ran on).
//! - The EKS pod identity webhook, at every pod creation (through the API or by a
//!   controller), when the cluster has its MutatingWebhookConfiguration
//!   (`pod-identity-webhook` / `iam-for-pods.amazonaws.com`): a pod identity association for
//!   the pod's service account (asked of the fake EKS through [`Associations`]) injects the
//!   container credentials variables and the `eks-pod-identity-token` volume, and takes
//!   precedence; else the service account's `eks.amazonaws.com/role-arn` annotation injects
//!   `AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE`, the regional STS and region variables and
//!   the `aws-iam-token` volume for the annotation's audience. Variables a container sets are
//!   never overwritten; the skip label and `eks.amazonaws.com/skip-containers` are honoured.
//!
//! New pods are `Running` on the node their predecessor ran on (else the first node). This is
//! independent of the tool's own model of the webhook (`src/plan/webhook.rs`): the two are
//! written apart so a test compares the tool against the fake, not against itself.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde_json::{Value, json};

use super::state::{State, metadata_mut, now_rfc3339, str_at};

/// Whether a pod identity association exists for (namespace, service account): the fake
/// EKS's state, handed to the fake API server by the test environment.
#[derive(Clone, Default)]
pub struct Associations(pub Option<Arc<AssociationExists>>);

/// `(namespace, service account) -> exists`.
pub type AssociationExists = dyn Fn(&str, &str) -> bool + Send + Sync;

impl fmt::Debug for Associations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Associations(fake EKS)"
        } else {
            "Associations(none)"
        })
    }
}

impl Associations {
    fn exists(&self, ns: &str, sa: &str) -> bool {
        self.0.as_ref().is_some_and(|f| f(ns, sa))
    }
}

const SKIP_LABEL: &str = "eks.amazonaws.com/skip-pod-identity-webhook";
const SKIP_CONTAINERS: &str = "eks.amazonaws.com/skip-containers";
const IRSA_DIR: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount";
const PI_DIR: &str = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount";

/// Runs after a stored write to `kind` `namespace/name`.
pub fn after_write(state: &mut State, group: &str, plural: &str, namespace: &str, name: &str) {
    match (group, plural) {
        ("apps", "deployments") => deployment(state, namespace, name),
        ("apps", "statefulsets") => recreate_owned(state, "statefulsets", namespace, name),
        ("apps", "daemonsets") => recreate_owned(state, "daemonsets", namespace, name),
        _ => {}
    }
}

fn webhook_installed(state: &State) -> bool {
    let Some(rt) = state.type_at(
        "admissionregistration.k8s.io",
        "v1",
        "mutatingwebhookconfigurations",
    ) else {
        return false;
    };
    state.all(&rt).any(|(_, w)| {
        str_at(w, &["metadata", "name"]).as_deref() == Some("pod-identity-webhook")
            || w["webhooks"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|h| h["name"] == "iam-for-pods.amazonaws.com")
    })
}

/// The webhook's mutation of a pod being created in `ns`.
pub fn mutate_pod(state: &State, ns: &str, pod: &mut Value) {
    if !webhook_installed(state)
        || pod.pointer(&format!(
            "/metadata/labels/{}",
            SKIP_LABEL.replace('/', "~1")
        )) == Some(&json!("true"))
    {
        return;
    }
    let sa = str_at(pod, &["spec", "serviceAccountName"])
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into());
    let (volume, dir, audience, path, env): (&str, &str, String, &str, Vec<(&str, String)>) =
        if state.associations.exists(ns, &sa) {
            (
                "eks-pod-identity-token",
                PI_DIR,
                "pods.eks.amazonaws.com".into(),
                "eks-pod-identity-token",
                vec![
                    (
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                        "http://169.254.170.23/v1/credentials".into(),
                    ),
                    (
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                        format!("{PI_DIR}/eks-pod-identity-token"),
                    ),
                ],
            )
        } else {
            let Some(sa_object) = state
                .type_at("", "v1", "serviceaccounts")
                .and_then(|rt| state.get(&rt, ns, &sa).cloned())
            else {
                return;
            };
            let annotation = |key: &str| {
                sa_object
                    .pointer("/metadata/annotations")
                    .and_then(|a| a.get(key))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let Some(role) = annotation("eks.amazonaws.com/role-arn") else {
                return;
            };
            (
                "aws-iam-token",
                IRSA_DIR,
                annotation("eks.amazonaws.com/audience")
                    .unwrap_or_else(|| "sts.amazonaws.com".into()),
                "token",
                vec![
                    ("AWS_ROLE_ARN", role),
                    ("AWS_WEB_IDENTITY_TOKEN_FILE", format!("{IRSA_DIR}/token")),
                    ("AWS_STS_REGIONAL_ENDPOINTS", "regional".into()),
                    ("AWS_REGION", state.region.clone()),
                    ("AWS_DEFAULT_REGION", state.region.clone()),
                ],
            )
        };
    let skipped: Vec<String> = pod
        .pointer(&format!(
            "/metadata/annotations/{}",
            SKIP_CONTAINERS.replace('/', "~1")
        ))
        .and_then(Value::as_str)
        .map(|s| s.split(',').map(|c| c.trim().to_string()).collect())
        .unwrap_or_default();
    let mut injected = false;
    for c in pod
        .pointer_mut("/spec/containers")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        let name = c["name"].as_str().unwrap_or_default().to_string();
        if skipped.contains(&name) {
            continue;
        }
        injected = true;
        let vars = array_at(c, "env");
        for (k, v) in &env {
            if !vars.iter().any(|e| e["name"] == *k) {
                vars.push(json!({"name": k, "value": v}));
            }
        }
        let mounts = array_at(c, "volumeMounts");
        if !mounts.iter().any(|m| m["name"] == volume) {
            mounts.push(json!({"name": volume, "mountPath": dir, "readOnly": true}));
        }
    }
    if injected && let Some(spec) = pod.get_mut("spec") {
        let volumes = array_at(spec, "volumes");
        if !volumes.iter().any(|v| v["name"] == volume) {
            volumes.push(json!({
                "name": volume,
                "projected": {"sources": [{"serviceAccountToken": {
                    "audience": audience, "expirationSeconds": 86400, "path": path}}]}
            }));
        }
    }
}

fn array_at<'v>(v: &'v mut Value, key: &str) -> &'v mut Vec<Value> {
    if !v[key].is_array() {
        v[key] = json!([]);
    }
    match v[key].as_array_mut() {
        Some(a) => a,
        None => unreachable!("just set to an array"),
    }
}

/// FNV-1a of the template's JSON: a stable stand-in for the pod-template-hash.
fn template_hash(template: &Value) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in template.to_string().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:010x}", h & 0xff_ffff_ffff)
}

fn owned_by(object: &Value, uid: &str) -> bool {
    object["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["uid"] == uid)
}

fn owner_ref(kind: &str, api_version: &str, owner: &Value) -> Value {
    json!({
        "apiVersion": api_version, "kind": kind,
        "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
        "controller": true, "blockOwnerDeletion": true
    })
}

/// The template without the label the controller adds, for comparing.
fn bare_template(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove("pod-template-hash");
    }
    t
}

fn pods_owned(state: &State, ns: &str, uid: &str) -> Vec<(String, Value)> {
    let Some(rt) = state.type_at("", "v1", "pods") else {
        return Vec::new();
    };
    state
        .all(&rt)
        .filter(|((n, _), p)| n == ns && owned_by(p, uid))
        .map(|((_, name), p)| (name.clone(), p.clone()))
        .collect()
}

fn first_node(state: &State) -> Option<String> {
    let rt = state.type_at("", "v1", "nodes")?;
    state.all(&rt).next().map(|((_, name), _)| name.clone())
}

/// Creates a pod from `template` owned by `owner`, through the webhook.
fn create_pod(
    state: &mut State,
    ns: &str,
    name: &str,
    template: &Value,
    owner: Value,
    node: Option<String>,
    labels: BTreeMap<String, String>,
) {
    let Some(rt) = state.type_at("", "v1", "pods") else {
        return;
    };
    let mut meta = template
        .get("metadata")
        .cloned()
        .unwrap_or_else(|| json!({}));
    meta["name"] = json!(name);
    meta["namespace"] = json!(ns);
    meta["ownerReferences"] = json!([owner]);
    for (k, v) in labels {
        meta["labels"][k] = json!(v);
    }
    let mut spec = template.get("spec").cloned().unwrap_or_else(|| json!({}));
    if let Some(node) = node.or_else(|| first_node(state)) {
        spec["nodeName"] = json!(node);
    }
    let mut pod = json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec,
        "status": {"phase": "Running", "startTime": now_rfc3339(),
                   "conditions": [{"type": "Ready", "status": "True"}]}
    });
    mutate_pod(state, ns, &mut pod);
    if let Some(meta) = metadata_mut(&mut pod) {
        meta.remove("creationTimestamp");
        meta.remove("uid");
    }
    state.store_new(&rt, ns, name, pod);
}

fn delete_pods(state: &mut State, ns: &str, names: &[String]) {
    if let Some(rt) = state.type_at("", "v1", "pods") {
        for n in names {
            state.remove(&rt, ns, n);
        }
    }
}

fn deployment(state: &mut State, ns: &str, name: &str) {
    let (Some(deploy_rt), Some(rs_rt)) = (
        state.type_at("apps", "v1", "deployments"),
        state.type_at("apps", "v1", "replicasets"),
    ) else {
        return;
    };
    let Some(dep) = state.get(&deploy_rt, ns, name).cloned() else {
        return;
    };
    let uid = str_at(&dep, &["metadata", "uid"]).unwrap_or_default();
    let template = dep["spec"]["template"].clone();
    let replicas = dep["spec"]["replicas"].as_i64().unwrap_or(1).max(0);
    let owned: Vec<(String, Value)> = state
        .all(&rs_rt)
        .filter(|((n, _), rs)| n == ns && owned_by(rs, &uid))
        .map(|((_, n), rs)| (n.clone(), rs.clone()))
        .collect();
    let current = owned
        .iter()
        .find(|(_, rs)| bare_template(&rs["spec"]["template"]) == bare_template(&template));
    let (rs_name, rs) = match current {
        Some((n, rs)) => (n.clone(), rs.clone()),
        None => {
            let hash = template_hash(&bare_template(&template));
            let rs_name = format!("{name}-{hash}");
            let mut t = template.clone();
            t["metadata"]["labels"]["pod-template-hash"] = json!(hash);
            let rs = json!({
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": rs_name, "namespace": ns,
                             "labels": t["metadata"]["labels"].clone(),
                             "ownerReferences": [owner_ref("Deployment", "apps/v1", &dep)]},
                "spec": {"replicas": replicas, "selector": dep["spec"]["selector"].clone(), "template": t},
                "status": {"replicas": replicas}
            });
            let stored = state.store_new(&rs_rt, ns, &rs_name, rs);
            (rs_name, stored)
        }
    };
    let mut node_of_old = None;
    for (old_name, mut old) in owned.into_iter().filter(|(n, _)| *n != rs_name) {
        let old_uid = str_at(&old, &["metadata", "uid"]).unwrap_or_default();
        let pods = pods_owned(state, ns, &old_uid);
        node_of_old = node_of_old.or_else(|| {
            pods.iter()
                .find_map(|(_, p)| str_at(p, &["spec", "nodeName"]))
        });
        delete_pods(
            state,
            ns,
            &pods.into_iter().map(|(n, _)| n).collect::<Vec<_>>(),
        );
        old["spec"]["replicas"] = json!(0);
        old["status"]["replicas"] = json!(0);
        state.put(&rs_rt, ns, &old_name, old);
    }
    let rs_uid = str_at(&rs, &["metadata", "uid"]).unwrap_or_default();
    let have = pods_owned(state, ns, &rs_uid).len() as i64;
    let rs_template = rs["spec"]["template"].clone();
    for _ in have..replicas {
        let pod_name = format!("{rs_name}-{}", state.next_suffix());
        let owner = owner_ref("ReplicaSet", "apps/v1", &rs);
        create_pod(
            state,
            ns,
            &pod_name,
            &rs_template,
            owner,
            node_of_old.clone(),
            BTreeMap::new(),
        );
    }
}

/// StatefulSet and DaemonSet: pods whose revision label is not the template's are recreated.
fn recreate_owned(state: &mut State, plural: &str, ns: &str, name: &str) {
    let Some(rt) = state.type_at("apps", "v1", plural) else {
        return;
    };
    let Some(owner) = state.get(&rt, ns, name).cloned() else {
        return;
    };
    let uid = str_at(&owner, &["metadata", "uid"]).unwrap_or_default();
    let template = owner["spec"]["template"].clone();
    let revision = format!("{name}-{}", template_hash(&template));
    let kind = if plural == "statefulsets" {
        "StatefulSet"
    } else {
        "DaemonSet"
    };
    let mut pods = pods_owned(state, ns, &uid);
    pods.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, (pod_name, pod)) in pods.into_iter().enumerate() {
        if pod["metadata"]["labels"]["controller-revision-hash"] == revision.as_str() {
            continue;
        }
        let node = str_at(&pod, &["spec", "nodeName"]);
        delete_pods(state, ns, std::slice::from_ref(&pod_name));
        let new_name = if plural == "statefulsets" {
            format!("{name}-{i}")
        } else {
            format!("{name}-{}", state.next_suffix())
        };
        let labels = BTreeMap::from([("controller-revision-hash".to_string(), revision.clone())]);
        create_pod(
            state,
            ns,
            &new_name,
            &template,
            owner_ref(kind, "apps/v1", &owner),
            node,
            labels,
        );
    }
}
