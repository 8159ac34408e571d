//! The in-memory apply against scenario bundles: each change lands where the diagnosis reads it.

use std::path::PathBuf;

use super::*;
use crate::diagnose::{Selection, diagnose};
use crate::model::Status;

fn scenario(name: &str) -> Snapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name)
        .join("bundle");
    crate::sources::bundle::load_dirs(&[dir]).unwrap()
}

fn statuses(snap: &Snapshot, ns: &str) -> Vec<(String, Status)> {
    let sel = Selection {
        namespace: Some(ns.into()),
        ..Selection::default()
    };
    diagnose(snap, &sel)
        .unwrap()
        .workloads
        .into_iter()
        .map(|w| (w.name, w.status))
        .collect()
}

fn restart(ns: &str, name: &str) -> Change {
    Change::RolloutRestart {
        workload: WorkloadTarget {
            kind: "Deployment".into(),
            namespace: ns.into(),
            name: name.into(),
        },
    }
}

fn now() -> jiff::Timestamp {
    "2026-12-01T00:00:00Z".parse().unwrap()
}

/// Pods created before the identity was configured (field guide A1) come back injected
/// once restarted, for IRSA and for Pod Identity.
#[test]
fn a_restart_gives_new_pods_what_the_webhook_injects_now() {
    for (scenario_name, ns, name) in [
        ("pod-before-annotation", "jobs", "worker"),
        ("pi-pod-before-association", "shop", "billing"),
    ] {
        let snap = scenario(scenario_name);
        assert!(
            statuses(&snap, ns).contains(&(name.to_string(), Status::Broken)),
            "{scenario_name}: broken before"
        );
        let after = apply(&snap, &[&restart(ns, name)], now()).unwrap();
        assert_eq!(
            statuses(&after, ns),
            [(name.to_string(), Status::Ok)],
            "{scenario_name}: green after the restart"
        );
    }
}

#[test]
fn an_annotation_then_a_restart_is_the_whole_irsa_fix_for_a_trusted_role() {
    let snap = scenario("pod-uses-default-sa");
    let broken = statuses(&snap, "shop");
    assert!(
        broken.iter().any(|(_, s)| *s == Status::Broken),
        "{broken:?}"
    );
    let trusted = snap
        .aws
        .iam
        .roles
        .values()
        .find(|r| {
            r.trust_policy
                .as_ref()
                .is_some_and(|t| t.0.contains("system:serviceaccount:shop:"))
        })
        .map(|r| r.arn.clone());
    let Some(role) = trusted else {
        panic!("the scenario has a role trusting a shop service account")
    };
    // Which service account the role trusts is the scenario's business: read it back.
    let trust = snap.aws.iam.roles[&role].trust_policy.clone().unwrap().0;
    let sa = trust
        .split("system:serviceaccount:shop:")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let (ns, name) = ("shop".to_string(), broken[0].0.clone());
    let set_sa = Change::SetServiceAccountName {
        workload: WorkloadTarget {
            kind: "Deployment".into(),
            namespace: ns.clone(),
            name: name.clone(),
        },
        service_account: sa.clone(),
    };
    let annotate = Change::AnnotateServiceAccount {
        namespace: ns.clone(),
        name: sa,
        key: "eks.amazonaws.com/role-arn".into(),
        value: Some(role),
    };
    let after = apply(&snap, &[&annotate, &set_sa, &restart(&ns, &name)], now());
    let after = match after {
        Ok(a) => a,
        Err(SimulateError::NotRead(what)) => panic!("{what}"),
    };
    assert!(
        statuses(&after, &ns)
            .iter()
            .all(|(_, s)| *s != Status::Broken),
        "{:?}",
        statuses(&after, &ns)
    );
}

#[test]
fn a_change_to_an_object_that_was_not_read_is_refused() {
    let snap = scenario("pod-before-annotation");
    let missing = Change::PutTrustPolicy {
        role_name: "nosuch".into(),
        document: "{}".into(),
    };
    assert_eq!(
        apply(&snap, &[&missing], now()).err(),
        Some(SimulateError::NotRead("role nosuch".into()))
    );
}
