//! `--action`/`--resource`: what a workload must be able to do, for `doctor` and the terminal
//! UI. Each `--resource` belongs to the `--action` before it on the command line (several may
//! follow one action); an action with none is asked on `*`; a `--resource` before any
//! `--action` is a usage error naming it.
//!
//! clap keeps each flag's values in a list of its own, so the pairing is rebuilt from where the
//! values stood on the command line (`ArgMatches::indices_of`): that is why [`ActionArgs`]
//! implements clap's `Args` by hand instead of deriving it.

use clap::{Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};

use crate::model::report::RequestedAction;

const ACTION: &str = "action";
const RESOURCE: &str = "resource";

/// The `--action` flags in command-line order, each with the `--resource` flags after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionArgs {
    needs: Vec<(String, Vec<String>)>,
    /// The first `--resource` that came before any `--action`.
    orphan: Option<String>,
}

impl ActionArgs {
    /// Pairs flags given in command-line order: `(true, ACTION)` or `(false, RESOURCE)`.
    pub fn from_ordered<'a>(flags: impl IntoIterator<Item = (bool, &'a str)>) -> ActionArgs {
        let mut out = ActionArgs::default();
        for (is_action, value) in flags {
            match (is_action, out.needs.last_mut()) {
                (true, _) => out.needs.push((value.to_string(), Vec::new())),
                (false, Some((_, resources))) => resources.push(value.to_string()),
                (false, None) => {
                    out.orphan.get_or_insert_with(|| value.to_string());
                }
            }
        }
        out
    }

    /// The actions with their resources, in command-line order; the error names the flag
    /// that is wrong.
    pub fn requested(&self) -> Result<Vec<RequestedAction>, String> {
        if let Some(resource) = &self.orphan {
            return Err(format!(
                "--resource `{resource}` comes before any --action: each --resource belongs to the --action before it (--action SERVICE:Action --resource ARN)"
            ));
        }
        let mut out = Vec::new();
        for (action, resources) in &self.needs {
            match action.split_once(':') {
                Some((service, name)) if !service.is_empty() && !name.is_empty() => {}
                _ => {
                    return Err(format!(
                        "--action `{action}` is not SERVICE:Action (for example s3:GetObject)"
                    ));
                }
            }
            if resources.is_empty() {
                out.push(RequestedAction {
                    action: action.clone(),
                    resource: "*".to_string(),
                });
            }
            for resource in resources {
                out.push(RequestedAction {
                    action: action.clone(),
                    resource: resource.clone(),
                });
            }
        }
        Ok(out)
    }
}

impl FromArgMatches for ActionArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags: Vec<(usize, bool, &str)> = Vec::new();
        for (id, is_action) in [(ACTION, true), (RESOURCE, false)] {
            let values = matches.get_many::<String>(id).into_iter().flatten();
            let indices = matches.indices_of(id).into_iter().flatten();
            flags.extend(indices.zip(values).map(|(i, v)| (i, is_action, v.as_str())));
        }
        flags.sort_by_key(|(i, _, _)| *i);
        Ok(ActionArgs::from_ordered(
            flags.into_iter().map(|(_, is_action, v)| (is_action, v)),
        ))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = ActionArgs::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for ActionArgs {
    fn augment_args(cmd: Command) -> Command {
        cmd.arg(
            Arg::new(ACTION)
                .long(ACTION)
                .value_name("ACTION")
                .action(ArgAction::Append)
                .value_parser(clap::value_parser!(String))
                .help("An AWS action the workload needs (e.g. s3:GetObject); repeatable. Judged on the --resource flags that follow it, else on `*`"),
        )
        .arg(
            Arg::new(RESOURCE)
                .long(RESOURCE)
                .value_name("ARN")
                .action(ArgAction::Append)
                .value_parser(clap::value_parser!(String))
                .help("A resource ARN for the --action before it; repeatable"),
        )
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[arg(short = 'n')]
        namespace: Option<String>,
        #[command(flatten)]
        needs: ActionArgs,
    }

    fn pairs(args: &[&str]) -> Result<Vec<(String, String)>, String> {
        let cli = Cli::try_parse_from(std::iter::once("test").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        cli.needs.requested().map(|v| {
            v.into_iter()
                .map(|r| (r.action, r.resource))
                .collect::<Vec<_>>()
        })
    }

    fn owned(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, r)| (a.to_string(), r.to_string()))
            .collect()
    }

    /// Command-line arguments, and the (action, resource) pairs they ask.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);

    #[test]
    fn each_resource_belongs_to_the_action_before_it() {
        let cases: &[Case] = &[
            (&[], &[]),
            (&["--action", "s3:GetObject"], &[("s3:GetObject", "*")]),
            (
                // The case: InvokeModel has no resource, PutObject has the bucket.
                &[
                    "--action",
                    "bedrock:InvokeModel",
                    "--action",
                    "s3:PutObject",
                    "--resource",
                    "arn:aws:s3:::bucket/x",
                ],
                &[
                    ("bedrock:InvokeModel", "*"),
                    ("s3:PutObject", "arn:aws:s3:::bucket/x"),
                ],
            ),
            (
                &[
                    "--action=s3:GetObject",
                    "--resource=arn:aws:s3:::a/*",
                    "--resource",
                    "arn:aws:s3:::b/*",
                    "-n",
                    "ns",
                    "--action",
                    "sqs:SendMessage",
                ],
                &[
                    ("s3:GetObject", "arn:aws:s3:::a/*"),
                    ("s3:GetObject", "arn:aws:s3:::b/*"),
                    ("sqs:SendMessage", "*"),
                ],
            ),
        ];
        for (args, want) in cases {
            assert_eq!(pairs(args), Ok(owned(want)), "{args:?}");
        }
    }

    #[test]
    fn a_resource_before_any_action_is_an_error_naming_it() {
        let err = pairs(&[
            "--resource",
            "arn:aws:s3:::early",
            "--action",
            "s3:GetObject",
        ])
        .unwrap_err();
        assert!(err.contains("--resource `arn:aws:s3:::early`"), "{err}");
        assert!(err.contains("before any --action"), "{err}");
        let err = pairs(&["--action", "GetObject"]).unwrap_err();
        assert!(err.contains("SERVICE:Action"), "{err}");
    }
}
