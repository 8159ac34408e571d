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
                .fix(Fix::new(
                    "create the role, or point the annotation/association at an existing one",
                ));
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
