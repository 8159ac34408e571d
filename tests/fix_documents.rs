//! The policy documents fix commands carry (issue 15, "Commands complete enough to run"): a
//! trust or permission fix passes the whole new document inline, never `file://`. For every fix
//! of every fixture scenario that writes a document: it parses as IAM would; every statement of
//! the document read is in it unchanged (but the one statement the fix names, which differs
//! only by the subject added to a condition, and Deny statements the fix says it removes); and
//! once written (the snapshot's role given the new document, diagnosed again) the finding it
//! fixes is gone. The demo's sub-typo fix is also evaluated directly with the policy engine.

use std::path::{Path, PathBuf};

use kubectl_irsa::diagnose::{Selection, diagnose};
use kubectl_irsa::model::aws::{InlinePolicy, PolicyText};
use kubectl_irsa::model::report::RequestedAction;
use kubectl_irsa::model::{CommandLine, Fact, LinkName, Severity, Snapshot, WorkloadReport};
use kubectl_irsa::policy::{
    Decision, NamedPolicy, PolicyKind, Request, RequestContext, RequestPrincipal, decode_document,
    evaluate_trust, parse_policy,
};
use kubectl_irsa::sources::bundle::load_dirs;
use serde_json::Value;

fn scenario_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("bundle").is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The action sets a scenario's expectations ask for, plus none.
fn action_sets(dir: &Path) -> Vec<Vec<RequestedAction>> {
    let mut sets = vec![Vec::new()];
    let Ok(text) = std::fs::read_to_string(dir.join("expected.json")) else {
        return sets;
    };
    let expected: Value = serde_json::from_str(&text).unwrap();
    for entry in expected.as_array().into_iter().flatten() {
        let args: Vec<&str> = entry["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str())
            .collect();
        let mut set: Vec<RequestedAction> = Vec::new();
        for pair in args.chunks(2) {
            match pair {
                ["--action", a] => set.push(RequestedAction {
                    action: a.to_string(),
                    resource: "*".into(),
                }),
                ["--resource", r] => set.last_mut().unwrap().resource = r.to_string(),
                other => panic!("{}: unsupported args {other:?}", dir.display()),
            }
        }
        if !set.is_empty() {
            sets.push(set);
        }
    }
    sets
}

/// The value after `flag` in `c`.
fn flag<'c>(c: &'c CommandLine, flag: &str) -> &'c str {
    let argv = c.argv();
    let i = argv.iter().position(|a| a == flag).expect(flag);
    &argv[i + 1]
}

/// A policy's statements as JSON values, in order (a lone `Statement` object is one).
fn statements(document: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(document).unwrap_or_else(|e| panic!("{e}: {document}"));
    match &v["Statement"] {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    }
}

/// The paths of `st`'s values a fix may add to: each condition's values and the Action.
fn value_paths(st: &Value) -> Vec<Vec<String>> {
    let mut paths = vec![vec!["Action".to_string()]];
    for (op, keys) in st
        .get("Condition")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for key in keys.as_object().into_iter().flatten().map(|(k, _)| k) {
            paths.push(vec!["Condition".into(), op.clone(), key.clone()]);
        }
    }
    paths
}

fn at_mut<'v>(st: &'v mut Value, path: &[String]) -> &'v mut Value {
    path.iter().fold(st, |v, p| &mut v[p.as_str()])
}

/// `new` is `old` with `value` added to one of its values (the Action, or a condition's
/// values), a lone string becoming a list.
fn is_old_with_value_added(old: &Value, new: &Value, value: &str) -> bool {
    for path in value_paths(new) {
        let mut st = new.clone();
        let Some(items) = at_mut(&mut st, &path).as_array().cloned() else {
            continue;
        };
        if items.last().and_then(Value::as_str) != Some(value) {
            continue;
        }
        let rest = &items[..items.len() - 1];
        let mut undone = vec![Value::Array(rest.to_vec())];
        if let [one] = rest {
            undone.push(one.clone());
        }
        for before in undone {
            *at_mut(&mut st, &path) = before;
            if &st == old {
                return true;
            }
        }
    }
    false
}

/// The trust fix's document keeps the document read: each old statement is there unchanged, or
/// changed only by the subject added, or (a Deny) removed; new statements come after them.
fn assert_keeps_the_old_statements(what: &str, old_doc: &str, new_doc: &str, subject: &str) {
    let (old, new) = (statements(old_doc), statements(new_doc));
    let mut j = 0;
    let mut edited = 0;
    for st in &old {
        match new.get(j) {
            Some(n) if n == st => j += 1,
            Some(n)
                if is_old_with_value_added(st, n, subject)
                    || is_old_with_value_added(st, n, "sts:TagSession") =>
            {
                edited += 1;
                j += 1;
            }
            _ if st["Effect"] == "Deny" => {}
            other => panic!(
                "{what}: statement {st} is not kept (found {other:?})\nold {old_doc}\nnew {new_doc}"
            ),
        }
    }
    assert!(edited <= 1, "{what}: {edited} statements edited");
    assert!(
        j < new.len() || edited == 1 || old.len() > new.len(),
        "{what}: the document is unchanged"
    );
}

fn same_workload<'r>(report: &'r [WorkloadReport], w: &WorkloadReport) -> &'r WorkloadReport {
    report
        .iter()
        .find(|x| x.namespace == w.namespace && x.kind == w.kind && x.name == w.name)
        .expect("the workload is diagnosed again")
}

fn codes_on(w: &WorkloadReport, link: LinkName) -> Vec<&'static str> {
    w.link(link)
        .map(|l| {
            l.findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.code)
                .collect()
        })
        .unwrap_or_default()
}

/// `snap` with the role `name` changed by `change`.
fn with_role(
    snap: &Snapshot,
    name: &str,
    change: impl Fn(&mut kubectl_irsa::model::aws::IamRole),
) -> Snapshot {
    let mut s = snap.clone();
    let roles: Vec<_> = s
        .aws
        .iam
        .roles
        .values_mut()
        .filter(|r| r.name == name)
        .collect();
    assert_eq!(roles.len(), 1, "one role named {name}");
    for r in roles {
        change(r);
    }
    s
}

#[test]
fn every_written_document_is_whole_valid_and_fixes_its_finding() {
    let (mut trust_fixes, mut grants, mut edited) = (0, 0, 0);
    for dir in scenario_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let snap = load_dirs(&[dir.join("bundle")]).unwrap();
        for actions in action_sets(&dir) {
            let sel = Selection {
                actions: actions.clone(),
                ..Selection::default()
            };
            let Ok(report) = diagnose(&snap, &sel) else {
                continue;
            };
            for w in &report.workloads {
                for link in &w.links {
                    for f in &link.findings {
                        for c in f.fix.iter().flat_map(|fix| &fix.commands) {
                            let what = format!("{name} {}/{} {} {c}", w.namespace, w.name, f.code);
                            assert!(
                                !c.argv().iter().any(|a| a.contains("file://")),
                                "{what}: reads a file"
                            );
                            match c.argv().get(2).map(String::as_str) {
                                Some("update-assume-role-policy") => {
                                    trust_fixes += 1;
                                    let role = flag(c, "--role-name");
                                    let doc = flag(c, "--policy-document");
                                    assert!(
                                        !doc.contains(char::is_whitespace),
                                        "{what}: not minified"
                                    );
                                    parse_policy(doc, PolicyKind::Trust)
                                        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
                                    let old = snap
                                        .aws
                                        .iam
                                        .roles
                                        .values()
                                        .find(|r| r.name == role)
                                        .and_then(|r| r.trust_policy.as_ref())
                                        .unwrap();
                                    let old = decode_document(&old.0).unwrap();
                                    let subject = format!(
                                        "system:serviceaccount:{}:{}",
                                        w.namespace, w.service_account
                                    );
                                    assert_keeps_the_old_statements(&what, &old, doc, &subject);
                                    if statements(doc).len() == statements(&old).len() {
                                        edited += 1;
                                    }
                                    let fixed = with_role(&snap, role, |r| {
                                        r.trust_policy = Some(PolicyText(doc.to_string()))
                                    });
                                    let again = diagnose(&fixed, &sel).unwrap();
                                    let after = same_workload(&again.workloads, w);
                                    assert!(
                                        !codes_on(after, LinkName::Trust).contains(&f.code),
                                        "{what}: still {} after the fix: {:#?}",
                                        f.code,
                                        after.link(LinkName::Trust)
                                    );
                                }
                                Some("put-role-policy") => {
                                    grants += 1;
                                    let role = flag(c, "--role-name");
                                    let policy = flag(c, "--policy-name");
                                    let doc = flag(c, "--policy-document");
                                    parse_policy(doc, PolicyKind::Identity)
                                        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
                                    let fixed = with_role(&snap, role, |r| {
                                        let mut list =
                                            r.inline_policies.known().cloned().unwrap_or_default();
                                        list.retain(|p| p.name != policy);
                                        list.push(InlinePolicy {
                                            name: policy.to_string(),
                                            document: PolicyText(doc.to_string()),
                                        });
                                        r.inline_policies = Fact::Known(list);
                                    });
                                    let again = diagnose(&fixed, &sel).unwrap();
                                    let after = same_workload(&again.workloads, w);
                                    let still = after
                                        .link(LinkName::Permissions)
                                        .into_iter()
                                        .flat_map(|l| &l.findings)
                                        .any(|g| g.code == f.code && g.message == f.message);
                                    assert!(
                                        !still,
                                        "{what}: still denied: {:#?}",
                                        after.link(LinkName::Permissions)
                                    );
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
    }
    // The fixtures break trust in many ways; a harness that found few would prove little.
    assert!(trust_fixes >= 20, "only {trust_fixes} trust fixes");
    assert!(
        edited >= 2,
        "only {edited} trust fixes edit a statement in place"
    );
    assert!(grants >= 2, "only {grants} permission grants");
}

/// The demo's notebook: its trust says `defult-viewer`. The fix adds the real subject to that
/// statement; the policy engine, given the new document, lets the service account in.
#[test]
fn the_sub_typo_fix_lets_the_service_account_in() {
    let snap = kubectl_irsa::sources::demo::load().unwrap();
    let report = diagnose(&snap, &Selection::default()).unwrap();
    let w = report
        .workloads
        .iter()
        .find(|w| w.name == "notebook")
        .unwrap();
    let fix = w
        .link(LinkName::Trust)
        .unwrap()
        .findings
        .iter()
        .find(|f| f.code == "TRUST_SUB_MISMATCH")
        .and_then(|f| f.fix.as_ref())
        .unwrap();
    let doc = flag(&fix.commands[0], "--policy-document");
    let policy = parse_policy(doc, PolicyKind::Trust).unwrap();
    let issuer = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    let provider = format!("arn:aws:iam::123456789012:oidc-provider/{issuer}");
    let request = |subject: &str| {
        Request::new()
            .principal(RequestPrincipal::Federated(provider.clone()))
            .action("sts:AssumeRoleWithWebIdentity")
            .context(
                RequestContext::new()
                    .with(format!("{issuer}:sub"), subject.to_string())
                    .with(format!("{issuer}:aud"), "sts.amazonaws.com".to_string()),
            )
    };
    let decide = |subject: &str| {
        evaluate_trust(&NamedPolicy::new("new trust", &policy), &request(subject)).decision
    };
    assert_eq!(
        decide("system:serviceaccount:kubeflow-user-example-com:default-viewer"),
        Decision::Allow
    );
    // Nothing else was let in.
    assert_ne!(
        decide("system:serviceaccount:kubeflow-user-example-com:other"),
        Decision::Allow
    );
    assert!(fix.summary.contains("default-viewer"), "{}", fix.summary);
}
