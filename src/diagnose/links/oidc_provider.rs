//! The IRSA `oidc-provider` link: the cluster's issuer is registered as an IAM OIDC provider in
//! the ROLE's account (field guide C13, also for cross-account roles) and its ClientIDList holds
//! the token audience (C15).

use crate::diagnose::context::Ctx;
use crate::diagnose::k8s;
use crate::model::CommandLine;
use crate::model::arn::{self, RoleArn};
use crate::model::chain::{Evidence, Finding, Fix, LinkName, LinkReport};
use crate::model::codes;

pub fn check(ctx: &Ctx, role: &RoleArn, audience: &str) -> LinkReport {
    let link = LinkName::OidcProvider;
    let Some(cluster) = &ctx.ix.cluster else {
        let missing = ctx
            .ix
            .snap
            .aws
            .cluster
            .missing()
            .cloned()
            .unwrap_or_else(|| {
                crate::model::Missing::not_collected(CommandLine::aws([
                    "eks",
                    "describe-cluster",
                    "--name",
                    &ctx.cluster_name(),
                ]))
            });
        return LinkReport::from_findings(
            link,
            "cluster not collected",
            vec![Finding::unknown(
                codes::CLUSTER_NOT_COLLECTED,
                missing.explain("the EKS cluster (its OIDC issuer)"),
            )],
        );
    };
    let Some(issuer) = &cluster.issuer else {
        return LinkReport::from_findings(
            link,
            "cluster has no OIDC issuer",
            vec![Finding::unknown(
                codes::CLUSTER_NO_ISSUER,
                format!(
                    "DescribeCluster for {} returned no identity.oidc.issuer",
                    cluster.name
                ),
            )],
        );
    };
    let iam = &ctx.ix.snap.aws.iam;
    let provider_arn = arn::oidc_provider_arn(&role.partition, &role.account, issuer);
    let Some(provider) = iam.oidc_providers.get(&provider_arn) else {
        if !iam.complete_provider_accounts.contains(&role.account) {
            return LinkReport::from_findings(
                link,
                "providers not collected",
                vec![Finding::unknown(
                    codes::OIDC_PROVIDERS_NOT_COLLECTED,
                    match &ctx.ix.snap.aws.unread {
                        Some(why) => {
                            why.explain(&format!("the OIDC providers of account {}", role.account))
                        }
                        None => format!(
                            "the OIDC providers of account {} were not collected; collect them with `{}` (needs iam:ListOpenIDConnectProviders)",
                            role.account,
                            CommandLine::aws(["iam", "list-open-id-connect-providers"])
                        ),
                    },
                )],
            );
        }
        let cross = role.account != cluster.account;
        let in_cluster_account = iam.oidc_providers.contains_key(&arn::oidc_provider_arn(
            &role.partition,
            &cluster.account,
            issuer,
        ));
        let mut message = format!(
            "no IAM OIDC provider for https://{issuer} exists in account {}",
            role.account
        );
        if cross && in_cluster_account {
            message.push_str(&format!(" (it exists only in the cluster's account {}; a cross-account role needs its own provider)", cluster.account));
        }
        message.push_str(&format!(". STS answers: `InvalidIdentityToken: No OpenIDConnect provider found in your account for https://{issuer}`"));
        let create = CommandLine::aws([
            "iam",
            "create-open-id-connect-provider",
            "--url",
            &format!("https://{issuer}"),
            "--client-id-list",
            k8s::DEFAULT_AUDIENCE,
        ]);
        let fix = if cross {
            Fix::new(format!(
                "create the provider in account {} (run with credentials for that account)",
                role.account
            ))
            .command(create)
        } else {
            let as_data = crate::model::plan::Change::CreateOidcProvider {
                url: format!("https://{issuer}"),
                client_ids: vec![k8s::DEFAULT_AUDIENCE.to_string()],
            };
            Fix::new(
                "register the cluster's issuer as an IAM OIDC provider (either command does it)",
            )
            .command(CommandLine::eksctl([
                "utils",
                "associate-iam-oidc-provider",
                "--cluster",
                &cluster.name,
                "--region",
                &cluster.region,
                "--approve",
            ]))
            .command(create)
            .change(as_data)
        };
        return LinkReport::from_findings(
            link,
            format!("no provider for {issuer} in {}", role.account),
            vec![
                Finding::error(codes::OIDC_PROVIDER_MISSING, message)
                    .evidence(
                        Evidence::new(format!("EKS cluster {}", cluster.name))
                            .field("identity.oidc.issuer")
                            .value(format!("https://{issuer}")),
                    )
                    .evidence(
                        Evidence::new(format!("IAM OIDC providers of account {}", role.account))
                            .value(provider_arn.clone()),
                    )
                    .fix(fix)
                    .reference("C13"),
            ],
        );
    };
    let Some(client_ids) = &provider.client_ids else {
        return LinkReport::from_findings(
            link,
            format!("provider {issuer} exists; audiences not collected"),
            vec![Finding::unknown(
                codes::OIDC_PROVIDER_DETAIL_MISSING,
                format!(
                    "the provider exists but its ClientIDList was not collected; collect it with `{}`",
                    CommandLine::aws([
                        "iam",
                        "get-open-id-connect-provider",
                        "--open-id-connect-provider-arn",
                        &provider_arn,
                    ])
                ),
            )],
        );
    };
    if !client_ids.iter().any(|c| c == audience) {
        return LinkReport::from_findings(
            link,
            format!("audience {audience} not accepted"),
            vec![Finding::error(
                codes::AUDIENCE_NOT_IN_CLIENT_IDS,
                format!("the provider's ClientIDList is [{}] and does not contain the token audience `{audience}`. STS answers: `InvalidIdentityToken: Incorrect token audience`", client_ids.join(", ")),
            )
            .evidence(Evidence::new(format!("IAM OIDC provider {provider_arn}")).field("ClientIDList").value(client_ids.join(", ")))
            .fix(Fix::new(format!("add `{audience}` to the provider's client IDs (or remove the service account's audience annotation)"))
                .command(CommandLine::aws([
                    "iam",
                    "add-client-id-to-open-id-connect-provider",
                    "--open-id-connect-provider-arn",
                    &provider_arn,
                    "--client-id",
                    audience,
                ]))
                .change(crate::model::plan::Change::AddClientId {
                    provider_arn: provider_arn.clone(),
                    client_id: audience.to_string(),
                }))
            .reference("C15")],
        );
    }
    LinkReport::from_findings(
        link,
        format!("{issuer} registered, accepts {audience}"),
        Vec::new(),
    )
}
