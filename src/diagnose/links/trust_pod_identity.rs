//! The Pod Identity `trust` link: the role's trust policy lets `pods.eks.amazonaws.com`
//! perform sts:AssumeRole and sts:TagSession with the session tags and source EKS sends
//! (field guide F32, E28), and, with a target role, that the target trusts the association's
//! role for the chained hop (F36).

use super::fix_document::{self, Candidate, Edit};
use super::trust_render::{self as render, statement_evidence, trust_object};
use crate::diagnose::context::Ctx;
use crate::diagnose::k8s;
use crate::model::aws::{IamRole, PodIdentityAssociation};
use crate::model::chain::{Evidence, Finding, Fix, LinkName, LinkReport};
use crate::model::codes;
use crate::policy::{
    Decision, Effect, Evaluation, Mismatch, NamedPolicy, Policy, Request, RequestContext,
    RequestPrincipal, evaluate_trust,
};

pub const SERVICE: &str = "pods.eks.amazonaws.com";

/// The session tags EKS Pod Identity attaches (and that become `aws:PrincipalTag/*`).
pub fn session_tags(ctx: &Ctx) -> Vec<(String, String)> {
    let mut tags = Vec::new();
    if let Some(c) = &ctx.ix.cluster {
        tags.push(("eks-cluster-arn".to_string(), c.arn.clone()));
        tags.push(("eks-cluster-name".to_string(), c.name.clone()));
    }
    tags.push(("kubernetes-namespace".to_string(), ctx.namespace.clone()));
    tags.push((
        "kubernetes-service-account".to_string(),
        ctx.sa_name.clone(),
    ));
    if let Some(pod) = ctx.workload.pods.first() {
        tags.push((
            "kubernetes-pod-name".to_string(),
            k8s::name_of(&pod.metadata).to_string(),
        ));
        if let Some(uid) = &pod.metadata.uid {
            tags.push(("kubernetes-pod-uid".to_string(), uid.clone()));
        }
    }
    tags
}

fn tags_enabled(assoc: &PodIdentityAssociation) -> bool {
    assoc.disable_session_tags != Some(true)
}

fn request(ctx: &Ctx, principal: RequestPrincipal, assoc: &PodIdentityAssociation) -> Request {
    let mut context = RequestContext::new();
    if let Some(c) = &ctx.ix.cluster {
        context = context
            .with("aws:SourceAccount", c.account.clone())
            .with("aws:SourceArn", c.arn.clone());
    }
    let mut req = Request::new().principal(principal).action("sts:AssumeRole");
    if tags_enabled(assoc) {
        let tags = session_tags(ctx);
        context = context.with_values("aws:TagKeys", tags.iter().map(|(k, _)| k.clone()).collect());
        for (k, v) in tags {
            context = context.with(format!("aws:RequestTag/{k}"), v);
        }
        req = req.action("sts:TagSession");
    }
    req.context(context)
}

pub fn check(ctx: &Ctx, role: &IamRole, assoc: &PodIdentityAssociation) -> LinkReport {
    let link = LinkName::Trust;
    let object = trust_object(&role.name);
    let parsed = match render::load_trust(ctx, role, &object) {
        Ok(p) => p,
        Err(report) => return report,
    };
    let Ok(policy) = &parsed.result else {
        return LinkReport::from_findings(link, "invalid trust policy", Vec::new());
    };
    let req = request(ctx, RequestPrincipal::Service(SERVICE.to_string()), assoc);
    let eval = evaluate_trust(&NamedPolicy::new(object.clone(), policy), &req);
    let mut findings = match eval.decision {
        Decision::Allow => allow_lints(&object, policy, &eval),
        _ => explain_denial(ctx, &object, role, policy, &eval, assoc, &req),
    };
    findings.extend(super::trust_lints::size(&object, policy));
    if let Some(target) = &assoc.target_role_arn {
        findings.extend(target_trust(ctx, role, target, assoc));
    }
    let summary = match eval.decision {
        Decision::Allow => format!("{SERVICE} may assume {}", role.name),
        _ => format!("{SERVICE} may not assume {}", role.name),
    };
    LinkReport::from_findings(link, summary, findings)
}

fn allow_lints(object: &str, policy: &Policy, eval: &Evaluation) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in eval.actions.iter().flat_map(|a| a.deciding.iter()) {
        let Some(st) = policy.statements.get(r.index) else {
            continue;
        };
        if st.conditions.is_empty()
            && !out
                .iter()
                .any(|f: &Finding| f.code == codes::TRUST_POD_IDENTITY_UNSCOPED)
        {
            out.push(
                Finding::info(codes::TRUST_POD_IDENTITY_UNSCOPED, format!("{} has no condition: any pod identity association in the account can use this role; scope it with aws:SourceAccount / aws:SourceArn or aws:RequestTag/kubernetes-namespace", st.describe()))
                    .evidence(statement_evidence(object, policy, st)),
            );
        }
    }
    out
}

/// The fix that adds the Pod Identity statement, proved to let `req` in.
fn add_statement_fix(ctx: &Ctx, role: &IamRole, policy: &Policy, req: &Request) -> Fix {
    let account = ctx.ix.cluster.as_ref().map(|c| c.account.as_str());
    let statement = render::pod_identity_statement(account);
    let words = format!(
        "add this statement to the trust policy: {}",
        render::statement_text(&statement)
    );
    let add = Candidate::new(words.clone(), vec![Edit::AddStatement(statement)]);
    fix_document::trust_fix(&role.name, policy, req, &[add]).unwrap_or_else(|| Fix::new(words))
}

fn explain_denial(
    ctx: &Ctx,
    object: &str,
    role: &IamRole,
    policy: &Policy,
    eval: &Evaluation,
    assoc: &PodIdentityAssociation,
    req: &Request,
) -> Vec<Finding> {
    let fix = add_statement_fix(ctx, role, policy, req);
    if eval.decision == Decision::ExplicitDeny {
        let refs = eval.actions.iter().flat_map(|a| a.deciding.iter());
        return refs
            .filter_map(|r| policy.statements.get(r.index))
            .map(|st| {
                Finding::error(
                    codes::TRUST_EXPLICIT_DENY,
                    format!("{} denies {SERVICE}", st.describe()),
                )
                .evidence(statement_evidence(object, policy, st))
            })
            .collect();
    }
    let pod_statements: Vec<_> = policy
        .statements
        .iter()
        .filter(|s| {
            s.effect == Effect::Allow
                && s.principal
                    .as_ref()
                    .is_some_and(|p| p.services().any(|v| v == SERVICE))
        })
        .collect();
    if pod_statements.is_empty() {
        let federated = policy.statements.iter().any(|s| {
            s.principal
                .as_ref()
                .is_some_and(|p| p.federated().next().is_some())
        });
        let msg = if federated {
            format!(
                "the trust policy of {} trusts only an OIDC provider (IRSA), not `{SERVICE}`: EKS answers `Unauthorized Exception! EKS does not have permissions to assume the associated role`",
                role.name
            )
        } else {
            format!(
                "the trust policy of {} does not trust `{SERVICE}`: EKS answers `Unauthorized Exception! EKS does not have permissions to assume the associated role`",
                role.name
            )
        };
        return vec![
            Finding::error(codes::TRUST_MISSING_POD_IDENTITY_SERVICE, msg)
                .evidence(principals_evidence(object, policy))
                .fix(fix)
                .reference("F32"),
        ];
    }
    let assume = eval.action("sts:AssumeRole").map(|a| a.decision);
    let tag = eval.action("sts:TagSession").map(|a| a.decision);
    if assume == Some(Decision::Allow) && tag.is_some_and(|d| d != Decision::Allow) {
        let st = pod_statements[0];
        let words = "add \"sts:TagSession\" to the statement's Action (or disable session tags on the association)";
        let add_action = Candidate::new(
            format!(
                "add \"sts:TagSession\" to the Action of {} (or disable session tags on the association)",
                st.describe()
            ),
            vec![Edit::AddAction {
                statement: st.index,
                action: "sts:TagSession".into(),
            }],
        );
        let tag_fix = fix_document::trust_fix(&role.name, policy, req, &[add_action])
            .unwrap_or_else(|| Fix::new(words));
        return vec![Finding::error(codes::TRUST_MISSING_TAG_SESSION, format!("{} allows sts:AssumeRole for {SERVICE} but not sts:TagSession, which EKS needs to attach the session tags", st.describe()))
            .evidence(statement_evidence(object, policy, st))
            .fix(tag_fix)
            .reference("F32")];
    }
    let mut out = Vec::new();
    for a in eval
        .actions
        .iter()
        .filter(|a| a.decision != Decision::Allow)
    {
        for t in a
            .statements
            .iter()
            .filter(|t| pod_statements.iter().any(|s| s.index == t.index))
        {
            for m in &t.mismatches {
                if let Mismatch::Condition(cf) = m {
                    let tag_note = if cf.key.to_ascii_lowercase().starts_with("aws:requesttag/")
                        && !tags_enabled(assoc)
                    {
                        " (the association disables session tags, so no tag is sent)"
                    } else {
                        ""
                    };
                    out.push(
                        Finding::error(
                            codes::TRUST_CONDITION_FAILED,
                            format!(
                                "condition `{} {}` fails for {SERVICE}: {}{tag_note}",
                                cf.operator, cf.key, cf.reason
                            ),
                        )
                        .evidence(render::condition_evidence(
                            object,
                            policy,
                            t.index,
                            &cf.operator,
                            &cf.key,
                            cf.policy_values.join(", "),
                            cf.line,
                        ))
                        .reference("F32"),
                    );
                } else if let Mismatch::Action { expected, .. } = m {
                    out.push(
                        Finding::error(
                            codes::TRUST_MISSING_TAG_SESSION,
                            format!(
                                "the {SERVICE} statement allows {} but not {}",
                                expected.join(", "),
                                a.action
                            ),
                        )
                        .reference("F32"),
                    );
                }
            }
        }
    }
    out.dedup_by(|a, b| a.message == b.message);
    if out.is_empty() {
        out.push(
            Finding::error(
                codes::TRUST_MISSING_POD_IDENTITY_SERVICE,
                format!("no statement lets {SERVICE} assume {}", role.name),
            )
            .fix(fix)
            .reference("F32"),
        );
    }
    out
}

/// The chained hop: the association's role assumes the target role (tags are transitive).
fn target_trust(
    ctx: &Ctx,
    role: &IamRole,
    target_arn: &str,
    assoc: &PodIdentityAssociation,
) -> Vec<Finding> {
    let Some(target) = ctx.ix.role(target_arn) else {
        return vec![Finding::unknown(
            codes::TARGET_ROLE_TRUST,
            format!(
                "the target role {target_arn} was not collected; its trust must allow {} sts:AssumeRole and sts:TagSession",
                role.arn
            ),
        )];
    };
    let object = trust_object(&target.name);
    let Some(text) = &target.trust_policy else {
        return vec![Finding::unknown(
            codes::TARGET_ROLE_TRUST,
            format!(
                "the trust policy of target role {} was not collected",
                target.name
            ),
        )];
    };
    let parsed = ctx.ix.policies.trust(text);
    let Ok(policy) = &parsed.result else {
        return render::invalid_policy_finding(&object, &parsed, true)
            .into_iter()
            .collect();
    };
    let account = crate::model::arn::Arn::parse(&role.arn)
        .map(|a| a.account)
        .unwrap_or_default();
    let session = format!(
        "arn:aws:sts::{account}:assumed-role/{}/eks-{}-session",
        role.name,
        ctx.cluster_name()
    );
    let mut req = request(ctx, RequestPrincipal::Aws(session), assoc);
    req.context
        .insert("aws:PrincipalArn", vec![role.arn.clone()]);
    if !tags_enabled(assoc)
        && let Some(c) = &ctx.ix.cluster
    {
        req.context.insert(
            "sts:ExternalId",
            vec![format!(
                "{}/{}/{}/{}/{}",
                c.region, c.account, c.name, ctx.namespace, ctx.sa_name
            )],
        );
    }
    let eval = evaluate_trust(&NamedPolicy::new(object.clone(), policy), &req);
    if eval.decision == Decision::Allow {
        return Vec::new();
    }
    let failing: Vec<String> = eval
        .actions
        .iter()
        .filter(|a| a.decision != Decision::Allow)
        .map(|a| a.action.clone())
        .collect();
    let statement = serde_json::json!({
        "Effect": "Allow",
        "Principal": {"AWS": role.arn},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
    });
    let words = format!(
        "add this statement to the target role's trust policy: {}",
        render::statement_text(&statement)
    );
    let add = Candidate::new(words.clone(), vec![Edit::AddStatement(statement)]);
    let fix = fix_document::trust_fix(&target.name, policy, &req, &[add])
        .unwrap_or_else(|| Fix::new(words));
    vec![Finding::error(codes::TARGET_ROLE_TRUST, format!("the target role {} does not let {} perform {} (Pod Identity session tags are transitive, so the chained hop needs sts:TagSession too): `is not authorized to perform: sts:TagSession`", target.name, role.arn, failing.join(" and ")))
        .evidence(Evidence::new(object).document(policy.text.clone()))
        .fix(fix)
        .reference("E28")]
}

/// Every principal the trust policy names, pointing at the first statement.
fn principals_evidence(object: &str, policy: &Policy) -> Evidence {
    let names: Vec<String> = policy
        .statements
        .iter()
        .filter_map(|s| s.principal.as_ref())
        .flat_map(|p| {
            p.entries
                .iter()
                .map(|e| format!("{} {}", e.kind.as_str(), e.value))
        })
        .collect();
    let line = policy.statements.first().map(|s| s.line).unwrap_or(1);
    // Down to the last principal entry: the lines that name whom it trusts instead.
    let last = policy
        .statements
        .first()
        .and_then(|s| s.principal.as_ref())
        .map(|p| {
            p.entries
                .iter()
                .map(|e| e.line)
                .max()
                .unwrap_or(p.line)
                .max(p.line)
        })
        .unwrap_or(line);
    Evidence::new(object)
        .field("Principal")
        .value(names.join(", "))
        .lines(line, last.max(line))
        .document(policy.text.clone())
}
