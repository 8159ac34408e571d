//! The `role` link: the IAM role exists (by name in its account; a path in the ARN must match
//! the role's path, field guide G43), and for Pod Identity it is in the cluster's account (F36).

use crate::diagnose::context::Ctx;
use crate::diagnose::suggest;
use crate::model::CommandLine;
use crate::model::arn::{Arn, RoleArn};
use crate::model::aws::IamRole;
use crate::model::chain::{Evidence, Finding, Fix, LinkName, LinkReport, Mechanism};
use crate::model::codes;

pub struct RoleOutcome<'a> {
    pub report: LinkReport,
    pub role: Option<&'a IamRole>,
}

pub fn check<'a>(ctx: &Ctx<'a, '_>, arn: &RoleArn, mechanism: Mechanism) -> RoleOutcome<'a> {
    let iam = &ctx.ix.snap.aws.iam;
    let wanted = arn.to_string();
    let Some(role) = ctx.ix.role(&wanted) else {
        // The account is in the ARN: a Pod Identity role in another account is wrong whether
        // or not the role itself could be read.
        if let Some(f) = account_check(ctx, arn, mechanism) {
            return RoleOutcome {
                report: LinkReport::from_findings(
                    LinkName::Role,
                    format!("{} in another account", arn.name),
                    vec![f],
                ),
                role: None,
            };
        }
        if iam.role_known_absent(&arn.account, &arn.name) {
            let names = iam
                .roles
                .values()
                .filter(|r| Arn::parse(&r.arn).is_some_and(|a| a.account == arn.account))
                .map(|r| r.name.as_str());
            let near = suggest::near(&arn.name, names);
            let mut message = format!(
                "IAM role `{}` does not exist in account {}",
                arn.name, arn.account
            );
            if let Some(n) = near.first() {
                message.push_str(&format!("; did you mean `{n}`?"));
            }
            let finding = Finding::error(codes::ROLE_NOT_FOUND, message)
                .evidence(
                    Evidence::new("IAM roles")
                        .field("account")
                        .value(arn.account.clone()),
                )
                .fix(not_found_fix(ctx, arn, mechanism, &near));
            return RoleOutcome {
                report: LinkReport::from_findings(
                    LinkName::Role,
                    format!("{} not found", arn.name),
                    vec![finding],
                ),
                role: None,
            };
        }
        return RoleOutcome {
            report: LinkReport::from_findings(
                LinkName::Role,
                format!("{} not collected", arn.name),
                vec![Finding::unknown(
                    codes::ROLE_NOT_COLLECTED,
                    match &ctx.ix.snap.aws.unread {
                        Some(why) => why.explain(&format!("role {wanted}")),
                        None => format!(
                            "role {wanted} was not collected; collect it with `{}` (needs iam:GetRole in account {})",
                            CommandLine::aws(["iam", "get-role", "--role-name", &arn.name]),
                            arn.account
                        ),
                    },
                )],
            ),
            role: None,
        };
    };
    let mut findings = Vec::new();
    let actual = RoleArn::parse(&role.arn).ok();
    if actual.as_ref().is_some_and(|a| a.path != arn.path) {
        findings.push(
            Finding::error(
                codes::ROLE_PATH_MISMATCH,
                format!("the ARN names path `{}` but role `{}` has path `{}`: that ARN identifies no role (its real ARN is {})", arn.path, role.name, role.path, role.arn),
            )
            .evidence(Evidence::new(format!("IAM role {}", role.name)).field("Arn").value(role.arn.clone()))
            .fix(Fix::new(format!("use the role's real ARN {}", role.arn)))
            .reference("G43"),
        );
    }
    findings.extend(account_check(ctx, arn, mechanism));
    RoleOutcome {
        report: LinkReport::from_findings(
            LinkName::Role,
            format!("{} exists", role.name),
            findings,
        ),
        role: Some(role),
    }
}

/// Pod Identity needs the role in the cluster's account (field guide F36).
/// A missing role's fix: ambiguous (issue 11), so ways to pick from: create the role under
/// that name trusting this service account (no permissions yet), or, for IRSA, point the
/// annotation at an existing role of a near name.
fn not_found_fix(ctx: &Ctx, arn: &RoleArn, mechanism: Mechanism, near: &[&str]) -> Fix {
    let mut fix =
        Fix::new("create the role, or point the annotation/association at an existing one");
    let Some(cluster) = ctx.ix.cluster.as_ref() else {
        return fix;
    };
    let (ns, sa) = (ctx.namespace.as_str(), ctx.sa_name.as_str());
    let statement = match mechanism {
        Mechanism::PodIdentity => Some(super::trust_render::pod_identity_statement_for(
            &cluster.account,
            &cluster.arn,
            ns,
            sa,
        )),
        _ => cluster.issuer.as_deref().map(|issuer| {
            let provider =
                crate::model::arn::oidc_provider_arn(&cluster.partition, &cluster.account, issuer);
            let audience = match &ctx.sa {
                crate::diagnose::context::SaLookup::Found(s) => crate::diagnose::k8s::annotation(
                    &s.metadata,
                    crate::diagnose::k8s::AUDIENCE_ANNOTATION,
                ),
                _ => None,
            }
            .unwrap_or(crate::diagnose::k8s::DEFAULT_AUDIENCE);
            super::trust_render::irsa_statement(
                &provider,
                issuer,
                &format!("system:serviceaccount:{ns}:{sa}"),
                audience,
            )
        }),
    };
    // CreateRole makes `role/NAME` in the caller's account: only that role can be created.
    if let Some(st) = statement
        && arn.account == cluster.account
        && !arn.has_path()
    {
        fix.choices.push(crate::model::chain::FixChoice {
            meaning: format!(
                "create role {} trusting {ns}/{sa} (with no permissions yet: add them with --action, or use `kubectl irsa setup`)",
                arn.name
            ),
            changes: vec![crate::model::plan::Change::CreateRole {
                role_name: arn.name.clone(),
                document: serde_json::json!({"Version": "2012-10-17", "Statement": [st]}).to_string(),
                description: Some(format!("kubectl-irsa: {ns}/{sa} on EKS cluster {}", cluster.name)),
            }],
        });
    }
    if mechanism != Mechanism::PodIdentity {
        for name in near {
            let Some(role) = ctx.ix.snap.aws.iam.roles.values().find(|r| {
                r.name == *name && Arn::parse(&r.arn).is_some_and(|a| a.account == arn.account)
            }) else {
                continue;
            };
            let mut changes = vec![crate::model::plan::Change::AnnotateServiceAccount {
                namespace: ns.to_string(),
                name: sa.to_string(),
                key: crate::diagnose::k8s::ROLE_ARN_ANNOTATION.to_string(),
                value: Some(role.arn.clone()),
            }];
            changes.extend(
                crate::diagnose::k8s::with_restart(
                    Fix::new(""),
                    ctx.workload.id.kind,
                    ns,
                    &ctx.workload.id.name,
                )
                .changes,
            );
            fix.choices.push(crate::model::chain::FixChoice {
                meaning: format!(
                    "point the annotation at the existing role {} ({})",
                    role.name, role.arn
                ),
                changes,
            });
        }
    }
    // Even one way is a choice (issue 11 lists "the annotated role does not exist" as
    // ambiguous): creating a role nobody asked for, or re-pointing an identity, is picked.
    fix
}

fn account_check(ctx: &Ctx, arn: &RoleArn, mechanism: Mechanism) -> Option<Finding> {
    let cluster = ctx.ix.cluster.as_ref()?;
    (mechanism == Mechanism::PodIdentity && cluster.account != arn.account).then(|| {
        Finding::error(
            codes::ROLE_NOT_IN_CLUSTER_ACCOUNT,
            format!(
                "Pod Identity needs a role in the cluster's account {}; {} is in {}. For cross-account access use a role in {} with `--target-role-arn`",
                cluster.account, arn, arn.account, cluster.account
            ),
        )
        .evidence(Evidence::new("Pod identity association").field("roleArn").value(arn.to_string()))
        .reference("F36")
    })
}
