//! AWS facts in the shape the diagnosis needs, independent of where they came from (AWS CLI
//! JSON in a bundle, the SDK live). Policy documents are kept as the text AWS returned (possibly
//! URL-encoded, possibly with duplicate keys a lenient parser would hide); `crate::policy`
//! decodes and parses them.

use std::collections::{BTreeMap, BTreeSet};

use super::command::{CommandLine, placeholder};
use super::fact::{Fact, Missing};

/// A policy document as text, exactly as the source held it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyText(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlinePolicy {
    pub name: String,
    pub document: PolicyText,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamRole {
    pub arn: String,
    pub name: String,
    pub path: String,
    pub role_id: Option<String>,
    pub create_date: Option<String>,
    /// The trust (assume-role) policy; `None` only if the source omitted it.
    pub trust_policy: Option<PolicyText>,
    pub inline_policies: Fact<Vec<InlinePolicy>>,
    pub attached_policies: Fact<Vec<AttachedPolicy>>,
    /// The permissions boundary's policy ARN. `Known(None)` means the role has none.
    pub permissions_boundary: Fact<Option<String>>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub default_version_id: Option<String>,
    /// The default version's document, when it was collected.
    pub default_document: Option<PolicyText>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcProvider {
    pub arn: String,
    /// `oidc.eks.REGION.amazonaws.com/id/ID`, without scheme.
    pub url: String,
    /// `None` when only the provider list was collected, not the provider itself.
    pub client_ids: Option<Vec<String>>,
    pub thumbprints: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IamFacts {
    pub roles: BTreeMap<String, IamRole>,
    /// Accounts whose complete role list is in the snapshot: a role of such an account that is
    /// not in `roles` does not exist.
    pub complete_role_accounts: BTreeSet<String>,
    pub managed_policies: BTreeMap<String, ManagedPolicy>,
    pub oidc_providers: BTreeMap<String, OidcProvider>,
    /// Accounts whose complete OIDC provider list is in the snapshot.
    pub complete_provider_accounts: BTreeSet<String>,
    /// Role ARNs looked up one by one and found not to exist (GetRole: NoSuchEntity).
    pub absent_roles: BTreeSet<String>,
}

impl IamFacts {
    /// Whether a role is known not to exist: its account's role list is complete, or GetRole
    /// answered NoSuchEntity for it.
    pub fn role_known_absent(&self, account: &str, name: &str) -> bool {
        self.complete_role_accounts.contains(account)
            || self.absent_roles.iter().any(|a| {
                super::arn::RoleArn::parse(a).is_ok_and(|r| r.account == account && r.name == name)
            })
    }

    /// A role by ARN, tolerating a path in the ARN that differs from the stored one (IAM
    /// identifies roles by name within an account).
    pub fn role_by_name(&self, account: &str, name: &str) -> Option<&IamRole> {
        self.roles.values().find(|r| {
            r.name == name && super::arn::Arn::parse(&r.arn).is_some_and(|a| a.account == account)
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EksCluster {
    pub name: String,
    pub arn: String,
    pub endpoint: Option<String>,
    pub version: Option<String>,
    pub platform_version: Option<String>,
    /// `https://oidc.eks.REGION.amazonaws.com/id/ID`.
    pub oidc_issuer: Option<String>,
    pub status: Option<String>,
    /// EKS Auto Mode (`computeConfig.enabled`): the Pod Identity agent is built in.
    pub auto_mode: bool,
}

impl EksCluster {
    pub fn account(&self) -> Option<String> {
        super::arn::Arn::parse(&self.arn).map(|a| a.account)
    }
    pub fn region(&self) -> Option<String> {
        super::arn::Arn::parse(&self.arn).map(|a| a.region)
    }
    pub fn partition(&self) -> Option<String> {
        super::arn::Arn::parse(&self.arn).map(|a| a.partition)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodIdentityAssociation {
    pub cluster_name: Option<String>,
    pub namespace: String,
    pub service_account: String,
    pub association_id: String,
    pub association_arn: Option<String>,
    /// From DescribePodIdentityAssociation; the list call does not return it.
    pub role_arn: Option<String>,
    pub target_role_arn: Option<String>,
    pub disable_session_tags: Option<bool>,
    pub session_policy: Option<PolicyText>,
    /// Set when an EKS add-on owns the association (field guide G44).
    pub owner_arn: Option<String>,
    pub created_at: Option<String>,
    pub modified_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddonHealthIssue {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addon {
    pub name: String,
    pub status: Option<String>,
    pub version: Option<String>,
    pub health_issues: Vec<AddonHealthIssue>,
    pub service_account_role_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsFacts {
    pub cluster: Fact<EksCluster>,
    pub iam: IamFacts,
    /// Every association of the cluster.
    pub associations: Fact<Vec<PodIdentityAssociation>>,
    /// The `eks-pod-identity-agent` add-on; `Known(None)` means DescribeAddon said it is not
    /// installed (it may still run as a self-managed DaemonSet).
    pub pod_identity_agent_addon: Fact<Option<Addon>>,
    /// Why IAM or EKS could not be read at all (a live run whose AWS credentials are missing,
    /// invalid or expired): the links that need a role or a provider say this instead of a
    /// command to collect it, and the run is incomplete.
    pub unread: Option<Missing>,
}

impl Default for AwsFacts {
    fn default() -> Self {
        AwsFacts {
            cluster: Fact::not_collected(CommandLine::aws([
                "eks",
                "describe-cluster",
                "--name",
                placeholder::CLUSTER,
            ])),
            iam: IamFacts::default(),
            associations: Fact::not_collected(CommandLine::aws([
                "eks",
                "list-pod-identity-associations",
                "--cluster-name",
                placeholder::CLUSTER,
            ])),
            pod_identity_agent_addon: Fact::not_collected(CommandLine::aws([
                "eks",
                "describe-addon",
                "--cluster-name",
                placeholder::CLUSTER,
                "--addon-name",
                "eks-pod-identity-agent",
            ])),
            unread: None,
        }
    }
}
