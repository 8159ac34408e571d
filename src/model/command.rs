//! A command the tool prints, copies or exports: an argument vector, rendered for a POSIX shell.
//!
//! Values in commands come from a cluster, an AWS account or a bundle, written by someone else
//! (issue 14). A command is therefore never a string assembled with `format!`: it is the argv
//! the program should receive, and [`CommandLine::render`] quotes each argument with `shlex`
//! (POSIX quoting: single quotes, and double quotes only around `'` and `\`), so that pasting the
//! line into sh, bash, zsh or dash runs exactly that argv. `$(id)`, `` `id` ``, `'; rm -rf ~'`
//! or a value with a newline stays one literal argument.
//!
//! Values the user must fill in are placeholders of one style, `<UPPER_SNAKE>`
//! ([`placeholder`]); the renderer quotes them too (`'<ROLE_ARN>'`), so a pasted line with a
//! placeholder left in fails at the program instead of becoming a shell redirection.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

/// Placeholders for what the tool does not know and the user must fill in. One style:
/// `<UPPER_SNAKE>`.
pub mod placeholder {
    pub const ROLE_ARN: &str = "<ROLE_ARN>";
    pub const POLICY_ARN: &str = "<POLICY_ARN>";
    pub const CLUSTER: &str = "<CLUSTER>";
    pub const ACTION: &str = "<ACTION>";
    pub const RESOURCE_ARN: &str = "<RESOURCE_ARN>";
    pub const VERSION_ID: &str = "<VERSION_ID>";
    pub const ASSOCIATION_ID: &str = "<ASSOCIATION_ID>";
    /// Stands for a value that held a NUL byte: no program can receive one as an argument
    /// (argv entries are C strings), so such a value is never copied into a command.
    pub const VALUE_WITH_NUL: &str = "<VALUE_WITH_NUL_BYTE>";
}

/// One command as its argument vector; `argv[0]` is the program (`kubectl`, `aws`, `eksctl`).
/// No argument contains a NUL byte (see [`placeholder::VALUE_WITH_NUL`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CommandLine {
    argv: Vec<String>,
}

/// A plan file's command (`apply PLAN_FILE`): the same invariants as one built here, a
/// program and no NUL byte, or the file is refused.
impl<'de> serde::Deserialize<'de> for CommandLine {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let argv = Vec::<String>::deserialize(d)?;
        if argv.is_empty() {
            return Err(serde::de::Error::custom("a command needs a program"));
        }
        if argv.iter().any(|a| a.contains('\0')) {
            return Err(serde::de::Error::custom(
                "a command argument holds a NUL byte",
            ));
        }
        Ok(CommandLine { argv })
    }
}

impl CommandLine {
    /// A command from its whole argv, program first.
    pub fn new<I, S>(argv: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CommandLine { argv: Vec::new() }.args(argv)
    }

    /// `kubectl` with `args`.
    pub fn kubectl<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CommandLine::new(["kubectl"]).args(args)
    }

    /// `aws` with `args`.
    pub fn aws<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CommandLine::new(["aws"]).args(args)
    }

    /// `eksctl` with `args`.
    pub fn eksctl<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CommandLine::new(["eksctl"]).args(args)
    }

    /// Appends one argument, exactly as given; a value holding a NUL byte becomes
    /// [`placeholder::VALUE_WITH_NUL`].
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        let arg = arg.into();
        if arg.contains('\0') {
            self.argv.push(placeholder::VALUE_WITH_NUL.to_string());
        } else {
            self.argv.push(arg);
        }
        self
    }

    /// Appends each of `args` as [`CommandLine::arg`] does.
    pub fn args<I, S>(self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        args.into_iter().fold(self, |c, a| c.arg(a))
    }

    /// The arguments, program first: what the program receives when the rendered line runs.
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    /// The line to paste into a POSIX shell: each argument quoted where it needs it, separated
    /// by one space.
    pub fn render(&self) -> String {
        self.argv
            .iter()
            .map(|a| quote(a))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One argument for a POSIX shell. shlex refuses only a NUL byte, which [`CommandLine::arg`]
/// never stores; the placeholder keeps this total without a panic.
fn quote(arg: &str) -> Cow<'_, str> {
    shlex::try_quote(arg).unwrap_or(Cow::Borrowed("'<VALUE_WITH_NUL_BYTE>'"))
}

impl fmt::Display for CommandLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// The rendered line: for texts that carry a command as a hint (`Missing::NotCollected`).
impl From<CommandLine> for String {
    fn from(c: CommandLine) -> String {
        c.render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(args: &[&str]) -> String {
        CommandLine::new(args.iter().copied()).render()
    }

    #[test]
    fn plain_words_stay_unquoted() {
        assert_eq!(
            rendered(&["kubectl", "get", "pod", "web-1", "-n", "shop", "-o", "yaml"]),
            "kubectl get pod web-1 -n shop -o yaml"
        );
        assert_eq!(
            rendered(&[
                "aws",
                "iam",
                "get-role",
                "--role-name",
                "team.search@x+y,z-1"
            ]),
            "aws iam get-role --role-name 'team.search@x+y,z-1'"
        );
    }

    #[test]
    fn substitutions_and_separators_are_single_quoted() {
        assert_eq!(rendered(&["echo", "$(id)"]), "echo '$(id)'");
        assert_eq!(rendered(&["echo", "`id`"]), "echo '`id`'");
        assert_eq!(rendered(&["echo", "a;b|c&d"]), "echo 'a;b|c&d'");
        assert_eq!(rendered(&["echo", "$HOME"]), "echo '$HOME'");
    }

    #[test]
    fn a_single_quote_cannot_close_the_quoting() {
        let line = rendered(&["echo", "'; rm -rf ~'"]);
        assert_eq!(line, r#"echo "'; rm -rf ~'""#);
        assert_eq!(rendered(&["echo", "it's $(id)"]), r#"echo "it's "'$(id)'"#);
    }

    #[test]
    fn a_newline_stays_inside_one_argument() {
        assert_eq!(rendered(&["echo", "a\nb"]), "echo 'a\nb'");
    }

    #[test]
    fn an_empty_argument_is_kept() {
        assert_eq!(rendered(&["echo", "", "x"]), "echo '' x");
    }

    #[test]
    fn unicode_is_quoted_and_kept_whole() {
        assert_eq!(rendered(&["echo", "rôle-ß-日本"]), "echo 'rôle-ß-日本'");
    }

    #[test]
    fn placeholders_are_quoted_so_they_are_not_redirections() {
        assert_eq!(
            rendered(&[
                "aws",
                "iam",
                "get-role",
                "--role-name",
                placeholder::ROLE_ARN
            ]),
            "aws iam get-role --role-name '<ROLE_ARN>'"
        );
        assert_eq!(
            rendered(&[
                "kubectl",
                "annotate",
                "eks.amazonaws.com/role-arn=<ROLE_ARN>"
            ]),
            "kubectl annotate 'eks.amazonaws.com/role-arn=<ROLE_ARN>'"
        );
    }

    #[test]
    fn a_nul_byte_becomes_a_visible_placeholder_never_a_panic() {
        let c = CommandLine::kubectl(["get", "pod", "a\0b"]);
        assert_eq!(c.argv()[3], placeholder::VALUE_WITH_NUL);
        assert_eq!(c.render(), "kubectl get pod '<VALUE_WITH_NUL_BYTE>'");
        assert_eq!(quote("a\0b"), "'<VALUE_WITH_NUL_BYTE>'");
    }

    #[test]
    fn the_rendered_line_splits_back_into_the_argv() {
        let hostile = [
            "$(touch /tmp/x)",
            "`id`",
            "'; rm -rf ~'",
            "a\nb",
            "",
            "\\",
            "\"",
            "!x ^y",
            "*?[a]{b,c}~#=%",
            "\u{1b}]0;PWNED\u{7}",
            "rôle",
        ];
        let c = CommandLine::aws(hostile);
        assert_eq!(
            shlex::split(&c.render()).as_deref(),
            Some(c.argv()),
            "{}",
            c.render()
        );
    }

    #[test]
    fn serializes_as_its_argv() {
        let c = CommandLine::kubectl(["get", "sa", "x y"]);
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!(["kubectl", "get", "sa", "x y"])
        );
    }
}
