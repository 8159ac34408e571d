//! Progress a source reports while it gathers, for front ends that show it (the TUI's spinner
//! per source). Sources call an [`Observer`]; callers that do not care pass [`IGNORE`].
//!
//! To report a new stage, add a [`Stage`] variant with its label and call the observer with
//! `Running` before and `Done`/`Failed` after the work.

use crate::model::snapshot::KubeFacts;

/// One part of gathering, named as users know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Reading an offline bundle (or the embedded demo).
    Bundle,
    /// Kubernetes list calls.
    Kubernetes,
    /// STS GetCallerIdentity: which account the credentials belong to.
    Sts,
    /// EKS: the cluster, pod identity associations, the agent add-on.
    Eks,
    /// IAM: roles, their policies, OIDC providers.
    Iam,
    /// The diagnosis of what was gathered.
    Diagnosis,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Bundle => "bundle",
            Stage::Kubernetes => "Kubernetes",
            Stage::Sts => "STS",
            Stage::Eks => "EKS",
            Stage::Iam => "IAM",
            Stage::Diagnosis => "diagnosis",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageState {
    Running,
    /// Finished; the text says what was found ("42 pods, 7 service accounts").
    Done(String),
    Failed(String),
}

/// What a source reports.
#[derive(Debug)]
pub enum Progress<'a> {
    Stage(Stage, StageState),
    /// The namespace a live run settled on (the context's, when none was given).
    Namespace(&'a str),
    /// The Kubernetes side is complete; AWS facts are still coming. Lets a front end show the
    /// workloads before IAM answers.
    KubernetesReady(&'a KubeFacts),
}

pub trait Observer: Sync {
    fn notify(&self, progress: Progress<'_>);
}

impl<F: Fn(Progress<'_>) + Sync> Observer for F {
    fn notify(&self, progress: Progress<'_>) {
        self(progress)
    }
}

struct Ignore;

impl Observer for Ignore {
    fn notify(&self, _: Progress<'_>) {}
}

/// An observer that drops everything.
pub const IGNORE: &dyn Observer = &Ignore;
