//! The AWS harness's moto, tested: it starts quickly and resets, a fixture bundle seeds it and
//! reads back unchanged through aws-sdk-iam (GetRole, policies, the OIDC provider,
//! GetAccountAuthorizationDetails), and `aws_env` points a subprocess at the endpoints. Every
//! scenario seeding moto is in `aws_moto_scenarios.rs`; the fakes for what moto lacks are in
//! `aws_fake_eks.rs`, `aws_fake_sts.rs` and `aws_iam_front.rs`.
//!
//! Needs moto: run through `./scripts/test.sh`, or after `scripts/moto.sh install` (the tests
//! then start moto themselves).

#[path = "support/aws_fixtures.rs"]
mod aws_fixtures;
#[path = "support/fake_aws/mod.rs"]
mod fake_aws;

use std::time::Instant;

use aws_fixtures::*;
use aws_sdk_iam::error::ProvideErrorMetadata;
use fake_aws::*;
use serde_json::Value;

#[tokio::test]
async fn moto_starts_quickly_and_resets() {
    let started = Instant::now();
    let url = moto_url();
    let first_contact = started.elapsed();
    if let Some(startup) = moto_startup_time() {
        eprintln!("moto started by this test process in {startup:?}");
    } else {
        eprintln!("moto already running at {url} (found in {first_contact:?})");
    }

    let moto = Moto::acquire().await;
    let reset_started = Instant::now();
    moto.reset().await;
    let reset_took = reset_started.elapsed();
    eprintln!("reset of an empty moto took {reset_took:?}");

    let config = sdk_config(&[("iam", moto.url())]).await;
    let iam = aws_sdk_iam::Client::new(&config);
    let trust = r#"{"Version":"2012-10-17","Statement":[]}"#;
    iam.create_role()
        .role_name("survives-no-reset")
        .assume_role_policy_document(trust)
        .send()
        .await
        .expect("CreateRole in moto");
    let role = iam
        .get_role()
        .role_name("survives-no-reset")
        .send()
        .await
        .unwrap();
    assert_eq!(
        role.role().unwrap().arn(),
        "arn:aws:iam::123456789012:role/survives-no-reset",
        "static test credentials act in moto's default account"
    );

    moto.reset().await;
    let err = iam
        .get_role()
        .role_name("survives-no-reset")
        .send()
        .await
        .expect_err("reset clears IAM");
    assert_eq!(err.as_service_error().unwrap().code(), Some("NoSuchEntity"));

    // AWS managed policies exist because moto.sh starts moto with
    // MOTO_IAM_LOAD_MANAGED_POLICIES=true, and they come back after a reset.
    let managed = iam
        .get_policy()
        .policy_arn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
        .send()
        .await
        .expect("AWS managed policies are loaded");
    assert_eq!(
        managed.policy().unwrap().policy_name(),
        Some("AmazonS3ReadOnlyAccess")
    );
}

#[tokio::test]
async fn seeding_the_basic_bundle_reads_back_the_same() {
    let snapshot = load_scenario("basic");
    let moto = Moto::acquire().await;
    let started = Instant::now();
    let seeded = seed_moto(moto.url(), &snapshot).await.expect("seed");
    eprintln!(
        "seeded basic in {:?}: {:?}",
        started.elapsed(),
        seeded.counts
    );
    assert!(seeded.notes.is_empty(), "{:#?}", seeded.notes);
    assert_eq!(
        seeded.accounts.keys().collect::<Vec<_>>(),
        vec![BASIC_ACCOUNT]
    );
    let access = seeded.account(BASIC_ACCOUNT);
    assert_eq!(access.region, "eu-west-1", "the cluster's region");

    let iam = seeded.iam_client(BASIC_ACCOUNT, moto.url()).await;
    let iam_facts = &snapshot.aws.iam;
    assert_eq!(iam_facts.roles.len(), 3);
    for role in iam_facts.roles.values() {
        let got = iam
            .get_role()
            .role_name(&role.name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetRole {}: {e:?}", role.name));
        let got = got.role().unwrap();
        assert_eq!(got.arn(), role.arn);
        assert_eq!(got.path(), role.path);
        let got_trust = got.assume_role_policy_document().unwrap();
        // moto, like IAM, returns GetRole's document URL-encoded.
        assert!(got_trust.starts_with("%7B"), "{got_trust}");
        let want_trust = decoded(role.trust_policy.as_ref().unwrap());
        assert_eq!(
            kubectl_irsa::policy::decode_document(got_trust).unwrap(),
            want_trust,
            "the exact trust text survives the round trip"
        );

        let attached = iam
            .list_attached_role_policies()
            .role_name(&role.name)
            .send()
            .await
            .unwrap();
        let got_attached: Vec<(String, String)> = attached
            .attached_policies()
            .iter()
            .map(|p| {
                (
                    p.policy_name().unwrap().to_string(),
                    p.policy_arn().unwrap().to_string(),
                )
            })
            .collect();
        let want_attached: Vec<(String, String)> = role
            .attached_policies
            .known()
            .unwrap()
            .iter()
            .map(|p| (p.name.clone(), p.arn.clone()))
            .collect();
        assert_eq!(got_attached, want_attached, "{}", role.name);

        let inline = role.inline_policies.known().unwrap();
        let names = iam
            .list_role_policies()
            .role_name(&role.name)
            .send()
            .await
            .unwrap();
        assert_eq!(names.policy_names().len(), inline.len());
        for policy in inline {
            let got = iam
                .get_role_policy()
                .role_name(&role.name)
                .policy_name(&policy.name)
                .send()
                .await
                .unwrap();
            assert!(got.policy_document().starts_with("%7B"));
            assert_eq!(json_of(got.policy_document()), json_of(&policy.document.0));
        }
    }

    // The OIDC provider, with its audience list and thumbprints.
    let provider = iam_facts.oidc_providers.values().next().unwrap();
    let got = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&provider.arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.client_id_list(), ["sts.amazonaws.com"]);
    assert_eq!(
        got.client_id_list(),
        provider.client_ids.as_deref().unwrap()
    );
    assert_eq!(got.thumbprint_list(), provider.thumbprints.as_slice());
    assert_eq!(got.url(), Some(provider.url.as_str()));
    let listed = iam.list_open_id_connect_providers().send().await.unwrap();
    assert_eq!(listed.open_id_connect_provider_list().len(), 1);

    // The managed policy keeps its default version id (v2) and document.
    let policy = iam_facts.managed_policies.values().next().unwrap();
    let got = iam
        .get_policy()
        .policy_arn(&policy.arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.policy().unwrap().default_version_id(), Some("v2"));
    let version = iam
        .get_policy_version()
        .policy_arn(&policy.arn)
        .version_id("v2")
        .send()
        .await
        .unwrap();
    let doc = version.policy_version().unwrap().document().unwrap();
    // moto returns GetPolicyVersion's document as raw JSON (real IAM URL-encodes it).
    assert!(doc.starts_with('{'), "{doc}");
    assert_eq!(
        doc,
        decoded(policy.default_document.as_ref().unwrap()),
        "exact text"
    );
}

#[tokio::test]
async fn account_authorization_details_return_the_seeded_bundle() {
    let snapshot = load_scenario("basic");
    let moto = Moto::acquire().await;
    let seeded = seed_moto(moto.url(), &snapshot).await.expect("seed");
    let iam = seeded.iam_client(BASIC_ACCOUNT, moto.url()).await;
    let details = iam
        .get_account_authorization_details()
        .filter(aws_sdk_iam::types::EntityType::Role)
        .filter(aws_sdk_iam::types::EntityType::LocalManagedPolicy)
        .send()
        .await
        .unwrap();
    assert!(!details.is_truncated());
    let roles = details.role_detail_list();
    assert_eq!(roles.len(), snapshot.aws.iam.roles.len());
    for want in snapshot.aws.iam.roles.values() {
        let got = roles
            .iter()
            .find(|r| r.arn() == Some(want.arn.as_str()))
            .unwrap_or_else(|| panic!("{} missing", want.arn));
        let trust = got.assume_role_policy_document().unwrap();
        // Raw JSON here (real IAM URL-encodes): decoding must leave it intact.
        assert!(trust.starts_with('{'), "{trust}");
        assert_eq!(
            json_of(trust),
            json_of(&want.trust_policy.as_ref().unwrap().0)
        );
        let attached: Vec<&str> = got
            .attached_managed_policies()
            .iter()
            .filter_map(|p| p.policy_arn())
            .collect();
        let want_attached: Vec<&str> = want
            .attached_policies
            .known()
            .unwrap()
            .iter()
            .map(|p| p.arn.as_str())
            .collect();
        assert_eq!(attached, want_attached);
        let inline: Vec<(&str, Value)> = got
            .role_policy_list()
            .iter()
            .map(|p| {
                (
                    p.policy_name().unwrap(),
                    json_of(p.policy_document().unwrap()),
                )
            })
            .collect();
        let want_inline: Vec<(&str, Value)> = want
            .inline_policies
            .known()
            .unwrap()
            .iter()
            .map(|p| (p.name.as_str(), json_of(&p.document.0)))
            .collect();
        assert_eq!(inline, want_inline);
    }
    let policies = details.policies();
    assert_eq!(policies.len(), 1);
    let want = snapshot.aws.iam.managed_policies.values().next().unwrap();
    let got = &policies[0];
    assert_eq!(got.arn(), Some(want.arn.as_str()));
    assert_eq!(got.default_version_id(), Some("v2"));
    let default = got
        .policy_version_list()
        .iter()
        .find(|v| v.is_default_version())
        .unwrap();
    assert_eq!(
        json_of(default.document().unwrap()),
        json_of(&want.default_document.as_ref().unwrap().0)
    );
}

#[test]
fn aws_env_names_the_service_endpoints() {
    let env = aws_env(
        "eu-west-1",
        &[("iam", "http://127.0.0.1:1"), ("eks", "http://127.0.0.1:2")],
    );
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("AWS_ENDPOINT_URL_IAM"), Some("http://127.0.0.1:1"));
    assert_eq!(get("AWS_ENDPOINT_URL_EKS"), Some("http://127.0.0.1:2"));
    assert_eq!(get("AWS_REGION"), Some("eu-west-1"));
    assert_eq!(get("AWS_ENDPOINT_URL_STS"), None);
}
