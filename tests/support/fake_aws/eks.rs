//! `FakeEks`: the EKS API (REST-JSON, as aws-sdk-eks speaks it) for what moto lacks or gets
//! wrong for our fixtures: pod identity associations, add-ons, and DescribeCluster with the
//! bundle's own issuer, endpoint and ARN (moto's EKS invents its own issuer, which would not match
//! the fixtures' trust policies).
//!
//! Operations: ListClusters, DescribeCluster, ListPodIdentityAssociations (`namespace`,
//! `serviceAccount`, `maxResults`, `nextToken`), DescribePodIdentityAssociation,
//! CreatePodIdentityAssociation, UpdatePodIdentityAssociation, DeletePodIdentityAssociation,
//! ListAddons, DescribeAddon. Errors are AWS's JSON error shape with `x-amzn-ErrorType`, so the
//! SDK maps them to its modeled errors (`ResourceNotFoundException`, ...) or, for codes an
//! operation does not model (`AccessDeniedException`, `ThrottlingException`), to an unhandled
//! error whose `code()` is the code, exactly as with real EKS.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode};
use kubectl_irsa::model::aws::{Addon, AddonHealthIssue, EksCluster, PodIdentityAssociation};
use kubectl_irsa::model::{Fact, Missing, Snapshot};
use serde_json::{Value, json};

use super::server::{
    Faults, Injected, LOWER_ALNUM, RecordedRequest, ServerHandle, parse_form, pseudo_id, request_id,
};

/// EKS operations that change something; everything else the fake serves is read-only.
pub const EKS_WRITES: &[&str] = &[
    "CreatePodIdentityAssociation",
    "UpdatePodIdentityAssociation",
    "DeletePodIdentityAssociation",
];

/// When a fixture does not say when something was created (EKS always does): 2025-10-01.
const DEFAULT_EPOCH: i64 = 1_759_276_800;
const PAGE_LIMIT: usize = 100;

#[derive(Debug, Clone)]
struct ClusterEntry {
    partition: String,
    region: String,
    account: String,
    /// What DescribeCluster answers; `None` when the fixture did not collect the cluster (the
    /// cluster is then known only by its associations or add-ons, and DescribeCluster answers
    /// ResourceNotFoundException).
    described: Option<EksCluster>,
    associations: Vec<PodIdentityAssociation>,
    addons: BTreeMap<String, Addon>,
}

impl ClusterEntry {
    fn arn(&self, name: &str) -> String {
        match &self.described {
            Some(c) => c.arn.clone(),
            None => format!(
                "arn:{}:eks:{}:{}:cluster/{name}",
                self.partition, self.region, self.account
            ),
        }
    }
}

#[derive(Debug, Default)]
struct EksState {
    clusters: BTreeMap<String, ClusterEntry>,
    faults: Faults,
    log: Vec<RecordedRequest>,
}

type Shared = Arc<Mutex<EksState>>;

/// A fake EKS endpoint on a loopback port; stops when dropped.
pub struct FakeEks {
    state: Shared,
    server: ServerHandle,
}

impl FakeEks {
    /// An EKS with no clusters.
    pub fn new() -> FakeEks {
        let state: Shared = Arc::default();
        let router = Router::new().fallback(handle).with_state(state.clone());
        let server = ServerHandle::spawn("eks", router);
        FakeEks { state, server }
    }

    /// An EKS holding the snapshot's cluster (exactly: name, ARN, endpoint, issuer, version,
    /// status), its pod identity associations and its eks-pod-identity-agent add-on. A fact the
    /// snapshot records as access-denied makes the operation that reads it answer
    /// AccessDeniedException with the recorded message.
    pub fn from_snapshot(snapshot: &Snapshot) -> FakeEks {
        let eks = FakeEks::new();
        eks.load_snapshot(snapshot);
        eks
    }

    /// Adds the snapshot's EKS facts (see [`FakeEks::from_snapshot`]).
    pub fn load_snapshot(&self, snapshot: &Snapshot) {
        let aws = &snapshot.aws;
        let mut cluster_name = None;
        match &aws.cluster {
            Fact::Known(cluster) => {
                cluster_name = Some(cluster.name.clone());
                self.add_cluster(cluster.clone());
            }
            Fact::Missing(missing) => self.deny_if_denied(missing, &["DescribeCluster"]),
        }
        match &aws.associations {
            Fact::Known(list) => {
                for assoc in list {
                    let mut assoc = assoc.clone();
                    if assoc.cluster_name.is_none() {
                        assoc.cluster_name = cluster_name.clone();
                    }
                    if assoc.cluster_name.is_some() {
                        cluster_name = cluster_name.or_else(|| assoc.cluster_name.clone());
                        self.add_association(assoc);
                    }
                }
            }
            Fact::Missing(missing) => self.deny_if_denied(
                missing,
                &[
                    "ListPodIdentityAssociations",
                    "DescribePodIdentityAssociation",
                ],
            ),
        }
        match &aws.pod_identity_agent_addon {
            Fact::Known(Some(addon)) => {
                if let Some(name) = &cluster_name {
                    self.add_addon(name, addon.clone());
                }
            }
            Fact::Known(None) => {}
            Fact::Missing(missing) => self.deny_if_denied(missing, &["DescribeAddon"]),
        }
    }

    fn deny_if_denied(&self, missing: &Missing, operations: &[&str]) {
        if let Missing::Denied { message, .. } = missing {
            for op in operations {
                self.deny_with(op, message);
            }
        }
    }

    /// `http://127.0.0.1:PORT`: the endpoint URL for aws-sdk-eks (`AWS_ENDPOINT_URL_EKS`).
    pub fn url(&self) -> &str {
        self.server.url()
    }

    fn lock(&self) -> MutexGuard<'_, EksState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
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

fn entry_for<'a>(state: &'a mut EksState, name: &str, arn: Option<&str>) -> &'a mut ClusterEntry {
    state.clusters.entry(name.to_string()).or_insert_with(|| {
        let parsed = arn.and_then(kubectl_irsa::model::arn::Arn::parse);
        let (partition, region, account) = match parsed {
            Some(a) => (a.partition, a.region, a.account),
            None => ("aws".into(), "us-east-1".into(), "123456789012".into()),
        };
        ClusterEntry {
            partition,
            region,
            account,
            described: None,
            associations: Vec::new(),
            addons: BTreeMap::new(),
        }
    })
}

// ---- protocol ----

#[derive(Debug)]
enum Route {
    ListClusters,
    DescribeCluster(String),
    ListAssociations(String),
    CreateAssociation(String),
    DescribeAssociation(String, String),
    UpdateAssociation(String, String),
    DeleteAssociation(String, String),
    ListAddons(String),
    DescribeAddon(String, String),
    Unknown,
}

impl Route {
    fn parse(method: &Method, segments: &[String]) -> Route {
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        match (method.as_str(), segs.as_slice()) {
            ("GET", ["clusters"]) => Route::ListClusters,
            ("GET", ["clusters", name]) => Route::DescribeCluster(name.to_string()),
            ("GET", ["clusters", name, "pod-identity-associations"]) => {
                Route::ListAssociations(name.to_string())
            }
            ("POST", ["clusters", name, "pod-identity-associations"]) => {
                Route::CreateAssociation(name.to_string())
            }
            ("GET", ["clusters", name, "pod-identity-associations", id]) => {
                Route::DescribeAssociation(name.to_string(), id.to_string())
            }
            ("POST", ["clusters", name, "pod-identity-associations", id]) => {
                Route::UpdateAssociation(name.to_string(), id.to_string())
            }
            ("DELETE", ["clusters", name, "pod-identity-associations", id]) => {
                Route::DeleteAssociation(name.to_string(), id.to_string())
            }
            ("GET", ["clusters", name, "addons"]) => Route::ListAddons(name.to_string()),
            ("GET", ["clusters", name, "addons", addon]) => {
                Route::DescribeAddon(name.to_string(), addon.to_string())
            }
            _ => Route::Unknown,
        }
    }

    fn operation(&self) -> &'static str {
        match self {
            Route::ListClusters => "ListClusters",
            Route::DescribeCluster(_) => "DescribeCluster",
            Route::ListAssociations(_) => "ListPodIdentityAssociations",
            Route::CreateAssociation(_) => "CreatePodIdentityAssociation",
            Route::DescribeAssociation(..) => "DescribePodIdentityAssociation",
            Route::UpdateAssociation(..) => "UpdatePodIdentityAssociation",
            Route::DeleteAssociation(..) => "DeletePodIdentityAssociation",
            Route::ListAddons(_) => "ListAddons",
            Route::DescribeAddon(..) => "DescribeAddon",
            Route::Unknown => "Unknown",
        }
    }

    fn cluster(&self) -> Option<&str> {
        match self {
            Route::ListClusters | Route::Unknown => None,
            Route::DescribeCluster(c)
            | Route::ListAssociations(c)
            | Route::CreateAssociation(c)
            | Route::DescribeAssociation(c, _)
            | Route::UpdateAssociation(c, _)
            | Route::DeleteAssociation(c, _)
            | Route::ListAddons(c)
            | Route::DescribeAddon(c, _) => Some(c),
        }
    }
}

struct Answer {
    status: u16,
    body: Value,
    error: Option<String>,
}

impl Answer {
    fn ok(body: Value) -> Answer {
        Answer {
            status: 200,
            body,
            error: None,
        }
    }

    fn error(status: u16, code: &str, message: &str, extra: Value) -> Answer {
        let mut body = json!({ "message": message });
        if let (Some(obj), Value::Object(more)) = (body.as_object_mut(), extra) {
            obj.extend(more);
        }
        Answer {
            status,
            body,
            error: Some(code.to_string()),
        }
    }

    fn into_response(self) -> Response {
        let mut response = (
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            self.body.to_string(),
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        if let Ok(v) = HeaderValue::from_str(&request_id()) {
            headers.insert("x-amzn-requestid", v);
        }
        if let Some(code) = self.error
            && let Ok(v) = HeaderValue::from_str(&code)
        {
            headers.insert("x-amzn-errortype", v);
        }
        response
    }
}

fn not_found(message: String, extra: Value) -> Answer {
    Answer::error(404, "ResourceNotFoundException", &message, extra)
}

fn invalid(message: &str) -> Answer {
    Answer::error(400, "InvalidParameterException", message, json!({}))
}

async fn handle(State(state): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&body).into_owned();
    let segments: Vec<String> = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let params = parts.uri.query().map(parse_form).unwrap_or_default();
    let route = Route::parse(&parts.method, &segments);
    let operation = route.operation();

    let (latency, injected) = {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        (st.faults.latency_for(operation), st.faults.take(operation))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    let answer = match injected {
        Some(Injected::Throttle) => {
            Answer::error(429, "ThrottlingException", "Rate exceeded", json!({}))
        }
        Some(Injected::Deny(message)) => {
            let message = message.unwrap_or_else(|| denied_message(&st, &route, operation));
            Answer::error(403, "AccessDeniedException", &message, json!({}))
        }
        None => dispatch(&mut st, &route, &params, &body),
    };
    st.log.push(RecordedRequest {
        operation: operation.to_string(),
        method: parts.method.to_string(),
        path: format!("/{}", segments.join("/")),
        params,
        body,
        status: answer.status,
        error_code: answer.error.clone(),
        received: Instant::now(),
    });
    drop(st);
    answer.into_response()
}

fn denied_message(state: &EksState, route: &Route, operation: &str) -> String {
    let resource = match route
        .cluster()
        .and_then(|c| state.clusters.get(c).map(|e| (c, e)))
    {
        Some((name, entry)) => entry.arn(name),
        None => match route.cluster() {
            Some(name) => format!("arn:aws:eks:us-east-1:123456789012:cluster/{name}"),
            None => "arn:aws:eks:us-east-1:123456789012:cluster/*".to_string(),
        },
    };
    format!(
        "User: arn:aws:sts::123456789012:assumed-role/kubectl-irsa-test/test is not authorized \
         to perform: eks:{operation} on resource: {resource}"
    )
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// One page of `items` per `maxResults` (1..=100, default 100) and `nextToken` (an offset).
fn page<T: Clone>(
    items: &[T],
    params: &[(String, String)],
) -> Result<(Vec<T>, Option<String>), Answer> {
    let max = match param(params, "maxResults") {
        None => PAGE_LIMIT,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=PAGE_LIMIT).contains(&n) => n,
            _ => {
                return Err(invalid(&format!(
                    "maxResults must be between 1 and {PAGE_LIMIT}, got {v}"
                )));
            }
        },
    };
    let start = match param(params, "nextToken") {
        None => 0,
        Some(token) => match token.strip_prefix("page-").and_then(|n| n.parse().ok()) {
            Some(n) if n <= items.len() => n,
            _ => return Err(invalid("The nextToken provided is invalid.")),
        },
    };
    let end = (start + max).min(items.len());
    let next = (end < items.len()).then(|| format!("page-{end}"));
    Ok((items[start..end].to_vec(), next))
}

fn dispatch(
    state: &mut EksState,
    route: &Route,
    params: &[(String, String)],
    body: &str,
) -> Answer {
    if let Route::ListClusters = route {
        let names: Vec<String> = state.clusters.keys().cloned().collect();
        return match page(&names, params) {
            Ok((names, next)) => Answer::ok(with_next(json!({ "clusters": names }), next)),
            Err(a) => a,
        };
    }
    let Some(name) = route.cluster() else {
        return Answer::error(
            404,
            "UnknownOperationException",
            "The requested operation is not supported by this fake EKS.",
            json!({}),
        );
    };
    let Some(entry) = state.clusters.get_mut(name) else {
        return cluster_not_found(name);
    };
    match route {
        Route::DescribeCluster(_) => match &entry.described {
            Some(c) => Answer::ok(json!({ "cluster": cluster_json(c) })),
            None => cluster_not_found(name),
        },
        Route::ListAssociations(_) => {
            let matching: Vec<&PodIdentityAssociation> = entry
                .associations
                .iter()
                .filter(|a| param(params, "namespace").is_none_or(|ns| a.namespace == ns))
                .filter(|a| {
                    param(params, "serviceAccount").is_none_or(|sa| a.service_account == sa)
                })
                .collect();
            match page(&matching, params) {
                Ok((items, next)) => {
                    let summaries: Vec<Value> =
                        items.iter().map(|a| summary_json(a, name)).collect();
                    Answer::ok(with_next(json!({ "associations": summaries }), next))
                }
                Err(a) => a,
            }
        }
        Route::DescribeAssociation(_, id) => {
            match entry.associations.iter().find(|a| &a.association_id == id) {
                Some(a) => Answer::ok(json!({ "association": association_json(a, name) })),
                None => association_not_found(id),
            }
        }
        Route::CreateAssociation(_) => create_association(entry, name, body),
        Route::UpdateAssociation(_, id) => update_association(entry, name, id, body),
        Route::DeleteAssociation(_, id) => {
            match entry
                .associations
                .iter()
                .position(|a| &a.association_id == id)
            {
                Some(i) => {
                    let removed = entry.associations.remove(i);
                    Answer::ok(json!({ "association": association_json(&removed, name) }))
                }
                None => association_not_found(id),
            }
        }
        Route::ListAddons(_) => {
            let names: Vec<String> = entry.addons.keys().cloned().collect();
            match page(&names, params) {
                Ok((names, next)) => Answer::ok(with_next(json!({ "addons": names }), next)),
                Err(a) => a,
            }
        }
        Route::DescribeAddon(_, addon) => match entry.addons.get(addon) {
            Some(a) => {
                let arn = format!(
                    "arn:{}:eks:{}:{}:addon/{name}/{}/{}",
                    entry.partition,
                    entry.region,
                    entry.account,
                    a.name,
                    "00000000-0000-0000-0000-000000000000"
                );
                Answer::ok(json!({ "addon": addon_json(a, name, &arn) }))
            }
            None => not_found(
                format!("No addon: {addon} found in cluster: {name}"),
                json!({ "clusterName": name, "addonName": addon }),
            ),
        },
        Route::ListClusters | Route::Unknown => {
            unreachable!("handled before the cluster lookup")
        }
    }
}

fn cluster_not_found(name: &str) -> Answer {
    not_found(
        format!("No cluster found for name: {name}."),
        json!({ "clusterName": name }),
    )
}

fn association_not_found(id: &str) -> Answer {
    not_found(
        format!("No Pod Identity Association found with id: {id}."),
        json!({}),
    )
}

fn with_next(mut body: Value, next: Option<String>) -> Value {
    if let (Some(next), Some(obj)) = (next, body.as_object_mut()) {
        obj.insert("nextToken".into(), Value::String(next));
    }
    body
}

fn create_association(entry: &mut ClusterEntry, cluster: &str, body: &str) -> Answer {
    let input: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return invalid(&format!("The request body is not valid JSON: {e}")),
    };
    let field = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(namespace), Some(service_account), Some(role_arn)) = (
        field("namespace"),
        field("serviceAccount"),
        field("roleArn"),
    ) else {
        return invalid("namespace, serviceAccount and roleArn are required.");
    };
    if let Some(existing) = entry
        .associations
        .iter()
        .find(|a| a.namespace == namespace && a.service_account == service_account)
    {
        let arn = association_arn(entry, cluster, existing);
        return Answer::error(
            409,
            "ResourceInUseException",
            &format!("Association already exists: {arn}"),
            json!({ "clusterName": cluster }),
        );
    }
    let id = pseudo_id("a-", 17, LOWER_ALNUM);
    let now = jiff::Timestamp::now().to_string();
    let mut assoc = PodIdentityAssociation {
        cluster_name: Some(cluster.to_string()),
        namespace,
        service_account,
        association_id: id,
        association_arn: None,
        role_arn: Some(role_arn),
        target_role_arn: field("targetRoleArn"),
        disable_session_tags: Some(
            input
                .get("disableSessionTags")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        session_policy: field("policy").map(kubectl_irsa::model::aws::PolicyText),
        owner_arn: None,
        created_at: Some(now.clone()),
        modified_at: Some(now),
    };
    assoc.association_arn = Some(association_arn(entry, cluster, &assoc));
    let out = association_json(&assoc, cluster);
    entry.associations.push(assoc);
    Answer::ok(json!({ "association": out }))
}

fn update_association(entry: &mut ClusterEntry, cluster: &str, id: &str, body: &str) -> Answer {
    let input: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return invalid(&format!("The request body is not valid JSON: {e}")),
    };
    let Some(assoc) = entry
        .associations
        .iter_mut()
        .find(|a| a.association_id == id)
    else {
        return association_not_found(id);
    };
    if let Some(role) = input.get("roleArn").and_then(Value::as_str) {
        assoc.role_arn = Some(role.to_string());
    }
    if let Some(target) = input.get("targetRoleArn").and_then(Value::as_str) {
        // An empty string removes the target role, as in EKS.
        assoc.target_role_arn = (!target.is_empty()).then(|| target.to_string());
    }
    if let Some(disable) = input.get("disableSessionTags").and_then(Value::as_bool) {
        assoc.disable_session_tags = Some(disable);
    }
    if let Some(policy) = input.get("policy").and_then(Value::as_str) {
        assoc.session_policy =
            (!policy.is_empty()).then(|| kubectl_irsa::model::aws::PolicyText(policy.into()));
    }
    assoc.modified_at = Some(jiff::Timestamp::now().to_string());
    Answer::ok(json!({ "association": association_json(assoc, cluster) }))
}

fn association_arn(entry: &ClusterEntry, cluster: &str, a: &PodIdentityAssociation) -> String {
    a.association_arn.clone().unwrap_or_else(|| {
        format!(
            "arn:{}:eks:{}:{}:podidentityassociation/{cluster}/{}",
            entry.partition, entry.region, entry.account, a.association_id
        )
    })
}

/// EKS timestamps are epoch seconds in JSON; fixtures hold ISO 8601 text.
fn epoch(text: Option<&str>) -> Value {
    let seconds = text
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|t| t.as_second())
        .unwrap_or(DEFAULT_EPOCH);
    json!(seconds)
}

fn insert_some(obj: &mut serde_json::Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        obj.insert(key.to_string(), Value::String(v.to_string()));
    }
}

fn cluster_json(c: &EksCluster) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert("name".into(), json!(c.name));
    obj.insert("arn".into(), json!(c.arn));
    obj.insert("createdAt".into(), epoch(None));
    insert_some(&mut obj, "version", c.version.as_deref());
    insert_some(&mut obj, "endpoint", c.endpoint.as_deref());
    if let Some(issuer) = &c.oidc_issuer {
        obj.insert("identity".into(), json!({ "oidc": { "issuer": issuer } }));
    }
    insert_some(&mut obj, "status", c.status.as_deref());
    insert_some(&mut obj, "platformVersion", c.platform_version.as_deref());
    obj.insert("tags".into(), json!({}));
    if c.auto_mode {
        obj.insert("computeConfig".into(), json!({ "enabled": true }));
    }
    Value::Object(obj)
}

fn summary_json(a: &PodIdentityAssociation, cluster: &str) -> Value {
    let mut obj = serde_json::Map::new();
    obj.insert(
        "clusterName".into(),
        json!(a.cluster_name.as_deref().unwrap_or(cluster)),
    );
    obj.insert("namespace".into(), json!(a.namespace));
    obj.insert("serviceAccount".into(), json!(a.service_account));
    insert_some(&mut obj, "associationArn", a.association_arn.as_deref());
    obj.insert("associationId".into(), json!(a.association_id));
    insert_some(&mut obj, "ownerArn", a.owner_arn.as_deref());
    Value::Object(obj)
}

fn association_json(a: &PodIdentityAssociation, cluster: &str) -> Value {
    let mut value = summary_json(a, cluster);
    let obj = value.as_object_mut().expect("an object");
    insert_some(obj, "roleArn", a.role_arn.as_deref());
    obj.insert("tags".into(), json!({}));
    obj.insert("createdAt".into(), epoch(a.created_at.as_deref()));
    obj.insert(
        "modifiedAt".into(),
        epoch(a.modified_at.as_deref().or(a.created_at.as_deref())),
    );
    if let Some(disable) = a.disable_session_tags {
        obj.insert("disableSessionTags".into(), json!(disable));
    }
    insert_some(obj, "targetRoleArn", a.target_role_arn.as_deref());
    insert_some(
        obj,
        "policy",
        a.session_policy.as_ref().map(|p| p.0.as_str()),
    );
    value
}

fn addon_json(a: &Addon, cluster: &str, arn: &str) -> Value {
    let issues: Vec<Value> = a.health_issues.iter().map(issue_json).collect();
    let mut obj = serde_json::Map::new();
    obj.insert("addonName".into(), json!(a.name));
    obj.insert("clusterName".into(), json!(cluster));
    insert_some(&mut obj, "status", a.status.as_deref());
    insert_some(&mut obj, "addonVersion", a.version.as_deref());
    obj.insert("health".into(), json!({ "issues": issues }));
    obj.insert("addonArn".into(), json!(arn));
    obj.insert("createdAt".into(), epoch(None));
    obj.insert("modifiedAt".into(), epoch(None));
    insert_some(
        &mut obj,
        "serviceAccountRoleArn",
        a.service_account_role_arn.as_deref(),
    );
    obj.insert("tags".into(), json!({}));
    Value::Object(obj)
}

fn issue_json(issue: &AddonHealthIssue) -> Value {
    json!({ "code": issue.code, "message": issue.message, "resourceIds": [] })
}
