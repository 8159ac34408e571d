//! `kubectl irsa policy eval` end to end: the built binary on temporary files. Checks the JSON
//! shape, exit 0 for every decision it can reach (allow, implicit_deny, explicit_deny,
//! invalid_policy), and exit 2 with one message naming the file for unusable input.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const TRUST: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Irsa",
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:shop:checkout",
          "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"
        }
      }
    }
  ]
}"#;

const IDENTITY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
  ]
}"#;

fn request_for(sa: &str) -> String {
    format!(
        r#"{{
  "principal": {{"Federated": "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"}},
  "action": "sts:AssumeRoleWithWebIdentity",
  "context": {{
    "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:shop:{sa}",
    "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"
  }}
}}"#
    )
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().expect("temp dir"))
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, text).expect("write temp file");
        p
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .args(["policy", "eval"])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kubectl-irsa");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.stdout))
}

#[test]
fn trust_allow_json_shape() {
    let d = Dir::new();
    let (p, q) = (
        d.file("trust.json", TRUST),
        d.file("req.json", &request_for("checkout")),
    );
    let r = run(&[
        "--kind",
        "trust",
        "--policy",
        s(&p),
        "--request",
        s(&q),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["kind"], "trust");
    assert!(v["summary"].as_str().is_some_and(|t| t.contains("allowed")));
    let a = &v["actions"][0];
    assert_eq!(a["action"], "sts:AssumeRoleWithWebIdentity");
    assert_eq!(a["decision"], "allow");
    assert_eq!(a["deciding"][0]["sid"], "Irsa");
    assert_eq!(a["deciding"][0]["line"], 4);
    assert_eq!(a["deciding"][0]["policy"], s(&p));
    assert_eq!(a["statements"][0]["matched"], true);
    assert!(a["explanation"].as_str().is_some_and(|t| !t.is_empty()));
}

#[test]
fn trust_implicit_deny_names_the_failed_condition() {
    let d = Dir::new();
    let (p, q) = (
        d.file("trust.json", TRUST),
        d.file("req.json", &request_for("search")),
    );
    let r = run(&[
        "--kind",
        "trust",
        "--policy",
        s(&p),
        "--request",
        s(&q),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["decision"], "implicit_deny");
    let m = &v["actions"][0]["statements"][0]["mismatches"][0];
    assert_eq!(m["kind"], "condition");
    assert_eq!(m["operator"], "StringEquals");
    assert_eq!(m["key"], "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub");
    assert_eq!(m["policyValues"][0], "system:serviceaccount:shop:checkout");
    assert_eq!(m["requestValues"][0], "system:serviceaccount:shop:search");
    assert_eq!(m["line"], 11);

    // The text output says the same, without colour when NO_COLOR is set.
    let r = run(&["--kind", "trust", "--policy", s(&p), "--request", s(&q)]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("IMPLICIT DENY"), "{}", r.stdout);
    assert!(
        r.stdout.contains("system:serviceaccount:shop:search"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("(line 11)"), "{}", r.stdout);
    assert!(
        !r.stdout.contains('\u{1b}'),
        "colour despite NO_COLOR: {:?}",
        r.stdout
    );
}

#[test]
fn identity_explicit_deny_and_per_action_decisions() {
    let d = Dir::new();
    let p = d.file("p.json", IDENTITY);
    let q = d.file(
        "req.json",
        r#"{"principal": "arn:aws:sts::210987654321:assumed-role/app/s", "action": ["s3:GetObject", "s3:DeleteObject"], "resource": "arn:aws:s3:::b/k"}"#,
    );
    let r = run(&[
        "--kind",
        "identity",
        "--policy",
        s(&p),
        "--request",
        s(&q),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["decision"], "explicit_deny");
    assert_eq!(v["actions"][0]["decision"], "allow");
    assert_eq!(v["actions"][1]["decision"], "explicit_deny");
    assert_eq!(v["actions"][1]["deciding"][0]["sid"], "NoDelete");

    let r = run(&["--kind", "identity", "--policy", s(&p), "--request", s(&q)]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("EXPLICIT DENY"), "{}", r.stdout);
    assert!(r.stdout.contains("NoDelete"), "{}", r.stdout);
}

#[test]
fn boundary_and_session_policy() {
    let d = Dir::new();
    let p = d.file("p.json", IDENTITY);
    let b = d.file(
        "b.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#,
    );
    let sp = d.file(
        "s.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
    );
    let q = d.file(
        "req.json",
        r#"{"action": ["s3:GetObject", "s3:PutObject"], "resource": "arn:aws:s3:::b/k"}"#,
    );
    let r = run(&[
        "--kind",
        "identity",
        "--policy",
        s(&p),
        "--boundary",
        s(&b),
        "--session-policy",
        s(&sp),
        "--request",
        s(&q),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["decision"], "implicit_deny");
    assert_eq!(v["actions"][0]["decision"], "allow");
    assert_eq!(v["actions"][1]["decision"], "implicit_deny");
    assert_eq!(v["actions"][1]["boundaryAllowed"], false);
    assert_eq!(v["actions"][1]["sessionAllowed"], true);
}

#[test]
fn invalid_policy_is_a_decision_with_file_reason_and_line() {
    let d = Dir::new();
    let kubeflow = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {
      "x:sub": "system:serviceaccount:userA:default-viewer",
      "x:sub": "system:serviceaccount:userB:default-viewer",
    }}
  }]
}"#;
    let (p, q) = (
        d.file("trust.json", kubeflow),
        d.file("req.json", &request_for("checkout")),
    );
    let r = run(&[
        "--kind",
        "trust",
        "--policy",
        s(&p),
        "--request",
        s(&q),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = json(&r);
    assert_eq!(v["decision"], "invalid_policy");
    assert_eq!(v["file"], s(&p));
    assert_eq!(v["line"], 9);
    assert_eq!(v["code"], "duplicate_key");
    assert!(
        v["reason"]
            .as_str()
            .is_some_and(|t| t.contains("Duplicate key \"x:sub\""))
    );

    let r = run(&["--kind", "trust", "--policy", s(&p), "--request", s(&q)]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("invalid policy"), "{}", r.stdout);
    assert!(r.stdout.contains(":9:"), "{}", r.stdout);

    // A Principal in an identity policy is refused with IAM's reason.
    let bad = d.file(
        "bad.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}"#,
    );
    let q = d.file("q.json", r#"{"action": "s3:GetObject"}"#);
    let r = run(&[
        "--kind",
        "identity",
        "--policy",
        s(&bad),
        "--request",
        s(&q),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 2);
    let v = json(&r);
    assert_eq!(v["decision"], "invalid_policy");
    assert!(
        v["reason"]
            .as_str()
            .is_some_and(|t| t.contains("should not specify a principal"))
    );
}

#[test]
fn url_encoded_policy_file() {
    let d = Dir::new();
    let encoded: String = TRUST
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let (p, q) = (
        d.file("trust.txt", &encoded),
        d.file("req.json", &request_for("checkout")),
    );
    let r = run(&[
        "--kind",
        "trust",
        "--policy",
        s(&p),
        "--request",
        s(&q),
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r)["decision"], "allow");
}

fn assert_usage_error(r: &Run, mentions: &str) {
    assert_eq!(r.code, 2, "stdout: {} stderr: {}", r.stdout, r.stderr);
    assert!(
        r.stdout.is_empty(),
        "nothing on stdout for a usage error: {}",
        r.stdout
    );
    assert!(
        r.stderr.contains(mentions),
        "stderr should mention {mentions:?}: {}",
        r.stderr
    );
}

#[test]
fn missing_files_exit_2_naming_the_file() {
    let d = Dir::new();
    let p = d.file("trust.json", TRUST);
    let q = d.file("req.json", &request_for("checkout"));
    let missing = d.path("nope.json");
    let r = run(&[
        "--kind",
        "trust",
        "--policy",
        s(&missing),
        "--request",
        s(&q),
    ]);
    assert_usage_error(&r, "nope.json");
    let r = run(&[
        "--kind",
        "trust",
        "--policy",
        s(&p),
        "--request",
        s(&missing),
        "-o",
        "json",
    ]);
    assert_usage_error(&r, "nope.json");
    let r = run(&[
        "--kind",
        "identity",
        "--policy",
        s(&p),
        "--boundary",
        s(&missing),
        "--request",
        s(&q),
    ]);
    assert_usage_error(&r, "nope.json");
}

#[test]
fn bad_requests_exit_2_with_a_clear_message() {
    let d = Dir::new();
    let p = d.file("trust.json", TRUST);
    let cases = [
        ("notjson.json", "{\"action\": ", "not valid JSON"),
        (
            "dup.json",
            r#"{"action": "s3:A", "action": "s3:B"}"#,
            "Duplicate key",
        ),
        (
            "unknown.json",
            r#"{"action": "s3:GetObject", "resorce": "x"}"#,
            "unknown field \"resorce\"",
        ),
        (
            "noaction.json",
            r#"{"principal": "arn:aws:iam::1:root"}"#,
            "missing \"action\"",
        ),
        (
            "wrongtype.json",
            r#"{"action": 42}"#,
            "must be a string or an array",
        ),
        ("emptyaction.json", r#"{"action": []}"#, "empty array"),
        (
            "ctx.json",
            r#"{"action": "s3:GetObject", "context": {"k:k": {"a": 1}}}"#,
            "context values",
        ),
        (
            "principal.json",
            r#"{"action": "s3:GetObject", "principal": {"Role": "x"}}"#,
            "unknown principal type",
        ),
        ("array.json", r#"["s3:GetObject"]"#, "must be a JSON object"),
    ];
    for (name, text, msg) in cases {
        let q = d.file(name, text);
        let r = run(&[
            "--kind",
            "trust",
            "--policy",
            s(&p),
            "--request",
            s(&q),
            "-o",
            "json",
        ]);
        assert_usage_error(&r, name);
        assert!(r.stderr.contains(msg), "{name}: {}", r.stderr);
        assert_eq!(
            r.stderr.trim().lines().count(),
            1,
            "one message: {}",
            r.stderr
        );
    }
}

#[test]
fn bad_usage_exits_2() {
    let d = Dir::new();
    let p = d.file("trust.json", TRUST);
    let q = d.file("req.json", &request_for("checkout"));
    let r = run(&[
        "--kind",
        "trust-policy",
        "--policy",
        s(&p),
        "--request",
        s(&q),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--kind"), "{}", r.stderr);
    let r = run(&["--kind", "trust", "--request", s(&q)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run(&[
        "--kind",
        "trust",
        "--policy",
        s(&p),
        "--policy",
        s(&p),
        "--request",
        s(&q),
    ]);
    assert_usage_error(&r, "exactly one --policy");
    let r = run(&[
        "--kind",
        "trust",
        "--policy",
        s(&p),
        "--request",
        s(&q),
        "-o",
        "yaml",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// `policy eval` takes its actions and resource from the request file, not from `--action`/
/// `--resource` flags: every action of the request is judged on the request's one resource,
/// and the flags `doctor` pairs are not flags of `policy eval`.
#[test]
fn every_action_of_the_request_is_judged_on_its_resource() {
    let d = Dir::new();
    let p = d.file(
        "p.json",
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/*"}
        ]}"#,
    );
    let judged = |resource: &str| -> Vec<String> {
        let q = d.file(
            "req.json",
            &format!(
                r#"{{"principal": "arn:aws:sts::210987654321:assumed-role/app/s", "action": ["bedrock:InvokeModel", "s3:PutObject"], "resource": "{resource}"}}"#
            ),
        );
        let r = run(&[
            "--kind",
            "identity",
            "--policy",
            s(&p),
            "--request",
            s(&q),
            "-o",
            "json",
        ]);
        let v = json(&r);
        v["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                format!(
                    "{} {}",
                    a["action"].as_str().unwrap(),
                    a["decision"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        judged("arn:aws:s3:::bucket/x"),
        ["bedrock:InvokeModel allow", "s3:PutObject allow"]
    );
    assert_eq!(
        judged("arn:aws:s3:::other/x"),
        ["bedrock:InvokeModel allow", "s3:PutObject implicit_deny"]
    );
    let q = d.file("req.json", &request_for("checkout"));
    for flag in ["--action", "--resource"] {
        let r = run(&[
            "--kind",
            "identity",
            "--policy",
            s(&p),
            "--request",
            s(&q),
            flag,
            "s3:GetObject",
        ]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains(flag), "{}", r.stderr);
    }
}
