//! One statement against one action of a request: does it apply, and if not, every reason
//! (principal, action, resource, each failed condition). Nothing short-circuits, so a user sees
//! all that is wrong with the statement at once.
//!
//! Matching rules: Action/NotAction case-insensitive with `*`/`?`; Resource/NotResource
//! case-sensitive, ARN component by component, with policy variables (2012-10-17); principal
//! rules in src/policy/principal.rs; conditions in src/policy/condition.

use super::NamedPolicy;
use crate::policy::arn::arn_matches;
use crate::policy::condition::check_condition;
use crate::policy::document::{PatternBlock, PrincipalBlock, Statement};
use crate::policy::glob::{GlobToken, glob_match};
use crate::policy::principal::{is_partial_wildcard, principal_matches};
use crate::policy::request::Request;
use crate::policy::trace::{Mismatch, PolicyRole, StatementTrace};
use crate::policy::variables::substitute;

pub(super) fn trace_statement(
    named: &NamedPolicy<'_>,
    role: PolicyRole,
    stmt: &Statement,
    action: &str,
    req: &Request,
) -> StatementTrace {
    let mut mismatches = Vec::new();
    if let Some(p) = &stmt.principal
        && let Some(m) = principal_mismatch(p, req)
    {
        mismatches.push(m);
    }
    if let Some(m) = action_mismatch(&stmt.action, action) {
        mismatches.push(m);
    }
    if let Some(r) = &stmt.resource
        && let Some(m) = resource_mismatch(named, r, req)
    {
        mismatches.push(m);
    }
    for c in &stmt.conditions {
        if let Some(f) = check_condition(c, named.policy.version, &req.context) {
            mismatches.push(Mismatch::Condition(f));
        }
    }
    StatementTrace {
        policy: named.name.clone(),
        role,
        index: stmt.index,
        sid: stmt.sid.clone(),
        effect: stmt.effect,
        line: stmt.line,
        matched: mismatches.is_empty(),
        mismatches,
    }
}

fn principal_mismatch(p: &PrincipalBlock, req: &Request) -> Option<Mismatch> {
    if principal_matches(p, req.principal.as_ref()) {
        return None;
    }
    let expected: Vec<String> = if p.wildcard {
        vec!["*".to_string()]
    } else {
        p.entries
            .iter()
            .map(|e| format!("{} {}", e.kind.as_str(), e.value))
            .collect()
    };
    let given = req.principal.as_ref().map(|g| g.describe());
    let mut reason = match (&given, p.negated) {
        (None, _) => "the request names no principal".to_string(),
        (Some(g), false) => format!("{g} is not a principal this statement names"),
        (Some(g), true) => format!("{g} is excluded by NotPrincipal"),
    };
    // Say why a value that looks like a pattern did not match: it is not one.
    if let Some(e) = p.entries.iter().find(|e| is_partial_wildcard(&e.value)) {
        reason.push_str(&format!(
            "; the `*` in {} \"{}\" is not a wildcard (only \"*\" alone is), so that value matches no principal",
            e.kind.as_str(),
            e.value
        ));
    }
    Some(Mismatch::Principal {
        negated: p.negated,
        expected,
        given,
        line: p.line,
        reason,
    })
}

fn action_mismatch(block: &PatternBlock, action: &str) -> Option<Mismatch> {
    let hit = block
        .values
        .iter()
        .find(|v| glob_match(&v.value, action, true));
    let reason = match (block.negated, hit) {
        (false, None) => format!("action {action} is not covered by Action"),
        (true, Some(v)) => format!("action {action} is excluded by NotAction \"{}\"", v.value),
        _ => return None,
    };
    Some(Mismatch::Action {
        negated: block.negated,
        expected: block.texts().map(str::to_string).collect(),
        given: action.to_string(),
        line: block.line,
        reason,
    })
}

fn resource_mismatch(
    named: &NamedPolicy<'_>,
    block: &PatternBlock,
    req: &Request,
) -> Option<Mismatch> {
    let mut unresolved = Vec::new();
    let mut hit: Option<&str> = None;
    for v in &block.values {
        let s = substitute(&v.value, named.policy.version, &req.context);
        if !s.is_resolved() {
            unresolved.extend(s.unresolved);
            continue;
        }
        let covered = match &req.resource {
            Some(r) => arn_matches(&s.tokens, r),
            None => s.tokens == [GlobToken::Star],
        };
        if covered && hit.is_none() {
            hit = Some(&v.value);
        }
    }
    let vars = || {
        if unresolved.is_empty() {
            String::new()
        } else {
            format!(
                " (policy variable {} has no value in the request, so that pattern matches nothing)",
                unresolved.join(", ")
            )
        }
    };
    let reason = match (block.negated, hit, &req.resource) {
        (false, Some(_), _) => return None,
        (false, None, None) => format!(
            "the request names no resource and Resource is not \"*\"{}",
            vars()
        ),
        (false, None, Some(r)) => format!("resource {r} is not covered by Resource{}", vars()),
        (true, _, _) if !unresolved.is_empty() => format!(
            "NotResource cannot be applied: policy variable {} has no value in the request",
            unresolved.join(", ")
        ),
        (true, Some(p), Some(r)) => format!("resource {r} is excluded by NotResource \"{p}\""),
        (true, Some(_), None) => {
            "the request names no resource and NotResource excludes \"*\"".to_string()
        }
        (true, None, None) => {
            "the request names no resource, so NotResource cannot be checked".to_string()
        }
        (true, None, Some(_)) => return None,
    };
    Some(Mismatch::Resource {
        negated: block.negated,
        expected: block.texts().map(str::to_string).collect(),
        given: req.resource.clone(),
        line: block.line,
        reason,
    })
}
