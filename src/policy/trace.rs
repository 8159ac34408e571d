//! The result types of an evaluation: the [`Decision`], one [`ActionEvaluation`] per requested
//! action with a [`StatementTrace`] for every statement of every policy (matched or not, and
//! every reason it did not), and which statements decided. All serialize as camelCase JSON.
//!
//! To report a new kind of mismatch, add a [`Mismatch`] variant and fill it in
//! src/policy/eval/statement.rs; the text explanation is built in src/policy/eval/explain.rs.

use serde::Serialize;

use super::document::Effect;

/// The outcome of an evaluation, ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allow,
    ImplicitDeny,
    ExplicitDeny,
}

impl Decision {
    pub fn as_str(&self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ImplicitDeny => "implicit_deny",
            Decision::ExplicitDeny => "explicit_deny",
        }
    }

    pub fn is_allow(&self) -> bool {
        *self == Decision::Allow
    }
}

/// The whole answer: the worst decision over the requested actions, and each action's own.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub decision: Decision,
    /// One line for humans, e.g. "sts:AssumeRoleWithWebIdentity: implicit deny (no statement allows it)".
    pub summary: String,
    pub actions: Vec<ActionEvaluation>,
}

impl Evaluation {
    /// The evaluation of one action, if it was requested.
    pub fn action(&self, action: &str) -> Option<&ActionEvaluation> {
        self.actions
            .iter()
            .find(|a| a.action.eq_ignore_ascii_case(action))
    }
}

/// The decision for one action with its full explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionEvaluation {
    pub action: String,
    pub decision: Decision,
    /// Every statement of every policy, in evaluation order.
    pub statements: Vec<StatementTrace>,
    /// The statements that decided: the matching Deny statements for an explicit deny, the
    /// matching Allow statements (identity, boundary, session) for an allow, none otherwise.
    pub deciding: Vec<StatementRef>,
    /// Whether the permissions boundary allows the action (`None`: no boundary given).
    pub boundary_allowed: Option<bool>,
    /// Whether the session policy allows the action (`None`: no session policy given).
    pub session_allowed: Option<bool>,
    /// Why, in one or a few sentences.
    pub explanation: String,
}

/// Which policy layer a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyRole {
    Trust,
    Identity,
    Boundary,
    Session,
}

/// A pointer to one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementRef {
    pub policy: String,
    pub role: PolicyRole,
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub line: u32,
}

/// How one statement fared against the request for one action.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementTrace {
    pub policy: String,
    pub role: PolicyRole,
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub line: u32,
    /// True when the statement applies (principal, action, resource and all conditions match).
    pub matched: bool,
    /// Every reason it does not apply (empty when it matched).
    pub mismatches: Vec<Mismatch>,
}

impl StatementTrace {
    pub fn to_ref(&self) -> StatementRef {
        StatementRef {
            policy: self.policy.clone(),
            role: self.role,
            index: self.index,
            sid: self.sid.clone(),
            effect: self.effect,
            line: self.line,
        }
    }
}

/// One reason a statement does not apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Mismatch {
    /// The principal is not one the statement names (or is one a NotPrincipal excludes).
    Principal {
        negated: bool,
        /// The statement's principals as `Type value`, or `*`.
        expected: Vec<String>,
        /// The request's principal as `Type value`, or `None` when the request names none.
        given: Option<String>,
        line: u32,
        reason: String,
    },
    /// The action is not covered by Action (or is excluded by NotAction).
    Action {
        negated: bool,
        expected: Vec<String>,
        given: String,
        line: u32,
        reason: String,
    },
    /// The resource is not covered by Resource (or is excluded by NotResource).
    Resource {
        negated: bool,
        expected: Vec<String>,
        given: Option<String>,
        line: u32,
        reason: String,
    },
    Condition(ConditionFailure),
}

/// One condition that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionFailure {
    /// As written, e.g. `ForAnyValue:StringLike`.
    pub operator: String,
    /// As written in the policy.
    pub key: String,
    pub policy_values: Vec<String>,
    /// The request's values for the key; `None` when the key is absent.
    pub request_values: Option<Vec<String>>,
    pub reason: String,
    pub line: u32,
}
