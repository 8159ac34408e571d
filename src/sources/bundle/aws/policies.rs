//! Customer managed policies: from `get-account-authorization-details` (`Policies`, with every
//! version: the default one's document is kept), `list-policies` (same key, no versions),
//! `get-policy` and `get-policy-version`.
//!
//! `get-policy-version` output carries no policy ARN, so it is attached only when exactly one
//! `get-policy` output in the bundle has that `DefaultVersionId`; otherwise a note says why.
//!
//! To read policies from a new output, convert it to [`ManagedPolicy`] and call `add`.

use std::collections::BTreeMap;

use super::shapes::{self, policy_text, text};
use crate::model::aws::{ManagedPolicy, PolicyText};
use crate::sources::bundle::notes::Notes;

#[derive(Default)]
pub struct Policies {
    pub policies: BTreeMap<String, ManagedPolicy>,
    /// (ARN, default version) of each `get-policy` output.
    get_policy: Vec<(String, Option<String>)>,
    /// (file, version id, document) of each default `get-policy-version` output.
    versions: Vec<(String, String, PolicyText)>,
}

impl Policies {
    pub fn add_list(&mut self, file: &str, policies: Vec<shapes::Policy>, notes: &mut Notes) {
        for policy in policies {
            self.add_policy(file, policy, notes);
        }
    }

    pub fn add_get_policy(&mut self, file: &str, policy: shapes::Policy, notes: &mut Notes) {
        if let Some(arn) = self.add_policy(file, policy, notes) {
            let version = self
                .policies
                .get(&arn)
                .and_then(|p| p.default_version_id.clone());
            self.get_policy.push((arn, version));
        }
    }

    pub fn add_version(&mut self, file: &str, version: shapes::PolicyVersion, notes: &mut Notes) {
        let id = text(version.version_id).unwrap_or_default();
        if version.is_default_version == Some(false) {
            return notes.add(
                file,
                format!("policy version {id} is not the default version; skipped"),
            );
        }
        match version.document {
            Some(document) => {
                let document = super::roles::checked(
                    file,
                    &format!("policy version {id}"),
                    policy_text(&document),
                    notes,
                );
                self.versions.push((file.to_string(), id, document))
            }
            None => notes.add(
                file,
                format!("policy version {id} has no Document; skipped"),
            ),
        }
    }

    /// Adds or completes a policy; returns its ARN.
    fn add_policy(
        &mut self,
        file: &str,
        policy: shapes::Policy,
        notes: &mut Notes,
    ) -> Option<String> {
        let Some(arn) = text(policy.arn) else {
            let name = text(policy.policy_name).unwrap_or_else(|| "?".to_string());
            notes.add(file, format!("managed policy {name} has no Arn; skipped"));
            return None;
        };
        let default_version_id = text(policy.default_version_id);
        let versions = policy.policy_version_list.unwrap_or_default();
        let default = versions
            .iter()
            .find(|v| v.is_default_version == Some(true))
            .or_else(|| {
                versions.iter().find(|v| {
                    v.version_id.as_ref().map(|t| &t.0) == default_version_id.as_ref()
                        && default_version_id.is_some()
                })
            });
        let name = text(policy.policy_name)
            .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or("").to_string());
        let default_document = default.and_then(|v| v.document.as_deref()).map(|d| {
            super::roles::checked(
                file,
                &format!("managed policy {name}"),
                policy_text(d),
                notes,
            )
        });
        let new = ManagedPolicy {
            name,
            arn: arn.clone(),
            default_version_id,
            default_document,
        };
        match self.policies.get_mut(&arn) {
            Some(existing) => {
                existing.default_version_id = existing
                    .default_version_id
                    .take()
                    .or(new.default_version_id);
                existing.default_document =
                    existing.default_document.take().or(new.default_document);
            }
            None => {
                self.policies.insert(arn.clone(), new);
            }
        }
        Some(arn)
    }

    /// Attaches the `get-policy-version` documents to their policies.
    pub fn attach_versions(&mut self, notes: &mut Notes) {
        for (file, id, document) in std::mem::take(&mut self.versions) {
            let mut owners: Vec<&String> = self
                .get_policy
                .iter()
                .filter(|(_, version)| version.as_deref() == Some(id.as_str()))
                .map(|(arn, _)| arn)
                .collect();
            owners.sort();
            owners.dedup();
            let arn = match owners.as_slice() {
                [arn] => (*arn).clone(),
                [] => {
                    notes.add(&file, format!(
                        "`aws iam get-policy-version` output names no policy, and no `aws iam get-policy` output in the bundle has default version {id}; skipped"
                    ));
                    continue;
                }
                several => {
                    let arns: Vec<&str> = several.iter().map(|a| a.as_str()).collect();
                    notes.add(&file, format!(
                        "`aws iam get-policy-version` output names no policy, and several policies have default version {id} ({}); cannot tell which; skipped",
                        arns.join(", ")
                    ));
                    continue;
                }
            };
            if let Some(policy) = self.policies.get_mut(&arn) {
                policy.default_document.get_or_insert(document);
            }
        }
    }
}
