//! Recognising a document by its shape (never by its file name): Kubernetes objects, `kubectl
//! version`, and the AWS CLI outputs the loader understands, each told apart by its top-level
//! keys. Pagination keys (`NextToken`, `nextToken`, `Marker`, `IsTruncated`) are ignored here.
//!
//! To recognise a new AWS CLI output: add a variant to [`AwsShape`] with its command in
//! [`AwsShape::command`], a key test in [`classify`] (before any shape whose keys it shares),
//! a typed struct in `aws::shapes` and a handler in `aws::AwsAcc::add`.

use serde_json::{Map, Value};

use super::parse::Format;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A Kubernetes object or list (`apiVersion` and `kind`).
    Kube,
    /// A JSON array of Kubernetes objects (as `jq .items` prints them).
    KubeArray,
    /// `kubectl version -o json|yaml`.
    KubectlVersion,
    Aws(AwsShape),
    /// AWS CLI output that cannot be tied to anything (it names no role or policy); the text
    /// says why and what to collect instead.
    AwsUnusable(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsShape {
    AuthorizationDetails,
    GetRole,
    ListRoles,
    GetRolePolicy,
    GetPolicy,
    GetPolicyVersion,
    ListOidcProviders,
    GetOidcProvider,
    DescribeCluster,
    ListAssociations,
    DescribeAssociation,
    DescribeAddon,
    ListAddons,
    CallerIdentity,
}

impl AwsShape {
    /// The command that prints this shape, for messages.
    pub fn command(self) -> &'static str {
        match self {
            AwsShape::AuthorizationDetails => "aws iam get-account-authorization-details",
            AwsShape::GetRole => "aws iam get-role",
            AwsShape::ListRoles => "aws iam list-roles",
            AwsShape::GetRolePolicy => "aws iam get-role-policy",
            AwsShape::GetPolicy => "aws iam get-policy",
            AwsShape::GetPolicyVersion => "aws iam get-policy-version",
            AwsShape::ListOidcProviders => "aws iam list-open-id-connect-providers",
            AwsShape::GetOidcProvider => "aws iam get-open-id-connect-provider",
            AwsShape::DescribeCluster => "aws eks describe-cluster",
            AwsShape::ListAssociations => "aws eks list-pod-identity-associations",
            AwsShape::DescribeAssociation => "aws eks describe-pod-identity-association",
            AwsShape::DescribeAddon => "aws eks describe-addon",
            AwsShape::ListAddons => "aws eks list-addons",
            AwsShape::CallerIdentity => "aws sts get-caller-identity",
        }
    }
}

pub fn classify(value: &Value) -> Option<Shape> {
    match value {
        Value::Object(map) => classify_object(map),
        Value::Array(items) if !items.is_empty() && items.iter().all(is_kube_object) => {
            Some(Shape::KubeArray)
        }
        _ => None,
    }
}

pub fn is_kube_object(value: &Value) -> bool {
    value.get("apiVersion").is_some_and(Value::is_string)
        && value.get("kind").is_some_and(Value::is_string)
}

fn classify_object(map: &Map<String, Value>) -> Option<Shape> {
    let has = |key: &str| map.contains_key(key);
    let object = |key: &str| map.get(key).is_some_and(Value::is_object);
    let array = |key: &str| map.get(key).is_some_and(Value::is_array);
    let aws = |shape| Some(Shape::Aws(shape));
    if map.get("apiVersion").is_some_and(Value::is_string)
        && map.get("kind").is_some_and(Value::is_string)
    {
        return Some(Shape::Kube);
    }
    if object("serverVersion") || object("clientVersion") {
        return Some(Shape::KubectlVersion);
    }
    if [
        "RoleDetailList",
        "Policies",
        "UserDetailList",
        "GroupDetailList",
    ]
    .iter()
    .any(|key| array(key))
    {
        return aws(AwsShape::AuthorizationDetails);
    }
    if object("Role") {
        return aws(AwsShape::GetRole);
    }
    if array("Roles") {
        return aws(AwsShape::ListRoles);
    }
    if has("RoleName") && has("PolicyName") && has("PolicyDocument") {
        return aws(AwsShape::GetRolePolicy);
    }
    if object("Policy") {
        return aws(AwsShape::GetPolicy);
    }
    if object("PolicyVersion") {
        return aws(AwsShape::GetPolicyVersion);
    }
    if array("OpenIDConnectProviderList") {
        return aws(AwsShape::ListOidcProviders);
    }
    if has("Url") && (has("ClientIDList") || has("ThumbprintList")) {
        return aws(AwsShape::GetOidcProvider);
    }
    if object("cluster") {
        return aws(AwsShape::DescribeCluster);
    }
    if array("associations") {
        return aws(AwsShape::ListAssociations);
    }
    if object("association") {
        return aws(AwsShape::DescribeAssociation);
    }
    if object("addon") {
        return aws(AwsShape::DescribeAddon);
    }
    if array("addons") {
        return aws(AwsShape::ListAddons);
    }
    if has("Account") && has("Arn") && has("UserId") {
        return aws(AwsShape::CallerIdentity);
    }
    if array("PolicyNames") {
        return Some(Shape::AwsUnusable(
            "`aws iam list-role-policies` output names no role, so it cannot be matched to one; \
             collect `aws iam get-role-policy` for each policy (or \
             `aws iam get-account-authorization-details`) instead; skipped",
        ));
    }
    if array("AttachedPolicies") {
        return Some(Shape::AwsUnusable(
            "`aws iam list-attached-role-policies` output names no role, so it cannot be matched \
             to one; collect `aws iam get-account-authorization-details` instead; skipped",
        ));
    }
    None
}

/// What an unrecognised document looked like, in a few words.
pub fn describe(value: &Value, format: Format) -> String {
    let (object, array) = match format {
        Format::Json => ("a JSON object", "a JSON array"),
        Format::Yaml => ("a YAML mapping", "a YAML list"),
    };
    match value {
        Value::Object(map) if map.is_empty() => format!("{object} with no keys"),
        Value::Object(map) => {
            let mut keys: Vec<String> = map
                .keys()
                .take(5)
                .map(|k| format!("`{}`", short(k)))
                .collect();
            if map.len() > 5 {
                keys.push(format!("and {} more", map.len() - 5));
            }
            format!("{object} with keys {}", keys.join(", "))
        }
        Value::Array(items) => format!("{array} of {}", count_of(items)),
        Value::String(text) => {
            format!("a single text value of {} characters", text.chars().count())
        }
        Value::Number(_) => "a single number".to_string(),
        Value::Bool(_) => "a single boolean".to_string(),
        Value::Null => "an empty document".to_string(),
    }
}

fn count_of(items: &[Value]) -> String {
    let kind = |v: &Value| match v {
        Value::Object(_) => "objects",
        Value::Array(_) => "lists",
        Value::String(_) => "strings",
        Value::Number(_) => "numbers",
        Value::Bool(_) => "booleans",
        Value::Null => "nulls",
    };
    match items.first() {
        None => "nothing (empty)".to_string(),
        Some(first) if items.iter().all(|v| kind(v) == kind(first)) => {
            format!("{} {}", items.len(), kind(first))
        }
        Some(_) => format!("{} mixed values", items.len()),
    }
}

fn short(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pagination_keys_do_not_matter() {
        let page = json!({"RoleDetailList": [], "IsTruncated": true, "Marker": "abc"});
        assert_eq!(
            classify(&page),
            Some(Shape::Aws(AwsShape::AuthorizationDetails))
        );
        let page = json!({"associations": [], "nextToken": "abc"});
        assert_eq!(
            classify(&page),
            Some(Shape::Aws(AwsShape::ListAssociations))
        );
    }

    #[test]
    fn describes_numbers() {
        assert_eq!(
            describe(&json!([1, 2, 3]), Format::Json),
            "a JSON array of 3 numbers"
        );
    }
}
