//! A fake Kubernetes API server for the tests: it speaks enough of the real REST protocol for
//! kube-rs and the real `kubectl` binary (aggregated and legacy discovery, get, list with
//! label/field selectors and pagination, create, update, the four patch types, delete,
//! `serviceaccounts/token`, Table output), answers errors as real `Status` objects, and
//! records every request so tests can assert what was (not) written.
//!
//! Use it in-process with [`FakeKube::client`] (an axum `Router` handed to `kube::Client::new`)
//! or on a loopback port with [`FakeKube::serve`] plus [`FakeKube::write_kubeconfig`].
//!
//! Layout: `handler` (record, latency, route, answer), `routes` (paths and queries),
//! `discovery`, `objects` (single-object verbs), `list`, `selectors`, `patch` + `strategic`,
//! `token` (+ `protobuf`, for `kubectl create token`), `table`, `status` (errors), `state` (store and knobs), `controllers` (the Deployment, StatefulSet and DaemonSet controllers and the pod identity webhook, run after writes), `agent` (the Pod Identity agent add-on's DaemonSet and pods, installed and removed when the fake EKS says so), `resources` (the type
//! table), `record` (the request log), `bundle` (seeding from fixtures), `kubeconfig`, and `kubectl` (running the real binary
//! against a served fake).
//!
//! Not implemented: watch (405), deletecollection (405), protobuf (JSON is always answered),
//! managedFields, graceful deletion, admission other than the pod identity webhook.
//! Server-side apply is a strategic merge.

#![allow(dead_code, unused_imports)]

mod agent;
mod bundle;
mod controllers;
mod discovery;
mod handler;
mod kubeconfig;
mod kubectl;
mod list;
mod objects;
mod patch;
mod protobuf;
mod record;
mod resources;
mod routes;
mod selectors;
mod state;
mod status;
mod strategic;
mod table;
pub mod testing;
mod token;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

pub use self::discovery::GIT_VERSION;
use self::handler::{Shared, lock};
pub use self::kubectl::Kubectl;
pub use self::record::Recorded;
use self::state::{DenyRule, State};

/// The fake API server. Clones share one state.
#[derive(Clone)]
pub struct FakeKube {
    shared: Shared,
}

impl FakeKube {
    /// A cluster with only the system namespaces.
    pub fn empty() -> FakeKube {
        FakeKube {
            shared: Arc::new(Mutex::new(State::new())),
        }
    }

    /// A cluster holding the Kubernetes objects of these offline bundles (and a Namespace for
    /// every namespace they mention); the token issuer, region and account come from the
    /// bundle's EKS cluster when it has one.
    pub fn from_bundles(dirs: &[PathBuf]) -> FakeKube {
        let fake = FakeKube::empty();
        bundle::seed(&mut lock(&fake.shared), dirs);
        fake
    }

    /// Adds (or replaces) any object; its namespace is created if new. Panics on an object
    /// without apiVersion, kind or metadata.name.
    pub fn insert(&self, object: Value) {
        if let Err(e) = lock(&self.shared).insert(object) {
            panic!("FakeKube::insert: {e}");
        }
    }

    /// The stored object, as the server would answer a GET (for assertions that bypass HTTP).
    pub fn object(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let state = lock(&self.shared);
        let rt = state.find_type(api_version, kind)?;
        state.get(&rt, namespace.unwrap_or(""), name).cloned()
    }

    /// The pods stored in `namespace` now (for assertions that bypass HTTP).
    pub fn pods_in(&self, namespace: &str) -> Vec<Value> {
        let state = lock(&self.shared);
        let Some(rt) = state.type_at("", "v1", "pods") else {
            return Vec::new();
        };
        state
            .all(&rt)
            .filter(|((ns, _), _)| ns == namespace)
            .map(|(_, p)| p.clone())
            .collect()
    }

    /// The router serving every path; recording happens inside it.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .fallback(handler::handle)
            .with_state(self.shared.clone())
    }

    /// A kube-rs client talking to the router in-process, default namespace `default`.
    /// Must be called inside a Tokio runtime.
    pub fn client(&self) -> kube::Client {
        kube::Client::new(self.router(), "default")
    }

    /// Serves the router on a loopback port until the runtime stops; returns its address.
    pub async fn serve(&self) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap_or_else(|e| panic!("FakeKube::serve: cannot bind a loopback port: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("FakeKube::serve: no local address: {e}"));
        let router = self.router();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        addr
    }

    /// Writes a kubeconfig whose current context `context` points at `addr` (plain HTTP). With
    /// `cluster_name_for_exec`, the cluster and user are named by the EKS cluster ARN and the
    /// user runs `aws --region REGION eks get-token --cluster-name NAME --output json`, as
    /// `aws eks update-kubeconfig` writes it; otherwise the user `test` has a static token.
    pub fn write_kubeconfig(
        &self,
        path: &Path,
        addr: SocketAddr,
        context: &str,
        cluster_name_for_exec: Option<&str>,
    ) {
        let (region, account) = {
            let state = lock(&self.shared);
            (state.region.clone(), state.account.clone())
        };
        kubeconfig::write(
            path,
            &kubeconfig::Target {
                addr,
                context,
                region: &region,
                account: &account,
                exec_cluster: cluster_name_for_exec,
            },
        );
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared).requests.clone()
    }

    /// POST, PUT, PATCH and DELETE requests, except TokenRequests.
    pub fn writes(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(Recorded::is_write)
            .collect()
    }

    /// `POST .../serviceaccounts/NAME/token` requests.
    pub fn token_requests(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(Recorded::is_token_request)
            .collect()
    }

    /// Forgets the requests recorded so far.
    pub fn clear_requests(&self) {
        lock(&self.shared).requests.clear();
    }

    /// Answers 403 Forbidden to `verb` (`get`, `list`, `create`, `patch`, `update`,
    /// `delete`, or `*`) on `resource` (`pods`, `serviceaccounts/token`, or `*`). With a
    /// namespace, only there (and for all-namespaces requests, which need a cluster-wide
    /// grant); without, everywhere.
    pub fn deny(&self, verb: &str, resource: &str, namespace: Option<&str>) {
        lock(&self.shared).deny.push(DenyRule {
            verb: verb.to_string(),
            resource: resource.to_string(),
            namespace: namespace.map(str::to_string),
        });
    }

    /// Where the webhook learns whether a pod identity association exists for (namespace,
    /// service account): the fake EKS's state (`LiveEnv` connects them).
    pub fn set_associations(&self, exists: impl Fn(&str, &str) -> bool + Send + Sync + 'static) {
        lock(&self.shared).associations = controllers::Associations(Some(Arc::new(exists)));
    }

    /// The `eks-pod-identity-agent` add-on was installed (`true`) or removed in EKS: its
    /// kube-system DaemonSet and a Ready pod per supported node appear (or go), as on EKS.
    pub fn set_agent_installed(&self, installed: bool) {
        let mut state = lock(&self.shared);
        if installed {
            agent::install(&mut state);
        } else {
            agent::remove(&mut state);
        }
    }

    /// Delay every answer by `latency` (benchmarks).
    pub fn set_latency(&self, latency: Duration) {
        lock(&self.shared).latency = latency;
    }

    /// The `iss` of issued tokens (default: the bundle cluster's OIDC issuer).
    pub fn set_issuer(&self, issuer: &str) {
        lock(&self.shared).issuer = issuer.to_string();
    }

    pub fn issuer(&self) -> String {
        lock(&self.shared).issuer.clone()
    }

    /// The EKS cluster name from the bundle, if it had DescribeCluster output.
    pub fn cluster_name(&self) -> Option<String> {
        lock(&self.shared).cluster_name.clone()
    }

    /// The region the exec kubeconfig names (from the bundle's cluster ARN; `us-east-1`).
    pub fn region(&self) -> String {
        lock(&self.shared).region.clone()
    }
}
