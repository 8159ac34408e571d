//! The one error type of the policy module: why IAM would refuse a document, with where.
//!
//! `reason` starts with IAM's own text when we know it (for example "Syntax errors in policy."),
//! followed by our detail. To add a new refusal, add an [`ErrorCode`] variant and build the error
//! with [`PolicyError::new`] where the rule is checked (src/policy/validate.rs, src/policy/build).

use serde::Serialize;

/// A 1-based position in the (decoded) policy text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(line: u32, column: u32) -> Self {
        Location { line, column }
    }
}

/// A stable, machine-readable class for a [`PolicyError`], so callers need not match on text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, or not an object where one is required.
    Syntax,
    /// The same key twice in one JSON object.
    DuplicateKey,
    /// Nesting deeper than any policy could need.
    TooDeep,
    /// Far larger than any IAM policy quota allows.
    TooLarge,
    /// An element IAM does not know (typo such as `Prinicpal`).
    UnknownElement,
    /// A required element is missing (Statement, Effect, Principal, Action, Resource).
    MissingElement,
    /// An element IAM forbids here (Principal in an identity policy, Resource in a trust policy).
    ProhibitedElement,
    /// An element with a value of the wrong type or form.
    InvalidValue,
    InvalidVersion,
    DuplicateSid,
    InvalidSid,
    InvalidEffect,
    InvalidAction,
    InvalidResource,
    InvalidPrincipal,
    InvalidConditionOperator,
    InvalidConditionKey,
}

/// Why a policy document is not a valid IAM policy, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
pub struct PolicyError {
    pub code: ErrorCode,
    pub reason: String,
    pub location: Option<Location>,
}

impl PolicyError {
    pub fn new(code: ErrorCode, reason: impl Into<String>, location: Option<Location>) -> Self {
        PolicyError {
            code,
            reason: reason.into(),
            location,
        }
    }

    pub fn at(code: ErrorCode, reason: impl Into<String>, line: u32, column: u32) -> Self {
        PolicyError::new(code, reason, Some(Location::new(line, column)))
    }

    /// The 1-based line of the error, if known.
    pub fn line(&self) -> Option<u32> {
        self.location.map(|l| l.line)
    }
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.location {
            Some(loc) => write!(
                f,
                "{} (line {}, column {})",
                self.reason, loc.line, loc.column
            ),
            None => f.write_str(&self.reason),
        }
    }
}

/// IAM's reason for anything its parser cannot read.
pub const SYNTAX: &str = "Syntax errors in policy.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_with_and_without_location() {
        let e = PolicyError::at(ErrorCode::Syntax, "Syntax errors in policy.", 3, 7);
        assert_eq!(e.to_string(), "Syntax errors in policy. (line 3, column 7)");
        let e = PolicyError::new(ErrorCode::Syntax, "x", None);
        assert_eq!(e.to_string(), "x");
        assert_eq!(e.line(), None);
    }
}
