//! The IRSA `trust` link: evaluates the role's trust policy for exactly what STS will see
//! (Federated = the cluster's provider in the role's account, action
//! sts:AssumeRoleWithWebIdentity, `ISSUER:sub` = system:serviceaccount:NS:SA, `ISSUER:aud`) and,
//! when it denies, explains the closest statement's failures in the terms of the field guide:
//! wrong provider or host (D22), `:sub` typo (D19), wildcard under StringEquals (D20), `:aud`
//! for `:sub` (D21), issuers ANDed (D23), wrong action, explicit deny. The fixes (whole new
//! trust documents) are built in `trust_irsa_fix`.

use super::trust_irsa_fix::{allow_fix, deny_fix};
use super::trust_lints;
use super::trust_render::{self as render, line_evidence, statement_evidence, trust_object};
use crate::diagnose::context::Ctx;
use crate::diagnose::suggest;
use crate::model::CommandLine;
use crate::model::arn::{self, RoleArn};
use crate::model::aws::IamRole;
use crate::model::chain::{Finding, LinkName, LinkReport, Severity};
use crate::model::codes;
use crate::policy::{
    ConditionFailure, Decision, Effect, Mismatch, NamedPolicy, OperatorFamily, Policy, Request,
    RequestContext, RequestPrincipal, Statement, evaluate_trust,
};

pub const WEB_IDENTITY_ACTION: &str = "sts:AssumeRoleWithWebIdentity";

/// What STS sees for this workload.
pub(super) struct Expect<'e> {
    pub(super) provider_arn: String,
    pub(super) issuer: &'e str,
    pub(super) subject: String,
    pub(super) audience: &'e str,
}

pub fn check(ctx: &Ctx, role: &IamRole, role_arn: &RoleArn, audience: &str) -> LinkReport {
    let link = LinkName::Trust;
    let object = trust_object(&role.name);
    let parsed = match render::load_trust(ctx, role, &object) {
        Ok(p) => p,
        Err(report) => return report,
    };
    let Ok(policy) = &parsed.result else {
        return LinkReport::from_findings(link, "invalid trust policy", Vec::new());
    };
    let Some(issuer) = ctx.ix.cluster.as_ref().and_then(|c| c.issuer.as_deref()) else {
        return LinkReport::from_findings(
            link,
            "cluster issuer unknown",
            vec![Finding::unknown(
                codes::CLUSTER_NOT_COLLECTED,
                format!(
                    "the cluster's OIDC issuer is needed to evaluate the trust policy; collect `{}`",
                    CommandLine::aws(["eks", "describe-cluster", "--name", &ctx.cluster_name()])
                ),
            )],
        );
    };
    let expect = Expect {
        provider_arn: arn::oidc_provider_arn(&role_arn.partition, &role_arn.account, issuer),
        issuer,
        subject: ctx.subject(),
        audience,
    };
    let request = Request::new()
        .principal(RequestPrincipal::Federated(expect.provider_arn.clone()))
        .action(WEB_IDENTITY_ACTION)
        .context(
            RequestContext::new()
                .with(format!("{issuer}:sub"), expect.subject.clone())
                .with(format!("{issuer}:aud"), audience.to_string())
                .with("aws:FederatedProvider", expect.provider_arn.clone()),
        );
    let eval = evaluate_trust(&NamedPolicy::new(object.clone(), policy), &request);
    let Some(action) = eval.actions.first() else {
        return LinkReport::from_findings(link, "not evaluated", Vec::new());
    };
    let mut findings = Vec::new();
    match eval.decision {
        Decision::Allow => {
            let deciding: Vec<&Statement> = action
                .deciding
                .iter()
                .filter_map(|r| policy.statements.get(r.index))
                .collect();
            findings.extend(trust_lints::irsa(&object, policy, &deciding, issuer));
        }
        Decision::ExplicitDeny => {
            let fix = deny_fix(role, policy, &request, &expect, &action.deciding);
            for r in &action.deciding {
                if let Some(st) = policy.statements.get(r.index) {
                    findings.push(
                        Finding::error(
                            codes::TRUST_EXPLICIT_DENY,
                            format!(
                                "{} denies {} to {}",
                                st.describe(),
                                WEB_IDENTITY_ACTION,
                                expect.subject
                            ),
                        )
                        .evidence(statement_evidence(&object, policy, st))
                        .fix(fix.clone()),
                    );
                }
            }
        }
        Decision::ImplicitDeny => findings.extend(super::trust_irsa_fix::with_trusting_roles(
            ctx,
            role,
            explain_denial(&object, role, policy, &action.statements, &expect, &request),
        )),
    }
    findings.extend(trust_lints::size(&object, policy));
    let summary = match eval.decision {
        Decision::Allow => format!("allows {}", expect.subject),
        _ => format!("does not let {} assume {}", expect.subject, role.name),
    };
    LinkReport::from_findings(link, summary, findings)
}

fn is_web_identity_statement(st: &Statement) -> bool {
    st.effect == Effect::Allow
        && (st
            .principal
            .as_ref()
            .is_some_and(|p| p.federated().next().is_some())
            || st
                .action
                .texts()
                .any(|a| a.eq_ignore_ascii_case(WEB_IDENTITY_ACTION)))
}

fn explain_denial(
    object: &str,
    role: &IamRole,
    policy: &Policy,
    traces: &[crate::policy::StatementTrace],
    expect: &Expect,
    request: &Request,
) -> Vec<Finding> {
    let candidates: Vec<(&Statement, &crate::policy::StatementTrace)> = traces
        .iter()
        .filter_map(|t| policy.statements.get(t.index).map(|s| (s, t)))
        .filter(|(s, _)| is_web_identity_statement(s))
        .collect();
    let fix = allow_fix(role, policy, request, expect, &candidates);
    if candidates.is_empty() {
        let trusts_pods = policy.statements.iter().any(|s| {
            s.principal
                .as_ref()
                .is_some_and(|p| p.services().any(|v| v == "pods.eks.amazonaws.com"))
        });
        let what = if trusts_pods {
            "it trusts only EKS Pod Identity (pods.eks.amazonaws.com): create a pod identity association instead of the annotation, or add an IRSA statement"
        } else {
            "it has no statement for web identity federation"
        };
        return vec![
            Finding::error(
                codes::TRUST_NO_MATCHING_STATEMENT,
                format!(
                    "the trust policy of {} cannot be used with IRSA: {what}",
                    role.name
                ),
            )
            .evidence(render::line_evidence(
                object,
                policy,
                "Statement".into(),
                crate::model::words::count(policy.statements.len(), "statement", "statements"),
                1,
            ))
            .fix(fix),
        ];
    }
    let mut best: Option<Vec<Finding>> = None;
    for (st, trace) in candidates {
        let named = wrongly_named_providers(st, trace);
        let found: Vec<Finding> = trace
            .mismatches
            .iter()
            .filter(|m| !matches!(m, Mismatch::Condition(cf) if cf.key.rsplit_once(':').is_some_and(|(p, _)| named.contains(&p.to_ascii_lowercase()))))
            .filter_map(|m| explain_mismatch(object, policy, st, m, expect))
            .map(|f| f.fix(fix.clone()))
            .collect();
        let found = dedupe_codes(found);
        if best.as_ref().is_none_or(|b| found.len() < b.len()) && !found.is_empty() {
            best = Some(found);
        }
    }
    best.unwrap_or_else(|| {
        vec![
            Finding::error(
                codes::TRUST_NO_MATCHING_STATEMENT,
                format!("no statement lets {} assume {}", expect.subject, role.name),
            )
            .fix(fix),
        ]
    })
}

/// Hosts of the providers a statement's Principal names when the Principal itself does not
/// match: condition keys on those hosts fail for the same reason (D22), so they are not
/// reported a second time.
fn wrongly_named_providers(st: &Statement, trace: &crate::policy::StatementTrace) -> Vec<String> {
    if !trace
        .mismatches
        .iter()
        .any(|m| matches!(m, Mismatch::Principal { .. }))
    {
        return Vec::new();
    }
    st.principal
        .iter()
        .flat_map(|p| p.federated())
        .filter_map(arn::oidc_provider_url)
        .map(|u| u.to_ascii_lowercase())
        .collect()
}

fn dedupe_codes(mut v: Vec<Finding>) -> Vec<Finding> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|f| seen.insert((f.code, f.message.clone())));
    v
}

fn explain_mismatch(
    object: &str,
    policy: &Policy,
    st: &Statement,
    m: &Mismatch,
    e: &Expect,
) -> Option<Finding> {
    match m {
        Mismatch::Principal { expected, line, .. } => Some(
            trust_lints::partial_wildcard(object, policy, st, Severity::Error)
                .unwrap_or_else(|| principal_finding(object, policy, st, expected, *line, e)),
        ),
        Mismatch::Action { expected, line, .. } => Some(
            Finding::error(
                codes::TRUST_WRONG_ACTION,
                format!(
                    "{} allows {} but web identity federation needs `{WEB_IDENTITY_ACTION}`",
                    st.describe(),
                    expected.join(", ")
                ),
            )
            .evidence(line_evidence(
                object,
                policy,
                format!("Statement[{}].Action", st.index),
                expected.join(", "),
                *line,
            ))
            .reference("D25"),
        ),
        Mismatch::Resource { .. } => None,
        Mismatch::Condition(cf) => Some(condition_finding(object, policy, st, cf, e)),
    }
}

fn principal_finding(
    object: &str,
    policy: &Policy,
    st: &Statement,
    expected: &[String],
    line: u32,
    e: &Expect,
) -> Finding {
    let ev = line_evidence(
        object,
        policy,
        format!("Statement[{}].Principal", st.index),
        expected.join(", "),
        line,
    );
    let federated: Vec<&str> = st.principal.iter().flat_map(|p| p.federated()).collect();
    let (want_url, want_account) = (
        e.issuer,
        arn::oidc_provider_account(&e.provider_arn).unwrap_or_default(),
    );
    for f in &federated {
        let Some(url) = arn::oidc_provider_url(f) else {
            continue;
        };
        let account = arn::oidc_provider_account(f).unwrap_or_default();
        let well_formed = url.starts_with("oidc.eks.") && url.contains("/id/");
        let (code, why) = if !well_formed {
            (
                codes::TRUST_PROVIDER_MALFORMED,
                format!(
                    "the provider host `{url}` is not an EKS issuer (expected `{want_url}`: `oidc.eks.REGION.amazonaws.com/id/ID`)"
                ),
            )
        } else if url == want_url && account != want_account {
            (
                codes::TRUST_PROVIDER_MISMATCH,
                format!(
                    "it names the provider in account {account}, but the role is in {want_account}: STS looks the provider up in the role's account"
                ),
            )
        } else if url == want_url {
            (
                codes::TRUST_PROVIDER_MISMATCH,
                format!(
                    "it names `{f}` but STS presents `{}` (the partition differs)",
                    e.provider_arn
                ),
            )
        } else if arn::issuer_region(url) != arn::issuer_region(want_url) {
            (
                codes::TRUST_PROVIDER_MISMATCH,
                format!(
                    "it names the provider of a cluster in {} (`{url}`), this cluster's issuer is `{want_url}`",
                    arn::issuer_region(url).unwrap_or("?")
                ),
            )
        } else {
            (
                codes::TRUST_PROVIDER_MISMATCH,
                format!(
                    "it names provider `{url}` (another cluster), this cluster's issuer is `{want_url}`"
                ),
            )
        };
        return Finding::error(
            code,
            format!("{} trusts another OIDC provider: {why}", st.describe()),
        )
        .evidence(ev)
        .reference("D22");
    }
    Finding::error(
        codes::TRUST_PROVIDER_MISMATCH,
        format!(
            "{} trusts {} rather than the cluster's OIDC provider {}",
            st.describe(),
            expected.join(", "),
            e.provider_arn
        ),
    )
    .evidence(ev)
    .reference("D22")
}

fn condition_finding(
    object: &str,
    policy: &Policy,
    st: &Statement,
    cf: &ConditionFailure,
    e: &Expect,
) -> Finding {
    let ev = render::condition_evidence(
        object,
        policy,
        st.index,
        &cf.operator,
        &cf.key,
        cf.policy_values.join(", "),
        cf.line,
    );
    let (prefix, suffix) = cf.key.rsplit_once(':').unwrap_or(("", cf.key.as_str()));
    let issuer_like = prefix.contains("oidc") || prefix.contains('/');
    if issuer_like && !prefix.eq_ignore_ascii_case(e.issuer) {
        let prefixes: std::collections::BTreeSet<String> = st
            .conditions
            .iter()
            .filter_map(|c| c.key.rsplit_once(':').map(|(p, _)| p.to_ascii_lowercase()))
            .filter(|p| p.contains("oidc"))
            .collect();
        let ours = e.issuer.to_ascii_lowercase();
        let same_suffix_for_ours = st.conditions.iter().any(|c| {
            c.key.to_ascii_lowercase() == format!("{ours}:{}", suffix.to_ascii_lowercase())
        });
        if prefixes.len() > 1 && prefixes.contains(&ours) && same_suffix_for_ours {
            return Finding::error(codes::TRUST_ISSUERS_ANDED, format!("{} tests keys of {} different issuers; all conditions of a statement must hold, and a token has only one issuer, so it never matches. Use one statement per cluster", st.describe(), prefixes.len()))
                .evidence(ev)
                .reference("D23");
        }
        return Finding::error(codes::TRUST_CONDITION_KEY_PREFIX, format!("the condition key `{}` names issuer `{prefix}`, but this cluster's tokens come from `{}`: the key is never present in the request, so `{}` fails", cf.key, e.issuer, cf.operator))
            .evidence(ev)
            .reference("D22");
    }
    let values = &cf.policy_values;
    let like = cf.operator.contains("Like");
    match suffix.to_ascii_lowercase().as_str() {
        "sub" => {
            if !like && values.iter().any(|v| v.contains(['*', '?'])) {
                return Finding::error(codes::TRUST_WILDCARD_STRINGEQUALS, format!("`{}` compares `{}` literally, so the `*` in {} never matches {}; wildcards need StringLike", cf.operator, cf.key, values.join(", "), e.subject))
                    .evidence(ev)
                    .reference("D20");
            }
            if values
                .iter()
                .all(|v| !v.starts_with("system:serviceaccount:"))
                && values
                    .iter()
                    .any(|v| v == e.audience || v.contains(".amazonaws.com"))
            {
                return Finding::error(
                    codes::TRUST_AUD_FOR_SUB,
                    format!(
                        "the `:sub` condition holds the audience {}; `:sub` must be {}",
                        values.join(", "),
                        e.subject
                    ),
                )
                .evidence(ev)
                .reference("D21");
            }
            let near = suggest::near(&e.subject, values.iter().map(String::as_str));
            let shown = near
                .first()
                .map(|n| n.to_string())
                .or_else(|| values.first().cloned())
                .unwrap_or_default();
            Finding::error(
                codes::TRUST_SUB_MISMATCH,
                format!(
                    "the trust policy allows `{shown}` but the pods run as `{}`: {}",
                    e.subject,
                    subject_difference(&e.subject, &shown)
                ),
            )
            .evidence(ev)
            .reference("D19")
        }
        "aud" => {
            if values
                .iter()
                .any(|v| v.starts_with("system:serviceaccount:"))
            {
                return Finding::error(codes::TRUST_AUD_FOR_SUB, format!("the subject {} is under `{}`; it must be under `{}:sub` (the audience is `{}`)", values.join(", "), cf.key, e.issuer, e.audience))
                    .evidence(ev)
                    .reference("D21");
            }
            Finding::error(
                codes::TRUST_AUD_MISMATCH,
                format!(
                    "the trust policy requires audience {} but the token's audience is `{}`",
                    values.join(", "),
                    e.audience
                ),
            )
            .evidence(ev)
            .reference("C15")
        }
        other => {
            let mut msg = format!(
                "condition `{} {}` fails: {}",
                cf.operator, cf.key, cf.reason
            );
            if issuer_like && strsim::levenshtein(other, "sub") <= 2 {
                msg.push_str(&format!(
                    "; the key suffix `:{other}` should probably be `:sub`"
                ));
            }
            if family_is_negated(st, cf) {
                msg.push_str(" (a negated operator)");
            }
            Finding::error(codes::TRUST_CONDITION_FAILED, msg)
                .evidence(ev)
                .reference("D21")
        }
    }
}

fn family_is_negated(st: &Statement, cf: &ConditionFailure) -> bool {
    st.conditions
        .iter()
        .find(|c| c.key == cf.key && c.operator.raw == cf.operator)
        .is_some_and(|c| c.operator.negated && c.operator.family == OperatorFamily::String)
}

/// "namespace `a` vs `b`" / "service account `x` vs `y`".
fn subject_difference(want: &str, have: &str) -> String {
    let split = |s: &str| {
        s.strip_prefix("system:serviceaccount:")
            .and_then(|r| r.split_once(':'))
            .map(|(a, b)| (a.to_string(), b.to_string()))
    };
    match (split(want), split(have)) {
        (Some((wn, ws)), Some((hn, hs))) if wn != hn && ws == hs => format!(
            "the namespace differs ({})",
            suggest::describe_difference(&wn, &hn)
        ),
        (Some((wn, ws)), Some((hn, hs))) if wn == hn && ws != hs => format!(
            "the service account name differs ({})",
            suggest::describe_difference(&ws, &hs)
        ),
        (Some(_), Some(_)) => "namespace and service account both differ".to_string(),
        _ => format!("`{have}` is not a service account subject"),
    }
}
