//! Table-driven cases for the IAM policy engine. Every file in tests/policy_cases/*.json holds
//! `{"cases": [...]}`; every case names the AWS documentation rule it checks (`rule`), gives
//! the policy kind, the policies (a JSON object, or a string for raw text such as invalid JSON
//! or URL-encoded documents), an optional `boundary` / `session` policy, a request, and the
//! expected decision (`allow`, `implicit_deny`, `explicit_deny` or `invalid_policy`, the latter
//! with a `reason` substring). Optional checks: `actions` (decision per action),
//! `explanation` (substring of the first action's explanation), `deciding` (statement indexes
//! that decided), `error_line`.
//!
//! To add a case, append it to the file of its topic; the harness refuses a case without a
//! rule or an expectation, and a case file with duplicate keys.

use std::path::Path;

use kubectl_irsa::policy::{
    Decision, NamedPolicy, Policy, PolicyKind, Request, RequestContext, RequestPrincipal,
    evaluate_identity, evaluate_trust, json::parse_json, parse_policy,
};
use serde_json::Value;

struct Outcome {
    decision: String,
    error: Option<String>,
    error_line: Option<u32>,
    per_action: Vec<(String, String)>,
    explanation: String,
    deciding: Vec<usize>,
}

fn policy_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).expect("serialize policy"),
    }
}

fn request(v: &Value) -> Request {
    let mut req = Request::new();
    if let Some(p) = v.get("principal") {
        req.principal = Some(match p {
            Value::String(s) => RequestPrincipal::Aws(s.clone()),
            Value::Object(m) => {
                let (k, v) = m.iter().next().expect("principal object has one entry");
                let v = v.as_str().expect("principal value is a string").to_string();
                match k.as_str() {
                    "AWS" => RequestPrincipal::Aws(v),
                    "Federated" => RequestPrincipal::Federated(v),
                    "Service" => RequestPrincipal::Service(v),
                    other => panic!("unknown principal type {other}"),
                }
            }
            other => panic!("bad principal {other}"),
        });
    }
    match v.get("action") {
        Some(Value::String(a)) => req.actions.push(a.clone()),
        Some(Value::Array(a)) => req.actions.extend(
            a.iter()
                .map(|x| x.as_str().expect("action string").to_string()),
        ),
        _ => panic!("request needs an action"),
    }
    if let Some(r) = v.get("resource") {
        req.resource = Some(r.as_str().expect("resource string").to_string());
    }
    let mut ctx = RequestContext::new();
    if let Some(Value::Object(m)) = v.get("context") {
        for (k, val) in m {
            let values = match val {
                Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().expect("context value string").to_string())
                    .collect(),
                Value::String(s) => vec![s.clone()],
                other => panic!("bad context value {other}"),
            };
            ctx.insert(k.clone(), values);
        }
    }
    req.context = ctx;
    req
}

fn run(case: &Value) -> Outcome {
    let kind = match case["kind"].as_str() {
        Some("trust") => PolicyKind::Trust,
        Some("identity") => PolicyKind::Identity,
        other => panic!("bad kind {other:?}"),
    };
    let mut sources: Vec<(String, String, PolicyKind)> = Vec::new();
    for (i, p) in case["policies"]
        .as_array()
        .expect("policies array")
        .iter()
        .enumerate()
    {
        sources.push((format!("policy{i}"), policy_text(p), kind));
    }
    for extra in ["boundary", "session"] {
        if let Some(p) = case.get(extra) {
            sources.push((extra.to_string(), policy_text(p), PolicyKind::Identity));
        }
    }
    let mut parsed: Vec<(String, Policy)> = Vec::new();
    for (name, text, kind) in sources {
        match parse_policy(&text, kind) {
            Ok(p) => parsed.push((name, p)),
            Err(e) => {
                return Outcome {
                    decision: "invalid_policy".into(),
                    error_line: e.line(),
                    error: Some(e.to_string()),
                    per_action: Vec::new(),
                    explanation: String::new(),
                    deciding: Vec::new(),
                };
            }
        }
    }
    let req = request(&case["request"]);
    let named = |name: &str| {
        parsed
            .iter()
            .find(|(n, _)| n == name)
            .map(|(n, p)| NamedPolicy::new(n.clone(), p))
    };
    let main: Vec<NamedPolicy> = parsed
        .iter()
        .filter(|(n, _)| n.starts_with("policy"))
        .map(|(n, p)| NamedPolicy::new(n.clone(), p))
        .collect();
    let eval = match kind {
        PolicyKind::Trust => evaluate_trust(&main[0], &req),
        PolicyKind::Identity => evaluate_identity(
            &main,
            named("boundary").as_ref(),
            named("session").as_ref(),
            &req,
        ),
    };
    // Every result type must serialize.
    serde_json::to_string(&eval).expect("evaluation serializes");
    let first = eval.actions.first();
    Outcome {
        decision: eval.decision.as_str().to_string(),
        error: None,
        error_line: None,
        per_action: eval
            .actions
            .iter()
            .map(|a| (a.action.clone(), a.decision.as_str().to_string()))
            .collect(),
        explanation: first.map(|a| a.explanation.clone()).unwrap_or_default(),
        deciding: first
            .map(|a| a.deciding.iter().map(|d| d.index).collect())
            .unwrap_or_default(),
    }
}

fn check(file: &str, case: &Value) -> Result<(), String> {
    let name = case["name"].as_str().unwrap_or("<unnamed>");
    let rule = case["rule"].as_str().unwrap_or("");
    if rule.len() < 20 {
        return Err(format!(
            "{file}: {name}: every case must cite the AWS rule it checks"
        ));
    }
    let expect = case["expect"]
        .as_str()
        .ok_or_else(|| format!("{file}: {name}: no expected decision"))?;
    if !["allow", "implicit_deny", "explicit_deny", "invalid_policy"].contains(&expect) {
        return Err(format!("{file}: {name}: unknown expectation {expect}"));
    }
    let out = run(case);
    let mut problems = Vec::new();
    if out.decision != expect {
        problems.push(format!(
            "expected {expect}, got {}{}{}",
            out.decision,
            out.error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default(),
            if out.explanation.is_empty() {
                String::new()
            } else {
                format!(" -- {}", out.explanation)
            }
        ));
    }
    if expect == "invalid_policy" {
        let want = case["reason"].as_str().ok_or_else(|| {
            format!("{file}: {name}: invalid_policy cases need a reason substring")
        })?;
        let got = out.error.clone().unwrap_or_default();
        if !got.contains(want) {
            problems.push(format!("reason {got:?} does not contain {want:?}"));
        }
        if let Some(line) = case.get("error_line").and_then(Value::as_u64)
            && out.error_line != Some(line as u32)
        {
            problems.push(format!("error line {:?}, expected {line}", out.error_line));
        }
    }
    if let Some(Value::Object(per)) = case.get("actions") {
        for (action, want) in per {
            let got = out
                .per_action
                .iter()
                .find(|(a, _)| a == action)
                .map(|(_, d)| d.as_str());
            if got != want.as_str() {
                problems.push(format!("action {action}: expected {want}, got {got:?}"));
            }
        }
    }
    if let Some(want) = case.get("explanation").and_then(Value::as_str)
        && !out.explanation.contains(want)
    {
        problems.push(format!(
            "explanation {:?} does not contain {want:?}",
            out.explanation
        ));
    }
    if let Some(Value::Array(want)) = case.get("deciding") {
        let want: Vec<usize> = want
            .iter()
            .filter_map(Value::as_u64)
            .map(|n| n as usize)
            .collect();
        if out.deciding != want {
            problems.push(format!(
                "deciding statements {:?}, expected {want:?}",
                out.deciding
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{file}: {name} [{rule}]: {}", problems.join("; ")))
    }
}

#[test]
fn policy_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/policy_cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/policy_cases exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut total = 0;
    let mut seen = std::collections::HashSet::new();
    let mut by_decision = std::collections::BTreeMap::<String, usize>::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read case file");
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        // serde_json would silently merge duplicate keys inside a case: refuse them.
        if let Err(e) = parse_json(&text) {
            panic!("{file}: {e}");
        }
        let doc: Value = serde_json::from_str(&text).expect("case file is JSON");
        for case in doc["cases"].as_array().expect("cases array") {
            total += 1;
            let name = case["name"].as_str().unwrap_or("").to_string();
            assert!(
                seen.insert(name.clone()),
                "{file}: duplicate case name {name}"
            );
            *by_decision
                .entry(case["expect"].as_str().unwrap_or("").to_string())
                .or_default() += 1;
            if let Err(e) = check(&file, case) {
                failures.push(e);
            }
        }
    }
    eprintln!(
        "{total} policy cases in {} files: {by_decision:?}",
        files.len()
    );
    assert!(total >= 300, "expected a few hundred cases, found {total}");
    for d in [
        Decision::Allow,
        Decision::ImplicitDeny,
        Decision::ExplicitDeny,
    ] {
        assert!(
            by_decision.get(d.as_str()).copied().unwrap_or(0) > 10,
            "too few {} cases",
            d.as_str()
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
