//! The Kubernetes writer (issue 11) against the fake API server, which refuses stale writes as
//! a real one does: an annotation carries the resourceVersion it was planned on (409 when it
//! moved), a template edit tests `metadata.generation` and the field (422), a restart is the
//! `rollout restart` patch the fake's Deployment controller acts on, and an RBAC refusal names
//! the permission. The request log shows exactly the writes made.

mod support;

use std::path::PathBuf;

use kubectl_irsa::model::plan::{Change, WorkloadTarget};
use kubectl_irsa::writers::kubernetes::{KubeWriteError, KubeWriter, Precondition};
use serde_json::Value;
use support::fake_kube::FakeKube;

fn fake(scenario: &str) -> FakeKube {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(scenario)
        .join("bundle");
    FakeKube::from_bundles(&[dir])
}

fn annotate(ns: &str, name: &str, value: &str) -> Change {
    Change::AnnotateServiceAccount {
        namespace: ns.into(),
        name: name.into(),
        key: "eks.amazonaws.com/role-arn".into(),
        value: Some(value.into()),
    }
}

fn rv(fake: &FakeKube, ns: &str, name: &str) -> String {
    fake.object("v1", "ServiceAccount", Some(ns), name)
        .and_then(|o| {
            o["metadata"]["resourceVersion"]
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_default()
}

fn annotation(fake: &FakeKube, ns: &str, name: &str) -> Value {
    fake.object("v1", "ServiceAccount", Some(ns), name)
        .unwrap_or(Value::Null)["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
        .clone()
}

const ROLE: &str = "arn:aws:iam::111122223333:role/fixed";

#[tokio::test]
async fn an_annotation_is_written_only_on_the_resource_version_it_was_planned_on() {
    let fake = fake("annotation-missing-trusted");
    let writer = KubeWriter::new(fake.client());
    let planned = rv(&fake, "finance", "ledger");

    // Someone else writes first: the plan's write is refused and changes nothing.
    fake.insert({
        let mut sa = fake
            .object("v1", "ServiceAccount", Some("finance"), "ledger")
            .unwrap();
        sa["metadata"]["resourceVersion"] = Value::from("999999");
        sa
    });
    fake.clear_requests();
    let stale = Precondition {
        resource_version: Some(planned),
        ..Precondition::default()
    };
    let refused = writer
        .apply(&annotate("finance", "ledger", ROLE), &stale)
        .await;
    assert!(
        matches!(refused, Err(KubeWriteError::Conflict { .. })),
        "{refused:?}"
    );
    assert_eq!(annotation(&fake, "finance", "ledger"), Value::Null);

    let current = Precondition {
        resource_version: Some(rv(&fake, "finance", "ledger")),
        ..Precondition::default()
    };
    fake.clear_requests();
    writer
        .apply(&annotate("finance", "ledger", ROLE), &current)
        .await
        .unwrap();
    assert_eq!(annotation(&fake, "finance", "ledger"), ROLE);
    let writes = fake.writes();
    assert_eq!(writes.len(), 1, "one write: {writes:?}");
    assert_eq!(writes[0].method, "PATCH");
    assert!(
        writes[0]
            .path
            .ends_with("/namespaces/finance/serviceaccounts/ledger")
    );
    assert_eq!(
        writes[0].content_type.as_deref(),
        Some("application/merge-patch+json")
    );
    assert!(
        writes[0].body.contains("resourceVersion"),
        "{}",
        writes[0].body
    );
}

#[tokio::test]
async fn a_restart_rolls_out_new_pods_the_webhook_injects() {
    let fake = fake("pod-before-annotation");
    let writer = KubeWriter::new(fake.client());
    let restart = Change::RolloutRestart {
        workload: WorkloadTarget {
            kind: "Deployment".into(),
            namespace: "jobs".into(),
            name: "worker".into(),
        },
    };
    fake.clear_requests();
    writer
        .apply(&restart, &Precondition::default())
        .await
        .unwrap();
    let writes = fake.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(writes[0].body.contains("kubectl.kubernetes.io/restartedAt"));
    let dep = fake
        .object("apps/v1", "Deployment", Some("jobs"), "worker")
        .unwrap();
    assert!(
        dep["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_string()
    );
}

#[tokio::test]
async fn a_template_edit_is_refused_when_the_workload_changed_since_the_plan() {
    let fake = fake("pod-uses-default-sa");
    let writer = KubeWriter::new(fake.client());
    // As an API server keeps it: a generation on every object with a spec.
    let mut dep = fake
        .object("apps/v1", "Deployment", Some("shop"), "payments")
        .unwrap();
    dep["metadata"]["generation"] = Value::from(3);
    fake.insert(dep);
    let generation = Some(3);
    let set = Change::SetServiceAccountName {
        workload: WorkloadTarget {
            kind: "Deployment".into(),
            namespace: "shop".into(),
            name: "payments".into(),
        },
        service_account: "payments".into(),
    };
    let moved = Precondition {
        generation: generation.map(|g| g + 7),
        ..Precondition::default()
    };
    let refused = writer.apply(&set, &moved).await;
    assert!(
        matches!(refused, Err(KubeWriteError::Conflict { .. })),
        "{refused:?}"
    );
    let planned = Precondition {
        generation,
        ..Precondition::default()
    };
    writer.apply(&set, &planned).await.unwrap();
    let dep = fake
        .object("apps/v1", "Deployment", Some("shop"), "payments")
        .unwrap();
    assert_eq!(
        dep["spec"]["template"]["spec"]["serviceAccountName"],
        "payments"
    );
}

#[tokio::test]
async fn an_rbac_refusal_names_the_permission_to_grant() {
    let fake = fake("annotation-missing-trusted");
    fake.deny("patch", "serviceaccounts", Some("finance"));
    let writer = KubeWriter::new(fake.client());
    let refused = writer
        .apply(
            &annotate("finance", "ledger", ROLE),
            &Precondition::default(),
        )
        .await;
    match refused {
        Err(KubeWriteError::Denied { permission, .. }) => {
            assert_eq!(permission, "patch serviceaccounts in namespace finance")
        }
        other => panic!("{other:?}"),
    }
    let not_kube = writer
        .apply(
            &Change::PutTrustPolicy {
                role_name: "r".into(),
                document: "{}".into(),
            },
            &Precondition::default(),
        )
        .await;
    assert!(matches!(not_kube, Err(KubeWriteError::NotKubernetes(_))));
}

/// `kubectl set env` as a JSON patch (issue 11: a region variable added, a literal variable
/// that shadows the injected credentials removed): the generation and the names at the
/// indices patched are tested, so a template edited since the plan is refused (422).
#[tokio::test]
async fn an_environment_variable_is_set_and_removed_with_tests_of_what_it_patches() {
    let fake = fake("env-hardcoded-role");
    let writer = KubeWriter::new(fake.client());
    let mut dep = fake
        .object("apps/v1", "Deployment", Some("obs"), "exporter")
        .unwrap();
    dep["metadata"]["generation"] = Value::from(2);
    fake.insert(dep);
    let workload = WorkloadTarget {
        kind: "Deployment".into(),
        namespace: "obs".into(),
        name: "exporter".into(),
    };
    let env = |fake: &FakeKube| {
        fake.object("apps/v1", "Deployment", Some("obs"), "exporter")
            .unwrap()["spec"]["template"]["spec"]["containers"][0]["env"]
            .clone()
    };
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(names(&env(&fake)).contains(&"AWS_ROLE_ARN".to_string()));
    let remove = Change::SetEnv {
        workload: workload.clone(),
        container: "exporter".into(),
        name: "AWS_ROLE_ARN".into(),
        value: None,
    };
    let stale = Precondition {
        generation: Some(1),
        ..Precondition::default()
    };
    let refused = writer.apply(&remove, &stale).await;
    assert!(
        matches!(refused, Err(KubeWriteError::Conflict { .. })),
        "{refused:?}"
    );
    assert!(names(&env(&fake)).contains(&"AWS_ROLE_ARN".to_string()));
    let planned = Precondition {
        generation: Some(2),
        ..Precondition::default()
    };
    writer.apply(&remove, &planned).await.unwrap();
    assert!(!names(&env(&fake)).contains(&"AWS_ROLE_ARN".to_string()));
    let before = names(&env(&fake));

    let region = Change::SetEnv {
        workload,
        container: "exporter".into(),
        name: "AWS_REGION".into(),
        value: Some("eu-west-1".into()),
    };
    let generation = fake
        .object("apps/v1", "Deployment", Some("obs"), "exporter")
        .unwrap()["metadata"]["generation"]
        .as_i64();
    let now = Precondition {
        generation,
        ..Precondition::default()
    };
    writer.apply(&region, &now).await.unwrap();
    let after = env(&fake);
    let mut expected = before.clone();
    expected.push("AWS_REGION".into());
    assert_eq!(
        names(&after),
        expected,
        "appended, the others kept in order"
    );
    assert_eq!(
        after.as_array().unwrap().last().unwrap()["value"],
        "eu-west-1"
    );
    // Removing what is not there writes nothing.
    fake.clear_requests();
    let absent = Change::SetEnv {
        workload: WorkloadTarget {
            kind: "Deployment".into(),
            namespace: "obs".into(),
            name: "exporter".into(),
        },
        container: "exporter".into(),
        name: "AWS_ROLE_ARN".into(),
        value: None,
    };
    writer.apply(&absent, &now).await.unwrap();
    assert!(
        fake.requests().iter().all(|r| r.method != "PATCH"),
        "{:?}",
        fake.requests()
    );
}

/// The template's fsGroup (field guide B12) as a JSON patch testing the generation: added with
/// the securityContext when there is none, removed again by undo's change.
#[tokio::test]
async fn an_fs_group_is_set_and_removed_on_the_generation_it_was_planned_on() {
    let fake = fake("nonroot-deployment-no-fsgroup");
    let writer = KubeWriter::new(fake.client());
    let mut dep = fake
        .object(
            "apps/v1",
            "Deployment",
            Some("flux-system"),
            "source-controller",
        )
        .unwrap();
    dep["metadata"]["generation"] = Value::from(4);
    fake.insert(dep);
    let workload = WorkloadTarget {
        kind: "Deployment".into(),
        namespace: "flux-system".into(),
        name: "source-controller".into(),
    };
    let fs_group = |fake: &FakeKube| {
        fake.object(
            "apps/v1",
            "Deployment",
            Some("flux-system"),
            "source-controller",
        )
        .unwrap()["spec"]["template"]["spec"]["securityContext"]["fsGroup"]
            .clone()
    };
    let set = Change::SetFsGroup {
        workload: workload.clone(),
        fs_group: Some(65534),
    };
    let stale = Precondition {
        generation: Some(3),
        ..Precondition::default()
    };
    assert!(matches!(
        writer.apply(&set, &stale).await,
        Err(KubeWriteError::Conflict { .. })
    ));
    assert_eq!(fs_group(&fake), Value::Null);
    let planned = Precondition {
        generation: Some(4),
        ..Precondition::default()
    };
    writer.apply(&set, &planned).await.unwrap();
    assert_eq!(fs_group(&fake), 65534);
    let generation = fake
        .object(
            "apps/v1",
            "Deployment",
            Some("flux-system"),
            "source-controller",
        )
        .unwrap()["metadata"]["generation"]
        .as_i64();
    let unset = Change::SetFsGroup {
        workload,
        fs_group: None,
    };
    writer
        .apply(
            &unset,
            &Precondition {
                generation,
                ..Precondition::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(fs_group(&fake), Value::Null);
}
