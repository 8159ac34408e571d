//! Evaluating one condition (operator, key, policy values) against the request context, with
//! IAM's documented logic ("IAM JSON policy elements: Condition operators", "Multivalued context
//! keys"):
//!
//! - several policy values for a key are ORed; for a negated operator (StringNotEquals, ...)
//!   they are NORed: the request value must match none of them;
//! - a key absent from the request makes an operator false, a negated operator TRUE, and any
//!   `...IfExists` operator true; `Null` tests presence itself (`true`: absent or empty);
//! - `ForAnyValue:` needs at least one request value satisfying the operator (false when the key
//!   is absent or empty); `ForAllValues:` needs every request value to (TRUE when absent or
//!   empty); with a negated operator the negation applies per request value;
//! - a multivalued request key without a qualifier: an operator holds if any request value
//!   matches; a negated one holds if no request value matches any policy value;
//! - policy variables are substituted in String* and Arn* values; an unresolved variable makes
//!   that value match nothing, and makes a negated operator fail (IAM cannot prove a non-match).
//!
//! Comparisons per family are in [`compare`]; date parsing in [`date`].

mod compare;
mod date;

pub use date::parse_date;

use compare::{PolicyValue, compare, incomparable_reason};

use super::document::{Condition, PolicyVersion};
use super::glob::tokens;
use super::operator::{OperatorFamily, SetQualifier};
use super::request::RequestContext;
use super::trace::ConditionFailure;
use super::variables::substitute;

/// `None` when the condition holds, otherwise why not.
pub fn check_condition(
    cond: &Condition,
    version: PolicyVersion,
    ctx: &RequestContext,
) -> Option<ConditionFailure> {
    let request = ctx.get(&cond.key);
    let fail = |reason: String| {
        Some(ConditionFailure {
            operator: cond.operator.raw.clone(),
            key: cond.key.clone(),
            policy_values: cond.values.clone(),
            request_values: request.map(<[String]>::to_vec),
            reason,
            line: cond.line,
        })
    };
    let op = &cond.operator;
    if op.family == OperatorFamily::Null {
        return null_check(&cond.values, request).and_then(fail);
    }
    let wanted = quoted(&cond.values);
    let values: &[String] = match (request, op.qualifier) {
        (None, _) if op.if_exists => return None,
        (None | Some([]), Some(SetQualifier::ForAllValues)) => return None,
        (None, Some(SetQualifier::ForAnyValue)) => {
            return fail(format!(
                "key is absent from the request, and {} needs at least one value matching {wanted}",
                op.raw
            ));
        }
        (Some([]), Some(SetQualifier::ForAnyValue)) => {
            return fail(format!(
                "key has no values, and {} needs at least one matching {wanted}",
                op.raw
            ));
        }
        (None, None) if op.negated => return None,
        (None, None) => {
            return fail(format!(
                "key is absent from the request (the policy wants {wanted})"
            ));
        }
        (Some(v), _) => v,
    };

    // Prepare the policy values (variables only for String* and Arn*).
    let substitutes = matches!(op.family, OperatorFamily::String | OperatorFamily::Arn);
    let mut prepared = Vec::with_capacity(cond.values.len());
    let mut unresolved = Vec::new();
    for v in &cond.values {
        if substitutes {
            let s = substitute(v, version, ctx);
            if s.is_resolved() {
                prepared.push(PolicyValue::new(s.tokens));
            } else {
                unresolved.extend(s.unresolved);
            }
        } else {
            prepared.push(PolicyValue::new(tokens(v)));
        }
    }
    if op.negated && !unresolved.is_empty() {
        return fail(format!(
            "policy variable {} has no value in the request, so {} cannot hold",
            unresolved.join(", "),
            op.raw
        ));
    }

    // Per request value: does it satisfy the operator (negation applied per value)?
    let satisfies = |v: &str| -> bool {
        if op.negated {
            prepared
                .iter()
                .all(|p| compare(op.base, p, v) == Some(false))
        } else {
            prepared
                .iter()
                .any(|p| compare(op.base, p, v) == Some(true))
        }
    };
    let holds = match op.qualifier {
        Some(SetQualifier::ForAllValues) => values.iter().all(|v| satisfies(v)),
        Some(SetQualifier::ForAnyValue) => values.iter().any(|v| satisfies(v)),
        None if op.negated => values.iter().all(|v| satisfies(v)),
        None => values.iter().any(|v| satisfies(v)),
    };
    if holds {
        return None;
    }
    fail(explain(cond, values, &prepared, &unresolved))
}

/// `Null`: "true" holds when the key is absent (or empty), "false" when it is present.
fn null_check(policy: &[String], request: Option<&[String]>) -> Option<String> {
    let absent = request.is_none_or(<[String]>::is_empty);
    let holds = policy
        .iter()
        .any(|p| match p.to_ascii_lowercase().as_str() {
            "true" => absent,
            "false" => !absent,
            _ => false,
        });
    if holds {
        return None;
    }
    Some(if absent {
        "Null \"false\" requires the key to be present, and the request does not have it"
            .to_string()
    } else {
        "Null \"true\" requires the key to be absent, and the request has it".to_string()
    })
}

fn quoted(vs: &[String]) -> String {
    if vs.is_empty() {
        return "no value".to_string();
    }
    vs.iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A sentence saying why the condition failed, naming the values involved.
fn explain(
    cond: &Condition,
    values: &[String],
    prepared: &[PolicyValue],
    unresolved: &[String],
) -> String {
    let op = &cond.operator;
    if let Some(r) = values.iter().find_map(|v| incomparable_reason(op.base, v)) {
        return format!("{r} (the policy wants {})", quoted(&cond.values));
    }
    let mut reason = if values.is_empty() {
        "the key is present but has no values".to_string()
    } else if op.negated {
        let hits: Vec<String> = values
            .iter()
            .filter(|v| {
                prepared
                    .iter()
                    .any(|p| compare(op.base, p, v) != Some(false))
            })
            .cloned()
            .collect();
        format!(
            "request value {} matches a listed value, and {} requires matching none of {}",
            quoted(&hits),
            op.raw,
            quoted(&cond.values)
        )
    } else if op.qualifier == Some(SetQualifier::ForAllValues) {
        let misses: Vec<String> = values
            .iter()
            .filter(|v| {
                !prepared
                    .iter()
                    .any(|p| compare(op.base, p, v) == Some(true))
            })
            .cloned()
            .collect();
        format!(
            "request value {} matches none of {}, and ForAllValues needs every value to match",
            quoted(&misses),
            quoted(&cond.values)
        )
    } else {
        format!(
            "request value {} matches none of {}",
            quoted(values),
            quoted(&cond.values)
        )
    };
    if !unresolved.is_empty() {
        reason.push_str(&format!(
            " (policy variable {} has no value in the request, so that value matches nothing)",
            unresolved.join(", ")
        ));
    }
    let literal_wildcard = cond
        .values
        .iter()
        .any(|v| v.contains('*') || v.contains('?'));
    let exact_string = matches!(
        op.base,
        super::operator::BaseOperator::StringEquals
            | super::operator::BaseOperator::StringEqualsIgnoreCase
    );
    if exact_string && literal_wildcard {
        reason.push_str(&format!(
            "; {} compares literally, so '*' and '?' are not wildcards: use StringLike",
            op.raw
        ));
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::operator::ConditionOperator;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition {
            operator: ConditionOperator::parse(op).unwrap(),
            key: key.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
            line: 1,
            operator_line: 1,
        }
    }

    fn holds(op: &str, values: &[&str], ctx: &RequestContext) -> bool {
        check_condition(&cond(op, "k:k", values), PolicyVersion::V2012_10_17, ctx).is_none()
    }

    #[test]
    fn absent_key_rules() {
        let empty = RequestContext::new();
        assert!(!holds("StringEquals", &["a"], &empty));
        assert!(holds("StringNotEquals", &["a"], &empty));
        assert!(holds("StringEqualsIfExists", &["a"], &empty));
        assert!(holds("ForAllValues:StringEquals", &["a"], &empty));
        assert!(!holds("ForAnyValue:StringEquals", &["a"], &empty));
        assert!(holds("Null", &["true"], &empty));
        assert!(!holds("Null", &["false"], &empty));
    }

    #[test]
    fn negated_values_are_nored() {
        let c = RequestContext::new().with("K:K", "b");
        assert!(!holds("StringNotEquals", &["a", "b"], &c));
        assert!(holds("StringNotEquals", &["a", "c"], &c));
        assert!(holds("StringEquals", &["a", "b"], &c));
    }

    #[test]
    fn failure_reports_values() {
        let c = RequestContext::new().with("k:k", "x");
        let f = check_condition(
            &cond("StringEquals", "k:k", &["a*"]),
            PolicyVersion::V2012_10_17,
            &c,
        )
        .unwrap();
        assert_eq!(f.request_values, Some(vec!["x".to_string()]));
        assert!(f.reason.contains("use StringLike"), "{}", f.reason);
        let f = check_condition(
            &cond("StringEquals", "k:k", &["a"]),
            PolicyVersion::V2012_10_17,
            &RequestContext::new(),
        )
        .unwrap();
        assert_eq!(f.request_values, None);
        assert!(f.reason.contains("absent"));
    }
}
