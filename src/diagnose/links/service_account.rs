//! The `service-account` link: the ServiceAccount the pods run as exists in their namespace.
//! A missing or mistyped one stops pod creation; near-miss names are suggested (field guide A8).

use crate::diagnose::context::{Ctx, SaLookup};
use crate::diagnose::suggest;
use crate::model::CommandLine;
use crate::model::chain::{Evidence, Finding, Fix, LinkName, LinkReport};
use crate::model::codes;

pub fn check(ctx: &Ctx) -> LinkReport {
    match &ctx.sa {
        SaLookup::Found(_) => LinkReport::from_findings(
            LinkName::ServiceAccount,
            format!("{}/{} exists", ctx.namespace, ctx.sa_name),
            Vec::new(),
        ),
        SaLookup::Unknown(missing) => LinkReport::from_findings(
            LinkName::ServiceAccount,
            "service accounts not collected",
            vec![Finding::unknown(
                codes::SA_NOT_COLLECTED,
                missing.explain(&format!("ServiceAccount {}/{}", ctx.namespace, ctx.sa_name)),
            )],
        ),
        SaLookup::NotFound => {
            let mut candidates: Vec<&str> = ctx.ix.service_accounts_in(&ctx.namespace);
            let assoc_names: Vec<&str> = ctx
                .ix
                .all_associations()
                .filter(|a| a.namespace == ctx.namespace)
                .map(|a| a.service_account.as_str())
                .collect();
            candidates.extend(assoc_names);
            let near = suggest::near(&ctx.sa_name, candidates);
            let mut message = format!(
                "ServiceAccount {}/{} does not exist; pods that name it cannot be created",
                ctx.namespace, ctx.sa_name
            );
            if let Some(first) = near.first() {
                message.push_str(&format!("; did you mean `{first}`?"));
            }
            let create = crate::model::plan::Change::CreateServiceAccount {
                namespace: ctx.namespace.clone(),
                name: ctx.sa_name.clone(),
                annotations: Vec::new(),
            };
            let w = &ctx.workload.id;
            let fix = match near.first() {
                Some(first) => {
                    let fix = Fix::new(format!(
                        "set `serviceAccountName: {first}` in the pod template, or create `{}`",
                        ctx.sa_name
                    ));
                    // Two right answers: which one only the user knows (field guide A8).
                    match crate::diagnose::k8s::switch_service_account(
                        w.kind,
                        &ctx.namespace,
                        &w.name,
                        first,
                    ) {
                        Some(switch) => fix
                            .choice(
                                format!("run the pods as the existing service account `{first}`"),
                                switch,
                            )
                            .choice(
                                format!(
                                    "create the service account `{}` the pods name",
                                    ctx.sa_name
                                ),
                                vec![create],
                            ),
                        None => fix.change(create),
                    }
                }
                None => {
                    Fix::new(format!("create the service account `{}`", ctx.sa_name)).change(create)
                }
            }
            .command(CommandLine::kubectl([
                "create",
                "serviceaccount",
                &ctx.sa_name,
                "-n",
                &ctx.namespace,
            ]));
            LinkReport::from_findings(
                LinkName::ServiceAccount,
                format!("{}/{} not found", ctx.namespace, ctx.sa_name),
                vec![
                    Finding::error(codes::SA_NOT_FOUND, message)
                        .evidence(
                            Evidence::new(format!("{}", ctx.workload.id))
                                .field("spec.serviceAccountName")
                                .value(ctx.sa_name.clone()),
                        )
                        .fix(fix)
                        .reference("A8"),
                ],
            )
        }
    }
}
