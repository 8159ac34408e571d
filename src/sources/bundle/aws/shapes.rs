//! Typed views of the AWS CLI outputs the loader reads, deserialized from each document's JSON
//! text (the file's own text for JSON, the document re-serialised for YAML). Policy documents
//! are `Box<RawValue>`, so they keep the exact source text, duplicate keys included; see
//! [`policy_text`]. Every field is optional and scalars are lenient ([`Text`]) so that YAML
//! output (`Value: 123` unquoted) and older CLI versions still load.
//!
//! To read a new output: add a struct here with the fields the model needs (serde ignores the
//! rest), then handle it in `AwsAcc::add`.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::value::RawValue;

use crate::model::aws::PolicyText;

/// A scalar read as text, whatever its JSON/YAML type (`"1"`, `1`, `true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

pub fn text(value: Option<Text>) -> Option<String> {
    value.map(|t| t.0)
}

/// A policy document as the file held it: a JSON string's content (URL-encoded or JSON text,
/// as GetRole returns it), or any other value's exact source text. Never decoded here.
pub fn policy_text(raw: &RawValue) -> PolicyText {
    let source = raw.get();
    if source.starts_with('"')
        && let Ok(content) = serde_json::from_str::<String>(source)
    {
        return PolicyText(content);
    }
    PolicyText(source.to_string())
}

// ---- IAM (PascalCase) ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizationDetails {
    pub role_detail_list: Option<Vec<Role>>,
    pub policies: Option<Vec<Policy>>,
    pub is_truncated: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    pub path: Option<Text>,
    pub role_name: Option<Text>,
    pub role_id: Option<Text>,
    pub arn: Option<Text>,
    pub create_date: Option<Text>,
    pub assume_role_policy_document: Option<Box<RawValue>>,
    pub role_policy_list: Option<Vec<InlinePolicy>>,
    pub attached_managed_policies: Option<Vec<AttachedPolicy>>,
    pub permissions_boundary: Option<Boundary>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: Option<Text>,
    pub policy_document: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    pub policy_name: Option<Text>,
    pub policy_arn: Option<Text>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Boundary {
    pub permissions_boundary_arn: Option<Text>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: Option<Text>,
    pub value: Option<Text>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policy {
    pub policy_name: Option<Text>,
    pub arn: Option<Text>,
    pub default_version_id: Option<Text>,
    pub policy_version_list: Option<Vec<PolicyVersion>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    pub document: Option<Box<RawValue>>,
    pub version_id: Option<Text>,
    pub is_default_version: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRole {
    pub role: Role,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRoles {
    pub roles: Vec<Role>,
    pub is_truncated: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRolePolicy {
    pub role_name: Text,
    pub policy_name: Text,
    pub policy_document: Box<RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPolicy {
    pub policy: Policy,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPolicyVersion {
    pub policy_version: PolicyVersion,
}

#[derive(Deserialize)]
pub struct ListOidcProviders {
    #[serde(rename = "OpenIDConnectProviderList")]
    pub providers: Vec<OidcProviderRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OidcProviderRef {
    pub arn: Option<Text>,
}

#[derive(Deserialize)]
pub struct GetOidcProvider {
    #[serde(rename = "Url")]
    pub url: Text,
    #[serde(rename = "ClientIDList")]
    pub client_ids: Option<Vec<Text>>,
    #[serde(rename = "ThumbprintList")]
    pub thumbprints: Option<Vec<Text>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallerIdentity {
    pub account: Option<Text>,
    pub arn: Option<Text>,
}

// ---- EKS (camelCase) ----

#[derive(Deserialize)]
pub struct DescribeCluster {
    pub cluster: Cluster,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    pub name: Option<Text>,
    pub arn: Option<Text>,
    pub endpoint: Option<Text>,
    pub version: Option<Text>,
    pub platform_version: Option<Text>,
    pub identity: Option<Identity>,
    pub status: Option<Text>,
    pub compute_config: Option<ComputeConfig>,
}

#[derive(Deserialize)]
pub struct Identity {
    pub oidc: Option<Oidc>,
}

#[derive(Deserialize)]
pub struct Oidc {
    pub issuer: Option<Text>,
}

#[derive(Deserialize)]
pub struct ComputeConfig {
    pub enabled: Option<bool>,
}

#[derive(Deserialize)]
pub struct ListAssociations {
    pub associations: Vec<Association>,
}

#[derive(Deserialize)]
pub struct DescribeAssociation {
    pub association: Association,
}

/// Both the list summary and the full description (the summary lacks the role and policy).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Association {
    pub cluster_name: Option<Text>,
    pub namespace: Option<Text>,
    pub service_account: Option<Text>,
    pub association_id: Option<Text>,
    pub association_arn: Option<Text>,
    pub role_arn: Option<Text>,
    pub target_role_arn: Option<Text>,
    pub disable_session_tags: Option<bool>,
    pub policy: Option<Box<RawValue>>,
    pub owner_arn: Option<Text>,
    pub created_at: Option<Text>,
    pub modified_at: Option<Text>,
}

#[derive(Deserialize)]
pub struct DescribeAddon {
    pub addon: Addon,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Addon {
    pub addon_name: Option<Text>,
    pub status: Option<Text>,
    pub addon_version: Option<Text>,
    pub health: Option<Health>,
    pub service_account_role_arn: Option<Text>,
}

#[derive(Deserialize)]
pub struct Health {
    pub issues: Option<Vec<HealthIssue>>,
}

#[derive(Deserialize)]
pub struct HealthIssue {
    pub code: Option<Text>,
    pub message: Option<Text>,
}

#[derive(Deserialize)]
pub struct ListAddons {
    pub addons: Vec<Text>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_text_keeps_source_and_unwraps_strings() {
        let doc: Box<RawValue> = serde_json::from_str("{\"a\": 1, \"a\": 2}").unwrap();
        assert_eq!(policy_text(&doc).0, "{\"a\": 1, \"a\": 2}");
        let doc: Box<RawValue> = serde_json::from_str("\"%7B%22a%22%3A1%7D\"").unwrap();
        assert_eq!(policy_text(&doc).0, "%7B%22a%22%3A1%7D");
    }

    #[test]
    fn text_accepts_numbers() {
        let tag: Tag = serde_json::from_str("{\"Key\": \"n\", \"Value\": 12}").unwrap();
        assert_eq!(tag.value, Some(Text("12".into())));
    }
}
