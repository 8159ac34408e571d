//! Clusters: ListClusters, DescribeCluster and the cluster's JSON shape (the fixture's exact
//! name, ARN, endpoint, issuer, version, status). A new cluster field goes in [`cluster_json`].

use kubectl_irsa::model::aws::EksCluster;
use serde_json::{Value, json};

use super::errors::{Answer, cluster_not_found};
use super::json::{epoch, insert_some};
use super::paging::{page, with_next};
use super::state::{ClusterEntry, EksState};

/// ListClusters: every cluster the fake knows, by name, paged.
pub(super) fn list(state: &EksState, params: &[(String, String)]) -> Answer {
    let names: Vec<String> = state.clusters.keys().cloned().collect();
    match page(&names, params) {
        Ok((names, next)) => Answer::ok(with_next(json!({ "clusters": names }), next)),
        Err(a) => a,
    }
}

/// DescribeCluster: ResourceNotFoundException when the fixture did not collect the cluster.
pub(super) fn describe(entry: &ClusterEntry, name: &str) -> Answer {
    match &entry.described {
        Some(c) => Answer::ok(json!({ "cluster": cluster_json(c) })),
        None => cluster_not_found(name),
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
