//! The fixes of the IRSA `trust` link: the whole new trust document for
//! `update-assume-role-policy`, proved to let the service account in
//! ([`super::fix_document::trust_fix`]). An implicit deny gets the subject added to the `:sub`
//! condition of a statement that fails on it alone, else the service account's own statement;
//! an explicit deny gets the document without the denying statements.

use super::fix_document::{self, Candidate, Edit};
use super::trust_irsa::Expect;
use super::trust_render as render;
use crate::model::aws::IamRole;
use crate::model::chain::Fix;
use crate::policy::{Mismatch, Policy, Request, Statement};

impl Expect<'_> {
    /// The statement that trusts this service account, as AWS documents it.
    pub(super) fn statement(&self) -> serde_json::Value {
        render::irsa_statement(
            &self.provider_arn,
            self.issuer,
            &self.subject,
            self.audience,
        )
    }
}

/// The fix of an explicit deny: the trust policy without the denying statements (and with the
/// service account's statement when no other one lets it in), proved to let `request` in.
pub(super) fn deny_fix(
    role: &IamRole,
    policy: &Policy,
    request: &Request,
    expect: &Expect,
    deciding: &[crate::policy::StatementRef],
) -> Fix {
    let words = "remove or narrow the Deny statement";
    let removed: Vec<String> = deciding
        .iter()
        .filter_map(|r| policy.statements.get(r.index))
        .map(Statement::describe)
        .collect();
    let remove: Vec<Edit> = deciding
        .iter()
        .map(|r| Edit::RemoveStatement(r.index))
        .collect();
    let without = format!(
        "{words}; the command writes the trust policy without {}",
        removed.join(" and ")
    );
    let statement = expect.statement();
    let mut and_allow = remove.clone();
    and_allow.push(Edit::AddStatement(statement.clone()));
    let candidates = [
        Candidate::new(without.clone(), remove),
        Candidate::new(
            format!(
                "{without}, and with this statement added: {}",
                render::statement_text(&statement)
            ),
            and_allow,
        ),
    ];
    fix_document::trust_fix(&role.name, policy, request, &candidates)
        .unwrap_or_else(|| Fix::new(words))
}

/// The subject added to the `:sub` condition of a statement that fails on it alone (a typo,
/// a wildcard under StringEquals, another service account): the smallest change that lets the
/// service account in.
fn subject_candidate(
    st: &Statement,
    trace: &crate::policy::StatementTrace,
    expect: &Expect,
) -> Option<Candidate> {
    let sub_key = format!("{}:sub", expect.issuer);
    let mut failing = trace.mismatches.iter().map(|m| match m {
        Mismatch::Condition(cf)
            if cf.key.eq_ignore_ascii_case(&sub_key)
                && matches!(cf.operator.as_str(), "StringEquals" | "StringLike") =>
        {
            Some(cf)
        }
        _ => None,
    });
    let cf = failing.next()??;
    if failing.any(|other| other.is_none_or(|o| o.key != cf.key || o.operator != cf.operator)) {
        return None;
    }
    Some(Candidate::new(
        format!(
            "add `{}` to the `{}` values of {}",
            expect.subject,
            cf.key,
            st.describe()
        ),
        vec![Edit::AddConditionValue {
            statement: st.index,
            operator: cf.operator.clone(),
            key: cf.key.clone(),
            value: expect.subject.clone(),
        }],
    ))
}

/// The fix of an implicit deny, proved to let `request` in: the subject added to a statement
/// that fails on it alone, else the service account's own statement added.
pub(super) fn allow_fix(
    role: &IamRole,
    policy: &Policy,
    request: &Request,
    expect: &Expect,
    candidates: &[(&Statement, &crate::policy::StatementTrace)],
) -> Fix {
    let statement = expect.statement();
    let add = format!(
        "add this statement to the trust policy: {}",
        render::statement_text(&statement)
    );
    let mut ways: Vec<Candidate> = candidates
        .iter()
        .filter_map(|(st, trace)| subject_candidate(st, trace, expect))
        .collect();
    ways.push(Candidate::new(
        add.clone(),
        vec![Edit::AddStatement(statement)],
    ));
    fix_document::trust_fix(&role.name, policy, request, &ways).unwrap_or_else(|| Fix::new(add))
}

/// When another role's trust names this service account exactly, which role it should use
/// is ambiguous (issue 11: "the annotation and the trust disagree about which role"): each
/// error's fix becomes two ways, adding the service account to the annotated role's trust
/// (the fix as it was) or pointing the annotation at the role that trusts it.
pub(super) fn with_trusting_roles(
    ctx: &crate::diagnose::context::Ctx,
    role: &IamRole,
    findings: Vec<crate::model::chain::Finding>,
) -> Vec<crate::model::chain::Finding> {
    use crate::model::chain::{FixChoice, Severity};
    use crate::model::plan::Change;
    let mut others: Vec<&str> = ctx
        .ix
        .roles_trusting(&ctx.namespace, &ctx.sa_name)
        .into_iter()
        .filter(|t| !t.pod_identity && !t.subject.contains(['*', '?']) && t.role_arn != role.arn)
        .map(|t| t.role_arn.as_str())
        .filter(|arn| crate::model::arn::RoleArn::parse(arn).is_ok())
        .collect();
    others.sort_unstable();
    others.dedup();
    if others.is_empty() {
        return findings;
    }
    let sa = ctx.sa_display();
    findings
        .into_iter()
        .map(|mut f| {
            let Some(fix) = f.fix.as_mut().filter(|_| f.severity == Severity::Error) else {
                return f;
            };
            let mut choices = Vec::new();
            if !fix.changes.is_empty() {
                choices.push(FixChoice {
                    meaning: format!(
                        "add {sa} to the trust of {} (the role the annotation names)",
                        role.name
                    ),
                    changes: std::mem::take(&mut fix.changes),
                });
            }
            for arn in &others {
                let annotate = Change::AnnotateServiceAccount {
                    namespace: ctx.namespace.clone(),
                    name: ctx.sa_name.clone(),
                    key: crate::diagnose::k8s::ROLE_ARN_ANNOTATION.to_string(),
                    value: Some(arn.to_string()),
                };
                let restart = crate::diagnose::k8s::with_restart(
                    Fix::new(""),
                    ctx.workload.id.kind,
                    &ctx.namespace,
                    &ctx.workload.id.name,
                );
                let mut changes = vec![annotate];
                changes.extend(restart.changes);
                choices.push(FixChoice {
                    meaning: format!("point the annotation at {arn}, whose trust names {sa}"),
                    changes,
                });
            }
            fix.summary.push_str(&format!(
                "; or point the annotation at {}, whose trust names this service account",
                others.join(" or ")
            ));
            fix.choices = choices;
            f
        })
        .collect()
}
