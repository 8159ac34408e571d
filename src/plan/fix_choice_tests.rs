//! The ambiguous fixes of issue 11, planned in memory: each way the plan offers is proven like
//! any plan, and none is taken without `--choice N`.

use std::path::PathBuf;

use super::fix::{FixOutcome, plan_fix};
use crate::diagnose::{Selection, Target};
use crate::model::Snapshot;
use crate::model::aws::PolicyText;
use crate::model::plan::Change;
use crate::model::workload::WorkloadKind;

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

fn search() -> Selection {
    Selection {
        namespace: Some("shop".into()),
        target: Some(Target::Workload(WorkloadKind::Deployment, "search".into())),
        ..Selection::default()
    }
}

/// "The annotation and the trust disagree about which role": shop/search is annotated with
/// search-irsa, whose trust names another service account, while a second role's trust names
/// shop/search exactly. Either way is a plan; neither is picked for the user.
#[test]
fn the_annotation_and_another_roles_trust_disagreeing_is_a_choice_of_two_plans() {
    let mut snap = scenario("basic");
    let annotated = snap
        .aws
        .iam
        .roles
        .values()
        .find(|r| r.name == "search-irsa")
        .cloned()
        .expect("basic has search-irsa");
    let trust = annotated.trust_policy.clone().unwrap().0;
    let trust = crate::policy::decode_document(&trust).unwrap().into_owned();
    let mut other = annotated.clone();
    other.name = "search-reader".into();
    other.arn = annotated.arn.replace("search-irsa", "search-reader");
    other.trust_policy = Some(PolicyText(trust.replace(
        "system:serviceaccount:shop:search-indexer",
        "system:serviceaccount:shop:search",
    )));
    snap.aws.iam.roles.insert(other.arn.clone(), other.clone());

    let outcome = plan_fix(&snap, &search(), "t", "s", now(), None).unwrap();
    let FixOutcome::NeedsChoice { choices } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(choices.len(), 2, "{choices:?}");
    assert!(choices[0].meaning.contains("search-irsa"), "{choices:?}");
    assert!(choices[1].meaning.contains("search-reader"), "{choices:?}");

    let FixOutcome::Ready { plan, .. } =
        plan_fix(&snap, &search(), "t", "s", now(), Some(1)).unwrap()
    else {
        panic!("choice 1 is a plan")
    };
    assert!(
        plan.steps
            .iter()
            .all(|s| !matches!(s.change, Change::AnnotateServiceAccount { .. })),
        "choice 1 edits the annotated role's trust only"
    );
    assert!(
        plan.steps
            .iter()
            .any(|s| matches!(&s.change, Change::PutTrustPolicy { role_name, .. } if role_name == "search-irsa"))
    );

    let FixOutcome::Ready { plan, .. } =
        plan_fix(&snap, &search(), "t", "s", now(), Some(2)).unwrap()
    else {
        panic!("choice 2 is a plan")
    };
    assert!(plan.steps.iter().any(|s| matches!(
        &s.change,
        Change::AnnotateServiceAccount { value: Some(v), .. } if *v == other.arn
    )));
    assert!(
        plan.steps
            .iter()
            .all(|s| !matches!(s.change, Change::PutTrustPolicy { .. })),
        "choice 2 changes no trust"
    );
}

/// "The annotated role does not exist": creating it (under that name, trusting this service
/// account) is offered, not done.
#[test]
fn a_missing_role_is_created_only_when_chosen() {
    let snap = scenario("pi-role-not-found");
    let all = Selection::default();
    let FixOutcome::NeedsChoice { choices } = plan_fix(&snap, &all, "t", "s", now(), None).unwrap()
    else {
        panic!("a choice")
    };
    assert!(choices[0].meaning.starts_with("create role"), "{choices:?}");
    // Chosen, the role exists but has no permissions: that needs --action, so no plan yet.
    let FixOutcome::Manual { reasons } = plan_fix(&snap, &all, "t", "s", now(), Some(1)).unwrap()
    else {
        panic!("permissions still to grant")
    };
    assert!(
        reasons.iter().any(|r| r.contains("NO_POLICIES")),
        "{reasons:?}"
    );
}
