//! EKS facts: the cluster (`describe-cluster`), pod identity associations
//! (`list-pod-identity-associations` pages merged with `describe-pod-identity-association`
//! by association ID) and the `eks-pod-identity-agent` add-on (`describe-addon`, `list-addons`,
//! or the CLI's "No addon" error). AWS CLI errors for these calls become the facts' `Missing`
//! reasons.
//!
//! To read a new EKS output, add a field for what it proves and resolve it in [`Eks::finish`].

use std::collections::BTreeMap;

use super::shapes::{self, policy_text, text};
use crate::model::Missing;
use crate::model::aws::{Addon, AddonHealthIssue, AwsFacts, EksCluster, PodIdentityAssociation};
use crate::model::fact::Fact;
use crate::sources::bundle::notes::Notes;

pub const AGENT: &str = "eks-pod-identity-agent";

#[derive(Default)]
pub struct Eks {
    cluster: Option<EksCluster>,
    pub cluster_missing: Option<Missing>,
    listed: Option<BTreeMap<String, PodIdentityAssociation>>,
    described: BTreeMap<String, PodIdentityAssociation>,
    first_describe_file: Option<String>,
    pub associations_missing: Option<Missing>,
    addon: Option<Addon>,
    /// `list-addons` said whether the agent is installed.
    addon_listed: Option<bool>,
    /// DescribeAddon answered that the agent is not installed.
    pub addon_not_found: bool,
    pub addon_missing: Option<Missing>,
}

impl Eks {
    pub fn cluster_arn(&self) -> Option<&str> {
        self.cluster
            .as_ref()
            .map(|c| c.arn.as_str())
            .filter(|a| !a.is_empty())
    }

    pub fn add_cluster(&mut self, file: &str, cluster: shapes::Cluster, notes: &mut Notes) {
        let name = text(cluster.name).unwrap_or_default();
        let arn = text(cluster.arn).unwrap_or_default();
        if let Some(first) = &self.cluster {
            if first.arn != arn || first.name != name {
                notes.add(file, format!(
                    "a second cluster ({name}); a bundle describes one cluster, so only {} is used; skipped",
                    first.name
                ));
            }
            return;
        }
        self.cluster = Some(EksCluster {
            name,
            arn,
            endpoint: text(cluster.endpoint),
            version: text(cluster.version),
            platform_version: text(cluster.platform_version),
            oidc_issuer: cluster
                .identity
                .and_then(|i| i.oidc)
                .and_then(|o| text(o.issuer)),
            status: text(cluster.status),
            auto_mode: cluster
                .compute_config
                .and_then(|c| c.enabled)
                .unwrap_or(false),
        });
    }

    pub fn add_list(&mut self, file: &str, list: shapes::ListAssociations, notes: &mut Notes) {
        let listed = self.listed.get_or_insert_with(BTreeMap::new);
        for association in list.associations {
            if let Some(association) = convert(file, association, notes) {
                listed
                    .entry(association.association_id.clone())
                    .or_insert(association);
            }
        }
    }

    pub fn add_described(
        &mut self,
        file: &str,
        association: shapes::Association,
        notes: &mut Notes,
    ) {
        if let Some(association) = convert(file, association, notes) {
            self.first_describe_file
                .get_or_insert_with(|| file.to_string());
            self.described
                .entry(association.association_id.clone())
                .or_insert(association);
        }
    }

    pub fn add_addon(&mut self, addon: shapes::Addon) {
        let name = text(addon.addon_name).unwrap_or_default();
        if name != AGENT || self.addon.is_some() {
            return; // other add-ons do not matter to the chain
        }
        let issues = addon.health.and_then(|h| h.issues).unwrap_or_default();
        self.addon = Some(Addon {
            name,
            status: text(addon.status),
            version: text(addon.addon_version),
            health_issues: issues
                .into_iter()
                .map(|issue| AddonHealthIssue {
                    code: text(issue.code).unwrap_or_default(),
                    message: text(issue.message).unwrap_or_default(),
                })
                .collect(),
            service_account_role_arn: text(addon.service_account_role_arn),
        });
    }

    pub fn add_addon_list(&mut self, list: shapes::ListAddons) {
        let present = list.addons.iter().any(|name| name.0 == AGENT);
        self.addon_listed = Some(self.addon_listed.unwrap_or(false) || present);
    }

    pub fn finish(self, facts: &mut AwsFacts, notes: &mut Notes) {
        let defaults = AwsFacts::default();
        facts.cluster = match (self.cluster, self.cluster_missing) {
            (Some(cluster), _) => Fact::Known(cluster),
            (None, Some(missing)) => Fact::Missing(missing),
            (None, None) => defaults.cluster,
        };
        facts.associations = match (self.listed, self.associations_missing) {
            (Some(mut listed), _) => {
                for (id, described) in self.described {
                    listed.insert(id, described);
                }
                Fact::Known(listed.into_values().collect())
            }
            (None, _) if !self.described.is_empty() => {
                if let Some(file) = &self.first_describe_file {
                    notes.add(file, "no `aws eks list-pod-identity-associations` output in the bundle: associations not described in it are assumed absent");
                }
                Fact::Known(self.described.into_values().collect())
            }
            (None, Some(missing)) => Fact::Missing(missing),
            (None, None) => defaults.associations,
        };
        facts.pod_identity_agent_addon = match (self.addon, self.addon_listed) {
            (Some(addon), _) => Fact::Known(Some(addon)),
            // Installed, but its status was not collected.
            (None, Some(true)) => Fact::Known(Some(Addon {
                name: AGENT.to_string(),
                status: None,
                version: None,
                health_issues: Vec::new(),
                service_account_role_arn: None,
            })),
            (None, Some(false)) => Fact::Known(None),
            (None, None) if self.addon_not_found => Fact::Known(None),
            (None, None) => match self.addon_missing {
                Some(missing) => Fact::Missing(missing),
                None => defaults.pod_identity_agent_addon,
            },
        };
    }
}

fn convert(
    file: &str,
    a: shapes::Association,
    notes: &mut Notes,
) -> Option<PodIdentityAssociation> {
    let Some(association_id) = text(a.association_id) else {
        notes.add(
            file,
            "a pod identity association without associationId; skipped",
        );
        return None;
    };
    Some(PodIdentityAssociation {
        cluster_name: text(a.cluster_name),
        namespace: text(a.namespace).unwrap_or_default(),
        service_account: text(a.service_account).unwrap_or_default(),
        association_id,
        association_arn: text(a.association_arn),
        role_arn: text(a.role_arn),
        target_role_arn: text(a.target_role_arn),
        disable_session_tags: a.disable_session_tags,
        session_policy: a.policy.as_deref().map(policy_text),
        owner_arn: text(a.owner_arn),
        created_at: text(a.created_at),
        modified_at: text(a.modified_at),
    })
}
