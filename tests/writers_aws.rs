//! The IAM and EKS writers (issue 11) against moto (IAM) and the fake EKS: a trust document is
//! written only when IAM still holds the one the plan was made from (re-read just before the
//! write, nothing written otherwise), a creation that finds its object made meanwhile is a
//! conflict, and the request logs show exactly the writes made.
//!
//! Needs moto (./scripts/test.sh, or `scripts/moto.sh install` once).

mod support;

use kubectl_irsa::model::plan::Change;
use kubectl_irsa::writers::aws::{AwsWriteError, AwsWriter};
use support::fake_aws::Moto;
use support::fake_aws::sdk::sdk_config;
use support::live_env::LiveEnv;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_trust_document_is_written_only_over_the_one_it_was_planned_from() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "trust-sub-typo-kubeflow");
    let role = env
        .snapshot
        .aws
        .iam
        .roles
        .values()
        .find(|r| r.trust_policy.is_some())
        .cloned()
        .unwrap();
    let planned_from = role.trust_policy.clone().unwrap().0;
    let new_document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let change = Change::PutTrustPolicy {
        role_name: role.name.clone(),
        document: new_document.into(),
    };
    runtime().block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        let eks = aws_sdk_eks::Client::new(&sdk_config(&[("eks", env.eks.url())]).await);
        let writer = AwsWriter {
            iam: &iam,
            eks: &eks,
        };
        env.clear_requests();
        let stale = writer
            .apply(&change, Some(r#"{"Version":"2012-10-17","Statement":[]}"#))
            .await;
        assert!(
            matches!(stale, Err(AwsWriteError::Conflict { .. })),
            "{stale:?}"
        );
        assert!(env.iam.writes().is_empty(), "nothing written on a conflict");

        writer.apply(&change, Some(&planned_from)).await.unwrap();
        let writes: Vec<String> = env
            .iam
            .writes()
            .iter()
            .map(|r| r.operation.clone())
            .collect();
        assert_eq!(writes, ["UpdateAssumeRolePolicy"]);
        let now = writer.current(&change).await.unwrap().unwrap_or_default();
        let decoded = kubectl_irsa::policy::decode_document(&now).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&decoded).unwrap(),
            serde_json::from_str::<serde_json::Value>(new_document).unwrap()
        );
    });
}

#[test]
fn an_association_made_meanwhile_is_a_conflict() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "pod-identity-healthy");
    let cluster = env.cluster_name().unwrap();
    let existing = env.eks.associations(&cluster);
    let taken = existing.first().cloned().unwrap();
    let create = |sa: &str| Change::CreatePodIdentityAssociation {
        cluster: cluster.clone(),
        namespace: taken.namespace.clone(),
        service_account: sa.to_string(),
        role_arn: taken.role_arn.clone().unwrap_or_default(),
    };
    runtime().block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        let eks = aws_sdk_eks::Client::new(&sdk_config(&[("eks", env.eks.url())]).await);
        let writer = AwsWriter {
            iam: &iam,
            eks: &eks,
        };
        let refused = writer.apply(&create(&taken.service_account), None).await;
        assert!(
            matches!(refused, Err(AwsWriteError::Conflict { .. })),
            "{refused:?}"
        );
        writer
            .apply(&create("kubectl-irsa-new"), None)
            .await
            .unwrap();
        assert!(
            env.eks
                .associations(&cluster)
                .iter()
                .any(|a| a.service_account == "kubectl-irsa-new")
        );
    });
}

/// An association is re-pointed by service account (its id looked up, as the plan cannot know
/// it), and one that no longer exists is a conflict, not a new association.
#[test]
fn an_association_is_updated_by_service_account_and_a_gone_one_is_a_conflict() {
    let moto = Moto::acquire_blocking();
    let env = LiveEnv::start(&moto, "pod-identity-healthy");
    let cluster = env.cluster_name().unwrap();
    let taken = env.eks.associations(&cluster).first().cloned().unwrap();
    let new_role = "arn:aws:iam::444455556666:role/billing-v2".to_string();
    let update = |sa: &str| Change::UpdatePodIdentityAssociation {
        cluster: cluster.clone(),
        namespace: taken.namespace.clone(),
        service_account: sa.to_string(),
        role_arn: new_role.clone(),
    };
    runtime().block_on(async {
        let iam = env.seeded.iam_client(&env.account, env.iam.url()).await;
        let eks = aws_sdk_eks::Client::new(&sdk_config(&[("eks", env.eks.url())]).await);
        let writer = AwsWriter {
            iam: &iam,
            eks: &eks,
        };
        writer
            .apply(&update(&taken.service_account), None)
            .await
            .unwrap();
        let after = env.eks.associations(&cluster);
        let a = after
            .iter()
            .find(|a| a.service_account == taken.service_account)
            .unwrap();
        assert_eq!(a.role_arn.as_deref(), Some(new_role.as_str()));
        let gone = writer.apply(&update("nobody-here"), None).await;
        assert!(
            matches!(gone, Err(AwsWriteError::Conflict { .. })),
            "{gone:?}"
        );
    });
}
