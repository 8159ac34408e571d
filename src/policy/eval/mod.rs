//! Combining statements into a decision, with AWS's documented logic ("Policy evaluation logic"):
//! an explicit Deny in any policy wins; otherwise the identity policies (a union) must allow,
//! and so must the permissions boundary and the session policy when given (each an
//! intersection); otherwise the request is implicitly denied. A role's trust policy is evaluated
//! alone (it is the resource-based policy of the role).
//!
//! Several actions are evaluated separately and the overall decision is the worst of them.
//! Per-statement matching is in [`statement`]; the sentences in [`explain`].

mod explain;
mod statement;

pub use explain::describe_mismatch;

use super::document::{Effect, Policy};
use super::request::Request;
use super::trace::{
    ActionEvaluation, Decision, Evaluation, PolicyRole, StatementRef, StatementTrace,
};

/// A policy with the name the caller knows it by (a file name, `role/inline:sqs-send`, ...).
#[derive(Debug, Clone)]
pub struct NamedPolicy<'a> {
    pub name: String,
    pub policy: &'a Policy,
}

impl<'a> NamedPolicy<'a> {
    pub fn new(name: impl Into<String>, policy: &'a Policy) -> Self {
        NamedPolicy {
            name: name.into(),
            policy,
        }
    }
}

/// The traces of one policy layer and the statements in it that matched.
struct Layer {
    traces: Vec<StatementTrace>,
    allows: Vec<StatementRef>,
    denies: Vec<StatementRef>,
}

fn layer(policies: &[NamedPolicy<'_>], role: PolicyRole, action: &str, req: &Request) -> Layer {
    let traces: Vec<StatementTrace> = policies
        .iter()
        .flat_map(|p| {
            p.policy
                .statements
                .iter()
                .map(move |s| statement::trace_statement(p, role, s, action, req))
        })
        .collect();
    let pick = |effect: Effect| {
        traces
            .iter()
            .filter(|t| t.matched && t.effect == effect)
            .map(StatementTrace::to_ref)
            .collect::<Vec<_>>()
    };
    Layer {
        allows: pick(Effect::Allow),
        denies: pick(Effect::Deny),
        traces,
    }
}

/// Evaluate a role's trust policy: may this principal perform these actions on the role?
pub fn evaluate_trust(trust: &NamedPolicy<'_>, req: &Request) -> Evaluation {
    let actions = req
        .actions
        .iter()
        .map(|action| {
            let l = layer(std::slice::from_ref(trust), PolicyRole::Trust, action, req);
            let (decision, deciding) = if !l.denies.is_empty() {
                (Decision::ExplicitDeny, l.denies)
            } else if !l.allows.is_empty() {
                (Decision::Allow, l.allows)
            } else {
                (Decision::ImplicitDeny, Vec::new())
            };
            let explanation = explain::trust(action, decision, &deciding, &l.traces);
            ActionEvaluation {
                action: action.clone(),
                decision,
                statements: l.traces,
                deciding,
                boundary_allowed: None,
                session_allowed: None,
                explanation,
            }
        })
        .collect();
    finish(actions)
}

/// Evaluate identity-based permissions: the union of `policies`, intersected with the
/// permissions `boundary` and the `session` policy when given.
pub fn evaluate_identity(
    policies: &[NamedPolicy<'_>],
    boundary: Option<&NamedPolicy<'_>>,
    session: Option<&NamedPolicy<'_>>,
    req: &Request,
) -> Evaluation {
    let actions = req
        .actions
        .iter()
        .map(|action| {
            let id = layer(policies, PolicyRole::Identity, action, req);
            let b =
                boundary.map(|b| layer(std::slice::from_ref(b), PolicyRole::Boundary, action, req));
            let s =
                session.map(|s| layer(std::slice::from_ref(s), PolicyRole::Session, action, req));
            let boundary_allowed = b.as_ref().map(|l| !l.allows.is_empty());
            let session_allowed = s.as_ref().map(|l| !l.allows.is_empty());
            let layers = || std::iter::once(&id).chain(b.iter()).chain(s.iter());
            let denies: Vec<StatementRef> =
                layers().flat_map(|l| l.denies.iter().cloned()).collect();
            let identity_allowed = !id.allows.is_empty();
            let (decision, deciding) = if !denies.is_empty() {
                (Decision::ExplicitDeny, denies)
            } else if identity_allowed
                && boundary_allowed != Some(false)
                && session_allowed != Some(false)
            {
                (
                    Decision::Allow,
                    layers().flat_map(|l| l.allows.iter().cloned()).collect(),
                )
            } else {
                (Decision::ImplicitDeny, Vec::new())
            };
            let explanation = explain::identity(&explain::IdentityFacts {
                action,
                decision,
                deciding: &deciding,
                identity: &id.traces,
                identity_allows: &id.allows,
                boundary: boundary.map(|b| b.name.as_str()),
                boundary_allowed,
                session: session.map(|s| s.name.as_str()),
                session_allowed,
                policy_count: policies.len(),
            });
            let statements = layers().flat_map(|l| l.traces.iter().cloned()).collect();
            ActionEvaluation {
                action: action.clone(),
                decision,
                statements,
                deciding,
                boundary_allowed,
                session_allowed,
                explanation,
            }
        })
        .collect();
    finish(actions)
}

fn finish(actions: Vec<ActionEvaluation>) -> Evaluation {
    let decision = actions
        .iter()
        .map(|a| a.decision)
        .max()
        .unwrap_or(Decision::ImplicitDeny);
    let summary = explain::summary(decision, &actions);
    Evaluation {
        decision,
        summary,
        actions,
    }
}
