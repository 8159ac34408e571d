//! AWS CLI outputs of a bundle into [`AwsFacts`]. Each recognised document is deserialized
//! from its JSON text into the typed views of [`shapes`] and handed to the part that owns it:
//! [`roles`], [`policies`], [`providers`] (IAM) or [`eks`]. Whatever needs every file first
//! (matching by name or URL, the primary account, completeness) happens in [`AwsAcc::finish`].
//!
//! To add a recognised output: a variant in `recognise::AwsShape`, a struct in [`shapes`] and
//! an arm in [`AwsAcc::add`].

mod account;
pub mod cli_error;
mod eks;
mod policies;
mod providers;
mod roles;
mod shapes;

use self::cli_error::CliError;
use self::roles::RoleSource;
use super::notes::{At, Notes};
use super::recognise::AwsShape;
use crate::model::aws::{AwsFacts, IamFacts};

#[derive(Default)]
pub struct AwsAcc {
    roles: roles::Roles,
    policies: policies::Policies,
    providers: providers::Providers,
    eks: eks::Eks,
    /// `sts get-caller-identity`: (account, ARN).
    caller: Option<(Option<String>, Option<String>)>,
    /// Role names GetRole answered `NoSuchEntity` for (what `kubectl irsa dump` writes for a
    /// role an annotation names but that does not exist).
    absent_role_names: Vec<String>,
}

impl AwsAcc {
    /// One recognised document; `json` is its JSON text. An error means the document has the
    /// shape's keys but not its types.
    pub fn add(
        &mut self,
        shape: AwsShape,
        at: At,
        json: &str,
        notes: &mut Notes,
    ) -> Result<(), serde_json::Error> {
        let file = at.name;
        match shape {
            AwsShape::AuthorizationDetails => {
                let output: shapes::AuthorizationDetails = serde_json::from_str(json)?;
                if let Some(roles) = output.role_detail_list {
                    let source = RoleSource::AuthorizationDetails;
                    self.roles
                        .add_page(file, roles, source, output.is_truncated, notes);
                }
                self.policies
                    .add_list(file, output.policies.unwrap_or_default(), notes);
            }
            AwsShape::GetRole => {
                let output: shapes::GetRole = serde_json::from_str(json)?;
                self.roles.add_one(file, output.role, notes);
            }
            AwsShape::ListRoles => {
                let output: shapes::ListRoles = serde_json::from_str(json)?;
                let source = RoleSource::ListRoles;
                self.roles
                    .add_page(file, output.roles, source, output.is_truncated, notes);
            }
            AwsShape::GetRolePolicy => self.roles.add_inline(file, serde_json::from_str(json)?),
            AwsShape::GetPolicy => {
                let output: shapes::GetPolicy = serde_json::from_str(json)?;
                self.policies.add_get_policy(file, output.policy, notes);
            }
            AwsShape::GetPolicyVersion => {
                let output: shapes::GetPolicyVersion = serde_json::from_str(json)?;
                self.policies
                    .add_version(file, output.policy_version, notes);
            }
            AwsShape::ListOidcProviders => self.providers.add_list(serde_json::from_str(json)?),
            AwsShape::GetOidcProvider => self
                .providers
                .add_details(file, serde_json::from_str(json)?),
            AwsShape::DescribeCluster => {
                let output: shapes::DescribeCluster = serde_json::from_str(json)?;
                self.eks.add_cluster(file, output.cluster, notes);
            }
            AwsShape::ListAssociations => {
                self.eks.add_list(file, serde_json::from_str(json)?, notes)
            }
            AwsShape::DescribeAssociation => {
                let output: shapes::DescribeAssociation = serde_json::from_str(json)?;
                self.eks.add_described(file, output.association, notes);
            }
            AwsShape::DescribeAddon => {
                let output: shapes::DescribeAddon = serde_json::from_str(json)?;
                self.eks.add_addon(output.addon);
            }
            AwsShape::ListAddons => self.eks.add_addon_list(serde_json::from_str(json)?),
            AwsShape::CallerIdentity => {
                let output: shapes::CallerIdentity = serde_json::from_str(json)?;
                self.caller
                    .get_or_insert((shapes::text(output.account), shapes::text(output.arn)));
            }
        }
        Ok(())
    }

    /// A file holding an AWS CLI error instead of an output.
    pub fn add_cli_error(&mut self, file: &str, error: CliError, notes: &mut Notes) {
        let eks = &mut self.eks;
        match error.operation.as_str() {
            "DescribeAddon"
                if error.code == "ResourceNotFoundException"
                    && error.message.contains(eks::AGENT) =>
            {
                eks.addon_not_found = true;
            }
            "DescribeAddon" | "ListAddons" if error.code != "ResourceNotFoundException" => {
                eks.addon_missing.get_or_insert(error.missing("eks"));
            }
            "DescribeCluster" => {
                eks.cluster_missing.get_or_insert(error.missing("eks"));
            }
            "ListPodIdentityAssociations" => {
                eks.associations_missing.get_or_insert(error.missing("eks"));
            }
            "GetRole" if error.code == "NoSuchEntity" => {
                match error
                    .message
                    .strip_prefix("The role with name ")
                    .and_then(|r| r.strip_suffix(" cannot be found."))
                {
                    Some(name) => self.absent_role_names.push(name.to_string()),
                    None => notes.add(
                        file,
                        format!(
                            "GetRole NoSuchEntity without a role name: {}",
                            error.message
                        ),
                    ),
                }
            }
            _ => notes.add(
                file,
                format!(
                    "AWS CLI error from {} ({}): {}; nothing loaded from it",
                    error.operation, error.code, error.message
                ),
            ),
        }
    }

    pub fn finish(mut self, notes: &mut Notes) -> AwsFacts {
        let (caller_account, caller_arn) = self.caller.take().unwrap_or((None, None));
        let others = self
            .roles
            .roles
            .keys()
            .chain(self.providers.providers.keys());
        let primary = account::infer(
            &[self.eks.cluster_arn(), caller_arn.as_deref()],
            caller_account.as_deref(),
            others.map(String::as_str),
        );
        self.roles.attach_inline(notes);
        self.policies.attach_versions(notes);
        self.providers.attach_details(&primary, notes);
        let mut facts = AwsFacts {
            iam: IamFacts {
                complete_role_accounts: self.roles.complete_accounts(),
                complete_provider_accounts: self.providers.complete_accounts(&primary),
                roles: self.roles.roles,
                managed_policies: self.policies.policies,
                oidc_providers: self.providers.providers,
                absent_roles: match &primary.account {
                    Some(acct) => self
                        .absent_role_names
                        .iter()
                        .map(|n| format!("arn:{}:iam::{acct}:role/{n}", primary.partition))
                        .collect(),
                    None => Default::default(),
                },
            },
            ..AwsFacts::default()
        };
        self.eks.finish(&mut facts, notes);
        facts
    }
}
