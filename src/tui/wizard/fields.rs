//! The wizard's text fields and what each accepts, checked as the user types: every check is
//! the setup planner's own ([`crate::plan::setup`], [`crate::plan::setup_policy`]), worded for
//! the one field it is about. A message is `None` when the text is acceptable.
//!
//! To add a field: a [`FieldId`], its label and its check in [`check`].

use crate::model::arn::Arn;
use crate::plan::setup::valid_k8s_name;
use crate::plan::setup_policy::{
    is_broad_managed_policy, validate_bucket, validate_model, validate_prefix, validate_secret,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldId {
    Namespace,
    ServiceAccount,
    RoleName,
    Models,
    Bucket,
    Prefix,
    Secrets,
    PolicyArns,
}

impl FieldId {
    pub fn label(self) -> &'static str {
        match self {
            FieldId::Namespace => "namespace",
            FieldId::ServiceAccount => "service account",
            FieldId::RoleName => "role name",
            FieldId::Models => "model ids",
            FieldId::Bucket => "bucket",
            FieldId::Prefix => "key prefix",
            FieldId::Secrets => "secret names",
            FieldId::PolicyArns => "policy ARNs",
        }
    }

    /// Whether an empty field is acceptable (it is then left out of the request).
    fn optional(self) -> bool {
        matches!(self, FieldId::Prefix | FieldId::PolicyArns)
    }
}

/// The items of a list field: separated by commas or spaces.
pub fn items(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// What is wrong with `text` in `field`, if anything.
pub fn check(field: FieldId, text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return (!field.optional()).then(|| format!("the {} is required", field.label()));
    }
    match field {
        FieldId::Namespace => namespace(text),
        FieldId::ServiceAccount => (!valid_k8s_name(text, false)).then(|| {
            "a service account name has lower-case letters, digits, '-' and '.', and starts and ends with a letter or digit".into()
        }),
        FieldId::RoleName => role_name(text),
        FieldId::Models => first_error(text, |m| validate_model(m).err().map(|e| e.to_string())),
        FieldId::Bucket => validate_bucket(text).err().map(|e| e.to_string()),
        FieldId::Prefix => validate_prefix(text).err().map(|e| e.to_string()),
        FieldId::Secrets => first_error(text, |s| validate_secret(s).err().map(|e| e.to_string())),
        FieldId::PolicyArns => first_error(text, policy_arn),
    }
}

fn first_error(text: &str, one: impl Fn(&str) -> Option<String>) -> Option<String> {
    items(text).iter().find_map(|i| one(i))
}

fn namespace(text: &str) -> Option<String> {
    let pattern = text.contains(['*', '?']);
    let ok = if pattern {
        text.len() <= 63
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-*?".contains(c))
    } else {
        valid_k8s_name(text, true)
    };
    (!ok).then(|| {
        "a namespace has at most 63 lower-case letters, digits and '-', and starts and ends with a letter or digit ('*' and '?' make an IRSA pattern)".into()
    })
}

/// IAM role names: 1-64 of letters, digits and `+=,.@_-` (IAM API reference, CreateRole).
fn role_name(text: &str) -> Option<String> {
    let n = text.chars().count();
    if n > 64 {
        return Some(format!("{n} characters: an IAM role name has at most 64"));
    }
    text.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c)))
        .map(|c| format!("{c:?} is not allowed: letters, digits and +=,.@_- only"))
}

fn policy_arn(arn: &str) -> Option<String> {
    let ok =
        Arn::parse(arn).is_some_and(|a| a.service == "iam" && a.resource.starts_with("policy/"));
    (!ok).then(|| format!("{arn:?} is not a managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME)"))
}

/// The warning an acceptable field carries: AWS managed policies granting a whole service.
pub fn warning(field: FieldId, text: &str) -> Option<String> {
    if field != FieldId::PolicyArns {
        return None;
    }
    let broad: Vec<String> = items(text)
        .into_iter()
        .filter(|a| is_broad_managed_policy(a))
        .collect();
    (!broad.is_empty()).then(|| {
        format!(
            "{} grants a whole service (or everything); a template grants only what the workload uses",
            broad.join(", ")
        )
    })
}
