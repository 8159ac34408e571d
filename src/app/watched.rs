//! The service layer for interactive front ends: the same gather-and-diagnose as
//! [`super::doctor`], but reporting progress per source and a first report built from the
//! Kubernetes side alone while AWS is still answering; and the proof of one workload. Each is
//! an async function, to run as a task of [`super::background`] that can be cancelled, with a
//! blocking twin for callers without a runtime.
//!
//! A source that fails (one that does not answer within `--request-timeout`, say) reports its
//! stage `Failed` with the sentence the run ends with, while the sources that answered report
//! `Done`; the partial report from the Kubernetes facts has been handed over by then if
//! Kubernetes answered, so a front end keeps showing it.

use crate::diagnose::{self, Selection, Target};
use crate::model::Report;
use crate::model::snapshot::{Snapshot, SourceInfo};
use crate::model::workload::WorkloadRef;
use crate::sources::live::{self, LiveOptions};
use crate::sources::progress::{Observer, Progress};

pub use crate::sources::progress::{Stage, StageState};

use super::{AppError, Source, doctor_with_proof_async};

/// What [`load_watched`] reports while it runs.
#[derive(Debug, Clone)]
pub enum LoadEvent {
    Stage(Stage, StageState),
    /// A live run settled on this namespace (the context's default).
    Namespace(String),
    /// A report from the Kubernetes facts only: links that need AWS are `unknown` until the
    /// final report replaces it.
    Partial(Box<Report>),
}

/// [`load_watched_async`] on the process's runtime.
pub fn load_watched(
    source: &Source,
    selection: &Selection,
    on_event: &(dyn Fn(LoadEvent) + Sync),
) -> Result<Report, AppError> {
    live::block_on(load_watched_async(source, selection, on_event))?
}

/// Gathers from `source` and diagnoses `selection`, calling `on_event` as it goes. The final
/// report is the return value, exactly what `doctor` would print. Dropping the future stops the
/// gathering where it waits.
pub async fn load_watched_async(
    source: &Source,
    selection: &Selection,
    on_event: &(dyn Fn(LoadEvent) + Sync),
) -> Result<Report, AppError> {
    let stage = |s, state| on_event(LoadEvent::Stage(s, state));
    let snapshot = match source {
        Source::Offline(_) | Source::Demo => {
            stage(Stage::Bundle, StageState::Running);
            match super::gather(source) {
                Ok(s) => {
                    stage(Stage::Bundle, StageState::Done(bundle_summary(&s)));
                    s
                }
                Err(e) => {
                    stage(Stage::Bundle, StageState::Failed(e.to_string()));
                    return Err(e);
                }
            }
        }
        Source::Live(opts) => {
            let observer = |p: Progress<'_>| match p {
                Progress::Stage(s, state) => on_event(LoadEvent::Stage(s, state)),
                Progress::Namespace(ns) => on_event(LoadEvent::Namespace(ns.to_string())),
                Progress::KubernetesReady(kube) => {
                    let mut partial = Snapshot::empty(SourceInfo {
                        kind: crate::model::snapshot::SourceKind::Live,
                        description: "Kubernetes only, AWS still loading".into(),
                        // What the user named; the kubeconfig's own context is read later.
                        context: opts.context.clone(),
                        region: opts.region.clone(),
                    });
                    partial.kube = kube.clone();
                    if let Ok(report) = diagnose::diagnose(&partial, selection) {
                        on_event(LoadEvent::Partial(Box::new(report)));
                    }
                }
            };
            live::gather_observed(opts, &observer as &dyn Observer)
                .await
                .map(|(snapshot, _)| snapshot)?
        }
    };
    stage(Stage::Diagnosis, StageState::Running);
    let report = diagnose::diagnose(&snapshot, selection)?;
    stage(
        Stage::Diagnosis,
        StageState::Done(format!("{} workloads", report.workloads.len())),
    );
    Ok(report)
}

fn bundle_summary(s: &Snapshot) -> String {
    let pods = s.kube.pods.known().map(|l| l.items.len()).unwrap_or(0);
    let roles = s.aws.iam.roles.len();
    format!("{pods} pods, {roles} roles")
}

/// [`prove_workload_async`] on the process's runtime.
pub fn prove_workload(
    opts: &LiveOptions,
    workload: &WorkloadRef,
    actions: &[crate::model::report::RequestedAction],
) -> Result<Report, AppError> {
    live::block_on(prove_workload_async(opts, workload, actions))?
}

/// Proves one workload (STS for IRSA, EKS Auth for Pod Identity, IAM's simulator for
/// `actions`): gathers its namespace afresh, diagnoses it, asks. The report holds that
/// workload alone, with the proof's findings on its links.
pub async fn prove_workload_async(
    opts: &LiveOptions,
    workload: &WorkloadRef,
    actions: &[crate::model::report::RequestedAction],
) -> Result<Report, AppError> {
    let scoped = LiveOptions {
        namespace: Some(workload.namespace.clone()),
        all_namespaces: false,
        ..opts.clone()
    };
    let selection = Selection {
        namespace: Some(workload.namespace.clone()),
        target: Some(Target::Workload(workload.kind, workload.name.clone())),
        selector: None,
        actions: actions.to_vec(),
    };
    doctor_with_proof_async(&scoped, &selection).await
}
