//! Security and quota lints on a trust policy that works: no `:sub` (any service account of the
//! cluster may assume the role), namespace-wide or cluster-wide wildcards, no `:aud`, a `*`
//! principal (field guide D25), and the 2,048-character trust policy quota (D26).

use super::trust_render::{condition_evidence, line_evidence, statement_evidence};
use crate::model::chain::{Finding, Fix};
use crate::model::codes;
use crate::policy::{Policy, Statement, TRUST_POLICY_MAX_QUOTA};

/// IAM's default quota for a role trust policy, in characters without whitespace.
pub const TRUST_POLICY_QUOTA: usize = crate::policy::TRUST_POLICY_DEFAULT_QUOTA;

pub fn irsa(object: &str, policy: &Policy, deciding: &[&Statement], issuer: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for st in deciding {
        if st
            .principal
            .as_ref()
            .is_some_and(|p| p.wildcard || p.aws().any(|a| a == "*"))
        {
            out.push(
                Finding::warning(
                    codes::TRUST_PRINCIPAL_WILDCARD,
                    format!("{} trusts any principal (`*`)", st.describe()),
                )
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
                    let scope = if ns.contains(['*', '?']) || v == "*" {
                        "service accounts in any namespace"
                    } else {
                        "every matching service account of the namespace"
                    };
                    out.push(
                        Finding::warning(
                            codes::TRUST_WIDE_WILDCARD,
                            format!("`{v}` lets {scope} assume the role"),
                        )
                        .evidence(condition_evidence(
                            object,
                            policy,
                            st.index,
                            &c.operator.raw,
                            &c.key,
                            v.clone(),
                            c.line,
                        ))
                        .fix(Fix::new(
                            "list the service accounts that need the role explicitly",
                        ))
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
    // A stored policy above the default quota proves the account's quota was raised (to at
    // most TRUST_POLICY_MAX_QUOTA); measure the headroom against the quota that applies.
    let (quota, which) = if len > TRUST_POLICY_QUOTA {
        (
            TRUST_POLICY_MAX_QUOTA,
            format!(
                "the raised quota's maximum of {TRUST_POLICY_MAX_QUOTA} (the default is {TRUST_POLICY_QUOTA}, so this account's quota was increased)"
            ),
        )
    } else {
        (
            TRUST_POLICY_QUOTA,
            format!("the {TRUST_POLICY_QUOTA} IAM allows by default"),
        )
    };
    if len * 10 < quota * 8 {
        return Vec::new();
    }
    let per_statement = (len / policy.statements.len().max(1)).max(1);
    let room = match quota.saturating_sub(len) / per_statement {
        0 => "no further statement of this size fits".to_string(),
        n => format!("about {n} more statement(s) of this size fit"),
    };
    let advice = if quota == TRUST_POLICY_QUOTA {
        "ask for a quota increase or use one role per workload"
    } else {
        "no further increase is possible: split the role (one role per workload or cluster)"
    };
    vec![Finding::warning(
        codes::TRUST_SIZE_NEAR_LIMIT,
        format!("the trust policy is {len} characters (whitespace not counted) of {which}: {room}; {advice}"),
    )
    .evidence(line_evidence(object, policy, "AssumeRolePolicyDocument".into(), format!("{len} characters"), 1))
    .reference("D26")]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyKind, parse_policy};

    fn trust_with(statements: usize) -> Policy {
        let st = |i: usize| {
            format!(
                r#"{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789:sub":"system:serviceaccount:ns{i}:service-account-{i}","oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789:aud":"sts.amazonaws.com"}}}}}}"#
            )
        };
        let body: Vec<String> = (0..statements).map(st).collect();
        parse_policy(
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                body.join(",")
            ),
            PolicyKind::Trust,
        )
        .expect("valid trust policy")
    }

    #[test]
    fn size_is_measured_against_the_quota_that_applies() {
        assert!(size("t", &trust_with(1)).is_empty());
        let four = size("t", &trust_with(4));
        assert_eq!(four.len(), 1);
        assert!(
            four[0].message.contains("by default"),
            "{}",
            four[0].message
        );
        // Above 2,048 the quota was raised: the message must not claim it exceeds the default.
        let eight = trust_with(8);
        assert!(eight.length > TRUST_POLICY_QUOTA);
        let f = size("t", &eight);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("was increased"), "{}", f[0].message);
        assert!(
            size("t", &trust_with(5)).is_empty(),
            "5 statements are far from the 4,096 maximum"
        );
    }
}
