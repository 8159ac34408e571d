//! The policy document model: a validated [`Policy`] with its [`Statement`]s, every element
//! carrying the line it came from so findings can point at it. Fields are public so diagnosis
//! code can inspect a statement (its Federated principals, its condition keys and values...).
//!
//! Built from the JSON tree by src/policy/build; checked by src/policy/validate.rs. To add an
//! element, add a field here, read it in build, and check it in validate.

use serde::Serialize;

use super::operator::ConditionOperator;

/// Which IAM API would receive the document, which decides the rules it must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// A role's trust (assume-role) policy: a resource-based policy with Principal, no Resource.
    Trust,
    /// Inline, managed, permissions boundary or session policy: no Principal, Resource required.
    Identity,
}

/// The policy language version. Absent means 2008-10-17, where `${...}` is plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PolicyVersion {
    #[serde(rename = "2012-10-17")]
    V2012_10_17,
    #[serde(rename = "2008-10-17")]
    V2008_10_17,
}

impl PolicyVersion {
    pub fn as_str(&self) -> &'static str {
        match self {
            PolicyVersion::V2012_10_17 => "2012-10-17",
            PolicyVersion::V2008_10_17 => "2008-10-17",
        }
    }

    /// Whether policy variables (`${aws:username}`) are substituted.
    pub fn supports_variables(&self) -> bool {
        *self == PolicyVersion::V2012_10_17
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(&self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A string value of the policy with its position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Located {
    pub value: String,
    pub line: u32,
    pub column: u32,
}

/// A validated policy document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    pub kind: PolicyKind,
    pub version: PolicyVersion,
    /// Line of the `Version` element; `None` when absent (then the version is 2008-10-17).
    pub version_line: Option<u32>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
    /// The decoded JSON text the positions refer to.
    pub text: String,
    /// Length as IAM counts it against quotas (non-whitespace characters of `text`).
    pub length: usize,
}

/// One statement. `index` is 0-based in document order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    /// Line of the statement's opening `{`.
    pub line: u32,
    pub column: u32,
    pub principal: Option<PrincipalBlock>,
    pub action: ActionBlock,
    pub resource: Option<ResourceBlock>,
    pub conditions: Vec<Condition>,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalBlock {
    /// `NotPrincipal`.
    pub negated: bool,
    pub line: u32,
    /// `"Principal": "*"`.
    pub wildcard: bool,
    pub entries: Vec<PrincipalEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PrincipalType {
    #[serde(rename = "AWS")]
    Aws,
    Federated,
    Service,
    CanonicalUser,
}

impl PrincipalType {
    pub fn as_str(&self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Federated => "Federated",
            PrincipalType::Service => "Service",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// One principal value, e.g. `Federated: arn:aws:iam::1:oidc-provider/...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrincipalEntry {
    #[serde(rename = "type")]
    pub kind: PrincipalType,
    pub value: String,
    pub line: u32,
}

impl PrincipalBlock {
    /// The values of one principal type, in document order.
    pub fn values_of(&self, kind: PrincipalType) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(move |e| e.kind == kind)
            .map(|e| e.value.as_str())
    }

    pub fn federated(&self) -> impl Iterator<Item = &str> {
        self.values_of(PrincipalType::Federated)
    }

    pub fn services(&self) -> impl Iterator<Item = &str> {
        self.values_of(PrincipalType::Service)
    }

    pub fn aws(&self) -> impl Iterator<Item = &str> {
        self.values_of(PrincipalType::Aws)
    }
}

/// `Action`/`NotAction` or `Resource`/`NotResource`: a list of patterns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatternBlock {
    /// `NotAction` / `NotResource`.
    pub negated: bool,
    pub line: u32,
    pub values: Vec<Located>,
}

pub type ActionBlock = PatternBlock;
pub type ResourceBlock = PatternBlock;

impl PatternBlock {
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|v| v.value.as_str())
    }
}

/// One `operator -> key -> values` entry of a Condition block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    pub operator: ConditionOperator,
    /// The context key as written (matched case-insensitively).
    pub key: String,
    /// Policy values as text: strings verbatim, numbers and booleans as written.
    pub values: Vec<String>,
    /// Line of the key.
    pub line: u32,
    /// Line of the operator.
    pub operator_line: u32,
}

impl Policy {
    /// Every condition of every statement, with its statement.
    pub fn conditions(&self) -> impl Iterator<Item = (&Statement, &Condition)> {
        self.statements
            .iter()
            .flat_map(|s| s.conditions.iter().map(move |c| (s, c)))
    }
}

impl Statement {
    /// The last line that holds one of the statement's elements or values: with
    /// [`line`](Self::line), the lines to point at when the whole statement is the evidence.
    pub fn last_line(&self) -> u32 {
        let principal = self
            .principal
            .iter()
            .flat_map(|p| std::iter::once(p.line).chain(p.entries.iter().map(|e| e.line)));
        let patterns = std::iter::once(&self.action)
            .chain(self.resource.as_ref())
            .flat_map(|b| std::iter::once(b.line).chain(b.values.iter().map(|v| v.line)));
        let conditions = self.conditions.iter().map(|c| c.line.max(c.operator_line));
        principal
            .chain(patterns)
            .chain(conditions)
            .fold(self.line, u32::max)
    }

    /// The conditions whose key equals `key` (case-insensitive).
    pub fn conditions_on<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Condition> {
        self.conditions
            .iter()
            .filter(move |c| c.key.eq_ignore_ascii_case(key))
    }

    /// "statement 2 (Sid \"AllowS3\", line 14)" for messages.
    pub fn describe(&self) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => {
                format!(
                    "statement {} (Sid \"{sid}\", line {})",
                    self.index, self.line
                )
            }
            _ => format!("statement {} (line {})", self.index, self.line),
        }
    }
}
