//! The setup wizard on four of the five seed guides (issue 12: "reproducible end to end on the
//! harness with the wizard and with flags"; Langflow is tests/tui_wizard_tmux.rs), each on its
//! `setup-before-*` scenario, driven in a real terminal with the keys a person would press, and
//! each ending with the checks tests/setup_seeds.rs makes of the flag setups: the doctor's chain
//! green for the guide's actions and broken at permissions for one not asked for, and the
//! guide's own shape: LiteLLM's region variables in its containers, Flyte's wildcard subject
//! under `StringLike` (the warning on screen), ENBUILD through Pod Identity (an association, no
//! annotation), Kubeflow's second profile added to the role's one `:sub` list.
//!
//! Needs tmux, the real kubectl, and moto (./scripts/test.sh).
#![cfg(unix)]

mod support;

#[path = "support/tmux.rs"]
#[macro_use]
mod tmux;

#[path = "support/wizard_tmux.rs"]
mod wizard;

use serde_json::Value;
use support::fake_aws::{FakeEksAuth, Moto, StsOutcome};
use support::live_env::LiveEnv;
use wizard::{
    IRSA_LINKS, allowed, chain_green, denied, flags_plan_nothing, iam_writes, inline_policies,
    start_setup, trust_text, wait_live,
};

/// Screens 4 (Bedrock ticked, `model` typed), then Enter.
fn bedrock(tui: &tmux::Tmux, model: &str) {
    wait_live(tui, &["setup · 4 of 6 · permissions", "[ ] Bedrock"]);
    tui.keys(&["Space", "Down"]);
    tui.type_text(model);
    wait_live(tui, &["[x] Bedrock", model]);
    tui.keys(&["Enter"]);
}

/// Screen 3 with a new role: the proposed name replaced by `name`, then Enter.
fn new_role(tui: &tmux::Tmux, name: &str) {
    wait_live(tui, &["setup · 3 of 6 · role", "(•) a new role"]);
    tui.keys(&["Down", "C-u"]);
    tui.type_text(name);
    wait_live(tui, &[&format!("role name        {name}")]);
    tui.keys(&["Enter"]);
}

/// Screen 4 with S3 access (`presses` of Space: 1 read, 2 read-write) on `bucket`, then Enter.
fn s3(tui: &tmux::Tmux, presses: usize, bucket: &str) {
    wait_live(tui, &["setup · 4 of 6 · permissions", "[ ] S3: no access"]);
    tui.keys(&["Down"]);
    for _ in 0..presses {
        tui.keys(&["Space"]);
    }
    tui.keys(&["Down"]);
    tui.type_text(bucket);
    wait_live(tui, &[&format!("bucket           {bucket}")]);
    tui.keys(&["Enter"]);
}

#[test]
fn litellm_through_irsa_with_its_region_env() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "setup-before-litellm");
    let role = "tlm-chat-backend-x7k2";
    let arn = format!("arn:aws:iam::{}:role/{role}", env.account);
    env.sts.script(&arn, StsOutcome::Success);
    let tui = start_setup(
        &env,
        &["-n", "tlm", "--workload", "deploy/tlm-chat-backend"],
    );

    let first = wait_live(
        &tui,
        &["setup · 1 of 6 · workload", "(•) deploy/tlm-chat-backend"],
    );
    check!(first,
        first.has("service account  tlm-chat-backend") => "a service account of its own, named after the workload",
    );
    tui.keys(&["Enter"]);
    let mechanism = wait_live(&tui, &["setup · 2 of 6 · mechanism", "why "]);
    // The guide uses IRSA: the first row.
    tui.keys(&["Up"]);
    check!(mechanism,
        mechanism.has("OIDC provider in IAM (the plan registers it") => "the missing provider said",
    );
    tui.keys(&["Enter"]);
    new_role(&tui, role);
    bedrock(&tui, "anthropic.claude-3-haiku-20240307-v1:0");
    let region = wait_live(&tui, &["setup · 5 of 6 · region", "[ ] set AWS_REGION"]);
    check!(region,
        region.has("to us-west-2 in the containers") => "the cluster's region",
    );
    tui.keys(&["Space"]);
    wait_live(&tui, &["[x] set AWS_REGION"]);
    tui.keys(&["Enter"]);
    let review = wait_live(&tui, &["Enter applies, Esc goes back", "--region-env"]);
    check!(review,
        review.has("--mechanism irsa --create-role") => "the command line",
    );
    tui.keys(&["Enter"]);
    let chain = wait_live(&tui, &["┌ chain", "✔ trust", "STS issued credentials"]);
    check!(chain,
        chain.has("✔ deploy/tlm-chat-backend  ns tlm  sa tlm-chat-backend  IRSA") => "the workload, ok",
        chain_green(&chain, IRSA_LINKS) => "every link green, nothing red",
    );
    tui.keys(&["q"]);
    tui.quit_with("q");

    let writes = iam_writes(&env);
    assert!(
        writes.contains(&"CreateOpenIDConnectProvider".to_string()),
        "the cluster's OIDC provider registered: {writes:?}"
    );
    let deploy = env
        .kube
        .object("apps/v1", "Deployment", Some("tlm"), "tlm-chat-backend")
        .unwrap();
    let containers = deploy["spec"]["template"]["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!containers.is_empty(), "{deploy}");
    for c in &containers {
        for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            let set = c["env"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| e["name"] == var && e["value"] == "us-west-2");
            assert!(set, "{var} not set in {}: {c}", c["name"]);
        }
    }
    let haiku =
        "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0";
    let sonnet =
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0";
    let target = "deploy/tlm-chat-backend";
    allowed(&env, "tlm", target, "bedrock:InvokeModel", haiku);
    denied(&env, "tlm", target, "bedrock:InvokeModel", sonnet);
    flags_plan_nothing(
        &env,
        &[
            "-n",
            "tlm",
            "--service-account",
            "tlm-chat-backend",
            "--workload",
            target,
            "--mechanism",
            "irsa",
            "--create-role",
            role,
            "--policy-template",
            "bedrock-invoke",
            "--model",
            "anthropic.claude-3-haiku-20240307-v1:0",
            "--region-env",
        ],
    );
}

#[test]
fn flyte_workers_through_one_role_with_a_namespace_wildcard() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "setup-before-flyte");
    let role = "flyte-workers-role";
    let bucket = "flyte-metadata-590183740312";
    // No -n: the namespace pattern is typed on screen 1.
    let tui = start_setup(&env, &[]);
    wait_live(&tui, &["setup · 1 of 6 · workload", "namespace"]);
    tui.keys(&["C-u"]);
    tui.type_text("flytesnacks-*");
    tui.keys(&["Enter"]);
    let first = wait_live(
        &tui,
        &["no Deployment, StatefulSet or DaemonSet in flytesnacks-*"],
    );
    check!(first,
        first.has("(•) a service account only") => "a service account alone",
    );
    tui.keys(&["C-u"]);
    tui.type_text("default");
    wait_live(&tui, &["service account  default"]);
    tui.keys(&["Enter"]);
    let mechanism = wait_live(&tui, &["setup · 2 of 6 · mechanism", "StringLike"]);
    check!(mechanism,
        mechanism.line("recommended").text.contains("(•) IRSA") => "IRSA, the only one with wildcard subjects",
        mechanism.has("not available: a namespace pattern") => "Pod Identity refused, and why",
        mechanism.line("StringLike").text.contains("! the trust subject system:serviceaccount:flytesnacks-*:default") => "the wildcard warning",
    );
    tui.keys(&["Enter"]);
    new_role(&tui, role);
    s3(&tui, 2, bucket);
    wait_live(&tui, &["setup · 5 of 6 · region", "no workload was chosen"]);
    tui.keys(&["Enter"]);
    let review = wait_live(&tui, &["Enter applies, Esc goes back", "StringLike"]);
    check!(review,
        review.has("s3-read-write") => "read-write",
        review.has("flytesnacks-") => "the pattern",
    );
    tui.keys(&["Enter"]);
    // No workload to prove: the wizard closes on the list of what it set up.
    let list = wait_live(
        &tui,
        &[" kubectl-irsa ", "all namespaces", "flytesnacks-staging"],
    );
    let row = |ns: &str| {
        list.rows().iter().any(|r| {
            r.text.contains(ns) && r.text.contains("sa/default") && r.text.contains("IRSA")
        })
    };
    check!(list,
        row("flytesnacks-development") && row("flytesnacks-staging") => "both projects' default on IRSA",
    );
    tui.quit_with("q");

    let text = trust_text(&env, role).unwrap_or_else(|| panic!("no role {role}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let like = &doc["Statement"][0]["Condition"]["StringLike"];
    let subject = like
        .as_object()
        .and_then(|m| m.iter().find(|(k, _)| k.ends_with(":sub")))
        .map(|(_, v)| v.clone());
    assert_eq!(
        subject,
        Some(Value::from("system:serviceaccount:flytesnacks-*:default")),
        "{text}"
    );
    let object = format!("arn:aws:s3:::{bucket}/metadata/propeller/x.pb");
    for (ns, action) in [
        ("flytesnacks-development", "s3:PutObject"),
        ("flytesnacks-staging", "s3:GetObject"),
    ] {
        allowed(&env, ns, "sa/default", action, &object);
    }
    let other = "arn:aws:s3:::another-bucket/x.pb";
    denied(
        &env,
        "flytesnacks-staging",
        "sa/default",
        "s3:GetObject",
        other,
    );
}

/// One ENBUILD service through Pod Identity: the wizard on its Deployment, a new role, the
/// template `permissions` sets on screen 4; ends on the proven chain.
fn enbuild_service(env: &LiveEnv, service: &str, role: &str, permissions: impl Fn(&tmux::Tmux)) {
    let workload = format!("deploy/enbuild-{service}");
    let tui = start_setup(env, &["-n", "enbuild", "--workload", &workload]);
    let first = wait_live(
        &tui,
        &["setup · 1 of 6 · workload", &format!("(•) {workload}")],
    );
    check!(first,
        first.has(&format!("service account  {service}")) => "the Helm-made service account",
    );
    tui.keys(&["Enter"]);
    let mechanism = wait_live(&tui, &["setup · 2 of 6 · mechanism", "why Pod Identity:"]);
    check!(mechanism,
        mechanism.line("recommended").text.contains("(•) Pod Identity") => "Pod Identity recommended and chosen",
        mechanism.has("the Pod Identity agent is installed") => "the reason: the agent",
    );
    tui.keys(&["Enter"]);
    new_role(&tui, role);
    permissions(&tui);
    let region = wait_live(
        &tui,
        &["setup · 5 of 6 · region", "Pod Identity injects no region"],
    );
    check!(region,
        region.has("[x] set AWS_REGION") => "advised, and so ticked",
    );
    tui.keys(&["Enter"]);
    let review = wait_live(
        &tui,
        &["Enter applies, Esc goes back", "--mechanism pod-identity"],
    );
    check!(review,
        review.has("--create-role") => "a new role",
    );
    tui.keys(&["Enter"]);
    let chain = wait_live(&tui, &["┌ chain", "✔ trust", "EKS Auth issued credentials"]);
    check!(chain,
        chain.has(&format!("assumed-role/{role}")) => "proven: the new role's credentials",
        chain.has(&format!("✔ {workload}  ns enbuild  sa {service}  Pod Identity")) => "the workload, ok",
        chain.lines.iter().all(|l| l.red.is_empty()) => "nothing red",
    );
    tui.keys(&["q"]);
    tui.quit_with("q");
}

#[test]
fn enbuild_ai_and_ctf_through_pod_identity() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "setup-before-enbuild");
    let auth = FakeEksAuth::new(&env.eks, &env.sts, moto.url(), &env.kube.issuer());
    env.env
        .push(("AWS_ENDPOINT_URL_EKS_AUTH".into(), auth.url().to_string()));
    let sonnet = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    enbuild_service(&env, "enbuild-ai", "enbuild-ai-bedrock", |tui| {
        bedrock(tui, sonnet)
    });
    enbuild_service(&env, "enbuild-ctf", "enbuild-ctf-s3", |tui| {
        s3(tui, 1, "enbuild-ctf-challenges")
    });

    let cluster = env.cluster_name().unwrap();
    let associations = env.eks.associations(&cluster);
    for (sa, role) in [
        ("enbuild-ai", "enbuild-ai-bedrock"),
        ("enbuild-ctf", "enbuild-ctf-s3"),
    ] {
        let found = associations.iter().any(|a| {
            a.namespace == "enbuild"
                && a.service_account == sa
                && a.role_arn
                    .as_deref()
                    .is_some_and(|r| r.ends_with(&format!("/{role}")))
        });
        assert!(
            found,
            "no association of enbuild/{sa} to {role}: {associations:?}"
        );
        let object = env
            .kube
            .object("v1", "ServiceAccount", Some("enbuild"), sa)
            .unwrap();
        assert!(
            object["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].is_null(),
            "Pod Identity, yet {sa} is annotated: {object}"
        );
        assert!(
            trust_text(&env, role).is_some_and(|t| t.contains("pods.eks.amazonaws.com")),
            "{role} does not trust pods.eks.amazonaws.com"
        );
    }
    let model = format!("arn:aws:bedrock:us-east-1::foundation-model/{sonnet}");
    let flags = "arn:aws:s3:::enbuild-ctf-challenges/flags.zip";
    let (ai, ctf) = ("deploy/enbuild-enbuild-ai", "deploy/enbuild-enbuild-ctf");
    allowed(&env, "enbuild", ai, "bedrock:InvokeModel", &model);
    allowed(&env, "enbuild", ctf, "s3:GetObject", flags);
    denied(&env, "enbuild", ai, "s3:GetObject", flags);
    denied(&env, "enbuild", ctf, "s3:PutObject", flags);
    // The wizard took its advice to set the region (Pod Identity injects none).
    let pod_identity = ["--mechanism", "pod-identity", "--region-env"];
    let ai_flags = [
        "-n",
        "enbuild",
        "--service-account",
        "enbuild-ai",
        "--workload",
        ai,
        "--create-role",
        "enbuild-ai-bedrock",
        "--policy-template",
        "bedrock-invoke",
        "--model",
        sonnet,
    ];
    let ctf_flags = [
        "-n",
        "enbuild",
        "--service-account",
        "enbuild-ctf",
        "--workload",
        ctf,
        "--create-role",
        "enbuild-ctf-s3",
        "--policy-template",
        "s3-read",
        "--bucket",
        "enbuild-ctf-challenges",
    ];
    flags_plan_nothing(&env, &[&ai_flags[..], &pod_identity].concat());
    flags_plan_nothing(&env, &[&ctf_flags[..], &pod_identity].concat());
}

/// One Kubeflow profile: the wizard on its notebook, the existing kf-user-kubeflow picked on
/// screen 3 (it needs the profile's subject added to its trust), S3 read on the datasets.
fn kubeflow_profile(env: &LiveEnv, ns: &str) {
    let tui = start_setup(env, &["-n", ns, "--workload", "sts/notebook"]);
    let first = wait_live(&tui, &["setup · 1 of 6 · workload", "(•) sts/notebook"]);
    check!(first,
        first.has("service account  default-viewer") => "the profile's default-viewer",
    );
    tui.keys(&["Enter"]);
    wait_live(&tui, &["setup · 2 of 6 · mechanism", "why IRSA:"]);
    tui.keys(&["Enter"]);
    let role = wait_live(&tui, &["setup · 3 of 6 · role", "kf-user-kubeflow"]);
    check!(role,
        role.line("kf-user-kubeflow").text.contains("needs: add system:serviceaccount:") => "what it needs",
    );
    // The candidates come after the role name field.
    tui.keys(&["Down", "Down", "Enter"]);
    s3(&tui, 1, "kubeflow-datasets");
    wait_live(&tui, &["setup · 5 of 6 · region"]);
    tui.keys(&["Enter"]);
    let review = wait_live(&tui, &["Enter applies, Esc goes back", "--role"]);
    check!(review,
        review.has("kf-user-kubeflow") => "the existing role",
        !review.has("iam create-role") => "no new role",
    );
    tui.keys(&["Enter"]);
    let chain = wait_live(&tui, &["┌ chain", "✔ trust", "STS issued credentials"]);
    check!(chain,
        chain.has(&format!("✔ sts/notebook  ns {ns}  sa default-viewer  IRSA")) => "the workload, ok",
        chain_green(&chain, IRSA_LINKS) => "every link green, nothing red",
    );
    tui.keys(&["q"]);
    tui.quit_with("q");
}

#[test]
fn kubeflow_profiles_share_one_role_with_subjects_as_one_list() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "setup-before-kubeflow");
    let role = "kf-user-kubeflow";
    let arn = format!("arn:aws:iam::{}:role/{role}", env.account);
    env.sts.script(&arn, StsOutcome::Success);
    kubeflow_profile(&env, "kubeflow-user-a");
    kubeflow_profile(&env, "kubeflow-user-b");

    let text = trust_text(&env, role).unwrap_or_else(|| panic!("no role {role}"));
    // Raw text: a key written twice in one block would be lost by any JSON parser.
    assert_eq!(text.matches(":sub\"").count(), 1, "one :sub key: {text}");
    let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let subjects: Vec<Value> = doc["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|st| st["Condition"].as_object().cloned().unwrap_or_default())
        .flat_map(|(_, block)| block.as_object().cloned().unwrap_or_default())
        .filter(|(k, _)| k.ends_with(":sub"))
        .flat_map(|(_, v)| match v {
            Value::Array(a) => a,
            other => vec![other],
        })
        .collect();
    let want = [
        "system:serviceaccount:kubeflow-user-a:default-editor",
        "system:serviceaccount:kubeflow-user-a:default-viewer",
        "system:serviceaccount:kubeflow-user-b:default-viewer",
    ];
    assert_eq!(subjects.len(), want.len(), "{text}");
    for w in want {
        assert!(subjects.contains(&Value::from(w)), "{w} missing: {text}");
    }
    assert!(!inline_policies(&env, role).is_empty());
    assert!(!iam_writes(&env).contains(&"CreateRole".to_string()));
    let data = "arn:aws:s3:::kubeflow-datasets/mnist/train.csv";
    for ns in ["kubeflow-user-a", "kubeflow-user-b"] {
        allowed(&env, ns, "sts/notebook", "s3:GetObject", data);
    }
    denied(
        &env,
        "kubeflow-user-b",
        "sts/notebook",
        "s3:PutObject",
        data,
    );
}
