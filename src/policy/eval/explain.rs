//! The human sentences of an evaluation: per action, which statement decided and why, and for an
//! implicit deny the closest statement with everything that kept it from matching.
//!
//! Pure text building from traces; to change wording, change it here only (tests match on a few
//! key phrases: "explicitly denied", "implicitly denied", "permissions boundary").

use crate::policy::document::Effect;
use crate::policy::trace::{
    ActionEvaluation, Decision, Mismatch, PolicyRole, StatementRef, StatementTrace,
};

/// One mismatch as a sentence fragment, e.g.
/// `condition StringEquals "k": request value "x" matches none of "y"`.
pub fn describe_mismatch(m: &Mismatch) -> String {
    match m {
        Mismatch::Principal {
            reason, expected, ..
        } => format!("{reason} (the statement names {})", expected.join(", ")),
        Mismatch::Action {
            reason, expected, ..
        } => format!("{reason} [{}]", expected.join(", ")),
        Mismatch::Resource {
            reason, expected, ..
        } => format!("{reason} [{}]", expected.join(", ")),
        Mismatch::Condition(f) => format!(
            "condition {} \"{}\" (line {}): {}",
            f.operator, f.key, f.line, f.reason
        ),
    }
}

fn label(policy: &str, index: usize, sid: Option<&str>, line: u32) -> String {
    match sid {
        Some(s) if !s.is_empty() => {
            format!("{policy} statement {index} (Sid \"{s}\", line {line})")
        }
        _ => format!("{policy} statement {index} (line {line})"),
    }
}

fn ref_label(r: &StatementRef) -> String {
    label(&r.policy, r.index, r.sid.as_deref(), r.line)
}

fn refs_label(refs: &[StatementRef]) -> String {
    refs.iter().map(ref_label).collect::<Vec<_>>().join(" and ")
}

/// The Allow statement that came closest to matching, with what kept it from matching.
fn closest(traces: &[StatementTrace], role: PolicyRole) -> Option<String> {
    let best = traces
        .iter()
        .filter(|t| t.role == role && t.effect == Effect::Allow && !t.matched)
        .min_by_key(|t| {
            let action_off = t
                .mismatches
                .iter()
                .any(|m| matches!(m, Mismatch::Action { .. }));
            (action_off, t.mismatches.len())
        })?;
    let why = best
        .mismatches
        .iter()
        .map(describe_mismatch)
        .collect::<Vec<_>>()
        .join("; ");
    Some(format!(
        "Closest: {}: {why}.",
        label(&best.policy, best.index, best.sid.as_deref(), best.line)
    ))
}

fn denied(action: &str, deciding: &[StatementRef]) -> String {
    format!(
        "{action} is explicitly denied by {}; an explicit Deny overrides every Allow.",
        refs_label(deciding)
    )
}

pub(super) fn trust(
    action: &str,
    decision: Decision,
    deciding: &[StatementRef],
    traces: &[StatementTrace],
) -> String {
    match decision {
        Decision::ExplicitDeny => denied(action, deciding),
        Decision::Allow => format!("{action} is allowed by {}.", refs_label(deciding)),
        Decision::ImplicitDeny => {
            let head = format!(
                "{action} is implicitly denied: no Allow statement of the trust policy matches."
            );
            match closest(traces, PolicyRole::Trust) {
                Some(c) => format!("{head} {c}"),
                None => format!(
                    "{action} is implicitly denied: the trust policy has no Allow statement."
                ),
            }
        }
    }
}

/// What [`identity`] needs to explain one action.
pub(super) struct IdentityFacts<'a> {
    pub action: &'a str,
    pub decision: Decision,
    pub deciding: &'a [StatementRef],
    pub identity: &'a [StatementTrace],
    pub identity_allows: &'a [StatementRef],
    pub boundary: Option<&'a str>,
    pub boundary_allowed: Option<bool>,
    pub session: Option<&'a str>,
    pub session_allowed: Option<bool>,
    pub policy_count: usize,
}

pub(super) fn identity(f: &IdentityFacts<'_>) -> String {
    let action = f.action;
    match f.decision {
        Decision::ExplicitDeny => denied(action, f.deciding),
        Decision::Allow => {
            let mut s = format!("{action} is allowed by {}", refs_label(f.identity_allows));
            if let Some(b) = f.boundary {
                s.push_str(&format!(", within the permissions boundary {b}"));
            }
            if let Some(p) = f.session {
                s.push_str(&format!(", within the session policy {p}"));
            }
            s.push('.');
            s
        }
        Decision::ImplicitDeny if f.policy_count == 0 => {
            format!(
                "{action} is implicitly denied: no identity policy was given, so nothing allows it."
            )
        }
        Decision::ImplicitDeny if f.identity_allows.is_empty() => {
            let head =
                format!("{action} is implicitly denied: no identity policy statement allows it.");
            match closest(f.identity, PolicyRole::Identity) {
                Some(c) => format!("{head} {c}"),
                None => format!("{head} There is no Allow statement at all."),
            }
        }
        Decision::ImplicitDeny => {
            let allowed_by = refs_label(f.identity_allows);
            let mut parts = Vec::new();
            if let (Some(b), Some(false)) = (f.boundary, f.boundary_allowed) {
                parts.push(format!(
                    "the permissions boundary {b} does not allow it (a boundary caps the permissions: the action must be allowed by both)"
                ));
            }
            if let (Some(p), Some(false)) = (f.session, f.session_allowed) {
                parts.push(format!(
                    "the session policy {p} does not allow it (effective permissions are the intersection of the role's policies and the session policy)"
                ));
            }
            format!(
                "{action} is implicitly denied: it is allowed by {allowed_by}, but {}.",
                parts.join(", and ")
            )
        }
    }
}

pub(super) fn decision_words(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allowed",
        Decision::ImplicitDeny => "implicitly denied",
        Decision::ExplicitDeny => "explicitly denied",
    }
}

pub(super) fn summary(decision: Decision, actions: &[ActionEvaluation]) -> String {
    match actions {
        [] => "implicitly denied: the request names no action".to_string(),
        [one] => format!("{}: {}", one.action, decision_words(one.decision)),
        many => {
            let each = many
                .iter()
                .map(|a| format!("{} {}", a.action, decision_words(a.decision)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{}: {each}", decision_words(decision))
        }
    }
}
