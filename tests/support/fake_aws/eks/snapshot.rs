//! A fixture Snapshot's EKS facts loaded into a [`FakeEks`]: the cluster, its pod identity
//! associations and the eks-pod-identity-agent add-on, with the snapshot's access denials
//! replayed as AccessDeniedException. A new EKS fact in the Snapshot model is loaded here,
//! through the public `add_*` / `deny_with` methods.

use kubectl_irsa::model::{Fact, Missing, Snapshot};

use super::FakeEks;

impl FakeEks {
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
}
