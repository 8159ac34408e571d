//! What is being asked: who ([`RequestPrincipal`]), which actions, on which resource, with which
//! request context ([`RequestContext`]: condition keys, looked up case-insensitively, each with
//! one or more values).
//!
//! To add a principal type, add a variant here and a branch in src/policy/principal.rs.

use serde::Serialize;
use serde::ser::SerializeMap;

/// The calling principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "value")]
pub enum RequestPrincipal {
    /// An IAM principal ARN (user, role, assumed-role session, root) or a 12-digit account ID.
    #[serde(rename = "AWS")]
    Aws(String),
    /// An identity provider: an OIDC/SAML provider ARN, or e.g. `cognito-identity.amazonaws.com`.
    Federated(String),
    /// A service principal such as `pods.eks.amazonaws.com`.
    Service(String),
}

impl RequestPrincipal {
    pub fn value(&self) -> &str {
        match self {
            RequestPrincipal::Aws(v)
            | RequestPrincipal::Federated(v)
            | RequestPrincipal::Service(v) => v,
        }
    }

    /// "AWS arn:aws:iam::...", for messages.
    pub fn describe(&self) -> String {
        match self {
            RequestPrincipal::Aws(v) => format!("AWS {v}"),
            RequestPrincipal::Federated(v) => format!("Federated {v}"),
            RequestPrincipal::Service(v) => format!("Service {v}"),
        }
    }
}

/// Condition keys of the request. Names compare case-insensitively (IAM: "Condition key names
/// are not case-sensitive"); values keep their case. Order of insertion is kept for output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    entries: Vec<(String, Vec<String>)>,
}

impl RequestContext {
    pub fn new() -> Self {
        RequestContext::default()
    }

    /// Add (or replace) a single-valued key.
    pub fn with(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.with_values(key, vec![value.into()])
    }

    /// Add (or replace) a multivalued key (an empty list is "present but empty").
    pub fn with_values(mut self, key: impl Into<String>, values: Vec<String>) -> Self {
        self.insert(key, values);
        self
    }

    pub fn insert(&mut self, key: impl Into<String>, values: Vec<String>) {
        let key = key.into();
        match self
            .entries
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(&key))
        {
            Some(entry) => entry.1 = values,
            None => self.entries.push((key, values)),
        }
    }

    /// The values of `key` (case-insensitive), or `None` when the key is absent.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Serialize for RequestContext {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One authorization question. Several actions are evaluated separately; the overall decision
/// is the worst of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub principal: Option<RequestPrincipal>,
    pub actions: Vec<String>,
    /// The resource ARN; `None` means "not specified" (only `Resource: "*"` covers it).
    pub resource: Option<String>,
    pub context: RequestContext,
}

impl Request {
    pub fn new() -> Self {
        Request::default()
    }

    pub fn principal(mut self, p: RequestPrincipal) -> Self {
        self.principal = Some(p);
        self
    }

    pub fn action(mut self, a: impl Into<String>) -> Self {
        self.actions.push(a.into());
        self
    }

    pub fn resource(mut self, r: impl Into<String>) -> Self {
        self.resource = Some(r.into());
        self
    }

    pub fn context(mut self, c: RequestContext) -> Self {
        self.context = c;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_values_are_not() {
        let c = RequestContext::new()
            .with("aws:PrincipalTag/Team", "Blue")
            .with("AWS:principaltag/team", "Red");
        assert_eq!(
            c.get("aws:principaltag/TEAM"),
            Some(&["Red".to_string()][..])
        );
        assert_eq!(c.iter().count(), 1);
        assert_eq!(c.get("aws:other"), None);
        let c = c.with_values("aws:TagKeys", vec![]);
        assert_eq!(c.get("aws:tagkeys"), Some(&[][..]));
    }

    #[test]
    fn serializes_as_a_map() {
        let c = RequestContext::new().with("k", "v");
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"k":["v"]}"#);
        let p = RequestPrincipal::Aws("1".into());
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"type":"AWS","value":"1"}"#
        );
    }
}
