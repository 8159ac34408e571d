//! The service layer of `kubectl irsa setup` (and the wizard): gather what the setup touches,
//! plan it with the pure setup planner, and hand back the plan and the selections to diagnose
//! again once it is applied (applying is [`super::fix::apply`], like every plan). The wizard
//! reads its choices through [`SetupFacts`] (one gather, asked with the pure
//! [`crate::plan::setup_options`]) and plans with [`plan_async`].

use std::sync::Arc;

use super::{AppError, Source, gather};
use crate::model::Snapshot;
use crate::model::workload::WorkloadKind;
use crate::plan::setup::{Mechanism, Planned, SetupError, SetupRequest, plan_setup};
use crate::plan::setup_options::{
    self, Recommendation, RegionAdvice, RoleCandidate, WorkloadChoice,
};

#[derive(Debug, thiserror::Error)]
pub enum SetupAppError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Setup(#[from] SetupError),
}

/// The source to read for `req`: every namespace when the namespace is a wildcard (the
/// planner finds the matching ones), else the request's namespace; every role of the account.
pub fn source_for(source: &Source, req: &SetupRequest) -> Source {
    match source {
        Source::Live(opts) => {
            let mut opts = opts.clone();
            opts.target = None;
            // The roles setup may use or create are anywhere in the account: without reading
            // them all, whether a new role's name is free is unknown.
            opts.all_roles = true;
            if req.wildcard() {
                opts.namespace = None;
                opts.all_namespaces = true;
            } else {
                opts.namespace = Some(req.namespace.clone());
                opts.all_namespaces = false;
            }
            Source::Live(opts)
        }
        other => other.clone(),
    }
}

/// Plans `req` on a fresh read of `source`.
pub fn plan(source: &Source, req: &SetupRequest, label: &str) -> Result<Planned, SetupAppError> {
    crate::plan::setup::validate(req)?;
    let snapshot = gather(&source_for(source, req))?;
    let now = jiff::Timestamp::now();
    Ok(plan_setup(
        &snapshot,
        req,
        &super::fix::new_id(now),
        label,
        now,
    )?)
}

/// [`plan`] for async callers (the wizard's review screen, on the TUI's background runtime).
pub async fn plan_async(
    source: &Source,
    req: &SetupRequest,
    label: &str,
) -> Result<Planned, SetupAppError> {
    crate::plan::setup::validate(req)?;
    let snapshot = super::gather_async(&source_for(source, req)).await?;
    let now = jiff::Timestamp::now();
    Ok(plan_setup(
        &snapshot,
        req,
        &super::fix::new_id(now),
        label,
        now,
    )?)
}

/// What the wizard's choices are read from: one gather of a namespace (every namespace for a
/// pattern), asked about as the user moves through the screens without reading again.
#[derive(Debug, Clone)]
pub struct SetupFacts {
    pub namespace: String,
    snapshot: Arc<Snapshot>,
}

impl PartialEq for SetupFacts {
    /// The same gather (the wizard compares states, not clusters).
    fn eq(&self, other: &Self) -> bool {
        self.namespace == other.namespace && Arc::ptr_eq(&self.snapshot, &other.snapshot)
    }
}

impl Eq for SetupFacts {}

impl SetupFacts {
    /// Facts from a snapshot already read (tests, and the offline bundles' whole read).
    pub fn new(namespace: &str, snapshot: Snapshot) -> SetupFacts {
        SetupFacts {
            namespace: namespace.to_string(),
            snapshot: Arc::new(snapshot),
        }
    }

    pub fn workloads(&self) -> Vec<WorkloadChoice> {
        setup_options::workloads(&self.snapshot, &self.namespace)
    }

    pub fn recommend(&self, workload: Option<(WorkloadKind, &str)>, sa: &str) -> Recommendation {
        setup_options::recommend(&self.snapshot, &self.namespace, workload, sa)
    }

    pub fn candidate_roles(&self, sa: &str, mechanism: Mechanism) -> Vec<RoleCandidate> {
        setup_options::candidate_roles(&self.snapshot, &self.namespace, sa, mechanism)
    }

    pub fn region_advice(
        &self,
        workload: Option<(WorkloadKind, &str)>,
        mechanism: Mechanism,
    ) -> RegionAdvice {
        setup_options::region_advice(&self.snapshot, &self.namespace, workload, mechanism)
    }

    /// The role name setup proposes for `sa` (`CLUSTER-NAMESPACE-SA`), when the cluster was read.
    pub fn proposed_role_name(&self, sa: &str) -> Option<String> {
        let cluster = self.snapshot.aws.cluster.known()?;
        let ns = self.namespace.replace(['*', '?'], "all");
        Some(crate::plan::setup::proposed_role_name(
            &cluster.name,
            &ns,
            sa,
        ))
    }

    /// The cluster's region (what `--region-env` sets), when the cluster was read.
    pub fn region(&self) -> Option<String> {
        self.snapshot.aws.cluster.known()?.region()
    }
}

/// Reads what the wizard offers for `namespace` (a pattern reads every namespace).
pub async fn facts_async(source: &Source, namespace: &str) -> Result<SetupFacts, AppError> {
    let probe = SetupRequest {
        namespace: namespace.to_string(),
        service_account: String::new(),
        workload: None,
        mechanism: crate::plan::setup::Mechanism::Irsa,
        role: crate::plan::setup::RoleChoice::Default,
        templates: Vec::new(),
        parameters: Default::default(),
        policy_arns: Vec::new(),
        region_env: false,
    };
    let snapshot = super::gather_async(&source_for(source, &probe)).await?;
    Ok(SetupFacts::new(namespace, snapshot))
}
