//! The AWS side of the test harness, tested: moto starts and resets, fixture bundles seed it
//! and read back unchanged through aws-sdk-iam, and the fakes for what moto lacks (EKS pod
//! identity and add-ons, STS failure classes, SimulatePrincipalPolicy) speak the protocols the
//! SDK expects, errors and retries included.
//!
//! Needs moto: run through `./scripts/test.sh`, or after `scripts/moto.sh install` (the tests
//! then start moto themselves).

#[path = "support/fake_aws/mod.rs"]
mod fake_aws;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aws_sdk_eks::error::ProvideErrorMetadata;
use base64::Engine as _;
use fake_aws::*;
use kubectl_irsa::model::aws::PolicyText;
use kubectl_irsa::model::{Fact, Snapshot};
use kubectl_irsa::sources::bundle::load_dirs;
use serde_json::Value;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios")
}

fn load_scenario(name: &str) -> Snapshot {
    let dir = scenarios_dir().join(name).join("bundle");
    load_dirs(&[dir]).unwrap_or_else(|e| panic!("scenario {name}: {e}"))
}

/// A policy document as JSON, whatever form the source returned it in.
fn json_of(text: &str) -> Value {
    let decoded = kubectl_irsa::policy::decode_document(text).expect("decodable document");
    serde_json::from_str(&decoded).unwrap_or_else(|e| panic!("not JSON ({e}): {decoded}"))
}

fn decoded(text: &PolicyText) -> String {
    kubectl_irsa::policy::decode_document(&text.0)
        .expect("decodable")
        .into_owned()
}

const BASIC_ACCOUNT: &str = "210987654321";
const BASIC_ISSUER: &str =
    "https://oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9";

#[tokio::test]
async fn moto_starts_quickly_and_resets() {
    let started = Instant::now();
    let url = moto_url();
    let first_contact = started.elapsed();
    if let Some(startup) = moto_startup_time() {
        eprintln!("moto started by this test process in {startup:?}");
        assert!(
            startup < Duration::from_secs(20),
            "moto took {startup:?} to start"
        );
    } else {
        eprintln!("moto already running at {url} (found in {first_contact:?})");
    }

    let moto = Moto::acquire().await;
    let reset_started = Instant::now();
    moto.reset().await;
    let reset_took = reset_started.elapsed();
    eprintln!("reset of an empty moto took {reset_took:?}");
    assert!(reset_took < Duration::from_secs(2));

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

/// What a scenario creates in moto (customer objects only): name -> content, to batch
/// scenarios that can share one moto state.
fn created_objects(snapshot: &Snapshot) -> BTreeMap<String, String> {
    let iam = &snapshot.aws.iam;
    let mut out = BTreeMap::new();
    for role in iam.roles.values() {
        out.insert(
            format!("{}:role/{}", account_of(&role.arn), role.name),
            format!("{role:?}"),
        );
        // An attached customer policy the bundle lacks is created as a placeholder.
        for p in role.attached_policies.known().into_iter().flatten() {
            out.entry(p.arn.clone())
                .or_insert_with(|| "placeholder".to_string());
        }
    }
    for (arn, provider) in &iam.oidc_providers {
        out.insert(arn.clone(), format!("{provider:?}"));
    }
    for (arn, policy) in &iam.managed_policies {
        out.insert(arn.clone(), format!("{policy:?}"));
    }
    out.retain(|k, _| !k.contains(":iam::aws:"));
    out
}

/// Every fixture bundle seeds moto and reads back (the live end-to-end tests rely on it).
#[tokio::test]
async fn every_scenario_bundle_seeds_moto() {
    let moto = Moto::acquire().await;
    let mut scenarios: Vec<(String, Snapshot)> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("bundle").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .map(|name| {
            let snapshot = load_scenario(&name);
            (name, snapshot)
        })
        .collect();
    scenarios.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(scenarios.len() > 10);

    // First-fit batches of scenarios that never give one name two contents: one reset per
    // batch (resets and re-creating an account's IAM, with its AWS managed policies, are what
    // take time). Objects an earlier scenario of the batch created are not created again.
    type Batch = (BTreeMap<String, String>, Vec<usize>);
    let mut batches: Vec<Batch> = Vec::new();
    for (i, (_, snapshot)) in scenarios.iter().enumerate() {
        let objects = created_objects(snapshot);
        let fits = |taken: &BTreeMap<String, String>| {
            objects
                .iter()
                .all(|(k, v)| taken.get(k).is_none_or(|t| t == v))
        };
        match batches.iter_mut().find(|(taken, _)| fits(taken)) {
            Some((taken, members)) => {
                taken.extend(objects);
                members.push(i);
            }
            None => batches.push((objects, vec![i])),
        }
    }

    let started = Instant::now();
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    let mut roles = 0;
    for (_, members) in &batches {
        moto.reset().await;
        let mut clients: BTreeMap<String, aws_sdk_iam::Client> = BTreeMap::new();
        let mut created: BTreeSet<String> = BTreeSet::new();
        for &i in members {
            let (name, snapshot) = &scenarios[i];
            // Leave out what the batch already holds (identical, by construction).
            let mut fresh = snapshot.clone();
            let iam = &mut fresh.aws.iam;
            iam.roles.retain(|_, r| {
                !created.contains(&format!("{}:role/{}", account_of(&r.arn), r.name))
            });
            iam.oidc_providers.retain(|arn, _| !created.contains(arn));
            iam.managed_policies.retain(|arn, _| !created.contains(arn));
            created.extend(created_objects(snapshot).into_keys());
            let seeded = match seed_moto(moto.url(), &fresh).await {
                Ok(seeded) => seeded,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            roles += seeded.counts.roles;
            notes.extend(seeded.notes.iter().map(|n| format!("{name}: {n}")));
            // Every role reads back with its ARN and exact trust text.
            for role in snapshot.aws.iam.roles.values() {
                let account = account_of(&role.arn);
                if !clients.contains_key(&account) {
                    let partition = kubectl_irsa::model::arn::Arn::parse(&role.arn)
                        .unwrap()
                        .partition;
                    let region = partition_region(&partition);
                    let client = moto_iam_client(moto.url(), &account, region).await;
                    clients.insert(account.clone(), client);
                }
                let got = clients[&account]
                    .get_role()
                    .role_name(&role.name)
                    .send()
                    .await;
                let got = match got {
                    Ok(got) => got,
                    Err(e) => {
                        failures.push(format!("{name}: GetRole {}: {e:?}", role.name));
                        continue;
                    }
                };
                let got = got.role().unwrap();
                if got.arn() != role.arn {
                    failures.push(format!("{name}: {} read back as {}", role.arn, got.arn()));
                }
                if let (Some(want), Some(got)) =
                    (&role.trust_policy, got.assume_role_policy_document())
                    && kubectl_irsa::policy::decode_document(got).unwrap() != decoded(want)
                {
                    failures.push(format!("{name}: trust of {} differs", role.arn));
                }
            }
        }
    }
    eprintln!(
        "seeded {} scenarios ({roles} roles) in {} batches in {:?}",
        scenarios.len(),
        batches.len(),
        started.elapsed()
    );
    for n in &notes {
        eprintln!("note: {n}");
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn account_of(arn: &str) -> String {
    kubectl_irsa::model::arn::Arn::parse(arn).unwrap().account
}

// ---- FakeEks ----

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
    assert!(took >= Duration::from_millis(100), "{took:?}");
    assert!(
        took < Duration::from_millis(290),
        "served concurrently: {took:?}"
    );
}

// ---- FakeSts ----

fn web_identity_token(sub: &str) -> String {
    let enc = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let header = serde_json::json!({ "alg": "RS256", "kid": "test" });
    let claims = serde_json::json!({
        "iss": BASIC_ISSUER,
        "sub": sub,
        "aud": ["sts.amazonaws.com"],
        "exp": 1_700_000_000,
        "iat": 1_699_990_000,
    });
    format!(
        "{}.{}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk",
        enc(&header),
        enc(&claims)
    )
}

#[tokio::test]
async fn fake_sts_answers_each_failure_class_as_sts_does() {
    use aws_sdk_sts::operation::assume_role_with_web_identity::AssumeRoleWithWebIdentityError as E;

    let sts = FakeSts::new();
    let config = sdk_config_with("eu-west-1", test_credentials(), &[("sts", sts.url())]).await;
    let client = aws_sdk_sts::Client::new(&config);
    let token = web_identity_token("system:serviceaccount:shop:checkout");
    let role = |n: &str| format!("arn:aws:iam::210987654321:role/{n}");

    let cases: Vec<(StsOutcome, &str, &str, u16)> = vec![
        (
            StsOutcome::NoOidcProvider { issuer: None },
            "InvalidIdentityToken",
            "No OpenIDConnect provider found in your account for \
             https://oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F30211203A4B5C6D7E8F9",
            400,
        ),
        (
            StsOutcome::IncorrectAudience,
            "InvalidIdentityToken",
            "Incorrect token audience",
            400,
        ),
        (
            StsOutcome::TokenNotValidated,
            "InvalidIdentityToken",
            "The web identity token provided could not be validated",
            400,
        ),
        (
            StsOutcome::AccessDenied,
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            403,
        ),
        (
            StsOutcome::InvalidRoleArn,
            "ValidationError",
            "Request ARN is invalid",
            400,
        ),
        (
            StsOutcome::ExpiredToken,
            "ExpiredTokenException",
            "Token expired: current date/time",
            400,
        ),
        (
            StsOutcome::IdpCommunicationError,
            "IDPCommunicationError",
            "Couldn't retrieve verification key from your identity provider, please reference \
             AssumeRoleWithWebIdentity documentation for requirements",
            400,
        ),
    ];
    assert_eq!(cases.len(), StsOutcome::failure_classes().len());
    for (i, (outcome, code, message, status)) in cases.iter().enumerate() {
        let role_arn = role(&format!("case-{i}"));
        sts.script(&role_arn, outcome.clone());
        let err = client
            .assume_role_with_web_identity()
            .role_arn(&role_arn)
            .role_session_name("kubectl-irsa-prove")
            .web_identity_token(&token)
            .send()
            .await
            .expect_err("scripted failure");
        assert_eq!(err.code(), Some(*code), "{outcome:?}");
        assert!(
            err.message().unwrap().starts_with(message),
            "{outcome:?}: {:?}",
            err.message()
        );
        assert_eq!(
            err.raw_response().map(|r| r.status().as_u16()),
            Some(*status)
        );
        let service = err.as_service_error().unwrap();
        match outcome {
            StsOutcome::NoOidcProvider { .. }
            | StsOutcome::IncorrectAudience
            | StsOutcome::TokenNotValidated => {
                assert!(matches!(service, E::InvalidIdentityTokenException(_)))
            }
            StsOutcome::ExpiredToken => {
                assert!(matches!(service, E::ExpiredTokenException(_)));
                // It names the token's own expiry (its `exp` claim).
                assert!(err.message().unwrap().ends_with("date/time 1700000000"));
            }
            StsOutcome::IdpCommunicationError => {
                assert!(matches!(service, E::IdpCommunicationErrorException(_)))
            }
            // Not modeled for this operation: callers match the code.
            _ => assert!(service.meta().code().is_some()),
        }
    }

    // A malformed role ARN is rejected even unscripted, as by STS.
    let err = client
        .assume_role_with_web_identity()
        .role_arn("arn:aws:iam::::1234567890:role/example")
        .role_session_name("s")
        .web_identity_token(&token)
        .send()
        .await
        .expect_err("bad ARN");
    assert_eq!(
        (err.code(), err.message()),
        (Some("ValidationError"), Some("Request ARN is invalid"))
    );

    // Success: credentials and the assumed role, which GetCallerIdentity then reports.
    let ok = client
        .assume_role_with_web_identity()
        .role_arn(role("checkout-irsa"))
        .role_session_name("kubectl-irsa-prove")
        .web_identity_token(&token)
        .send()
        .await
        .expect("assumed");
    let user = ok.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        "arn:aws:sts::210987654321:assumed-role/checkout-irsa/kubectl-irsa-prove"
    );
    assert!(user.assumed_role_id().ends_with(":kubectl-irsa-prove"));
    assert_eq!(
        ok.subject_from_web_identity_token(),
        Some("system:serviceaccount:shop:checkout")
    );
    assert_eq!(ok.audience(), Some("sts.amazonaws.com"));
    let creds = ok.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));
    let assumed = aws_sdk_sts::config::Credentials::new(
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token().to_string()),
        None,
        "web-identity",
    );
    let as_role = aws_sdk_sts::Client::new(
        &sdk_config_with("eu-west-1", assumed, &[("sts", sts.url())]).await,
    );
    let me = as_role.get_caller_identity().send().await.unwrap();
    assert_eq!(me.arn(), Some(user.arn()));
    assert_eq!(me.account(), Some("210987654321"));

    // IDPCommunicationError is retryable (STS says so, and the SDK retries it: 3 attempts);
    // nothing else is.
    let idp_role = role(&format!("case-{}", cases.len() - 1));
    let attempts = |arn: &str| {
        sts.requests()
            .iter()
            .filter(|r| r.role_arn.as_deref() == Some(arn))
            .count()
    };
    assert_eq!(attempts(&idp_role), 3);
    assert_eq!(attempts(&role("case-0")), 1);

    // The token is never kept: records hold only its presence and length.
    let log = sts.requests();
    assert_eq!(log.len(), cases.len() + 2 + 3);
    let assume: Vec<_> = log
        .iter()
        .filter(|r| r.action == "AssumeRoleWithWebIdentity")
        .collect();
    assert!(
        assume
            .iter()
            .all(|r| r.token_present && r.token_len == token.len())
    );
    let dump = format!("{log:?}");
    assert!(!dump.contains(&token));
    assert!(!dump.contains(token.split('.').nth(1).unwrap()));
    assert_eq!(
        log.last().map(|r| (r.action.as_str(), r.issued_key)),
        Some(("GetCallerIdentity", Some(true)))
    );
}

// ---- FakeIamFront ----

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
