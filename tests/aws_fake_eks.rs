//! `FakeEks`, tested through aws-sdk-eks: it serves a fixture bundle's cluster, pod identity
//! associations and add-on; filters, pages and writes associations; maps its errors (not found,
//! denied, throttled) to the SDK's errors and retries; and adds latency per request.

#[path = "support/aws_fixtures.rs"]
mod aws_fixtures;
#[path = "support/fake_aws/mod.rs"]
mod fake_aws;

use std::time::{Duration, Instant};

use aws_fixtures::*;
use aws_sdk_eks::error::ProvideErrorMetadata;
use fake_aws::*;
use kubectl_irsa::model::Fact;

async fn eks_client(eks: &FakeEks) -> aws_sdk_eks::Client {
    let config = sdk_config_with("eu-west-1", test_credentials(), &[("eks", eks.url())]).await;
    aws_sdk_eks::Client::new(&config)
}

#[tokio::test]
async fn fake_eks_serves_the_bundle_through_the_sdk() {
    let snapshot = load_scenario("basic");
    let eks = FakeEks::from_snapshot(&snapshot);
    let client = eks_client(&eks).await;
    let want = snapshot.aws.cluster.known().unwrap();

    let clusters = client.list_clusters().send().await.unwrap();
    assert_eq!(clusters.clusters(), ["shop-prod"]);

    let cluster = client
        .describe_cluster()
        .name("shop-prod")
        .send()
        .await
        .unwrap();
    let cluster = cluster.cluster().unwrap();
    assert_eq!(cluster.arn(), Some(want.arn.as_str()));
    assert_eq!(cluster.endpoint(), want.endpoint.as_deref());
    assert_eq!(
        cluster
            .identity()
            .and_then(|i| i.oidc())
            .and_then(|o| o.issuer()),
        Some(BASIC_ISSUER)
    );
    assert_eq!(cluster.version(), Some("1.31"));
    assert_eq!(cluster.platform_version(), Some("eks.12"));
    assert_eq!(
        cluster.status(),
        Some(&aws_sdk_eks::types::ClusterStatus::Active)
    );

    let listed = client
        .list_pod_identity_associations()
        .cluster_name("shop-prod")
        .send()
        .await
        .unwrap();
    let summaries = listed.associations();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].namespace(), Some("shop"));
    assert_eq!(summaries[0].service_account(), Some("payments"));
    assert_eq!(summaries[0].association_id(), Some("a-00000000000000001"));
    assert!(listed.next_token().is_none());

    let described = client
        .describe_pod_identity_association()
        .cluster_name("shop-prod")
        .association_id("a-00000000000000001")
        .send()
        .await
        .unwrap();
    let assoc = described.association().unwrap();
    assert_eq!(
        assoc.role_arn(),
        Some("arn:aws:iam::210987654321:role/payments-pod-identity")
    );
    assert_eq!(assoc.disable_session_tags(), Some(false));
    assert_eq!(
        assoc.created_at().map(|t| t.secs()),
        Some(
            "2026-11-01T09:00:00+00:00"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_second()
        )
    );

    let addon = client
        .describe_addon()
        .cluster_name("shop-prod")
        .addon_name("eks-pod-identity-agent")
        .send()
        .await
        .unwrap();
    let addon = addon.addon().unwrap();
    assert_eq!(
        addon.status(),
        Some(&aws_sdk_eks::types::AddonStatus::Active)
    );
    assert_eq!(addon.addon_version(), Some("v1.3.4-eksbuild.1"));
    let addons = client
        .list_addons()
        .cluster_name("shop-prod")
        .send()
        .await
        .unwrap();
    assert_eq!(addons.addons(), ["eks-pod-identity-agent"]);

    assert_eq!(eks.count("DescribeCluster"), 1);
    assert!(eks.writes().is_empty());
}

#[tokio::test]
async fn fake_eks_filters_and_pages_associations_and_writes() {
    let snapshot = load_scenario("basic");
    let eks = FakeEks::from_snapshot(&snapshot);
    let client = eks_client(&eks).await;

    for sa in ["a", "b", "c"] {
        client
            .create_pod_identity_association()
            .cluster_name("shop-prod")
            .namespace("batch")
            .service_account(sa)
            .role_arn("arn:aws:iam::210987654321:role/batch")
            .send()
            .await
            .unwrap();
    }
    let dup = client
        .create_pod_identity_association()
        .cluster_name("shop-prod")
        .namespace("batch")
        .service_account("a")
        .role_arn("arn:aws:iam::210987654321:role/other")
        .send()
        .await
        .expect_err("duplicate");
    assert!(
        matches!(
            dup.as_service_error(),
            Some(aws_sdk_eks::operation::create_pod_identity_association::CreatePodIdentityAssociationError::ResourceInUseException(_))
        ),
        "{dup:?}"
    );
    assert!(
        dup.message()
            .unwrap()
            .starts_with("Association already exists")
    );

    // Paging with maxResults and nextToken, filtered by namespace, through the SDK paginator.
    let pages: Vec<_> = client
        .list_pod_identity_associations()
        .cluster_name("shop-prod")
        .namespace("batch")
        .max_results(2)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(pages.len(), 2);
    let sas: Vec<String> = pages
        .iter()
        .flat_map(|p| p.as_ref().unwrap().associations())
        .map(|a| a.service_account().unwrap().to_string())
        .collect();
    assert_eq!(sas, ["a", "b", "c"]);
    let by_sa = client
        .list_pod_identity_associations()
        .cluster_name("shop-prod")
        .namespace("shop")
        .service_account("payments")
        .send()
        .await
        .unwrap();
    assert_eq!(by_sa.associations().len(), 1);

    let id = eks
        .associations("shop-prod")
        .iter()
        .find(|a| a.service_account == "b")
        .unwrap()
        .association_id
        .clone();
    client
        .delete_pod_identity_association()
        .cluster_name("shop-prod")
        .association_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(eks.associations("shop-prod").len(), 3);
    let writes: Vec<String> = eks.writes().iter().map(|r| r.operation.clone()).collect();
    assert_eq!(
        writes,
        [
            "CreatePodIdentityAssociation",
            "CreatePodIdentityAssociation",
            "CreatePodIdentityAssociation",
            "CreatePodIdentityAssociation",
            "DeletePodIdentityAssociation"
        ]
    );
}

#[tokio::test]
async fn fake_eks_errors_map_to_sdk_errors() {
    let snapshot = load_scenario("basic");
    let eks = FakeEks::from_snapshot(&snapshot);
    let client = eks_client(&eks).await;

    // Not installed: ResourceNotFoundException, the SDK's modeled error.
    eks.remove_addon("shop-prod", "eks-pod-identity-agent");
    let err = client
        .describe_addon()
        .cluster_name("shop-prod")
        .addon_name("eks-pod-identity-agent")
        .send()
        .await
        .expect_err("no add-on");
    let service = err.as_service_error().expect("a service error");
    assert!(service.is_resource_not_found_exception(), "{err:?}");
    assert_eq!(
        service.message(),
        Some("No addon: eks-pod-identity-agent found in cluster: shop-prod")
    );

    let err = client
        .describe_cluster()
        .name("nope")
        .send()
        .await
        .expect_err("no cluster");
    assert!(
        err.as_service_error()
            .unwrap()
            .is_resource_not_found_exception()
    );

    // Denied: AccessDeniedException (not modeled by these operations, so the code is what
    // callers match on), HTTP 403, and not retried.
    eks.deny("ListPodIdentityAssociations");
    let err = client
        .list_pod_identity_associations()
        .cluster_name("shop-prod")
        .send()
        .await
        .expect_err("denied");
    assert_eq!(err.code(), Some("AccessDeniedException"));
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(403));
    assert!(
        err.message()
            .unwrap()
            .contains("is not authorized to perform: eks:ListPodIdentityAssociations")
    );
    assert_eq!(eks.count("ListPodIdentityAssociations"), 1);

    // Throttled twice: the SDK's standard retry gets through on the third attempt.
    eks.clear_requests();
    eks.throttle(2);
    let started = Instant::now();
    let ok = client.describe_cluster().name("shop-prod").send().await;
    assert!(ok.is_ok(), "{ok:?}");
    eprintln!("two throttles retried in {:?}", started.elapsed());
    let attempts: Vec<Option<String>> = eks
        .requests()
        .iter()
        .filter(|r| r.operation == "DescribeCluster")
        .map(|r| r.error_code.clone())
        .collect();
    assert_eq!(
        attempts,
        [
            Some("ThrottlingException".to_string()),
            Some("ThrottlingException".to_string()),
            None
        ]
    );

    // Throttled longer than the retry budget: the throttling error surfaces.
    eks.throttle_operation("DescribeAddon", 10);
    let err = client
        .describe_addon()
        .cluster_name("shop-prod")
        .addon_name("eks-pod-identity-agent")
        .send()
        .await
        .expect_err("still throttled");
    assert_eq!(err.code(), Some("ThrottlingException"));
    assert_eq!(eks.count("DescribeAddon"), 3, "3 attempts");

    // A snapshot whose associations were denied reproduces the denial live.
    let denied = load_scenario("associations-access-denied");
    let eks = FakeEks::from_snapshot(&denied);
    let client = eks_client(&eks).await;
    let cluster = denied.aws.cluster.known().unwrap().name.clone();
    let err = client
        .list_pod_identity_associations()
        .cluster_name(&cluster)
        .send()
        .await
        .expect_err("denied as in the bundle");
    assert_eq!(err.code(), Some("AccessDeniedException"));
    let Fact::Missing(kubectl_irsa::model::Missing::Denied { message, .. }) =
        &denied.aws.associations
    else {
        panic!("the scenario records a denial")
    };
    assert_eq!(err.message(), Some(message.as_str()));
}

#[tokio::test]
async fn fake_eks_latency_is_injected_per_request() {
    let eks = FakeEks::from_snapshot(&load_scenario("basic"));
    let client = eks_client(&eks).await;
    eks.set_latency(Duration::from_millis(100));
    let started = Instant::now();
    let (a, b, c) = tokio::join!(
        client.describe_cluster().name("shop-prod").send(),
        client
            .list_pod_identity_associations()
            .cluster_name("shop-prod")
            .send(),
        client.list_addons().cluster_name("shop-prod").send(),
    );
    let took = started.elapsed();
    assert!(a.is_ok() && b.is_ok() && c.is_ok());
    // A lower bound only: the injected delay is a sleep, so this cannot flake.
    assert!(took >= Duration::from_millis(100), "{took:?}");
}

/// Requests are served concurrently: a request answers while another is still held back. An
/// ordering, not a timing: served one after another, the held request would answer first.
#[tokio::test]
async fn fake_eks_serves_requests_concurrently() {
    let eks = FakeEks::from_snapshot(&load_scenario("basic"));
    let client = eks_client(&eks).await;
    eks.set_operation_latency("DescribeCluster", Duration::from_secs(600));
    let held = client.describe_cluster().name("shop-prod").send();
    let quick = async {
        // Sent once the held request is on its way (the fake logs a request only when it
        // answers). Should the held one not have arrived yet, the test passes without proving
        // anything, never fails falsely.
        tokio::time::sleep(Duration::from_millis(300)).await;
        client
            .list_pod_identity_associations()
            .cluster_name("shop-prod")
            .send()
            .await
    };
    tokio::select! {
        biased;
        listed = quick => assert!(listed.is_ok(), "{listed:?}"),
        _ = held => panic!("the held DescribeCluster answered first: requests were served one after another"),
    }
}
