//! The versioned doctor report (`doctor -o json`). Its shape is an interface (DESIGN.md):
//! bump [`SCHEMA_VERSION`] on any change that removes or renames a field.

use serde::Serialize;

use super::arn::Arn;
use super::chain::{LinkName, LinkReport, Mechanism, Status};
use super::command_target::CommandTarget;
use super::snapshot::{LoadNote, SourceInfo};
use super::workload::{WorkloadKind, WorkloadRef};

pub const SCHEMA_VERSION: u32 = 1;

/// Exit codes of `doctor` (DESIGN.md).
pub mod exit {
    pub const OK: i32 = 0;
    pub const BROKEN: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const INCOMPLETE: i32 = 3;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSummary {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The mechanism this pod's containers actually use, from the injected environment.
    pub effective_mechanism: Mechanism,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadReport {
    pub namespace: String,
    pub kind: WorkloadKind,
    pub name: String,
    pub service_account: String,
    pub mechanism: Mechanism,
    pub status: Status,
    pub broken_link: Option<LinkName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    pub pods: Vec<PodSummary>,
    pub links: Vec<LinkReport>,
}

impl WorkloadReport {
    /// Whether this is the workload `r` names.
    pub fn is(&self, r: &WorkloadRef) -> bool {
        self.kind == r.kind && self.namespace == r.namespace && self.name == r.name
    }

    /// Workload status and headline from its links: the first broken link in chain order.
    pub fn finish(mut self) -> Self {
        // A skipped link follows a broken or unknown one, which already sets the status, or
        // has nothing to judge (no pods yet): it never makes a workload worse than ok.
        self.status = self
            .links
            .iter()
            .filter(|l| l.status != Status::Skipped)
            .fold(Status::Ok, |acc, l| Status::worst(acc, l.status));
        self.broken_link = self
            .links
            .iter()
            .find(|l| l.status == Status::Broken)
            .map(|l| l.link);
        self
    }

    pub fn link(&self, name: LinkName) -> Option<&LinkReport> {
        self.links.iter().find(|l| l.link == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub workloads: usize,
    pub ok: usize,
    pub warning: usize,
    pub broken: usize,
    pub unknown: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSummary {
    pub name: String,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_issuer: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestedAction {
    pub action: String,
    pub resource: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub source: SourceInfo,
    pub cluster: Option<ClusterSummary>,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requested_actions: Vec<RequestedAction>,
    pub workloads: Vec<WorkloadReport>,
    /// Workloads in scope that use no AWS identity at all (not listed above).
    pub workloads_without_aws_identity: usize,
    pub notes: Vec<LoadNote>,
    /// What `--prove` observed (live only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proofs: Vec<super::proof::ProofOutcome>,
    /// A whole source could not be read (AWS without credentials; the notes say why): the
    /// run is incomplete even when no workload needed it.
    #[serde(skip)]
    pub source_unread: bool,
}

impl Report {
    pub fn new(source: SourceInfo, cluster: Option<ClusterSummary>) -> Self {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            source,
            cluster,
            summary: Summary::default(),
            requested_actions: Vec::new(),
            workloads: Vec::new(),
            workloads_without_aws_identity: 0,
            notes: Vec::new(),
            proofs: Vec::new(),
            source_unread: false,
        }
    }

    pub fn summarize(&mut self) {
        let mut s = Summary {
            workloads: self.workloads.len(),
            ..Summary::default()
        };
        for w in &self.workloads {
            match w.status {
                Status::Ok | Status::Skipped => s.ok += 1,
                Status::Warning => s.warning += 1,
                Status::Broken => s.broken += 1,
                Status::Unknown => s.unknown += 1,
            }
        }
        self.summary = s;
    }

    /// Where the report's commands run: the cluster's region (from its ARN, else the region
    /// the source asked) and the source's kubeconfig context.
    pub fn command_target(&self) -> CommandTarget {
        let from_arn = self
            .cluster
            .as_ref()
            .and_then(|c| Arn::parse(&c.arn))
            .map(|a| a.region)
            .filter(|r| !r.is_empty());
        CommandTarget {
            context: self.source.context.clone(),
            region: from_arn.or_else(|| self.source.region.clone()),
        }
    }

    /// Completes every fix command with [`Report::command_target`], so a pasted fix acts on
    /// the cluster and region that were diagnosed.
    pub fn complete_commands(&mut self) {
        let target = self.command_target();
        for w in &mut self.workloads {
            for f in w.links.iter_mut().flat_map(|l| l.findings.iter_mut()) {
                if let Some(fix) = &mut f.fix {
                    fix.commands = std::mem::take(&mut fix.commands)
                        .into_iter()
                        .map(|c| target.complete(c))
                        .collect();
                }
            }
        }
    }

    /// 0 nothing broken, 1 something broken, 3 nothing broken found but something could not be
    /// judged.
    pub fn exit_code(&self) -> i32 {
        if self.workloads.iter().any(|w| w.status == Status::Broken) {
            exit::BROKEN
        } else if self.source_unread || self.workloads.iter().any(|w| w.status == Status::Unknown) {
            exit::INCOMPLETE
        } else {
            exit::OK
        }
    }
}
