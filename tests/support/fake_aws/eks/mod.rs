//! `FakeEks`: the EKS API (REST-JSON, as aws-sdk-eks speaks it) for what moto lacks or gets
//! wrong for our fixtures: pod identity associations, add-ons, and DescribeCluster with the
//! bundle's own issuer, endpoint and ARN (moto's EKS invents its own issuer, which would not match
//! the fixtures' trust policies).
//!
//! Operations: ListClusters, DescribeCluster, ListPodIdentityAssociations (`namespace`,
//! `serviceAccount`, `maxResults`, `nextToken`), DescribePodIdentityAssociation,
//! CreatePodIdentityAssociation, UpdatePodIdentityAssociation, DeletePodIdentityAssociation,
//! ListAddons, DescribeAddon, CreateAddon, DeleteAddon (with [`FakeEks::on_addon_change`] for
//! what the cluster does then). Errors are AWS's JSON error shape with `x-amzn-ErrorType`, so the
//! SDK maps them to its modeled errors (`ResourceNotFoundException`, ...) or, for codes an
//! operation does not model (`AccessDeniedException`, `ThrottlingException`), to an unhandled
//! error whose `code()` is the code, exactly as with real EKS.
//!
//! This file holds the [`FakeEks`] handle tests drive (seeding, faults, the request log). The
//! rest, one purpose per file:
//! - `snapshot`: loading a fixture Snapshot's EKS facts ([`FakeEks::from_snapshot`]);
//! - `state`: the clusters the fake holds;
//! - `routes`: method and path to [`routes::Route`] and its operation name;
//! - `handler`: the HTTP handler (faults, dispatch to the resource files, request log);
//! - `clusters`, `associations`, `addons`: each resource's operations and JSON shapes;
//! - `paging`: query parameters, `maxResults` / `nextToken`;
//! - `errors`: the answer type and EKS's error answers;
//! - `json`: timestamps and optional fields in EKS JSON.
//!
//! A new operation: a [`routes::Route`] variant (path and operation name), an arm in
//! `handler::dispatch`, and its function in the resource's file (a new file for a new resource);
//! add it to [`EKS_WRITES`] if it changes anything.

mod addons;
mod associations;
mod clusters;
mod errors;
mod handler;
mod json;
mod paging;
mod routes;
mod snapshot;
mod state;

use std::collections::BTreeMap;
use std::sync::{Arc, MutexGuard};
use std::time::Duration;

use axum::Router;
use kubectl_irsa::model::aws::{Addon, EksCluster, PodIdentityAssociation};

use super::server::{RecordedRequest, ServerHandle};
use state::{EksState, Shared, entry_for};

/// EKS operations that change something; everything else the fake serves is read-only.
pub const EKS_WRITES: &[&str] = &[
    "CreatePodIdentityAssociation",
    "UpdatePodIdentityAssociation",
    "DeletePodIdentityAssociation",
    "CreateAddon",
    "DeleteAddon",
];

/// A cluster as another fake (EKS Auth) sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterView {
    pub name: String,
    pub arn: String,
    pub partition: String,
    pub region: String,
    pub account: String,
}

/// Read access to the fake's clusters and associations for other fakes: EKS Auth decides with
/// EKS's current state, as the real service does.
#[derive(Clone)]
pub struct EksView(Shared);

impl EksView {
    fn lock(&self) -> MutexGuard<'_, EksState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn cluster(&self, name: &str) -> Option<ClusterView> {
        self.lock().clusters.get(name).map(|c| ClusterView {
            name: name.to_string(),
            arn: c.arn(name),
            partition: c.partition.clone(),
            region: c.region.clone(),
            account: c.account.clone(),
        })
    }

    /// The association of `namespace`/`service_account` in `cluster`, as it is now.
    pub fn association(
        &self,
        cluster: &str,
        namespace: &str,
        service_account: &str,
    ) -> Option<PodIdentityAssociation> {
        self.lock().clusters.get(cluster).and_then(|c| {
            c.associations
                .iter()
                .find(|a| a.namespace == namespace && a.service_account == service_account)
                .cloned()
        })
    }
}

/// A fake EKS endpoint on a loopback port; stops when dropped.
pub struct FakeEks {
    state: Shared,
    server: ServerHandle,
}

impl FakeEks {
    /// An EKS with no clusters.
    pub fn new() -> FakeEks {
        let state: Shared = Arc::default();
        let router = Router::new()
            .fallback(handler::handle)
            .with_state(state.clone());
        let server = ServerHandle::spawn("eks", router);
        FakeEks { state, server }
    }

    /// `http://127.0.0.1:PORT`: the endpoint URL for aws-sdk-eks (`AWS_ENDPOINT_URL_EKS`).
    pub fn url(&self) -> &str {
        self.server.url()
    }

    fn lock(&self) -> MutexGuard<'_, EksState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What other fakes may read: clusters and associations.
    pub fn view(&self) -> EksView {
        EksView(self.state.clone())
    }

    /// Adds (or replaces) a cluster; DescribeCluster answers it exactly.
    pub fn add_cluster(&self, cluster: EksCluster) {
        let mut state = self.lock();
        let entry = entry_for(&mut state, &cluster.name, Some(&cluster.arn));
        entry.described = Some(cluster);
    }

    /// Adds an association to its cluster (`cluster_name` must be set).
    pub fn add_association(&self, association: PodIdentityAssociation) {
        let name = association
            .cluster_name
            .clone()
            .expect("an association needs its cluster_name");
        let mut state = self.lock();
        let entry = entry_for(&mut state, &name, association.association_arn.as_deref());
        entry
            .associations
            .retain(|a| a.association_id != association.association_id);
        entry.associations.push(association);
    }

    /// Adds (or replaces) an add-on of a cluster.
    pub fn add_addon(&self, cluster: &str, addon: Addon) {
        let mut state = self.lock();
        let entry = entry_for(&mut state, cluster, None);
        entry.addons.insert(addon.name.clone(), addon);
    }

    /// Calls `hook(cluster, add-on, installed)` after each successful CreateAddon (`true`) and
    /// DeleteAddon (`false`): `LiveEnv` makes the agent's DaemonSet and pods appear in (and
    /// leave) the fake API server, as the add-on does on EKS.
    pub fn on_addon_change(&self, hook: impl Fn(&str, &str, bool) + Send + Sync + 'static) {
        self.lock().on_addon = Some(Arc::new(hook));
    }

    pub fn remove_addon(&self, cluster: &str, addon: &str) {
        if let Some(entry) = self.lock().clusters.get_mut(cluster) {
            entry.addons.remove(addon);
        }
    }

    /// The cluster's associations as they are now (after any create, update or delete).
    pub fn associations(&self, cluster: &str) -> Vec<PodIdentityAssociation> {
        self.lock()
            .clusters
            .get(cluster)
            .map(|c| c.associations.clone())
            .unwrap_or_default()
    }

    /// Answers `operation` (e.g. `ListPodIdentityAssociations`) with AccessDeniedException.
    pub fn deny(&self, operation: &str) {
        self.lock().faults.deny(operation, None);
    }

    /// As [`FakeEks::deny`], with this message.
    pub fn deny_with(&self, operation: &str, message: &str) {
        self.lock()
            .faults
            .deny(operation, Some(message.to_string()));
    }

    pub fn allow(&self, operation: &str) {
        self.lock().faults.allow(operation);
    }

    /// Answers the next `count` requests (any operation) with ThrottlingException (HTTP 429).
    pub fn throttle(&self, count: usize) {
        self.lock().faults.throttle(None, count);
    }

    /// Answers the next `count` requests for `operation` with ThrottlingException.
    pub fn throttle_operation(&self, operation: &str, count: usize) {
        self.lock().faults.throttle(Some(operation), count);
    }

    /// Delays every answer by `latency` (requests are still served concurrently).
    pub fn set_latency(&self, latency: Duration) {
        self.lock().faults.set_latency(latency);
    }

    pub fn set_operation_latency(&self, operation: &str, latency: Duration) {
        self.lock().faults.set_operation_latency(operation, latency);
    }

    /// Every request received so far, in order (throttled and denied ones included).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().log.clone()
    }

    /// How many requests for `operation` were received.
    pub fn count(&self, operation: &str) -> usize {
        self.lock()
            .log
            .iter()
            .filter(|r| r.operation == operation)
            .count()
    }

    /// Requests per operation.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for r in &self.lock().log {
            *out.entry(r.operation.clone()).or_insert(0) += 1;
        }
        out
    }

    /// Requests that would have changed something (create, update, delete), whatever the answer.
    pub fn writes(&self) -> Vec<RecordedRequest> {
        self.lock()
            .log
            .iter()
            .filter(|r| EKS_WRITES.contains(&r.operation.as_str()) || r.method != "GET")
            .cloned()
            .collect()
    }

    pub fn clear_requests(&self) {
        self.lock().log.clear();
    }
}

impl Default for FakeEks {
    fn default() -> Self {
        FakeEks::new()
    }
}
