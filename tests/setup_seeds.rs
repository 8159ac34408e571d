//! The setups of the five seed guides, built by `kubectl irsa setup` from flags against the
//! harness (issue 12, "Tests"): each `setup-before-*` scenario (the guide's cluster before any
//! AWS identity) is set up with `--yes`, after which the doctor shows the chain green for the
//! actions the guide needs and the permissions link broken for one it did not ask for; the same
//! setup run again plans nothing and writes nothing (no write in the fakes' request logs).
//! Also: `--dry-run` writes nothing, `-o terraform` prints resources, `undo --last` puts the
//! cluster and account back, and usage errors exit 2 with a message.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use serde_json::Value;
use support::fake_aws::Moto;
use support::live_env::{LiveEnv, Run};

#[path = "setup_seeds/seeds.rs"]
mod seeds;
use seeds::{SEEDS, Seed};

/// The role's trust policy as IAM holds it (moto), URL-decoded.
fn trust_text(env: &LiveEnv, role: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        let doc = iam
            .get_role()
            .role_name(role)
            .send()
            .await
            .ok()
            .and_then(|r| {
                r.role()
                    .and_then(|r| r.assume_role_policy_document().map(str::to_string))
            })
            .unwrap_or_default();
        kubectl_irsa::policy::decode_document(&doc)
            .map(|d| d.into_owned())
            .unwrap_or(doc)
    })
}

/// Flyte: the warning about what the wildcard allows, and the subject under StringLike.
fn flyte_wildcard(env: &LiveEnv, stderr: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !(stderr.contains("warning:") && stderr.contains("StringLike")) {
        out.push(format!("flyte: no wildcard warning on stderr:\n{stderr}"));
    }
    let text = trust_text(env, "flyte-workers-role");
    let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let like = &doc["Statement"][0]["Condition"]["StringLike"];
    let subject = like
        .as_object()
        .and_then(|m| m.iter().find(|(k, _)| k.ends_with(":sub")))
        .map(|(_, v)| v.clone());
    if subject != Some(Value::from("system:serviceaccount:flytesnacks-*:default")) {
        out.push(format!(
            "flyte: the wildcard subject is not under StringLike: {text}"
        ));
    }
    out
}

/// Kubeflow: both profiles (and kfctl's first subject) listed under ONE `:sub` key.
fn kubeflow_subject_list(env: &LiveEnv, _stderr: &str) -> Vec<String> {
    let text = trust_text(env, "kf-user-kubeflow");
    let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let statements = doc["Statement"].as_array().cloned().unwrap_or_default();
    let mut subjects = Vec::new();
    let mut sub_keys = 0;
    for st in &statements {
        for (_, block) in st["Condition"].as_object().into_iter().flatten() {
            for (k, v) in block.as_object().into_iter().flatten() {
                if k.ends_with(":sub") {
                    sub_keys += 1;
                    match v {
                        Value::Array(a) => subjects.extend(a.iter().cloned()),
                        other => subjects.push(other.clone()),
                    }
                }
            }
        }
    }
    let want = [
        "system:serviceaccount:kubeflow-user-a:default-editor",
        "system:serviceaccount:kubeflow-user-a:default-viewer",
        "system:serviceaccount:kubeflow-user-b:default-viewer",
    ];
    // Raw text: a key written twice in one block would be lost by any JSON parser.
    let raw_sub_keys = text.matches(":sub\"").count();
    let all = want.iter().all(|w| subjects.contains(&Value::from(*w)));
    if sub_keys != 1 || raw_sub_keys != 1 || !all || subjects.len() != want.len() {
        vec![format!(
            "kubeflow: want the three subjects as one list under one :sub key, got {sub_keys} keys ({raw_sub_keys} in the text): {text}"
        )]
    } else {
        Vec::new()
    }
}

fn setup(env: &LiveEnv, args: &[&str], extra: &[&str]) -> Run {
    let mut all = vec!["setup"];
    all.extend_from_slice(args);
    all.extend_from_slice(extra);
    env.run(&all)
}

fn doctor(env: &LiveEnv, ns: &str, target: &str, action: &str, resource: &str) -> Run {
    env.run(&[
        "doctor",
        target,
        "-n",
        ns,
        "--action",
        action,
        "--resource",
        resource,
        "-o",
        "json",
    ])
}

/// stdout as JSON, or null (the failure then shows both streams).
fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or(Value::Null)
}

/// The one workload of a targeted doctor report.
fn workload(run: &Run) -> Value {
    json(run)["workloads"]
        .as_array()
        .and_then(|w| w.first().cloned())
        .unwrap_or(Value::Null)
}

/// Every link ok, the permissions link allowing the action; a wildcard subject's own warning
/// (`TRUST_WIDE_WILDCARD`, what the guide's `*` allows) is the only warning accepted.
fn green(w: &Value) -> bool {
    let links = w["links"].as_array().cloned().unwrap_or_default();
    let permissions_ok = links
        .iter()
        .any(|l| l["link"] == "permissions" && l["status"] == "ok");
    let warnings_wildcard_only = links.iter().all(|l| {
        l["status"] != "warning"
            || l["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| f["severity"] == "warning")
                .all(|f| f["code"] == "TRUST_WIDE_WILDCARD")
    });
    permissions_ok
        && w["brokenLink"].is_null()
        && (w["status"] == "ok" || (w["status"] == "warning" && warnings_wildcard_only))
}

/// (kubernetes, iam, eks) writes recorded since the last clear.
fn writes(env: &LiveEnv) -> (usize, usize, usize) {
    (
        env.kube.writes().len(),
        env.iam.writes().len(),
        env.eks.writes().len(),
    )
}

/// Runs one seed end to end; returns what went wrong.
fn check_seed(moto: &Moto, seed: &Seed) -> Vec<String> {
    let mut failures = Vec::new();
    let name = seed.scenario;
    let env = LiveEnv::start(moto, name);
    let mut stderr = String::new();
    for args in seed.setups {
        let run = setup(&env, args, &["--yes", "-o", "json"]);
        let out = json(&run);
        if run.code != Some(0) || out["result"] != "applied" {
            failures.push(format!("{name}: setup {args:?}: {}", run.explain()));
            return failures;
        }
        stderr.push_str(&run.stderr);
    }
    if let Some(after) = seed.after {
        failures.extend(after(&env, &stderr));
    }
    for (ns, target, action, resource) in seed.allowed {
        let run = doctor(&env, ns, target, action, resource);
        let w = workload(&run);
        if run.code != Some(0) || !green(&w) {
            failures.push(format!(
                "{name}: {ns}/{target} {action} on {resource} is not allowed: {}",
                run.explain()
            ));
        }
    }
    for (ns, target, action, resource) in seed.denied {
        let run = doctor(&env, ns, target, action, resource);
        let w = workload(&run);
        if run.code != Some(1) || w["status"] != "broken" || w["brokenLink"] != "permissions" {
            failures.push(format!(
                "{name}: {ns}/{target} {action} on {resource} was not asked for, yet not denied: {}",
                run.explain()
            ));
        }
    }
    for args in seed.setups {
        env.clear_requests();
        let run = setup(&env, args, &["--yes", "-o", "json"]);
        let out = json(&run);
        if run.code != Some(0) || out["result"] != "nothing-to-do" || writes(&env) != (0, 0, 0) {
            failures.push(format!(
                "{name}: rerun of {args:?} (writes {:?}): {}",
                writes(&env),
                run.explain()
            ));
        }
    }
    failures
}

#[test]
fn the_five_seed_setups_are_built_green_least_privilege_and_rerun_to_nothing() {
    let moto = Moto::acquire_blocking();
    let failures: Vec<String> = SEEDS.iter().flat_map(|s| check_seed(&moto, s)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

const LANGFLOW: &[&str] = SEEDS[0].setups[0];

/// Whether IAM (moto) has the role now.
fn role_exists(env: &LiveEnv, role: &str) -> bool {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        iam.get_role().role_name(role).send().await.is_ok()
    })
}

/// The doctor's verdict on the Langflow Deployment: (exit, status, mechanism, codes).
fn langflow_verdict(env: &LiveEnv) -> (Option<i32>, Value, Value, Vec<Value>) {
    let run = env.run(&["doctor", "deploy/langflow", "-n", "langflow", "-o", "json"]);
    let w = workload(&run);
    let codes = w["links"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|l| l["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| f["code"].clone())
        .collect();
    (run.code, w["status"].clone(), w["mechanism"].clone(), codes)
}

#[test]
fn dry_run_writes_nothing_terraform_prints_resources_and_undo_restores_the_before_state() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "setup-before-langflow");
    let before = langflow_verdict(&env);
    assert_eq!(before.2, "none", "before: {before:?}");

    env.clear_requests();
    let dry = setup(&env, LANGFLOW, &["--dry-run", "-o", "json"]);
    let out = json(&dry);
    assert_eq!(dry.code, Some(0), "{}", dry.explain());
    assert_eq!(out["result"], "planned", "{}", dry.explain());
    let kinds: Vec<&str> = out["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["change"]["type"].as_str())
        .collect();
    for want in [
        "create-role",
        "put-role-policy",
        "create-service-account",
        "set-service-account-name",
        "rollout-restart",
    ] {
        assert!(kinds.contains(&want), "dry run plans {want}: {kinds:?}");
    }
    assert_eq!(writes(&env), (0, 0, 0), "--dry-run wrote");

    let tf = setup(&env, LANGFLOW, &["-o", "terraform"]);
    assert_eq!(tf.code, Some(0), "{}", tf.explain());
    for want in [
        "resource \"aws_iam_role\"",
        "LangflowBedrockRole",
        "resource \"aws_iam_role_policy\"",
        "bedrock:InvokeModel",
    ] {
        assert!(
            tf.stdout.contains(want),
            "terraform lacks {want}: {}",
            tf.explain()
        );
    }
    assert_eq!(writes(&env), (0, 0, 0), "-o terraform wrote");

    let applied = setup(&env, LANGFLOW, &["--yes", "-o", "json"]);
    assert_eq!(json(&applied)["result"], "applied", "{}", applied.explain());
    assert!(role_exists(&env, "LangflowBedrockRole"));

    let undo = env.run(&["undo", "--last", "--yes", "-n", "langflow", "-o", "json"]);
    assert_eq!(undo.code, Some(0), "{}", undo.explain());
    assert!(
        !role_exists(&env, "LangflowBedrockRole"),
        "undo leaves the role"
    );
    let sa = env.run(&["doctor", "sa/langflow-sa", "-n", "langflow", "-o", "json"]);
    let sa_link = workload(&sa)["links"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["link"] == "service-account")
        .cloned()
        .unwrap_or(Value::Null);
    assert_ne!(
        sa_link["status"],
        "ok",
        "undo leaves langflow-sa: {}",
        sa.explain()
    );
    assert_eq!(
        langflow_verdict(&env),
        before,
        "undo: doctor not back to before"
    );
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let bundle = support::live_env::bundle_dir("setup-before-langflow");
    let base = [
        "setup",
        "-n",
        "langflow",
        "--service-account",
        "langflow-sa",
    ];
    let cases: &[(&[&str], &str)] = &[
        (&[], "--mechanism"),
        (
            &["--mechanism", "irsa", "--model", "anthropic.claude-v2"],
            "--policy-template bedrock-invoke",
        ),
        (
            &[
                "--mechanism",
                "irsa",
                "--policy-template",
                "s3-read",
                "--bucket",
                "Not_A_Bucket",
            ],
            "Not_A_Bucket",
        ),
    ];
    for (extra, says) in cases {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let run = support::live_env::offline(&bundle, &args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.explain());
        assert!(run.stderr.contains(says), "{args:?}: {}", run.explain());
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.explain());
    }
    let run = support::live_env::offline(
        &bundle,
        &[
            "setup",
            "-n",
            "*",
            "--service-account",
            "default",
            "--mechanism",
            "pod-identity",
        ],
    );
    assert_eq!(run.code, Some(2), "{}", run.explain());
    assert!(
        run.stderr.contains("wildcard") && run.stderr.contains("IRSA"),
        "{}",
        run.explain()
    );
}
