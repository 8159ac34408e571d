//! IAM roles from `get-account-authorization-details` (complete records), `get-role` (no
//! policy lists) and `list-roles` (trust only), merged by ARN, plus inline policies from
//! `get-role-policy`, matched by role name once every file is read.
//!
//! What a source does not return stays `NotCollected` with the command that would collect it,
//! unless another file supplies it. Listing outputs (authorization details with a
//! `RoleDetailList`, `list-roles`) make their roles' accounts complete unless every such page
//! says `IsTruncated: true`.
//!
//! To read roles from a new output, convert it with [`convert`] and a new [`RoleSource`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::shapes::{self, Text, policy_text, text};
use crate::model::arn::Arn;
use crate::model::aws::{AttachedPolicy, IamRole, InlinePolicy, PolicyText};
use crate::model::{CommandLine, Fact};
use crate::sources::bundle::notes::Notes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleSource {
    AuthorizationDetails,
    GetRole,
    ListRoles,
}

#[derive(Default)]
pub struct Roles {
    pub roles: BTreeMap<String, IamRole>,
    /// Accounts of the roles in listing pages.
    listed_accounts: BTreeSet<String>,
    /// Whether some listing page was the last (not `IsTruncated: true`).
    complete_page: bool,
    /// (file, role name, policy) from `get-role-policy`.
    inline: Vec<(String, String, InlinePolicy)>,
}

impl Roles {
    pub fn add_page(
        &mut self,
        file: &str,
        roles: Vec<shapes::Role>,
        source: RoleSource,
        truncated: Option<bool>,
        notes: &mut Notes,
    ) {
        self.complete_page |= truncated != Some(true);
        for role in roles {
            if let Some(role) = convert(file, role, source, notes) {
                if let Some(arn) = Arn::parse(&role.arn) {
                    self.listed_accounts.insert(arn.account);
                }
                self.add(role);
            }
        }
    }

    pub fn add_one(&mut self, file: &str, role: shapes::Role, notes: &mut Notes) {
        if let Some(role) = convert(file, role, RoleSource::GetRole, notes) {
            self.add(role);
        }
    }

    pub fn add_inline(&mut self, file: &str, output: shapes::GetRolePolicy) {
        let policy = InlinePolicy {
            name: output.policy_name.0,
            document: policy_text(&output.policy_document),
        };
        self.inline
            .push((file.to_string(), output.role_name.0, policy));
    }

    fn add(&mut self, role: IamRole) {
        match self.roles.get_mut(&role.arn) {
            Some(existing) => merge(existing, role),
            None => {
                self.roles.insert(role.arn.clone(), role);
            }
        }
    }

    /// The accounts whose role list is complete.
    pub fn complete_accounts(&self) -> BTreeSet<String> {
        if self.complete_page {
            self.listed_accounts.clone()
        } else {
            BTreeSet::new()
        }
    }

    /// Attaches the `get-role-policy` outputs to their roles, by name.
    pub fn attach_inline(&mut self, notes: &mut Notes) {
        let mut by_name: HashMap<&str, Vec<String>> = HashMap::new();
        for role in self.roles.values() {
            by_name
                .entry(role.name.as_str())
                .or_default()
                .push(role.arn.clone());
        }
        let mut targets = Vec::new();
        for (file, role_name, policy) in std::mem::take(&mut self.inline) {
            match by_name.get(role_name.as_str()).map(Vec::as_slice) {
                Some([arn]) => targets.push((arn.clone(), policy)),
                Some(arns) => notes.add(&file, format!(
                    "inline policy {} of role {role_name}: several roles have that name ({}); cannot tell which; skipped",
                    policy.name,
                    arns.join(", ")
                )),
                None => notes.add(&file, format!(
                    "inline policy {} of role {role_name}: no role of that name in the bundle (add its `aws iam get-role` output); skipped",
                    policy.name
                )),
            }
        }
        for (arn, policy) in targets {
            let Some(role) = self.roles.get_mut(&arn) else {
                continue;
            };
            match &mut role.inline_policies {
                Fact::Known(list) => {
                    if !list.iter().any(|p| p.name == policy.name) {
                        list.push(policy);
                    }
                }
                missing @ Fact::Missing(_) => *missing = Fact::Known(vec![policy]),
            }
        }
    }
}

fn convert(
    file: &str,
    role: shapes::Role,
    source: RoleSource,
    notes: &mut Notes,
) -> Option<IamRole> {
    let Some(arn) = text(role.arn) else {
        let name = text(role.role_name).unwrap_or_else(|| "?".to_string());
        notes.add(file, format!("role {name} has no Arn; skipped"));
        return None;
    };
    let resource = Arn::parse(&arn).map(|a| a.resource).unwrap_or_default();
    let from_arn = resource.strip_prefix("role/").unwrap_or("");
    let name = text(role.role_name)
        .unwrap_or_else(|| from_arn.rsplit('/').next().unwrap_or("").to_string());
    let path = text(role.path).unwrap_or_else(|| match from_arn.rsplit_once('/') {
        Some((path, _)) => format!("/{path}/"),
        None => "/".to_string(),
    });
    let complete = source == RoleSource::AuthorizationDetails;
    let inline_policies = match role.role_policy_list {
        Some(list) => Fact::Known(
            list.into_iter()
                .filter_map(|p| inline(file, &name, p, notes))
                .collect(),
        ),
        None if complete => Fact::Known(Vec::new()),
        None => Fact::not_collected(CommandLine::aws([
            "iam",
            "list-role-policies",
            "--role-name",
            &name,
        ])),
    };
    let attached_policies = match role.attached_managed_policies {
        Some(list) => Fact::Known(list.into_iter().filter_map(attached).collect()),
        None if complete => Fact::Known(Vec::new()),
        None => Fact::not_collected(CommandLine::aws([
            "iam",
            "list-attached-role-policies",
            "--role-name",
            &name,
        ])),
    };
    let permissions_boundary = match (role.permissions_boundary, source) {
        (Some(boundary), _) => Fact::Known(text(boundary.permissions_boundary_arn)),
        // list-roles does not return the boundary; absent means "not collected" there.
        (None, RoleSource::ListRoles) => {
            Fact::not_collected(CommandLine::aws(["iam", "get-role", "--role-name", &name]))
        }
        (None, _) => Fact::Known(None),
    };
    let trust_policy = role.assume_role_policy_document.as_deref().map(|d| {
        checked(
            file,
            &format!("the trust policy of role {name}"),
            policy_text(d),
            notes,
        )
    });
    Some(IamRole {
        arn,
        name,
        path,
        role_id: text(role.role_id),
        create_date: text(role.create_date),
        trust_policy,
        inline_policies,
        attached_policies,
        permissions_boundary,
        tags: tags(role.tags.unwrap_or_default()),
    })
}

fn inline(
    file: &str,
    role: &str,
    policy: shapes::InlinePolicy,
    notes: &mut Notes,
) -> Option<InlinePolicy> {
    let name = text(policy.policy_name).unwrap_or_default();
    match policy.policy_document {
        Some(document) => Some(InlinePolicy {
            document: checked(
                file,
                &format!("inline policy {name} of role {role}"),
                policy_text(&document),
                notes,
            ),
            name,
        }),
        None => {
            notes.add(
                file,
                format!("inline policy {name} of role {role} has no PolicyDocument; skipped"),
            );
            None
        }
    }
}

/// Notes a document that is not JSON even URL-decoded (the copy in the file is damaged: IAM
/// stores only valid JSON). It is kept, so the link that reads it says `unknown` and why.
pub fn checked(file: &str, what: &str, document: PolicyText, notes: &mut Notes) -> PolicyText {
    if let Some(why) = crate::diagnose::policy_cache::undecodable(&document.0) {
        notes.add(
            file,
            format!("{what} could not be decoded ({why}); the link that reads it is unknown"),
        );
    }
    document
}

fn attached(policy: shapes::AttachedPolicy) -> Option<AttachedPolicy> {
    let arn = text(policy.policy_arn)?;
    let name = text(policy.policy_name)
        .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or("").to_string());
    Some(AttachedPolicy { name, arn })
}

fn tags(tags: Vec<shapes::Tag>) -> BTreeMap<String, String> {
    tags.into_iter()
        .filter_map(|tag| Some((tag.key?.0, tag.value.map(|Text(v)| v).unwrap_or_default())))
        .collect()
}

/// Fills what `existing` lacks from `new`; what both know, the first file wins.
fn merge(existing: &mut IamRole, new: IamRole) {
    existing.role_id = existing.role_id.take().or(new.role_id);
    existing.create_date = existing.create_date.take().or(new.create_date);
    existing.trust_policy = existing.trust_policy.take().or(new.trust_policy);
    fill(&mut existing.inline_policies, new.inline_policies);
    fill(&mut existing.attached_policies, new.attached_policies);
    fill(&mut existing.permissions_boundary, new.permissions_boundary);
    if existing.tags.is_empty() {
        existing.tags = new.tags;
    }
}

fn fill<T>(existing: &mut Fact<T>, new: Fact<T>) {
    if !existing.is_known() && new.is_known() {
        *existing = new;
    }
}
