//! The request logs of a live run (issue 3, "Done when"): on a cluster with many workloads
//! sharing roles, policies and associations, each distinct AWS object is fetched once, and
//! nothing is written anywhere (no Kubernetes write or TokenRequest, no IAM or EKS write).
//! Both IAM strategies are covered: per-role calls (`-n NS`) and the account scan (`-A`).
//! The counts per API are printed (`--nocapture`), the number of sequential round trips is not
//! asserted.
//!
//! Also: a role ARN of another account is never looked up by name in the caller's account.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use std::collections::BTreeMap;

use kubectl_irsa::model::aws::AttachedPolicy;
use kubectl_irsa::model::{Fact, Snapshot};
use serde_json::{Value, json};
use support::fake_aws::Moto;
use support::live_env::{LiveEnv, load};

const S3_READ_ONLY: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const CUSTOMER_POLICY: &str = "arn:aws:iam::210987654321:policy/checkout-s3-read";
const PAYMENTS_ROLE: &str = "arn:aws:iam::210987654321:role/payments-pod-identity";

/// The basic scenario with an AWS managed policy attached to both IRSA roles (which already
/// share a customer managed policy).
fn basic_with_shared_policies() -> Snapshot {
    let mut snapshot = load("basic");
    for name in ["checkout-irsa", "search-irsa"] {
        let role = snapshot
            .aws
            .iam
            .roles
            .values_mut()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("basic has role {name}"));
        if let Fact::Known(list) = &mut role.attached_policies {
            list.push(AttachedPolicy {
                name: "AmazonS3ReadOnlyAccess".into(),
                arn: S3_READ_ONLY.into(),
            });
        }
    }
    snapshot
}

/// A bare pod (its own workload) copied from `from`, named `name`, running as `sa`.
fn clone_pod(env: &LiveEnv, from: &str, name: &str, sa: &str) {
    let mut pod = env
        .kube
        .object("v1", "Pod", Some("shop"), from)
        .unwrap_or_else(|| panic!("basic has pod {from}"));
    let meta = &mut pod["metadata"];
    meta["name"] = json!(name);
    meta["uid"] = json!(format!("uid-{name}"));
    if let Some(m) = meta.as_object_mut() {
        m.remove("ownerReferences");
        m.remove("resourceVersion");
    }
    pod["spec"]["serviceAccountName"] = json!(sa);
    pod["spec"]["serviceAccount"] = json!(sa);
    env.kube.insert(pod);
}

/// Eight more workloads over the same three roles, and a second service account with its own
/// pod identity association to the same role.
fn add_workloads(env: &LiveEnv) {
    for (i, (from, sa)) in [
        ("checkout-7d9c8b6f5-ax0q", "checkout"),
        ("checkout-7d9c8b6f5-ax0q", "checkout"),
        ("checkout-7d9c8b6f5-ax0q", "checkout"),
        ("search-7d9c8b6f5-ax0q", "search"),
        ("search-7d9c8b6f5-ax0q", "search"),
        ("payments-7d9c8b6f5-ax0q", "payments"),
        ("payments-7d9c8b6f5-ax0q", "payments"),
        ("payments-7d9c8b6f5-ax0q", "payments-batch"),
    ]
    .iter()
    .enumerate()
    {
        clone_pod(env, from, &format!("extra-{i}"), sa);
    }
    let mut sa = env
        .kube
        .object("v1", "ServiceAccount", Some("shop"), "payments")
        .unwrap_or_else(|| panic!("basic has service account payments"));
    sa["metadata"]["name"] = json!("payments-batch");
    sa["metadata"]["uid"] = json!("uid-payments-batch");
    env.kube.insert(sa);
    let mut association = env
        .snapshot
        .aws
        .associations
        .known()
        .and_then(|a| a.first().cloned())
        .unwrap_or_else(|| panic!("basic has an association"));
    association.service_account = "payments-batch".into();
    association.association_id = "a-00000000000000002".into();
    association.association_arn = association
        .association_arn
        .map(|a| a.replace("a-00000000000000001", "a-00000000000000002"));
    env.eks.add_association(association);
}

/// How many times each key was asked for.
fn tally<T>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> String,
) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for item in items {
        *out.entry(key(&item)).or_insert(0) += 1;
    }
    out
}

fn all_once(what: &str, counts: &BTreeMap<String, usize>) {
    assert!(
        counts.values().all(|n| *n == 1),
        "{what}: each distinct object once, got {counts:?}"
    );
}

/// What every live doctor run must leave behind: reads only, every distinct object once.
fn assert_read_only_and_deduplicated(env: &LiveEnv, label: &str) {
    let kube_writes: Vec<String> = env.kube.writes().iter().map(|r| r.line()).collect();
    assert!(
        kube_writes.is_empty(),
        "{label}: Kubernetes writes {kube_writes:?}"
    );
    assert!(
        env.kube.token_requests().is_empty(),
        "{label}: doctor without --prove requests no token"
    );
    let kube_lists = tally(env.kube.requests(), |r| r.line());
    all_once(&format!("{label}: Kubernetes requests"), &kube_lists);
    assert!(
        env.kube.requests().iter().all(|r| r.method == "GET"),
        "{label}: Kubernetes requests are GETs"
    );
    let iam_writes: Vec<String> = env
        .iam
        .writes()
        .iter()
        .map(|r| r.operation.clone())
        .collect();
    assert!(iam_writes.is_empty(), "{label}: IAM writes {iam_writes:?}");
    let eks_writes: Vec<String> = env
        .eks
        .writes()
        .iter()
        .map(|r| r.operation.clone())
        .collect();
    assert!(eks_writes.is_empty(), "{label}: EKS writes {eks_writes:?}");
    let sts: Vec<String> = env
        .sts
        .requests()
        .iter()
        .map(|r| r.action.clone())
        .collect();
    assert_eq!(sts, ["GetCallerIdentity"], "{label}: STS");

    let iam = env.iam.requests();
    let calls = |action: &'static str| iam.iter().filter(move |r| r.operation == action);
    for (action, param) in [
        ("GetRole", "RoleName"),
        ("ListRolePolicies", "RoleName"),
        ("ListAttachedRolePolicies", "RoleName"),
        ("GetPolicy", "PolicyArn"),
        ("GetOpenIDConnectProvider", "OpenIDConnectProviderArn"),
    ] {
        all_once(
            &format!("{label}: {action} by {param}"),
            &env.iam.fetches_by(action, param),
        );
    }
    all_once(
        &format!("{label}: GetPolicyVersion by policy and version"),
        &tally(calls("GetPolicyVersion"), |r| {
            format!("{:?} {:?}", r.param("PolicyArn"), r.param("VersionId"))
        }),
    );
    all_once(
        &format!("{label}: GetRolePolicy by role and name"),
        &tally(calls("GetRolePolicy"), |r| {
            format!("{:?} {:?}", r.param("RoleName"), r.param("PolicyName"))
        }),
    );
    assert_eq!(env.iam.count("ListOpenIDConnectProviders"), 1, "{label}");
    let eks = env.eks.requests();
    all_once(
        &format!("{label}: EKS requests by path"),
        &tally(&eks, |r| format!("{} {}", r.operation, r.path)),
    );
    let errors: Vec<String> = iam
        .iter()
        .chain(eks.iter())
        .filter(|r| {
            // "Not there" is an answer, not a failure.
            !matches!(
                r.error_code.as_deref(),
                None | Some("ResourceNotFoundException" | "NoSuchEntity")
            )
        })
        .map(|r| format!("{} {}: {:?}", r.operation, r.path, r.error_code))
        .collect();
    assert!(
        errors.is_empty(),
        "{label}: no AWS error (other than not found) expected: {errors:?}"
    );
}

fn workload_count(report: &Value) -> usize {
    report["workloads"].as_array().map(Vec::len).unwrap_or(0)
}

#[test]
fn many_workloads_fetch_each_object_once_and_write_nothing() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start_with(&moto, "basic", basic_with_shared_policies());
    add_workloads(&env);

    // -n shop: per-role IAM calls.
    env.clear_requests();
    let run = env.run(&["doctor", "-n", "shop", "-o", "json"]);
    let report = run.json();
    assert_eq!(workload_count(&report), 11, "{}", run.explain());
    eprintln!("-n shop, 11 workloads: {}", env.request_counts());
    assert_read_only_and_deduplicated(&env, "-n shop");
    let roles = env.iam.fetches_by("GetRole", "RoleName");
    assert_eq!(
        roles.keys().collect::<Vec<_>>(),
        ["checkout-irsa", "payments-pod-identity", "search-irsa"],
        "every distinct role"
    );
    let policies = env.iam.fetches_by("GetPolicy", "PolicyArn");
    assert_eq!(
        policies.keys().collect::<Vec<_>>(),
        [CUSTOMER_POLICY, S3_READ_ONLY],
        "every distinct managed policy, each shared by two roles"
    );
    assert_eq!(env.iam.count("GetPolicyVersion"), 2);
    assert_eq!(env.iam.count("GetAccountAuthorizationDetails"), 0);
    assert_eq!(
        env.iam.count("ListRoles"),
        0,
        "ListRoles only when a role is missing"
    );
    let described: Vec<String> = env
        .eks
        .requests()
        .iter()
        .filter(|r| r.operation == "DescribePodIdentityAssociation")
        .map(|r| r.path.rsplit('/').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        described.len(),
        2,
        "each association described once: {described:?}"
    );
    let payments: Vec<&Value> = report["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|w| w["roleArn"] == PAYMENTS_ROLE)
        .collect();
    assert_eq!(
        payments.len(),
        4,
        "the Pod Identity workloads share one role"
    );

    // -A: the account scan, then the AWS managed policy the wanted roles use.
    env.clear_requests();
    let run = env.run(&["doctor", "-A", "-o", "json"]);
    assert!(workload_count(&run.json()) >= 11, "{}", run.explain());
    eprintln!("-A, 11 workloads: {}", env.request_counts());
    assert_read_only_and_deduplicated(&env, "-A");
    assert_eq!(env.iam.count("GetAccountAuthorizationDetails"), 1);
    assert_eq!(env.iam.count("GetRole"), 0, "the scan returned every role");
    assert_eq!(
        env.iam
            .fetches_by("GetPolicy", "PolicyArn")
            .keys()
            .collect::<Vec<_>>(),
        [S3_READ_ONLY],
        "the scan has customer policies; the AWS managed one is fetched once"
    );
    let scan = &env.iam.calls("GetAccountAuthorizationDetails")[0];
    let filters: Vec<&str> = scan
        .params
        .iter()
        .filter(|(k, _)| k.starts_with("Filter.member."))
        .map(|(_, v)| v.as_str())
        .collect();
    assert!(
        !filters.contains(&"AWSManagedPolicy"),
        "every version of every AWS managed policy is not asked for: {filters:?}"
    );

    // The text report and a dump read the same way.
    env.clear_requests();
    let text = env.run(&["doctor", "-A"]);
    assert_eq!(text.code, Some(1), "{}", text.explain());
    assert_read_only_and_deduplicated(&env, "-A, text");
}

/// A role of another account cannot be read with GetRole by name in this one (NoSuchEntity
/// there would wrongly say it does not exist): it is left uncollected, and the role link says
/// where to look.
#[test]
fn a_role_of_another_account_is_not_looked_up_here() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "oidc-provider-cross-account");
    let run = env.run(&["doctor", "-n", "analytics", "-o", "json"]);
    let report = run.json();
    assert_eq!(run.code, Some(3), "{}", run.explain());
    let role_link = report["workloads"][0]["links"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["link"] == "role"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(role_link["status"], "unknown", "{role_link}");
    let finding = &role_link["findings"][0];
    assert_eq!(finding["code"], "ROLE_NOT_COLLECTED");
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("in account 777788889999")),
        "{finding}"
    );
    assert_eq!(env.iam.count("GetRole"), 0, "{}", env.request_counts());
    assert_read_only_and_deduplicated(&env, "cross-account");
}

/// A targeted run (issue 10, "one workload at the round-trip limit") reads its own service
/// account's role whole; the namespace's other roles only when its service account names no
/// role (then their trust says which role was meant for it), with GetRole alone. It reports
/// the target exactly as the namespace-wide run does.
#[test]
fn a_targeted_run_reads_only_its_own_roles_permissions() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "basic");
    let whole = env.run(&["doctor", "-n", "shop", "-o", "json"]).json();
    let of = |report: &Value, sa: &str| -> Vec<Value> {
        report["workloads"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|w| w["serviceAccount"] == sa)
            .cloned()
            .collect()
    };
    let every_role = ["checkout-irsa", "payments-pod-identity", "search-irsa"];
    for (sa, role, trusts_read) in [
        // Annotated: its role is all there is to read.
        ("checkout", "checkout-irsa", &["checkout-irsa"][..]),
        // Pod Identity, no annotation: the other roles' trust may say what was meant.
        ("payments", "payments-pod-identity", &every_role[..]),
    ] {
        env.clear_requests();
        let run = env.run(&["doctor", &format!("sa/{sa}"), "-n", "shop", "-o", "json"]);
        let report = run.json();
        assert!(!of(&report, sa).is_empty(), "{}", run.explain());
        assert_eq!(of(&report, sa), of(&whole, sa), "sa/{sa}: same verdicts");
        eprintln!("sa/{sa}: {}", env.request_counts());
        assert_read_only_and_deduplicated(&env, &format!("sa/{sa}"));
        for listing in ["ListRolePolicies", "ListAttachedRolePolicies"] {
            assert_eq!(
                env.iam
                    .fetches_by(listing, "RoleName")
                    .keys()
                    .collect::<Vec<_>>(),
                [role],
                "sa/{sa}: {listing} for the target's role alone"
            );
        }
        assert_eq!(
            env.iam
                .fetches_by("GetRole", "RoleName")
                .keys()
                .collect::<Vec<_>>(),
            trusts_read,
            "sa/{sa}: the roles whose trust can matter"
        );
    }
}
