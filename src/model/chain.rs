//! The chain as reported: links in order, their status, and the findings that justify it.
//!
//! The order of [`LinkName`] variants is the chain order of DESIGN.md; [`Status::rank`] is the
//! explicit "how bad" order used to aggregate links into a workload status.

use std::fmt;

use serde::Serialize;

use super::command::CommandLine;

/// A link of the chain. IRSA uses `Annotation` and `OidcProvider`; Pod Identity uses
/// `Association` and `Agent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkName {
    Pod,
    ServiceAccount,
    Annotation,
    Association,
    Injection,
    Role,
    OidcProvider,
    Agent,
    Trust,
    Permissions,
}

impl LinkName {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkName::Pod => "pod",
            LinkName::ServiceAccount => "service-account",
            LinkName::Annotation => "annotation",
            LinkName::Association => "association",
            LinkName::Injection => "injection",
            LinkName::Role => "role",
            LinkName::OidcProvider => "oidc-provider",
            LinkName::Agent => "agent",
            LinkName::Trust => "trust",
            LinkName::Permissions => "permissions",
        }
    }

    pub const IRSA: [LinkName; 8] = [
        LinkName::Pod,
        LinkName::ServiceAccount,
        LinkName::Annotation,
        LinkName::Injection,
        LinkName::Role,
        LinkName::OidcProvider,
        LinkName::Trust,
        LinkName::Permissions,
    ];

    pub const POD_IDENTITY: [LinkName; 8] = [
        LinkName::Pod,
        LinkName::ServiceAccount,
        LinkName::Association,
        LinkName::Injection,
        LinkName::Role,
        LinkName::Agent,
        LinkName::Trust,
        LinkName::Permissions,
    ];
}

impl fmt::Display for LinkName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ok,
    Warning,
    Broken,
    /// We could not look: no permission, unreachable, or not in the offline bundle.
    Unknown,
    /// An earlier link is broken in a way that leaves nothing to judge here.
    Skipped,
}

impl Status {
    /// How bad a status is, for aggregating links into a workload status.
    pub fn rank(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Skipped => 1,
            Status::Warning => 2,
            Status::Unknown => 3,
            Status::Broken => 4,
        }
    }

    pub fn worst(a: Status, b: Status) -> Status {
        if b.rank() > a.rank() { b } else { a }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Broken => "broken",
            Status::Unknown => "unknown",
            Status::Skipped => "skipped",
        }
    }

    /// The one-cell mark every front end shows next to a status, so that it reads without
    /// colour too.
    pub fn icon(self) -> &'static str {
        match self {
            Status::Ok => "✔",
            Status::Warning => "!",
            Status::Broken => "✘",
            Status::Unknown => "?",
            Status::Skipped => "·",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warning,
    /// The link is broken.
    Error,
    /// The link could not be judged.
    Unknown,
}

impl Severity {
    /// The link status a finding of this severity gives (an info finding leaves a link ok): the
    /// colour its evidence is shown in.
    pub fn status(self) -> Status {
        match self {
            Severity::Info => Status::Ok,
            Severity::Warning => Status::Warning,
            Severity::Unknown => Status::Unknown,
            Severity::Error => Status::Broken,
        }
    }
}

/// One piece of evidence: which object, which field, what value, and for policies the lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// `ServiceAccount shop/search`, `IAM role arn:aws:iam::...:role/x`, ...
    pub object: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// 1-based line range inside `document` (a policy) the finding points at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<(u32, u32)>,
    /// The whole document the lines refer to (a decoded policy), for display.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

impl Evidence {
    pub fn new(object: impl Into<String>) -> Self {
        Evidence {
            object: object.into(),
            ..Evidence::default()
        }
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }
    pub fn lines(mut self, from: u32, to: u32) -> Self {
        self.lines = Some((from, to));
        self
    }
    pub fn document(mut self, document: impl Into<String>) -> Self {
        self.document = Some(document.into());
        self
    }
}

/// The fix in words, with the equivalent commands. Everything a command needs said about it
/// (what to run first, what to recreate by hand) is in the words: a command is only its argv.
///
/// `changes` are the same fix as data, for the fix planner (`src/plan`): each one change to one
/// object, with what a writer needs. A fix whose changes are empty has no automatic form (it
/// needs a choice, or a hand). Not part of the report's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fix {
    pub summary: String,
    pub commands: Vec<CommandLine>,
    pub changes: Vec<super::plan::Change>,
    /// When the right fix is ambiguous: each way, what it means and its changes (`--choice N`
    /// picks one; `changes` is then empty).
    pub choices: Vec<FixChoice>,
    /// Workloads whose pods must be re-created by hand for the fix to reach them (a Job, a
    /// CronJob's next run): a plan names them instead of a restart step.
    pub recreate: Vec<super::plan::Recreate>,
}

/// One way to fix an ambiguous link, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixChoice {
    pub meaning: String,
    pub changes: Vec<super::plan::Change>,
}

impl Fix {
    pub fn new(summary: impl Into<String>) -> Self {
        Fix {
            summary: summary.into(),
            commands: Vec::new(),
            changes: Vec::new(),
            choices: Vec::new(),
            recreate: Vec::new(),
        }
    }

    /// One way to fix it when there are several ([`Fix::choices`]).
    pub fn choice(mut self, meaning: impl Into<String>, changes: Vec<super::plan::Change>) -> Self {
        self.choices.push(FixChoice {
            meaning: meaning.into(),
            changes,
        });
        self
    }

    /// The fix as data ([`Fix::changes`]).
    pub fn change(mut self, change: super::plan::Change) -> Self {
        self.changes.push(change);
        self
    }
    pub fn command(mut self, command: CommandLine) -> Self {
        self.commands.push(command);
        self
    }

    /// Adds each of `commands` (none, for an `Option` that is `None`).
    pub fn commands(mut self, commands: impl IntoIterator<Item = CommandLine>) -> Self {
        self.commands.extend(commands);
        self
    }
}

/// JSON: `commands` are the lines to paste (as before the argv existed) and `argv` the same
/// commands as argument vectors, in the same order, for tools that run them without a shell.
impl Serialize for Fix {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let n = if self.commands.is_empty() { 1 } else { 3 };
        let mut s = serializer.serialize_struct("Fix", n)?;
        s.serialize_field("summary", &self.summary)?;
        if !self.commands.is_empty() {
            let lines: Vec<String> = self.commands.iter().map(CommandLine::render).collect();
            s.serialize_field("commands", &lines)?;
            s.serialize_field("argv", &self.commands)?;
        }
        s.end()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable code, see `model::codes`.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// The field-guide entry this check implements (e.g. "A1").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<&'static str>,
}

impl Finding {
    pub fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity,
            message: message.into(),
            evidence: Vec::new(),
            fix: None,
            reference: None,
        }
    }
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Finding::new(code, Severity::Error, message)
    }
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Finding::new(code, Severity::Warning, message)
    }
    pub fn info(code: &'static str, message: impl Into<String>) -> Self {
        Finding::new(code, Severity::Info, message)
    }
    pub fn unknown(code: &'static str, message: impl Into<String>) -> Self {
        Finding::new(code, Severity::Unknown, message)
    }
    pub fn evidence(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
    pub fn reference(mut self, entry: &'static str) -> Self {
        self.reference = Some(entry);
        self
    }
}

/// One link of one workload's chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkReport {
    pub link: LinkName,
    pub status: Status,
    /// One line for list views: what this link is for this workload.
    pub summary: String,
    pub findings: Vec<Finding>,
}

impl LinkReport {
    /// A link whose status follows from its findings: any error -> broken, else any unknown ->
    /// unknown, else any warning -> warning, else ok.
    pub fn from_findings(
        link: LinkName,
        summary: impl Into<String>,
        findings: Vec<Finding>,
    ) -> Self {
        let status = findings
            .iter()
            .fold(Status::Ok, |acc, f| Status::worst(acc, f.severity.status()));
        LinkReport {
            link,
            status,
            summary: summary.into(),
            findings,
        }
    }

    /// A link with nothing to judge for a reason other than a broken link (no pods run as a
    /// service account yet): `skipped`, with the reason as its summary.
    pub fn not_applicable(link: LinkName, why: impl Into<String>) -> Self {
        LinkReport {
            link,
            status: Status::Skipped,
            summary: why.into(),
            findings: Vec::new(),
        }
    }

    pub fn skipped(link: LinkName, because: LinkName) -> Self {
        LinkReport {
            link,
            status: Status::Skipped,
            summary: format!("not checked: the {because} link is broken"),
            findings: Vec::new(),
        }
    }
}

/// How a workload gets AWS credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    Irsa,
    PodIdentity,
    /// Neither is configured.
    None,
}

impl Mechanism {
    pub fn label(self) -> &'static str {
        match self {
            Mechanism::Irsa => "IRSA",
            Mechanism::PodIdentity => "Pod Identity",
            Mechanism::None => "none",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_serializes_its_commands_as_lines_and_as_argv() {
        let fix = Fix::new("annotate").command(CommandLine::kubectl([
            "annotate",
            "sa",
            "x",
            "eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/$(id)",
        ]));
        assert_eq!(
            serde_json::to_value(&fix).unwrap(),
            serde_json::json!({
                "summary": "annotate",
                "commands": ["kubectl annotate sa x 'eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/$(id)'"],
                "argv": [["kubectl", "annotate", "sa", "x", "eks.amazonaws.com/role-arn=arn:aws:iam::111122223333:role/$(id)"]],
            })
        );
    }

    #[test]
    fn a_fix_without_commands_has_neither_field() {
        assert_eq!(
            serde_json::to_value(Fix::new("look")).unwrap(),
            serde_json::json!({"summary": "look"})
        );
    }
}
