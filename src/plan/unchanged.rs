//! The rest of an existing IAM object a step edits ([`Unchanged`]), read from the snapshot the
//! plan is made on: a role's path, tags and permissions boundary for a trust edit, an OIDC
//! provider's thumbprints for a client id added. `-o terraform` imports the object whole and
//! writes these back as they are; what the snapshot does not hold is named in `unread`.
//!
//! To cover another change on an existing object: its arm in [`of`], with the provider
//! argument names of what the snapshot cannot tell.

use crate::model::Snapshot;
use crate::model::plan::{Change, Unchanged};

/// What GetRole returns that the snapshot does not keep: always copied by hand.
const ROLE_NEVER_READ: [&str; 2] = ["description", "max_session_duration"];

/// The rest of the object `change` edits, for the changes that edit one an import takes
/// over whole; `None` for the others (and when the object was not read at all).
pub fn of(change: &Change, before: &Snapshot) -> Option<Unchanged> {
    match change {
        Change::PutTrustPolicy { role_name, .. } => {
            let role = before
                .aws
                .iam
                .roles
                .values()
                .find(|r| &r.name == role_name)?;
            let mut unread: Vec<String> = Vec::new();
            // GetRole and GetAccountAuthorizationDetails carry the boundary and the tags
            // together; a role known only from ListRoles has neither (its boundary is then
            // not collected), so both are unread rather than "none".
            let (tags, permissions_boundary) = match role.permissions_boundary.known() {
                Some(boundary) => (role.tags.clone(), boundary.clone()),
                None => {
                    unread.extend(["tags".to_string(), "permissions_boundary".to_string()]);
                    (Default::default(), None)
                }
            };
            unread.extend(ROLE_NEVER_READ.iter().map(|s| s.to_string()));
            Some(Unchanged {
                path: Some(if role.path.is_empty() {
                    "/".to_string()
                } else {
                    role.path.clone()
                }),
                tags,
                permissions_boundary,
                thumbprints: Vec::new(),
                unread,
            })
        }
        Change::AddClientId { provider_arn, .. } => {
            let provider = before.aws.iam.oidc_providers.get(provider_arn)?;
            let mut unread = vec!["tags".to_string()];
            // The thumbprints come with GetOpenIDConnectProvider, as the client ids do.
            if provider.client_ids.is_none() {
                unread.insert(0, "thumbprint_list".to_string());
            }
            Some(Unchanged {
                thumbprints: provider.thumbprints.clone(),
                unread,
                ..Unchanged::default()
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::Fact;

    /// trust-sub-typo-kubeflow's role, given a path, a tag and `boundary`.
    fn role(boundary: Fact<Option<String>>) -> Snapshot {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/scenarios/trust-sub-typo-kubeflow/bundle");
        let mut snap = crate::sources::bundle::load_dirs(&[dir]).unwrap();
        for r in snap.aws.iam.roles.values_mut() {
            r.name = "app-role".into();
            r.path = "/platform/".into();
            r.tags = BTreeMap::from([("team".to_string(), "payments".to_string())]);
            r.permissions_boundary = boundary.clone();
        }
        snap
    }

    fn trust() -> Change {
        Change::PutTrustPolicy {
            role_name: "app-role".into(),
            document: "{}".into(),
        }
    }

    #[test]
    fn a_trust_edit_keeps_the_roles_path_tags_and_boundary_and_names_what_it_never_reads() {
        let boundary = "arn:aws:iam::111122223333:policy/boundary".to_string();
        let kept = of(&trust(), &role(Fact::Known(Some(boundary.clone())))).unwrap();
        assert_eq!(kept.path.as_deref(), Some("/platform/"));
        assert_eq!(kept.tags.get("team").map(String::as_str), Some("payments"));
        assert_eq!(kept.permissions_boundary, Some(boundary));
        assert_eq!(kept.unread, ["description", "max_session_duration"]);
    }

    #[test]
    fn a_role_known_only_from_list_roles_has_its_tags_and_boundary_unread() {
        let kept = of(&trust(), &role(Fact::not_collected("aws iam get-role"))).unwrap();
        assert!(kept.tags.is_empty() && kept.permissions_boundary.is_none());
        assert_eq!(
            kept.unread,
            [
                "tags",
                "permissions_boundary",
                "description",
                "max_session_duration"
            ]
        );
    }
}
