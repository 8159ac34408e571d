//! The setup planner on the seed guides' clusters: plans proven in memory (the chain green and
//! the chosen permissions allowed), nothing but what was asked granted, and a rerun on the
//! result planning nothing.

use std::path::PathBuf;

use serde_json::Value;

use super::*;
use crate::diagnose::diagnose;
use crate::model::chain::Status;
use crate::model::plan::{Change, Plan};
use crate::plan::fix::FixOutcome;
use crate::plan::simulate;

fn scenario(name: &str) -> Snapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name)
        .join("bundle");
    crate::sources::bundle::load_dirs(&[dir]).unwrap()
}

fn now() -> jiff::Timestamp {
    "2026-12-01T00:00:00Z".parse().unwrap()
}

fn request(ns: &str, sa: &str, mechanism: Mechanism) -> SetupRequest {
    SetupRequest {
        namespace: ns.into(),
        service_account: sa.into(),
        workload: None,
        mechanism,
        role: RoleChoice::Default,
        templates: Vec::new(),
        parameters: Parameters::default(),
        policy_arns: Vec::new(),
        region_env: false,
    }
}

fn ready(snap: &Snapshot, req: &SetupRequest) -> (Plan, Snapshot) {
    let planned = plan_setup(snap, req, "t", "setup", now()).unwrap();
    let FixOutcome::Ready { plan, .. } = planned.outcome else {
        panic!("not ready: {:?}", planned.outcome)
    };
    let changes: Vec<&Change> = plan.steps.iter().map(|s| &s.change).collect();
    let after = simulate::apply(snap, &changes, now()).unwrap();
    (plan, after)
}

fn actions(plan: &Plan) -> Vec<&str> {
    plan.steps.iter().map(|s| s.action.as_str()).collect()
}

/// Running the same setup on its own result plans nothing (issue 12: "rerunning the same setup
/// after success writes nothing").
fn rerun_plans_nothing(after: &Snapshot, req: &SetupRequest) {
    let later: jiff::Timestamp = "2026-12-01T01:00:00Z".parse().unwrap();
    let again = plan_setup(after, req, "t2", "setup", later).unwrap();
    assert!(
        matches!(again.outcome, FixOutcome::NothingToDo),
        "{:?}",
        again.outcome
    );
}

fn bedrock(model: &str) -> (Vec<Template>, Parameters) {
    (
        vec![Template::BedrockInvoke],
        Parameters {
            models: vec![model.into()],
            ..Parameters::default()
        },
    )
}

const HAIKU: &str = "anthropic.claude-3-haiku-20240307-v1:0";

/// Langflow from nothing: the workload on the `default` service account, no role. The plan
/// creates the role (trusting exactly langflow/langflow-sa), the service account (annotated),
/// the Bedrock policy, switches the Deployment and restarts it; the diagnosis of the result
/// allows the model and denies another.
#[test]
fn langflow_from_nothing_is_one_proven_plan_and_a_rerun_plans_nothing() {
    let mut snap = scenario("seed-langflow");
    if let crate::model::Fact::Known(l) = &mut snap.kube.service_accounts {
        l.items
            .retain(|s| s.metadata.name.as_deref() != Some("langflow-sa"));
    }
    let mut req = request("langflow", "langflow-sa", Mechanism::Irsa);
    req.workload = Some((WorkloadKind::Deployment, "langflow".into()));
    req.role = RoleChoice::Create("langflow-bedrock".into());
    (req.templates, req.parameters) = bedrock(HAIKU);
    let (plan, after) = ready(&snap, &req);
    assert_eq!(
        actions(&plan),
        [
            "create-role",
            "create",
            "put-role-policy",
            "rollout-restart"
        ],
        "the Deployment already names langflow-sa, so no switch"
    );
    let trust = plan.steps[0].after.clone().unwrap();
    assert!(trust.contains("system:serviceaccount:langflow:langflow-sa"));
    assert!(trust.contains("sts.amazonaws.com"));
    let model_arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{HAIKU}");
    let check = |action: &str, resource: &str| {
        let sel = Selection {
            namespace: Some("langflow".into()),
            target: Some(Target::Workload(
                WorkloadKind::Deployment,
                "langflow".into(),
            )),
            selector: None,
            actions: vec![RequestedAction {
                action: action.into(),
                resource: resource.into(),
            }],
        };
        diagnose(&after, &sel).unwrap().workloads[0].status
    };
    assert_eq!(check("bedrock:InvokeModel", &model_arn), Status::Ok);
    assert_eq!(
        check(
            "bedrock:InvokeModel",
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0"
        ),
        Status::Broken,
        "a model it did not ask for is denied"
    );
    assert_eq!(check("s3:GetObject", "arn:aws:s3:::any/x"), Status::Broken);
    rerun_plans_nothing(&after, &req);
}

/// ENBUILD through Pod Identity: a new role trusting pods.eks.amazonaws.com, scoped to the
/// account, the cluster and the service account; the association; no annotation.
#[test]
fn a_pod_identity_setup_creates_a_scoped_role_and_the_association() {
    let snap = scenario("seed-enbuild");
    let mut req = request("enbuild", "enbuild-reports", Mechanism::PodIdentity);
    req.role = RoleChoice::Create("enbuild-reports".into());
    req.templates = vec![Template::S3Read];
    req.parameters = Parameters {
        bucket: Some("enbuild-ctf-artifacts".into()),
        prefix: Some("reports/".into()),
        ..Parameters::default()
    };
    let (plan, after) = ready(&snap, &req);
    assert_eq!(
        actions(&plan),
        [
            "create-role",
            "create",
            "put-role-policy",
            "create-pod-identity-association"
        ]
    );
    let trust: Value = serde_json::from_str(plan.steps[0].after.as_deref().unwrap()).unwrap();
    let st = &trust["Statement"][0];
    assert_eq!(st["Principal"]["Service"], "pods.eks.amazonaws.com");
    assert_eq!(
        st["Action"],
        serde_json::json!(["sts:AssumeRole", "sts:TagSession"])
    );
    assert_eq!(
        st["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"],
        "enbuild-reports"
    );
    assert!(st["Condition"]["ArnEquals"]["aws:SourceArn"].is_string());
    assert!(
        !plan.steps[1]
            .after
            .as_deref()
            .unwrap()
            .contains(ROLE_ARN_ANNOTATION),
        "no IRSA annotation for Pod Identity"
    );
    rerun_plans_nothing(&after, &req);
}

/// Kubeflow: one role shared by profiles; a third profile's service account joins the
/// existing `:sub` list (no second statement, no duplicate key).
#[test]
fn a_shared_role_gets_the_subject_added_to_its_list() {
    let snap = scenario("seed-kubeflow");
    let mut req = request("kubeflow-user-a", "default-editor", Mechanism::Irsa);
    req.role = RoleChoice::Existing("kf-user-kubeflow".into());
    let (plan, after) = ready(&snap, &req);
    let trust = plan
        .steps
        .iter()
        .find(|s| s.action == "update-trust-policy")
        .and_then(|s| s.after.clone())
        .unwrap();
    let doc: Value = serde_json::from_str(&trust).unwrap();
    let statements = doc["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 1, "{trust}");
    let equals = statements[0]["Condition"]["StringEquals"]
        .as_object()
        .unwrap();
    let subs: Vec<&Value> = equals
        .iter()
        .filter(|(k, _)| k.ends_with(":sub"))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].as_array().map(Vec::len), Some(3), "{trust}");
    rerun_plans_nothing(&after, &req);
}

/// Flyte: a namespace pattern is a StringLike subject, and the `default` service accounts of
/// the matching namespaces are annotated.
#[test]
fn a_namespace_wildcard_is_a_string_like_subject() {
    let mut snap = scenario("seed-flyte");
    let mut req = request("flytesnacks-*", "default", Mechanism::Irsa);
    req.role = RoleChoice::Create("flyte-workers-2".into());
    req.templates = vec![Template::S3ReadWrite];
    req.parameters.bucket = Some("flyte-metadata".into());
    // Running task pods are bare pods: the plan cannot recreate them and says so.
    let planned = plan_setup(&snap, &req, "t", "setup", now()).unwrap();
    let FixOutcome::Manual { reasons } = planned.outcome else {
        panic!("{:?}", planned.outcome)
    };
    assert!(
        reasons.iter().any(|r| r.contains("recreate")),
        "{reasons:?}"
    );
    if let crate::model::Fact::Known(l) = &mut snap.kube.pods {
        l.items.retain(|p| {
            !p.metadata
                .namespace
                .as_deref()
                .is_some_and(|n| n.starts_with("flytesnacks-"))
        });
    }
    let planned = plan_setup(&snap, &req, "t", "setup", now()).unwrap();
    let FixOutcome::Ready { plan, .. } = planned.outcome else {
        panic!("{:?}", planned.outcome)
    };
    let trust = plan.steps[0].after.clone().unwrap();
    assert!(
        trust.contains("StringLike")
            && trust.contains("system:serviceaccount:flytesnacks-*:default"),
        "{trust}"
    );
    assert!(plan.steps.iter().any(|s| s.action == "annotate"));
    assert!(wildcard_warning(&req).contains("namespaces created later"));
    req.mechanism = Mechanism::PodIdentity;
    assert!(matches!(validate(&req), Err(SetupError::Invalid(_))));
}

#[test]
fn requests_the_cluster_cannot_take_are_refused_with_the_reason() {
    let snap = scenario("seed-langflow");
    let mut req = request("langflow", "Bad_Name", Mechanism::Irsa);
    assert!(plan_setup(&snap, &req, "t", "s", now()).is_err());
    req.service_account = "langflow-sa".into();
    req.role = RoleChoice::Existing("no-such-role".into());
    let err = plan_setup(&snap, &req, "t", "s", now()).unwrap_err();
    assert!(err.to_string().contains("--create-role"), "{err}");
    req.role = RoleChoice::Default;
    req.workload = Some((WorkloadKind::Deployment, "nope".into()));
    let err = plan_setup(&snap, &req, "t", "s", now()).unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
    req.workload = None;
    req.region_env = true;
    assert!(plan_setup(&snap, &req, "t", "s", now()).is_err());
    assert_eq!(
        proposed_role_name("langflow-prod", "langflow", "langflow-sa"),
        "langflow-prod-langflow-langflow-sa"
    );
    assert_eq!(proposed_role_name(&"c".repeat(80), "n", "s").len(), 64);
}

/// A service account has one association per cluster: setting it up with another role
/// re-points the association it has (issue 11's "update a pod identity association").
#[test]
fn a_service_account_with_an_association_gets_it_re_pointed() {
    let snap = scenario("seed-enbuild");
    let mut req = request("enbuild", "enbuild-ai", Mechanism::PodIdentity);
    req.role = RoleChoice::Create("enbuild-ai-v2".into());
    req.templates = vec![Template::BedrockInvoke];
    req.parameters.models = vec![HAIKU.into()];
    let (plan, after) = ready(&snap, &req);
    let update = plan
        .steps
        .iter()
        .find(|s| s.action == "update-pod-identity-association")
        .expect("the association is updated, not created");
    assert!(
        update
            .before
            .as_deref()
            .unwrap()
            .contains("enbuild-ai-bedrock")
    );
    assert!(update.after.as_deref().unwrap().contains("enbuild-ai-v2"));
    assert!(
        plan.steps
            .iter()
            .all(|s| s.action != "create-pod-identity-association")
    );
    rerun_plans_nothing(&after, &req);
}

/// A namespace pattern no namespace matches yet makes the role and its permissions only: the
/// plan never picks up fixes of unrelated broken workloads elsewhere in the cluster.
#[test]
fn a_pattern_that_matches_nothing_plans_the_role_alone() {
    let snap = scenario("seed-flyte");
    let mut req = request("nothing-here-*", "default", Mechanism::Irsa);
    req.role = RoleChoice::Create("future-projects".into());
    req.templates = vec![Template::S3Read];
    req.parameters.bucket = Some("flyte-metadata".into());
    let (plan, _) = ready(&snap, &req);
    assert_eq!(
        actions(&plan),
        ["create-role", "put-role-policy"],
        "{plan:?}"
    );
}

/// A role ARN of another account is refused, not matched by name in the cluster's account.
#[test]
fn a_role_of_another_account_is_refused_by_arn() {
    let snap = scenario("seed-langflow");
    let mut req = request("langflow", "langflow-sa", Mechanism::Irsa);
    req.role = RoleChoice::Existing("arn:aws:iam::999999999999:role/LangflowBedrockRole".into());
    let err = plan_setup(&snap, &req, "t", "s", now()).unwrap_err();
    assert!(err.to_string().contains("999999999999"), "{err}");
}
