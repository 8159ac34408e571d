//! The Kubernetes writer: a plan's Kubernetes changes made with the kube-rs client the readers
//! use, each carrying a precondition so the API server itself refuses a stale write
//! (DESIGN.md "Fixes are data"):
//!
//! - a ServiceAccount annotation is a JSON merge patch carrying the resourceVersion read at
//!   planning time (409 Conflict when it changed, as `kubectl annotate --resource-version`);
//! - a workload's `serviceAccountName` is a JSON patch whose `test` ops check the workload's
//!   `metadata.generation` and the field's value as planned (422 when either changed): a
//!   workload's resourceVersion moves with every status update, these do not;
//! - a container's environment variable is a JSON patch found against the workload as read
//!   just before, testing `generation`, the container's name and the variable's name at the
//!   indices it patches, so a template edited meanwhile is a 422, not a wrong element;
//! - a restart is `kubectl rollout restart`'s patch of the template's
//!   `kubectl.kubernetes.io/restartedAt`, which depends on nothing;
//! - a ServiceAccount is created with POST (409 AlreadyExists when someone was first).
//!
//! Not server-side apply: that would make the tool a field manager of objects Helm, Argo CD or
//! Flux own. A 409 or 422 is a conflict and is never retried.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use thiserror::Error;

pub use crate::model::plan::Precondition;
use crate::model::plan::{Change, WorkloadTarget};

pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

#[derive(Debug, Error, PartialEq, Eq)]
pub enum KubeWriteError {
    /// The object changed since the plan was made (or exists already): nothing was written.
    #[error("{object} changed since the plan was made ({reason}); nothing was written to it")]
    Conflict { object: String, reason: String },
    /// RBAC refused the write; `permission` is what to grant.
    #[error("the API server refused to {permission}: {message}")]
    Denied { permission: String, message: String },
    #[error("writing {object} failed: {message}")]
    Failed { object: String, message: String },
    /// Not a Kubernetes change, or a workload kind without a controller to restart it.
    #[error("{0} is not a change the Kubernetes writer makes")]
    NotKubernetes(String),
}

pub struct KubeWriter {
    client: kube::Client,
}

fn classify(e: kube::Error, object: &str, permission: String) -> KubeWriteError {
    match e {
        kube::Error::Api(status) if status.code == 409 || status.code == 422 => {
            KubeWriteError::Conflict {
                object: object.to_string(),
                reason: status.message,
            }
        }
        kube::Error::Api(status) if status.code == 403 => KubeWriteError::Denied {
            permission,
            message: status.message,
        },
        kube::Error::Api(status) => KubeWriteError::Failed {
            object: object.to_string(),
            message: format!("{} {}", status.code, status.message),
        },
        other => KubeWriteError::Failed {
            object: object.to_string(),
            message: other.to_string(),
        },
    }
}

fn params() -> PatchParams {
    PatchParams {
        field_manager: Some("kubectl-irsa".into()),
        ..PatchParams::default()
    }
}

impl KubeWriter {
    pub fn new(client: kube::Client) -> KubeWriter {
        KubeWriter { client }
    }

    /// Makes `change`, refusing (without writing) when `pre` no longer holds.
    pub async fn apply(&self, change: &Change, pre: &Precondition) -> Result<(), KubeWriteError> {
        match change {
            Change::AnnotateServiceAccount {
                namespace,
                name,
                key,
                value,
            } => {
                let api: Api<ServiceAccount> = Api::namespaced(self.client.clone(), namespace);
                let mut meta = json!({ "annotations": { key: value } });
                if let Some(rv) = &pre.resource_version {
                    meta["resourceVersion"] = json!(rv);
                }
                let object = format!("ServiceAccount {namespace}/{name}");
                api.patch(name, &params(), &Patch::Merge(json!({ "metadata": meta })))
                    .await
                    .map(drop)
                    .map_err(|e| {
                        classify(
                            e,
                            &object,
                            format!("patch serviceaccounts in namespace {namespace}"),
                        )
                    })
            }
            Change::CreateServiceAccount {
                namespace,
                name,
                annotations,
            } => {
                let api: Api<ServiceAccount> = Api::namespaced(self.client.clone(), namespace);
                let sa: ServiceAccount = serde_json::from_value(json!({
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {
                        "name": name,
                        "namespace": namespace,
                        "annotations": annotations.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
                    }
                }))
                .map_err(|e| KubeWriteError::Failed {
                    object: format!("ServiceAccount {namespace}/{name}"),
                    message: e.to_string(),
                })?;
                let object = format!("ServiceAccount {namespace}/{name}");
                api.create(&PostParams::default(), &sa)
                    .await
                    .map(drop)
                    .map_err(|e| {
                        classify(
                            e,
                            &object,
                            format!("create serviceaccounts in namespace {namespace}"),
                        )
                    })
            }
            Change::SetServiceAccountName {
                workload,
                service_account,
            } => {
                let path = "/spec/template/spec/serviceAccountName";
                // `generation` moves only when the spec does (never with status), so testing it
                // refuses any template edit made since the plan; the field itself is tested
                // too when it was set (RFC 6902 cannot test that a field is absent).
                let mut ops = Vec::new();
                if let Some(g) = pre.generation {
                    ops.push(json!({"op": "test", "path": "/metadata/generation", "value": g}));
                }
                if let Some(old) = &pre.service_account_name {
                    ops.push(json!({"op": "test", "path": path, "value": old}));
                }
                ops.push(json!({"op": "add", "path": path, "value": service_account}));
                self.patch_workload(workload, Patch::Json(json_patch(ops)?), "patch")
                    .await
            }
            Change::SetEnv {
                workload,
                container,
                name,
                value,
            } => {
                let ops = self.env_ops(workload, container, name, value, pre).await?;
                if ops.is_empty() {
                    return Ok(());
                }
                self.patch_workload(workload, Patch::Json(json_patch(ops)?), "patch")
                    .await
            }
            Change::SetFsGroup { workload, fs_group } => {
                let ops = self.fs_group_ops(workload, *fs_group, pre).await?;
                if ops.is_empty() {
                    return Ok(());
                }
                self.patch_workload(workload, Patch::Json(json_patch(ops)?), "patch")
                    .await
            }
            Change::RolloutRestart { workload } => {
                let now = jiff::Timestamp::now().to_string();
                let body = json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}});
                self.patch_workload(workload, Patch::Strategic(body), "patch")
                    .await
            }
            Change::DeleteServiceAccount { namespace, name } => {
                let api: Api<ServiceAccount> = Api::namespaced(self.client.clone(), namespace);
                let object = format!("ServiceAccount {namespace}/{name}");
                let mut dp = kube::api::DeleteParams::default();
                if let Some(rv) = &pre.resource_version {
                    dp.preconditions = Some(kube::api::Preconditions {
                        resource_version: Some(rv.clone()),
                        uid: None,
                    });
                }
                api.delete(name, &dp).await.map(drop).map_err(|e| {
                    classify(
                        e,
                        &object,
                        format!("delete serviceaccounts in namespace {namespace}"),
                    )
                })
            }
            other => Err(KubeWriteError::NotKubernetes(other.action().to_string())),
        }
    }

    /// The JSON patch that sets (or removes) `name` in `container`, against the workload as
    /// it is now; empty when there is nothing to do.
    async fn env_ops(
        &self,
        w: &WorkloadTarget,
        container: &str,
        name: &str,
        value: &Option<String>,
        pre: &Precondition,
    ) -> Result<Vec<Value>, KubeWriteError> {
        let containers = self
            .template(w)
            .await?
            .and_then(|t| t.spec)
            .map(|s| s.containers)
            .unwrap_or_default();
        let object = format!("{} {}/{}", w.kind, w.namespace, w.name);
        let Some(i) = containers.iter().position(|c| c.name == container) else {
            return Err(KubeWriteError::Conflict {
                object,
                reason: format!("it has no container {container}"),
            });
        };
        let base = format!("/spec/template/spec/containers/{i}");
        let mut ops = Vec::new();
        if let Some(g) = pre.generation {
            ops.push(json!({"op": "test", "path": "/metadata/generation", "value": g}));
        }
        ops.push(json!({"op": "test", "path": format!("{base}/name"), "value": container}));
        let env = containers[i].env.clone();
        let at = env
            .as_ref()
            .and_then(|e| e.iter().position(|v| v.name == name));
        let var = json!({"name": name, "value": value});
        match (value, &env, at) {
            (Some(_), None, _) => {
                ops.push(json!({"op": "add", "path": format!("{base}/env"), "value": [var]}))
            }
            (Some(_), Some(_), None) => {
                ops.push(json!({"op": "add", "path": format!("{base}/env/-"), "value": var}))
            }
            (Some(_), Some(_), Some(j)) => {
                ops.push(
                    json!({"op": "test", "path": format!("{base}/env/{j}/name"), "value": name}),
                );
                ops.push(json!({"op": "replace", "path": format!("{base}/env/{j}"), "value": var}));
            }
            (None, _, Some(j)) => {
                ops.push(
                    json!({"op": "test", "path": format!("{base}/env/{j}/name"), "value": name}),
                );
                ops.push(json!({"op": "remove", "path": format!("{base}/env/{j}")}));
            }
            (None, _, None) => return Ok(Vec::new()),
        }
        Ok(ops)
    }

    /// The JSON patch that sets (or removes) the template's fsGroup, against the workload as
    /// it is now; empty when there is nothing to do.
    async fn fs_group_ops(
        &self,
        w: &WorkloadTarget,
        fs_group: Option<i64>,
        pre: &Precondition,
    ) -> Result<Vec<Value>, KubeWriteError> {
        let spec = self.template(w).await?.and_then(|t| t.spec);
        let context = spec.as_ref().and_then(|s| s.security_context.as_ref());
        let current = context.and_then(|c| c.fs_group);
        if current == fs_group {
            return Ok(Vec::new());
        }
        let mut ops = Vec::new();
        if let Some(g) = pre.generation {
            ops.push(json!({"op": "test", "path": "/metadata/generation", "value": g}));
        }
        let path = "/spec/template/spec/securityContext";
        match (fs_group, context) {
            (Some(g), None) => {
                ops.push(json!({"op": "add", "path": path, "value": {"fsGroup": g}}))
            }
            (Some(g), Some(_)) => {
                ops.push(json!({"op": "add", "path": format!("{path}/fsGroup"), "value": g}))
            }
            (None, _) => ops.push(json!({"op": "remove", "path": format!("{path}/fsGroup")})),
        }
        Ok(ops)
    }

    /// The workload's pod template as the API server has it now.
    async fn template(
        &self,
        w: &WorkloadTarget,
    ) -> Result<Option<k8s_openapi::api::core::v1::PodTemplateSpec>, KubeWriteError> {
        let object = format!("{} {}/{}", w.kind, w.namespace, w.name);
        let c = self.client.clone();
        let read = |e: kube::Error| {
            classify(
                e,
                &object,
                format!("get {} in namespace {}", w.kind, w.namespace),
            )
        };
        let template = match w.kind.as_str() {
            "Deployment" => Api::<Deployment>::namespaced(c, &w.namespace)
                .get(&w.name)
                .await
                .map_err(read)?
                .spec
                .map(|s| s.template),
            "StatefulSet" => Api::<StatefulSet>::namespaced(c, &w.namespace)
                .get(&w.name)
                .await
                .map_err(read)?
                .spec
                .map(|s| s.template),
            "DaemonSet" => Api::<DaemonSet>::namespaced(c, &w.namespace)
                .get(&w.name)
                .await
                .map_err(read)?
                .spec
                .map(|s| s.template),
            other => return Err(KubeWriteError::NotKubernetes(format!("editing a {other}"))),
        };
        Ok(template)
    }

    async fn patch_workload(
        &self,
        w: &WorkloadTarget,
        patch: Patch<Value>,
        verb: &str,
    ) -> Result<(), KubeWriteError> {
        let object = format!("{} {}/{}", w.kind, w.namespace, w.name);
        let c = self.client.clone();
        let (result, plural) = match w.kind.as_str() {
            "Deployment" => (
                Api::<Deployment>::namespaced(c, &w.namespace)
                    .patch(&w.name, &params(), &patch)
                    .await
                    .map(drop),
                "deployments",
            ),
            "StatefulSet" => (
                Api::<StatefulSet>::namespaced(c, &w.namespace)
                    .patch(&w.name, &params(), &patch)
                    .await
                    .map(drop),
                "statefulsets",
            ),
            "DaemonSet" => (
                Api::<DaemonSet>::namespaced(c, &w.namespace)
                    .patch(&w.name, &params(), &patch)
                    .await
                    .map(drop),
                "daemonsets",
            ),
            other => {
                return Err(KubeWriteError::NotKubernetes(format!(
                    "restarting a {other}"
                )));
            }
        };
        result.map_err(|e| {
            classify(
                e,
                &object,
                format!(
                    "{verb} {plural} (API group apps) in namespace {}",
                    w.namespace
                ),
            )
        })
    }
}

fn json_patch(ops: Vec<Value>) -> Result<json_patch::Patch, KubeWriteError> {
    serde_json::from_value(Value::Array(ops)).map_err(|e| KubeWriteError::Failed {
        object: "a JSON patch".into(),
        message: e.to_string(),
    })
}
