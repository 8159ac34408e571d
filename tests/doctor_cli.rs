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
        // kubectl's TYPE NAME, with its type names.
        "deploy langflow",
        "deployment langflow",
        "deployments.apps langflow",
        "Deployment/langflow",
        "sa langflow-sa",
        "serviceaccount langflow-sa",
        "po langflow-5d8f7c9b6-q2x7z",
        "pods langflow-5d8f7c9b6-q2x7z",
    ] {
        let mut args = vec!["--demo", "-n", "langflow"];
        args.extend(target.split(' '));
        args.extend(["-o", "json"]);
        let out = doctor(&args, &[]);
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
        (vec!["--demo", "-o", "xml"], "xml"),
        (
            vec![
                "--demo",
                "--resource",
                "arn:aws:s3:::early",
                "--action",
                "s3:GetObject",
            ],
            "--resource `arn:aws:s3:::early` comes before any --action",
        ),
        (vec!["--demo", "-l", "app=web=x"], "app=web=x"),
        (vec!["--demo", "-l", "app in web"], "--selector"),
        (
            vec!["--demo", "deploy", "deploy/langflow"],
            "no need to specify a resource type",
        ),
        (
            vec!["--demo", "frobnicate", "langflow"],
            "`frobnicate` is not a kind",
        ),
        (vec!["--demo", "deploy", "langflow", "extra"], "extra"),
        (
            vec![
                "--demo",
                "-l",
                "app.kubernetes.io/name=tlm-chat-backend",
                "deploy/langflow",
            ],
            "no Deployment named `langflow` in any namespace with labels matching `app.kubernetes.io/name=tlm-chat-backend`",
        ),
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

fn names(report: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = report["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            format!(
                "{}/{}",
                w["namespace"].as_str().unwrap(),
                w["name"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

/// Each `--resource` belongs to the `--action` before it: `--action bedrock:InvokeModel
/// --action s3:PutObject --resource BUCKET` asks InvokeModel on `*` and PutObject on the bucket.
#[test]
fn each_resource_belongs_to_the_action_before_it() {
    let bucket = "arn:aws:s3:::bucket/x";
    let out = doctor(
        &[
            "--demo",
            "deploy",
            "langflow",
            "--action",
            "bedrock:InvokeModel",
            "--action",
            "s3:PutObject",
            "--resource",
            bucket,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::a/1",
            "--resource",
            "arn:aws:s3:::b/2",
            "-o",
            "json",
        ],
        &[],
    );
    let report = json(&out);
    assert_eq!(
        report["requestedActions"],
        serde_json::json!([
            {"action": "bedrock:InvokeModel", "resource": "*"},
            {"action": "s3:PutObject", "resource": bucket},
            {"action": "s3:GetObject", "resource": "arn:aws:s3:::a/1"},
            {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/2"},
        ])
    );
    let text = String::from_utf8(
        doctor(
            &[
                "--demo",
                "deploy/langflow",
                "--action",
                "bedrock:InvokeModel",
                "--action",
                "s3:PutObject",
                "--resource",
                bucket,
            ],
            &[],
        )
        .stdout,
    )
    .unwrap();
    // InvokeModel is allowed on `*` by the demo's policy, PutObject is not on the bucket.
    assert!(
        text.contains("PERMISSION_ALLOWED bedrock:InvokeModel on * is allowed"),
        "{text}"
    );
    assert!(
        text.contains(&format!("PERMISSION_DENIED s3:PutObject on {bucket}")),
        "{text}"
    );
}

/// kubectl accepts `-n` and `-A` together and `-A` wins.
#[test]
fn all_namespaces_wins_over_a_namespace() {
    let all = json(&doctor(&["--demo", "-A", "-o", "json"], &[]));
    for args in [["-n", "langflow", "-A"], ["-A", "-n", "langflow"]] {
        let out = doctor(&[&["--demo"], &args[..], &["-o", "json"]].concat(), &[]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(names(&json(&out)), names(&all), "{args:?}");
    }
    assert!(names(&all).len() > 3);
}

/// `-l` picks the workloads whose pods carry the labels, with kubectl's selector syntax.
#[test]
fn a_label_selector_picks_workloads_by_their_pods_labels() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["-l", "app.kubernetes.io/name=langflow"],
            &["langflow/langflow"],
        ),
        (
            &["--selector", "app.kubernetes.io/name==langflow"],
            &["langflow/langflow"],
        ),
        (
            &[
                "-l",
                "app.kubernetes.io/name in (langflow, tlm-chat-backend)",
            ],
            &["langflow/langflow", "tlm/tlm-chat-backend"],
        ),
        (
            &[
                "-l",
                "app.kubernetes.io/name in (langflow,tlm-chat-backend)",
                "-n",
                "tlm",
            ],
            &["tlm/tlm-chat-backend"],
        ),
        (
            &["-l", "app.kubernetes.io/name=langflow,pod-template-hash"],
            &["langflow/langflow"],
        ),
        (&["-l", "app.kubernetes.io/name=langflow,tier=web"], &[]),
        (
            &[
                "-l",
                "app.kubernetes.io/name=langflow,!app.kubernetes.io/name",
            ],
            &[],
        ),
        (&["-l", "nosuch"], &[]),
    ];
    for (args, want) in cases {
        let out = doctor(&[&["--demo", "-o", "json"], *args].concat(), &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {stderr}"
        );
        assert_eq!(names(&json(&out)), *want, "{args:?}");
    }
    // notin (and !=) also select workloads without the label: all but the two named.
    let all = names(&json(&doctor(&["--demo", "-o", "json"], &[])));
    let rest = names(&json(&doctor(
        &[
            "--demo",
            "-o",
            "json",
            "-l",
            "app.kubernetes.io/name notin (langflow,tlm-chat-backend)",
        ],
        &[],
    )));
    let expected: Vec<String> = all
        .iter()
        .filter(|n| !["langflow/langflow", "tlm/tlm-chat-backend"].contains(&n.as_str()))
        .cloned()
        .collect();
    assert_eq!(rest, expected);
}

/// `-o yaml` is the JSON report's data, as YAML.
#[test]
fn yaml_output_is_the_json_report() {
    for args in [
        &["--demo"][..],
        &["--demo", "deploy", "tlm-chat-backend"][..],
    ] {
        let from_json = json(&doctor(&[args, &["-o", "json"]].concat(), &[]));
        let out = doctor(&[args, &["-o", "yaml"]].concat(), &[]);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("schemaVersion: 1\n"), "{text}");
        let from_yaml: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(from_yaml, from_json, "{args:?}");
    }
}

/// A bundle of AWS CLI output alone has nothing to diagnose: exit 2 naming the kubectl output
/// to add, never "0 workloads" and exit 0.
#[test]
fn a_bundle_without_kubernetes_objects_exits_2_naming_what_to_add() {
    let dir = tempfile::tempdir().unwrap();
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    for f in [
        "iam-authorization-details.json",
        "cluster.json",
        "oidc-providers.json",
    ] {
        std::fs::copy(demo.join(f), dir.path().join(f)).unwrap();
    }
    let path = dir.path().to_str().unwrap();
    for output in ["text", "json"] {
        let out = doctor(&["--offline", path, "-o", output], &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty());
        assert!(stderr.contains(path), "{stderr}");
        assert!(stderr.contains("nothing to diagnose"), "{stderr}");
        assert!(
            stderr.contains("kubectl get pods,serviceaccounts,deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs -A -o yaml > kubernetes.yaml"),
            "{stderr}"
        );
    }
    // The same directory with the Kubernetes objects added is a bundle to diagnose.
    std::fs::copy(
        demo.join("kubernetes.yaml"),
        dir.path().join("kubernetes.yaml"),
    )
    .unwrap();
    let out = doctor(&["--offline", path, "-o", "json"], &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An IAM directory next to a Kubernetes one is fine: together they hold both.
    let kube = tempfile::tempdir().unwrap();
    std::fs::rename(
        dir.path().join("kubernetes.yaml"),
        kube.path().join("kubernetes.yaml"),
    )
    .unwrap();
    let out = doctor(
        &[
            "--offline",
            path,
            "--offline",
            kube.path().to_str().unwrap(),
            "-o",
            "json",
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
