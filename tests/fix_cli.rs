//! `kubectl irsa fix`, `apply`, `undo` and `history` against the harness (issue 11): the plan
//! applied live turns the chain green, the request logs show exactly the planned writes, a
//! rerun writes nothing, undo restores each document byte for byte, a change made between
//! plan and apply is a conflict with nothing written, and no write happens without `--yes` on
//! a non-terminal or with `--read-only`. The journal lives under the test's HOME.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use support::fake_aws::Moto;
use support::live_env::{LiveEnv, Run};

fn writes(env: &LiveEnv) -> (Vec<String>, Vec<String>, Vec<String>) {
    (
        env.kube
            .writes()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect(),
        env.iam
            .writes()
            .iter()
            .map(|r| r.operation.clone())
            .collect(),
        env.eks
            .writes()
            .iter()
            .map(|r| r.operation.clone())
            .collect(),
    )
}

fn status_of(run: &Run) -> Vec<String> {
    run.json()["diagnosis"]["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| w["status"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn trust_of(env: &LiveEnv, role: &str) -> String {
    // The document as IAM holds it, through the same adapter the tool reads with.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        let out = iam.get_role().role_name(role).send().await.unwrap();
        let doc = out
            .role()
            .and_then(|r| r.assume_role_policy_document())
            .unwrap_or_default();
        kubectl_irsa::policy::decode_document(doc)
            .unwrap()
            .into_owned()
    })
}

#[test]
fn a_trust_fix_applies_exactly_its_write_turns_green_reruns_to_nothing_and_undoes_byte_for_byte() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "trust-sub-typo-kubeflow");
    let role = "default-viewer-irsa";
    let before = trust_of(&env, role);
    let target = ["fix", "sa/default-viewer", "-n", "kubeflow-user-a"];

    // No terminal, no --yes: nothing is written.
    env.clear_requests();
    let refused = env.run(&target);
    assert_eq!(refused.code, Some(2), "{}", refused.explain());
    assert_eq!(writes(&env), (vec![], vec![], vec![]));
    let read_only = env.run(&[
        "fix",
        "sa/default-viewer",
        "-n",
        "kubeflow-user-a",
        "--yes",
        "--read-only",
    ]);
    assert_eq!(read_only.code, Some(2), "{}", read_only.explain());
    assert_eq!(writes(&env), (vec![], vec![], vec![]));

    env.clear_requests();
    let run = env.run(&[
        "fix",
        "sa/default-viewer",
        "-n",
        "kubeflow-user-a",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.explain());
    let out = run.json();
    assert_eq!(out["result"], "applied", "{out}");
    assert_eq!(
        writes(&env),
        (vec![], vec!["UpdateAssumeRolePolicy".to_string()], vec![])
    );
    assert!(
        status_of(&run).iter().all(|s| s != "broken"),
        "{}",
        out["diagnosis"]
    );
    let id = out["id"].as_str().unwrap().to_string();
    let journal = env
        .home()
        .join(".local/state/kubectl-irsa/journal")
        .join(format!("{id}.json"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&journal).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the journal file is private");
    }

    // A rerun finds nothing to do and writes nothing.
    env.clear_requests();
    let again = env.run(&[
        "fix",
        "sa/default-viewer",
        "-n",
        "kubeflow-user-a",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(again.code, Some(0), "{}", again.explain());
    assert_eq!(again.json()["result"], "nothing-to-do");
    assert_eq!(writes(&env), (vec![], vec![], vec![]));

    let history = env.run(&["history"]);
    assert!(history.stdout.contains(&id), "{}", history.explain());

    // Undo restores the document exactly.
    env.clear_requests();
    let undo = env.run(&[
        "undo",
        "--last",
        "--yes",
        "-n",
        "kubeflow-user-a",
        "-o",
        "json",
    ]);
    assert_eq!(undo.code, Some(0), "{}", undo.explain());
    assert_eq!(writes(&env).1, vec!["UpdateAssumeRolePolicy".to_string()]);
    assert_eq!(trust_of(&env, role), before, "byte for byte");
}

#[test]
fn a_change_between_plan_and_apply_is_a_conflict_and_nothing_is_written() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "trust-sub-typo-kubeflow");
    let plan = env.run(&[
        "fix",
        "sa/default-viewer",
        "-n",
        "kubeflow-user-a",
        "--dry-run",
        "-o",
        "json",
    ]);
    assert_eq!(plan.code, Some(0), "{}", plan.explain());
    assert_eq!(plan.json()["result"], "planned");
    let file = env.home().join("plan.json");
    std::fs::write(&file, &plan.stdout).unwrap();

    // Someone edits the trust policy meanwhile.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        iam.update_assume_role_policy()
            .role_name("default-viewer-irsa")
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#)
            .send()
            .await
            .unwrap();
    });
    env.clear_requests();
    let apply = env.run(&["apply", &file.display().to_string(), "--yes", "-o", "json"]);
    assert_eq!(apply.code, Some(5), "{}", apply.explain());
    assert_eq!(apply.json()["result"], "conflict");
    assert_eq!(writes(&env), (vec![], vec![], vec![]), "nothing written");
}

#[test]
fn a_restart_fix_rolls_out_injected_pods_and_a_fix_needing_a_hand_writes_nothing() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "pod-before-annotation");
    env.clear_requests();
    let run = env.run(&["fix", "deploy/worker", "-n", "jobs", "--yes", "-o", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.explain());
    let (kube, iam, eks) = writes(&env);
    assert_eq!(kube.len(), 1, "one patch: {kube:?}");
    assert!(kube[0].starts_with("PATCH ") && kube[0].contains("/deployments/worker"));
    assert!(iam.is_empty() && eks.is_empty());
    assert!(
        status_of(&run).iter().all(|s| s == "ok"),
        "{}",
        run.json()["diagnosis"]
    );

    // No policy at all: a permissions fix needs --action, so there is no automatic one.
    let env = LiveEnv::start(&moto, "permissions-none");
    env.clear_requests();
    let manual = env.run(&[
        "fix",
        "pod/tlm-chat-backend",
        "-n",
        "tlm",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(manual.code, Some(4), "{}", manual.explain());
    let reason = manual.json()["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(reason.contains("no safe automatic fix"), "{reason}");
    assert_eq!(writes(&env), (vec![], vec![], vec![]));
}

/// A write refused part-way (issue 11 "Safety"): the run stops at once, exits 6 naming the
/// step and the permission, the steps made before it are in the journal, and undo reverts
/// them.
#[test]
fn a_write_refused_part_way_stops_reports_and_undo_reverts_what_was_made() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    let role = "search-irsa";
    let before = trust_of(&env, role);
    env.iam.deny("PutRolePolicy");
    env.clear_requests();
    let run = env.run(&[
        "fix",
        "sa/search",
        "-n",
        "shop",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::shop-assets/x",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(run.code, Some(6), "{}", run.explain());
    let out = run.json();
    assert_eq!(out["result"], "failed");
    let reason = out["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("step 2 failed") && reason.contains("iam:PutRolePolicy"),
        "{reason}"
    );
    assert_eq!(
        writes(&env).1,
        vec![
            "UpdateAssumeRolePolicy".to_string(),
            "PutRolePolicy".to_string()
        ]
    );
    assert_ne!(trust_of(&env, role), before, "the first step was made");

    env.iam.allow("PutRolePolicy");
    let undo = env.run(&["undo", "--last", "--yes", "-n", "shop", "-o", "json"]);
    assert_eq!(undo.code, Some(0), "{}", undo.explain());
    assert_eq!(trust_of(&env, role), before, "undone byte for byte");
}

/// An ambiguous fix (issue 11): the pods name a service account that does not exist next to a
/// look-alike that does. Without `--choice` nothing is written and the choices are listed
/// (exit 4); `--choice 1` runs the pods as the existing one (a JSON patch of the template,
/// then the rollout restart) and the chain is green.
#[test]
fn an_ambiguous_fix_lists_its_choices_and_applies_the_one_picked() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "sa-missing-typo");
    env.clear_requests();
    let ask = env.run(&[
        "fix",
        "deploy/reports",
        "-n",
        "analytics",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(ask.code, Some(4), "{}", ask.explain());
    let out = ask.json();
    let choices = out["choices"].as_array().cloned().unwrap_or_default();
    assert_eq!(choices.len(), 2, "{out}");
    assert_eq!(choices[0]["number"], 1);
    assert!(
        choices[0]["meaning"]
            .as_str()
            .unwrap()
            .contains("report-sa")
    );
    assert_eq!(writes(&env), (vec![], vec![], vec![]));

    let run = env.run(&[
        "fix",
        "deploy/reports",
        "-n",
        "analytics",
        "--choice",
        "1",
        "--yes",
        "-o",
        "json",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.explain());
    let (kube, iam, eks) = writes(&env);
    assert_eq!(
        kube.len(),
        2,
        "set serviceAccountName, then restart: {kube:?}"
    );
    assert!(iam.is_empty() && eks.is_empty());
    assert!(
        status_of(&run).iter().all(|s| s != "broken"),
        "{}",
        run.json()["diagnosis"]
    );
}
