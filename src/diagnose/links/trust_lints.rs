//! Security and quota lints on a trust policy that works: no `:sub` (any service account of the
//! cluster may assume the role), namespace-wide or cluster-wide wildcards, no `:aud`, a `*`
//! principal (field guide D25), and the 2,048-character trust policy quota (D26).

use super::trust_render::{line_evidence, statement_evidence};
use crate::model::chain::{Finding, Fix};
use crate::model::codes;
use crate::policy::{Policy, Statement};

/// IAM's default quota for a role trust policy, in characters without whitespace.
pub const TRUST_POLICY_QUOTA: usize = 2048;

pub fn irsa(object: &str, policy: &Policy, deciding: &[&Statement], issuer: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for st in deciding {
        if st.principal.as_ref().is_some_and(|p| p.wildcard || p.aws().any(|a| a == "*")) {
            out.push(
                Finding::warning(codes::TRUST_PRINCIPAL_WILDCARD, format!("{} trusts any principal (`*`)", st.describe()))
                    .evidence(statement_evidence(object, policy, st)),
            );
        }
        let sub_key = format!("{issuer}:sub");
        let subs: Vec<_> = st.conditions_on(&sub_key).collect();
        if subs.is_empty() {
            out.push(
                Finding::warning(codes::TRUST_NO_SUB_CONDITION, format!("{} has no `{sub_key}` condition: every service account in the cluster can assume this role", st.describe()))
                    .evidence(statement_evidence(object, policy, st))
                    .fix(Fix::new(format!("add `\"StringEquals\": {{\"{sub_key}\": \"system:serviceaccount:NAMESPACE:NAME\"}}`")))
                    .reference("D25"),
            );
        }
        for c in subs {
            for v in &c.values {
                let rest = v.strip_prefix("system:serviceaccount:").unwrap_or(v);
                let (ns, sa) = rest.split_once(':').unwrap_or((rest, ""));
                let wide = ns.contains(['*', '?']) || sa.contains(['*', '?']) || v == "*";
                if wide && c.operator.raw.contains("Like") {
                    let scope = if ns.contains(['*', '?']) || v == "*" { "service accounts in any namespace" } else { "every matching service account of the namespace" };
                    out.push(
                        Finding::warning(codes::TRUST_WIDE_WILDCARD, format!("`{v}` lets {scope} assume the role"))
                            .evidence(line_evidence(object, policy, format!("Statement[{}].Condition.{}.{}", st.index, c.operator.raw, c.key), v.clone(), c.line))
                            .fix(Fix::new("list the service accounts that need the role explicitly"))
                            .reference("D25"),
                    );
                }
            }
        }
        if st.conditions_on(&format!("{issuer}:aud")).next().is_none() {
            out.push(
                Finding::info(codes::TRUST_NO_AUD_CONDITION, format!("{} does not check `{issuer}:aud`; AWS recommends requiring `sts.amazonaws.com`", st.describe()))
                    .reference("D25"),
            );
        }
    }
    out
}

pub fn size(object: &str, policy: &Policy) -> Vec<Finding> {
    let len = policy.length;
    if len * 10 < TRUST_POLICY_QUOTA * 8 {
        return Vec::new();
    }
    vec![Finding::warning(
        codes::TRUST_SIZE_NEAR_LIMIT,
        format!("the trust policy is {len} of the {TRUST_POLICY_QUOTA} characters IAM allows by default (whitespace not counted): about one more IRSA statement fits; ask for a quota increase or use one role per workload"),
    )
    .evidence(line_evidence(object, policy, "AssumeRolePolicyDocument".into(), format!("{len} characters"), 1))
    .reference("D26")]
}
