//! Condition operator names parsed into their parts: an optional set qualifier
//! (`ForAnyValue:`/`ForAllValues:`), the base operator (`StringNotLike`, `NumericLessThan`, ...),
//! and an optional `IfExists` suffix. Names are case-sensitive, as IAM's ("Invalid Condition
//! type : stringEquals").
//!
//! To add an operator, add a [`BaseOperator`] variant and a row in [`BASE_OPERATORS`]; then teach
//! src/policy/condition/compare.rs how to compare it.

use serde::Serialize;

/// The value family an operator compares in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OperatorFamily {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

/// The operator without qualifier and `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

use BaseOperator as B;
use OperatorFamily as F;

/// name, operator, family, negated.
pub const BASE_OPERATORS: &[(&str, BaseOperator, OperatorFamily, bool)] = &[
    ("StringEquals", B::StringEquals, F::String, false),
    ("StringNotEquals", B::StringNotEquals, F::String, true),
    (
        "StringEqualsIgnoreCase",
        B::StringEqualsIgnoreCase,
        F::String,
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        B::StringNotEqualsIgnoreCase,
        F::String,
        true,
    ),
    ("StringLike", B::StringLike, F::String, false),
    ("StringNotLike", B::StringNotLike, F::String, true),
    ("NumericEquals", B::NumericEquals, F::Numeric, false),
    ("NumericNotEquals", B::NumericNotEquals, F::Numeric, true),
    ("NumericLessThan", B::NumericLessThan, F::Numeric, false),
    (
        "NumericLessThanEquals",
        B::NumericLessThanEquals,
        F::Numeric,
        false,
    ),
    (
        "NumericGreaterThan",
        B::NumericGreaterThan,
        F::Numeric,
        false,
    ),
    (
        "NumericGreaterThanEquals",
        B::NumericGreaterThanEquals,
        F::Numeric,
        false,
    ),
    ("DateEquals", B::DateEquals, F::Date, false),
    ("DateNotEquals", B::DateNotEquals, F::Date, true),
    ("DateLessThan", B::DateLessThan, F::Date, false),
    ("DateLessThanEquals", B::DateLessThanEquals, F::Date, false),
    ("DateGreaterThan", B::DateGreaterThan, F::Date, false),
    (
        "DateGreaterThanEquals",
        B::DateGreaterThanEquals,
        F::Date,
        false,
    ),
    ("Bool", B::Bool, F::Bool, false),
    ("BinaryEquals", B::BinaryEquals, F::Binary, false),
    ("IpAddress", B::IpAddress, F::Ip, false),
    ("NotIpAddress", B::NotIpAddress, F::Ip, true),
    ("ArnEquals", B::ArnEquals, F::Arn, false),
    ("ArnLike", B::ArnLike, F::Arn, false),
    ("ArnNotEquals", B::ArnNotEquals, F::Arn, true),
    ("ArnNotLike", B::ArnNotLike, F::Arn, true),
    ("Null", B::Null, F::Null, false),
];

/// `ForAnyValue:` or `ForAllValues:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

/// A parsed condition operator such as `ForAllValues:StringNotLikeIfExists`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionOperator {
    /// Exactly as written in the policy.
    pub raw: String,
    pub base: BaseOperator,
    pub family: OperatorFamily,
    /// A negated matching operator (`StringNotEquals`, `NotIpAddress`, ...): several policy
    /// values are NORed, and an absent key makes it true.
    pub negated: bool,
    pub if_exists: bool,
    pub qualifier: Option<SetQualifier>,
}

impl ConditionOperator {
    /// Parse an operator name, or `None` if IAM would not know it.
    pub fn parse(raw: &str) -> Option<ConditionOperator> {
        let (qualifier, rest) = if let Some(r) = raw.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else if let Some(r) = raw.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else {
            (None, raw)
        };
        let (if_exists, name) = match rest.strip_suffix("IfExists") {
            Some(n) => (true, n),
            None => (false, rest),
        };
        let &(_, base, family, negated) = BASE_OPERATORS.iter().find(|(n, ..)| *n == name)?;
        if base == BaseOperator::Null && if_exists {
            // `Null` itself tests existence; `NullIfExists` is not an operator.
            return None;
        }
        Some(ConditionOperator {
            raw: raw.to_string(),
            base,
            family,
            negated,
            if_exists,
            qualifier,
        })
    }

    /// The operator names closest to an unknown one, for "did you mean" hints.
    pub fn suggest(raw: &str) -> Option<&'static str> {
        let name = raw
            .rsplit_once(':')
            .map(|(_, n)| n)
            .unwrap_or(raw)
            .trim_end_matches("IfExists");
        BASE_OPERATORS
            .iter()
            .map(|(n, ..)| (*n, strsim::jaro_winkler(n, name)))
            .filter(|(_, score)| *score > 0.85)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(n, _)| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts() {
        let op = ConditionOperator::parse("ForAllValues:StringNotLikeIfExists").unwrap();
        assert_eq!(op.base, BaseOperator::StringNotLike);
        assert_eq!(op.qualifier, Some(SetQualifier::ForAllValues));
        assert!(op.if_exists && op.negated);
        assert_eq!(op.family, OperatorFamily::String);
        let op = ConditionOperator::parse("NotIpAddress").unwrap();
        assert!(op.negated && !op.if_exists && op.qualifier.is_none());
        assert!(ConditionOperator::parse("Null").is_some());
    }

    #[test]
    fn refuses_unknown() {
        for bad in [
            "StringEqual",
            "stringEquals",
            "NullIfExists",
            "ForSomeValues:StringEquals",
            "ForAnyValue:",
            "",
            "StringLikeIgnoreCase",
            "IfExists",
        ] {
            assert!(ConditionOperator::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(
            ConditionOperator::suggest("StringEqual"),
            Some("StringEquals")
        );
    }
}
