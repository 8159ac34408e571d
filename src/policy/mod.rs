//! IAM policies, offline and pure (no I/O, no async, no terminal): reading a document the way
//! IAM does when it is saved, and evaluating it the way AWS documents ("Policy evaluation
//! logic"), with an explanation for every decision.
//!
//! Pipeline: [`decode_document`] (URL-encoded or string-wrapped text) -> [`json::parse_json`]
//! (duplicate-aware, with positions) -> build (the [`Policy`] model) -> validate (per
//! [`PolicyKind`]) = [`parse_policy`]. Then [`evaluate_trust`] / [`evaluate_identity`] give an
//! [`Evaluation`].
//!
//! Where things live: matching helpers [`glob`] (wildcards with literal escapes), `arn`,
//! `principal`, `variables`; conditions in `condition`; combining statements in `eval`; result
//! types in `trace`. To support a new policy element or operator, see the module comments of
//! `build`, `operator` and `condition`.

mod arn;
mod build;
mod condition;
mod decode;
mod document;
mod error;
mod eval;
pub mod glob;
pub mod json;
mod length;
mod operator;
mod principal;
mod request;
mod trace;
mod validate;
mod variables;

pub use arn::arn_matches;
pub use condition::parse_date;
pub use decode::decode_document;
pub use document::{
    ActionBlock, Condition, Effect, Located, PatternBlock, Policy, PolicyKind, PolicyVersion,
    PrincipalBlock, PrincipalEntry, PrincipalType, ResourceBlock, Statement,
};
pub use error::{ErrorCode, Location, PolicyError};
pub use eval::{NamedPolicy, describe_mismatch, evaluate_identity, evaluate_trust};
pub use glob::glob_match;
pub use length::{
    MANAGED_POLICY_QUOTA, ROLE_INLINE_POLICIES_QUOTA, TRUST_POLICY_DEFAULT_QUOTA,
    TRUST_POLICY_MAX_QUOTA, document_length, iam_length,
};
pub use operator::{BaseOperator, ConditionOperator, OperatorFamily, SetQualifier};
pub use principal::{aws_matches, is_partial_wildcard};
pub use request::{Request, RequestContext, RequestPrincipal};
pub use trace::{
    ActionEvaluation, ConditionFailure, Decision, Evaluation, Mismatch, PolicyRole, StatementRef,
    StatementTrace,
};

/// Documents longer than this (in IAM characters) are refused before parsing: ten times IAM's
/// largest policy quota, so no real policy is affected and matching cost stays bounded.
pub const MAX_DOCUMENT_LENGTH: usize = 10 * ROLE_INLINE_POLICIES_QUOTA;

/// Decode, parse and validate a policy document as IAM would for `kind`.
///
/// Positions in errors and in the returned [`Policy`] refer to the decoded JSON text
/// (`Policy::text`), which is the text itself when it was not encoded.
pub fn parse_policy(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
    let decoded = decode_document(text)?;
    let length = iam_length(&decoded);
    if length > MAX_DOCUMENT_LENGTH {
        return Err(PolicyError::new(
            ErrorCode::TooLarge,
            format!(
                "Cannot exceed quota for PolicySize: the document has {length} characters, \
                 far more than IAM's largest policy quota ({ROLE_INLINE_POLICIES_QUOTA})."
            ),
            None,
        ));
    }
    let root = json::parse_json(&decoded)?;
    let policy = build::build_policy(&root, &decoded, kind)?;
    validate::validate(&policy)?;
    Ok(policy)
}

#[cfg(test)]
mod tests;
