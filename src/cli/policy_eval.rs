//! `kubectl irsa policy eval`: evaluate IAM policies offline. Reads the policy and request files
//! (the only I/O; src/policy stays pure), prints the decision as text or JSON.
//!
//! Exit codes: 0 whenever a decision was reached, including `invalid_policy` (a policy IAM would
//! refuse); 2 for bad usage or unusable input (unreadable file, request that is not valid JSON or
//! not the expected shape). To add a request field, extend [`parse_request`] and the docs of
//! [`PolicyEvalArgs::request`].
//!
//! Policies and requests are untrusted text: the text output and the error line show them
//! through [`terminal_text`](crate::terminal_text), the JSON output through its `json_pretty`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};

use crate::policy::json::{JsonNode, JsonValue, parse_json};
use crate::policy::{
    ActionEvaluation, Decision, Evaluation, NamedPolicy, Policy, PolicyError, PolicyKind, Request,
    RequestContext, RequestPrincipal, describe_mismatch, evaluate_identity, evaluate_trust,
    parse_policy,
};
use crate::terminal_text::{self, line as shown};

/// Evaluate IAM policies offline: a JSON request in, a decision with its explanation out.
#[derive(Debug, Clone, clap::Args)]
pub struct PolicyEvalArgs {
    /// What the policies are: a role's trust policy, or identity policies (inline, managed).
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// A policy document (JSON, URL-encoded as GetRole returns it, or a JSON string). Repeat for
    /// several identity policies; a trust evaluation takes exactly one.
    #[arg(long = "policy", value_name = "FILE", required = true)]
    pub policies: Vec<PathBuf>,
    /// A permissions boundary policy (identity only).
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<PathBuf>,
    /// A session policy (identity only).
    #[arg(long = "session-policy", value_name = "FILE")]
    pub session_policy: Option<PathBuf>,
    /// The request: {"principal": "<ARN>" | {"Federated"|"Service"|"AWS": "..."},
    /// "action": "svc:Name" | [...], "resource": "<ARN>", "context": {"key": "v" | ["v1", "v2"]}}.
    #[arg(long, value_name = "FILE")]
    pub request: PathBuf,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    Trust,
    Identity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Json,
    Text,
}

/// Exit codes of `policy eval` (README, next to doctor's): the decision is the exit status, so
/// a script can branch on it without reading the output.
const ALLOWED: i32 = 0;
const DENIED: i32 = 1;
const USAGE_ERROR: i32 = 2;

/// Run the command; returns the process exit code: 0 allowed, 1 denied (explicit or
/// implicit), 2 invalid input (a policy IAM would refuse, an unreadable file, bad usage).
pub fn run(args: &PolicyEvalArgs) -> i32 {
    match execute(args) {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(
                anstream::stderr(),
                "kubectl irsa policy eval: {}",
                shown(&message)
            );
            USAGE_ERROR
        }
    }
}

/// One policy file: its role in the evaluation, its path and its text.
struct Source {
    role: &'static str,
    kind: PolicyKind,
    path: PathBuf,
    text: String,
}

fn execute(args: &PolicyEvalArgs) -> Result<i32, String> {
    let kind = match args.kind {
        KindArg::Trust => PolicyKind::Trust,
        KindArg::Identity => PolicyKind::Identity,
    };
    if kind == PolicyKind::Trust
        && (args.policies.len() != 1 || args.boundary.is_some() || args.session_policy.is_some())
    {
        return Err(
            "--kind trust takes exactly one --policy and no --boundary or --session-policy"
                .to_string(),
        );
    }
    let request = read_request(&args.request)?;
    let mut sources = Vec::new();
    for p in &args.policies {
        sources.push(read_source(p, "policy", kind)?);
    }
    if let Some(b) = &args.boundary {
        sources.push(read_source(b, "boundary", PolicyKind::Identity)?);
    }
    if let Some(s) = &args.session_policy {
        sources.push(read_source(s, "session", PolicyKind::Identity)?);
    }
    let mut parsed: Vec<(&Source, Policy)> = Vec::new();
    for s in &sources {
        match parse_policy(&s.text, s.kind) {
            Ok(p) => parsed.push((s, p)),
            Err(e) => {
                print_invalid(args.output, kind, s, &e);
                return Ok(USAGE_ERROR);
            }
        }
    }
    let named = |role: &str| -> Vec<NamedPolicy<'_>> {
        parsed
            .iter()
            .filter(|(s, _)| s.role == role)
            .map(|(s, p)| NamedPolicy::new(s.path.display().to_string(), p))
            .collect()
    };
    let main = named("policy");
    let boundary = named("boundary");
    let session = named("session");
    let evaluation = match kind {
        PolicyKind::Trust => match main.first() {
            Some(trust) => evaluate_trust(trust, &request),
            None => return Err("no --policy given".to_string()),
        },
        PolicyKind::Identity => {
            evaluate_identity(&main, boundary.first(), session.first(), &request)
        }
    };
    match args.output {
        OutputFormat::Json => print_json(kind, &sources, &evaluation),
        OutputFormat::Text => print_text(&evaluation),
    }
    Ok(match evaluation.decision {
        Decision::Allow => ALLOWED,
        Decision::ImplicitDeny | Decision::ExplicitDeny => DENIED,
    })
}

fn read_text(path: &Path, what: &str) -> Result<String, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read {what} file {}: {e}", path.display()))?;
    String::from_utf8(bytes)
        .map_err(|_| format!("{what} file {} is not UTF-8 text", path.display()))
}

fn read_source(path: &Path, role: &'static str, kind: PolicyKind) -> Result<Source, String> {
    // A policy that is not UTF-8 cannot be a valid policy, but that is still a decision
    // (invalid_policy); only an unreadable file is a usage error.
    let bytes = std::fs::read(path)
        .map_err(|e| format!("cannot read {role} file {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(Source {
        role,
        kind,
        path: path.to_path_buf(),
        text,
    })
}

fn kind_name(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Trust => "trust",
        PolicyKind::Identity => "identity",
    }
}

// ---------------------------------------------------------------------------------------------
// The request file.

fn read_request(path: &Path) -> Result<Request, String> {
    let text = read_text(path, "request")?;
    let shown = path.display();
    let root = parse_json(&text).map_err(|e| {
        let reason = e
            .reason
            .trim_start_matches("Syntax errors in policy.")
            .trim();
        match e.location {
            Some(l) => format!(
                "request file {shown} is not valid JSON: {reason} (line {}, column {})",
                l.line, l.column
            ),
            None => format!("request file {shown} is not valid JSON: {reason}"),
        }
    })?;
    parse_request(&root).map_err(|(msg, line)| match line {
        Some(line) => format!("request file {shown}, line {line}: {msg}"),
        None => format!("request file {shown}: {msg}"),
    })
}

type RequestError = (String, Option<u32>);

fn bad(node: &JsonNode, msg: impl Into<String>) -> RequestError {
    (msg.into(), Some(node.line()))
}

/// Turn the request JSON into a [`Request`], refusing unknown fields and wrong types.
fn parse_request(root: &JsonNode) -> Result<Request, RequestError> {
    let members = root.as_object().ok_or_else(|| {
        bad(
            root,
            format!(
                "the request must be a JSON object, found {}",
                root.type_name()
            ),
        )
    })?;
    let mut request = Request::new();
    for m in members {
        match m.key.as_str() {
            "principal" => request.principal = Some(parse_principal(&m.value)?),
            "action" => request.actions = parse_actions(&m.value)?,
            "resource" => {
                let r = m.value.as_str().ok_or_else(|| {
                    bad(
                        &m.value,
                        format!(
                            "\"resource\" must be a string ARN, found {}",
                            m.value.type_name()
                        ),
                    )
                })?;
                request.resource = Some(r.to_string());
            }
            "context" => request.context = parse_context(&m.value)?,
            other => {
                return Err((
                    format!(
                        "unknown field \"{other}\"; expected principal, action, resource, context"
                    ),
                    Some(m.key_span.line),
                ));
            }
        }
    }
    if request.actions.is_empty() {
        return Err((
            "missing \"action\" (a string such as \"sts:AssumeRoleWithWebIdentity\", or an array)"
                .to_string(),
            None,
        ));
    }
    Ok(request)
}

fn parse_principal(node: &JsonNode) -> Result<RequestPrincipal, RequestError> {
    match &node.value {
        JsonValue::String(s) if !s.is_empty() => Ok(RequestPrincipal::Aws(s.clone())),
        JsonValue::Object(members) if members.len() == 1 => {
            let m = &members[0];
            let value = m
                .value
                .as_str()
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    bad(
                        &m.value,
                        format!("principal \"{}\" must be a non-empty string", m.key),
                    )
                })?
                .to_string();
            match m.key.as_str() {
                "AWS" => Ok(RequestPrincipal::Aws(value)),
                "Federated" => Ok(RequestPrincipal::Federated(value)),
                "Service" => Ok(RequestPrincipal::Service(value)),
                other => Err((
                    format!(
                        "unknown principal type \"{other}\"; expected AWS, Federated or Service"
                    ),
                    Some(m.key_span.line),
                )),
            }
        }
        _ => Err(bad(
            node,
            "\"principal\" must be an ARN string or an object with one of AWS, Federated, Service",
        )),
    }
}

fn parse_actions(node: &JsonNode) -> Result<Vec<String>, RequestError> {
    let action = |n: &JsonNode| -> Result<String, RequestError> {
        match n.as_str() {
            Some(a) if a.contains(':') => Ok(a.to_string()),
            Some(a) => Err(bad(
                n,
                format!("action \"{a}\" must be service:Name, e.g. s3:GetObject"),
            )),
            None => Err(bad(
                n,
                format!("each action must be a string, found {}", n.type_name()),
            )),
        }
    };
    match &node.value {
        JsonValue::String(_) => Ok(vec![action(node)?]),
        JsonValue::Array(items) if !items.is_empty() => items.iter().map(action).collect(),
        JsonValue::Array(_) => Err(bad(node, "\"action\" is an empty array")),
        _ => Err(bad(
            node,
            format!(
                "\"action\" must be a string or an array of strings, found {}",
                node.type_name()
            ),
        )),
    }
}

fn context_value(n: &JsonNode) -> Result<String, RequestError> {
    match &n.value {
        JsonValue::String(s) => Ok(s.clone()),
        JsonValue::Number(s) => Ok(s.clone()),
        JsonValue::Bool(b) => Ok(b.to_string()),
        _ => Err(bad(
            n,
            format!(
                "context values must be strings, numbers or booleans, found {}",
                n.type_name()
            ),
        )),
    }
}

fn parse_context(node: &JsonNode) -> Result<RequestContext, RequestError> {
    let members = node.as_object().ok_or_else(|| {
        bad(
            node,
            format!("\"context\" must be an object, found {}", node.type_name()),
        )
    })?;
    let mut ctx = RequestContext::new();
    for m in members {
        if ctx.get(&m.key).is_some() {
            return Err((
                format!(
                    "context key \"{}\" is given twice (keys are case-insensitive)",
                    m.key
                ),
                Some(m.key_span.line),
            ));
        }
        let values = match &m.value.value {
            JsonValue::Array(items) => items.iter().map(context_value).collect::<Result<_, _>>()?,
            _ => vec![context_value(&m.value)?],
        };
        ctx.insert(m.key.clone(), values);
    }
    Ok(ctx)
}

// ---------------------------------------------------------------------------------------------
// Output.

fn print_json(kind: PolicyKind, sources: &[Source], evaluation: &Evaluation) {
    let policies: Vec<serde_json::Value> = sources
        .iter()
        .map(|s| {
            serde_json::json!({
                "name": s.path.display().to_string(),
                "role": s.role,
            })
        })
        .collect();
    let out = serde_json::json!({
        "decision": evaluation.decision.as_str(),
        "kind": kind_name(kind),
        "summary": evaluation.summary,
        "policies": policies,
        "actions": evaluation.actions,
    });
    print_value(&out);
}

fn print_invalid(format: OutputFormat, kind: PolicyKind, source: &Source, e: &PolicyError) {
    let file = source.path.display().to_string();
    match format {
        OutputFormat::Json => {
            let out = serde_json::json!({
                "decision": "invalid_policy",
                "kind": kind_name(kind),
                "file": file,
                "role": source.role,
                "code": e.code,
                "reason": e.reason,
                "line": e.location.map(|l| l.line),
                "column": e.location.map(|l| l.column),
            });
            print_value(&out);
        }
        OutputFormat::Text => {
            let mut out = anstream::stdout();
            let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
            let at = e
                .location
                .map(|l| format!(":{}:{}", l.line, l.column))
                .unwrap_or_default();
            let _ = writeln!(out, "{red}invalid policy{red:#}  {}{at}", shown(&file));
            let what = match (source.role, kind) {
                ("boundary", _) => "permissions boundary",
                ("session", _) => "session policy",
                (_, PolicyKind::Trust) => "trust policy",
                _ => "identity policy",
            };
            let _ = writeln!(out, "  IAM would refuse this {what}: {}", shown(&e.reason));
        }
    }
}

fn print_value(v: &serde_json::Value) {
    let text = terminal_text::json_pretty(v).unwrap_or_else(|_| "{}".to_string());
    let _ = writeln!(anstream::stdout(), "{text}");
}

fn decision_style(d: Decision) -> Style {
    match d {
        Decision::Allow => Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
        Decision::ImplicitDeny => Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold(),
        Decision::ExplicitDeny => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
    }
}

fn decision_text(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "ALLOW",
        Decision::ImplicitDeny => "IMPLICIT DENY",
        Decision::ExplicitDeny => "EXPLICIT DENY",
    }
}

fn print_text(evaluation: &Evaluation) {
    let mut out = anstream::stdout();
    let style = decision_style(evaluation.decision);
    let _ = writeln!(
        out,
        "{style}{}{style:#}  {}",
        decision_text(evaluation.decision),
        shown(&evaluation.summary)
    );
    for a in &evaluation.actions {
        print_action(&mut out, a);
    }
}

fn print_action(out: &mut impl Write, a: &ActionEvaluation) {
    let style = decision_style(a.decision);
    let dim = Style::new().dimmed();
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} {style}{}{style:#}",
        shown(&a.action),
        a.decision.as_str()
    );
    let _ = writeln!(out, "  {}", shown(&a.explanation));
    for d in &a.deciding {
        let sid = d
            .sid
            .as_deref()
            .map(|s| format!(" Sid \"{}\"", shown(s)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  decided by {}:{} statement {}{sid} ({})",
            shown(&d.policy),
            d.line,
            d.index,
            d.effect.as_str()
        );
    }
    for t in &a.statements {
        let sid = t
            .sid
            .as_deref()
            .map(|s| format!(" Sid \"{}\"", shown(s)))
            .unwrap_or_default();
        let where_ = format!(
            "{}:{} statement {}{sid} {}",
            shown(&t.policy),
            t.line,
            t.index,
            t.effect.as_str()
        );
        if t.matched {
            let _ = writeln!(out, "  {green}✓{green:#} {where_} {dim}matches{dim:#}");
        } else {
            let _ = writeln!(out, "  {red}✗{red:#} {where_}");
            for m in &t.mismatches {
                let _ = writeln!(out, "      - {}", shown(&describe_mismatch(m)));
            }
        }
    }
}
