//! Undo's refusals: what the journal cannot take back without harming something made since.

use std::path::PathBuf;

use super::undo::{UndoError, undo_plan};
use crate::model::Snapshot;
use crate::model::journal::{JournalEntry, StepOutcome, StepRecord};
use crate::model::plan::{Change, PLAN_SCHEMA_VERSION, Plan};

fn scenario(name: &str) -> Snapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(name)
        .join("bundle");
    crate::sources::bundle::load_dirs(&[dir]).unwrap()
}

/// The agent add-on a plan installed serves every association of the cluster: undo keeps it
/// while an association made since the plan exists (field guide F30); one that was there
/// before the plan goes back to how it was.
#[test]
fn an_add_on_serving_other_associations_is_not_undone() {
    let fresh = scenario("pod-identity-healthy");
    let now: jiff::Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
    let change = Change::CreateAddon {
        cluster: "prod-eu".into(),
        name: "eks-pod-identity-agent".into(),
    };
    let entry = JournalEntry {
        schema_version: 1,
        plan: Plan {
            schema_version: PLAN_SCHEMA_VERSION,
            id: "p1".into(),
            target: "migrate deploy/x".into(),
            steps: super::steps::sequence(std::slice::from_ref(&change), &fresh, now),
            choices: Vec::new(),
            manual: None,
            recreate: Vec::new(),
        },
        started_at: "2026-12-01T00:00:00Z".into(),
        steps: vec![StepRecord {
            index: 0,
            prior: None,
            outcome: StepOutcome::Applied,
            message: None,
            at: "2026-12-01T00:00:00Z".into(),
        }],
        result: None,
        undoes: None,
    };
    let mut fresh = fresh;
    // As the add-on would be after the plan.
    fresh.aws.pod_identity_agent_addon =
        crate::model::Fact::Known(Some(crate::model::aws::Addon {
            name: "eks-pod-identity-agent".into(),
            status: Some("ACTIVE".into()),
            version: None,
            health_issues: Vec::new(),
            service_account_role_arn: None,
        }));
    // shop/billing's association dates from 2026-10-01, before the plan: undo proceeds.
    let undone = undo_plan(&entry, &fresh, "u1", now).unwrap();
    assert!(
        undone
            .steps
            .iter()
            .any(|s| matches!(s.change, Change::DeleteAddon { .. }))
    );
    // Made after the plan started, it keeps the add-on installed.
    if let crate::model::Fact::Known(list) = &mut fresh.aws.associations {
        for a in list.iter_mut() {
            a.created_at = Some("2026-12-02T00:00:00Z".into());
        }
    }
    let refused = undo_plan(&entry, &fresh, "u1", now);
    assert!(
        matches!(&refused, Err(UndoError::Changed(m)) if m.contains("shop/billing")),
        "{refused:?}"
    );
}
