//! Readers for the statement elements whose values have structure: Principal/NotPrincipal,
//! Action/NotAction and Resource/NotResource (string or array of strings), and Condition
//! (operator -> key -> string | number | bool | array of those).
//!
//! Each reader checks JSON types only; meaning (prefixes, ARN shapes) is checked in validate.

use super::{err, string_of};
use crate::policy::document::{
    Condition, Located, PatternBlock, PrincipalBlock, PrincipalEntry, PrincipalType,
};
use crate::policy::error::{ErrorCode, PolicyError, SYNTAX};
use crate::policy::json::{JsonNode, JsonValue};
use crate::policy::operator::ConditionOperator;

fn located(node: &JsonNode, text: &str) -> Located {
    Located {
        value: text.to_string(),
        line: node.span.line,
        column: node.span.column,
    }
}

/// A string or a non-nested array of strings.
fn string_list(node: &JsonNode, what: &str) -> Result<Vec<Located>, PolicyError> {
    match &node.value {
        JsonValue::String(s) => Ok(vec![located(node, s)]),
        JsonValue::Array(items) => items
            .iter()
            .map(|i| string_of(i, &format!("Each value of {what}")).map(|s| located(i, s)))
            .collect(),
        _ => Err(err(
            ErrorCode::InvalidValue,
            node,
            format!(
                "{SYNTAX} {what} must be a string or an array of strings, found {}.",
                node.type_name()
            ),
        )),
    }
}

pub(super) fn patterns(
    node: &JsonNode,
    what: &str,
    negated: bool,
) -> Result<PatternBlock, PolicyError> {
    Ok(PatternBlock {
        negated,
        line: node.span.line,
        values: string_list(node, what)?,
    })
}

const PRINCIPAL_TYPES: &[(&str, PrincipalType)] = &[
    ("AWS", PrincipalType::Aws),
    ("Federated", PrincipalType::Federated),
    ("Service", PrincipalType::Service),
    ("CanonicalUser", PrincipalType::CanonicalUser),
];

pub(super) fn principal(node: &JsonNode, negated: bool) -> Result<PrincipalBlock, PolicyError> {
    let name = if negated { "NotPrincipal" } else { "Principal" };
    let invalid = |n: &JsonNode, detail: String| {
        err(
            ErrorCode::InvalidPrincipal,
            n,
            format!("Invalid principal in policy: {detail}"),
        )
    };
    let members = match &node.value {
        JsonValue::String(s) if s == "*" => {
            return Ok(PrincipalBlock {
                negated,
                line: node.span.line,
                wildcard: true,
                entries: Vec::new(),
            });
        }
        JsonValue::String(s) => {
            return Err(invalid(
                node,
                format!(
                    "\"{name}\": \"{s}\". Only \"*\" may be given as a plain string; \
                     write {{\"AWS\": \"{s}\"}} (or Federated/Service)."
                ),
            ));
        }
        JsonValue::Object(m) => m,
        _ => {
            return Err(invalid(
                node,
                format!(
                    "{name} must be \"*\" or an object, found {}.",
                    node.type_name()
                ),
            ));
        }
    };
    if members.is_empty() {
        return Err(invalid(node, format!("{name} is an empty object.")));
    }
    let mut entries = Vec::new();
    for m in members {
        let Some(&(_, kind)) = PRINCIPAL_TYPES.iter().find(|(n, _)| *n == m.key) else {
            return Err(PolicyError::new(
                ErrorCode::InvalidPrincipal,
                format!(
                    "Invalid principal in policy: unknown principal type \"{}\"; use AWS, Federated, Service or CanonicalUser (case-sensitive).",
                    m.key
                ),
                Some(m.key_span.location()),
            ));
        };
        let values = string_list(&m.value, &format!("{name}.{}", m.key))?;
        if values.is_empty() {
            return Err(invalid(
                &m.value,
                format!("{name}.{} is an empty array.", m.key),
            ));
        }
        entries.extend(values.into_iter().map(|v| PrincipalEntry {
            kind,
            value: v.value,
            line: v.line,
        }));
    }
    Ok(PrincipalBlock {
        negated,
        line: node.span.line,
        wildcard: false,
        entries,
    })
}

/// A condition value as text: strings verbatim, numbers and booleans as written.
fn condition_value(node: &JsonNode, key: &str) -> Result<String, PolicyError> {
    match &node.value {
        JsonValue::String(s) => Ok(s.clone()),
        JsonValue::Number(n) => Ok(n.clone()),
        JsonValue::Bool(b) => Ok(b.to_string()),
        _ => Err(err(
            ErrorCode::InvalidValue,
            node,
            format!(
                "{SYNTAX} The value of condition key \"{key}\" must be a string, number or boolean \
                 (or an array of them), found {}.",
                node.type_name()
            ),
        )),
    }
}

pub(super) fn conditions(node: &JsonNode) -> Result<Vec<Condition>, PolicyError> {
    let ops = node.as_object().ok_or_else(|| {
        err(
            ErrorCode::InvalidValue,
            node,
            format!(
                "{SYNTAX} Condition must be an object, found {}.",
                node.type_name()
            ),
        )
    })?;
    let mut out = Vec::new();
    for op in ops {
        let Some(operator) = ConditionOperator::parse(&op.key) else {
            let hint = ConditionOperator::suggest(&op.key)
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            return Err(PolicyError::new(
                ErrorCode::InvalidConditionOperator,
                format!("Invalid Condition type : {}{hint}", op.key),
                Some(op.key_span.location()),
            ));
        };
        let keys = op.value.as_object().ok_or_else(|| {
            err(
                ErrorCode::InvalidValue,
                &op.value,
                format!(
                    "{SYNTAX} The value of condition operator {} must be an object of key: value, found {}.",
                    op.key,
                    op.value.type_name()
                ),
            )
        })?;
        for k in keys {
            let values = match &k.value.value {
                JsonValue::Array(items) => items
                    .iter()
                    .map(|i| condition_value(i, &k.key))
                    .collect::<Result<Vec<_>, _>>()?,
                _ => vec![condition_value(&k.value, &k.key)?],
            };
            out.push(Condition {
                operator: operator.clone(),
                key: k.key.clone(),
                values,
                line: k.key_span.line,
                operator_line: op.key_span.line,
            });
        }
    }
    Ok(out)
}
