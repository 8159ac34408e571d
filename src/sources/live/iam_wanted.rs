//! Which roles a live run reads whole and which for their trust alone.
//!
//! A targeted run (`doctor deploy/NAME`) judges the permissions of its own service account's
//! role only; the namespace's other annotated or associated roles matter to it through their
//! trust (a role trusting this service account says which role was meant, field guide A8), and
//! GetRole alone carries that. Reading them whole would cost four IAM requests more each, for
//! links the report does not show. Without a target every role is read whole.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::CommandLine;
use crate::model::Fact;
use crate::model::aws::{IamRole, PolicyText};

/// Role ARNs to read: `full` with their permission policies, `trust_only` with GetRole alone.
/// A role in both is read whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    pub full: BTreeSet<String>,
    pub trust_only: BTreeSet<String>,
}

impl Wanted {
    /// Every role whole (no target).
    pub fn whole(roles: BTreeSet<String>) -> Wanted {
        Wanted {
            full: roles,
            trust_only: BTreeSet::new(),
        }
    }

    /// `roles` split by `needs_permissions`.
    pub fn split(
        roles: impl IntoIterator<Item = String>,
        needs_permissions: impl Fn(&str) -> bool,
    ) -> Wanted {
        let (full, trust_only) = roles.into_iter().partition(|r| needs_permissions(r));
        Wanted { full, trust_only }
    }

    pub fn is_empty(&self) -> bool {
        self.full.is_empty() && self.trust_only.is_empty()
    }

    pub fn len(&self) -> usize {
        self.full.len() + self.trust_only.difference(&self.full).count()
    }

    /// Every role, whichever way it is read.
    pub fn all(&self) -> BTreeSet<String> {
        self.full.union(&self.trust_only).cloned().collect()
    }
}

/// A role from GetRole (or ListRoles) without its permission policies: they say what would
/// read them. `boundary` is the permissions boundary when the answer carried it (GetRole does,
/// ListRoles does not).
pub fn trust_only(role: &aws_sdk_iam::types::Role, boundary: Fact<Option<String>>) -> IamRole {
    let name = role.role_name().to_string();
    IamRole {
        arn: role.arn().to_string(),
        name: name.clone(),
        path: role.path().to_string(),
        role_id: Some(role.role_id().to_string()),
        create_date: None,
        trust_policy: role
            .assume_role_policy_document()
            .map(|d| PolicyText(d.to_string())),
        inline_policies: Fact::not_collected(CommandLine::aws([
            "iam",
            "list-role-policies",
            "--role-name",
            &name,
        ])),
        attached_policies: Fact::not_collected(CommandLine::aws([
            "iam",
            "list-attached-role-policies",
            "--role-name",
            &name,
        ])),
        permissions_boundary: boundary,
        tags: super::iam_gather::tags(role.tags()),
    }
}

/// Puts `read` into `roles` unless a whole read of the same role is there already: a role one
/// batch read for its trust alone never replaces the one another batch read whole.
pub fn merge(
    roles: &mut BTreeMap<String, IamRole>,
    read: BTreeMap<String, IamRole>,
    trust_only: &BTreeSet<String>,
) {
    for (arn, role) in read {
        if trust_only.contains(&arn) && roles.contains_key(&arn) {
            continue;
        }
        roles.insert(arn, role);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(arn: &str, whole: bool) -> IamRole {
        let r = aws_sdk_iam::types::Role::builder()
            .path("/")
            .role_name("r")
            .role_id("AROA")
            .arn(arn)
            .create_date(aws_sdk_iam::primitives::DateTime::from_secs(0))
            .build()
            .unwrap();
        let mut out = trust_only(&r, Fact::Known(None));
        if whole {
            out.inline_policies = Fact::Known(Vec::new());
        }
        out
    }

    #[test]
    fn a_trust_only_read_never_replaces_a_whole_one_whichever_comes_first() {
        let arn = "arn:aws:iam::111122223333:role/r".to_string();
        let only = BTreeSet::from([arn.clone()]);
        let mut roles = BTreeMap::new();
        merge(
            &mut roles,
            BTreeMap::from([(arn.clone(), role(&arn, true))]),
            &BTreeSet::new(),
        );
        merge(
            &mut roles,
            BTreeMap::from([(arn.clone(), role(&arn, false))]),
            &only,
        );
        assert!(roles[&arn].inline_policies.known().is_some());

        let mut roles = BTreeMap::new();
        merge(
            &mut roles,
            BTreeMap::from([(arn.clone(), role(&arn, false))]),
            &only,
        );
        merge(
            &mut roles,
            BTreeMap::from([(arn.clone(), role(&arn, true))]),
            &BTreeSet::new(),
        );
        assert!(roles[&arn].inline_policies.known().is_some());
    }

    #[test]
    fn split_reads_the_targets_roles_whole_and_counts_each_role_once() {
        let w = Wanted::split(["a".to_string(), "b".to_string(), "c".to_string()], |r| {
            r == "b"
        });
        assert_eq!(w.full, BTreeSet::from(["b".to_string()]));
        assert_eq!(w.len(), 3);
        assert_eq!(Wanted::whole(BTreeSet::from(["a".to_string()])).len(), 1);
    }
}
