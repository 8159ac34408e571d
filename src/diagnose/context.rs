//! What every link check of one workload reads: the index, the workload, its service account
//! and the user's requested actions. Built once per workload by `diagnose::diagnose`.

use k8s_openapi::api::core::v1::ServiceAccount;

use crate::model::Missing;
use crate::model::command::{CommandLine, placeholder};
use crate::model::report::RequestedAction;

use super::index::Index;
use super::workloads::Workload;

/// Whether the workload's service account was found.
#[derive(Debug, Clone)]
pub enum SaLookup<'a> {
    Found(&'a ServiceAccount),
    NotFound,
    Unknown(Missing),
}

pub struct Ctx<'a, 'i> {
    pub ix: &'i Index<'a>,
    pub workload: &'i Workload<'a>,
    pub namespace: String,
    pub sa_name: String,
    pub sa: SaLookup<'a>,
    pub actions: &'i [RequestedAction],
}

impl<'a, 'i> Ctx<'a, 'i> {
    pub fn new(
        ix: &'i Index<'a>,
        workload: &'i Workload<'a>,
        actions: &'i [RequestedAction],
    ) -> Self {
        let namespace = workload.id.namespace.clone();
        let sa_name = workload.service_account();
        let sa = match (
            ix.snap.kube.service_accounts.known(),
            ix.service_account(&namespace, &sa_name),
        ) {
            (_, Some(sa)) => SaLookup::Found(sa),
            (Some(listing), None) => match listing.gap(&namespace, || {
                CommandLine::kubectl([
                    "get",
                    "serviceaccount",
                    &sa_name,
                    "-n",
                    &namespace,
                    "-o",
                    "yaml",
                ])
            }) {
                Some(why) => SaLookup::Unknown(why),
                None => SaLookup::NotFound,
            },
            (None, None) => match ix.snap.kube.service_accounts.missing() {
                Some(m) => SaLookup::Unknown(m.clone()),
                None => SaLookup::NotFound,
            },
        };
        Ctx {
            ix,
            workload,
            namespace,
            sa_name,
            sa,
            actions,
        }
    }

    pub fn sa_object(&self) -> Option<&'a ServiceAccount> {
        match self.sa {
            SaLookup::Found(sa) => Some(sa),
            _ => None,
        }
    }

    /// Whether the pods of the workload's namespace were listed whole (an absent pod is then
    /// absent).
    pub fn pods_listed(&self) -> bool {
        self.pods_gap().is_none()
    }

    /// Why a pod absent from the snapshot may still exist in the workload's namespace: the
    /// list was refused, not collected, or cut short. `None` when it was listed whole.
    pub fn pods_gap(&self) -> Option<Missing> {
        let pods = &self.ix.snap.kube.pods;
        match pods.known() {
            Some(l) => l.gap(&self.namespace, || {
                CommandLine::kubectl(["get", "pods", "-n", &self.namespace, "-o", "yaml"])
            }),
            None => pods.missing().cloned(),
        }
    }

    /// `system:serviceaccount:NS:SA`, the token subject STS sees.
    pub fn subject(&self) -> String {
        format!("system:serviceaccount:{}:{}", self.namespace, self.sa_name)
    }

    pub fn sa_display(&self) -> String {
        format!("ServiceAccount {}/{}", self.namespace, self.sa_name)
    }

    /// The cluster's name, or [`placeholder::CLUSTER`] when it was not described.
    pub fn cluster_name(&self) -> String {
        self.ix
            .cluster
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_else(|| placeholder::CLUSTER.to_string())
    }
}
