//! `kubectl irsa migrate` against the harness (moto for IAM, the fake EKS, the fake API server
//! with its controllers and webhook), the real binary: every stage and a rollback from every
//! stage, reruns that write nothing (asserted on the request logs), a shared role whose
//! subjects are a list (finalize removes one and keeps the other, and another cluster's
//! statement stays byte for byte), a wildcard subject (kept), the agent add-on installed when
//! missing (its pods appear), a Fargate pod that blocks with exit 4 and nothing written, and
//! the print-only outputs. The journal lives under the test's HOME.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use serde_json::Value;
use support::fake_aws::Moto;
use support::live_env::{LiveEnv, Run};

/// Every write so far: kube `METHOD path`, IAM and EKS operations.
fn writes(env: &LiveEnv) -> Vec<String> {
    let mut out: Vec<String> = env
        .kube
        .writes()
        .iter()
        .map(|r| format!("kube {} {}", r.method, r.path))
        .collect();
    out.extend(
        env.iam
            .writes()
            .iter()
            .map(|r| format!("iam {}", r.operation)),
    );
    out.extend(
        env.eks
            .writes()
            .iter()
            .map(|r| format!("eks {}", r.operation)),
    );
    out
}

/// The role's trust policy as IAM holds it (GetRole), decoded.
fn trust_of(env: &LiveEnv, role: &str) -> String {
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

fn statements(doc: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(doc).unwrap();
    match &v["Statement"] {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

fn role_arn_annotation(env: &LiveEnv, ns: &str, sa: &str) -> Option<String> {
    env.kube
        .object("v1", "ServiceAccount", Some(ns), sa)
        .and_then(|s| {
            s["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
                .as_str()
                .map(str::to_string)
        })
}

/// The env variable names of the running pods whose name starts with `prefix`.
fn pod_env(env: &LiveEnv, ns: &str, prefix: &str) -> Vec<Vec<String>> {
    let list = env.kube.pods_in(ns);
    list.iter()
        .filter(|p| {
            p["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with(prefix))
        })
        .map(|p| {
            p["spec"]["containers"][0]["env"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["name"].as_str().map(str::to_string))
                .collect()
        })
        .collect()
}

fn workload<'a>(run: &'a Value, name: &str) -> &'a Value {
    run["diagnosis"]["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["name"] == name)
        .unwrap_or_else(|| panic!("{name} in the diagnosis after: {run}"))
}

fn actions(out: &Value) -> Vec<String> {
    out["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Runs `args` and expects it applied (exit 0).
fn applied(env: &LiveEnv, args: &[&str]) -> Value {
    let run: Run = env.run(args);
    let out = run.json();
    assert_eq!(run.code, Some(0), "{args:?}: {}", run.explain());
    assert_eq!(out["result"], "applied", "{args:?}: {}", run.explain());
    out
}

/// Runs `args` again and expects nothing planned and nothing written.
fn rerun_writes_nothing(env: &LiveEnv, args: &[&str]) {
    env.clear_requests();
    let run = env.run(args);
    assert_eq!(run.code, Some(0), "{}", run.explain());
    assert_eq!(run.json()["result"], "nothing-to-do", "{}", run.explain());
    assert_eq!(writes(env), Vec::<String>::new(), "{args:?} wrote");
}

#[test]
fn a_shared_role_moves_one_account_through_every_stage_and_back() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "migrate-shared-role");
    let before = trust_of(&env, "shop-shared");
    let other_cluster = statements(&before)[1].clone();
    let arn = role_arn_annotation(&env, "shop", "checkout").unwrap();

    // Stage 1: add-on, trust statement, association, restart.
    env.clear_requests();
    let start = [
        "migrate",
        "deploy/checkout",
        "-n",
        "shop",
        "--yes",
        "-o",
        "json",
    ];
    let out = applied(&env, &start);
    assert_eq!(
        actions(&out),
        [
            "create-addon",
            "update-trust-policy",
            "create-pod-identity-association",
            "rollout-restart"
        ]
    );
    assert!(
        out["preflight"].as_array().is_some_and(|p| !p.is_empty()),
        "{out}"
    );
    assert!(out["schemaVersion"].is_number() && out["id"].is_string() && out["target"].is_string());
    let w = writes(&env);
    for op in [
        "eks CreateAddon",
        "eks CreatePodIdentityAssociation",
        "iam UpdateAssumeRolePolicy",
    ] {
        assert_eq!(w.iter().filter(|x| *x == op).count(), 1, "{op} in {w:?}");
    }
    let agents = env.kube.pods_in("kube-system");
    assert_eq!(agents.len(), 2, "one agent pod per node: {agents:?}");
    let stage1 = trust_of(&env, "shop-shared");
    let st = statements(&stage1);
    assert_eq!(st.len(), 3, "{stage1}");
    assert_eq!(st[0], statements(&before)[0], "the OIDC statement stays");
    assert_eq!(st[1], other_cluster);
    assert_eq!(st[2]["Principal"]["Service"], "pods.eks.amazonaws.com");
    assert_eq!(
        st[2]["Action"],
        serde_json::json!(["sts:AssumeRole", "sts:TagSession"])
    );
    let eq = &st[2]["Condition"]["StringEquals"];
    assert_eq!(eq["aws:SourceAccount"], env.account.as_str());
    assert_eq!(eq["aws:RequestTag/kubernetes-namespace"], "shop");
    assert_eq!(eq["aws:RequestTag/kubernetes-service-account"], "checkout");
    assert!(
        st[2]["Condition"]["ArnEquals"]["aws:SourceArn"]
            .as_str()
            .unwrap()
            .ends_with(":cluster/prod-eu")
    );
    assert_eq!(
        role_arn_annotation(&env, "shop", "checkout").as_deref(),
        Some(arn.as_str())
    );
    let assocs = env.eks.associations("prod-eu");
    assert_eq!(assocs.len(), 1);
    assert_eq!(
        (
            assocs[0].namespace.as_str(),
            assocs[0].service_account.as_str()
        ),
        ("shop", "checkout")
    );
    for vars in pod_env(&env, "shop", "checkout") {
        assert!(
            vars.contains(&"AWS_CONTAINER_CREDENTIALS_FULL_URI".to_string()),
            "{vars:?}"
        );
    }
    let checkout = workload(&out, "checkout");
    assert_eq!(checkout["mechanism"], "pod-identity", "{checkout}");
    assert_ne!(checkout["status"], "broken", "{checkout}");
    let cart = env
        .run(&["doctor", "deploy/cart", "-n", "shop", "-o", "json"])
        .json();
    assert_eq!(
        cart["workloads"][0]["mechanism"], "irsa",
        "cart stays on IRSA"
    );
    assert_eq!(cart["workloads"][0]["status"], "ok");
    rerun_writes_nothing(&env, &start);

    // Finalize: annotation, restart, this subject out of the list; cart and the other cluster stay.
    let fin = [
        "migrate",
        "--finalize",
        "deploy/checkout",
        "-n",
        "shop",
        "--yes",
        "-o",
        "json",
    ];
    let out = applied(&env, &fin);
    assert_eq!(
        actions(&out),
        [
            "remove-annotation",
            "rollout-restart",
            "update-trust-policy"
        ]
    );
    assert_eq!(role_arn_annotation(&env, "shop", "checkout"), None);
    let finalized = trust_of(&env, "shop-shared");
    let st = statements(&finalized);
    let sub_key = st[0]["Condition"]["StringEquals"]
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.ends_with(":sub"))
        .unwrap()
        .clone();
    assert_eq!(
        st[0]["Condition"]["StringEquals"][&sub_key],
        serde_json::json!(["system:serviceaccount:shop:cart"])
    );
    assert_eq!(
        st[1], other_cluster,
        "another cluster's statement is untouched"
    );
    let cart = env
        .run(&["doctor", "deploy/cart", "-n", "shop", "-o", "json"])
        .json();
    assert_eq!(
        cart["workloads"][0]["status"], "ok",
        "cart's subject is kept"
    );
    assert_eq!(workload(&out, "checkout")["mechanism"], "pod-identity");
    assert_ne!(workload(&out, "checkout")["status"], "broken");
    rerun_writes_nothing(&env, &fin);

    // Rollback from finalize: every document as it was, IRSA again.
    let back = [
        "migrate",
        "--rollback",
        "deploy/checkout",
        "-n",
        "shop",
        "--yes",
        "-o",
        "json",
    ];
    let out = applied(&env, &back);
    assert_eq!(
        actions(&out),
        [
            "update-trust-policy",
            "annotate",
            "delete-pod-identity-association",
            "rollout-restart",
            "update-trust-policy"
        ]
    );
    assert_eq!(trust_of(&env, "shop-shared"), before, "byte for byte");
    assert_eq!(
        role_arn_annotation(&env, "shop", "checkout").as_deref(),
        Some(arn.as_str())
    );
    assert!(env.eks.associations("prod-eu").is_empty());
    for vars in pod_env(&env, "shop", "checkout") {
        assert!(vars.contains(&"AWS_ROLE_ARN".to_string()), "{vars:?}");
    }
    assert_eq!(workload(&out, "checkout")["mechanism"], "irsa");
    assert_ne!(workload(&out, "checkout")["status"], "broken");
    rerun_writes_nothing(&env, &back);
}

#[test]
fn a_wildcard_subject_is_kept_and_a_rollback_from_stage_one_restores_it_all() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "migrate-wildcard");
    let before = trust_of(&env, "batch-workers");
    let start = [
        "migrate",
        "deploy/worker-a",
        "-n",
        "batch",
        "--yes",
        "-o",
        "json",
    ];
    let out = applied(&env, &start);
    assert_eq!(
        actions(&out),
        [
            "update-trust-policy",
            "create-pod-identity-association",
            "rollout-restart"
        ],
        "the agent is installed: no add-on step"
    );
    let warned = out["preflight"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["check"] == "wildcard-subject" && c["status"] == "warning");
    assert!(warned, "{}", out["preflight"]);
    // Rollback from stage 1.
    let back = [
        "migrate",
        "--rollback",
        "deploy/worker-a",
        "-n",
        "batch",
        "--yes",
        "-o",
        "json",
    ];
    let stage1 = trust_of(&env, "batch-workers");
    applied(&env, &back);
    assert_eq!(trust_of(&env, "batch-workers"), before);
    assert!(env.eks.associations("prod-eu").is_empty());
    rerun_writes_nothing(&env, &back);

    // A rollback is a plan like any other: undo takes it back to stage 1 (the association
    // made again with its role, the trust as stage 1 wrote it), and the rollback again.
    let undone = env.run(&["undo", "--last", "--yes", "-o", "json"]);
    assert_eq!(undone.code, Some(0), "{}", undone.explain());
    assert_eq!(trust_of(&env, "batch-workers"), stage1);
    let again = env.eks.associations("prod-eu");
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0].service_account, "worker-a");
    assert!(
        again[0]
            .role_arn
            .as_deref()
            .is_some_and(|r| r.ends_with("role/batch-workers"))
    );
    applied(&env, &back);
    assert_eq!(trust_of(&env, "batch-workers"), before);

    // Stage 1 again, then finalize: the wildcard statement is not touched.
    applied(&env, &start);
    let stage1 = trust_of(&env, "batch-workers");
    env.clear_requests();
    let fin = [
        "migrate",
        "--finalize",
        "deploy/worker-a",
        "-n",
        "batch",
        "--yes",
        "-o",
        "json",
    ];
    let out = applied(&env, &fin);
    assert_eq!(actions(&out), ["remove-annotation", "rollout-restart"]);
    assert!(env.iam.writes().is_empty());
    assert_eq!(trust_of(&env, "batch-workers"), stage1);
    let notes = out["notes"].to_string();
    assert!(notes.contains("worker-*"), "{notes}");
    applied(
        &env,
        &[
            "migrate",
            "--rollback",
            "deploy/worker-a",
            "-n",
            "batch",
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(trust_of(&env, "batch-workers"), before);
}

#[test]
fn a_fargate_pod_blocks_the_migration_with_nothing_written() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-fargate-healthy");
    env.clear_requests();
    let run = env.run(&["migrate", "sa/orders", "-n", "shop", "--yes", "-o", "json"]);
    assert_eq!(run.code, Some(4), "{}", run.explain());
    let out = run.json();
    assert_eq!(out["result"], "planned");
    assert!(out["reason"].as_str().unwrap().contains("Fargate"), "{out}");
    assert!(out["steps"].as_array().unwrap().is_empty());
    assert_eq!(writes(&env), Vec::<String>::new());
}

#[test]
fn dry_run_and_the_print_only_outputs_write_nothing() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "migrate-shared-role");
    env.clear_requests();
    let base = ["migrate", "deploy/checkout", "-n", "shop"];
    let json = env.run(&[&base[..], &["--dry-run", "-o", "json"]].concat());
    assert_eq!(json.code, Some(0), "{}", json.explain());
    assert_eq!(json.json()["result"], "planned");
    assert_eq!(actions(&json.json()).len(), 4);
    let shell = env.run(&[&base[..], &["-o", "shell"]].concat());
    assert_eq!(shell.code, Some(0), "{}", shell.explain());
    assert!(
        shell.stdout.contains(
            "aws eks create-addon --cluster-name prod-eu --addon-name eks-pod-identity-agent"
        ),
        "{}",
        shell.stdout
    );
    let tf = env.run(&[&base[..], &["-o", "terraform"]].concat());
    assert!(
        tf.stdout.contains("resource \"aws_eks_addon\""),
        "{}",
        tf.stdout
    );
    assert!(
        tf.stdout
            .contains("resource \"aws_eks_pod_identity_association\""),
        "{}",
        tf.stdout
    );
    let text = env.run(&[&base[..], &["--dry-run"]].concat());
    assert!(
        text.stdout.contains("pre-flight:") && text.stdout.contains("note: order:"),
        "{}",
        text.stdout
    );
    let no_terminal = env.run(&base);
    assert_eq!(no_terminal.code, Some(2), "{}", no_terminal.explain());
    let read_only = env.run(&[&base[..], &["--yes", "--read-only"]].concat());
    assert_eq!(read_only.code, Some(2), "{}", read_only.explain());
    let both = env.run(&[&base[..], &["--finalize", "--rollback"]].concat());
    assert_eq!(both.code, Some(2), "{}", both.explain());
    assert_eq!(writes(&env), Vec::<String>::new());
}
