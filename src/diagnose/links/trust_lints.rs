//! Security and quota lints on a trust policy that works: no `:sub` (any service account of the
//! cluster may assume the role), namespace-wide or cluster-wide wildcards, no `:aud`, a `*`
//! principal (field guide D25), and the 2,048-character trust policy quota (D26). Also why a
//! statement never matches: a `*` inside a principal ARN (D22, D23), which the IRSA trust check
//! reports as the error when that statement was the workload's way in.

use super::trust_render::{condition_evidence, line_evidence, statement_evidence};
use crate::model::chain::{Finding, Fix, Severity};
use crate::model::codes;
use crate::policy::{Policy, Statement, TRUST_POLICY_MAX_QUOTA, is_partial_wildcard};

/// IAM's default quota for a role trust policy, in characters without whitespace.
pub const TRUST_POLICY_QUOTA: usize = crate::policy::TRUST_POLICY_DEFAULT_QUOTA;

pub fn irsa(object: &str, policy: &Policy, deciding: &[&Statement], issuer: &str) -> Vec<Finding> {
    // Another statement lets the workload in, so a starred principal breaks nothing here: it is
    // a warning that the statement does not do what it says (a Deny included).
    let mut out: Vec<Finding> = policy
        .statements
        .iter()
        .filter_map(|st| partial_wildcard(object, policy, st, Severity::Warning))
        .collect();
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
                    .fix(Fix::new(format!("add `\"StringEquals\": {{\"{sub_key}\": \"system:serviceaccount:<NAMESPACE>:<SERVICE_ACCOUNT>\"}}`")))
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

/// A statement whose Principal holds a value with a `*` inside, such as a Federated provider ARN
/// ending in `/id/*` (an attempt to trust every cluster, D23): IAM saves it, but "you cannot use
/// a wildcard to match part of a principal name or ARN", so the value matches no principal (D22).
/// `severity` is Error when this statement is why the workload is refused (the IRSA trust check
/// uses it to explain its denial) and Warning when another statement lets the workload in.
pub fn partial_wildcard(
    object: &str,
    policy: &Policy,
    st: &Statement,
    severity: Severity,
) -> Option<Finding> {
    let principal = st.principal.as_ref()?;
    let starred: Vec<_> = principal
        .entries
        .iter()
        .filter(|e| is_partial_wildcard(&e.value))
        .collect();
    if starred.is_empty() {
        return None;
    }
    let names = starred
        .iter()
        .map(|e| format!("{} `{}`", e.kind.as_str(), e.value))
        .collect::<Vec<_>>()
        .join(", ");
    let values = if starred.len() == 1 {
        "that value matches"
    } else {
        "those values match"
    };
    let outcome = if starred.len() == principal.entries.len() {
        "and the statement never applies"
    } else {
        "only its other principals can match"
    };
    let mut finding = Finding::new(
        codes::TRUST_PRINCIPAL_PARTIAL_WILDCARD,
        severity,
        format!(
            "{} names {names}: a `*` inside a principal is not a wildcard (only `\"*\"` alone is), so {values} no principal; {outcome}",
            st.describe()
        ),
    )
    .fix(Fix::new(
        "name every trusted principal in full; to trust several clusters, add one statement per cluster with its own provider ARN and condition keys",
    ))
    .reference("D22");
    for e in starred {
        finding = finding.evidence(line_evidence(
            object,
            policy,
            format!("Statement[{}].Principal.{}", st.index, e.kind.as_str()),
            e.value.clone(),
            e.line,
        ));
    }
    Some(finding)
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
        n => format!(
            "about {} of this size {}",
            crate::model::words::count(n, "more statement", "more statements"),
            crate::model::words::noun(n, "fits", "fit")
        ),
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

    const ISSUER: &str = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789";
    const STARRED: &str =
        "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/*";

    /// An IRSA statement for shop/cart whose Principal holds `federated` (a JSON value).
    fn cart_statement(federated: &str) -> String {
        format!(
            r#"{{"Effect":"Allow","Principal":{{"Federated":{federated}}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{ISSUER}:sub":"system:serviceaccount:shop:cart","{ISSUER}:aud":"sts.amazonaws.com"}}}}}}"#
        )
    }

    fn trust_of(statements: &[String]) -> String {
        format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[\n{}\n]}}",
            statements.join(",\n")
        )
    }

    fn parse_trust(text: &str) -> Policy {
        parse_policy(text, PolicyKind::Trust).expect("IAM saves a starred Federated principal")
    }

    #[test]
    fn a_starred_principal_is_named_with_its_line_and_the_caller_picks_the_severity() {
        let exact = format!("arn:aws:iam::111122223333:oidc-provider/{ISSUER}");
        let policy = parse_trust(&trust_of(&[
            cart_statement(&format!("\"{exact}\"")),
            cart_statement(&format!("\"{STARRED}\"")),
            cart_statement(&format!("[\"{exact}\",\"{STARRED}\"]")),
        ]));
        assert!(partial_wildcard("t", &policy, &policy.statements[0], Severity::Error).is_none());

        let alone = partial_wildcard("t", &policy, &policy.statements[1], Severity::Error)
            .expect("statement 1 names a starred provider");
        assert_eq!(alone.code, codes::TRUST_PRINCIPAL_PARTIAL_WILDCARD);
        assert_eq!(alone.severity, Severity::Error);
        assert!(
            alone.message.contains("is not a wildcard"),
            "{}",
            alone.message
        );
        assert!(alone.message.contains("never applies"), "{}", alone.message);
        let ev = &alone.evidence[0];
        assert_eq!(
            ev.field.as_deref(),
            Some("Statement[1].Principal.Federated")
        );
        assert_eq!(ev.value.as_deref(), Some(STARRED));
        assert_eq!(
            ev.lines,
            Some((3, 3)),
            "the principal is on the statement's line"
        );

        let mixed = partial_wildcard("t", &policy, &policy.statements[2], Severity::Warning)
            .expect("statement 2 names a starred provider too");
        assert_eq!(mixed.severity, Severity::Warning);
        assert!(
            mixed
                .message
                .contains("only its other principals can match"),
            "{}",
            mixed.message
        );
    }

    #[test]
    fn when_another_statement_lets_the_workload_in_a_starred_one_is_a_warning() {
        let exact = format!("arn:aws:iam::111122223333:oidc-provider/{ISSUER}");
        let policy = parse_trust(&trust_of(&[
            cart_statement(&format!("\"{exact}\"")),
            cart_statement(&format!("\"{STARRED}\"")),
        ]));
        let deciding = [&policy.statements[0]];
        let found: Vec<_> = irsa("t", &policy, &deciding, ISSUER)
            .into_iter()
            .filter(|f| f.code == codes::TRUST_PRINCIPAL_PARTIAL_WILDCARD)
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(
            found[0].message.starts_with("statement 1"),
            "{}",
            found[0].message
        );
    }

    /// Through the whole diagnosis: the trust link of a workload whose only way in is a starred
    /// provider is broken by this finding (not by "another cluster" or "no matching statement"),
    /// and the same statement next to a working one only warns.
    #[test]
    fn the_irsa_trust_link_reports_the_starred_provider_as_the_reason() {
        use crate::diagnose::{Selection, diagnose};
        use crate::model::chain::{LinkName, Status};
        use crate::model::snapshot::{SourceInfo, SourceKind};
        use crate::sources::bundle::load_files;

        let exact = format!("arn:aws:iam::111122223333:oidc-provider/{ISSUER}");
        let trust_link = |statements: &[String]| {
            let trust = trust_of(statements);
            let files = [
                format!(
                    r#"{{"cluster": {{"name": "c1", "arn": "arn:aws:eks:eu-west-1:111122223333:cluster/c1", "identity": {{"oidc": {{"issuer": "https://{ISSUER}"}}}}, "status": "ACTIVE"}}}}"#
                ),
                format!(
                    r#"{{"RoleDetailList": [{{"Path": "/", "RoleName": "cart", "Arn": "arn:aws:iam::111122223333:role/cart", "AssumeRolePolicyDocument": {trust}, "RolePolicyList": [], "AttachedManagedPolicies": []}}], "Policies": []}}"#
                ),
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: cart\n  namespace: shop\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/cart\n".to_string(),
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: cart-1\n  namespace: shop\nspec:\n  serviceAccountName: cart\n  containers:\n  - name: app\n    image: app:1\n".to_string(),
            ];
            let files = files
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("f{i}"), t.clone().into_bytes()))
                .collect();
            let source = SourceInfo {
                kind: SourceKind::Offline,
                description: "test".into(),
                context: None,
                region: None,
            };
            let snap = load_files(source, files).expect("bundle loads");
            let report = diagnose(&snap, &Selection::default()).expect("diagnosis runs");
            let w = report
                .workloads
                .into_iter()
                .find(|w| w.service_account == "cart")
                .expect("the cart workload");
            w.link(LinkName::Trust).cloned().expect("a trust link")
        };

        let broken = trust_link(&[cart_statement(&format!("\"{STARRED}\""))]);
        assert_eq!(broken.status, Status::Broken);
        let codes_seen: Vec<_> = broken.findings.iter().map(|f| f.code).collect();
        assert!(
            codes_seen.contains(&codes::TRUST_PRINCIPAL_PARTIAL_WILDCARD),
            "{codes_seen:?}"
        );
        assert!(
            !codes_seen.contains(&codes::TRUST_PROVIDER_MISMATCH),
            "a starred provider is not another cluster's: {codes_seen:?}"
        );

        let works = trust_link(&[
            cart_statement(&format!("\"{exact}\"")),
            cart_statement(&format!("\"{STARRED}\"")),
        ]);
        assert_eq!(works.status, Status::Warning, "{:?}", works.findings);
        assert!(
            works
                .findings
                .iter()
                .any(|f| f.code == codes::TRUST_PRINCIPAL_PARTIAL_WILDCARD
                    && f.severity == Severity::Warning)
        );
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
