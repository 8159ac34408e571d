//! `doctor --prove` against the fakes (issue 3, "Done when"): a TokenRequest to the fake API
//! server, STS AssumeRoleWithWebIdentity (unsigned) and GetCallerIdentity at the fake STS
//! scripted with each failure class, and the answer folded into the link it points at with
//! STS's own message. Without RBAC for `serviceaccounts/token` the proof is `unknown` and names
//! the permission; the token never appears in the output or any request log (except the
//! bodies that carry it, which the fakes do not keep); `--prove --offline` is bad usage. With
//! `--action/--resource`, IAM's SimulatePrincipalPolicy is asked and compared.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use serde_json::Value;
use support::fake_aws::{EvalDecision, Moto, StsOutcome};
use support::live_env::{LiveEnv, Run};

const PROVE: &[&str] = &["doctor", "-A", "-o", "json", "--prove"];
/// The base64url of `{"alg":"RS256",`: every JWT the fake API server issues starts with it.
const JWT_START: &str = "eyJhbGciOiJSUzI1NiIs";

/// The one IRSA workload of a scenario, and its role ARN.
fn irsa_role(env: &LiveEnv) -> String {
    let report = env.run(&["doctor", "-A", "-o", "json"]).json();
    report["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["mechanism"] == "irsa")
        .and_then(|w| w["roleArn"].as_str())
        .unwrap_or_else(|| panic!("{}: no IRSA workload with a role", env.scenario))
        .to_string()
}

/// The link of the first workload.
fn link(report: &Value, name: &str) -> Value {
    report["workloads"][0]["links"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["link"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("no {name} link: {report}"))
}

fn codes(link: &Value) -> Vec<String> {
    link["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}

fn message_with(link: &Value, code: &str) -> String {
    link["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["code"] == code)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no {code} in {link}"))
        .to_string()
}

/// No JWT in the output or in any log the fakes keep; the token went to STS only.
fn assert_token_kept_secret(env: &LiveEnv, run: &Run) {
    assert!(!run.stdout.contains(JWT_START), "token in stdout");
    assert!(!run.stderr.contains(JWT_START), "token in stderr");
    for r in env.kube.requests() {
        assert!(
            !format!("{} {}", r.uri(), r.body).contains(JWT_START),
            "token in a Kubernetes request: {}",
            r.line()
        );
    }
    let aws_logs = format!(
        "{:?}{:?}{:?}",
        env.iam.requests(),
        env.eks.requests(),
        env.sts.requests()
    );
    assert!(!aws_logs.contains(JWT_START), "token in an AWS request log");
    let assumed: Vec<_> = env
        .sts
        .requests()
        .into_iter()
        .filter(|r| r.action == "AssumeRoleWithWebIdentity")
        .collect();
    assert!(
        assumed.iter().all(|r| r.token_present && r.token_len > 100),
        "the token reached STS: {assumed:?}"
    );
}

/// Runs `--prove` with the role scripted to answer `outcome`.
fn prove_with(env: &LiveEnv, role: &str, outcome: StsOutcome) -> Run {
    env.sts.script(role, outcome);
    env.clear_requests();
    let run = env.run(PROVE);
    assert_token_kept_secret(env, &run);
    assert!(
        env.kube.writes().is_empty(),
        "a TokenRequest is the only POST"
    );
    assert!(env.iam.writes().is_empty() && env.eks.writes().is_empty());
    run
}

#[test]
fn a_healthy_role_is_proved() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    let role = irsa_role(&env);
    let run = prove_with(&env, &role, StsOutcome::Success);
    assert_eq!(run.code, Some(0), "{}", run.explain());
    let report = run.json();
    let trust = link(&report, "trust");
    let role_name = role.rsplit('/').next().unwrap_or_default();
    let ok = message_with(&trust, "PROVE_OK");
    assert!(
        ok.contains(&format!("assumed-role/{role_name}/kubectl-irsa-prove")),
        "{ok}"
    );
    assert_eq!(
        report["proofs"][0]["result"]["outcome"], "assumed",
        "{}",
        report["proofs"]
    );
    assert_eq!(report["proofs"][0]["roleArn"], role.as_str());

    let tokens = env.kube.token_requests();
    assert_eq!(tokens.len(), 1, "one TokenRequest per service account");
    let spec: Value = serde_json::from_str(&tokens[0].body).unwrap_or(Value::Null);
    assert_eq!(
        spec["spec"]["audiences"],
        serde_json::json!(["sts.amazonaws.com"])
    );
    assert!(
        spec["spec"]["expirationSeconds"]
            .as_i64()
            .is_some_and(|s| s <= 3600)
    );
    let sts = env.sts.requests();
    let actions: Vec<&str> = sts.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "GetCallerIdentity",
            "AssumeRoleWithWebIdentity",
            "GetCallerIdentity"
        ]
    );
    assert_eq!(sts[1].role_arn.as_deref(), Some(role.as_str()));
    assert_eq!(
        sts[1].issued_key, None,
        "AssumeRoleWithWebIdentity is not signed"
    );
    assert_eq!(
        sts[2].issued_key,
        Some(true),
        "then the new credentials are used"
    );
}

#[test]
fn each_sts_failure_class_points_at_its_link() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    let role = irsa_role(&env);
    let cases = [
        (
            StsOutcome::NoOidcProvider { issuer: None },
            "oidc-provider",
            "No OpenIDConnect provider found in your account for https://oidc.eks.",
        ),
        (
            StsOutcome::IncorrectAudience,
            "oidc-provider",
            "Incorrect token audience",
        ),
        (
            StsOutcome::TokenNotValidated,
            "oidc-provider",
            "The web identity token provided could not be validated",
        ),
        (
            StsOutcome::IdpCommunicationError,
            "oidc-provider",
            "Couldn't retrieve verification key from your identity provider",
        ),
        (
            StsOutcome::AccessDenied,
            "trust",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        ),
        (
            StsOutcome::InvalidRoleArn,
            "annotation",
            "Request ARN is invalid",
        ),
    ];
    for (outcome, want_link, sts_says) in cases {
        let run = prove_with(&env, &role, outcome.clone());
        let report = run.json();
        assert_eq!(run.code, Some(1), "{outcome:?}: {}", run.explain());
        assert_eq!(
            report["workloads"][0]["brokenLink"], want_link,
            "{outcome:?}"
        );
        let broken = link(&report, want_link);
        assert_eq!(broken["status"], "broken", "{outcome:?}: {broken}");
        let message = message_with(&broken, "PROVE_FAILED");
        assert!(
            message.contains(sts_says),
            "{outcome:?}: STS's own message: {message}"
        );
        assert!(
            codes(&broken).contains(&"PROVE_DIFFERS".to_string()),
            "{outcome:?}: the local evaluation found nothing wrong there, and says so"
        );
        assert_eq!(report["proofs"][0]["result"]["outcome"], "sts-error");
    }
}

/// An annotation that is not a role ARN (an 11-digit account) is broken locally already: no
/// token is requested for it and STS is not asked (its refusal is covered by the scripted
/// `InvalidRoleArn` class above).
#[test]
fn a_malformed_role_arn_is_not_sent_to_sts() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "role-arn-11-digits");
    env.clear_requests();
    let run = env.run(PROVE);
    let report = run.json();
    assert_eq!(run.code, Some(1), "{}", run.explain());
    assert_eq!(report["workloads"][0]["brokenLink"], "annotation");
    assert!(report.get("proofs").is_none(), "{}", report["proofs"]);
    assert!(env.kube.token_requests().is_empty());
    assert_eq!(env.sts.count("AssumeRoleWithWebIdentity"), 0);
}

#[test]
fn without_rbac_for_token_requests_the_proof_is_unknown() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    env.kube.deny("create", "serviceaccounts/token", None);
    let run = env.run(PROVE);
    assert_eq!(
        run.code,
        Some(3),
        "unknown, nothing broken: {}",
        run.explain()
    );
    let report = run.json();
    let trust = link(&report, "trust");
    assert_eq!(trust["status"], "unknown", "{trust}");
    let message = message_with(&trust, "PROVE_NOT_RUN");
    assert!(
        message.contains("`serviceaccounts/token`") && message.contains("create"),
        "names the permission to grant: {message}"
    );
    assert_eq!(report["proofs"][0]["result"]["outcome"], "not-run");
    assert_eq!(env.sts.count("AssumeRoleWithWebIdentity"), 0);
    assert_token_kept_secret(&env, &run);
}

#[test]
fn prove_needs_a_live_cluster() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    for source in [
        vec!["--offline", env.bundle.to_str().unwrap_or_default()],
        vec!["--demo"],
    ] {
        let mut args = vec!["doctor", "--prove"];
        args.extend(source);
        let run = env.run(&args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.explain());
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains("--prove"), "{}", run.stderr);
    }
    assert!(env.kube.requests().is_empty() && env.sts.requests().is_empty());
}

/// `--action/--resource`: IAM's simulation next to the local evaluation, agreeing or not.
#[test]
fn simulate_principal_policy_is_compared_with_the_local_evaluation() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    let role = "arn:aws:iam::210987654321:role/checkout-irsa";
    let resource = "arn:aws:s3:::shop-assets/logo.png";
    let args = [
        "doctor",
        "deploy/checkout",
        "-n",
        "shop",
        "-o",
        "json",
        "--prove",
        "--action",
        "s3:GetObject",
        "--resource",
        resource,
    ];
    let local = env.run(&args[..6]);
    assert_eq!(local.code, Some(0), "{}", local.explain());

    env.iam
        .simulate_for(role, "s3:GetObject", resource, EvalDecision::Allowed);
    let agreeing = env.run(&args);
    assert_eq!(agreeing.code, Some(0), "{}", agreeing.explain());
    let permissions = link(&agreeing.json(), "permissions");
    let agrees = message_with(&permissions, "SIMULATION_AGREES");
    assert!(
        agrees.contains("s3:GetObject") && agrees.contains("allowed"),
        "{agrees}"
    );
    assert!(!codes(&permissions).contains(&"SIMULATION_DIFFERS".to_string()));
    let asked = env.iam.calls("SimulatePrincipalPolicy");
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].param("PolicySourceArn"), Some(role));
    assert_eq!(asked[0].param("ActionNames.member.1"), Some("s3:GetObject"));
    assert_eq!(asked[0].param("ResourceArns.member.1"), Some(resource));

    env.iam
        .simulate_for(role, "s3:GetObject", resource, EvalDecision::ExplicitDeny);
    let differing = env.run(&args);
    let report = differing.json();
    let permissions = link(&report, "permissions");
    assert_eq!(permissions["status"], "warning", "{permissions}");
    let differs = message_with(&permissions, "SIMULATION_DIFFERS");
    assert!(
        differs.contains("explicitDeny") && differs.contains("the local evaluation says allowed"),
        "{differs}"
    );
    assert_eq!(differing.code, Some(0), "a warning is not broken");
    assert!(env.iam.writes().is_empty());
}

/// The token is requested for the audience the service account's annotation names.
#[test]
fn the_token_audience_is_the_service_accounts() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "trust-audience-custom-ok");
    let run = prove_with(&env, &irsa_role(&env), StsOutcome::Success);
    assert_eq!(run.code, Some(0), "{}", run.explain());
    let tokens = env.kube.token_requests();
    assert_eq!(tokens.len(), 1);
    let spec: Value = serde_json::from_str(&tokens[0].body).unwrap_or(Value::Null);
    assert_eq!(
        spec["spec"]["audiences"],
        serde_json::json!(["vault.example.com"])
    );
    assert_eq!(run.json()["proofs"][0]["audience"], "vault.example.com");
}

/// Issue 15: a developer with kubectl access and no AWS credentials can still prove IRSA, from
/// the pod's side: the token exchange is unsigned and its credentials answer GetCallerIdentity.
/// The links that needed IAM (the role read, the policy simulator) say they needed the user's
/// credentials.
#[test]
fn irsa_is_proved_without_the_users_aws_credentials() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "irsa-healthy");
    let role = irsa_role(&env);
    env.sts.script(&role, StsOutcome::Success);
    env.env.push(("AWS_ACCESS_KEY_ID".into(), String::new()));
    env.env
        .push(("AWS_SECRET_ACCESS_KEY".into(), String::new()));
    env.clear_requests();
    let run = env.run(&[
        "doctor",
        "-A",
        "-o",
        "json",
        "--prove",
        "--action",
        "s3:GetObject",
    ]);
    assert_token_kept_secret(&env, &run);
    let report = run.json();
    assert_eq!(
        report["proofs"][0]["result"]["outcome"],
        "assumed",
        "{}",
        run.explain()
    );
    let sts = env.sts.requests();
    let actions: Vec<&str> = sts.iter().map(|r| r.action.as_str()).collect();
    assert!(
        actions.ends_with(&["AssumeRoleWithWebIdentity", "GetCallerIdentity"]),
        "{actions:?}"
    );
    for name in ["role", "trust", "oidc-provider"] {
        let l = link(&report, name);
        assert_eq!(l["status"], "ok", "{name} proven from the pod's side: {l}");
    }
    let trust = link(&report, "trust");
    assert!(codes(&trust).contains(&"PROVE_OK".to_string()), "{trust}");
    let perms = link(&report, "permissions");
    assert_eq!(perms["status"], "unknown", "{perms}");
    assert!(
        perms.to_string().contains("needs your AWS credentials"),
        "the simulator needed them: {perms}"
    );
    assert_eq!(
        run.code,
        Some(3),
        "permissions not judged: {}",
        run.explain()
    );
}
