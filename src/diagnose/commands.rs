//! The `kubectl`/`aws` commands that show what a link is judged on, so a user can check the
//! evidence by hand (the TUI's `y`). Pure: built from the report alone. The fix commands live
//! with each finding; this module adds the commands that *read*.
//!
//! To cover a new link, add an arm to [`inspect_commands`].

use crate::model::arn::{Arn, RoleArn};
use crate::model::report::{ClusterSummary, WorkloadReport};
use crate::model::{LinkName, Mechanism};

/// `--region R` for commands about the cluster, from its ARN.
fn region_flag(cluster: Option<&ClusterSummary>) -> String {
    cluster
        .and_then(|c| Arn::parse(&c.arn))
        .filter(|a| !a.region.is_empty())
        .map(|a| format!(" --region {}", a.region))
        .unwrap_or_default()
}

fn cluster_name(cluster: Option<&ClusterSummary>) -> String {
    cluster
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "CLUSTER_NAME".into())
}

/// Read-only commands that show the facts `link` of `w` was judged on.
pub fn inspect_commands(
    w: &WorkloadReport,
    link: LinkName,
    cluster: Option<&ClusterSummary>,
) -> Vec<String> {
    let ns = &w.namespace;
    let sa = &w.service_account;
    let role = w
        .role_arn
        .as_deref()
        .and_then(|a| RoleArn::parse(a).ok())
        .map(|r| r.name);
    let pod = w.pods.first().map(|p| p.name.as_str());
    let region = region_flag(cluster);
    let cname = cluster_name(cluster);
    let workload = format!("{} {} -n {ns}", w.kind.short(), w.name);
    let mut out = Vec::new();
    match link {
        LinkName::Pod => {
            out.push(format!("kubectl get {workload} -o yaml"));
            if let Some(p) = pod {
                out.push(format!("kubectl get pod {p} -n {ns} -o yaml"));
            }
        }
        LinkName::ServiceAccount => {
            out.push(format!("kubectl get serviceaccount {sa} -n {ns} -o yaml"));
        }
        LinkName::Annotation => out.push(format!(
            "kubectl get serviceaccount {sa} -n {ns} -o jsonpath='{{.metadata.annotations.eks\\.amazonaws\\.com/role-arn}}'"
        )),
        LinkName::Association => out.push(format!(
            "aws eks list-pod-identity-associations --cluster-name {cname} --namespace {ns} --service-account {sa}{region}"
        )),
        LinkName::Injection => match pod {
            Some(p) => {
                out.push(format!(
                    "kubectl get pod {p} -n {ns} -o jsonpath='{{range .spec.containers[*]}}{{.name}}{{\"\\t\"}}{{.env[*].name}}{{\"\\n\"}}{{end}}'"
                ));
                out.push(format!("kubectl exec {p} -n {ns} -- env | grep ^AWS_"));
            }
            None => out.push(format!("kubectl get pods -n {ns} -o wide")),
        },
        LinkName::Role => match &role {
            Some(r) => out.push(format!("aws iam get-role --role-name {r}")),
            None => out.push("aws iam list-roles --query 'Roles[].Arn'".into()),
        },
        LinkName::OidcProvider => {
            out.push(format!(
                "aws eks describe-cluster --name {cname}{region} --query cluster.identity.oidc.issuer --output text"
            ));
            out.push("aws iam list-open-id-connect-providers".into());
        }
        LinkName::Agent => {
            out.push(format!(
                "aws eks describe-addon --cluster-name {cname} --addon-name eks-pod-identity-agent{region}"
            ));
            out.push("kubectl get daemonset eks-pod-identity-agent -n kube-system -o wide".into());
        }
        LinkName::Trust => {
            if let Some(r) = &role {
                out.push(format!(
                    "aws iam get-role --role-name {r} --query Role.AssumeRolePolicyDocument"
                ));
            }
            if w.mechanism == Mechanism::Irsa {
                out.push(format!(
                    "aws eks describe-cluster --name {cname}{region} --query cluster.identity.oidc.issuer --output text"
                ));
            }
        }
        LinkName::Permissions => {
            if let Some(r) = &role {
                out.push(format!("aws iam list-attached-role-policies --role-name {r}"));
                out.push(format!("aws iam list-role-policies --role-name {r}"));
            }
            if let Some(arn) = &w.role_arn {
                out.push(format!(
                    "aws iam simulate-principal-policy --policy-source-arn {arn} --action-names ACTION --resource-arns RESOURCE_ARN"
                ));
            }
        }
    }
    out
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

    #[test]
    fn role_commands_use_the_role_name_without_its_path() {
        let cmds = inspect_commands(
            &workload(Mechanism::Irsa),
            LinkName::Trust,
            Some(&cluster()),
        );
        assert_eq!(
            cmds[0],
            "aws iam get-role --role-name search --query Role.AssumeRolePolicyDocument"
        );
        assert!(cmds[1].contains("--name prod --region eu-west-1"));
    }

    #[test]
    fn association_commands_name_cluster_namespace_and_service_account() {
        let cmds = inspect_commands(
            &workload(Mechanism::PodIdentity),
            LinkName::Association,
            Some(&cluster()),
        );
        assert_eq!(
            cmds,
            vec![
                "aws eks list-pod-identity-associations --cluster-name prod --namespace shop --service-account search-sa --region eu-west-1"
            ]
        );
    }

    #[test]
    fn without_a_cluster_the_placeholder_is_visible() {
        let cmds = inspect_commands(&workload(Mechanism::PodIdentity), LinkName::Agent, None);
        assert!(cmds[0].contains("--cluster-name CLUSTER_NAME"));
    }

    #[test]
    fn every_link_has_a_command() {
        for link in LinkName::IRSA.iter().chain(LinkName::POD_IDENTITY.iter()) {
            assert!(
                !inspect_commands(&workload(Mechanism::Irsa), *link, None).is_empty(),
                "{link}"
            );
        }
    }
}
