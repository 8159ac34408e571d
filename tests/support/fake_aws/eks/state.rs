//! What the fake EKS holds: clusters by name, each with its DescribeCluster answer,
//! associations and add-ons, plus the injected faults and the request log. A new kind of
//! per-cluster object is a field of [`ClusterEntry`] (filled by a `FakeEks::add_*` method).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use kubectl_irsa::model::aws::{Addon, EksCluster, PodIdentityAssociation};

use super::super::server::{Faults, RecordedRequest};

#[derive(Debug, Clone)]
pub(super) struct ClusterEntry {
    pub(super) partition: String,
    pub(super) region: String,
    pub(super) account: String,
    /// What DescribeCluster answers; `None` when the fixture did not collect the cluster (the
    /// cluster is then known only by its associations or add-ons, and DescribeCluster answers
    /// ResourceNotFoundException).
    pub(super) described: Option<EksCluster>,
    pub(super) associations: Vec<PodIdentityAssociation>,
    pub(super) addons: BTreeMap<String, Addon>,
}

impl ClusterEntry {
    pub(super) fn arn(&self, name: &str) -> String {
        match &self.described {
            Some(c) => c.arn.clone(),
            None => format!(
                "arn:{}:eks:{}:{}:cluster/{name}",
                self.partition, self.region, self.account
            ),
        }
    }
}

/// Called after an add-on is created (`true`) or deleted: `(cluster, add-on name, installed)`.
pub type AddonHook = Arc<dyn Fn(&str, &str, bool) + Send + Sync>;

#[derive(Default)]
pub(super) struct EksState {
    pub(super) clusters: BTreeMap<String, ClusterEntry>,
    pub(super) faults: Faults,
    pub(super) log: Vec<RecordedRequest>,
    /// What the cluster does when an add-on comes or goes (`LiveEnv`: the agent's DaemonSet
    /// and pods appear in the fake API server).
    pub(super) on_addon: Option<AddonHook>,
}

impl std::fmt::Debug for EksState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EksState")
            .field("clusters", &self.clusters)
            .field("log", &self.log.len())
            .finish()
    }
}

pub(super) type Shared = Arc<Mutex<EksState>>;

/// The cluster named `name`, created empty when unknown (its partition, region and account
/// from `arn` when given, else aws / us-east-1 / 123456789012).
pub(super) fn entry_for<'a>(
    state: &'a mut EksState,
    name: &str,
    arn: Option<&str>,
) -> &'a mut ClusterEntry {
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
