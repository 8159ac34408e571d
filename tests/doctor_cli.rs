//! `kubectl irsa doctor` as a user runs it: the embedded demo, JSON and text output, colour
//! handling, and the documented exit codes for bad usage and bad input.

use std::process::{Command, Output};

fn doctor(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-irsa"));
    cmd.arg("doctor")
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("KUBECONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("binary runs")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn demo_tells_each_seed_guides_story() {
    let out = doctor(&["--demo", "-o", "json"], &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "something is broken in the demo"
    );
    let report = json(&out);
    assert_eq!(report["schemaVersion"], 1);
    assert_eq!(report["source"]["kind"], "demo");
    let broken = |ns: &str, sa: &str| {
        report["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["namespace"] == ns && w["serviceAccount"] == sa)
            .unwrap_or_else(|| panic!("{ns}/{sa} reported"))["brokenLink"]
            .clone()
    };
    assert_eq!(broken("langflow", "langflow-sa"), serde_json::Value::Null);
    assert_eq!(broken("tlm", "tlm-chat-backend"), "injection");
    assert_eq!(broken("flyte", "flyte-backend-flyte-binary"), "trust");
    assert_eq!(
        broken("flytesnacks-development", "default"),
        serde_json::Value::Null
    );
    assert_eq!(broken("enbuild", "enbuild-enbuild-ai"), "association");
    assert_eq!(broken("enbuild", "enbuild-ctf"), serde_json::Value::Null);
    assert_eq!(
        broken("kubeflow-user-example-com", "default-viewer"),
        "trust"
    );
    assert_eq!(broken("kubeflow", "ml-pipeline"), "trust");
    // coredns uses no AWS identity and is counted, not listed.
    assert!(report["workloadsWithoutAwsIdentity"].as_u64().unwrap() >= 1);
}

#[test]
fn piped_text_has_no_colour_and_forced_colour_paints_the_broken_link_red() {
    let plain = doctor(&["--demo", "deploy/tlm-chat-backend"], &[]);
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.contains("BROKEN at injection"), "{text}");
    assert!(
        text.contains("kubectl rollout restart deploy tlm-chat-backend -n tlm"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no escape codes when not a terminal"
    );

    let forced = doctor(
        &["--demo", "deploy/tlm-chat-backend"],
        &[("CLICOLOR_FORCE", "1")],
    );
    let text = String::from_utf8(forced.stdout).unwrap();
    let red = "\u{1b}[1m\u{1b}[31m";
    assert!(
        text.contains(&format!("{red}BROKEN at injection")),
        "{text:?}"
    );
    let broken_line = text
        .lines()
        .find(|l| l.contains("injection ") && l.contains('✘'))
        .expect("injection line");
    assert!(broken_line.contains(red), "{broken_line:?}");
    let ok_line = text
        .lines()
        .find(|l| l.contains("annotation "))
        .expect("annotation line");
    assert!(
        !ok_line.contains(red),
        "only the broken link is red: {ok_line:?}"
    );

    let no_color = doctor(&["--demo", "deploy/tlm-chat-backend"], &[("NO_COLOR", "1")]);
    assert!(
        !String::from_utf8(no_color.stdout)
            .unwrap()
            .contains('\u{1b}')
    );
}

#[test]
fn targets_select_one_workload() {
    for target in [
        "deploy/langflow",
        "sa/langflow-sa",
        "langflow",
        "pod/langflow-5d8f7c9b6-q2x7z",
    ] {
        let out = doctor(&["--demo", "-n", "langflow", target, "-o", "json"], &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = json(&out);
        assert_eq!(report["workloads"].as_array().unwrap().len(), 1, "{target}");
        assert_eq!(report["workloads"][0]["name"], "langflow");
    }
}

#[test]
fn requested_actions_are_evaluated() {
    let allowed = doctor(
        &[
            "--demo",
            "deploy/langflow",
            "--action",
            "bedrock:InvokeModel",
            "--resource",
            "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0",
            "-o",
            "json",
        ],
        &[],
    );
    assert_eq!(allowed.status.code(), Some(0));
    let denied = doctor(
        &[
            "--demo",
            "deploy/langflow",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::secrets/key",
            "-o",
            "json",
        ],
        &[],
    );
    assert_eq!(denied.status.code(), Some(1));
    let report = json(&denied);
    assert_eq!(report["workloads"][0]["brokenLink"], "permissions");
    let codes: Vec<String> = report["workloads"][0]["links"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| {
            l["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(
        codes.contains(&"PERMISSION_DENIED".to_string()),
        "{codes:?}"
    );
}

#[test]
fn bad_usage_and_bad_input_exit_2_with_one_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec![], "--offline"),
        (vec!["--demo", "frobnicate/x"], "frobnicate"),
        (vec!["--demo", "deploy/"], "no name"),
        (vec!["--demo", "--resource", "arn:aws:s3:::b"], "--resource"),
        (vec!["--demo", "--action", "GetObject"], "SERVICE:Action"),
        (
            vec!["--demo", "deploy/does-not-exist"],
            "no Deployment named `does-not-exist` in any namespace",
        ),
        (
            vec!["--demo", "sa/nosuch", "-n", "flyte"],
            "no ServiceAccount named `nosuch` in namespace flyte",
        ),
        (
            vec!["--offline", "/nonexistent/bundle"],
            "/nonexistent/bundle",
        ),
        (vec!["--offline", empty], empty),
        (vec!["--demo", "-o", "yaml"], "yaml"),
    ];
    for (args, needle) in cases {
        let out = doctor(&args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}
