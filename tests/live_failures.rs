//! Failures produce the documented result (issue 3; DESIGN.md exit codes): a Kubernetes 403 or
//! an AWS AccessDenied makes the affected links `unknown` with the exact permission to grant
//! (exit 3 when nothing else is broken); throttling is retried and changes nothing; an
//! unreachable API server ends the run with one clear line on stderr and exit 3, no stack of
//! errors and no panic. Missing, invalid or expired AWS credentials still give the report:
//! the Kubernetes links judged, the AWS ones unknown naming the credentials (issue 15).
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use serde_json::Value;
use support::fake_aws::Moto;
use support::live_env::{CONTEXT, LiveEnv, Run, closed_port, json_diff};

const DOCTOR: &[&str] = &["doctor", "-A", "-o", "json"];

/// `(link, status, messages)` of every link of every workload.
fn links(report: &Value) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for w in report["workloads"].as_array().into_iter().flatten() {
        for l in w["links"].as_array().into_iter().flatten() {
            let messages = l["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["message"].as_str().map(str::to_string))
                .collect();
            out.push((
                l["link"].as_str().unwrap_or_default().to_string(),
                l["status"].as_str().unwrap_or_default().to_string(),
                messages,
            ));
        }
    }
    out
}

/// The link must be `unknown` in every workload, naming `permission`.
fn assert_unknown_naming(run: &Run, link: &str, permission: &str) {
    let report = run.json();
    let found: Vec<_> = links(&report)
        .into_iter()
        .filter(|(l, _, _)| l == link)
        .collect();
    assert!(!found.is_empty(), "no {link} link:\n{}", run.explain());
    for (_, status, messages) in &found {
        assert_eq!(status, "unknown", "{link}: {messages:?}\n{}", run.explain());
        assert!(
            messages.iter().any(|m| m.contains(permission)),
            "{link} must name `{permission}`: {messages:?}"
        );
    }
    assert!(
        !links(&report).iter().any(|(_, s, _)| s == "broken"),
        "nothing is broken here:\n{}",
        run.explain()
    );
    assert_eq!(run.code, Some(3), "unknown, nothing broken: exit 3");
}

/// One clear error line, exit 3, no panic, no chain of causes.
fn assert_one_clear_error(run: &Run, starts_with: &str) {
    assert_eq!(run.code, Some(3), "{}", run.explain());
    assert!(run.stdout.trim().is_empty(), "no report: {}", run.explain());
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr:\n{}", run.stderr);
    assert!(
        lines[0].starts_with(starts_with),
        "`{}` should start with `{starts_with}`",
        lines[0]
    );
    for noise in [
        "panicked",
        "Caused by",
        "backtrace",
        "DispatchFailure",
        "Error {",
    ] {
        assert!(!run.stderr.contains(noise), "`{noise}` in {}", run.stderr);
    }
}

/// The first namespace with a workload.
fn first_namespace(env: &LiveEnv) -> String {
    env.run(DOCTOR).json()["workloads"][0]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn kubernetes_rbac_denial_of_service_accounts_makes_the_chain_unknown() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    assert_eq!(env.run(DOCTOR).code, Some(0));
    env.kube.deny("list", "serviceaccounts", None);
    let run = env.run(DOCTOR);
    assert_unknown_naming(&run, "service-account", "list serviceaccounts cluster-wide");
    let statuses: Vec<(String, String)> = links(&run.json())
        .into_iter()
        .map(|(l, s, _)| (l, s))
        .collect();
    for (link, status) in &statuses {
        if !["pod", "service-account"].contains(&link.as_str()) {
            assert_eq!(
                status, "unknown",
                "{link} follows the service account: {statuses:?}"
            );
        }
    }
}

#[test]
fn kubernetes_rbac_denial_in_one_namespace_names_that_namespace() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    let namespace = first_namespace(&env);
    env.kube.deny("list", "serviceaccounts", Some(&namespace));
    let run = env.run(&["doctor", "-n", &namespace, "-o", "json"]);
    assert_unknown_naming(
        &run,
        "service-account",
        &format!("list serviceaccounts in namespace {namespace}"),
    );
}

#[test]
fn kubernetes_rbac_denial_of_pods_names_the_permission() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    env.kube.deny("list", "pods", None);
    let run = env.run(DOCTOR);
    let pod = links(&run.json())
        .into_iter()
        .find(|(l, _, _)| l == "pod")
        .unwrap_or_else(|| panic!("a pod link:\n{}", run.explain()));
    assert!(
        pod.2
            .iter()
            .any(|m| m.contains("grant `list pods cluster-wide`")),
        "{pod:?}"
    );
}

/// What issue 3 documents for a 403 on pods: the pod-dependent links are `unknown` with the
/// permission to grant, even when a Deployment's template is readable.
#[test]
fn kubernetes_rbac_denial_of_pods_makes_the_pod_links_unknown() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    env.kube.deny("list", "pods", None);
    let run = env.run(DOCTOR);
    assert_unknown_naming(&run, "pod", "list pods cluster-wide");
    let injection: Vec<String> = links(&run.json())
        .into_iter()
        .filter(|(l, _, _)| l == "injection")
        .map(|(_, s, _)| s)
        .collect();
    assert!(injection.iter().all(|s| s == "unknown"), "{injection:?}");
}

#[test]
fn eks_access_denied_on_associations_makes_the_association_unknown() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "pod-identity-healthy");
    assert_eq!(env.run(DOCTOR).code, Some(0));
    env.eks.deny("ListPodIdentityAssociations");
    let run = env.run(DOCTOR);
    assert_unknown_naming(&run, "association", "eks:ListPodIdentityAssociations");
    assert_eq!(
        env.eks.count("ListPodIdentityAssociations"),
        2,
        "AccessDenied is not retried (one per run)"
    );
}

#[test]
fn iam_access_denied_on_get_role_makes_the_role_unknown() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "irsa-healthy");
    let namespace = first_namespace(&env);
    env.iam.deny("GetRole");
    // Per-role calls (one namespace).
    let run = env.run(&["doctor", "-n", &namespace, "-o", "json"]);
    assert_unknown_naming(&run, "role", "iam:GetRole");
    // The account scan, denied too, falls back to GetRole, denied as well.
    env.iam.deny("GetAccountAuthorizationDetails");
    env.clear_requests();
    let run = env.run(DOCTOR);
    assert_unknown_naming(&run, "role", "iam:GetRole");
    assert_eq!(env.iam.count("GetAccountAuthorizationDetails"), 1);
    assert_eq!(env.iam.count("GetRole"), 1, "fell back to per-role calls");
}

#[test]
fn throttling_is_retried_and_changes_nothing() {
    let moto = Moto::acquire_blocking();
    for (scenario, args) in [
        ("basic", DOCTOR),
        ("basic", &["doctor", "-n", "shop", "-o", "json"][..]),
    ] {
        let env = LiveEnv::start(&moto, scenario);
        let calm = env.run(args);
        env.clear_requests();
        env.iam.throttle(3);
        env.eks.throttle(3);
        let throttled = env.run(args);
        eprintln!(
            "{scenario} {args:?}: calm {:?}, throttled {:?}: {}",
            calm.elapsed,
            throttled.elapsed,
            env.request_counts()
        );
        let count = |errors: Vec<Option<String>>| {
            errors
                .iter()
                .filter(|e| e.as_deref().is_some_and(|c| c.starts_with("Throttling")))
                .count()
        };
        let iam_throttled = count(
            env.iam
                .requests()
                .into_iter()
                .map(|r| r.error_code)
                .collect(),
        );
        let eks_throttled = count(
            env.eks
                .requests()
                .into_iter()
                .map(|r| r.error_code)
                .collect(),
        );
        assert_eq!(
            (iam_throttled, eks_throttled),
            (3, 3),
            "{scenario}: the fakes throttled"
        );
        assert_eq!(throttled.code, calm.code, "{}", throttled.explain());
        let diff = json_diff(&calm.report(), &throttled.report(), 10);
        assert!(diff.is_empty(), "{scenario} {args:?}: {}", diff.join("\n"));
    }
}

#[test]
fn an_unreachable_api_server_is_one_clear_error() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    env.kube
        .write_kubeconfig(&env.kubeconfig, closed_port(), CONTEXT, None);
    let run = env.run(DOCTOR);
    assert_one_clear_error(&run, "error: cannot reach the Kubernetes API server");
    assert!(
        run.stderr.contains("127.0.0.1") && run.stderr.contains("Connection refused"),
        "names the server and the reason: {}",
        run.stderr
    );
    let dump = env.run(&["dump", "-A", &env.home().join("d").display().to_string()]);
    assert_one_clear_error(&dump, "error: cannot reach the Kubernetes API server");
}

/// The report a run without usable AWS credentials prints (issue 15): the Kubernetes links
/// judged, every link that needs IAM or EKS `unknown` naming the credentials and how to log
/// in, a note saying so, exit 3 (nothing was found broken without AWS here).
fn assert_kubernetes_only_report(run: &Run, aws_words: &str) {
    assert_eq!(run.code, Some(3), "{}", run.explain());
    let report = run.json();
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("AWS credentials are missing, invalid or expired")
            && notes.contains("aws sso login")
            && notes.contains(aws_words),
        "a note says why AWS was not read, in AWS's words, and how to log in: {notes}"
    );
    let all = links(&report);
    assert!(!all.is_empty(), "{}", run.explain());
    for (link, status, messages) in &all {
        match link.as_str() {
            "pod" | "service-account" | "injection" => assert!(
                status != "unknown" || !messages.iter().any(|m| m.contains("credentials")),
                "{link} is judged from Kubernetes: {status} {messages:?}"
            ),
            // A link after an unknown one is `unknown` with no finding of its own.
            "role" | "oidc-provider" | "association" | "agent"
                if status == "unknown" && !messages.is_empty() =>
            {
                assert!(
                    messages
                        .iter()
                        .any(|m| m.contains("AWS credentials are missing")),
                    "{link}: {messages:?}\n{}",
                    run.explain()
                )
            }
            _ => {}
        }
        assert_ne!(
            status, "broken",
            "{link}: nothing is broken without AWS here"
        );
    }
    for link in ["role", "association"] {
        assert!(
            all.iter().any(|(l, s, m)| l == link
                && s == "unknown"
                && m.iter().any(|m| m.contains("credentials"))),
            "some {link} link is unknown for want of credentials:\n{}",
            run.explain()
        );
    }
    assert!(
        all.iter()
            .any(|(l, s, _)| l == "service-account" && s == "ok"),
        "the Kubernetes links are judged"
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn expired_aws_credentials_at_sts_alone_leave_the_rest_of_aws_read() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    env.sts.fail_unknown_callers(
        403,
        "ExpiredToken",
        "The security token included in the request is expired",
    );
    let run = env.run(DOCTOR);
    // IAM and EKS answered: basic's broken search workload is found broken anyway.
    assert_eq!(run.code, Some(1), "{}", run.explain());
    let notes = run.json()["notes"].to_string();
    assert!(
        notes.contains("STS could not be read") && notes.contains("is expired"),
        "the note names STS and says why, in its words: {notes}"
    );
}

#[test]
fn invalid_aws_credentials_at_iam_leave_a_report_of_what_was_read() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "basic");
    let iam = env.serve_error(
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    );
    env.env.push(("AWS_ENDPOINT_URL_IAM".into(), iam));
    let run = env.run(DOCTOR);
    assert_eq!(run.code, Some(3), "{}", run.explain());
    let report = run.json();
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("IAM could not be read") && notes.contains("is invalid"),
        "IAM's words: {notes}"
    );
    let roles: Vec<_> = links(&report)
        .into_iter()
        .filter(|(l, _, _)| l == "role")
        .collect();
    assert!(!roles.is_empty());
    for (_, status, messages) in roles {
        assert_eq!(status, "unknown", "{messages:?}");
        assert!(
            messages
                .iter()
                .any(|m| m.contains("could not be read: AWS credentials")),
            "{messages:?}"
        );
    }
}

#[test]
fn without_aws_credentials_the_kubernetes_links_are_still_judged() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "basic");
    env.env.push(("AWS_ACCESS_KEY_ID".into(), String::new()));
    env.env
        .push(("AWS_SECRET_ACCESS_KEY".into(), String::new()));
    let run = env.run(DOCTOR);
    assert_kubernetes_only_report(&run, "");
    let text = env.run(&["doctor", "-A"]);
    assert_eq!(text.code, Some(3), "{}", text.explain());
    assert!(
        text.stdout
            .contains("AWS credentials are missing, invalid or expired"),
        "the text report says why AWS is unknown:\n{}",
        text.stdout
    );
}

#[test]
fn unreachable_aws_is_one_clear_error() {
    let moto = Moto::acquire_blocking();
    let mut env = LiveEnv::start(&moto, "basic");
    let nowhere = format!("http://{}", closed_port());
    for service in ["IAM", "EKS", "STS"] {
        env.env
            .push((format!("AWS_ENDPOINT_URL_{service}"), nowhere.clone()));
    }
    let run = env.run(DOCTOR);
    assert_one_clear_error(&run, "error: cannot reach AWS");
    assert!(run.stderr.contains("Connection refused"), "{}", run.stderr);
}
