//! From the JSON tree to the [`Policy`] model: the document's shape (which elements exist, their
//! JSON types, both `X` and `NotX` given...). Rules that depend on the policy kind or compare
//! statements with each other are in src/policy/validate.rs.
//!
//! Element readers (Principal, Action/Resource, Condition) are in [`elements`]. To accept a new
//! element, add its name to the `*_ELEMENTS` list and read it in [`statement`].

mod elements;

use super::document::{Effect, Policy, PolicyKind, PolicyVersion, Statement};
use super::error::{ErrorCode, PolicyError, SYNTAX};
use super::json::{JsonMember, JsonNode, JsonValue};
use super::length::iam_length;

const TOP_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

pub(super) fn err(code: ErrorCode, node: &JsonNode, reason: impl Into<String>) -> PolicyError {
    PolicyError::new(code, reason, Some(node.location()))
}

fn member_err(code: ErrorCode, m: &JsonMember, reason: impl Into<String>) -> PolicyError {
    PolicyError::new(code, reason, Some(m.key_span.location()))
}

/// A string element, or an error naming it.
pub(super) fn string_of<'a>(node: &'a JsonNode, what: &str) -> Result<&'a str, PolicyError> {
    node.as_str().ok_or_else(|| {
        err(
            ErrorCode::InvalidValue,
            node,
            format!(
                "{SYNTAX} {what} must be a string, found {}.",
                node.type_name()
            ),
        )
    })
}

fn unknown_element(m: &JsonMember, known: &[&str], place: &str) -> PolicyError {
    let hint = known
        .iter()
        .map(|k| {
            (
                *k,
                strsim::jaro_winkler(&k.to_ascii_lowercase(), &m.key.to_ascii_lowercase()),
            )
        })
        .filter(|(_, s)| *s > 0.8)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(k, _)| format!(" Did you mean \"{k}\"?"))
        .unwrap_or_default();
    member_err(
        ErrorCode::UnknownElement,
        m,
        format!(
            "{SYNTAX} Unknown element \"{}\" in {place}; IAM knows {}.{hint}",
            m.key,
            known.join(", ")
        ),
    )
}

/// Build the model from a parsed document. `text` is the decoded JSON the tree came from.
pub fn build_policy(root: &JsonNode, text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
    let members = root.as_object().ok_or_else(|| {
        err(
            ErrorCode::Syntax,
            root,
            format!(
                "{SYNTAX} A policy must be a JSON object, found {}.",
                root.type_name()
            ),
        )
    })?;
    if let Some(m) = members
        .iter()
        .find(|m| !TOP_ELEMENTS.contains(&m.key.as_str()))
    {
        return Err(unknown_element(m, TOP_ELEMENTS, "the policy"));
    }
    let (version, version_line) = match root.get("Version") {
        None => (PolicyVersion::V2008_10_17, None),
        Some(v) => (read_version(v)?, Some(v.line())),
    };
    let id = root
        .get("Id")
        .map(|n| string_of(n, "Id").map(str::to_string))
        .transpose()?;
    let Some(stmts) = root.get("Statement") else {
        return Err(err(
            ErrorCode::MissingElement,
            root,
            format!("{SYNTAX} Missing required field Statement."),
        ));
    };
    let nodes: Vec<&JsonNode> = match &stmts.value {
        JsonValue::Object(_) => vec![stmts],
        JsonValue::Array(items) if items.is_empty() => {
            return Err(err(
                ErrorCode::MissingElement,
                stmts,
                format!(
                    "{SYNTAX} Statement is an empty array; a policy needs at least one statement."
                ),
            ));
        }
        JsonValue::Array(items) => items.iter().collect(),
        _ => {
            return Err(err(
                ErrorCode::InvalidValue,
                stmts,
                format!(
                    "{SYNTAX} Statement must be an object or an array of objects, found {}.",
                    stmts.type_name()
                ),
            ));
        }
    };
    let statements = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| statement(i, n))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Policy {
        kind,
        version,
        version_line,
        id,
        statements,
        text: text.to_string(),
        length: iam_length(text),
    })
}

fn read_version(v: &JsonNode) -> Result<PolicyVersion, PolicyError> {
    match v.as_str() {
        Some("2012-10-17") => Ok(PolicyVersion::V2012_10_17),
        Some("2008-10-17") => Ok(PolicyVersion::V2008_10_17),
        _ => Err(err(
            ErrorCode::InvalidVersion,
            v,
            "The policy failed legacy parsing: Version must be \"2012-10-17\" or \"2008-10-17\".",
        )),
    }
}

fn statement(index: usize, node: &JsonNode) -> Result<Statement, PolicyError> {
    let members = node.as_object().ok_or_else(|| {
        err(
            ErrorCode::InvalidValue,
            node,
            format!(
                "{SYNTAX} Each statement must be a JSON object, found {}.",
                node.type_name()
            ),
        )
    })?;
    if let Some(m) = members
        .iter()
        .find(|m| !STATEMENT_ELEMENTS.contains(&m.key.as_str()))
    {
        return Err(unknown_element(m, STATEMENT_ELEMENTS, "a statement"));
    }
    for (a, b) in [
        ("Principal", "NotPrincipal"),
        ("Action", "NotAction"),
        ("Resource", "NotResource"),
    ] {
        if let (Some(_), Some(second)) = (node.get(a), node.get(b)) {
            return Err(err(
                ErrorCode::InvalidValue,
                second,
                format!("{SYNTAX} A statement cannot have both {a} and {b}."),
            ));
        }
    }
    let sid = node
        .get("Sid")
        .map(|n| string_of(n, "Sid").map(str::to_string))
        .transpose()?;
    let effect = match node.get("Effect") {
        None => {
            return Err(err(
                ErrorCode::MissingElement,
                node,
                "Missing required field Effect.",
            ));
        }
        Some(e) => match e.as_str() {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            _ => {
                return Err(err(
                    ErrorCode::InvalidEffect,
                    e,
                    format!(
                        "Invalid effect: {}. Effect must be exactly \"Allow\" or \"Deny\" (case-sensitive).",
                        e.as_str().unwrap_or(e.type_name())
                    ),
                ));
            }
        },
    };
    let principal = match (node.get("Principal"), node.get("NotPrincipal")) {
        (Some(p), _) => Some(elements::principal(p, false)?),
        (None, Some(p)) => Some(elements::principal(p, true)?),
        (None, None) => None,
    };
    let action = match (node.get("Action"), node.get("NotAction")) {
        (Some(a), _) => elements::patterns(a, "Action", false)?,
        (None, Some(a)) => elements::patterns(a, "NotAction", true)?,
        (None, None) => {
            return Err(err(
                ErrorCode::MissingElement,
                node,
                "Policy statement must contain actions.",
            ));
        }
    };
    if action.values.is_empty() {
        return Err(PolicyError::at(
            ErrorCode::MissingElement,
            "Policy statement must contain actions.",
            action.line,
            node.span.column,
        ));
    }
    let resource = match (node.get("Resource"), node.get("NotResource")) {
        (Some(r), _) => Some(elements::patterns(r, "Resource", false)?),
        (None, Some(r)) => Some(elements::patterns(r, "NotResource", true)?),
        (None, None) => None,
    };
    let conditions = match node.get("Condition") {
        Some(c) => elements::conditions(c)?,
        None => Vec::new(),
    };
    Ok(Statement {
        index,
        sid,
        effect,
        line: node.span.line,
        column: node.span.column,
        principal,
        action,
        resource,
        conditions,
    })
}
