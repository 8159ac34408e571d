//! Diagnosis: pure functions from a [`Snapshot`] to a [`Report`]. No I/O, no clock: the same
//! snapshot always gives the same report, whichever source produced it.
//!
//! [`diagnose`] resolves workloads, picks each one's mechanism, and runs the link checks in
//! chain order (`links::*`). A link that cannot be judged because an earlier one is broken in a
//! way that removes its input (no service account, no role ARN) is `skipped`; links with their
//! own inputs are still judged so a user sees every problem at once.

pub mod chain;
pub mod commands;
pub mod context;
pub mod index;
pub mod k8s;
pub mod label_selector;
pub mod links;
pub mod narrow;
pub mod notes;
pub mod policy_cache;
pub mod prove;
pub mod select;
pub mod suggest;
pub mod workloads;

#[cfg(test)]
mod command_tests;
#[cfg(test)]
mod select_tests;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use thiserror::Error;

use crate::model::report::{ClusterSummary, RequestedAction};
use crate::model::snapshot::Snapshot;
use crate::model::workload::WorkloadKind;
use crate::model::{Mechanism, Report};

pub use index::Index;
pub use label_selector::{LabelSelector, SelectorError};

/// What the user asked to diagnose.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `None`: all namespaces.
    pub namespace: Option<String>,
    pub target: Option<Target>,
    /// `-l`: only workloads whose pods (or pod template) carry these labels (so no service
    /// account that no workload runs as yet).
    pub selector: Option<LabelSelector>,
    pub actions: Vec<RequestedAction>,
}

/// `pod/NAME`, `deploy/NAME`, `sa/NAME` or a bare `NAME` (any workload or SA of that name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Workload(WorkloadKind, String),
    ServiceAccount(String),
    Name(String),
}

impl Target {
    /// The target as kubectl takes it on a command line: nothing, `TYPE/NAME`, a bare `NAME`,
    /// or `TYPE NAME` (two arguments).
    pub fn from_args(args: &[String]) -> Result<Option<Target>, String> {
        match args {
            [] => Ok(None),
            [one] => Target::parse(one).map(Some),
            [kind, name] => {
                if kind.contains('/') || name.contains('/') {
                    // kubectl's own refusal of `get deploy deploy/NAME`.
                    return Err(format!(
                        "`{kind} {name}`: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. `deploy/NAME` or `deploy NAME`)"
                    ));
                }
                if name.is_empty() {
                    return Err(format!("`{kind}` has no name after it"));
                }
                Target::parse(&format!("{kind}/{name}")).map(Some)
            }
            more => Err(format!(
                "one target at a time: TYPE/NAME, TYPE NAME or NAME (got {} arguments: {})",
                more.len(),
                more.join(" ")
            )),
        }
    }

    pub fn parse(text: &str) -> Result<Target, String> {
        match text.split_once('/') {
            None if text.is_empty() => Err("empty target".into()),
            None => Ok(Target::Name(text.to_string())),
            Some((_, "")) => Err(format!("`{text}` has no name after the `/`")),
            Some((_, name)) if name.contains('/') => {
                Err(format!("`{text}`: a name cannot contain `/`"))
            }
            Some((kind, name)) => match WorkloadKind::from_user(kind) {
                Some(WorkloadKind::ServiceAccount) => Ok(Target::ServiceAccount(name.to_string())),
                Some(k) => Ok(Target::Workload(k, name.to_string())),
                None => Err(format!(
                    "`{kind}` is not a kind doctor understands (pod, deploy, sts, ds, job, cronjob, sa)"
                )),
            },
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DiagnoseError {
    /// The target named nothing: the sentence says what was looked for and where.
    #[error("{0}")]
    TargetNotFound(String),
}

/// Diagnoses every selected workload, and the selected service accounts no workload runs as
/// yet (see [`select`]).
pub fn diagnose(snap: &Snapshot, sel: &Selection) -> Result<Report, DiagnoseError> {
    let ix = Index::build(snap);
    let cluster = snap.aws.cluster.known().map(|c| ClusterSummary {
        name: c.name.clone(),
        arn: c.arn.clone(),
        oidc_issuer: c.oidc_issuer.clone(),
    });
    let mut report = Report::new(snap.source.clone(), cluster);
    report.notes = snap.notes.clone();
    report.notes.extend(notes::cluster_notes(&ix));
    report.requested_actions = sel.actions.clone();
    report.source_unread = snap.aws.unread.is_some();
    let all = workloads::resolve(&snap.kube);
    let used: BTreeSet<(String, String)> = all
        .iter()
        .map(|w| (w.id.namespace.clone(), w.service_account()))
        .collect();
    let idle: Vec<workloads::Workload> = select::idle_service_accounts(&ix, sel, &all, &used)
        .iter()
        .map(|(ns, name)| workloads::service_account_only(ns, name))
        .collect();
    let mut matched_target = false;
    for w in all.iter().chain(&idle) {
        if let Some(ns) = &sel.namespace
            && &w.id.namespace != ns
        {
            continue;
        }
        let idle_sa = w.id.kind == WorkloadKind::ServiceAccount;
        if !idle_sa && !select::labels_select(sel, w) {
            continue;
        }
        let ctx = context::Ctx::new(&ix, w, &sel.actions);
        if let Some(t) = &sel.target {
            if !idle_sa && !select::matches(t, w, &ctx.sa_name) {
                continue;
            }
            matched_target = true;
        } else if !idle_sa && !chain::uses_aws(&ctx) {
            report.workloads_without_aws_identity += 1;
            continue;
        }
        report.workloads.push(chain::diagnose_workload(&ctx));
    }
    if let (Some(t), false) = (&sel.target, matched_target) {
        return Err(select::not_found(&ix, sel, t));
    }
    report.summarize();
    report.complete_commands();
    Ok(report)
}

/// For tests and benchmarks: how many distinct policy documents a run parsed.
pub fn parse_count(snap: &Snapshot, sel: &Selection) -> usize {
    let ix = Index::build(snap);
    for w in workloads::resolve(&snap.kube) {
        if sel
            .namespace
            .as_ref()
            .is_some_and(|ns| ns != &w.id.namespace)
            || !select::labels_select(sel, &w)
        {
            continue;
        }
        let ctx = context::Ctx::new(&ix, &w, &sel.actions);
        if chain::uses_aws(&ctx) {
            let _ = chain::diagnose_workload(&ctx);
        }
    }
    ix.policies.parse_count()
}

pub fn mechanism_label(m: Mechanism) -> &'static str {
    m.label()
}
