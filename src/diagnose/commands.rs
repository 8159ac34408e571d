//! The `kubectl`/`aws` commands that show what a link is judged on, so a user can check the
//! evidence by hand (the TUI's `y`). Pure: built from the report alone. The fix commands live
//! with each finding; this module adds the commands that *read*.
//!
//! Every command is completed with the report's [`CommandTarget`] (`--context`, `--region`), as
//! the fix commands are.
//!
//! To cover a new link, add an arm to [`inspect_commands`].

use crate::model::arn::RoleArn;
use crate::model::command::{CommandLine, placeholder};
use crate::model::command_target::CommandTarget;
use crate::model::report::{ClusterSummary, WorkloadReport};
use crate::model::{LinkName, Mechanism};

fn cluster_name(cluster: Option<&ClusterSummary>) -> String {
    cluster
        .map(|c| c.name.clone())
        .unwrap_or_else(|| placeholder::CLUSTER.to_string())
}

/// Read-only commands that show the facts `link` of `w` was judged on, completed for `target`
/// ([`crate::model::Report::command_target`]).
pub fn inspect_commands(
    w: &WorkloadReport,
    link: LinkName,
    cluster: Option<&ClusterSummary>,
    target: &CommandTarget,
) -> Vec<CommandLine> {
    let ns = w.namespace.as_str();
    let sa = w.service_account.as_str();
    let role = w.role_arn.as_deref().and_then(|a| RoleArn::parse(a).ok());
    let pod = w.pods.first().map(|p| p.name.as_str());
    let cname = cluster_name(cluster);
    let describe_issuer = || {
        CommandLine::aws(["eks", "describe-cluster", "--name", &cname]).args([
            "--query",
            "cluster.identity.oidc.issuer",
            "--output",
            "text",
        ])
    };
    let mut out = Vec::new();
    match link {
        LinkName::Pod => {
            out.push(CommandLine::kubectl([
                "get",
                w.kind.short(),
                &w.name,
                "-n",
                ns,
                "-o",
                "yaml",
            ]));
            if let Some(p) = pod {
                out.push(CommandLine::kubectl([
                    "get", "pod", p, "-n", ns, "-o", "yaml",
                ]));
            }
        }
        LinkName::ServiceAccount => {
            out.push(CommandLine::kubectl([
                "get",
                "serviceaccount",
                sa,
                "-n",
                ns,
                "-o",
                "yaml",
            ]));
        }
        LinkName::Annotation => out.push(CommandLine::kubectl([
            "get",
            "serviceaccount",
            sa,
            "-n",
            ns,
            "-o",
            r"jsonpath={.metadata.annotations.eks\.amazonaws\.com/role-arn}",
        ])),
        LinkName::Association => out.push(CommandLine::aws([
            "eks",
            "list-pod-identity-associations",
            "--cluster-name",
            &cname,
            "--namespace",
            ns,
            "--service-account",
            sa,
        ])),
        LinkName::Injection => match pod {
            Some(p) => {
                out.push(CommandLine::kubectl([
                    "get",
                    "pod",
                    p,
                    "-n",
                    ns,
                    "-o",
                    r#"jsonpath={range .spec.containers[*]}{.name}{"\t"}{.env[*].name}{"\n"}{end}"#,
                ]));
                // The filter runs in the container's shell; it is a constant, never a value.
                out.push(CommandLine::kubectl([
                    "exec",
                    p,
                    "-n",
                    ns,
                    "--",
                    "sh",
                    "-c",
                    "env | grep ^AWS_",
                ]));
            }
            None => out.push(CommandLine::kubectl([
                "get", "pods", "-n", ns, "-o", "wide",
            ])),
        },
        LinkName::Role => match &role {
            Some(r) => out.push(CommandLine::aws([
                "iam",
                "get-role",
                "--role-name",
                &r.name,
            ])),
            None => out.push(CommandLine::aws([
                "iam",
                "list-roles",
                "--query",
                "Roles[].Arn",
            ])),
        },
        LinkName::OidcProvider => {
            out.push(describe_issuer());
            out.push(CommandLine::aws(["iam", "list-open-id-connect-providers"]));
        }
        LinkName::Agent => {
            out.push(CommandLine::aws([
                "eks",
                "describe-addon",
                "--cluster-name",
                &cname,
                "--addon-name",
                "eks-pod-identity-agent",
            ]));
            out.push(CommandLine::kubectl([
                "get",
                "daemonset",
                "eks-pod-identity-agent",
                "-n",
                "kube-system",
                "-o",
                "wide",
            ]));
        }
        LinkName::Trust => {
            if let Some(r) = &role {
                out.push(CommandLine::aws([
                    "iam",
                    "get-role",
                    "--role-name",
                    &r.name,
                    "--query",
                    "Role.AssumeRolePolicyDocument",
                ]));
            }
            if w.mechanism == Mechanism::Irsa {
                out.push(describe_issuer());
            }
        }
        LinkName::Permissions => {
            if let Some(r) = &role {
                out.push(CommandLine::aws([
                    "iam",
                    "list-attached-role-policies",
                    "--role-name",
                    &r.name,
                ]));
                out.push(CommandLine::aws([
                    "iam",
                    "list-role-policies",
                    "--role-name",
                    &r.name,
                ]));
                // A role ARN the annotation link found malformed is not copied (the role is
                // `None` then): the simulator needs the ARN STS would use.
                out.push(CommandLine::aws([
                    "iam",
                    "simulate-principal-policy",
                    "--policy-source-arn",
                    &r.to_string(),
                    "--action-names",
                    placeholder::ACTION,
                    "--resource-arns",
                    placeholder::RESOURCE_ARN,
                ]));
            }
        }
    }
    out.into_iter().map(|c| target.complete(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::PodSummary;
    use crate::model::workload::WorkloadKind;
    use crate::model::{Mechanism, Status};

    fn workload(mechanism: Mechanism) -> WorkloadReport {
        WorkloadReport {
            namespace: "shop".into(),
            kind: WorkloadKind::Deployment,
            name: "search".into(),
            service_account: "search-sa".into(),
            mechanism,
            status: Status::Ok,
            broken_link: None,
            role_arn: Some("arn:aws:iam::111122223333:role/team/search".into()),
            pods: vec![PodSummary {
                name: "search-1".into(),
                node: None,
                effective_mechanism: mechanism,
                phase: None,
            }],
            links: Vec::new(),
        }
    }

    fn cluster() -> ClusterSummary {
        ClusterSummary {
            name: "prod".into(),
            arn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod".into(),
            oidc_issuer: None,
        }
    }

    /// What a report on `cluster()` read through context `prod-admin` completes commands with.
    fn target() -> CommandTarget {
        CommandTarget {
            context: Some("prod-admin".into()),
            region: Some("eu-west-1".into()),
        }
    }

    fn lines(cmds: &[CommandLine]) -> Vec<String> {
        cmds.iter().map(CommandLine::render).collect()
    }

    #[test]
    fn role_commands_use_the_role_name_without_its_path() {
        let cmds = inspect_commands(
            &workload(Mechanism::Irsa),
            LinkName::Trust,
            Some(&cluster()),
            &target(),
        );
        assert_eq!(
            cmds[0].argv(),
            [
                "aws",
                "iam",
                "get-role",
                "--role-name",
                "search",
                "--query",
                "Role.AssumeRolePolicyDocument"
            ]
        );
        assert_eq!(
            lines(&cmds)[1],
            "aws eks describe-cluster --name prod --query cluster.identity.oidc.issuer --output text --region eu-west-1"
        );
    }

    #[test]
    fn association_commands_name_cluster_namespace_and_service_account() {
        let cmds = inspect_commands(
            &workload(Mechanism::PodIdentity),
            LinkName::Association,
            Some(&cluster()),
            &target(),
        );
        assert_eq!(
            lines(&cmds),
            vec![
                "aws eks list-pod-identity-associations --cluster-name prod --namespace shop --service-account search-sa --region eu-west-1"
            ]
        );
    }

    #[test]
    fn without_a_cluster_the_placeholder_is_visible_and_quoted() {
        let cmds = inspect_commands(
            &workload(Mechanism::PodIdentity),
            LinkName::Agent,
            None,
            &CommandTarget::default(),
        );
        assert!(
            lines(&cmds)[0].contains("--cluster-name '<CLUSTER>'"),
            "{}",
            cmds[0]
        );
    }

    #[test]
    fn jsonpath_templates_reach_kubectl_unchanged() {
        let cmds = inspect_commands(
            &workload(Mechanism::Irsa),
            LinkName::Annotation,
            None,
            &CommandTarget::default(),
        );
        assert_eq!(
            cmds[0].argv()[7],
            r"jsonpath={.metadata.annotations.eks\.amazonaws\.com/role-arn}"
        );
        assert_eq!(
            cmds[0].render(),
            r#"kubectl get serviceaccount search-sa -n shop -o "jsonpath={.metadata.annotations.eks\\.amazonaws\\.com/role-arn}""#
        );
    }

    #[test]
    fn a_malformed_role_arn_is_not_copied_into_a_command() {
        let mut w = workload(Mechanism::Irsa);
        w.role_arn = Some("arn:aws:iam::111122223333:role/x$(id)".into());
        for link in [LinkName::Role, LinkName::Trust, LinkName::Permissions] {
            for c in inspect_commands(&w, link, None, &CommandTarget::default()) {
                assert!(!c.render().contains("$(id)"), "{link}: {c}");
            }
        }
    }

    #[test]
    fn values_from_the_cluster_are_quoted() {
        let mut w = workload(Mechanism::Irsa);
        w.service_account = "sa;$(touch x)".into();
        let cmds = inspect_commands(
            &w,
            LinkName::ServiceAccount,
            None,
            &CommandTarget::default(),
        );
        assert_eq!(cmds[0].argv()[3], "sa;$(touch x)");
        assert_eq!(
            cmds[0].render(),
            "kubectl get serviceaccount 'sa;$(touch x)' -n shop -o yaml"
        );
    }

    #[test]
    fn kubectl_commands_name_the_context_and_iam_ones_no_region() {
        let w = workload(Mechanism::Irsa);
        let pod = inspect_commands(&w, LinkName::Injection, Some(&cluster()), &target());
        assert_eq!(
            lines(&pod)[1],
            "kubectl --context prod-admin exec search-1 -n shop -- sh -c 'env | grep ''^AWS_'"
        );
        let role = inspect_commands(&w, LinkName::Role, Some(&cluster()), &target());
        assert_eq!(lines(&role), ["aws iam get-role --role-name search"]);
    }

    #[test]
    fn every_link_has_a_command() {
        for link in LinkName::IRSA.iter().chain(LinkName::POD_IDENTITY.iter()) {
            assert!(
                !inspect_commands(
                    &workload(Mechanism::Irsa),
                    *link,
                    None,
                    &CommandTarget::default()
                )
                .is_empty(),
                "{link}"
            );
        }
    }
}
