//! The migration planner in memory, on the fixture scenarios: the whole cycle (stage 1,
//! finalize, rollback) with each stage planned on the snapshot the previous one leaves, a rerun
//! of each planning nothing, and the guarantee that no pod is ever created without credentials
//! the trust accepts, checked independently of the planner's own proof for every prefix of
//! every plan. Pre-flight blocks: Fargate, hostNetwork, a role in another account, a trust
//! policy over its quota.

use std::path::PathBuf;

use super::fix::FixOutcome;
use super::migrate::{MigrateOutcome, Stage, plan_migrate};
use super::simulate;
use crate::diagnose::{Selection, Target, diagnose};
use crate::model::chain::Mechanism;
use crate::model::plan::{Change, Plan};
use crate::model::workload::WorkloadKind;
use crate::model::{Fact, Snapshot, Status};

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

fn deploy(ns: &str, name: &str) -> Selection {
    Selection {
        namespace: Some(ns.into()),
        target: Some(Target::Workload(WorkloadKind::Deployment, name.into())),
        ..Selection::default()
    }
}

fn plan(snap: &Snapshot, sel: &Selection, stage: Stage) -> MigrateOutcome {
    plan_migrate(snap, sel, stage, &[], "id", "migrate", now()).unwrap()
}

fn ready(o: MigrateOutcome) -> Plan {
    match o.outcome {
        FixOutcome::Ready { plan, .. } => plan,
        other => panic!("a plan: {other:?} ({:?})", o.preflight),
    }
}

fn changes(p: &Plan) -> Vec<Change> {
    p.steps.iter().map(|s| s.change.clone()).collect()
}

fn applied(snap: &Snapshot, p: &Plan) -> Snapshot {
    let c = changes(p);
    simulate::apply(snap, &c.iter().collect::<Vec<_>>(), now()).unwrap()
}

/// For every prefix of `p`: a pod of `ns/name` created then (a restart) runs on IRSA or Pod
/// Identity with no broken link but permissions.
fn never_without_credentials(snap: &Snapshot, p: &Plan, ns: &str, name: &str) {
    let restart = Change::RolloutRestart {
        workload: crate::model::plan::WorkloadTarget {
            kind: "Deployment".into(),
            namespace: ns.into(),
            name: name.into(),
        },
    };
    let all = changes(p);
    for k in 0..=all.len() {
        let mut prefix: Vec<&Change> = all[..k].iter().collect();
        prefix.push(&restart);
        let state = simulate::apply(snap, &prefix, now()).unwrap();
        let report = diagnose(&state, &deploy(ns, name)).unwrap();
        let w = &report.workloads[0];
        assert!(
            matches!(w.mechanism, Mechanism::Irsa | Mechanism::PodIdentity),
            "after {k} steps: {:?}",
            w.mechanism
        );
        let broken: Vec<_> = w
            .links
            .iter()
            .filter(|l| l.status == Status::Broken)
            .map(|l| {
                (
                    l.link,
                    l.findings.iter().map(|f| f.code).collect::<Vec<_>>(),
                )
            })
            .collect();
        assert!(
            broken.is_empty(),
            "after {k} steps ({:?}): {broken:?}",
            p.steps.get(k.wrapping_sub(1)).map(|s| &s.action)
        );
    }
}

fn mechanism(snap: &Snapshot, ns: &str, name: &str) -> (Mechanism, Status) {
    let r = diagnose(snap, &deploy(ns, name)).unwrap();
    (r.workloads[0].mechanism, r.workloads[0].status)
}

#[test]
fn a_shared_role_goes_through_every_stage_and_back_in_memory() {
    let mut snap = scenario("migrate-shared-role");
    // What DescribeAddon answers live (ResourceNotFoundException): not installed.
    snap.aws.pod_identity_agent_addon = Fact::Known(None);
    let sel = deploy("shop", "checkout");
    let start = ready(plan(&snap, &sel, Stage::Start));
    let actions: Vec<&str> = start.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create-addon",
            "update-trust-policy",
            "create-pod-identity-association",
            "rollout-restart"
        ]
    );
    never_without_credentials(&snap, &start, "shop", "checkout");
    let s1 = applied(&snap, &start);
    assert_eq!(mechanism(&s1, "shop", "checkout").0, Mechanism::PodIdentity);
    assert_eq!(
        mechanism(&s1, "shop", "cart"),
        (Mechanism::Irsa, Status::Ok)
    );
    assert!(matches!(
        plan(&s1, &sel, Stage::Start).outcome,
        FixOutcome::NothingToDo
    ));

    let fin = ready(plan(&s1, &sel, Stage::Finalize));
    never_without_credentials(&s1, &fin, "shop", "checkout");
    let s2 = applied(&s1, &fin);
    assert_eq!(mechanism(&s2, "shop", "checkout").0, Mechanism::PodIdentity);
    assert_eq!(
        mechanism(&s2, "shop", "cart"),
        (Mechanism::Irsa, Status::Ok)
    );
    assert!(matches!(
        plan(&s2, &sel, Stage::Finalize).outcome,
        FixOutcome::NothingToDo
    ));

    // After finalize only the journal says the migration moved it: the entry stage 1 left.
    let journal = [crate::model::journal::JournalEntry {
        schema_version: 1,
        plan: Plan {
            target: "migrate deploy/checkout".into(),
            ..start.clone()
        },
        started_at: "2026-12-01T00:00:00Z".into(),
        steps: Vec::new(),
        result: Some(crate::model::plan::PlanResult::Applied),
        undoes: None,
    }];
    let back = match plan_migrate(&s2, &sel, Stage::Rollback, &journal, "id", "migrate", now())
        .unwrap()
        .outcome
    {
        FixOutcome::Ready { plan, .. } => plan,
        other => panic!("{other:?}"),
    };
    never_without_credentials(&s2, &back, "shop", "checkout");
    let s3 = applied(&s2, &back);
    assert_eq!(
        mechanism(&s3, "shop", "checkout"),
        (Mechanism::Irsa, Status::Ok)
    );
    assert!(matches!(
        plan(&s3, &sel, Stage::Rollback).outcome,
        FixOutcome::NothingToDo
    ));
    // Without a journal the trust means what it meant before (its text is minified).
    let trust = |s: &Snapshot| {
        s.aws
            .iam
            .roles
            .values()
            .find(|r| r.name == "shop-shared")
            .unwrap()
            .trust_policy
            .clone()
            .unwrap()
            .0
    };
    assert!(super::migrate_trust::equivalent(&trust(&s3), &trust(&snap)));
}

#[test]
fn finalize_waits_for_stage_one_and_a_rollback_from_stage_one_works() {
    let snap = scenario("migrate-wildcard");
    let sel = deploy("batch", "worker-a");
    match plan(&snap, &sel, Stage::Finalize).outcome {
        FixOutcome::Manual { reasons } => {
            assert!(reasons[0].contains("stage 1 is not proven"), "{reasons:?}")
        }
        other => panic!("{other:?}"),
    }
    let start = ready(plan(&snap, &sel, Stage::Start));
    let s1 = applied(&snap, &start);
    let back = ready(plan(&s1, &sel, Stage::Rollback));
    never_without_credentials(&s1, &back, "batch", "worker-a");
    let s2 = applied(&s1, &back);
    assert_eq!(mechanism(&s2, "batch", "worker-a").0, Mechanism::Irsa);
    assert!(matches!(
        plan(&s2, &sel, Stage::Rollback).outcome,
        FixOutcome::NothingToDo
    ));
}

fn blocked(snap: &Snapshot, sel: &Selection) -> String {
    match plan(snap, sel, Stage::Start).outcome {
        FixOutcome::Manual { reasons } => reasons.join("; "),
        other => panic!("blocked: {other:?}"),
    }
}

#[test]
fn pre_flight_blocks_what_pod_identity_cannot_serve() {
    let all = Selection::default();
    // Fargate (field guide F38).
    let mut snap = scenario("irsa-fargate-healthy");
    snap.aws.pod_identity_agent_addon = Fact::Known(None);
    assert!(blocked(&snap, &all).contains("Fargate"));
    // hostNetwork (F33).
    let mut snap = scenario("migrate-wildcard");
    if let Fact::Known(l) = &mut snap.kube.deployments {
        let spec = l.items[0]
            .spec
            .as_mut()
            .unwrap()
            .template
            .spec
            .as_mut()
            .unwrap();
        spec.host_network = Some(true);
    }
    assert!(blocked(&snap, &all).contains("hostNetwork"));
    // A role in another account (F36): target-role chaining is explained.
    let mut snap = scenario("oidc-provider-cross-account");
    snap.aws.pod_identity_agent_addon = Fact::Known(None);
    let why = blocked(&snap, &all);
    assert!(
        why.contains("target role") && why.contains("ROLE_NOT_IN_CLUSTER_ACCOUNT"),
        "{why}"
    );
    // A trust policy that would exceed its quota (D26).
    let mut snap = scenario("trust-near-size-limit");
    snap.aws.pod_identity_agent_addon = Fact::Known(None);
    assert!(blocked(&snap, &all).contains("quota"));
}

/// The check above is not vacuous: eksctl's order (the annotation removed before the
/// association exists, field guide §3.1 g) leaves a pod created in between with nothing.
#[test]
fn the_guarantee_check_catches_eksctls_order() {
    let snap = scenario("migrate-wildcard");
    let arn = snap
        .aws
        .iam
        .roles
        .values()
        .find(|r| r.name == "batch-workers")
        .unwrap()
        .arn
        .clone();
    let eksctl = [
        Change::AnnotateServiceAccount {
            namespace: "batch".into(),
            name: "worker-a".into(),
            key: "eks.amazonaws.com/role-arn".into(),
            value: None,
        },
        Change::CreatePodIdentityAssociation {
            cluster: "prod-eu".into(),
            namespace: "batch".into(),
            service_account: "worker-a".into(),
            role_arn: arn,
        },
    ];
    let bad = Plan {
        schema_version: 1,
        id: "x".into(),
        target: "x".into(),
        steps: super::steps::sequence(&eksctl, &snap, now()),
        choices: Vec::new(),
        manual: None,
        recreate: Vec::new(),
    };
    let caught =
        std::panic::catch_unwind(|| never_without_credentials(&snap, &bad, "batch", "worker-a"));
    assert!(caught.is_err());
}

/// A service account set up for Pod Identity from the start (no role-arn annotation, no
/// migration in the journal) is not turned into IRSA by a rollback: a targeted rollback says
/// why, a namespace-wide one leaves it alone and says so.
#[test]
fn a_rollback_leaves_a_service_account_it_never_moved_alone() {
    let snap = scenario("pod-identity-healthy");
    let targeted = plan(&snap, &deploy("shop", "billing"), Stage::Rollback);
    let FixOutcome::Manual { reasons } = &targeted.outcome else {
        panic!("{:?}", targeted.outcome)
    };
    assert!(
        reasons.iter().any(|r| r.contains("left alone")),
        "{reasons:?}"
    );
    let namespace = Selection {
        namespace: Some("shop".into()),
        ..Selection::default()
    };
    let wide = plan(&snap, &namespace, Stage::Rollback);
    assert!(
        matches!(wide.outcome, FixOutcome::NothingToDo),
        "{:?}",
        wide.outcome
    );
    assert!(
        wide.notes.iter().any(|n| n.contains("shop/billing")),
        "{:?}",
        wide.notes
    );
}
