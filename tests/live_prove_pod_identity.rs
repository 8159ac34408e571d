//! `doctor --prove` for Pod Identity against the fakes (issue 10, "Pod Identity proven like
//! IRSA"): a TokenRequest for `pods.eks.amazonaws.com` to the fake API server, EKS Auth
//! AssumeRoleForPodIdentity at [`FakeEksAuth`] (which decides as the real service does, from
//! the FakeEks's associations, the token and moto's trust policy), then GetCallerIdentity with
//! the credentials it returned. Each refusal EKS Auth can give lands on the link it points at
//! with EKS Auth's own words; the identity running the proof without
//! `eks-auth:AssumeRoleForPodIdentity`, or an unknown cluster name, leaves the proof `unknown`
//! with the reason; a service account no workload uses yet is proven too. The token is never in
//! the output or in any request log.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use kubectl_irsa::model::aws::PodIdentityAssociation;
use serde_json::{Value, json};
use support::fake_aws::{FakeEksAuth, Moto, sdk_config};
use support::live_env::{LiveEnv, Run};

const PROVE: &[&str] = &["doctor", "-A", "-o", "json", "--prove"];
/// The base64url of `{"alg":"RS256",`: every JWT the fake API server issues starts with it.
const JWT_START: &str = "eyJhbGciOiJSUzI1NiIs";
const AUDIENCE: &str = "pods.eks.amazonaws.com";
const DENIED: &str = "EKS does not have permissions to assume the associated role";

/// A scenario served by every fake, EKS Auth included.
struct PodIdentityEnv {
    env: LiveEnv,
    auth: FakeEksAuth,
}

fn start(moto: &Moto, scenario: &str) -> PodIdentityEnv {
    let mut env = LiveEnv::start(moto, scenario);
    let auth = FakeEksAuth::new(&env.eks, &env.sts, moto.url(), &env.kube.issuer());
    env.env
        .push(("AWS_ENDPOINT_URL_EKS_AUTH".into(), auth.url().to_string()));
    PodIdentityEnv { env, auth }
}

impl PodIdentityEnv {
    /// `--prove`, with the token checked to stay secret and nothing written.
    fn prove(&self, args: &[&str]) -> Run {
        self.env.clear_requests();
        self.auth.clear_requests();
        let run = self.env.run(args);
        self.assert_token_kept_secret(&run);
        assert!(
            self.env.kube.writes().is_empty(),
            "a TokenRequest is the only POST"
        );
        assert!(self.env.iam.writes().is_empty() && self.env.eks.writes().is_empty());
        run
    }

    /// No JWT in the output or in any log the fakes keep; EKS Auth received one.
    fn assert_token_kept_secret(&self, run: &Run) {
        assert!(!run.stdout.contains(JWT_START), "token in stdout");
        assert!(!run.stderr.contains(JWT_START), "token in stderr");
        for r in self.env.kube.requests() {
            assert!(
                !format!("{} {}", r.uri(), r.body).contains(JWT_START),
                "token in a Kubernetes request: {}",
                r.line()
            );
        }
        let logs = format!(
            "{:?}{:?}{:?}{:?}",
            self.env.iam.requests(),
            self.env.eks.requests(),
            self.env.sts.requests(),
            self.auth.requests()
        );
        assert!(!logs.contains(JWT_START), "token in an AWS request log");
        let asked = self.auth.requests();
        assert!(
            asked.iter().all(|r| r.token_present && r.token_len > 100),
            "the token reached EKS Auth: {asked:?}"
        );
    }
}

/// The Pod Identity workload of a report.
fn workload(report: &Value) -> Value {
    report["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["mechanism"] == "pod-identity")
        .cloned()
        .unwrap_or_else(|| panic!("no Pod Identity workload: {report}"))
}

fn link(w: &Value, name: &str) -> Value {
    w["links"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["link"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("no {name} link: {w}"))
}

fn finding(link: &Value, code: &str) -> Value {
    link["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("no {code} in {link}"))
}

/// The only TokenRequest's spec.
fn token_spec(env: &LiveEnv) -> Value {
    let tokens = env.kube.token_requests();
    assert_eq!(tokens.len(), 1, "one TokenRequest per service account");
    serde_json::from_str(&tokens[0].body).unwrap_or(Value::Null)
}

#[test]
fn a_healthy_pod_identity_workload_is_proved() {
    let moto = Moto::acquire_blocking();
    let pi = start(&moto, "pod-identity-healthy");
    let run = pi.prove(PROVE);
    assert_eq!(run.code, Some(0), "{}", run.explain());
    let report = run.json();
    let w = workload(&report);
    let role = w["roleArn"].as_str().unwrap_or_default().to_string();
    let role_name = role.rsplit('/').next().unwrap_or_default();
    let cluster = pi.env.cluster_name().unwrap_or_default();

    let ok = finding(&link(&w, "trust"), "PROVE_OK");
    let message = ok["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("EKS Auth issued credentials"), "{ok}");
    assert!(
        message.contains(&format!("assumed-role/{role_name}/eks-{cluster}-")),
        "the caller is the role's session named by EKS: {message}"
    );
    let proof = &report["proofs"][0];
    assert_eq!(proof["mechanism"], "pod-identity", "{proof}");
    assert_eq!(proof["audience"], AUDIENCE);
    assert_eq!(proof["roleArn"], role.as_str());
    assert_eq!(proof["result"]["outcome"], "assumed", "{proof}");

    let spec = token_spec(&pi.env);
    assert_eq!(spec["spec"]["audiences"], json!([AUDIENCE]));
    assert!(
        spec["spec"]["expirationSeconds"]
            .as_i64()
            .is_some_and(|s| s <= 3600)
    );
    let bound = &spec["spec"]["boundObjectRef"];
    assert_eq!(
        bound["kind"], "Pod",
        "bound to a pod, as the agent's: {spec}"
    );
    let pod = w["pods"][0]["name"].as_str().unwrap_or_default();
    assert_eq!(bound["name"], pod);

    let asked = pi.auth.requests();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].cluster, cluster);
    assert_eq!(asked[0].subject.as_deref(), Some("shop/billing"));
    assert_eq!(asked[0].pod.as_deref(), Some(pod));
    assert_eq!(asked[0].role_arn.as_deref(), Some(role.as_str()));
    let sts = pi.env.sts.requests();
    let actions: Vec<&str> = sts.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        ["GetCallerIdentity", "GetCallerIdentity"],
        "no AssumeRoleWithWebIdentity for Pod Identity"
    );
    assert_eq!(
        sts[1].issued_key,
        Some(true),
        "the credentials EKS Auth returned"
    );
}

/// `--prove` on a scenario whose Pod Identity EKS Auth refuses: the refusal on `link`, with
/// EKS Auth's code and message, and why the fake refused.
fn refused(scenario: &str, want_link: &str, code: &str, says: &str, because: &str) -> Value {
    let moto = Moto::acquire_blocking();
    let pi = start(&moto, scenario);
    let run = pi.prove(PROVE);
    assert_eq!(run.code, Some(1), "{scenario}: {}", run.explain());
    let report = run.json();
    let w = workload(&report);
    assert_eq!(w["brokenLink"], want_link, "{scenario}: {w}");
    let l = link(&w, want_link);
    assert_eq!(l["status"], "broken", "{scenario}: {l}");
    let failed = finding(&l, "PROVE_FAILED");
    let message = failed["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(code) && message.contains(says),
        "{scenario}: EKS Auth's own words: {message}"
    );
    let evidence = &failed["evidence"][0];
    assert_eq!(evidence["object"], "EKS Auth AssumeRoleForPodIdentity");
    assert_eq!(evidence["field"], code);
    assert!(evidence["value"].as_str().is_some_and(|v| v.contains(says)));
    assert_eq!(report["proofs"][0]["result"]["outcome"], "eks-auth-error");
    assert_eq!(report["proofs"][0]["result"]["code"], code);
    let asked = pi.auth.requests();
    assert_eq!(asked.len(), 1, "{scenario}: {asked:?}");
    assert_eq!(asked[0].error_code.as_deref(), Some(code));
    let reason = asked[0].reason.clone().unwrap_or_default();
    assert!(
        reason.contains(because),
        "{scenario}: refused because {reason}"
    );
    assert_eq!(
        pi.env.sts.requests().len(),
        1,
        "{scenario}: no credentials, so no second GetCallerIdentity"
    );
    report
}

#[test]
fn no_association_is_the_association_link() {
    refused(
        "pi-association-missing",
        "association",
        "ResourceNotFoundException",
        "could not be found",
        "no association",
    );
}

#[test]
fn a_trust_without_tag_session_is_the_trust_link() {
    refused(
        "pi-trust-no-tagsession",
        "trust",
        "AccessDeniedException",
        DENIED,
        "sts:TagSession",
    );
}

#[test]
fn a_trust_without_the_pod_identity_service_is_the_trust_link() {
    refused(
        "pi-trust-irsa-only",
        "trust",
        "AccessDeniedException",
        DENIED,
        "the trust policy refuses",
    );
}

#[test]
fn a_role_in_another_account_is_the_role_link() {
    refused(
        "pi-role-other-account",
        "role",
        "AccessDeniedException",
        DENIED,
        "another account",
    );
}

/// Only node roles may normally call EKS Auth: a user without the permission gets `unknown`,
/// told which permission, and nothing is called broken.
#[test]
fn without_eks_auth_permission_the_proof_is_unknown_and_names_it() {
    let moto = Moto::acquire_blocking();
    let pi = start(&moto, "pod-identity-healthy");
    pi.auth.deny_caller(&format!(
        "arn:aws:iam::{}:user/kubectl-irsa-test",
        pi.env.account
    ));
    let run = pi.prove(PROVE);
    assert_eq!(run.code, Some(3), "unknown: {}", run.explain());
    let w = workload(&run.json());
    assert_eq!(w["brokenLink"], Value::Null, "{w}");
    let trust = link(&w, "trust");
    assert_eq!(trust["status"], "unknown", "{trust}");
    let not_run = finding(&trust, "PROVE_NOT_RUN");
    let message = not_run["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("eks-auth:AssumeRoleForPodIdentity") && message.contains("node"),
        "{message}"
    );
}

/// EKS Auth needs the cluster's name: when DescribeCluster did not answer, no token is
/// requested and the proof says why.
#[test]
fn without_the_cluster_name_the_proof_does_not_run() {
    let moto = Moto::acquire_blocking();
    let pi = start(&moto, "pod-identity-healthy");
    pi.env.eks.deny("DescribeCluster");
    let run = pi.prove(PROVE);
    let w = workload(&run.json());
    let trust = link(&w, "trust");
    let not_run = finding(&trust, "PROVE_NOT_RUN");
    assert!(
        not_run["message"]
            .as_str()
            .is_some_and(|m| m.contains("cluster's name")),
        "{not_run}"
    );
    assert_eq!(run.json()["proofs"][0]["result"]["outcome"], "not-run");
    assert!(
        pi.env.kube.token_requests().is_empty(),
        "no token requested"
    );
    assert!(pi.auth.requests().is_empty(), "EKS Auth not asked");
}

/// A service account no workload runs as yet: the proof needs no pod, and its token is bound
/// to none.
#[test]
fn a_service_account_without_pods_is_proved() {
    let moto = Moto::acquire_blocking();
    let pi = start(&moto, "pod-identity-healthy");
    let cluster = pi.env.cluster_name().unwrap_or_default();
    let existing = pi.env.eks.associations(&cluster);
    let role = existing[0].role_arn.clone();
    pi.env.kube.insert(json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "ledger", "namespace": "shop", "uid": "5f0c2a4e-0000-4000-8000-00000000cafe"},
    }));
    pi.env.eks.add_association(PodIdentityAssociation {
        cluster_name: Some(cluster.clone()),
        namespace: "shop".into(),
        service_account: "ledger".into(),
        association_id: "a-ledger0000000000".into(),
        association_arn: None,
        role_arn: role.clone(),
        target_role_arn: None,
        disable_session_tags: None,
        session_policy: None,
        owner_arn: None,
        created_at: existing[0].created_at.clone(),
        modified_at: None,
    });
    let run = pi.prove(&["doctor", "sa/ledger", "-n", "shop", "-o", "json", "--prove"]);
    assert_eq!(run.code, Some(0), "{}", run.explain());
    let w = workload(&run.json());
    assert_eq!(w["serviceAccount"], "ledger", "{w}");
    assert_eq!(link(&w, "pod")["status"], "skipped", "{w}");
    let ok = finding(&link(&w, "trust"), "PROVE_OK");
    assert!(
        ok["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("/eks-{cluster}-ledger-"))),
        "the session names the service account for a token bound to no pod: {ok}"
    );
    let spec = token_spec(&pi.env);
    assert_eq!(spec["spec"]["boundObjectRef"], Value::Null, "{spec}");
    assert_eq!(
        pi.auth.requests()[0].subject.as_deref(),
        Some("shop/ledger")
    );
}

/// The fake refuses what EKS Auth refuses: a token for another audience, one not signed by the
/// cluster, and one for a service account without an association.
#[test]
fn the_fake_eks_auth_checks_the_token_like_the_service() {
    let moto = Moto::acquire_blocking();
    let pi = start(&moto, "pod-identity-healthy");
    let cluster = pi.env.cluster_name().unwrap_or_default();
    pi.env.kube.insert(json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "unassociated", "namespace": "shop"},
    }));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let kube = pi.env.kube.client();
        let token = |audience: &str, sa: &str| {
            let kube = kube.clone();
            let (audience, sa) = (audience.to_string(), sa.to_string());
            async move {
                use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
                use k8s_openapi::api::core::v1::ServiceAccount;
                let api: kube::Api<ServiceAccount> = kube::Api::namespaced(kube, "shop");
                let request = TokenRequest {
                    spec: TokenRequestSpec {
                        audiences: vec![audience],
                        expiration_seconds: Some(600),
                        ..TokenRequestSpec::default()
                    },
                    ..TokenRequest::default()
                };
                api.create_token_request(&sa, &Default::default(), &request)
                    .await
                    .ok()
                    .and_then(|t| t.status)
                    .map(|s| s.token)
                    .unwrap_or_else(|| panic!("no token for shop/{sa}"))
            }
        };
        let sdk = sdk_config(&[("eks-auth", pi.auth.url())]).await;
        let client = aws_sdk_eksauth::Client::new(&sdk);
        let ask = |jwt: String| {
            let client = client.clone();
            let cluster = cluster.clone();
            async move {
                match client
                    .assume_role_for_pod_identity()
                    .cluster_name(cluster)
                    .token(jwt)
                    .send()
                    .await
                {
                    Ok(out) => Ok(out.assumed_role_user().map(|u| u.arn().to_string())),
                    Err(e) => Err(aws_sdk_eksauth::error::ProvideErrorMetadata::code(&e)
                        .map(str::to_string)
                        .unwrap_or_else(|| {
                            format!("{}", aws_sdk_eksauth::error::DisplayErrorContext(&e))
                        })),
                }
            }
        };
        let good = token(AUDIENCE, "billing").await;
        let answer = ask(good.clone()).await;
        assert!(
            answer.as_ref().is_ok_and(|arn| arn.is_some()),
            "a good token: {answer:?} {:?}",
            pi.auth.requests()
        );
        let sts_audience = token("sts.amazonaws.com", "billing").await;
        assert_eq!(ask(sts_audience).await, Err("InvalidTokenException".into()));
        let mut forged: Vec<&str> = good.split('.').collect();
        forged[2] = "Zm9yZ2Vk";
        assert_eq!(
            ask(forged.join(".")).await,
            Err("InvalidTokenException".into())
        );
        assert_eq!(
            ask(token(AUDIENCE, "unassociated").await).await,
            Err("ResourceNotFoundException".into()),
            "shop/unassociated has no association"
        );
    });
    let reasons: Vec<String> = pi
        .auth
        .requests()
        .iter()
        .filter_map(|r| r.reason.clone())
        .collect();
    assert!(
        reasons[0].contains("audiences") && reasons[1].contains("not signed"),
        "{reasons:?}"
    );
}
