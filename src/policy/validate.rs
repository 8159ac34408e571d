//! The checks IAM makes when a policy is saved, per [`PolicyKind`]: Sids, Principal and Resource
//! presence, action and condition-key vendor prefixes (and one colon per action), resource ARN
//! shape, principal values, and the characters a policy may contain. Reasons use IAM's own
//! wording where known.
//!
//! Shape checks (unknown elements, JSON types, unknown operators) happen earlier, in build.
//! To add a rule, add a function here and call it from [`validate`] in document order.

use std::collections::HashMap;

use super::document::{Policy, PolicyKind, PrincipalType, Statement};
use super::error::{ErrorCode, Location, PolicyError};
use super::principal::is_partial_wildcard;

/// Check `policy` as IAM would for its kind; the first problem in document order wins.
pub fn validate(policy: &Policy) -> Result<(), PolicyError> {
    allowed_characters(&policy.text)?;
    let mut sids: HashMap<&str, u32> = HashMap::new();
    for s in &policy.statements {
        if let Some(sid) = s.sid.as_deref().filter(|sid| !sid.is_empty()) {
            if let Some(first) = sids.get(sid) {
                return Err(at(
                    ErrorCode::DuplicateSid,
                    format!(
                        "Statement IDs (SID) in a single policy must be unique. \"{sid}\" is used at line {first} and again at line {}.",
                        s.line
                    ),
                    s,
                ));
            }
            sids.insert(sid, s.line);
            // IAM enforces this for role trust policies too (other services' resource
            // policies, such as S3 bucket policies, accept more).
            if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(at(
                    ErrorCode::InvalidSid,
                    format!(
                        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]* (Sid \"{sid}\")."
                    ),
                    s,
                ));
            }
        }
        principal_rules(policy.kind, s)?;
        resource_rules(policy.kind, s)?;
        action_rules(s)?;
        condition_key_rules(s)?;
    }
    Ok(())
}

fn at(code: ErrorCode, reason: String, s: &Statement) -> PolicyError {
    PolicyError::new(code, reason, Some(Location::new(s.line, s.column)))
}

fn line_at(code: ErrorCode, reason: String, line: u32) -> PolicyError {
    PolicyError::new(code, reason, Some(Location::new(line, 1)))
}

/// "Policy documents can contain only ... tab, line feed, carriage return, U+0020 to U+00FF."
fn allowed_characters(text: &str) -> Result<(), PolicyError> {
    let (mut line, mut column) = (1u32, 0u32);
    for c in text.trim_start_matches('\u{feff}').chars() {
        column = column.saturating_add(1);
        let ok = matches!(c, '\t' | '\n' | '\r') || ('\u{20}'..='\u{ff}').contains(&c);
        if !ok {
            return Err(PolicyError::new(
                ErrorCode::Syntax,
                format!(
                    "Syntax errors in policy. Character U+{:04X} is not allowed: a policy document may contain only tab, line feed, carriage return and U+0020 to U+00FF (often a typographic quote pasted from a document).",
                    c as u32
                ),
                Some(Location::new(line, column)),
            ));
        }
        if c == '\n' {
            line = line.saturating_add(1);
            column = 0;
        }
    }
    Ok(())
}

fn principal_rules(kind: PolicyKind, s: &Statement) -> Result<(), PolicyError> {
    match (kind, &s.principal) {
        (PolicyKind::Identity, Some(p)) => Err(line_at(
            ErrorCode::ProhibitedElement,
            format!(
                "Policy document should not specify a principal. (Has prohibited field {}: only resource-based policies such as a role's trust policy name principals.)",
                if p.negated { "NotPrincipal" } else { "Principal" }
            ),
            p.line,
        )),
        (PolicyKind::Identity, None) => Ok(()),
        (PolicyKind::Trust, None) => Err(at(
            ErrorCode::MissingElement,
            format!("Missing required field Principal in {}.", s.describe()),
            s,
        )),
        (PolicyKind::Trust, Some(p)) if p.negated => Err(line_at(
            ErrorCode::ProhibitedElement,
            "Has prohibited field NotPrincipal: NotPrincipal cannot be used in an IAM role trust policy.".to_string(),
            p.line,
        )),
        (PolicyKind::Trust, Some(p)) => {
            for e in &p.entries {
                let bad = match e.kind {
                    PrincipalType::Aws => !valid_aws_principal(&e.value),
                    // IAM saves a Federated value with a `*` inside (a provider ARN ending in
                    // `/id/*`); it is no wildcard there and matches nothing (principal.rs).
                    PrincipalType::Federated => e.value.is_empty(),
                    _ => e.value.is_empty() || is_partial_wildcard(&e.value),
                };
                if bad {
                    return Err(line_at(
                        ErrorCode::InvalidPrincipal,
                        format!(
                            "Invalid principal in policy: \"{}\":\"{}\" (a principal is \"*\", an account ID, or a full ARN; wildcards inside a principal are not allowed).",
                            e.kind.as_str(),
                            e.value
                        ),
                        e.line,
                    ));
                }
            }
            Ok(())
        }
    }
}

fn valid_aws_principal(v: &str) -> bool {
    if v == "*" {
        return true;
    }
    if v.len() == 12 && v.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    // A unique ID such as AROA...: IAM writes it in place of a principal that was deleted.
    if v.starts_with('A')
        && (16..=128).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return true;
    }
    // arn:partition:service:region:account:resource, with no wildcard anywhere.
    v.starts_with("arn:") && v.split(':').count() >= 6 && !v.contains('*') && !v.contains('?')
}

fn resource_rules(kind: PolicyKind, s: &Statement) -> Result<(), PolicyError> {
    match (kind, &s.resource) {
        (PolicyKind::Trust, Some(r)) => Err(line_at(
            ErrorCode::ProhibitedElement,
            format!(
                "Has prohibited field {}: a role trust policy applies to the role itself and takes no resource.",
                if r.negated { "NotResource" } else { "Resource" }
            ),
            r.line,
        )),
        (PolicyKind::Trust, None) => Ok(()),
        (PolicyKind::Identity, None) => Err(at(
            ErrorCode::MissingElement,
            format!(
                "Policy statement must contain resources. ({} has no Resource or NotResource.)",
                s.describe()
            ),
            s,
        )),
        (PolicyKind::Identity, Some(r)) => {
            if r.values.is_empty() {
                return Err(line_at(
                    ErrorCode::MissingElement,
                    "Policy statement must contain resources.".to_string(),
                    r.line,
                ));
            }
            for v in &r.values {
                if v.value != "*"
                    && !(v.value.starts_with("arn:") && v.value.split(':').count() >= 6)
                {
                    return Err(PolicyError::new(
                        ErrorCode::InvalidResource,
                        format!("Resource {} must be in ARN format or \"*\".", v.value),
                        Some(Location::new(v.line, v.column)),
                    ));
                }
            }
            Ok(())
        }
    }
}

/// `vendor:rest` with a non-empty vendor without spaces.
fn has_vendor(text: &str) -> bool {
    match text.split_once(':') {
        Some((vendor, _)) => !vendor.is_empty() && !vendor.chars().any(char::is_whitespace),
        None => false,
    }
}

/// Action and NotAction values alike: `vendor:name`, with exactly one colon. IAM checks the
/// colon count only for actions: condition keys may hold more (a tag key such as
/// `aws:ResourceTag/aws:cloudformation:stack-name`).
fn action_rules(s: &Statement) -> Result<(), PolicyError> {
    let element = if s.action.negated {
        "NotAction"
    } else {
        "Action"
    };
    for v in &s.action.values {
        let reason = if v.value != "*" && !has_vendor(&v.value) {
            format!(
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. (action \"{}\")",
                v.value
            )
        } else if v.value.matches(':').count() > 1 {
            format!(
                "Actions/Condition can contain only one colon. ({element} \"{}\": an action is SERVICE:ACTION with a single colon, e.g. bedrock:InvokeModel)",
                v.value
            )
        } else {
            continue;
        };
        return Err(PolicyError::new(
            ErrorCode::InvalidAction,
            reason,
            Some(Location::new(v.line, v.column)),
        ));
    }
    Ok(())
}

fn condition_key_rules(s: &Statement) -> Result<(), PolicyError> {
    for c in &s.conditions {
        if !has_vendor(&c.key) {
            return Err(line_at(
                ErrorCode::InvalidConditionKey,
                format!(
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. (condition key \"{}\")",
                    c.key
                ),
                c.line,
            ));
        }
    }
    Ok(())
}
