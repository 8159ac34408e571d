//! Where a [`CommandLine`] runs and what it does there: [`CommandTarget`] completes a command
//! with the kubeconfig context and the AWS region the report was made against, so a pasted
//! line reaches the same cluster and region whatever the user's shell defaults are, and
//! [`CommandLine::writes`] tells a command that changes something from one that only reads.
//!
//! To cover a new program, add it to [`CommandTarget::complete`] (which flag names the place it
//! acts on) and to [`CommandLine::writes`].

use super::command::CommandLine;

/// AWS services whose endpoints are regional, so a command needs `--region` to reach the
/// cluster's region: EKS, and STS (the AWS CLI v2 calls the regional STS endpoint of the
/// configured region). IAM is a global service (one endpoint per partition): its commands take
/// no region.
const REGIONAL_AWS_SERVICES: [&str; 2] = ["eks", "sts"];

/// kubectl's global flags that take a value as the next argument, skipped when looking for the
/// verb (`kubectl --context prod annotate ...`).
const KUBECTL_VALUE_FLAGS: [&str; 6] = [
    "--context",
    "--kubeconfig",
    "-n",
    "--namespace",
    "--cluster",
    "--user",
];

/// The kubeconfig context and AWS region the report was made against; `None` when the source
/// does not say (an offline bundle has no context; a cluster not described has no region).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandTarget {
    pub context: Option<String>,
    pub region: Option<String>,
}

impl CommandTarget {
    /// `c` with the flags that pin where it runs, unless it already has them: `kubectl
    /// --context CTX ...` (right after the program, so it is a global flag even before a
    /// `--`), `--region REGION` at the end of a regional `aws` command and of an `eksctl` one.
    pub fn complete(&self, c: CommandLine) -> CommandLine {
        let argv = c.argv();
        match argv.first().map(String::as_str) {
            Some("kubectl") => match &self.context {
                Some(ctx) if !c.has_flag("--context") => {
                    CommandLine::new(["kubectl", "--context", ctx.as_str()])
                        .args(argv.iter().skip(1).cloned())
                }
                _ => c,
            },
            Some("aws")
                if argv
                    .get(1)
                    .is_some_and(|s| REGIONAL_AWS_SERVICES.contains(&s.as_str())) =>
            {
                self.with_region(c)
            }
            Some("eksctl") => self.with_region(c),
            _ => c,
        }
    }

    fn with_region(&self, c: CommandLine) -> CommandLine {
        match &self.region {
            Some(r) if !c.has_flag("--region") => c.args(["--region", r.as_str()]),
            _ => c,
        }
    }
}

impl CommandLine {
    /// Whether `flag` is given, as `--flag VALUE` or `--flag=VALUE`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.argv().iter().skip(1).any(|a| {
            a == flag
                || a.strip_prefix(flag)
                    .is_some_and(|rest| rest.starts_with('='))
        })
    }

    /// The system this command changes (`"Kubernetes"`, `"IAM"`, `"EKS"`), or `None` when it
    /// only reads. Judged from the verb as the program documents it: kubectl's `annotate`,
    /// `patch`, `create`, `delete`, `rollout restart`...; an AWS CLI operation named `create-*`,
    /// `put-*`, `attach-*`, `update-*`, `add-*`, `delete-*`...; eksctl's `create`/`delete` and
    /// `utils associate-iam-oidc-provider --approve` (without `--approve` eksctl only plans).
    pub fn writes(&self) -> Option<&'static str> {
        let argv = self.argv();
        let words = |skip_values: &[&str]| -> Vec<&str> {
            let mut out = Vec::new();
            let mut it = argv.iter().skip(1);
            while let Some(a) = it.next() {
                if skip_values.contains(&a.as_str()) {
                    it.next();
                } else if !a.starts_with('-') {
                    out.push(a.as_str());
                }
            }
            out
        };
        match argv.first().map(String::as_str)? {
            "kubectl" => {
                let w = words(&KUBECTL_VALUE_FLAGS);
                let writes = match w.first().copied()? {
                    "annotate" | "label" | "patch" | "apply" | "create" | "delete" | "edit"
                    | "replace" | "scale" | "set" | "taint" | "cordon" | "uncordon" | "drain"
                    | "autoscale" | "expose" => true,
                    "rollout" => matches!(
                        w.get(1).copied(),
                        Some("restart" | "undo" | "pause" | "resume")
                    ),
                    _ => false,
                };
                writes.then_some("Kubernetes")
            }
            "aws" => {
                let w = words(&["--region", "--profile", "--output", "--query"]);
                let (service, op) = (w.first().copied()?, w.get(1).copied()?);
                let writes = [
                    "create-",
                    "put-",
                    "attach-",
                    "detach-",
                    "update-",
                    "add-",
                    "remove-",
                    "delete-",
                    "tag-",
                    "untag-",
                    "associate-",
                    "disassociate-",
                    "set-",
                    "upload-",
                ]
                .iter()
                .any(|p| op.starts_with(p));
                match service {
                    _ if !writes => None,
                    "iam" => Some("IAM"),
                    "eks" => Some("EKS"),
                    _ => Some("AWS"),
                }
            }
            "eksctl" => {
                let w = words(&["--region", "--cluster", "--profile"]);
                match (w.first().copied()?, w.get(1).copied()) {
                    ("utils", Some("associate-iam-oidc-provider")) => {
                        self.has_flag("--approve").then_some("IAM")
                    }
                    ("create" | "delete" | "update" | "upgrade" | "set" | "unset" | "scale", _) => {
                        Some("EKS")
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> CommandTarget {
        CommandTarget {
            context: Some("prod$(id)".into()),
            region: Some("eu-west-1".into()),
        }
    }

    #[test]
    fn kubectl_gets_the_context_as_a_global_flag_first() {
        let c = target().complete(CommandLine::kubectl([
            "exec", "p", "-n", "shop", "--", "sh", "-c", "env",
        ]));
        assert_eq!(
            c.argv(),
            [
                "kubectl",
                "--context",
                "prod$(id)",
                "exec",
                "p",
                "-n",
                "shop",
                "--",
                "sh",
                "-c",
                "env"
            ]
        );
        assert_eq!(
            c.render(),
            "kubectl --context 'prod$(id)' exec p -n shop -- sh -c env"
        );
    }

    #[test]
    fn a_flag_already_there_is_not_repeated() {
        let t = target();
        let k = CommandLine::kubectl(["get", "pods", "--context=other"]);
        assert_eq!(t.complete(k.clone()), k);
        let a = CommandLine::aws(["eks", "describe-cluster", "--name", "x", "--region", "us"]);
        assert_eq!(t.complete(a.clone()), a);
    }

    #[test]
    fn regional_aws_services_get_the_region_iam_does_not() {
        let t = target();
        assert_eq!(
            t.complete(CommandLine::aws(["eks", "list-addons"]))
                .render(),
            "aws eks list-addons --region eu-west-1"
        );
        assert_eq!(
            t.complete(CommandLine::aws(["sts", "get-caller-identity"]))
                .render(),
            "aws sts get-caller-identity --region eu-west-1"
        );
        let iam = CommandLine::aws(["iam", "get-role", "--role-name", "x"]);
        assert_eq!(t.complete(iam.clone()), iam);
    }

    #[test]
    fn nothing_known_changes_nothing() {
        let t = CommandTarget::default();
        for c in [
            CommandLine::kubectl(["get", "pods"]),
            CommandLine::aws(["eks", "list-addons"]),
            CommandLine::eksctl(["utils", "associate-iam-oidc-provider"]),
        ] {
            assert_eq!(t.complete(c.clone()), c);
        }
    }

    #[test]
    fn writes_are_told_from_reads() {
        let cases: [(CommandLine, Option<&str>); 14] = [
            (
                CommandLine::kubectl([
                    "annotate",
                    "serviceaccount",
                    "x",
                    "eks.amazonaws.com/role-arn=y",
                ]),
                Some("Kubernetes"),
            ),
            (
                CommandLine::kubectl([
                    "--context",
                    "annotate",
                    "rollout",
                    "restart",
                    "deploy",
                    "x",
                ]),
                Some("Kubernetes"),
            ),
            (
                CommandLine::kubectl(["rollout", "status", "deploy", "x"]),
                None,
            ),
            (CommandLine::kubectl(["-n", "delete", "get", "pods"]), None),
            (
                CommandLine::kubectl(["delete", "pod", "x"]),
                Some("Kubernetes"),
            ),
            (
                CommandLine::kubectl(["create", "serviceaccount", "x"]),
                Some("Kubernetes"),
            ),
            (
                CommandLine::kubectl(["exec", "p", "--", "sh", "-c", "env | grep ^AWS_"]),
                None,
            ),
            (
                CommandLine::aws(["iam", "update-assume-role-policy", "--role-name", "x"]),
                Some("IAM"),
            ),
            (CommandLine::aws(["iam", "put-role-policy"]), Some("IAM")),
            (
                CommandLine::aws(["iam", "get-role", "--role-name", "create-x"]),
                None,
            ),
            (CommandLine::aws(["eks", "create-addon"]), Some("EKS")),
            (
                CommandLine::aws(["eks", "describe-cluster", "--name", "x"]),
                None,
            ),
            (
                CommandLine::eksctl([
                    "utils",
                    "associate-iam-oidc-provider",
                    "--cluster",
                    "x",
                    "--approve",
                ]),
                Some("IAM"),
            ),
            (
                CommandLine::eksctl(["utils", "associate-iam-oidc-provider", "--cluster", "x"]),
                None,
            ),
        ];
        for (c, want) in cases {
            assert_eq!(c.writes(), want, "{c}");
        }
    }
}
