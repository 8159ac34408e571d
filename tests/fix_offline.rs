//! `kubectl irsa fix` on the demo and on bundles (issue 11 "Interfaces"): plans are printed,
//! never applied (there is nothing live to write to), in every output format; the exit codes
//! say printed (0), nothing to do (0), no safe automatic fix (4) and bad usage (2); `apply`
//! and `undo` refuse a non-live source; `history` of an empty journal says so.

use std::process::{Command, Output};

use serde_json::Value;

fn run(args: &[&str], home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"))
        .args(args)
        .env("HOME", home)
        .env_remove("XDG_STATE_HOME")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

const NOTEBOOK: &[&str] = &[
    "fix",
    "--demo",
    "sts/notebook",
    "-n",
    "kubeflow-user-example-com",
    "--action",
    "s3:GetObject",
    "--resource",
    "arn:aws:s3:::ml-data/*",
];

fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    NOTEBOOK
        .iter()
        .copied()
        .chain(extra.iter().copied())
        .collect()
}

#[test]
fn a_plan_on_the_demo_prints_in_every_format_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let text = run(&with(&[]), home.path());
    assert_eq!(text.status.code(), Some(0));
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(text.contains("plan ") && text.contains("2 steps"), "{text}");
    assert!(text.contains("update-trust-policy") && text.contains("put-role-policy"));
    assert!(text.contains("+++ after"), "diffs: {text}");

    let json = run(&with(&["-o", "json"]), home.path());
    let plan: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(plan["schemaVersion"], 1);
    assert_eq!(plan["result"], "planned");
    assert_eq!(plan["steps"][0]["system"], "iam");
    assert_eq!(plan["steps"][0]["object"]["kind"], "IAMRole");
    assert!(
        plan["steps"][0]["command"]
            .as_str()
            .unwrap()
            .starts_with("aws iam update-assume-role-policy")
    );
    assert!(
        plan["steps"][1]["before"].is_null(),
        "a new inline policy had no before"
    );

    let shell = run(&with(&["-o", "shell"]), home.path());
    let shell = String::from_utf8_lossy(&shell.stdout).to_string();
    assert!(
        shell.starts_with("#!/bin/sh") && shell.contains("set -eu"),
        "{shell}"
    );
    assert!(shell.contains("\naws iam put-role-policy "), "{shell}");

    let tf = run(&with(&["-o", "terraform"]), home.path());
    assert_eq!(tf.status.code(), Some(0));
    let tf = String::from_utf8_lossy(&tf.stdout).to_string();
    assert!(
        tf.contains("import {\n  to = aws_iam_role.kf_user_ml_platform"),
        "{tf}"
    );
    assert!(tf.contains("resource \"aws_iam_role_policy\""), "{tf}");
    assert!(!tf.contains("${"), "no interpolation from values: {tf}");

    assert!(
        !home
            .path()
            .join(".local/state/kubectl-irsa/journal")
            .exists(),
        "printing a plan journals nothing"
    );
}

#[test]
fn exit_codes_say_nothing_to_do_no_safe_fix_and_bad_usage() {
    let home = tempfile::tempdir().unwrap();
    let ok = run(
        &[
            "fix",
            "--demo",
            "deploy/langflow",
            "-n",
            "langflow",
            "-o",
            "json",
        ],
        home.path(),
    );
    assert_eq!(ok.status.code(), Some(0));
    let out: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(out["result"], "nothing-to-do");

    let manual = run(
        &[
            "fix",
            "--demo",
            "sts/notebook",
            "-n",
            "kubeflow-user-example-com",
            "-o",
            "json",
        ],
        home.path(),
    );
    assert_eq!(manual.status.code(), Some(4));
    let out: Value = serde_json::from_slice(&manual.stdout).unwrap();
    assert!(
        out["reason"].as_str().unwrap().contains("NO_POLICIES"),
        "a permissions fix needs --action: {out}"
    );

    let no_target = run(&["fix", "--demo"], home.path());
    assert_eq!(no_target.status.code(), Some(2));
    let apply_demo = run(&["apply", "-", "--demo"], home.path());
    assert_eq!(apply_demo.status.code(), Some(2));
    let undo_demo = run(&["undo", "--last", "--demo"], home.path());
    assert_eq!(undo_demo.status.code(), Some(2));
    let history = run(&["history"], home.path());
    assert_eq!(history.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&history.stdout).contains("no plans applied yet"));
}
