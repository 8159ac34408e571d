//! `-o terraform` checked as Terraform would read it: the exact output for a role on a path with
//! tags and a boundary (imported whole, so `terraform plan` changes nothing else), and, for the
//! plan of every fixture scenario, a structural reading of the HCL (strings closed, braces
//! balanced, only blocks Terraform knows) in which every resource has the arguments its
//! provider requires and every import block names a resource of the output with the id format
//! its provider documents. No HCL crate is a dependency, so the reader is here: small, strict
//! about what the renderer writes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::fix::{FixOutcome, plan_fix};
use super::terraform::render;
use crate::diagnose::Selection;
use crate::model::CommandLine;
use crate::model::plan::{Change, ObjectRef, Step, Unchanged};

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Word(String),
    Punct(char),
    Newline,
}

/// Tokens of HCL text: strings (escapes decoded), words, punctuation, newlines; `#` comments
/// dropped. Fails on an unterminated string or an unknown character.
fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push(Token::Newline);
                        break;
                    }
                }
            }
            '\n' => out.push(Token::Newline),
            ' ' | '\t' | '\r' => {}
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None | Some('\n') => return Err(format!("unterminated string {s:?}")),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some('r') => s.push('\r'),
                            Some('"') => s.push('"'),
                            Some('\\') => s.push('\\'),
                            Some('u') => {
                                let hex: String = chars.by_ref().take(4).collect();
                                let n = u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                                s.push(char::from_u32(n).unwrap_or('\u{fffd}'));
                            }
                            other => return Err(format!("bad escape {other:?} in {s:?}")),
                        },
                        // An interpolation or directive the renderer must never write.
                        Some(c @ ('$' | '%')) if chars.peek() == Some(&'{') => {
                            return Err(format!("template sequence {c}{{ in {s:?}"));
                        }
                        Some(c @ ('$' | '%')) if chars.peek() == Some(&c) => {
                            chars.next();
                            s.push(c);
                        }
                        Some(c) => s.push(c),
                    }
                }
                out.push(Token::Str(s));
            }
            '{' | '}' | '[' | ']' | '(' | ')' | '=' | ',' | ':' => out.push(Token::Punct(c)),
            c if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' => {
                let mut w = c.to_string();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' || n == '-' || n == '.' {
                        w.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Token::Word(w));
            }
            other => return Err(format!("unexpected character {other:?}")),
        }
    }
    Ok(out)
}

/// A top-level block: its type, labels, and its body's arguments (name -> value tokens) and
/// nested blocks (name -> their argument names).
#[derive(Debug, Default)]
struct Block {
    kind: String,
    labels: Vec<String>,
    args: BTreeMap<String, Vec<Token>>,
    nested: BTreeMap<String, BTreeSet<String>>,
}

/// The tokens up to the bracket closing the one just opened at `i - 1`; checks nesting.
fn closing(t: &[Token], mut i: usize, open: char) -> Result<usize, String> {
    let mut stack = vec![open];
    while let Some(tok) = t.get(i) {
        if let Token::Punct(c) = tok {
            match c {
                '{' | '[' | '(' => stack.push(*c),
                '}' | ']' | ')' => {
                    let want = match stack.pop() {
                        Some('{') => '}',
                        Some('[') => ']',
                        Some(_) => ')',
                        None => return Err("unbalanced".into()),
                    };
                    if *c != want {
                        return Err(format!("{c} closes a {want}"));
                    }
                    if stack.is_empty() {
                        return Ok(i);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    Err(format!("{open} never closed"))
}

/// A body's arguments (name -> value tokens) and nested blocks (name -> their arguments).
type Body = (
    BTreeMap<String, Vec<Token>>,
    BTreeMap<String, BTreeSet<String>>,
);

/// The arguments (`name = value`) and nested blocks (`name {`) of a body.
fn body(t: &[Token]) -> Result<Body, String> {
    let (mut args, mut nested) = (BTreeMap::new(), BTreeMap::new());
    let mut i = 0;
    while i < t.len() {
        match (&t[i], t.get(i + 1)) {
            (Token::Newline, _) => i += 1,
            (Token::Word(name), Some(Token::Punct('='))) => {
                let mut end = i + 2;
                let mut value = Vec::new();
                while let Some(tok) = t.get(end) {
                    match tok {
                        Token::Newline => break,
                        Token::Punct(c @ ('{' | '[' | '(')) => {
                            let close = closing(t, end + 1, *c)?;
                            value.extend_from_slice(&t[end..=close]);
                            end = close + 1;
                            continue;
                        }
                        other => value.push(other.clone()),
                    }
                    end += 1;
                }
                if value.is_empty() {
                    return Err(format!("{name} = nothing"));
                }
                if args.insert(name.clone(), value).is_some() {
                    return Err(format!("{name} set twice"));
                }
                i = end;
            }
            (Token::Word(name), Some(Token::Punct('{'))) => {
                let close = closing(t, i + 2, '{')?;
                let (inner, _) = body(&t[i + 2..close])?;
                nested.insert(name.clone(), inner.into_keys().collect());
                i = close + 1;
            }
            (other, _) => return Err(format!("unexpected {other:?} in a body")),
        }
    }
    Ok((args, nested))
}

/// The top-level blocks of `text`, or what makes it unreadable.
fn blocks(text: &str) -> Result<Vec<Block>, String> {
    let t = tokens(text)?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        match &t[i] {
            Token::Newline => i += 1,
            Token::Word(kind) => {
                let mut labels = Vec::new();
                i += 1;
                while let Some(Token::Str(l)) = t.get(i) {
                    labels.push(l.clone());
                    i += 1;
                }
                if t.get(i) != Some(&Token::Punct('{')) {
                    return Err(format!("{kind} {labels:?}: no body"));
                }
                let close = closing(&t, i + 1, '{')?;
                let (args, nested) = body(&t[i + 1..close])?;
                out.push(Block {
                    kind: kind.clone(),
                    labels,
                    args,
                    nested,
                });
                i = close + 1;
            }
            other => return Err(format!("unexpected {other:?} at the top level")),
        }
    }
    Ok(out)
}

/// The arguments each resource kind the renderer writes must have: the providers' required
/// arguments, and a role's `name` (an imported role also needs its `path`, checked below).
fn required(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "aws_iam_role" => &["name", "assume_role_policy"],
        "aws_iam_role_policy" => &["name", "role", "policy"],
        "aws_iam_role_policy_attachment" => &["role", "policy_arn"],
        "aws_iam_openid_connect_provider" => &["url", "client_id_list", "thumbprint_list"],
        "aws_eks_pod_identity_association" => {
            &["cluster_name", "namespace", "service_account", "role_arn"]
        }
        "kubernetes_annotations" => &["api_version", "kind"],
        "kubernetes_env" => &["api_version", "kind", "container"],
        "aws_eks_addon" => &["cluster_name", "addon_name"],
        _ => return None,
    })
}

/// Whether an import id has the format the provider documents for `kind`.
fn import_id_ok(kind: &str, id: &str) -> bool {
    match kind {
        "aws_iam_role" => !id.is_empty() && !id.contains([':', '/']),
        "aws_iam_role_policy" => id.split(':').count() == 2 && !id.starts_with("arn:"),
        "aws_iam_role_policy_attachment" => id.split_once("/arn:").is_some(),
        "aws_iam_openid_connect_provider" => {
            id.starts_with("arn:") && id.contains(":oidc-provider/")
        }
        "aws_eks_pod_identity_association" => id.split(',').count() == 2,
        "aws_eks_addon" => id.split(':').count() == 2,
        _ => false,
    }
}

/// Every problem of `text` as Terraform configuration (empty: none).
fn problems(text: &str) -> Vec<String> {
    let blocks = match blocks(text) {
        Ok(b) => b,
        Err(e) => return vec![e],
    };
    let mut out = Vec::new();
    let declared: BTreeSet<String> = blocks
        .iter()
        .filter(|b| b.kind == "resource")
        .map(|b| b.labels.join("."))
        .collect();
    let imported: BTreeSet<String> = blocks
        .iter()
        .filter(|b| b.kind == "import")
        .filter_map(|b| match b.args.get("to").map(Vec::as_slice) {
            Some([Token::Word(to)]) => Some(to.clone()),
            _ => None,
        })
        .collect();
    for b in &blocks {
        match b.kind.as_str() {
            "resource" => {
                let [kind, _name] = b.labels.as_slice() else {
                    out.push(format!("resource labels {:?}", b.labels));
                    continue;
                };
                let Some(required) = required(kind) else {
                    out.push(format!(
                        "a resource kind the renderer should not write: {kind}"
                    ));
                    continue;
                };
                for arg in required {
                    if !b.args.contains_key(*arg) {
                        out.push(format!("{kind} without {arg}"));
                    }
                }
                // Imported, a role left on the default "/" would be replaced (`path` forces a
                // new resource).
                if kind == "aws_iam_role"
                    && imported.contains(&b.labels.join("."))
                    && !b.args.contains_key("path")
                {
                    out.push("imported aws_iam_role without path".into());
                }
                if kind == "kubernetes_annotations" {
                    if !b.nested.get("metadata").is_some_and(|m| m.contains("name")) {
                        out.push("kubernetes_annotations without metadata.name".into());
                    }
                    if !b.args.contains_key("annotations")
                        && !b.args.contains_key("template_annotations")
                    {
                        out.push("kubernetes_annotations without annotations".into());
                    }
                }
            }
            "import" => {
                let to = match b.args.get("to").map(Vec::as_slice) {
                    Some([Token::Word(to)]) => to.clone(),
                    other => {
                        out.push(format!("import to {other:?}"));
                        continue;
                    }
                };
                let kind = to.split('.').next().unwrap_or_default();
                if !declared.contains(&to) {
                    out.push(format!("import of {to}, which no resource declares"));
                }
                match b.args.get("id").map(Vec::as_slice) {
                    Some([Token::Str(id)]) if import_id_ok(kind, id) => {}
                    other => out.push(format!("import id of {to}: {other:?}")),
                }
            }
            other => out.push(format!(
                "a top-level block Terraform would not expect here: {other}"
            )),
        }
    }
    out
}

fn role_step(unchanged: Option<Unchanged>) -> Step {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#;
    let change = Change::PutTrustPolicy {
        role_name: "app-role".into(),
        document: doc.into(),
    };
    Step {
        system: change.system(),
        action: change.action().into(),
        object: ObjectRef {
            kind: "IAMRole".into(),
            namespace: None,
            name: Some("app-role".into()),
            arn: Some("arn:aws:iam::111122223333:role/platform/team-a/app-role".into()),
        },
        before: Some("{}".into()),
        after: Some(doc.into()),
        command: CommandLine::aws(["iam"]),
        inverse: None,
        change,
        precondition: None,
        unchanged,
    }
}

fn plan_of(steps: Vec<Step>) -> crate::model::plan::Plan {
    crate::model::plan::Plan {
        schema_version: crate::model::plan::PLAN_SCHEMA_VERSION,
        id: "p1".into(),
        target: "deploy/app".into(),
        steps,
        choices: Vec::new(),
        manual: None,
        recreate: Vec::new(),
    }
}

/// The role is imported whole: its path (which forces a new role when it differs), its
/// boundary and its tags as read, the new trust, and a comment for what was not read.
#[test]
fn a_pathed_tagged_role_is_imported_with_everything_terraform_would_otherwise_change() {
    let kept = Unchanged {
        path: Some("/platform/team-a/".into()),
        tags: BTreeMap::from([
            ("cost-center".to_string(), "42".to_string()),
            ("team".to_string(), "payments".to_string()),
        ]),
        permissions_boundary: Some("arn:aws:iam::111122223333:policy/boundary".into()),
        thumbprints: Vec::new(),
        unread: vec!["description".into(), "max_session_duration".into()],
    };
    let hcl = render(&plan_of(vec![role_step(Some(kept))]));
    let expected = r#"# 1. update-trust-policy
import {
  to = aws_iam_role.app_role
  id = "app-role"
}

resource "aws_iam_role" "app_role" {
  name                 = "app-role"
  path                 = "/platform/team-a/"
  permissions_boundary = "arn:aws:iam::111122223333:policy/boundary"
  assume_role_policy   = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [{
        "Effect" = "Allow"
        "Principal" = {
          "Federated" = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
        }
        "Action" = "sts:AssumeRoleWithWebIdentity"
      }]
  })
  tags = {
    "cost-center" = "42"
    "team" = "payments"
  }
  # Not read by kubectl-irsa: description, max_session_duration. Copy them here from `aws iam get-role --role-name app-role` before `terraform plan`:
  # left out, Terraform removes or resets them on the imported object.
}
"#;
    assert!(hcl.ends_with(expected), "{hcl}");
    assert_eq!(problems(&hcl), Vec::<String>::new(), "{hcl}");
}

/// A plan file from before `unchanged` existed: the path still comes from the role's ARN, and
/// every attribute it did not carry is named.
#[test]
fn without_what_was_read_the_path_comes_from_the_arn_and_the_rest_is_named() {
    let hcl = render(&plan_of(vec![role_step(None)]));
    assert!(
        hcl.contains("  path                 = \"/platform/team-a/\"\n"),
        "{hcl}"
    );
    assert!(
        hcl.contains("# Not read by kubectl-irsa: tags, permissions_boundary, description, max_session_duration."),
        "{hcl}"
    );
    assert_eq!(problems(&hcl), Vec::<String>::new());
}

#[test]
fn the_reader_catches_what_terraform_would_refuse() {
    assert!(!problems("resource \"aws_iam_role\" \"r\" {\n  name = \"x\"\n").is_empty());
    assert!(!problems("resource \"aws_iam_role\" \"r\" {\n  name = \"x${y}\"\n}\n").is_empty());
    let no_path =
        "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = \"{}\"\n}\n";
    assert_eq!(
        problems(no_path),
        Vec::<String>::new(),
        "created: path defaults"
    );
    let imported = format!("import {{\n  to = aws_iam_role.r\n  id = \"r\"\n}}\n\n{no_path}");
    assert_eq!(problems(&imported), ["imported aws_iam_role without path"]);
    let bad_import = "import {\n  to = aws_iam_role_policy.p\n  id = \"role/policy\"\n}\n\nresource \"aws_iam_role_policy\" \"p\" {\n  name = \"p\"\n  role = \"r\"\n  policy = \"{}\"\n}\n";
    assert_eq!(problems(bad_import).len(), 1, "{:?}", problems(bad_import));
}

/// Every fixture scenario's plan (and the demo's) as Terraform reads: closed strings, balanced
/// braces, known blocks, required arguments, import ids as documented.
#[test]
fn every_scenarios_plan_is_terraform_with_the_arguments_its_providers_require() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let now: jiff::Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("bundle").is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    let mut kinds = BTreeSet::new();
    let mut failures = Vec::new();
    for name in names {
        let Ok(snap) = crate::sources::bundle::load_dirs(&[root.join(&name).join("bundle")]) else {
            continue;
        };
        let outcome = plan_fix(&snap, &Selection::default(), "t", "all", now, None).unwrap();
        let FixOutcome::Ready { plan, .. } = outcome else {
            continue;
        };
        let hcl = render(&plan);
        for p in problems(&hcl) {
            failures.push(format!("{name}: {p}\n{hcl}"));
        }
        kinds.extend(plan.steps.iter().map(|s| s.action.clone()));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    for action in [
        "update-trust-policy",
        "rollout-restart",
        "create-oidc-provider",
        "add-client-id",
    ] {
        assert!(
            kinds.contains(action),
            "no scenario's plan has {action}: {kinds:?}"
        );
    }
}
