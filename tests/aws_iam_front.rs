//! `FakeIamFront`, tested through aws-sdk-iam: IAM requests are forwarded to moto in the seeded
//! account, SimulatePrincipalPolicy answers scripted decisions, denials and throttling are
//! injected, and the per-Action request log counts what was fetched.
//!
//! Needs moto: run through `./scripts/test.sh`, or after `scripts/moto.sh install` (the tests
//! then start moto themselves).

#[path = "support/aws_fixtures.rs"]
mod aws_fixtures;
#[path = "support/fake_aws/mod.rs"]
mod fake_aws;

use aws_fixtures::*;
use aws_sdk_iam::error::ProvideErrorMetadata;
use fake_aws::*;

#[tokio::test]
async fn iam_front_proxies_to_moto_and_answers_simulate() {
    let snapshot = load_scenario("basic");
    let moto = Moto::acquire().await;
    let seeded = seed_moto(moto.url(), &snapshot).await.expect("seed");
    let front = FakeIamFront::new(moto.url());
    // A plain client, as the product's: static credentials, the front as IAM endpoint, and the
    // front selecting the seeded account in moto.
    front.set_account(Some(BASIC_ACCOUNT));
    let region = &seeded.account(BASIC_ACCOUNT).region;
    let config = sdk_config_with(region, test_credentials(), &[("iam", front.url())]).await;
    let iam = aws_sdk_iam::Client::new(&config);

    // Forwarded unchanged: moto answers, in the seeded account.
    let role = iam
        .get_role()
        .role_name("checkout-irsa")
        .send()
        .await
        .unwrap();
    assert_eq!(
        role.role().unwrap().arn(),
        "arn:aws:iam::210987654321:role/checkout-irsa"
    );
    let missing = iam
        .get_role()
        .role_name("nope")
        .send()
        .await
        .expect_err("moto's NoSuchEntity passes through");
    assert!(
        missing
            .as_service_error()
            .unwrap()
            .is_no_such_entity_exception()
    );
    let paged = iam.list_roles().max_items(2).send().await.unwrap();
    assert_eq!(paged.roles().len(), 2);
    assert!(paged.is_truncated());

    // SimulatePrincipalPolicy: scripted decisions in the real shape.
    let principal = "arn:aws:iam::210987654321:role/checkout-irsa";
    front.simulate(
        "s3:GetObject",
        "arn:aws:s3:::shop-assets/*",
        EvalDecision::Allowed,
    );
    front.simulate_for(principal, "s3:PutObject", "*", EvalDecision::ExplicitDeny);
    let sim = iam
        .simulate_principal_policy()
        .policy_source_arn(principal)
        .action_names("s3:GetObject")
        .action_names("s3:PutObject")
        .action_names("sqs:SendMessage")
        .resource_arns("arn:aws:s3:::shop-assets/*")
        .send()
        .await
        .unwrap();
    let decisions: Vec<(&str, &str, &str)> = sim
        .evaluation_results()
        .iter()
        .map(|r| {
            (
                r.eval_action_name(),
                r.eval_resource_name().unwrap(),
                r.eval_decision().as_str(),
            )
        })
        .collect();
    assert_eq!(
        decisions,
        [
            ("s3:GetObject", "arn:aws:s3:::shop-assets/*", "allowed"),
            ("s3:PutObject", "arn:aws:s3:::shop-assets/*", "explicitDeny"),
            (
                "sqs:SendMessage",
                "arn:aws:s3:::shop-assets/*",
                "implicitDeny"
            ),
        ]
    );
    assert!(!sim.is_truncated());

    // Denied: the caller lacks iam:GetAccountAuthorizationDetails.
    front.deny("GetAccountAuthorizationDetails");
    let err = iam
        .get_account_authorization_details()
        .send()
        .await
        .expect_err("denied");
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(
        err.message()
            .unwrap()
            .contains("iam:GetAccountAuthorizationDetails")
    );

    // Throttled once: retried by the SDK and forwarded the second time.
    front.throttle(1);
    let ok = iam
        .get_role()
        .role_name("search-irsa")
        .send()
        .await
        .expect("retried after Throttling");
    assert_eq!(ok.role().unwrap().role_name(), "search-irsa");

    // The per-Action log.
    let counts = front.counts();
    assert_eq!(counts.get("GetRole"), Some(&4));
    assert_eq!(counts.get("SimulatePrincipalPolicy"), Some(&1));
    assert_eq!(counts.get("GetAccountAuthorizationDetails"), Some(&1));
    let by_name = front.fetches_by("GetRole", "RoleName");
    assert_eq!(by_name.get("checkout-irsa"), Some(&1));
    assert_eq!(by_name.get("search-irsa"), Some(&2), "throttled + retried");
    assert!(front.writes().is_empty(), "{:?}", front.writes());
    let throttled = front
        .calls("GetRole")
        .iter()
        .filter(|r| r.error_code.as_deref() == Some("Throttling"))
        .count();
    assert_eq!(throttled, 1);
    assert_eq!(
        front.calls("GetRole")[1].error_code.as_deref(),
        Some("NoSuchEntity")
    );
}
